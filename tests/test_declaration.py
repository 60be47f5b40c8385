"""The year-end declaration of a 州(市) (第十条): 附件4 名册, 附件5 申报表, the bundle, exclusions.

Fixtures: 42 generated case records in three 州(市) (曲靖市, 红河州, 大理州) for 2025, every
scenario of ``gen_cases`` (2-year terms, late appraisals, year 3, both periods at once, a failed
year then a passing one; fewer than two years, failed, awaiting appraisal, not yet due, declared
in another year, agreement not performed). The expected rosters, totals and upper-case amounts
are written out below and also recomputed from the generator's own arithmetic, independently
of the rules. The CLI's files are opened — .docx with python-docx, PDFs with pdftotext, .xlsx
with openpyxl — and must show every person, every county, the totals in figures and in words.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pikepdf
import pytest
from click.testing import CliRunner

from formkit.cli import main
from formkit.rollup.declaration import CATEGORIES, build_declaration
from formkit.context.rollup import exclusions_report
from formkit.errors import DataConflict
from formkit.facts import derive
from formkit.context.filters import money_figures, rmb_upper
from formkit.load import load_case
from formkit.privacy import mask_id_number
from formkit.jobs.declaration import default_as_of
from gen_cases import SCENARIOS, generate_cases, write_cases

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2025
AS_OF = date(2025, 12, 31)
EXCLUDED = ["short", "failed", "awaiting", "not-yet-due", "other-year", "breach"]
LISTED = ["term2-late", "year3", "both", "fail-then-pass"]
PLAN = [(pref, scenario, n)
        for pref, term2 in (("530300", 3), ("532500", 4), ("532900", 5))
        for scenario, n in [("term2", term2), *((s, 1) for s in LISTED + EXCLUDED)]]
# written out by hand: term2 × n (2 years each) + 2 + 1 + 3 + 1 years
EXPECTED = {
    "530300": (7, 13, Decimal(130000), "人民币壹拾叁万元整"),
    "532500": (8, 15, Decimal(150000), "人民币壹拾伍万元整"),
    "532900": (9, 17, Decimal(170000), "人民币壹拾柒万元整"),
}


@pytest.fixture(scope="module")
def generated():
    return generate_cases(PLAN, YEAR)


@pytest.fixture(scope="module")
def folder(generated, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cases") / "cases"
    write_cases(generated, path)
    return path


@pytest.fixture(scope="module")
def entries(generated, folder):
    out = []
    for g in generated:
        loaded = load_case(folder / f"{g.stem}.yaml")
        assert loaded.ok and not loaded.problems, [str(p) for p in loaded.problems]
        out.append((loaded.record, derive(loaded.record, AS_OF), str(folder / f"{g.stem}.yaml")))
    return out


def test_fixture_has_thirty_cases_in_three_prefectures(generated) -> None:
    assert len(generated) >= 30
    assert {g.prefecture for g in generated} == set(EXPECTED)
    assert {g.scenario for g in generated} == set(SCENARIOS)
    assert any(g.id_number.endswith("X") for g in generated if g.years)


@pytest.mark.parametrize("prefecture", sorted(EXPECTED))
def test_roster_totals_and_upper_case_amounts(entries, generated, prefecture: str) -> None:
    decl = build_declaration(entries, prefecture, YEAR)
    people, years, amount, upper = EXPECTED[prefecture]
    assert (decl.total_people, decl.total_years, decl.total_amount) == (people, years, amount)
    assert rmb_upper(decl.total_amount) == upper

    # independently: the generator's expectations, grouped by county, in roster order
    mine = [g for g in generated if g.prefecture == prefecture and g.years]
    mine.sort(key=lambda g: (g.county, g.start, g.name, g.id_number))
    assert [r.id_number for r in decl.rows] == [g.id_number for g in mine]
    assert [r.years for r in decl.rows] == [g.years for g in mine]
    assert [r.amount for r in decl.rows] == [Decimal(g.amount) for g in mine]
    assert [r.number for r in decl.rows] == list(range(1, people + 1))
    per_county: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for g in mine:
        per_county[g.county][0] += 1
        per_county[g.county][1] += g.years
        per_county[g.county][2] += g.amount
    assert {c.county: [c.people, c.years, int(c.amount)] for c in decl.counties} == dict(per_county)
    assert [c.county for c in decl.counties] == sorted(per_county)
    # the 名册's totals and the 申报表's agree
    assert sum(r.years for r in decl.rows) == sum(c.years for c in decl.counties) == decl.total_years
    assert sum(r.amount for r in decl.rows) == sum(c.amount for c in decl.counties) == decl.total_amount
    assert decl.total_amount == decl.rate * decl.total_years
    assert decl.hr_department == {"530300": "曲靖市人力资源和社会保障局", "532500": "红河哈尼族彝族自治州人力资源和社会保障局",
                                  "532900": "大理白族自治州人力资源和社会保障局"}[prefecture]
    assert decl.finance_department == decl.hr_department.replace("人力资源和社会保障局", "财政局")


@pytest.mark.parametrize("prefecture", sorted(EXPECTED))
def test_everyone_else_is_excluded_with_reason_and_article(entries, generated, prefecture: str) -> None:
    decl = build_declaration(entries, prefecture, YEAR)
    assert decl.considered == len(generated) == len(decl.rows) + len(decl.exclusions)
    got = {x.id_number: x for x in decl.exclusions}
    for g in generated:
        if g.prefecture != prefecture:
            assert got[g.id_number].category == "other-prefecture"
        elif g.years == 0:
            assert got[g.id_number].category == g.category, (g.scenario, got[g.id_number].details)
    for x in decl.exclusions:
        assert x.article == CATEGORIES[x.category][1]
        assert x.details and all("第" in d and "条" in d for d in x.details)
    articles = {x.category: x.article for x in decl.exclusions}
    assert articles == {"other-prefecture": "第十条", "short": "第二、十三条", "failed": "第十三条",
                        "pending": "第九、十一条", "other-year": "第十条", "not-performed": "第十三条"}
    report = exclusions_report(decl)
    for x in decl.exclusions:
        assert x.name in report and mask_id_number(x.id_number) in report
        assert x.id_number not in report  # masked
    assert "服务不满2周年（第二、十三条）：1 人" in report
    # plain text for a clerk, not Markdown: no tables, no headings; every field labelled
    assert "|" not in report and "#" not in report
    for label in ("姓名：", "公民身份号码：", "服务县：", "原因：", "依据条款："):
        assert report.count(label) == len(decl.exclusions)
    assert f"  {len(decl.exclusions)}. 姓名：" in report  # numbered 序号 across categories
    assert f"列入名册 {EXPECTED[prefecture][0]} 人" in report and EXPECTED[prefecture][3] in report


def test_reasons_name_the_period_and_year(entries, generated) -> None:
    decl = build_declaration(entries, "530300", YEAR)
    by_scenario = {g.scenario: g.id_number for g in generated if g.prefecture == "530300"}
    details = {x.id_number: "；".join(x.details) for x in decl.exclusions}
    assert "不满2周年" in details[by_scenario["short"]]
    assert "考核不合格" in details[by_scenario["failed"]] and "第十三条" in details[by_scenario["failed"]]
    assert "尚无考核鉴定结果" in details[by_scenario["awaiting"]]
    assert "尚未期满" in details[by_scenario["not-yet-due"]]
    assert f"列入{YEAR - 1}年度申报" in details[by_scenario["other-year"]]
    assert "未按协议履职" in details[by_scenario["breach"]]
    rows = {r.id_number: r for r in decl.rows}
    assert rows[by_scenario["both"]].periods == "第1—2年、第3年"
    assert rows[by_scenario["year3"]].periods == "第3年"
    assert rows[by_scenario["fail-then-pass"]].periods == "第4年"


def test_samples_declarations() -> None:
    entries = []
    for path in sorted((ROOT / "data" / "cases").glob("*.yaml")):
        case = load_case(path).record
        entries.append((case, derive(case, date(2026, 12, 31)), str(path)))
    decl = build_declaration(entries, "532500", 2022)  # 普丽芬, year 3 of 建水县
    assert [(r.name, r.county_name, r.years, r.amount, r.grades) for r in decl.rows] == \
        [("普丽芬", "建水县", 1, Decimal(10000), "优秀")]
    decl = build_declaration(entries, "530100", 2022)  # 马俊, appraised 称职
    assert [(r.name, r.years, r.grades) for r in decl.rows] == [("马俊", 2, "合格（称职）")]
    decl = build_declaration(entries, "530800", 2021)  # 白忠荣: year 3 failed in 2021
    assert decl.rows == () and decl.total_amount == 0
    bai = next(x for x in decl.exclusions if x.name == "白忠荣")
    assert bai.category == "failed" and bai.details[0] == "第3年：考核不合格，依第十三条不享受该期工作岗位补贴"
    assert rmb_upper(decl.total_amount) == "人民币零元整"


def test_one_person_twice_is_refused(entries) -> None:
    listed = next(e for e in entries if build_declaration([e], "530300", YEAR).rows)
    with pytest.raises(DataConflict, match="同一人只能列一次"):
        build_declaration([listed, (listed[0], listed[1], "copy.yaml")], "530300", YEAR)


def test_default_as_of() -> None:
    assert default_as_of(2025, today=date(2026, 3, 1)) == date(2025, 12, 31)
    assert default_as_of(2026, today=date(2026, 11, 30)) == date(2026, 11, 30)


# --------------------------------------------------------------------------- CLI and files


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def _pdf_pages(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return ["".join(page.split()) for page in text.split("\f")[:-1]]


def _docx_cells(path: Path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def _declare(folder: Path, out: Path, *extra: str):
    result = run("declare", str(folder), "--prefecture", "530300", "--year", str(YEAR), "--as-of", AS_OF.isoformat(),
                 "--out", str(out), *extra)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def declared(folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("declared")
    return out, _declare(folder, out, "--jobs", "2")


def test_a_second_run_writes_nothing_and_a_missing_bundle_is_made_again(declared, folder, entries) -> None:
    out, printed = declared
    decl = build_declaration(entries, "530300", YEAR)
    documents = sum(1 + len(r.items) for r in decl.rows)
    assert f"新生成 {documents} 份，取自已出具文书 0 份" in printed
    bundle = out / f"补贴申报材料_曲靖市_{YEAR}.pdf"
    first = bundle.read_bytes()
    assert "相同，未重新生成" in _declare(folder, out)  # nothing changed: nothing is rewritten
    bundle.unlink()  # a missing file: the declaration is no longer current and is made again
    again = _declare(folder, out, "--workers", "1")  # the old name still works
    assert "已生成第 2 版" in again
    assert bundle.read_bytes() == first  # reproducible
    assert not (out / ".formkit-cache").exists()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_cli_writes_every_file_showing_every_person_and_total(declared, entries) -> None:
    out, printed = declared
    decl = build_declaration(entries, "530300", YEAR)
    people, years, amount, upper = EXPECTED["530300"]
    stem = f"曲靖市_{YEAR}"
    names = {p.name for p in out.iterdir()}
    assert names >= {f"期满人员名册_{stem}.{e}" for e in ("docx", "pdf", "xlsx")} | \
        {f"岗位补贴申报表_{stem}.{e}" for e in ("docx", "pdf", "xlsx")} | \
        {f"补贴申报材料_{stem}.pdf", f"未列入名册人员_{stem}.txt"}
    # no temporary files left: only the lock
    assert {n for n in names if n.startswith(".")} == {".formkit.lock"}
    assert f"名册 {people} 人，核发 {years} 年，补贴 {money_figures(amount)} 元（{upper}）" in printed
    assert "服务地不在本州（市）（第十条）：" in printed and "|---|" not in printed
    assert (out / f"未列入名册人员_{stem}.txt").read_text("utf-8") in printed

    roster_word = _docx_cells(out / f"期满人员名册_{stem}.docx")
    roster_pdf = "".join(_pdf_pages(out / f"期满人员名册_{stem}.pdf"))
    for r in decl.rows:
        assert r.id_number in roster_word and r.id_number in roster_pdf
        assert r.name in roster_word and r.name in roster_pdf
    assert f"{people}人" in roster_word and f"{people}人" in roster_pdf
    assert "曲靖市人力资源和社会保障局" in roster_word

    subsidy_word = _docx_cells(out / f"岗位补贴申报表_{stem}.docx")
    subsidy_pdf = "".join(_pdf_pages(out / f"岗位补贴申报表_{stem}.pdf"))
    for text in (subsidy_word, subsidy_pdf):
        for c in decl.counties:
            assert c.county_name in text and money_figures(c.amount) in text
        assert money_figures(amount) in text and upper in text
        assert "曲靖市人力资源和社会保障局意见" in text and "曲靖市财政局意见" in text
        assert "（盖章）" in text


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_bundle_is_in_filing_order_with_the_declared_appraisals(declared, entries, generated) -> None:
    out, _ = declared
    decl = build_declaration(entries, "530300", YEAR)
    bundle = out / f"补贴申报材料_曲靖市_{YEAR}.pdf"
    pages = _pdf_pages(bundle)
    roster_pages = len(_pdf_pages(out / f"期满人员名册_曲靖市_{YEAR}.pdf"))
    subsidy_pages = len(_pdf_pages(out / f"岗位补贴申报表_曲靖市_{YEAR}.pdf"))
    assert "云南省专业技术人员到基层服务期满人员名册" in pages[0]
    assert "岗位补贴申报表" in pages[roster_pages]
    scenario = {g.id_number: g.scenario for g in generated}
    with pikepdf.open(bundle) as pdf:
        assert len(pdf.pages) == len(pages)
        with pdf.open_outline() as outline:
            items = [(i.title, pikepdf.Page(i.destination[0]).index,
                      [(c.title, pikepdf.Page(c.destination[0]).index) for c in i.children]) for i in outline.root]
    assert [(t, p) for t, p, _ in items[:2]] == [("附件4 期满人员名册", 0), ("附件5 岗位补贴申报表", roster_pages)]
    persons = items[2:]
    assert [t for t, _, _ in persons] == [f"{r.number}. {r.name}" for r in decl.rows]
    starts = [p for _, p, _ in persons]
    assert starts[0] == roster_pages + subsidy_pages and starts == sorted(starts)
    for r, (_, start, children) in zip(decl.rows, persons):
        assert children[0] == ("附件2 申请登记表", start)
        assert "申请登记表" in pages[start] and r.name in pages[start] and r.id_number in pages[start]
        assert "麒麟区人力资源和社会保障局存" in pages[start] or "人力资源和社会保障局存" in pages[start]
        expected_appraisals = {"both": 2}.get(scenario[r.id_number], 1)  # only the periods declared now
        assert len(children) == 1 + expected_appraisals
        for title, page in children[1:]:
            assert title.startswith("附件3 考核鉴定表")
            assert "考核鉴定表" in pages[page] and r.name in pages[page]
    # pages are each person's forms, back to back, to the end
    assert all(name_page < len(pages) for name_page in starts)
    assert "考核鉴定表" in "".join(pages[starts[-1]:]) and len(pages) > starts[-1] + 2


def test_roster_xlsx_keeps_ids_as_text_and_dates_as_dates(declared, entries) -> None:
    out, _ = declared
    decl = build_declaration(entries, "530300", YEAR)
    wb = openpyxl.load_workbook(out / f"期满人员名册_曲靖市_{YEAR}.xlsx")
    ws = wb["附件4"]
    assert ws.freeze_panes == "A6" and ws.print_title_rows == "$4:$5"
    assert ws.page_setup.orientation == "landscape"
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=6, max_row=5 + len(decl.rows))]
    assert [r[3] for r in rows] == [r.id_number for r in decl.rows]
    assert any(r[3].endswith("X") for r in rows)
    for row in ws.iter_rows(min_row=6, max_row=5 + len(decl.rows)):
        assert row[3].data_type == "s" and row[3].number_format == "@"
        assert isinstance(row[8].value, datetime) and isinstance(row[9].value, datetime)
    assert [(r[8].date(), r[9].date()) for r in rows] == [(r.start, r.end) for r in decl.rows]
    assert sum(r[10] for r in rows) == decl.total_years == ws.cell(row=6 + len(decl.rows), column=11).value
    assert wb.properties.created == datetime(2025, 12, 31)

    ws5 = openpyxl.load_workbook(out / f"岗位补贴申报表_曲靖市_{YEAR}.xlsx")["附件5"]
    values = [c.value for row in ws5.iter_rows() for c in row if c.value is not None]
    assert EXPECTED["530300"][3] in values and EXPECTED["530300"][2] in values
    county_amounts = [row[5].value for row in ws5.iter_rows(min_row=6, max_row=5 + len(decl.counties))]
    assert sum(county_amounts) == EXPECTED["530300"][2]


def test_roster_files_are_deterministic(entries, tmp_path: Path) -> None:
    from formkit.forms import load_form
    from formkit.render.xlsx import write_roster_xlsx, write_subsidy_xlsx

    decl = build_declaration(entries, "532900", YEAR)
    for write, form in ((write_roster_xlsx, "roster"), (write_subsidy_xlsx, "subsidy")):
        assert write(decl, load_form(form), AS_OF) == write(decl, load_form(form), AS_OF)


def test_an_invalid_record_stops_the_declaration(folder, tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    shutil.copytree(folder, cases)
    victim = sorted(cases.glob("*.yaml"))[0]
    victim.write_text(victim.read_text("utf-8").replace("sex: 女", "sex: 女女", 1), "utf-8")
    result = run("declare", str(cases), "--prefecture", "530300", "--year", str(YEAR), "--out", str(tmp_path / "o"),
                 "--no-bundle")
    assert result.exit_code == 1
    assert "案卷记录有误，未生成申报材料" in result.output and victim.name in result.output
    assert not [p for p in (tmp_path / "o").glob("*") if not p.name.startswith(".")]  # nothing issued


def test_declare_refuses_a_county_as_prefecture(folder, tmp_path: Path) -> None:
    result = run("declare", str(folder), "--prefecture", "530326", "--year", str(YEAR), "--out", str(tmp_path),
                 "--no-bundle")
    assert result.exit_code == 2 and "--prefecture：行政区划代码 530326（会泽县）不是州（市）" in result.output, result.output


def test_an_ineligible_person_is_excluded_under_article_2(entries) -> None:
    case, facts, source = next(e for e in entries if build_declaration([e], "530300", YEAR).rows)
    q = case.qualification.model_copy(update={"title": "助理工程师", "title_level": None,
                                               "practice_qualification": None})
    weak = case.model_copy(update={"qualification": q})
    decl = build_declaration([(weak, derive(weak, AS_OF), source)], "530300", YEAR)
    assert decl.rows == ()
    (x,) = decl.exclusions
    assert (x.category, x.article) == ("ineligible", "第二条") and "助理级" in x.details[0]


def test_roll_up_documents_name_east_asian_fonts_and_repeat_headers(declared) -> None:
    out, _ = declared
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for stem in (f"期满人员名册_曲靖市_{YEAR}", f"岗位补贴申报表_曲靖市_{YEAR}"):
        d = docx.Document(str(out / f"{stem}.docx"))
        body = d.element.body
        runs = [r for r in body.iter(f"{w}r") if r.find(f"{w}t") is not None and (r.find(f"{w}t").text or "")]
        assert runs
        for r in runs:
            fonts = r.find(f"{w}rPr/{w}rFonts")
            assert fonts is not None and fonts.get(f"{w}eastAsia") in ("仿宋_GB2312", "方正小标宋简体", "黑体"), \
                r.find(f"{w}t").text
        eastasia = {r.find(f"{w}rPr/{w}rFonts").get(f"{w}eastAsia"): r.find(f"{w}t").text for r in runs}
        assert eastasia["方正小标宋简体"].startswith("云南省") and eastasia["黑体"] in ("附件4", "附件5")
        assert len(list(body.iter(f"{w}tblHeader"))) == 1
        section = d.sections[0]
        assert section.page_width > section.page_height  # landscape


def test_a_character_no_font_draws_is_refused_by_name() -> None:
    from formkit.errors import FontCoverageError
    from formkit.forms import load_form
    from formkit.render.rollup import render_rollup
    from formkit.rollup.demand import merge_demand
    from formkit.context.rollup import demand_context

    from formkit.load import load_demand

    demand = load_demand(ROOT / "data" / "demand" / "huize-2026.yaml").record
    post = demand.posts[0].model_copy(update={"contact": "王\U0002AA0A"})  # 𪨊: in no installed font
    table = merge_demand([demand.model_copy(update={"posts": (post, *demand.posts[1:])})], "county")
    with pytest.raises(FontCoverageError, match=r"rows\[0\]\.contact.*U\+2AA0A"):
        render_rollup("demand", "x", demand_context(table, load_form("demand")), table.dated, ("pdf",))


@pytest.mark.parametrize("formats, suffixes", [("xlsx", {".xlsx"}), ("docx,xlsx", {".docx", ".xlsx"})])
def test_no_bundle_writes_only_the_formats_asked_for(folder, tmp_path: Path, formats, suffixes) -> None:
    # regression: without the bundle and without pdf, the bundle's head PDFs were looked up (KeyError)
    out = tmp_path / "out"
    _declare(folder, out, "--format", formats, "--no-bundle")
    names = {p.name for p in out.iterdir() if not p.name.startswith(".") and p.name != "ledger.jsonl"}
    stem = f"曲靖市_{YEAR}"
    expected = {f"{form}_{stem}{suffix}" for form in ("期满人员名册", "岗位补贴申报表") for suffix in suffixes}
    assert names == expected | {f"未列入名册人员_{stem}.txt"}


def test_regenerated_declaration_supersedes_and_lists_what_changed(tmp_path) -> None:
    import shutil

    from click.testing import CliRunner

    from formkit.cli import main

    cases = tmp_path / "cases"
    cases.mkdir()
    src = Path(__file__).resolve().parents[1] / "data" / "cases"
    for name in ("bai-zhongrong.yaml", "li-mingzhe.yaml"):
        shutil.copyfile(src / name, cases / name)
    out = tmp_path / "out"
    args = ["declare", str(cases), "--prefecture", "530800", "--year", "2022", "--out", str(out), "--no-bundle"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    issued = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.suffix != ".jsonl"}
    again = CliRunner().invoke(main, args)
    assert "相同，未重新生成" in again.output
    record = cases / "bai-zhongrong.yaml"
    text = record.read_text("utf-8")
    # the year-4 appraisal (2021-03-01—2022-02-28) is the period declared in 2022
    head, sep, tail = text.rpartition("grade: 合格")
    record.write_text(head + "grade: 优秀" + tail, "utf-8")
    third = CliRunner().invoke(main, args)
    assert third.exit_code == 0, third.output
    assert "已生成第 2 版" in third.output
    assert "变更：白忠荣 1年 10000元 考核合格 → 1年 10000元 考核优秀" in third.output
    kept = out / "superseded" / "v1"
    for name, data in issued.items():
        if name.endswith("_2022.docx") or name.endswith("_2022.pdf"):
            assert (kept / name).read_bytes() == data  # the issued version is kept as it was
    assert "考核优秀" in (out / "变更说明_普洱市_2022.txt").read_text("utf-8")
