"""What, besides its context, decides the bytes of a rendered document: the form's template
files and the shared ones (``forms/_shared``), the font files in use, and the versions of the
rendering libraries. ``fingerprint(form_ids)`` is one part of a document's ledger key
(``formkit.output.ledger.inputs_key``): edit a template, install another font or upgrade
WeasyPrint, and every document it touches is current no longer.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from importlib.metadata import PackageNotFoundError, version

__all__ = ["fingerprint"]

LIBRARIES = ("weasyprint", "pydyf", "pikepdf", "docxtpl", "python-docx", "openpyxl", "fonttools", "Jinja2")


@cache
def _libraries() -> str:
    parts = []
    for package in LIBRARIES:
        try:
            parts.append(f"{package}={version(package)}")
        except PackageNotFoundError:
            parts.append(f"{package}=?")
    return ";".join(parts)


def _files_digest(form_id: str) -> str:
    from formkit.forms import forms_root

    root = forms_root()
    digest = hashlib.sha256()
    for folder in (form_id, "_shared"):
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(root)).encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


_FILES: dict[tuple[str, str, int], str] = {}


def _form_files(form_id: str) -> str:
    """SHA-256 of a form's files and ``_shared``; recomputed when any of them changes."""
    from formkit.forms import forms_root

    root = forms_root()
    stamp = 0
    for folder in (form_id, "_shared"):
        base = root / folder
        if base.is_dir():
            for path in base.rglob("*"):
                stamp = max(stamp, path.stat().st_mtime_ns)
    key = (str(root), form_id, stamp)
    if key not in _FILES:
        _FILES[key] = _files_digest(form_id)
    return _FILES[key]


@cache
def _fonts() -> str:
    """The font files in use (path, face, size, modification time)."""
    from formkit.render.fonts import ROLES, role_fonts

    parts = []
    for role in sorted(ROLES):
        for font in role_fonts(role):
            stat = os.stat(font.path)
            parts.append(f"{font.path}|{font.index}|{stat.st_size}|{stat.st_mtime_ns}")
    return ";".join(parts)


def fingerprint(form_ids: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``{"templates": {form: sha256}, "fonts": …, "libraries": …}`` for the key of a document
    made from ``form_ids``. Raises ``FontMissingError`` when a required font is not installed."""
    return {"templates": {f: _form_files(f) for f in sorted(form_ids)}, "fonts": _fonts(),
            "libraries": _libraries()}
