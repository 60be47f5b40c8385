"""Properties: check characters catch every single-character change (GB 11643 §5.2 MOD 11-2,
GB 32100 §5 MOD 31); 人民币大写 is well-formed and reads back to the amount (spec §4.5)."""

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from formkit.reference import divisions
from formkit.errors import InvalidValue
from formkit.context.filters import rmb_upper
from formkit.validators import id_address_known, parse_id_number, validate_credit_code

ADDRESS_CODES = sorted(divisions._history())
ID_CHECK_CHARS = "0123456789X"
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@st.composite
def id_numbers(draw):
    address = draw(st.sampled_from(ADDRESS_CODES))
    birth = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2010, 12, 31)))
    sequence = draw(st.integers(0, 999))
    body = f"{address}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0"), address, birth, sequence


@given(id_numbers())
def test_generated_id_numbers_are_valid(case):
    number, address, birth, sequence = case
    ident = parse_id_number(number)
    assert ident.number == number
    assert ident.address_code == address
    assert ident.birth == birth
    assert ident.sex == ("男" if sequence % 2 else "女")
    assert id_address_known(ident.address_code, birth.year)


@given(id_numbers(), st.integers(0, 16), st.integers(1, 9))
def test_any_changed_digit_is_caught(case, position, shift):
    number = case[0]
    changed = str((int(number[position]) + shift) % 10)
    with pytest.raises(InvalidValue):
        parse_id_number(number[:position] + changed + number[position + 1:])


@given(id_numbers(), st.sampled_from(ID_CHECK_CHARS))
def test_any_changed_check_character_is_caught(case, check):
    number = case[0]
    assume(check != number[17])
    with pytest.raises(InvalidValue, match=f"校验码不符 — 应为 {number[17]}，实为 {check}"):
        parse_id_number(number[:17] + check)


@st.composite
def credit_codes(draw):
    chars = st.sampled_from(USCC_CHARS)
    head = draw(st.text(chars, min_size=2, max_size=2))
    region = draw(st.text("0123456789", min_size=6, max_size=6))
    organisation = draw(st.text(chars, min_size=9, max_size=9))
    body = head + region + organisation
    return body + uscc.calc_check_digit(body)


@given(credit_codes())
def test_generated_credit_codes_are_valid(code):
    assert validate_credit_code(code) == code
    assert validate_credit_code(code.lower()) == code


@given(credit_codes(), st.integers(0, 17), st.sampled_from(USCC_CHARS + "IOSVZ"))
def test_any_changed_credit_code_character_is_caught(code, position, char):
    assume(code[position] != char)
    with pytest.raises(InvalidValue):
        validate_credit_code(code[:position] + char + code[position + 1:])


_ALLOWED = set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整")
_VALUES = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_UNITS = {"拾": 10, "佰": 100, "仟": 1000}


def _read_back(text: str) -> Decimal:
    """Parse 人民币大写 back into an amount (a reference reader, independent of rmb_upper)."""
    body = text.removeprefix("人民币").removesuffix("整")
    yuan_part, _, rest = body.rpartition("元") if "元" in body else ("", "", body)
    total = section = digit = 0
    for ch in yuan_part:
        if ch in _VALUES:
            digit = _VALUES[ch]
        elif ch in _UNITS:
            section, digit = section + digit * _UNITS[ch], 0
        elif ch == "万":
            section, digit = (section + digit) * 10_000, 0
        elif ch == "亿":
            total, section, digit = (total + section + digit) * 10**8, 0, 0
    cents = (total + section + digit) * 100
    for value, unit in re.findall(r"([壹贰叁肆伍陆柒捌玖])([角分])", rest):
        cents += _VALUES[value] * (10 if unit == "角" else 1)
    return Decimal(cents).scaleb(-2)


def _inner_zero_runs(cents: int) -> int:
    return len(re.findall(r"0+", str(cents).strip("0"))) if cents else 0


@given(st.integers(0, 10**14))
def test_rmb_upper_is_well_formed_and_exact(cents):
    amount = Decimal(cents).scaleb(-2)
    text = rmb_upper(amount)
    assert text.startswith("人民币")
    assert set(text[3:]) <= _ALLOWED
    assert "零零" not in text
    assert not text.endswith("零")
    assert text.endswith("整") == (cents % 100 == 0)
    assert _read_back(text) == amount
    assert text.count("零") == (_inner_zero_runs(cents) if cents else 1)
