"""The record writer: a case record (plain data) → YAML text laid out like ``formkit new case``,
saved atomically, refusing to overwrite what someone else saved meanwhile.

The layout is read once from the commented starting record ``formkit/data/new_case.yaml`` (what
``formkit new case`` prints), never from a second list: the order of the fields, the section
banners and comment lines above each field, the fields the template shows commented out
(``# photo: …`` — written the same way while absent), the commented examples under an empty list
(``annual_appraisals: []`` then ``# annual_appraisals: …``), the comments at the end of a line
(``start: 2026-03-01   # 考核期间起``), and which fields hold numbers written in double quotes
(``id_number: "…"``). Fields the template does not know (a draft may hold them) follow the known
ones, in the order given.

Values are text, as the strict loader reads them (``formkit.load.records.parse_yaml``): a value
with a line break is a ``|`` block; a value a YAML reader could take for a number, a truth
value or nothing (``053100``, ``no``, ``1e3``, ``null``) or that the template quotes is written
in double quotes; anything a plain value cannot hold (``: ``, ``#``, leading blanks…) too. Each
value is read back as it is written: ``parse_yaml(dump_case(d)) == d``.

A draft (``save_case(…, draft=True)``) is the same text under one first line,
``records.DRAFT_LINE`` (``# 草稿：尚未完成…``): YAML reads it as a comment, ``load_case`` refuses
it as a draft, ``formkit check`` reports it in one line.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from formkit.errors import Problem, RecordChanged, RecordError

FieldPath = tuple[str, ...]
"""A field's place in the template: keys, with ``"[]"`` for any item of a list."""


# --------------------------------------------------------------------------- the template's layout


@dataclass
class _Field:
    """What the template says of one field."""

    leading: list[str] = field(default_factory=list)
    """Comment (and blank) lines just above the field, as in the template."""
    example: list[str] = field(default_factory=list)
    """The field written commented out (``# photo: …``): the lines shown while it is absent."""
    empty_example: list[str] = field(default_factory=list)
    """Commented example lines after an empty list (``# annual_appraisals: …``)."""
    trailing: str = ""
    """A comment at the end of the field's line, ``# 考核期间起``."""
    trailing_col: int = 0
    """The column (relative to the field's indent) the template starts that comment at."""
    active: bool = False
    """The template writes the field (not only commented out)."""
    quoted: bool = False
    """The template writes its value in double quotes (a number kept as text)."""


@dataclass
class _Layout:
    fields: dict[FieldPath, _Field]
    order: dict[FieldPath, list[str]]
    tail: list[str]


_KEY = re.compile(r"^(?P<indent> *)(?P<dash>- +)?(?P<key>[A-Za-z_][A-Za-z0-9_]*):(?: +(?P<rest>.*))?$")
_COMMENTED = re.compile(r"^(?P<hash> *)# ?(?P<body>.*)$")


def _split_comment(rest: str) -> tuple[str, str, int]:
    """``value   # comment`` → (value, comment, offset of ``#`` in ``rest``); a ``#`` inside quotes
    or not after a blank is part of the value."""
    quote = None
    for i, ch in enumerate(rest):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'" and (i == 0 or rest[i - 1] in " "):
            quote = ch
        elif ch == "#" and i > 0 and rest[i - 1] == " ":
            return rest[:i].rstrip(), rest[i:], i
    return rest.rstrip(), "", -1


def _examples(example_of: tuple[_Field, int, bool]) -> list[str]:
    """The lines a commented example is collected into: the field's own, or its empty list's."""
    info, _, empty = example_of
    return info.empty_example if empty else info.example


