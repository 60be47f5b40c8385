"""The ledger of issued documents: the one record of what formkit wrote into an output folder,
and the one answer to "is this document current?".

One file per output folder, ``OUT/ledger.jsonl`` (JSON Lines, UTF-8), kept by this module only.
It holds two kinds of state:

- **persons** (``Person``), identified by their 公民身份号码 (GB 11643): a stable number
  (``P0001``), their folder under ``OUT`` (assigned once, kept when the record file is renamed,
  moved, or the name corrected), the record file they were last issued from and a flat snapshot
  of the record's fields (what ``formkit diff`` compares with);
- **documents** (``Issued``), identified by what they are, never by a file name:
  ``P0001/application``, ``P0001/agreement``, ``P0001/appraisal/2021-07-01`` (a term appraisal, by
  the first day of its period), ``demand/prefecture/532500/2026``, ``declaration/532500/2026``,
  ``print/<job>``. Each carries its **key** — the SHA-256 of everything its bytes depend on (see
  ``inputs_key``) — its version, its current files (name → SHA-256 and size) and the files of
  every earlier version, kept under ``<folder>/superseded/v<N>/`` with the names they were issued
  with.

A document is current when its key is the key of the inputs now, the formats asked for were
made, and its files are on disk with their sizes (``is_current``). Otherwise the caller renders
it and ``commit`` issues the result: the previous version's files move to ``superseded/v<N>/``,
the new ones are written, and the new state is recorded — or, when the new bytes equal the issued
ones (a change no page shows), only the key is updated. A document no longer planned (an
appraisal removed) is *withdrawn*: its files move to ``superseded/`` too. Nothing is ever
deleted or overwritten.

**Crash safety.** ``commit`` is a transaction: the new files are first written next to their
final names as hidden temporary files and flushed; then one line describing every move and
rename and the resulting states is appended and flushed (the commit point); then the moves and
renames are done; then a ``done`` line is appended. Opening a ledger finishes any transaction
that has no ``done`` line (every step is idempotent) and removes temporary files no transaction
names, so after any kill the ledger again lists exactly the files on disk.

**Locking.** ``Ledger.open(out)`` is a context manager holding ``OUT/.formkit.lock``
(``filelock``: works on Windows too): a second run waits up to ``wait`` seconds, then fails with
``OutputBusy``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from formkit.errors import LedgerError, OutputBusy
from formkit.safe_names import inside

LEDGER_NAME = "ledger.jsonl"
LOCK_NAME = ".formkit.lock"
SUPERSEDED = "superseded"
CHANGES_PREFIX = "变更说明_"
"""The file a new version of a roll-up carries: what changed since the previous one."""
TEMP_MARK = ".formkit-tmp"
"""Temporary files are ``.<name>.<txn>.formkit-tmp`` next to their final name."""
FORMAT = 1


def formkit_version() -> str:
    """The installed formkit version (part of every key: new code may render differently)."""
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
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    raise TypeError(f"cannot hash {type(value).__name__}")


def canonical(value: Any) -> bytes:
    """Canonical JSON of ``value`` (sorted keys, no spaces): equal values, equal bytes."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=_jsonable,
                      separators=(",", ":")).encode("utf-8")


def inputs_key(material: dict[str, Any]) -> str:
    """The key of a document: SHA-256 of the canonical JSON of everything its bytes depend on.

    ``material`` is built by the job that plans the document (its template context, the copy
    labels and file names, the date stamped into it, the hashes of its templates, fonts and
    attached files); formkit's version is added here, so new code re-renders everything once.
    """
    return sha256(canonical({"formkit": formkit_version(), **material}))


def now_text() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class Person:
    """A person the ledger has issued documents for (see the module docstring)."""

    number: str
    id_number: str
    folder: str
    record: str = ""
    name: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    snapshots: dict[str, dict[str, str]] = field(default_factory=dict)
    """The record's fields each current document was issued from (``Issued.meta["fields"]``)."""


@dataclass
class Version:
    """An earlier version of a document: where its files are now (``superseded/v<N>``)."""

    version: int
    folder: str
    files: dict[str, list[Any]]
    issued_at: str
    reason: str = ""


