"""Strict YAML loading: record files → validated, frozen models, with ``file:line:col`` errors.

Every scalar is read as text (PyYAML's ``BaseLoader`` resolves no types), so ``0871-6512345``,
``053100``, ``no``, ``on``, ``1e3``, ``2014-03-01`` and ``12:30`` reach the model exactly as
written; only the model gives them types. Refused, each with its position: bytes that are not
UTF-8, an empty file, a file over ``MAX_BYTES``, control characters (newlines and tabs are
allowed in the file; the model refuses a tab or newline in a single-line field), YAML tags
(``!!python/object``…), anchors and aliases (so no alias-expansion bomb can run), duplicate
keys, non-text keys, unknown fields.

Public entry points return ``Loaded`` (the model or ``None`` plus every ``Problem`` found) and
never raise for bad input.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from yaml.composer import Composer
from yaml.constructor import BaseConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from formkit.errors import InvalidValue, Problem, RefusedYaml, Severity, UsageError
from formkit.model import Case, DemandList, flatten, label_for, person_name_warnings

MAX_BYTES = 1_000_000
"""A case record is a few KB; anything over 1 MB is refused before parsing."""

MAX_DEPTH = 20
"""Nesting of mappings and lists: a record is at most 4 levels deep (``resume[2].unit``); past 20
the file is not a record, and a few hundred brackets would exhaust Python's recursion."""

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]

_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


@dataclass(frozen=True)
class Positions:
    """Where each value and key of a document stands: ``loc`` → (line, col), 1-based."""

    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def find(self, loc: Loc, *, key: bool = False) -> tuple[int | None, int | None]:
        """The position of ``loc``; for a missing field, that of its nearest existing parent."""
        table = self.keys if key else self.values
        if loc in table:
            return table[loc]
        probe = loc
        while probe:
            probe = probe[:-1]
            if probe in self.keys:
                return self.keys[probe]
            if probe in self.values:
                return self.values[probe]
        return self.values.get((), (None, None))


@dataclass(frozen=True)
class Loaded(Generic[M]):
    """What loading one file gave: ``record`` (``None`` if any error) and every problem."""

    path: str
    record: M | None
    problems: tuple[Problem, ...] = ()
    data: Any = field(default=None, compare=False, repr=False)
    """The parsed mapping (plain text values) even when the record was refused, else ``None``:
    lets checks across files (``duplicate_ids``) see a refused record's valid ID number."""

    draft: bool = False
    """The file is marked as a draft (first line ``# 草稿…``, see ``DRAFT_MARK``): never a record
    to make documents from, whatever it holds; ``problems`` starts with ``DRAFT_MESSAGE``."""

    @property
    def ok(self) -> bool:
        return self.record is not None and not any(p.is_error for p in self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)


