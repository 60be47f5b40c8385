"""附件1 roll-ups (第三条): merging county lists, the .xlsx a county reports and reads back, and
the rendered table in every format.

The merge is checked on the samples and on generated lists of six counties in three 州(市):
sorting by division code, 小计 per county and per 州(市), 合计; refusals with their reasons. The
.xlsx round trip keeps every value exactly (leading zeros, line breaks, markup characters, long
text, ``=1+1`` never a formula); the province table built from the counties' .xlsx files equals
the one built from their YAML, byte for byte; a bad cell is reported as
``file.xlsx:row:col field（label）: message``. The .docx is opened with python-docx and the PDF
read with pdftotext: every post, every 小计 and the 合计 are there.
"""

from __future__ import annotations

import contextlib
import io
import random
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from formkit.cli import main
from formkit.forms import load_form
from formkit.load import load_demand
from formkit.errors import DataConflict, UsageError
from formkit.rollup.demand import Reporting, merge_demand
from formkit.context.rollup import demand_context
from formkit.load.xlsx import DEMAND_COLUMNS, read_demand_xlsx
from formkit.render.xlsx import write_demand_xlsx
from gen_cases import TRICKY, demand_yaml

ROOT = Path(__file__).resolve().parents[1]
HUIZE = ROOT / "data" / "demand" / "huize-2026.yaml"
YUANYANG = ROOT / "data" / "demand" / "yuanyang-2026.yaml"
YEAR = 2026
# six counties in three 州(市): 曲靖市 (麒麟区, 会泽县), 红河州 (个旧市, 元阳县), 大理州 (大理市, 洱源县)
COUNTIES = ("530302", "530326", "532501", "532528", "532901", "532930")


def _sample(path: Path):
    loaded = load_demand(path)
    assert loaded.ok, loaded.problems
    return loaded.record


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, Path]:
    """County demand lists as YAML files (tricky texts in their cells), one per county."""
    folder = tmp_path_factory.mktemp("demand-yaml") / "demand"
    folder.mkdir()
    rng = random.Random(3)
    out = {}
    for i, county in enumerate(COUNTIES):
        path = folder / f"{county}.yaml"
        path.write_text(demand_yaml(county, YEAR, 2 + i % 3, rng), "utf-8")
        out[county] = path
    return out


def run(*args: str):
    return CliRunner().invoke(main, list(args))


# --------------------------------------------------------------------------- merge


def test_county_table_is_the_list_with_a_total() -> None:
    huize = _sample(HUIZE)
    table = merge_demand([huize], "county")
    assert table.division == "530326" and table.division_name == "会泽县"
    assert [r.post for r in table.posts] == list(huize.posts)
    assert [r.number for r in table.posts] == list(range(1, 7))
    assert [r.kind for r in table.rows] == ["post"] * 6 + ["total"]  # no 小计 at county level
    assert table.total == sum(p.count for p in huize.posts) == 7
    assert (table.reporting_unit, table.reported_on, table.filled_by) == \
        ("会泽县人力资源和社会保障局", date(2026, 2, 26), "陶春艳")
    assert table.dated == date(2026, 2, 26)


def test_province_table_sorts_by_code_with_subtotals(generated) -> None:
    lists = [load_demand(p).record for p in reversed(list(generated.values()))]  # any input order
    table = merge_demand(lists, "province")
    assert table.division == "530000" and table.reporting_unit == "云南省人力资源和社会保障厅"
    assert table.counties == COUNTIES
    kinds = [(r.kind, r.county or r.prefecture) for r in table.rows if r.kind != "post"]
    assert kinds == [("county", "530302"), ("county", "530326"), ("prefecture", "530300"),
                     ("county", "532501"), ("county", "532528"), ("prefecture", "532500"),
                     ("county", "532901"), ("county", "532930"), ("prefecture", "532900"), ("total", "530000")]
    labels = [r.label for r in table.rows if r.kind != "post"]
    assert labels == ["麒麟区小计", "会泽县小计", "曲靖市小计", "个旧市小计", "元阳县小计",
                      "红河哈尼族彝族自治州小计", "大理市小计", "洱源县小计", "大理白族自治州小计", "合计"]
    # every 小计 is the sum of the posts above it, independently recomputed from the lists
    by_county = {d.county: sum(p.count for p in d.posts) for d in lists}
    for row in table.rows:
        if row.kind == "county":
            assert row.count == by_county[row.county]
        elif row.kind == "prefecture":
            assert row.count == sum(v for c, v in by_county.items() if c.startswith(row.prefecture[:4]))
    assert table.total == sum(by_county.values()) == table.rows[-1].count
    # posts keep their county order and their list order; 序号 runs over the whole table
    codes = [r.county for r in table.posts]
    assert codes == sorted(codes)
    assert [r.number for r in table.posts] == list(range(1, len(table.posts) + 1))
    assert len(table.missing) == 129 - 6