@lru_cache(maxsize=1)
def _layout() -> _Layout:
    """Parse ``new_case.yaml`` once into the fields' order, comments and examples."""
    text = (resources.files("formkit") / "data" / "new_case.yaml").read_text("utf-8")
    fields: dict[FieldPath, _Field] = {}
    order: dict[FieldPath, list[str]] = {}
    stack: list[tuple[int, FieldPath]] = []  # (column of the key or the dash, its path)
    pending: list[str] = []
    block: tuple[int, bool] | None = None  # inside a | block: (column of its key, commented?)
    example_of: tuple[_Field, int, bool] | None = None  # collecting commented lines: (field, col, empty list?)

    def place(col: int, dash: bool, key: str) -> FieldPath:
        while stack and stack[-1][0] >= (col - 2 if dash else col):
            stack.pop()
        parent = stack[-1][1] if stack else ()
        if dash:
            stack.append((col - 2, parent + ("[]",)))
            parent = parent + ("[]",)
        path = parent + (key,)
        stack.append((col, path))
        order.setdefault(parent, [])
        if key not in order[parent]:
            order[parent].append(key)
        return path

    for line in text.splitlines():
        commented = _COMMENTED.match(line)
        body = (commented["hash"] + commented["body"]) if commented else line
        indent = len(body) - len(body.lstrip(" "))
        if block is not None:
            col, was_commented = block
            if bool(commented) == was_commented and body.strip() and indent > col:
                if example_of is not None:
                    _examples(example_of).append(line)
                continue
            block = None
        match = _KEY.match(body) if (commented is None or body.strip()) else None
        if not line.strip():
            example_of = None
            pending.append(line)
            continue
        if match is None:
            if commented is None:  # a list item's value (``- 甲方…``): the template's sample text
                continue
            if example_of is not None and indent > example_of[1]:
                _examples(example_of).append(line)
                continue
            example_of = None
            pending.append(line)
            continue
        col = len(match["indent"]) + len(match["dash"] or "")
        if commented is not None and example_of is not None and col > example_of[1]:
            target = _examples(example_of)
            target.append(line)
            path = place(col, bool(match["dash"]), match["key"])
            info = fields.setdefault(path, _Field())
        else:
            path = place(col, bool(match["dash"]), match["key"])
            info = fields.setdefault(path, _Field())
            if commented is None:
                info.active = True
                info.leading, pending = pending, []
                example_of = None
            else:
                if info.active:  # the commented example of a list the template writes empty
                    example_of = (info, col, True)
                    info.empty_example = pending + [line]
                else:
                    example_of = (info, col, False)
                    info.leading, info.example = pending, [line]
                pending = []
        value, comment, at = _split_comment(match["rest"] or "")
        if comment and not info.trailing:
            info.trailing = comment
            info.trailing_col = len(body) - len(match["rest"] or "") - len(match["indent"]) + at - (
                len(match["dash"] or ""))
        if commented is None and value.startswith('"'):
            info.quoted = True
        if value in ("|", "|-", "|+", ">", ">-"):
            block = (col, commented is not None)
    return _Layout(fields, order, pending)


# --------------------------------------------------------------------------- scalars

_PLAIN_UNSAFE_START = tuple("-?:,[]{}#&*!|>'\"%@`") + (" ",)


def _loads_scalar(snippet: str) -> Any:
    try:
        return yaml.load(snippet, Loader=yaml.BaseLoader)  # noqa: S506 — BaseLoader builds only text
    except Exception:  # noqa: BLE001 — anything PyYAML raises means "not this way"
        return None


def _resolves_to_non_text(value: str) -> bool:
    """Whether a YAML 1.1 reader that types values (an editor, another tool) would take
    ``value`` for a number, a truth value or nothing; dates stay plain, as in the template."""
    try:
        typed = yaml.safe_load(value)
    except Exception:  # noqa: BLE001 — not a scalar a reader could type
        return False
    import datetime

    return typed is None or isinstance(typed, (bool, int, float)) and not isinstance(typed, datetime.date)


def _needs_escape(ch: str) -> bool:
    """A character a record file may not hold as it is (``records._refused_char``, and what YAML
    cannot print): written as an escape inside double quotes."""
    import unicodedata

    if ch == "\n":
        return False
    code = ord(ch)
    printable = (0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
                 or code >= 0x10000)
    return not printable or unicodedata.category(ch) in ("Cc", "Cs", "Co") or ch in "\u2028\u2029\ufeff\t"