class _StrictLoader(Reader, Scanner, Parser, Composer, BaseConstructor, BaseResolver):
    """PyYAML's BaseLoader with aliases and anchors refused at composition time."""

    def __init__(self, stream: str):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        BaseConstructor.__init__(self)
        BaseResolver.__init__(self)
        self.depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # noqa: D102
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise RefusedYaml("不允许使用 YAML 别名（*引用）；请直接写出内容", event.start_mark)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise RefusedYaml(f"不允许使用 YAML 锚点（&{anchor}）；请直接写出内容", event.start_mark)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise RefusedYaml(f"嵌套超过 {MAX_DEPTH} 层（列表或映射套得太深）；一份记录最多嵌套 4 层，"
                                  "请检查括号 [ ] { } 是否成对", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Text:
    """Line and column of a character index in a text (for errors that give only an index)."""

    def __init__(self, text: str, index: int):
        before = text[:index]
        self.line = before.count("\n")
        self.column = index - (before.rfind("\n") + 1)


def _compose(text: str, file: str) -> tuple[Node | None, Problem | None]:
    """The document's node tree, or the one problem that stops it — every error PyYAML (or
    Python under it) can raise becomes a positioned Chinese message."""
    loader = None
    try:
        loader = _StrictLoader(text)
        return loader.get_single_node(), None
    except RefusedYaml as exc:
        line, col = _pos(exc.mark)
        return None, Problem(exc.message, file=file, line=line, col=col)
    except yaml.reader.ReaderError as exc:
        line, col = _pos(_Text(text, exc.position))
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        return None, Problem(f"含有 YAML 不允许的字符 U+{code:04X}（常见于从网页或其他软件粘贴）；请删除",
                             file=file, line=line, col=col)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = _pos(mark) if mark else (None, None)
        said = f"{exc.context or ''} {exc.problem or ''}".strip() or str(exc)
        return None, Problem(_syntax_message(said, text, line), file=file, line=line, col=col)
    except (yaml.YAMLError, ValueError, OverflowError, RecursionError, MemoryError) as exc:
        # chr() of an escape past U+10FFFF (ValueError), anything else PyYAML lets through
        mark = loader.get_mark() if loader is not None else None
        line, col = _pos(mark) if mark is not None else (None, None)
        what = ("转义序列写出的字符超出 Unicode 范围（最大 \\U0010FFFF）；请删除或更正该转义"
                if isinstance(exc, (ValueError, OverflowError)) else
                "YAML 格式错误：无法解析此处；请检查缩进、冒号后的空格、引号和括号是否成对")
        return None, Problem(what, file=file, line=line, col=col)
    finally:
        if loader is not None:
            loader.dispose()


def _pos(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _loc_text(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _decode(raw: bytes, file: str) -> tuple[str | None, list[Problem]]:
    if len(raw) > MAX_BYTES:
        return None, [Problem(f"文件过大（超过上限 {MAX_BYTES:,} 字节）；一份记录只有几 KB", file=file)]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, [Problem(f"不是 UTF-8 编码（第 {exc.start + 1} 字节 0x{raw[exc.start]:02X}）；"
                              "请另存为 UTF-8", file=file, line=line, col=col)]
    if not text.strip() or all(ln.strip().startswith("#") or not ln.strip() for ln in text.splitlines()):
        return None, [Problem("文件为空：没有任何记录内容", file=file, line=1, col=1)]
    problems = []
    line, col = 1, 0
    for ch in text:
        if ch == "\n":
            line, col = line + 1, 0
            continue
        col += 1
        if ch in "\t\r":
            continue
        if _refused_char(ch):
            problems.append(Problem(f"含有控制字符 U+{ord(ch):04X}（常见于从网页或 Excel 粘贴）；请删除",
                                    file=file, line=line, col=col))
    if problems:
        problems = _name_fields(text, problems)
    return (None if problems else text), problems


def _refused_char(ch: str) -> bool:
    """A character refused anywhere in a record file (tabs, CR and LF are fine)."""
    return ch not in "\t\r\n" and (unicodedata.category(ch) in ("Cc", "Cs", "Co") or ch in "\u2028\u2029\ufeff")


def _name_fields(text: str, problems: list[Problem]) -> list[Problem]:
    """Give each refused character's problem the path of the value it stands in, when the file
    parses once those characters are blanked out (they are reported either way)."""
    root, problem = _compose("".join("x" if _refused_char(ch) else ch for ch in text), "")
    if problem is not None:
        return problems
    spans: list[tuple[tuple[int, int], tuple[int, int], Loc]] = []

    def walk(node: Node | None, loc: Loc) -> None:
        if isinstance(node, ScalarNode):
            spans.append(((node.start_mark.line, node.start_mark.column),
                          (node.end_mark.line, node.end_mark.column), loc))
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, loc + (i,))
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                if isinstance(key, ScalarNode):
                    walk(value, loc + (key.value,))

    walk(root, ())
    out = []
    for problem in problems:
        pos = ((problem.line or 1) - 1, (problem.col or 1) - 1)
        loc = next((loc for start, end, loc in spans if start <= pos < end), None)
        out.append(replace(problem, path=_loc_text(loc)) if loc else problem)
    return out


_SYNTAX_HINTS = (
    ("found character '\\t'", "此处有制表符（Tab）：YAML 的缩进和「键: 值」之间只能用空格，请把 Tab 换成空格"),
    ("could not find expected ':'", "缺少冒号：每个字段应写作「键: 值」（半角冒号后加一个空格）；或上一行的引号没有闭合"),
    ("mapping values are not allowed here", "这里不能再出现「键: 值」：多半是缩进不对，或者值里含有「: 」，需要给整个值加引号"),
    ("did not find expected key", "缩进不一致：同一层的字段必须左对齐；列表项以「- 」开头"),
    ("did not find expected '-' indicator", "缩进不一致：列表的每一项应以「- 」开头并对齐"),
    ("found undefined alias", "不允许使用 YAML 别名（*引用）；请直接写出内容"),
    ("found unexpected end of stream", "文件在引号或括号闭合前就结束了：请检查引号是否成对"),
    ("expected <block end>, but found", "缩进不一致：这一行比同一层的其他字段缩进得多或少"),
    ("found unknown escape character", "双引号中反斜杠「\\」后的字符不是有效的转义：要写反斜杠本身请写「\\\\」，或改用单引号"),
    ("expected escape sequence of", "转义序列 \\x、\\u、\\U 后的十六进制位数不对（应为 2、4、8 位）"),
    ("that cannot start any token", "此处的字符（如 @、`、%）不能作为值的开头：请给整个值加引号"),
    ("expected the node content", "此处缺少值：请检查逗号、括号和「- 」"),
    ("expected ',' or ']'", "方括号 [ ] 中的各项应以逗号分隔，并以 ] 结束"),
    ("expected ',' or '}'", "花括号 { } 中的各项应以逗号分隔，并以 } 结束"),
    ("but found another document", "一个文件只能有一份记录（不能用 --- 分隔多份）"),
    ("expected a comment or a line break", "此处应换行：值的后面多了内容（如引号闭合后还有字符）"),
    ("found duplicate YAML directive", "不允许使用 YAML 指令（%YAML、%TAG）"),
    ("found incompatible YAML document", "不允许使用 YAML 指令（%YAML、%TAG）"),
    ("found undefined tag handle", "不允许使用 YAML 标签（!…）；值一律按文本书写"),
    ("while scanning an anchor", "不允许使用 YAML 锚点（&）；请直接写出内容"),
    ("while scanning an alias", "不允许使用 YAML 别名（*引用）；请直接写出内容"),
    ("while scanning a block scalar", "多行文本（| 或 >）的写法有误：| 或 > 后应直接换行，内容缩进书写"),
    ("found unexpected ':'", "这里不能出现冒号：请给含有「:」的值加引号"),
    ("while scanning a simple key", "缺少冒号：每个字段应写作「键: 值」（半角冒号后加一个空格）"),
)


def _syntax_message(problem: str, text: str, line: int | None) -> str:
    """A Chinese explanation of a PyYAML syntax error, with the offending line quoted."""
    hint = next((h for key, h in _SYNTAX_HINTS if key in problem), None)
    message = f"YAML 格式错误：{hint}" if hint else "YAML 格式错误：无法解析此处；请检查缩进、冒号后的空格、引号和括号是否成对"
    lines = text.splitlines()
    if line is not None and 1 <= line <= len(lines) and lines[line - 1].strip():
        shown = lines[line - 1].replace("\t", "⇥").strip()
        message += f"；该行为「{shown[:60]}」"
    return message


_FULLWIDTH_KEY = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_]*)\s*：")