def test_prefecture_table_merges_only_its_counties(generated) -> None:
    lists = [load_demand(generated[c]).record for c in ("530326", "530302")]
    table = merge_demand(lists, "prefecture", reporting=Reporting(filled_by="赵敏", phone="0874-3123456"))
    assert (table.division, table.division_name) == ("530300", "曲靖市")
    assert table.reporting_unit == "曲靖市人力资源和社会保障局"
    assert (table.filled_by, table.reviewed_by, table.phone, table.reported_on) == ("赵敏", "", "0874-3123456", None)
    assert [r.kind for r in table.rows if r.kind != "post"] == ["county", "county", "total"]
    assert ("530381", "宣威市") in table.missing and ("530302", "麒麟区") not in table.missing


@pytest.mark.parametrize("case, error, message", [
    ("two-years", DataConflict, "年度不一致"),
    ("duplicate", DataConflict, "两份需求信息表"),
    ("outside", DataConflict, "不属于"),
    ("wrong-level", UsageError, "不是州（市）级"),
    ("ambiguous", UsageError, "请指定汇总哪个州（市）"),
    ("empty", UsageError, "没有可汇总"),
])
def test_merges_that_are_refused(case: str, error: type, message: str) -> None:
    huize, yuanyang = _sample(HUIZE), _sample(YUANYANG)
    calls = {
        "two-years": lambda: merge_demand([huize, yuanyang.model_copy(update={"year": 2025})], "province"),
        "duplicate": lambda: merge_demand([huize, huize], "prefecture"),
        "outside": lambda: merge_demand([huize, yuanyang], "prefecture", "530300"),
        "wrong-level": lambda: merge_demand([huize], "prefecture", "530326"),
        "ambiguous": lambda: merge_demand([huize, yuanyang], "prefecture"),
        "empty": lambda: merge_demand([], "province"),
    }
    with pytest.raises(error, match=message) as exc:
        calls[case]()
    assert "--" not in str(exc.value)  # the CLI names its options, the domain does not


def test_context_prints_title_requirements_and_blanks() -> None:
    table = merge_demand([_sample(HUIZE), _sample(YUANYANG)], "province")
    ctx = demand_context(table, load_form("demand"))
    assert ctx["reported_on"] == "年　月　日" and ctx["filled_by"] == ""
    assert ctx["rows"][0]["title"] == "中级及以上"
    assert ctx["rows"][-1] == {**ctx["rows"][-1], "kind": "total", "label": "合计", "count": 13}


# --------------------------------------------------------------------------- .xlsx


def _xlsx_of(path: Path, tmp: Path) -> Path:
    demand = load_demand(path).record
    table = merge_demand([demand], "county")
    target = tmp / f"{path.stem}.xlsx"
    target.write_bytes(write_demand_xlsx(table, load_form("demand")))
    return target


def test_xlsx_round_trip_loses_nothing(generated, tmp_path: Path) -> None:
    for county, path in generated.items():
        back = read_demand_xlsx(_xlsx_of(path, tmp_path))
        assert back.ok, [str(p) for p in back.problems]
        assert back.record == load_demand(path).record, county
    every = {getattr(p, f) for path in generated.values() for p in load_demand(path).record.posts
             for f in ("remarks", "conditions")}
    for text in TRICKY:  # the tricky texts really went through
        assert text in every


