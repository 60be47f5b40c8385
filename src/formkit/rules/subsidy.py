"""The 工作岗位补贴 (第二、十、十一、十三条): what is paid, for which period, declared when and where.

- 第二条: 每人每年 ``subsidy_per_year_yuan`` 元 (10,000) for service of at least 2 whole years.
- 第十一条: the first two whole years are paid together once year 2 is complete and appraised
  (for a 2-year term and for longer ones alike); from year 3 on, each completed and appraised
  year pays one year. A 4-year term pays 20,000 + 10,000 + 10,000 = 40,000 元.
- 第十三条: nothing for fewer than 2 whole years (周年), for a period appraised 不合格 / 不称职
  (later passing periods still pay), or where the person did not perform the agreement.
- 第十条: a payable period belongs to the declaration of the 州(市) where the person served, for
  the calendar year in which the period was completed or its appraisal recorded, whichever is
  later.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from formkit.errors import InvalidValue
from formkit.rules.appraisal import AppraisalDue, appraisal_schedule, canonical_grade
from formkit.rules.params import PolicyParams, load_params
from formkit.rules.periods import whole_years

__all__ = [
    "RecordedAppraisal",
    "SubsidyItem",
    "SubsidySchedule",
    "SubsidyStatus",
    "declarations_for",
    "subsidy_schedule",
]

SubsidyStatus = Literal["payable", "awaiting-appraisal", "not-yet-due", "failed", "not-performed", "ineligible"]

_ZERO = Decimal(0)


@dataclass(frozen=True)
class RecordedAppraisal:
    """An appraisal (附件3) on record: the period it covers (inclusive dates), its 考核等次 as
    written (称职 wording allowed), and the day it was recorded, if known."""

    period_start: date
    period_end: date
    grade: str
    appraised_on: date | None = None


@dataclass(frozen=True)
class SubsidyItem:
    """One payment period of the subsidy (第十一条).

    ``number`` follows the appraisal: 1 is years 1–2, 2 is year 3, …. ``amount`` is the
    period's entitlement in 元 (rate × ``years_covered``) whatever the status;
    :attr:`amount_payable` is what is actually paid (``amount`` if ``status == 'payable'``,
    else 0). Dates are inclusive; ``due_on`` is ``period_end``. ``declaration_year`` is set for
    payable items only. ``reason`` says in Chinese why, citing the article. ``appraisal`` is the
    matching record (if any, even one recorded after ``as_of``) and ``grade`` its canonical
    考核等次; ``status`` alone says whether it counts.

    ``status``: 'payable' (complete, appraised, passing); 'awaiting-appraisal' (complete, no
    appraisal recorded yet); 'not-yet-due' (not complete at ``as_of``); 'failed' (appraised
    不合格: this period pays nothing); 'not-performed' (agreement not performed, 第十三条).
    """

    number: int
    years_covered: int
    period_start: date
    period_end: date
    due_on: date
    amount: Decimal
    appraisal_needed: AppraisalDue
    status: SubsidyStatus
    declaration_prefecture: str
    declaration_year: int | None
    reason: str
    appraisal: RecordedAppraisal | None = None
    grade: str | None = None

    @property
    def amount_payable(self) -> Decimal:
        """元 paid for this period: ``amount`` when payable, else ``Decimal(0)``."""
        return self.amount if self.status == "payable" else _ZERO


@dataclass(frozen=True)
class SubsidySchedule:
    """The subsidy over one agreement.

    ``whole_years``: 周年 served under the agreement (第十三条). ``items``: one per payment
    period, in order. ``total_payable``: sum of the payable items, 元. ``reasons``: when nothing
    is payable, why (Chinese, citing articles); empty otherwise. ``unmatched``: recorded
    appraisals whose period matches no payment period (for the caller to report).
    """

    whole_years: int
    items: tuple[SubsidyItem, ...]
    total_payable: Decimal
    reasons: tuple[str, ...]
    unmatched: tuple[RecordedAppraisal, ...]


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _span(due: AppraisalDue, first_payment_years: int) -> str:
    if due.kind == "term":
        return f"第1—{due.years_covered}年" if due.years_covered > 1 else "第1年"
    return f"第{first_payment_years + due.number - 1}年"


def _grade_text(grade: str, canonical: str) -> str:
    written = grade.strip()
    return canonical if written == canonical else f"{canonical}（{written}）"


def subsidy_schedule(
    start: date,
    end: date,
    appraisals: Iterable[RecordedAppraisal] = (),
    *,
    service_prefecture: str,
    performed: bool = True,
    ineligible: tuple[str, ...] = (),
    as_of: date | None = None,
    params: PolicyParams | None = None,
    years: int | None = None,
    schedule: Sequence[AppraisalDue] | None = None,
) -> SubsidySchedule:
    """The 工作岗位补贴 over an agreement from ``start`` to ``end`` (inclusive dates), 第二、十、
    十一、十三条.

    ``appraisals`` are the recorded 附件3 results; one matches a payment period when its
    ``period_start`` and ``period_end`` equal the period's exactly (others come back in
    ``unmatched``). ``performed=False`` means the agreement was not performed (第十三条): every
    period is 'not-performed'. ``ineligible`` lists the reasons the person is outside 第二条
    (from ``rules.eligibility``): every period is then 'ineligible' and nothing is paid.
    ``service_prefecture`` (a code or a name, passed through) is the
    州(市) whose declaration a payable period joins (第十条). ``as_of`` is "now": periods ending
    after it are 'not-yet-due' and appraisals recorded after it are ignored; ``None`` takes the
    whole agreement as served and every record as known. Amounts are ``Decimal`` 元 at
    ``params.subsidy_per_year_yuan`` per whole year. ``years`` (``whole_years(start, end)``) and
    ``schedule`` (``appraisal_schedule(start, end, params)``) are computed unless the caller
    (``formkit.facts.derive``) passes them.

    Raises ``InvalidValue`` for ``end`` before ``start``, an unknown grade on a matching record,
    or two records for the same period.
    """
    p = load_params() if params is None else params
    n = whole_years(start, end) if years is None else years
    dues = appraisal_schedule(start, end, p, years=n) if schedule is None else list(schedule)
    by_period: dict[tuple[date, date], RecordedAppraisal] = {}
    unmatched: list[RecordedAppraisal] = []
    periods = {(d.period_start, d.period_end) for d in dues}
    for rec in appraisals:
        key = (rec.period_start, rec.period_end)
        if key not in periods:
            unmatched.append(rec)
        elif key in by_period:
            raise InvalidValue(
                f"考核期间 {_cn_date(key[0])}至{_cn_date(key[1])} 记录了不止一次考核鉴定"
            )
        else:
            by_period[key] = rec

    items = [
        _item(
            due,
            by_period.get((due.period_start, due.period_end)),
            performed,
            service_prefecture,
            as_of,
            p,
            tuple(ineligible),
        )
        for due in dues
    ]
    total = sum((it.amount_payable for it in items), _ZERO)

    reasons: list[str] = []
    if total == 0:
        if n < p.minimum_years:
            reasons.append(
                f"服务期{_cn_date(start)}至{_cn_date(end)}满{n}周年，不满{p.minimum_years}周年，"
                "依第二、十三条不享受工作岗位补贴"
            )
        if ineligible:
            reasons.append("不符合第二条，不享受工作岗位补贴：" + "；".join(ineligible))
        if not performed:
            reasons.append("服务期内未按协议履职，依第十三条不享受工作岗位补贴")
        elif items:
            reasons.extend(it.reason for it in items)
    return SubsidySchedule(n, tuple(items), total, tuple(reasons), tuple(unmatched))


def _item(
    due: AppraisalDue,
    rec: RecordedAppraisal | None,
    performed: bool,
    prefecture: str,
    as_of: date | None,
    p: PolicyParams,
    ineligible: tuple[str, ...] = (),
) -> SubsidyItem:
    amount = p.subsidy_per_year_yuan * due.years_covered
    span = _span(due, p.first_payment_years)
    known = rec is not None and (
        as_of is None or rec.appraised_on is None or rec.appraised_on <= as_of
    )
    grade = canonical_grade(rec.grade, p) if rec is not None else None
    year: int | None = None

    if ineligible:
        status: SubsidyStatus = "ineligible"
        reason = f"{span}：不符合第二条（{'；'.join(ineligible)}），不享受工作岗位补贴"
    elif not performed:
        status = "not-performed"
        reason = f"{span}：服务期内未按协议履职，依第十三条不享受工作岗位补贴"
    elif as_of is not None and due.period_end > as_of:
        status = "not-yet-due"
        reason = (
            f"{span}：截至{_cn_date(as_of)}服务尚未期满（{_cn_date(due.period_end)}期满），"
            "依第十一条期满并经考核合格后核发"
        )
    elif not known:
        status = "awaiting-appraisal"
        reason = (
            f"{span}：服务已于{_cn_date(due.period_end)}期满，尚无考核鉴定结果，"
            "依第九、十条经考核合格后核发"
        )
    elif grade in p.passing_grades:
        assert rec is not None and grade is not None
        status = "payable"
        year = max(due.period_end.year, rec.appraised_on.year if rec.appraised_on else 0)
        once = "一次" if due.years_covered > 1 else ""
        reason = (
            f"{span}：已服务满{due.years_covered}年，考核{_grade_text(rec.grade, grade)}，依第十一条{once}核发"
            f"{due.years_covered}年工作岗位补贴{amount}元，列入{year}年度申报（第十条）"
        )
    else:
        assert rec is not None and grade is not None
        status = "failed"
        reason = f"{span}：考核{_grade_text(rec.grade, grade)}，依第十三条不享受该期工作岗位补贴"

    return SubsidyItem(
        number=due.number,
        years_covered=due.years_covered,
        period_start=due.period_start,
        period_end=due.period_end,
        due_on=due.due_on,
        amount=amount,
        appraisal_needed=due,
        status=status,
        declaration_prefecture=prefecture,
        declaration_year=year,
        reason=reason,
        appraisal=rec,
        grade=grade,
    )


def declarations_for(schedule: SubsidySchedule, prefecture: str, year: int) -> list[SubsidyItem]:
    """The payable items of ``schedule`` that belong to the declaration (附件4/附件5) of
    ``prefecture`` for calendar ``year`` (第十条). ``prefecture`` is compared as given (code or
    name, the same form as passed to :func:`subsidy_schedule`)."""
    return [
        it
        for it in schedule.items
        if it.status == "payable"
        and it.declaration_prefecture == prefecture
        and it.declaration_year == year
    ]
