"""``formkit lint``: check the Word and HTML templates of the forms before a clerk's edit reaches a
record.

What a template can get wrong, and where this module looks for it:

- **Word splits a tag.** ``{{ applicant.name }}`` typed in Word is often stored as several runs
  (``w:r``) — after spell-check, autocorrect, revision marks, or when part of it is bold. Every
  tag must be one run of one formatting (``split-runs``, ``split-format``, ``revision``).
- **Unbalanced tags**: ``{{`` without ``}}``, a ``{% for %}`` without ``{% endfor %}``, an
  ``{% endif %}`` closing a ``for``, full-width ``｛｛`` typed with a Chinese input method.
- **docxtpl's row, paragraph and cell tags.** ``{%tr … %}`` replaces its whole table row, so it
  must be alone in the row; ``{%p … %}`` replaces its paragraph, ``{%tc … %}`` its cell; a plain
  ``{% for %}``/``{% if %}`` must open and close in the same paragraph (a loop over table rows
  is ``{%tr for %}`` … ``{%tr endfor %}``).
- **Variables**: every name and field a template uses must exist in the context the form is
  rendered with, as ``formkit.context.schema`` declares it (no sample records, no clock);
  fields the context offers and the template never uses are reported as a warning (a tag
  deleted by mistake).
  Attributes starting with ``_`` (``''.__class__``) are refused like the sandbox refuses them,
  and ``|safe`` (which turns escaping off) is refused.

Every part docxtpl renders is checked — the body, tables at any depth, text boxes
(``w:txbxContent``), headers, footers, footnotes and the document properties — and tags in parts
it does not render (endnotes, comments) are reported because they would print as typed. A
finding says where a clerk finds it in Word: ``第1个表格第3行第2列``, ``第2节页脚``, ``文本框``,
``约第2页`` (when the file has page breaks to count), with the paragraph's text; for an HTML
template the line and its text.

``lint_targets(names)`` is what the CLI calls; ``lint_form``, ``lint_docx`` and ``lint_html``
check one form or template. Nothing here renders a document or writes a file.
"""

from __future__ import annotations

import difflib
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import (UNSAFE_ASYNC_GENERATOR_ATTRIBUTES, UNSAFE_COROUTINE_ATTRIBUTES,
                            UNSAFE_FUNCTION_ATTRIBUTES, UNSAFE_GENERATOR_ATTRIBUTES,
                            UNSAFE_METHOD_ATTRIBUTES)

from formkit.errors import Severity, UsageError
from formkit.forms import Form, forms_root, load_form

__all__ = ["Finding", "LintReport", "Shape", "context_shape", "lint_docx", "lint_form", "lint_html",
           "lint_targets"]

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{%s}" % W_NS
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

ERROR, WARNING = Severity.ERROR, Severity.WARNING

UNSAFE_NAMES = (UNSAFE_FUNCTION_ATTRIBUTES | UNSAFE_METHOD_ATTRIBUTES | UNSAFE_GENERATOR_ATTRIBUTES
                | UNSAFE_COROUTINE_ATTRIBUTES | UNSAFE_ASYNC_GENERATOR_ATTRIBUTES | {"mro"})
LOOP_ATTRS = frozenset("index index0 revindex revindex0 first last length cycle depth depth0 "
                       "previtem nextitem changed".split())
HTML_EXTRAS = ("photo_src",)
"""Variables ``render.pdf.render_html`` passes besides the context."""

SNIPPET = 40


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class Finding:
    """One fault (``severity`` error) or warning in a template: ``file``, ``where`` a clerk can
    find it (``第1个表格第3行第2列「…」``, ``第12行「…」``) and what is wrong."""

    file: str
    where: str
    message: str
    severity: Severity = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is ERROR

    def __str__(self) -> str:
        kind = "" if self.is_error else "警告: "
        where = f" {self.where}" if self.where else ""
        return f"{self.file}{where}: {kind}{self.message}"


@dataclass
class LintReport:
    """What ``lint_targets`` found: ``templates`` checked and every ``findings``, in order."""

    templates: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _snip(text: str, limit: int = SNIPPET) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _line_snip(line: str) -> str:
    """A line of an HTML template as its text and tags, markup left out."""
    text = re.sub(r"<[^>]*>", " ", line)
    return _snip(text if text.strip() else line)


# --------------------------------------------------------------------------- context shapes


