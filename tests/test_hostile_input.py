"""Input that cannot hurt (issue 14): hostile workbooks and records are refused quickly, within
memory, with a Chinese message naming the file and what is wrong — never a Python traceback.

The workbook cases run ``formkit check`` in a subprocess whose address space is capped
(``RLIMIT_AS``) and with a timeout: a reader that inflated a bomb or allocated a 16k×1M grid
would die there instead of answering exit 1 with the message.
"""

from __future__ import annotations

import io
import os
import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from formkit.load.xlsx import read_demand_xlsx
from formkit.load import xlsx_guard as guard

SRC = Path(__file__).resolve().parents[1] / "src"
MEMORY_CAP = 1536 * 2**20


def run_capped(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``formkit ARGS`` in a subprocess limited to ``MEMORY_CAP`` of address space."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run([sys.executable, "-m", "formkit.cli", *args], capture_output=True, text=True,
                          timeout=timeout, preexec_fn=limit, env=env)


def plain_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "附件1"
    wb.active["A1"] = "x"
    wb.save(path)
    return path


def rezip(src: Path, dst: Path, changes: dict[str, bytes | None], *, level: int = 6) -> Path:
    """A copy of the zip ``src`` with members replaced (bytes), removed (``None``) or added."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zout:
        for info in zin.infolist():
            if info.filename in changes:
                continue
            zout.writestr(info.filename, zin.read(info.filename))
        for name, data in changes.items():
            if data is not None:
                zout.writestr(name, data)
    return dst


SHEET = "xl/worksheets/sheet1.xml"


def edit_sheet(tmp: Path, name: str, edit) -> Path:
    base = plain_workbook(tmp / "base.xlsx")
    with zipfile.ZipFile(base) as z:
        xml = z.read(SHEET).decode("utf-8")
    return rezip(base, tmp / name, {SHEET: edit(xml).encode("utf-8")})


def after_sheet_data(xml: str, extra: str) -> str:
    return xml.replace("</sheetData>", "</sheetData>" + extra) if "</sheetData>" in xml else \
        xml.replace("<sheetData/>", "<sheetData/>" + extra)


def _bomb(tmp: Path) -> Path:
    base = plain_workbook(tmp / "base.xlsx")
    filler = b"<!-- " + b" " * 5_000_000 + b" -->"
    return rezip(base, tmp / "bomb.xlsx", {"xl/sharedStrings.xml": filler}, level=9)


def _huge_member(tmp: Path) -> Path:
    base = plain_workbook(tmp / "base.xlsx")
    return rezip(base, tmp / "huge.xlsx", {"xl/media/pad.bin": bytes(30_000_000)}, level=9)


def _many_members(tmp: Path) -> Path:
    base = plain_workbook(tmp / "base.xlsx")
    return rezip(base, tmp / "many.xlsx", {f"xl/media/p{i}.bin": b"x" for i in range(2000)})


def _far_cell(tmp: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "附件1"
    wb.active["XFD1048576"] = "x"
    wb.save(tmp / "far.xlsx")
    return tmp / "far.xlsx"


def _far_cell_no_dimension(tmp: Path) -> Path:
    far = _far_cell(tmp)
    with zipfile.ZipFile(far) as z:
        xml = z.read(SHEET).decode("utf-8")
    return rezip(far, tmp / "far2.xlsx", {SHEET: re.sub(r"<dimension[^>]*/>", "", xml).encode("utf-8")})


def _merged_everything(tmp: Path) -> Path:
    return edit_sheet(tmp, "merged.xlsx", lambda x: after_sheet_data(
        x, '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'))


def _many_merges(tmp: Path) -> Path:
    cells = "".join(f'<mergeCell ref="A{r}:B{r}"/>' for r in range(1, 601))
    return edit_sheet(tmp, "merges.xlsx", lambda x: after_sheet_data(x, f'<mergeCells count="600">{cells}</mergeCells>'))


def _linked_everything(tmp: Path) -> Path:
    return edit_sheet(tmp, "links.xlsx", lambda x: after_sheet_data(
        x, '<hyperlinks><hyperlink ref="A1:XFD1048576" location="A1"/></hyperlinks>'))


def _dtd(tmp: Path) -> Path:
    return edit_sheet(tmp, "dtd.xlsx", lambda x: x.replace(
        "<worksheet", '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><worksheet', 1))


def _chartsheet(tmp: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.create_chartsheet("附件1")
    wb.save(tmp / "chart.xlsx")
    return tmp / "chart.xlsx"


def _no_sheet_part(tmp: Path) -> Path:
    base = plain_workbook(tmp / "base.xlsx")
    return rezip(base, tmp / "nopart.xlsx", {SHEET: None})


def _not_xml(tmp: Path) -> Path:
    return edit_sheet(tmp, "broken.xlsx", lambda x: x[: len(x) // 2])


HOSTILE = [
    (_bomb, "压缩比超过 100 倍"),
    (_huge_member, "解压后有 30,000,000 字节，上限 20,000,000"),
    (_many_members, "个部件，上限 300"),
    (_far_cell, "工作表「附件1」声明的使用范围 XFD1048576:XFD1048576 超出范围（上限 1000 行、64 列"),
    (_far_cell_no_dimension, "工作表「附件1」的单元格 XFD1048576 超出范围"),
    (_merged_everything, "工作表「附件1」的合并单元格 A1:XFD1048576 超出范围"),
    (_many_merges, "有超过 500 处合并单元格"),
    (_linked_everything, "工作表「附件1」的超链接 A1:XFD1048576 超出范围"),
    (_dtd, "含有 DTD/实体声明"),
    (_chartsheet, "工作表「附件1」是图表，不是表格"),
    (_no_sheet_part, "工作簿已损坏：缺少工作表「附件1」的数据（xl/worksheets/sheet1.xml）"),
    (_not_xml, "不是完好的 XML（文件已损坏）"),
]


@pytest.mark.parametrize("make, expected", HOSTILE, ids=[m.__name__.strip("_") for m, _ in HOSTILE])
def test_hostile_workbook_is_refused_in_process(tmp_path: Path, make, expected: str) -> None:
    path = make(tmp_path)
    loaded = read_demand_xlsx(path)
    assert loaded.record is None
    text = str(loaded.errors[0])
    assert text.startswith(f"{path}: ") and expected in text, text
    assert "Error" not in text and "object" not in text


@pytest.mark.parametrize("make, expected", HOSTILE, ids=[m.__name__.strip("_") for m, _ in HOSTILE])
def test_hostile_workbook_is_refused_by_the_roster_import(tmp_path: Path, make, expected: str) -> None:
    from formkit.load.roster import read_roster

    path = make(tmp_path)
    roster = read_roster(path)
    assert roster.rows == []
    text = str(roster.problems[0])
    if make is _chartsheet:  # no sheet 名单 and no worksheet at all
        expected = "工作簿中只有图表，没有工作表"
    assert text.startswith(f"{path}: ") and expected in text, text


@pytest.mark.parametrize("make, expected", [HOSTILE[i] for i in (0, 3, 4, 5, 7)],
                         ids=["bomb", "far_cell", "far_cell_no_dimension", "merged_everything", "linked_everything"])
def test_hostile_workbook_is_answered_within_memory(tmp_path: Path, make, expected: str) -> None:
    path = make(tmp_path)
    result = run_capped("check", str(path))
    assert result.returncode == 1, result.stderr
    assert f"{path}: " in result.stderr and expected in result.stderr
    assert "Traceback" not in result.stderr


def test_a_good_workbook_is_still_read_and_check_reads_it_as_a_workbook(tmp_path: Path) -> None:
    path = plain_workbook(tmp_path / "plain.xlsx")
    result = run_capped("check", str(path))
    assert result.returncode == 1
    assert "找不到表头行" in result.stderr and "UTF-8" not in result.stderr


def test_limits_are_named_constants() -> None:
    assert guard.MAX_ROWS >= 100 and guard.MAX_COLUMNS >= 16
    assert guard.column_letter(guard.MAX_COLUMNS) == "BL" and guard.column_letter(16384) == "XFD"


# --------------------------------------------------------------------------- not regular files


@pytest.mark.parametrize("name", ["x.yaml", "x.xlsx"])
def test_a_fifo_named_like_a_record_is_refused_at_once(tmp_path: Path, name: str) -> None:
    fifo = tmp_path / name
    os.mkfifo(fifo)
    result = run_capped("check", str(fifo), timeout=60)  # opening the FIFO would block forever
    assert result.returncode == 1, result.stderr
    assert f"{fifo}: 这是命名管道（FIFO），不是普通文件，拒绝读取" in result.stderr


def test_a_device_or_folder_named_like_a_record_is_refused(tmp_path: Path) -> None:
    from formkit.load import load_case
    from formkit.load.xlsx import load_demand_file

    folder = tmp_path / "y.xlsx"
    folder.mkdir()
    assert "这是目录，不是普通文件" in str(load_demand_file(folder).errors[0])
    assert "这是设备文件，不是普通文件" in str(load_case("/dev/zero").errors[0])


# --------------------------------------------------------------------------- records (YAML)


YAML_CASES = [
    ("deep_lists", b"applicant: " + b"[" * 500 + b"]" * 500 + b"\n", "1:", "嵌套超过 20 层"),
    ("deep_maps", b"applicant: " + b"{a: " * 500 + b"}" * 500 + b"\n", "1:", "嵌套超过 20 层"),
    ("escape_past_unicode", b'applicant: "\\U00110000"\n', "1:", "转义序列写出的字符超出 Unicode 范围"),
    ("escaped_surrogate", b'applicant: "\\ud800"\n', "1:12 applicant", "转义序列写出了不允许的字符 U+D800"),
    ("escaped_nul", b'applicant: "a\\0b"\n', "1:12 applicant", "转义序列写出了不允许的字符 U+0000"),
    ("raw_fffe", "applicant: x\ufffe\n".encode("utf-8"), "1:13", "含有 YAML 不允许的字符 U+FFFE"),
    ("bad_escape", b'applicant: "\\q"\n', "1:", "反斜杠「\\」后的字符不是有效的转义"),
    ("two_documents", b"a: 1\n---\nb: 2\n", "2:1", "一个文件只能有一份记录"),
    ("directive", b"%YAML 1.1\n%YAML 1.1\n---\na: 1\n", "2:1", "不允许使用 YAML 指令"),
    ("at_sign", b"a: @x\n", "1:4", "不能作为值的开头"),
]


@pytest.mark.parametrize("name, raw, where, expected", YAML_CASES, ids=[c[0] for c in YAML_CASES])
def test_every_yaml_error_is_a_positioned_chinese_message(tmp_path: Path, name: str, raw: bytes, where: str,
                                                          expected: str) -> None:
    from formkit.load import load_case

    path = tmp_path / f"{name}.yaml"
    path.write_bytes(raw)
    loaded = load_case(path)
    assert loaded.record is None
    text = str(loaded.errors[0])
    assert text.startswith(f"{path}:{where}") and expected in text, text
    assert not re.search(r"[a-z]{4,} [a-z]{4,}", text.split(": ", 1)[1]), text  # no English from PyYAML


def test_a_deeply_nested_record_is_refused_in_a_subprocess(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_bytes(b"applicant: " + b"[" * 5000 + b"]" * 5000 + b"\n")
    result = run_capped("check", str(path))
    assert result.returncode == 1 and "嵌套超过 20 层" in result.stderr and "Traceback" not in result.stderr


# --------------------------------------------------------------------------- dates and years


def test_a_date_far_in_the_future_is_refused_at_load(tmp_path: Path) -> None:
    from formkit.load import load_case

    sample = Path(__file__).resolve().parents[1] / "data" / "cases" / "bai-zhongrong.yaml"
    path = tmp_path / "far.yaml"
    path.write_text(sample.read_text("utf-8").replace("  end: 2022-02-28", "  end: 9999-12-31", 1), "utf-8")
    loaded = load_case(path)
    assert loaded.record is None
    assert str(loaded.errors[0]) == (f"{path}:51:8 agreement.end（服务截止日期）: 年份 9999 不在 1900–2100 之间"
                                     "（9999-12-31）；这样的日期只可能是输错了年份，请更正")


@pytest.mark.parametrize("year", ["10000", "12345678901234567890", "0", "abc", "２０２６"])
def test_a_year_option_out_of_range_is_a_chinese_usage_error(tmp_path: Path, year: str) -> None:
    from click.testing import CliRunner

    from formkit.cli import main

    result = CliRunner().invoke(main, ["declare", str(tmp_path), "--prefecture", "532500", "--year", year,
                                       "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "--year 应为 1980–2100 之间的四位年度（如 2026），实为" in result.output
    assert not (tmp_path / "o").exists()


# --------------------------------------------------------------------------- a crash is not invalid input


def test_an_internal_error_exits_3_with_a_masked_crash_report(tmp_path: Path, monkeypatch) -> None:
    import tempfile

    from click.testing import CliRunner

    import formkit.load
    from formkit.cli import main

    def broken(path):
        raise RuntimeError("内部故障 530102199001011234 13812345678")

    monkeypatch.setattr(formkit.load, "load_record", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    record = tmp_path / "x.yaml"
    record.write_text("a: 1\n", "utf-8")
    result = CliRunner().invoke(main, ["check", str(record)])
    assert result.exit_code == 3, result.output
    reports = list(tmp_path.glob("formkit-crash-*.txt"))
    assert len(reports) == 1
    assert f"formkit 内部错误，请把 {reports[0]} 发给维护者" in result.output
    text = reports[0].read_text("utf-8")
    assert "RuntimeError" in text and "Traceback" in text
    assert "530102199001011234" not in text and "13812345678" not in text
    assert "5301**********1234" in text


def test_a_record_name_that_is_not_utf8_is_refused_not_a_crash(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[1] / "data" / "cases" / "bai-zhongrong.yaml"
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / os.fsdecode(b"b\xffx.yaml")).write_bytes(sample.read_bytes())
    for args in (["check", str(folder)], ["render", str(folder), "--format", "docx", "--out", str(tmp_path / "o")]):
        result = run_capped(*args)
        assert result.returncode == 1, result.stderr
        assert "b\\xffx.yaml: 文件名含有不是 UTF-8 编码的字节" in result.stderr
        assert "formkit 内部错误" not in result.stderr


# --------------------------------------------------------------------------- fuzz, under the memory cap

FUZZ = r'''
import io, os, sys, tempfile, zipfile
from pathlib import Path
from hypothesis import HealthCheck, given, settings, strategies as st
import openpyxl
from formkit.load import load_case, load_demand
from formkit.load.xlsx import read_demand_xlsx

folder = Path(tempfile.mkdtemp())
sample = Path(sys.argv[1]).read_bytes()
atoms = st.sampled_from(["[", "]", "{", "}", ":", ": ", "- ", "\n", "  ", "\t", '"', "'", "\\", "\\U00110000",
                         "\\ud800", "&a", "*a", "!!python/object", "%YAML 1.1\n", "---\n", "#", "|", ">", "?",
                         "\ufffe", "\x00", "\u2028", "年", "2026-02-30", "9999-12-31", "530102199001011234"])
texts = st.one_of(st.lists(atoms, max_size=60).map("".join), st.text(max_size=200))
settings.register_profile("fuzz", max_examples=int(sys.argv[2]), deadline=None, derandomize=True,
                          suppress_health_check=list(HealthCheck))
settings.load_profile("fuzz")

def check(loaded):
    assert loaded.record is not None or loaded.errors, loaded
    for p in loaded.problems:
        str(p).encode("utf-8")

@given(texts, st.sampled_from([load_case, load_demand]))
def yaml_text(text, loader):
    path = folder / "r.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    check(loader(path))

@given(st.integers(0, len(sample) - 1), st.binary(min_size=1, max_size=8), st.booleans())
def yaml_mutated(at, data, cut):
    path = folder / "m.yaml"
    path.write_bytes(sample[:at] + data + (b"" if cut else sample[at + len(data):]))
    check(load_case(path))

base = folder / "base.xlsx"
wb = openpyxl.Workbook(); wb.active.title = "附件1"; wb.active["A1"] = "序号"; wb.save(base)
with zipfile.ZipFile(base) as z:
    parts = {i.filename: z.read(i.filename) for i in z.infolist()}
names = sorted(parts)

@given(st.sampled_from(names), st.integers(0, 4000), st.binary(min_size=0, max_size=16), st.booleans())
def xlsx_mutated(name, at, data, drop):
    changed = dict(parts)
    if drop:
        del changed[name]
    else:
        body = changed[name]
        at = at % (len(body) + 1)
        changed[name] = body[:at] + data + body[at + len(data):]
    path = folder / "w.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in changed.items():
            z.writestr(n, b)
    check(read_demand_xlsx(path))

yaml_text(); yaml_mutated(); xlsx_mutated()
print("fuzz ok")
'''


def test_fuzz_loaders_never_raise_under_a_memory_cap(tmp_path: Path) -> None:
    """Every input gives a record or problems, never an exception (a small, derandomized run;
    ``FORMKIT_FUZZ_EXAMPLES`` asks for more examples per target: ``make fuzz``)."""
    examples = int(os.environ.get("FORMKIT_FUZZ_EXAMPLES", "40"))
    script = tmp_path / "fuzz.py"
    script.write_text(FUZZ, "utf-8")
    sample = Path(__file__).resolve().parents[1] / "data" / "cases" / "bai-zhongrong.yaml"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    result = subprocess.run([sys.executable, str(script), str(sample), str(examples)], capture_output=True,
                            text=True, timeout=max(300, 2 * examples), preexec_fn=limit, env={**os.environ, "PYTHONPATH": str(SRC)})
    assert result.returncode == 0 and "fuzz ok" in result.stdout, result.stderr[-4000:]


def test_cells_without_references_are_measured_too(tmp_path: Path) -> None:
    """Cells and rows may omit ``r`` (some generators do): they follow on, and are bounded alike."""
    far = "".join("<c><v>1</v></c>" for _ in range(100))
    path = edit_sheet(tmp_path, "noref.xlsx", lambda x: re.sub(
        r"<sheetData>.*</sheetData>", f"<sheetData><row>{far}</row></sheetData>", x, flags=re.S))
    text = str(read_demand_xlsx(path).errors[0])
    assert "工作表「附件1」的单元格 BM1 超出范围" in text, text
    near = edit_sheet(tmp_path, "near.xlsx", lambda x: re.sub(
        r"<sheetData>.*</sheetData>", '<sheetData><row><c t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
        x, flags=re.S))
    assert guard.inspect_workbook(str(near)).max_row == 1 and "找不到表头行" in str(read_demand_xlsx(near).errors[0])