def _fullwidth_colons(text: str, file: str) -> list[Problem]:
    """Every ``key：`` written with a full-width colon (a common slip with a Chinese IME)."""
    out = []
    for n, content in enumerate(text.splitlines(), start=1):
        m = _FULLWIDTH_KEY.match(content)
        if m:
            out.append(Problem(f"字段名「{m[2]}」后用了全角冒号「：」，应为半角冒号加空格「: 」",
                               path=m[2], file=file, line=n, col=len(m[0])))
    return out


def parse_yaml(raw: bytes, file: str) -> tuple[Any, Positions, list[Problem]]:
    """Parse one YAML document strictly: plain ``dict``/``list``/``str`` and their positions.

    Returns ``(data, positions, problems)``; ``data`` is ``None`` when any problem was found.
    """
    data, positions, problems, _ = _parse(raw, file)
    return (None if problems else data), positions, problems


def _parse(raw: bytes, file: str) -> tuple[Any, Positions, list[Problem], str]:
    """Like ``parse_yaml``, but ``data`` is whatever could still be read despite the problems:
    after refused characters (parsed as if blanked out, when every one of them lies in a value),
    tags, escapes, duplicate keys and merge keys (the offending key left out); ``None`` only when
    the text cannot be parsed at all. The last item says how far parsing got: ``"file"`` (not
    read as text: size, encoding, empty), ``"syntax"`` (not read as YAML), ``"blanked"`` (read
    with refused characters blanked out), ``"read"``."""
    text, problems = _decode(raw, file)
    stage = "read"
    if text is None:
        if not problems or not all(p.path for p in problems):
            refused_chars = any(p.message.startswith("含有控制字符") for p in problems)
            return None, Positions(), problems, "syntax" if refused_chars else "file"
        text = "".join("x" if _refused_char(ch) else ch for ch in raw.decode("utf-8-sig"))
        stage = "blanked"
    node, problem = _compose(text, file)
    if problem is not None:
        fullwidth = _fullwidth_colons(text, file)
        if fullwidth and problem.message.startswith("YAML 格式错误"):  # the usual cause in Chinese input
            return None, Positions(), [*problems, *fullwidth], "syntax"
        return None, Positions(), [*problems, problem], "syntax"
    if node is None:
        return None, Positions(), [Problem("文件为空：没有任何记录内容", file=file, line=1, col=1)], "file"
    positions = Positions()
    data = _to_python(node, (), positions, problems, file)
    return data, positions, problems, stage


