"""The sample records under data/ are valid, realistic and cover what the documents must handle.

Coverage is computed from the loaded records (never from a list of file names): home-unit
levels, 2/3/4-year terms, a 29 February start, a failed later year, a 基本合格, a rare
(CJK Extension A/B) character in a name, ethnic minorities, a doctor with 执业医师资格, the
title series, a service still running with its later appraisal not yet recorded, and the
第九条 appraisal periods. The starting records of ``formkit new`` are checked too.
"""

from __future__ import annotations

import re
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from formkit.reference.divisions import current, prefecture_of
from formkit.load import record_files, load_case, load_demand, load_record, parse_yaml
from formkit.model import Case, DemandList, UnitLevel
from formkit.rules.appraisal import appraisal_schedule, grade_passes
from formkit.rules.params import load_params
from formkit.rules.periods import whole_years, year_complete_on

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SAMPLE_FILES = record_files([DATA])
CASE_FILES = [p for p in SAMPLE_FILES if p.parent.name == "cases"]
DEMAND_FILES = [p for p in SAMPLE_FILES if p.parent.name == "demand"]

# Telephone area codes of the 16 州(市) (GB/T 2260 code → 区号).
AREA_CODES = {
    "530100": "0871", "530300": "0874", "530400": "0877", "530500": "0875", "530600": "0870",
    "530700": "0888", "530800": "0879", "530900": "0883", "532300": "0878", "532500": "0873",
    "532600": "0876", "532800": "0691", "532900": "0872", "533100": "0692", "533300": "0886",
    "533400": "0887",
}
ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])")


def _is_rare(ch: str) -> bool:
    """CJK Unified Ideographs Extension A (U+3400–4DBF) or B (U+20000–2A6DF)."""
    return 0x3400 <= ord(ch) <= 0x4DBF or 0x20000 <= ord(ch) <= 0x2A6DF


@pytest.fixture(scope="module")
def cases(samples) -> dict[str, Case]:
    """The sample cases, loaded once per run (conftest.py's ``samples``)."""
    assert samples.paths == CASE_FILES
    return samples.cases()


@pytest.fixture(scope="module")
def demands() -> dict[str, DemandList]:
    out = {}
    for path in DEMAND_FILES:
        loaded = load_demand(path)
        assert loaded.record is not None, "\n".join(map(str, loaded.problems))
        out[path.name] = loaded.record
    return out


# --------------------------------------------------------------------------- every file valid


def test_the_sample_folders_hold_enough_records():
    assert len(CASE_FILES) >= 9
    assert len(DEMAND_FILES) >= 2
    assert len(SAMPLE_FILES) == len(CASE_FILES) + len(DEMAND_FILES), "a record outside data/cases, data/demand"


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: str(p.relative_to(DATA)))
def test_sample_loads_without_errors_or_warnings(path: Path):
    loaded = load_record(path)
    report = "\n".join(str(p) for p in loaded.problems)
    assert loaded.ok and loaded.record is not None, f"errors:\n{report}"
    assert not loaded.warnings, f"unexpected warnings (none is intended in the samples):\n{report}"


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: str(p.relative_to(DATA)))
def test_sample_file_name_is_ascii_pinyin(path: Path):
    assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*\.yaml", path.name), path.name


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.name)
def test_each_case_section_has_a_comment_with_its_chinese_label(path: Path):
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        key = re.match(r"^([a-z_]+):", line)
        if not key:
            continue
        label = Case.model_fields[key[1]].title
        above = next(prev for prev in reversed(lines[:i]) if prev.strip())
        assert above.startswith("#") and label in above, f"{path.name}:{i + 1}: `{key[1]}` lacks a「{label}」comment"


# --------------------------------------------------------------------------- coverage of the set


def test_home_unit_levels_all_present(cases):
    levels = {c.home_unit.level for c in cases.values()}
    assert {UnitLevel.PROVINCE, UnitLevel.PREFECTURE, UnitLevel.COUNTY} <= levels


def test_service_spread_over_several_prefectures(cases):
    prefectures = {prefecture_of(c.service.county).code for c in cases.values()}
    assert len(prefectures) >= 5, prefectures
    for c in cases.values():
        assert current(c.service.county).level == "county"


