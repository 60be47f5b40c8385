"""The one Jinja environment both backends render through.

Sandboxed (``ImmutableSandboxedEnvironment``: no attribute access to Python internals, no
mutation, no file or module access), ``StrictUndefined`` (a missing value raises, naming the
form and the variable — never a silent blank) and autoescaping (``&`` ``<`` ``>`` ``"`` ``'``
in values can never break the XML of a .docx or the HTML of a PDF). Templates are loaded from
the forms folder (``forms_root()``) so ``{% include %}`` and ``{% extends %}`` work across forms
(``_shared/``) — only ``.html`` templates, only inside that folder (no ``..``, no absolute
paths, no symbolic link leading out): ``{% include '/etc/passwd' %}`` is a ``TemplateError``,
never a file read.
Filters are the shared display filters of ``formkit.context.filters``.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from formkit.context import filters
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


class FormsLoader(jinja2.FileSystemLoader):
    """Loads ``*.html`` templates from the forms folder and nothing else: a name that is not an
    HTML template, or whose real path (symbolic links resolved) lies outside the folder, is
    ``TemplateNotFound``."""

    def get_source(self, environment: jinja2.Environment, template: str):  # noqa: D102
        if not template.endswith(".html"):
            raise jinja2.TemplateNotFound(template)
        source, filename, uptodate = super().get_source(environment, template)
        root = Path(self.searchpath[0]).resolve()
        if root not in Path(filename).resolve().parents:
            raise jinja2.TemplateNotFound(template)
        return source, filename, uptodate


def make_env(root: Path | None = None, *, autoescape: bool = True) -> ImmutableSandboxedEnvironment:
    """A fresh sandboxed, strict, autoescaping environment loading templates from ``root``."""
    env = ImmutableSandboxedEnvironment(
        loader=FormsLoader(str(root or forms_root())),
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
        # a Word template's "line" is one of docxtpl's XML lines: meaningless to a clerk
        where = "" if fmt == "docx" else f"，{exc.filename + ' ' if exc.filename else ''}第 {exc.lineno} 行"
        return TemplateError(f"表单 {form_id}（{fmt}）模板语法错误{where}：{exc.message}"
                             f"（运行 formkit lint {form_id} 可找到出错的位置）")
    if isinstance(exc, jinja2.TemplateNotFound):
        return TemplateError(f"表单 {form_id}（{fmt}）模板引用的文件「{exc.name}」不存在或不允许读取"
                             "（模板只能引用表单目录下的 .html 模板，见 formkit forms）")
    if isinstance(exc, jinja2.TemplateError):
        return TemplateError(f"表单 {form_id}（{fmt}）模板渲染失败：{exc}")
    return TemplateError(f"表单 {form_id}（{fmt}）模板渲染失败（{type(exc).__name__}）：{exc}")