class Shape:
    """The union of the values a context position took in the samples: a dict's ``keys``, a
    list's ``item``, the scalar ``types`` seen (``NoneType`` included)."""

    __slots__ = ("keys", "item", "types")

    def __init__(self) -> None:
        self.keys: dict[str, Shape] | None = None
        self.item: Shape | None = None
        self.types: set[type] = set()

    def add(self, value: Any) -> Shape:
        if isinstance(value, dict):
            if self.keys is None:
                self.keys = {}
            for key, item in value.items():
                self.keys.setdefault(str(key), Shape()).add(item)
        elif isinstance(value, (list, tuple)):
            if self.item is None:
                self.item = Shape()
            for item in value:
                self.item.add(item)
        else:
            self.types.add(type(value))
        return self

    def leaves(self, path: str = "") -> Iterator[str]:
        """Every leaf path: ``applicant.name``, ``resume[].unit``, ``agreement.applicant_duties[]``."""
        if self.keys:
            for key in self.keys:
                yield from self.keys[key].leaves(f"{path}.{key}" if path else key)
        if self.item is not None:
            yield from self.item.leaves(f"{path}[]")
        if not self.keys and self.item is None and path:
            yield path

    def has_attr(self, attr: str) -> bool:
        """Whether ``x.attr`` works on some sample (a method of ``str``, ``int``, ``list``, ``dict``)."""
        kinds = {t for t in self.types if t is not type(None)}
        if self.keys is not None:
            kinds.add(dict)
        if self.item is not None:
            kinds.add(list)
        return any(hasattr(kind, attr) for kind in kinds)

    @property
    def is_dict(self) -> bool:
        return self.keys is not None


def context_shape(contexts: list[dict[str, Any]]) -> Shape:
    """The merged shape of sample contexts."""
    shape = Shape()
    for ctx in contexts:
        shape.add(ctx)
    return shape


# --------------------------------------------------------------------------- tags


_TAG_OPEN = {"{{": "}}", "{%": "%}", "{#": "#}"}
_PREFIX_RE = re.compile(r"^\{([%{#])(tr|tc|p|r) ")
_FULLWIDTH_RE = re.compile(r"[｛{][｛{％%#＃]|[％%#＃｝}][｝}]")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
OPENERS = {"for", "if", "macro", "call", "filter", "with", "block", "raw", "autoescape", "set", "trans"}
MIDDLES = {"elif": ("if",), "else": ("if", "for"), "pluralize": ("trans",)}


@dataclass
class Tag:
    """A Jinja tag found in a template: its ``text`` as written, the ``jinja`` Jinja sees (docxtpl
    prefix and curly quotes removed), the docxtpl ``prefix`` (``tr``/``tc``/``p``/``r`` or ""),
    ``kind`` (``{{``, ``{%`` or ``{#``), the block ``keyword`` (``for``, ``endfor`` …), where it is,
    and for Word the paragraph element it stands in."""

    text: str
    where: str
    jinja: str = ""
    prefix: str = ""
    kind: str = "{{"
    keyword: str = ""
    para: Any = None

    def __post_init__(self) -> None:
        text = self.text.translate(_QUOTES)
        self.kind = text[:2]
        m = _PREFIX_RE.match(text)
        if m:
            self.prefix = m[2]
            text = text[:2] + " " + text[m.end():]
        self.jinja = text
        if self.kind == "{%":
            inner = text[2:-2].strip("-+ \t")
            self.keyword = inner.split(None, 1)[0] if inner.split() else ""
            if self.keyword == "set" and "=" not in inner:
                self.keyword = "set-block"
            if self.keyword in ("vm", "hm"):  # docxtpl merge markers, removed before Jinja sees them
                self.jinja = ""
            elif self.keyword in ("colspan", "cellbg"):
                self.jinja = "{{ " + inner.split(None, 1)[1] + " }}" if len(inner.split()) > 1 else ""

    @property
    def opener(self) -> str | None:
        """The block this tag opens (``for``), or ``None``."""
        if self.keyword == "set-block":
            return "set"
        return self.keyword if self.keyword in OPENERS - {"set"} else None

    @property
    def end_tag(self) -> str:
        """The tag that closes this block, as it must be written (``{%p endif %}``)."""
        return f"{{%{self.prefix or ''} end{self.opener} %}}" if self.prefix else f"{{% end{self.opener} %}}"

    @property
    def closes(self) -> str | None:
        return self.keyword[3:] if self.keyword.startswith("end") and len(self.keyword) > 3 else None


