"""The render stage: a planned ``Document`` and its context → the bytes of every output file.

``render_document(case, facts, doc, formats)`` renders each format ONCE and stamps the copy
labels afterwards (Word: the label slot substituted per copy; PDF: all labels overlaid in one
pass), so N copies cost little more than one. Returns ``Rendered``: file name → bytes, in order.
Backends (``render.docx``, ``render.pdf``) know nothing about YAML; they take the plain context.
Raises ``TemplateError`` (broken template, missing field) and ``FontCoverageError`` (a
character no font covers, named by field).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from formkit.context import document_context
from formkit.context.schema import check
from formkit.facts import Facts
from formkit.model import Case
from formkit.plan import Document

FORMATS = ("docx", "pdf")


@dataclass(frozen=True)
class Rendered:
    """The files of one document: ``files`` maps a file name to its bytes (copies in order)."""

    document: Document
    files: dict[str, bytes] = field(default_factory=dict)


def document_date(case: Case, doc: Document) -> date:
    """The date stamped into a document's metadata: taken from the record, never the clock
    (the appraisal's date for 附件3, else the agreement's signing date)."""
    if doc.appraisal_index is not None:
        rec = case.term_appraisals[doc.appraisal_index]
        return rec.appraised_on or rec.end
    return case.agreement.signed_on


def render_document(case: Case, facts: Facts, doc: Document, formats: tuple[str, ...] = FORMATS, *,
                    assets_dir: Path | None = None, context: dict[str, Any] | None = None) -> Rendered:
    """Render ``doc`` in ``formats``: one .docx per copy and one print PDF with all copies.

    ``assets_dir`` is the record's folder (a photo path in the record is relative to it);
    ``context`` may be passed when the caller built it already (e.g. to hash it).
    """
    context = check(doc.form.id, context if context is not None else document_context(case, facts, doc))
    when = document_date(case, doc)
    files: dict[str, bytes] = {}
    if "docx" in formats:
        from formkit.render.docx import render_docx

        for copy, data in zip(doc.copies, render_docx(doc, context, when), strict=True):
            files[doc.copy_file(copy, "docx")] = data
    if "pdf" in formats:
        from formkit.render.pdf import render_pdf

        files[doc.print_file()] = render_pdf(doc, context, when, assets_dir=assets_dir)
    return Rendered(doc, files)