def test_xlsx_cells_are_typed_and_the_sheet_set_up_for_print(generated, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_xlsx_of(generated["530326"], tmp_path))
    ws = wb["附件1"]
    header = [c.value for c in ws[4]]
    assert header == [c.header for c in DEMAND_COLUMNS]
    assert ws.freeze_panes == "A5"
    assert ws.print_title_rows == "$4:$4"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    values = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    date_cell = ws.cell(row=3, column=15)
    assert isinstance(date_cell.value, datetime) and date_cell.number_format == 'yyyy"年"m"月"d"日"'
    code = values["530326"]
    assert code.data_type == "s" and code.number_format == "@"
    formula_like = [c for c in values.values() if isinstance(c.value, str) and "=1+1" in c.value]
    assert formula_like and all(c.data_type == "s" for c in formula_like)
    phones = [c for c in values.values() if isinstance(c.value, str) and c.value.startswith("0871-6512")]
    assert phones and all(c.data_type == "s" for c in phones)
    # a column of CJK text is at least as wide as its header (a CJK character counts ~2)
    assert ws.column_dimensions["E"].width >= 2 * len("需求单位名称")
    assert ws.column_dimensions["M"].width == 40  # the conditions wrap at the cap
    reported = load_demand(generated["530326"]).record.reported_on
    assert wb.properties.created == wb.properties.modified == datetime(reported.year, reported.month, reported.day)


def test_xlsx_is_deterministic(generated, frozen_clock) -> None:
    """Same table, same bytes — also when the clock reads another year (nothing from the clock)."""
    table = merge_demand([load_demand(generated["532528"]).record], "county")
    form = load_form("demand")
    first = write_demand_xlsx(table, form)
    with frozen_clock():
        again = write_demand_xlsx(table, form)
    assert again == first


def test_province_from_xlsx_equals_province_from_yaml(generated, tmp_path: Path, frozen_clock) -> None:
    """The province files made from the counties' .xlsx equal those made from their YAML, byte
    for byte — the second run under a clock years away: the files take nothing from the clock."""
    yaml_dir, xlsx_dir = tmp_path / "yaml", tmp_path / "xlsx"
    for county, path in generated.items():
        result = run("demand", str(path), "--level", "county", "--year", str(YEAR), "--out", str(xlsx_dir),
                     "--format", "xlsx")
        assert result.exit_code == 0, result.output
    assert len(list(xlsx_dir.glob("*.xlsx"))) == len(COUNTIES)
    from_yaml = merge_demand([load_demand(p).record for p in generated.values()], "province")
    from_xlsx = merge_demand([read_demand_xlsx(p).record for p in sorted(xlsx_dir.glob("*.xlsx"))], "province")
    assert from_xlsx == from_yaml
    for source, out, clock in ((list(map(str, generated.values())), yaml_dir / "out", contextlib.nullcontext()),
                               ([str(xlsx_dir)], xlsx_dir / "out", frozen_clock())):
        with clock:
            result = run("demand", *source, "--level", "province", "--year", str(YEAR), "--out", str(out),
                         "--format", "xlsx,docx")
        assert result.exit_code == 0, result.output
    name = f"需求信息表_云南省_{YEAR}"
    for ext in ("xlsx", "docx"):
        assert (yaml_dir / "out" / f"{name}.{ext}").read_bytes() == (xlsx_dir / "out" / f"{name}.{ext}").read_bytes()


def test_county_to_prefecture_to_province_through_files(generated, tmp_path: Path) -> None:
    """第三条's chain through the files: the counties' lists → each 州(市)'s .xlsx (formkit's own
    roll-up, 小计 per county, 合计) → the province read from those .xlsx equals the province from
    the YAML lists, table and files."""
    from formkit.load.xlsx import read_demand_lists

    pref_dir = tmp_path / "pref"
    for prefecture in ("530300", "532500", "532900"):
        result = run("demand", *map(str, generated.values()), "--level", "prefecture", "--division", prefecture,
                     "--year", str(YEAR), "--out", str(pref_dir), "--format", "xlsx", "--filled-by", "赵敏")
        assert result.exit_code == 0, result.output
    workbooks = sorted(pref_dir.glob("需求信息表_*.xlsx"))
    assert len(workbooks) == 3
    lists = []
    for path in workbooks:
        loaded = read_demand_lists(path)
        assert loaded.ok, [str(p) for p in loaded.problems]
        assert len(loaded.record) == 2  # two counties in each 州(市)
        lists += loaded.record
    yaml_lists = [load_demand(p).record for p in generated.values()]
    assert {d.county: d.posts for d in lists} == {d.county: d.posts for d in yaml_lists}
    assert merge_demand(lists, "province") == merge_demand(yaml_lists, "province")
    outs = {}
    for name, source in (("yaml", list(map(str, generated.values()))), ("xlsx", [str(p) for p in workbooks])):
        outs[name] = tmp_path / f"out-{name}"
        result = run("demand", *source, "--level", "province", "--year", str(YEAR), "--out", str(outs[name]),
                     "--format", "xlsx,docx")
        assert result.exit_code == 0, result.output
    stem = f"需求信息表_云南省_{YEAR}"
    for ext in ("xlsx", "docx"):
        assert (outs["yaml"] / f"{stem}.{ext}").read_bytes() == (outs["xlsx"] / f"{stem}.{ext}").read_bytes()

    # a 小计 typed wrong in the 州(市) table is named with both numbers
    wb = openpyxl.load_workbook(workbooks[0])
    ws = wb["附件1"]
    sub = next(r for r in range(1, ws.max_row + 1) if str(ws.cell(row=r, column=1).value or "").endswith("小计"))
    label, stated = ws.cell(row=sub, column=1).value, ws.cell(row=sub, column=11).value
    ws.cell(row=sub, column=11, value=stated + 5)
    wb.save(tmp_path / "sub.xlsx")
    assert f"{label} {stated + 5} 与各行之和 {stated} 不符" in str(read_demand_lists(tmp_path / "sub.xlsx").errors[0])


