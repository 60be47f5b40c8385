"""The declaration bundle (第十条): one PDF in filing order — 附件4 名册, 附件5 申报表, then for each
listed person, in roster order, their 附件2 申请登记表 and the 附件3 考核鉴定表 of the periods
declared now.

Of each attached document the bundle keeps ONE copy: the one held by the service county's HR
department (``ATTACHED_ROLE``), which files both forms (第四、九条) and passes them up to the
州(市). The copy label on those pages says so. An attached document that is issued and current
in the ledger (same key, ``jobs.persons.document_key``) is taken from its issued print PDF;
otherwise it goes through the per-person pipeline (``render.render_document``) in memory.

Memory does not grow with the number of people: persons are rendered in worker processes
(``workers``, started once: ``jobs.pool``), each person's pages are written to a temporary
file; when all are there, the fonts they use are embedded once for the whole bundle
(``output.pdfjoin.shared_font_programs``) and the files are streamed into it one at a time
(``output.pdfjoin.PdfStreamWriter``) and deleted. The bundle has an outline (bookmarks) per form and person. Output is reproducible (no
dates; the /ID is a hash of the content).

Raises ``BundleError`` (listing every person whose forms could not be rendered).
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from formkit.errors import BundleError

__all__ = ["ATTACHED_ROLE", "Attachment", "BundleStats", "PersonJob", "render_person",
           "write_bundle"]

ATTACHED_ROLE = "service_county_hr"
"""The copy of 附件2 and 附件3 that goes into the bundle."""


@dataclass(frozen=True)
class Attachment:
    """One attached document: the planned document and its context, its outline title, and
    the issued print PDF to take its pages from (``None``: render it)."""

    doc: object
    context: dict
    title: str
    issued: str | None = None


@dataclass(frozen=True)
class PersonJob:
    """One listed person: roster ``number``, ``name``, the case and facts, the attached
    documents, where to write, and the record's folder (a photo path is relative to it)."""

    number: int
    name: str
    case: object
    facts: object
    attachments: tuple[Attachment, ...]
    path: str
    assets_dir: str | None = None


@dataclass(frozen=True)
class PersonPages:
    """What a worker wrote for one person: the file and its parts as (outline title, pages);
    ``error`` instead when rendering failed."""

    number: int
    name: str
    path: str
    parts: tuple[tuple[str, int], ...] = ()
    error: str = ""
    reused: int = 0


@dataclass(frozen=True)
class BundleStats:
    """The bundle written: pages, persons, bytes, attached documents rendered and reused."""

    pages: int
    persons: int
    size: int
    rendered: int = 0
    reused: int = 0


def _one_copy(doc, pdf, dest) -> int:
    """Append the pages of the ``ATTACHED_ROLE`` copy of the print PDF ``pdf`` to ``dest``."""
    roles = [c.role for c in doc.copies]
    index = roles.index(ATTACHED_ROLE) if ATTACHED_ROLE in roles else 0
    n = len(pdf.pages)
    per_copy = n // len(roles) if roles else n
    if roles and per_copy * len(roles) != n:
        raise ValueError(f"打印 PDF 共 {n} 页，不能均分为 {len(roles)} 份")
    dest.pages.extend(pdf.pages[per_copy * index:per_copy * (index + 1)])
    return per_copy


