"""The one sanitiser of path components formkit derives (record file stems, person names,
州(市) and form names): nothing it returns can leave the output folder or be a name a Windows
machine cannot open.

``safe_name(text)`` keeps Chinese text readable and removes what a file system would read as
structure: path separators, ``.``/``..``, control and format characters (bidi overrides,
zero-width marks), the characters Windows forbids (``\\/:*?"<>|``), leading and trailing dots
and spaces, and the device names Windows reserves (``CON``, ``NUL``, ``COM1``…, with or
without an extension, in any case). The result is never empty (``未命名``) and at most
``limit`` characters. ``inside(root, relative)`` is the guard every write goes through.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from formkit.errors import PathEscapeError

_UNSAFE = re.compile(r'[\\/:*?"<>|]+')
_RESERVED = re.compile(r"(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?", re.IGNORECASE)
"""Names Windows reserves for devices, with or without an extension (``NUL``, ``con.txt``)."""


def safe_name(text: str, limit: int = 40) -> str:
    """``text`` as one safe file or folder name (see the module docstring). Pure."""
    chars = []
    for ch in str(text):
        cat = unicodedata.category(ch)
        chars.append("_" if cat[0] in "CZ" and ch != " " else ch)  # control, format, separators
    cleaned = _UNSAFE.sub("_", "".join(chars)).strip(" ._")
    cleaned = re.sub(r"\.{2,}", "_", cleaned)
    cleaned = cleaned[:limit].rstrip(" .")
    if _RESERVED.fullmatch(cleaned):
        cleaned = f"_{cleaned}"
    return cleaned or "未命名"


def inside(root: Path, relative: str | Path) -> Path:
    """``root / relative``, refusing (``PathEscapeError``) anything that resolves outside ``root``."""
    root_resolved = Path(root).resolve()
    target = (root_resolved / relative).resolve()
    if target != root_resolved and root_resolved not in target.parents:
        raise PathEscapeError(f"拒绝写入输出目录之外的路径：{relative}")
    return Path(root) / relative
