"""The people roster: ``formkit new 名单`` writes the blank workbook, ``formkit import`` reads it
back (every bad cell named, all at once), plans new records, updates and errors, and writes only
when confirmed."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from formkit.cli import main
from formkit.jobs.roster_import import apply_import, file_stem, plan_import
from formkit.load import load_case
from formkit.load.records import is_draft, parse_yaml
from formkit.load.roster import ROSTER_SHEET, read_roster, roster_columns
from formkit.model import ETHNIC_GROUPS, Case

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "cases"


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def sample(name: str) -> dict:
    data, _, _ = parse_yaml((SAMPLES / f"{name}.yaml").read_bytes(), name)
    return data


@pytest.fixture()
def blank(tmp_path: Path) -> Path:
    out = tmp_path / "名单.xlsx"
    result = run("new", "名单", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def fill(path: Path, rows: dict[int, dict], raw: dict[tuple[int, str], object] | None = None) -> Path:
    """Put records (by their data) in sheet rows; ``raw`` sets cells by (row, header) as given."""
    wb = load_workbook(path)
    ws = wb[ROSTER_SHEET]
    columns = roster_columns()
    for r, data in rows.items():
        for i, c in enumerate(columns, start=1):
            value = data.get(c.path[0], {}).get(c.path[1])
            if value is not None:
                ws.cell(row=r, column=i, value=value)
    for (r, header), value in (raw or {}).items():
        i = 1 + next(k for k, c in enumerate(columns) if c.header == header)
        ws.cell(row=r, column=i, value=value)
    wb.save(path)
    return path


def letter(header: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(1 + next(k for k, c in enumerate(roster_columns()) if c.header == header))


# --------------------------------------------------------------------------- the blank roster


def test_the_blank_roster_has_the_models_columns_drop_downs_and_instructions(blank: Path) -> None:
    wb = load_workbook(blank)
    assert wb.sheetnames[0] == ROSTER_SHEET and "说明" in wb.sheetnames
    ws = wb[ROSTER_SHEET]
    headers = [ws.cell(row=2, column=i).value for i in range(1, ws.max_column + 1)]
    for header in ("姓名", "性别", "民族", "出生年月", "政治面貌", "公民身份号码", "学历", "学位", "毕业院校", "所学专业",
                   "参加工作时间", "现从事专业", "现任职务", "手机", "通讯地址", "邮政编码", "现工作单位", "单位级别",
                   "单位所在地行政区划代码", "上级主管部门", "职称", "执业资格", "服务地县（市、区）代码", "服务乡（镇）",
                   "服务单位", "服务岗位", "服务起始日期", "服务截止日期", "协议签订日期"):
        assert header in headers, header
    # every header is the model's label of its field (the unit sections' name: the section's title)
    for c in roster_columns():
        section = Case.model_fields[c.path[0]]
        label = section.annotation.model_fields[c.path[1]].title
        assert c.header in (label, section.title)
    assert "简历" not in "".join(headers) and "照片" not in headers
    assert ws.cell(row=3, column=headers.index("公民身份号码") + 1).number_format == "@"
    # drop-downs: 性别, 民族 (56, from a hidden sheet), 单位级别, 学历 (suggestions), 职称等级
    options = wb["选项"]
    assert options.sheet_state == "hidden"
    lists = {}
    for dv in ws.data_validations.dataValidation:
        col = str(dv.sqref).split(":")[0].rstrip("0123456789")
        header = headers[[letter(h) for h in headers].index(col)]
        ref = dv.formula1.split("!")[1].replace("$", "")
        first, last = ref.split(":")
        values = [c.value for row in options[first:last] for c in row]
        lists[header] = (values, dv.errorStyle)
    assert lists["性别"] == (["男", "女"], "stop")
    assert lists["民族"][0] == ETHNIC_GROUPS and len(lists["民族"][0]) == 56
    assert lists["单位级别"][0][:3] == ["省属", "州(市)属", "县(市、区)属"]
    assert "大学本科" in lists["学历"][0] and lists["学历"][1] == "warning"
    assert "职称等级" in lists
    guide = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "formkit import" in guide and "草稿" in guide
    assert "与居民身份证一致" in guide  # each column explained by its new_case.yaml comment
    assert "本行" not in guide and "引号" not in guide
    # formkit new roster (English) writes the same; a non-.xlsx target is refused
    again = blank.parent / "roster2.xlsx"
    assert run("new", "roster", "--out", str(again)).exit_code == 0
    assert again.read_bytes() == blank.read_bytes()
    refused = run("new", "名单", "--out", str(blank.parent / "x.yaml"))
    assert refused.exit_code == 2 and "--out 名单.xlsx" in refused.output
    assert run("schema", "名单").exit_code == 2


def test_a_blank_roster_reads_as_no_rows(blank: Path) -> None:
    roster = read_roster(blank)
    assert roster.problems == [] and roster.rows == []


# --------------------------------------------------------------------------- reading and checking


def test_every_bad_cell_is_named_as_the_clerk_sees_it_all_at_once(blank: Path, tmp_path: Path) -> None:
    good = sample("ma-jun")
    bad = sample("wang-yan")
    bad["applicant"]["id_number"] = bad["applicant"]["id_number"][:-1] + "9"  # wrong check digit
    bad["agreement"]["start"] = "2021-02-30"
    bad["applicant"]["ethnicity"] = "彝"
    fill(blank, {3: good, 4: bad}, {(5, "姓名"): "赵六", (5, "手机"): 13912345678})
    roster = read_roster(blank)
    texts = [str(p) for p in roster.all_problems]
    id_cell = f"{ROSTER_SHEET}!{letter('公民身份号码')}4"
    assert any(t.startswith(f"{blank}: {id_cell} 公民身份号码（公民身份号码）: 校验码") for t in texts), texts
    assert any(f"{ROSTER_SHEET}!{letter('服务起始日期')}4 服务起始日期（服务起始日期）: 不存在的日期 2021-02-30" in t
               for t in texts), texts
    assert any(f"{ROSTER_SHEET}!{letter('民族')}4 民族（民族）: 「彝」不是56个民族的规范名称之一" in t and "彝族" in t
               for t in texts), texts
    assert any(f"{ROSTER_SHEET}!{letter('公民身份号码')}5 公民身份号码（公民身份号码）: 此格为空" in t for t in texts), texts
    assert all(bad["applicant"]["id_number"] not in t for t in texts)  # masked
    rows = {r.row: r for r in roster.rows}
    assert rows[3].ok and not rows[4].ok and not rows[5].ok


def test_cross_field_checks_run_on_a_complete_row(blank: Path) -> None:
    person = sample("ma-jun")
    person["applicant"]["sex"] = "女"  # the ID number says 男
    fill(blank, {3: person})
    texts = [str(p) for p in read_roster(blank).all_problems]
    assert any(f"{ROSTER_SHEET}!{letter('性别')}3 性别（性别）: 与公民身份号码不符" in t for t in texts), texts
    assert not any("简历" in t for t in texts)  # the stand-ins for the free text are not reported


def test_dates_and_numbers_a_spreadsheet_typed_are_read_as_the_record_needs(blank: Path) -> None:
    person = sample("ma-jun")
    fill(blank, {3: person}, {(3, "出生年月"): datetime(1992, 4, 1), (3, "服务起始日期"): date(2020, 7, 1),
                              (3, "手机"): 15187165803, (3, "公民身份号码"): 532231199204110351.0})
    roster = read_roster(blank)
    row = roster.rows[0]
    assert row.data["applicant"]["birth_month"] == "1992-04"
    assert row.data["agreement"]["start"] == "2020-07-01"
    assert row.data["applicant"]["mobile"] == "15187165803"
    texts = [str(p) for p in row.problems]
    assert any(f"{letter('公民身份号码')}3" in t and "长数字以数值存储" in t for t in texts), texts


# --------------------------------------------------------------------------- planning and writing


def test_import_plans_new_drafts_and_updates_and_writes_only_when_confirmed(blank: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "cases").mkdir(parents=True)
    shutil.copy(SAMPLES / "wang-yan.yaml", data / "cases" / "wang-yan.yaml")
    (data / "cases" / "ma-jun.yaml").write_text("# 另一个人的文件，同名\n" + (SAMPLES / "bai-zhongrong.yaml").read_text("utf-8"),
                                                "utf-8")
    before = {p.name: p.read_bytes() for p in (data / "cases").iterdir()}
    changed = sample("wang-yan")
    changed["applicant"]["mobile"] = "13900001111"
    del changed["applicant"]["position"]  # a blank cell changes nothing
    fill(blank, {3: sample("ma-jun"), 4: changed})

    declined = run("import", str(blank), "--into", str(data), input="n\n")
    assert declined.exit_code == 0, declined.output
    assert "第3行 马俊（5322**********0351）：新建" in declined.output
    assert "ma-jun-2.yaml" in declined.output  # ma-jun.yaml is another person's: never overwritten
    assert "（草稿；待填写：学习及工作简历、主要专业技术工作业绩、到基层服务工作计划）" in declined.output
    assert "第4行 王䶮（5323**********0754）：更新" in declined.output
    assert "手机：138****5071 → 139****1111" in declined.output
    assert "现任职务" not in declined.output
    assert "名单 2 行：新建 1（其中草稿 1），更新 1，无变化 0，有误 0" in declined.output
    assert "确认写入？" in declined.output and "未写入任何文件" in declined.output
    assert {p.name: p.read_bytes() for p in (data / "cases").iterdir()} == before

    accepted = run("import", str(blank), "--into", str(data), input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert "已写入 2 份记录（其中草稿 1 份）" in accepted.output
    new = data / "cases" / "ma-jun-2.yaml"
    assert is_draft(new) and (data / "cases" / "ma-jun.yaml").read_bytes() == before["ma-jun.yaml"]
    written, _, _ = parse_yaml(new.read_bytes(), "x")
    assert written["applicant"] == sample("ma-jun")["applicant"] and "resume" not in written
    updated = load_case(data / "cases" / "wang-yan.yaml")
    assert updated.ok and updated.record.applicant.mobile == "13900001111"
    assert updated.record.applicant.position == sample("wang-yan")["applicant"]["position"]

    again = run("import", str(blank), "--into", str(data), "--yes")
    assert again.exit_code == 0 and "名单 2 行：新建 0（其中草稿 0），更新 0，无变化 2，有误 0" in again.output
    assert "没有需要写入的内容" in again.output
    checked = run("check", str(data))
    assert "1 份草稿" in checked.output


def test_a_roster_with_an_error_writes_nothing_and_exits_1(blank: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    bad = sample("wang-yan")
    bad["applicant"]["id_number"] = bad["applicant"]["id_number"][:-1] + "9"
    fill(blank, {3: sample("ma-jun"), 6: bad})
    result = run("import", str(blank), "--into", str(data), "--yes")
    assert result.exit_code == 1, result.output
    assert f"{ROSTER_SHEET}!{letter('公民身份号码')}6 公民身份号码（公民身份号码）: 校验码" in result.output
    assert "第6行 王䶮" in result.output and "有误" in result.output
    assert "名单有 1 处错误，未写入任何文件" in result.output
    assert not data.exists() or not any(data.rglob("*.yaml"))
    plan = plan_import(blank, data)
    with pytest.raises(Exception, match="未写入任何文件"):
        apply_import(plan)


def test_an_update_that_would_break_a_valid_record_is_refused_at_the_cell(blank: Path, tmp_path: Path) -> None:
    data = tmp_path / "cases"
    data.mkdir()
    shutil.copy(SAMPLES / "ma-jun.yaml", data / "ma-jun.yaml")
    person = {"applicant": {"name": "马俊", "id_number": "532231199204110351"},
              "agreement": {"signed_on": "2020-08-01"}}  # after the start: a cross-field fault
    fill(blank, {3: person})
    plan = plan_import(blank, data)
    assert plan.rows[0].action == "error", plan.rows
    texts = [str(p) for p in plan.errors]
    assert any(f"{letter('协议签订日期')}3 协议签订日期（协议签订日期）: 更新后此人的记录 ma-jun.yaml 将有误" in t
               for t in texts), texts


def test_two_rows_of_one_person_are_refused(blank: Path, tmp_path: Path) -> None:
    fill(blank, {3: sample("ma-jun"), 4: sample("ma-jun")})
    plan = plan_import(blank, tmp_path)
    assert [r.action for r in plan.rows] == ["new", "error"]
    assert "与第 3 行是同一个公民身份号码" in str(plan.rows[1].problems[0])


def test_file_names_are_the_pinyin_of_the_name_and_safe() -> None:
    assert file_stem("马俊") == "ma-jun"
    assert file_stem("阿依古丽·买买提") .startswith("a-yi-gu-li")
    assert file_stem("王䶮") in ("wang-yan", "wang-䶮")
    assert "/" not in file_stem("../etc") and file_stem("CON") != "CON"


def test_an_unreadable_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    bogus = tmp_path / "名单.xlsx"
    bogus.write_bytes(b"not a zip")
    result = run("import", str(bogus), "--into", str(tmp_path))
    assert result.exit_code == 1 and "不是可读的 .xlsx 文件" in result.output
    old = tmp_path / "名单.xls"
    old.write_bytes(b"x")
    assert "另存为 .xlsx" in run("import", str(old), "--into", str(tmp_path)).output


def test_an_upload_is_named_by_its_own_file_name(blank: Path, tmp_path: Path) -> None:
    bad = sample("wang-yan")
    bad["applicant"]["id_number"] = bad["applicant"]["id_number"][:-1] + "9"
    fill(blank, {3: bad})
    plan = plan_import(blank, tmp_path, shown_as="三月名单.xlsx")
    assert str(plan.errors[0]).startswith(f"三月名单.xlsx: {ROSTER_SHEET}!{letter('公民身份号码')}3 ")


def test_a_record_writing_the_check_character_in_lower_case_is_still_the_same_person(blank: Path,
                                                                                      tmp_path: Path) -> None:
    from tests.gen_cases import generate_cases

    person = next(g for g in generate_cases([("532500", "term2", 12)], 2025) if g.id_number.endswith("X"))
    (tmp_path / "p.yaml").write_text(person.yaml.replace(person.id_number, person.id_number[:17] + "x"), "utf-8")
    data, _, _ = parse_yaml(person.yaml.encode("utf-8"), "x")
    fill(blank, {3: data})
    plan = plan_import(blank, tmp_path)
    assert [r.action for r in plan.rows] == ["update"], plan.rows  # the same person, not a new record
    assert plan.rows[0].path == tmp_path / "p.yaml"
    assert plan.rows[0].changes == ("公民身份号码：" + f"{person.id_number[:4]}{'*' * 10}{person.id_number[14:17]}x → "
                                    f"{person.id_number[:4]}{'*' * 10}{person.id_number[14:]}",)


def test_blanks_around_a_cell_are_not_kept(blank: Path, tmp_path: Path) -> None:
    person = sample("ma-jun")
    fill(blank, {3: person}, {(3, "姓名"): "  马俊 ", (3, "职称"): "   "})
    row = read_roster(blank).rows[0]
    assert row.data["applicant"]["name"] == "马俊"
    assert "title" not in row.data.get("qualification", {})  # a cell of blanks is an empty cell


def test_generated_records_go_through_the_roster_unchanged(blank: Path) -> None:
    """Every roster field of 30 generated records, typed into the blank roster, reads back as the
    record holds it, without a problem (leading zeros, X check characters, dates as text)."""
    from tests.gen_cases import generate_cases

    generated = generate_cases([("532500", "term2", 10), ("530100", "both", 10), ("533100", "year3", 10)], 2025)
    records = [parse_yaml(g.yaml.encode("utf-8"), g.stem)[0] for g in generated]
    fill(blank, {3 + i: data for i, data in enumerate(records)})
    roster = read_roster(blank)
    assert roster.problems == [] and len(roster.rows) == len(records)
    for row, data in zip(roster.rows, records):
        assert row.ok, [str(p) for p in row.problems]
        expected = {s: {k: v for k, v in data[s].items() if (s, k) in {c.path for c in roster_columns()}}
                    for s in ("applicant", "home_unit", "qualification", "service", "agreement")}
        assert row.data == {s: v for s, v in expected.items() if v}
