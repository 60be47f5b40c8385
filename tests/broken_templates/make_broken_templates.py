"""Build the broken Word templates of ``tests/broken_templates/`` — one fault each — for the
template linter's tests (``tests/test_lint.py``).

    .venv/bin/python tests/broken_templates/make_broken_templates.py

Each file is a small 附件2-like template (read with the ``application`` form's context) whose
only fault is the one its name says, written the way Word writes it: a tag split over several
runs (spell-check), a tag with a bold middle, revision marks, a text box with both its DrawingML
and VML copies, a footer. ``{{ copy_label }}`` is in every header, as the real forms need. The
files are committed (open them in Word or WPS to see what a clerk sees) and reproducible: the
test regenerates them and compares the bytes.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import docx
from docx.oxml import parse_xml

HERE = Path(__file__).resolve().parent
NAMESPACES = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
}
NS = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())


def run(text: str, *, bold: bool = False, proof: bool = False) -> str:
    """A run of ``text`` in 仿宋 (bold if asked), as Word writes it."""
    b = "<w:b/><w:bCs/>" if bold else ""
    err = '<w:proofErr w:type="spellStart"/>' if proof else ""
    return (f'{err}<w:r><w:rPr><w:rFonts w:ascii="仿宋_GB2312" w:hAnsi="仿宋_GB2312" w:eastAsia="仿宋_GB2312" '
            f'w:cs="仿宋_GB2312"/>{b}<w:sz w:val="24"/></w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>')


def para(*runs: str, page_break_before: bool = False) -> str:
    ppr = "<w:pPr><w:pageBreakBefore/></w:pPr>" if page_break_before else ""
    return f"<w:p {NS}>{ppr}{''.join(runs)}</w:p>"


def cell(*paras: str, width: int = 2000) -> str:
    body = "".join(p.replace(f" {NS}", "") for p in paras) or "<w:p/>"
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{body}</w:tc>'


def table(*rows: list[str]) -> str:
    cols = max(len(r) for r in rows)
    grid = "".join('<w:gridCol w:w="2000"/>' for _ in range(cols))
    trs = "".join(f"<w:tr>{''.join(r)}</w:tr>" for r in rows)
    return (f'<w:tbl {NS}><w:tblPr><w:tblW w:w="{2000 * cols}" w:type="dxa"/><w:tblBorders>'
            '<w:top w:val="single" w:sz="4"/><w:left w:val="single" w:sz="4"/><w:bottom w:val="single" w:sz="4"/>'
            '<w:right w:val="single" w:sz="4"/><w:insideH w:val="single" w:sz="4"/>'
            f'<w:insideV w:val="single" w:sz="4"/></w:tblBorders></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{trs}</w:tbl>')


def text_box(*paras: str) -> str:
    """A floating text box as Word 2010+ writes it: DrawingML (wps) with a VML fallback, both
    holding the same ``w:txbxContent``."""
    content = "".join(p.replace(f" {NS}", "") for p in paras)
    return (
        "<w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing>"
        '<wp:anchor distT="0" distB="0" distL="114300" distR="114300" simplePos="0" relativeHeight="1" behindDoc="0" '
        'locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="column"><wp:posOffset>3000000</wp:posOffset></wp:positionH>'
        '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
        '<wp:extent cx="2000000" cy="500000"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
        '<wp:docPr id="1" name="文本框 1"/><wp:cNvGraphicFramePr/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        '<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="2000000" cy="500000"/>'
        '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:ln w="6350"><a:solidFill><a:srgbClr val="000000"/>'
        f'</a:solidFill></a:ln></wps:spPr><wps:txbx><w:txbxContent>{content}</w:txbxContent></wps:txbx>'
        '<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="91440" tIns="45720" rIns="91440" bIns="45720" '
        'anchor="t"><a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>'
        "</mc:Choice><mc:Fallback><w:pict>"
        '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
        '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        '<v:shape id="文本框 1" o:spid="_x0000_s1026" type="#_x0000_t202" '
        'style="position:absolute;margin-left:236pt;margin-top:0;width:157.5pt;height:39.4pt;z-index:1" '
        f'strokeweight=".5pt"><v:textbox><w:txbxContent>{content}</w:txbxContent></v:textbox></v:shape>'
        "</w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )


# --------------------------------------------------------------------------- the faults

NAME_ROW = [cell(para(run("姓名"))), cell(para(run("{{ applicant.name }}")))]


def split_runs() -> list[str]:
    """Spell-check split ``{{ applicant.school }}`` into three runs of the same formatting."""
    return [table(NAME_ROW, [cell(para(run("毕业院校"))),
                             cell(para(run("{{ applicant."), run("school", proof=True), run(" }}")))])]


def split_format() -> list[str]:
    """The middle of ``{{ applicant.major }}`` is bold."""
    return [table(NAME_ROW, [cell(para(run("所学专业"))),
                             cell(para(run("{{ applicant."), run("ma", bold=True), run("jor }}")))])]


def revision() -> list[str]:
    """``{{ applicant.sex }}`` retyped with track changes on: half of it is a tracked insertion."""
    ins = ('<w:ins w:id="1" w:author="clerk" w:date="2024-03-01T09:00:00Z">' + run("sex }}") + "</w:ins>")
    return [table(NAME_ROW, [cell(para(run("性别"))), cell(para(run("{{ applicant."), ins))])]


def unbalanced_block() -> list[str]:
    """``{%p if applicant.position %}`` is never closed (its ``{%p endif %}`` was deleted)."""
    return [table(NAME_ROW),
            para(run("{%p if applicant.position %}")),
            para(run("现任职务："), run("{{ applicant.position }}")),
            para(run("通讯地址："), run("{{ applicant.address }}"))]


def tr_not_alone() -> list[str]:
    """The résumé's ``{%tr for %}`` row also holds a heading in its second cell."""
    return [table([cell(para(run("起止年月"))), cell(para(run("学习或工作单位")))],
                  [cell(para(run("{%tr for r in resume %}"))), cell(para(run("（每段经历一行）")))],
                  [cell(para(run("{{ r.start }}—{{ r.end }}"))), cell(para(run("{{ r.unit }}")))],
                  [cell(para(run("{%tr endfor %}"))), cell()])]


