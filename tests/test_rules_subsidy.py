"""工作岗位补贴 (第二、十、十一、十三条)."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from formkit.errors import InvalidValue, PolicyParamsError
from formkit.rules.appraisal import appraisal_schedule
from formkit.rules.params import load_params
from formkit.rules.periods import whole_years
from formkit.rules.subsidy import (
    RecordedAppraisal,
    SubsidySchedule,
    declarations_for,
    subsidy_schedule,
)

D = date
KM = "530100"  # 昆明市
RATE = Decimal("10000")


def appraised(start, end, *grades, on=None):
    """One recorded appraisal per due period of [start, end], graded in order."""
    dues = appraisal_schedule(start, end)
    assert len(dues) == len(grades)
    return [
        RecordedAppraisal(d.period_start, d.period_end, g, on or d.period_end + timedelta(days=10))
        for d, g in zip(dues, grades)
    ]


def summary(s: SubsidySchedule):
    return [(i.number, i.years_covered, i.amount, i.status, i.declaration_year) for i in s.items]


# (start, end, grades, total, items as (number, years, amount, status, declaration year))
CASES = [
    pytest.param(
        D(2014, 3, 1), D(2016, 2, 29), ["合格"], "20000",
        [(1, 2, Decimal(20000), "payable", 2016)],
        id="exactly-two-years",
    ),
    pytest.param(
        D(2016, 2, 29), D(2018, 2, 28), ["优秀"], "20000",
        [(1, 2, Decimal(20000), "payable", 2018)],
        id="29-february-two-years",
    ),
    pytest.param(
        D(2020, 2, 29), D(2024, 2, 28), ["合格", "合格", "称职"], "40000",
        [
            (1, 2, Decimal(20000), "payable", 2022),
            (2, 1, Decimal(10000), "payable", 2023),
            (3, 1, Decimal(10000), "payable", 2024),
        ],
        id="29-february-four-years",
    ),
    pytest.param(
        D(2014, 3, 1), D(2018, 2, 28), ["合格", "不合格", "合格"], "30000",
        [
            (1, 2, Decimal(20000), "payable", 2016),
            (2, 1, Decimal(10000), "failed", None),
            (3, 1, Decimal(10000), "payable", 2018),
        ],
        id="four-years-third-failed",
    ),
    pytest.param(
        D(2014, 3, 1), D(2016, 2, 29), ["基本合格"], "20000",
        [(1, 2, Decimal(20000), "payable", 2016)],
        id="basic-pass-pays",
    ),
    pytest.param(
        D(2014, 3, 1), D(2016, 2, 29), ["基本称职"], "20000",
        [(1, 2, Decimal(20000), "payable", 2016)],
        id="basic-competent-pays",
    ),
    pytest.param(
        D(2014, 3, 1), D(2016, 2, 29), ["不称职"], "0",
        [(1, 2, Decimal(20000), "failed", None)],
        id="incompetent-fails",
    ),
    pytest.param(
        D(2014, 3, 1), D(2017, 2, 28), ["不合格", "优秀"], "10000",
        [(1, 2, Decimal(20000), "failed", None), (2, 1, Decimal(10000), "payable", 2017)],
        id="failed-term-later-year-still-pays",
    ),
]


@pytest.mark.parametrize(("start", "end", "grades", "total", "items"), CASES)
def test_schedule(start, end, grades, total, items):
    s = subsidy_schedule(start, end, appraised(start, end, *grades), service_prefecture=KM)
    assert summary(s) == items
    assert s.total_payable == Decimal(total)
    assert isinstance(s.total_payable, Decimal)
    assert s.unmatched == ()
    assert all(i.declaration_prefecture == KM for i in s.items)
    assert (s.reasons == ()) is (s.total_payable > 0)


def test_one_day_short_pays_nothing():
    start, end = D(2014, 3, 1), D(2016, 2, 28)
    rec = RecordedAppraisal(start, end, "优秀", D(2016, 3, 5))
    s = subsidy_schedule(start, end, [rec], service_prefecture=KM)
    assert s.whole_years == 1
    assert s.items == ()
    assert s.total_payable == Decimal(0)
    assert s.unmatched == (rec,)
    assert s.reasons == (
        "服务期2014年3月1日至2016年2月28日满1周年，不满2周年，依第二、十三条不享受工作岗位补贴",
    )


def test_payable_reason_and_appraisal_link():
    start, end = D(2014, 3, 1), D(2016, 2, 29)
    s = subsidy_schedule(start, end, appraised(start, end, "称职"), service_prefecture=KM)
    (item,) = s.items
    assert item.grade == "合格"
    assert item.appraisal_needed.label == "服务期满（第1—2年）考核鉴定"
    assert item.due_on == D(2016, 2, 29)
    assert item.amount_payable == Decimal(20000)
    assert item.reason == (
        "第1—2年：已服务满2年，考核合格（称职），依第十一条一次核发2年工作岗位补贴20000元，"
        "列入2016年度申报（第十条）"
    )


def test_failed_reason_cites_article_13():
    start, end = D(2014, 3, 1), D(2016, 2, 29)
    s = subsidy_schedule(start, end, appraised(start, end, "不称职"), service_prefecture=KM)
    assert s.items[0].amount_payable == Decimal(0)
    assert s.items[0].reason == "第1—2年：考核不合格（不称职），依第十三条不享受该期工作岗位补贴"
    assert s.reasons == (s.items[0].reason,)


@pytest.mark.parametrize(
    ("appraised_on", "declaration_year"),
    [
        (D(2015, 12, 20), 2015),  # period ends and is appraised in 2015
        (D(2016, 1, 15), 2016),  # appraised next calendar year: declared in 2016
        (None, 2015),  # date unknown: the year the period ends
    ],
)
def test_appraisal_in_next_year_moves_declaration(appraised_on, declaration_year):
    start, end = D(2014, 1, 1), D(2015, 12, 31)
    rec = RecordedAppraisal(start, end, "合格", appraised_on)
    s = subsidy_schedule(start, end, [rec], service_prefecture=KM)
    assert s.items[0].declaration_year == declaration_year
    assert declarations_for(s, KM, declaration_year) == [s.items[0]]
    assert declarations_for(s, KM, declaration_year + 1) == []
    assert declarations_for(s, "530300", declaration_year) == []


def test_three_year_term_not_complete_at_as_of():
    start, end = D(2014, 3, 1), D(2017, 2, 28)
    recs = appraised(start, end, "合格", "合格")[:1]  # only the term appraisal is on record
    s = subsidy_schedule(start, end, recs, service_prefecture=KM, as_of=D(2016, 9, 1))
    assert summary(s) == [
        (1, 2, Decimal(20000), "payable", 2016),
        (2, 1, Decimal(10000), "not-yet-due", None),
    ]
    assert s.total_payable == Decimal(20000)
    assert "截至2016年9月1日服务尚未期满（2017年2月28日期满）" in s.items[1].reason


@pytest.mark.parametrize(
    ("as_of", "statuses", "total"),
    [
        (D(2016, 2, 28), ["not-yet-due", "not-yet-due"], "0"),
        (D(2016, 2, 29), ["awaiting-appraisal", "not-yet-due"], "0"),  # complete, not appraised
        (D(2016, 3, 9), ["awaiting-appraisal", "not-yet-due"], "0"),  # recorded after as_of
        (D(2016, 3, 10), ["payable", "not-yet-due"], "20000"),
        (D(2017, 2, 28), ["payable", "awaiting-appraisal"], "20000"),
        (D(2017, 3, 10), ["payable", "payable"], "30000"),
        (None, ["payable", "payable"], "30000"),
    ],
)
def test_status_as_of(as_of, statuses, total):
    start, end = D(2014, 3, 1), D(2017, 2, 28)
    recs = appraised(start, end, "合格", "合格")  # recorded 10 days after each period ends
    s = subsidy_schedule(start, end, recs, service_prefecture=KM, as_of=as_of)
    assert [i.status for i in s.items] == statuses
    assert s.total_payable == Decimal(total)


def test_not_performed_pays_nothing():
    start, end = D(2014, 3, 1), D(2017, 2, 28)
    s = subsidy_schedule(
        start, end, appraised(start, end, "优秀", "优秀"), service_prefecture=KM, performed=False
    )
    assert [i.status for i in s.items] == ["not-performed", "not-performed"]
    assert s.total_payable == Decimal(0)
    assert s.reasons == ("服务期内未按协议履职，依第十三条不享受工作岗位补贴",)
    assert declarations_for(s, KM, 2016) == []


def test_unmatched_appraisal_is_returned():
    start, end = D(2014, 3, 1), D(2016, 2, 29)
    stray = RecordedAppraisal(D(2014, 3, 1), D(2015, 2, 28), "合格", D(2015, 3, 1))
    good = RecordedAppraisal(start, end, "合格", D(2016, 3, 1))
    s = subsidy_schedule(start, end, [stray, good], service_prefecture=KM)
    assert s.unmatched == (stray,)
    assert s.total_payable == Decimal(20000)
    assert s.items[0].appraisal == good


def test_two_records_for_one_period_are_refused():
    start, end = D(2014, 3, 1), D(2016, 2, 29)
    recs = [RecordedAppraisal(start, end, "合格"), RecordedAppraisal(start, end, "优秀")]
    with pytest.raises(InvalidValue, match="不止一次"):
        subsidy_schedule(start, end, recs, service_prefecture=KM)


def test_unknown_grade_is_refused():
    start, end = D(2014, 3, 1), D(2016, 2, 29)
    with pytest.raises(InvalidValue, match="良好"):
        subsidy_schedule(start, end, [RecordedAppraisal(start, end, "良好")], service_prefecture=KM)


def test_end_before_start_is_refused():
    with pytest.raises(InvalidValue, match="早于起始日期"):
        subsidy_schedule(D(2016, 3, 1), D(2016, 2, 1), service_prefecture=KM)


def test_rate_comes_from_params():
    params = replace(load_params(), subsidy_per_year_yuan=Decimal("12000.50"))
    start, end = D(2014, 3, 1), D(2017, 2, 28)
    s = subsidy_schedule(
        start, end, appraised(start, end, "合格", "合格"), service_prefecture=KM, params=params
    )
    assert [i.amount for i in s.items] == [Decimal("24001.00"), Decimal("12000.50")]
    assert s.total_payable == Decimal("36001.50")


def test_declarations_for_splits_by_year():
    start, end = D(2014, 3, 1), D(2018, 2, 28)
    s = subsidy_schedule(
        start,
        end,
        appraised(start, end, "合格", "合格", "合格"),
        service_prefecture="红河哈尼族彝族自治州",
    )
    assert [i.number for i in declarations_for(s, "红河哈尼族彝族自治州", 2016)] == [1]
    assert [i.number for i in declarations_for(s, "红河哈尼族彝族自治州", 2017)] == [2]
    assert [i.number for i in declarations_for(s, "红河哈尼族彝族自治州", 2018)] == [3]
    assert declarations_for(s, "530100", 2016) == []


dates = st.dates(min_value=D(1990, 1, 1), max_value=D(2060, 12, 31))
grade = st.sampled_from(["优秀", "合格", "基本合格", "称职", "基本称职", "不合格", "不称职"])


@given(dates, st.integers(min_value=0, max_value=3700))
def test_all_passing_pays_whole_years_times_rate(start, length):
    end = start + timedelta(days=length)
    n = whole_years(start, end)
    recs = [
        RecordedAppraisal(d.period_start, d.period_end, "合格", d.period_end)
        for d in appraisal_schedule(start, end)
    ]
    s = subsidy_schedule(start, end, recs, service_prefecture=KM)
    assert s.total_payable == (RATE * n if n >= 2 else Decimal(0))
    assert sum(i.years_covered for i in s.items) == (n if n >= 2 else 0)
    assert s.unmatched == ()


@given(dates, st.integers(min_value=0, max_value=3700), st.data(), st.booleans())
def test_total_never_exceeds_whole_years_times_rate(start, length, data, performed):
    end = start + timedelta(days=length)
    n = whole_years(start, end)
    dues = appraisal_schedule(start, end)
    recs = [
        RecordedAppraisal(d.period_start, d.period_end, data.draw(grade), d.period_end)
        for d in dues
        if data.draw(st.booleans())
    ]
    as_of = data.draw(st.none() | st.dates(min_value=start, max_value=end + timedelta(days=400)))
    s = subsidy_schedule(start, end, recs, service_prefecture=KM, performed=performed, as_of=as_of)
    assert Decimal(0) <= s.total_payable <= RATE * n
    assert s.total_payable == sum(i.amount for i in s.items if i.status == "payable")
    if not performed or n < 2:
        assert s.total_payable == 0 and s.reasons


POLICY_YAML = """\
subsidy_per_year_yuan: {rate}
minimum_years: 2
first_payment_years: 2
passing_grades: [优秀, 合格, 基本合格, 称职, 基本称职]
failing_grades: [不合格, 不称职]
grade_synonyms: {{称职: 合格, 基本称职: 基本合格, 不称职: 不合格}}
declaration_deadline:
  {{level: prefecture, action: 申报, month: 12, day: 31, wording: 年底前, article: 第十条}}
