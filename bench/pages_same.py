"""Are the pages the same? Compare every PDF under BEFORE with the PDF of the same relative path
under AFTER, page by page, pixel by pixel at 60 dpi (``pdftoppm -r 60``).

Run: ``python bench/pages_same.py BEFORE AFTER [--dpi 60] [--diff DIR]``.

PDFs under ``superseded/`` are skipped; the page images are kept in ``<folder>/png/`` (made once;
delete the folder to remake them). Prints one line per PDF that differs — missing on one side,
another page count, or the pages whose pixels differ with the count of differing pixels and
their bounding box — then a summary. With ``--diff DIR`` it writes, for each differing page,
BEFORE | AFTER | difference side by side into DIR. Exit 0 when every page is identical.
Figures only; nothing here is a test.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path


def pdfs(root: Path) -> dict[str, Path]:
    return {str(p.relative_to(root)): p for p in sorted(root.rglob("*.pdf"))
            if "superseded" not in p.relative_to(root).parts and "png" not in p.relative_to(root).parts}


def pages(root: Path, rel: str, pdf: Path, dpi: int) -> list[Path]:
    """The page PNGs of ``pdf`` (made with pdftoppm into ``root/png/<rel>/`` unless there)."""
    folder = root / "png" / rel
    done = folder / ".done"
    if not done.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(folder / "p")], check=True)
        done.write_text(str(dpi))
    return sorted(folder.glob("p-*.png"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--dpi", type=int, default=60)
    parser.add_argument("--diff", type=Path, help="write side-by-side images of differing pages here")
    args = parser.parse_args()
    from PIL import Image, ImageChops

    before, after = pdfs(args.before), pdfs(args.after)
    bad = same_pages = 0
    for rel in sorted(set(before) | set(after)):
        if rel not in after or rel not in before:
            print(f"只在 {'BEFORE' if rel in before else 'AFTER'}：{rel}")
            bad += 1
            continue
        a, b = pages(args.before, rel, before[rel], args.dpi), pages(args.after, rel, after[rel], args.dpi)
        if len(a) != len(b):
            print(f"页数不同：{rel}：{len(a)} → {len(b)}")
            bad += 1
            continue
        differing = []
        for i, (pa, pb) in enumerate(zip(a, b), start=1):
            ia, ib = Image.open(pa).convert("RGB"), Image.open(pb).convert("RGB")
            if ia.size != ib.size:
                differing.append(f"第{i}页尺寸 {ia.size}→{ib.size}")
                continue
            diff = ImageChops.difference(ia, ib)
            box = diff.getbbox()
            if box is None:
                same_pages += 1
                continue
            count = sum(1 for px in diff.convert("L").getdata() if px)
            differing.append(f"第{i}页 {count} 像素 {box}")
            if args.diff:
                args.diff.mkdir(parents=True, exist_ok=True)
                side = Image.new("RGB", (ia.width * 3, ia.height), "white")
                side.paste(ia, (0, 0))
                side.paste(ib, (ia.width, 0))
                side.paste(ImageChops.invert(diff), (ia.width * 2, 0))
                side.save(args.diff / f"{rel.replace('/', '_')}-{i}.png")
        if differing:
            bad += 1
            print(f"不同：{rel}：" + "；".join(differing))
    total = len(set(before) | set(after))
    print(f"比较 {total} 个 PDF：{total - bad} 个逐页相同（{same_pages} 页），{bad} 个不同")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
