"""Validators for the personal and organisational numbers on the forms (spec §4.1–4.3).

- 公民身份号码, GB 11643-1999: ``normalize_id_number``, ``parse_id_number``, ``id_address_known``;
- 统一社会信用代码, GB 32100-2015: ``validate_credit_code``, ``is_township_institution``;
- telephone numbers: ``validate_phone``, ``validate_mobile``, ``phone_warnings``,
  ``is_yunnan_area_code`` (lengths per area code and mobile ranges from ``phonenumbers``);
- names as on the ID card: ``normalize_person_name``.

Each validator returns the normalised value or raises ``formkit.errors.InvalidValue`` with a
Chinese message that says what is wrong. Messages never contain a whole ID or mobile number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from stdnum.cn import ric, uscc

from formkit.reference import divisions
from formkit.errors import InvalidValue
from formkit.privacy import mask_id_number

_WHITESPACE = re.compile(r"\s+")
# The full-width forms of printable ASCII (U+FF01–U+FF5E) sit at a fixed offset from it.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


def _ascii(value: str) -> str:
    """Full-width ASCII characters (digits, letters, ＋, －, （）) to ASCII; whitespace removed."""
    return _WHITESPACE.sub("", value.translate(_HALF_WIDTH))


# --- 公民身份号码 (GB 11643-1999) -----------------------------------------------------------


@dataclass(frozen=True)
class IdNumber:
    """A checked 18-character 公民身份号码 (GB 11643-1999).

    ``address_code`` digits 1–6 (GB/T 2260 code in force at issue); ``birth`` digits 7–14;
    ``sequence`` digits 15–17 (odd → ``男``, even → ``女``, so ``sex``); the 18th is the check.
    ``repr`` masks the number.
    """

    number: str
    address_code: str
    birth: date
    sex: str
    sequence: str

    def __repr__(self) -> str:
        return f"IdNumber({mask_id_number(self.number)!r})"


def normalize_id_number(s: str) -> str:
    """Remove all whitespace, turn full-width digits/``Ｘ`` into ASCII and ``x`` into ``X``.

    ``"１１０１０５ 19491231002x"`` → ``"11010519491231002X"``. No validation.
    """
    return _ascii(s).upper()


def parse_id_number(s: str) -> IdNumber:
    """Normalise and check an ID number per GB 11643-1999; return its parts.

    Raises ``InvalidValue`` for a wrong length (``应为18位，实为15位``), a non-digit among the
    first 17 characters or a last character other than a digit or ``X``, a birth date that does
    not exist, is before 1800 or in the future, and a wrong check character
    (``校验码不符 — 应为 X，实为 4``; the check is ISO 7064 MOD 11-2, computed with
    ``stdnum.cn.ric``). The address code is *not* checked here: see ``id_address_known``.
    """
    number = normalize_id_number(s)
    if len(number) != 18:
        raise InvalidValue(f"公民身份号码应为18位，实为{len(number)}位")
    for i, ch in enumerate(number[:17], start=1):
        if not ch.isdigit() or not ch.isascii():
            raise InvalidValue(f"公民身份号码第{i}位「{ch}」不是数字")
    if not (number[17].isdigit() and number[17].isascii()) and number[17] != "X":
        raise InvalidValue(f"公民身份号码第18位（校验码）「{number[17]}」应为数字或 X")
    digits = number[6:14]
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise InvalidValue(
            "公民身份号码第11–12位的出生月份不存在（应为01–12）" if not 1 <= int(digits[4:6]) <= 12
            else "公民身份号码第13–14位的出生日期在该月中不存在"
        ) from None
    if birth.year < 1800:
        raise InvalidValue("公民身份号码第7–10位的出生年份早于1800年")
    if birth > date.today():
        raise InvalidValue("公民身份号码中的出生日期晚于今天")
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        raise InvalidValue(f"校验码不符 — 应为 {expected}，实为 {number[17]}")
    sequence = number[14:17]
    return IdNumber(number, number[:6], birth, "男" if int(sequence) % 2 else "女", sequence)


def id_address_known(code6: str, year: int | None = None) -> bool:
    """Whether a 6-digit address code is a known GB/T 2260 code, current or historical.

    Yunnan codes (``53…``) are looked up in the historical table: known if any name period has
    the code. ``year`` (the birth year) does not change the answer: an ID keeps the code in
    force when it was issued, which may be years after the birth. Other provinces' codes are
    looked up in python-stdnum's ``cn/loc`` table. An unknown code is a warning for the caller.
    """
    del year  # accepted for the caller's convenience; any period makes a code known
    if not re.fullmatch(r"[0-9]{6}", code6):
        return False
    if code6.startswith("53"):
        return bool(divisions.periods(code6))
    from stdnum import numdb

    return any("county" in props for _, props in numdb.get("cn/loc").info(code6))


# --- 统一社会信用代码 (GB 32100-2015) -------------------------------------------------------

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, Z, S, V


def validate_credit_code(s: str) -> str:
    """Normalise (whitespace removed, full-width to ASCII, upper case) and check a 统一社会信用
    代码 per GB 32100-2015; return the 18 characters.

    Raises ``InvalidValue`` for a wrong length, a character outside ``0-9 A-H J-N P-R T U W X
    Y`` among the first 17, a non-digit in the 登记管理机关行政区划码 (positions 3–8) and a
    wrong check character, whatever it is (``校验码不符 — 应为 3，实为 Z``; MOD 31, computed with
    ``stdnum.cn.uscc``).
    """
    code = _ascii(s).upper()
    if len(code) != 18:
        raise InvalidValue(f"统一社会信用代码应为18位，实为{len(code)}位")
    for i, ch in enumerate(code[:17], start=1):
        if ch not in _USCC_CHARS:
            raise InvalidValue(
                f"统一社会信用代码第{i}位「{ch}」不是允许的字符（数字及除 I、O、S、V、Z 外的大写字母）"
            )
    if not code[2:8].isdigit():
        raise InvalidValue("统一社会信用代码第3–8位（行政区划码）应为数字")
    expected = uscc.calc_check_digit(code)
    if code[17] != expected:
        raise InvalidValue(f"校验码不符 — 应为 {expected}，实为 {code[17]}")
    return code


def is_township_institution(code: str) -> bool:
    """Whether a credit code was issued by 机构编制 to a public institution (事业单位, ``12…``)."""
    return code.startswith("12")


# --- telephone numbers ------------------------------------------------------------------

_YUNNAN_AREA_CODES = frozenset(
    ["0691", "0692", "0883", "0886", "0887", "0888"] + [f"087{i}" for i in range(10)]
)
_LANDLINE = re.compile(r"(0\d{2,3})-?([2-9]\d{6,7})(?:(?:-|转)(\d{1,6}))?")


def is_yunnan_area_code(code: str) -> bool:
    """Whether a 4-digit area code (with its leading 0) is Yunnan's: 0691, 0692, 0870–0879,
    0883, 0886–0888."""
    return code in _YUNNAN_AREA_CODES


def _clean_phone(s: str) -> str:
    text = _ascii(s).replace("(", "").replace(")", "")
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            return text[len(prefix):].lstrip("-")
    return text


def _mobile_or_none(text: str) -> str | None:
    digits = text.replace("-", "")
    return digits if re.fullmatch(r"1[3-9]\d{9}", digits) else None


def _cn_number(digits: str):  # noqa: ANN202 - a phonenumbers.PhoneNumber, imported lazily
    import phonenumbers

    return phonenumbers.parse(digits, "CN")


def _valid(digits: str) -> bool:
    import phonenumbers

    return phonenumbers.is_valid_number(_cn_number(digits))


def _check_mobile_range(mobile: str) -> str:
    """``mobile`` (11 digits ``1[3-9]…``) if its range is allocated to mobile phones
    (``phonenumbers``' metadata); else ``InvalidValue`` naming the range, never the number."""
    import phonenumbers
    from phonenumbers import PhoneNumberType

    number = _cn_number(mobile)
    if phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in (
            PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return mobile
    four = any(_valid(mobile[:3] + str(d) + mobile[4:]) for d in range(10))
    prefix = mobile[:4] if four else mobile[:3]
    raise InvalidValue(f"手机号码的号段 {prefix} 不是在用的手机号段（未分配，或是物联网、上网卡号段）；"
                       "请核对前几位")


def _place(digits: str) -> str:
    """The place of a valid landline, in Chinese (``云南省昆明市``), or ``""``."""
    from phonenumbers import geocoder

    return geocoder.description_for_number(_cn_number(digits), "zh")


def _check_landline(area: str, local: str) -> None:
    """Refuse a landline whose local number has the wrong length for its area code (Kunming
    0871 has 8 digits, the other Yunnan codes 7), or whose area code does not exist."""
    if _valid(area + local):
        return
    shown = f"{area}-{local}"
    for length in (7, 8):
        candidate = area + (local + "0" * 8)[:length]
        if length != len(local) and _valid(candidate):
            place = _place(candidate)
            where = f"{place}（{area}）" if place else f"区号 {area} "
            raise InvalidValue(f"固定电话 {shown} 位数不对：{where}的号码应为{length}位，此处为{len(local)}位")
    raise InvalidValue(f"固定电话 {shown} 的区号 {area} 不存在；请核对区号")


def _mobile_problem(text: str) -> str:
    digits = text.replace("-", "")
    if not digits.isdigit():
        return "手机号码只能含数字（可带空格、短横线和 +86）"
    if len(digits) != 11:
        return f"手机号码应为11位，实为{len(digits)}位"
    return "手机号码第2位应为3–9"


def _split_landline(text: str) -> tuple[str, str, str | None] | None:
    """(area code, local number, extension) of a landline, or ``None``."""
    match = _LANDLINE.fullmatch(text)
    if match is None:
        return None
    area, local, ext = match.groups()
    if "-" not in text[: len(area) + 1]:
        # No separator after the area code: 010 and 02X are the only 3-digit area codes.
        digits = area + local
        area = digits[:3] if digits.startswith(("010", "02")) else digits[:4]
        local = digits[len(area):]
        if not re.fullmatch(r"[2-9]\d{6,7}", local):
            return None
    elif (len(area) == 3) != area.startswith(("010", "02")):
        return None  # 010 and 02X are the 3-digit area codes, and no 4-digit code starts so
    return area, local, ext


def validate_mobile(s: str) -> str:
    """Check a mainland mobile number: ``^1[3-9]\\d{9}$`` after removing whitespace, dashes and
    a ``+86``/``0086`` prefix; return the 11 digits. Raises ``InvalidValue`` otherwise."""
    text = _clean_phone(s)
    mobile = _mobile_or_none(text)
    if mobile is not None:
        return _check_mobile_range(mobile)
    if text.startswith("0"):
        raise InvalidValue("此处应填手机号码，不是固定电话")
    raise InvalidValue(_mobile_problem(text))


def validate_phone(s: str) -> str:
    """Check a mobile or a landline; return it normalised.

    Mobile (see ``validate_mobile``) → the 11 digits. Landline ``区号-号码[-分机]``: area code
    ``010``/``02X`` or 4 digits starting with 0, local number of 7–8 digits not starting with 0
    or 1, optional extension after ``-`` or ``转``; spaces, parentheses and a dash between area
    code and number are optional → ``"0871-65123456"`` (``"0871-65123456-8001"``). A valid
    area code outside Yunnan is accepted (see ``phone_warnings``). Raises ``InvalidValue``.
    """
    text = _clean_phone(s)
    mobile = _mobile_or_none(text)
    if mobile is not None:
        return _check_mobile_range(mobile)
    if text.startswith("0"):
        parts = _split_landline(text)
        if parts is None:
            raise InvalidValue(
                "固定电话格式不对：应为 区号-号码，区号3–4位、号码7–8位，如 0871-65123456"
            )
        _check_landline(parts[0], parts[1])
        return "-".join(p for p in parts if p)
    if text.startswith("1"):
        raise InvalidValue(_mobile_problem(text))
    raise InvalidValue("电话号码应以 1（手机）或 0（固定电话区号）开头")


def phone_warnings(s: str) -> list[str]:
    """Warnings for a valid phone number: ``["区号 0755 不是云南省的区号"]`` for a landline
    outside Yunnan, else ``[]``. Raises ``InvalidValue`` if ``s`` is not a valid phone."""
    phone = validate_phone(s)
    if phone.startswith("0"):
        area = phone.split("-")[0]
        if not is_yunnan_area_code(area):
            return [f"区号 {area} 不是云南省的区号"]
    return []


# --- names as on the ID card ------------------------------------------------------------

MIDDLE_DOT = "\u00b7"
"""间隔号 ``·`` (U+00B7): the one separator in names on an ID card (``买买提·艾力``)."""

_DOT_LOOKALIKES = {
    "\u2022": "•", "\u30fb": "・", "\u2027": "‧", "\u2219": "∙", "\uff65": "･", "\u22c5": "⋅",
    "\u0387": "·", "\u16eb": "᛫", "\u2e31": "⸱", "\u2024": "․", "\u318d": "ㆍ",
    "\u00b7": "·",
    # what a keyboard gives when the input method is in the wrong mode: the full stop of
    # either width and the ideographic one (``玛依拉.买买提``)
    ".": ".", "\uff0e": "．", "\u3002": "。", "\uff61": "｡",
}
_SPACE_NAMES = {" ": "空格", "\u3000": "全角空格", "\u00a0": "不换行空格"}
_NAME_SEPARATORS = re.compile("[" + re.escape("".join(_DOT_LOOKALIKES)) + r"\s\u3000]+")
_FULLWIDTH_LATIN = re.compile("[\uff21-\uff3a\uff41-\uff5a]")


def _is_han(ch: str) -> bool:
    return "CJK" in unicodedata.name(ch, "")


def _separator_name(ch: str) -> str:
    if ch.isspace():
        return f"{_SPACE_NAMES.get(ch, '空白字符')}（U+{ord(ch):04X}）"
    return f"「{ch}」（U+{ord(ch):04X}）"


def normalize_person_name(s: str) -> tuple[str, list[str]]:
    """A person's name written as on the ID card, and a warning for each change.

    Look-alikes of the middle dot (``•`` U+2022, ``・`` U+30FB, ``‧`` U+2027, ``∙`` U+2219,
    ``･``, ``⋅``…, and full stops ``.`` ``．`` ``。`` typed in the wrong input mode) and spaces (also the full-width ``　``) between two letters of a name become the 间隔号 ``·`` (U+00B7), one per gap (``买买提 • 艾力`` → ``买买提·艾力``); in a
    name of at most four Han characters a space is alignment padding and is removed
    (``张  三`` → ``张三``). Full-width Latin letters (``ＡＢ``) raise ``InvalidValue``: ID cards
    print them half-width.
    """
    bad = _FULLWIDTH_LATIN.search(s)
    if bad:
        half = chr(ord(bad[0]) - 0xFEE0)
        raise InvalidValue(f"姓名中的「{bad[0]}」是全角字母；身份证上的字母为半角，请改为「{half}」")
    parts = [p for p in _NAME_SEPARATORS.split(s) if p]
    padded_han = len("".join(parts)) <= 4 and all(_is_han(ch) for ch in "".join(parts))
    warnings: list[str] = []

    def warn(text: str) -> None:
        if text not in warnings:
            warnings.append(text)

    out: list[str] = []
    pieces = re.split(f"({_NAME_SEPARATORS.pattern})", s)
    for i, piece in enumerate(pieces):
        before, after = (pieces[i - 1][-1:] if i else ""), (pieces[i + 1][:1] if i + 1 < len(pieces) else "")
        if not piece or not _NAME_SEPARATORS.fullmatch(piece) or not (before.isalpha() and after.isalpha()):
            out.append(piece)  # only a gap between two letters is a gap between parts of a name
            continue
        has_dot = any(not ch.isspace() for ch in piece)
        if not has_dot and padded_han:
            for ch in dict.fromkeys(piece):
                warn(f"姓名中的{_separator_name(ch)}已删除：两至四个字的姓名中间不加空格，须与身份证一致")
            continue
        out.append(MIDDLE_DOT)
        if sum(not ch.isspace() for ch in piece) > 1:
            warn("姓名中连续的几个间隔号已合并为一个「·」，须与身份证一致")
        for ch in dict.fromkeys(piece):
            if ch == MIDDLE_DOT and piece == MIDDLE_DOT:
                continue
            if ch.isspace() and has_dot:
                warn(f"姓名中间隔号旁的{_separator_name(ch)}已删除，须与身份证一致")
            elif ch != MIDDLE_DOT:
                warn(f"姓名中的{_separator_name(ch)}已改为间隔号「·」，须与身份证一致")
    return "".join(out), warnings
