"""The manifest of issued documents, their versions, and the lock on an output folder.

``OUT/manifest.json`` holds one entry per issued document (key ``<record>/<document stem>``):
the hash of its template context (everything the record and the rules put into it), the hash
of its templates, the formkit version, the output files with their SHA-256, its version number
and when it was issued, plus a flat snapshot of the record's fields (for ``formkit diff``).

A document is re-rendered only when its context hash, its template hash or the formkit version
changed, or a file is missing or altered (``force`` redoes all). When an issued document
changes, its old files move to ``<folder>/superseded/v<N>/`` — never overwritten, never
deleted — and the new files are version N+1.

Every write is atomic (``formkit.write.write_atomic``); the manifest is rewritten after each
document, so a crash leaves the old or the new state, never half of one. ``OutputLock`` stops
two runs writing the same folder at once (the second waits, then fails with a clear message).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from formkit.errors import FormkitError, UsageError
from formkit.forms import Form, forms_root
from formkit.write import write_atomic

MANIFEST_NAME = "manifest.json"
LOCK_NAME = ".formkit.lock"
SUPERSEDED = "superseded"


def formkit_version() -> str:
    try:
        return version("formkit")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (Decimal, Path)):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot hash {type(value).__name__}")


def context_hash(context: dict[str, Any]) -> str:
    """SHA-256 of a template context in canonical JSON: equal contexts, equal hashes."""
    text = json.dumps(context, sort_keys=True, ensure_ascii=False, default=_jsonable, separators=(",", ":"))
    return sha256(text.encode("utf-8"))


def template_hash(form: Form) -> str:
    """SHA-256 over a form's files and the shared template files (``forms/_shared/``)."""
    h = hashlib.sha256()
    shared = forms_root() / "_shared"
    files = sorted(p for p in form.folder.iterdir() if p.is_file())
    if shared.is_dir():
        files += sorted(p for p in shared.iterdir() if p.is_file())
    for path in files:
        h.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@dataclass
class Entry:
    """One issued document (see the module docstring). ``files`` maps file name → SHA-256,
    relative to ``folder`` (relative to the output root)."""

    key: str
    record: str
    form: str
    folder: str
    version: int
    context_hash: str
    template_hash: str
    formkit_version: str
    files: dict[str, str]
    issued_at: str
    fields: dict[str, str] = field(default_factory=dict)


class Manifest:
    """The entries of one output folder; ``load`` it, change it, ``save`` it (atomically)."""

    def __init__(self, root: Path, entries: dict[str, Entry] | None = None):
        self.root = root
        self.entries: dict[str, Entry] = entries or {}

    @classmethod
    def load(cls, root: str | Path) -> Manifest:
        """Read ``root/manifest.json`` (an absent file is an empty manifest).

        Raises ``FormkitError`` if the file exists but is not a formkit manifest.
        """
        root = Path(root)
        path = root / MANIFEST_NAME
        if not path.exists():
            return cls(root)
        try:
            raw = json.loads(path.read_text("utf-8"))
            entries = {k: Entry(**v) for k, v in raw["documents"].items()}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise FormkitError(f"{path}: 清单文件已损坏，无法读取（{exc}）；请检查或移走后重试") from None
        return cls(root, entries)

    def save(self) -> None:
        doc = {"formkit": formkit_version(),
               "documents": {k: asdict(v) for k, v in sorted(self.entries.items())}}
        text = json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True)
        write_atomic(self.root / MANIFEST_NAME, text.encode("utf-8") + b"\n")

    def for_record(self, record: str) -> list[Entry]:
        return [e for e in self.entries.values() if e.record == record]

    def is_current(self, key: str, ctx_hash: str, tpl_hash: str) -> bool:
        """Whether ``key`` was issued from exactly these inputs and its files are intact."""
        entry = self.entries.get(key)
        if entry is None or (entry.context_hash, entry.template_hash, entry.formkit_version) != (
                ctx_hash, tpl_hash, formkit_version()):
            return False
        folder = self.root / entry.folder
        for name, digest in entry.files.items():
            path = folder / name
            if not path.is_file() or sha256(path.read_bytes()) != digest:
                return False
        return True

    def issue(self, *, key: str, record: str, form: str, folder: str, ctx_hash: str, tpl_hash: str,
              files: dict[str, bytes], fields: dict[str, str] | None = None) -> Entry:
        """Write ``files`` into ``folder`` as the next version of ``key`` and record it.

        Files of the previous version move to ``folder/superseded/v<N>/`` first. The manifest
        is saved at the end. Returns the new entry.
        """
        target = self.root / folder
        old = self.entries.get(key)
        version_no = 1
        if old is not None:
            version_no = old.version + 1
            self._supersede(old)
        for name, data in files.items():
            write_atomic(target / name, data)
        entry = Entry(key=key, record=record, form=form, folder=folder, version=version_no,
                      context_hash=ctx_hash, template_hash=tpl_hash, formkit_version=formkit_version(),
                      files={n: sha256(d) for n, d in files.items()},
                      issued_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                      fields=dict(fields or {}))
        self.entries[key] = entry
        self.save()
        return entry

    def _supersede(self, old: Entry) -> None:
        """Move the files of ``old`` to ``superseded/v<version>/`` (kept, never deleted)."""
        folder = self.root / old.folder
        dest = folder / SUPERSEDED / f"v{old.version}"
        for name in old.files:
            src = folder / name
            if src.exists():
                dest.mkdir(parents=True, exist_ok=True)
                target = dest / name
                if target.exists():  # a file of this version was superseded before: keep both
                    target = dest / f"{Path(name).stem}.{int(time.time())}{Path(name).suffix}"
                os.replace(src, target)


class OutputLock:
    """An exclusive lock on an output folder (``OUT/.formkit.lock``, ``fcntl.flock``).

    ``with OutputLock(out, wait=30):`` waits up to ``wait`` seconds for another run to finish,
    then raises ``UsageError`` naming the folder and the other process. The lock is released
    by the OS if the process dies.
    """

    def __init__(self, root: str | Path, wait: float = 30.0):
        self.root = Path(root)
        self.wait = wait
        self._fd: int | None = None

    def __enter__(self) -> OutputLock:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / LOCK_NAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o640)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    other = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
                    os.close(fd)
                    raise UsageError(f"另一个 formkit 进程（pid {other}）正在写入 {self.root}；"
                                     f"已等待 {self.wait:g} 秒。请待其结束后重试") from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def flatten(value: Any, prefix: str = "") -> dict[str, str]:
    """A record (pydantic model dumped to Python) as ``{"applicant.name": "张三", …}``."""
    out: dict[str, str] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}[{i}]"))
    elif value is not None:
        out[prefix] = str(_jsonable(value) if isinstance(value, (date, Decimal, Enum)) else value)
    return out
