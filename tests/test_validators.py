"""Spec §4.1–4.3: ID numbers (GB 11643-1999), credit codes (GB 32100-2015), phones."""

from datetime import date

import pytest

from formkit.errors import InvalidValue
from formkit.validators import (
    id_address_known,
    is_township_institution,
    is_yunnan_area_code,
    normalize_id_number,
    parse_id_number,
    phone_warnings,
    validate_credit_code,
    validate_mobile,
    validate_phone,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("11010519491231002x", "11010519491231002X"),
        (" 110105 19491231 002X ", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),
        ("110105\u300019491231002X", "11010519491231002X"),
    ],
)
def test_normalize_id_number(raw, expected):
    assert normalize_id_number(raw) == expected


@pytest.mark.parametrize(
    "raw, number, address, birth, sex, sequence",
    [
        ("11010519491231002X", "11010519491231002X", "110105", date(1949, 12, 31), "女", "002"),
        ("440524188001010014", "440524188001010014", "440524", date(1880, 1, 1), "男", "001"),
        ("11010519491231002x", "11010519491231002X", "110105", date(1949, 12, 31), "女", "002"),
    ],
)
def test_parse_valid_id_numbers(raw, number, address, birth, sex, sequence):
    ident = parse_id_number(raw)
    assert (ident.number, ident.address_code, ident.birth, ident.sex, ident.sequence) == (
        number, address, birth, sex, sequence)


@pytest.mark.parametrize(
    "raw, message",
    [
        ("530102199001011234", "校验码不符 — 应为 1，实为 4"),
        ("110105194912310021", "校验码不符 — 应为 X，实为 1"),
        ("530102199001011", "公民身份号码应为18位，实为15位"),
        ("5301021990010112345", "公民身份号码应为18位，实为19位"),
        ("", "公民身份号码应为18位，实为0位"),
        ("5301021990A1011234", "公民身份号码第11位「A」不是数字"),
        ("X30102199001011234", "公民身份号码第1位「X」不是数字"),
        ("53010219900101123Y", "公民身份号码第18位（校验码）「Y」应为数字或 X"),
        ("530102199002301234", "公民身份号码第13–14位的出生日期在该月中不存在"),
        ("530102199013011234", "公民身份号码第11–12位的出生月份不存在（应为01–12）"),
        ("530102179901011234", "公民身份号码第7–10位的出生年份早于1800年"),
        ("530102299901011234", "公民身份号码中的出生日期晚于今天"),
    ],
)
def test_parse_invalid_id_numbers(raw, message):
    with pytest.raises(InvalidValue) as exc:
        parse_id_number(raw)
    assert str(exc.value) == message


def test_messages_and_repr_never_show_the_whole_number():
    with pytest.raises(InvalidValue) as exc:
        parse_id_number("530102199001011234")
    assert "530102199001011234" not in str(exc.value)
    ident = parse_id_number("11010519491231002X")
    assert repr(ident) == "IdNumber('1101**********002X')"


def test_address_code_is_not_an_error_in_parse():
    # 999999 is no address code, but that is only a warning for the caller.
    from stdnum.cn.ric import calc_check_digit

    body = "99999919900101123"
    ident = parse_id_number(body + calc_check_digit(body + "0"))
    assert ident.address_code == "999999"
    assert id_address_known(ident.address_code, 1990) is False


@pytest.mark.parametrize(
    "code, year, known",
    [
        ("530102", 1990, True),  # 五华区, current
        ("530122", 2020, True),  # 晋宁县, until 2016: a code on IDs issued before
        ("530122", None, True),
        ("530115", 1990, True),  # 晋宁区 from 2016: any period makes a code known
        ("532101", 1975, True),  # 昭通市 (县级), historical
        ("530101", 1990, True),  # 市辖区 placeholder: IDs do carry it
        ("530199", None, False),
        ("533999", 2000, False),
        ("110105", 1949, True),  # other provinces: python-stdnum's table
        ("440524", 1880, True),
        ("999999", None, False),
        ("53010", None, False),
    ],
)
def test_id_address_known(code, year, known):
    assert id_address_known(code, year) is known


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("91110000600037341L", "91110000600037341L"),
        (" 91110000600037341l ", "91110000600037341L"),
        ("９１１１００００６０００３７３４１Ｌ", "91110000600037341L"),
        ("91350100M000100Y43", "91350100M000100Y43"),
    ],
)
def test_valid_credit_codes(raw, expected):
    assert validate_credit_code(raw) == expected


