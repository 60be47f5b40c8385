"""Excel workbooks of the roll-ups (openpyxl, imported lazily): 附件1, 附件4 and 附件5 written
with the columns ``formkit.load.xlsx`` reads back (see its docstring for the sheet layout).

Chinese headers; text columns formatted as text (``@``) so ID numbers, phones and codes are
never numbers; dates as real dates; the header frozen; widths measured on the CJK text; print
set-up landscape A4; deterministic output (dates from the data, fixed zip member times).
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from formkit.errors import DataError
from formkit.render.ooxml_zip import rezip
from formkit.load.xlsx import (BLANK_DATE, DATE_FORMAT, DEMAND_COLUMNS, EXCEL_CELL_LIMIT, FONT_BODY, FONT_HEI,
                               FONT_TITLE, GB2312_CHARSET, MONEY_FORMAT, TEXT_FORMAT, Column)

__all__ = ["write_blank_demand_xlsx", "write_blank_roster_xlsx", "write_demand_xlsx", "write_roster_xlsx", "write_subsidy_xlsx"]


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
    return rezip(buf.getvalue(), (max(when.year, 1980), when.month, when.day, 0, 0, 0))


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


BLANK_ROWS = 15
"""Post rows of the blank workbook (more can be inserted above the 合计 row)."""

BLANK_STAMP = date(2026, 1, 1)
"""The date in the blank workbook's properties: fixed, so ``formkit new`` gives the same bytes."""

_BLANK_GUIDE = (
    "附件1 需求信息表（县级）填写说明",
    "",
    "1. 在工作表「附件1」中填写；不要改动表头、「填报单位（盖章）」等标签和工作表名称。",
    ("2. 表头上方：填报单位（县（市、区）人力资源和社会保障局全称）、年度（如 2026）、"
     "行政区划代码（县级6位代码，如 530326）、填报时间（如 2026-02-25）。"),
    ("3. 每个需求岗位填一行，从表头下第一行起连续填写；行不够时在合计行上方插入行。"
     "序号、州（市）、县（市、区）三列可不填（汇总时由程序生成）。"),
    "4. 单位性质、职称要求从下拉列表中选择；需求人数、服务期限（年）填正整数，服务期限不少于 2 年（第二条）。",
    "5. 合计由程序按各行计算；表中填写的合计与各行之和不符时会报错。",
    "6. 同一乡（镇）的多个岗位可以合并「乡（镇）」单元格（上下合并）；不要左右合并不同列的单元格。",
    "7. 公式可以使用，但须在 Excel/WPS 中保存一次，使文件中保存计算结果。",
    "8. 表格下方填写填表人、审核人、联系电话（固定电话「区号-号码」或11位手机）。",
    "9. 填好后用 formkit check 或 formkit demand … --level 县 检查；有误时按单元格（如 附件1!K6）指出。",
)


