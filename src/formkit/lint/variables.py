"""Compiling a template and analysing its variables: every name and field it uses, checked against the context's ``Shape``."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2 import nodes

from formkit.errors import Severity
from formkit.lint.constants import ERROR, UNSAFE_NAMES
from formkit.lint.findings import Finding
from formkit.lint.shape import Shape


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


# ------------------------------------------------------------ compiling a template (Word and HTML)


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


def _dedupe(findings: list[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))