def _to_python(node: Node, loc: Loc, pos: Positions, problems: list[Problem], file: str) -> Any:
    pos.values[loc] = _pos(node.start_mark)
    path = _loc_text(loc)
    if isinstance(node, ScalarNode):
        if node.tag != _STR_TAG:
            line, col = _pos(node.start_mark)
            problems.append(Problem(f"不允许使用 YAML 标签 {node.tag}；值一律按文本书写",
                                    path=path, file=file, line=line, col=col))
        _escaped_chars(node, path, problems, file)
        return node.value
    if isinstance(node, SequenceNode):
        if node.tag != _SEQ_TAG:
            line, col = _pos(node.start_mark)
            problems.append(Problem(f"不允许使用 YAML 标签 {node.tag}", path=path, file=file, line=line, col=col))
        return [_to_python(item, loc + (i,), pos, problems, file) for i, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        if node.tag != _MAP_TAG:
            line, col = _pos(node.start_mark)
            problems.append(Problem(f"不允许使用 YAML 标签 {node.tag}", path=path, file=file, line=line, col=col))
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line, col = _pos(key_node.start_mark)
            if not isinstance(key_node, ScalarNode) or key_node.tag != _STR_TAG:
                problems.append(Problem("键必须是普通文本", path=path, file=file, line=line, col=col))
                continue
            key = key_node.value
            if _escaped_chars(key_node, path, problems, file):
                continue
            if key == "<<":
                problems.append(Problem("不允许使用 YAML 合并键 <<", path=path, file=file, line=line, col=col))
                continue
            if key in out:
                first = pos.keys.get(loc + (key,), (None, None))
                problems.append(Problem(f"重复的键「{key}」（第一次出现在第 {first[0]} 行）；一个键只能写一次",
                                        path=_loc_text(loc + (key,)), file=file, line=line, col=col))
                continue
            pos.keys[loc + (key,)] = (line, col)
            out[key] = _to_python(value_node, loc + (key,), pos, problems, file)
        return out
    raise AssertionError(f"unknown YAML node {node!r}")  # pragma: no cover


def _escaped_chars(node: ScalarNode, path: str, problems: list[Problem], file: str) -> bool:
    """A value whose escapes (``"\\0"``, ``"\\ud800"``, ``"\\uFFFE"``) wrote a character the file itself
    may not hold (a control character, half a surrogate pair, a non-character): refused."""
    bad = next((ch for ch in node.value if _refused_char(ch) or ch in "\ufffe\uffff"), None)
    if bad is None:
        return False
    line, col = _pos(node.start_mark)
    problems.append(Problem(f"转义序列写出了不允许的字符 U+{ord(bad):04X}（控制字符或无效码位）；请删除或更正该转义",
                            path=path, file=file, line=line, col=col))
    return True


MISSING_MESSAGE = "缺少必填项"
"""The message of a required field that is absent (a roster row tells it apart from a wrong value)."""

_PYDANTIC_MESSAGES = {
    "missing": MISSING_MESSAGE,
    "dict_type": "应为键值映射（字段: 值）",
    "model_type": "应为键值映射（字段: 值）",
    "model_attributes_type": "应为键值映射（字段: 值）",
    "list_type": "应为列表（每项以「- 」开头）",
    "tuple_type": "应为列表（每项以「- 」开头）",
    "string_type": "应为文本",
    "too_short": "至少需要一项",
}


def _problem_from_pydantic(err: dict[str, Any], model: type[BaseModel], pos: Positions, file: str) -> Problem:
    loc: Loc = tuple(err["loc"])
    kind = err["type"]
    if kind == "value_error":
        message = str(err["ctx"]["error"]) if "ctx" in err else err["msg"].removeprefix("Value error, ")
    elif kind == "extra_forbidden":
        parent_model_fields = _fields_at(model, loc[:-1])
        options = "、".join(parent_model_fields) if parent_model_fields else ""
        message = f"未知字段「{loc[-1]}」（拼写错误？）" + (f"；此处可用字段: {options}" if options else "")
    elif kind in ("literal_error", "enum"):
        expected = err.get("ctx", {}).get("expected", "")
        options = re.split(r",\s*|\s+or\s+", expected.replace("'", ""))
        message = f"应为 {'、'.join(o for o in options if o)} 之一，实为「{err.get('input')}」"
    else:
        message = _PYDANTIC_MESSAGES.get(kind, err["msg"])
    line, col = pos.find(loc, key=kind == "extra_forbidden")
    label = "" if kind == "extra_forbidden" else label_for(model, loc)
    return Problem(message, path=_loc_text(loc), label=label, file=file, line=line, col=col)


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    import typing

    from formkit.model import _inner_model

    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part) if isinstance(current, type) and issubclass(current, BaseModel) else None
        if info is None:
            return []
        current = _inner_model(info.annotation, typing)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def validate_data(data: Any, model: type[M], pos: Positions, file: str) -> tuple[M | None, list[Problem]]:
    """Validate parsed YAML against ``model``; every pydantic error becomes a placed ``Problem``."""
    if not isinstance(data, dict):
        line, col = pos.find(())
        return None, [Problem("记录的顶层应为键值映射（字段: 值）", file=file, line=line, col=col)]
    try:
        record = model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # pydantic counts only the valid items of a list against its minimum length: when every
        # item has an error it adds 「至少需要一项」 although the items are there. Not reported.
        errors = [e for e in errors if not (e["type"] == "too_short" and any(
            len(o["loc"]) > len(e["loc"]) and tuple(o["loc"][:len(e["loc"])]) == tuple(e["loc"]) for o in errors))]
        problems = [_problem_from_pydantic(e, model, pos, file) for e in errors]
        return None, sorted(problems, key=lambda p: (p.line or 0, p.col or 0))
    return record, []


