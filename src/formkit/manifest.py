"""Manifests of issued documents, their versions, and the lock on an output folder.

Every output folder (one per person, ``OUT/<record>/``; one per roll-up or print job) has a
``manifest.json``: the record it was made from (path, SHA-256 of its bytes, a flat snapshot of
its fields for ``formkit diff``) and one entry per issued document — the hash of its template
context (everything the record and the rules put into it), the hash of its templates, the
formkit version, the formats, its files with SHA-256 and size, its version and when it was
issued. Per-folder manifests keep each update small, so one is rewritten (atomically) after
every document: a crash leaves the old or the new state, never half of one.

A document is re-rendered only when its context hash, template hash, formkit version or
formats changed, or a file is missing or altered (``force`` redoes all). When an issued
document changes, its old files move to ``<folder>/superseded/v<N>/`` — never overwritten,
never deleted — and the new files are version N+1.

``OutputLock`` stops two runs writing the same output folder at once: the second waits, then
fails with a message naming the folder and the other process.
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
from formkit.model import flatten  # noqa: F401  (re-exported: the snapshot of a record's fields)
from formkit.write import write_atomic

MANIFEST_NAME = "manifest.json"
LOCK_NAME = ".formkit.lock"
SUPERSEDED = "superseded"


def formkit_version() -> str:
    """The installed formkit version (part of every entry: new code may render differently)."""
    try:
        return version("formkit")
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
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


_TEMPLATE_HASHES: dict[tuple[Path, float], str] = {}


def template_hash(form: Form) -> str:
    """SHA-256 over a form's files and the shared template files (``_shared/``)."""
    shared = forms_root() / "_shared"
    files = sorted(p for p in form.folder.iterdir() if p.is_file())
    if shared.is_dir():
        files += sorted(p for p in shared.iterdir() if p.is_file())
    stamp = (form.folder, max(p.stat().st_mtime for p in files))
    if stamp in _TEMPLATE_HASHES:
        return _TEMPLATE_HASHES[stamp]
    h = hashlib.sha256()
    for path in files:
        h.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    _TEMPLATE_HASHES[stamp] = h.hexdigest()
    return _TEMPLATE_HASHES[stamp]


@dataclass
class Entry:
    """One issued document: ``files`` maps a file name (in the folder) to ``[sha256, size]``."""

    stem: str
    form: str
    version: int
    context_hash: str
    template_hash: str
    formkit_version: str
    formats: list[str]
    files: dict[str, list[Any]]
    issued_at: str
    copies: int = 1
    print_file: str | None = None
    pages: int | None = None
    blank_pages: int = 0


@dataclass
class FolderManifest:
    """The manifest of one output folder (see the module docstring)."""

    folder: Path
    record: str | None = None
    record_hash: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    documents: dict[str, Entry] = field(default_factory=dict)
    selections_done: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, folder: str | Path) -> FolderManifest:
        """Read ``folder/manifest.json`` (absent: empty). Raises ``FormkitError`` if corrupt."""
        folder = Path(folder)
        path = folder / MANIFEST_NAME
        if not path.exists():
            return cls(folder)
        try:
            raw = json.loads(path.read_text("utf-8"))
            docs = {k: Entry(**v) for k, v in raw["documents"].items()}
            return cls(folder, raw.get("record"), raw.get("record_hash"), raw.get("fields") or {}, docs,
                       raw.get("selections_done") or [])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise FormkitError(f"{path}: 清单文件已损坏，无法读取（{exc}）；请检查或移走后重试") from None

    def save(self) -> None:
        doc = {"formkit": formkit_version(), "record": self.record, "record_hash": self.record_hash,
               "fields": self.fields, "selections_done": sorted(self.selections_done), "documents": {k: asdict(v) for k, v in sorted(self.documents.items())}}
        text = json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True)
        write_atomic(self.folder / MANIFEST_NAME, text.encode("utf-8") + b"\n")

    def files_intact(self, entry: Entry, *, verify: bool = False) -> bool:
        """Whether every file of ``entry`` is there with its size (and hash, if ``verify``)."""
        for name, (digest, size) in entry.files.items():
            path = self.folder / name
            try:
                if path.stat().st_size != size:
                    return False
            except OSError:
                return False
            if verify and sha256(path.read_bytes()) != digest:
                return False
        return True

    def is_current(self, stem: str, ctx_hash: str, tpl_hash: str, formats: tuple[str, ...], *,
                   verify: bool = False) -> bool:
        """Whether document ``stem`` was issued from exactly these inputs, its files intact."""
        entry = self.documents.get(stem)
        return (entry is not None
                and (entry.context_hash, entry.template_hash, entry.formkit_version)
                == (ctx_hash, tpl_hash, formkit_version())
                and set(formats) <= set(entry.formats)
                and self.files_intact(entry, verify=verify))

    def issue(self, *, stem: str, form: str, ctx_hash: str, tpl_hash: str, formats: tuple[str, ...],
              files: dict[str, bytes], copies: int = 1, print_file: str | None = None) -> Entry:
        """Write ``files`` as the next version of document ``stem`` and save the manifest.

        The previous version's files move to ``superseded/v<N>/`` first. Returns the new entry.
        """
        old = self.documents.get(stem)
        number = 1
        if old is not None:
            number = old.version + 1
            self._supersede(old)
        for name, data in files.items():
            write_atomic(self.folder / name, data)
        entry = Entry(stem=stem, form=form, version=number, context_hash=ctx_hash, template_hash=tpl_hash,
                      formkit_version=formkit_version(), formats=sorted(formats),
                      files={n: [sha256(d), len(d)] for n, d in files.items()},
                      issued_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                      copies=copies, print_file=print_file)
        self.documents[stem] = entry
        self.save()
        return entry

    def _supersede(self, old: Entry) -> None:
        """Move the files of ``old`` to ``superseded/v<version>/`` (kept, never deleted)."""
        dest = self.folder / SUPERSEDED / f"v{old.version}"
        for name in old.files:
            src = self.folder / name
            if src.exists():
                dest.mkdir(parents=True, exist_ok=True, mode=0o750)
                target = dest / name
                n = 1
                while target.exists():  # never overwrite what was kept before
                    n += 1
                    target = dest / f"{Path(name).stem}（{n}）{Path(name).suffix}"
                os.replace(src, target)


def remove_stale_temp_files(folder: Path) -> int:
    """Delete temporary files a killed run left behind (``.name.XXXX.tmp``); returns how many."""
    count = 0
    if folder.is_dir():
        for tmp in folder.rglob(".*.tmp"):
            try:
                tmp.unlink()
                count += 1
            except OSError:
                pass
    return count


class OutputLock:
    """An exclusive lock on an output folder (``OUT/.formkit.lock``, ``fcntl.flock``).

    ``with OutputLock(out, wait=30):`` waits up to ``wait`` seconds for another run to finish,
    then raises ``UsageError`` naming the folder and the other process. The OS releases the
    lock if the process dies.
    """

    def __init__(self, root: str | Path, wait: float = 30.0):
        self.root = Path(root)
        self.wait = wait
        self._fd: int | None = None

    def __enter__(self) -> OutputLock:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o750)  # it will hold personal data
        fd = os.open(self.root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o640)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    other = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
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