def test_terms_of_two_three_and_four_years(cases):
    terms = {whole_years(c.agreement.start, c.agreement.end) for c in cases.values()}
    assert {2, 3, 4} <= terms, terms
    for name, c in cases.items():  # every agreement ends exactly on a whole year (第十三条)
        n = whole_years(c.agreement.start, c.agreement.end)
        assert c.agreement.end == year_complete_on(c.agreement.start, n), name


def test_a_29_february_start_ends_on_28_february(cases):
    leap = [c for c in cases.values() if (c.agreement.start.month, c.agreement.start.day) == (2, 29)]
    assert leap
    for c in leap:
        n = whole_years(c.agreement.start, c.agreement.end)
        assert n >= 2
        assert c.agreement.end == date(c.agreement.start.year + n, 2, 28)


def test_a_failed_later_year_followed_by_a_pass(cases):
    found = []
    for name, c in cases.items():
        ordered = sorted(c.term_appraisals, key=lambda t: t.start)
        grades = [grade_passes(t.grade) for t in ordered]
        for i, passed in enumerate(grades):
            if not passed and i >= 1 and any(grades[i + 1:]):
                found.append(name)
    assert found, "no case where a later year (3, 4, …) failed and a following year passed"


def test_grades_include_basically_qualified_and_a_synonym(cases):
    grades = {t.grade for c in cases.values() for t in c.term_appraisals}
    grades |= {a.grade for c in cases.values() for a in c.annual_appraisals}
    assert "基本合格" in grades
    assert grades & {"称职", "基本称职"}, "the 称职 wording (synonym of 合格) is not exercised"
    assert {"优秀", "合格", "不合格"} <= grades


def test_a_name_with_a_cjk_extension_character(cases):
    rare = [c.applicant.name for c in cases.values() if any(_is_rare(ch) for ch in c.applicant.name)]
    assert rare
    # U+2AA0A 𪨊 is missing from Noto CJK (spec §5): the sample must be one the fonts can draw.
    assert all("\U0002AA0A" not in n for n in rare)


def test_ethnic_minorities(cases):
    minorities = {c.applicant.ethnicity for c in cases.values()} - {"汉族"}
    assert len(minorities) >= 3, minorities


def test_professions(cases):
    titles = {c.qualification.title for c in cases.values()}
    assert titles & {"工程师", "高级工程师"}
    assert {"一级教师", "农艺师", "主管护师"} <= titles
    doctors = [c for c in cases.values()
               if c.qualification.title == "主治医师" and c.qualification.practice_qualification == "执业医师资格"]
    assert doctors


def test_a_running_service_with_a_later_appraisal_not_yet_recorded(cases):
    running = []
    for name, c in cases.items():
        schedule = appraisal_schedule(c.agreement.start, c.agreement.end)
        recorded = {(t.start, t.end) for t in c.term_appraisals}
        if recorded and any((d.period_start, d.period_end) not in recorded for d in schedule):
            running.append(name)
        elif not c.term_appraisals:
            running.append(name)
    assert running
    assert any(cases[n].agreement.end.year >= 2027 for n in running)


def test_township_enterprise_and_institution_service_units(cases):
    prefixes = {c.service.credit_code[:2] for c in cases.values()}
    assert {"12", "91"} <= prefixes
    for name, c in cases.items():
        if c.service.credit_code.startswith("12"):  # 事业单位: 12 + the county's division code
            assert c.service.credit_code[2:8] == c.service.county, name


# --------------------------------------------------------------------------- each case plausible


def test_appraisal_periods_follow_article_9(cases):
    for name, c in cases.items():
        schedule = [(d.period_start, d.period_end) for d in appraisal_schedule(c.agreement.start, c.agreement.end)]
        periods = [(t.start, t.end) for t in c.term_appraisals]
        assert periods == schedule[: len(periods)], f"{name}: appraisals not in 第九条 order"
        for t in c.term_appraisals:
            assert t.appraised_on is not None and t.appraised_on > t.end, name


