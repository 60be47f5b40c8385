"""Display filters: spec §4.5 (人民币大写) and the date formats of §3."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from formkit.context import filters
from formkit.context.filters import (
    FILTERS,
    cn_date,
    cn_year_month,
    date_range,
    money_figures,
    rmb_upper,
    year_month,
    yuan,
)


@pytest.mark.parametrize(
    "amount, text",
    [
        # spec §4.5 vectors
        (10000, "人民币壹万元整"),
        (20000, "人民币贰万元整"),
        (Decimal("1409.50"), "人民币壹仟肆佰零玖元伍角"),
        (Decimal("6007.14"), "人民币陆仟零柒元壹角肆分"),
        (Decimal("16409.02"), "人民币壹万陆仟肆佰零玖元零贰分"),
        (1000001, "人民币壹佰万零壹元整"),
        (100000000, "人民币壹亿元整"),
        (10, "人民币壹拾元整"),
        # more
        (0, "人民币零元整"),
        (Decimal("0.5"), "人民币伍角"),
        (Decimal("0.02"), "人民币贰分"),
        (Decimal("0.00"), "人民币零元整"),
        (100100, "人民币壹拾万零壹佰元整"),
        (10010000, "人民币壹仟零壹万元整"),
        (40000, "人民币肆万元整"),
        (200000, "人民币贰拾万元整"),
        (110, "人民币壹佰壹拾元整"),
        (1010, "人民币壹仟零壹拾元整"),
        (Decimal("1680.32"), "人民币壹仟陆佰捌拾元零叁角贰分"),
        (Decimal("325.04"), "人民币叁佰贰拾伍元零肆分"),
        (Decimal("107000.53"), "人民币壹拾万零柒仟元零伍角叁分"),
        (Decimal("10.50"), "人民币壹拾元零伍角"),
        (100000001, "人民币壹亿零壹元整"),
        (110000000, "人民币壹亿壹仟万元整"),
        (10**12, "人民币壹万亿元整"),
        (10**12 + 10**8, "人民币壹万零壹亿元整"),
        (123456789012, "人民币壹仟贰佰叁拾肆亿伍仟陆佰柒拾捌万玖仟零壹拾贰元整"),
        ("20000.00", "人民币贰万元整"),
        (" 1409.5 ", "人民币壹仟肆佰零玖元伍角"),
        (Decimal("1.500"), "人民币壹元伍角"),
    ],
)
def test_rmb_upper(amount, text):
    assert rmb_upper(amount) == text


@pytest.mark.parametrize(
    "amount, error",
    [
        (-1, ValueError), (Decimal("-0.01"), ValueError), (Decimal("1.001"), ValueError),
        ("12.345", ValueError), ("abc", ValueError), ("20,000", ValueError), ("NaN", ValueError),
        ("Infinity", ValueError), (10**16, ValueError), (1.5, TypeError), (True, TypeError),
        (None, TypeError),
    ],
)
def test_rmb_upper_rejects(amount, error):
    with pytest.raises(error, match="^金额"):  # formkit's own refusal, not an accident inside it
        rmb_upper(amount)


@pytest.mark.parametrize(
    "amount, plain, grouped",
    [
        (20000, "20000.00", "20,000.00"),
        (Decimal("1409.5"), "1409.50", "1,409.50"),
        ("0", "0.00", "0.00"),
        (Decimal("1234567.89"), "1234567.89", "1,234,567.89"),
        (Decimal("1E+3"), "1000.00", "1,000.00"),
    ],
)
def test_money_figures(amount, plain, grouped):
    assert yuan(amount) == plain
    assert money_figures(amount) == grouped


def test_money_figures_rejects():
    with pytest.raises(ValueError, match="超过两位小数"):
        money_figures(Decimal("1.234"))
    with pytest.raises(TypeError, match="金额应为 Decimal、int 或 str，不是 float"):
        yuan(20000.0)


@pytest.mark.parametrize(
    "d, long, ym, cn_ym",
    [
        (date(2014, 3, 1), "2014年3月1日", "2014.03", "2014年3月"),
        (date(1985, 12, 31), "1985年12月31日", "1985.12", "1985年12月"),
        (date(2016, 2, 29), "2016年2月29日", "2016.02", "2016年2月"),
        (datetime(2020, 10, 5, 13, 30), "2020年10月5日", "2020.10", "2020年10月"),
    ],
)
def test_dates(d, long, ym, cn_ym):
    assert cn_date(d) == long
    assert year_month(d) == ym
    assert cn_year_month(d) == cn_ym


def test_date_range():
    assert date_range(date(2014, 3, 1), date(2016, 2, 29)) == "2014年3月1日至2016年2月29日"
    assert date_range(date(2015, 1, 1), date(2015, 1, 1)) == "2015年1月1日至2015年1月1日"
    with pytest.raises(ValueError, match="截止日期 2014-03-01 早于起始日期 2016-02-29"):
        date_range(date(2016, 2, 29), date(2014, 3, 1))


@pytest.mark.parametrize("func", [cn_date, year_month, cn_year_month])
@pytest.mark.parametrize("value", ["2014-03-01", None, 20140301])
def test_dates_reject_non_dates(func, value):
    with pytest.raises(TypeError, match=r"应为日期（datetime\.date），不是"):
        func(value)


def test_filters_registry_and_masks():
    assert FILTERS["rmb_upper"] is rmb_upper
    assert set(FILTERS) == {"rmb_upper", "yuan", "money_figures", "cn_date", "year_month",
                            "cn_year_month", "date_range", "mask_id_number", "mask_phone"}
    assert filters.mask_id_number("11010519491231002X") == "1101**********002X"
    assert filters.mask_phone("13812345678") == "138****5678"
