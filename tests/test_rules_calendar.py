"""第三、十条: the yearly calendar of demand information and declarations."""

from dataclasses import replace
from datetime import date

import pytest

from formkit.rules.calendar import Deadline, declaration_deadline, demand_calendar
from formkit.rules.params import DeadlineRule, load_params


def test_demand_calendar_2024():
    cal = demand_calendar(2024)
    assert [(d.level, d.due, d.wording, d.article) for d in cal] == [
        ("county", date(2024, 3, 10), "3月初", "第三条"),
        ("prefecture", date(2024, 4, 10), "4月初", "第三条"),
        ("province", date(2024, 5, 10), "5月初", "第三条"),
    ]
    assert all(isinstance(d, Deadline) for d in cal)
    assert "上报州（市）人力资源和社会保障部门" in cal[0].action
    assert "报送省人力资源和社会保障厅" in cal[1].action
    assert "省人民政府政务信息网上公布" in cal[2].action


@pytest.mark.parametrize(
    ("year", "expected"), [(2014, date(2014, 12, 31)), (2024, date(2024, 12, 31))]
)
def test_declaration_deadline(year, expected):
    assert declaration_deadline(year) == expected


def test_calendar_follows_params():
    params = replace(
        load_params(),
        demand_calendar=(DeadlineRule("county", "公布", 3, 5, "3月5日前", "第三条"),),
        declaration_deadline=DeadlineRule("prefecture", "申报", 11, 30, "11月底前", "第十条"),
    )
    assert demand_calendar(2020, params) == [
        Deadline("county", "公布", date(2020, 3, 5), "3月5日前", "第三条")
    ]
    assert declaration_deadline(2020, params) == date(2020, 11, 30)


def test_the_demand_collection_starts_at_the_start_of_the_year():
    from formkit.rules.calendar import demand_collection

    start = demand_collection(2026)
    assert (start.level, start.due, start.wording, start.article) == ("county", date(2026, 1, 1), "年初", "第三条")
    assert "征集乡镇企事业单位专业技术人才需求信息" in start.action
    assert demand_collection(2026, replace(load_params(), demand_collection=None)) is None