def write_blank_demand_xlsx(form: Any, rows: int = BLANK_ROWS) -> bytes:
    """A blank county 附件1 to fill in (``formkit new demand --out x.xlsx``): the layout
    ``read_demand_xlsx`` reads, value cells empty and formatted, ``rows`` empty post rows with
    drop-downs for 单位性质 and 职称要求 (the model's choices), a 合计 row summing 需求人数, and a
    说明 sheet with the instructions."""
    import typing

    from openpyxl.worksheet.datavalidation import DataValidation

    from formkit.model import DemandPost

    wb = _new_workbook()
    w = _Writer(wb, "附件1", DEMAND_COLUMNS)
    w.heading(form.attachment, form.title)
    w.labelled([("填报单位（盖章）", 2, "", 5, "text"), ("年度", 1, "", 1, "text"),
                ("行政区划代码", 2, "", 1, "text"), ("填报时间", 2, "", 2, "date")])
    w.header([(c.header, i, i) for i, c in enumerate(DEMAND_COLUMNS, start=1)])
    first = w.row + 1
    for _ in range(rows):
        w.data([""] * len(DEMAND_COLUMNS))
    last = w.row
    count_col = 1 + next(i for i, c in enumerate(DEMAND_COLUMNS) if c.field == "count")
    letter = _letter(count_col)
    r = w.summary("合计", count_col - 1, {count_col: (None, "int")})
    w.ws.cell(row=r, column=count_col).value = f"=SUM({letter}{first}:{letter}{last})"
    for i, col in enumerate(DEMAND_COLUMNS, start=1):
        if col.field and typing.get_origin(DemandPost.model_fields[col.field].annotation) is typing.Literal:
            choices = typing.get_args(DemandPost.model_fields[col.field].annotation)
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle=col.header,
                                error=f"{col.header}只能填 {'、'.join(choices)}")
            dv.add(f"{_letter(i)}{first}:{_letter(i)}{last}")
            w.ws.add_data_validation(dv)
    w.labelled([("填表人", 2, "", 3, "text"), ("审核人", 2, "", 3, "text"), ("联系电话", 2, "", 4, "text")])
    w.finish(f"注：{form.footnote}" if form.footnote else "")
    guide = wb.create_sheet("说明")
    guide.column_dimensions["A"].width = 110
    for n, line in enumerate(_BLANK_GUIDE, start=1):
        from openpyxl.styles import Alignment, Font

        c = guide.cell(row=n, column=1, value=line)
        c.font = Font(name=FONT_HEI if n == 1 else FONT_BODY, size=14 if n == 1 else 11, charset=GB2312_CHARSET)
        c.alignment = Alignment(wrap_text=True, vertical="top")
    wb.active = 0
    return _save(wb, BLANK_STAMP, form.title)


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
    from formkit.context.filters import rmb_upper

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


# --------------------------------------------------------------------------- the people roster (名单)

ROSTER_BLANK_ROWS = 200
"""Person rows of the blank roster formatted and given drop-downs (more can be added below)."""

ROSTER_TITLE = "到基层服务专业技术人员名单"

_ROSTER_GUIDE = (
    "名单填写说明（formkit import 导入）",
    "",
    "1. 在工作表「名单」中每人填一行，从表头下第一行起填写；不要改动表头（第2行）和工作表名称。",
    "2. 表头为红色的列为必填；姓名、公民身份号码两列每行都要填写（用来确定是谁）。其余必填列暂不清楚的可先空着，"
    "导入后此人的记录为「草稿」，在工作台（formkit serve）补齐。",
    "3. 单元格已设为文本格式：公民身份号码、手机、邮政编码、代码照原样输入，不会变成科学计数法。"
    "日期写 2026-03-01，年月写 1985-03。",
    "4. 性别、民族、单位级别、职称等级从下拉列表中选择；学历可从下拉列表选择，也可照实填写。",
    "5. 学习及工作简历、主要专业技术工作业绩、到基层服务工作计划和协议双方的权利义务不在名单中："
    "导入后在工作台（formkit serve）填写（在此之前记录为草稿，不生成文书）。",
    "6. 导入：formkit import 名单.xlsx --into data（先列出每一行将新建、更新还是有误，确认后才写入）。"
    "有误的单元格按「名单!F6 公民身份号码（公民身份号码）：…」指出，全部改正后再导入。",
    "7. 已有记录的人（公民身份号码相同）导入时为「更新」：列出改动的项目，空着的单元格不会清除原有内容。",
    "",
    "各列说明：",
)


