"""The per-person job behind ``formkit render`` and ``formkit batch``: records in, each person's
documents issued through the ledger, only those whose inputs changed.

For every record (in the parent process): load → check that no two records carry the same
公民身份号码 → find the person in the ledger (by ID number; a record file whose ID number was
corrected is recognised as the same person when the file is the one their documents were last
issued from) → derive → plan → context → key. A document whose key is current in the ledger is
not rendered; the rest are rendered (in ``jobs`` worker processes when there are many) and
issued record by record (``Ledger.commit``): a corrected document becomes the next version and
its issued files move to ``superseded/v<N>/``; a document the record no longer has (an
appraisal removed) is withdrawn to ``superseded/`` too. A bad record is reported with every
problem and the others are still rendered.

``print_job`` collates the current print PDFs of a batch into one duplex-ready PDF
(``OUT/print/``), itself a ledger document keyed by its members: collated again only when a
member changed.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from formkit.errors import FormkitError, InternalError, InvalidValue, Problem, Severity
from formkit.output.ledger import Change, Issued, Ledger, Person, canonical, inputs_key, now_text, sha256
from formkit.safe_names import safe_name

BLANK_PAGE_TEXT = "（此页无正文）"
ELIGIBILITY_FORMS = ("application", "agreement")
"""The forms 第二条 decides: who may apply (附件2) and sign the agreement. They are refused for a
person outside 第二条 unless ``allow_ineligible``; 附件3 records service already done and is not."""
PRINT_FOLDER = "print"


@dataclass(frozen=True)
class Selection:
    """What to make: forms (ids), formats, and optionally only documents dated in ``year``
    (附件3: the year its appraisal period ends — the appraisal falls due then, 第九条;
    附件2 and 服务协议: the agreement's signing year)."""

    forms: tuple[str, ...]
    formats: tuple[str, ...] = ("docx", "pdf")
    year: int | None = None


@dataclass
class Planned:
    """One document of a person as the inputs make it now."""

    id: str
    doc: Any  # plan.Document
    context: dict[str, Any]
    key: str
    year: int
    render: tuple[str, ...] = ()  # formats to render now; () when current
    keep: bool = False  # same key: only missing formats are added


@dataclass
class CommitResult:
    new: int = 0
    corrected: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    files: int = 0
    outdated: list[str] = field(default_factory=list)
    """Titles of documents made from superseded ones (print jobs, declarations), withdrawn."""


@dataclass
class RecordOutcome:
    """What one record gave: problems, or the person and what was issued for them."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    failed: bool = False
    case: Any = None
    facts: Any = None
    person: Person | None = None
    planned: list[Planned] = field(default_factory=list)
    withdraw: list[str] = field(default_factory=list)
    result: CommitResult | None = None
    refused: tuple[str, ...] = ()
    """Forms not made because the person is outside 第二条 (``ELIGIBILITY_FORMS``)."""
    ineligible_allowed: bool = False
    """Outside 第二条, made anyway (``allow_ineligible``)."""

    @property
    def unsuccessful(self) -> bool:
        """Failed, or some selected form refused (第二条): counted as failed."""
        return self.failed or bool(self.refused)

    @property
    def folder(self) -> str:
        return self.person.folder if self.person else ""


def document_year(case, doc) -> int:
    """The year a document is dated in (see ``Selection``)."""
    if doc.appraisal_index is not None:
        return case.term_appraisals[doc.appraisal_index].end.year
    return case.agreement.signed_on.year


def photo_digest(case, assets_dir: Path | None) -> str | None:
    """SHA-256 of the applicant's photo file (part of the key: a new photo is a new document)."""
    photo = case.applicant.photo
    if not photo:
        return None
    path = Path(photo) if Path(photo).is_absolute() else (assets_dir or Path.cwd()) / photo
    try:
        return sha256(path.read_bytes())
    except OSError:
        return "missing"


def document_key(case, doc, context: dict[str, Any], assets_dir: Path | None) -> str:
    """The ledger key of a person's document: its context, file names, copy labels and date,
    its templates, fonts and libraries, and the photo. The same key in ``formkit declare`` lets
    a declaration attach the issued PDF instead of rendering it again."""
    from formkit.render import document_date
    from formkit.render.fingerprint import fingerprint

    names = [doc.copy_file(c, "docx") for c in doc.copies] + [doc.print_file()]
    return inputs_key({"context": context, "files": names, "labels": [c.label for c in doc.copies],
                       "date": document_date(case, doc), "photo": photo_digest(case, assets_dir),
                       "fingerprint": fingerprint([doc.form.id])})


def file_names(doc, formats: tuple[str, ...]) -> list[str]:
    names = [doc.copy_file(c, "docx") for c in doc.copies] if "docx" in formats else []
    return names + ([doc.print_file()] if "pdf" in formats else [])


# --------------------------------------------------------------------------- loading


def load_records(paths: Iterable[Path], as_of: date) -> list[RecordOutcome]:
    """Load, check and derive every record; two records with one 公民身份号码 both fail, each
    naming the other file and line."""
    from formkit.facts import derive
    from formkit.load import duplicate_ids, load_case

    outcomes, loaded = [], []
    for path in paths:
        outcome = RecordOutcome(Path(path))
        result = load_case(path)
        outcomes.append(outcome)
        if result.record is None:
            outcome.problems.extend(result.errors)
            outcome.failed = True
            continue
        loaded.append((outcome, result))
    for outcome, problems in duplicate_ids([(o.path, r.record) for o, r in loaded]).items():
        match = next(o for o, _ in loaded if o.path == outcome)
        match.problems.extend(problems)
        match.failed = True
    for outcome, result in loaded:
        if outcome.failed:
            continue
        try:
            outcome.case = result.record
            outcome.facts = derive(result.record, as_of)
        except InvalidValue as exc:
            outcome.problems.append(Problem(str(exc), file=str(outcome.path)))
            outcome.failed = True
    return outcomes


def find_person(ledger: Ledger, outcome: RecordOutcome, claimed: set[str]) -> Person | None:
    """The ledger's person for a record: by 公民身份号码; else the person whose documents were
    last issued from this very file, if their old ID number is no other record's now (an ID
    number corrected in place); else a new person with a folder named after the file (dots
    replaced, so a folder never looks like a file's name). ``None``, with a problem added to
    ``outcome``, when the person's documents were issued from another record file that still
    exists and still carries this ID number (one person, two records)."""
    case = outcome.case
    record = str(outcome.path.resolve())
    person = ledger.person_by_id(case.applicant.id_number)
    if person is not None and person.record and person.record != record and _same_person_in(person.record, case):
        from formkit.model import Case, label_for

        outcome.problems.append(Problem(
            f"此人的文书出自 {person.record}，该文件仍在，公民身份号码相同：一人只应有一份记录。"
            f"若已改用本文件，请删除或移走旧文件；若号码有误，请更正",
            path="applicant.id_number", label=label_for(Case, ("applicant", "id_number")), file=str(outcome.path)))
        outcome.failed = True
        return None
    if person is None:
        previous = ledger.person_by_record(record)
        if previous is not None and previous.id_number not in claimed:
            person = previous
    if person is None:
        person = ledger.new_person(case.applicant.id_number, safe_name(outcome.path.stem.replace(".", "_")))
        ledger.persons.setdefault(person.number, person)  # reserve its number and folder
    return replace(person)


def _same_person_in(record: str, case) -> bool:
    """Whether the record file ``record`` exists and carries ``case``'s 公民身份号码."""
    try:
        return Path(record).is_file() and case.applicant.id_number in Path(record).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return False


# --------------------------------------------------------------------------- planning


def plan_record(ledger: Ledger, outcome: RecordOutcome, selection: Selection, *, force: bool,
                forms: tuple[str, ...] | None = None) -> None:
    """Fill ``outcome.planned`` (what to render) and ``outcome.withdraw``; ``forms`` (default
    the selection's) are the forms this person gets."""
    from formkit.context import document_context
    from formkit.forms import load_form
    from formkit.plan import plan_documents

    case, facts, person = outcome.case, outcome.facts, outcome.person
    assets = outcome.path.parent
    planned_ids = set()
    forms = selection.forms if forms is None else forms
    for form_id in forms:
        for doc in plan_documents(load_form(form_id), case, facts):
            doc_id = f"{person.number}/{doc.identity}"
            planned_ids.add(doc_id)
            year = document_year(case, doc)
            if selection.year is not None and year != selection.year:
                continue
            context = document_context(case, facts, doc)
            key = document_key(case, doc, context, assets)
            item = Planned(doc_id, doc, context, key, year)
            issued = ledger.documents.get(doc_id)
            if force or issued is None or issued.withdrawn or issued.key != key or not ledger.files_intact(issued):
                item.render = selection.formats
            else:
                missing = tuple(f for f in selection.formats if f not in issued.formats)
                item.render, item.keep = missing, bool(missing)
            outcome.planned.append(item)
    outcome.withdraw = sorted(d.id for d in ledger.of_person(person.number)
                              if not d.withdrawn and d.form in forms and d.id not in planned_ids)


def render_planned(case, facts, items: list[tuple[Any, dict[str, Any], tuple[str, ...]]],
                   assets_dir: Path | None) -> list[dict[str, bytes]] | str:
    """Render each ``(doc, context, formats)`` in memory; an error message instead when any
    fails (safe to run in a worker process)."""
    from formkit.render import render_document

    try:
        return [render_document(case, facts, doc, formats, assets_dir=assets_dir, context=context).files
                for doc, context, formats in items]
    except FormkitError as exc:
        return str(exc)


# --------------------------------------------------------------------------- issuing


def issue_record(ledger: Ledger, outcome: RecordOutcome, rendered: list[dict[str, bytes]],
                 selection: Selection) -> CommitResult:
    """Issue what was rendered for one record, withdraw what it no longer has, record the
    person's snapshot — one ledger transaction."""
    from formkit.model import flatten

    result = CommitResult()
    person = outcome.person
    person.record = str(outcome.path.resolve())
    person.name = outcome.case.applicant.name
    person.id_number = outcome.case.applicant.id_number
    person.fields = flatten(outcome.case.model_dump(mode="json"))
    snapshot = sha256(canonical(person.fields))[:16]  # what each document was issued from (diff)
    changes: list[Change] = []
    todo = [p for p in outcome.planned if p.render]
    for item, files in zip(todo, rendered, strict=True):
        old = ledger.documents.get(item.id)
        doc = item.doc
        meta = {"copies": len(doc.copies), "print_file": doc.print_file(), "year": item.year,
                "record": outcome.path.name, "fields": snapshot}
        state = Issued(id=item.id, form=doc.form.id, folder=person.folder, key=item.key, version=0,
                       files={n: [sha256(d), len(d)] for n, d in files.items()},
                       formats=sorted(item.render), issued_at=now_text(), person=person.number,
                       title=doc.stem, meta=meta)
        same_bytes = ledger.same_bytes(item.id, state.files)
        if item.keep or same_bytes:
            # nothing printed changed (or only a format is added): the same version
            state.files = {**old.files, **state.files}
            state.formats = sorted(set(old.formats) | set(item.render))
            data = {n: d for n, d in files.items() if n not in old.files}
            changes.append(Change(state, data, keep=True))
            result.unchanged += 1
            result.files += len(data)
            continue
        corrected = old is not None and not old.withdrawn
        changes.append(Change(state, dict(files), reason="更正" if corrected else ""))
        result.corrected += corrected
        result.new += not corrected
        result.files += len(files)
    result.unchanged += sum(1 for p in outcome.planned if not p.render)
    for item in outcome.planned:  # current documents: their content is what the record says now
        old = ledger.documents.get(item.id)
        if not item.render and old is not None and old.meta.get("fields") != snapshot:
            changes.append(Change(replace(old, meta={**old.meta, "fields": snapshot}), {}, keep=True))
    for doc_id in outcome.withdraw:
        old = ledger.documents[doc_id]
        state = replace(old, withdrawn=True, files={}, issued_at=now_text())
        changes.append(Change(state, {}, reason="记录中已无此文书"))
        result.withdrawn += 1
    changed_ids = {c.state.id for c in changes}
    kept = {d.meta.get("fields") for d in ledger.of_person(person.number)
            if not d.withdrawn and d.id not in changed_ids}
    kept |= {c.state.meta.get("fields") for c in changes if not c.state.withdrawn}
    person.snapshots = {h: f for h, f in {**person.snapshots, snapshot: person.fields}.items() if h in kept}
    known = ledger.persons.get(person.number)
    person_changed = known is None or (known.record, known.name, known.id_number, known.fields, known.folder,
                                       known.snapshots) != (person.record, person.name, person.id_number,
                                                            person.fields, person.folder, person.snapshots)
    if changes or person_changed:
        result.outdated = [d.title for d in ledger.commit(changes, [person])]
    return result


# --------------------------------------------------------------------------- the run


def _render_task(outcome: RecordOutcome) -> list[dict[str, bytes]] | str:
    items = [(p.doc, p.context, p.render) for p in outcome.planned if p.render]
    return render_planned(outcome.case, outcome.facts, items, outcome.path.parent)


ALLOW_HINT = "（确需生成时加 --allow-ineligible）"
"""The command line's way past a refusal under 第二条 (the desk has none and leaves it out)."""


def check_eligibility(outcome: RecordOutcome, selection: Selection, allow_ineligible: bool) -> tuple[str, ...]:
    """The forms ``outcome``'s person gets: without the ``ELIGIBILITY_FORMS`` when they are outside
    第二条 (each reason, with its article, added to the problems), unless ``allow_ineligible``
    (then a warning says they were made anyway). A record left with no form fails."""
    from formkit.forms import load_form

    elig = outcome.facts.eligibility
    decided = tuple(f for f in selection.forms if f in ELIGIBILITY_FORMS)
    if elig.eligible or not decided:
        return selection.forms
    names = "、".join(load_form(f).short_title for f in decided)
    why = "；".join(r.text for r in elig.reasons)
    file = str(outcome.path)
    if allow_ineligible:
        outcome.ineligible_allowed = True
        outcome.problems.append(Problem(f"不符合第二条，已按 --allow-ineligible 仍生成{names}：{why}",
                                        file=file, severity=Severity.WARNING))
        return selection.forms
    outcome.refused = decided
    outcome.problems.append(Problem(f"不符合第二条，不能签订协议，不予生成{names}{ALLOW_HINT}：" + why, file=file))
    forms = tuple(f for f in selection.forms if f not in ELIGIBILITY_FORMS)
    if not forms:
        outcome.failed = True
    return forms


def run(ledger: Ledger, paths: Iterable[Path], selection: Selection, as_of: date, *, jobs: int = 1,
        force: bool = False, allow_ineligible: bool = False,
        on_done: Callable[[RecordOutcome], None] | None = None) -> list[RecordOutcome]:
    """Issue the selected documents of every record (see the module docstring), in input order.
    Rendering runs in ``jobs`` worker processes (started once, fed chunks of records:
    ``jobs.pool``); only this process writes. ``on_done`` is called after each record.
    A person outside 第二条 gets no 附件2 or 服务协议 unless ``allow_ineligible``
    (:func:`check_eligibility`)."""
    outcomes = load_records(paths, as_of)
    claimed = {o.case.applicant.id_number for o in outcomes if not o.failed}
    for outcome in outcomes:
        if outcome.failed:
            continue
        forms = check_eligibility(outcome, selection, allow_ineligible)
        if outcome.failed:
            continue
        outcome.person = find_person(ledger, outcome, claimed)
        if outcome.person is None:
            continue
        try:
            plan_record(ledger, outcome, selection, force=force, forms=forms)
        except FormkitError as exc:
            outcome.problems.append(Problem(str(exc), file=str(outcome.path)))
            outcome.failed = True

    def finish(outcome: RecordOutcome, rendered: list[dict[str, bytes]] | str) -> None:
        if isinstance(rendered, str):
            outcome.problems.append(Problem(rendered, file=str(outcome.path)))
            outcome.failed = True
        elif not outcome.failed:
            outcome.result = issue_record(ledger, outcome, rendered, selection)
        for item in outcome.planned:
            item.context = {}
        if on_done:
            on_done(outcome)

    todo = [o for o in outcomes if not o.failed and any(p.render for p in o.planned)]
    for outcome in outcomes:
        if outcome.failed or outcome not in todo:
            finish(outcome, [])
    from formkit.jobs.pool import ordered_map

    if jobs > 1 and any("pdf" in p.render for o in todo for p in o.planned):
        from formkit.render.fonts import prepared_fonts

        prepared_fonts()  # made here once (the first time on a machine), not by every worker at once
    for outcome, rendered in zip(todo, ordered_map(_render_task, todo, workers=jobs)):
        finish(outcome, rendered)
    return outcomes


# --------------------------------------------------------------------------- print jobs


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


def collate(sources: list[tuple[Path, int]], target: Path, title: str) -> tuple[int, int]:
    """Write one print PDF to ``target`` from ``(print_pdf, copies)`` pairs, padding each copy to
    an even number of pages with the blank page. Returns ``(pages, blank pages inserted)``.

    Streams (``output.pdfjoin.PdfStreamWriter``): one source open at a time. The records' fonts
    are embedded once for the whole job (``output.pdfjoin.shared_font_programs``). Raises
    ``InternalError`` if a source's page count is not a multiple of its copies."""
    import pikepdf

    from formkit.output.pdfjoin import PdfStreamWriter, shared_font_programs

    inserted = 0
    fonts = shared_font_programs([path for path, _ in sources])  # one program per font for the job
    with open(target, "wb") as fh, pikepdf.open(io.BytesIO(blank_page())) as blank:
        writer = PdfStreamWriter(fh, fonts)
        for path, copies in sources:
            with pikepdf.open(path) as src, pikepdf.new() as flat:
                n = len(src.pages)
                if copies < 1 or n % copies:
                    raise InternalError(f"{path}: {n} 页不能平均分成 {copies} 份")
                per_copy = n // copies
                for c in range(copies):  # inheritable attributes are pushed onto each page
                    flat.pages.extend(src.pages[c * per_copy:(c + 1) * per_copy])
                    if per_copy % 2:
                        flat.pages.append(blank.pages[0])
                        inserted += 1
                writer.add(flat)
        writer.close(title=title)
        pages = len(writer.pages)
        fh.flush()
        os.fsync(fh.fileno())
    return pages, inserted


@dataclass
class PrintJob:
    """A batch's print PDF: where it is, how many documents and pages, whether it was made now."""

    path: Path | None
    documents: int = 0
    pages: int = 0
    blanks: int = 0
    written: bool = False


def print_job(ledger: Ledger, name: str, outcomes: list[RecordOutcome], *, force: bool = False) -> PrintJob:
    """The print PDF ``OUT/print/<name>.pdf`` of the current print PDFs of ``outcomes``' planned
    documents, in order; a ledger document keyed by its members (collated again only when one
    changed). Records that failed are left out."""
    from formkit.render.fingerprint import fingerprint

    members = []
    for outcome in outcomes:
        if outcome.failed:
            continue
        for item in outcome.planned:
            issued = ledger.documents.get(item.id)
            if issued is None or issued.withdrawn:
                continue
            print_file = issued.meta.get("print_file")
            if print_file not in issued.files:
                continue
            members.append((issued, print_file))
    doc_id = f"print/{name}"
    file_name = f"{safe_name(name, 80)}.pdf"
    if not members:
        return PrintJob(None)
    key = inputs_key({"members": [[d.id, d.version, d.files[f][0], d.meta.get("copies", 1)] for d, f in members],
                      "fingerprint": fingerprint([]), "blank": BLANK_PAGE_TEXT})
    target = ledger.root / PRINT_FOLDER / file_name
    if not force and ledger.is_current(doc_id, key):
        meta = ledger.documents[doc_id].meta
        return PrintJob(target, len(members), meta.get("pages", 0), meta.get("blanks", 0))
    from formkit.atomic import make_folders

    make_folders(target.parent)
    tmp = target.with_name(f".{file_name}.{os.getpid()}.tmp")
    try:
        pages, blanks = collate([(ledger.file(d, f), d.meta.get("copies", 1)) for d, f in members], tmp, name)
        data = tmp.read_bytes()
        state = Issued(id=doc_id, form="print", folder=PRINT_FOLDER, key=key, version=0,
                       files={file_name: [sha256(data), len(data)]}, formats=["pdf"], issued_at=now_text(),
                       title=name, meta={"pages": pages, "blanks": blanks, "documents": len(members),
                                         "depends": {d.id: d.key for d, _ in members},
                                         "members": [[d.id, d.version] for d, _ in members]})
        if ledger.same_bytes(doc_id, state.files):  # e.g. --force: the same pages, the same version
            ledger.commit([Change(state, {}, keep=True)])
            return PrintJob(target, len(members), pages, blanks)
        ledger.commit([Change(state, {file_name: tmp})])
    finally:
        tmp.unlink(missing_ok=True)
    return PrintJob(target, len(members), pages, blanks, True)