@pytest.mark.parametrize(
    "raw, message",
    [
        ("91350100M000100Y4Z", "校验码不符 — 应为 3，实为 Z"),
        ("91110000600037341K", "校验码不符 — 应为 L，实为 K"),
        ("9111000060003734", "统一社会信用代码应为18位，实为16位"),
        ("91110000600O37341L", "统一社会信用代码第12位「O」不是允许的字符（数字及除 I、O、S、V、Z 外的大写字母）"),
        ("91A10000600037341L", "统一社会信用代码第3–8位（行政区划码）应为数字"),
    ],
)
def test_invalid_credit_codes(raw, message):
    with pytest.raises(InvalidValue) as exc:
        validate_credit_code(raw)
    assert str(exc.value) == message


@pytest.mark.parametrize(
    "code, township", [("12530100MB0123456X", True), ("91110000600037341L", False)]
)
def test_is_township_institution(code, township):
    assert is_township_institution(code) is township


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+86-13812345678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("19912345678", "19912345678"),
        ("0871-65123456", "0871-65123456"),
        ("0871 65123456", "0871-65123456"),
        ("(0871)65123456", "0871-65123456"),
        ("（0871）65123456", "0871-65123456"),
        ("087165123456", "0871-65123456"),
        ("0691-2123456", "0691-2123456"),
        ("0871-65123456-8001", "0871-65123456-8001"),
        ("0871-65123456转8001", "0871-65123456-8001"),
        ("010-65123456", "010-65123456"),
        ("01065123456", "010-65123456"),
        ("020 81234567", "020-81234567"),
        ("0755-86123456", "0755-86123456"),
    ],
)
def test_validate_phone(raw, expected):
    assert validate_phone(raw) == expected


@pytest.mark.parametrize(
    "raw, message",
    [
        ("1381234567", "手机号码应为11位，实为10位"),
        ("138123456789", "手机号码应为11位，实为12位"),
        ("12812345678", "手机号码第2位应为3–9"),
        ("1381234567a", "手机号码只能含数字（可带空格、短横线和 +86）"),
        ("0871-0123456", "固定电话格式不对：应为 区号-号码，区号3–4位、号码7–8位，如 0871-65123456"),
        ("0871-651234", "固定电话格式不对：应为 区号-号码，区号3–4位、号码7–8位，如 0871-65123456"),
        ("087-6512345", "固定电话格式不对：应为 区号-号码，区号3–4位、号码7–8位，如 0871-65123456"),
        ("0101-2345678", "固定电话格式不对：应为 区号-号码，区号3–4位、号码7–8位，如 0871-65123456"),
        ("65123456", "电话号码应以 1（手机）或 0（固定电话区号）开头"),
        ("", "电话号码应以 1（手机）或 0（固定电话区号）开头"),
    ],
)
def test_invalid_phones(raw, message):
    with pytest.raises(InvalidValue) as exc:
        validate_phone(raw)
    assert str(exc.value) == message


def test_validate_mobile():
    assert validate_mobile("+86 139-8712-3456") == "13987123456"
    with pytest.raises(InvalidValue, match="此处应填手机号码，不是固定电话"):
        validate_mobile("0871-65123456")
    with pytest.raises(InvalidValue, match="手机号码应为11位，实为7位"):
        validate_mobile("1391234")


@pytest.mark.parametrize(
    "code, yunnan",
    [("0691", True), ("0692", True), ("0870", True), ("0871", True), ("0879", True),
     ("0883", True), ("0886", True), ("0887", True), ("0888", True),
     ("0693", False), ("0880", False), ("0884", False), ("0885", False), ("0889", False),
     ("010", False), ("0755", False), ("871", False)],
)
def test_is_yunnan_area_code(code, yunnan):
    assert is_yunnan_area_code(code) is yunnan


@pytest.mark.parametrize(
    "raw, warnings",
    [
        ("0871-65123456", []),
        ("0888-5123456", []),
        ("13812345678", []),
        ("0755-86123456", ["区号 0755 不是云南省的区号"]),
        ("010-65123456", ["区号 010 不是云南省的区号"]),
    ],
)
def test_phone_warnings(raw, warnings):
    assert phone_warnings(raw) == warnings


def test_phone_warnings_rejects_invalid_numbers():
    with pytest.raises(InvalidValue):
        phone_warnings("0871-1234")
