"""The roll-up jobs end to end, for ``formkit demand`` and ``formkit declare`` (the CLI only
parses and prints): load → validate → merge / build (pure: ``rollup``, ``declaration``) →
context → render (.docx, PDF, .xlsx) → write atomically.

Either job refuses to write anything when an input record is invalid (an incomplete roll-up of
demand, or a declaration of money missing a person, is worse than none): the result then
carries the problems and no files. Names of the files:
``需求信息表_<区划>_<年度>.{docx,pdf,xlsx}``, ``期满人员名册_<州(市)>_<年度>.*``,
``岗位补贴申报表_<州(市)>_<年度>.*``, ``补贴申报材料_<州(市)>_<年度>.pdf`` (the bundle) and
``未列入名册人员_<州(市)>_<年度>.txt`` (the exclusions report, plain UTF-8 text).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from formkit.errors import InvalidValue, Problem, UsageError

__all__ = ["DeclarationRun", "DemandRun", "expand_sources", "run_declaration", "run_demand"]

ALL_FORMATS = ("docx", "pdf", "xlsx")
CACHE_FOLDER = ".formkit-cache"
"""Inside the output folder: the bundle's rendered attachments, reused when unchanged."""
SOURCE_SUFFIXES = (".yaml", ".yml", ".xlsx")


def expand_sources(paths: Sequence[str | Path], suffixes: tuple[str, ...] = SOURCE_SUFFIXES) -> list[Path]:
    """Files and folders (searched recursively, sorted) → files with ``suffixes``, each once.
    Raises ``UsageError`` for a path that does not exist."""
    out: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in suffixes
                           and not q.name.startswith((".", "~$")))
        elif p.exists():
            found = [p]
        else:
            raise UsageError(f"找不到文件或目录：{p}")
        for q in found:
            key = q.resolve()
            if key not in seen:
                seen.add(key)
                out.append(q)
    return out


# --------------------------------------------------------------------------- 附件1


@dataclass
class DemandRun:
    """What ``run_demand`` did: the table (``None`` if inputs were invalid), files written,
    problems of the inputs (errors and warnings), notes (lists left out, counties missing)."""

    table: object | None = None
    unchanged: bool = False
    written: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def run_demand(sources: Sequence[str | Path], level: str, year: int, out: str | Path, *,
               division: str | None = None, formats: tuple[str, ...] = ALL_FORMATS,
               reporting: object | None = None) -> DemandRun:
    """附件1 at ``level`` for ``year`` from county lists (YAML or .xlsx) → files in ``out``."""
    from formkit.forms import load_form
    from formkit.plan import safe_name
    from formkit.render.rollup import render_rollup
    from formkit.rollup import (RollupError, demand_context, level_name, merge_demand, resolve_division,
                                 select_lists)
    from formkit.xlsx import load_demand_file, write_demand_xlsx

    run = DemandRun()
    files = expand_sources(sources)
    if not files:
        raise UsageError("没有找到需求信息表（.yaml 或 .xlsx）")
    loaded = []
    for file in files:
        result = load_demand_file(file)
        run.problems.extend(result.problems)
        if result.record is not None:
            loaded.append((str(file), result.record))
    if any(p.is_error for p in run.problems):
        return run
    if not any(d.year == year for _, d in loaded):
        found = "、".join(sorted({str(d.year) for _, d in loaded}))
        raise RollupError(f"没有可汇总的{year}年度需求信息表（给出的是 {found} 年度）")
    division = resolve_division(level, division, [d.county for _, d in loaded if d.year == year])
    chosen, run.notes = select_lists(loaded, level, division, year)
    table = merge_demand([d for _, d in chosen], level, division, reporting=reporting)
    run.table = table
    if table.missing and level == "prefecture":
        names = "、".join(name for _, name in table.missing)
        run.notes.append(f"{table.division_name}尚未报送需求信息表的{level_name('county')}（{len(table.missing)}个）：{names}")
    elif table.missing and level == "province":
        from formkit.divisions import all_prefectures, name_on, prefecture_of

        reported = {prefecture_of(c).code for c in table.counties}
        silent = [name_on(p.code, year) for p in all_prefectures() if p.code not in reported]
        run.notes.append(f"尚有 {len(table.missing)} 个{level_name('county')}未报送需求信息表"
                         + (f"；没有任何县报送的州（市）：{'、'.join(silent)}" if silent else ""))
    form = load_form("demand")
    stem = f"{form.short_title}_{safe_name(table.division_name)}_{year}"
    context = demand_context(table, form)
    # Versions (manifest): the same table from the same templates is not rendered again; a
    # changed one supersedes the issued files (moved to superseded/v<N>/).
    from formkit.manifest import FolderManifest, context_hash, template_hash

    manifest = FolderManifest.load(Path(out))
    ctx_hash, tpl_hash = context_hash(context), template_hash(form)
    if manifest.is_current(stem, ctx_hash, tpl_hash, tuple(formats)):
        run.unchanged = True
        return run
    rendered = render_rollup("demand", stem, context, table.dated, tuple(f for f in formats if f != "xlsx"))
    if "xlsx" in formats:
        rendered[f"{stem}.xlsx"] = write_demand_xlsx(table, form)
    manifest.issue(stem=stem, form="demand", ctx_hash=ctx_hash, tpl_hash=tpl_hash, formats=tuple(formats),
                   files=rendered)
    run.written = [Path(out) / name for name in rendered]
    return run


