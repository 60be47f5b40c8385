"""Click in Chinese: every message of click's own a clerk can meet, translated at import.

Click translates its messages with ``gettext``: each of its modules does
``from gettext import gettext as _`` (and ``ngettext``). ``install()`` replaces those two names in
click's modules with lookups in :data:`MESSAGES` (msgids of click 8.x; an unknown msgid stays as
click wrote it, so a new click version degrades to English, never fails). ``MissingParameter``
builds its sentence from pieces, so its ``format_message`` is replaced too: 「缺少选项 --prefecture
（州（市）的行政区划代码，如 532500）」.

Also here: :class:`Words`, a choice type that takes the Chinese word a clerk types as well as the
English one (``--level 州``), and :func:`words` to map a comma-separated list (``--forms 附件2,协议``).
"""

from __future__ import annotations

import gettext as _gettext
import re
import unicodedata
from collections.abc import Iterable, Mapping

import click

MESSAGES: dict[str, str] = {
    # formatting / help
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（动态）",
    "deprecated": "已弃用",
    # errors
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行「{command} {option}」查看帮助。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such option: {name}": "没有选项：{name}",
    "Option {name!r} does not take a value.": "选项 {name!r} 后面不能跟值。",
    "Option {name!r} requires an argument.": "选项 {name!r} 后面需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 后面需要 {nargs} 个值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）：本命令不接受它",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）：本命令不接受它们",
    "Did you mean {possibility}?": "是否应为 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是否应为其中之一：{possibilities}？）",
    "{value!r} is not {choice}.": "{value!r} 不是可用的值；应为 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不是可用的值；应为 {choices} 之一。",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是{number_type}。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "Value must be an iterable.": "值必须是一组值。",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给了 {len} 个。",
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件，应为目录。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是目录，应为文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 不可写。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 不可执行。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "unknown error": "未知错误",
    "Aborted!": "已取消。",
    "Do you want to continue?": "是否继续？",
    "Confirm the action without prompting.": "不询问，直接确认。",
    "Invalid start character for option ({option})": "选项的起始字符无效（{option}）",
}

_MODULES = ("core", "exceptions", "parser", "types", "formatting", "decorators", "termui", "utils",
            "shell_completion")


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def _missing_message(self: click.MissingParameter) -> str:
    """「缺少选项 --prefecture（州（市）的行政区划代码，如 532500）。」"""
    param = self.param
    kind = self.param_type or (param.param_type_name if param is not None else "parameter")
    what = {"option": "选项", "argument": "参数"}.get(kind, "参数")
    if self.param_hint is not None:
        hint = self.param_hint if isinstance(self.param_hint, str) else " / ".join(self.param_hint)
    elif isinstance(param, click.Option):
        hint = " / ".join(param.opts)
    elif param is not None:
        hint = (param.human_readable_name or "").upper()
    else:
        hint = ""
    text = f"缺少{what} {hint}".rstrip()
    detail = getattr(param, "help", None)
    if detail:
        text += f"（{detail.rstrip('。')}）"
    if self.message:
        text += f"：{self.message}"
    return text + "。"


