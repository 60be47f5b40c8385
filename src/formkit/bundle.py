"""The declaration bundle (第十条): one PDF in filing order — 附件4 名册, 附件5 申报表, then for each
listed person, in roster order, their 附件2 申请登记表 and the 附件3 考核鉴定表 of the periods
declared now.

Each person's forms go through the per-person pipeline unchanged (``plan.plan_documents`` →
``render.render_document(case, facts, doc, ("pdf",))``); of each print PDF the bundle keeps ONE
copy: the one held by the service county's HR department (``ATTACHED_ROLE``), which files both
forms (第四、九条) and passes them up to the 州(市). The copy label on those pages says so.

Memory does not grow with the number of people: persons are rendered in worker processes
(``workers``; WeasyPrint is CPU-bound and grows over hundreds of renders, so workers are
recycled), each person's pages are written to a temporary file, and that file is streamed into
the bundle as soon as it arrives (``PdfStreamWriter``: objects renumbered and written at once,
only offsets kept) and deleted. The bundle has an outline (bookmarks) per form and person.
Output is reproducible (no dates; the /ID is a hash of the content).

With a cache folder (``PersonJob.cache_dir``; ``formkit declare`` keeps one per 州(市) and year
in ``OUT/.formkit-cache/``), each attached document's one-copy PDF is kept under a key hashing
everything it depends on — its template context, date and copy labels, the photo, every file
of the per-person forms and ``_shared/``, the font files, the versions of formkit,
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
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from formkit.errors import FormkitError
from formkit.facts import Facts
from formkit.model import Case

__all__ = ["ATTACHED_ROLE", "BundleError", "BundleStats", "PersonJob", "render_person", "write_bundle"]

ATTACHED_ROLE = "service_county_hr"
"""The copy of 附件2 and 附件3 that goes into the bundle."""
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
    and pikepdf, every file of the per-person forms and ``_shared/``, the font files."""
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


