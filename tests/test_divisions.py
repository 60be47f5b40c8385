"""Spec §4.4: Yunnan's divisions (GB/T 2260) and the names in force over time."""

import pytest

from formkit.reference import divisions
from formkit.reference.divisions import (
    Division,
    all_prefectures,
    counties_of,
    current,
    hr_department,
    is_current,
    name_on,
    prefecture_of,
)
from formkit.errors import InvalidValue


def test_table_sizes():
    prefectures = all_prefectures()
    assert len(prefectures) == 16
    assert [p.code for p in prefectures] == sorted(p.code for p in prefectures)
    assert sum(len(counties_of(p.code)) for p in prefectures) == 129
    assert prefectures[0] == Division("530100", "昆明市", "prefecture", "530000")
    assert prefectures[-1].name == "迪庆藏族自治州"


@pytest.mark.parametrize(
    "code, name, level, parent",
    [
        ("530000", "云南省", "province", None),
        ("530100", "昆明市", "prefecture", "530000"),
        ("530112", "西山区", "county", "530100"),
        ("530115", "晋宁区", "county", "530100"),
        ("532300", "楚雄彝族自治州", "prefecture", "530000"),
        ("532302", "禄丰市", "county", "532300"),
        ("533103", "芒市", "county", "533100"),
    ],
)
def test_current(code, name, level, parent):
    assert current(code) == Division(code, name, level, parent)
    assert is_current(code)


@pytest.mark.parametrize(
    "code, message",
    [
        ("530199", "行政区划代码 530199 不是云南省现行的县级以上行政区划"),
        ("530122", "行政区划代码 530122 不是云南省现行的县级以上行政区划"),  # 晋宁县, before 2016
        ("110105", "行政区划代码 110105 不是云南省现行的县级以上行政区划"),
        ("530101", "行政区划代码 530101 不是云南省现行的县级以上行政区划（它是「市辖区」占位代码，请填写具体的区）"),
    ],
)
def test_current_unknown(code, message):
    assert not is_current(code)
    with pytest.raises(InvalidValue) as exc:
        current(code)
    assert str(exc.value) == message


@pytest.mark.parametrize(
    "code, prefecture",
    [("530112", "530100"), ("530100", "530100"), ("532301", "532300"), ("533401", "533400"),
     ("530681", "530600")],
)
def test_prefecture_of(code, prefecture):
    assert prefecture_of(code).code == prefecture


@pytest.mark.parametrize("code", ["530000", "530122", "530101"])
def test_prefecture_of_rejects(code):
    with pytest.raises(InvalidValue, match=f"行政区划代码 {code}"):
        prefecture_of(code)


def test_counties_of():
    kunming = counties_of("530100")
    assert [c.name for c in kunming][:4] == ["五华区", "盘龙区", "官渡区", "西山区"]
    assert len(kunming) == 14
    assert all(c.level == "county" and c.parent_code == "530100" for c in kunming)
    assert [c.code for c in counties_of("533400")] == ["533401", "533422", "533423"]
    for bad in ("530112", "530000", "539900"):
        with pytest.raises(InvalidValue, match=f"行政区划代码 {bad}"):
            counties_of(bad)


@pytest.mark.parametrize(
    "code, year, name",
    [
        ("530122", 2010, "晋宁县"),
        ("530122", 2016, "晋宁县"),  # valid_to is inclusive
        ("530115", 2016, "晋宁区"),
        ("530115", 2020, "晋宁区"),
        ("530126", 1990, "路南彝族自治县"),
        ("530126", 1997, "路南彝族自治县"),
        ("530126", 1998, "石林彝族自治县"),
        ("530800", 2005, "思茅市"),
        ("530800", 2007, "普洱市"),
        ("533421", 1999, "中甸县"),
        ("533421", 2005, "香格里拉县"),
        ("533421", 2020, "香格里拉县"),  # old code, after its last period: nearest period
        ("533103", 2000, "潞西市"),
        ("533103", 2012, "芒市"),
        ("532901", 1980, "下关市"),  # malformed source range 1983–1982 read as "until 1982"
        ("532901", 1990, "大理市"),
        ("530115", 2000, "晋宁区"),  # no period covers 2000: the current name
        ("530000", 1990, "云南省"),
    ],
)
def test_name_on(code, year, name):
    assert name_on(code, year) == name


@pytest.mark.parametrize("code", ["530101", "530199", "110105"])
def test_name_on_rejects(code):
    with pytest.raises(InvalidValue, match=f"行政区划代码 {code}"):
        name_on(code, 2015)


@pytest.mark.parametrize(
    "code, year, department",
    [
        ("530000", None, "云南省人力资源和社会保障厅"),
        ("530000", 2015, "云南省人力资源和社会保障厅"),
        ("530100", None, "昆明市人力资源和社会保障局"),
        ("530112", None, "西山区人力资源和社会保障局"),
        ("532300", None, "楚雄彝族自治州人力资源和社会保障局"),
        ("530115", 2020, "晋宁区人力资源和社会保障局"),
        ("530122", 2014, "晋宁县人力资源和社会保障局"),
        ("532302", 2022, "禄丰市人力资源和社会保障局"),
        ("532331", 2015, "禄丰县人力资源和社会保障局"),
    ],
)
def test_hr_department(code, year, department):
    assert hr_department(code, year) == department


def test_hr_department_without_year_needs_a_current_code():
    with pytest.raises(InvalidValue, match="行政区划代码 530122"):
        hr_department("530122")


def test_historical_periods_of_a_code_do_not_overlap():
    for code, ps in divisions._history().items():
        for a in ps:
            for b in ps:
                if a is b:
                    continue
                years = [y for y in range(1949, 2031) if a.covers(y) and b.covers(y)]
                assert not years, (code, a.name, b.name, years[:3])


def test_current_names_match_the_open_historical_periods():
    for code, division in divisions._current().items():
        open_names = {p.name for p in divisions.periods(code) if p.valid_to is None}
        assert open_names == {division.name}, code
