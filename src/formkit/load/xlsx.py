"""Reading the 附件1 workbook a county reports (openpyxl, imported lazily), and the column
definitions the writer (``formkit.render.xlsx``) shares with it.

第三条 asks the counties to report their demand "同时报送电子文档": the county's 附件1 .xlsx is
that file, and ``read_demand_xlsx`` reads it back into a ``DemandList`` with exactly the
validation of a YAML list (the model, then ``checks.check_demand``): every cell is read as the
text a YAML scalar would be (numbers as their digits, dates as ``YYYY-MM-DD``), and every
problem is placed at its cell as a clerk sees it — ``file.xlsx: 附件1!K6 posts[2].count（需求人数）:
message`` (``Problem.cell``; ``line``/``col`` still hold row and column for ordering). A formula
gives its saved value (none saved: refused, saying so); a cell merged down one column gives its
value to each row it covers (a 乡（镇） over several posts), one merged across columns in the
table is refused. ``read_demand_lists`` also reads the 州(市)/province roll-up formkit writes
back into its counties' lists.

Workbooks written here: Chinese headers; text columns formatted as text (``@``) so ID numbers,
phones and codes are never numbers (no ``5.30102E+17``, leading zeros kept); dates as real
dates shown ``2026年2月26日``; the header frozen; column widths measured on the CJK text (a wide
character counts two); row heights fitted to the wrapped text; print set-up landscape A4, fit
to one page wide, header rows repeated, ``第 N 页 共 M 页`` in the footer. Output is
deterministic: the workbook's created/modified properties are the date passed in (from the
data, never the clock) and the zip members carry fixed times, so the same data give the same
bytes.

Layout of a county's 附件1 sheet (``附件1``), which the reader relies on by *labels*, not fixed
rows: the label cells ``填报单位（盖章）``, ``年度``, ``行政区划代码``, ``填报时间`` above the table and
``填表人``, ``审核人``, ``联系电话`` below it, each value in the cell right after its label; one
header row (found by its column names, in any order); one row per post; ``小计``/``合计`` rows,
whose numbers are computed: a stated one that disagrees with its rows is an error naming both
numbers (a warning with ``accept_computed_total``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from formkit.errors import Problem, Severity
from formkit.load import Loaded, Positions, parse_loc, validate_data
from formkit.load.records import regular_file_problem
from formkit.load.xlsx_guard import Refused, SheetScan, column_letter, inspect_workbook
from formkit.model import DemandList, DemandPost, label_for

__all__ = ["BLANK_DATE", "DEMAND_COLUMNS", "EXCEL_CELL_LIMIT", "MAX_XLSX_BYTES", "Column", "cell_name",
           "load_demand_file", "load_demand_lists", "read_demand_lists", "read_demand_xlsx", "read_table"]

MAX_XLSX_BYTES = 10_000_000
"""A county's table is some tens of KB; a larger file is refused before opening."""

FONT_BODY = "仿宋_GB2312"
FONT_TITLE = "方正小标宋简体"
FONT_HEI = "黑体"
GB2312_CHARSET = 134
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
MONEY_FORMAT = "#,##0.00"
TEXT_FORMAT = "@"
BLANK_DATE = "年　月　日"
EXCEL_CELL_LIMIT = 32767


@dataclass(frozen=True)
class Column:
    """A table column: ``header``, the ``field`` it holds (``None``: derived, not read back), the
    widest it may grow (Excel width units; longer text wraps), alignment, cell kind."""

    header: str
    field: str | None
    cap: float
    align: str = "left"
    kind: str = "text"  # text | int | date | money


DEMAND_COLUMNS: tuple[Column, ...] = (
    Column("序号", None, 6, "center", "int"),
    Column("州（市）", None, 12, "center"),
    Column("县（市、区）", None, 12, "center"),
    Column("乡（镇）", "township", 12, "center"),
    Column("需求单位名称", "unit", 24),
    Column("单位性质", "unit_kind", 9, "center"),
    Column("需求岗位", "post", 16),
    Column("专业要求", "major", 16),
    Column("职称要求", "title_requirement", 9, "center"),
    Column("学历要求", "education", 12),
    Column("需求人数", "count", 7, "center", "int"),
    Column("服务期限（年）", "term_years", 8, "center", "int"),
    Column("工作生活条件", "conditions", 40),
    Column("联系人", "contact", 9, "center"),
    Column("联系电话", "phone", 14, "center"),
    Column("备注", "remarks", 24),
)