class PdfStreamWriter:
    """Concatenate PDFs into one file without holding them: each source's pages and the objects
    they reach are written out as soon as the source is added, renumbered, and the source is
    closed; only the byte offsets of the objects and the page references stay in memory.

    (``pikepdf``'s own merge keeps every copied page's objects in memory until ``save``: about
    1.4 MB per person here.) Sources are read with pikepdf; a page's inheritable attributes must
    be on the page itself (true of every PDF pikepdf saves, see ``normalised``). The trailer's
    /ID is the SHA-256 of everything written before it, so the same sources give the same file.
    """

    CATALOG, PAGES = 1, 2

    def __init__(self, fh):
        import hashlib as _hashlib

        self.fh = fh
        self.hash = _hashlib.sha256()
        self.pos = 0
        self.offsets: dict[int, int] = {}
        self.next = 3
        self.pages: list[int] = []
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self.fh.write(data)
        self.hash.update(data)
        self.pos += len(data)

    def _object(self, num: int, body: bytes, stream: bytes | None = None) -> None:
        self.offsets[num] = self.pos
        self._write(b"%d 0 obj\n" % num + body)
        if stream is not None:
            self._write(b"\nstream\n" + stream + b"\nendstream")
        self._write(b"\nendobj\n")

    def _reserve(self) -> int:
        self.next += 1
        return self.next - 1

    def add(self, source) -> tuple[int, int]:
        """Append every page of ``source`` (a path or a pikepdf.Pdf); returns (index of its first
        page in the output, number of pages)."""
        import pikepdf

        pdf = source if isinstance(source, pikepdf.Pdf) else pikepdf.open(source)
        try:
            first = len(self.pages)
            roots = {pdf.Root.objgen: self.CATALOG}
            if "/Pages" in pdf.Root:
                roots[pdf.Root.Pages.objgen] = self.PAGES
            numbers: dict[tuple[int, int], int] = dict(roots)
            order: list = []
            page_ids = set()

            def visit(obj) -> None:
                stack = [obj]
                while stack:
                    o = stack.pop()
                    if not isinstance(o, pikepdf.Object):
                        continue
                    if o.is_indirect:
                        if o.objgen in numbers:
                            continue
                        numbers[o.objgen] = self._reserve()
                        order.append(o)
                    if isinstance(o, pikepdf.Stream):
                        stack.extend(v for k, v in o.stream_dict.items() if k != "/Length")
                    elif isinstance(o, pikepdf.Dictionary):
                        stack.extend(v for k, v in o.items() if not (k == "/Parent" and o.objgen in page_ids))
                    elif isinstance(o, pikepdf.Array):
                        stack.extend(o)

            for page in pdf.pages:
                page_ids.add(page.obj.objgen)
            for page in pdf.pages:
                visit(page.obj)
            for o in order:
                num = numbers[o.objgen]
                if isinstance(o, pikepdf.Stream):
                    raw = o.read_raw_bytes()
                    items = [(k, v) for k, v in o.stream_dict.items() if k != "/Length"]
                    body = self._dict(items, numbers, extra=b"/Length %d" % len(raw))
                    self._object(num, body, raw)
                elif o.objgen in page_ids:
                    items = [(k, v) for k, v in o.items() if k != "/Parent"]
                    self._object(num, self._dict(items, numbers, extra=b"/Parent %d 0 R" % self.PAGES))
                else:
                    self._object(num, self._value(o, numbers, top=True))
            self.pages.extend(numbers[p.obj.objgen] for p in pdf.pages)
            return first, len(self.pages) - first
        finally:
            if pdf is not source:
                pdf.close()

    def _dict(self, items, numbers, extra: bytes = b"") -> bytes:
        import pikepdf

        parts = [pikepdf.Name(k).unparse() + b" " + self._value(v, numbers) for k, v in items]
        if extra:
            parts.append(extra)
        return b"<<" + b" ".join(parts) + b">>"

    def _value(self, v, numbers, top: bool = False) -> bytes:
        import pikepdf

        if isinstance(v, pikepdf.Object) and v.is_indirect and not top:
            if v.objgen not in numbers:  # not reached from a page (e.g. /P of a stray annotation)
                return b"null"
            return b"%d 0 R" % numbers[v.objgen]
        if isinstance(v, pikepdf.Dictionary):
            return self._dict(list(v.items()), numbers)
        if isinstance(v, pikepdf.Array):
            return b"[" + b" ".join(self._value(x, numbers) for x in v) + b"]"
        if isinstance(v, pikepdf.Object):
            return v.unparse()
        if v is None:
            return b"null"
        if isinstance(v, bool):
            return b"true" if v else b"false"
        if isinstance(v, int):
            return b"%d" % v
        if isinstance(v, Decimal):
            return format(v, "f").encode()
        if isinstance(v, float):
            return format(Decimal(repr(v)), "f").encode()
        return pikepdf.Object.parse(bytes(v)).unparse() if isinstance(v, bytes) else pikepdf.String(str(v)).unparse()

    def close(self, outline: Sequence[tuple[str, int, Sequence[tuple[str, int]]]] = (), title: str = "") -> None:
        """Write the page tree, the outline ((title, page index, [(title, page index)…])…),
        the catalog, the document information, the cross-reference table and the trailer."""
        import pikepdf

        text = lambda t: pikepdf.String(t).unparse()  # noqa: E731
        kids = b" ".join(b"%d 0 R" % n for n in self.pages)
        self._object(self.PAGES, b"<</Type /Pages /Kids [" + kids + b"] /Count %d>>" % len(self.pages))
        outline_root = None
        if outline:
            outline_root = self._reserve()
            top = [self._reserve() for _ in outline]
            for i, ((what, page, children), num) in enumerate(zip(outline, top)):
                subs = [self._reserve() for _ in children]
                for j, ((sub, sub_page), sub_num) in enumerate(zip(children, subs)):
                    links = [b"/Parent %d 0 R" % num]
                    if j:
                        links.append(b"/Prev %d 0 R" % subs[j - 1])
                    if j + 1 < len(subs):
                        links.append(b"/Next %d 0 R" % subs[j + 1])
                    self._object(sub_num, b"<</Title " + text(sub) + b" /Dest [%d 0 R /Fit] " % self.pages[sub_page]
                                 + b" ".join(links) + b">>")
                links = [b"/Parent %d 0 R" % outline_root]
                if i:
                    links.append(b"/Prev %d 0 R" % top[i - 1])
                if i + 1 < len(top):
                    links.append(b"/Next %d 0 R" % top[i + 1])
                if subs:
                    links.append(b"/First %d 0 R /Last %d 0 R /Count %d" % (subs[0], subs[-1], -len(subs)))
                self._object(num, b"<</Title " + text(what) + b" /Dest [%d 0 R /Fit] " % self.pages[page]
                             + b" ".join(links) + b">>")
            self._object(outline_root, b"<</Type /Outlines /First %d 0 R /Last %d 0 R /Count %d>>"
                         % (top[0], top[-1], len(top)))
        catalog = b"<</Type /Catalog /Pages %d 0 R" % self.PAGES
        if outline_root:
            catalog += b" /Outlines %d 0 R /PageMode /UseOutlines" % outline_root
        self._object(self.CATALOG, catalog + b">>")
        info = self._reserve()
        self._object(info, b"<<" + (b"/Title " + text(title) + b" " if title else b"") + b"/Producer (formkit)>>")
        size = self.next
        xref_at = self.pos
        lines = [b"xref\n0 %d\n" % size, b"0000000000 65535 f \n"]
        for num in range(1, size):
            offset = self.offsets.get(num)
            lines.append(b"%010d 00000 n \n" % offset if offset is not None else b"0000000000 65535 f \n")
        self._write(b"".join(lines))
        ident = self.hash.hexdigest()[:32].encode()
        self._write(b"trailer\n<</Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>]>>\nstartxref\n%d\n%%%%EOF\n"
                    % (size, self.CATALOG, info, ident, ident, xref_at))


