"""The record writer (``formkit.load.write``): layout of ``formkit new case``, exact round trip,
saves that never lose anyone's work, drafts."""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from formkit.errors import DataError, RecordError
from formkit.load import load_case
from formkit.load.records import DRAFT_MESSAGE, check_case_bytes, is_draft, parse_yaml
from formkit.load.write import RecordChanged, dump_case, save_case, sha256_of

ROOT = Path(__file__).resolve().parents[1]
NEW_CASE = ROOT / "src" / "formkit" / "data" / "new_case.yaml"
SAMPLES = sorted((ROOT / "data" / "cases").glob("*.yaml"))


def parsed(raw: bytes | str) -> dict:
    data, _, problems = parse_yaml(raw.encode("utf-8") if isinstance(raw, str) else raw, "x.yaml")
    assert not problems, [str(p) for p in problems]
    return data


def test_the_blank_record_is_written_back_as_formkit_new_case_prints_it() -> None:
    text = NEW_CASE.read_text("utf-8")
    assert dump_case(parsed(text)) == text


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_every_sample_round_trips_and_passes_check(sample: Path) -> None:
    data = parsed(sample.read_bytes())
    text = dump_case(data)
    assert parsed(text) == data
    loaded = check_case_bytes(text.encode("utf-8"), "saved.yaml")
    assert loaded.ok, [str(p) for p in loaded.errors]
    # the layout of formkit new case: its banners and per-field comments, numbers quoted, | blocks
    assert "# 申请人基本情况（附件2「基本情况」栏，第四条）" in text
    assert "  # 公民身份号码（GB 11643-1999，18位）" in text
    assert f'  id_number: "{data["applicant"]["id_number"]}"' in text
    assert "achievements: |\n  " in text
    lines = text.splitlines()
    keys = [ln.split(":")[0].strip() for ln in lines if ln and not ln.startswith((" ", "#"))]
    order = ["applicant", "home_unit", "qualification", "service", "agreement", "resume", "achievements",
             "service_plan", "annual_appraisals", "term_appraisals"]
    assert keys == [k for k in order if k in data]


def test_absent_optional_fields_stay_absent_and_the_template_shows_them_commented() -> None:
    data = parsed((ROOT / "data" / "cases" / "ma-jun.yaml").read_bytes())
    del data["applicant"]["postcode"]
    text = dump_case(data)
    assert "postcode" not in text and "邮政编码" not in text  # an active template field: left out, comment too
    assert "  # photo: photos/zhang-moumou.jpg" in text  # a field the template comments out: shown so
    assert "photo" not in parsed(text)["applicant"]
    data["applicant"]["photo"] = "photos/ma-jun.jpg"
    data["applicant"]["position"] = None  # None: absent
    text = dump_case(data)
    assert "  photo: photos/ma-jun.jpg" in text and "# photo:" not in text
    assert "position" not in parsed(text)["applicant"]


def test_an_empty_list_keeps_the_templates_example_and_items_get_its_end_of_line_comments() -> None:
    data = parsed((ROOT / "data" / "cases" / "ma-jun.yaml").read_bytes())
    text = dump_case(data)
    assert "  - start: 2020-07-01            # 考核期间起" in text
    assert "    self_summary: |              # 个人总结" in text
    data["annual_appraisals"] = []
    text = dump_case(data)
    assert "annual_appraisals: []\n# annual_appraisals:\n#   - year: 2026\n#     grade: 合格\n" in text
    assert parsed(text)["annual_appraisals"] == []


@pytest.mark.parametrize("value", ["no", "053100", "1e3", "null", "~", "0x1F", "true", "12:30", "- a", "a: b", "a #b",
                                   "#x", "'q'", '"q"', " lead", "trail ", "", "[1]", "{a}", "&a", "*a", "!x", "%x",
                                   "@x", "`x", "a\tb", "a\\b", "中\u00a0文", "?", ":", "x:", "| a", "> a"])
def test_a_value_a_reader_could_mistake_is_quoted_and_read_back_as_written(value: str) -> None:
    data = {"applicant": {"name": value, "political_status": value}}
    text = dump_case(data)
    assert parsed(text) == data


@pytest.mark.parametrize("value", ["a\nb\n", "a\nb", "a\n\nb\n\n", "  indented\nnext\n", "\nafter a blank line\n",
                                   "line with trailing blank \nnext\n", "tab\there\n", "crlf\r\nline\n", " \n x",
                                   "only\n   \n"])
def test_multi_line_text_is_a_block_when_it_can_be_and_always_reads_back(value: str) -> None:
    data = {"achievements": value, "agreement": {"service_unit_duties": [value, "one line"]}}
    text = dump_case(data)
    assert parsed(text) == data
    if value in ("a\nb\n", "a\nb", "  indented\nnext\n"):
        assert "achievements: |" in text