# label → DemandList field, above the table (info) and below it (footer)
_INFO_LABELS = {"填报单位（盖章）": "reporting_unit", "填报单位": "reporting_unit", "年度": "year",
                "行政区划代码": "county", "县（市、区）代码": "county", "填报时间": "reported_on"}
_FOOTER_LABELS = {"填表人": "filled_by", "审核人": "reviewed_by", "联系电话": "phone"}


# --------------------------------------------------------------------------- reading


def _norm(text: Any) -> str:
    """A label or header as compared: no whitespace, full-width brackets, no trailing colon."""
    if not isinstance(text, str):
        return ""
    out = re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")
    return out.rstrip("：:")


_HEADER_FIELDS: dict[str, str | None] = {_norm(c.header): c.field for c in DEMAND_COLUMNS}
for _name, _info in DemandPost.model_fields.items():
    _HEADER_FIELDS.setdefault(_norm(_info.title or _name), _name)


def _cell_text(value: Any) -> tuple[str | None, str | None]:
    """A cell as the text a YAML scalar would give (``None`` for an empty cell), and a problem
    message when the cell cannot be read faithfully."""
    if value is None:
        return None, None
    if isinstance(value, _Uncached):
        return None, (f"{value.ref} 是公式，但文件中没有保存计算结果；"
                      "请在 Excel/WPS 中打开并保存后再试，或直接填数值")
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), None
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat(), None
        return value.isoformat(sep=" "), None
    if isinstance(value, date):
        return value.isoformat(), None
    if isinstance(value, int):
        return str(value), None
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:  # past 2**53 too: an ID number typed as a number
            text = str(int(value))
            if abs(value) >= 1e15:
                return text, "长数字以数值存储，末位可能已丢失；请把单元格设为文本格式后重新输入"
            return text, None
        return repr(value), None
    text = str(value)
    if not text.strip():
        return None, None
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def read_table(ws: Any, header_row: int, first: int, last: int) -> list[dict[str, Any]]:
    """Rows ``first``..``last`` of ``ws`` as dicts keyed by the (normalised) header text of
    ``header_row``, raw cell values (for tests and tools; no validation)."""
    headers = {c: _norm(ws.cell(row=header_row, column=c).value) for c in range(1, ws.max_column + 1)}
    return [{h: ws.cell(row=r, column=c).value for c, h in headers.items() if h}
            for r in range(first, last + 1)]


def read_demand_xlsx(path: str | Path, *, accept_computed_total: bool = False) -> Loaded[DemandList]:
    """Read a county's 附件1 .xlsx into a ``DemandList``, validated like a YAML list.

    Never raises for bad input: returns ``Loaded`` with the record (``None`` on any error) and
    every problem placed at its cell (``line`` = row, ``col`` = column number, ``cell`` =
    ``附件1!K6``). A roll-up workbook (州(市) or province level) gives its counties' lists: use
    ``read_demand_lists``; here it is accepted only when it holds one county.
    """
    found = read_demand_lists(path, accept_computed_total=accept_computed_total)
    if found.record is None:
        return Loaded(found.path, None, found.problems)
    if len(found.record) != 1:
        return Loaded(found.path, None, found.problems + (Problem(
            f"这是汇总表，含 {len(found.record)} 个县（市、区）的需求；请用 formkit demand 读取", file=found.path),))
    return Loaded(found.path, found.record[0], found.problems)


