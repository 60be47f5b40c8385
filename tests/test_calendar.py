"""待办 (第三、九、十条): ``formkit calendar`` and ``formkit.jobs.calendar``, and the .ics file."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from icalendar import Calendar

from formkit.cli import main
from formkit.jobs.calendar import due_items, write_ics
from formkit.load import load_case

sys.path.insert(0, str(Path(__file__).parent))
from gen_cases import generate_cases, write_cases  # noqa: E402


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def folder(tmp_path: Path) -> tuple[Path, list]:
    generated = generate_cases([("532500", "awaiting", 1), ("532500", "term2", 1), ("530100", "not-yet-due", 1)], 2025)
    write_cases(generated, tmp_path / "cases")
    return tmp_path / "cases", generated


def test_the_year_lists_demand_dates_missing_appraisals_and_declarations(tmp_path: Path) -> None:
    cases_dir, generated = folder(tmp_path)
    awaiting, passed, later = generated
    cases = [(p, load_case(p).record) for p in sorted(cases_dir.glob("*.yaml"))]
    items = due_items(cases, 2025, date(2025, 12, 20))
    demand = [i for i in items if i.kind == "demand"]
    assert [(i.due, i.wording) for i in demand] == [(date(2025, 1, 1), "年初"), (date(2025, 3, 10), "3月初"),
                                                    (date(2025, 4, 10), "4月初"), (date(2025, 5, 10), "5月初")]
    assert all(i.article == "第三条" and i.state == "done" for i in demand)
    appraisals = [i for i in items if i.kind == "appraisal"]
    assert [i.title.split("：")[0] for i in appraisals] == [awaiting.name]  # recorded / not yet ended: not listed
    a = appraisals[0]
    assert a.article == "第九条" and a.state == "overdue" and "考核鉴定" in a.title
    assert "人力资源和社会保障局" in a.who and "附件3" in a.detail
    assert a.record.endswith(f"{awaiting.stem}.yaml")
    declarations = [i for i in items if i.kind == "declaration"]
    assert len(declarations) == 1 and declarations[0].due == date(2025, 12, 31)
    assert "红河哈尼族彝族自治州2025年度补贴申报" in declarations[0].title and declarations[0].article == "第十条"
    assert "目前可列入 1 人，核发 2 年" in declarations[0].detail
    assert items == sorted(items, key=lambda i: i.due)
    # the next year: the missing appraisal is still listed, overdue; the term ending then is listed too
    next_year = {i.title: i for i in due_items(cases, 2026, date(2026, 6, 1)) if i.kind == "appraisal"}
    assert next_year[a.title].state == "overdue"
    assert [t.split("：")[0] for t in next_year] == [awaiting.name, later.name]


def test_with_no_records_the_calendar_still_has_the_policy_dates() -> None:
    items = due_items([], 2026, date(2026, 1, 15))
    assert [i.kind for i in items] == ["demand"] * 4 + ["declaration"]
    assert [i.state for i in items][:2] == ["done", "open"]
    assert items[-1].wording == "当年年底前"


def test_formkit_calendar_prints_the_items_and_writes_an_ics_the_library_reads(tmp_path: Path) -> None:
    cases_dir, generated = folder(tmp_path)
    from formkit.load.records import parse_yaml
    from formkit.load.write import save_case

    data, _, _ = parse_yaml((cases_dir / f"{generated[0].stem}.yaml").read_bytes(), "x")
    data["applicant"]["id_number"] = "530102199001011230"
    save_case(cases_dir / "zz-draft.yaml", data, expected_sha256=None, draft=True)
    ics = tmp_path / "待办.ics"
    result = run("calendar", str(cases_dir), "--year", "2025", "--as-of", "2025-12-20", "--ics", str(ics))
    assert result.exit_code == 0, result.output
    assert "2025年待办（按 2025-12-20 计；3 份记录）：" in result.output
    assert "2025-03-10  3月初  需求信息（3月初）" in result.output
    assert f"{generated[0].name}：" in result.output and "[已到期，尚无结果]" in result.output
    assert "共 6 项，其中已到期尚无结果 1 项；1 份草稿未计入" in result.output
    assert "；formkit declare --prefecture " in result.output  # the command line says which command does it
    cal = Calendar.from_ical(ics.read_bytes())
    events = cal.walk("VEVENT")
    assert len(events) == 6
    assert not [str(e.get("DESCRIPTION")) for e in events if "formkit " in str(e.get("DESCRIPTION"))]  # no commands
    assert str(cal["X-WR-CALNAME"]) == "到基层服务待办 2025"
    first = events[0]
    assert first.decoded("DTSTART") == date(2025, 1, 1) and first.decoded("DTEND") == date(2025, 1, 2)
    assert "需求信息（年初）" in str(first["SUMMARY"]) and "第三条" in str(first["DESCRIPTION"])
    appraisal = next(e for e in events if generated[0].name in str(e["SUMMARY"]))
    assert "第九条" in str(appraisal["SUMMARY"]) and "状态：已到期，尚无结果" in str(appraisal["DESCRIPTION"])
    assert len({str(e["UID"]) for e in events}) == 6
    # the same inputs give the same file
    again = write_ics(due_items([(p, load_case(p).record) for p in sorted(cases_dir.glob("[!z]*.yaml"))], 2025,
                                date(2025, 12, 20)), 2025, date(2025, 12, 20))
    assert again == ics.read_bytes()


def test_an_invalid_record_is_reported_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("applicant: [\n", "utf-8")
    result = run("calendar", str(tmp_path), "--year", "2026", "--as-of", "2026-02-01")
    assert result.exit_code == 1 and "bad.yaml" in result.output and "1 份记录有误，未计入" in result.output
