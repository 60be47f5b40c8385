"""第二条 before signing: a well-formed record of a person outside 第二条 is its own finding in
``formkit check`` (exit 1), ``render``/``batch`` refuse that person's 附件2 and 服务协议 (not 附件3)
unless ``--allow-ineligible``, and a title or 执业医师资格 obtained after the agreement was signed
is part of the decision (rules.eligibility), with its article."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from formkit.cli import main
from formkit.facts import derive
from formkit.load import load_case
from formkit.rules.eligibility import ReasonKind, eligibility

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
PU = CASES / "pu-lifen.yaml"  # 一级教师 (中级) since 2016-08, signed 2019-08-26, no 执业资格
LI = CASES / "li-mingzhe.yaml"  # 主治医师 since 2012-12 and 执业医师资格, signed 2014-02-24
ZHOU = CASES / "zhou-guodong.yaml"  # served in 娜姑镇


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def variant(tmp_path: Path, source: Path, name: str, *edits: tuple[str, str]) -> Path:
    text = source.read_text("utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def late_title(tmp_path: Path) -> Path:
    return variant(tmp_path, PU, "late-title.yaml", ("title_date: 2016-08", "title_date: 2019-10"))


def in_a_village(tmp_path: Path) -> Path:
    return variant(tmp_path, ZHOU, "village.yaml", ("township: 娜姑镇", "township: 娜姑村"))


LATE_TITLE = "职称「一级教师」（中级）2019年10月才取得，晚于协议签订日期 2019年8月26日；签订协议时尚无中级以上职称或执业医师资格（第二条）"
VILLAGE = "服务地「娜姑村」不是乡镇；第二条限乡镇企事业单位（第二条）"


# ------------------------------------------------------------------ the rule


def test_title_obtained_after_signing_is_a_second_article_reason(tmp_path: Path) -> None:
    case = load_case(late_title(tmp_path)).record
    elig = eligibility(case)
    assert not elig.eligible
    assert [(r.kind, r.article) for r in elig.reasons] == [(ReasonKind.QUALIFIED_AFTER_SIGNING, "第二条")]
    assert elig.reason_texts == (LATE_TITLE,)
    facts = derive(case, date(2026, 11, 30))
    assert {i.status for i in facts.subsidy.items} == {"ineligible"}  # and no subsidy (第二条)


def test_title_obtained_in_the_month_of_signing_counts() -> None:
    case = load_case(PU).record
    q = case.qualification.model_copy(update={"title_date": date(2019, 8, 1)})
    assert eligibility(case.model_copy(update={"qualification": q})).eligible


def test_late_title_with_practice_qualification_in_time_is_eligible_late_practice_is_not() -> None:
    case = load_case(LI).record
    q = case.qualification.model_copy(update={"title_date": date(2015, 1, 1)})
    elig = eligibility(case.model_copy(update={"qualification": q}))
    assert elig.eligible and any("执业医师资格" in g for g in elig.grounds)
    q = q.model_copy(update={"practice_date": date(2014, 3, 1)})
    elig = eligibility(case.model_copy(update={"qualification": q}))
    assert not elig.eligible
    assert [r.kind for r in elig.reasons] == [ReasonKind.QUALIFIED_AFTER_SIGNING]
    assert "职称「主治医师」（中级）2015年1月才取得，执业医师资格2014年3月才取得，晚于协议签订日期 2014年2月24日" \
        in elig.reasons[0].text


def test_samples_are_all_eligible() -> None:
    for path in sorted(CASES.glob("*.yaml")):
        assert derive(load_case(path).record, date.today()).eligibility.eligible, path


def test_explain_names_the_late_title_with_its_article(tmp_path: Path) -> None:
    result = run("explain", late_title(tmp_path), "--as-of", "2026-11-30")
    assert "资格（第二条）：不符合" in result.output, result.output
    assert f"  ✗ {LATE_TITLE}" in result.output


# ------------------------------------------------------------------ check


def test_check_reports_ineligible_records_apart_and_exits_1(tmp_path: Path) -> None:
    late, village = late_title(tmp_path), in_a_village(tmp_path)
    variant(tmp_path, LI, "good.yaml")
    result = run("check", tmp_path)
    assert result.exit_code == 1, result.output
    assert f"{late}: 不符合第二条（不能签订协议）：{LATE_TITLE}" in result.output, result.output
    assert f"{village}: 不符合第二条（不能签订协议）：{VILLAGE}" in result.output
    assert "检查 3 份记录：3 份有效，0 份有误；2 份不符合第二条（不能签订协议）；1 份有警告" in result.output
    assert "good.yaml: 不符合" not in result.output


def test_check_of_eligible_records_exits_0(tmp_path: Path) -> None:
    result = run("check", variant(tmp_path, LI, "good.yaml"))
    assert result.exit_code == 0, result.output
    assert "不符合第二条" not in result.output


# ------------------------------------------------------------------ render and batch

REFUSED = "不符合第二条，不能签订协议，不予生成申请登记表、服务协议（确需生成时加 --allow-ineligible）："


def docs(out: Path) -> set[str]:
    return {p.name.split("_")[0] for p in out.rglob("*.docx") if "superseded" not in p.parts}


def test_render_refuses_application_and_agreement_of_an_ineligible_person(tmp_path: Path) -> None:
    record, out = late_title(tmp_path), tmp_path / "out"
    result = run("render", record, "--forms", "附件2,服务协议", "--format", "docx", "--out", out)
    assert result.exit_code == 1, result.output
    assert f"{record}: {REFUSED}{LATE_TITLE}" in result.output, result.output
    assert "0 份记录成功，1 份失败" in result.output
    assert docs(out) == set()


def test_render_still_makes_the_appraisal_of_an_ineligible_person(tmp_path: Path) -> None:
    record, out = in_a_village(tmp_path), tmp_path / "out"
    result = run("render", record, "--format", "docx", "--out", out)
    assert result.exit_code == 1, result.output
    assert VILLAGE in result.output and "未生成申请登记表、服务协议" in result.output
    assert "0 份记录成功，1 份失败" in result.output
    assert docs(out) == {"考核鉴定表"}
    only = run("render", record, "--forms", "附件3", "--format", "docx", "--out", tmp_path / "only")
    assert only.exit_code == 0, only.output
    assert "不符合第二条" not in only.output


def test_render_allow_ineligible_renders_and_says_so(tmp_path: Path) -> None:
    record, out = late_title(tmp_path), tmp_path / "out"
    result = run("render", record, "--forms", "附件2,协议", "--format", "docx", "--out", out, "--allow-ineligible")
    assert result.exit_code == 0, result.output
    assert f"{record}: 警告: 不符合第二条，已按 --allow-ineligible 仍生成申请登记表、服务协议：{LATE_TITLE}" \
        in result.output, result.output
    assert "不符合第二条，按 --allow-ineligible 仍生成" in result.output
    assert docs(out) == {"申请登记表", "服务协议"}


def test_batch_refuses_and_allows(tmp_path: Path) -> None:
    record, good, out = late_title(tmp_path), variant(tmp_path, LI, "good.yaml"), tmp_path / "out"
    result = run("batch", record, good, "--forms", "附件2", "--out", out, "--jobs", "1", "--no-progress")
    assert result.exit_code == 1, result.output
    assert f"失败 {record}" in result.output and LATE_TITLE in result.output, result.output
    assert "1 份记录成功，1 份失败" in result.output
    assert docs(out) == {"申请登记表"}
    allowed = run("batch", record, "--forms", "附件2", "--out", out, "--jobs", "1", "--no-progress",
                  "--allow-ineligible")
    assert allowed.exit_code == 0, allowed.output
    assert f"不符合第二条，仍生成 {record}" in allowed.output and LATE_TITLE in allowed.output
