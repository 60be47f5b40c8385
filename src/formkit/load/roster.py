"""The people roster (名单): one row per person, read into partial case records.

A roster holds the fields of a case record that fit one row per person — every single-line field
of 申请人基本情况, 现工作单位, 职称及执业资格, 服务单位及岗位 and the dates of 服务协议 — and
none of the free-text parts (学习及工作简历, 主要专业技术工作业绩, 到基层服务工作计划, the
agreement's duties), which a clerk writes later on the desk; so a person imported from a roster
is a draft until those are written. The columns are derived from ``formkit.model`` (one column
per field, headed by its Chinese label — the ``name`` of a unit section by the section's title,
``现工作单位`` — with the choices the model allows as drop-downs) and the explanation of each
column is the field's comment in ``new_case.yaml``: one source for both.

``read_roster(path)`` reads a roster workbook (the sheet ``名单``, else the first sheet) through the
same guard and cell reading as a county's 附件1 (``formkit.load.xlsx``), finds the header row by its
labels, and checks every row with the model and the cross-field checks of ``formkit check`` —
never a copy of the rules. Each problem names its cell as the clerk sees it and the column:
``名单.xlsx: 名单!F6 公民身份号码（公民身份号码）: 校验码不符…``; all of them, in one pass.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from formkit.errors import Problem, Severity
from formkit.model import EDUCATION_LEVELS, Case

ROSTER_SHEET = "名单"
"""The roster's sheet (the writer names it so; the reader prefers it, else takes the first)."""

ROSTER_SECTIONS = ("applicant", "home_unit", "qualification", "service", "agreement")
"""The sections of a case record whose single-line fields are roster columns."""

LEFT_OUT = frozenset({("applicant", "photo")})
"""Single-line fields that are not typed in a roster: the photo is a file next to the record."""

IDENTITY = (("applicant", "name"), ("applicant", "id_number"))
"""Fields every roster row must fill: who the person is (the record's file name, and whether
the person already has a record)."""

FILLER: dict[str, Any] = {"resume": [{"start": "1900-01", "unit": "—", "position": "—"}],
                          "achievements": "—", "service_plan": "—"}
"""Stand-ins for the parts a roster does not hold, so that the cross-field checks of the
roster's own fields can run on a row; problems they cause themselves are dropped."""


@dataclass(frozen=True)
class RosterColumn:
    """One roster column: ``header`` as printed, the field's ``path`` (section, field), its
    model ``label``, whether the model requires it, the ``choices`` offered as a drop-down
    (``strict``: only those are valid), ``kind`` (``text``, ``year_month``, ``date``: how a date a
    spreadsheet typed is read back), and the comment of the field in ``new_case.yaml``."""

    header: str
    path: tuple[str, str]
    label: str
    required: bool
    choices: tuple[str, ...] = ()
    strict: bool = False
    kind: str = "text"
    note: str = ""
    width: float = 12.0
    """Column width in Excel units, for what the field holds (an 18-character code is wide)."""


def _funcs(info: Any) -> set[str]:
    """Names of the validator functions of a model field (also inside ``X | None``)."""
    names: set[str] = set()

    def visit(meta: Any) -> None:
        func = getattr(meta, "func", None)
        if func is not None:
            names.add(func.__name__)

    for meta in info.metadata:
        visit(meta)
    for arg in typing.get_args(info.annotation):
        if typing.get_origin(arg) is typing.Annotated:
            for meta in arg.__metadata__:
                visit(meta)
    return names


def _choices(schema: dict[str, Any], defs: dict[str, Any]) -> tuple[str, ...]:
    for option in schema.get("anyOf", [schema]):
        if "$ref" in option:
            option = defs.get(option["$ref"].rsplit("/", 1)[-1], {})
        if "enum" in option:
            return tuple(option["enum"])
    return ()


