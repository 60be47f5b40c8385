"""``formkit explain``: the facts of a case as lines a clerk reads, each citing its article.

``explain_lines(case, facts) -> list[str]`` (text) and ``explain_data(case, facts) -> dict``
(JSON-ready; amounts as strings in 元). ID numbers are masked.
"""

from __future__ import annotations

from typing import Any

from formkit.facts import Facts
from formkit.context.filters import cn_date, money_figures, rmb_upper
from formkit.model import Case
from formkit.privacy import mask_id_number

_STATUS = {
    "payable": "可申报",
    "awaiting-appraisal": "待考核鉴定",
    "not-yet-due": "未到期",
    "failed": "不核发",
    "not-performed": "不核发",
    "ineligible": "不核发",
}


def _money(amount: Any) -> str:
    return f"{money_figures(amount)} 元（{rmb_upper(amount)}）"


def _appraisal_state(case: Case, facts: Facts, due: Any) -> str:
    for rec in case.term_appraisals:
        if (rec.start, rec.end) == (due.period_start, due.period_end):
            when = f"，{cn_date(rec.appraised_on)}鉴定" if rec.appraised_on else ""
            return f"已鉴定：{rec.grade}{when}"
    if due.period_end >= facts.as_of:
        return f"{cn_date(due.period_end)}期满后进行"
    return "已到期，尚未鉴定"


def explain_lines(case: Case, facts: Facts) -> list[str]:
    """The explanation of one case, line by line (Chinese, articles cited)."""
    a, ag = case.applicant, case.agreement
    el = facts.eligibility
    lines = [
        f"申请人：{a.name}（{a.sex}，{a.ethnicity}，公民身份号码 {mask_id_number(a.id_number)}）",
        f"现工作单位：{case.home_unit.name}（{case.home_unit.level.value}）",
        f"服务单位：{facts.prefecture_name}{facts.county_name}{case.service.township} {case.service.unit}，"
        f"岗位：{case.service.post}",
        f"按 {cn_date(facts.as_of)} 计算",
        "",
        f"资格（第二条）：{'符合' if el.eligible else '不符合'}",
    ]
    lines += [f"  ✓ {g}" for g in el.grounds]
    lines += [f"  ✗ {r.text}" for r in el.reasons]
    lines += [
        f"申请报送、联系落实岗位（第四、五条）：{facts.filing_department.name}",
        f"服务地县级人力资源和社会保障部门（第六、九条）：{facts.service_department.name}",
        f"服务期（第十三条）：{cn_date(ag.start)}至{cn_date(ag.end)}，满 {facts.whole_years} 周年",
        "考核鉴定（第九条）：" + ("" if facts.appraisals else f"无（服务期不满{facts.params.minimum_years}周年）"),
    ]
    for due in facts.appraisals:
        lines.append(f"  {due.number}. {due.label}：{cn_date(due.period_start)}至{cn_date(due.period_end)}"
                     f" — {_appraisal_state(case, facts, due)}")
    sub = facts.subsidy
    lines.append("工作岗位补贴（第二、十、十一、十三条）：")
    for item in sub.items:
        where = ""
        if item.status == "payable":
            where = f"，列入{facts.prefecture_name}{item.declaration_year}年度申报（第十条）"
        lines.append(f"  {item.number}. {cn_date(item.period_start)}至{cn_date(item.period_end)}，"
                     f"{item.years_covered}年，{_money(item.amount)} — {_STATUS[item.status]}{where}")
        lines.append(f"     {item.reason}")
    for reason in sub.reasons if not sub.items else ():
        lines.append(f"  {reason}")
    lines.append(f"合计可核发：{_money(sub.total_payable)}")
    for rec in sub.unmatched:
        lines.append(f"  注意：考核鉴定 {rec.period_start}—{rec.period_end} 与第九条的考核周期不符，未计入")
    return lines


def explain_data(case: Case, facts: Facts) -> dict[str, Any]:
    """The explanation as a JSON-ready dict (dates ISO, amounts as strings in 元)."""
    return {
        "name": case.applicant.name,
        "as_of": facts.as_of.isoformat(),
        "eligible": facts.eligibility.eligible,
        "grounds": list(facts.eligibility.grounds),
        "reasons": list(facts.eligibility.reason_texts),
        "filing_department": facts.filing_department.name,
        "service_department": facts.service_department.name,
        "whole_years": facts.whole_years,
        "appraisals": [
            {"number": d.number, "label": d.label, "start": d.period_start.isoformat(),
             "end": d.period_end.isoformat()} for d in facts.appraisals
        ],
        "subsidy": [
            {"number": i.number, "years": i.years_covered, "start": i.period_start.isoformat(),
             "end": i.period_end.isoformat(), "amount": str(i.amount), "amount_upper": rmb_upper(i.amount),
             "status": i.status, "declaration_year": i.declaration_year, "reason": i.reason}
            for i in facts.subsidy.items
        ],
        "total_payable": str(facts.subsidy.total_payable),
        "total_payable_upper": rmb_upper(facts.subsidy.total_payable),
    }
