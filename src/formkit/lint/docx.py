"""Word templates: every part docxtpl renders, tags split across runs, where a finding is in Word."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from formkit.errors import Severity
from formkit.lint.constants import ERROR, MC_FALLBACK, REL_NS, R_ID, W
from formkit.lint.findings import Finding, _show, _snip
from formkit.lint.shape import Shape
from formkit.lint.tags import Tag, block_groups, check_blocks, scan_text
from formkit.lint.variables import Analyzer, _analyze, _dedupe, _make_env


# --------------------------------------------------------------------------- Word templates


@dataclass
class _Segment:
    text: str
    run: Any
    revised: bool


class _Locator:
    """Where a paragraph of one XML part is, in words a clerk can follow in Word."""

    def __init__(self, root: Any, part_label: str, count_pages: bool):
        self.part_label = part_label
        # lxml elements as keys (not id(): lxml makes a new proxy object when none is alive)
        self.tables = {t: i for i, t in enumerate(
            (t for t in root.iter(f"{W}tbl") if not _in_fallback(t)), start=1)}
        self.pages: dict[Any, int] = {}
        if count_pages:
            self._count_pages(root)

    def _count_pages(self, root: Any) -> None:
        rendered = any(True for _ in root.iter(f"{W}lastRenderedPageBreak"))
        page = 1
        for el in root.iter():
            tag = el.tag
            if tag == f"{W}p":
                ppr = el.find(f"{W}pPr")
                if not rendered and ppr is not None and ppr.find(f"{W}pageBreakBefore") is not None:
                    page += 1
                self.pages[el] = page
                if not rendered and ppr is not None and ppr.find(f"{W}sectPr") is not None:
                    page += 1  # a section break (new page) after this paragraph
            elif rendered and tag == f"{W}lastRenderedPageBreak":
                page += 1
            elif not rendered and tag == f"{W}br" and el.get(f"{W}type") == "page":
                page += 1
        if max(self.pages.values(), default=1) == 1:
            self.pages = {}  # nothing to count: do not pretend everything is on page 1

    def where(self, para: Any) -> str:
        """``第1个表格第3行第2列``, ``文本框（…）``, ``正文``, ``页眉`` … (+ ``约第N页``)."""
        parts: list[str] = []
        box = None
        for anc in para.iterancestors():
            if anc.tag == f"{W}txbxContent":
                box = anc
                break
            if anc.tag == f"{W}tc":
                row = anc.getparent()
                table = row.getparent() if row is not None else None
                if row is not None and table is not None and table.tag == f"{W}tbl":
                    r = [x for x in table if x.tag == f"{W}tr"].index(row) + 1
                    c = [x for x in row if x.tag == f"{W}tc"].index(anc) + 1
                    parts.append(f"第{self.tables.get(table, '?')}个表格第{r}行第{c}列")
                break
        if box is not None:
            anchor = next((a for a in box.iterancestors() if a.tag == f"{W}p"), None)
            return f"{self.where(anchor) if anchor is not None else self.part_label}中的文本框"
        text = parts[0] if parts else ""
        where = f"{self.part_label}{text}" if self.part_label != "正文" or not text else text
        page = self.pages.get(para)
        return f"{where}（约第{page}页）" if page else where


def _in_fallback(el: Any) -> bool:
    return any(a.tag == MC_FALLBACK for a in el.iterancestors())


def _paragraph_segments(root: Any) -> dict[Any, list[_Segment]]:
    """Each paragraph (in document order of its first text) → its text pieces in order; text
    boxes' paragraphs are their own; Word's VML fallback copies of text boxes are skipped."""
    out: dict[Any, list[_Segment]] = {}
    for t in root.iter(f"{W}t", f"{W}delText", f"{W}instrText"):
        if not t.text or _in_fallback(t):
            continue
        para = run = None
        revised = t.tag == f"{W}delText"
        for anc in t.iterancestors():
            if anc.tag == f"{W}r" and run is None:
                run = anc
            elif anc.tag in (f"{W}ins", f"{W}del", f"{W}moveFrom", f"{W}moveTo"):
                revised = True
            elif anc.tag == f"{W}p":
                para = anc
                break
        if para is not None:
            out.setdefault(para, []).append(_Segment(t.text, run, revised))
    return out


def _visible_text(para: Any) -> str:
    return "".join(t.text or "" for t in para.iter(f"{W}t") if not _in_fallback(t)
                   and next((a for a in t.iterancestors() if a.tag == f"{W}p"), None) is para)


def _rpr(run: Any) -> bytes:
    from lxml import etree

    rpr = run.find(f"{W}rPr") if run is not None else None
    return etree.tostring(rpr) if rpr is not None else b""


def _docx_parts(z: zipfile.ZipFile) -> list[tuple[str, str, bool]]:
    """``(part name, label, rendered by docxtpl)`` for every part that holds text."""
    from lxml import etree

    names = set(z.namelist())
    rels: dict[str, str] = {}
    if "word/_rels/document.xml.rels" in names:
        for rel in etree.fromstring(z.read("word/_rels/document.xml.rels")).iter(f"{REL_NS}Relationship"):
            rels[rel.get("Id")] = "word/" + rel.get("Target", "").lstrip("/").removeprefix("word/")
    labels: dict[str, str] = {}
    if "word/document.xml" in names:
        doc = etree.fromstring(z.read("word/document.xml"))
        sections = list(doc.iter(f"{W}sectPr"))
        for s, sect in enumerate(sections, start=1):
            for ref in sect:
                kind = {f"{W}headerReference": "页眉", f"{W}footerReference": "页脚"}.get(ref.tag)
                if kind is None:
                    continue
                which = {"first": "（首页）", "even": "（偶数页）"}.get(ref.get(f"{W}type"), "")
                section = f"第{s}节" if len(sections) > 1 else ""
                labels.setdefault(rels.get(ref.get(R_ID), ""), f"{section}{kind}{which}")
    out = [("word/document.xml", "正文", True)]
    for name in sorted(names):
        if re.fullmatch(r"word/(header|footer)\d*\.xml", name):
            out.append((name, labels.get(name, "页眉" if "header" in name else "页脚"), True))
    for name, label, rendered in (("word/footnotes.xml", "脚注", True), ("word/endnotes.xml", "尾注", False),
                                  ("word/comments.xml", "批注", False)):
        if name in names:
            out.append((name, label, rendered))
    return [p for p in out if p[0] in names]


CORE_PROPS = {"title": "标题", "subject": "主题", "creator": "作者", "description": "备注",
              "identifier": "标识", "language": "语言"}
"""Core properties docxtpl renders through Jinja (``DocxTemplate.render_properties``)."""


def _core_tags(z: zipfile.ZipFile) -> list[tuple[str, str]]:
    from lxml import etree

    if "docProps/core.xml" not in z.namelist():
        return []
    out = []
    for el in etree.fromstring(z.read("docProps/core.xml")):
        local = etree.QName(el).localname
        if local in CORE_PROPS and el.text:
            out.append((f"文档属性「{CORE_PROPS[local]}」", el.text))
    return out


def docx_tags(root: Any, locator: _Locator, file: str, findings: list[Finding]) -> list[Tag]:
    """The tags of one XML part in document order; split tags and incomplete ones go to
    ``findings``."""
    tags: list[Tag] = []
    for para, segments in _paragraph_segments(root).items():
        text = "".join(s.text for s in segments)
        if not any(ch in text for ch in "{}％｛｝%#"):
            continue
        spans, faults = scan_text(text)
        where = f"{locator.where(para)}「{_snip(_visible_text(para))}」"
        for _, message in faults:
            findings.append(Finding(file, where, message))
        bounds, pos = [], 0
        for seg in segments:
            bounds.append((pos, pos + len(seg.text)))
            pos += len(seg.text)
        for start, end in spans:
            touched = [s for s, (a, b) in zip(segments, bounds, strict=True) if a < end and b > start]
            tag_text = text[start:end]
            tags.append(Tag(tag_text, where, para=para))
            runs = list(dict.fromkeys(s.run for s in touched))
            if any(s.revised for s in touched):
                findings.append(Finding(file, where, f"标记「{tag_text}」中有修订记录（修订模式下的插入或删除）：请先"
                                        "「审阅 → 接受所有修订」并关闭修订，再选中整个标记删除后重新输入"))
            elif len(runs) > 1:
                formats = {_rpr(s.run) for s in touched}
                if len(formats) > 1:
                    findings.append(Finding(file, where, f"标记「{tag_text}」中间的格式不一致（如部分加粗、换了字体或"
                                            f"字号），Word/WPS 因此把它拆成了 {len(runs)} 段：请选中整个标记，清除格式后重新"
                                            "输入，整个标记只用一种格式"))
                else:
                    findings.append(Finding(file, where, f"标记「{tag_text}」被 Word/WPS 拆成了 {len(runs)} 段（常因拼写"
                                            "检查、自动更正或分几次输入造成）：请选中整个标记，删除后一次性重新输入"))
    return tags


def _ancestor(el: Any, tag: str) -> Any:
    return next((a for a in el.iterancestors() if a.tag == f"{W}{tag}"), None)


def _text_of(el: Any) -> str:
    return "".join(t.text or "" for t in el.iter(f"{W}t"))


def layout_faults(tags: list[Tag]) -> list[tuple[Tag, str]]:
    """docxtpl's placement rules: ``{%tr%}`` alone in its row, ``{%tc%}`` in its cell, ``{%p%}``
    in its paragraph; a block's tags in the same paragraph (plain), container (``p``), table
    (``tr``) or row (``tc``)."""
    faults: list[tuple[Tag, str]] = []
    for tag in tags:
        if not tag.prefix or tag.para is None:
            continue
        if tag.prefix == "tr":
            row = _ancestor(tag.para, "tr")
            if row is None:
                faults.append((tag, f"「{tag.text}」不在表格里：{{%tr … %}} 只能写在表格的一行中"))
                continue
            rest = _text_of(row).replace(tag.text, "", 1).strip()
            if rest:
                faults.append((tag, f"「{tag.text}」所在的表格行里还有其他内容「{_snip(rest)}」：生成时整行会被这个"
                                    "标记替换，这些内容会丢失。请把它单独放在一行（该行其他单元格留空）"))
        elif tag.prefix == "tc":
            cell = _ancestor(tag.para, "tc")
            if cell is None:
                faults.append((tag, f"「{tag.text}」不在表格里：{{%tc … %}} 只能写在单元格中"))
                continue
            rest = _text_of(cell).replace(tag.text, "", 1).strip()
            if rest:
                faults.append((tag, f"「{tag.text}」所在的单元格里还有其他内容「{_snip(rest)}」：生成时整个单元格会"
                                    "被这个标记替换，这些内容会丢失"))
        elif tag.prefix == "p":
            rest = _text_of(tag.para).replace(tag.text, "", 1).strip()
            if rest:
                faults.append((tag, f"「{tag.text}」所在的段落里还有其他内容「{_snip(rest)}」：生成时整段会被这个"
                                    "标记替换，这些内容会丢失。请把它单独放在一段"))
    for group in block_groups(tags):
        head = group[0]
        if any(t.prefix != head.prefix for t in group):
            kinds = "、".join(dict.fromkeys(t.text for t in group))
            faults.append((head, f"配对的标记 {kinds} 写法不一致：应都用「{{%{head.prefix} …%}}」或都不用前缀"))
            continue
        if head.para is None:
            continue
        if head.prefix == "":
            paras = {t.para for t in group}
            if len(paras) > 1:
                cells = {_ancestor(t.para, "tc") for t in group}
                if _ancestor(head.para, "tc") is not None or len(cells) > 1:
                    hint = ("表格中跨行、跨单元格的循环或条件：整行重复请用「{%tr for … %}」…「{%tr endfor %}」（各占"
                            "一行，该行其他单元格留空），单元格内跨段落请用「{%p … %}」（各占一段）")
                else:
                    hint = "跨段落的循环或条件请用「{%p … %}」，每个标记单独占一段"
                faults.append((head, f"「{head.text}」与「{group[-1].text}」（{group[-1].where}）不在同一段落：{hint}"))
        elif head.prefix == "p":
            if len({t.para.getparent() for t in group}) > 1:
                faults.append((head, f"「{head.text}」与「{group[-1].text}」（{group[-1].where}）不在同一个单元格或"
                                     "同一处正文里"))
        elif head.prefix == "tr":
            tables = {_ancestor(_ancestor(t.para, "tr"), "tbl") for t in group if _ancestor(t.para, "tr") is not None}
            if len(tables) > 1:
                faults.append((head, f"「{head.text}」与「{group[-1].text}」（{group[-1].where}）不在同一个表格里"))
        elif head.prefix == "tc":
            rows = {_ancestor(t.para, "tr") for t in group}
            if len(rows) > 1:
                faults.append((head, f"「{head.text}」与「{group[-1].text}」（{group[-1].where}）不在同一行"))
    return faults


def lint_docx(path: Path, shape: Shape | None, *, needs_copy_label: bool = False,
              env: jinja2.Environment | None = None) -> tuple[list[Finding], set[str]]:
    """Check one Word template. Returns the findings and the context paths it uses."""
    from lxml import etree

    file = _show(path)
    env = env or _make_env()
    findings: list[Finding] = []
    try:
        z = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    except (OSError, zipfile.BadZipFile) as exc:
        return [Finding(file, "", f"无法打开 Word 文件：{exc}（应为 .docx，不是 .doc 或 .wps）")], set()
    analyzer: Analyzer | None = None
    used_label = False
    with z:
        units: list[tuple[str, list[Tag], bool]] = []
        for name, label, rendered in _docx_parts(z):
            try:
                root = etree.fromstring(z.read(name))
            except etree.XMLSyntaxError as exc:
                findings.append(Finding(file, label, f"XML 损坏，无法读取（{exc}）"))
                continue
            locator = _Locator(root, label, count_pages=name == "word/document.xml")
            tags = docx_tags(root, locator, file, findings)
            if not rendered:
                for tag in tags:
                    findings.append(Finding(file, tag.where, f"{label}中的标记「{tag.text}」不会被填写（程序不处理"
                                            f"{label}），会原样印出；请移到正文、页眉或页脚"))
                continue
            units.append((label, tags, True))
        for label, text in _core_tags(z):  # docxtpl renders each property as its own template
            spans, faults = scan_text(text)
            for _, message in faults:
                findings.append(Finding(file, label, message))
            units.append((label, [Tag(text[a:b], f"{label}「{_snip(text)}」") for a, b in spans], False))
        for label, tags, is_xml in units:
            if not tags:
                continue
            broken = check_blocks(tags)
            for tag, message in broken + (layout_faults(tags) if is_xml else []):
                findings.append(Finding(file, tag.where, message))
            if broken:
                continue  # the structure is broken: Jinja's own messages would only repeat it
            source = "\n".join(t.jinja for t in tags)

            def report(lineno: int, message: str, severity: Severity, tags: list[Tag] = tags) -> None:
                tag = tags[min(max(lineno, 1), len(tags)) - 1]
                findings.append(Finding(file, tag.where, f"「{tag.text}」：{message}", severity))

            analyzer = _analyze(source, env=env, shape=shape, extras=(), report=report, analyzer=analyzer) or analyzer
            if analyzer is not None:
                for name, line in analyzer.loaded:
                    report(line, f"Word 模板不能引用其他模板（「{name}」）：请删除 include/extends/import", ERROR)
                analyzer.loaded.clear()
            used_label = used_label or any("copy_label" in t.jinja for t in tags)
    if needs_copy_label and not used_label:
        findings.append(Finding(file, "页眉", "Word 模板没有份数标注「{{ copy_label }}」（应在页眉右上角）：每份的"
                                "持有人无处可印，生成时会失败"))
    return _dedupe(findings), (analyzer.used if analyzer else set())
