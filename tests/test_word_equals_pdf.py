"""The Word file equals the PDF (issue 12, item 3): every copy of every sample document, and the
roll-up forms 附件1 (county, 州(市), province), 附件4 and 附件5, converted from .docx by
LibreOffice (one soffice call) and compared with formkit's own PDF of that copy:

- the same number of pages per copy;
- the same sequence of text (``pdftotext -raw -bbox``: text in drawing order, each run of words
  on one baseline read left to right; whitespace and line wrapping ignored; the copy label and
  「第 N 页 共 M 页」 taken out, they are page furniture);
- in both files: phone numbers, ID numbers and names never broken across lines, no line made
  only of closing punctuation (「）」「。」「，」…), no seal or signature block split from its date
  (「（盖章）」 / 「签名：」 at the foot of a page, 「年　月　日」 on the next), and no table broken
  with a white gap the next row would have fitted in.

The copies of a document differ only in their label: text and page counts are compared for
every copy, the page pictures (white gaps) for the first copy.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from PIL import Image

from formkit.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEMAND_DIR = ROOT / "data" / "demand"
CASES_DIR = ROOT / "data" / "cases"
AS_OF = "2026-11-30"  # the day conftest.Samples derives the samples' facts on

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None and not __import__("os").environ.get("CI"),
                                reason="LibreOffice (soffice) is not installed here; CI installs it")

ROLLUPS = [  # (name, CLI arguments) of the roll-up forms made from the sample data
    ("demand-county", ["demand", str(DEMAND_DIR / "huize-2026.yaml"), "--level", "县", "--division", "530326",
                       "--year", "2026"]),
    ("demand-prefecture", ["demand", str(DEMAND_DIR), "--level", "州", "--division", "532500", "--year", "2026"]),
    ("demand-province", ["demand", str(DEMAND_DIR), "--level", "省", "--year", "2026"]),
    ("declaration", ["declare", str(CASES_DIR), "--prefecture", "532500", "--year", "2021", "--as-of", AS_OF,
                     "--no-bundle"]),
]

FURNITURE = re.compile(r"第\d+页共\d+页|第\d+份（共\d+份）\S*?(?:存|执)")
"""The page number and the copy label (whitespace already removed)."""
CLOSING = "）)】〕》〉」』”’，,。.、；;：:！!？?…"
"""Characters that must never begin a line on their own."""
NUMBER = re.compile(r"0\d{2,3}-\d{7,8}|1[3-9]\d{9}|\d{17}[\dX]")
"""Landline and mobile numbers, ID numbers."""


# --------------------------------------------------------------------------- reading PDFs


@functools.lru_cache(maxsize=None)
def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Page:
    """One page as read by pdftotext: its size (pt) and its words in drawing order."""

    width: float
    height: float
    words: list[Word]

    def lines(self) -> list[tuple[float, float, str]]:
        """Runs of words drawn one after another on one baseline, each read left to right:
        ``(top, bottom, text)``. A character drawn from a fallback font (LibreOffice draws those
        after the rest of its line) joins its line."""
        out: list[list[Word]] = []
        for w in self.words:
            if out:
                last = out[-1]
                top, bottom = min(v.y0 for v in last), max(v.y1 for v in last)
                centre = (w.y0 + w.y1) / 2
                if top < centre < bottom and abs((w.y1 - w.y0) - (last[-1].y1 - last[-1].y0)) < 6:
                    last.append(w)
                    continue
            out.append([w])
        return [(min(v.y0 for v in ws), max(v.y1 for v in ws), "".join(v.text for v in sorted(ws, key=lambda v: v.x0)))
                for ws in out]

    def body_lines(self) -> list[tuple[float, float, str]]:
        """The lines without the copy label and the page number."""
        return [(t, b, s) for t, b, s in self.lines() if FURNITURE.sub("", squash(s))]


PICTURE_DPI = 40
MM = PICTURE_DPI / 25.4  # pixels per millimetre in the page pictures


def rules(picture: Image.Image) -> list[int]:
    """The y (px) of the long horizontal lines of a page picture (table borders): rows with a
    run of dark pixels at least 30 % of the page wide; a thick line counts once."""
    width, height = picture.size
    data = picture.point(lambda v: 1 if v < 128 else 0).tobytes()
    found: list[int] = []
    for y in range(height):
        best = max(map(len, data[y * width:(y + 1) * width].split(b"\x00")))
        if best >= 0.3 * width and (not found or y - found[-1] > 2):
            found.append(y)
    return found


def pictures(pdf: Path, first: int, last: int, folder: Path) -> list[Image.Image]:
    stem = folder / f"{pdf.stem}-{first}"
    subprocess.run(["pdftoppm", "-r", str(PICTURE_DPI), "-gray", "-png", "-f", str(first), "-l", str(last), str(pdf),
                    str(stem)], check=True, capture_output=True)
    files = sorted(folder.glob(f"{stem.name}-*.png"), key=lambda f: int(f.stem.rsplit("-", 1)[1]))
    return [Image.open(f).convert("L") for f in files]


@functools.lru_cache(maxsize=None)
def read_pages(pdf: Path, first: int, last: int) -> list[Page]:
    """Pages ``first``..``last`` of ``pdf`` (read once per run: several tests look at them)."""
    xml = subprocess.run(["pdftotext", "-raw", "-bbox", "-enc", "UTF-8", "-f", str(first), "-l", str(last),
                          str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for m in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', xml, re.S):
        words = [Word(unescape(t), float(a), float(b), float(c), float(d)) for a, b, c, d, t in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', m.group(3))]
        pages.append(Page(float(m.group(1)), float(m.group(2)), words))
    return pages


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace(
        "&amp;", "&")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def sequence(pages: list[Page]) -> str:
    """The text of the pages in drawing order, without whitespace, copy label and page numbers,
    and a roster's heading row only once (it repeats on every page the table continues on)."""
    text = FURNITURE.sub("", "".join(squash(s) for p in pages for _, _, s in p.lines()))
    heading = re.search(r"序号\D+?(?=\d)", text)
    if heading:
        at = heading.end()
        text = text[:at] + text[at:].replace(heading.group(), "")
    return text