def _quoted(value: str) -> str:
    """``value`` in YAML double quotes, escaping ``"``, ``\\``, line breaks and every character a
    record file may not hold as it is."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif _needs_escape(ch):
            code = ord(ch)
            out.append(f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _inline(value: str, quote: bool) -> str:
    """A single-line value as written after ``key: ``."""
    if quote or not value or value != value.strip() or value.startswith(_PLAIN_UNSAFE_START) \
            or any(_needs_escape(c) for c in value) or ": " in value or " #" in value or value.endswith(":") \
            or _resolves_to_non_text(value) or _loads_scalar(f"k: {value}\n") != {"k": value}:
        return _quoted(value)
    return value


def _block(value: str, indent: int) -> list[str] | None:
    """A multi-line value as a ``|`` block whose lines stand at ``indent``: the first item is
    the indicator (``|`` or ``|-``, with ``2`` when the text starts with a blank), the rest
    the lines. ``None`` when a block cannot hold the value exactly (then it is quoted)."""
    if any(_needs_escape(c) for c in value):
        return None
    body = value.rstrip("\n")
    trailing = len(value) - len(body)
    lines = body.split("\n")
    if not body.strip() or any(ln and not ln.strip() for ln in lines) or trailing > 1:
        return None  # (blank lines kept at the end, ``|+``, would take in the blank lines after the block)
    chomp = "-" if trailing == 0 else ""
    first = next(ln for ln in lines if ln)
    indicator = "|" + ("2" if first.startswith(" ") else "") + chomp
    content = [(" " * indent + ln) if ln else "" for ln in lines]
    probe = "k: " + "\n".join([indicator] + [ln[indent - 2:] for ln in content]) + "\n"
    if _loads_scalar(probe) != {"k": value}:
        return None
    return [indicator, *content]


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) else _quoted(key)


# --------------------------------------------------------------------------- the writer


def dump_case(data: dict[str, Any]) -> str:
    """A case record as YAML text laid out like ``formkit new case`` (see the module docstring).

    ``data`` is the record as the strict loader reads it (``formkit.load.records.parse_yaml``):
    nested ``dict``/``list`` of ``str``, the shape of ``formkit.model.Case``; a draft may hold
    missing, unknown or wrong fields, each written as given. A ``None`` value means the field is
    absent. Returns the text (``\\n`` line ends, ending in one newline); ``parse_yaml`` of it
    gives ``data`` back (``None`` values left out). Raises ``TypeError`` for a value that is not
    text, a list, a mapping or ``None``.
    """
    if not isinstance(data, dict):
        raise TypeError(f"a case record is a mapping, not {type(data).__name__}")
    layout = _layout()
    lines: list[str] = []
    _mapping(data, (), 0, layout, lines, first_prefix=None)
    while lines and not lines[-1].strip():
        lines.pop()
    if not any(ln.strip() and not ln.lstrip().startswith("#") for ln in lines):
        lines.append("{}")  # nothing filled in yet: an empty mapping, not an empty file
    return "\n".join(lines) + "\n"


def _mapping(data: dict[str, Any], path: FieldPath, indent: int, layout: _Layout, lines: list[str],
             first_prefix: str | None) -> None:
    """Write the fields of ``data`` (template order, then the others) at ``indent``; the first
    field's line starts with ``first_prefix`` (``"  - "`` for a list item) instead of blanks."""
    known = layout.order.get(path, [])
    keys = [k for k in known if k in data or (layout.fields[path + (k,)].example and not layout.fields[
        path + (k,)].active)] + [k for k in data if k not in known]
    pad = " " * indent
    for key in keys:
        info = layout.fields.get(path + (key,), _Field())
        value = data.get(key)
        prefix = first_prefix if first_prefix is not None else pad
        if value is None:
            if key in data or not info.example:
                continue
            if first_prefix is None:  # a commented-out field (never the first of a list item)
                lines.extend(info.leading + info.example)
            continue
        if first_prefix is None:
            lines.extend(info.leading)
        first_prefix = None
        _field(key, value, path + (key,), indent, prefix, info, layout, lines)