@dataclass
class Issued:
    """One issued document (see the module docstring). ``files`` maps a file name in
    ``folder`` (relative to ``OUT``; ``""`` is ``OUT`` itself) to ``[sha256, size]``; ``meta``
    holds what the job wants to remember (copies, page counts, the snapshot a later 变更说明 is
    computed from)."""

    id: str
    form: str
    folder: str
    key: str
    version: int
    files: dict[str, list[Any]]
    formats: list[str]
    issued_at: str
    person: str | None = None
    title: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    history: list[Version] = field(default_factory=list)
    withdrawn: bool = False

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Issued:
        raw = dict(raw)
        raw["history"] = [Version(**v) for v in raw.get("history", [])]
        return cls(**raw)

    def paths(self) -> list[str]:
        """Every file of every version, relative to ``OUT`` (current ones unless withdrawn)."""
        out = [] if self.withdrawn else [_join(self.folder, n) for n in self.files]
        for old in self.history:
            out += [_join(old.folder, n) for n in old.files]
        return out


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


@dataclass
class Change:
    """What ``commit`` is asked to do for one document.

    ``state`` is the document as it will be (its ``files`` describe ``data``); ``data`` maps each
    new file name to its bytes or to an existing file to take the bytes from (a print job
    collated into a temporary file). With ``data`` empty and ``state.withdrawn`` the current
    files move to ``superseded/``; with ``keep`` true only the key and metadata are updated (the
    bytes did not change) and ``data`` holds only files that are added (a new format).
    """

    state: Issued
    data: dict[str, bytes | Path] = field(default_factory=dict)
    keep: bool = False
    reason: str = ""