def write_bundle(target: str | Path, head: Sequence[tuple[str, bytes]], jobs: Sequence[PersonJob], *,
                 workers: int | None = None, title: str = "",
                 progress: Callable[[int, int], None] | None = None) -> BundleStats:
    """Write the bundle to ``target`` atomically: the ``head`` PDFs ((outline title, bytes):
    名册, 申报表), then every job's pages, with an outline.

    Each person's pages are streamed into the bundle as soon as a worker has written them, and
    their temporary file is removed (``PdfStreamWriter``): memory stays flat whatever the number
    of people. ``jobs`` carry the paths of their temporary files (see ``temp_folder``);
    ``workers`` defaults to the number of CPUs. Raises ``BundleError`` when some person could
    not be rendered (nothing is written then).
    """
    import pikepdf

    from formkit.write import FILE_MODE

    target = Path(target)
    workers = workers or os.cpu_count() or 1
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    errors: list[str] = []
    used: set[str] = set()
    outline: list[tuple[str, int, list[tuple[str, int]]]] = []
    persons = documents = reused = 0
    try:
        with open(tmp, "wb") as fh:
            writer = PdfStreamWriter(fh)
            for what, data in head:
                with pikepdf.open(io.BytesIO(data)) as src, pikepdf.new() as flat:
                    flat.pages.extend(src.pages)  # inheritable attributes pushed onto each page
                    first, _ = writer.add(flat)
                outline.append((what, first, []))
            if progress:
                progress(0, len(jobs))
            for i, result in enumerate(_results(jobs, workers), start=1):
                used.update(result.keys)
                if result.error:
                    errors.append(f"{result.number}. {result.name}：{result.error}")
                elif not errors:
                    first, _ = writer.add(result.path)
                    children, at = [], first
                    for what, n in result.parts:
                        children.append((what, at))
                        at += n
                    outline.append((f"{result.number}. {result.name}", first, children))
                    persons += 1
                    documents += len(result.parts)
                    reused += result.hits
                Path(result.path).unlink(missing_ok=True)
                if progress:
                    progress(i, len(jobs))
            if errors:
                raise BundleError("以下人员的申请登记表或考核鉴定表无法生成，未写出申报材料合订本：\n" + "\n".join(errors))
            writer.close(outline, title)
            pages = len(writer.pages)
            fh.flush()
            os.fsync(fh.fileno())
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