def first_difference(a: str, b: str) -> str:
    i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"at character {i}:\n  Word (LibreOffice) …{a[max(0, i - 30):i + 40]}\n  formkit PDF        …{b[max(0, i - 30):i + 40]}"


# --------------------------------------------------------------------------- the documents


@dataclass(frozen=True)
class Copy:
    """One copy: the LibreOffice PDF of its .docx, and formkit's PDF with its pages."""

    key: str
    word: Path
    ours: Path
    first: int
    last: int
    picture: bool  # the first copy of its document: pictures are compared too


def protected() -> set[str]:
    """What must never break across lines: every phone and ID number of the sample records and
    demand lists, and the names printed (applicants, contacts, 填表人, 审核人)."""
    out: set[str] = set()

    def walk(value, parent: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if (parent, k) == ("applicant", "name") or k in ("contact", "filled_by", "reviewed_by"):
                    out.add(str(v))
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, parent)
        elif isinstance(value, (str, int)) and NUMBER.fullmatch(str(value)):
            out.add(str(value))

    for path in [*CASES_DIR.glob("*.yaml"), *DEMAND_DIR.glob("*.yaml")]:
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return out


@pytest.fixture(scope="module")
def converted(tmp_path_factory, samples) -> list[Copy]:
    """Every copy of every sample document and roll-up, converted by ONE soffice call."""
    assert SOFFICE, "CI must install LibreOffice (scripts/ensure-system.sh)"
    folder = tmp_path_factory.mktemp("word-equals-pdf")
    convert = folder / "docx"
    convert.mkdir()
    copies: list[Copy] = []
    for doc in samples.documents():
        words = samples.docx(doc)
        ours = folder / f"{doc.key}.pdf"
        ours.write_bytes(samples.pdf(doc))
        total = page_count(ours)
        assert total % len(words) == 0, f"{doc.key}: {total} pages for {len(words)} copies"
        per = total // len(words)
        for i, data in enumerate(words):
            name = f"{doc.key}-copy{i + 1}"
            (convert / f"{name}.docx").write_bytes(data)
            copies.append(Copy(name, convert / f"{name}.pdf", ours, i * per + 1, (i + 1) * per, i == 0))
    for name, args in ROLLUPS:
        out = folder / name
        result = CliRunner().invoke(main, [*args, "--format", "docx,pdf", "--out", str(out)])
        assert result.exit_code == 0, result.output
        made = sorted(out.glob("*.docx"))
        assert made, f"{name}: no .docx made\n{result.output}"
        for docx_file in made:
            key = f"{name}-{docx_file.stem}"
            shutil.copyfile(docx_file, convert / f"{key}.docx")
            ours = docx_file.with_suffix(".pdf")
            copies.append(Copy(key, convert / f"{key}.pdf", ours, 1, page_count(ours), True))
    profile = folder / "lo-profile"
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(convert), *sorted(str(p) for p in convert.glob("*.docx"))],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    missing = [c.key for c in copies if not c.word.is_file()]
    assert not missing, f"LibreOffice did not convert {missing}: {result.stdout}{result.stderr}"
    return copies


