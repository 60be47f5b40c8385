"""Cross-field checks of a validated record: the facts no single field can check alone.

``check_case(case) -> list[Problem]`` and ``check_demand(demand) -> list[Problem]`` are pure:
each ``Problem`` knows its field path (``applicant.sex``); the loader adds file, line and the
Chinese label. Errors stop the record; warnings are reported only.

Sources: GB 11643-1999 (ID number: sex digit, birth date, address code), GB/T 2260 (codes),
spec §4 (dates, ages, titles), policy 第二条 (乡镇 service, ≥ 2 years), 第九条 (appraisal periods).
"""

from __future__ import annotations

from datetime import date

from formkit.errors import InvalidValue, Problem, Severity
from formkit.model import Case, DemandList, UnitLevel, flatten

MIN_AGE_AT_START = 20
MAX_AGE_AT_START = 65


def _err(path: str, message: str) -> Problem:
    return Problem(message, path=path)


def _warn(path: str, message: str) -> Problem:
    return Problem(message, path=path, severity=Severity.WARNING)


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _is_township(name: str) -> bool:
    return name.endswith(("乡", "镇", "民族乡"))


PLACEHOLDER = "某某"
"""The placeholder of ``formkit new`` records: a value still containing it was never filled in."""


def _placeholders(record: Case | DemandList) -> list[Problem]:
    return placeholders_in(record.model_dump(mode="json"))


def placeholders_in(data: object) -> list[Problem]:
    """Every value of a record, or of its parsed YAML when the record itself was refused (so
    placeholders are reported together with the fields' problems), still containing 「某某」."""
    return [_err(path, f"仍是示例占位内容（含「{PLACEHOLDER}」），请填写真实内容")
            for path, value in flatten(data).items() if PLACEHOLDER in value]


