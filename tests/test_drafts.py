"""Drafts: a record saved before it validates is reported by ``check`` in one line and refused by
``render``, ``batch`` and ``declare``, while the other records are processed."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from click.testing import CliRunner

from formkit.cli import main
from formkit.load.records import parse_yaml
from formkit.load.write import save_case

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def make_draft(folder: Path, name: str = "draft.yaml", source: Path = ROOT / "data" / "cases" / "ma-jun.yaml") -> Path:
    data, _, _ = parse_yaml(source.read_bytes(), str(source))
    data["applicant"]["id_number"] = "530102199001011230"  # another person, and a wrong check digit
    del data["service_plan"]
    target = folder / name
    save_case(target, data, expected_sha256=None, draft=True)
    return target


def test_check_reports_a_draft_in_one_line_and_counts_it(tmp_path: Path) -> None:
    shutil.copy(ROOT / "data" / "cases" / "wang-yan.yaml", tmp_path / "wang-yan.yaml")
    draft = make_draft(tmp_path)
    result = run("check", str(tmp_path))
    assert result.exit_code == 1, result.output
    lines = [ln for ln in result.output.splitlines() if str(draft) in ln]
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"{draft}: 草稿（尚未完成，不生成文书）：2 处有误或待填写，如 ")
    assert "530102199001011230" not in result.output
    assert "formkit check --drafts" in lines[0]
    assert "检查 2 份记录：1 份有效，0 份有误，1 份草稿" in result.output
    detailed = run("check", "--drafts", str(tmp_path))
    assert "service_plan（到基层服务工作计划）: 缺少必填项" in detailed.output
    assert "校验码" in detailed.output


def test_a_finished_draft_says_so(tmp_path: Path) -> None:
    data, _, _ = parse_yaml((ROOT / "data" / "cases" / "wang-yan.yaml").read_bytes(), "x")
    save_case(tmp_path / "a.yaml", data, expected_sha256=None, draft=True)
    result = run("check", str(tmp_path))
    assert result.exit_code == 1
    assert "草稿（尚未完成，不生成文书）：内容已可通过检查" in result.output
    assert "检查 1 份记录：0 份有效，0 份有误，1 份草稿" in result.output


def test_render_refuses_a_draft_and_renders_the_others(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(ROOT / "data" / "cases" / "wang-yan.yaml", cases / "wang-yan.yaml")
    draft = make_draft(cases)
    out = tmp_path / "out"
    result = run("render", str(cases), "--out", str(out), "--forms", "服务协议", "--format", "docx")
    assert result.exit_code == 1, result.output
    assert f"{draft}:1:1: 这是草稿（第一行为「# 草稿：」），尚未完成，不生成文书" in result.output
    assert "1 份记录成功，1 份失败" in result.output
    made = sorted(p.name for p in out.rglob("*.docx"))
    assert made and all("王䶮" in name for name in made)


def test_batch_and_declare_refuse_a_draft_and_process_the_others(tmp_path: Path) -> None:
    from gen_cases import generate_cases, write_cases

    cases = tmp_path / "cases"
    generated = generate_cases([("532500", "term2", 2)], 2025)
    write_cases(generated, cases)
    draft = make_draft(cases, "zz-draft.yaml", cases / f"{generated[0].stem}.yaml")
    out = tmp_path / "out"
    result = run("batch", str(cases), "--forms", "附件3", "--out", str(out), "--jobs", "1", "--no-progress")
    assert result.exit_code == 1, result.output
    assert "这是草稿" in result.output and str(draft) in result.output
    assert "批量生成：2 份记录成功，1 份失败" in result.output
    declared = run("declare", str(cases), "--prefecture", "532500", "--year", "2025", "--out", str(tmp_path / "d"),
                   "--no-bundle", "--format", "xlsx")
    assert declared.exit_code == 1, declared.output
    assert f"{draft}: 草稿（尚未完成），未列入申报；完成后保存为正式记录，再重新申报" in declared.output
    assert "名册 2 人" in declared.output
