"""Build the Word templates ``src/formkit/forms/{application,agreement,appraisal}/template.docx``.

    .venv/bin/python scripts/build_forms/make_docx_templates.py [FORM_ID ...]

The generated files are committed: they are what clerks open and adjust in Word or WPS. This
script makes them reproducible and reviewable — change the layout here, run it, commit both.

Layout (spec §3, GB/T 9704-2012 where it applies): A4 portrait; margins top 37 mm, bottom
35 mm, left 28 mm, right 26 mm (text width 156 mm; 附件2 takes 30/25 mm top/bottom to fit its
two pages, 附件3 25/20 mm to fit one page when short); "附件N" top left in 黑体 三号; the title
centred in 方正小标宋简体 二号; table text 仿宋_GB2312 小四, labels centred, values left; outer
border 1.5 pt, inner lines 0.5 pt; fixed column widths adding up to the text width; narrative
rows grow, seal rows never split. Every run, style, header and footer names its font in the
ascii, hAnsi, eastAsia and cs slots (python-docx's ``font.name`` would leave Chinese text to
Word's fallback). The copy label ``{{ copy_label }}`` sits at the top right of every page
(header, 仿宋 五号) and "第 X 页 共 Y 页" in the footer (PAGE / NUMPAGES fields).

Each form's template.html (the PDF) uses the same rows, column widths, row heights, line
pitches and margins (``body.word-metrics`` in _shared/style.css and the forms' own styles), so
the two break their pages at the same places; tests/test_word_equals_pdf.py holds them to it.

Every Jinja tag is written as ONE run, so Word can never split it. Signature, seal and date
cells are left blank for ink: "（盖章）" and "年　月　日" with full-width spaces.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Twips

ROOT = Path(__file__).resolve().parents[2]  # the project checkout
FORMS = ROOT / "src" / "formkit" / "forms"  # the forms shipped in the package
sys.path.insert(0, str(ROOT / "src"))  # this checkout's formkit, not another install

from formkit.forms import load_form  # noqa: E402

# --------------------------------------------------------------------------- fonts and sizes

FANG = "仿宋_GB2312"  # body and tables
TITLE = "方正小标宋简体"  # titles
HEI = "黑体"  # 附件N, clause headings
SYMBOL = "Segoe UI Symbol"  # ☑ ☐ (not in the GB 2312 fonts)

# Chinese point sizes (号) in points
ER = 22.0  # 二号
SAN = 16.0  # 三号
SI = 14.0  # 四号
XIAO_SI = 12.0  # 小四
WU = 10.5  # 五号

# fontTable entries: charset 86 = GB 2312, so Word substitutes sensibly where a font is missing
FONT_TABLE = {
    FANG: ("仿宋", "modern", "02010609030101010101"),
    TITLE: ("宋体", "roman", "02000000000000000000"),
    HEI: ("SimHei", "modern", "02010609060101010101"),
    SYMBOL: (None, "swiss", "020B0502040204020203"),
}

# --------------------------------------------------------------------------- page geometry


def tw(mm: float) -> int:
    """Millimetres → twips (1/20 pt)."""
    return round(mm * 1440 / 25.4)


PAGE_W, PAGE_H = 11906, 16838  # A4 in twips
MARGIN = {"top": 37, "bottom": 35, "left": 28, "right": 26}  # mm, GB/T 9704
# the two registration forms need room: shorter top and bottom margins, same text width
FORM_MARGIN = {"application": {"top": 30, "bottom": 25}, "appraisal": {"top": 25, "bottom": 20}}
TEXT_MM = 210 - MARGIN["left"] - MARGIN["right"]  # 156 mm
TEXT_W = PAGE_W - tw(MARGIN["left"]) - tw(MARGIN["right"])  # 8845 twips
OUTER, INNER = 12, 4  # border widths in eighths of a point: 1.5 pt, 0.5 pt
CELL_MARGIN = 57  # twips ≈ 1 mm left/right inside every cell


# --------------------------------------------------------------------------- XML helpers


def el(tag: str, attrs: dict[str, object] | None = None, *children) -> OxmlElement:
    """``<tag attrs>children</tag>``; ``None`` children are skipped."""
    e = OxmlElement(tag)
    for key, value in (attrs or {}).items():
        e.set(qn(key), str(value))
    for child in children:
        if child is not None:
            e.append(child)
    return e


def fonts(font: str) -> OxmlElement:
    """``w:rFonts`` naming ``font`` in all four slots, East-Asian first for ambiguous characters."""
    return el("w:rFonts", {"w:ascii": font, "w:hAnsi": font, "w:eastAsia": font, "w:cs": font,
                           "w:hint": "eastAsia"})


def rpr(font: str = FANG, size: float = XIAO_SI) -> OxmlElement:
    half = round(size * 2)
    return el("w:rPr", None, fonts(font), el("w:sz", {"w:val": half}), el("w:szCs", {"w:val": half}))


@dataclass(frozen=True)
class R:
    """A run: ``text`` (a Jinja tag must be one whole run), its font and size; ``"\\n"`` in
    static text becomes ``<w:br/>``."""

    text: str
    font: str = FANG
    size: float = XIAO_SI


def run(r: R) -> OxmlElement:
    e = el("w:r", None, rpr(r.font, r.size))
    for i, line in enumerate(r.text.split("\n")):
        if i:
            e.append(el("w:br"))
        t = el("w:t")
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        t.text = line
        e.append(t)
    return e


@dataclass(frozen=True)
class P:
    """A paragraph of runs (plain strings are runs in the paragraph's default font)."""

    runs: Sequence[R | str]
    style: str | None = None
    align: str | None = None  # left | center | right | both | distribute
    font: str = FANG
    size: float = XIAO_SI
    line: float | None = None  # exact line pitch in pt; None = single
    before: float = 0.0
    after: float = 0.0
    first_chars: float = 0.0  # first-line indent in characters
    hanging_chars: float = 0.0
    right_chars: float = 0.0
    keep_next: bool = False
    keep_lines: bool = False


def para(p: P) -> OxmlElement:
    ppr = el("w:pPr")
    if p.style:
        ppr.append(el("w:pStyle", {"w:val": p.style}))
    if p.keep_next:
        ppr.append(el("w:keepNext"))
    if p.keep_lines:
        ppr.append(el("w:keepLines"))
    spacing = {"w:before": round(p.before * 20), "w:after": round(p.after * 20)}
    if p.line:
        spacing.update({"w:line": round(p.line * 20), "w:lineRule": "exact"})
    else:
        spacing.update({"w:line": 240, "w:lineRule": "auto"})
    ppr.append(el("w:spacing", spacing))
    char = round(p.size * 20)  # one character at this size, in twips
    ind: dict[str, object] = {}
    if p.first_chars:
        ind.update({"w:firstLineChars": round(p.first_chars * 100), "w:firstLine": round(p.first_chars * char)})
    if p.hanging_chars:
        ind.update({"w:leftChars": round(p.hanging_chars * 100), "w:left": round(p.hanging_chars * char),
                    "w:hangingChars": round(p.hanging_chars * 100), "w:hanging": round(p.hanging_chars * char)})
    if p.right_chars:
        ind.update({"w:rightChars": round(p.right_chars * 100), "w:right": round(p.right_chars * char)})
    if ind:
        ppr.append(el("w:ind", ind))
    if p.align:
        ppr.append(el("w:jc", {"w:val": p.align}))
    if not any(r.text if isinstance(r, R) else r for r in p.runs):
        ppr.append(rpr(p.font, p.size))  # the mark of an empty paragraph sets its line height
    e = el("w:p", None, ppr)
    for r in p.runs:
        e.append(run(R(r, p.font, p.size) if isinstance(r, str) else r))
    return e


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class C:
    """A table cell: paragraphs (a ``str`` is one paragraph in the cell's kind), ``span``
    columns of its row's layout, ``merge`` "restart"/"continue" for a vertical merge, and
    ``valign``."""

    content: Sequence[P | str] | P | str = ""
    span: int = 1
    kind: str = "value"  # label (centred) | value (left) | centre
    merge: str | None = None
    valign: str = "center"


@dataclass(frozen=True)
class Row:
    """A table row: cells over ``cols`` (column widths in mm; the table's if ``None``), minimum
    height in mm, never split across pages unless ``split``."""

    cells: Sequence[C]
    height: float = 8.5
    cols: Sequence[float] | None = None
    split: bool = False


LINE_LABEL = 18.0  # exact line pitch of labels and short values (pt)
LINE_TEXT = 20.0  # narrative text in tables


def cell_paragraphs(c: C, size: float) -> list[P]:
    items = c.content if isinstance(c.content, (list, tuple)) else [c.content]
    out = []
    for item in items:
        if isinstance(item, P):
            out.append(item)
        elif c.kind in ("label", "centre"):
            out.append(P([item], align="center", size=size, line=LINE_LABEL))
        else:
            out.append(P([item], align="left", size=size, line=LINE_TEXT))
    return out


def table(cols: Sequence[float], rows: Sequence[Row], *, size: float = XIAO_SI,
          borders: bool = True) -> OxmlElement:
    """A fixed-layout table as wide as the text. Each row may use its own column layout (in
    mm, adding up to the text width); the grid is the union of all their column edges, so
    every cell gets an exact ``gridSpan`` and fixed width."""
    def edges(layout: Sequence[float]) -> list[int]:
        assert abs(sum(layout) - TEXT_MM) < 0.01, f"columns {layout} must add up to {TEXT_MM} mm"
        out, x = [0], 0.0
        for w in layout:
            x += w
            out.append(min(tw(x), TEXT_W))
        out[-1] = TEXT_W
        return out

    grid = sorted({e for row in rows for e in edges(row.cols or cols)})
    widths = [b - a for a, b in zip(grid, grid[1:])]

    def border(sz: int) -> dict[str, object]:
        return {"w:val": "single", "w:sz": sz, "w:space": 0, "w:color": "000000"} if borders else {"w:val": "nil"}

    tbl_borders = el("w:tblBorders", None,
                     *(el(f"w:{side}", border(OUTER)) for side in ("top", "left", "bottom", "right")),
                     el("w:insideH", border(INNER)), el("w:insideV", border(INNER)))
    margin = CELL_MARGIN if borders else 0
    tbl_pr = el("w:tblPr", None,
                el("w:tblStyle", {"w:val": "FormTable"}),
                el("w:tblW", {"w:w": TEXT_W, "w:type": "dxa"}),
                el("w:jc", {"w:val": "center"}),
                tbl_borders,
                el("w:tblLayout", {"w:type": "fixed"}),
                el("w:tblCellMar", None,
                   el("w:top", {"w:w": 0, "w:type": "dxa"}), el("w:left", {"w:w": margin, "w:type": "dxa"}),
                   el("w:bottom", {"w:w": 0, "w:type": "dxa"}), el("w:right", {"w:w": margin, "w:type": "dxa"})),
                el("w:tblLook", {"w:val": "0000", "w:firstRow": 0, "w:lastRow": 0, "w:firstColumn": 0,
                                 "w:lastColumn": 0, "w:noHBand": 1, "w:noVBand": 1}))
    tbl = el("w:tbl", None, tbl_pr, el("w:tblGrid", None, *(el("w:gridCol", {"w:w": w}) for w in widths)))
    for row in rows:
        row_edges = edges(row.cols or cols)
        tr_pr = el("w:trPr")
        if not row.split:
            tr_pr.append(el("w:cantSplit"))
        tr_pr.append(el("w:trHeight", {"w:val": tw(row.height), "w:hRule": "atLeast"}))
        tr_pr.append(el("w:jc", {"w:val": "center"}))
        tr = el("w:tr", None, tr_pr)
        col = 0
        for c in row.cells:
            start, end = row_edges[col], row_edges[col + c.span]
            span = grid.index(end) - grid.index(start)
            tc_pr = el("w:tcPr", None, el("w:tcW", {"w:w": end - start, "w:type": "dxa"}))
            if span > 1:
                tc_pr.append(el("w:gridSpan", {"w:val": span}))
            if c.merge:
                tc_pr.append(el("w:vMerge", {"w:val": "restart"} if c.merge == "restart" else None))
            tc_pr.append(el("w:vAlign", {"w:val": c.valign}))
            tr.append(el("w:tc", None, tc_pr, *(para(p) for p in cell_paragraphs(c, size))))
            col += c.span
        assert col == len(row_edges) - 1, f"row covers {col} of {len(row_edges) - 1} columns: {row}"
        tbl.append(tr)
    return tbl


def L(text: str, span: int = 1, **kw) -> C:
    """A label cell (centred)."""
    return C(text, span, "label", **kw)


def V(text: str, span: int = 1, **kw) -> C:
    """A value cell (left)."""
    return C(text, span, "value", **kw)


def loop_row(tag: str) -> Row:
    """A docxtpl row tag (``{%tr for … %}`` / ``{%tr endfor %}``): when rendering, the whole
    row is replaced by the tag, so it is one cell as wide as the table."""
    return Row([C(P([tag], line=LINE_LABEL))], height=5, cols=[TEXT_MM])


# --------------------------------------------------------------------------- common blocks

SEAL = "（盖章）"
DATE = "年　月　日"  # full-width spaces: the day is written in ink


def seal_lines(*, sign: str | None = None, seal: bool = True, who: str = "", pad: float = 6.0,
               line: float = LINE_TEXT) -> list[P]:
    """The ink block at the bottom right of a cell: optional "…签名：", "（盖章）", "年　月　日".

    "（盖章）" (4 characters) is centred over "年　月　日" (5 characters), ``who`` (e.g. "服务单位")
    written before it; ``pad`` pt above and below the block, ``line`` pt apart; all lines keep together.
    """
    out = []
    if sign:
        out.append(P([sign], align="right", right_chars=9, line=line, before=pad, keep_next=True, keep_lines=True))
    if seal:
        out.append(P([who + SEAL], align="right", right_chars=2.5, line=line, before=0 if sign else pad,
                     keep_next=True, keep_lines=True))
    out.append(P([DATE], align="right", right_chars=2, line=line, after=pad, keep_lines=True))
    return out


def header_block(attachment: bool, *, compact: bool = False) -> list[P]:
    """ "附件N" at the top left (黑体 三号) and the title (方正小标宋简体 二号, centred): on 28pt + 6pt
    and 36pt + 12pt lines, or ``compact`` 24pt + 2pt and 32pt + 6pt."""
    out = []
    if attachment:
        out.append(P([R("{{ form.attachment }}", HEI, SAN)], style="Attachment", font=HEI, size=SAN,
                     line=24 if compact else 28, after=2 if compact else 6, keep_next=True))
    out.append(P([R("{{ form.title }}", TITLE, ER)], style="FormTitle", font=TITLE, size=ER,
                 align="center", line=32 if compact else 36, after=6 if compact else 12, keep_next=True))
    return out


def footnote(line: float = LINE_TEXT) -> P:
    return P(["注：", "{{ form.footnote }}"], style="Note", line=line, before=4, hanging_chars=2)


# --------------------------------------------------------------------------- 附件2 申请登记表


def application() -> list:
    """附件2 云南省专业技术人员到基层服务申请登记表 (第四条): one table over two pages."""
    basic = [28, 22, 19.5, 21, 20, 19.5, 26]  # the last column holds the 1寸 photo (25 × 35 mm)
    resume = [28, 38, 52, 38]  # 起止年月 | 学习或工作单位 | 职务
    wide = [28, 128]  # label | narrative
    photo = C("", merge="continue")
    narrative = lambda tag: C([P([tag], align="left", line=LINE_TEXT, before=2)], valign="top")  # noqa: E731

    rows = [
        # rows, labels and fields as in application/template.html (the PDF)
        Row([L("姓　　名"), V("{{ applicant.name }}"), L("性　别"), V("{{ applicant.sex }}"),
             L("民　族"), V("{{ applicant.ethnicity }}"), C("照片", kind="centre", merge="restart")]),
        Row([L("出生年月"), V("{{ applicant.birth_month }}"), L("政治面貌"), V("{{ applicant.political_status }}"),
             L("参加工作\n时间"), V("{{ applicant.work_start }}"), photo]),
        Row([L("公民身份号码"), V("{{ applicant.id_number }}", 5), photo]),
        Row([L("学历/学位"), V("{{ applicant.education_degree }}", 2), L("现任职务"),
             V("{{ applicant.position }}", 2), photo]),
        Row([L("毕业院校\n及专业"), V("{{ applicant.school_major }}", 6)]),
        Row([L("现工作单位"), V("{{ home_unit.name }}", 3), L("单位级别"), V("{{ home_unit.level }}", 2)]),
        Row([L("单位上级\n主管部门"), V("{{ home_unit.supervisor }}", 3), L("现从事\n专业"),
             V("{{ applicant.specialty }}", 2)]),
        Row([L("专业技术职务\n（职称）"), V("{{ qualification.title }}", 2), L("职称等级"),
             V("{{ qualification.title_level }}"), L("取得时间"), V("{{ qualification.title_date }}")]),
        Row([L("执业资格"), V("{{ qualification.practice_qualification }}", 2), L("证书编号"),
             V("{{ qualification.practice_certificate }}", 3)]),
        Row([L("手　　机"), V("{{ applicant.mobile }}", 2), L("邮政编码"), V("{{ applicant.postcode }}", 3)]),
        Row([L("通讯地址"), V("{{ applicant.address }}", 6)]),
        Row([L("申请服务地"), C([P(["{{ service.prefecture }}", "　", "{{ service.county }}", "　",
                                    "{{ service.township }}"], align="left", line=LINE_TEXT)], 6)]),
        Row([L("服务单位"), V("{{ service.unit }}", 3), L("服务岗位"), V("{{ service.post }}", 2)]),
        Row([L("服务起止时间"), V("{{ agreement.range }}", 4), L("服务期限"), V("{{ agreement.years }}年")]),
        # 学习及工作简历: one row per entry (docxtpl row loop); the label cell spans them all
        Row([L("学习及\n工作简历", merge="restart"), L("起止年月"), L("学习或工作单位"), L("职　务")], 7.5, resume),
        loop_row("{%tr for r in resume %}"),
        Row([C("", merge="continue"), C("{{ r.start }}—{{ r.end }}", kind="centre"), V("{{ r.unit }}"),
             V("{{ r.position }}")], 7.5, resume),
        loop_row("{%tr endfor %}"),
        Row([L("主要专业技术\n工作业绩"), narrative("{{ achievements }}")], 36, wide, split=True),
        Row([L("到基层服务\n工作计划"), narrative("{{ service_plan }}")], 36, wide, split=True),
        Row([L("本人承诺"), C([P(["本人自愿申请到基层服务，对以上所填内容的真实性负责。服务期间遵守国家法律法规和服务"
                                 "单位的规章制度，认真履行服务协议，服从管理，完成服务任务。"],
                                line=LINE_TEXT, first_chars=2, before=4, keep_next=True),
                              *seal_lines(sign="申请人签名：", seal=False)], valign="top")], 28, wide),
        *(Row([L(label), C(seal_lines(), valign="bottom")], 25, wide) for label in (
            "所在单位意见",
            "所在单位上级\n人力资源和\n社会保障部门\n意见",
            "服务地县级\n人力资源和\n社会保障部门\n意见",
        )),
    ]
    return [*header_block(True), table(basic, rows), footnote()]


# --------------------------------------------------------------------------- 服务协议书

BODY = SI  # the agreement is prose in 仿宋 四号
BODY_LINE = 26.0


def clause_heading(text: str) -> P:
    return P([R(text, HEI, BODY)], style="ClauseHeading", font=HEI, size=BODY, line=BODY_LINE,
             first_chars=2, keep_next=True)


def clause(*runs: str, style: str = "Clause") -> P:
    return P(list(runs), style=style, size=BODY, line=BODY_LINE, first_chars=2, align="both")


def duty_list(items: str, standing: str) -> list[P]:
    """The duties of one party: the record's items (docxtpl ``{%p for %}``), then a standing
    duty from the policy, numbered on (（1）（2）…)."""
    tag = lambda t: P([t], size=BODY, line=BODY_LINE)  # noqa: E731
    return [
        tag(f"{{%p for d in {items} %}}"),
        clause("（{{ loop.index }}）", "{{ d }}"),
        tag("{%p endfor %}"),
        clause(f"（{{{{ {items}|length + 1 }}}}）", standing),
    ]


def agreement() -> list:
    """服务协议书 (第六条): parties, numbered clauses, copies clause, side-by-side signatures."""
    party = lambda label, tag: P([label, tag], size=BODY, line=BODY_LINE, hanging_chars=0)  # noqa: E731
    out = header_block(False)
    out += [
        party("甲方（服务单位）：", "{{ service.unit }}"),
        party("统一社会信用代码：", "{{ service.credit_code }}"),
        party("单位地址：", "{{ service.address }}"),
        party("法定代表人：", "{{ service.legal_representative }}"),
        party("联系电话：", "{{ service.phone }}"),
        P([""], size=BODY, line=12),
        party("乙方（服务人员）：", "{{ applicant.name }}"),
        party("公民身份号码：", "{{ applicant.id_number }}"),
        party("原工作单位：", "{{ home_unit.name }}"),
        party("专业技术职务：", "{{ qualification.title }}"),
        party("联系电话：", "{{ applicant.mobile }}"),
        P([""], size=BODY, line=12),
        # the clauses below are word for word those of agreement/template.html (the PDF):
        # a clerk files both formats, so change them together
        clause("根据《云南省鼓励专业技术人员到基层服务暂行办法》（以下简称《暂行办法》）的规定，乙方自愿到甲方"
               "从事专业技术服务工作。经", "{{ routing.filing }}", "联系落实，甲乙双方在", "{{ service.county_hr }}",
               "接洽，本着平等自愿、协商一致的原则，签订本协议。"),
        clause_heading("一、服务岗位与地点"),
        clause("乙方到甲方", "{{ service.post }}", "岗位从事专业技术工作，服务地点为", "{{ service.place }}", "（",
               "{{ service.address }}", "）。"),
        clause_heading("二、服务期限"),
        clause("服务期限为", "{{ agreement.years }}", "年，", "{{ agreement.period }}",
               "。服务期从乙方到乡镇服务之日起以周年计算，乙方应连续服务（《暂行办法》第十三条）。"),
        clause_heading("三、甲方的权利和义务"),
        *duty_list("agreement.service_unit_duties", "甲方为乙方创造必要的工作和生活条件，做到政治上关心、生活上照顾、"
                   "工作上支持（《暂行办法》第十四条）。"),
        clause_heading("四、乙方的权利和义务"),
        *duty_list("agreement.applicant_duties", "乙方遵守甲方规章制度，服从甲方管理，在服务期内连续服务，"
                   "认真履行岗位职责，完成服务任务。"),
        clause_heading("五、待遇"),
        clause("（一）乙方服务期间，人事行政、工资等关系保留在原单位（", "{{ home_unit.name }}",
               "），并与原单位职工享受同等待遇；组织关系转入甲方主管部门（", "{{ service.supervisor }}",
               "）（《暂行办法》第七条）。"),
        clause("（二）乙方到乡镇连续服务满", "{{ subsidy.minimum_years }}", "年以上（含", "{{ subsidy.minimum_years }}",
               "年）的，从到乡镇服务之日起，由省财政给予每人每年", "{{ subsidy.rate }}", "元（",
               "{{ subsidy.rate_upper }}", "）的工作岗位补贴。服务期限为2年的，服务期满后一次核发2年的工作岗位补贴；"
               "服务期限超过2年的，从第3年起，每满1年核发一次（《暂行办法》第二、十一条）。"),
        clause("（三）服务期未满", "{{ subsidy.minimum_years }}", "周年、服务期内未按协议履职或者考核不合格（不称职）的，"
               "不享受工作岗位补贴（《暂行办法》第十三条）。"),
        clause("（四）乙方优先评聘专业技术职称；服务期间涉及职称晋升的，由原单位办理推荐申报手续，服务期间的业绩"
               "作为晋升专业技术职称的主要业绩条件（《暂行办法》第十二条）。"),
        clause_heading("六、考核"),
        clause("（一）乙方服务期间的年度考核在甲方进行，考核结果由甲方反馈乙方原单位存档（《暂行办法》第八条）。"),
        clause("（二）服务期满后，由", "{{ service.county_hr }}", "对乙方进行考核鉴定，填写《云南省专业技术人员到基层服务"
               "考核鉴定表》；服务期超过2年的，从第3年起，每满1年考核鉴定一次（《暂行办法》第九条）。"),
        clause_heading("七、协议的变更、解除及违约责任"),
        clause("（一）经甲乙双方协商一致，可以变更本协议，变更内容以书面形式约定，并报", "{{ service.county_hr }}", "备案。"),
        clause("（二）乙方因健康等特殊原因确需提前终止服务的，应提前30日书面通知甲方，经双方协商一致并报",
               "{{ service.county_hr }}", "备案后，解除本协议。"),
        clause("（三）乙方服务期内未按协议履职的，不享受工作岗位补贴；甲方未按本协议提供工作和生活条件的，乙方可以要求"
               "甲方改正，也可以提请", "{{ service.county_hr }}", "协调处理。"),
        clause_heading("八、争议解决"),
        clause("甲乙双方因履行本协议发生争议的，应当协商解决；协商不成的，可以提请", "{{ service.county_hr }}",
               "协调处理，也可以依法向劳动人事争议仲裁委员会申请仲裁。"),
        # 九、其他, "（以下无正文）" and the signatures keep together on one page
        P([R("九、其他", HEI, BODY)], style="ClauseHeading", font=HEI, size=BODY, line=BODY_LINE,
          first_chars=2, keep_next=True, keep_lines=True),
        *(P(list(r), style="Clause", size=BODY, line=BODY_LINE, first_chars=2, align="both", keep_next=True,
            keep_lines=True) for r in (
            ("（一）本协议未尽事宜，按照《暂行办法》及国家和省有关规定执行，或者由甲乙双方协商补充约定。",),
            ("（二）本协议自甲乙双方签字（盖章）之日起生效。",),
            ("（三）", "{{ form.footnote }}"),
        )),
        P(["（以下无正文）"], size=BODY, line=BODY_LINE, align="center", keep_next=True),
        P([""], size=BODY, line=BODY_LINE, keep_next=True),
    ]
    # side-by-side signature blocks, blank for ink; the rows stay together on one page
    sign = lambda text, **kw: P([text], size=BODY, line=BODY_LINE, keep_next=True, **kw)  # noqa: E731
    left = ["甲方（盖章）：", "", "法定代表人或委托代理人（签字）：", "", DATE]
    right = ["乙方（签字）：", "", "", "", DATE]
    cell = lambda lines: C([sign(t, right_chars=4 if t == DATE else 0, align="right" if t == DATE else None)  # noqa: E731
                            for t in lines], valign="top")
    rows = [Row([cell(left), cell(right)], height=9)]
    out.append(table([86, 70], rows, size=BODY, borders=False))  # the PDF's 55% / 45%
    return out


# --------------------------------------------------------------------------- 附件3 考核鉴定表

APPRAISAL_ROWS = {"basic": 7.5, "self_summary": 40, "unit_opinion": 30, "county_opinion": 30, "remarks": 10}
"""Minimum heights (mm) of the rows (``basic``: each of the nine rows of personal data); the
seal blocks have 3 pt above and below, the narratives, seal blocks and the footnote 18pt lines
(APPRAISAL_LINE): a short appraisal fits on one page. appraisal/template.html gives its rows the
same."""
APPRAISAL_LINE = 18.0

GRADES = (("excellent", "优秀"), ("passed", "合格"), ("basic", "基本合格"), ("failed", "不合格"))


def grade_boxes() -> P:
    """考核等次 with ☑ on ``appraisal.grade_canonical`` and ☐ on the others."""
    runs: list[R | str] = [R("考核等次：", FANG)]
    for i, (key, g) in enumerate(GRADES):
        if i:
            runs.append(R("　　", FANG))
        runs.append(R(f"{{{{ appraisal.grade_marks.{key} }}}}", SYMBOL))
        runs.append(R(g, FANG))
    runs.append(R("{% if appraisal.grade != appraisal.grade_canonical %}（记录为“{{ appraisal.grade }}”）{% endif %}", FANG))
    return P(runs, align="left", line=APPRAISAL_LINE, before=4, keep_next=True)


def appraisal() -> list:
    """附件3 云南省专业技术人员到基层服务考核鉴定表 (第九条): one table, one or two pages."""
    cols = [28, 28, 20, 26, 24, 30]
    wide = [28, 128]

    def opinion(label: str, field: str, height: float, ink: list[P], *, split: bool = False) -> Row:
        # one row: the recorded text, then the ink lines (they can never be separated from it);
        # when nothing is recorded, blank lines leave room to write by hand above the seal
        return Row([L(label), C([P([f"{{{{ {field} }}}}"], align="left", line=APPRAISAL_LINE, before=2, keep_next=True),
                                 P([f"{{%p if not {field} %}}"]), *([P([""], line=APPRAISAL_LINE)] * 3),
                                 P(["{%p endif %}"]), *ink], valign="top")],
                   height, wide, split=split)

    # the rows, labels and fields of appraisal/template.html (the PDF), in the order of spec §3
    title = ("{{ qualification.title }}{% if qualification.title_level %}（{{ qualification.title_level }}）{% endif %}"
             "{% if qualification.practice_qualification %}{% if qualification.title %}　{% endif %}"
             "{{ qualification.practice_qualification }}{% endif %}")
    rows = [
        Row([L("姓　　名"), V("{{ applicant.name }}"), L("性　别"), V("{{ applicant.sex }}"),
             L("出生年月"), V("{{ applicant.birth_month }}")], APPRAISAL_ROWS["basic"]),
        Row([L("民　　族"), V("{{ applicant.ethnicity }}"), L("职　称"), V(title, 3)], APPRAISAL_ROWS["basic"]),
        Row([L("公民身份号码"), V("{{ applicant.id_number }}", 5)], APPRAISAL_ROWS["basic"]),
        Row([L("原工作单位"), V("{{ home_unit.name }}", 5)], APPRAISAL_ROWS["basic"]),
        Row([L("服务单位"), V("{{ service.unit }}", 5)], APPRAISAL_ROWS["basic"]),
        Row([L("服务地"), V("{{ service.place }}", 5)], APPRAISAL_ROWS["basic"]),
        Row([L("服务岗位"), V("{{ service.post }}", 5)], APPRAISAL_ROWS["basic"]),
        Row([L("服务起止时间"), V("{{ agreement.range }}", 5)], APPRAISAL_ROWS["basic"]),
        Row([L("考核期间"), V("{{ appraisal.period }}（{{ appraisal.label }}）", 5)], APPRAISAL_ROWS["basic"]),
        # 个人总结 may be long: its row may split, the signature lines still keep together
        opinion("个人总结", "appraisal.self_summary", APPRAISAL_ROWS["self_summary"],
                [P(["本人签名：" + "　" * 6 + DATE], align="right", right_chars=2, line=APPRAISAL_LINE, before=3,
                   after=3, keep_lines=True)], split=True),  # signature and date on one line
        opinion("服务单位\n考核意见", "appraisal.unit_opinion", APPRAISAL_ROWS["unit_opinion"],
                [grade_boxes(), *seal_lines(who="服务单位", pad=3, line=APPRAISAL_LINE)]),
        opinion("服务地县级\n人力资源和\n社会保障部门\n鉴定意见", "appraisal.county_opinion",
                APPRAISAL_ROWS["county_opinion"], seal_lines(pad=3, line=APPRAISAL_LINE)),
        Row([L("备　　注"), C([P(["{{ appraisal.remarks }}"], align="left", line=APPRAISAL_LINE, before=2)], valign="top")],
            APPRAISAL_ROWS["remarks"], wide, split=True),
    ]
    return [*header_block(True, compact=True), table(cols, rows), footnote(APPRAISAL_LINE)]


BUILDERS: dict[str, Callable[[], list]] = {
    "application": application,
    "agreement": agreement,
    "appraisal": appraisal,
}

# --------------------------------------------------------------------------- package parts

STYLE_SPECS = [
    # (type, styleId, name, basedOn, pPr xml, font, size): paragraph styles clerks can apply
    # no extra space between Chinese and Latin letters or digits (Word's and LibreOffice's default,
    # which the PDF does not add): the same text then wraps at the same places in both
    ("paragraph", "Normal", "Normal", None, '<w:widowControl w:val="0"/><w:autoSpaceDE w:val="0"/>'
     '<w:autoSpaceDN w:val="0"/><w:jc w:val="both"/>', FANG, XIAO_SI),
    ("paragraph", "Header", "header", "Normal", '<w:jc w:val="right"/>', FANG, WU),
    ("paragraph", "Footer", "footer", "Normal", '<w:jc w:val="center"/>', FANG, WU),
    ("paragraph", "Attachment", "附件标注", "Normal", '<w:jc w:val="left"/>', HEI, SAN),
    ("paragraph", "FormTitle", "表格标题", "Normal", '<w:jc w:val="center"/>', TITLE, ER),
    ("paragraph", "ClauseHeading", "条款标题", "Normal", "", HEI, SI),
    ("paragraph", "Clause", "条款正文", "Normal", "", FANG, SI),
    ("paragraph", "Note", "表注", "Normal", "", FANG, XIAO_SI),
]


def styles_xml() -> bytes:
    """styles.xml with only the styles the templates use, every one naming its fonts."""
    def rpr_xml(font: str, size: float) -> str:
        half = round(size * 2)
        return (f'<w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}" '
                f'w:hint="eastAsia"/><w:kern w:val="2"/><w:sz w:val="{half}"/><w:szCs w:val="{half}"/>'
                '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr>')

    parts = [f'<w:styles {nsdecls("w")}>',
             f"<w:docDefaults><w:rPrDefault>{rpr_xml(FANG, XIAO_SI)}</w:rPrDefault>"
             '<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
             "</w:pPrDefault></w:docDefaults>"]
    for kind, sid, name, based, ppr, font, size in STYLE_SPECS:
        default = ' w:default="1"' if sid == "Normal" else ""
        based_xml = f'<w:basedOn w:val="{based}"/>' if based else ""
        parts.append(f'<w:style w:type="{kind}"{default} w:styleId="{sid}"><w:name w:val="{name}"/>{based_xml}'
                     f'<w:qFormat/><w:pPr>{ppr}</w:pPr>{rpr_xml(font, size)}</w:style>')
    parts.append('<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
                 '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
                 "<w:unhideWhenUsed/></w:style>")
    parts.append('<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
                 '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr>'
                 '<w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
                 '<w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>'
                 '<w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>')
    parts.append('<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>'
                 '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style>')
    parts.append('<w:style w:type="table" w:styleId="FormTable"><w:name w:val="表格（仿宋）"/>'
                 f'<w:basedOn w:val="TableNormal"/><w:pPr><w:jc w:val="left"/></w:pPr>{rpr_xml(FANG, XIAO_SI)}'
                 '<w:tblPr><w:tblBorders>'
                 + "".join(f'<w:{s} w:val="single" w:sz="{OUTER}" w:space="0" w:color="000000"/>'
                           for s in ("top", "left", "bottom", "right"))
                 + f'<w:insideH w:val="single" w:sz="{INNER}" w:space="0" w:color="000000"/>'
                 f'<w:insideV w:val="single" w:sz="{INNER}" w:space="0" w:color="000000"/>'
                 "</w:tblBorders></w:tblPr></w:style>")
    parts.append("</w:styles>")
    return "".join(parts).encode("utf-8")


def font_table_xml() -> bytes:
    fonts_xml = []
    for name, (alt, family, panose) in FONT_TABLE.items():
        charset = "00" if name == SYMBOL else "86"
        alt_xml = f'<w:altName w:val="{alt}"/>' if alt else ""
        fonts_xml.append(f'<w:font w:name="{name}">{alt_xml}<w:panose1 w:val="{panose}"/>'
                         f'<w:charset w:val="{charset}"/><w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>')
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts {nsdecls("w")}>{"".join(fonts_xml)}</w:fonts>'.encode()


def page_number_paragraph() -> OxmlElement:
    """ "第 X 页 共 Y 页" with PAGE and NUMPAGES fields, centred, 仿宋 五号."""
    p = para(P(["第 "], style="Footer", size=WU, align="center"))
    for i, (field_name, shown) in enumerate((("PAGE", "1"), ("NUMPAGES", "1"))):
        if i:
            p.append(run(R(" 页 共 ", FANG, WU)))
        p.append(el("w:fldSimple", {"w:instr": f" {field_name} \\* Arabic "}, run(R(shown, FANG, WU))))
    p.append(run(R(" 页", FANG, WU)))
    return p


def new_document() -> docx.Document:
    """A python-docx document stripped of what Word does not need, with formkit's styles, font
    table and East-Asian settings (shared by every template build script)."""
    doc = docx.Document()
    # drop what the python-docx default template carries and Word does not need
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.rsplit("/", 1)[-1] in ("stylesWithEffects", "customXml", "numbering"):
            del doc.part.rels[rel_id]
    pkg_rels = doc.part.package.rels
    for rel_id, rel in list(pkg_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del pkg_rels[rel_id]
    doc.part._styles_part._element = parse_xml(styles_xml())
    for rel_id, rel in doc.part.rels.items():
        if rel.reltype == RT.FONT_TABLE:
            rel.target_part._blob = font_table_xml()
    settings = doc.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    compat = settings.find(qn("w:compat"))
    if compat is not None:  # a line ended by a manual break (<w:br/>) is never stretched
        compat.insert(0, el("w:doNotExpandShiftReturn"))
    rsids = settings.find(qn("w:rsids"))
    if rsids is not None:
        settings.remove(rsids)

    return doc


def finish(doc: docx.Document, form_id: str, blocks: list, header_p: P) -> bytes:
    """Put ``header_p`` in the page header, the page number in the footer and ``blocks`` in the
    body; set the core properties; return the reproducible .docx bytes."""
    section = doc.sections[0]
    sect_pr = section._sectPr
    for attr in ("w:rsidR", "w:rsidRPr", "w:rsidSect"):
        sect_pr.attrib.pop(qn(attr), None)
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is not None:
        grid.set(qn("w:linePitch"), "312")
    header = section.header._element
    for child in list(header):
        header.remove(child)
    header.append(para(header_p))
    footer = section.footer._element
    for child in list(footer):
        footer.remove(child)
    footer.append(page_number_paragraph())

    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    for block in blocks:
        sect_pr.addprevious(para(block) if isinstance(block, P) else block)

    props = doc.core_properties
    props.title = load_form(form_id, FORMS).title
    props.subject = "《云南省鼓励专业技术人员到基层服务暂行办法》"
    props.author = props.last_modified_by = "formkit"
    props.comments = "formkit 模板：双花括号标记处由程序填写，修改版式时请勿拆分或改写标记内的文字。"
    props.keywords = props.category = ""
    props.revision = 1
    props.created = props.modified = datetime(2014, 1, 1)

    buf = io.BytesIO()
    doc.save(buf)
    return reproducible_zip(buf.getvalue())


def build(form_id: str) -> bytes:
    """The .docx bytes of ``<form_id>/template.docx`` (deterministic)."""
    doc = new_document()
    section = doc.sections[0]
    section.page_width, section.page_height = Twips(PAGE_W), Twips(PAGE_H)
    margin = {**MARGIN, **FORM_MARGIN.get(form_id, {})}
    section.top_margin, section.bottom_margin = Twips(tw(margin["top"])), Twips(tw(margin["bottom"]))
    section.left_margin, section.right_margin = Twips(tw(margin["left"])), Twips(tw(margin["right"]))
    section.header_distance = Twips(tw(15))
    section.footer_distance = Twips(tw(margin["bottom"] - 12))  # the page number ~7 mm below the text
    header = P([R("{{ copy_label }}", FANG, WU)], style="Header", size=WU, align="right")
    return finish(doc, form_id, BUILDERS[form_id](), header)


def reproducible_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed member times and attributes (same content → same bytes)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2014, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 0
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def main(argv: Sequence[str], builders: dict | None = None, build_one: Callable[[str], bytes] | None = None) -> int:
    """Write ``FORMS/<id>/template.docx`` for the named forms (all of ``builders`` if none)."""
    for form_id in argv or (builders or BUILDERS):
        target = FORMS / form_id / "template.docx"
        target.write_bytes((build_one or build)(form_id))
        print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
