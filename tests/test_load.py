"""Strict loading: scalars stay text, refused constructs are placed, never a traceback."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formkit.load import Loaded, load_case, load_demand, parse_yaml


def parse(text: str | bytes):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return parse_yaml(raw, "x.yaml")


@pytest.mark.parametrize(
    "value",
    ["0871-6512345", "053100", "no", "on", "yes", "off", "1e3", "2014-03-01", "12:30", "0x1F", "~", "null", ".inf", "010"],
)
def test_every_scalar_stays_text(value: str) -> None:
    data, pos, problems = parse(f"a: {value}\nb:\n  - {value}\n")
    assert problems == []
    assert data == {"a": value, "b": [value]}
    assert pos.values[("a",)] == (1, 4)
    assert pos.values[("b", 0)] == (3, 5)


@pytest.mark.parametrize(
    ("text", "line", "col", "fragment"),
    [
        ("a: 1\nb: 2\na: 3\n", 3, 1, "重复的键「a」（第一次出现在第 1 行）"),
        ("a: !!python/object/apply:os.system [ls]\n", 1, 4, "YAML 标签"),
        ("a: !!int 5\n", 1, 4, "YAML 标签"),
        ("a: &x 1\nb: *x\n", 1, 4, "锚点"),
        ("a: [1, 2\n", 2, 1, "YAML 格式错误"),
        ("a: x\x0by\n", 1, 5, "U+000B"),
        ("a: x\u200by\n", None, None, None),  # zero-width space is text, not a control char
        ("\n\n# nothing\n", 1, 1, "文件为空"),
        ("", 1, 1, "文件为空"),
        ("<<: {a: 1}\n", 1, 1, "合并键"),
        ("? [a]\n: 1\n", 1, 3, "键必须是普通文本"),
    ],
)
def test_refused_constructs_are_placed(text: str, line, col, fragment) -> None:
    data, _, problems = parse(text)
    if fragment is None:
        assert problems == [] and data == {"a": "x\u200by"}
        return
    assert data is None
    assert len(problems) >= 1
    p = problems[0]
    assert (p.line, p.col) == (line, col), str(p)
    assert fragment in str(p)
    assert str(p).startswith(f"x.yaml:{line}:{col}")


def test_non_utf8_reports_the_byte_position() -> None:
    data, _, problems = parse("applicant:\n  name: 张三\n".encode("gbk"))
    assert data is None
    assert "不是 UTF-8" in problems[0].message
    assert (problems[0].line, problems[0].col) == (2, 9)


def test_utf8_bom_is_accepted() -> None:
    data, _, problems = parse(b"\xef\xbb\xbfa: 1\n")
    assert problems == [] and data == {"a": "1"}


def test_alias_bomb_is_refused_before_expansion() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[i]
        lines.append(f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    data, _, problems = parse("\n".join(lines) + "\n")
    assert data is None and "锚点" in problems[0].message


def test_all_duplicate_keys_are_reported() -> None:
    _, _, problems = parse("a: 1\na: 2\nb:\n  c: 1\n  c: 2\n")
    assert [(p.line, p.path) for p in problems] == [(2, "a"), (5, "b.c")]


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * 1_100_000 + b"\n")
    loaded = load_case(big)
    assert loaded.record is None and "文件过大" in loaded.problems[0].message


def test_missing_file_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    loaded = load_case(tmp_path / "nope.yaml")
    assert loaded.record is None and "无法读取文件" in loaded.problems[0].message


def test_validation_errors_name_file_line_field_and_label(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("applicant:\n  name: 张三\n  sex: no\n  colour: red\n", "utf-8")
    loaded = load_case(f)
    assert loaded.record is None
    text = "\n".join(str(p) for p in loaded.problems)
    assert f"{f}:3:8 applicant.sex（性别）: 应为 男、女 之一，实为「no」" in text
    assert f"{f}:4:3 applicant.colour: 未知字段「colour」" in text
    assert "home_unit（现工作单位）: 缺少必填项" in text
    assert f"{f}:1:1 applicant.ethnicity（民族）: 缺少必填项" in text or "applicant.ethnicity（民族）: 缺少必填项" in text


yaml_texts = st.text(alphabet=st.sampled_from(list(string.printable) + list("张三：－　—\u00a0\u200b\x0b\x00é𠮷")), max_size=300)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(yaml_texts)
def test_any_text_gives_a_record_or_clean_problems(tmp_path_factory, text: str) -> None:
    f = tmp_path_factory.mktemp("h") / "r.yaml"
    f.write_bytes(text.encode("utf-8", "surrogatepass"))
    for loader in (load_case, load_demand):
        loaded = loader(f)
        assert isinstance(loaded, Loaded)
        if loaded.record is None:
            assert loaded.errors, "a refused record must say why"
            for p in loaded.errors:
                assert str(p).startswith(str(f)) and p.message


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.text(max_size=8), lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=12))
def test_any_structure_validates_or_reports(data) -> None:
    from formkit.load import Positions, validate_data
    from formkit.model import Case

    record, problems = validate_data(data, Case, Positions(), "x.yaml")
    assert record is None and problems