def _field(key: str, value: Any, path: FieldPath, indent: int, prefix: str, info: _Field, layout: _Layout,
           lines: list[str]) -> None:
    head = f"{prefix}{_key(key)}:"
    if isinstance(value, str):
        block = _block(value, indent + 2) if "\n" in value else None
        if block is not None:
            lines.append(_with_comment(f"{head} {block[0]}", info, indent))
            lines.extend(block[1:])
        else:
            lines.append(_with_comment(f"{head} {_inline(value, info.quoted)}", info, indent))
    elif isinstance(value, dict):
        if not value:
            lines.append(_with_comment(f"{head} {{}}", info, indent))
        else:
            lines.append(_with_comment(head, info, indent))
            _mapping(value, path, indent + 2, layout, lines, first_prefix=None)
    elif isinstance(value, (list, tuple)):
        if not value:
            lines.append(_with_comment(f"{head} []", info, indent))
            lines.extend(info.empty_example)
            return
        lines.append(_with_comment(head, info, indent))
        _items(list(value), path + ("[]",), indent + 2, layout, lines)
    else:
        raise TypeError(f"{'.'.join(path)}: a record's values are text, lists or mappings, not {type(value).__name__}")


def _items(items: list[Any], path: FieldPath, indent: int, layout: _Layout, lines: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, dict) and item:
            _mapping(item, path, indent + 2, layout, lines, first_prefix=f"{pad}- ")
        elif isinstance(item, str):
            block = _block(item, indent + 2) if "\n" in item else None
            if block is not None:
                lines.append(f"{pad}- {block[0]}")
                lines.extend(block[1:])
            else:
                lines.append(f"{pad}- {_inline(item, False)}")
        elif isinstance(item, (dict, list, tuple)):  # {} or a list in a list: flow style
            lines.append(f"{pad}- {json.dumps(item, ensure_ascii=False)}")
            if _flow_bad(item):
                raise TypeError("a record's values are text, lists or mappings")
        elif item is None:
            raise TypeError("a list item cannot be None")
        else:
            raise TypeError(f"a record's values are text, lists or mappings, not {type(item).__name__}")


def _flow_bad(item: Any) -> bool:
    if isinstance(item, dict):
        return any(not isinstance(k, str) or _flow_bad(v) for k, v in item.items())
    if isinstance(item, (list, tuple)):
        return any(_flow_bad(v) for v in item)
    return not isinstance(item, str)


def _with_comment(line: str, info: _Field, indent: int) -> str:
    if not info.trailing:
        return line
    width = indent + info.trailing_col
    return (line.ljust(width) if len(line) < width else line + "  ") + info.trailing


# --------------------------------------------------------------------------- saving


@dataclass(frozen=True)
class SaveResult:
    """What ``save_case`` did: ``sha256`` is the file's hash now (hex; give it back as
    ``expected_sha256`` on the next save), ``written`` is ``False`` when the file already held
    exactly this (its bytes left alone), ``draft`` whether it is saved as a draft, ``problems``
    what ``formkit check`` finds in it (a draft's; warnings of a valid record)."""

    path: Path
    sha256: str
    written: bool
    draft: bool
    problems: tuple[Problem, ...] = ()


def sha256_of(path: str | Path) -> str | None:
    """The SHA-256 (hex) of the file's bytes, ``None`` when there is no file."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def case_text(data: dict[str, Any], *, draft: bool = False) -> str:
    """The file's text: ``dump_case(data)``, under the draft line when ``draft``."""
    from formkit.load.records import DRAFT_LINE

    text = dump_case(data)
    return f"{DRAFT_LINE}\n{text}" if draft else text


def check_case_data(data: dict[str, Any], file: str = "") -> Any:
    """Every check of ``formkit check`` on a record not saved yet (``data`` as ``dump_case``
    takes it), as ``formkit.load.records.Loaded``: ``problems`` with each field's ``path``
    (``applicant.id_number``) and Chinese ``label`` — what the desk shows beside each field —
    and lines of the text ``dump_case`` writes; ``ok`` when it would be saved as a record."""
    from formkit.load.records import check_case_bytes

    return check_case_bytes(dump_case(data).encode("utf-8"), file)