def _note(section: str, name: str) -> str:
    """The comment above the field in ``new_case.yaml`` (without ``#``), as one paragraph."""
    from formkit.load.write import _layout

    info = _layout().fields.get((section, name))
    if info is None:
        return ""
    lines = [ln.strip().lstrip("#").strip() for ln in info.leading if ln.strip().startswith("#")]
    text = "".join(ln for ln in lines if ln and not set(ln) <= {"-", "="})
    # what is said of YAML text only (delete the line, quotes, placeholders) does not apply to a cell
    clauses = re.split(r"(?<=[。；])", text)
    return "".join(c for c in clauses if not re.search(r"本行|引号|占位", c)).rstrip("；")


@lru_cache(maxsize=1)
def roster_columns() -> tuple[RosterColumn, ...]:
    """The roster's columns, in the order of the record (附件2's), derived from the model."""
    out = []
    for section in ROSTER_SECTIONS:
        info = Case.model_fields[section]
        model = info.annotation
        schema = model.model_json_schema()
        for name, f in model.model_fields.items():
            funcs = _funcs(f)
            if (section, name) in LEFT_OUT or "_para" in funcs or typing.get_origin(f.annotation) is tuple:
                continue
            choices, strict = _choices(schema["properties"][name], schema.get("$defs", {})), True
            if (section, name) == ("applicant", "education"):
                choices, strict = EDUCATION_LEVELS, False
            header = info.title if name == "name" and section != "applicant" else f.title
            kind = "year_month" if "_year_month" in funcs else "date" if "_date" in funcs else "text"
            width = 22.0 if funcs & {"_id_number", "_credit_code"} else 14.0 if kind != "text" else 12.0
            out.append(RosterColumn(header, (section, name), f.title or name, f.is_required(), choices, strict,
                                    kind, _note(section, name), width))
    headers = [c.header for c in out]
    assert len(set(headers)) == len(headers), headers  # each column is found by its header
    return tuple(out)


# --------------------------------------------------------------------------- reading


