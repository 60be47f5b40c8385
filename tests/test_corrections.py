"""Corrections never leave a wrong document current (issue: one ledger of issued documents).

Each test is a clerk's correction done the way a clerk does it — edit the YAML, run the
command again — and checks what is current afterwards against the files, not the messages
only: the wrong-name documents are gone from the current set (kept under ``superseded/``), the
declaration bundle prints the corrected number, a renamed record keeps the person's history,
two records of one person are refused by ``check``, and hostile record file names stay inside
``--out``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from formkit.cli import main
from formkit.output.ledger import LEDGER_NAME, LOCK_NAME, SUPERSEDED, Ledger
from formkit.privacy import masked_change
from gen_cases import as_another_person
from test_batch import assert_ledger_is_the_disk, digests

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "cases"


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return re.sub(r"\s+", "", out)


def current_files(out: Path) -> set[str]:
    """The current (not superseded) document files, relative to ``out``."""
    ledger = Ledger.read(out)
    return {f"{d.folder}/{n}" if d.folder else n for d in ledger.documents.values() if not d.withdrawn
            for n in d.files}


@pytest.fixture
def ma_jun(tmp_path: Path) -> tuple[Path, Path]:
    cases = tmp_path / "cases"
    cases.mkdir()
    record = cases / "ma-jun.yaml"
    shutil.copyfile(CASES / "ma-jun.yaml", record)
    out = tmp_path / "out"
    first = run("render", record, "--out", out)
    assert first.exit_code == 0, first.output
    return record, out


def test_a_name_correction_supersedes_every_wrong_name_document(ma_jun) -> None:
    record, out = ma_jun
    issued = {p.name for p in (out / "ma-jun").glob("*_马俊*")}
    assert len(issued) == 13
    record.write_text(record.read_text("utf-8").replace("马俊", "马骏"), "utf-8")
    again = run("render", record, "--out", out)
    assert again.exit_code == 0, again.output
    assert "新出具 0、更正 3" in again.output
    current = current_files(out)
    assert not any("马俊" in name for name in current), sorted(current)
    assert sum("马骏" in name for name in current) == 13
    assert {p.name for p in (out / "ma-jun").iterdir() if p.is_file()} == {Path(n).name for n in current}
    assert {p.name for p in (out / "ma-jun" / SUPERSEDED / "v1").iterdir()} == issued
    assert assert_ledger_is_the_disk(out) == 13


def test_a_grade_correction_supersedes_only_that_appraisal(ma_jun) -> None:
    record, out = ma_jun
    before = digests(out)
    text = record.read_text("utf-8")
    head, sep, tail = text.rpartition("grade: 称职")  # the term appraisal's (after the yearly ones)
    assert sep
    record.write_text(head + "grade: 优秀" + tail, "utf-8")
    again = run("render", record, "--out", out)
    assert "更正 1" in again.output and "未变 2" in again.output
    after = digests(out)
    changed = sorted(k for k in after if before.get(k) != after[k])
    assert changed and all("考核鉴定表" in k for k in changed), changed


def test_renaming_the_record_file_keeps_the_person_and_their_history(ma_jun) -> None:
    record, out = ma_jun
    moved = record.parent / "sub" / "马俊-2020.yaml"
    moved.parent.mkdir()
    record.rename(moved)
    before = digests(out)
    again = run("render", moved, "--out", out)
    assert again.exit_code == 0 and "未变 3" in again.output and "写入 0 个文件" in again.output
    assert f"→ {out / 'ma-jun'}/" in again.output  # the same folder, the same person
    assert digests(out) == before
    assert len(Ledger.read(out).persons) == 1


def test_an_id_number_corrected_in_the_same_file_is_the_same_person(ma_jun) -> None:
    record, out = ma_jun
    text = record.read_text("utf-8")
    old = re.search(r'id_number: "(\w+)"', text).group(1)
    record.write_text(as_another_person(text, 7), "utf-8")
    new = re.search(r'id_number: "(\w+)"', record.read_text("utf-8")).group(1)
    assert new != old
    diff = run("diff", record, "--out", out)
    assert diff.exit_code == 1 and "applicant.id_number（公民身份号码）" in diff.output
    assert old not in diff.output and new not in diff.output  # masked
    assert f"{old[:4]}**********{old[-4:]} → {new[:4]}**********{new[-4:]}" in diff.output
    again = run("render", record, "--out", out)
    assert again.exit_code == 0 and "更正 3" in again.output, again.output
    ledger = Ledger.read(out)
    assert len(ledger.persons) == 1 and next(iter(ledger.persons.values())).id_number == new
    assert all(d.version == 2 for d in ledger.documents.values())
    assert assert_ledger_is_the_disk(out) == 13


def test_an_appraisal_removed_from_the_record_is_withdrawn(tmp_path: Path) -> None:
    record = tmp_path / "wang-yan.yaml"
    shutil.copyfile(CASES / "wang-yan.yaml", record)
    out = tmp_path / "out"
    assert run("render", record, "--out", out, "--forms", "appraisal").exit_code == 0
    assert len(list((out / "wang-yan").glob("考核鉴定表_*.pdf"))) == 2
    text = record.read_text("utf-8")
    head, sep, tail = text.partition("term_appraisals:\n")
    items = tail.split("\n  - ")
    assert len(items) == 2
    record.write_text(head + sep + items[0] + "\n", "utf-8")
    again = run("render", record, "--out", out, "--forms", "appraisal")
    assert again.exit_code == 0, again.output
    assert "撤回 1" in again.output
    assert len(list((out / "wang-yan").glob("考核鉴定表_*.pdf"))) == 1
    assert list((out / "wang-yan" / SUPERSEDED).rglob("考核鉴定表_王䶮_第2次.pdf"))
    assert assert_ledger_is_the_disk(out) > 0


def test_two_records_of_one_person_are_reported_by_check_and_refused_by_render(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copyfile(CASES / "ma-jun.yaml", cases / "ma-jun.yaml")
    shutil.copyfile(CASES / "ma-jun.yaml", cases / "ma-jun-copy.yaml")
    line = next(i for i, t in enumerate((cases / "ma-jun.yaml").read_text("utf-8").splitlines(), 1)
                if "id_number" in t)
    checked = run("check", cases)
    assert checked.exit_code == 1
    assert "2 份有误" in checked.output
    for a, b in (("ma-jun.yaml", "ma-jun-copy.yaml"), ("ma-jun-copy.yaml", "ma-jun.yaml")):
        assert re.search(rf"{re.escape(a)}:{line}:\d+ applicant\.id_number（公民身份号码）: 与 \S*{re.escape(b)}:{line} "
                         r"是同一个公民身份号码", checked.output), checked.output
    rendered = run("render", cases, "--out", tmp_path / "out")
    assert rendered.exit_code == 1 and "0 份记录成功，2 份失败" in rendered.output


@pytest.mark.parametrize("stem", ["..", ".", "CON", "nul.txt", "com1", "a\x01b", "  ", "LPT9.tar", "con .x"])
def test_hostile_record_file_names_stay_inside_out(tmp_path: Path, stem: str) -> None:
    cases = tmp_path / "work" / "cases"
    cases.mkdir(parents=True)
    record = cases / f"{stem}.yaml"
    shutil.copyfile(CASES / "ma-jun.yaml", record)
    out = tmp_path / "work" / "out"
    before = {p for p in tmp_path.rglob("*")}
    result = run("render", record, "--out", out, "--forms", "application", "--format", "docx")
    assert result.exit_code == 0, result.output
    created = {p for p in tmp_path.rglob("*")} - before
    assert created and all(p == out or out in p.parents for p in created), sorted(map(str, created))
    (person,) = Ledger.read(out).persons.values()
    folder = person.folder
    assert folder not in (".", "..", "") and "/" not in folder and "\\" not in folder
    assert not re.fullmatch(r"(?i)(CON|PRN|AUX|NUL|COM\d|LPT\d)(\..*)?", folder), folder
    assert not re.search(r"[\x00-\x1f]", folder) and folder == folder.strip(" .")
    assert (out / folder).is_dir() and len(list((out / folder).glob("*.docx"))) == 4
    assert {p.name for p in out.iterdir()} == {folder, LEDGER_NAME, LOCK_NAME}


def test_diff_shows_which_digits_of_a_masked_number_changed() -> None:
    assert masked_change("13912345678", "13921345678") == "139****5678 → 139****5678（第4、5位改动）"
    assert masked_change("13912345678", "13912345679") == "139****5678 → 139****5679"
    assert masked_change("白忠荣", "白中荣") == "白忠荣 → 白中荣"


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_a_corrected_mobile_and_summary_make_a_new_declaration_bundle(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    for name in ("bai-zhongrong.yaml", "li-mingzhe.yaml"):
        shutil.copyfile(CASES / name, cases / name)
    out = tmp_path / "out"
    args = ("declare", cases, "--prefecture", "530800", "--year", "2022", "--out", out, "--format", "pdf")
    first = run(*args)
    assert first.exit_code == 0, first.output
    bundle = out / "补贴申报材料_普洱市_2022.pdf"
    record = cases / "bai-zhongrong.yaml"
    text = record.read_text("utf-8")
    old_mobile = re.search(r'mobile: "(\d+)"', text).group(1)
    new_mobile = old_mobile[:3] + old_mobile[4] + old_mobile[3] + old_mobile[5:]
    assert new_mobile != old_mobile and old_mobile in pdf_text(bundle)
    # the 附件3 of the declared period (year 4) is attached: correct a sentence of its 个人总结
    summaries = list(re.finditer(r"self_summary: \|\n(\s+)(\S+)", text))
    last = summaries[-1]
    corrected = text[:last.start(2)] + "（已更正）" + text[last.start(2):]
    record.write_text(corrected.replace(old_mobile, new_mobile), "utf-8")
    second = run(*args)
    assert second.exit_code == 0, second.output
    assert "已生成第 2 版" in second.output
    assert "附件更新：白忠荣" in second.output and "手机" in second.output and "个人总结" in second.output
    now = pdf_text(bundle)
    assert new_mobile in now and old_mobile not in now and "（已更正）" in now
    assert old_mobile in pdf_text(out / SUPERSEDED / "v1" / bundle.name)
    note = (out / "变更说明_普洱市_2022.txt").read_text("utf-8")
    assert "白忠荣" in note and "手机" in note and "个人总结" in note
    assert assert_ledger_is_the_disk(out) > 0
    third = run(*args, "--force")
    assert third.exit_code == 0 and "已生成第 3 版" not in third.output  # same bytes: same version


def test_the_bundle_attaches_issued_documents_when_they_are_current(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    for name in ("bai-zhongrong.yaml", "li-mingzhe.yaml"):
        shutil.copyfile(CASES / name, cases / name)
    out = tmp_path / "out"
    assert run("render", cases, "--out", out, "--format", "pdf").exit_code == 0
    declared = run("declare", cases, "--prefecture", "530800", "--year", "2022", "--out", out, "--format", "pdf")
    assert declared.exit_code == 0, declared.output
    assert "新生成 0 份，取自已出具文书 2 份" in declared.output


def test_a_demand_table_follows_its_county_lists(tmp_path: Path) -> None:
    lists = tmp_path / "demand"
    shutil.copytree(ROOT / "data" / "demand", lists)
    out = tmp_path / "out"
    args = ("demand", lists, "--level", "province", "--year", "2026", "--out", out, "--format", "xlsx")
    assert run(*args).exit_code == 0
    assert "未重新生成" in run(*args).output
    huize = lists / "huize-2026.yaml"
    huize.write_text(huize.read_text("utf-8").replace("count: 1", "count: 2", 1), "utf-8")
    again = run(*args)
    assert again.exit_code == 0 and "已生成第 2 版" in again.output
    assert "岗位需求有变化：会泽县" in again.output
    note = next(out.glob("变更说明_需求信息表_*.txt")).read_text("utf-8")
    assert "会泽县" in note and "元阳县" not in note
    assert assert_ledger_is_the_disk(out) > 0


# --------------------------------------------------------------------------- found by trying it


def _declare_args(cases: Path, out: Path) -> tuple:
    return ("declare", cases, "--prefecture", "530800", "--year", "2022", "--out", out, "--format", "pdf")


def _correct_last_mobile_digit(record: Path) -> None:
    text = record.read_text("utf-8")
    mobile = re.search(r'mobile: "(\d+)"', text).group(1)
    record.write_text(text.replace(mobile, mobile[:-1] + str((int(mobile[-1]) + 1) % 10)), "utf-8")


def _two_cases(tmp_path: Path) -> Path:
    cases = tmp_path / "cases"
    cases.mkdir()
    for name in ("bai-zhongrong.yaml", "li-mingzhe.yaml"):
        shutil.copyfile(CASES / name, cases / name)
    return cases


def test_a_declaration_withdrawn_by_a_correction_is_redone_with_its_changes(tmp_path: Path) -> None:
    cases, out = _two_cases(tmp_path), tmp_path / "out"
    assert run("render", cases, "--out", out, "--format", "pdf").exit_code == 0
    assert run(*_declare_args(cases, out)).exit_code == 0
    _correct_last_mobile_digit(cases / "bai-zhongrong.yaml")
    rendered = run("render", cases, "--out", out, "--format", "pdf")
    assert "请重新生成" in rendered.output and "普洱市2022年度申报" in rendered.output
    assert not (out / "补贴申报材料_普洱市_2022.pdf").exists()
    again = run(*_declare_args(cases, out))
    assert again.exit_code == 0 and "已生成第 2 版" in again.output, again.output
    note = (out / "变更说明_普洱市_2022.txt").read_text("utf-8")
    assert "与第 1 版相比" in note and "附件更新：白忠荣" in note and "手机" in note
    assert Ledger.read(out).documents["declaration/530800/2022"].version == 2
    assert assert_ledger_is_the_disk(out) > 0


def test_a_declaration_made_before_the_documents_follows_their_corrections(tmp_path: Path) -> None:
    cases, out = _two_cases(tmp_path), tmp_path / "out"
    assert run(*_declare_args(cases, out)).exit_code == 0
    first = run("render", cases, "--out", out, "--format", "pdf")
    assert "请重新生成" not in first.output  # the same content: the declaration stays valid
    _correct_last_mobile_digit(cases / "bai-zhongrong.yaml")
    second = run("render", cases, "--out", out, "--format", "pdf")
    assert "请重新生成" in second.output
    assert not Ledger.read(out).documents["declaration/530800/2022"].files


def test_a_cut_off_last_ledger_line_is_dropped_and_the_folder_stays_usable(ma_jun) -> None:
    record, out = ma_jun
    with open(out / LEDGER_NAME, "ab") as fh:
        fh.write(b'{"txn": 99, "garb')
    record.write_text(record.read_text("utf-8").replace("马俊", "马骏"), "utf-8")
    assert run("render", record, "--out", out).exit_code == 0
    assert run("diff", record, "--out", out).exit_code == 0
    assert (out / LEDGER_NAME).read_bytes().endswith(b"\n")
    assert assert_ledger_is_the_disk(out) == 13


def test_a_second_record_of_one_person_in_a_later_run_is_refused(ma_jun) -> None:
    record, out = ma_jun
    other = record.parent / "ma-jun-2.yaml"
    other.write_text(record.read_text("utf-8").replace("马俊", "马骏"), "utf-8")
    result = run("render", other, "--out", out)
    assert result.exit_code == 1 and "此人的文书出自" in result.output and "ma-jun.yaml" in result.output
    assert all("马俊" in n for n in current_files(out))


def test_correcting_the_dates_of_a_period_corrects_the_same_appraisal(ma_jun) -> None:
    record, out = ma_jun
    text = record.read_text("utf-8")
    assert "2020-07-01" in text and "2022-06-30" in text
    record.write_text(text.replace("2020-07-01", "2020-07-02").replace("2022-06-30", "2022-07-01"), "utf-8")
    again = run("render", record, "--out", out, "--forms", "appraisal")
    assert again.exit_code == 0, again.output
    assert "更正 1" in again.output and "撤回" not in again.output
    assert list((out / "ma-jun" / SUPERSEDED / "v1").glob("考核鉴定表_马俊_第1次*"))
    assert assert_ledger_is_the_disk(out) == 13


def test_diff_warns_when_the_old_name_is_still_written_in_the_record(ma_jun) -> None:
    """A name corrected in 姓名 only: the 意见 texts that still say 「马俊同志」 are named."""
    record, out = ma_jun
    text = record.read_text("utf-8")
    record.write_text(text.replace("  name: 马俊", "  name: 马骏", 1), "utf-8")
    diff = run("diff", record, "--out", out)
    assert diff.exit_code == 1, diff.output  # 1: something changed since the documents were issued
    warning = [line for line in diff.output.splitlines() if line.startswith("注意：姓名已由「马俊」改为「马骏」")]
    assert len(warning) == 1, diff.output
    assert "term_appraisals[0].unit_opinion" in warning[0] and "请一并改正" in warning[0]
    record.write_text(text.replace("马俊", "马骏"), "utf-8")  # every place corrected: no warning
    assert "注意：姓名已由" not in run("diff", record, "--out", out).output


def test_diff_after_a_partial_render_still_names_the_field(ma_jun) -> None:
    record, out = ma_jun
    record.write_text(record.read_text("utf-8").replace("马俊", "马骏"), "utf-8")
    assert run("render", record, "--out", out, "--forms", "application").exit_code == 0
    diff = run("diff", record, "--out", out)
    assert diff.exit_code == 1
    assert "applicant.name（姓名）：马俊 → 马骏" in diff.output
    assert "服务协议_马俊（第 1 版 → 第 2 版" in diff.output
    assert run("render", record, "--out", out).exit_code == 0
    assert run("diff", record, "--out", out).exit_code == 0


def test_forced_runs_and_added_formats_keep_the_version(tmp_path: Path) -> None:
    lists = tmp_path / "demand"
    shutil.copytree(ROOT / "data" / "demand", lists)
    out = tmp_path / "out"
    base = ("demand", lists, "--level", "province", "--year", "2026", "--out", out)
    assert run(*base, "--format", "xlsx").exit_code == 0
    assert run(*base, "--format", "xlsx,docx").exit_code == 0
    assert run(*base, "--force").exit_code == 0
    (doc,) = [d for d in Ledger.read(out).documents.values() if d.form == "demand"]
    assert doc.version == 1 and {Path(n).suffix for n in doc.files} == {".xlsx", ".docx", ".pdf"}
    assert not list(out.glob("变更说明_*")) and not (out / SUPERSEDED).exists()
    cases = _two_cases(tmp_path)
    args = ("batch", cases, "--out", out, "--jobs", "1", "--no-progress")
    assert run(*args).exit_code == 0
    assert run(*args, "--force").exit_code == 0
    jobs = [d for d in Ledger.read(out).documents.values() if d.form == "print"]
    assert [d.version for d in jobs] == [1]


def test_a_record_named_like_an_issued_file_keeps_its_folder(tmp_path: Path) -> None:
    cases = _two_cases(tmp_path)
    (cases / "bai-zhongrong.yaml").rename(cases / "未列入名册人员_普洱市_2022.txt.yaml")
    out = tmp_path / "out"
    assert run("render", cases, "--out", out, "--format", "pdf").exit_code == 0
    assert run(*_declare_args(cases, out)).exit_code == 0
    assert (out / "未列入名册人员_普洱市_2022_txt").is_dir() and (out / "未列入名册人员_普洱市_2022.txt").is_file()
    assert assert_ledger_is_the_disk(out) > 0


def test_an_output_folder_that_cannot_be_written_is_explained(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x", "utf-8")
    result = run("render", CASES / "ma-jun.yaml", "--out", afile / "sub")
    assert result.exit_code == 2 and "无法读写" in result.output and "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_a_ledger_edited_to_move_files_out_of_the_folder_moves_nothing(ma_jun, tmp_path: Path) -> None:
    record, out = ma_jun
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", "utf-8")
    line = {"txn": 99, "at": "x", "documents": [], "persons": [], "writes": [],
            "moves": [["../victim.txt", "ma-jun/stolen.txt"]]}
    import json

    with open(out / LEDGER_NAME, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")
    result = run("render", record, "--out", out)
    assert result.exit_code == 2 and "输出目录之外" in result.output
    assert victim.read_text("utf-8") == "keep me" and not (out / "ma-jun" / "stolen.txt").exists()


def test_diff_shows_changed_lines_of_a_paragraph_and_what_will_be_outdated(tmp_path: Path) -> None:
    cases, out = _two_cases(tmp_path), tmp_path / "out"
    assert run("render", cases, "--out", out, "--format", "pdf").exit_code == 0
    assert run(*_declare_args(cases, out)).exit_code == 0
    record = cases / "bai-zhongrong.yaml"
    text = record.read_text("utf-8")
    start = text.index("achievements: |\n") + len("achievements: |\n")
    end = text.index("\n", start)
    record.write_text(text[:end] + "（更正）" + text[end:], "utf-8")
    diff = run("diff", record, "--out", out)
    assert diff.exit_code == 1
    lines = diff.output.splitlines()
    assert lines[0] == "achievements（主要专业技术工作业绩）：段落有改动（仅列出改动的行）"
    assert lines[1].startswith("    原第1行：") and lines[2].startswith("    新第1行：") and lines[2].endswith("（更正）")
    assert "「普洱市2022年度申报」" in diff.output and "将失效" in diff.output


def test_batch_does_not_ask_to_redo_the_print_job_it_just_made(tmp_path: Path) -> None:
    cases, out = _two_cases(tmp_path), tmp_path / "out"
    args = ("batch", cases, "--out", out, "--jobs", "1", "--no-progress")
    assert run(*args).exit_code == 0
    record = cases / "li-mingzhe.yaml"
    name = re.search(r"^  name: (\S+)$", record.read_text("utf-8"), re.M).group(1)
    record.write_text(record.read_text("utf-8").replace(name, "李明喆"), "utf-8")
    again = run(*args)
    assert again.exit_code == 0 and re.search(r"更正 [1-9]", again.output), again.output
    assert "请重新生成" not in again.output and "已生成" in again.output


def test_check_reads_the_workbooks_in_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "lists"
    folder.mkdir()
    shutil.copyfile(ROOT / "data" / "demand" / "huize-2026.yaml", folder / "huize-2026.yaml")
    assert run("new", "需求", "--out", folder / "blank.xlsx").exit_code == 0
    result = run("check", folder)
    assert result.exit_code == 1 and "检查 2 份记录" in result.output and "blank.xlsx: 附件1!" in result.output