def test_a_character_no_record_may_hold_is_written_escaped_and_refused_at_its_field() -> None:
    text = dump_case({"achievements": "a\u2028b\x01c\n"})
    assert '"a\\u2028b\\x01c\\n"' in text and "\u2028" not in text and "\x01" not in text
    _, _, problems = parse_yaml(text.encode("utf-8"), "x.yaml")
    assert [p.path for p in problems] == ["achievements"]


# --------------------------------------------------------------------------- generated records

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_line = st.one_of(_text, st.sampled_from(["053100", "no", "2026-03-01", "1985-03", "张某某", "云南省 某某", "a: b"]))
_para = st.one_of(_line, st.lists(_line, min_size=1, max_size=3).map("\n".join),
                  st.lists(_line, min_size=1, max_size=3).map(lambda ls: "\n".join(ls) + "\n"))
_KEYS = {
    "applicant": ["name", "sex", "ethnicity", "birth_month", "id_number", "degree", "mobile", "postcode", "photo"],
    "home_unit": ["name", "level", "division", "supervisor"],
    "qualification": ["title", "title_level", "practice_date"],
    "service": ["county", "township", "credit_code", "phone"],
}


@st.composite
def records(draw) -> dict:
    data: dict = {}
    for section, keys in _KEYS.items():
        if draw(st.booleans()):
            chosen = draw(st.lists(st.sampled_from(keys + ["unknown_field"]), unique=True))
            data[section] = {k: draw(_line) for k in chosen}
    if draw(st.booleans()):
        data["agreement"] = {"start": draw(_line), "service_unit_duties": draw(st.lists(_para, max_size=3)),
                             "applicant_duties": draw(st.lists(_para, max_size=2))}
    if draw(st.booleans()):
        data["resume"] = draw(st.lists(st.fixed_dictionaries({"start": _line}, optional={"end": _line, "unit": _line}),
                                       max_size=3))
    for key in ("achievements", "service_plan"):
        if draw(st.booleans()):
            data[key] = draw(_para)
    if draw(st.booleans()):
        data["term_appraisals"] = draw(st.lists(st.fixed_dictionaries(
            {"start": _line, "self_summary": _para}, optional={"grade": _line, "remarks": _para}), max_size=2))
    if draw(st.booleans()):
        data["annual_appraisals"] = []
    if draw(st.booleans()):
        data[draw(st.sampled_from(["zz_extra", "备注"]))] = draw(_para)
    return data


