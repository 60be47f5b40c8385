"""The form catalogue: ``<id>/form.yaml`` in the forms folder — official title, 附件 number,
copies and holders.

The forms folder is this package's own folder: each form's ``form.yaml``, ``template.docx`` and
``template.html``, and ``_shared/`` (base template, style sheet) are package data, installed
with formkit. ``$FORMKIT_FORMS`` points formkit at an edited copy instead (``forms_root``).

A form is data, not code. Copies are declared as *roles*; ``holder_for(role, ...)`` resolves a
role to the real holder of a case (e.g. ``home_hr`` → 昆明市人力资源和社会保障局) through the
routing rule (第四、五、六、九条). Raises ``TemplateError`` for a malformed ``form.yaml``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from formkit.errors import TemplateError

# role → (official wording of the holder class, short name used in file names)
ROLES: dict[str, tuple[str, str]] = {
    "applicant": ("申请人", "申请人"),
    "home_unit": ("申请人所在单位", "所在单位"),
    "home_unit_feedback": ("反馈原单位", "原单位"),
    "home_hr": ("申请人所在单位上级人力资源和社会保障部门", "上级人社部门"),
    "service_unit": ("服务单位", "服务单位"),
    "service_supervisor": ("服务单位主管部门", "服务单位主管部门"),
    "service_county_hr": ("服务地县级人力资源和社会保障部门", "服务地人社部门"),
}


@dataclass(frozen=True)
class Form:
    """One official document: its folder ``<id>/`` in the forms folder, with its metadata and templates."""

    id: str
    attachment: str
    title: str
    short_title: str
    article: str
    orientation: str
    scope: str
    copies: tuple[str, ...]
    footnote: str
    folder: Path
    holder_suffix: str = "存"

    @property
    def docx_template(self) -> Path:
        return self.folder / "template.docx"

    @property
    def html_template(self) -> Path:
        return self.folder / "template.html"


def forms_root() -> Path:
    """The forms folder: ``$FORMKIT_FORMS`` if set (a clerk's edited copy of the forms), else
    the one installed with formkit (this package's folder)."""
    env = os.environ.get("FORMKIT_FORMS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent


@cache
def load_form(form_id: str, root: Path | None = None) -> Form:
    """Read ``<root>/<form_id>/form.yaml`` (``root``: the forms folder by default); raises
    ``TemplateError`` if missing or malformed."""
    folder = (root or forms_root()) / form_id
    path = folder / "form.yaml"
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateError(f"{path}: 无法读取表单定义：{exc}") from None
    try:
        copies = tuple(raw["copies"])
        for role in copies:
            if role not in ROLES:
                raise TemplateError(f"{path}: 未知的持有人角色 {role!r}；可用: {', '.join(ROLES)}")
        return Form(id=raw["id"], attachment=raw.get("attachment") or "", title=raw["title"],
                    short_title=raw["short_title"], article=raw["article"], orientation=raw["orientation"],
                    scope=raw["scope"], copies=copies, footnote=raw["footnote"], folder=folder,
                    holder_suffix=raw.get("holder_suffix", "存"))
    except (KeyError, TypeError) as exc:
        raise TemplateError(f"{path}: 表单定义缺少字段 {exc}") from None


def copy_label(form: Form, number: int, holder: str) -> str:
    """The label printed at the top right of a copy: ``第3份（共4份）昆明市人力资源和社会保障局存``."""
    return f"第{number}份（共{len(form.copies)}份）{holder}{form.holder_suffix}"
