"""The derive stage: a validated ``Case`` and a day → ``Facts``, everything the rules conclude.

``derive(case, as_of)`` is pure (``as_of`` is passed in, never read from the clock) and calls
the rules in ``formkit.rules``: eligibility (第二条), routing (第四、五、六、九条), whole service
years (第十三条), the appraisal schedule (第九条) and the subsidy schedule (第十、十一、十三条).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from formkit.model import Case
from formkit.rules.appraisal import AppraisalDue, appraisal_schedule
from formkit.rules.eligibility import Eligibility, Reason, ReasonKind, eligibility, title_level_of
from formkit.rules.params import PolicyParams, load_params
from formkit.rules.periods import whole_years
from formkit.rules.routing import Department, filing_department, service_county_department, service_prefecture
from formkit.rules.subsidy import RecordedAppraisal, SubsidySchedule, subsidy_schedule


@dataclass(frozen=True)
class Facts:
    """What the policy says about one case on ``as_of``.

    ``whole_years`` counts 周年 of the agreement (第十三条); ``subsidy.total_payable`` is in 元
    (``Decimal``); ``prefecture`` is the code of the 州(市) where the person serves (第十条).
    ``params`` are the policy parameters the facts were derived with: the later stages (the
    template context, the declaration) print the rate and the minimum years from here, and
    read the schedule, whole years and title level from here, never computing them again.
    """

    as_of: date
    eligibility: Eligibility
    title_level: str | None
    filing_department: Department
    service_department: Department
    prefecture: str
    prefecture_name: str
    county_name: str
    whole_years: int
    appraisals: tuple[AppraisalDue, ...]
    subsidy: SubsidySchedule
    params: PolicyParams


def recorded_appraisals(case: Case) -> list[RecordedAppraisal]:
    """The case's 考核鉴定 as the subsidy rule takes them."""
    return [RecordedAppraisal(t.start, t.end, t.grade, t.appraised_on) for t in case.term_appraisals]


def outside_second_article(elig: Eligibility) -> tuple[Reason, ...]:
    """The 第二条 reasons other than the length of service, which the subsidy schedule itself
    accounts for (第十三条); decided by each reason's ``kind``, not by its wording."""
    return tuple(r for r in elig.reasons if r.kind is not ReasonKind.SERVICE_LENGTH)


def derive(case: Case, as_of: date, params: PolicyParams | None = None) -> Facts:
    """Apply every rule to ``case`` as of ``as_of``. Raises ``InvalidValue`` only for records
    that skipped validation (a validated case always derives)."""
    from formkit.reference.divisions import current, name_on

    params = params or load_params()
    ag = case.agreement
    prefecture = service_prefecture(case)
    year = ag.signed_on.year
    title_level = title_level_of(case)  # before the years, as eligibility() checks them
    years = whole_years(ag.start, ag.end)
    schedule = tuple(appraisal_schedule(ag.start, ag.end, params, years=years))
    elig = eligibility(case, params, years=years, title_level=title_level)
    outside = outside_second_article(elig) if years >= params.minimum_years else ()
    return Facts(
        as_of=as_of,
        eligibility=elig,
        title_level=title_level,
        filing_department=filing_department(case),
        service_department=service_county_department(case),
        prefecture=prefecture,
        prefecture_name=name_on(prefecture, year),
        county_name=name_on(case.service.county, year) or current(case.service.county).name,
        whole_years=years,
        appraisals=schedule,
        subsidy=subsidy_schedule(
            ag.start, ag.end, recorded_appraisals(case),
            service_prefecture=prefecture, performed=ag.breach is None,
            ineligible=tuple(r.text for r in outside), as_of=as_of, params=params,
            years=years, schedule=schedule),
        params=params,
    )