@settings(max_examples=int(os.environ.get("FORMKIT_FUZZ_EXAMPLES", "60")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_generated_records_round_trip(data: dict) -> None:
    text = dump_case(data)
    raw = text.encode("utf-8")
    got, _, problems = parse_yaml(raw, "x.yaml")
    refused = [p for p in problems if "不允许" in p.message or "控制字符" in p.message]
    if refused:  # a character no record file may hold (a control character): written escaped, refused on load
        return
    assert not problems, [str(p) for p in problems]
    assert got == data


def test_generated_valid_records_pass_check_when_written(tmp_path: Path) -> None:
    from tests.gen_cases import generate_cases

    for g in generate_cases([("532500", "term2", 3), ("530100", "both", 2)], 2025):
        text = dump_case(parsed(g.yaml))
        loaded = check_case_bytes(text.encode("utf-8"), f"{g.stem}.yaml")
        assert loaded.ok, [str(p) for p in loaded.errors]


# --------------------------------------------------------------------------- saving


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_loading_and_saving_without_edits_leaves_a_hand_written_file_as_it_is(tmp_path: Path, sample: Path) -> None:
    target = shutil.copy(sample, tmp_path / sample.name)
    before = Path(target).read_bytes()
    data = parsed(before)
    result = save_case(target, data, expected_sha256=hashlib.sha256(before).hexdigest())
    assert not result.written and Path(target).read_bytes() == before
    assert result.sha256 == hashlib.sha256(before).hexdigest()


def test_an_edit_is_saved_in_the_template_layout_and_the_next_save_without_edits_writes_nothing(tmp_path: Path) -> None:
    target = shutil.copy(SAMPLES[0], tmp_path / "a.yaml")
    data = parsed(Path(target).read_bytes())
    data["applicant"]["mobile"] = "13987654321"
    first = save_case(target, data, expected_sha256=sha256_of(target))
    assert first.written and first.sha256 == sha256_of(target)
    assert '  mobile: "13987654321"' in Path(target).read_text("utf-8")
    assert load_case(target).ok
    mtime = os.stat(target).st_mtime_ns
    second = save_case(target, copy.deepcopy(data), expected_sha256=first.sha256)
    assert not second.written and os.stat(target).st_mtime_ns == mtime


def test_a_save_over_someone_elses_save_is_refused_and_nothing_is_lost(tmp_path: Path) -> None:
    target = shutil.copy(SAMPLES[0], tmp_path / "a.yaml")
    opened = sha256_of(target)
    theirs = parsed(Path(target).read_bytes())
    theirs["applicant"]["mobile"] = "13911112222"
    save_case(target, theirs, expected_sha256=opened)
    after_theirs = Path(target).read_bytes()
    mine = parsed((SAMPLES[0]).read_bytes())
    mine["applicant"]["address"] = "云南省昆明市五华区某路2号"
    with pytest.raises(RecordChanged) as caught:
        save_case(target, mine, expected_sha256=opened)
    assert isinstance(caught.value, DataError) and caught.value.exit_code == 1
    assert "已被别人修改并保存" in str(caught.value) and "重新打开" in str(caught.value)
    assert Path(target).read_bytes() == after_theirs
    # a new record whose file someone else created meanwhile
    with pytest.raises(RecordChanged, match="已存在"):
        save_case(target, mine, expected_sha256=None)
    # a record deleted meanwhile
    os.unlink(target)
    with pytest.raises(RecordChanged, match="被删除或移走"):
        save_case(target, mine, expected_sha256=opened)
    assert not Path(target).exists()


def test_an_invalid_record_is_refused_unless_saved_as_a_draft(tmp_path: Path) -> None:
    target = tmp_path / "cases" / "new.yaml"
    data = parsed(SAMPLES[0].read_bytes())
    data["applicant"]["id_number"] = data["applicant"]["id_number"][:-1] + (
        "0" if data["applicant"]["id_number"][-1] != "0" else "1")
    del data["achievements"]
    with pytest.raises(RecordError) as caught:
        save_case(target, data, expected_sha256=None)
    text = str(caught.value)
    assert "公民身份号码" in text and "校验码" in text and "主要专业技术工作业绩" in text
    assert not target.exists()
    result = save_case(target, data, expected_sha256=None, draft=True)
    assert result.written and result.draft and is_draft(target)
    assert target.read_text("utf-8").startswith("# 草稿：")
    assert any("校验码" in p.message for p in result.problems)
    loaded = load_case(target)
    assert loaded.draft and loaded.record is None and loaded.problems[0].message == DRAFT_MESSAGE
    assert parsed(target.read_bytes()) == data  # nothing typed is lost
    # finished: saved as a record, the draft line goes
    fixed = parsed(SAMPLES[0].read_bytes())
    done = save_case(target, fixed, expected_sha256=result.sha256)
    assert done.written and not is_draft(target) and load_case(target).ok


def test_a_valid_record_saved_as_a_draft_stays_a_draft_until_saved_as_a_record(tmp_path: Path) -> None:
    target = shutil.copy(SAMPLES[0], tmp_path / "a.yaml")
    data = parsed(Path(target).read_bytes())
    as_draft = save_case(target, data, expected_sha256=sha256_of(target), draft=True)
    assert as_draft.written and is_draft(target) and not load_case(target).ok
    again = save_case(target, data, expected_sha256=as_draft.sha256, draft=True)
    assert not again.written
    final = save_case(target, data, expected_sha256=again.sha256)
    assert final.written and not is_draft(target) and load_case(target).ok


def test_a_second_record_of_one_person_is_refused_when_the_data_folder_is_given(tmp_path: Path) -> None:
    from formkit.errors import DataConflict

    shutil.copy(SAMPLES[0], tmp_path / "first.yaml")
    data = parsed(SAMPLES[0].read_bytes())
    with pytest.raises(DataConflict, match="此人已有记录") as caught:
        save_case(tmp_path / "second.yaml", data, expected_sha256=None, data_dir=tmp_path)
    assert "first.yaml" in str(caught.value) and data["applicant"]["id_number"] not in str(caught.value)
    assert not (tmp_path / "second.yaml").exists()
    # saving the person's own file is fine
    result = save_case(tmp_path / "first.yaml", data, expected_sha256=sha256_of(tmp_path / "first.yaml"),
                       data_dir=tmp_path)
    assert not result.written


def test_check_case_data_gives_each_problem_its_field_and_label() -> None:
    from formkit.load.write import check_case_data

    data = parsed(SAMPLES[0].read_bytes())
    assert check_case_data(data).ok
    data["agreement"]["start"] = "2021-02-30"
    found = {p.path: p for p in check_case_data(data).errors}
    assert found["agreement.start"].label == "服务起始日期" and "不存在的日期" in found["agreement.start"].message


def test_a_saved_record_passes_formkit_check(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from formkit.cli import main

    data = parsed(SAMPLES[0].read_bytes())
    data["applicant"]["address"] = "云南省昆明市五华区 某路 #3"  # a value that must be quoted
    save_case(tmp_path / "x.yaml", data, expected_sha256=None)
    result = CliRunner().invoke(main, ["check", str(tmp_path / "x.yaml")])
    assert result.exit_code in (0, 1) and "1 份有效，0 份有误" in result.output, result.output