def records_with_id(data_dir: str | Path, number: str, *, besides: str | Path | None = None) -> list[Path]:
    """The case records under ``data_dir`` (drafts included) whose 公民身份号码 is ``number``,
    other than ``besides``. Fast: only the files that contain the number as text are loaded."""
    from formkit.load.records import checked_id_number, load_case, record_files

    root = Path(data_dir)
    if not root.is_dir():
        return []
    skip = Path(besides).resolve() if besides is not None else None
    out = []
    for path in record_files([root]):
        if skip is not None and path.resolve() == skip:
            continue
        try:
            if number[:17].encode("ascii") not in path.read_bytes():  # the file may write x for X
                continue
        except OSError:
            continue
        if checked_id_number(load_case(path)) == number:
            out.append(path)
    return out


def save_case(path: str | Path, data: dict[str, Any], *, expected_sha256: str | None,
              draft: bool = False, data_dir: str | Path | None = None) -> SaveResult:
    """Save a case record (``data`` as ``dump_case`` takes it) to ``path``, atomically.

    ``expected_sha256`` is the hash of the file when the form was opened (``sha256_of``), or
    ``None`` for a new record (the file must not exist yet). When the file now differs — someone
    else saved or created it meanwhile — ``RecordChanged`` (a ``DataError``, exit 1) is raised
    and nothing is written. A record that is not a draft must pass every check of
    ``formkit check`` on its own file, else ``RecordError`` with every problem (nothing written;
    save it with ``draft=True`` to keep it). When the file already holds the same data in the same
    state (draft or not) its bytes are left as they are — a hand-written record loaded and saved
    without edits keeps its own comments and layout. With ``data_dir``, a record whose valid
    公民身份号码 is another record's under ``data_dir`` is refused (``DataConflict``, naming that
    file): one person, one record. Returns a ``SaveResult``. The check and the write hold a lock
    (``.formkit-save.lock`` in the folder) against another save at once.
    """
    from filelock import FileLock

    from formkit.atomic import make_folders, write_atomic
    from formkit.load.records import check_case_bytes, display_path, draft_marked, parse_yaml

    target = Path(path)
    text = case_text(data, draft=draft).encode("utf-8")
    shown = display_path(target)
    make_folders(target.parent)
    with FileLock(str(target.parent / ".formkit-save.lock"), timeout=30):
        current = target.read_bytes() if target.exists() else None
        now = hashlib.sha256(current).hexdigest() if current is not None else None
        if now != expected_sha256:
            if expected_sha256 is None:
                raise RecordChanged(f"{shown} 已存在（可能是别人刚刚新建的）：未保存，以免覆盖。请打开该记录核对，"
                                    "或换一个文件名另存")
            if now is None:
                raise RecordChanged(f"{shown} 在您打开之后被删除或移走了：未保存。请确认该记录是否应当删除；"
                                    "要保留您的内容，请重新新建此人的记录")
            raise RecordChanged(f"{shown} 在您打开之后已被别人修改并保存：您这次的修改未保存，以免覆盖对方的内容。"
                                "请先把您的修改另行记下，重新打开该记录，核对后再改、再保存")
        checked = check_case_bytes(text, shown)
        if not draft and not checked.ok:
            raise RecordError(list(checked.errors))
        if data_dir is not None:
            from formkit.load.records import checked_id_number

            number = checked_id_number(checked)
            others = records_with_id(data_dir, number, besides=target) if number else []
            if others:
                from formkit.errors import DataConflict

                raise DataConflict(f"{shown}：公民身份号码与 {display_path(others[0])} 相同，此人已有记录；未保存。"
                                   "请打开那份记录修改，或更正号码")
        if current is not None and draft_marked(current) == draft:
            held, _, problems = parse_yaml(current, shown)
            if not problems and held == _without_none(data):
                return SaveResult(target, now, False, draft, checked.problems)
        write_atomic(target, text)
    return SaveResult(target, hashlib.sha256(text).hexdigest(), True, draft, checked.problems)


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_without_none(v) for v in value]
    return value


__all__ = ["RecordChanged", "SaveResult", "case_text", "check_case_data", "dump_case", "records_with_id", "save_case",
           "sha256_of"]
