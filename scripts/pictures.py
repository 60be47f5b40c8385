"""Make every picture of the README (``docs/img/``) from the sample data, in one command.

    make pictures                               # = .venv/bin/python scripts/pictures.py
    .venv/bin/python scripts/pictures.py OUT    # into another folder (tests/test_pictures.py)

What it does, from this checkout's formkit and the records in ``data/``:

1. renders 王䶮's documents (``data/cases/wang-yan.yaml``: 附件2, 服务协议书, 附件3), the province's
   附件1 (``data/demand/``, 2026) and 红河州's 2021 declaration (附件4, 附件5) with the ``formkit``
   commands a clerk runs, into a temporary folder;
2. draws the first page of each form's PDF at 60 dpi (``pdftoppm``): ``application-1.png``,
   ``agreement-1.png``, ``appraisal-1.png``, ``demand-1.png``, ``roster-1.png``, ``subsidy-1.png``;
3. converts the first copy of 附件2 and of the first 附件3 from .docx to PDF with LibreOffice
   (headless, its own profile) and sets each page beside the same page of formkit's PDF —
   Word (LibreOffice) on the left, PDF on the right, one row per page:
   ``compare-application.png``, ``compare-appraisal.png``.

The output depends only on the data, the templates and the fonts: the PDFs are reproducible
and ``pdftoppm`` draws them the same way every time, so running it again without a change
rewrites the same pictures. Needs ``pdftoppm`` (poppler-utils), LibreOffice (``soffice``) and
Pillow. Exit 0, or 2 with a message when a tool is missing or a command fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
DPI = 60
CASE = ROOT / "data" / "cases" / "wang-yan.yaml"
AS_OF = "2026-11-30"
GAP = 12  # px of grey between and around the pages of a comparison
GREY = (128, 128, 128)


def formkit(*args: str | Path) -> None:
    """Run a formkit command of this checkout (``python -m formkit``); raise on failure."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-m", "formkit", *map(str, args)], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"formkit {' '.join(map(str, args))} 失败：\n{result.stdout}{result.stderr}")


def pages_png(pdf: Path, stem: Path, first: int = 1, last: int | None = None) -> list[Path]:
    """``pdftoppm`` the pages ``first``..``last`` (all when None) of ``pdf`` at DPI → PNG files."""
    args = ["pdftoppm", "-r", str(DPI), "-png", "-f", str(first)]
    if last is not None:
        args += ["-l", str(last)]
    subprocess.run([*args, str(pdf), str(stem)], check=True, capture_output=True)
    return sorted(stem.parent.glob(f"{stem.name}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def page_count(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def side_by_side(left: list[Path], right: list[Path], target: Path) -> None:
    """One row per page: ``left[i]`` | ``right[i]`` on grey (a missing page stays grey)."""
    rows = []
    for i in range(max(len(left), len(right))):
        pair = [Image.open(p[i]).convert("RGB") if i < len(p) else None for p in (left, right)]
        rows.append(pair)
    w = max((im.width for pair in rows for im in pair if im), default=1)
    h = max((im.height for pair in rows for im in pair if im), default=1)
    canvas = Image.new("RGB", (2 * w + 3 * GAP, len(rows) * (h + GAP) + GAP), GREY)
    for r, pair in enumerate(rows):
        for c, im in enumerate(pair):
            if im is not None:
                canvas.paste(im, (GAP + c * (w + GAP), GAP + r * (h + GAP)))
    canvas.save(target, optimize=False)


def make_pictures(out: Path) -> list[Path]:
    """Write every picture into ``out`` (created if needed); return their paths."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    for tool, found in (("pdftoppm", shutil.which("pdftoppm")), ("soffice", soffice)):
        if not found:
            raise SystemExit(f"没有找到 {tool}：请先运行 make setup（poppler-utils、LibreOffice）")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="formkit-pictures-") as tmp:
        work = Path(tmp)
        formkit("render", CASE, "--out", work / "cases")
        formkit("demand", ROOT / "data" / "demand", "--level", "省", "--year", "2026", "--format", "docx,pdf",
                "--out", work / "demand")
        formkit("declare", ROOT / "data" / "cases", "--prefecture", "532500", "--year", "2021", "--as-of", AS_OF,
                "--no-bundle", "--format", "docx,pdf", "--out", work / "declaration")
        person = next(p for p in (work / "cases").iterdir() if p.is_dir())
        first = {  # picture name → formkit's PDF
            "application": next(person.glob("申请登记表_*.pdf")),
            "agreement": next(person.glob("服务协议_*.pdf")),
            "appraisal": sorted(person.glob("考核鉴定表_*_第1次.pdf"))[0],
            "demand": next((work / "demand").glob("需求信息表_*.pdf")),
            "roster": next((work / "declaration").glob("期满人员名册_*.pdf")),
            "subsidy": next((work / "declaration").glob("岗位补贴申报表_*.pdf")),
        }
        for name, pdf in first.items():
            png = pages_png(pdf, work / name, 1, 1)[0]
            target = out / f"{name}-1.png"
            shutil.copyfile(png, target)
            written.append(target)

        # Word (LibreOffice) | PDF, page by page, of the first copy of 附件2 and 附件3
        convert = work / "word"
        convert.mkdir()
        docx = {"application": next(person.glob("申请登记表_*_第1份_*.docx")),
                "appraisal": sorted(person.glob("考核鉴定表_*_第1次_第1份_*.docx"))[0]}
        for name, path in docx.items():
            shutil.copyfile(path, convert / f"{name}.docx")
        subprocess.run([soffice, f"-env:UserInstallation={(work / 'lo-profile').as_uri()}", "--headless",
                        "--norestore", "--convert-to", "pdf", "--outdir", str(convert),
                        *sorted(str(p) for p in convert.glob("*.docx"))], check=True, capture_output=True, timeout=300)
        for name in docx:
            word_pdf = convert / f"{name}.pdf"
            if not word_pdf.is_file():
                raise SystemExit(f"LibreOffice 未能转换 {docx[name].name}")
            copies = len(list(person.glob(docx[name].name.split("_第1份_")[0] + "_第*份_*.docx")))
            per = page_count(first[name]) // copies
            left = pages_png(word_pdf, work / f"word-{name}")
            right = pages_png(first[name], work / f"pdf-{name}", 1, per)
            target = out / f"compare-{name}.png"
            side_by_side(left, right, target)
            written.append(target)
    return written


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "img"
    for path in make_pictures(out):
        print(f"写入 {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