def plain_for_in_table() -> list[str]:
    """A plain ``{% for %}`` opens in one row and closes in another: not a row loop."""
    return [table([cell(para(run("{% for r in resume %}{{ r.start }}"))), cell(para(run("{{ r.unit }}")))],
                  [cell(para(run("{{ r.position }}{% endfor %}"))), cell()])]


def unknown_body() -> list[str]:
    """``{{ applicant.nmae }}`` on the second page (after an explicit page break)."""
    return [table(NAME_ROW),
            para(run("申请人（签名）："), run("{{ applicant.nmae }}"), page_break_before=True)]


def unknown_footer() -> list[str]:
    """The footer prints ``{{ form.subtitle }}``, which no form has (see ``FOOTERS``)."""
    return [table(NAME_ROW)]


def unknown_textbox() -> list[str]:
    """A text box beside the title prints ``{{ service.unit_name }}`` (the field is ``service.unit``)."""
    return [para(run("{{ form.title }}"), text_box(para(run("服务单位："), run("{{ service.unit_name }}")))),
            table(NAME_ROW)]


def internal_attribute() -> list[str]:
    """A template reaching for Python internals: refused by the sandbox, found by the linter."""
    return [table(NAME_ROW), para(run("{{ applicant.name.__class__.__mro__ }}"))]


def fullwidth_braces() -> list[str]:
    """``｛｛ applicant.mobile ｝｝`` typed with a Chinese input method: never a tag."""
    return [table(NAME_ROW, [cell(para(run("手机"))), cell(para(run("｛｛ applicant.mobile ｝｝")))])]


BUILDERS: dict[str, Callable[[], list[str]]] = {
    "split-runs": split_runs,
    "split-format": split_format,
    "revision": revision,
    "unbalanced-block": unbalanced_block,
    "tr-not-alone": tr_not_alone,
    "plain-for-in-table": plain_for_in_table,
    "unknown-body": unknown_body,
    "unknown-footer": unknown_footer,
    "unknown-textbox": unknown_textbox,
    "internal-attribute": internal_attribute,
    "fullwidth-braces": fullwidth_braces,
}
FOOTERS = {"unknown-footer": "第 1 页　{{ form.subtitle }}"}


def build(name: str) -> bytes:
    """The .docx bytes of ``tests/broken_templates/<name>.docx`` (deterministic)."""
    doc = docx.Document()
    body = doc.element.body
    sect_pr = body.find(f"{{{body.nsmap['w']}}}sectPr")
    for child in list(body):
        if child is not sect_pr:
            body.remove(child)
    for xml in BUILDERS[name]():
        sect_pr.addprevious(parse_xml(xml))
    section = doc.sections[0]
    section.header.paragraphs[0].text = "{{ copy_label }}"
    section.footer.paragraphs[0].text = FOOTERS.get(name, "第 1 页")
    props = doc.core_properties
    props.title = f"formkit broken template: {name}"
    props.author = props.last_modified_by = "formkit tests"
    props.created = props.modified = datetime(2024, 1, 1)
    props.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 0
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def main(argv: list[str]) -> int:
    for name in argv or BUILDERS:
        target = HERE / f"{name}.docx"
        target.write_bytes(build(name))
        print(f"wrote {target.relative_to(HERE.parents[1])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
