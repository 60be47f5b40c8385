"""The command line speaks Chinese: help, click's own usage and error messages, and the Chinese
words a clerk types as option values (formkit.cli_zh)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from formkit.cli import main
from formkit.cli_zh import term_len, wrap_text

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "data" / "cases" / "wang-yan.yaml"
DEMAND = ROOT / "data" / "demand" / "huize-2026.yaml"

# Three English words in a row (option names, metavars and paths do not match: they hold - / . _).
ENGLISH_SENTENCE = re.compile(r"(?<![-\w./])[A-Za-z]+(?:,? [A-Za-z']+){2,}(?![-\w./])")
CLICK_ENGLISH = ("Usage", "Options", "Commands", "Show this", "Error", "default:", "required]", "Missing",
                 "No such", "Invalid value", "is not")


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize("name", ["", *sorted(main.commands)])
def test_help_has_no_english_sentence(name: str) -> None:
    result = run(*([name] if name else []), "--help")
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("用法："), text
    assert "选项：" in text and "显示本帮助并退出。" in text
    assert not ENGLISH_SENTENCE.findall(text), ENGLISH_SENTENCE.findall(text)
    for word in CLICK_ENGLISH:
        assert word not in text, (word, text)


def test_missing_required_option_is_chinese_and_says_what_it_is() -> None:
    result = run("declare", CASE, "--year", "2021")
    assert result.exit_code == 2
    assert "错误：缺少选项 --prefecture（州（市）的行政区划代码，如 532500）。" in result.output, result.output
    assert "用法：" in result.output and "查看帮助" in result.output
    assert "Usage" not in result.output and "Error" not in result.output


def test_missing_argument_is_chinese() -> None:
    result = run("check")
    assert result.exit_code == 2 and "错误：缺少参数 路径..." in result.output, result.output


def test_bad_choice_is_chinese() -> None:
    result = run("demand", DEMAND, "--level", "国", "--year", "2026")
    assert result.exit_code == 2
    assert "'--level' 的值无效：'国' 不是可用的值；应为 县|州|省" in result.output, result.output
    result = run("schema", "国")
    assert result.exit_code == 2 and "种类]' 的值无效" in result.output, result.output


def test_unknown_option_and_extra_argument_are_chinese() -> None:
    result = run("render", CASE, "--bogus")
    assert result.exit_code == 2 and "错误：没有选项 '--bogus'。" in result.output, result.output
    result = run("diff", CASE, CASE)
    assert result.exit_code == 2 and "错误：多余的参数" in result.output, result.output
    result = run("frobnicate")
    assert result.exit_code == 2 and "错误：没有命令 'frobnicate'。" in result.output, result.output
    result = run("render", CASE, "--wait", "abc")
    assert result.exit_code == 2 and "'abc' 不是数字" in result.output, result.output
    result = run("render", CASE, "--forms")
    assert result.exit_code == 2 and "错误：选项 '--forms' 后面需要一个值。" in result.output, result.output


def test_bad_forms_value_lists_the_chinese_names() -> None:
    result = run("render", CASE, "--forms", "附件9", "--out", "unused")
    assert result.exit_code == 2
    assert "--forms 只能取 附件2（申请登记表，application）" in result.output and "实为 附件9" in result.output


@pytest.mark.parametrize("words, expected", [
    ("附件2", {"申请登记表"}),
    ("协议，附件2", {"申请登记表", "服务协议"}),
    ("附件3、申请登记表", {"申请登记表", "考核鉴定表"}),
    ("考核鉴定表", {"考核鉴定表"}),
])
def test_chinese_form_names_render_end_to_end(tmp_path: Path, words: str, expected: set[str]) -> None:
    result = run("render", CASE, "--forms", words, "--format", "docx", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    made = {p.name.split("_")[0] for p in tmp_path.rglob("*.docx")}
    assert made == expected, made


@pytest.mark.parametrize("word", ["县", "county"])
def test_chinese_level_works(tmp_path: Path, word: str) -> None:
    result = run("demand", DEMAND, "--level", word, "--year", "2026", "--format", "xlsx", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert "需求信息表" in result.output


@pytest.mark.parametrize("word, value", [("州", "prefecture"), ("州市", "prefecture"), ("州（市）", "prefecture"),
                                         ("省", "province"), ("县", "county"), ("province", "province")])
def test_level_words(word: str, value: str) -> None:
    option = next(p for p in main.commands["demand"].params if p.name == "level")
    assert option.type.convert(word, option, None) == value


def test_chinese_kinds() -> None:
    assert run("schema", "案卷").output == run("schema", "case").output
    assert run("schema", "需求").output == run("schema", "demand").output
    assert run("new", "需求").output == run("new", "demand").output
    assert run("new", "案卷").output == run("new", "case").output


def test_wrapping_counts_chinese_as_two_columns() -> None:
    text = "有误的记录会报告（文件、行、字段），其余记录照常生成；有失败时退出码为 1。" * 3
    lines = wrap_text(text, 40).splitlines()
    assert all(term_len(line) <= 40 for line in lines), lines
    assert not any(line[0] in "，。；）" for line in lines)
    assert "".join(lines) == text