def write_blank_roster_xlsx(rows: int = ROSTER_BLANK_ROWS) -> bytes:
    """A blank people roster to fill in (``formkit new roster --out 名单.xlsx``): sheet ``名单``
    with the title, one header row of the columns ``formkit.load.roster.roster_columns`` derives
    from the model (required ones in red), ``rows`` text-formatted rows with drop-downs for the
    fields the model gives choices (性别, 民族, 单位级别, 职称等级; 学历 as suggestions), a hidden
    sheet ``选项`` holding the longer lists, and a ``说明`` sheet: how to fill it in, then each
    column with the explanation ``new_case.yaml`` gives its field."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    from formkit.load.roster import ROSTER_SHEET, roster_columns

    columns = roster_columns()
    wb = _new_workbook()
    ws = wb.active
    ws.title = ROSTER_SHEET
    n = len(columns)
    ws.cell(row=1, column=1, value=ROSTER_TITLE).font = Font(name=FONT_TITLE, size=16, charset=GB2312_CHARSET)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[1].height = 30
    thin = Side(style="thin")
    for i, col in enumerate(columns, start=1):
        c = ws.cell(row=2, column=i, value=col.header)
        c.font = Font(name=FONT_HEI, size=11, charset=GB2312_CHARSET, color="C00000" if col.required else "000000")
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.fill = PatternFill("solid", fgColor="F2F2F2")
        c.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        c.number_format = TEXT_FORMAT
        width = max(col.width, min(text_width(col.header) + 2, 24.0))
        ws.column_dimensions[_letter(i)].width = round(width, 1)
        for r in range(3, 3 + rows):
            cell = ws.cell(row=r, column=i)
            cell.number_format = TEXT_FORMAT
            cell.font = Font(name=FONT_BODY, size=11, charset=GB2312_CHARSET)
    ws.row_dimensions[2].height = 36
    ws.freeze_panes = "C3"
    options = wb.create_sheet("选项")
    options.sheet_state = "hidden"
    option_col = 0
    for i, col in enumerate(columns, start=1):
        if not col.choices:
            continue
        option_col += 1
        for k, choice in enumerate(col.choices, start=1):
            options.cell(row=k, column=option_col, value=choice).number_format = TEXT_FORMAT
        letter = _letter(option_col)
        hint = "、".join(col.choices) if len(col.choices) <= 8 else f"下拉列表中的 {len(col.choices)} 项之一"
        dv = DataValidation(type="list", formula1=f"选项!${letter}$1:${letter}${len(col.choices)}", allow_blank=True,
                            showErrorMessage=True, errorStyle="stop" if col.strict else "warning",
                            errorTitle=col.header, error=f"{col.header}应为 {hint}",
                            showInputMessage=True, promptTitle=col.header[:32], prompt=hint[:255])
        dv.add(f"{_letter(i)}3:{_letter(i)}{2 + rows}")
        ws.add_data_validation(dv)
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    guide = wb.create_sheet("说明")
    guide.column_dimensions["A"].width = 8
    guide.column_dimensions["B"].width = 26
    guide.column_dimensions["C"].width = 8
    guide.column_dimensions["D"].width = 90
    r = 0
    for r, line in enumerate(_ROSTER_GUIDE, start=1):
        c = guide.cell(row=r, column=1, value=line)
        c.font = Font(name=FONT_HEI if r == 1 else FONT_BODY, size=14 if r == 1 else 11, charset=GB2312_CHARSET)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        guide.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
        guide.row_dimensions[r].height = 16.0 * _lines(line, 130) + 4 if line else 10
    r += 1
    for k, head in enumerate(("列", "表头", "必填", "说明"), start=1):
        guide.cell(row=r, column=k, value=head).font = Font(name=FONT_HEI, size=11, charset=GB2312_CHARSET)
    for i, col in enumerate(columns, start=1):
        r += 1
        values = (_letter(i), col.header, "是" if col.required else "", col.note)
        for k, value in enumerate(values, start=1):
            c = guide.cell(row=r, column=k, value=value)
            c.font = Font(name=FONT_BODY, size=11, charset=GB2312_CHARSET)
            c.alignment = Alignment(wrap_text=True, vertical="top")
            c.number_format = TEXT_FORMAT
        guide.row_dimensions[r].height = 16.0 * max(_lines(col.note, 90), _lines(col.header, 26)) + 4
    guide.page_setup.orientation = "landscape"
    guide.page_setup.paperSize = guide.PAPERSIZE_A4
    guide.page_setup.fitToWidth, guide.page_setup.fitToHeight = 1, 0
    from openpyxl.worksheet.properties import PageSetupProperties

    guide.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    wb.active = 0
    return _save(wb, BLANK_STAMP, ROSTER_TITLE)