def check_case(case: Case) -> list[Problem]:
    """Every cross-field fault of a case; empty when the case is consistent."""
    from formkit.reference.titles import resolve_title
    from formkit.validators import id_address_known, parse_id_number

    placeholders = _placeholders(case)  # kept apart: they must not hide the checks gated below
    out: list[Problem] = []
    a, ag = case.applicant, case.agreement
    ident = parse_id_number(a.id_number)

    # GB 11643: the 17th digit is odd for men, even for women; digits 7–14 are the birth date.
    if ident.sex != a.sex:
        out.append(_err("applicant.sex", f"与公民身份号码不符：号码第17位表示「{ident.sex}」，记录为「{a.sex}」"))
    if (ident.birth.year, ident.birth.month) != (a.birth_month.year, a.birth_month.month):
        out.append(_err("applicant.birth_month",
                        f"与公民身份号码不符：号码中的出生年月为 {ident.birth:%Y.%m}，记录为 {a.birth_month:%Y.%m}"))
    if not id_address_known(ident.address_code, ident.birth.year):
        out.append(_warn("applicant.id_number",
                         f"地址码 {ident.address_code} 不在行政区划代码表（含历史代码）中；请核对号码"))

    birth = ident.birth
    age = _age(birth, ag.start)
    if not MIN_AGE_AT_START <= age <= MAX_AGE_AT_START:
        out.append(_err("agreement.start",
                        f"服务开始时申请人 {age} 岁，不在 {MIN_AGE_AT_START}–{MAX_AGE_AT_START} 岁之间；请核对日期"))
    if _age(birth, a.work_start) < 16:
        out.append(_err("applicant.work_start", f"参加工作时间 {a.work_start:%Y.%m} 早于16周岁"))
    if a.work_start > ag.start:
        out.append(_err("applicant.work_start", "参加工作时间晚于服务起始日期"))

    # The agreement's dates (第六条: 服务起止时间).
    if ag.end < ag.start:
        out.append(_err("agreement.end", f"服务截止日期 {ag.end} 早于起始日期 {ag.start}"))
    if ag.signed_on > ag.start:
        out.append(_err("agreement.signed_on", f"协议签订日期 {ag.signed_on} 晚于服务起始日期 {ag.start}；应先签协议再到岗"))
    if ag.signed_on < a.work_start:
        out.append(_err("agreement.signed_on", "协议签订日期早于参加工作时间"))

    # Titles: exact names only, ambiguous names need an explicit level (spec §4.6).
    q = case.qualification
    if q.title is None and q.title_level is not None:
        out.append(_err("qualification.title", "填写了职称等级但没有职称名称"))
    if q.title is not None:
        try:
            resolve_title(q.title, q.title_level)
        except InvalidValue as exc:
            out.append(_err("qualification.title", str(exc)))
        if q.title_date is None:
            out.append(_err("qualification.title_date", "填写了职称，缺少职称取得时间"))
        elif q.title_date < a.work_start:
            out.append(_err("qualification.title_date", "职称取得时间早于参加工作时间"))
        # A title obtained after signing is a 第二条 question (rules.eligibility: 签订协议时尚无
        # 中级以上职称), reported by check as 不符合第二条, not as a fault of the record; with
        # 执业资格 as well the person may still qualify, so it is only pointed out.
        elif q.title_date > ag.start and q.practice_qualification is not None:
            out.append(_warn("qualification.title_date", "职称取得时间晚于服务起始日期；第二条的资格只能依据签订协议时已有的执业资格"))
    if q.practice_date is not None:
        if q.practice_qualification is None:
            out.append(_err("qualification.practice_date", "填写了执业资格取得时间但没有执业资格"))
    if q.title is None and q.practice_qualification is None:
        out.append(_err("qualification", "职称和执业资格至少填写一项（第二条）"))

    # Home unit: its level decides routing (第四、五条), so its code must fit the level.
    from formkit.reference.divisions import current

    unit_div = current(case.home_unit.division)
    if case.home_unit.level is UnitLevel.COUNTY and unit_div.level != "county":
        out.append(_err("home_unit.division", f"县(市、区)属单位应填县级代码，{unit_div.code} 是{unit_div.name}"))
    if case.home_unit.level is UnitLevel.PREFECTURE and unit_div.level == "province":
        out.append(_err("home_unit.division", "州(市)属单位应填所在州(市)的代码"))

    if not _is_township(case.service.township):
        out.append(_warn("service.township", f"「{case.service.township}」不像乡镇名称；第二条的服务地为乡镇"))

    for i, row in enumerate(case.resume):
        if row.end is not None and row.end < row.start:
            out.append(_err(f"resume[{i}].end", "终止年月早于起始年月"))
        if row.start < birth.replace(day=1):
            out.append(_err(f"resume[{i}].start", "起始年月早于出生年月"))

    seen: dict[int, int] = {}
    for i, row in enumerate(case.annual_appraisals):
        if row.year in seen:
            out.append(_err(f"annual_appraisals[{i}].year", f"{row.year} 年度的考核已在第 {seen[row.year] + 1} 项填写"))
        seen.setdefault(row.year, i)
        if ag.end >= ag.start and not ag.start.year <= row.year <= ag.end.year:
            out.append(_err(f"annual_appraisals[{i}].year", f"{row.year} 年度不在服务期 {ag.start.year}–{ag.end.year} 内"))

    if ag.end < ag.start:  # every period check below would only repeat this one fault
        return placeholders + out
    periods_seen: dict[tuple[date, date], int] = {}
    for i, row in enumerate(case.term_appraisals):
        first = periods_seen.setdefault((row.start, row.end), i)
        if first != i:
            out.append(_err(f"term_appraisals[{i}]", f"考核期间 {row.start}—{row.end} 已在第 {first + 1} 项鉴定过；"
                                                     "每个考核周期只有一次考核鉴定（第九条）"))
        if row.end < row.start:
            out.append(_err(f"term_appraisals[{i}].end", "考核期间止早于考核期间起"))
        if row.start < ag.start or row.end > ag.end:
            out.append(_err(f"term_appraisals[{i}]", f"考核期间 {row.start}—{row.end} 超出服务期 {ag.start}—{ag.end}"))
        if row.appraised_on is not None and row.appraised_on < row.end:
            out.append(_err(f"term_appraisals[{i}].appraised_on", "鉴定日期早于考核期间结束（第九条：期满后鉴定）"))
    if not out or all(not p.is_error for p in out):
        out.extend(_check_appraisal_periods(case))
    return placeholders + out


def _check_appraisal_periods(case: Case) -> list[Problem]:
    """Each recorded 考核鉴定 must cover one period of the 第九条 schedule."""
    from formkit.rules.appraisal import appraisal_schedule

    schedule = appraisal_schedule(case.agreement.start, case.agreement.end)
    periods = {(d.period_start, d.period_end): d for d in schedule}
    out = []
    for i, row in enumerate(case.term_appraisals):
        if (row.start, row.end) not in periods:
            expected = "；".join(f"{d.label} {d.period_start}—{d.period_end}" for d in schedule) or "（服务期不足2周年，无考核鉴定）"
            out.append(_err(f"term_appraisals[{i}]",
                            f"考核期间 {row.start}—{row.end} 与第九条的考核周期不符；应为: {expected}"))
    return out


def check_demand(demand: DemandList) -> list[Problem]:
    """Every cross-field fault of a county demand list (附件1, 第三条)."""
    from formkit.rules.params import load_params

    params = load_params()
    out: list[Problem] = _placeholders(demand)
    if demand.reported_on.year not in (demand.year, demand.year - 1):
        out.append(_err("reported_on", f"填报时间 {demand.reported_on} 与年度 {demand.year} 不符"))
    for i, post in enumerate(demand.posts):
        if post.term_years < params.minimum_years:
            out.append(_err(f"posts[{i}].term_years",
                            f"服务期限不少于 {params.minimum_years} 年（第二条），实为 {post.term_years} 年"))
        if not _is_township(post.township):
            out.append(_warn(f"posts[{i}].township", f"「{post.township}」不像乡镇名称；第三条征集的是乡镇需求"))
    return out