def display_path(path: str | Path) -> str:
    """A path as it can be printed and saved: bytes of the name that are not UTF-8 shown as ``\\xff``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def regular_file_problem(path: str | Path) -> Problem | None:
    """A problem when ``path`` is not a regular file (a FIFO, a folder, a device named like a
    record would block or never end): checked with ``os.stat`` before anything opens it."""
    file = str(path)
    try:
        file.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8 in the name (os.fsdecode's surrogateescape)
        return Problem("文件名含有不是 UTF-8 编码的字节（常见于从旧系统或压缩包中取出的文件）；"
                       "请把文件重命名（只用汉字、字母、数字），然后重试", file=display_path(path))
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return Problem(f"无法读取文件：{exc.strerror or exc}；请检查路径是否正确", file=file)
    if stat.S_ISREG(mode):
        return None
    kind = ("目录" if stat.S_ISDIR(mode) else "命名管道（FIFO）" if stat.S_ISFIFO(mode)
            else "设备文件" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "套接字" if stat.S_ISSOCK(mode)
            else "特殊文件")
    return Problem(f"这是{kind}，不是普通文件，拒绝读取；请给出记录文件本身", file=file)


def _read_bounded(path: str | Path) -> bytes:
    """At most ``MAX_BYTES + 1`` bytes (enough to tell the file is too large)."""
    with open(path, "rb") as handle:
        return handle.read(MAX_BYTES + 1)


STOPPED_SYNTAX = "字段检查和跨字段检查需先改正以上错误（文件无法按 YAML 读出）"
STOPPED_CROSS = "其余跨字段检查需先改正以上错误"
"""The line added when a later stage could not run because an earlier one failed."""


def _load(path: str | Path, model: type[M], checks: Any) -> Loaded[M]:
    """Every stage that can run does, so that one ``check`` shows every problem of a record:
    text (encoding, control characters), YAML structure (tags, duplicate keys…), fields,
    placeholders, cross-field checks. A problem at a field already reported by an earlier stage
    is not repeated; when a stage cannot run, one line says so."""
    file = str(path)
    refused = regular_file_problem(path)
    if refused is not None:
        return Loaded(refused.file or file, None, (refused,))
    try:
        raw = _read_bounded(path)
    except OSError as exc:
        return Loaded(file, None, (Problem(f"无法读取文件：{exc.strerror}", file=file),))
    loaded = _load_raw(raw, file, model, checks)
    if draft_marked(raw):
        return replace(loaded, record=None, draft=True, problems=(Problem(DRAFT_MESSAGE, file=file, line=1, col=1),
                                                                   *loaded.problems))
    return loaded


def _load_raw(raw: bytes, file: str, model: type[M], checks: Any) -> Loaded[M]:
    """``_load`` of a file's bytes (``file`` names it in problems)."""
    from formkit.load.checks import placeholders_in

    data, pos, problems, stage = _parse(raw, file)
    found = [p if p.label or not p.path else replace(p, label=label_for(model, parse_loc(p.path)))
             for p in problems]
    if data is None:
        if stage == "syntax":
            found.append(Problem(STOPPED_SYNTAX, file=file))
        return Loaded(file, None, tuple(found))
    # fields whose value an earlier stage refused (a duplicate key's first value still stands)
    reported = {p.path for p in found if p.path and not p.message.startswith("重复的键")}

    def fresh(more: list[Problem]) -> list[Problem]:
        """Problems at fields no earlier stage reported (the first message on a field stands)."""
        out = [p for p in more if not p.path or not any(
            p.path == r or p.path.startswith((r + ".", r + "[")) for r in reported)]
        reported.update(p.path for p in out if p.path)
        return out

    record, invalid = validate_data(data, model, pos, file)
    later = fresh(invalid)  # fields, placeholders and cross-field faults: in file order, after
    later += [_place(Problem(w, path=path, severity=Severity.WARNING), model, pos, file)
              for path, value in flatten(data).items() if path not in reported
              for w in person_name_warnings(model, parse_loc(path), value)]
    if record is not None and stage == "read":  # not on values whose refused characters were blanked out
        later += fresh([_place(p, model, pos, file) for p in checks(record)])
        found += sorted(later, key=lambda p: (p.line or 0, p.col or 0))
        has_error = any(p.is_error for p in found)
        return Loaded(file, None if has_error else record, tuple(found), data)
    if isinstance(data, dict):
        later += fresh([_place(p, model, pos, file) for p in placeholders_in(data)])
    found += sorted(later, key=lambda p: (p.line or 0, p.col or 0))
    found.append(Problem(STOPPED_CROSS, file=file))
    return Loaded(file, None, tuple(found), data)