def render_person(job: PersonJob) -> PersonPages:
    """Write one person's attached documents (one copy each) into ``job.path``. Runs in a
    worker process; never raises (an error comes back as ``PersonPages.error``)."""
    try:
        import pikepdf

        from formkit.render import render_document

        parts: list[tuple[str, int]] = []
        reused = 0
        dest = pikepdf.new()
        sources = []
        assets = Path(job.assets_dir) if job.assets_dir else None
        for att in job.attachments:
            if att.issued is not None:
                src = pikepdf.open(att.issued)
                reused += 1
            else:
                data = render_document(job.case, job.facts, att.doc, ("pdf",), assets_dir=assets,
                                       context=att.context).files[att.doc.print_file()]
                src = pikepdf.open(io.BytesIO(data))
            sources.append(src)
            parts.append((att.title, _one_copy(att.doc, src, dest)))
        dest.save(job.path, deterministic_id=True, compress_streams=True,
                  object_stream_mode=pikepdf.ObjectStreamMode.generate)
        dest.close()
        for src in sources:
            src.close()
        return PersonPages(job.number, job.name, job.path, tuple(parts), reused=reused)
    except Exception as exc:  # reported per person by the caller
        return PersonPages(job.number, job.name, job.path, error=f"{type(exc).__name__}: {exc}")


def _results(jobs: Sequence[PersonJob], workers: int):
    """``render_person`` over ``jobs``, in order, in ``workers`` processes when > 1."""
    from formkit.jobs.pool import ordered_map

    yield from ordered_map(render_person, jobs, workers=workers)


def write_bundle(target: str | Path, head: Sequence[tuple[str, bytes]], jobs: Sequence[PersonJob], *,
                 workers: int | None = None, title: str = "",
                 progress: Callable[[int, int], None] | None = None) -> BundleStats:
    """Write the bundle to ``target``: the ``head`` PDFs ((outline title, bytes): 名册, 申报表),
    then every job's pages, with an outline. The caller issues ``target`` (a temporary file)
    through the ledger. ``workers`` defaults to the number of CPUs. Raises ``BundleError`` when
    some person could not be rendered."""
    import pikepdf

    from formkit.output.pdfjoin import PdfStreamWriter, shared_font_programs

    target = Path(target)
    workers = workers or os.cpu_count() or 1
    errors: list[str] = []
    outline: list[tuple[str, int, list[tuple[str, int]]]] = []
    persons = documents = reused = 0
    done: list[PersonPages] = []
    if workers > 1 and any(att.issued is None for job in jobs for att in job.attachments):
        from formkit.render.fonts import prepared_fonts

        prepared_fonts()  # made here once (the first time on a machine), not by every worker at once
    try:
        if progress:
            progress(0, len(jobs))
        for i, result in enumerate(_results(jobs, workers), start=1):
            if result.error:
                errors.append(f"{result.number}. {result.name}：{result.error}")
                Path(result.path).unlink(missing_ok=True)
            else:
                done.append(result)
            if progress:
                progress(i, len(jobs))
        if errors:
            raise BundleError("以下人员的申请登记表或考核鉴定表无法生成，未写出申报材料合订本：\n" + "\n".join(errors))
        # every person's pages are on disk now: their fonts are embedded once for the bundle
        fonts = shared_font_programs([io.BytesIO(data) for _, data in head] + [r.path for r in done])
        with open(target, "wb") as fh:
            writer = PdfStreamWriter(fh, fonts)
            for what, data in head:
                with pikepdf.open(io.BytesIO(data)) as src, pikepdf.new() as flat:
                    flat.pages.extend(src.pages)  # inheritable attributes pushed onto each page
                    first, _ = writer.add(flat)
                outline.append((what, first, []))
            for result in done:
                first, _ = writer.add(result.path)
                children, at = [], first
                for what, n in result.parts:
                    children.append((what, at))
                    at += n
                outline.append((f"{result.number}. {result.name}", first, children))
                persons += 1
                documents += len(result.parts)
                reused += result.reused
                Path(result.path).unlink(missing_ok=True)
            writer.close(outline, title)
            pages = len(writer.pages)
            fh.flush()
            os.fsync(fh.fileno())
    finally:
        for result in done:
            Path(result.path).unlink(missing_ok=True)
    return BundleStats(pages, persons, target.stat().st_size, documents - reused, reused)


class temp_folder:
    """A private temporary folder next to ``near`` (same file system), removed on exit."""

    def __init__(self, near: str | Path):
        Path(near).mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=".formkit-bundle-", dir=near))

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
