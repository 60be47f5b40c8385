"""Display filters shared by the Word and PDF templates (pure functions).

Money is ``Decimal`` (or ``int``/``str``) in 元, never ``float``; dates are ``datetime.date``.
``FILTERS`` maps the template filter names to the functions.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from formkit.privacy import mask_id_number, mask_phone

__all__ = [
    "FILTERS", "cn_date", "cn_year_month", "date_range", "mask_id_number", "mask_phone",
    "money_figures", "rmb_upper", "year_month", "yuan",
]

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_IN_SECTION = ("", "拾", "佰", "仟")  # units inside a group of four digits
_SECTIONS = ("", "万", "亿", "万")  # group markers: 元 group, 万, 亿, 万(亿)
_CENT = Decimal("0.01")


def _money(amount: Decimal | int | str) -> Decimal:
    """``amount`` as a ``Decimal`` of 元: non-negative, finite, at most 2 decimal places."""
    if isinstance(amount, (float, bool)) or not isinstance(amount, (Decimal, int, str)):
        raise TypeError(f"金额应为 Decimal、int 或 str，不是 {type(amount).__name__}")
    try:
        value = Decimal(amount.strip() if isinstance(amount, str) else amount)
    except InvalidOperation:
        raise ValueError(f"金额「{amount}」不是数字") from None
    if not value.is_finite():
        raise ValueError(f"金额「{amount}」不是有限数")
    if value < 0:
        raise ValueError(f"金额「{amount}」为负数")
    if value != value.quantize(_CENT):
        raise ValueError(f"金额「{amount}」超过两位小数（最小单位为分）")
    return value


def rmb_upper(amount: Decimal | int | str) -> str:
    """The amount in 元 written in capitals per the People's Bank rules (spec §4.5).

    ``Decimal("16409.02")`` → ``人民币壹万陆仟肆佰零玖元零贰分``; ``10`` → ``人民币壹拾元整``;
    ``Decimal("0.5")`` → ``人民币伍角``; ``0`` → ``人民币零元整``. Each run of zeros between
    two non-zero digits (from the highest digit down to 分) is written as one 零, also across
    万/亿 and 元 (``1680.32`` → ``壹仟陆佰捌拾元零叁角贰分``); ``整`` follows 元 when there are
    no 角 and 分. Up to 9999 万亿 (< 10^16). Raises ``ValueError`` for a negative amount, more
    than 2 decimal places, a non-number or a too large amount; ``TypeError`` for a float.
    """
    value = _money(amount)
    cents = int(value * 100)
    if cents >= 10**18:
        raise ValueError(f"金额「{amount}」过大（应小于一亿亿元）")
    if cents == 0:
        return "人民币零元整"
    yuan_digits = str(cents // 100)
    out: list[str] = []
    zero_pending = False  # a run of zeros after a non-zero digit, not yet written

    def digit(d: int, unit: str) -> None:
        nonlocal zero_pending
        if d == 0:
            zero_pending = bool(out)
            return
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(_DIGITS[d] + unit)

    if cents >= 100:
        top = len(yuan_digits) - 1
        for i, ch in enumerate(yuan_digits):
            position = top - i
            digit(int(ch), _IN_SECTION[position % 4])
            if position % 4 == 0:
                section = position // 4
                group = yuan_digits[max(0, i - 3): i + 1]
                # 亿 is written even when its own group is zero: 壹万亿, not 壹万.
                if section and (int(group) or section == 2):
                    out.append(_SECTIONS[section])
        out.append("元")
    jiao, fen = divmod(cents % 100, 10)
    digit(jiao, "角")
    digit(fen, "分")
    if jiao == fen == 0:
        out.append("整")
    return "人民币" + "".join(out)


def yuan(amount: Decimal | int | str) -> str:
    """Figures with 2 decimals and no separators: ``20000`` → ``"20000.00"``. Same errors as
    ``rmb_upper``."""
    return f"{_money(amount).quantize(_CENT)}"


def money_figures(amount: Decimal | int | str) -> str:
    """Figures with thousands separators and 2 decimals: ``20000`` → ``"20,000.00"``."""
    return f"{_money(amount).quantize(_CENT):,}"


def _check_date(d: date) -> date:
    if not isinstance(d, date):
        raise TypeError(f"应为日期（datetime.date），不是 {type(d).__name__}")
    return d


def cn_date(d: date) -> str:
    """``date(2014, 3, 1)`` → ``"2014年3月1日"`` (no leading zeros). ``TypeError`` if not a date."""
    d = _check_date(d)
    return f"{d.year}年{d.month}月{d.day}日"


def year_month(d: date) -> str:
    """The personnel-form year-month: ``date(1985, 3, 1)`` → ``"1985.03"``."""
    d = _check_date(d)
    return f"{d.year}.{d.month:02d}"


def cn_year_month(d: date) -> str:
    """``date(1985, 3, 1)`` → ``"1985年3月"``."""
    d = _check_date(d)
    return f"{d.year}年{d.month}月"


def date_range(start: date, end: date) -> str:
    """``"2014年3月1日至2016年2月29日"`` (both inclusive). ``ValueError`` if ``end < start``."""
    if _check_date(end) < _check_date(start):
        raise ValueError(f"截止日期 {end} 早于起始日期 {start}")
    return f"{cn_date(start)}至{cn_date(end)}"


FILTERS = {
    "rmb_upper": rmb_upper,
    "yuan": yuan,
    "money_figures": money_figures,
    "cn_date": cn_date,
    "year_month": year_month,
    "cn_year_month": cn_year_month,
    "date_range": date_range,
    "mask_id_number": mask_id_number,
    "mask_phone": mask_phone,
}
