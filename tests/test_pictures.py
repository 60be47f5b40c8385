"""The README's pictures (docs/img/) are those of the current templates and sample data:
``scripts/pictures.py`` (``make pictures``) draws them all again into a temporary folder, and
each must be the committed one — the same bytes, or (should the PNG encoder ever differ) the
same size and at most 0.1 % of pixels different. When this fails after a template change: run
``make pictures`` and commit docs/img/.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img"

pytestmark = pytest.mark.skipif(
    (shutil.which("soffice") or shutil.which("libreoffice")) is None and not os.environ.get("CI"),
    reason="LibreOffice (soffice) is not installed here; CI installs it")


def load_script():
    spec = importlib.util.spec_from_file_location("pictures", ROOT / "scripts" / "pictures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def differing_share(a: Path, b: Path) -> float:
    """The share of pixels that differ between two pictures of the same size (1.0 if the sizes differ)."""
    one, two = Image.open(a).convert("RGB"), Image.open(b).convert("RGB")
    if one.size != two.size:
        return 1.0
    diff = ImageChops.difference(one, two).convert("L").point(lambda v: 255 if v > 16 else 0)
    return diff.histogram()[255] / (one.size[0] * one.size[1])


def test_readme_pictures_are_current(tmp_path: Path) -> None:
    made = load_script().make_pictures(tmp_path)
    names = sorted(p.name for p in made)
    assert {"compare-application.png", "compare-appraisal.png", "application-1.png", "appraisal-1.png",
            "agreement-1.png", "demand-1.png", "roster-1.png", "subsidy-1.png"} <= set(names)
    assert sorted(p.name for p in IMG.glob("*.png")) == names, "docs/img/ holds pictures the script does not make"
    stale = []
    for new in made:
        old = IMG / new.name
        if old.read_bytes() != new.read_bytes() and differing_share(old, new) > 0.001:
            stale.append(f"{new.name}: {differing_share(old, new):.1%} of its pixels differ")
    assert not stale, "docs/img/ is not current (run `make pictures`):\n" + "\n".join(stale)


def test_readme_shows_every_picture() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for picture in IMG.rglob("*.png"):  # the forms' pictures and the desk's screenshots (docs/img/desk/)
        shown = picture.relative_to(ROOT).as_posix()
        assert shown in readme, f"README.md does not show {shown}"
