"""HTML (PDF) templates: the same checks, by line."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2

from formkit.errors import Severity
from formkit.forms import forms_root
from formkit.lint.constants import HTML_EXTRAS
from formkit.lint.findings import Finding, _line_snip, _show
from formkit.lint.shape import Shape
from formkit.lint.tags import Tag, check_blocks, scan_text
from formkit.lint.variables import Analyzer, _analyze, _dedupe, _make_env


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


