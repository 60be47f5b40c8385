"""One ``formkit check`` run reports every problem of a record (issue 12 item 5): text, YAML
structure, fields, placeholders, cross-field rules and duplicates across files together; where a
later stage cannot run, one line says so."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from formkit.cli import main
from formkit.load import load_record
from formkit.load.records import STOPPED_CROSS, STOPPED_SYNTAX

ROOT = Path(__file__).parent.parent
SAMPLE = (ROOT / "data" / "cases" / "bai-zhongrong.yaml").read_text(encoding="utf-8")
ID = "532723197910160135"


def _write(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _messages(path: Path) -> list[str]:
    loaded = load_record(path)
    assert not loaded.ok and loaded.record is None
    return [str(p) for p in loaded.problems]


def test_bad_id_check_digit_and_placeholders_in_one_run(tmp_path):
    text = SAMPLE.replace(ID, ID[:-1] + "4").replace("name: 白忠荣", "name: 张某某")
    text = text.replace("school: 云南农业大学", "school: 某某大学")
    path = _write(tmp_path, text)
    messages = _messages(path)
    assert f"{path}:13:14 applicant.id_number（公民身份号码）: 校验码不符 — 应为 5，实为 4" in messages
    assert f"{path}:8:9 applicant.name（姓名）: 仍是示例占位内容（含「某某」），请填写真实内容" in messages
    assert f"{path}:15:11 applicant.school（毕业院校）: 仍是示例占位内容（含「某某」），请填写真实内容" in messages
    assert messages[-1] == f"{path}: {STOPPED_CROSS}"
    assert STOPPED_CROSS == "其余跨字段检查需先改正以上错误"


def test_field_error_in_placeholder_field_is_said_once(tmp_path):
    path = _write(tmp_path, SAMPLE.replace('"13578939156"', '"1357893某某56"'))
    messages = [m for m in _messages(path) if "applicant.mobile" in m]
    assert messages == [f"{path}:20:11 applicant.mobile（手机）: 手机号码只能含数字（可带空格、短横线和 +86）"]


def test_structure_problem_and_cross_field_fault_together(tmp_path):
    # a duplicate key (YAML structure) and a sex that contradicts the ID number (cross-field)
    text = SAMPLE.replace("  sex: 男\n", "  sex: 女\n  sex: 女\n", 1)
    path = _write(tmp_path, text)
    messages = _messages(path)
    assert any(":10:3 applicant.sex（性别）: 重复的键「sex」" in m for m in messages), messages
    assert any(":9:8 applicant.sex（性别）: 与公民身份号码不符" in m for m in messages), messages
    assert not any(STOPPED_CROSS in m for m in messages)


def test_control_character_and_other_fields_together(tmp_path):
    text = SAMPLE.replace("political_status: 群众", "political_status: 群\x07众").replace(
        "birth_month: 1979-10", "birth_month: 1979-13")
    path = _write(tmp_path, text)
    messages = _messages(path)
    assert any(":12:22 applicant.political_status" in m and "控制字符 U+0007" in m for m in messages), messages
    assert any(":11:16 applicant.birth_month（出生年月）: 月份应为 01–12" in m for m in messages), messages
    assert sum("political_status" in m for m in messages) == 1, messages  # not again as a field error
    assert messages[-1] == f"{path}: {STOPPED_CROSS}"


def test_yaml_syntax_error_says_that_nothing_else_could_be_checked(tmp_path):
    path = _write(tmp_path, SAMPLE.replace("  sex: 男\n", "  sex 男\n", 1))
    messages = _messages(path)
    assert messages[0].startswith(f"{path}:")
    assert "YAML 格式错误" in messages[0]
    assert messages[-1] == f"{path}: {STOPPED_SYNTAX}"


def test_file_level_refusal_adds_no_line(tmp_path):
    path = _write(tmp_path, "")
    assert [p.message for p in load_record(path).problems] == ["文件为空：没有任何记录内容"]


def test_placeholder_does_not_hide_the_appraisal_period_check():
    base = ROOT / "tests" / "bad_records" / "appraisal-period-mismatch.yaml"
    from formkit.load.checks import check_case
    from formkit.load.records import parse_yaml, validate_data
    from formkit.model import Case

    text = base.read_text(encoding="utf-8").replace("name: 杨晓东", "name: 杨某某")
    data, pos, problems = parse_yaml(text.encode(), "x.yaml")
    case, problems = validate_data(data, Case, pos, "x.yaml")
    assert case is not None, problems
    messages = [p.message for p in check_case(case)]
    assert any("某某" in m for m in messages)
    assert any("与第九条的考核周期不符" in m for m in messages), messages


def test_cli_reports_duplicate_ids_of_refused_records_with_their_other_problems(tmp_path):
    good = _write(tmp_path, SAMPLE, "a.yaml")
    bad = _write(tmp_path, SAMPLE.replace('"13578939156"', '"12578939156"'), "b.yaml")
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 1
    out = result.output
    assert f"{bad}:20:11 applicant.mobile（手机）: 手机号码第2位应为3–9" in out
    assert f"{bad}:13:15 applicant.id_number（公民身份号码）: 与 {good}:13 是同一个公民身份号码" in out
    assert f"{good}:13:15 applicant.id_number（公民身份号码）: 与 {bad}:13 是同一个公民身份号码" in out
    lines = [ln for ln in out.splitlines() if ln.startswith(str(bad))]
    assert lines[-1] == f"{bad}: {STOPPED_CROSS}"
    assert "检查 2 份记录：0 份有效，2 份有误" in out
