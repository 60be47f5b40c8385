"""Rendering of the roll-up forms (附件1 需求信息表, 附件4 名册, 附件5 申报表) through the
per-person backends: one document, no copies, so no copy labels.

``render_rollup(form_id, stem, context, when, formats)`` returns ``{file name: bytes}`` — the
.docx (``render.docx.render_docx_base``: docxtpl through the one Jinja environment) and the PDF
(``render.pdf.render_base``: WeasyPrint, font coverage checked first). ``when`` (from the data,
never the clock) dates both files. The context comes from ``formkit.rollup.demand_context`` or
``formkit.rollup.declaration.roster_context`` / ``subsidy_context``. Errors as those backends:
``TemplateError``, ``FontCoverageError``, ``FontMissingError``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from formkit.forms import load_form
from formkit.plan import Document

__all__ = ["ROLLUP_FORMS", "render_rollup", "rollup_document"]

ROLLUP_FORMS = ("demand", "roster", "subsidy")


def rollup_document(form_id: str, stem: str) -> Document:
    """The planned document of a roll-up form: the form, the file stem, no copies."""
    return Document(load_form(form_id), stem, ())


def render_rollup(form_id: str, stem: str, context: dict[str, Any], when: date,
                  formats: tuple[str, ...] = ("docx", "pdf")) -> dict[str, bytes]:
    """``{stem}.docx`` and/or ``{stem}.pdf`` of a roll-up form rendered with ``context``."""
    from formkit.context.schema import check

    doc = rollup_document(form_id, stem)
    check(form_id, context)
    files: dict[str, bytes] = {}
    if "docx" in formats:
        from formkit.render.docx import render_docx_base

        files[f"{stem}.docx"] = render_docx_base(doc, context, when)
    if "pdf" in formats:
        from formkit.render.pdf import render_base

        files[f"{stem}.pdf"] = render_base(doc, context, when)
    return files
