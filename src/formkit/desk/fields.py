"""The case record as a form: sections and fields read from ``formkit.model`` (labels are the
fields' ``title``, hints their ``description``), never a second list.

A field's form name is its path as ``formkit check`` reports it (``applicant.id_number``,
``resume[2].unit``), so a ``Problem`` lands beside its field by its ``path``. ``form_to_data``
turns posted form values back into the record's plain mapping (text values only, empty ones
left out — as a clerk leaving an optional field empty means); ``data_to_values`` is the reverse.
"""

from __future__ import annotations

import enum
import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from formkit.load import parse_loc
from formkit.model import ETHNIC_GROUPS, Case, flatten

SECTION_ORDER = ("applicant", "home_unit", "qualification", "service", "resume", "achievements",
                 "service_plan", "agreement", "annual_appraisals", "term_appraisals")
"""附件2's order (基本情况, 单位, 职称, 拟服务单位, 简历, 业绩, 计划), then the agreement and the
appraisals (第六、八、九条)."""

LINES_SEPARATOR = "\n"
"""A list of paragraphs (the agreement's duties) is one text box, one item per line."""


@dataclass(frozen=True)
class FormField:
    """One input: ``name`` (the field path), ``label`` (official Chinese), ``kind`` (``text``,
    ``textarea``, ``select``, ``lines``), ``options`` for a select, ``required``, ``hint``."""

    name: str
    label: str
    kind: str = "text"
    options: tuple[str, ...] = ()
    required: bool = True
    hint: str = ""

    @property
    def dom_id(self) -> str:
        return "f-" + self.name.replace(".", "-").replace("[", "-").replace("]", "")


@dataclass
class Section:
    """A group of fields (``fields``), or a list of rows of them (``rows``, when ``repeated``)."""

    name: str
    label: str
    fields: list[FormField] = field(default_factory=list)
    repeated: bool = False
    rows: list[list[FormField]] = field(default_factory=list)


def _unwrap(annotation: Any) -> tuple[Any, list[Any], bool]:
    """(inner type, Annotated metadata, optional) of ``X``, ``X | None`` or ``Annotated[X, …]``."""
    optional = False
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        rest = [a for a in args if a is not type(None)]
        optional = len(rest) < len(args)
        annotation = rest[0] if len(rest) == 1 else annotation
    metadata: list[Any] = []
    if typing.get_origin(annotation) is typing.Annotated:
        annotation, *metadata = typing.get_args(annotation)
    return annotation, metadata, optional


def _validator_names(metadata: list[Any]) -> set[str]:
    return {getattr(getattr(m, "func", None), "__name__", "") for m in metadata}


_FORMAT_HINTS = {"_date": "年-月-日，如 2026-03-01", "_year_month": "年-月，如 1985-03", "_year": "四位年度，如 2026",
                 "_id_number": "18位", "_mobile": "11位手机号码", "_county": "6位县级代码，如 530128",
                 "_division": "6位代码，如 530102", "_credit_code": "18位", "_postcode": "6位"}


def form_field(model: type[BaseModel], name: str, path: str) -> FormField:
    """The input for ``model``'s field ``name`` at ``path``."""
    info = model.model_fields[name]
    inner, metadata, optional = _unwrap(info.annotation)
    validators = _validator_names([*metadata, *info.metadata])
    required = info.is_required() and not optional
    hint = info.description or ""
    for func, text in _FORMAT_HINTS.items():
        if func in validators:
            hint = f"{hint}（{text}）" if hint else text
    kind, options = "text", ()
    if typing.get_origin(inner) is typing.Literal:
        kind, options = "select", tuple(str(a) for a in typing.get_args(inner))
    elif isinstance(inner, type) and issubclass(inner, enum.Enum):
        kind, options = "select", tuple(m.value for m in inner)
    elif "_ethnicity" in validators:
        kind, options = "select", tuple(ETHNIC_GROUPS)
    elif typing.get_origin(inner) is tuple:
        kind, required = "lines", False
        hint = (hint + "；" if hint else "") + "每行一条"
    elif "_para" in validators:
        kind = "textarea"
    return FormField(path, info.title or name, kind, options, required, hint)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    inner, _, _ = _unwrap(annotation)
    if typing.get_origin(inner) is tuple:
        inner = typing.get_args(inner)[0]
    return inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None