"""


def test_packaged_params():
    p = load_params()
    assert p.subsidy_per_year_yuan == Decimal("10000")
    assert (p.minimum_years, p.first_payment_years) == (2, 2)
    assert p.failing_grades == ("不合格", "不称职")
    assert dict(p.grade_synonyms) == {"称职": "合格", "基本称职": "基本合格", "不称职": "不合格"}
    assert load_params() is p  # cached


def test_params_file_sets_the_rate(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY_YAML.format(rate='"15000"'), encoding="utf-8")
    params = load_params(path)
    assert params.subsidy_per_year_yuan == Decimal("15000")
    start, end = D(2014, 3, 1), D(2016, 2, 29)
    s = subsidy_schedule(
        start, end, appraised(start, end, "合格"), service_prefecture=KM, params=params
    )
    assert s.total_payable == Decimal("30000")


@pytest.mark.parametrize("rate", ["10000", "10000.0", '"壹万"', '"-1"'])
def test_params_file_refuses_a_bad_rate(tmp_path, rate):
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY_YAML.format(rate=rate), encoding="utf-8")
    with pytest.raises(PolicyParamsError, match="subsidy_per_year_yuan"):
        load_params(path)


def test_ineligible_person_is_paid_nothing_whatever_the_appraisals() -> None:
    from datetime import date

    from formkit.rules.subsidy import RecordedAppraisal, subsidy_schedule

    start, end = date(2014, 3, 1), date(2017, 2, 28)
    recs = [RecordedAppraisal(date(2014, 3, 1), date(2016, 2, 29), "优秀", date(2016, 3, 10)),
            RecordedAppraisal(date(2016, 3, 1), date(2017, 2, 28), "合格", date(2017, 3, 10))]
    sched = subsidy_schedule(start, end, recs, service_prefecture="530100",
                             ineligible=("职称为助理级，且无执业医师资格",))
    assert [i.status for i in sched.items] == ["ineligible", "ineligible"]
    assert sched.total_payable == 0
    assert sched.reasons and "第二条" in sched.reasons[0]