def _place(problem: Problem, model: type[BaseModel], pos: Positions, file: str) -> Problem:
    """Give a check's problem (which knows only its field path) its file, line and label."""
    loc = parse_loc(problem.path)
    line, col = pos.find(loc)
    label = problem.label or label_for(model, loc)
    return Problem(problem.message, path=problem.path, label=label, file=file, line=line, col=col,
                   severity=problem.severity)


def parse_loc(path: str) -> Loc:
    """A field path as written in messages (``resume[2].unit``) → its loc (``("resume", 2, "unit")``)."""
    out: list[str | int] = []
    for part in path.replace("]", "").split("."):
        if not part:
            continue
        name, *indexes = part.split("[")
        if name:
            out.append(name)
        out.extend(int(i) for i in indexes)
    return tuple(out)


def load_case(path: str | Path) -> Loaded[Case]:
    """Load and check one case record (``data/cases/*.yaml``). Never raises for bad input.
    A draft (``is_draft``) comes back with ``record=None``, ``draft=True`` and, first among its
    problems, ``DRAFT_MESSAGE`` at line 1: every job refuses it as it refuses an invalid record."""
    from formkit.load.checks import check_case

    return _load(path, Case, check_case)


def check_case_bytes(raw: bytes, file: str) -> Loaded[Case]:
    """``load_case`` of a record's bytes not yet written (``file`` names it in problems): every
    check ``formkit check`` runs on one file. The draft mark is not looked at."""
    from formkit.load.checks import check_case

    return _load_raw(raw, file, Case, check_case)


