"""Names and numbers as on the ID card (issue 12 item 6): look-alike middle dots and spaces in
names become the 间隔号 · with a warning, full-width letters are refused; telephone numbers are
checked against ``phonenumbers``' metadata (length per area code, mobile ranges)."""

from __future__ import annotations

from pathlib import Path

import pytest

from formkit.errors import InvalidValue
from formkit.load import load_record
from formkit.validators import normalize_person_name, validate_mobile, validate_phone

SAMPLE = Path(__file__).parent.parent / "data" / "cases" / "bai-zhongrong.yaml"


@pytest.mark.parametrize(
    "raw, name, warnings",
    [
        ("买买提·艾力", "买买提·艾力", []),
        ("买买提•艾力", "买买提·艾力", ["姓名中的「•」（U+2022）已改为间隔号「·」，须与身份证一致"]),
        ("热合曼・吐尔逊", "热合曼·吐尔逊", ["姓名中的「・」（U+30FB）已改为间隔号「·」，须与身份证一致"]),
        ("热合曼‧吐尔逊", "热合曼·吐尔逊", ["姓名中的「‧」（U+2027）已改为间隔号「·」，须与身份证一致"]),
        ("热合曼∙吐尔逊", "热合曼·吐尔逊", ["姓名中的「∙」（U+2219）已改为间隔号「·」，须与身份证一致"]),
        ("热合曼･吐尔逊", "热合曼·吐尔逊", ["姓名中的「･」（U+FF65）已改为间隔号「·」，须与身份证一致"]),
        ("玛依拉.买买提", "玛依拉·买买提", ["姓名中的「.」（U+002E）已改为间隔号「·」，须与身份证一致"]),
        ("玛依拉．买买提", "玛依拉·买买提", ["姓名中的「．」（U+FF0E）已改为间隔号「·」，须与身份证一致"]),
        ("玛依拉。买买提", "玛依拉·买买提", ["姓名中的「。」（U+3002）已改为间隔号「·」，须与身份证一致"]),
        ("买买提 艾力", "买买提·艾力", ["姓名中的空格（U+0020）已改为间隔号「·」，须与身份证一致"]),
        ("阿依古丽\u3000买买提", "阿依古丽·买买提", ["姓名中的全角空格（U+3000）已改为间隔号「·」，须与身份证一致"]),
        ("买买提 • 艾力", "买买提·艾力", ["姓名中间隔号旁的空格（U+0020）已删除，须与身份证一致",
                                  "姓名中的「•」（U+2022）已改为间隔号「·」，须与身份证一致"]),
        ("买买提··艾力", "买买提·艾力", ["姓名中连续的几个间隔号已合并为一个「·」，须与身份证一致"]),
        ("张  三", "张三", ["姓名中的空格（U+0020）已删除：两至四个字的姓名中间不加空格，须与身份证一致"]),
        ("{{ 1 + 1 }}", "{{ 1 + 1 }}", []),  # a gap not between two letters is left alone
    ],
)
def test_names_are_written_as_on_the_id_card(raw, name, warnings):
    assert normalize_person_name(raw) == (name, warnings)


def test_full_width_letters_in_a_name_are_refused():
    with pytest.raises(InvalidValue) as exc:
        normalize_person_name("ＡＬＩ·艾力")
    assert str(exc.value) == "姓名中的「Ａ」是全角字母；身份证上的字母为半角，请改为「A」"


def test_loader_normalises_names_and_warns(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(SAMPLE.read_text(encoding="utf-8").replace("name: 白忠荣", "name: 白忠荣•艾力")
                    .replace("legal_representative: 李成福", "legal_representative: 李成福"), encoding="utf-8")
    loaded = load_record(path)
    assert loaded.ok, [str(p) for p in loaded.problems]
    assert loaded.record.applicant.name == "白忠荣·艾力"
    assert [str(p) for p in loaded.warnings] == [
        f"{path}:8:9 applicant.name（姓名）: 警告: 姓名中的「•」（U+2022）已改为间隔号「·」，须与身份证一致"]


def test_loader_refuses_full_width_letters_in_a_name(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(SAMPLE.read_text(encoding="utf-8").replace("name: 白忠荣", "name: Ｂai忠荣"), encoding="utf-8")
    loaded = load_record(path)
    assert f"{path}:8:9 applicant.name（姓名）: 姓名中的「Ｂ」是全角字母；身份证上的字母为半角，请改为「B」" in [
        str(p) for p in loaded.errors]


@pytest.mark.parametrize(
    "raw, message",
    [
        ("0871-6512345", "固定电话 0871-6512345 位数不对：云南省昆明市（0871）的号码应为8位，此处为7位"),
        ("08716512345", "固定电话 0871-6512345 位数不对：云南省昆明市（0871）的号码应为8位，此处为7位"),
        ("0879-43725180", "固定电话 0879-43725180 位数不对：云南省普洱市（0879）的号码应为7位，此处为8位"),
        ("010-6512345", "固定电话 010-6512345 位数不对：北京市（010）的号码应为8位，此处为7位"),
        ("0880-5123456", "固定电话 0880-5123456 的区号 0880 不存在；请核对区号"),
        ("14012345678", "手机号码的号段 140 不是在用的手机号段（未分配，或是物联网、上网卡号段）；请核对前几位"),
        ("16112345678", "手机号码的号段 1611 不是在用的手机号段（未分配，或是物联网、上网卡号段）；请核对前几位"),
    ],
)
def test_phone_numbers_checked_per_area_code_and_range(raw, message):
    with pytest.raises(InvalidValue) as exc:
        validate_phone(raw)
    assert str(exc.value) == message


@pytest.mark.parametrize("raw", ["0871-65123456", "0879-4372518", "0691-2123456", "0888-5123456",
                                 "0871-65123456转8001", "021-61234567", "13578939156", "19912345678",
                                 "14512345678", "17012345678"])
def test_numbers_in_use_are_accepted(raw):
    validate_phone(raw)


def test_mobile_range_message_does_not_show_the_number():
    with pytest.raises(InvalidValue) as exc:
        validate_mobile("14012345678")
    assert "12345678" not in str(exc.value)


def test_loader_places_a_wrong_length_landline(tmp_path):
    path = tmp_path / "case.yaml"
    text = SAMPLE.read_text(encoding="utf-8")
    line = text.splitlines().index("  phone: 0879-4372518") + 1
    path.write_text(text.replace("phone: 0879-4372518", "phone: 0871-6512345"), encoding="utf-8")
    assert (f"{path}:{line}:10 service.phone（服务单位联系电话）: "
            "固定电话 0871-6512345 位数不对：云南省昆明市（0871）的号码应为8位，此处为7位") in [
        str(p) for p in load_record(path).errors]