def scan_text(text: str, *, strays: bool = True) -> tuple[list[tuple[int, int]], list[tuple[int, str]]]:
    """The tags in ``text`` as ``(start, end)`` spans, and the faults as ``(offset, message)``:
    an opening ``{{`` ``{%`` ``{#`` without its closing, a closing without an opening (unless
    ``strays`` is false: in HTML, CSS such as ``a{width:100%}`` or ``@media{p{…}}`` has them),
    full-width braces."""
    spans: list[tuple[int, int]] = []
    faults: list[tuple[int, str]] = []
    i = 0
    while i < len(text):
        opens = [(text.find(o, i), o) for o in _TAG_OPEN if text.find(o, i) >= 0]
        closes = [(text.find(c, i), c) for c in set(_TAG_OPEN.values()) if text.find(c, i) >= 0]
        start, opener = min(opens) if opens else (-1, "")
        stray = min(closes) if closes else (-1, "")
        if stray[0] >= 0 and (start < 0 or stray[0] < start):
            if strays:
                faults.append((stray[0], f"多出一个「{stray[1]}」：前面没有与它配对的「{_opening(stray[1])}」"))
            i = stray[0] + 2
            continue
        if start < 0:
            break
        end = text.find(_TAG_OPEN[opener], start + 2)
        if end < 0:
            faults.append((start, f"「{opener}」没有对应的「{_TAG_OPEN[opener]}」：标记不完整，或被拆到了下一段"))
            break
        spans.append((start, end + 2))
        i = end + 2
    wide = [m for m in _FULLWIDTH_RE.finditer(text) if any(ord(ch) > 0xFF for ch in m[0])]
    if wide:
        shown = "".join(f"「{m[0]}」" for m in wide)
        faults.append((wide[0].start(), f"{shown}用了全角括号或百分号，不会被当作标记：标记只能用半角的 {{ }} %"
                                        "（切换到英文输入法重新输入）"))
    return spans, faults


def _opening(closer: str) -> str:
    return {v: k for k, v in _TAG_OPEN.items()}[closer]


def check_blocks(tags: list[Tag]) -> list[tuple[Tag, str]]:
    """Faults of the block structure: closings without an opening, crossed blocks, unclosed
    blocks, ``else``/``elif`` outside their block. Returns ``(tag, message)`` pairs."""
    faults: list[tuple[Tag, str]] = []
    stack: list[Tag] = []
    in_raw = False
    for tag in tags:
        if tag.kind != "{%":
            continue
        if in_raw:
            if tag.keyword == "endraw":
                in_raw = False
                stack.pop()
            continue
        if tag.opener:
            stack.append(tag)
            in_raw = tag.opener == "raw"
        elif tag.keyword in MIDDLES:
            if not stack or stack[-1].opener not in MIDDLES[tag.keyword]:
                inside = "、".join(f"{{% {k} %}}" for k in MIDDLES[tag.keyword])
                faults.append((tag, f"「{tag.text}」不在 {inside} … {{% end… %}} 之内"))
        elif tag.closes:
            if not any(t.opener == tag.closes for t in stack):
                faults.append((tag, f"「{tag.text}」前面没有与它配对的「{{% {tag.closes} … %}}」"
                                    "（多余的结束标记，或开始标记被删掉了）"))
            else:
                while stack[-1].opener != tag.closes:
                    top = stack.pop()
                    faults.append((top, f"「{top.text}」没有对应的「{top.end_tag}」"
                                        f"（在「{tag.text}」之前应先结束它）"))
                stack.pop()
    for tag in stack:
        faults.append((tag, f"「{tag.text}」没有对应的「{tag.end_tag}」"))
    return faults


def block_groups(tags: list[Tag]) -> list[list[Tag]]:
    """Each well-nested block as its tags: opening, middles (``else``…), closing."""
    groups: list[list[Tag]] = []
    stack: list[list[Tag]] = []
    for tag in tags:
        if tag.kind != "{%":
            continue
        if tag.opener:
            stack.append([tag])
        elif tag.keyword in MIDDLES and stack:
            stack[-1].append(tag)
        elif tag.closes and stack and stack[-1][0].opener == tag.closes:
            group = stack.pop()
            group.append(tag)
            groups.append(group)
    return groups


# --------------------------------------------------------------------------- variable analysis


@dataclass
class Ref:
    """What an expression stands for: its ``shape`` (``None``: unknown, not checked further) and
    its context ``path`` (``None``: not from the context)."""

    shape: Shape | None
    path: str | None = None


UNKNOWN = Ref(None)
LOOP = Ref(None, None)
BLOCKED = Ref(None, None)  # after a refused internal attribute: nothing further is reported