def sections(values: dict[str, str], extra_rows: dict[str, int] | None = None) -> list[Section]:
    """The form's sections in ``SECTION_ORDER``; a list of records (简历, 考核) gets one row per
    item in ``values`` plus ``extra_rows[name]`` blank ones (at least one row for 简历)."""
    extra_rows = extra_rows or {}
    out = []
    for name in SECTION_ORDER:
        info = Case.model_fields[name]
        sub = _model_of(info.annotation)
        label = info.title or name
        if sub is None:  # a top-level paragraph (业绩, 计划)
            out.append(Section(name, label, [form_field(Case, name, name)]))
        elif typing.get_origin(_unwrap(info.annotation)[0]) is tuple:
            count = row_count(values, name)
            count += extra_rows.get(name, 0)
            if name == "resume":
                count = max(count, 1)
            rows = [[form_field(sub, f, f"{name}[{i}].{f}") for f in sub.model_fields] for i in range(count)]
            out.append(Section(name, label, [], repeated=True, rows=rows))
        else:
            out.append(Section(name, label, [form_field(sub, f, f"{name}.{f}") for f in sub.model_fields]))
    return out


def all_fields(secs: list[Section]) -> list[FormField]:
    return [f for s in secs for f in [*s.fields, *(f for row in s.rows for f in row)]]


MAX_ROWS = 200
"""Most rows of one list the form takes (简历, 考核): a posted ``resume[99999999].start`` must not
make the server build millions of inputs."""


def row_count(values: dict[str, str], name: str) -> int:
    """How many rows of the list ``name`` the values hold (highest index + 1, at most ``MAX_ROWS``)."""
    indexes = [parse_loc(k)[1] for k in values if k.startswith(name + "[")]
    return min(max((i for i in indexes if isinstance(i, int)), default=-1) + 1, MAX_ROWS)


def data_to_values(data: Any) -> dict[str, str]:
    """A record's plain mapping → form values by field name (lists of paragraphs joined by lines)."""
    values = flatten(data if isinstance(data, dict) else {})
    out: dict[str, str] = {}
    for key, value in values.items():
        loc = parse_loc(key)
        if len(loc) == 3 and loc[0] == "agreement" and isinstance(loc[2], int):
            joined = f"{loc[0]}.{loc[1]}"
            out[joined] = (out[joined] + LINES_SEPARATOR + value) if joined in out else value
        else:
            out[key] = value
    return out


def form_to_data(form: dict[str, str], secs: list[Section] | None = None) -> dict[str, Any]:
    """Posted values → the record's plain mapping: nested by path, every value text, empty ones
    left out, a list's rows that are all empty dropped (and the rest renumbered), a ``lines``
    field split into its non-empty lines."""
    secs = secs if secs is not None else sections(form)
    known = {f.name: f for f in all_fields(secs)}
    data: dict[str, Any] = {}
    lists: dict[str, dict[int, dict[str, str]]] = {}
    for name, f in known.items():
        raw = form.get(name, "")
        text = raw.replace("\r\n", "\n").replace("\r", "\n")
        if f.kind == "lines":
            items = [line.strip() for line in text.split("\n") if line.strip()]
            if items:
                section, key = name.split(".")
                data.setdefault(section, {})[key] = items
            continue
        if f.kind == "textarea":  # as typed (a ``|`` block's final line break kept: a round trip)
            if text.strip() == "":
                continue
        else:
            text = text.strip()
            if not text:
                continue
        loc = parse_loc(name)
        if len(loc) == 3 and isinstance(loc[1], int):
            lists.setdefault(str(loc[0]), {}).setdefault(loc[1], {})[str(loc[2])] = text
        elif len(loc) == 2:
            data.setdefault(str(loc[0]), {})[str(loc[1])] = text
        else:
            data[str(loc[0])] = text
    for s in secs:
        if s.repeated:  # an empty list is written as ``[]``, as in ``formkit new case``
            data[s.name] = [lists[s.name][i] for i in sorted(lists.get(s.name, {}))]
    return {k: data[k] for k in SECTION_ORDER if k in data}


def field_for_problem(path: str, names: set[str]) -> str:
    """The form field a problem's ``path`` belongs to: itself, its nearest enclosing field
    (``agreement.service_unit_duties[1]`` → the duties box), or its section; ``""`` when none."""
    probe = path
    while probe:
        if probe in names:
            return probe
        cut = max(probe.rfind("."), probe.rfind("["))
        if cut <= 0:
            break
        probe = probe[:cut]
    head = parse_loc(path)[0] if path else ""
    return str(head) if head in SECTION_ORDER else ""
