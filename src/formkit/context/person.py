"""The template context: the only place that shapes record data for templates.

``document_context(case, facts, doc) -> dict`` returns plain, backend-neutral values (``str``,
``int``, ``list``, ``dict``, ``None``): display strings in the official formats — dates
"2014年3月1日", year-months "1985.03", amounts in figures and upper case — and raw text for
narratives (newlines kept; each backend turns them into line breaks; escaping is the template
environment's job, never done here). Both the Word and the PDF template read exactly this dict,
so tests compare it once for both formats. Nothing in it depends on the day of rendering, so
a document changes only when its record, the rules' data or its templates change.

The copy label is *not* in the context: a document is rendered once and each copy is stamped
afterwards (``formkit.render``). ``COPY_LABEL_SLOT`` marks where a template wants it.
"""

from __future__ import annotations

from typing import Any

from formkit.facts import Facts
from formkit.context.filters import cn_date, cn_year_month, date_range, money_figures, rmb_upper, year_month
from formkit.model import Case
from formkit.plan import Document

GRADE_BOXES = (("excellent", "优秀"), ("passed", "合格"), ("basic", "基本合格"), ("failed", "不合格"))
"""The 考核等次 printed as tick boxes on 附件3 (spec §3), with the ASCII key of each box (a tag
of ASCII only stays one run when Word, WPS or LibreOffice re-save the template)."""

COPY_LABEL_SLOT = "〔份数及持有人〕"
"""Placeholder a template prints where each copy's label goes; replaced per copy when stamping."""


def _ym(d: Any) -> str:
    return year_month(d) if d is not None else ""


def case_context(case: Case, facts: Facts) -> dict[str, Any]:
    """The fields of a case every per-person form shares."""
    a, h, q, s, ag = case.applicant, case.home_unit, case.qualification, case.service, case.agreement
    params = facts.params  # the parameters the facts were derived with, not the packaged default
    rate = params.subsidy_per_year_yuan
    return {
        "applicant": {
            "name": a.name, "sex": a.sex, "ethnicity": a.ethnicity,
            "birth_month": _ym(a.birth_month), "political_status": a.political_status,
            "id_number": a.id_number, "education": a.education, "degree": a.degree or "",
            "education_degree": a.education + (f"/{a.degree}" if a.degree else ""),
            "school": a.school, "major": a.major, "school_major": f"{a.school} {a.major}",
            "work_start": _ym(a.work_start), "specialty": a.specialty, "position": a.position or "",
            "mobile": a.mobile, "address": a.address, "postcode": a.postcode or "",
            "photo": a.photo,
        },
        "home_unit": {
            "name": h.name, "level": h.level.value, "supervisor": h.supervisor,
            "hr_department": facts.filing_department.name,
        },
        "qualification": {
            "title": q.title or "", "title_level": facts.title_level or "",
            "title_date": _ym(q.title_date), "practice_qualification": q.practice_qualification or "",
            "practice_certificate": q.practice_certificate or "",
        },
        "service": {
            "prefecture": facts.prefecture_name, "county": facts.county_name, "township": s.township,
            "place": f"{facts.prefecture_name}{facts.county_name}{s.township}",
            "unit": s.unit, "credit_code": s.credit_code, "supervisor": s.supervisor,
            "address": s.address, "legal_representative": s.legal_representative, "post": s.post,
            "phone": s.phone or "", "county_hr": facts.service_department.name,
        },
        "agreement": {
            "start": cn_date(ag.start), "end": cn_date(ag.end), "signed_on": cn_date(ag.signed_on),
            "range": date_range(ag.start, ag.end),
            "period": f"自{cn_date(ag.start)}起至{cn_date(ag.end)}止",
            "years": facts.whole_years,
            "service_unit_duties": list(ag.service_unit_duties),
            "applicant_duties": list(ag.applicant_duties),
        },
        "resume": [
            {"start": _ym(r.start), "end": _ym(r.end) if r.end else "至今", "unit": r.unit, "position": r.position}
            for r in case.resume
        ],
        "achievements": case.achievements,
        "service_plan": case.service_plan,
        "subsidy": {
            "rate": money_figures(rate), "rate_upper": rmb_upper(rate),
            "minimum_years": params.minimum_years,
        },
        "routing": {"filing": facts.filing_department.name, "service_county": facts.service_department.name},
    }


def appraisal_context(case: Case, facts: Facts, index: int) -> dict[str, Any]:
    """The 附件3 fields of the term appraisal ``case.term_appraisals[index]`` (第九条); its
    period is looked up in ``facts.appraisals``, its grade read with ``facts.params``."""
    from formkit.rules.appraisal import canonical_grade

    rec = case.term_appraisals[index]
    due = next((d for d in facts.appraisals if (d.period_start, d.period_end) == (rec.start, rec.end)), None)
    grade = canonical_grade(rec.grade, facts.params)
    return {
        "number": due.number if due else index + 1,
        "label": due.label if due else "考核鉴定",
        "years_covered": due.years_covered if due else None,
        "period": date_range(rec.start, rec.end),
        "start": cn_date(rec.start), "end": cn_date(rec.end),
        "self_summary": rec.self_summary,
        "unit_opinion": rec.unit_opinion,
        "grade": rec.grade,
        "grade_canonical": grade,
        # ☑ on the recorded grade, ☐ on the others (附件3's tick boxes; the glyphs live here so
        # that no template tag contains a symbol Word or WPS would set in another font)
        "grade_marks": {key: ("☑" if g == grade else "☐") for key, g in GRADE_BOXES},
        "county_opinion": rec.county_opinion or "",
        "appraised_on": cn_date(rec.appraised_on) if rec.appraised_on else "",
        "remarks": rec.remarks or "",
    }


def document_context(case: Case, facts: Facts, doc: Document) -> dict[str, Any]:
    """Everything one document's templates may use: the case fields, the form's metadata
    (``form.title``, ``form.attachment``, ``form.footnote``, ``form.copies``), the copy-label
    slot, and for 附件3 the ``appraisal``."""
    ctx = case_context(case, facts)
    form = doc.form
    ctx["form"] = {
        "id": form.id, "title": form.title, "attachment": form.attachment,
        "footnote": form.footnote, "copies": len(doc.copies),
        "holders": [c.holder for c in doc.copies],
    }
    ctx["copy_label"] = COPY_LABEL_SLOT
    ctx["appraisal"] = (appraisal_context(case, facts, doc.appraisal_index)
                        if doc.appraisal_index is not None else None)
    return ctx


__all__ = ["COPY_LABEL_SLOT", "appraisal_context", "case_context", "document_context",
           "cn_year_month", "cn_date"]
