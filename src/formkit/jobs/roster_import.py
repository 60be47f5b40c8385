"""Excel import of people: a roster workbook (``formkit new roster``) → one YAML case record per
person in the data folder, planned first, written only when confirmed.

``plan_import(xlsx, data_dir)`` reads and checks the roster (``formkit.load.roster``) and finds,
for each row, the person's record among the data folder's case records by 公民身份号码:

- ``new``: no record yet → a new file ``<cases>/<拼音>.yaml`` (the name in pinyin, made safe by
  ``formkit.safe_names``; ``-2``, ``-3``… when the name is taken — another person's file is never
  overwritten). It lacks the free-text parts a roster does not hold, so it is saved as a draft.
- ``update``: a record with the same number exists → the row's filled cells replace those fields
  (blank cells change nothing), shown field by field as ``formkit diff`` shows a change (masked);
  the record stays a draft or a record as it was; an update that would make a valid record
  invalid is refused at the row instead.
- ``unchanged``: the record already holds every filled cell.
- ``error``: the row's problems, each at its cell (``名单!F6 公民身份号码（公民身份号码）: …``).

``apply_import(plan)`` writes the new and updated records with ``formkit.load.write.save_case``
(atomic; refused if a file changed since the plan was made) — and nothing at all when any row
or the file has an error. ``<cases>`` is ``DATA_DIR/cases`` when that folder exists, else
``DATA_DIR``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formkit.errors import DataError, Problem, UsageError


@dataclass(frozen=True)
class ImportRow:
    """What importing one roster row does: ``action`` is ``new``, ``update``, ``unchanged`` or
    ``error``; ``row`` the sheet row; ``name`` and ``id_masked`` who it is (ID masked); ``path``
    the record file written or updated; ``data`` the record to save; ``draft`` whether it is
    saved as a draft; ``expected_sha256`` the file's hash when planned (``None``: a new file);
    ``changes`` lines saying what an update changes; ``missing`` the labels still to fill in;
    ``problems`` the row's problems (errors and warnings), each at its cell."""

    row: int
    action: str
    name: str = ""
    id_masked: str = ""
    path: Path | None = None
    data: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    draft: bool = False
    expected_sha256: str | None = None
    changes: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class ImportPlan:
    """The plan of one roster import: ``rows`` in sheet order and ``problems`` of the file
    itself; ``ok`` when nothing is in error (then ``apply_import`` may write)."""

    source: Path
    data_dir: Path
    cases_dir: Path
    sheet: str
    rows: tuple[ImportRow, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error] + [p for r in self.rows for p in r.problems if p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(r.action == action for r in self.rows)

    def summary(self) -> str:
        """``名单 12 行：新建 10（其中草稿 10），更新 1，无变化 0，有误 1``."""
        drafts = sum(r.draft for r in self.rows if r.action == "new")
        return (f"{self.sheet} {len(self.rows)} 行：新建 {self.count('new')}（其中草稿 {drafts}），"
                f"更新 {self.count('update')}，无变化 {self.count('unchanged')}，有误 {self.count('error')}")


def cases_folder(data_dir: Path) -> Path:
    """Where new records go: ``DATA_DIR/cases`` when it exists, else ``DATA_DIR``."""
    return data_dir / "cases" if (data_dir / "cases").is_dir() else data_dir


def _existing(data_dir: Path, numbers: set[str]) -> tuple[dict[str, Path], list[Problem]]:
    """The case records under ``data_dir`` (drafts and refused records included) whose valid
    公民身份号码 is one of ``numbers``, by number; two files with one number are a problem (the
    import cannot tell which to update). Only files holding one of the numbers as text are loaded."""
    from formkit.load import load_case, record_files, record_kind
    from formkit.load.records import checked_id_number

    by_id: dict[str, Path] = {}
    problems: list[Problem] = []
    if not data_dir.exists() or not numbers:
        return by_id, problems
    wanted = [n[:17].encode("ascii") for n in numbers]  # a file may write the check character as x
    for path in record_files([data_dir]):
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        if not any(n in raw for n in wanted) or record_kind(path) != "case":
            continue
        number = checked_id_number(load_case(path))
        if number is None:
            continue
        if number in by_id:
            problems.append(Problem(f"{by_id[number]} 与 {path} 是同一个公民身份号码：请先合并为一份记录（formkit check）",
                                    file=str(path)))
        by_id.setdefault(number, path)
    return by_id, problems


def file_stem(name: str) -> str:
    """A record file's stem for a person's name: the name in pinyin joined by ``-`` (马俊 →
    ``ma-jun``; a character without a reading kept as it is), made safe by ``safe_name``."""
    from pypinyin import lazy_pinyin

    from formkit.safe_names import safe_name

    parts = [p.strip().lower() for p in lazy_pinyin(name, errors=lambda chars: list(chars)) if p.strip()]
    return safe_name("-".join(parts).replace("·", "-").replace("--", "-"))


def plan_import(xlsx_path: str | Path, data_dir: str | Path, *, shown_as: str | None = None) -> ImportPlan:
    """Read ``xlsx_path`` (a roster) and plan what importing it into ``data_dir`` does, row by
    row (see the module docstring). Writes nothing. Raises ``UsageError`` when ``xlsx_path``
    does not exist; every problem of the workbook or a row is in the plan. ``shown_as`` names the
    workbook in problems (an upload's own file name)."""
    from formkit.load.records import parse_yaml
    from formkit.load.roster import read_roster
    from formkit.load.write import sha256_of
    from formkit.privacy import mask_id_number
    from formkit.safe_names import inside
    from formkit.validators import parse_id_number

    source, data_dir = Path(xlsx_path), Path(data_dir)
    if not source.exists():
        raise UsageError(f"找不到文件：{source}")
    cases_dir = cases_folder(data_dir)
    roster = read_roster(source, shown_as=shown_as)
    numbers = set()
    for r in roster.rows:
        try:
            numbers.add(parse_id_number(r.data.get("applicant", {}).get("id_number", "")).number)
        except (ValueError, TypeError):
            pass
    by_id, folder_problems = _existing(data_dir, numbers)
    taken = {p.stem for p in cases_dir.glob("*.y*ml")} if cases_dir.is_dir() else set()
    rows = []
    for r in roster.rows:
        applicant = r.data.get("applicant", {})
        name = applicant.get("name", "")
        raw_id = applicant.get("id_number", "")
        try:
            number = parse_id_number(raw_id).number
        except (ValueError, TypeError):
            number = None
        masked = mask_id_number(number) if number else ""
        if not r.ok:
            rows.append(ImportRow(r.row, "error", name, masked, problems=tuple(r.problems)))
            continue
        existing = by_id.get(number) if number else None
        if existing is None:
            stem = file_stem(name)
            unique, k = stem, 1
            while unique in taken:
                k += 1
                unique = f"{stem}-{k}"
            taken.add(unique)
            rows.append(ImportRow(r.row, "new", name, masked, inside(cases_dir, f"{unique}.yaml"), r.data, True, None,
                                  missing=r.missing, problems=tuple(r.problems)))
            continue
        rows.append(_update(r, name, masked, existing, parse_yaml, sha256_of))
    return ImportPlan(source, data_dir, cases_dir, roster.sheet, tuple(rows),
                      tuple(roster.problems) + tuple(folder_problems))


def _update(r: Any, name: str, masked: str, existing: Path, parse_yaml: Any, sha256_of: Any) -> ImportRow:
    """The plan of a row whose person has a record: the merged record and what changes."""
    from formkit.jobs.diff import field_change
    from formkit.load.records import check_case_bytes, draft_marked, parse_loc
    from formkit.load.roster import column_of, problem_at
    from formkit.load.write import case_text
    from formkit.model import Case, flatten, label_for

    raw = existing.read_bytes()
    held, _, problems = parse_yaml(raw, str(existing))
    if problems or not isinstance(held, dict):
        return ImportRow(r.row, "error", name, masked, existing, problems=(Problem(
            f"此人已有记录 {existing}，但该文件无法读取（先用 formkit check 改正）", file=r.file, line=r.row,
            col=1, cell=next(iter(r.cells.values()), None)),))
    merged = copy.deepcopy(held)
    for section, values in r.data.items():
        if not isinstance(merged.get(section), dict):
            merged[section] = {}
        merged[section].update(values)
    before, after = flatten(held), flatten(merged)
    changes = []
    for key, value in after.items():
        if before.get(key) != value:
            changes += field_change(f"{label_for(Case, parse_loc(key))}", before.get(key, "（无）"), value)
    draft = draft_marked(raw)
    expected = sha256_of(existing)
    if not changes:
        return ImportRow(r.row, "unchanged", name, masked, existing, held, draft, expected)
    was_ok = not draft and check_case_bytes(raw, str(existing)).ok
    checked = check_case_bytes(case_text(merged).encode("utf-8"), str(existing))
    if was_ok and not checked.ok:  # never turn a finished record into a faulty one
        found = []
        for p in checked.errors:
            column = column_of(p.path)
            message = f"更新后此人的记录 {existing.name} 将有误：{p.message}"
            found.append(problem_at(message, column, r) if column else Problem(
                f"{message}（{p.path}）", file=r.file, line=r.row, col=1, cell=next(iter(r.cells.values()), None)))
        return ImportRow(r.row, "error", name, masked, existing, problems=tuple(found))
    return ImportRow(r.row, "update", name, masked, existing, merged, draft or not checked.ok, expected,
                     tuple(changes), problems=tuple(r.problems))


def apply_import(plan: ImportPlan) -> list[Any]:
    """Write what ``plan`` says (new and updated records; ``unchanged`` rows are left alone), each
    with ``save_case`` against the hash the plan saw. Returns the ``SaveResult`` of each file
    written. Raises ``DataError`` (nothing written) when the plan has an error, and
    ``formkit.load.write.RecordChanged`` when a record file changed since the plan was made
    (the files before it are written; importing again shows the rest as new or unchanged)."""
    from formkit.load.write import save_case

    if not plan.ok:
        raise DataError(f"名单有 {len(plan.errors)} 处错误，未写入任何文件；请改正后重新导入")
    results = []
    for row in plan.rows:
        if row.action not in ("new", "update") or row.path is None or row.data is None:
            continue
        results.append(save_case(row.path, row.data, expected_sha256=row.expected_sha256, draft=row.draft))
    return results


__all__ = ["ImportPlan", "ImportRow", "apply_import", "cases_folder", "file_stem", "plan_import"]
