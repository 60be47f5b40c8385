"""The command line: every command has help and is in the README; exit codes; schema; new."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from formkit.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_help_and_is_in_the_readme(name: str) -> None:
    result = run(name, "--help")
    assert result.exit_code == 0, result.output
    assert main.commands[name].help
    assert f"formkit {name}" in (ROOT / "README.md").read_text("utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text("utf-8").splitlines()[:8]
    assert any(line.startswith("make demo") for line in head)
    assert any(line.startswith("make test") for line in head)
    assert "make test" in (ROOT / ".ci" / "run").read_text("utf-8")


def test_schema_is_json_schema_with_chinese_titles() -> None:
    result = run("schema", "case")
    assert result.exit_code == 0
    doc = json.loads(result.output)
    applicant = doc["$defs"]["Applicant"]["properties"]
    assert applicant["id_number"]["title"] == "公民身份号码"
    assert applicant["id_number"]["type"] == "string"
    assert doc["additionalProperties"] is False
    demand = json.loads(run("schema", "demand").output)
    assert demand["$defs"]["DemandPost"]["properties"]["count"]["title"] == "需求人数"


def test_check_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run("check", str(tmp_path / "none"))
    assert result.exit_code == 2
    assert "找不到文件或目录" in result.output


def test_explain_rejects_a_bad_as_of() -> None:
    result = run("explain", "data/cases", "--as-of", "2026/11/30")
    assert result.exit_code == 2 and "--as-of 应为 年-月-日（如 2026-03-05），实为 '2026/11/30'" in result.output, result.output


def test_new_case_prints_a_commented_record_that_loads_once_filled(tmp_path: Path) -> None:
    result = run("new", "case")
    assert result.exit_code == 0
    text = result.output
    assert text.count("#") > 20 and "公民身份号码" in text and "applicant:" in text
    target = tmp_path / "x.yaml"
    assert run("new", "case", "--out", str(target)).exit_code == 0
    assert target.read_text("utf-8") == text
    again = run("new", "case", "--out", str(target))
    assert again.exit_code == 2 and "不覆盖" in again.output


def test_new_demand_is_refused_until_its_placeholders_are_replaced(tmp_path: Path) -> None:
    target = tmp_path / "demand" / "d.yaml"
    target.parent.mkdir()
    assert run("new", "demand", "--out", str(target)).exit_code == 0
    result = run("check", str(target))
    assert result.exit_code == 1 and "仍是示例占位内容（含「某某」）" in result.output
    target.write_text(target.read_text("utf-8").replace("某某", "大井"), "utf-8")
    assert run("check", str(target)).exit_code == 0, run("check", str(target)).output


def test_forms_prints_the_installed_forms_folder_and_copies_it_for_editing(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import formkit.forms

    monkeypatch.delenv("FORMKIT_FORMS", raising=False)
    installed = Path(formkit.forms.__file__).parent
    result = run("forms")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == str(installed)
    copy = tmp_path / "我的表单"
    result = run("forms", "--copy", str(copy))
    assert result.exit_code == 0 and "FORMKIT_FORMS" in result.output

    def files(root: Path) -> set[str]:
        return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}

    wanted = {f for f in files(installed) if not f.endswith((".py", ".pyc"))}
    assert "application/template.docx" in wanted and "_shared/base.html" in wanted
    assert files(copy) == wanted
    again = run("forms", "--copy", str(copy))
    assert again.exit_code == 2 and "已存在" in again.output
    monkeypatch.setenv("FORMKIT_FORMS", str(copy))
    assert run("forms").output.splitlines()[0] == str(copy)
