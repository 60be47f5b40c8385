"""The derive stage (``formkit.facts``): each fact derived once, then only read.

- ``derive(case, as_of, params=other)`` decides every printed figure: the template context's
  rate (in figures and in upper case), the explanation, a declaration's amounts and rate. A
  later stage that went back to the packaged parameters (``load_params()``) would print the
  default rate next to amounts computed at the other one.
- Which 第二条 reasons keep the subsidy from being paid is decided by each reason's kind, not
  by its Chinese wording.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from formkit import facts as facts_module
from formkit.context import case_context, document_context
from formkit.rollup.declaration import build_declaration
from formkit.context.rollup import roster_context, subsidy_context
from formkit.explain import explain_data, explain_lines
from formkit.facts import derive, outside_second_article
from formkit.context.filters import money_figures, rmb_upper
from formkit.forms import load_form
from formkit.load import load_case
from formkit.plan import plan_documents
from formkit.rules import eligibility as eligibility_module
from formkit.rules.eligibility import ReasonKind, eligibility
from formkit.rules.params import load_params

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
AS_OF = date(2026, 11, 30)
RATE = Decimal("12345.60")
"""Another 每人每年 rate (第二条): its figures and upper case share nothing with 10,000's."""


@pytest.fixture(scope="module")
def pu_lifen():
    """建水县 (红河州 532500), 3 years from 2019-09-01: years 1–2 declared in 2021, year 3 in 2022."""
    case = load_case(CASES / "pu-lifen.yaml").record
    assert case is not None
    return case


@pytest.fixture(scope="module")
def other():
    default = load_params()
    assert default.subsidy_per_year_yuan != RATE
    return replace(default, subsidy_per_year_yuan=RATE)


def test_facts_carry_what_later_stages_need(pu_lifen, other) -> None:
    facts = derive(pu_lifen, AS_OF, params=other)
    assert facts.params is other
    assert facts.whole_years == facts.subsidy.whole_years == 3
    assert [d.number for d in facts.appraisals] == [1, 2]
    assert [it.appraisal_needed for it in facts.subsidy.items] == list(facts.appraisals)
    assert facts.title_level is not None
    assert derive(pu_lifen, AS_OF).params == load_params()


def test_other_rate_changes_the_context(pu_lifen, other) -> None:
    facts = derive(pu_lifen, AS_OF, params=other)
    want = {"rate": money_figures(RATE), "rate_upper": rmb_upper(RATE), "minimum_years": other.minimum_years}
    assert case_context(pu_lifen, facts)["subsidy"] == want
    for form_id in ("agreement", "application", "appraisal"):
        for doc in plan_documents(load_form(form_id), pu_lifen, facts):
            assert document_context(pu_lifen, facts, doc)["subsidy"] == want, form_id
    default = case_context(pu_lifen, derive(pu_lifen, AS_OF))["subsidy"]
    assert default["rate"] != want["rate"] and default["rate_upper"] != want["rate_upper"]


def test_other_minimum_years_changes_the_context_and_explanation(pu_lifen) -> None:
    params = replace(load_params(), minimum_years=4)
    facts = derive(pu_lifen, AS_OF, params=params)
    assert case_context(pu_lifen, facts)["subsidy"]["minimum_years"] == 4
    assert facts.appraisals == () and facts.subsidy.total_payable == 0
    assert "考核鉴定（第九条）：无（服务期不满4周年）" in explain_lines(pu_lifen, facts)


def test_other_rate_changes_the_explanation(pu_lifen, other) -> None:
    facts = derive(pu_lifen, AS_OF, params=other)
    data = explain_data(pu_lifen, facts)
    assert [Decimal(i["amount"]) for i in data["subsidy"]] == [2 * RATE, RATE]
    assert [i["amount_upper"] for i in data["subsidy"]] == [rmb_upper(2 * RATE), rmb_upper(RATE)]
    assert Decimal(data["total_payable"]) == 3 * RATE
    assert data["total_payable_upper"] == rmb_upper(3 * RATE)
    text = "\n".join(explain_lines(pu_lifen, facts))
    assert f"合计可核发：{money_figures(3 * RATE)} 元（{rmb_upper(3 * RATE)}）" in text
    assert f"{money_figures(2 * RATE)} 元（{rmb_upper(2 * RATE)}）" in text
    assert "10,000" not in text and "20,000" not in text and "30,000" not in text


