"""The one zip writer of formkit: Office Open XML packages (.docx, .xlsx) rewritten
deterministically, so the same content gives the same bytes whatever the day or machine."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

__all__ = ["rezip"]

FIRST = "[Content_Types].xml"
"""The member that must lead an OOXML package."""


def rezip(data: bytes, date_time: tuple[int, int, int, int, int, int] | None,
          transform: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """Rewrite the zip ``data``: ``[Content_Types].xml`` first, the other members in their
    order, fixed times (``date_time``, or each member's own), attributes and compression;
    ``transform(name, bytes)`` may change a member's content. Raises ``zipfile.BadZipFile`` or
    ``KeyError`` for a damaged package (the caller says which file)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    infos = sorted(src.infolist(), key=lambda i: i.filename != FIRST)
    members = [(i, src.read(i.filename)) for i in infos]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, content in members:
            member = zipfile.ZipInfo(info.filename, date_time=date_time or info.date_time)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.create_system = 0
            member.external_attr = 0
            dst.writestr(member, transform(info.filename, content) if transform else content)
    return out.getvalue()
