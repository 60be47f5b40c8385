"""Service years (第十三条 服务期以周年计算): anniversaries and whole years of service.

Service is counted in whole anniversary years from the day of arrival (到乡镇服务之日). Year k
runs from the (k−1)-th anniversary to the day before the k-th anniversary, both inclusive; a
29 February start has its anniversary on 1 March in common years. Agreement dates are
inclusive: 2014-03-01 to 2016-02-29 is exactly 2 years.
"""

from __future__ import annotations

from datetime import MAXYEAR, date, timedelta

from formkit.errors import InvalidValue

__all__ = ["anniversary", "whole_years", "year_complete_on"]

_ONE_DAY = timedelta(days=1)


def anniversary(start: date, k: int) -> date:
    """The k-th anniversary (k ≥ 0 whole years) of ``start`` (第十三条 周年).

    ``anniversary(date(2016, 2, 29), 1) == date(2017, 3, 1)``: a 29 February start has its
    anniversary on 1 March in common years, and on 29 February in leap years.
    Raises ``InvalidValue`` for a negative k or a year beyond the calendar.
    """
    if k < 0:
        raise InvalidValue(f"周年数不能为负数：{k}")
    year = start.year + k
    if year > MAXYEAR:
        raise InvalidValue(f"{start.isoformat()} 的第{k}个周年超出日历范围")
    try:
        return start.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 3, 1)


def year_complete_on(start: date, k: int) -> date:
    """The last day (inclusive) of service year k ≥ 1 from ``start``: the day before the k-th
    anniversary (第十三条). ``year_complete_on(date(2014, 3, 1), 2) == date(2016, 2, 29)``."""
    if k < 1:
        raise InvalidValue(f"服务年度应从第1年起计，实为第{k}年")
    return anniversary(start, k) - _ONE_DAY


def whole_years(start: date, end: date) -> int:
    """Whole anniversary years (周年, 第十三条) in the inclusive span ``[start, end]``.

    2014-03-01..2016-02-29 → 2; 2014-03-01..2016-02-28 → 1; 2016-02-29..2018-02-28 → 2.
    An ``end`` before ``start`` raises ``InvalidValue`` (so does an ``end`` in year 9999, whose
    next anniversary is beyond the calendar).
    """
    if end < start:
        raise InvalidValue(f"服务截止日期 {end.isoformat()} 早于起始日期 {start.isoformat()}")
    # Year k is complete iff year_complete_on(start, k) <= end; k is at most the year difference
    # plus one, and the answer is at most two below that bound.
    k = end.year - start.year + 1
    while k > 0 and year_complete_on(start, k) > end:
        k -= 1
    return k


