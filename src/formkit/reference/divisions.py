"""Yunnan's administrative divisions (GB/T 2260 codes) and the names in force over time.

Two package data files (see ``data/DIVISIONS_README.md``):

- ``yunnan_divisions.tsv`` — the current divisions: 1 province, 16 州(市), 129 县级 units;
- ``yunnan_divisions_historical.tsv`` — every name period of a code, ``valid_from``/``valid_to``
  years inclusive (blank = open), e.g. 530122 晋宁县 until 2016, then 530115 晋宁区 from 2016.
  ``市辖区`` rows are GB/T 2260 placeholder codes for a city's districts, not real units: they
  count as known codes (ID numbers carry them) but have no name to print on a form.

Codes are 6-digit strings. Every lookup that fails raises ``formkit.errors.InvalidValue``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from formkit.errors import InvalidValue

PROVINCE_CODE = "530000"
PLACEHOLDER_NAME = "市辖区"


@dataclass(frozen=True)
class Division:
    """A current division. ``level`` is ``province``, ``prefecture`` (州(市)) or ``county``
    (县(市、区)); ``parent_code`` is ``None`` for the province."""

    code: str
    name: str
    level: str
    parent_code: str | None


@dataclass(frozen=True)
class NamePeriod:
    """One row of the historical table: ``name`` was in force for ``code`` from ``valid_from``
    to ``valid_to`` (years, inclusive; ``None`` = open)."""

    code: str
    name: str
    level: str
    parent_code: str | None
    valid_from: int | None
    valid_to: int | None

    @property
    def is_placeholder(self) -> bool:
        return self.name == PLACEHOLDER_NAME

    def covers(self, year: int) -> bool:
        return (self.valid_from is None or self.valid_from <= year) and (
            self.valid_to is None or year <= self.valid_to
        )


def _rows(filename: str) -> list[dict[str, str]]:
    text = (files("formkit") / "data" / filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter="\t"))


def _year(text: str) -> int | None:
    return int(text) if text.strip() else None


@cache
def _current() -> dict[str, Division]:
    return {
        r["code"]: Division(r["code"], r["name"], r["level"], r["parent_code"] or None)
        for r in _rows("yunnan_divisions.tsv")
    }


@cache
def _history() -> dict[str, tuple[NamePeriod, ...]]:
    out: dict[str, list[NamePeriod]] = {}
    for r in _rows("yunnan_divisions_historical.tsv"):
        start, end = _year(r["valid_from"]), _year(r["valid_to"])
        if start is not None and end is not None and start > end:
            start = None  # malformed source range (下关市 1983–1982): a name that ended at `end`
        period = NamePeriod(r["code"], r["name"], r["level"], r["parent_code"] or None, start, end)
        out.setdefault(period.code, []).append(period)
    return {code: tuple(ps) for code, ps in out.items()}


def periods(code: str) -> tuple[NamePeriod, ...]:
    """Every name period of ``code`` in the historical table, in file order; ``()`` if none."""
    return _history().get(code, ())


def is_current(code: str) -> bool:
    """Whether ``code`` is a current Yunnan division at county level or above."""
    return code in _current()


def current(code: str) -> Division:
    """The current division with this code.

    Raises ``InvalidValue`` when the code is not a current Yunnan division (an old code, a
    ``市辖区`` placeholder, another province, a typo).
    """
    division = _current().get(code)
    if division is None:
        message = f"行政区划代码 {code} 不是云南省现行的县级以上行政区划"
        if any(p.is_placeholder for p in periods(code)):
            message += "（它是「市辖区」占位代码，请填写具体的区）"
        raise InvalidValue(message)
    return division


def prefecture_of(code: str) -> Division:
    """The 州(市) of a current county; a current prefecture is its own.

    Raises ``InvalidValue`` for the province code or a code that is not current.
    """
    division = current(code)
    if division.level == "province":
        raise InvalidValue(f"行政区划代码 {code} 是云南省本身，不属于任何州（市）")
    return division if division.level == "prefecture" else current(division.parent_code or "")


def counties_of(prefecture_code: str) -> tuple[Division, ...]:
    """The current county-level units of a 州(市), by code. Raises ``InvalidValue`` if
    ``prefecture_code`` is not a current prefecture."""
    prefecture = current(prefecture_code)
    if prefecture.level != "prefecture":
        raise InvalidValue(f"行政区划代码 {prefecture_code}（{prefecture.name}）不是州（市）")
    return tuple(sorted((d for d in _current().values() if d.parent_code == prefecture_code),
                        key=lambda d: d.code))


def all_prefectures() -> tuple[Division, ...]:
    """The 16 current 州(市), by code."""
    return tuple(sorted((d for d in _current().values() if d.level == "prefecture"),
                        key=lambda d: d.code))


def name_on(code: str, year: int) -> str:
    """The name of ``code`` in force in ``year`` (historical table, years inclusive).

    Falls back to the current name when no period covers the year, and for an old code to the
    name of its nearest period. Raises ``InvalidValue`` for a ``市辖区`` placeholder (no unit
    to name) and for a code in neither table.
    """
    history = periods(code)
    if history and all(p.is_placeholder for p in history):
        raise InvalidValue(f"行政区划代码 {code} 是「市辖区」占位代码，不是实际的行政区划")
    for period in history:
        if period.covers(year) and not period.is_placeholder:
            return period.name
    if is_current(code):
        return current(code).name
    if not history:
        raise InvalidValue(f"行政区划代码 {code} 不在云南省行政区划代码表（含历史代码）中")

    def distance(p: NamePeriod) -> int:
        if p.valid_from is not None and year < p.valid_from:
            return p.valid_from - year
        return year - p.valid_to if p.valid_to is not None else 0

    return min(history, key=distance).name


def hr_department(code: str, year: int | None = None) -> str:
    """The human resources and social security department of a division (spec §2 routing).

    ``530000`` → ``云南省人力资源和社会保障厅``; any other code → its name (in force in
    ``year``, else the current name) + ``人力资源和社会保障局``, e.g. ``530100`` →
    ``昆明市人力资源和社会保障局``, ``530112`` → ``西山区人力资源和社会保障局``. Without ``year``
    the code must be current; raises ``InvalidValue`` otherwise (see ``current``/``name_on``).
    """
    if code == PROVINCE_CODE:
        return "云南省人力资源和社会保障厅"
    name = current(code).name if year is None else name_on(code, year)
    return f"{name}人力资源和社会保障局"