def _edit(src: Path, dst: Path, edit) -> Path:
    wb = openpyxl.load_workbook(src)
    edit(wb["附件1"])
    wb.save(dst)
    return dst


def test_a_bad_cell_is_reported_at_its_row_and_column(generated, tmp_path: Path) -> None:
    good = _xlsx_of(generated["530326"], tmp_path)

    def bad_count(ws):
        ws["K6"] = "两人"  # 需求人数 of the second post (row 6, column 11)

    loaded = read_demand_xlsx(_edit(good, tmp_path / "bad.xlsx", bad_count))
    assert not loaded.ok and loaded.record is None
    assert [str(p) for p in loaded.errors] == [
        f"{tmp_path / 'bad.xlsx'}: 附件1!K6 posts[1].count（需求人数）: 应为正整数（如 2），实为 '两人'"]

    # the CLI prints it like `formkit check` and writes nothing
    result = run("demand", str(tmp_path / "bad.xlsx"), "--level", "county", "--year", str(YEAR),
                 "--out", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert "bad.xlsx: 附件1!K6 posts[1].count（需求人数）: 应为正整数" in result.output
    assert not [p for p in (tmp_path / "o").glob("*") if not p.name.startswith(".")]  # nothing issued


@pytest.mark.parametrize("edit, expected", [
    (lambda ws: ws.__setitem__("O3", "2026/2/30"), ": 附件1!O3 reported_on（填报时间）: 日期应写作 YYYY-MM-DD"),
    (lambda ws: ws.__setitem__("L3", 530300), ": 附件1!L3 county（县（市、区）代码）: 530300（曲靖市）不是县级行政区划"),
    (lambda ws: ws.__setitem__("O7", 8.7451234e11), ": 附件1!O7 posts[2].phone（联系电话）: "),
    (lambda ws: ws.__setitem__("L5", 1), ": 附件1!L5 posts[0].term_years（服务期限（年））: 服务期限不少于 2 年（第二条），实为 1 年"),
    (lambda ws: ws.__setitem__("D6", None), ": 附件1!D6 posts[1].township（乡（镇））: 缺少必填项"),
    (lambda ws: ws.__setitem__("F5", "国企"), ": 附件1!F5 posts[0].unit_kind（单位性质）: 应为 事业单位、企业 之一，实为「国企」"),
    (lambda ws: ws.__setitem__("C11", None), ": 附件1!C11 filled_by（填表人）: 缺少必填项"),
])
def test_bad_cells_of_every_kind(generated, tmp_path: Path, edit, expected: str) -> None:
    good = _xlsx_of(generated["530326"], tmp_path)  # 3 posts: rows 5–7, 合计 row 8 … footer row 9
    wb = openpyxl.load_workbook(good)
    ws = wb["附件1"]
    footer = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "填表人")
    if "filled_by" in expected:
        expected = expected.replace("C11", f"C{footer}")
        edit = lambda ws: setattr(ws.cell(row=footer, column=3), "value", None)  # noqa: E731
    loaded = read_demand_xlsx(_edit(good, tmp_path / "x.xlsx", edit))
    assert not loaded.ok
    assert any(expected in str(p) for p in loaded.errors), [str(p) for p in loaded.problems]