class Analyzer:
    """Walks a template's AST with the context's shape: reports names and fields the context
    does not have (``report(lineno, message)``) and records the context paths used."""

    def __init__(self, shape: Shape, extras: tuple[str, ...], report: Callable[[int, str, Severity], None],
                 globals_: frozenset[str]):
        self.shape = shape
        self.extras = extras
        self.report = report
        self.globals = globals_
        self.used: set[str] = set()
        self.loaded: list[tuple[str, int]] = []  # templates pulled in by extends/include/import

    # -- scope

    def lookup(self, name: str, scope: list[dict[str, Ref]]) -> Ref | None:
        for frame in reversed(scope):
            if name in frame:
                return frame[name]
        if self.shape.keys and name in self.shape.keys:
            return Ref(self.shape.keys[name], name)
        if name in self.extras:
            return Ref(Shape().add(""), name)
        if name in self.globals or name in ("self", "super", "varargs", "kwargs", "caller"):
            return UNKNOWN
        return None

    def mark(self, ref: Ref | None) -> None:
        if ref is not None and ref.path is not None:
            self.used.add(ref.path)

    # -- expressions

    def resolve(self, node: nodes.Node, scope: list[dict[str, Ref]], *, soft: bool = False) -> Ref:
        """The ``Ref`` of a name/attribute/item chain (other expressions: walked, ``UNKNOWN``)."""
        if isinstance(node, nodes.Name):
            ref = self.lookup(node.name, scope)
            if ref is None:
                if not soft:
                    self.report(node.lineno, self._unknown_name(node.name, scope), ERROR)
                return UNKNOWN
            return ref
        if isinstance(node, (nodes.Getattr, nodes.Getitem)):
            if isinstance(node, nodes.Getattr):
                key: Any = node.attr
            elif isinstance(node.arg, nodes.Const):
                key = node.arg.value
            else:
                self.expr(node.arg, scope)
                base = self.resolve(node.node, scope, soft=soft)
                self.mark(base)
                return UNKNOWN
            base = self.resolve(node.node, scope, soft=soft)
            return self.child(base, key, node.lineno, soft=soft)
        self.expr(node, scope)
        return UNKNOWN

    def child(self, base: Ref, key: Any, lineno: int, *, soft: bool) -> Ref:
        if base is BLOCKED:
            return BLOCKED
        if isinstance(key, str) and (key.startswith("_") or key in UNSAFE_NAMES):
            self.report(lineno, f"「{self._dotted(base, key)}」是程序内部属性，模板不允许访问"
                                "（渲染时会被沙箱拒绝）", ERROR)
            return BLOCKED
        shape = base.shape
        if shape is None:
            return UNKNOWN
        if isinstance(key, int):
            if shape.item is not None:
                return Ref(shape.item, f"{base.path}[]" if base.path else None)
            return UNKNOWN
        if shape.keys is not None and key in shape.keys:
            return Ref(shape.keys[key], f"{base.path}.{key}" if base.path else None)
        if shape.has_attr(key):
            self.mark(base)
            return UNKNOWN
        if not soft:
            self.report(lineno, self._unknown_field(base, key), ERROR)
        return UNKNOWN

    def _dotted(self, base: Ref, key: Any) -> str:
        return f"{base.path}.{key}" if base.path else f"….{key}"

    def _unknown_name(self, name: str, scope: list[dict[str, Ref]]) -> str:
        known = list(self.shape.keys or ()) + [n for frame in scope for n in frame]
        return f"数据中没有「{name}」" + _suggest(name, known, prefix="")

    def _unknown_field(self, base: Ref, key: str) -> str:
        where = base.path or "该值"
        keys = list(base.shape.keys or ()) if base.shape else []
        if not keys:
            return f"「{where}」没有「{key}」这一项（它是{_kind(base.shape)}，不是表格或分组）"
        return (f"数据中没有「{where}.{key}」" + _suggest(key, keys, prefix=f"{where}.")
                + f"；「{where}」下可用：{'、'.join(keys[:12])}{'…' if len(keys) > 12 else ''}")

    def expr(self, node: nodes.Node, scope: list[dict[str, Ref]]) -> None:
        """Walk an expression whose value is used (printed, compared, filtered…)."""
        if isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
            self.mark(self.resolve(node, scope))
        elif isinstance(node, nodes.Filter):
            if node.name == "safe":
                self.report(node.lineno, "「|safe」会关闭转义：值中的 & < > 会破坏 Word 文件或 PDF；请删除它", ERROR)
            soft = node.name in ("default", "d")
            if node.node is not None:
                if soft:
                    self.mark(self.resolve(node.node, scope, soft=True))
                else:
                    self.expr(node.node, scope)
            self._args(node, scope)
        elif isinstance(node, nodes.Test):
            if node.name in ("defined", "undefined"):
                self.mark(self.resolve(node.node, scope, soft=True))
            else:
                self.expr(node.node, scope)
            self._args(node, scope)
        elif isinstance(node, nodes.Call):
            callee = node.node
            if isinstance(callee, nodes.Getattr):  # a method: x.items(), name.strip()
                base = self.resolve(callee.node, scope)
                self.mark(base)
                if base is not BLOCKED and (callee.attr.startswith("_") or callee.attr in UNSAFE_NAMES):
                    self.report(callee.lineno, f"「….{callee.attr}」是程序内部属性，模板不允许访问"
                                               "（渲染时会被沙箱拒绝）", ERROR)
            else:
                self.expr(callee, scope)
            self._args(node, scope)
        else:
            for child in node.iter_child_nodes():
                self.expr(child, scope)

    def _args(self, node: nodes.Node, scope: list[dict[str, Ref]]) -> None:
        for arg in node.args:
            self.expr(arg, scope)
        for kw in node.kwargs:
            self.expr(kw.value, scope)
        for extra in (node.dyn_args, node.dyn_kwargs):
            if extra is not None:
                self.expr(extra, scope)

    # -- statements

    def bind(self, target: nodes.Node, ref: Ref, frame: dict[str, Ref]) -> None:
        if isinstance(target, nodes.Name):
            frame[target.name] = ref
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self.bind(item, UNKNOWN, frame)
        elif isinstance(target, nodes.NSRef):
            pass

    def body(self, items: list[nodes.Node], scope: list[dict[str, Ref]]) -> None:
        for item in items:
            self.stmt(item, scope)

    def stmt(self, node: nodes.Node, scope: list[dict[str, Ref]]) -> None:
        if isinstance(node, nodes.For):
            it = self.resolve(node.iter, scope)
            if it.shape is not None and it.shape.item is not None:
                item = Ref(it.shape.item, f"{it.path}[]" if it.path else None)
            else:
                self.mark(it)
                item = UNKNOWN
            frame: dict[str, Ref] = {"loop": LOOP}
            self.bind(node.target, item, frame)
            inner = scope + [frame]
            if node.test is not None:
                self.expr(node.test, inner)
            self.body(node.body, inner)
            self.body(node.else_, scope + [{}])
        elif isinstance(node, nodes.If):
            self.expr(node.test, scope)
            self.body(node.body, scope)
            for elif_ in node.elif_:
                self.stmt(elif_, scope)
            self.body(node.else_, scope)
        elif isinstance(node, nodes.Assign):
            if isinstance(node.node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
                ref = self.resolve(node.node, scope)  # an alias: {% set a = applicant %}
            else:
                self.expr(node.node, scope)
                ref = UNKNOWN
            self.bind(node.target, ref, scope[-1])
        elif isinstance(node, nodes.AssignBlock):
            self.body(node.body, scope + [{}])
            self.bind(node.target, UNKNOWN, scope[-1])
        elif isinstance(node, nodes.With):
            frame = {}
            for target, value in zip(node.targets, node.values, strict=False):
                if isinstance(value, (nodes.Name, nodes.Getattr, nodes.Getitem)):
                    self.bind(target, self.resolve(value, scope), frame)
                else:
                    self.expr(value, scope)
                    self.bind(target, UNKNOWN, frame)
            self.body(node.body, scope + [frame])
        elif isinstance(node, nodes.Macro):
            scope[-1][node.name] = UNKNOWN
            frame = {a.name: UNKNOWN for a in node.args}
            frame.update(varargs=UNKNOWN, kwargs=UNKNOWN, caller=UNKNOWN)
            for default in node.defaults:
                self.expr(default, scope)
            self.body(node.body, scope + [frame])
        elif isinstance(node, nodes.CallBlock):
            self.expr(node.call, scope)
            frame = {a.name: UNKNOWN for a in node.args}
            self.body(node.body, scope + [frame])
        elif isinstance(node, nodes.FilterBlock):
            self.expr(node.filter, scope)
            self.body(node.body, scope)
        elif isinstance(node, nodes.Block):
            self.body(node.body, scope + [{}])
        elif isinstance(node, (nodes.Extends, nodes.Include)):
            self._load(node.template, scope)
        elif isinstance(node, nodes.Import):
            self._load(node.template, scope)
            scope[-1][node.target] = UNKNOWN
        elif isinstance(node, nodes.FromImport):
            self._load(node.template, scope)
            for name in node.names:
                scope[-1][name if isinstance(name, str) else name[1]] = UNKNOWN
        elif isinstance(node, nodes.Output):
            for child in node.nodes:
                if not isinstance(child, nodes.TemplateData):
                    self.expr(child, scope)
        elif isinstance(node, nodes.ExprStmt):
            self.expr(node.node, scope)
        elif isinstance(node, (nodes.Scope, nodes.ScopedEvalContextModifier, nodes.EvalContextModifier)):
            self.body(node.body, scope + [{}])
        elif isinstance(node, nodes.Template):
            self.body(node.body, scope)
        else:
            for child in node.iter_child_nodes():
                if isinstance(child, nodes.Stmt):
                    self.stmt(child, scope)
                elif isinstance(child, nodes.Expr):
                    self.expr(child, scope)

    def _load(self, template: nodes.Node, scope: list[dict[str, Ref]]) -> None:
        if isinstance(template, nodes.Const) and isinstance(template.value, str):
            self.loaded.append((template.value, template.lineno))
        else:
            self.loaded.append(("（由表达式决定）", template.lineno))
            self.expr(template, scope)


def _kind(shape: Shape | None) -> str:
    if shape is None:
        return "未知的值"
    if shape.item is not None:
        return "列表"
    names = {str: "文字", int: "数字", float: "数字", bool: "是/否", type(None): "空值"}
    return "、".join(dict.fromkeys(names.get(t, t.__name__) for t in shape.types)) or "值"


def _suggest(word: str, options: list[str], *, prefix: str) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"（是否应为「{prefix}{close[0]}」？）" if close else ""


def unused_fields(shape: Shape, used: set[str], *, ignore: tuple[str, ...] = ()) -> list[str]:
    """The leaf paths of ``shape`` no used path covers, whole groups shortened to ``group.*``."""
    def covered(leaf: str) -> bool:
        return any(leaf == u or leaf.startswith(u + ".") or leaf.startswith(u + "[]") for u in used)

    leaves = [leaf for leaf in shape.leaves() if not covered(leaf) and not leaf.startswith(ignore)]
    out: list[str] = []
    all_leaves = list(shape.leaves())
    done: set[str] = set()
    for leaf in leaves:
        top = re.split(r"[.\[]", leaf, maxsplit=1)[0]
        group = [x for x in all_leaves if x == top or x.startswith((top + ".", top + "["))]
        if len(group) > 1 and all(x in leaves for x in group):
            if top not in done:
                done.add(top)
                out.append(f"{top}.*")
        else:
            out.append(leaf)
    return out


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


def _make_env() -> jinja2.Environment:
    from formkit.render.env import make_env

    return make_env()


def _analyze(source: str, *, env: jinja2.Environment, shape: Shape | None, extras: tuple[str, ...],
             report: Callable[[int, str, Severity], None], analyzer: Analyzer | None) -> Analyzer | None:
    """Compile ``source`` (syntax errors, unknown filters → ``report``) and, with a shape, walk
    its variables. Returns the analyzer (``None`` when the source does not compile)."""
    try:
        tree = env.parse(source)
        env.compile(source)
    except jinja2.TemplateSyntaxError as exc:
        report(exc.lineno or 1, f"模板语法错误：{exc.message}", ERROR)
        return None
    if shape is None:
        return analyzer
    if analyzer is None:
        analyzer = Analyzer(shape, extras, report, frozenset(env.globals))
    else:
        analyzer.report = report
    analyzer.stmt(tree, [{}])
    return analyzer


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


def _dedupe(findings: list[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))


# --------------------------------------------------------------------------- HTML templates


_JINJA_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_EXTERNAL_RE = re.compile(r"""(?:\b(?:src|href|data|poster)\s*=\s*["']?|url\(\s*["']?|@import\s+["'])"""
                          r"""\s*((?:https?|ftp|file|data):|//|/|\\)""", re.IGNORECASE)
_CHECKED_ELEMENTS = {"div", "table", "span", "section", "ul", "ol", "style", "script", "strong", "em", "b",
                     "i", "u", "h1", "h2", "h3", "h4", "a", "thead", "tbody", "tfoot", "colgroup"}
_OPTIONAL_END = {"thead", "tbody", "tfoot", "colgroup"}


class _Balance(HTMLParser):
    """HTML elements that must be closed and are not (or closed and never opened)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int]] = []
        self.faults: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _CHECKED_ELEMENTS:
            self.stack.append((tag, self.getpos()[0]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in _CHECKED_ELEMENTS:
            return
        line = self.getpos()[0]
        if any(t == tag for t, _ in self.stack):
            while self.stack and self.stack[-1][0] != tag:
                open_tag, open_line = self.stack.pop()
                if open_tag not in _OPTIONAL_END:
                    self.faults.append((open_line, f"<{open_tag}> 没有对应的 </{open_tag}>（在第{line}行的 </{tag}> 之前）"))
            self.stack.pop()
        else:
            self.faults.append((line, f"</{tag}> 前面没有与它配对的 <{tag}>"))

    def finish(self) -> list[tuple[int, str]]:
        self.close()
        for tag, line in self.stack:
            if tag not in _OPTIONAL_END:
                self.faults.append((line, f"<{tag}> 没有对应的 </{tag}>"))
        return self.faults


def _blank_jinja(source: str) -> str:
    """``source`` with every Jinja tag replaced by spaces (newlines kept, so lines stay)."""
    return _JINJA_RE.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), source)


def html_tags(source: str, file: str, env: jinja2.Environment,
              findings: list[Finding]) -> list[Tag]:
    """The block tags of an HTML template with their lines; lexer errors go to ``findings``."""
    lines = source.splitlines()

    def where(line: int) -> str:
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        return f"第{line}行「{_line_snip(text)}」"

    tags: list[Tag] = []
    try:
        tokens = list(env.lex(source))
    except jinja2.TemplateSyntaxError as exc:
        findings.append(Finding(file, where(exc.lineno or 1), f"模板语法错误：{exc.message}"))
        return []
    i = 0
    while i < len(tokens):
        line, kind, value = tokens[i]
        if kind == "block_begin":
            j = i + 1
            while j < len(tokens) and tokens[j][1] != "block_end":
                j += 1
            words = [v for _, k, v in tokens[i + 1:j] if k not in ("whitespace",)]
            text = "{% " + " ".join(str(w) for w in words) + " %}"
            tags.append(Tag(text, where(line)))
            i = j
        i += 1
    return tags


def lint_html(path: Path, shape: Shape | None, *, env: jinja2.Environment | None = None,
              source: str | None = None) -> tuple[list[Finding], set[str]]:
    """Check one HTML (PDF) template and the templates it extends or includes. Returns the
    findings and the context paths used."""
    env = env or _make_env()
    findings: list[Finding] = []
    analyzer: Analyzer | None = None
    todo: list[tuple[Path | None, str, str]] = []
    try:
        todo.append((path, _show(path), source if source is not None else path.read_text("utf-8")))
    except (OSError, UnicodeDecodeError) as exc:
        return [Finding(_show(path), "", f"无法读取模板：{exc}")], set()
    seen: set[str] = set()
    root = forms_root()
    while todo:
        _, file, text = todo.pop(0)
        lines = text.splitlines()

        def where(line: int, lines: list[str] = lines) -> str:
            content = lines[line - 1] if 0 < line <= len(lines) else ""
            return f"第{line}行「{_line_snip(content)}」"

        _, delimiter_faults = scan_text(text, strays=False)
        for offset, message in delimiter_faults:
            findings.append(Finding(file, where(text.count("\n", 0, offset) + 1), message))
        if delimiter_faults:
            continue
        tags = html_tags(text, file, env, findings)
        faults = check_blocks(tags)
        for tag, message in faults:
            findings.append(Finding(file, tag.where, message))
        for line, message in _html_balance(text):
            findings.append(Finding(file, where(line), f"HTML 标签不配对：{message}"))
        for m in _EXTERNAL_RE.finditer(_blank_jinja(text)):
            line = text.count("\n", 0, m.start()) + 1
            findings.append(Finding(file, where(line), "引用了外部网址或绝对路径的文件：生成 PDF 时只允许读取表单目录"
                                    "（formkit forms 显示的目录）下的文件，这里会失败；请改用相对路径（如 _shared/style.css）"))
        if faults or any(f.file == file and "模板语法错误" in f.message for f in findings):
            continue

        def report(lineno: int, message: str, severity: Severity, file: str = file, where=where) -> None:
            findings.append(Finding(file, where(lineno), message, severity))

        analyzer = _analyze(text, env=env, shape=shape, extras=HTML_EXTRAS, report=report,
                            analyzer=analyzer) or analyzer
        if analyzer is None:
            continue
        while analyzer.loaded:
            name, line = analyzer.loaded.pop(0)
            if name in seen:
                continue
            seen.add(name)
            try:
                src, filename, _ = env.loader.get_source(env, name)
            except jinja2.TemplateNotFound:
                findings.append(Finding(file, where(line), f"引用的模板「{name}」不存在或不允许读取（只能引用 "
                                        f"{_show(root)} 下的 .html 模板）"))
                continue
            todo.append((Path(filename), _show(Path(filename)), src))
    return _dedupe(findings), (analyzer.used if analyzer else set())


def _html_balance(text: str) -> list[tuple[int, str]]:
    parser = _Balance()
    parser.feed(_blank_jinja(text))
    return parser.finish()


# --------------------------------------------------------------------------- forms


def lint_form(form: Form, *, docx: Path | None = None,
              html: Path | None = None) -> tuple[list[Finding], list[str]]:
    """Check a form's templates (or the given ``docx``/``html`` files) against the form's
    declared context (``formkit.context.schema``): no sample records, no clock. Returns the
    findings and the template files checked."""
    from formkit.context.schema import SCHEMAS, shape_of

    shape = shape_of(form.id, Shape) if form.id in SCHEMAS else None
    why = f"表单 {form.id} 没有声明模板数据结构（formkit.context.schema）"
    not_printed: tuple[str, ...] = ("appraisal",) if form.scope == "case" else ()  # 附件3's alone
    targets: list[tuple[str, Path]] = []
    if docx is None and html is None:
        for kind, p in (("docx", form.docx_template), ("html", form.html_template)):
            if p.is_file():
                targets.append((kind, p))
    else:
        targets += [("docx", docx)] if docx else []
        targets += [("html", html)] if html else []
    findings: list[Finding] = []
    if not targets:
        findings.append(Finding(_show(form.folder), "", "没有模板文件（template.docx 或 template.html）"))
    if shape is None:
        findings.append(Finding(_show(form.folder), "", f"未检查模板用到的字段：{why}", WARNING))
    env = _make_env()
    for kind, path in targets:
        if kind == "docx":
            found, used = lint_docx(path, shape, needs_copy_label=bool(form.copies), env=env)
            ignore: tuple[str, ...] = not_printed
        else:
            found, used = lint_html(path, shape, env=env)
            ignore = ("copy_label", *not_printed)  # the PDF's labels are stamped on afterwards
        findings += found
        if shape is not None and not any(f.is_error for f in found):
            unused = unused_fields(shape, used, ignore=ignore)
            if unused:
                findings.append(Finding(_show(path), "", "数据中的这些字段模板没有用到（如非有意，可能误删了标记）："
                                        + "、".join(unused), WARNING))
    return findings, [_show(p) for _, p in targets]


def all_form_ids(root: Path | None = None) -> list[str]:
    """Every form in the forms folder (folders with a ``form.yaml``, ``_shared``/``_build`` skipped)."""
    root = root or forms_root()
    return sorted(p.parent.name for p in root.glob("*/form.yaml") if not p.parent.name.startswith("_"))


def lint_targets(names: list[str], *, as_form: str | None = None) -> LintReport:
    """What ``formkit lint`` checks: ``names`` are form ids (``application``), form folders, or
    template files (``.docx``/``.html``, read with the context of ``as_form`` or of the
    ``form.yaml`` beside them); none means every form. Raises ``UsageError`` for a name that is
    none of these."""
    report = LintReport()
    root = forms_root()
    for name in names or all_form_ids(root):
        path = Path(name)
        if path.is_file():
            if path.suffix.lower() not in (".docx", ".html", ".htm"):
                raise UsageError(f"{name}：只能检查 .docx 或 .html 模板")
            form_id = as_form or (path.parent.name if (path.parent / "form.yaml").is_file() else None)
            if form_id is None:
                raise UsageError(f"{name}：请指明这个模板属于哪个表单（如 application）", param="as_form")
            form_root = path.parent.parent if (path.parent / "form.yaml").is_file() and not as_form else root
            form = load_form(form_id, form_root)
            is_docx = path.suffix.lower() == ".docx"
            found, files = lint_form(form, docx=path if is_docx else None,
                                     html=None if is_docx else path)
        elif (path / "form.yaml").is_file():
            found, files = lint_form(load_form(path.name, path.parent))
        elif (root / name / "form.yaml").is_file() and "/" not in name:
            found, files = lint_form(load_form(name, root))
        else:
            known = "、".join(all_form_ids(root))
            raise UsageError(f"找不到表单或模板「{name}」；可用的表单：{known}")
        report.findings += found
        report.templates += files
    return report