@dataclass
class RosterRow:
    """One person's row: the sheet ``row``, the partial record ``data`` (nested like a case
    record, text values, blank cells absent), the cell of each field (``cells``), and the
    problems of the row (each at its cell)."""

    row: int
    data: dict[str, Any]
    file: str = ""
    cells: dict[tuple[str, str], str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    @property
    def missing(self) -> tuple[str, ...]:
        """Labels of the record's required parts the row leaves blank (roster columns first)."""
        out = [c.header for c in roster_columns() if c.required and c.path[1] not in self.data.get(c.path[0], {})]
        return tuple(out + [Case.model_fields[k].title for k in FILLER])


@dataclass
class Roster:
    """A roster read: its ``rows`` (with problems), problems of the file itself, the sheet."""

    path: str
    sheet: str = ROSTER_SHEET
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def all_problems(self) -> list[Problem]:
        return self.problems + [p for r in self.rows for p in r.problems]


def _norm(text: Any) -> str:
    from formkit.load.xlsx import _norm as norm

    return norm(text)


def read_roster(path: str | Path, *, shown_as: str | None = None) -> Roster:
    """Read and check a roster workbook (see the module docstring). Never raises for bad input:
    problems of the file (not a workbook, too large, no header row, missing columns) are in
    ``Roster.problems``, those of a row in its ``RosterRow.problems``. ``shown_as`` names the
    file in problems (an uploaded file's own name instead of where it was stored)."""
    from formkit.load.records import regular_file_problem
    from formkit.load.xlsx import MAX_XLSX_BYTES, _Grid
    from formkit.load.xlsx_guard import Refused, inspect_workbook

    file = str(path)
    roster = Roster(shown_as or file)
    suffix = Path(path).suffix.lower()
    if suffix in (".xls", ".et", ".ods", ".csv"):
        roster.problems.append(Problem(f"不支持 {suffix} 文件；请在 Excel 或 WPS 中另存为 .xlsx", file=roster.path))
        return roster
    refused = regular_file_problem(path)
    if refused is not None:
        roster.problems.append(Problem(refused.message, file=roster.path))
        return roster
    size = Path(path).stat().st_size
    if size > MAX_XLSX_BYTES:
        roster.problems.append(Problem(f"文件过大（{size:,} 字节，上限 {MAX_XLSX_BYTES:,}）", file=roster.path))
        return roster
    try:
        scan = inspect_workbook(file, prefer=ROSTER_SHEET, document="人员名单")
        grid = _Grid.read(file, scan)
    except Refused as exc:
        roster.problems.append(Problem(exc.message, file=roster.path))
        return roster
    except OSError as exc:
        roster.problems.append(Problem(f"无法读取文件：{exc.strerror or exc}", file=roster.path))
        return roster
    except Exception:  # noqa: BLE001 — openpyxl raises many kinds for a damaged workbook
        roster.problems.append(Problem("不是可读的 .xlsx 文件（文件已损坏）；请在 Excel 或 WPS 中打开后另存为 .xlsx 再试",
                                       file=roster.path))
        return roster
    roster.sheet = scan.name
    _read_rows(grid, roster)
    return roster


def _read_rows(ws: Any, roster: Roster) -> None:
    from formkit.load.xlsx import cell_name

    file, sheet = roster.path, roster.sheet
    by_header = {_norm(c.header): c for c in roster_columns()}
    by_header.update({_norm(c.label): c for c in roster_columns() if _norm(c.label) not in by_header})
    header_row = None
    for r in range(1, min(ws.max_row, 20) + 1):
        if sum(_norm(ws.cell(row=r, column=c).value) in by_header for c in range(1, ws.max_column + 1)) >= 3:
            header_row = r
            break
    if header_row is None:
        roster.problems.append(Problem(f"工作表「{sheet}」中找不到表头行（应有 姓名、性别、公民身份号码 等列）；"
                                       "请用 formkit new roster 生成的名单模板填写", file=file))
        return
    columns: dict[int, RosterColumn] = {}
    for c in range(1, ws.max_column + 1):
        name = _norm(ws.cell(row=header_row, column=c).value)
        if not name:
            continue
        column = by_header.get(name)
        where = cell_name(header_row, c, sheet)
        if column is None:
            roster.problems.append(Problem(f"未知的列「{name}」，导入时忽略", file=file, line=header_row, col=c,
                                           cell=where, severity=Severity.WARNING))
        elif column in columns.values():
            roster.problems.append(Problem(f"「{column.header}」列重复", file=file, line=header_row, col=c, cell=where))
        else:
            columns[c] = column
    for column in roster_columns():
        if column.path in IDENTITY and column not in columns.values():
            roster.problems.append(Problem(f"缺少「{column.header}」列：每一行都要靠它确定是谁", file=file,
                                           line=header_row, col=1, cell=cell_name(header_row, 1, sheet)))
    if any(p.is_error for p in roster.problems):
        return
    for r in range(header_row + 1, ws.max_row + 1):
        row = _read_row(ws, r, columns, file, sheet)
        if row is not None:
            roster.rows.append(row)
    _check_duplicates(roster, columns)


def _cell_value(value: Any, kind: str) -> tuple[str | None, str | None]:
    """A cell as the text a record holds (``formkit.load.xlsx._cell_text``), a date a spreadsheet
    typed shown as the field needs it (``1985-03`` for a year-month)."""
    from formkit.load.xlsx import _cell_text

    if isinstance(value, (date, datetime)) and kind == "year_month":
        return f"{value.year:04d}-{value.month:02d}", None
    if isinstance(value, datetime) and kind == "date":
        return value.date().isoformat(), None
    text, issue = _cell_text(value)
    if text is not None:
        text = text.strip()  # every roster column is a single-line field: blanks around it are not part of it
    return text or None, issue


def _read_row(ws: Any, r: int, columns: dict[int, RosterColumn], file: str, sheet: str) -> RosterRow | None:
    from formkit.load.xlsx import cell_name

    row = RosterRow(r, {}, file)
    for c, column in columns.items():
        section, name = column.path
        row.cells[column.path] = cell_name(r, c, sheet)
        text, issue = _cell_value(ws.cell(row=r, column=c).value, column.kind)
        if issue:
            row.problems.append(problem_at(issue, column, row))
        if text is not None:
            row.data.setdefault(section, {})[name] = text
    if not row.data and not row.problems:
        return None  # an empty row
    _check_row(row)
    return row


def problem_at(message: str, column: RosterColumn | None, row: RosterRow,
             severity: Severity = Severity.ERROR) -> Problem:
    """A problem at the cell of ``column`` in ``row`` (at the row's first cell when no column),
    named by the column's header and the field's label: ``名单!F6 公民身份号码（公民身份号码）``."""
    cell = row.cells.get(column.path) if column else next(iter(row.cells.values()), None)
    col = 1
    if cell:
        letters = re.match(r"(?:.*!)?([A-Z]+)", cell)[1]
        col = sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(letters)))
    return Problem(message, path=column.header if column else "", label=column.label if column else "",
                   file=row.file, line=row.row, col=col, cell=cell, severity=severity)


