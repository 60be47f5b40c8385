"""The declaration job behind ``formkit declare``: case records → the 州(市)'s year-end
declaration (第十条), issued through the ledger as one document ``declaration/<州市>/<年度>``.

load → derive → build (``formkit.rollup.declaration``, pure) → contexts → key → render (附件4 名册, 附件5
申报表 as .docx/PDF/.xlsx, the exclusions report, the bundle) → ``Ledger.commit``. Any invalid
record stops the declaration (a declaration of money missing a person is worse than none).

The key covers the roster and declaration contexts, the exclusions report, the formats, and the
key of every attached 附件2 and 附件3 (``jobs.persons.document_key``): correcting anything a
listed person's attached forms print — a mobile number, a sentence of a 个人总结 — makes a new
version of the whole declaration. A new version moves the issued files to ``superseded/v<N>/``
and writes ``变更说明_<州市>_<年度>.txt``: who was added or removed, whose years or amounts
changed, and whose attached documents changed and in which fields (by their Chinese labels).
An attached document issued and current in the same ledger is taken from its issued PDF.
Files: ``期满人员名册_<州市>_<年度>.*``, ``岗位补贴申报表_<州市>_<年度>.*``,
``补贴申报材料_<州市>_<年度>.pdf`` (the bundle), ``未列入名册人员_<州市>_<年度>.txt``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from formkit.errors import InvalidValue, Problem, UsageError
from formkit.output.ledger import CHANGES_PREFIX, Issued, Ledger, inputs_key, now_text, sha256

ALL_FORMATS = ("docx", "pdf", "xlsx")
ATTACHED_FORMS = ("application", "appraisal")


@dataclass
class DeclarationRun:
    """What ``run_declaration`` did: the declaration (``None`` if inputs were invalid), files
    written, problems of the records, the bundle's statistics, the exclusions report text, the
    version and what changed since the previous one."""

    declaration: object | None = None
    written: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    bundle: object | None = None
    report: str = ""
    version: int = 0
    changes: list[str] = field(default_factory=list)
    unchanged: bool = False
    drafts: list[str] = field(default_factory=list)
    """Draft records (``formkit.load.records.is_draft``): not listed, one line each; the
    declaration is made from the other records."""


def default_as_of(year: int, today: date | None = None) -> date:
    """The day a declaration for ``year`` is computed on by default: 31 December of ``year``,
    or today if that is earlier (periods not yet complete are then 'not yet due')."""
    today = today or date.today()
    return min(today, date(year, 12, 31))


def _field_hashes(case) -> dict[str, str]:
    from formkit.model import flatten

    return {k: sha256(v.encode("utf-8"))[:12] for k, v in flatten(case.model_dump(mode="json")).items()}


def declaration_changes(before: dict, after: dict) -> list[str]:
    """Lines (Chinese) saying what changed between two declaration snapshots (``persons``:
    ID number → name, roster line, attached documents' keys and titles, field hashes)."""
    from formkit.load import parse_loc
    from formkit.model import Case, label_for

    lines = []
    for ident in sorted(set(after) - set(before), key=lambda i: after[i]["name"]):
        lines.append(f"新列入：{after[ident]['name']} {after[ident]['row']}")
    for ident in sorted(set(before) - set(after), key=lambda i: before[i]["name"]):
        lines.append(f"不再列入：{before[ident]['name']}（原 {before[ident]['row']}）")
    for ident in sorted(set(before) & set(after), key=lambda i: after[i]["name"]):
        old, new = before[ident], after[ident]
        name = new["name"] if new["name"] == old["name"] else f"{old['name']}→{new['name']}"
        if old["row"] != new["row"]:
            lines.append(f"变更：{name} {old['row']} → {new['row']}")
        docs = [new["titles"].get(k, k) for k in sorted(new["docs"]) if old["docs"].get(k) != new["docs"][k]]
        if docs:
            fields = sorted({label_for(Case, parse_loc(k)) or k for k in set(old["fields"]) | set(new["fields"])
                             if old["fields"].get(k) != new["fields"].get(k)})
            why = f"（改动：{'、'.join(fields)}）" if fields else "（模板或格式更新）"
            lines.append(f"附件更新：{name} — {'、'.join(docs)}{why}")
    return lines


def attachments(ledger: Ledger, row, assets: Path | None):
    """The attached documents of one roster row (附件2 and the 附件3 of the declared periods)
    as ``(Attachment, document id, key)``; an attachment current in ``ledger`` points at its
    issued print PDF."""
    from formkit.context import document_context
    from formkit.forms import load_form
    from formkit.jobs.bundle import Attachment
    from formkit.jobs.persons import document_key
    from formkit.plan import plan_documents

    case, facts = row.entry.case, row.entry.facts
    periods = {(it.period_start, it.period_end) for it in row.items}
    person = ledger.person_by_id(case.applicant.id_number)
    out = []
    for form_id in ATTACHED_FORMS:
        form = load_form(form_id)
        for doc in plan_documents(form, case, facts):
            title = f"{form.attachment} {form.short_title}"
            if doc.appraisal_index is not None:
                rec = case.term_appraisals[doc.appraisal_index]
                if (rec.start, rec.end) not in periods:
                    continue
                title += f"（{rec.start.year}.{rec.start.month:02d}—{rec.end.year}.{rec.end.month:02d}）"
            context = document_context(case, facts, doc)
            key = document_key(case, doc, context, assets)
            issued = None
            if person is not None:
                doc_id = f"{person.number}/{doc.identity}"
                if ledger.is_current(doc_id, key, ("pdf",)):
                    issued = str(ledger.file(ledger.documents[doc_id], doc.print_file()))
            out.append((Attachment(doc, context, title, issued), doc.identity, key))
    return out


def run_declaration(ledger: Ledger, cases: Sequence[str | Path], prefecture: str, year: int, *,
                    as_of: date, formats: tuple[str, ...] = ALL_FORMATS, bundle: bool = True,
                    workers: int | None = None, force: bool = False,
                    progress: Callable[[int, int], None] | None = None) -> DeclarationRun:
    """The declaration of ``prefecture`` for ``year`` from case records → issued in ``ledger``'s
    folder (see the module docstring). Raises ``UsageError`` when no record is found or for a
    county given as 州(市), ``DataConflict`` for one person listed twice, ``BundleError``
    when some attached form cannot be rendered. Drafts are left out, each named in ``drafts``."""
    from formkit.rollup.declaration import build_declaration
    from formkit.context.rollup import exclusions_report, roster_context, subsidy_context
    from formkit.facts import derive
    from formkit.forms import load_form
    from formkit.jobs.bundle import PersonJob, temp_folder, write_bundle
    from formkit.load import duplicate_ids, load_case, record_files
    from formkit.render.fingerprint import fingerprint
    from formkit.render.rollup import render_rollup
    from formkit.safe_names import safe_name
    from formkit.render.xlsx import write_roster_xlsx, write_subsidy_xlsx

    run = DeclarationRun()
    files = record_files(cases)
    if not files:
        raise UsageError("没有找到案卷记录（.yaml）")
    entries = []
    for file in files:
        loaded = load_case(file)
        if loaded.draft:  # not finished: left out and said so, the others are declared
            run.drafts.append(f"{file}: 草稿（尚未完成），未列入申报；完成后保存为正式记录，再重新申报")
            continue
        run.problems.extend(loaded.problems)
        if loaded.record is None:
            continue
        try:
            entries.append((loaded.record, derive(loaded.record, as_of), str(file)))
        except InvalidValue as exc:
            run.failures.append(f"{file}: {exc}")
    for problems in duplicate_ids([(Path(f), c) for c, _, f in entries]).values():
        run.problems.extend(problems)
    if run.failures or any(p.is_error for p in run.problems):
        return run
    decl = build_declaration(entries, prefecture, year)
    run.declaration = decl
    run.report = exclusions_report(decl)
    name = safe_name(decl.prefecture_name)
    roster_form, subsidy_form = load_form("roster"), load_form("subsidy")
    roster_stem = f"{roster_form.short_title}_{name}_{year}"
    subsidy_stem = f"{subsidy_form.short_title}_{name}_{year}"
    bundle_name = f"补贴申报材料_{name}_{year}.pdf"
    roster_ctx, subsidy_ctx = roster_context(decl, roster_form), subsidy_context(decl, subsidy_form)

    persons, attached, depends = {}, [], {}
    for r in decl.rows:
        assets = Path(r.entry.source).parent if r.entry.source else None
        atts = attachments(ledger, r, assets) if bundle else []
        attached.append((r, atts, assets))
        # a document of this person issued later with other content outdates this declaration
        depends.update({f"{r.id_number}/{ident}": key for _, ident, key in atts})
        known = ledger.person_by_id(r.id_number)
        persons[known.number if known else r.id_number] = {
            "name": r.name, "row": f"{r.years}年 {r.amount}元 考核{r.grades}",
            "docs": {ident: key for _, ident, key in atts},
            "titles": {ident: a.title for a, ident, _ in atts},
            "fields": _field_hashes(r.entry.case)}
    doc_id = f"declaration/{prefecture}/{year}"
    key = inputs_key({"roster": roster_ctx, "subsidy": subsidy_ctx, "report": run.report, "as_of": as_of,
                      "formats": sorted(formats), "bundle": bundle,
                      "attached": [[ident, docs["docs"]] for ident, docs in persons.items()],
                      "fingerprint": fingerprint(["roster", "subsidy"])})
    if not force and ledger.is_current(doc_id, key):
        run.unchanged, run.version = True, ledger.documents[doc_id].version
        return run

    backends = tuple(f for f in formats if f != "xlsx")
    if bundle and "pdf" not in backends:
        backends += ("pdf",)
    files_out: dict[str, bytes | Path] = {
        **render_rollup("roster", roster_stem, roster_ctx, as_of, backends),
        **render_rollup("subsidy", subsidy_stem, subsidy_ctx, as_of, backends),
    }
    if "xlsx" in formats:
        files_out[f"{roster_stem}.xlsx"] = write_roster_xlsx(decl, roster_form, as_of)
        files_out[f"{subsidy_stem}.xlsx"] = write_subsidy_xlsx(decl, subsidy_form, as_of)
    head = [(f"{roster_form.attachment} {roster_form.short_title}", files_out[f"{roster_stem}.pdf"]),
            (f"{subsidy_form.attachment} {subsidy_form.short_title}", files_out[f"{subsidy_stem}.pdf"])] \
        if bundle else []
    if "pdf" not in formats:
        files_out = {k: v for k, v in files_out.items() if not k.endswith(".pdf")}
    files_out[f"未列入名册人员_{name}_{year}.txt"] = run.report.encode("utf-8")
    with temp_folder(ledger.root) as tmp:
        if bundle:
            jobs = [PersonJob(r.number, r.name, r.entry.case, r.entry.facts, tuple(a for a, _, _ in atts),
                              str(tmp / f"{r.number:05d}.pdf"), str(assets) if assets else None)
                    for r, atts, assets in attached]
            target = tmp / bundle_name
            run.bundle = write_bundle(target, head, jobs, workers=workers, progress=progress,
                                      title=f"{decl.prefecture_name}{year}年度专业技术人员到基层服务岗位补贴申报材料")
            files_out[bundle_name] = target
        hashes = {}
        for n, d in files_out.items():
            data = d.read_bytes() if isinstance(d, Path) else d
            hashes[n] = [sha256(data), len(data)]
        meta = {"persons": persons, "bundle": bundle, "depends": depends}
        state = Issued(id=doc_id, form="declaration", folder="", key=key, version=0, files=hashes,
                       formats=sorted(formats), issued_at=now_text(), title=f"{decl.prefecture_name}{year}年度申报",
                       meta=meta)

        def note(old: Issued) -> tuple[str, str] | None:
            if old.meta.get("persons") is None:
                return None
            run.changes = declaration_changes(old.meta["persons"], persons)
            return (f"{CHANGES_PREFIX}{name}_{year}.txt", f"{decl.prefecture_name}{year}年度申报：与第 {old.version} 版相比\n"
                    + ("\n".join(run.changes) or "名册人员、金额及所附材料均无变化（仅表格内容或格式更新）") + "\n")

        previous = ledger.documents.get(doc_id)
        written = ledger.issue(state, files_out, note=note, reason="申报材料有变化")
    run.unchanged = previous is not None and ledger.documents[doc_id].version == previous.version and not written
    run.version = ledger.documents[doc_id].version
    run.written = [ledger.root / n for n in written]
    return run


__all__ = ["ALL_FORMATS", "DeclarationRun", "declaration_changes", "default_as_of", "run_declaration"]