def read_demand_lists(path: str | Path, *, accept_computed_total: bool = False) -> Loaded[tuple[DemandList, ...]]:
    """The county lists in a 附件1 .xlsx: one for a county's workbook; one per county for a
    州(市)- or province-level roll-up (the workbook ``formkit demand --level prefecture`` writes:
    行政区划代码 a 州(市) or the province, the 县（市、区） column naming each post's county,
    小计 rows per county and 州(市), the 合计 row).

    Cells are read as a clerk sees them: a formula gives its saved value (a formula without one
    is refused), a cell merged down a column gives its value to every row it covers (a 乡（镇）
    over several posts), a cell merged across columns in the table is refused. A stated 小计 or
    合计 that disagrees with the rows is an error, or a warning with ``accept_computed_total``.
    """
    file = str(path)
    refused = regular_file_problem(path)
    if refused is not None:
        return Loaded(refused.file or file, None, (refused,))
    size = Path(path).stat().st_size
    if size > MAX_XLSX_BYTES:
        return Loaded(file, None, (Problem(f"文件过大（{size:,} 字节，上限 {MAX_XLSX_BYTES:,}）；"
                                           "一份需求信息表只有几十 KB", file=file),))
    try:
        scan = inspect_workbook(file)
    except Refused as exc:
        return Loaded(file, None, (Problem(exc.message, file=file),))
    except OSError as exc:
        return Loaded(file, None, (Problem(f"无法读取文件：{exc.strerror or exc}", file=file),))
    try:
        ws = _Grid.read(file, scan)
    except OSError as exc:
        return Loaded(file, None, (Problem(f"无法读取文件：{exc.strerror or exc}", file=file),))
    except Exception:  # noqa: BLE001 — openpyxl raises many kinds for a damaged workbook
        return Loaded(file, None, (Problem(f"不是可读的 .xlsx 文件：工作表「{scan.name}」无法读取（文件已损坏）；"
                                           "请在 Excel 或 WPS 中打开后另存为 .xlsx 再试", file=file),))
    records, problems = _read_sheet(ws, file, accept_computed_total)
    problems = sorted((_placed(p, scan.name) for p in problems), key=_where)
    ok = records is not None and not any(p.is_error for p in problems)
    return Loaded(file, tuple(records) if ok else None, tuple(problems))


def cell_name(row: int, col: int, sheet: str = "") -> str:
    """``(6, 11)`` → ``K6``; with ``sheet`` → ``附件1!K6`` (the sheet name quoted when it has spaces
    or punctuation, as Excel writes it)."""
    ref = f"{column_letter(col)}{row}"
    if not sheet:
        return ref
    if not re.fullmatch(r"\w+", sheet):
        sheet = "'" + sheet.replace("'", "''") + "'"
    return f"{sheet}!{ref}"


def _placed(p: Problem, sheet: str) -> Problem:
    if p.cell or p.line is None:
        return p
    return replace(p, cell=cell_name(p.line, p.col or 1, sheet))


_PLACEHOLDER = {"filled_by": "—", "reviewed_by": "—", "phone": "0871-65123456"}
"""Values a roll-up may leave blank for ink: they stand in while a county's list is validated
and are then blanked again (a roll-up does not carry its counties' own contact details)."""