class Ledger:
    """The ledger of one output folder. Use ``with Ledger.open(out) as ledger:``."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.path = self.root / LEDGER_NAME
        self.documents: dict[str, Issued] = {}
        self.persons: dict[str, Person] = {}
        self._pending: list[dict[str, Any]] = []
        self._cut_at: int | None = None
        self._lines = 0
        self._txn = 0

    # ------------------------------------------------------------------ opening

    @classmethod
    @contextmanager
    def open(cls, root: str | Path, *, wait: float = 30.0) -> Iterator[Ledger]:
        """Lock ``root`` (created 0750 if missing), read the ledger, finish an interrupted
        transaction and remove stray temporary files. Raises ``OutputBusy`` after ``wait``
        seconds if another run holds the lock, ``LedgerError`` if the ledger is unreadable."""
        from filelock import FileLock, Timeout

        from formkit.atomic import make_folders

        root = Path(root)
        make_folders(root)
        lock = FileLock(str(root / LOCK_NAME), mode=0o640)
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise OutputBusy(f"另一个 formkit 进程正在写入 {root}；已等待 {wait:g} 秒。请待其结束后重试") from None
        try:
            ledger = cls(root)
            ledger._read()
            ledger._recover()
            yield ledger
        finally:
            lock.release()

    @classmethod
    def read(cls, root: str | Path) -> Ledger:
        """The ledger of ``root`` read without the lock and without recovery (for ``diff`` and
        reports: never writes). An absent ledger reads as empty."""
        ledger = cls(Path(root))
        ledger._read()
        return ledger

    def _read(self) -> None:
        if not self.path.exists():
            return
        try:
            text = self.path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LedgerError(f"{self.path}: 无法读取发文登记（{exc}）") from None
        lines = text.split("\n")
        if not text.endswith("\n") and lines[-1]:
            # the last line was cut off by a crash: its transaction never happened; the next
            # run that holds the lock cuts it off the file (``_recover``)
            self._cut_at = len(text.encode("utf-8")) - len(lines[-1].encode("utf-8"))
        for number, line in enumerate(lines[:-1], start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict):
                    raise TypeError(type(item).__name__)
                self._apply_line(item)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                raise LedgerError(f"{self.path}:{number}: 发文登记已损坏，无法读取（{type(exc).__name__}）；"
                                  f"请勿手工修改此文件。可把它连同输出目录移走后重新生成") from None
            self._lines += 1

    def _apply_line(self, item: dict[str, Any]) -> None:
        if "done" in item:
            self._pending = [p for p in self._pending if p["txn"] != item["done"]]
            return
        self._txn = max(self._txn, int(item.get("txn", 0)))
        for raw in item.get("persons", []):
            person = Person(**raw)
            self.persons[person.number] = person
        for raw in item.get("documents", []):
            doc = Issued.from_json(raw)
            self.documents[doc.id] = doc
        if item.get("moves") or item.get("writes"):
            self._pending.append(item)

    # ------------------------------------------------------------------ queries

    def is_current(self, doc_id: str, key: str, formats: tuple[str, ...] = ()) -> bool:
        """Whether ``doc_id`` was issued from exactly the inputs with ``key``, in at least
        ``formats``, and its files are on disk with their sizes."""
        doc = self.documents.get(doc_id)
        return (doc is not None and not doc.withdrawn and doc.key == key
                and set(formats) <= set(doc.formats) and self.files_intact(doc))

    def files_intact(self, doc: Issued, *, verify: bool = False) -> bool:
        """Whether every current file of ``doc`` is there with its size (and hash, ``verify``)."""
        for name, (digest, size) in doc.files.items():
            path = self.root / _join(doc.folder, name)
            try:
                if path.stat().st_size != size:
                    return False
            except OSError:
                return False
            if verify and sha256(path.read_bytes()) != digest:
                return False
        return True

    def same_bytes(self, doc_id: str, files: dict[str, list[Any]], *, ignore: tuple[str, ...] = ()) -> bool:
        """Whether ``doc_id`` is issued, intact, and every file it has is in ``files`` (name →
        [sha256, size]) with the same bytes — names starting with ``ignore`` left out. A
        re-render that changed nothing a page shows, or only added a format, is then the same
        version (``Change(keep=True)`` with the added files)."""
        doc = self.documents.get(doc_id)
        if doc is None or doc.withdrawn or not self.files_intact(doc):
            return False
        issued = {n: v[0] for n, v in doc.files.items() if not (ignore and n.startswith(ignore))}
        return bool(issued) and all(files.get(n, [None])[0] == digest for n, digest in issued.items())

    @property
    def interrupted(self) -> bool:
        """Whether a run was interrupted in the middle of issuing (finished by the next run)."""
        return bool(self._pending)

    def file(self, doc: Issued, name: str) -> Path:
        """The path of one current file of ``doc``."""
        return inside(self.root, _join(doc.folder, name))

    def of_person(self, number: str) -> list[Issued]:
        return [d for d in self.documents.values() if d.person == number]

    def person_by_id(self, id_number: str) -> Person | None:
        return next((p for p in self.persons.values() if p.id_number == id_number), None)

    def person_by_record(self, record: str) -> Person | None:
        return next((p for p in self.persons.values() if p.record == record), None)

    def listed_paths(self) -> set[str]:
        """Every file the ledger says is on disk, relative to ``OUT`` (current and superseded)."""
        out: set[str] = set()
        for doc in self.documents.values():
            out.update(doc.paths())
        return out

    def new_person(self, id_number: str, folder_hint: str) -> Person:
        """A new person numbered after the others, with a folder of their own: ``folder_hint``
        (already a safe name), or ``folder_hint（2）``… when another person has it."""
        taken = {p.folder for p in self.persons.values()}
        folder, n = folder_hint, 1
        while folder in taken or folder in (SUPERSEDED, "print") or (
                self.root.joinpath(folder).exists() and not self.root.joinpath(folder).is_dir()):
            n += 1
            folder = f"{folder_hint}（{n}）"
        number = f"P{len(self.persons) + 1:04d}"
        while number in self.persons:
            number = f"P{int(number[1:]) + 1:04d}"
        return Person(number, id_number, folder)

    # ------------------------------------------------------------------ writing

    def commit(self, changes: list[Change], persons: list[Person] = ()) -> list[Issued]:
        """Issue ``changes`` (and record ``persons``) as one transaction (module docstring).

        New versions get ``previous version + 1``; the previous files go to
        ``<folder>/superseded/v<N>/`` under their issued names. A document made from documents
        this transaction supersedes (``meta["depends"]``: a print job's members, a
        declaration's attachments) is withdrawn with them — it would otherwise stay current
        with the old content; those are returned. Raises ``OSError`` if the disk refuses; what
        was written before stays consistent."""
        if not changes and not persons:
            return []
        with _signals_deferred():
            return self._commit(changes, persons)

    def issue(self, state: Issued, data: dict[str, bytes | Path], *,
              note: Callable[[Issued], tuple[str, str] | None] | None = None, reason: str = "") -> list[str]:
        """Issue one document: the same version when every file already issued is unchanged
        (``--force``, or a format added: only the added files are written), else the next version,
        with the 变更说明 ``note(previous)`` returns — ``(file name, text)`` — when there was a
        previous version. ``state.files`` must describe ``data``. Returns the names written."""
        old = self.documents.get(state.id)
        if self.same_bytes(state.id, state.files, ignore=(CHANGES_PREFIX,)):
            added = {n: d for n, d in data.items() if n not in old.files}
            state.files = {**old.files, **{n: state.files[n] for n in added}}
            self.commit([Change(state, added, keep=True)])
            return list(added)
        data = dict(data)
        made = note(old) if old is not None and note is not None else None
        if made is not None:
            name, text = made
            encoded = text.encode("utf-8")
            data[name] = encoded
            state.files[name] = [sha256(encoded), len(encoded)]
        self.commit([Change(state, data, reason=reason if old else "")])
        return list(data)

    def _refs(self, doc: Issued, persons: list[Person]) -> set[str]:
        """The names a dependent may know ``doc`` by: its id, and for a person's document
        ``<公民身份号码>/<document>`` (with the number before and after this transaction)."""
        refs = {doc.id}
        if doc.person:
            identity = doc.id.split("/", 1)[1]
            numbers = {p.id_number for p in persons if p.number == doc.person}
            if doc.person in self.persons:
                numbers.add(self.persons[doc.person].id_number)
            refs |= {f"{n}/{identity}" for n in numbers}
        return refs

    def _commit(self, changes: list[Change], persons: list[Person]) -> list[Issued]:
        # documents made from a document this transaction changes (meta["depends"]: what they
        # were made from → its key then) are out of date unless it is still the same content
        now: dict[str, str | None] = {}
        for c in changes:
            if not c.keep:
                for ref in self._refs(c.state, persons):
                    now[ref] = None if c.state.withdrawn else c.state.key
        touched = {c.state.id for c in changes}
        dependents = [d for d in self.documents.values() if not d.withdrawn and d.id not in touched
                      and any(ref in now and now[ref] != key for ref, key in dict(d.meta.get("depends") or {}).items())]
        changes = list(changes) + [
            Change(replace(d, withdrawn=True, files={}, issued_at=now_text()), reason="所依据的文书已更正")
            for d in dependents]
        self._txn += 1
        txn = self._txn
        moves: list[list[str]] = []
        writes: list[list[str]] = []
        claimed: set[str] = set()
        # first every issued file that leaves: the previous versions, the withdrawn documents
        for change in changes:
            state = change.state
            old = self.documents.get(state.id)
            if change.keep and old is not None:
                state.version, state.history = old.version, list(old.history)
                state.issued_at = old.issued_at
                continue
            state.history = list(old.history) if old else []
            if old is None:
                state.version = 1
            elif old.withdrawn:
                state.version = old.version + 1
            else:
                # a withdrawal keeps the number of the version it withdraws
                state.version = old.version if state.withdrawn else old.version + 1
                if old.files:
                    dest = self._superseded_folder(old.folder, old.version, old.files, claimed)
                    for name in old.files:
                        moves.append([_join(old.folder, name), _join(dest, name)])
                    state.history.append(Version(old.version, dest, old.files, old.issued_at, change.reason))
            if state.withdrawn:
                state.files = {}
        leaving = {m[0] for m in moves}
        # then every new file
        try:
            for change in changes:
                state = change.state
                old = self.documents.get(state.id)
                for name, data in change.data.items():
                    final = _join(state.folder, name)
                    inside(self.root, final)
                    target = self.root / final
                    if (target.exists() or target.is_symlink()) and final not in leaving and not (
                            change.keep and old is not None and name in old.files):
                        if target.is_dir() and not target.is_symlink():
                            raise LedgerError(f"{target} 是一个文件夹，与要出具的文件同名；请改名后重试")
                        # a file nobody issued is in the way (left by an older formkit, or by
                        # hand): kept under superseded/v0/, never overwritten
                        dest = self._superseded_folder(state.folder, 0, {name: None}, claimed)
                        moves.append([final, _join(dest, name)])
                        leaving.add(final)
                    staged = _join(state.folder, f".{name}.{txn}{TEMP_MARK}")
                    writes.append([staged, final])
                    self._stage(self.root / staged, data)
        except BaseException:  # nothing is committed: leave nothing behind
            for temp, _ in writes:
                (self.root / temp).unlink(missing_ok=True)
            raise
        states = [asdict(c.state) for c in changes]
        line = {"txn": txn, "at": now_text(), "documents": states,
                "persons": [asdict(p) for p in persons], "moves": moves, "writes": writes}
        self._append(line)
        self._apply_line(line)
        self._finish(line)
        return dependents

    def _superseded_folder(self, folder: str, version: int, files: dict[str, Any], claimed: set[str]) -> str:
        """``<folder>/superseded/v<N>``, or ``v<N>（2）``… when a file of that name is there."""
        base = _join(folder, f"{SUPERSEDED}/v{version}")
        dest, n = base, 1
        while any((self.root / _join(dest, name)).exists() or _join(dest, name) in claimed for name in files):
            n += 1
            dest = f"{base}（{n}）"
        claimed.update(_join(dest, name) for name in files)
        return dest

    def _stage(self, path: Path, data: bytes | Path) -> None:
        """Put a new file's bytes at its staging name (whole and flushed, ``write_atomic``), or
        move a file already written (a collated print job, the bundle) there."""
        from formkit.atomic import make_folders, write_atomic

        if isinstance(data, Path):
            make_folders(path.parent)
            os.replace(data, path)
        else:
            write_atomic(path, data)

    def _append(self, item: dict[str, Any]) -> None:
        from formkit.atomic import FILE_MODE

        data = canonical(item) + b"\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        self._lines += 1
        _crash_point()

    def _finish(self, line: dict[str, Any]) -> None:
        """Do the moves and renames of a committed transaction (idempotent), then mark it done."""
        from formkit.atomic import make_folders

        for src, dst in line["moves"]:  # (paths checked: a ledger edited by hand cannot move files out)
            source, target = inside(self.root, src), inside(self.root, dst)
            if source.exists() and not target.exists():
                make_folders(target.parent)
                os.replace(source, target)
                _crash_point()
        for staged, final in line["writes"]:
            source = inside(self.root, staged)
            if source.exists():
                os.replace(source, inside(self.root, final))
                _crash_point()
        self._append({"done": line["txn"]})
        self._pending = [p for p in self._pending if p["txn"] != line["txn"]]

    def _recover(self) -> None:
        """Finish transactions a killed run left without ``done``; remove stray temporaries;
        compact the ledger when it has grown to many times its state."""
        if self._cut_at is not None:
            with open(self.path, "r+b") as fh:
                fh.truncate(self._cut_at)
                os.fsync(fh.fileno())
            self._cut_at = None
        for line in list(self._pending):
            self._finish(line)
        for folder in self.root.glob(".formkit-bundle-*"):  # a declaration's work folder
            shutil.rmtree(folder, ignore_errors=True)
        for tmp in self.root.rglob(f"*{TEMP_MARK}"):
            try:
                tmp.unlink()
            except OSError:
                pass
        for tmp in self.root.rglob(".*.tmp"):  # an interrupted write_atomic
            try:
                tmp.unlink()
            except OSError:
                pass
        if self._lines > 200 and self._lines > 4 * (len(self.documents) + len(self.persons)):
            self._compact()

    def _compact(self) -> None:
        """Rewrite the ledger as one line of its current state (atomically)."""
        from formkit.atomic import write_atomic

        self._txn += 1
        line = {"txn": self._txn, "at": now_text(), "format": FORMAT,
                "persons": [asdict(p) for p in self.persons.values()],
                "documents": [asdict(d) for d in self.documents.values()], "moves": [], "writes": []}
        write_atomic(self.path, canonical(line) + b"\n")
        self._lines = 1


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until a transaction is written whole (POSIX, main thread; a
    hard kill is what recovery is for)."""
    import signal
    import threading

    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    mask = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, mask)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _crash_point() -> None:
    """For the crash tests only: ``FORMKIT_CRASH_AFTER=N`` ends the process abruptly (no
    clean-up, like a kill) at the N-th step of a ledger transaction."""
    spec = os.environ.get("FORMKIT_CRASH_AFTER")
    if not spec:
        return
    global _STEPS
    _STEPS += 1
    if _STEPS >= int(spec):
        os._exit(137)


_STEPS = 0
