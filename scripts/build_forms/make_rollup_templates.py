"""Build the Word templates of the roll-up forms,
``src/formkit/forms/{demand,roster,subsidy}/template.docx``.

    .venv/bin/python scripts/build_forms/make_rollup_templates.py [FORM_ID ...]

附件1 需求信息表, 附件4 期满人员名册 and 附件5 岗位补贴申报表 are landscape tables (spec §3):
A4 landscape, margins top 18 mm, bottom 20 mm, left and right 15 mm (text width 267 mm); "附件N"
top left in 黑体 三号; the title centred in 方正小标宋简体 小二; table text 仿宋_GB2312 (五号 in the
16- and 12-column rosters, 小四 in 附件5), labels centred, values left; outer border 1.5 pt, inner
0.5 pt; the header row marked to repeat on every page (``w:tblHeader``) and never split; "第 X 页
共 Y 页" in the footer. Every run names its font in the ascii, hAnsi, eastAsia and cs slots.

The low-level helpers (runs, paragraphs, styles, font table, page-number field, reproducible
zip) are those of ``make_docx_templates.py``, so the roll-ups look like the per-person forms;
the tables are built here because they are landscape and driven by docxtpl row loops:
``{%tr for r in rows %}`` / ``{%tr if r.kind == "post" %}`` … (each Jinja tag ONE run, one row).
The generated files are committed; change the layout here, run, commit both.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Twips

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_docx_templates import (  # noqa: E402  (the per-person templates' helpers)
    DATE, FANG, HEI, INNER, LINE_LABEL, LINE_TEXT, OUTER, SAN, SEAL, TITLE, WU, XIAO_SI, P, R, el,
    finish, new_document, para, tw)
from make_docx_templates import main as write_templates  # noqa: E402

from formkit.forms import load_form  # noqa: E402

XIAO_ER = 18.0  # 小二
PAGE_W, PAGE_H = 16838, 11906  # A4 landscape in twips
MARGIN = {"top": 18, "bottom": 20, "left": 15, "right": 15}  # mm
TEXT_MM = 297 - MARGIN["left"] - MARGIN["right"]  # 267 mm
TEXT_W = PAGE_W - tw(MARGIN["left"]) - tw(MARGIN["right"])
CELL_MARGIN = 40  # twips ≈ 0.7 mm left/right inside a cell


@dataclass(frozen=True)
class Cell:
    """A cell: its text (a Jinja tag is one run; ``\\n`` in static text is a line break),
    columns spanned, alignment (``center``/``left``/``right``), vertical alignment, font."""

    text: str | Sequence[P] = ""
    span: int = 1
    align: str = "center"
    valign: str = "center"
    font: str = FANG


def cell_xml(c: Cell, width: int, size: float) -> OxmlElement:
    tc_pr = el("w:tcPr", None, el("w:tcW", {"w:w": width, "w:type": "dxa"}))
    if c.span > 1:
        tc_pr.append(el("w:gridSpan", {"w:val": c.span}))
    tc_pr.append(el("w:vAlign", {"w:val": c.valign}))
    if isinstance(c.text, str):
        paragraphs = [P([R(c.text, c.font, size)], align=c.align, size=size, font=c.font,
                        line=round(size * 1.45, 1))]
    else:
        paragraphs = list(c.text)
    return el("w:tc", None, tc_pr, *(para(p) for p in paragraphs))


def grid(cols_mm: Sequence[float], rows: Sequence[tuple[Sequence[Cell], float, str]], *,
         size: float, header_rows: int = 1, borders: bool = True) -> OxmlElement:
    """A fixed-layout table as wide as the text: ``rows`` are (cells, minimum height in mm,
    kind) with kind ``header`` (repeats on every page), ``row`` (never split) or ``tag`` (a
    docxtpl row tag). Cells span columns of ``cols_mm`` (which add up to the text width)."""
    assert abs(sum(cols_mm) - TEXT_MM) < 0.01, f"columns {cols_mm} add up to {sum(cols_mm)}, not {TEXT_MM} mm"
    edges, x = [0], 0.0
    for w in cols_mm:
        x += w
        edges.append(min(tw(x), TEXT_W))
    edges[-1] = TEXT_W
    widths = [b - a for a, b in zip(edges, edges[1:])]

    def border(sz: int) -> dict[str, object]:
        return {"w:val": "single", "w:sz": sz, "w:space": 0, "w:color": "000000"} if borders else {"w:val": "nil"}

    tbl_pr = el("w:tblPr", None,
                el("w:tblStyle", {"w:val": "FormTable"}),
                el("w:tblW", {"w:w": TEXT_W, "w:type": "dxa"}),
                el("w:jc", {"w:val": "center"}),
                el("w:tblBorders", None,
                   *(el(f"w:{side}", border(OUTER)) for side in ("top", "left", "bottom", "right")),
                   el("w:insideH", border(INNER)), el("w:insideV", border(INNER))),
                el("w:tblLayout", {"w:type": "fixed"}),
                el("w:tblCellMar", None,
                   el("w:top", {"w:w": 0, "w:type": "dxa"}),
                   el("w:left", {"w:w": CELL_MARGIN if borders else 0, "w:type": "dxa"}),
                   el("w:bottom", {"w:w": 0, "w:type": "dxa"}),
                   el("w:right", {"w:w": CELL_MARGIN if borders else 0, "w:type": "dxa"})),
                el("w:tblLook", {"w:val": "0000", "w:firstRow": 0, "w:lastRow": 0, "w:firstColumn": 0,
                                 "w:lastColumn": 0, "w:noHBand": 1, "w:noVBand": 1}))
    tbl = el("w:tbl", None, tbl_pr, el("w:tblGrid", None, *(el("w:gridCol", {"w:w": w}) for w in widths)))
    for cells, height, kind in rows:
        tr_pr = el("w:trPr", None, el("w:cantSplit"))
        if kind == "header":
            tr_pr.append(el("w:tblHeader"))  # repeat on every page
        tr_pr.append(el("w:trHeight", {"w:val": tw(height), "w:hRule": "atLeast"}))
        tr_pr.append(el("w:jc", {"w:val": "center"}))
        tr = el("w:tr", None, tr_pr)
        col = 0
        for c in cells:
            tr.append(cell_xml(c, sum(widths[col:col + c.span]), size))
            col += c.span
        assert col == len(widths), f"row covers {col} of {len(widths)} columns: {cells}"
        tbl.append(tr)
    return tbl


def tag_row(tag: str, ncols: int) -> tuple[Sequence[Cell], float, str]:
    """A docxtpl row tag: the whole row becomes the tag when rendering."""
    return [Cell(tag, ncols, "left")], 5, "tag"


# --------------------------------------------------------------------------- blocks


def heading() -> list[P]:
    return [
        P([R("{{ form.attachment }}", HEI, SAN)], style="Attachment", font=HEI, size=SAN, line=24, after=2,
          keep_next=True),
        P([R("{{ form.title }}", TITLE, XIAO_ER)], style="FormTitle", font=TITLE, size=XIAO_ER, align="center",
          line=30, after=8, keep_next=True),
    ]


def meta(cells: Sequence[tuple[str, str]], size: float = XIAO_SI) -> OxmlElement:
    """A borderless row of "label：value" pairs across the text width (reporting details)."""
    widths = {1: [TEXT_MM], 2: [TEXT_MM * 0.7, TEXT_MM * 0.3], 3: [TEXT_MM * 0.55, TEXT_MM * 0.2, TEXT_MM * 0.25]}
    widths = widths.get(len(cells), [TEXT_MM / len(cells)] * len(cells))
    aligns = ["left"] + ["center"] * (len(cells) - 2) + ["right"] if len(cells) > 1 else ["left"]
    row = [Cell([P([R(label, FANG, size), R(value, FANG, size)], align=align, size=size, line=22)], 1, align)
           for (label, value), align in zip(cells, aligns)]
    return grid(widths, [(row, 8, "row")], size=size, borders=False)


def gap(pt: float = 4) -> P:
    """An empty paragraph ``pt`` high: two tables in a row must be kept apart by a paragraph, or
    Word and LibreOffice join them into one table (with the first one's borders)."""
    return P([""], size=WU, line=pt)


def footnote() -> P:
    return P(["注：", "{{ form.footnote }}"], style="Note", size=WU, line=16, before=4, hanging_chars=2)


DEMAND_COLUMNS = [8, 17, 21, 17, 23, 10, 17, 17, 12, 13, 9, 13, 33, 16, 25, 16]
"""附件1's column widths in mm (序号 … 备注), adding up to the text width."""


def demand() -> list:
    """附件1 需求信息表: 16 columns; post rows, 小计 rows and the 合计 row from one row loop."""
    # wide enough that no heading breaks before its closing bracket (「县（市、区）」, 「（年）」) and a
    # three-character name or a landline number ("0874-5310425") fits on one line in 五号;
    # demand/template.html uses the same widths
    cols = DEMAND_COLUMNS
    size = WU
    heads = ["序号", "州（市）", "县\n（市、区）", "乡（镇）", "需求单位名称", "单位\n性质", "需求岗位", "专业要求",
             "职称\n要求", "学历\n要求", "需求\n人数", "服务\n期限\n（年）", "工作生活条件", "联系人", "联系电话", "备注"]
    fields = [("r.number", "center"), ("r.prefecture", "center"), ("r.county", "center"), ("r.township", "center"),
              ("r.unit", "left"), ("r.unit_kind", "center"), ("r.post", "left"), ("r.major", "left"),
              ("r.title", "center"), ("r.education", "left"), ("r.count", "center"), ("r.term", "center"),
              ("r.conditions", "left"), ("r.contact", "center"), ("r.phone", "center"), ("r.remarks", "left")]
    n = len(cols)
    rows = [
        ([Cell(h) for h in heads], 12, "header"),
        tag_row("{%tr for r in rows %}", n),
        tag_row('{%tr if r.kind == "post" %}', n),
        ([Cell(f"{{{{ {f} }}}}", align=a) for f, a in fields], 8, "row"),
        tag_row("{%tr else %}", n),
        ([Cell("{{ r.label }}", 10), Cell("{{ r.count }}"), Cell("", 5)], 8, "row"),
        tag_row("{%tr endif %}", n),
        tag_row("{%tr endfor %}", n),
    ]
    return [*heading(),
            meta([("填报单位（盖章）：", "{{ reporting_unit }}"), ("填报时间：", "{{ reported_on }}")]),
            gap(),
            grid(cols, rows, size=size),
            gap(),
            meta([("填表人：", "{{ filled_by }}"), ("审核人：", "{{ reviewed_by }}"), ("联系电话：", "{{ phone }}")]),
            footnote()]


def roster() -> list:
    """附件4 期满人员名册: 12 columns, one row per person, the 合计 row (人数, 核发年限)."""
    cols = [9, 16, 9, 39, 32, 18, 20, 36, 32, 15, 20, 21]
    size = WU
    heads = ["序号", "姓名", "性别", "公民身份号码", "原工作单位", "职称", "服务县\n（市、区）", "服务乡（镇）及单位",
             "服务起止时间", "本次核发\n年限\n（年）", "考核结果", "备注"]
    row = [Cell("{{ r.number }}"), Cell("{{ r.name }}"), Cell("{{ r.sex }}"), Cell("{{ r.id_number }}"),
           Cell("{{ r.home_unit }}", align="left"), Cell("{{ r.title }}"), Cell("{{ r.county }}"),
           Cell([P([R("{{ r.township }}", FANG, size)], align="left", size=size, line=15),
                 P([R("{{ r.unit }}", FANG, size)], align="left", size=size, line=15)]),
           Cell([P([R("{{ r.start }}至", FANG, size)], align="center", size=size, line=15),
                 P([R("{{ r.end }}", FANG, size)], align="center", size=size, line=15)]),
           Cell("{{ r.years }}"), Cell("{{ r.grades }}"), Cell("{{ r.remarks }}", align="left")]
    n = len(cols)
    rows = [
        ([Cell(h) for h in heads], 12, "header"),
        tag_row("{%tr for r in rows %}", n),
        (row, 9, "row"),
        tag_row("{%tr endfor %}", n),
        ([Cell("合计", 2), Cell("{{ total.people }}人", 7), Cell("{{ total.years }}"), Cell("", 2)], 9, "row"),
    ]
    return [*heading(),
            meta([("填报单位（盖章）：", "{{ reporting_unit }}"), ("年度：", "{{ year }}年度"),
                  ("填报时间：", "{{ reported_on }}")]),
            gap(),
            grid(cols, rows, size=size),
            footnote()]


def subsidy() -> list:
    """附件5 岗位补贴申报表: per county 人数, 核发年限, 金额; 合计 in figures and upper case; the
    opinion blocks of the 州(市) HR and finance bureaux, blank for seal and date."""
    cols = [14, 60, 30, 35, 40, 48, 40]
    size = XIAO_SI
    heads = ["序号", "县（市、区）", "人数（人）", "核发年限合计（年）", "补贴标准（元/人·年）", "补贴金额（元）", "备注"]
    n = len(cols)

    def opinion(who: str) -> Cell:
        line = 22
        return Cell([P([R(who, FANG, size), R("意见：", FANG, size)], align="left", size=size, line=line, before=4),
                     *(P([""], size=size, line=line) for _ in range(3)),
                     P([SEAL], align="right", right_chars=4, size=size, line=line, keep_next=True, keep_lines=True),
                     P([DATE], align="right", right_chars=3, size=size, line=line, after=6)],
                    valign="top")

    rows = [
        ([Cell(h) for h in heads], 12, "header"),
        tag_row("{%tr for c in counties %}", n),
        ([Cell("{{ c.number }}"), Cell("{{ c.county }}"), Cell("{{ c.people }}"), Cell("{{ c.years }}"),
          Cell("{{ rate }}"), Cell("{{ c.amount }}", align="right"), Cell("")], 10, "row"),
        tag_row("{%tr endfor %}", n),
        ([Cell("合计", 2), Cell("{{ total.people }}"), Cell("{{ total.years }}"), Cell(""),
          Cell("{{ total.amount }}", align="right"), Cell("")], 10, "row"),
        ([Cell("合计金额（大写）", 2), Cell("{{ total.amount_upper }}", 5, "left")], 12, "row"),
    ]
    blocks = grid([TEXT_MM / 2] * 2, [([opinion("{{ reporting_unit }}"), opinion("{{ finance_department }}")],
                                       50, "row")], size=size)
    return [*heading(),
            meta([("填报单位（盖章）：", "{{ reporting_unit }}"), ("年度：", "{{ year }}年度"),
                  ("填报时间：", "{{ reported_on }}")]),
            gap(),
            grid(cols, rows, size=size),
            gap(8),
            blocks,
            footnote()]


BUILDERS: dict[str, Callable[[], list]] = {"demand": demand, "roster": roster, "subsidy": subsidy}


# --------------------------------------------------------------------------- package


def build(form_id: str) -> bytes:
    """The .docx bytes of ``<form_id>/template.docx`` (deterministic)."""
    doc = new_document()
    section = doc.sections[0]
    section.page_width, section.page_height = Twips(PAGE_W), Twips(PAGE_H)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.top_margin, section.bottom_margin = Twips(tw(MARGIN["top"])), Twips(tw(MARGIN["bottom"]))
    section.left_margin, section.right_margin = Twips(tw(MARGIN["left"])), Twips(tw(MARGIN["right"]))
    section.header_distance = Twips(tw(10))
    section.footer_distance = Twips(tw(10))
    return finish(doc, form_id, BUILDERS[form_id](), P([""], style="Header", size=WU))


def main(argv: Sequence[str]) -> int:
    return write_templates(argv, BUILDERS, build)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
