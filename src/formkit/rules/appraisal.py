"""Appraisals (第九条) and grades (第十三条, 附件3 考核等次).

第九条: when the 2-year term ends the service county's HR department appraises it (one 附件3
covering both years); for longer service, from year 3 on, one 附件3 for each further completed
year. Grades are 优秀 / 合格 / 基本合格 / 不合格, with 称职 / 基本称职 / 不称职 accepted as
synonyms; a 不合格 (不称职) appraisal forfeits the subsidy for its period (第十三条).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from formkit.errors import InvalidValue
from formkit.rules.params import PolicyParams, load_params
from formkit.rules.periods import anniversary, whole_years, year_complete_on

__all__ = [
    "AppraisalDue",
    "appraisal_schedule",
    "appraisals_due",
    "canonical_grade",
    "grade_passes",
]

AppraisalKind = Literal["term", "annual-extension"]


@dataclass(frozen=True)
class AppraisalDue:
    """One 附件3 that the service county must fill in (第九条).

    ``number`` 1 is the term appraisal covering years 1–2 (``kind='term'``, ``years_covered=2``);
    ``number`` n ≥ 2 is the appraisal of service year n+1 (``kind='annual-extension'``,
    ``years_covered=1``). ``period_start``/``period_end`` are inclusive dates; ``due_on`` is
    ``period_end``, the last day of the period.
    """

    kind: AppraisalKind
    number: int
    period_start: date
    period_end: date
    years_covered: int
    due_on: date
    label: str


def _params(params: PolicyParams | None) -> PolicyParams:
    return load_params() if params is None else params


def appraisal_schedule(
    start: date, end: date, params: PolicyParams | None = None, *, years: int | None = None
) -> list[AppraisalDue]:
    """The appraisals (附件3) due over an agreement from ``start`` to ``end`` (inclusive), 第九条.

    One term appraisal covering years 1..``first_payment_years`` (2), due on the last day of
    year 2, then one per further completed whole year (year 3, 4, …), due on its last day.
    Fewer than ``minimum_years`` whole years (第十三条) → ``[]``: nothing is appraised for the
    subsidy. ``end`` before ``start`` raises ``InvalidValue``. ``years`` is
    ``whole_years(start, end)`` when the caller has it already.
    """
    p = _params(params)
    n = whole_years(start, end) if years is None else years
    term = p.first_payment_years
    if n < p.minimum_years or n < term:
        return []
    term_end = year_complete_on(start, term)
    span = f"第1—{term}年" if term > 1 else "第1年"
    # a 2-year term ends with this appraisal; a longer one only passes its first two years
    first = f"服务期满（{span}）考核鉴定" if n == term else f"{span}考核鉴定"
    schedule = [_due("term", 1, start, term_end, term, first)]
    for year in range(term + 1, n + 1):
        period_start = anniversary(start, year - 1)
        period_end = year_complete_on(start, year)
        number = year - term + 1
        schedule.append(
            _due("annual-extension", number, period_start, period_end, 1, f"第{year}年考核鉴定")
        )
    return schedule


def _due(
    kind: AppraisalKind, number: int, period_start: date, period_end: date, years: int, label: str
) -> AppraisalDue:
    return AppraisalDue(kind, number, period_start, period_end, years, period_end, label)


def appraisals_due(
    start: date, end: date, as_of: date, params: PolicyParams | None = None
) -> list[AppraisalDue]:
    """The appraisals of :func:`appraisal_schedule` that are due at ``as_of`` (第九条).

    An appraisal is due from the last day of its period on: ``period_end <= as_of``. The dates
    are whole days and the end date is inclusive, so on that day the period is served out and
    the county may appraise it.
    """
    return [due for due in appraisal_schedule(start, end, params) if due.period_end <= as_of]


def canonical_grade(grade: str, params: PolicyParams | None = None) -> str:
    """The canonical 考核等次 of ``grade`` (附件3; 称职→合格, 基本称职→基本合格, 不称职→不合格).

    Surrounding whitespace is ignored. A grade the policy does not know raises ``InvalidValue``.
    """
    p = _params(params)
    g = grade.strip() if isinstance(grade, str) else grade
    if g in p.grade_synonyms:
        return p.grade_synonyms[g]
    if g in p.passing_grades or g in p.failing_grades:
        return g
    canonical = [x for x in (*p.passing_grades, *p.failing_grades) if x not in p.grade_synonyms]
    synonyms = "、".join(p.grade_synonyms)
    raise InvalidValue(
        f"未知的考核等次「{grade}」；应为 {'、'.join(canonical)}" + (f"（或 {synonyms}）" if synonyms else "")
    )


def grade_passes(grade: str, params: PolicyParams | None = None) -> bool:
    """Whether an appraisal graded ``grade`` keeps the subsidy for its period (第十三条:
    考核不合格（不称职）者不享受工作岗位补贴). 基本合格 and 基本称职 pass. Unknown grade →
    ``InvalidValue``."""
    p = _params(params)
    return canonical_grade(grade, p) in p.passing_grades
