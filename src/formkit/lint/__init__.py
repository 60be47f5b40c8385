"""``formkit lint``: check the Word and HTML templates of the forms before a clerk's edit reaches a
record.

What a template can get wrong, and where this module looks for it:

- **Word splits a tag.** ``{{ applicant.name }}`` typed in Word is often stored as several runs
  (``w:r``) — after spell-check, autocorrect, revision marks, or when part of it is bold. Every
  tag must be one run of one formatting (``split-runs``, ``split-format``, ``revision``).
- **Unbalanced tags**: ``{{`` without ``}}``, a ``{% for %}`` without ``{% endfor %}``, an
  ``{% endif %}`` closing a ``for``, full-width ``｛｛`` typed with a Chinese input method.
- **docxtpl's row, paragraph and cell tags.** ``{%tr … %}`` replaces its whole table row, so it
  must be alone in the row; ``{%p … %}`` replaces its paragraph, ``{%tc … %}`` its cell; a plain
  ``{% for %}``/``{% if %}`` must open and close in the same paragraph (a loop over table rows
  is ``{%tr for %}`` … ``{%tr endfor %}``).
- **Variables**: every name and field a template uses must exist in the context the form is
  rendered with, as ``formkit.context.schema`` declares it (no sample records, no clock);
  fields the context offers and the template never uses are reported as a warning (a tag
  deleted by mistake).
  Attributes starting with ``_`` (``''.__class__``) are refused like the sandbox refuses them,
  and ``|safe`` (which turns escaping off) is refused.

Every part docxtpl renders is checked — the body, tables at any depth, text boxes
(``w:txbxContent``), headers, footers, footnotes and the document properties — and tags in parts
it does not render (endnotes, comments) are reported because they would print as typed. A
finding says where a clerk finds it in Word: ``第1个表格第3行第2列``, ``第2节页脚``, ``文本框``,
``约第2页`` (when the file has page breaks to count), with the paragraph's text; for an HTML
template the line and its text.

``lint_targets(names)`` is what the CLI calls; ``lint_form``, ``lint_docx`` and ``lint_html``
check one form or template. Nothing here renders a document or writes a file.
"""

from __future__ import annotations

from pathlib import Path

from formkit.errors import UsageError
from formkit.forms import Form, forms_root, load_form
from formkit.lint.constants import WARNING
from formkit.lint.findings import Finding, LintReport, _show
from formkit.lint.shape import context_shape
from formkit.lint.tags import Tag, check_blocks, scan_text
from formkit.lint.shape import Shape
from formkit.lint.variables import unused_fields
from formkit.lint.docx import lint_docx
from formkit.lint.variables import _make_env
from formkit.lint.html import lint_html

__all__ = ["Finding", "LintReport", "Shape", "context_shape", "lint_docx", "lint_form", "lint_html",
           "lint_targets", "Tag", "check_blocks", "scan_text", "unused_fields"]

# --------------------------------------------------------------------------- forms


def lint_form(form: Form, *, docx: Path | None = None,
              html: Path | None = None) -> tuple[list[Finding], list[str]]:
    """Check a form's templates (or the given ``docx``/``html`` files) against the form's
    declared context (``formkit.context.schema``): no sample records, no clock. Returns the
    findings and the template files checked."""
    from formkit.context.schema import SCHEMAS, shape_of

    shape = shape_of(form.id, Shape) if form.id in SCHEMAS else None
    why = f"表单 {form.id} 没有声明模板数据结构（formkit.context.schema）"
    not_printed: tuple[str, ...] = ("appraisal",) if form.scope == "case" else ()  # 附件3's alone
    targets: list[tuple[str, Path]] = []
    if docx is None and html is None:
        for kind, p in (("docx", form.docx_template), ("html", form.html_template)):
            if p.is_file():
                targets.append((kind, p))
    else:
        targets += [("docx", docx)] if docx else []
        targets += [("html", html)] if html else []
    findings: list[Finding] = []
    if not targets:
        findings.append(Finding(_show(form.folder), "", "没有模板文件（template.docx 或 template.html）"))
    if shape is None:
        findings.append(Finding(_show(form.folder), "", f"未检查模板用到的字段：{why}", WARNING))
    env = _make_env()
    for kind, path in targets:
        if kind == "docx":
            found, used = lint_docx(path, shape, needs_copy_label=bool(form.copies), env=env)
            ignore: tuple[str, ...] = not_printed
        else:
            found, used = lint_html(path, shape, env=env)
            ignore = ("copy_label", *not_printed)  # the PDF's labels are stamped on afterwards
        findings += found
        if shape is not None and not any(f.is_error for f in found):
            unused = unused_fields(shape, used, ignore=ignore)
            if unused:
                findings.append(Finding(_show(path), "", "数据中的这些字段模板没有用到（如非有意，可能误删了标记）："
                                        + "、".join(unused), WARNING))
    return findings, [_show(p) for _, p in targets]


def all_form_ids(root: Path | None = None) -> list[str]:
    """Every form in the forms folder (folders with a ``form.yaml``, ``_shared``/``_build`` skipped)."""
    root = root or forms_root()
    return sorted(p.parent.name for p in root.glob("*/form.yaml") if not p.parent.name.startswith("_"))


def lint_targets(names: list[str], *, as_form: str | None = None) -> LintReport:
    """What ``formkit lint`` checks: ``names`` are form ids (``application``), form folders, or
    template files (``.docx``/``.html``, read with the context of ``as_form`` or of the
    ``form.yaml`` beside them); none means every form. Raises ``UsageError`` for a name that is
    none of these."""
    report = LintReport()
    root = forms_root()
    for name in names or all_form_ids(root):
        path = Path(name)
        if path.is_file():
            if path.suffix.lower() not in (".docx", ".html", ".htm"):
                raise UsageError(f"{name}：只能检查 .docx 或 .html 模板")
            form_id = as_form or (path.parent.name if (path.parent / "form.yaml").is_file() else None)
            if form_id is None:
                raise UsageError(f"{name}：请指明这个模板属于哪个表单（如 application）", param="as_form")
            form_root = path.parent.parent if (path.parent / "form.yaml").is_file() and not as_form else root
            form = load_form(form_id, form_root)
            is_docx = path.suffix.lower() == ".docx"
            found, files = lint_form(form, docx=path if is_docx else None,
                                     html=None if is_docx else path)
        elif (path / "form.yaml").is_file():
            found, files = lint_form(load_form(path.name, path.parent))
        elif (root / name / "form.yaml").is_file() and "/" not in name:
            found, files = lint_form(load_form(name, root))
        else:
            known = "、".join(all_form_ids(root))
            raise UsageError(f"找不到表单或模板「{name}」；可用的表单：{known}")
        report.findings += found
        report.templates += files
    return report

