"""第十三条 服务期以周年计算: anniversaries and whole years."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from formkit.errors import InvalidValue
from formkit.rules.periods import (
    anniversary,
    whole_years,
    year_complete_on,
)

D = date


@pytest.mark.parametrize(
    ("start", "k", "expected"),
    [
        (D(2014, 3, 1), 0, D(2014, 3, 1)),
        (D(2014, 3, 1), 2, D(2016, 3, 1)),
        (D(2016, 2, 29), 1, D(2017, 3, 1)),  # common year: 1 March
        (D(2016, 2, 29), 4, D(2020, 2, 29)),  # leap year: 29 February
        (D(2020, 2, 29), 2, D(2022, 3, 1)),
        (D(2015, 12, 31), 1, D(2016, 12, 31)),
    ],
)
def test_anniversary(start, k, expected):
    assert anniversary(start, k) == expected


@pytest.mark.parametrize(
    ("start", "k", "expected"),
    [
        (D(2014, 3, 1), 2, D(2016, 2, 29)),
        (D(2015, 3, 1), 2, D(2017, 2, 28)),
        (D(2016, 2, 29), 1, D(2017, 2, 28)),
        (D(2016, 2, 29), 2, D(2018, 2, 28)),
        (D(2020, 2, 29), 4, D(2024, 2, 28)),
        (D(2015, 1, 1), 1, D(2015, 12, 31)),
    ],
)
def test_year_complete_on(start, k, expected):
    assert year_complete_on(start, k) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2014, 3, 1), D(2016, 2, 29), 2),  # exactly two years
        (D(2014, 3, 1), D(2016, 2, 28), 1),  # one day short
        (D(2014, 3, 1), D(2016, 3, 1), 2),  # one day into year 3
        (D(2014, 3, 1), D(2014, 3, 1), 0),  # a single day
        (D(2016, 2, 29), D(2018, 2, 28), 2),  # 29 February start
        (D(2016, 2, 29), D(2018, 2, 27), 1),
        (D(2020, 2, 29), D(2024, 2, 28), 4),  # 29 February start + 4 years
        (D(2020, 2, 29), D(2024, 2, 27), 3),
        (D(2020, 2, 29), D(2024, 2, 29), 4),
        (D(2015, 1, 1), D(2018, 12, 31), 4),
        (D(2015, 1, 1), D(2018, 12, 30), 3),
    ],
)
def test_whole_years(start, end, expected):
    assert whole_years(start, end) == expected


def test_end_before_start_is_refused():
    with pytest.raises(InvalidValue, match="早于"):
        whole_years(D(2016, 3, 1), D(2016, 2, 29))


@pytest.mark.parametrize("k", [-1])
def test_negative_anniversary_is_refused(k):
    with pytest.raises(InvalidValue, match="周年数不能为负数"):
        anniversary(D(2016, 3, 1), k)


def test_year_zero_is_refused():
    with pytest.raises(InvalidValue, match="应从第1年起计，实为第0年"):
        year_complete_on(D(2016, 3, 1), 0)


def brute_force_whole_years(start: date, end: date) -> int:
    k = 0
    while anniversary(start, k + 1) - timedelta(days=1) <= end:
        k += 1
    return k


dates = st.dates(min_value=D(1980, 1, 1), max_value=D(2060, 12, 31))


@given(dates, st.integers(min_value=0, max_value=4000))
def test_whole_years_matches_brute_force(start, length):
    end = start + timedelta(days=length)
    n = whole_years(start, end)
    assert n == brute_force_whole_years(start, end)
