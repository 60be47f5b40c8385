"""The declaration bundle (第十条): one PDF in filing order — 附件4 名册, 附件5 申报表, then for each
listed person, in roster order, their 附件2 申请登记表 and the 附件3 考核鉴定表 of the periods
declared now.

Each person's forms go through the per-person pipeline unchanged (``plan.plan_documents`` →
``render.render_document(case, facts, doc, ("pdf",))``); of each print PDF the bundle keeps ONE
copy: the one held by the service county's HR department (``ATTACHED_ROLE``), which files both
forms (第四、九条) and passes them up to the 州(市). The copy label on those pages says so.

Memory does not grow with the number of people: persons are rendered in worker processes
(``workers``; WeasyPrint is CPU-bound and grows over hundreds of renders, so workers are
recycled), each person's pages are written to a temporary file at once, and the bundle is
assembled by pikepdf from those files, which it reads lazily while saving (in groups of
``GROUP`` persons, so that few files are open at a time). The bundle has an outline (bookmarks)
per form and person. Output is reproducible (pikepdf ``deterministic_id``, no dates).

With a cache folder (``PersonJob.cache_dir``; ``formkit declare`` keeps one per 州(市) and year
in ``OUT/.formkit-cache/``), each attached document's one-copy PDF is kept under a key hashing
everything it depends on — its template context, date and copy labels, the photo, every file
of the per-person forms and ``forms/_shared``, the font files, the versions of formkit,
WeasyPrint and pikepdf (``document_key``) — so a declaration run again after a few records
changed renders only those; entries the latest bundle did not use are removed.

Raises ``BundleError`` (listing every person whose forms could not be rendered).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from formkit.errors import FormkitError
from formkit.facts import Facts
from formkit.model import Case

__all__ = ["ATTACHED_ROLE", "BundleError", "BundleStats", "PersonJob", "render_person", "write_bundle"]

ATTACHED_ROLE = "service_county_hr"
"""The copy of 附件2 and 附件3 that goes into the bundle."""
GROUP = 100
"""Persons merged per intermediate file (bounds the number of files open at once)."""
TASKS_PER_WORKER = 60
"""A worker process is replaced after this many persons (WeasyPrint's memory grows)."""


class BundleError(FormkitError):
    """Some person's forms could not be rendered: the bundle would be incomplete."""

    exit_code = 1


@dataclass(frozen=True)
class PersonJob:
    """One listed person: roster ``number``, ``name``, the case and facts, the declared
    periods (``(start, end)`` of the subsidy items: their 附件3 go in), where to write, and the
    record's folder (a photo path in the record is relative to it)."""

    number: int
    name: str
    case: Case
    facts: Facts
    periods: tuple[tuple[date, date], ...]
    path: str
    assets_dir: str | None = None
    cache_dir: str | None = None


@dataclass(frozen=True)
class PersonPages:
    """What a worker wrote for one person: the file and its parts as (outline title, pages);
    ``error`` instead when rendering failed."""

    number: int
    name: str
    path: str
    parts: tuple[tuple[str, int], ...] = ()
    error: str = ""
    keys: tuple[str, ...] = ()
    hits: int = 0


@dataclass(frozen=True)
class BundleStats:
    """The bundle written: pages, persons, bytes, attached documents rendered and reused."""

    pages: int
    persons: int
    size: int
    rendered: int = 0
    reused: int = 0


@lru_cache(maxsize=1)
def _fingerprint() -> bytes:
    """What, besides a document's context, decides its PDF: the versions of formkit, WeasyPrint
    and pikepdf, every file of the per-person forms and ``forms/_shared``, the font files."""
    from importlib.metadata import PackageNotFoundError, version

    from formkit.forms import forms_root
    from formkit.render.fonts import ROLES, role_fonts

    digest = hashlib.sha256(b"formkit-bundle-1")
    for package in ("formkit", "weasyprint", "pikepdf", "pydyf"):
        try:
            digest.update(f"{package}={version(package)};".encode())
        except PackageNotFoundError:
            digest.update(f"{package}=?;".encode())
    root = forms_root()
    for folder in ("_shared", "application", "appraisal"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    for role in ROLES:
        for font in role_fonts(role):
            stat = os.stat(font.path)
            digest.update(f"{font.path}|{font.index}|{stat.st_size}|{stat.st_mtime_ns};".encode())
    return digest.digest()


def document_key(doc, context: dict, when: date, photo: Path | None) -> str:
    """The cache key of one attached document: everything its one-copy PDF depends on."""
    digest = hashlib.sha256(_fingerprint())
    digest.update(json.dumps(context, sort_keys=True, ensure_ascii=False, default=str).encode())
    digest.update(f"|{doc.form.id}|{when.isoformat()}|{ATTACHED_ROLE}|".encode())
    digest.update("|".join(c.label for c in doc.copies).encode())
    if photo is not None and photo.is_file():
        digest.update(photo.read_bytes())
    return digest.hexdigest()


def _one_copy(doc, data: bytes, pikepdf) -> bytes:
    """The pages of the ``ATTACHED_ROLE`` copy of a print PDF, as a PDF of their own."""
    roles = [c.role for c in doc.copies]
    index = roles.index(ATTACHED_ROLE) if ATTACHED_ROLE in roles else 0
    out = pikepdf.new()
    with pikepdf.open(io.BytesIO(data)) as src:
        n = len(src.pages)
        per_copy = n // len(roles) if roles else n
        if roles and per_copy * len(roles) != n:
            raise ValueError(f"打印 PDF 共 {n} 页，不能均分为 {len(roles)} 份")
        out.pages.extend(src.pages[per_copy * index:per_copy * (index + 1)])
        buf = io.BytesIO()
        out.save(buf, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buf.getvalue()


def render_person(job: PersonJob) -> PersonPages:
    """Render one person's 附件2 and declared 附件3 (one copy each) into ``job.path``.

    With ``job.cache_dir``, a document whose key (``document_key``) is cached is not rendered
    again. Runs in a worker process; never raises (an error comes back as ``PersonPages.error``)."""
    try:
        import pikepdf

        from formkit.context import document_context
        from formkit.forms import load_form
        from formkit.plan import plan_documents
        from formkit.render import document_date, render_document
        from formkit.write import write_atomic

        parts: list[tuple[str, int]] = []
        keys: list[str] = []
        hits = 0
        dest = pikepdf.new()
        sources = []
        assets = Path(job.assets_dir) if job.assets_dir else None
        photo = job.case.applicant.photo
        photo_path = None if not photo else (Path(photo) if Path(photo).is_absolute() else (assets or Path.cwd()) / photo)
        for form_id in ("application", "appraisal"):
            form = load_form(form_id)
            for doc in plan_documents(form, job.case, job.facts):
                if doc.appraisal_index is not None:
                    rec = job.case.term_appraisals[doc.appraisal_index]
                    if (rec.start, rec.end) not in job.periods:
                        continue
                context = document_context(job.case, job.facts, doc)
                cached = None
                if job.cache_dir:
                    key = document_key(doc, context, document_date(job.case, doc), photo_path)
                    keys.append(key)
                    cached = Path(job.cache_dir) / f"{key}.pdf"
                if cached is not None and cached.is_file():
                    src = pikepdf.open(cached)
                    hits += 1
                else:
                    data = render_document(job.case, job.facts, doc, ("pdf",), assets_dir=assets,
                                           context=context).files[doc.print_file()]
                    one = _one_copy(doc, data, pikepdf)
                    if cached is not None:
                        write_atomic(cached, one)
                    src = pikepdf.open(io.BytesIO(one))
                sources.append(src)
                dest.pages.extend(src.pages)
                what = f"{form.attachment} {form.short_title}"
                if doc.appraisal_index is not None:
                    rec = job.case.term_appraisals[doc.appraisal_index]
                    what += f"（{rec.start.year}.{rec.start.month:02d}—{rec.end.year}.{rec.end.month:02d}）"
                parts.append((what, len(src.pages)))
        dest.save(job.path, deterministic_id=True, compress_streams=True,
                  object_stream_mode=pikepdf.ObjectStreamMode.generate)
        dest.close()
        for src in sources:
            src.close()
        return PersonPages(job.number, job.name, job.path, tuple(parts), keys=tuple(keys), hits=hits)
    except Exception as exc:  # reported per person by the caller
        return PersonPages(job.number, job.name, job.path, error=f"{type(exc).__name__}: {exc}")


def _results(jobs: Sequence[PersonJob], workers: int):
    """``render_person`` over ``jobs``, in order; in ``workers`` processes when > 1.

    ``multiprocessing.Pool`` with ``maxtasksperchild``: ``ProcessPoolExecutor``'s
    ``max_tasks_per_child`` deadlocks once a worker retires on Python 3.11–3.13 (CPython
    gh-115634)."""
    if workers <= 1 or len(jobs) <= 1:
        yield from map(render_person, jobs)
        return
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # fresh interpreters: nothing inherited
    with context.Pool(processes=min(workers, len(jobs)), maxtasksperchild=TASKS_PER_WORKER) as pool:
        yield from pool.imap(render_person, jobs, chunksize=1)


def write_bundle(target: str | Path, head: Sequence[tuple[str, bytes]], jobs: Sequence[PersonJob], *,
                 workers: int | None = None, title: str = "",
                 progress: Callable[[int, int], None] | None = None) -> BundleStats:
    """Write the bundle to ``target`` atomically: the ``head`` PDFs ((outline title, bytes):
    名册, 申报表), then every job's pages, with an outline.

    ``jobs`` carry the paths of their temporary files; pass paths inside a temporary folder
    (see ``temp_folder``). ``workers`` defaults to the number of CPUs. Raises ``BundleError``
    when some person could not be rendered (nothing is written then).
    """
    import pikepdf

    from formkit.write import FILE_MODE

    target = Path(target)
    workers = workers or os.cpu_count() or 1
    done: list[PersonPages] = []
    errors: list[str] = []
    groups: list[tuple[str, list[PersonPages]]] = []
    group: list[PersonPages] = []
    folder = Path(jobs[0].path).parent if jobs else target.parent

    def flush() -> None:
        if not group:
            return
        path = folder / f"group-{len(groups):04d}.pdf"
        out = pikepdf.new()
        opened = [pikepdf.open(p.path) for p in group]
        for src in opened:
            out.pages.extend(src.pages)
        out.save(path, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        out.close()
        for src, person in zip(opened, group):
            src.close()
            os.unlink(person.path)
        groups.append((str(path), list(group)))
        group.clear()

    used: set[str] = set()
    if progress:
        progress(0, len(jobs))
    for i, result in enumerate(_results(jobs, workers), start=1):
        used.update(result.keys)
        if result.error:
            errors.append(f"{result.number}. {result.name}：{result.error}")
        else:
            done.append(result)
            group.append(result)
            if len(group) >= GROUP:
                flush()
        if progress:
            progress(i, len(jobs))
    flush()
    if errors:
        raise BundleError("以下人员的申请登记表或考核鉴定表无法生成，未写出申报材料合订本：\n" + "\n".join(errors))

    bundle = pikepdf.new()
    opened = []
    outline: list[tuple[str, int, list[tuple[str, int]]]] = []
    for what, data in head:
        src = pikepdf.open(io.BytesIO(data))
        opened.append(src)
        outline.append((what, len(bundle.pages), []))
        bundle.pages.extend(src.pages)
    for path, persons in groups:
        src = pikepdf.open(path)
        opened.append(src)
        page = len(bundle.pages)
        for person in persons:
            children, at = [], page
            for what, n in person.parts:
                children.append((what, at))
                at += n
            outline.append((f"{person.number}. {person.name}", page, children))
            page = at
        bundle.pages.extend(src.pages)
    with bundle.open_outline() as tree:
        for what, page, children in outline:
            item = pikepdf.OutlineItem(what, page)
            item.children.extend(pikepdf.OutlineItem(t, p) for t, p in children)
            tree.root.append(item)
    if title:
        bundle.docinfo["/Title"] = title
    bundle.docinfo["/Producer"] = "formkit"
    pages = len(bundle.pages)
    tmp = target.with_name(f".{target.name}.tmp")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        bundle.save(tmp, deterministic_id=True, compress_streams=True,
                    object_stream_mode=pikepdf.ObjectStreamMode.generate)
        bundle.close()
        for src in opened:
            src.close()
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    caches = {Path(j.cache_dir) for j in jobs if j.cache_dir}
    for cache in caches:  # keep what this bundle used, nothing older
        for old in cache.glob("*.pdf"):
            if old.stem not in used:
                old.unlink(missing_ok=True)
    documents = sum(len(p.parts) for p in done)
    reused = sum(p.hits for p in done)
    return BundleStats(pages, len(done), target.stat().st_size, documents - reused, reused)


class temp_folder:
    """A private temporary folder next to ``near`` (same file system), removed on exit."""

    def __init__(self, near: str | Path):
        Path(near).mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=".formkit-bundle-", dir=near))

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
