"""The contexts of the roll-up forms, for both backends: 附件1 需求信息表 (``demand_context``),
附件4 名册 (``roster_context``), 附件5 申报表 (``subsidy_context``), and the exclusions report's
text (``exclusions_report``). Plain values and display strings (dates, amounts in figures and
upper case); the tables come from ``formkit.rollup`` (pure).
"""

from __future__ import annotations

from typing import Any

from formkit.rollup.declaration import CATEGORIES, Declaration
from formkit.rollup.demand import BLANK_DATE, DemandRow, DemandTable, level_name

__all__ = ["TITLE_REQUIREMENT", "demand_context", "exclusions_report", "roster_context", "subsidy_context"]


# --------------------------------------------------------------------------- template context

TITLE_REQUIREMENT = {"中级": "中级及以上", "副高级": "副高级及以上", "正高级": "正高级"}
"""How a 职称要求 is printed: the policy admits 中级以上（含中级） (第二条)."""


def _post_cells(row: DemandRow) -> dict[str, Any]:
    p = row.post
    assert p is not None
    return {
        "township": p.township, "unit": p.unit, "unit_kind": p.unit_kind, "post": p.post,
        "major": p.major, "title": TITLE_REQUIREMENT[p.title_requirement],
        "education": p.education, "term": p.term_years, "conditions": p.conditions,
        "contact": p.contact, "phone": p.phone, "remarks": p.remarks or "",
    }


_EMPTY_POST = dict.fromkeys(("township", "unit", "unit_kind", "post", "major", "title", "education",
                             "conditions", "contact", "phone", "remarks"), "")


def demand_context(table: DemandTable, form: Any) -> dict[str, Any]:
    """The plain context of the ``demand`` form's templates (both backends): ``form`` metadata, the
    scope, the reporting details (display strings; blanks for ink as ``""`` / ``年　月　日``),
    ``rows`` (every row: ``kind``, ``number``, ``label``, ``prefecture``, ``county``, the post's
    cells and ``count``) and ``total``."""
    from formkit.context.filters import cn_date

    rows = []
    for r in table.rows:
        cells = _post_cells(r) if r.kind == "post" else {**_EMPTY_POST, "term": ""}
        rows.append({"kind": r.kind, "number": r.number or "", "label": r.label,
                     "prefecture": r.prefecture_name, "county": r.county_name, "count": r.count, **cells})
    scope = f"{table.division_name}{table.year}年度"
    return {
        "form": {"id": form.id, "title": form.title, "attachment": form.attachment,
                 "footnote": form.footnote},
        "applicant": {"name": scope},  # _shared/base.html titles the page with applicant.name
        "level": table.level, "level_name": level_name(table.level),
        "scope": table.division_name, "year": table.year,
        "reporting_unit": table.reporting_unit,
        "reported_on": cn_date(table.reported_on) if table.reported_on else BLANK_DATE,
        "filled_by": table.filled_by, "reviewed_by": table.reviewed_by, "phone": table.phone,
        "rows": rows, "total": table.total, "posts": len(table.posts),
    }


# --------------------------------------------------------------------------- template contexts

def _form(form: Any) -> dict[str, Any]:
    return {"id": form.id, "title": form.title, "attachment": form.attachment, "footnote": form.footnote}


def _common(decl: Declaration, form: Any) -> dict[str, Any]:
    from formkit.context.filters import money_figures, rmb_upper

    return {
        "form": _form(form),
        "applicant": {"name": f"{decl.prefecture_name}{decl.year}年度"},  # base.html's <title>
        "prefecture": decl.prefecture_name, "year": decl.year,
        "reporting_unit": decl.hr_department, "finance_department": decl.finance_department,
        "reported_on": BLANK_DATE,
        "total": {"people": decl.total_people, "years": decl.total_years,
                  "amount": money_figures(decl.total_amount), "amount_upper": rmb_upper(decl.total_amount)},
        "rate": money_figures(decl.rate),
    }


def roster_context(decl: Declaration, form: Any) -> dict[str, Any]:
    """The context of the ``roster`` form (附件4): ``rows`` with display strings, ``total``."""
    from formkit.context.filters import cn_date, money_figures

    ctx = _common(decl, form)
    ctx["rows"] = [{
        "number": r.number, "name": r.name, "sex": r.sex, "id_number": r.id_number,
        "home_unit": r.home_unit, "title": r.title, "county": r.county_name,
        "township": r.township, "unit": r.unit,
        "start": cn_date(r.start), "end": cn_date(r.end),
        "years": r.years, "grades": r.grades, "periods": r.periods,
        "amount": money_figures(r.amount),
        "remarks": f"核发{r.periods}",
    } for r in decl.rows]
    return ctx


def subsidy_context(decl: Declaration, form: Any) -> dict[str, Any]:
    """The context of the ``subsidy`` form (附件5): ``counties`` with amounts in figures, ``total``
    in figures and upper case, the two bureaux whose opinions close the form."""
    from formkit.context.filters import money_figures

    ctx = _common(decl, form)
    ctx["counties"] = [{"number": c.number, "county": c.county_name, "people": c.people, "years": c.years,
                        "amount": money_figures(c.amount)} for c in decl.counties]
    return ctx


# --------------------------------------------------------------------------- exclusions report


def exclusions_report(decl: Declaration) -> str:
    """The exclusions as plain text a clerk reads (no markup): a title, a summary line, then per
    category (heading, article, count) one numbered entry per person — 序号、姓名, masked
    公民身份号码, 服务县, 原因, 依据条款 and the record file. ID numbers are always masked."""
    from formkit.context.filters import cn_date, money_figures, rmb_upper
    from formkit.privacy import mask_id_number

    def flat(text: str) -> str:
        return " ".join(text.split())

    when = f"按{cn_date(decl.as_of)}计算；" if decl.as_of else ""
    lines = [
        f"{decl.prefecture_name}{decl.year}年度工作岗位补贴申报：未列入名册人员",
        "",
        f"{when}审查记录 {decl.considered} 份，列入名册 {decl.total_people} 人"
        f"（核发 {decl.total_years} 年，{money_figures(decl.total_amount)} 元，{rmb_upper(decl.total_amount)}），"
        f"未列入 {len(decl.exclusions)} 人。",
    ]
    number = 0
    for category, (heading, article) in CATEGORIES.items():
        group = [x for x in decl.exclusions if x.category == category]
        if not group:
            continue
        lines += ["", f"{heading}（{article}）：{len(group)} 人"]
        for x in group:
            number += 1
            lines += ["",
                      f"  {number}. 姓名：{flat(x.name)}",
                      f"     公民身份号码：{mask_id_number(x.id_number)}",
                      f"     服务县：{flat(x.prefecture_name + x.county_name)}",
                      f"     原因：{flat('；'.join(x.details))}",
                      f"     依据条款：{x.article}"]
            if x.source:
                lines.append(f"     记录：{x.source}")
    if not decl.exclusions:
        lines += ["", "（无）"]
    return "\n".join(lines) + "\n"