# --------------------------------------------------------------------------- 附件4, 附件5, bundle


@dataclass
class DeclarationRun:
    """What ``run_declaration`` did: the declaration (``None`` if inputs were invalid), files
    written, problems of the records, the bundle's statistics, the exclusions report text."""

    declaration: object | None = None
    written: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    bundle: object | None = None
    report: str = ""
    version: int = 0
    changes: list[str] = field(default_factory=list)
    unchanged: bool = False


def roster_snapshot(decl) -> dict[str, str]:
    """What a declaration lists, person by person (key: record file and name; value: the years
    and 元 claimed now) — compared between versions to say what a regenerated one changed."""
    return {f"{r.name}（{Path(r.entry.source).name if r.entry.source else r.number}）":
            f"{r.years}年 {r.amount}元 考核{r.grades}" for r in decl.rows}


def declaration_changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Lines (Chinese) listing who was added, removed or changed between two roster snapshots."""
    lines = [f"新列入：{k} {after[k]}" for k in sorted(set(after) - set(before))]
    lines += [f"不再列入：{k}（原 {before[k]}）" for k in sorted(set(before) - set(after))]
    lines += [f"变更：{k} {before[k]} → {after[k]}" for k in sorted(set(before) & set(after))
              if before[k] != after[k]]
    return lines


def default_as_of(year: int, today: date | None = None) -> date:
    """The day a declaration for ``year`` is computed on by default: 31 December of ``year``,
    or today if that is earlier (periods not yet complete are then 'not yet due')."""
    today = today or date.today()
    return min(today, date(year, 12, 31))


def run_declaration(cases: Sequence[str | Path], prefecture: str, year: int, out: str | Path, *,
                    as_of: date, formats: tuple[str, ...] = ALL_FORMATS, bundle: bool = True,
                    workers: int | None = None, cache: bool = True,
                    progress: Callable[[int, int], None] | None = None) -> DeclarationRun:
    """The declaration of ``prefecture`` for ``year`` from case records → files in ``out``."""
    from formkit.bundle import PersonJob, temp_folder, write_bundle
    from formkit.declaration import build_declaration, exclusions_report, roster_context, subsidy_context
    from formkit.facts import derive
    from formkit.forms import load_form
    from formkit.load import load_case
    from formkit.plan import safe_name
    from formkit.render.rollup import render_rollup
    from formkit.xlsx import write_roster_xlsx, write_subsidy_xlsx

    run = DeclarationRun()
    files = expand_sources(cases, (".yaml", ".yml"))
    if not files:
        raise UsageError("没有找到案卷记录（.yaml）")
    entries = []
    for file in files:
        loaded = load_case(file)
        run.problems.extend(loaded.problems)
        if loaded.record is None:
            continue
        try:
            entries.append((loaded.record, derive(loaded.record, as_of), str(file)))
        except InvalidValue as exc:
            run.failures.append(f"{file}: {exc}")
    if run.failures or any(p.is_error for p in run.problems):
        return run
    decl = build_declaration(entries, prefecture, year)
    run.declaration = decl
    run.report = exclusions_report(decl)
    folder = Path(out)
    name = safe_name(decl.prefecture_name)
    roster_form, subsidy_form = load_form("roster"), load_form("subsidy")
    roster_stem = f"{roster_form.short_title}_{name}_{year}"
    subsidy_stem = f"{subsidy_form.short_title}_{name}_{year}"
    backends = tuple(f for f in formats if f != "xlsx")
    if bundle and "pdf" not in backends:
        backends += ("pdf",)
    files_out = {
        **render_rollup("roster", roster_stem, roster_context(decl, roster_form), as_of, backends),
        **render_rollup("subsidy", subsidy_stem, subsidy_context(decl, subsidy_form), as_of, backends),
    }
    if "xlsx" in formats:
        files_out[f"{roster_stem}.xlsx"] = write_roster_xlsx(decl, roster_form, as_of)
        files_out[f"{subsidy_stem}.xlsx"] = write_subsidy_xlsx(decl, subsidy_form, as_of)
    head = [(f"{roster_form.attachment} {roster_form.short_title}", files_out[f"{roster_stem}.pdf"]),
            (f"{subsidy_form.attachment} {subsidy_form.short_title}", files_out[f"{subsidy_stem}.pdf"])] \
        if bundle else []  # without the bundle no PDF is rendered unless asked for
    if "pdf" not in formats:
        files_out = {k: v for k, v in files_out.items() if not k.endswith(".pdf")}
    files_out[f"未列入名册人员_{name}_{year}.txt"] = run.report.encode("utf-8")

    # Versions (manifest): an unchanged declaration is not rewritten; a changed one supersedes
    # the issued files (moved to superseded/v<N>/) and says what changed since then.
    import json

    from formkit.manifest import FolderManifest, sha256, template_hash

    manifest = FolderManifest.load(folder)
    key = f"申报_{prefecture}_{year}"
    snapshot = roster_snapshot(decl)
    inputs = sha256(json.dumps({"files": {n: sha256(d) for n, d in sorted(files_out.items())},
                                "rows": snapshot, "bundle": bundle}, ensure_ascii=False).encode("utf-8"))
    old = manifest.documents.get(key)
    snapshot_file = folder / f".{key}.json"
    if old is not None and old.context_hash == inputs and manifest.files_intact(old):
        run.unchanged, run.version = True, old.version
        return run
    if old is not None and snapshot_file.exists():
        run.changes = declaration_changes(json.loads(snapshot_file.read_text("utf-8")), snapshot)
        files_out[f"变更说明_{name}_{year}.txt"] = (
            f"{decl.prefecture_name}{year}年度申报：与第 {old.version} 版相比\n"
            + ("\n".join(run.changes) or "名册人员及金额无变化（仅表格内容或格式更新）") + "\n").encode("utf-8")
    entry = manifest.issue(stem=key, form="declaration", ctx_hash=inputs,
                           tpl_hash=template_hash(roster_form) + template_hash(subsidy_form),
                           formats=tuple(formats), files=files_out)
    run.version = entry.version
    run.written = [folder / n for n in files_out]
    from formkit.write import write_atomic

    write_atomic(snapshot_file, json.dumps(snapshot, ensure_ascii=False, indent=1).encode("utf-8"))
    if bundle:
        target = folder / f"补贴申报材料_{name}_{year}.pdf"
        cache_dir = folder / CACHE_FOLDER / f"bundle-{prefecture}-{year}" if cache else None
        with temp_folder(folder) as tmp:
            jobs = [PersonJob(r.number, r.name, r.entry.case, r.entry.facts,
                              tuple((it.period_start, it.period_end) for it in r.items),
                              str(tmp / f"{r.number:05d}.pdf"),
                              str(Path(r.entry.source).parent) if r.entry.source else None,
                              str(cache_dir) if cache_dir else None)
                    for r in decl.rows]
            run.bundle = write_bundle(target, head, jobs, workers=workers, progress=progress,
                                      title=f"{decl.prefecture_name}{year}年度专业技术人员到基层服务岗位补贴申报材料")
        run.written.append(target)
        data = target.read_bytes()
        entry.files[target.name] = [sha256(data), len(data)]  # superseded with the rest next time
        manifest.save()
    return run
