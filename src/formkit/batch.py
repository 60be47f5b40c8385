"""Runs the pipeline over many records: render only what changed, in parallel, isolating failures.

Per record (``prepare_record``, safe to run in a worker process, writes nothing): load →
derive → plan → context → compare with the folder's manifest → render what changed. The
parent process then writes (``commit_record``): files atomically, superseded versions moved
aside, the manifest saved after each document. Only the parent writes, so every folder stays
consistent whatever is interrupted.

A record whose file bytes, templates and formkit version are unchanged since its documents
were issued is skipped without being parsed (the fast path that makes re-runs cheap).

``collate_print_job`` builds one print-ready PDF for a batch: every copy of every document in
order, each copy starting on an odd page (a page saying "（此页无正文）" is inserted after a
copy with an odd number of pages) so duplex printing never puts two copies on one sheet.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from formkit.errors import FormkitError, InvalidValue, Problem
from formkit.manifest import FolderManifest, context_hash, flatten, sha256, template_hash
from formkit.write import write_atomic

BLANK_PAGE_TEXT = "（此页无正文）"


@dataclass(frozen=True)
class Selection:
    """What to make: forms (ids), formats, and optionally only documents dated in ``year``
    (附件3: the year its appraisal period ends — the appraisal falls due then, 第九条;
    附件2 and 服务协议: the agreement's signing year)."""

    forms: tuple[str, ...]
    formats: tuple[str, ...] = ("docx", "pdf")
    year: int | None = None

    def key(self) -> list[str]:
        """The manifest keys marking this selection as done for an unchanged record."""
        suffix = f"@{self.year}" if self.year else ""
        return [f"{form}{suffix}:{','.join(sorted(self.formats))}" for form in self.forms]


@dataclass
class PreparedDocument:
    stem: str
    form: str
    ctx_hash: str
    tpl_hash: str
    copies: int
    print_file: str | None
    files: dict[str, bytes] | None  # None: unchanged, nothing to write


@dataclass
class RecordOutcome:
    """What one record gave: its problems, and per document whether it is new, corrected
    (a new version) or unchanged."""

    path: Path
    folder: Path
    record_hash: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    documents: list[PreparedDocument] = field(default_factory=list)
    failed: bool = False
    fast: bool = False


def _doc_year(case, doc) -> int:
    if doc.appraisal_index is not None:
        return case.term_appraisals[doc.appraisal_index].end.year
    return case.agreement.signed_on.year


def prepare_record(path: Path, out_root: Path, selection: Selection, as_of: date, *,
                   force: bool = False) -> RecordOutcome:
    """Decide and render (in memory) the documents of one record. Never raises for bad input:
    problems are returned with ``failed=True``."""
    from formkit.context import document_context
    from formkit.facts import derive
    from formkit.forms import load_form
    from formkit.load import load_case
    from formkit.plan import plan_documents
    from formkit.render import render_document

    folder = out_root / path.stem
    outcome = RecordOutcome(path, folder)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        outcome.problems.append(Problem(f"无法读取文件：{exc.strerror}", file=str(path)))
        outcome.failed = True
        return outcome
    outcome.record_hash = sha256(raw)
    manifest = FolderManifest.load(folder)
    forms = [load_form(f) for f in selection.forms]
    if not force and _unchanged(manifest, outcome.record_hash, forms, selection):
        outcome.fast = True
        return outcome

    loaded = load_case(path)
    if loaded.record is None:
        outcome.problems.extend(loaded.errors)
        outcome.failed = True
        return outcome
    case = loaded.record
    outcome.fields = flatten(case.model_dump(mode="json"))
    try:
        facts = derive(case, as_of)
        for form in forms:
            tpl = template_hash(form)
            for doc in plan_documents(form, case, facts):
                if selection.year is not None and _doc_year(case, doc) != selection.year:
                    continue
                context = document_context(case, facts, doc)
                ctx = context_hash(context)
                print_file = doc.print_file() if "pdf" in selection.formats else None
                if not force and manifest.is_current(doc.stem, ctx, tpl, selection.formats):
                    outcome.documents.append(PreparedDocument(doc.stem, form.id, ctx, tpl, len(doc.copies),
                                                              print_file, None))
                    continue
                rendered = render_document(case, facts, doc, selection.formats, assets_dir=path.parent,
                                           context=context)
                outcome.documents.append(PreparedDocument(doc.stem, form.id, ctx, tpl, len(doc.copies),
                                                          print_file, rendered.files))
    except (FormkitError, InvalidValue) as exc:
        outcome.problems.append(Problem(str(exc), file=str(path)))
        outcome.failed = True
        outcome.documents.clear()
    return outcome


def _unchanged(manifest: FolderManifest, record_hash: str, forms, selection: Selection) -> bool:
    """The fast path: same record bytes, selection done before, same templates, files intact."""
    if manifest.record_hash != record_hash or not set(selection.key()) <= set(manifest.selections_done):
        return False
    from formkit.manifest import formkit_version

    wanted = {f.id: template_hash(f) for f in forms}
    for entry in manifest.documents.values():
        if entry.form not in wanted:
            continue
        if (entry.template_hash != wanted[entry.form] or entry.formkit_version != formkit_version()
                or not set(selection.formats) <= set(entry.formats) or not manifest.files_intact(entry)):
            return False
    return True


@dataclass
class CommitResult:
    new: int = 0
    corrected: int = 0
    unchanged: int = 0
    files: int = 0
    print_files: list[Path] = field(default_factory=list)
    copies: list[int] = field(default_factory=list)


def commit_record(outcome: RecordOutcome, selection: Selection) -> CommitResult:
    """Write what ``prepare_record`` rendered (parent process only) and update the manifest."""
    result = CommitResult()
    manifest = FolderManifest.load(outcome.folder)
    if outcome.fast:
        for entry in sorted(manifest.documents.values(), key=lambda e: e.stem):
            if entry.form in selection.forms and entry.print_file and "pdf" in selection.formats:
                result.print_files.append(outcome.folder / entry.print_file)
                result.copies.append(entry.copies)
        result.unchanged = len(result.copies)
        return result
    if outcome.record_hash != manifest.record_hash:
        manifest.selections_done = []
    manifest.record = str(outcome.path)
    manifest.record_hash = outcome.record_hash
    manifest.fields = outcome.fields
    for doc in outcome.documents:
        old = manifest.documents.get(doc.stem)
        if doc.files is not None and old is not None and _same_files(old.files, doc.files):
            old.context_hash, old.template_hash = doc.ctx_hash, doc.tpl_hash  # same bytes: not a new version
            doc.files = None
        if doc.files is None:
            result.unchanged += 1
        else:
            corrected = doc.stem in manifest.documents
            manifest.issue(stem=doc.stem, form=doc.form, ctx_hash=doc.ctx_hash, tpl_hash=doc.tpl_hash,
                           formats=selection.formats, files=doc.files, copies=doc.copies,
                           print_file=doc.print_file)
            result.files += len(doc.files)
            result.corrected += corrected
            result.new += not corrected
        if doc.print_file:
            result.print_files.append(outcome.folder / doc.print_file)
            result.copies.append(doc.copies)
    manifest.selections_done = sorted(set(manifest.selections_done) | set(selection.key()))
    manifest.save()
    return result


def _same_files(issued: dict[str, list], files: dict[str, bytes]) -> bool:
    return set(issued) == set(files) and all(issued[n][0] == sha256(d) for n, d in files.items())


def _worker_init() -> None:
    """Workers leave Ctrl-C to the parent (which stops them cleanly), and die with it if it is
    killed outright (Linux ``PR_SET_PDEATHSIG``), so no orphan keeps rendering."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):  # not Linux: workers end when their queue closes
        pass


def run(paths: Iterable[Path], out_root: Path, selection: Selection, as_of: date, *, jobs: int = 1,
        force: bool = False, recycle: int = 20,
        on_done: Callable[[RecordOutcome, CommitResult | None], None] | None = None) -> list[RecordOutcome]:
    """Prepare every record (in ``jobs`` worker processes, recycled every ``recycle`` records so
    memory stays flat) and commit each as it arrives, in input order. Returns the outcomes
    (without rendered bytes). ``on_done`` is called after each record (progress)."""
    paths = list(paths)
    outcomes: list[RecordOutcome] = []

    def finish(outcome: RecordOutcome) -> None:
        result = None if outcome.failed else commit_record(outcome, selection)
        for doc in outcome.documents:
            doc.files = None  # free the bytes as soon as they are on disk
        outcome.result = result  # type: ignore[attr-defined]
        outcomes.append(outcome)
        if on_done:
            on_done(outcome, result)

    # Records unchanged since their documents were issued are settled here, cheaply; only the
    # rest go to the workers (spawning them costs about a second, so few records stay here).
    todo = []
    for path in paths:
        quick = None if force else _quick_outcome(path, out_root, selection)
        if quick is not None:
            finish(quick)
        else:
            todo.append(path)
    if jobs <= 1 or len(todo) <= 2:
        for path in todo:
            finish(prepare_record(path, out_root, selection, as_of, force=force))
        return _in_order(outcomes, paths)

    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Workers are recycled by running the records in chunks, each in a fresh pool: memory stays
    # flat (docxtpl and WeasyPrint grow in long-lived processes). Neither ProcessPoolExecutor's
    # max_tasks_per_child (deadlocks on Python 3.11, CPython gh-115634) nor multiprocessing.Pool's
    # maxtasksperchild (its terminate() hung here once a worker had retired) is used.
    ctx = multiprocessing.get_context("spawn")
    chunk = max(jobs, jobs * recycle)
    for i in range(0, len(todo), chunk):
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init) as pool:
            futures = [pool.submit(prepare_record, path, out_root, selection, as_of, force=force)
                       for path in todo[i:i + chunk]]
            try:
                for fut in futures:  # in input order
                    finish(fut.result())
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    return _in_order(outcomes, paths)


def _in_order(outcomes: list[RecordOutcome], paths: list[Path]) -> list[RecordOutcome]:
    rank = {p: i for i, p in enumerate(paths)}
    return sorted(outcomes, key=lambda o: rank.get(o.path, len(rank)))


def _quick_outcome(path: Path, out_root: Path, selection: Selection) -> RecordOutcome | None:
    """The fast-path outcome of an unchanged record, or ``None`` if it must be prepared."""
    from formkit.forms import load_form

    try:
        record_hash = sha256(path.read_bytes())
        manifest = FolderManifest.load(out_root / path.stem)
    except (OSError, FormkitError):
        return None
    if not _unchanged(manifest, record_hash, [load_form(f) for f in selection.forms], selection):
        return None
    return RecordOutcome(path, out_root / path.stem, record_hash=record_hash, fast=True)


_BLANK: bytes | None = None


def blank_page() -> bytes:
    """A one-page A4 PDF saying "（此页无正文）" (rendered once per process)."""
    global _BLANK
    if _BLANK is None:
        from formkit.render.pdf import render_plain_html

        _BLANK = render_plain_html(
            '<html lang="zh-CN"><head><style>@page{size:A4;margin:0}'
            'body{margin:0;height:297mm;display:flex;align-items:center;justify-content:center;'
            'font-family:FandolFang,"Noto Serif CJK SC";font-size:16pt}</style></head>'
            f'<body><p>{BLANK_PAGE_TEXT}</p></body></html>')
    return _BLANK


def collate_print_job(sources: list[tuple[Path, int]], target: Path) -> tuple[int, int]:
    """Write one print PDF from ``(print_pdf, copies)`` pairs, padding each copy to an even
    number of pages with the blank page. Returns ``(pages, blank pages inserted)``.

    Streams through ``bundle.PdfStreamWriter``: one source at a time is open, so memory does not
    grow with the number of documents. Raises ``FormkitError`` if a source's page count is not a
    multiple of its copies.
    """
    import io

    import pikepdf

    from formkit.bundle import PdfStreamWriter

    inserted = 0
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh, pikepdf.open(io.BytesIO(blank_page())) as blank:
            writer = PdfStreamWriter(fh)
            for path, copies in sources:
                with pikepdf.open(path) as src, pikepdf.new() as flat:
                    n = len(src.pages)
                    if copies < 1 or n % copies:
                        raise FormkitError(f"{path}: {n} 页不能平均分成 {copies} 份")
                    per_copy = n // copies
                    for c in range(copies):  # inheritable attributes are pushed onto each page
                        flat.pages.extend(src.pages[c * per_copy:(c + 1) * per_copy])
                        if per_copy % 2:
                            flat.pages.append(blank.pages[0])
                            inserted += 1
                    writer.add(flat)
            writer.close(title=target.stem)
            pages = len(writer.pages)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o640)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return pages, inserted


def write_print_job(job_file: Path, sources: list[tuple[Path, int]]) -> tuple[int, int]:
    """Collate ``sources`` into ``job_file`` (atomically; see ``collate_print_job``) unless the
    job file was already made from exactly these files (recorded in the print folder's
    manifest). Returns ``(pages, blank pages inserted)``."""
    import json

    if not sources:
        return 0, 0
    key = sha256(json.dumps([(str(p), c, p.stat().st_size, p.stat().st_mtime_ns) for p, c in sources]).encode())
    manifest = FolderManifest.load(job_file.parent)
    entry = manifest.documents.get(job_file.stem)
    if entry is not None and entry.context_hash == key and manifest.files_intact(entry):
        return entry.pages or 0, entry.blank_pages
    pages, blanks = collate_print_job(sources, job_file)
    data = job_file.read_bytes()
    from formkit.manifest import Entry, formkit_version

    old = manifest.documents.get(job_file.stem)
    manifest.documents[job_file.stem] = Entry(
        stem=job_file.stem, form="print-job", version=(old.version + 1) if old else 1, context_hash=key,
        template_hash="", formkit_version=formkit_version(), formats=["pdf"],
        files={job_file.name: [sha256(data), len(data)]}, issued_at=_now(), pages=pages, blank_pages=blanks)
    manifest.save()
    return pages, blanks


def _now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat(timespec="seconds")