def _read_sheet(ws: Any, file: str, accept_total: bool) -> tuple[list[DemandList] | None, list[Problem]]:
    from formkit.load.checks import check_demand

    problems: list[Problem] = []
    header_row = None
    for r in range(1, min(ws.max_row, 30) + 1):
        names = [_norm(ws.cell(row=r, column=c).value) for c in range(1, ws.max_column + 1)]
        if sum(n in _HEADER_FIELDS for n in names) >= 5:
            header_row = r
            break
    if header_row is None:
        return None, [Problem("找不到表头行（应有 乡（镇）、需求单位名称、需求岗位、需求人数 等列）；"
                              "这不是附件1 需求信息表？", file=file, line=1, col=1)]
    columns: dict[int, str] = {}
    place_cols: dict[str, int] = {}
    for c in range(1, ws.max_column + 1):
        name = _norm(ws.cell(row=header_row, column=c).value)
        if not name:
            continue
        if name not in _HEADER_FIELDS:
            problems.append(Problem(f"未知的列「{name}」，读取时忽略", file=file, line=header_row, col=c,
                                    severity=Severity.WARNING))
        elif (field := _HEADER_FIELDS[name]) is not None:
            if field in columns.values():
                problems.append(Problem(f"「{name}」列重复", file=file, line=header_row, col=c))
            columns[c] = field
        elif name in ("县（市、区）", "州（市）"):
            place_cols.setdefault(name, c)
    for name, info in DemandPost.model_fields.items():
        if info.is_required() and name not in columns.values():
            problems.append(Problem(f"缺少「{info.title}」列", path="posts", label=info.title or "",
                                    file=file, line=header_row, col=1))

    # merged cells: down one column below the header, every covered row gets the top-left value;
    # across columns inside the table they cannot be read (refused at their post rows below)
    across: list[Any] = []
    for m in ws.merged_cells.ranges:
        if m.max_row <= header_row or m.min_row <= header_row:
            continue
        if m.min_col == m.max_col:
            ws.fill_down(m.min_row, m.max_row, m.min_col)
        else:
            across.append(m)

    merged_end = {(m.min_row, m.min_col): m.max_col for m in ws.merged_cells.ranges}
    data: dict[str, Any] = {}
    pos = Positions()
    pos.values[()] = (1, 1)
    pos.values[("posts",)] = (header_row, 1)

    def take(field: str, r: int, c: int) -> None:
        pos.values[(field,)] = (r, c)
        text, issue = _cell_text(ws.cell(row=r, column=c).value)
        if issue:
            problems.append(Problem(issue, path=field, label=label_for(DemandList, (field,)), file=file, line=r, col=c))
        if text is not None:
            data[field] = text

    def labels(rows: range, table: dict[str, str]) -> None:
        for r in rows:
            for c in range(1, ws.max_column + 1):
                field = table.get(_norm(ws.cell(row=r, column=c).value))
                if field and field not in data:
                    take(field, r, merged_end.get((r, c), c) + 1)

    labels(range(1, header_row), _INFO_LABELS)
    posts: list[dict[str, str]] = []
    post_rows: list[int] = []
    places: list[tuple[str, str]] = []  # (州（市）, 县（市、区）) as written on each post row
    stated: list[tuple[str, int, int, Any]] = []  # 小计/合计 rows: label, row, column, value
    count_col = next((c for c, f in columns.items() if f == "count"), None)
    r = header_row + 1
    while r <= ws.max_row:
        first = _norm(ws.cell(row=r, column=1).value)
        values = [ws.cell(row=r, column=c).value for c in range(1, ws.max_column + 1)]
        if any(_norm(v) in _FOOTER_LABELS for v in values if isinstance(v, str)):
            break
        if first == "合计" or first.endswith("小计"):
            if count_col is not None:
                stated.append((first, r, count_col, ws.cell(row=r, column=count_col).value))
            r += 1
            if first == "合计":
                break
            continue
        if all(_cell_text(v) == (None, None) for v in values):
            r += 1
            continue
        for m in across:
            if m.min_row <= r <= m.max_row and m.min_row == r:
                problems.append(Problem(f"{cell_name(m.min_row, m.min_col)}:{cell_name(m.max_row, m.max_col)} "
                                        "是跨列合并的单元格，无法确定其内容属于哪一列；请取消合并后分别填写",
                                        file=file, line=m.min_row, col=m.min_col))
        i = len(posts)
        row: dict[str, str] = {}
        pos.values[("posts", i)] = (r, 1)
        for c, field in columns.items():
            pos.values[("posts", i, field)] = (r, c)
            text, issue = _cell_text(ws.cell(row=r, column=c).value)
            if issue:
                problems.append(Problem(issue, path=f"posts[{i}].{field}",
                                        label=label_for(DemandList, ("posts", i, field)), file=file, line=r, col=c))
            if text is not None:
                row[field] = text
        posts.append(row)
        post_rows.append(r)
        places.append(tuple(_norm(ws.cell(row=r, column=place_cols[k]).value) if k in place_cols else ""
                            for k in ("州（市）", "县（市、区）")))
        r += 1
    labels(range(r, ws.max_row + 1), _FOOTER_LABELS)
    for field in ("reporting_unit", "year", "county", "reported_on", "filled_by", "reviewed_by", "phone"):
        if field not in data and (field,) not in pos.values:
            pos.values[(field,)] = (header_row - 1 if field in _INFO_LABELS.values() else r, 1)
    if any(p.is_error for p in problems):
        return None, problems

    # a roll-up: 行政区划代码 a 州(市) or the province, and 小计 rows (a county's own sheet with a
    # 州(市) code typed by mistake has none: it is validated, and refused, as a county's list)
    scope = _rollup_scope(data.get("county")) if any(label.endswith("小计") for label, *_ in stated) else None
    if scope is None:  # a county's own list
        data["posts"] = posts
        parts = [(data, pos, False)]
    else:
        parts = _split_rollup(data, posts, post_rows, places, pos, scope, ws.created, file, problems)
        if parts is None:
            return None, problems
    records: list[DemandList] = []
    for part, part_pos, blanks in parts:
        record, found = validate_data(part, DemandList, part_pos, file)
        problems += found
        if record is None:
            continue
        for p in check_demand(record):
            loc = parse_loc(p.path)
            line, col = part_pos.find(loc)
            problems.append(Problem(p.message, path=p.path, label=p.label or label_for(DemandList, loc),
                                    file=file, line=line, col=col, severity=p.severity))
        if blanks:
            record = record.model_copy(update={f: "" for f in blanks})
        records.append(record)
    if any(p.is_error for p in problems) or len(records) != len(parts):
        return None, problems
    problems += _check_totals(records, stated, file, accept_total)
    return records, problems