DRAFT_MARK = "# 草稿："
"""The first line of a draft record begins with this YAML comment (see ``is_draft``)."""

DRAFT_LINE = (DRAFT_MARK + "尚未完成，formkit 不据此生成文书。填写完整、formkit check 无误后，"
              "在工作台（formkit serve）保存或删除本行。")
"""The whole first line the record writer gives a draft (``formkit.load.write``)."""

DRAFT_MESSAGE = ("这是草稿（第一行为「# 草稿：」），尚未完成，不生成文书；请填写完整、改正其中的问题"
                 "（formkit check --drafts 列出），然后在工作台（formkit serve）保存或删除第一行")
"""What every job says of a draft it refuses."""


def draft_marked(raw: bytes) -> bool:
    """Whether a record file's bytes begin with the draft mark (a UTF-8 BOM before it allowed)."""
    return raw.removeprefix(b"\xef\xbb\xbf").startswith(DRAFT_MARK.encode("utf-8"))


def is_draft(path: str | Path) -> bool:
    """Whether the record file at ``path`` is a draft: its first line begins with ``DRAFT_MARK``
    (``# 草稿：``). A draft is a record saved before it validates (by the desk, or made by
    ``formkit import`` from a row that lacks the free-text parts), so that nothing typed is lost:
    ``formkit check`` reports it as a draft, ``render``/``batch``/``declare`` refuse it. ``False``
    for a file that cannot be read."""
    try:
        with open(path, "rb") as handle:
            return draft_marked(handle.read(len(DRAFT_MARK.encode("utf-8")) + 3))
    except OSError:
        return False


def load_demand(path: str | Path) -> Loaded[DemandList]:
    """Load and check one county demand list (``data/demand/*.yaml``, 附件1)."""
    from formkit.load.checks import check_demand

    return _load(path, DemandList, check_demand)


def record_kind(path: str | Path) -> str:
    """``"demand"`` for a demand list, ``"case"`` otherwise (by folder name, then by content)."""
    p = Path(path)
    if "demand" in p.parts:
        return "demand"
    if "cases" in p.parts:
        return "case"
    if regular_file_problem(p) is not None:
        return "case"  # the loader refuses it
    try:
        with open(p, "rb") as handle:
            head = handle.read(20000).decode("utf-8", "replace")
    except OSError:
        return "case"
    return "demand" if any(line.startswith("posts:") for line in head.splitlines()) else "case"


