"""第九条 appraisals and 第十三条 grades."""

from dataclasses import replace
from datetime import date

import pytest

from formkit.errors import InvalidValue
from formkit.rules.appraisal import (
    AppraisalDue,
    appraisal_schedule,
    appraisals_due,
    canonical_grade,
    grade_passes,
)
from formkit.rules.params import load_params

D = date


def test_two_year_term_has_one_term_appraisal():
    assert appraisal_schedule(D(2014, 3, 1), D(2016, 2, 29)) == [
        AppraisalDue(
            kind="term",
            number=1,
            period_start=D(2014, 3, 1),
            period_end=D(2016, 2, 29),
            years_covered=2,
            due_on=D(2016, 2, 29),
            label="服务期满（第1—2年）考核鉴定",
        )
    ]


def test_four_year_term_29_february():
    got = appraisal_schedule(D(2020, 2, 29), D(2024, 2, 28))
    rows = [(a.kind, a.number, a.period_start, a.period_end, a.years_covered, a.label) for a in got]
    assert rows == [
        ("term", 1, D(2020, 2, 29), D(2022, 2, 28), 2, "第1—2年考核鉴定"),
        ("annual-extension", 2, D(2022, 3, 1), D(2023, 2, 28), 1, "第3年考核鉴定"),
        ("annual-extension", 3, D(2023, 3, 1), D(2024, 2, 28), 1, "第4年考核鉴定"),
    ]
    assert all(a.due_on == a.period_end for a in got)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2014, 3, 1), D(2016, 2, 28)),
        (D(2014, 3, 1), D(2014, 3, 1)),
        (D(2016, 2, 29), D(2018, 2, 27)),
    ],
)
def test_fewer_than_two_years_needs_no_appraisal(start, end):
    assert appraisal_schedule(start, end) == []


def test_partial_last_year_is_not_appraised():
    got = appraisal_schedule(D(2014, 3, 1), D(2017, 2, 27))  # 2 years and 364 days
    assert [a.label for a in got] == ["服务期满（第1—2年）考核鉴定"]


@pytest.mark.parametrize(
    ("as_of", "labels"),
    [
        (D(2016, 2, 28), []),
        (D(2016, 2, 29), ["第1—2年考核鉴定"]),  # due on its last day
        (D(2017, 2, 27), ["第1—2年考核鉴定"]),
        (D(2017, 2, 28), ["第1—2年考核鉴定", "第3年考核鉴定"]),
        (D(2030, 1, 1), ["第1—2年考核鉴定", "第3年考核鉴定"]),
    ],
)
def test_appraisals_due(as_of, labels):
    assert [a.label for a in appraisals_due(D(2014, 3, 1), D(2017, 2, 28), as_of)] == labels


@pytest.mark.parametrize(
    ("grade", "canonical", "passes"),
    [
        ("优秀", "优秀", True),
        ("合格", "合格", True),
        ("基本合格", "基本合格", True),
        ("称职", "合格", True),
        ("基本称职", "基本合格", True),
        ("不合格", "不合格", False),
        ("不称职", "不合格", False),
        (" 合格 ", "合格", True),
    ],
)
def test_grades(grade, canonical, passes):
    assert canonical_grade(grade) == canonical
    assert grade_passes(grade) is passes


@pytest.mark.parametrize("grade", ["良好", "", "A", "合 格"])
def test_unknown_grade_is_refused(grade):
    with pytest.raises(InvalidValue, match="未知的考核等次"):
        canonical_grade(grade)
    with pytest.raises(InvalidValue, match="未知的考核等次"):
        grade_passes(grade)


def test_schedule_follows_params():
    params = replace(load_params(), minimum_years=3)
    assert appraisal_schedule(D(2014, 3, 1), D(2016, 2, 29), params) == []
    assert len(appraisal_schedule(D(2014, 3, 1), D(2017, 2, 28), params)) == 2
