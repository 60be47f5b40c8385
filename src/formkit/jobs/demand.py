"""The demand job behind ``formkit demand``: county 附件1 lists (YAML or .xlsx) → the 需求信息表
of a county, a 州(市) or the province (第三条), issued through the ledger.

load → validate → merge (``formkit.rollup.demand``, pure) → context → key → render (.docx, PDF, .xlsx)
→ ``Ledger.commit``. Any invalid list stops the job (an incomplete roll-up is worse than none):
the result then carries the problems and nothing is written. The table is the ledger document
``demand/<level>/<division>/<year>``; an unchanged table is not rendered again; a changed one
is the next version, the issued files move to ``superseded/v<N>/`` and ``变更说明_…txt`` says
which counties' lists changed. Files: ``需求信息表_<区划>_<年度>.{docx,pdf,xlsx}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from formkit.errors import Problem, UsageError
from formkit.output.ledger import CHANGES_PREFIX, Issued, Ledger, canonical, inputs_key, now_text, sha256

ALL_FORMATS = ("docx", "pdf", "xlsx")


@dataclass
class DemandRun:
    """What ``run_demand`` did: the table (``None`` if inputs were invalid), files written,
    problems of the inputs (errors and warnings), notes (lists left out, counties missing),
    the version issued and what changed since the previous one."""

    table: object | None = None
    unchanged: bool = False
    version: int = 0
    changes: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def county_snapshot(context: dict) -> dict[str, str]:
    """Per county (by name): a hash of its rows — compared between versions for the 变更说明."""
    rows: dict[str, list] = {}
    for row in context["rows"]:
        if row["kind"] == "post":
            rows.setdefault(row["county"], []).append(row)
    return {county: sha256(canonical(items))[:16] for county, items in rows.items()}


def snapshot_changes(before: dict[str, str], after: dict[str, str], what: str) -> list[str]:
    lines = [f"新列入：{k}" for k in sorted(set(after) - set(before))]
    lines += [f"不再列入：{k}" for k in sorted(set(before) - set(after))]
    lines += [f"{what}有变化：{k}" for k in sorted(set(before) & set(after)) if before[k] != after[k]]
    return lines


def run_demand(ledger: Ledger, sources: Sequence[str | Path], level: str, year: int, *,
               division: str | None = None, formats: tuple[str, ...] = ALL_FORMATS,
               reporting: object | None = None, force: bool = False,
               accept_computed_total: bool = False) -> DemandRun:
    """附件1 at ``level`` for ``year`` from county lists → issued in ``ledger``'s folder.
    Raises ``UsageError`` when no list of ``year`` is found or the division is wrong,
    ``DataConflict`` when the lists cannot be merged (e.g. two lists of one county).
    A source may be a roll-up .xlsx (a 州(市) table formkit wrote): its counties' lists are read
    back from it. ``accept_computed_total``: a stated 小计/合计 that disagrees with its rows is a
    warning (the computed sum is used), not an error."""
    from formkit.forms import load_form
    from formkit.load import record_files
    from formkit.render.fingerprint import fingerprint
    from formkit.render.rollup import render_rollup
    from formkit.rollup.demand import level_name, merge_demand, resolve_division, select_lists
    from formkit.context.rollup import demand_context
    from formkit.safe_names import safe_name
    from formkit.load.xlsx import load_demand_lists
    from formkit.render.xlsx import write_demand_xlsx

    run = DemandRun()
    files = record_files(sources, (".yaml", ".yml", ".xlsx"))
    if not files:
        raise UsageError("没有找到需求信息表（.yaml 或 .xlsx）")
    loaded = []
    for file in files:
        result = load_demand_lists(file, accept_computed_total=accept_computed_total)
        run.problems.extend(result.problems)
        for record in result.record or ():
            loaded.append((str(file), record))
    if any(p.is_error for p in run.problems):
        return run
    if not any(d.year == year for _, d in loaded):
        found = "、".join(sorted({str(d.year) for _, d in loaded}))
        raise UsageError(f"没有可汇总的{year}年度需求信息表（给出的是 {found} 年度）", param="year")
    division = resolve_division(level, division, [d.county for _, d in loaded if d.year == year])
    chosen, run.notes = select_lists(loaded, level, division, year)
    table = merge_demand([d for _, d in chosen], level, division, reporting=reporting)
    run.table = table
    if table.missing and level == "prefecture":
        names = "、".join(name for _, name in table.missing)
        run.notes.append(f"{table.division_name}尚未报送需求信息表的{level_name('county')}（{len(table.missing)}个）：{names}")
    elif table.missing and level == "province":
        from formkit.reference.divisions import all_prefectures, name_on, prefecture_of

        reported = {prefecture_of(c).code for c in table.counties}
        silent = [name_on(p.code, year) for p in all_prefectures() if p.code not in reported]
        run.notes.append(f"尚有 {len(table.missing)} 个{level_name('county')}未报送需求信息表"
                         + (f"；没有任何县报送的州（市）：{'、'.join(silent)}" if silent else ""))
    form = load_form("demand")
    stem = f"{form.short_title}_{safe_name(table.division_name)}_{year}"
    context = demand_context(table, form)
    doc_id = f"demand/{level}/{division}/{year}"
    key = inputs_key({"context": context, "stem": stem, "dated": table.dated, "fingerprint": fingerprint(["demand"])})
    if not force and ledger.is_current(doc_id, key, tuple(formats)):
        run.unchanged, run.version = True, ledger.documents[doc_id].version
        return run
    rendered = render_rollup("demand", stem, context, table.dated, tuple(f for f in formats if f != "xlsx"))
    if "xlsx" in formats:
        rendered[f"{stem}.xlsx"] = write_demand_xlsx(table, form)
    snapshot = county_snapshot(context)
    state = Issued(id=doc_id, form="demand", folder="", key=key, version=0,
                   files={n: [sha256(d), len(d)] for n, d in rendered.items()}, formats=sorted(formats),
                   issued_at=now_text(), title=stem, meta={"counties": snapshot})

    def note(old: Issued) -> tuple[str, str] | None:
        if old.meta.get("counties") is None:
            return None
        run.changes = snapshot_changes(old.meta["counties"], snapshot, "岗位需求")
        return (f"{CHANGES_PREFIX}{stem}.txt", f"{table.division_name}{year}年度需求信息表：与第 {old.version} 版相比\n"
                + ("\n".join(run.changes) or "各县（市、区）的岗位需求无变化（仅表格内容或格式更新）") + "\n")

    previous = ledger.documents.get(doc_id)
    written = ledger.issue(state, rendered, note=note, reason="需求信息表有变化")
    run.unchanged = previous is not None and ledger.documents[doc_id].version == previous.version and not written
    run.version = ledger.documents[doc_id].version
    run.written = [ledger.root / name for name in written]
    return run