def _rollup_scope(code: Any) -> str | None:
    """The 州(市) or province a roll-up's 行政区划代码 names; ``None`` for anything else (a county's
    list, whose code is then validated as a county's)."""
    from formkit.reference.divisions import current

    if not isinstance(code, str):
        return None
    try:
        division = current(code.strip())
    except Exception:  # noqa: BLE001 — not a known code: validated (and reported) as a county list
        return None
    return division.code if division.level in ("prefecture", "province") else None


def _split_rollup(data: dict[str, Any], posts: list[dict[str, str]], rows: list[int],
                  places: list[tuple[str, str]], pos: Positions, scope: str, created: date | None,
                  file: str, problems: list[Problem]) -> list[tuple[dict[str, Any], Positions, tuple[str, ...]]] | None:
    """A roll-up's posts back into per-county lists (county named in the 县（市、区） column, looked
    up among the counties of ``scope`` by the year's names). The roll-up's 填报单位 and year go to
    every list; 填报时间 is the roll-up's, or (left blank for ink) the date formkit stamps into the
    workbook (the latest of the counties' 填报时间)."""
    from formkit.reference.divisions import all_prefectures, counties_of, name_on

    try:
        year = int(str(data.get("year", "")))
    except ValueError:
        year = None
    prefectures = [scope] if scope != "530000" else [p.code for p in all_prefectures()]
    names: dict[tuple[str, str], str] = {}
    for pref in prefectures:
        for d in counties_of(pref):
            county_name = name_on(d.code, year) if year else d.name
            pref_name = name_on(pref, year) if year else pref
            names[(pref_name, county_name)] = d.code
            names.setdefault(("", county_name), d.code)
    by_county: dict[str, list[int]] = {}
    for i, (pref_name, county_name) in enumerate(places):
        code = names.get((pref_name, county_name)) or names.get(("", county_name))
        if code is None:
            col = pos.values[("posts", i, next(iter(posts[i]), "township"))][1] if posts[i] else 1
            problems.append(Problem(f"县（市、区）「{county_name or '（空）'}」不是{name_on(scope, year or 2026)}的县（市、区）；"
                                    "汇总表每一行都应写明所属县（市、区）", file=file, line=rows[i], col=col))
            continue
        by_county.setdefault(code, []).append(i)
    if problems and any(p.is_error for p in problems):
        return None
    if not by_county:
        problems.append(Problem("汇总表中没有岗位行", file=file, line=pos.values[("posts",)][0], col=1))
        return None
    parts = []
    for code, indexes in by_county.items():
        part = {k: v for k, v in data.items() if k != "posts"}
        part["county"] = code
        if "reported_on" not in part and created is not None:
            part["reported_on"] = created.isoformat()
        blanks = tuple(f for f in _PLACEHOLDER if f not in part)
        part.update({f: _PLACEHOLDER[f] for f in blanks})
        part["posts"] = [posts[i] for i in indexes]
        part_pos = Positions(values={k: v for k, v in pos.values.items() if k[:1] != ("posts",) or len(k) == 1})
        for j, i in enumerate(indexes):
            for k, v in pos.values.items():
                if k[:2] == ("posts", i):
                    part_pos.values[("posts", j, *k[2:])] = v
        parts.append((part, part_pos, blanks))
    return parts


def _check_totals(records: list[DemandList], stated: list[tuple[str, int, int, Any]], file: str,
                  accept: bool) -> list[Problem]:
    """Each stated 小计/合计 against the sum of its rows: an error naming both numbers, or with
    ``--accept-computed-total`` a warning (the computed sum is used: totals are always computed)."""
    from formkit.reference.divisions import name_on, prefecture_of

    sums: dict[str, int] = {"合计": 0}
    for d in records:
        n = sum(p.count for p in d.posts)
        sums["合计"] += n
        county, pref = name_on(d.county, d.year), name_on(prefecture_of(d.county).code, d.year)
        sums[f"{county}小计"] = sums.get(f"{county}小计", 0) + n
        sums[f"{pref}小计"] = sums.get(f"{pref}小计", 0) + n
    out = []
    for label, r, c, value in stated:
        if label not in sums:
            continue
        computed = sums[label]
        if isinstance(value, _Uncached):  # e.g. the blank workbook's =SUM(…) never computed: says nothing
            continue
        written, _ = _cell_text(value)
        if written is None or written == str(computed):
            continue
        if accept:
            out.append(Problem(f"{label} {written} 与各行之和 {computed} 不符；已按要求采用各行之和 {computed}",
                               file=file, line=r, col=c, severity=Severity.WARNING))
        else:
            out.append(Problem(f"{label} {written} 与各行之和 {computed} 不符；请改正{label}"
                               f"（汇总时也可选择采用各行之和）", file=file, line=r, col=c))
    return out


