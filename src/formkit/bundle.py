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

Raises ``BundleError`` (listing every person whose forms could not be rendered).
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
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
    periods (``(start, end)`` of the subsidy items: their 附件3 go in), where to write."""

    number: int
    name: str
    case: Case
    facts: Facts
    periods: tuple[tuple[date, date], ...]
    path: str


@dataclass(frozen=True)
class PersonPages:
    """What a worker wrote for one person: the file and its parts as (outline title, pages);
    ``error`` instead when rendering failed."""

    number: int
    name: str
    path: str
    parts: tuple[tuple[str, int], ...] = ()
    error: str = ""


@dataclass(frozen=True)
class BundleStats:
    """The bundle written: pages, persons, bytes."""

    pages: int
    persons: int
    size: int


def _copy_pages(pdf_bytes: bytes, copies: int, index: int, dest, pikepdf):
    """Append the pages of copy ``index`` (0-based, of ``copies``) of a print PDF to ``dest``;
    returns (pages appended, the opened source, which must stay open until ``dest`` is saved)."""
    src = pikepdf.open(io.BytesIO(pdf_bytes))
    n = len(src.pages)
    per_copy = n // copies if copies else n
    if copies and per_copy * copies != n:
        raise ValueError(f"打印 PDF 共 {n} 页，不能均分为 {copies} 份")
    start = per_copy * index
    dest.pages.extend(src.pages[start:start + per_copy])
    return per_copy, src


def render_person(job: PersonJob) -> PersonPages:
    """Render one person's 附件2 and declared 附件3 (one copy each) into ``job.path``.

    Runs in a worker process; never raises (an error comes back as ``PersonPages.error``)."""
    try:
        import pikepdf

        from formkit.forms import load_form
        from formkit.plan import plan_documents
        from formkit.render import render_document

        parts: list[tuple[str, int]] = []
        dest = pikepdf.new()
        sources = []
        for form_id in ("application", "appraisal"):
            form = load_form(form_id)
            for doc in plan_documents(form, job.case, job.facts):
                if doc.appraisal_index is not None:
                    rec = job.case.term_appraisals[doc.appraisal_index]
                    if (rec.start, rec.end) not in job.periods:
                        continue
                data = render_document(job.case, job.facts, doc, ("pdf",)).files[doc.print_file()]
                roles = [c.role for c in doc.copies]
                index = roles.index(ATTACHED_ROLE) if ATTACHED_ROLE in roles else 0
                pages, src = _copy_pages(data, len(roles), index, dest, pikepdf)
                sources.append(src)
                what = f"{form.attachment} {form.short_title}"
                if doc.appraisal_index is not None:
                    rec = job.case.term_appraisals[doc.appraisal_index]
                    what += f"（{rec.start.year}.{rec.start.month:02d}—{rec.end.year}.{rec.end.month:02d}）"
                parts.append((what, pages))
        dest.save(job.path, deterministic_id=True, compress_streams=True,
                  object_stream_mode=pikepdf.ObjectStreamMode.generate)
        dest.close()
        for src in sources:
            src.close()
        return PersonPages(job.number, job.name, job.path, tuple(parts))
    except Exception as exc:  # reported per person by the caller
        return PersonPages(job.number, job.name, job.path, error=f"{type(exc).__name__}: {exc}")


def _results(jobs: Sequence[PersonJob], workers: int):
    """``render_person`` over ``jobs``, in order; in ``workers`` processes when > 1."""
    if workers <= 1 or len(jobs) <= 1:
        yield from map(render_person, jobs)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")  # fresh interpreters: nothing inherited
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             max_tasks_per_child=TASKS_PER_WORKER) as pool:
        yield from pool.map(render_person, jobs, chunksize=1)


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

    for i, result in enumerate(_results(jobs, workers), start=1):
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
    return BundleStats(pages, len(done), target.stat().st_size)


class temp_folder:
    """A private temporary folder next to ``near`` (same file system), removed on exit."""

    def __init__(self, near: str | Path):
        Path(near).mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=".formkit-bundle-", dir=near))

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
