"""Excel workbooks of the roll-ups (openpyxl, imported lazily): 附件1 written and read back,
附件4 and 附件5 written.

第三条 asks the counties to report their demand "同时报送电子文档": the county's 附件1 .xlsx is
that file, and ``read_demand_xlsx`` reads it back into a ``DemandList`` with exactly the
validation of a YAML list (the model, then ``checks.check_demand``): every cell is read as the
text a YAML scalar would be (numbers as their digits, dates as ``YYYY-MM-DD``), and every
problem is placed at its cell — ``file.xlsx:ROW:COL posts[2].count（需求人数）: message``, ROW and
COL 1-based as the sheet shows them (COL 11 is column K).

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
whose numbers are computed and ignored on reading (a 合计 that disagrees is a warning).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from formkit.errors import DataError, Problem, Severity
from formkit.load import Loaded, Positions, parse_loc, validate_data
from formkit.model import DemandList, DemandPost, label_for

__all__ = ["DEMAND_COLUMNS", "MAX_XLSX_BYTES", "load_demand_file", "read_demand_xlsx", "read_table",
           "write_demand_xlsx", "write_roster_xlsx", "write_subsidy_xlsx"]

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


# --------------------------------------------------------------------------- measuring text


def text_width(text: str) -> float:
    """Display width of one line in Excel width units: a wide (CJK) character ≈ 2.1, others 1.1."""
    return sum(2.1 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)


def _lines(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` units wide."""
    usable = max(width - 1.0, 2.0)
    return sum(max(1, -(-int(text_width(line) * 10) // int(usable * 10))) for line in text.split("\n"))


# --------------------------------------------------------------------------- writing helpers


class _Writer:
    """One worksheet being laid out: styled cells, merges, borders, widths, print set-up."""

    def __init__(self, wb: Any, title: str, columns: Sequence[Column]):
        self.ws = wb.active  # one sheet per workbook
        self.ws.title = title
        self.columns = list(columns)
        self.n = len(columns)
        self.row = 0
        self.table_top = self.table_bottom = 0
        self.header_rows: tuple[int, int] = (0, 0)
        self.heights: dict[int, float] = {}
        self.open_top: set[int] = set()  # rows continuing the row above (no line between them)
        self.fixed: set[int] = set()  # rows whose height is set, not fitted

    # cells ---------------------------------------------------------------------------------

    def cell(self, row: int, col: int, value: Any, *, font: str = FONT_BODY, size: float = 11,
             align: str = "left", kind: str = "text", wrap: bool = True, bold: bool = False,
             valign: str = "center") -> Any:
        from openpyxl.styles import Alignment, Font

        c = self.ws.cell(row=row, column=col)
        if isinstance(value, Decimal):
            value = value if value != value.to_integral() else int(value)
        if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
            raise DataError(f"单元格文本过长（{len(value)} 字，Excel 上限 {EXCEL_CELL_LIMIT}）：{value[:20]}…")
        c.value = value if value != "" else None
        if isinstance(value, str) and value:
            c.data_type = "s"  # text stays text: "=1+1" is never a formula
        c.font = Font(name=font, size=size, bold=bold, charset=GB2312_CHARSET)
        c.alignment = Alignment(horizontal=align, vertical=valign, wrap_text=wrap)
        c.number_format = {"text": TEXT_FORMAT, "date": DATE_FORMAT, "money": MONEY_FORMAT}.get(kind, "General")
        return c

    def merge(self, row: int, first: int, last: int, value: Any, *, bottom: int | None = None, **style: Any) -> None:
        self.cell(row, first, value, **style)
        if last > first or (bottom or row) > row:
            self.ws.merge_cells(start_row=row, start_column=first, end_row=bottom or row, end_column=last)

    def next_row(self, height: float | None = None) -> int:
        self.row += 1
        if height is not None:
            self.heights[self.row] = height
        return self.row

    # blocks --------------------------------------------------------------------------------

    def heading(self, attachment: str, title: str) -> None:
        r = self.next_row(24)
        self.cell(r, 1, attachment, font=FONT_HEI, size=14, wrap=False)
        r = self.next_row(36)
        self.merge(r, 1, self.n, title, font=FONT_TITLE, size=18, align="center")

    def labelled(self, pairs: Sequence[tuple[str, int, Any, int, str]], height: float = 22) -> int:
        """A row of ``label`` (spanning n columns) then its value (spanning m columns, kind)."""
        r = self.next_row(height)
        col = 1
        for label, span, value, vspan, kind in pairs:
            self.merge(r, col, col + span - 1, label, align="right", wrap=False)
            col += span
            self.merge(r, col, col + vspan - 1, value, align="left", kind=kind, wrap=False)
            col += vspan
        assert col - 1 == self.n, (col, self.n)
        return r

    def header(self, top: Sequence[tuple[str, int, int]], sub: Sequence[tuple[int, str]] = ()) -> None:
        """Header row(s): ``top`` is (label, first col, last col); with ``sub`` (col, label) a
        second row holds sub-headers and the other top cells span both rows."""
        r1 = self.next_row(30)
        r2 = self.next_row(24) if sub else r1
        sub_cols = {c for c, _ in sub}
        for label, first, last in top:
            spans_sub = any(first <= c <= last for c in sub_cols)
            self.merge(r1, first, last, label, align="center", bottom=None if spans_sub else r2)
        for col, label in sub:
            self.cell(r2, col, label, align="center")
        self.header_rows = (r1, r2)
        self.table_top = r1

    def data(self, values: Sequence[Any]) -> int:
        r = self.next_row()
        for i, (col, value) in enumerate(zip(self.columns, values, strict=True), start=1):
            self.cell(r, i, value, align=col.align, kind=col.kind)
        self.table_bottom = r
        return r

    def summary(self, label: str, label_span: int, values: dict[int, tuple[Any, str]]) -> int:
        """A 小计/合计 row: ``label`` over the first ``label_span`` columns, ``values`` at their
        columns, the rest blank (merged)."""
        r = self.next_row()
        self.merge(r, 1, label_span, label, align="center")
        col = label_span + 1
        while col <= self.n:
            if col in values:
                value, kind = values[col]
                self.cell(r, col, value, align="center", kind=kind)
                col += 1
            else:
                end = col
                while end + 1 <= self.n and end + 1 not in values:
                    end += 1
                self.merge(r, col, end, "")
                col = end + 1
        self.table_bottom = r
        return r

    # finishing -----------------------------------------------------------------------------

    def finish(self, note: str = "", *, one_page: bool = False) -> None:
        """Widths, heights, borders of the table; then ``note`` (the form's footnote) under
        everything; then freeze panes and print set-up over the whole sheet."""
        from openpyxl.styles import Border, Side
        from openpyxl.worksheet.properties import PageSetupProperties

        ws = self.ws
        first, last = self.table_top, self.table_bottom
        # widths: the widest line of each column over the table (header included), capped
        widths = []
        for i, col in enumerate(self.columns, start=1):
            natural = 4.0
            for r in range(first, last + 1):
                if self._merged_over(r, i):
                    continue
                value = ws.cell(row=r, column=i).value
                natural = max(natural, max((text_width(line) for line in _display(value).split("\n")), default=0) + 2)
            widths.append(min(natural, col.cap))
            ws.column_dimensions[_letter(i)].width = round(widths[-1], 1)
        # heights: the most wrapped cell of each table row
        for r in range(first, last + 1):
            lines = 1
            for i in range(1, self.n + 1):
                value = ws.cell(row=r, column=i).value
                if value is None or self._merged_over(r, i):
                    continue
                span = self._span_width(r, i, widths)
                lines = max(lines, _lines(_display(value), span))
            if r not in self.fixed:
                self.heights[r] = max(self.heights.get(r, 0), 15.0 * lines + 6)
        if note:
            r = self.next_row()
            self.merge(r, 1, self.n, note, size=10.5)
            self.heights[r] = 16.0 * _lines(note, sum(widths)) + 4
        for r, h in self.heights.items():
            ws.row_dimensions[r].height = round(h, 1)
        # borders: thin inside, medium around the table
        thin, medium = Side(style="thin"), Side(style="medium")
        for r in range(first, last + 1):
            for i in range(1, self.n + 1):
                ws.cell(row=r, column=i).border = Border(
                    left=medium if i == 1 else thin, right=medium if i == self.n else thin,
                    top=medium if r == first else (None if r in self.open_top else thin),
                    bottom=medium if r == last else (None if r + 1 in self.open_top else thin))
        # frozen header, print set-up
        h1, h2 = self.header_rows
        ws.freeze_panes = f"A{h2 + 1}"
        ws.print_title_rows = f"{h1}:{h2}"
        ws.print_area = f"A1:{_letter(self.n)}{self.row}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1 if one_page else 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.6
        ws.page_margins.top, ws.page_margins.bottom = 0.7, 0.7
        ws.page_margins.header, ws.page_margins.footer = 0.3, 0.3
        ws.oddFooter.center.text = "第 &P 页 共 &N 页"
        ws.oddFooter.center.font = FONT_BODY
        ws.oddFooter.center.size = 10

    def _merged_over(self, row: int, col: int) -> bool:
        """Whether (row, col) is inside a merge spanning several columns (its width is not one
        column's concern)."""
        for rng in self.ws.merged_cells.ranges:
            if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col and rng.max_col > rng.min_col:
                return True
        return False

    def _span_width(self, row: int, col: int, widths: list[float]) -> float:
        for rng in self.ws.merged_cells.ranges:
            if rng.min_row <= row <= rng.max_row and rng.min_col == col:
                return sum(widths[c - 1] for c in range(rng.min_col, rng.max_col + 1))
        return widths[col - 1]


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def _new_workbook() -> Any:
    from openpyxl import Workbook

    return Workbook()


def _save(wb: Any, when: date, title: str) -> bytes:
    """The workbook's bytes, deterministic: properties dated ``when``, fixed zip member times."""
    from openpyxl.writer.excel import ExcelWriter

    stamp = datetime(when.year, when.month, when.day)
    props = wb.properties
    props.creator = props.lastModifiedBy = "formkit"
    props.title = title
    props.created = props.modified = stamp
    props.lastPrinted = None
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()  # save_workbook() would stamp the clock into `modified`
    return _rezip(buf.getvalue(), (max(when.year, 1980), when.month, when.day, 0, 0, 0))


def _rezip(data: bytes, date_time: tuple[int, ...]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=date_time)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.create_system = 0
            member.external_attr = 0
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------- 附件1 writer


def write_demand_xlsx(table: Any, form: Any) -> bytes:
    """附件1 of a ``rollup.DemandTable`` as .xlsx bytes (see the module doc for the layout).

    A county table round-trips: ``read_demand_xlsx`` gives back the county's ``DemandList``."""
    wb = _new_workbook()
    w = _Writer(wb, "附件1", DEMAND_COLUMNS)
    w.heading(form.attachment, form.title)
    w.labelled([("填报单位（盖章）", 2, table.reporting_unit, 5, "text"),
                ("年度", 1, table.year, 1, "int"),
                ("行政区划代码", 2, table.division, 1, "text"),
                ("填报时间", 2, table.reported_on or "", 2, "date" if table.reported_on else "text")])
    w.header([(c.header, i, i) for i, c in enumerate(DEMAND_COLUMNS, start=1)])
    count_col = 1 + next(i for i, c in enumerate(DEMAND_COLUMNS) if c.field == "count")
    for row in table.rows:
        if row.kind == "post":
            p = row.post
            w.data([row.number, row.prefecture_name, row.county_name, p.township, p.unit, p.unit_kind,
                    p.post, p.major, p.title_requirement, p.education, p.count, p.term_years,
                    p.conditions, p.contact, p.phone, p.remarks or ""])
        else:
            w.summary(row.label, count_col - 1, {count_col: (row.count, "int")})
    w.labelled([("填表人", 2, table.filled_by, 3, "text"), ("审核人", 2, table.reviewed_by, 3, "text"),
                ("联系电话", 2, table.phone, 4, "text")])
    w.finish(f"注：{form.footnote}" if form.footnote else "")
    return _save(wb, table.dated, form.title)


# --------------------------------------------------------------------------- 附件4, 附件5 writers

ROSTER_COLUMNS: tuple[Column, ...] = (
    Column("序号", None, 6, "center", "int"),
    Column("姓名", None, 10, "center"),
    Column("性别", None, 5, "center"),
    Column("公民身份号码", None, 22, "center"),
    Column("原工作单位", None, 26),
    Column("职称", None, 12, "center"),
    Column("服务县（市、区）", None, 14, "center"),
    Column("服务乡（镇）及单位", None, 28),
    Column("起始", None, 15, "center", "date"),
    Column("截止", None, 15, "center", "date"),
    Column("本次核发年限", None, 8, "center", "int"),
    Column("考核结果", None, 14, "center"),
    Column("备注", None, 16),
)


def write_roster_xlsx(decl: Any, form: Any, when: date) -> bytes:
    """附件4 名册 of a ``declaration.Declaration`` as .xlsx bytes: ID numbers as text, the
    service dates as two date columns under 服务起止时间, 合计 人数 and 核发年限."""
    wb = _new_workbook()
    w = _Writer(wb, "附件4", ROSTER_COLUMNS)
    w.heading(form.attachment, form.title)
    w.labelled([("填报单位（盖章）", 2, decl.hr_department, 5, "text"), ("年度", 1, decl.year, 1, "int"),
                ("填报时间", 2, BLANK_DATE, 2, "text")])
    top = [(c.header, i, i) for i, c in enumerate(ROSTER_COLUMNS, start=1) if c.header not in ("起始", "截止")]
    top.insert(8, ("服务起止时间", 9, 10))
    w.header(top, [(9, "起始"), (10, "截止")])
    for r in decl.rows:
        w.data([r.number, r.name, r.sex, r.id_number, r.home_unit, r.title, r.county_name,
                f"{r.township}\n{r.unit}", r.start, r.end, r.years, r.grades, f"核发{r.periods}"])
    w.summary(f"合计　{decl.total_people} 人", 10, {11: (decl.total_years, "int")})
    w.finish(f"注：{form.footnote}" if form.footnote else "")
    return _save(wb, when, form.title)


SUBSIDY_COLUMNS: tuple[Column, ...] = (
    Column("序号", None, 6, "center", "int"),
    Column("县（市、区）", None, 24, "center"),
    Column("人数（人）", None, 12, "center", "int"),
    Column("核发年限合计（年）", None, 20, "center", "int"),
    Column("补贴标准（元/人·年）", None, 22, "center", "money"),
    Column("补贴金额（元）", None, 20, "center", "money"),
    Column("备注", None, 20),
)


def write_subsidy_xlsx(decl: Any, form: Any, when: date) -> bytes:
    """附件5 申报表 of a ``declaration.Declaration`` as .xlsx bytes: per county 人数, 核发年限,
    补贴金额 (numbers, ``#,##0.00``), the 合计 in figures and in upper case, then the opinion
    blocks of the 州(市) HR and finance bureaux, blank for seal and date."""
    from formkit.filters import rmb_upper

    wb = _new_workbook()
    w = _Writer(wb, "附件5", SUBSIDY_COLUMNS)
    w.heading(form.attachment, form.title)
    w.labelled([("填报单位（盖章）", 2, decl.hr_department, 5, "text")])
    w.labelled([("年度", 2, decl.year, 1, "int"), ("填报时间", 2, BLANK_DATE, 2, "text")])
    w.header([(c.header, i, i) for i, c in enumerate(SUBSIDY_COLUMNS, start=1)])
    for c in decl.counties:
        w.data([c.number, c.county_name, c.people, c.years, decl.rate, c.amount, ""])
    w.summary("合计", 2, {3: (decl.total_people, "int"), 4: (decl.total_years, "int"),
                          6: (decl.total_amount, "money")})
    r = w.next_row(26)
    w.merge(r, 1, 2, "合计金额（大写）", align="center")
    w.merge(r, 3, 7, rmb_upper(decl.total_amount), align="left")
    w.table_bottom = r
    blocks = ((1, 4, decl.hr_department), (5, 7, decl.finance_department))
    r = w.next_row(80)
    for first, last, who in blocks:
        w.merge(r, first, last, f"{who}意见：", valign="top")
    for text, height in (("（盖章）　　", 22), (f"{BLANK_DATE}　", 22)):  # ink lines, right of each block
        r = w.next_row(height)
        w.open_top.add(r)
        for first, last, _ in blocks:
            w.merge(r, first, last, text, align="right")
    w.fixed.update(range(r - 2, r + 1))
    w.table_bottom = r
    w.finish(f"注：{form.footnote}" if form.footnote else "", one_page=len(decl.counties) <= 20)
    return _save(wb, when, form.title)


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
        if value.is_integer() and abs(value) < 2**53:
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


def read_demand_xlsx(path: str | Path) -> Loaded[DemandList]:
    """Read a county's 附件1 .xlsx into a ``DemandList``, validated like a YAML list.

    Never raises for bad input: returns ``Loaded`` with the record (``None`` on any error) and
    every problem placed at its cell (``line`` = row, ``col`` = column number).
    """
    from formkit.checks import check_demand

    file = str(path)
    problems: list[Problem] = []
    try:
        size = Path(path).stat().st_size
    except OSError as exc:
        return Loaded(file, None, (Problem(f"无法读取文件：{exc.strerror}", file=file),))
    if size > MAX_XLSX_BYTES:
        return Loaded(file, None, (Problem(f"文件过大（{size:,} 字节，上限 {MAX_XLSX_BYTES:,}）", file=file),))
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        return Loaded(file, None, (Problem(f"不是可读的 .xlsx 文件：{exc}", file=file),))
    ws = wb["附件1"] if "附件1" in wb.sheetnames else wb.worksheets[0]

    header_row = None
    for r in range(1, min(ws.max_row, 30) + 1):
        names = [_norm(ws.cell(row=r, column=c).value) for c in range(1, ws.max_column + 1)]
        if sum(n in _HEADER_FIELDS for n in names) >= 5:
            header_row = r
            break
    if header_row is None:
        return Loaded(file, None, (Problem("找不到表头行（应有 乡（镇）、需求单位名称、需求岗位、需求人数 等列）；"
                                           "这不是附件1 需求信息表？", file=file, line=1, col=1),))
    pos = Positions()
    pos.values[()] = (1, 1)
    pos.values[("posts",)] = (header_row, 1)
    columns: dict[int, str] = {}
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
    for name, info in DemandPost.model_fields.items():
        if info.is_required() and name not in columns.values():
            problems.append(Problem(f"缺少「{info.title}」列", path="posts", label=info.title or "",
                                    file=file, line=header_row, col=1))

    merged_end = {(m.min_row, m.min_col): m.max_col for m in ws.merged_cells.ranges}
    data: dict[str, Any] = {}

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
    total_cell: tuple[int, int, Any] | None = None
    count_col = next((c for c, f in columns.items() if f == "count"), None)
    r = header_row + 1
    while r <= ws.max_row:
        first = _norm(ws.cell(row=r, column=1).value)
        values = [ws.cell(row=r, column=c).value for c in range(1, ws.max_column + 1)]
        if any(_norm(v) in _FOOTER_LABELS for v in values if isinstance(v, str)):
            break
        if first == "合计":
            if count_col is not None:
                total_cell = (r, count_col, ws.cell(row=r, column=count_col).value)
            r += 1
            break
        if first.endswith("小计") or all(_cell_text(v)[0] is None for v in values):
            r += 1
            continue
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
        r += 1
    labels(range(r, ws.max_row + 1), _FOOTER_LABELS)
    for field in ("reporting_unit", "year", "county", "reported_on", "filled_by", "reviewed_by", "phone"):
        if field not in data and (field,) not in pos.values:
            pos.values[(field,)] = (header_row - 1 if field in _INFO_LABELS.values() else r, 1)
    data["posts"] = posts

    if any(p.is_error for p in problems):
        return Loaded(file, None, tuple(sorted(problems, key=_where)))
    record, found = validate_data(data, DemandList, pos, file)
    problems += found
    if record is not None:
        for p in check_demand(record):
            loc = parse_loc(p.path)
            line, col = pos.find(loc)
            problems.append(Problem(p.message, path=p.path, label=p.label or label_for(DemandList, loc),
                                    file=file, line=line, col=col, severity=p.severity))
        if total_cell is not None:
            tr, tc, typed = total_cell
            written, _ = _cell_text(typed)
            total = sum(post.count for post in record.posts)
            if written is not None and written != str(total):
                problems.append(Problem(f"合计 {written} 与各岗位需求人数之和 {total} 不符；合计由程序计算，已忽略此格",
                                        file=file, line=tr, col=tc, severity=Severity.WARNING))
    problems.sort(key=_where)
    ok = record is not None and not any(p.is_error for p in problems)
    return Loaded(file, record if ok else None, tuple(problems))


def _where(p: Problem) -> tuple[int, int]:
    return (p.line or 0, p.col or 0)


def load_demand_file(path: str | Path) -> Loaded[DemandList]:
    """A county demand list from a YAML file or an .xlsx (by suffix), validated either way."""
    from formkit.load import load_demand

    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        return read_demand_xlsx(path)
    if suffix in (".xls", ".et", ".ods", ".csv"):
        return Loaded(str(path), None, (Problem(f"不支持 {suffix} 文件；请在 Excel 或 WPS 中另存为 .xlsx", file=str(path)),))
    return load_demand(path)