@pytest.mark.parametrize("year, years", [(2021, 2), (2022, 1)])
def test_other_rate_changes_the_declaration(pu_lifen, other, year, years) -> None:
    entries = [(pu_lifen, derive(pu_lifen, AS_OF, params=other), "pu-lifen.yaml")]
    decl = build_declaration(entries, "532500", year)
    amount = RATE * years
    assert decl.rate == RATE
    assert [(r.name, r.years, r.amount) for r in decl.rows] == [(pu_lifen.applicant.name, years, amount)]
    assert decl.total_amount == amount and decl.counties[0].amount == amount
    roster = roster_context(decl, load_form("roster"))
    assert roster["rate"] == money_figures(RATE)
    assert [r["amount"] for r in roster["rows"]] == [money_figures(amount)]
    summary = subsidy_context(decl, load_form("subsidy"))
    assert summary["rate"] == money_figures(RATE)
    assert summary["total"]["amount"] == money_figures(amount)
    assert summary["total"]["amount_upper"] == rmb_upper(amount)
    assert [c["amount"] for c in summary["counties"]] == [money_figures(amount)]


def test_a_declaration_refuses_entries_derived_with_different_parameters(pu_lifen, other) -> None:
    from formkit.errors import DataConflict

    entries = [(pu_lifen, derive(pu_lifen, AS_OF, params=other), "a.yaml"),
               (pu_lifen, derive(pu_lifen, AS_OF), "b.yaml")]
    with pytest.raises(DataConflict, match="政策参数"):
        build_declaration(entries, "532500", 2021)


# --------------------------------------------------------------------------- 第二条 reasons by kind


def _short_and_not_in_a_township(case):
    """One whole year, served in a 村: outside 第二条 for its length and for its place."""
    agreement = case.agreement.model_copy(update={"end": date(2020, 8, 31)})
    service = case.service.model_copy(update={"township": "官厅村"})
    return case.model_copy(update={"agreement": agreement, "service": service})


def test_reasons_carry_their_kind_text_and_article(pu_lifen) -> None:
    elig = eligibility(_short_and_not_in_a_township(pu_lifen))
    assert not elig.eligible
    assert [r.kind for r in elig.reasons] == [ReasonKind.SERVICE_PLACE, ReasonKind.SERVICE_LENGTH]
    assert [r.article for r in elig.reasons] == ["第二条", "第二条、第十三条"]
    assert elig.reason_texts == tuple(r.text for r in elig.reasons)
    assert "官厅村" in elig.reasons[0].text and "周年" in elig.reasons[1].text


@pytest.mark.parametrize("wording", [
    "协议服务期仅满 {years} 周年，未满 {minimum} 周年不享受补贴（第二条、第十三条）",  # the packaged text
    "协议服务期仅 {years} 年，不足 {minimum} 年，不享受补贴（第二条、第十三条）",  # no 周年 in it
    "服务期限不足（第二条、第十三条）",
], ids=["packaged", "without-zhounian", "without-figures"])
def test_service_length_reason_is_told_apart_by_kind_not_wording(pu_lifen, monkeypatch, wording) -> None:
    monkeypatch.setattr(eligibility_module, "SERVICE_LENGTH_SHORT", wording)
    elig = eligibility(_short_and_not_in_a_township(pu_lifen))
    assert elig.reasons[1].text == wording.format(years=1, minimum=2)
    outside = outside_second_article(elig)
    assert [r.kind for r in outside] == [ReasonKind.SERVICE_PLACE]
    assert outside == (elig.reasons[0],)


def test_a_reason_mentioning_zhounian_still_keeps_the_subsidy_unpaid(pu_lifen) -> None:
    """A place whose name contains 周年 is not a length of service: a 3-year case served in
    「周年村」 is outside 第二条 and every period is ineligible."""
    service = pu_lifen.service.model_copy(update={"township": "周年村"})
    case = pu_lifen.model_copy(update={"service": service})
    facts = derive(case, AS_OF)
    assert [r.kind for r in facts.eligibility.reasons] == [ReasonKind.SERVICE_PLACE]
    assert "周年" in facts.eligibility.reasons[0].text
    assert [it.status for it in facts.subsidy.items] == ["ineligible", "ineligible"]
    assert facts.subsidy.total_payable == 0
    assert facts_module.outside_second_article(facts.eligibility) == facts.eligibility.reasons