def both(copy: Copy) -> dict[str, list[Page]]:
    return {"Word (LibreOffice)": read_pages(copy.word, 1, page_count(copy.word)),
            "formkit PDF": read_pages(copy.ours, copy.first, copy.last)}


# --------------------------------------------------------------------------- the tests


def test_every_form_is_compared(converted, samples) -> None:
    keys = {c.key for c in converted}
    assert len([c for c in converted if c.key.startswith(("demand-", "declaration-"))]) == 5, keys
    assert {d.form_id for d in samples.documents()} == {"application", "agreement", "appraisal"}
    assert len(converted) > 3 * len(samples.paths)


def test_same_pages_and_text_per_copy(converted) -> None:
    faults = []
    for copy in converted:
        word_pages = page_count(copy.word)
        if word_pages != copy.last - copy.first + 1:
            faults.append(f"{copy.key}: Word {word_pages} pages, formkit PDF {copy.last - copy.first + 1}")
        read = both(copy)
        a, b = (sequence(pages) for pages in read.values())
        if a != b:
            faults.append(f"{copy.key}: text differs {first_difference(a, b)}")
    assert not faults, "\n".join(faults)


def test_numbers_and_names_never_break(converted) -> None:
    items = protected()
    faults = []
    for copy in converted:
        for who, pages in both(copy).items():
            lines = [squash(s) for p in pages for _, _, s in p.lines()]
            text = "".join(lines)
            wanted = {item for item in items if item in text}
            assert wanted or "申报表" in copy.key, f"{copy.key}: nothing to check?"
            for item in wanted:
                whole = sum(line.count(item) for line in lines)
                if whole != text.count(item):
                    faults.append(f"{copy.key} {who}: 「{item}」 broken across lines")
    assert not faults, "\n".join(sorted(set(faults)))


def test_no_line_of_closing_punctuation(converted) -> None:
    faults = []
    for copy in converted:
        for who, pages in both(copy).items():
            for n, page in enumerate(pages, 1):
                for _, _, text in page.body_lines():
                    if squash(text) and all(ch in CLOSING for ch in squash(text)):
                        faults.append(f"{copy.key} {who} page {n}: a line of only 「{squash(text)}」")
    assert not faults, "\n".join(faults)