def test_people_dates_and_numbers_are_plausible(cases):
    for name, c in cases.items():
        a, ag, q = c.applicant, c.agreement, c.qualification
        birth = date(int(a.id_number[6:10]), int(a.id_number[10:12]), int(a.id_number[12:14]))
        age = ag.start.year - birth.year - ((ag.start.month, ag.start.day) < (birth.month, birth.day))
        assert 25 <= age <= 55, (name, age)
        assert a.id_number[:2] == "53", name
        assert ag.signed_on <= ag.start, name
        assert q.title_date is not None and a.work_start <= q.title_date <= ag.start, name
        assert a.work_start < ag.start and c.resume[0].start < a.work_start, name
        for duties in (ag.service_unit_duties, ag.applicant_duties):
            assert 2 <= len(duties) <= 4, name
        for text in (c.achievements, c.service_plan):
            assert len(re.findall("[。；]", text)) >= 2, f"{name}: narrative too short"
        assert ID_NUMBER.fullmatch(a.id_number)
        assert current(c.home_unit.division)


def test_landline_area_codes_match_the_place(cases, demands):
    def area_ok(phone: str, county: str) -> bool:
        return not phone.startswith("0") or phone.split("-")[0] == AREA_CODES[prefecture_of(county).code]

    for name, c in cases.items():
        if c.service.phone:
            assert area_ok(c.service.phone, c.service.county), name
    for name, d in demands.items():
        assert area_ok(d.phone, d.county), name
        for post in d.posts:
            assert area_ok(post.phone, d.county), (name, post.unit)


# --------------------------------------------------------------------------- demand lists


def test_demand_lists(demands):
    assert len({prefecture_of(d.county).code for d in demands.values()}) >= 2
    params = load_params()
    county_deadline = next(r for r in params.demand_calendar if r.level == "county")
    for name, d in demands.items():
        assert d.year == 2026, name
        assert date(d.year, 1, 1) <= d.reported_on <= county_deadline.on(d.year), name
        assert 4 <= len(d.posts) <= 8, name
        assert len({p.township for p in d.posts}) == len(d.posts), f"{name}: one post per township"
        assert {p.unit_kind for p in d.posts} == {"事业单位", "企业"}, name
        assert all(p.term_years >= params.minimum_years for p in d.posts), name


# --------------------------------------------------------------------------- `formkit new` starting records


def _field_names(model) -> set[str]:
    import typing

    from formkit.model import _inner_model

    names = set()
    for field_name, info in model.model_fields.items():
        names.add(field_name)
        inner = _inner_model(info.annotation, typing)
        if inner is not None:
            names |= _field_names(inner)
    return names


@pytest.mark.parametrize(("kind", "model"), [("case", Case), ("demand", DemandList)])
def test_new_record_template_parses_and_shows_every_field(kind, model):
    text = (resources.files("formkit") / "data" / f"new_{kind}.yaml").read_text(encoding="utf-8")
    data, _, problems = parse_yaml(text.encode("utf-8"), f"new_{kind}.yaml")
    assert not problems, [str(p) for p in problems]
    assert isinstance(data, dict)
    for name in sorted(_field_names(model)):
        # present as a key, possibly commented out (optional fields, later stages)
        assert re.search(rf"^[ #]*(- )?{name}:", text, re.M), f"new_{kind}.yaml does not show `{name}`"


def test_new_templates_are_valid_once_the_placeholders_are_filled_in(tmp_path):
    text = (resources.files("formkit") / "data" / "new_case.yaml").read_text(encoding="utf-8")
    assert "某某" in text
    text = text.replace("某某", "大井")  # every 「某某」 placeholder must be replaced to pass
    placeholders = {'"53XXXXYYYYMMDDSSSC"': '"532524198503150116"', '"1XXXXXXXXXX"': '"13912345678"',
                    '"12XXXXXXXXXXXXXXXX"': '"125301284310000109"'}
    for old, new in placeholders.items():
        assert old in text
        text = text.replace(old, new)
    (tmp_path / "cases").mkdir()
    case = tmp_path / "cases" / "new.yaml"
    case.write_text(text, encoding="utf-8")
    loaded = load_case(case)
    assert loaded.ok, "\n".join(map(str, loaded.problems))

    demand = resources.files("formkit") / "data" / "new_demand.yaml"
    (tmp_path / "demand").mkdir()
    target = tmp_path / "demand" / "new.yaml"
    target.write_text(demand.read_text(encoding="utf-8").replace("某某", "大井"), encoding="utf-8")
    loaded = load_demand(target)
    assert loaded.ok, "\n".join(map(str, loaded.problems))