def test_warnings_for_unknown_columns(generated, tmp_path: Path) -> None:
    good = _xlsx_of(generated["530326"], tmp_path)
    loaded = read_demand_xlsx(_edit(good, tmp_path / "w.xlsx", lambda ws: ws.__setitem__("Q4", "内部编号")))
    assert loaded.ok  # warnings only
    texts = [str(p) for p in loaded.warnings]
    assert any("附件1!Q4" in t and "未知的列「内部编号」" in t for t in texts)


def test_a_stated_total_that_disagrees_is_an_error_unless_the_computed_one_is_accepted(generated, tmp_path: Path) -> None:
    good = _xlsx_of(generated["530326"], tmp_path)
    computed = sum(p.count for p in load_demand(generated["530326"]).record.posts)
    total_row = []

    def edit(ws):
        total_row.append(next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "合计"))
        ws.cell(row=total_row[0], column=11, value=computed + 1)

    bad = _edit(good, tmp_path / "t.xlsx", edit)
    loaded = read_demand_xlsx(bad)
    assert not loaded.ok
    assert [str(p) for p in loaded.errors] == [
        (f"{bad}: 附件1!K{total_row[0]}: 合计 {computed + 1} 与各行之和 {computed} 不符；请改正合计"
         "（汇总时也可选择采用各行之和）")]
    accepted = read_demand_xlsx(bad, accept_computed_total=True)
    assert accepted.ok and accepted.record == load_demand(generated["530326"]).record
    assert [str(p) for p in accepted.warnings] == [
        (f"{bad}: 附件1!K{total_row[0]}: 警告: 合计 {computed + 1} 与各行之和 {computed} 不符；"
         f"已按要求采用各行之和 {computed}")]
    args = ("demand", str(bad), "--level", "county", "--year", str(YEAR), "--format", "xlsx")
    result = run(*args, "--out", str(tmp_path / "o1"))
    assert result.exit_code == 1 and f"合计 {computed + 1} 与各行之和 {computed} 不符" in result.output
    result = run(*args, "--accept-computed-total", "--out", str(tmp_path / "o2"))
    assert result.exit_code == 0 and "已按要求采用各行之和" in result.output, result.output
    assert "--accept-computed-total" in run("demand", "--help").output