class _Uncached:
    """A formula cell without a saved value (``SheetScan.uncached``)."""

    __slots__ = ("ref",)

    def __init__(self, ref: str):
        self.ref = ref


class _Cell:
    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


class _Range:
    __slots__ = ("min_row", "min_col", "max_row", "max_col")

    def __init__(self, min_row: int, min_col: int, max_row: int, max_col: int):
        self.min_row, self.min_col, self.max_row, self.max_col = min_row, min_col, max_row, max_col


class _Grid:
    """The sheet's values, read once in openpyxl's read-only mode within the bounds the guard
    measured (never the sheet's own claim of its size), with ``cell``/``max_row``/``max_column``
    /``merged_cells.ranges`` like an openpyxl worksheet."""

    def __init__(self, values: dict[tuple[int, int], Any], max_row: int, max_col: int,
                 merged: list[tuple[int, int, int, int]], created: date | None = None):
        self._values = values
        self.created = created
        self.max_row, self.max_column = max_row, max_col
        self.merged_cells = type("Merged", (), {"ranges": [_Range(*m) for m in merged]})()

    def cell(self, row: int, column: int) -> _Cell:
        return _Cell(self._values.get((row, column)))

    def fill_down(self, first: int, last: int, column: int) -> None:
        """A cell merged over rows ``first``..``last`` of ``column``: each row gets its value."""
        top = self._values.get((first, column))
        for r in range(first + 1, last + 1):
            if top is None:
                self._values.pop((r, column), None)
            else:
                self._values[(r, column)] = top

    @classmethod
    def read(cls, file: str, scan: SheetScan) -> _Grid:
        from openpyxl import load_workbook

        values: dict[tuple[int, int], Any] = {}
        created = None
        if scan.max_row and scan.max_col:
            wb = load_workbook(file, read_only=True, data_only=True)
            try:
                ws = wb[scan.name]
                for r, row in enumerate(ws.iter_rows(min_row=1, max_row=scan.max_row, min_col=1,
                                                     max_col=scan.max_col, values_only=True), start=1):
                    for c, value in enumerate(row, start=1):
                        if value is not None:
                            values[(r, c)] = value
                stamp = wb.properties.created
                created = stamp.date() if isinstance(stamp, datetime) else None
            finally:
                wb.close()
        for r, c in scan.uncached:
            if (r, c) not in values:
                values[(r, c)] = _Uncached(cell_name(r, c))
        return cls(values, max(scan.max_row, 1), max(scan.max_col, 1), scan.merged, created)


def _where(p: Problem) -> tuple[int, int]:
    return (p.line or 0, p.col or 0)


def load_demand_file(path: str | Path, *, accept_computed_total: bool = False) -> Loaded[DemandList]:
    """A county demand list from a YAML file or an .xlsx (by suffix), validated either way."""
    from formkit.load import load_demand

    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        return read_demand_xlsx(path, accept_computed_total=accept_computed_total)
    if suffix in (".xls", ".et", ".ods", ".csv"):
        return Loaded(str(path), None, (Problem(f"不支持 {suffix} 文件；请在 Excel 或 WPS 中另存为 .xlsx", file=str(path)),))
    return load_demand(path)


def load_demand_lists(path: str | Path, *, accept_computed_total: bool = False) -> Loaded[tuple[DemandList, ...]]:
    """The county lists of a file: a YAML list, a county's .xlsx, or a roll-up .xlsx (one list per
    county in it, see ``read_demand_lists``)."""
    if Path(path).suffix.lower() == ".xlsx":
        return read_demand_lists(path, accept_computed_total=accept_computed_total)
    one = load_demand_file(path)
    return Loaded(one.path, None if one.record is None else (one.record,), one.problems)