def split_seal_blocks(pages: list[Page]) -> list[str]:
    """Where a seal or signature block is cut from its date by a page break: a page ending with
    「（盖章）」, 「签名：」 or 「（签字）：」, or a page after the first beginning with 「年月日」."""
    faults = []
    for n, page in enumerate(pages, 1):
        text = FURNITURE.sub("", "".join(squash(s) for _, _, s in page.body_lines()))
        if re.search(r"(（盖章）：?|签名：|（签字）：)$", text):
            faults.append(f"page {n} ends with 「{text[-8:]}」, its date on the next page")
        if n > 1 and text.startswith("年月日"):
            faults.append(f"page {n} begins with the date of a seal block")
    return faults


def test_split_seal_blocks_are_found() -> None:
    """The check itself, on made-up pages: a whole block passes, a cut one is named."""
    def page(*lines: str) -> Page:
        return Page(595, 842, [Word(t, 100, 100 + 20 * i, 200, 112 + 20 * i) for i, t in enumerate(lines)])

    whole = [page("意见", "（盖章）", "年　月　日", "第 1 页 共 2 页"), page("备注", "第 2 页 共 2 页")]
    cut = [page("意见", "（盖章）", "第 1 页 共 2 页"), page("年　月　日", "第 2 页 共 2 页")]
    assert split_seal_blocks(whole) == []
    assert split_seal_blocks(cut) == ["page 1 ends with 「意见（盖章）」, its date on the next page",
                                      "page 2 begins with the date of a seal block"]


def test_seal_and_signature_blocks_stay_whole(converted) -> None:
    faults = [f"{copy.key} {who}: {fault}" for copy in converted for who, pages in both(copy).items()
              for fault in split_seal_blocks(pages)]
    assert not faults, "\n".join(faults)


def test_no_table_broken_with_a_white_gap(converted, tmp_path) -> None:
    """Where a table goes on from one page to the next (the page ends with the table's border,
    the next begins with one), the white space left at the foot of the first page must be less
    than the row that went over (+ 14 mm for the footer's distance and rounding)."""
    faults, checked = [], 0
    for copy in converted:
        if not copy.picture:
            continue
        for who, (pdf, first, last) in {"Word (LibreOffice)": (copy.word, 1, page_count(copy.word)),
                                        "formkit PDF": (copy.ours, copy.first, copy.last)}.items():
            pages = read_pages(pdf, first, last)
            if len(pages) < 2:
                continue
            images = pictures(pdf, first, last, tmp_path)
            for n in range(len(pages) - 1):
                here, there = rules(images[n]), rules(images[n + 1])
                if not here or len(there) < 2:
                    continue
                body_here = [(t * MM * 25.4 / 72, b * MM * 25.4 / 72) for t, b, _ in pages[n].body_lines()]
                body_there = [(t * MM * 25.4 / 72, b * MM * 25.4 / 72) for t, b, _ in pages[n + 1].body_lines()]
                if any(t > here[-1] for t, _ in body_here) or any(b < there[0] for _, b in body_there):
                    continue  # the page ends, or the next begins, with something else than a table
                checked += 1
                furniture = [t * MM * 25.4 / 72 for t, _, s in pages[n].lines() if re.search(r"第\d+页共\d+页", squash(s))]
                foot = min(furniture) if furniture else images[n].size[1] - 20 * MM
                first_row = "".join(squash(s) for t, _, s in pages[n + 1].body_lines()
                                    if there[0] <= t * MM * 25.4 / 72 <= there[1])
                if first_row.startswith("序号"):  # a roster's heading row, repeated: the row after it went over
                    there = there[1:]
                if len(there) < 2:
                    continue
                gap, row = (foot - here[-1]) / MM, (there[1] - there[0]) / MM
                if gap > row + 14:
                    faults.append(f"{copy.key} {who}: page {n + 1} ends {gap:.0f} mm above its page number, "
                                  f"the {row:.0f} mm row that went to page {n + 2} would have fitted")
    assert checked, "no table went on to a next page: nothing was checked"
    assert not faults, "\n".join(faults)