def _cache(path: Path, formula: str, value: str) -> Path:
    """Give the formula ``formula`` the saved value ``value``, as Excel does when it saves."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml = parts[sheet].decode("utf-8")
    assert f"<f>{formula}</f><v></v>" in xml
    parts[sheet] = xml.replace(f"<f>{formula}</f><v></v>", f"<f>{formula}</f><v>{value}</v>").encode("utf-8")
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def test_a_formula_gives_its_saved_value_or_is_refused_as_a_formula(generated, tmp_path: Path) -> None:
    good = _xlsx_of(generated["530326"], tmp_path)
    expected = load_demand(generated["530326"]).record
    second = expected.posts[1].count

    def formula(ws):
        ws["K6"] = f"={second}*1"

    unsaved = _edit(good, tmp_path / "f.xlsx", formula)  # openpyxl saves no computed value
    loaded = read_demand_xlsx(unsaved)
    assert [str(p) for p in loaded.errors] == [
        (f"{unsaved}: 附件1!K6 posts[1].count（需求人数）: K6 是公式，但文件中没有保存计算结果；"
         "请在 Excel/WPS 中打开并保存后再试，或直接填数值")]
    saved = _cache(_edit(good, tmp_path / "g.xlsx", formula), f"{second}*1", str(second))
    loaded = read_demand_xlsx(saved)
    assert loaded.ok and loaded.record == expected, [str(p) for p in loaded.problems]


def test_a_cell_merged_down_the_column_applies_to_every_row_it_covers(generated, tmp_path: Path) -> None:
    good = _xlsx_of(generated["530326"], tmp_path)  # posts on rows 5–7
    expected = load_demand(generated["530326"]).record

    def merge_township(ws):
        ws["D6"] = ws["D7"] = None
        ws.merge_cells("D5:D7")  # one 乡（镇） over three posts

    loaded = read_demand_xlsx(_edit(good, tmp_path / "m.xlsx", merge_township))
    assert loaded.ok, [str(p) for p in loaded.problems]
    assert [p.township for p in loaded.record.posts] == [expected.posts[0].township] * 3

    def merge_across(ws):
        ws["I6"] = None
        ws.merge_cells("H6:I6")  # 专业要求 over 职称要求: which column is it?

    across = _edit(good, tmp_path / "a.xlsx", merge_across)
    loaded = read_demand_xlsx(across)
    assert not loaded.ok
    assert f"{across}: 附件1!H6: H6:I6 是跨列合并的单元格，无法确定其内容属于哪一列；请取消合并后分别填写" in [
        str(p) for p in loaded.errors]


def test_not_a_workbook_and_not_a_table(tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    assert "不是可读的 .xlsx 文件" in str(read_demand_xlsx(junk).errors[0])
    empty = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(empty)
    assert "找不到表头行" in str(read_demand_xlsx(empty).errors[0])


def test_new_demand_xlsx_is_a_blank_workbook_to_fill_in(tmp_path: Path) -> None:
    blank = tmp_path / "需求.xlsx"
    result = run("new", "需求", "--out", str(blank))
    assert result.exit_code == 0 and blank.is_file(), result.output
    assert run("new", "需求", "--out", str(blank)).exit_code == 2  # never overwritten
    yaml_out = tmp_path / "需求.yaml"
    assert run("new", "demand", "--out", str(yaml_out)).exit_code == 0
    assert yaml_out.read_text("utf-8").lstrip().startswith("#")  # still the commented YAML

    wb = openpyxl.load_workbook(blank)
    assert wb.sheetnames == ["附件1", "说明"] and "填写说明" in wb["说明"]["A1"].value
    ws = wb["附件1"]
    assert [c.value for c in ws[4]] == [c.header for c in DEMAND_COLUMNS]
    lists = {str(dv.sqref)[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists == {"F": '"事业单位,企业"', "I": '"中级,副高级,正高级"'}

    loaded = read_demand_xlsx(blank)  # read back empty: what to fill in, in Chinese, at its cell
    texts = [str(p) for p in loaded.errors]
    assert loaded.record is None
    assert f"{blank}: 附件1!L3 county（县（市、区）代码）: 缺少必填项" in texts
    assert f"{blank}: 附件1!A4 posts（需求岗位）: 至少需要一项" in texts
    assert any("filled_by（填表人）: 缺少必填项" in t for t in texts)

    expected = load_demand(HUIZE).record
    ws["C3"], ws["I3"], ws["L3"] = expected.reporting_unit, str(expected.year), expected.county
    ws["O3"] = datetime(expected.reported_on.year, expected.reported_on.month, expected.reported_on.day)
    for i, post in enumerate(expected.posts):
        for c, col in enumerate(DEMAND_COLUMNS, start=1):
            if col.field and getattr(post, col.field) is not None:
                ws.cell(row=5 + i, column=c, value=getattr(post, col.field))
    footer = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "填表人")
    ws.cell(row=footer, column=3, value=expected.filled_by)
    ws.cell(row=footer, column=8, value=expected.reviewed_by)
    ws.cell(row=footer, column=13, value=expected.phone)
    wb.save(tmp_path / "filled.xlsx")
    filled = read_demand_xlsx(tmp_path / "filled.xlsx")
    assert filled.ok, [str(p) for p in filled.problems]
    assert filled.record == expected


# --------------------------------------------------------------------------- rendered table


def _docx_text(path: Path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_cli_renders_every_post_subtotal_and_total(generated, tmp_path: Path) -> None:
    sources = [str(generated[c]) for c in ("530302", "530326", "532501")]
    out = tmp_path / "out"
    result = run("demand", *sources, str(HUIZE), "--level", "province", "--year", str(YEAR), "--out", str(out))
    assert result.exit_code == 1 and "两份需求信息表" in result.output  # 会泽县 twice: a data conflict
    result = run("demand", *sources, "--level", "province", "--year", str(YEAR), "--out", str(out),
                 "--reported-on", "2026-05-06", "--filled-by", "赵敏")
    assert result.exit_code == 0, result.output
    table = merge_demand([load_demand(Path(s)).record for s in sources], "province")
    stem = out / f"需求信息表_云南省_{YEAR}"
    word = _docx_text(stem.with_suffix(".docx"))
    pdf = _pdf_text(stem.with_suffix(".pdf"))
    pdf_flat = "".join(pdf.split())
    d = docx.Document(str(stem.with_suffix(".docx")))
    header_rows = [r for t in d.tables for r in t.rows if r._tr.trPr is not None and r._tr.trPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is not None]
    assert len(header_rows) == 1  # the table's header row repeats on every page
    assert "云南省人力资源和社会保障厅" in word and "2026年5月6日" in word and "赵敏" in word
    for row in table.rows:
        if row.kind == "post":
            assert row.post.unit in word
            assert "".join(row.post.unit.split()) in pdf_flat
        else:
            assert row.label in word and row.label in pdf_flat
    assert f"合计\n{table.total}" in word
    assert "附件1" in pdf and "云南省乡镇基层专业技术人员需求信息表" in pdf_flat
    assert "第1页共" in pdf_flat


def test_cli_demand_has_help_and_refuses_bad_options(tmp_path: Path) -> None:
    assert run("demand", "--help").exit_code == 0
    result = run("demand", str(HUIZE), "--level", "county", "--year", "2026", "--phone", "12345",
                 "--out", str(tmp_path))
    assert result.exit_code == 2 and "--phone 应为手机号码（11位）或固定电话" in result.output, result.output
    result = run("demand", str(HUIZE), "--level", "county", "--year", "2025", "--out", str(tmp_path))
    assert result.exit_code == 2 and "没有可汇总" in result.output


@pytest.mark.parametrize("option, value, message", [
    ("--reported-on", "2026-5-8", "--reported-on 应为 年-月-日（如 2026-03-05），实为 '2026-5-8'"),
    ("--reported-on", "2026-02-30", "--reported-on 应为 年-月-日（如 2026-03-05），实为 '2026-02-30'"),
    ("--phone", "0871-1234567", "--phone 应为手机号码（11位）或固定电话"),
    ("--phone", "12345", "--phone 应为手机号码（11位）或固定电话"),
])
def test_cli_demand_names_the_one_bad_option_in_chinese(tmp_path: Path, option, value, message) -> None:
    result = run("demand", str(HUIZE), "--level", "county", "--year", "2026", option, value, "--out", str(tmp_path))
    assert result.exit_code == 2 and message in result.output, result.output
    other = "--phone" if option == "--reported-on" else "--reported-on"
    assert other not in result.output and "isoformat" not in result.output


def test_demand_is_rendered_again_only_when_it_changed(tmp_path) -> None:
    import shutil

    from click.testing import CliRunner

    from formkit.cli import main

    src = Path(__file__).resolve().parents[1] / "data" / "demand" / "huize-2026.yaml"
    lists = tmp_path / "demand"
    lists.mkdir()
    shutil.copyfile(src, lists / src.name)
    out = tmp_path / "out"
    args = ["demand", str(lists), "--level", "county", "--year", "2026", "--out", str(out), "--format", "docx,xlsx"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    issued = {p.name: p.read_bytes() for p in out.glob("需求信息表_*")}
    assert issued
    second = CliRunner().invoke(main, args)
    assert "未重新生成" in second.output
    text = (lists / src.name).read_text("utf-8")
    (lists / src.name).write_text(text.replace("count: 1", "count: 3", 1), "utf-8")
    third = CliRunner().invoke(main, args)
    assert third.exit_code == 0 and "未重新生成" not in third.output
    for name, data in issued.items():
        assert (out / "superseded" / "v1" / name).read_bytes() == data
        assert (out / name).read_bytes() != data


def test_rows_that_all_have_errors_are_not_also_reported_missing(tmp_path: Path) -> None:
    """pydantic counts only valid items against a list's minimum length; every row having an
    error must not add a false 「至少需要一项」 (found by a clerk's trial)."""
    import openpyxl

    lst = load_demand(ROOT / "data" / "demand" / "huize-2026.yaml").record
    good = tmp_path / "good.xlsx"
    good.write_bytes(write_demand_xlsx(merge_demand([lst], "county", lst.county), load_form("demand")))
    wb = openpyxl.load_workbook(good)
    ws = wb["附件1"]
    count = [c.value for c in ws[4]].index("需求人数") + 1
    for r in range(5, 5 + len(lst.posts)):
        ws.cell(row=r, column=count, value="两人")
    wb.save(tmp_path / "bad.xlsx")
    loaded = read_demand_xlsx(tmp_path / "bad.xlsx")
    messages = [str(p) for p in loaded.errors]
    assert len(messages) == len(lst.posts) and all("应为正整数" in m for m in messages), messages
