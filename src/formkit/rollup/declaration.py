"""The subsidy declaration of a 州(市) for a year (第十条): 附件4 名册, 附件5 申报表, exclusions.

第十条: once a person's service period is complete and appraised as passing, the 州(市) HR bureau,
with the 州(市) finance bureau, reports by the end of the year the 名册 of those whose subsidy is
due (附件4) and the 申报表 of the amounts (附件5), each person's 附件2 and 附件3 attached.

``build_declaration(entries, prefecture, year)`` is pure: ``entries`` are ``(case, facts)`` pairs
(``facts = derive(case, as_of)``; a third item, the record's file, is kept for the report). A
person is listed when some payable subsidy item of theirs belongs to this 州(市)'s declaration
for ``year`` (``rules.subsidy.declarations_for``, 第十条); the row pays those items' years
(第十一条) at the rate of the rules, in ``Decimal`` 元. The per-county summary (附件5) is summed
from the roster rows and the totals from the summary, so the 名册 and the 申报表 agree by
construction. Everyone else is an ``Exclusion`` with its reason and article.

``roster_context`` / ``subsidy_context`` shape a ``Declaration`` for the templates of
the ``roster`` and ``subsidy`` forms; ``exclusions_report`` writes the exclusions as plain text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from formkit.errors import DataConflict, UsageError
from formkit.facts import Facts
from formkit.model import Case
from formkit.rules.subsidy import SubsidyItem, declarations_for

__all__ = ["CATEGORIES", "CaseFacts", "CountySummary", "Declaration", "Exclusion",
           "RosterRow", "build_declaration", "finance_department"]


class CaseFacts(NamedTuple):
    """One considered record: the case, its facts, and (for the report) where it came from."""

    case: Case
    facts: Facts
    source: str = ""


CATEGORIES: dict[str, tuple[str, str]] = {
    "other-prefecture": ("服务地不在本州（市）", "第十条"),
    "short": ("服务不满2周年", "第二、十三条"),
    "ineligible": ("不符合第二条规定的条件", "第二条"),
    "not-performed": ("服务期内未按协议履职", "第十三条"),
    "failed": ("考核不合格（不称职）", "第十三条"),
    "pending": ("服务未期满或尚待考核鉴定", "第九、十一条"),
    "other-year": ("补贴属于其他年度的申报", "第十条"),
}
"""Exclusion category → (heading, article), in the order the report lists them."""


@dataclass(frozen=True)
class RosterRow:
    """One person on 附件4 (and in 附件5's county sums).

    ``items`` are the payable subsidy items declared now; ``years`` (本次核发年限) and
    ``amount`` (元) are their sums; ``grades`` the 考核结果 of those periods; ``periods`` the
    service years paid (``第1—2年``, ``第3年``). ``entry`` is the case and facts it came from.
    """

    number: int
    entry: CaseFacts
    items: tuple[SubsidyItem, ...]
    name: str
    sex: str
    id_number: str
    home_unit: str
    title: str
    county: str
    county_name: str
    township: str
    unit: str
    start: date
    end: date
    years: int
    amount: Decimal
    grades: str
    periods: str


@dataclass(frozen=True)
class CountySummary:
    """One county row of 附件5: people listed, years paid, amount (元), summed from the roster."""

    number: int
    county: str
    county_name: str
    people: int
    years: int
    amount: Decimal


@dataclass(frozen=True)
class Exclusion:
    """A considered person not on the 名册: ``category`` (a key of ``CATEGORIES``), its
    ``article``, and ``details`` (one Chinese sentence per reason, each citing its article)."""

    category: str
    article: str
    name: str
    id_number: str
    prefecture_name: str
    county_name: str
    source: str
    details: tuple[str, ...]

    @property
    def heading(self) -> str:
        return CATEGORIES[self.category][0]


@dataclass(frozen=True)
class Declaration:
    """A 州(市)'s declaration for ``year``: roster rows (附件4), county summary (附件5), totals
    (``total_amount`` in 元, ``Decimal``), the rate applied, and the exclusions."""

    prefecture: str
    prefecture_name: str
    year: int
    as_of: date | None
    hr_department: str
    finance_department: str
    rate: Decimal
    rows: tuple[RosterRow, ...]
    counties: tuple[CountySummary, ...]
    total_people: int
    total_years: int
    total_amount: Decimal
    exclusions: tuple[Exclusion, ...]
    considered: int


def finance_department(code: str, year: int) -> str:
    """The finance bureau of a 州(市): ``530300`` → ``曲靖市财政局`` (name in force in ``year``)."""
    from formkit.reference.divisions import name_on

    return f"{name_on(code, year)}财政局"


def _span(item: SubsidyItem, first_payment_years: int) -> str:
    if item.years_covered > 1 or item.number == 1:
        return f"第1—{item.years_covered}年" if item.years_covered > 1 else "第1年"
    return f"第{first_payment_years + item.number - 1}年"


def _grade(item: SubsidyItem) -> str:
    written = item.appraisal.grade.strip() if item.appraisal else ""
    canonical = item.grade or written
    return canonical if written in ("", canonical) else f"{canonical}（{written}）"


def _title(case: Case) -> str:
    q = case.qualification
    return q.title or q.practice_qualification or ""


def _exclusion(entry: CaseFacts, prefecture: str, year: int, minimum_years: int) -> Exclusion:
    """Why a considered person is not on this declaration (first matching category)."""
    from formkit.reference.divisions import name_on

    case, facts = entry.case, entry.facts
    sub = facts.subsidy

    def make(category: str, details: Iterable[str]) -> Exclusion:
        return Exclusion(category, CATEGORIES[category][1], case.applicant.name, case.applicant.id_number,
                         facts.prefecture_name, facts.county_name, entry.source, tuple(details))

    if facts.prefecture != prefecture:
        here = name_on(prefecture, year)
        return make("other-prefecture", [f"服务地为{facts.prefecture_name}{facts.county_name}，"
                                         f"补贴由{facts.prefecture_name}申报，不列入{here}的申报（第十条）"])
    if sub.whole_years < minimum_years:
        return make("short", sub.reasons or [f"服务期满{sub.whole_years}周年，不满{minimum_years}周年（第二、十三条）"])
    if facts.eligibility.reasons:  # 第二条 (the whole years are handled above)
        return make("ineligible", facts.eligibility.reason_texts)
    if case.agreement.breach is not None:
        return make("not-performed", [f"服务期内未按协议履职（{case.agreement.breach}），依第十三条不享受工作岗位补贴"])
    items = sub.items
    failed_now = [it for it in items if it.status == "failed" and _failed_year(it) == year]
    pending = [it for it in items if it.status in ("not-yet-due", "awaiting-appraisal")]
    other_year = [it for it in items if it.status == "payable"]
    failed_before = [it for it in items if it.status == "failed" and it not in failed_now]
    details = [it.reason for it in failed_now + pending + other_year + failed_before]
    if failed_now:
        return make("failed", details)
    if pending:
        return make("pending", details)
    if other_year:
        return make("other-year", details)
    return make("failed", details or ["无可核发的补贴期间（第十三条）"])


def _failed_year(item: SubsidyItem) -> int:
    """The year a failed period was settled: completed or appraised, whichever is later."""
    on = item.appraisal.appraised_on if item.appraisal else None
    return max(item.period_end.year, on.year if on else 0)


def build_declaration(entries: Iterable[CaseFacts | tuple], prefecture: str, year: int) -> Declaration:
    """The declaration (附件4, 附件5, exclusions) of ``prefecture`` (a 州(市) code) for ``year``.

    Pure. Rows are ordered by service county code, then service start, name and ID number;
    序号 runs 1… over the roster; the county summary follows the same order. Raises
    ``DataConflict`` when one ID number would be listed twice and ``UsageError`` (``param``
    ``prefecture``) when ``prefecture`` is not a current 州(市). The rate and years printed are
    those of the entries' ``facts.params`` (the packaged policy when there are no entries);
    entries derived with different parameters raise ``DataConflict``.
    """
    from formkit.reference.divisions import current, hr_department, name_on
    from formkit.errors import InvalidValue
    from formkit.rules.params import load_params

    try:
        pref = current(prefecture)
    except InvalidValue as exc:
        raise UsageError(str(exc), param="prefecture") from None
    if pref.level != "prefecture":
        raise UsageError(f"行政区划代码 {prefecture}（{pref.name}）不是州（市）", param="prefecture")
    considered = [e if isinstance(e, CaseFacts) else CaseFacts(*e) for e in entries]
    # one declaration, one rate: the parameters the entries were derived with (第二、十一条)
    in_force = {e.facts.params for e in considered}
    if len(in_force) > 1:
        raise DataConflict("所审查的记录按不同的政策参数（补贴标准、年限）计算，不能列入同一份申报")
    params = in_force.pop() if in_force else load_params()

    listed: list[tuple[CaseFacts, tuple[SubsidyItem, ...]]] = []
    exclusions: list[Exclusion] = []
    for entry in considered:
        eligible = entry.facts.eligibility.eligible
        items = tuple(declarations_for(entry.facts.subsidy, prefecture, year)) if eligible else ()
        if items and entry.case.agreement.breach is None:
            listed.append((entry, items))
        else:
            exclusions.append(_exclusion(entry, prefecture, year, params.minimum_years))

    def order(pair: tuple[CaseFacts, tuple[SubsidyItem, ...]]) -> tuple:
        c = pair[0].case
        return (c.service.county, c.agreement.start, c.applicant.name, c.applicant.id_number)

    listed.sort(key=order)
    seen: dict[str, str] = {}
    for entry, _ in listed:
        ident = entry.case.applicant.id_number
        if ident in seen:
            raise DataConflict(f"{entry.case.applicant.name} 的两份记录（{seen[ident]}、{entry.source}）"
                               f"都列入{pref.name}{year}年度名册；同一人只能列一次，请核对记录")
        seen[ident] = entry.source or entry.case.applicant.name

    rows = []
    for number, (entry, items) in enumerate(listed, start=1):
        case = entry.case
        rows.append(RosterRow(
            number=number, entry=entry, items=items,
            name=case.applicant.name, sex=case.applicant.sex, id_number=case.applicant.id_number,
            home_unit=case.home_unit.name, title=_title(case),
            county=case.service.county, county_name=name_on(case.service.county, year),
            township=case.service.township, unit=case.service.unit,
            start=case.agreement.start, end=case.agreement.end,
            years=sum(it.years_covered for it in items),
            amount=sum((it.amount_payable for it in items), Decimal(0)),
            grades="；".join(_grade(it) if len(items) == 1 else f"{_span(it, params.first_payment_years)}{_grade(it)}"
                            for it in items),
            periods="、".join(_span(it, params.first_payment_years) for it in items),
        ))

    counties: list[CountySummary] = []
    for row in rows:  # rows are grouped by county already
        if counties and counties[-1].county == row.county:
            c = counties[-1]
            counties[-1] = CountySummary(c.number, c.county, c.county_name, c.people + 1,
                                         c.years + row.years, c.amount + row.amount)
        else:
            counties.append(CountySummary(len(counties) + 1, row.county, row.county_name, 1, row.years, row.amount))

    order_of = list(CATEGORIES)
    exclusions.sort(key=lambda x: (order_of.index(x.category), x.prefecture_name, x.county_name, x.name, x.source))
    as_of = max((e.facts.as_of for e in considered), default=None)
    return Declaration(
        prefecture=prefecture, prefecture_name=name_on(prefecture, year), year=year, as_of=as_of,
        hr_department=hr_department(prefecture, year), finance_department=finance_department(prefecture, year),
        rate=params.subsidy_per_year_yuan, rows=tuple(rows), counties=tuple(counties),
        total_people=sum(c.people for c in counties), total_years=sum(c.years for c in counties),
        total_amount=sum((c.amount for c in counties), Decimal(0)),
        exclusions=tuple(exclusions), considered=len(considered),
    )
