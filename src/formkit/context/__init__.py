"""The context stage: record data shaped for templates, in the official display formats.

``person`` builds the context of the per-person forms (附件2, 服务协议, 附件3), ``rollup`` those
of the roll-up forms (附件1, 附件4, 附件5) and the exclusions report, ``filters`` the display
formats (dates, amounts in figures and in upper case), ``schema`` declares what each form's
context holds (``formkit lint`` checks templates against it).
"""

from formkit.context.person import COPY_LABEL_SLOT, GRADE_BOXES, appraisal_context, case_context, document_context

__all__ = ["COPY_LABEL_SLOT", "GRADE_BOXES", "appraisal_context", "case_context", "document_context"]
