"""The plan stage: (case, facts, form) → the documents to make and their copies. Pure.

A ``Document`` is one form filled for one case (for 附件3: one per recorded term appraisal);
its ``copies`` are labelled with their real holders, resolved from the form's roles through the
routing rule (第四、五、六、九条). Output names are Chinese, e.g.
``申请登记表_张三_第1份_申请人.docx`` and, for the print PDF, ``申请登记表_张三.pdf``.
"""

from __future__ import annotations

from dataclasses import dataclass

from formkit.facts import Facts
from formkit.forms import ROLES, Form, copy_label
from formkit.model import Case
from formkit.safe_names import safe_name

@dataclass(frozen=True)
class Copy:
    """One labelled copy: ``number`` (1-based) of ``total``, its ``role``, real ``holder``, ``label``."""

    number: int
    total: int
    role: str
    holder: str
    label: str
    short_holder: str


@dataclass(frozen=True)
class Document:
    """One form filled for one case: ``stem`` names its files; ``appraisal_index`` picks the
    term appraisal for 附件3 (``None`` for other forms)."""

    form: Form
    stem: str
    copies: tuple[Copy, ...]
    appraisal_index: int | None = None
    ident: str = ""

    @property
    def identity(self) -> str:
        """What the document is (the ledger's document id after the person): ``application``,
        ``agreement``, or ``appraisal/<N>`` — the N-th recorded term appraisal, in period order,
        as its file name says (第N次): correcting a period's dates corrects the same document."""
        return self.ident or self.form.id

    def copy_file(self, copy: Copy, ext: str) -> str:
        return f"{self.stem}_第{copy.number}份_{safe_name(copy.short_holder, 20)}.{ext}"

    def print_file(self) -> str:
        return f"{self.stem}.pdf"


def holder_for(role: str, case: Case, facts: Facts) -> str:
    """The real holder of a copy for ``role`` (see ``formkit.forms.ROLES``)."""
    return {
        "applicant": "申请人",
        "home_unit": case.home_unit.name,
        "home_unit_feedback": f"原单位（{case.home_unit.name}）",
        "home_hr": facts.filing_department.name,
        "service_unit": case.service.unit,
        "service_supervisor": case.service.supervisor,
        "service_county_hr": facts.service_department.name,
    }[role]


def plan_copies(form: Form, case: Case, facts: Facts) -> tuple[Copy, ...]:
    """Every copy of ``form`` for ``case``, in the order the policy lists the holders."""
    total = len(form.copies)
    out = []
    for number, role in enumerate(form.copies, start=1):
        holder = holder_for(role, case, facts)
        out.append(Copy(number, total, role, holder, copy_label(form, number, holder), ROLES[role][1]))
    return tuple(out)


def plan_documents(form: Form, case: Case, facts: Facts) -> list[Document]:
    """The documents of ``form`` for ``case``: one, or for 附件3 one per recorded term appraisal
    (the two-year term, then each later year), named ``考核鉴定表_张三_第1次``…"""
    copies = plan_copies(form, case, facts)
    base = f"{safe_name(form.short_title)}_{safe_name(case.applicant.name, 20)}"
    if form.scope == "appraisal":
        docs = []
        for i, rec in enumerate(sorted(case.term_appraisals, key=lambda r: r.start)):
            index = case.term_appraisals.index(rec)
            docs.append(Document(form, f"{base}_第{i + 1}次", copies, index, f"appraisal/{i + 1}"))
        return docs
    return [Document(form, base, copies)]
