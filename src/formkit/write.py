"""Atomic writes: a file is either the old one or the whole new one, never half of either.

``write_atomic(path, data)`` writes to a temporary file in the same folder, flushes it to disk,
then renames it over ``path`` (``os.replace`` is atomic on POSIX). Files are created readable by
owner and group only (0o640): they hold personal data.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

FILE_MODE = 0o640


def write_atomic(path: str | Path, data: bytes, mode: int = FILE_MODE) -> Path:
    """Write ``data`` to ``path`` atomically; creates parent folders. Returns the path.

    Raises ``OSError`` if the folder cannot be written; the temporary file is removed then.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
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
