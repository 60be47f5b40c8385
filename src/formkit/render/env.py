"""The one Jinja environment both backends render through.

Sandboxed (``ImmutableSandboxedEnvironment``: no attribute access to Python internals, no
mutation, no file or module access), ``StrictUndefined`` (a missing value raises, naming the
form and the variable — never a silent blank) and autoescaping (``&`` ``<`` ``>`` ``"`` ``'``
in values can never break the XML of a .docx or the HTML of a PDF). Templates are loaded from
``forms/`` so ``{% include %}`` and ``{% extends %}`` work across forms (``_shared/``).
Filters are the shared display filters of ``formkit.filters``.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from formkit import filters
from formkit.errors import TemplateError
from formkit.forms import forms_root

FILTERS = {
    "cn_date": filters.cn_date,
    "year_month": filters.year_month,
    "cn_year_month": filters.cn_year_month,
    "date_range": filters.date_range,
    "rmb_upper": filters.rmb_upper,
    "money": filters.money_figures,
    "mask_id": filters.mask_id_number,
    "mask_phone": filters.mask_phone,
}


def make_env(root: Path | None = None, *, autoescape: bool = True) -> ImmutableSandboxedEnvironment:
    """A fresh sandboxed, strict, autoescaping environment loading templates from ``root``."""
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(root or forms_root())),
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def template_failure(form_id: str, fmt: str, exc: Exception) -> TemplateError:
    """Turn a Jinja failure into a ``TemplateError`` naming the form, the format and the cause."""
    if isinstance(exc, jinja2.UndefinedError):
        return TemplateError(f"表单 {form_id}（{fmt}）模板引用了不存在的字段：{exc.message}")
    if isinstance(exc, SecurityError):
        return TemplateError(f"表单 {form_id}（{fmt}）模板试图访问不允许的内容（已被沙箱拒绝）：{exc}")
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateError(f"表单 {form_id}（{fmt}）模板语法错误，第 {exc.lineno} 行：{exc.message}")
    return TemplateError(f"表单 {form_id}（{fmt}）模板渲染失败：{exc}")