def load_record(path: str | Path) -> Loaded[Any]:
    """Load a case or a demand list, whichever the file is (see ``record_kind``); a workbook
    (``.xlsx``, or ``.xls``/``.et``/``.ods``/``.csv``, refused with what to do) is read as a
    county's demand list, never as YAML."""
    if Path(path).suffix.lower() in (".xlsx", ".xls", ".et", ".ods", ".csv"):
        from formkit.load.xlsx import load_demand_file

        return load_demand_file(path)
    return load_demand(path) if record_kind(path) == "demand" else load_case(path)


def checked_id_number(loaded: Loaded[Any]) -> str | None:
    """The valid 公民身份号码 of a loaded case, also of a refused one whose ID number itself is
    valid (so duplicates across files are reported with its other problems); else ``None``."""
    record = loaded.record
    if record is not None and hasattr(record, "applicant"):
        return record.applicant.id_number
    applicant = loaded.data.get("applicant") if isinstance(loaded.data, dict) else None
    raw = applicant.get("id_number") if isinstance(applicant, dict) else None
    if not isinstance(raw, str):
        return None
    from formkit.validators import parse_id_number

    try:
        return parse_id_number(raw).number
    except (InvalidValue, ValueError):
        return None


def duplicate_ids(records: Sequence[tuple[Path, Case | str]]) -> dict[Path, list[Problem]]:
    """Records that share one 公民身份号码 (a person has one record): for each such file, one
    problem at its ``applicant.id_number`` line naming every other file and line. Each record
    is given as its case or as its (valid, normalised) ID number."""
    by_id: dict[str, list[tuple[Path, int | None, int | None]]] = {}
    for path, case in records:
        number = case if isinstance(case, str) else case.applicant.id_number
        line = col = None
        try:
            for n, text in enumerate(Path(path).read_text("utf-8").splitlines(), start=1):
                at = text.find(number)
                if at >= 0 and "id_number" in text:
                    line, col = n, at + 1
                    break
        except (OSError, UnicodeDecodeError):
            pass
        by_id.setdefault(number, []).append((Path(path), line, col))
    label = label_for(Case, ("applicant", "id_number"))
    out: dict[Path, list[Problem]] = {}
    for places in by_id.values():
        if len(places) < 2:
            continue
        for path, line, col in places:
            others = "、".join(f"{p}:{ln}" if ln else str(p) for p, ln, _ in places if p != path)
            out.setdefault(path, []).append(Problem(
                f"与 {others} 是同一个公民身份号码：一人只应有一份记录；请合并为一份，或更正其中有误的号码",
                path="applicant.id_number", label=label, file=str(path), line=line, col=col))
    return out


RECORD_SUFFIXES = (".yaml", ".yml")


def record_files(paths: Sequence[str | Path], suffixes: tuple[str, ...] = RECORD_SUFFIXES) -> list[Path]:
    """The one record-file discovery: files as given, folders searched recursively (sorted,
    hidden files and Office lock files ``~$…`` skipped) for ``suffixes``; each file once.
    Raises ``UsageError`` naming a path that does not exist."""
    out: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.suffix.lower() in suffixes and q.is_file()
                           and not q.name.startswith((".", "~$")))
        elif p.exists() or p.is_symlink():
            found = [p]
        else:
            raise UsageError(f"找不到文件或目录：{p}")
        for q in found:
            key = q.resolve()
            if key not in seen:
                seen.add(key)
                out.append(q)
    return out


__all__ = ["Loaded", "Positions", "Severity", "load_case", "check_case_bytes", "is_draft", "DRAFT_MARK", "load_demand", "load_record", "parse_yaml", "parse_loc", "duplicate_ids",
           "checked_id_number", "validate_data", "record_files", "MAX_BYTES"]
