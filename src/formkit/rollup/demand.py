"""附件1 roll-ups (第三条): county demand lists → the 需求信息表 of a county, a 州(市) or the province.

第三条: each 县（市、区） collects the township units' demand at the start of the year and reports
it (with the electronic file) to its 州（市）, which merges its counties' lists and reports to the
province, which merges the 州（市）'s. ``merge_demand(lists, level, division)`` is that merge, a
pure function: the posts of the counties below ``division`` sorted by division code (a county's
posts keep their order), a 小计 row after each county's posts (州(市) and province level) and after
each 州(市)'s counties (province level), and the 合计 row. Every count is summed here, never
typed. ``demand_context(table)`` shapes the table for the templates of the ``demand`` form.

Names of divisions are those in force in the table's year (GB/T 2260 history). Raises
``DataConflict`` (exit 1) for lists that cannot be merged together (different years, two lists of
one county, a list outside the division) and ``UsageError`` (exit 2, with ``param`` naming the
argument) for a table asked wrongly (no list, an unknown level, a division of the wrong level, no
division when the lists span several).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from formkit.errors import DataConflict, UsageError
from formkit.model import DemandList, DemandPost

__all__ = ["LEVELS", "DemandRow", "DemandTable", "Reporting",
           "level_name", "merge_demand", "resolve_division", "select_lists"]

Level = Literal["county", "prefecture", "province"]
LEVELS: tuple[str, ...] = ("county", "prefecture", "province")
_LEVEL_NAMES = {"county": "县（市、区）", "prefecture": "州（市）", "province": "省"}
BLANK_DATE = "年　月　日"
"""A date left blank for ink (full-width spaces)."""


def level_name(level: str) -> str:
    """``county`` → ``县（市、区）``, ``prefecture`` → ``州（市）``, ``province`` → ``省``."""
    return _LEVEL_NAMES[level]


@dataclass(frozen=True)
class Reporting:
    """The reporting details above and below a table at 州(市) or province level (the county's
    come from its list). ``None`` leaves the place blank for ink."""

    reported_on: date | None = None
    filled_by: str | None = None
    reviewed_by: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class DemandRow:
    """One row of the table.

    ``kind``: ``post`` (one post of a county's list), ``county`` (a county's 小计),
    ``prefecture`` (a 州(市)'s 小计) or ``total`` (合计). ``number`` is the 序号 of a post row
    (1, 2, … over the whole table), ``None`` otherwise. ``count`` is the post's 需求人数 or the
    sum over the rows it totals. ``label`` is ``""`` for a post, else ``会泽县小计`` /
    ``曲靖市小计`` / ``合计``.
    """

    kind: Literal["post", "county", "prefecture", "total"]
    number: int | None
    prefecture: str
    prefecture_name: str
    county: str | None
    county_name: str
    post: DemandPost | None
    count: int
    label: str = ""


@dataclass(frozen=True)
class DemandTable:
    """附件1 at one level: the scope (``division``, its ``division_name``), the year, the
    reporting details (``""`` = blank for ink; ``reported_on`` ``None`` = blank), the rows (posts
    and 小计 in order, then the 合计 row), the ``total`` 需求人数, the counties included and the
    counties of the scope that sent no list (``missing``, as (code, name)). ``dated`` is the
    latest 填报时间 of the county lists: the date stamped into the files' metadata."""

    level: str
    division: str
    division_name: str
    year: int
    reporting_unit: str
    reported_on: date | None
    filled_by: str
    reviewed_by: str
    phone: str
    rows: tuple[DemandRow, ...]
    total: int
    counties: tuple[str, ...]
    missing: tuple[tuple[str, str], ...]
    dated: date

    @property
    def posts(self) -> tuple[DemandRow, ...]:
        return tuple(r for r in self.rows if r.kind == "post")

    @property
    def subtotals(self) -> tuple[DemandRow, ...]:
        return tuple(r for r in self.rows if r.kind in ("county", "prefecture"))


def resolve_division(level: str, division: str | None, counties: Sequence[str] = ()) -> str:
    """The division code a table of ``level`` covers.

    ``province`` → ``530000`` (``division`` must be absent or ``530000``). ``prefecture`` / ``county``
    → ``division`` if given (it must be a current 州(市) / county), else the single 州(市) / county
    of ``counties``. Raises ``UsageError`` otherwise.
    """
    from formkit.reference.divisions import PROVINCE_CODE, current, prefecture_of
    from formkit.errors import InvalidValue

    if level not in LEVELS:
        raise UsageError(f"汇总级别只能取 {'、'.join(LEVELS)}，实为 {level!r}", param="level")
    if level == "province":
        if division not in (None, PROVINCE_CODE):
            raise UsageError(f"省级汇总的区划只能是 {PROVINCE_CODE}（云南省），实为 {division}", param="division")
        return PROVINCE_CODE
    if division is None:
        found = sorted({c if level == "county" else prefecture_of(c).code for c in counties})
        if len(found) != 1:
            what = "县（市、区）" if level == "county" else "州（市）"
            names = "、".join(f"{c} {current(c).name}" for c in found) or "无"
            raise UsageError(f"请指定汇总哪个{what}：需求信息表涉及 {names}", param="division")
        return found[0]
    try:
        found_div = current(division)
    except InvalidValue as exc:
        raise UsageError(str(exc), param="division") from None
    if found_div.level != level:
        raise UsageError(f"{division}（{found_div.name}）不是{level_name(level)}级行政区划", param="division")
    return division


def _in_scope(county: str, level: str, division: str) -> bool:
    from formkit.reference.divisions import prefecture_of

    if level == "province":
        return True
    if level == "prefecture":
        return prefecture_of(county).code == division
    return county == division


def select_lists(lists: Sequence[tuple[str, DemandList]], level: str, division: str,
                 year: int) -> tuple[list[tuple[str, DemandList]], list[str]]:
    """Split ``(file, list)`` pairs into those a table of ``level``/``division``/``year`` merges
    and notes (Chinese) on those it leaves out (another year, outside the division). Raises
    ``DataConflict`` naming both files when one county sent two lists for the year."""
    from formkit.reference.divisions import name_on

    chosen, notes = [], []
    for file, demand in lists:
        if demand.year != year:
            notes.append(f"{file}：{demand.year}年度，不是{year}年度，未汇总")
        elif not _in_scope(demand.county, level, division):
            notes.append(f"{file}：{name_on(demand.county, year)}不在{name_on(division, year)}范围内，未汇总")
        else:
            chosen.append((file, demand))
    seen: dict[str, str] = {}
    for file, demand in chosen:
        if demand.county in seen:
            raise DataConflict(f"{name_on(demand.county, year)}（{demand.county}）{year}年度有两份需求信息表："
                               f"{seen[demand.county]} 和 {file}；请只提供一份")
        seen[demand.county] = file
    return chosen, notes


def merge_demand(lists: Sequence[DemandList], level: str, division: str | None = None, *,
                 reporting: Reporting | None = None) -> DemandTable:
    """Merge county demand lists into 附件1 of ``level`` (``county``/``prefecture``/``province``).

    ``lists`` must be of one year, at most one per county, all inside ``division`` (resolved by
    ``resolve_division`` when ``None``). At county level the reporting details are the list's;
    higher up the 填报单位 is the level's HR department (``divisions.hr_department``) and the
    other details come from ``reporting`` (blank when not given). Raises ``UsageError`` when there
    is no list or the division is wrong, ``DataConflict`` when the lists do not fit together.
    """
    from formkit.reference.divisions import counties_of, hr_department, name_on, prefecture_of

    if not lists:
        raise UsageError("没有可汇总的需求信息表")
    years = sorted({d.year for d in lists})
    if len(years) != 1:
        raise DataConflict(f"需求信息表的年度不一致：{'、'.join(map(str, years))}；一张汇总表只含一个年度")
    year = years[0]
    division = resolve_division(level, division, [d.county for d in lists])
    by_county: dict[str, DemandList] = {}
    for demand in lists:
        if not _in_scope(demand.county, level, division):
            raise DataConflict(f"{name_on(demand.county, year)}（{demand.county}）的需求信息表不属于"
                               f"{name_on(division, year)}（{division}）")
        if demand.county in by_county:
            raise DataConflict(f"{name_on(demand.county, year)}（{demand.county}）{year}年度有两份需求信息表；"
                               "请只提供一份（YAML 或 .xlsx）")
        by_county[demand.county] = demand

    rows: list[DemandRow] = []
    number = 0
    codes = sorted(by_county)
    for i, county in enumerate(codes):
        demand = by_county[county]
        pref = prefecture_of(county).code
        pref_name, county_name = name_on(pref, year), name_on(county, year)
        for post in demand.posts:
            number += 1
            rows.append(DemandRow("post", number, pref, pref_name, county, county_name, post, post.count))
        if level != "county":
            rows.append(DemandRow("county", None, pref, pref_name, county, county_name, None,
                                  sum(p.count for p in demand.posts), f"{county_name}小计"))
        last_of_prefecture = i + 1 == len(codes) or prefecture_of(codes[i + 1]).code != pref
        if level == "province" and last_of_prefecture:
            count = sum(r.count for r in rows if r.kind == "post" and r.prefecture == pref)
            rows.append(DemandRow("prefecture", None, pref, pref_name, None, "", None, count,
                                  f"{pref_name}小计"))
    total = sum(r.count for r in rows if r.kind == "post")
    rows.append(DemandRow("total", None, division, name_on(division, year), None, "", None, total, "合计"))

    if level == "county":
        only = by_county[division]
        unit, on = only.reporting_unit, only.reported_on
        filled, reviewed, phone = only.filled_by, only.reviewed_by, only.phone
        scope: tuple[str, ...] = (division,)
    else:
        rep = reporting or Reporting()
        unit, on = hr_department(division, year), rep.reported_on
        filled, reviewed, phone = rep.filled_by or "", rep.reviewed_by or "", rep.phone or ""
        if level == "prefecture":
            scope = tuple(d.code for d in counties_of(division))
        else:
            from formkit.reference.divisions import all_prefectures

            scope = tuple(d.code for p in all_prefectures() for d in counties_of(p.code))
    missing = tuple((c, name_on(c, year)) for c in scope if c not in by_county)
    return DemandTable(
        level=level, division=division, division_name=name_on(division, year), year=year,
        reporting_unit=unit, reported_on=on, filled_by=filled, reviewed_by=reviewed, phone=phone,
        rows=tuple(rows), total=total, counties=tuple(codes), missing=missing,
        dated=max(d.reported_on for d in lists),
    )
