"""Atomic writes: a file is either the old one or the whole new one, never half of either.

``write_atomic(path, data)`` writes to a temporary file in the same folder, flushes it to disk,
then renames it over ``path`` (``os.replace`` is atomic on POSIX). Files are created readable by
owner and group only (0o640): they hold personal data; folders it creates are 0o750 (their
listings show people's names).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

FILE_MODE = 0o640
DIR_MODE = 0o750


def make_folders(folder: Path) -> None:
    """Create ``folder`` and its missing parents, each with ``DIR_MODE`` (less the umask)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for item in reversed(missing):
        item.mkdir(mode=DIR_MODE, exist_ok=True)


def write_atomic(path: str | Path, data: bytes, mode: int = FILE_MODE) -> Path:
    """Write ``data`` to ``path`` atomically; creates parent folders. Returns the path.

    Raises ``OSError`` if the folder cannot be written; the temporary file is removed then.
    """
    target = Path(path)
    make_folders(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return target