def term_len(text: str) -> int:
    """Columns ``text`` takes on a terminal: a Chinese character takes two."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_NO_START = "，。；：、）」』》！？”’)],.;:!?"
_NO_END = "（「『《“‘(["


def _units(text: str) -> list[str]:
    """Break points of Chinese text: every Chinese character, each run of ASCII, each space;
    closing punctuation stays with what precedes it, opening punctuation with what follows."""
    units: list[str] = []
    glue = False
    for unit in re.findall(r"\[[^\]\n]{0,60}\]|[\x21-\x7e]+|\s+|.", text):
        if units and not unit.isspace() and not units[-1].isspace() and (glue or unit[0] in _NO_START):
            units[-1] += unit
        else:
            units.append(unit)
        glue = not unit.isspace() and unit[-1] in _NO_END
    return units


def _fill(text: str, width: int, first: str, rest: str) -> str:
    lines: list[str] = []
    line, space = first, False
    empty = True
    for unit in _units(text):
        if unit.isspace():
            space = not empty
            continue
        piece = (" " if space else "") + unit
        if not empty and term_len(line) + term_len(piece) > width:
            lines.append(line)
            line, piece, empty = rest, unit, True
        line += piece
        space, empty = False, False
    lines.append(line)
    return "\n".join(lines)


def _join(lines: list[str]) -> str:
    out = ""
    for line in lines:
        if out and not (term_len(out[-1]) == 2 and term_len(line[0]) == 2):
            out += " "
        out += line
    return out


def wrap_text(text: str, width: int = 78, initial_indent: str = "", subsequent_indent: str = "",
              preserve_paragraphs: bool = False) -> str:
    """click's ``wrap_text`` measuring columns (a Chinese character is two) and breaking
    between Chinese characters, never before a closing mark; lines of one Chinese paragraph
    are joined without a space."""
    text = text.expandtabs()
    if not preserve_paragraphs:
        return _fill(_join([t.strip() for t in text.splitlines() if t.strip()]), width,
                     initial_indent, subsequent_indent)
    paragraphs: list[tuple[int, list[str]]] = []
    for block in re.split(r"\n\s*\n", text):
        lines = block.splitlines()
        if not lines:
            continue
        indent = len(lines[0]) - len(lines[0].lstrip())
        paragraphs.append((indent, lines))
    out = []
    for indent, lines in paragraphs:
        pad = " " * indent
        if lines[0].strip() == "\b":
            out.append("\n".join(initial_indent + pad + line.strip() for line in lines[1:]))
        else:
            out.append(_fill(_join([t.strip() for t in lines]), width, initial_indent + pad,
                             subsequent_indent + pad))
    return "\n\n".join(out)


class Formatter(click.HelpFormatter):
    """Headings with a full-width colon (「选项：」), usage as 「用法：formkit …」."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, gettext("Usage:") if prefix is None else prefix)


class Context(click.Context):
    formatter_class = Formatter


def install() -> None:
    """Make click speak Chinese (idempotent)."""
    import importlib

    for name in _MODULES:
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # pragma: no cover - a click without that module
            continue
        if getattr(module, "_", None) is _gettext.gettext or getattr(module, "_", None) is gettext:
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
    click.exceptions.MissingParameter.format_message = _missing_message  # type: ignore[method-assign]
    click.exceptions.NoSuchOption.format_message = _no_such_option  # type: ignore[method-assign]
    click.types.INT.name = "整数"  # named in 「'abc' 不是整数」
    click.types.FLOAT.name = "数字"
    click.formatting.wrap_text = wrap_text  # type: ignore[assignment]
    click.formatting.term_len = term_len  # type: ignore[assignment]


def _no_such_option(self: click.exceptions.NoSuchOption) -> str:
    """「没有选项 '--bogus'。是否应为 --out？」: click joins the sentences with a space, which a
    Chinese sentence after 。 does not take."""
    if not self.possibilities:
        return self.message
    return f"{self.message}{click.exceptions._format_possibilities(self.possibilities)}"


class Words(click.ParamType):
    """A choice of ``values`` that also takes the words in ``aliases`` (word → value); the
    command receives the canonical (English) value."""

    name = "choice"

    def __init__(self, values: Iterable[str], aliases: Mapping[str, str], shown: str) -> None:
        self.values = tuple(values)
        self.aliases = dict(aliases)
        self.shown = shown

    def get_metavar(self, param, ctx=None) -> str:  # click 8.2 passes ctx
        return f"[{self.shown}]"

    def convert(self, value, param, ctx):
        word = str(value).strip()
        if word in self.values:
            return word
        if word in self.aliases and self.aliases[word] in self.values:
            return self.aliases[word]
        if word.lower() in self.values:
            return word.lower()
        self.fail(f"{value!r} 不是可用的值；应为 {self.shown}", param, ctx)


def words(value: str, aliases: Mapping[str, str], allowed: tuple[str, ...], option: str,
          shown: str) -> tuple[str, ...]:
    """``附件2,协议`` → ``("application", "agreement")``; Chinese or English, ``,`` ``，`` or ``、``
    between them. Raises formkit's ``UsageError`` naming what is allowed."""
    from formkit.errors import UsageError

    raw = [v.strip() for v in value.replace("，", ",").replace("、", ",").split(",") if v.strip()]
    items: list[str] = []
    unknown: list[str] = []
    for word in raw:
        canon = word if word in allowed else aliases.get(word, aliases.get(word.lower()))
        if canon is None and word.lower() in allowed:
            canon = word.lower()
        if canon is None:
            unknown.append(word)
        elif canon not in items:
            items.append(canon)
    if unknown or not items:
        bad = "、".join(unknown) if unknown else "（空）"
        raise UsageError(f"{option} 只能取 {shown}（可用逗号组合），实为 {bad}")
    return tuple(items)