def column_of(path: str) -> RosterColumn | None:
    """The roster column of a record's field path (``applicant.mobile``); for a fault of a whole
    section, its first column; ``None`` for a field no column holds."""
    from formkit.load.records import parse_loc

    loc = parse_loc(path)
    for column in roster_columns():
        if tuple(loc[:2]) == column.path:
            return column
    if len(loc) == 1 and loc[0] in ROSTER_SECTIONS:  # a fault of the section (职称和执业资格至少填写一项)
        return next(c for c in roster_columns() if c.path[0] == loc[0])
    return None


def _check_row(row: RosterRow) -> None:
    """Every problem of one row: each field by the model; blank identity cells; then, when every
    required roster field is valid, the cross-field checks of ``formkit check`` on the row."""
    from formkit.load.checks import check_case
    from formkit.load.records import MISSING_MESSAGE, Positions, validate_data

    _, problems = validate_data(row.data, Case, Positions(), "")
    complete = True
    for p in problems:
        column = column_of(p.path)
        if p.message == MISSING_MESSAGE:
            if column is None:
                continue  # a part the roster does not hold (简历, 业绩…): the FILLER stands in for it
            complete = False
            if column.path in IDENTITY:
                row.problems.append(problem_at("此格为空：每一行都要填写，以确定是谁", column, row))
            continue
        if column is None:
            continue
        if any(q.path == column.header for q in row.problems):
            continue  # the cell's reading problem was said already
        row.problems.append(problem_at(p.message, column, row, p.severity))
    if not complete or any(p.is_error for p in row.problems):
        return
    case = Case.model_validate({**row.data, **FILLER})
    for p in check_case(case):
        column = column_of(p.path)
        if column is not None:
            row.problems.append(problem_at(p.message, column, row, p.severity))


def _check_duplicates(roster: Roster, columns: dict[int, RosterColumn]) -> None:
    """Two rows with one 公民身份号码: the later rows are refused, naming the first."""
    from formkit.validators import parse_id_number

    id_column = next(c for c in columns.values() if c.path == ("applicant", "id_number"))
    first: dict[str, RosterRow] = {}
    for row in roster.rows:
        raw = row.data.get("applicant", {}).get("id_number")
        try:
            number = parse_id_number(raw).number if raw else None
        except ValueError:
            number = None
        if number is None:
            continue
        if number in first:
            row.problems.append(problem_at(f"与第 {first[number].row} 行是同一个公民身份号码：一人只填一行",
                                         id_column, row))
        else:
            first[number] = row


__all__ = ["FILLER", "IDENTITY", "ROSTER_SHEET", "Roster", "RosterColumn", "RosterRow", "column_of", "problem_at",
           "read_roster", "roster_columns"]
