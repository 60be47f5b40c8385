"""``formkit lint``: every shipped form passes; every broken template in tests/broken_templates/
is caught, at a place a clerk can find in Word (table/row/column, header, footer, text box,
page) or in the HTML file (line), with a message saying what to do.

The broken Word templates are built by ``tests/broken_templates/make_broken_templates.py`` (one
fault each, written the way Word writes it); the test rebuilds them and compares the bytes.
"""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from formkit.cli import main
from formkit.context import document_context
from formkit.errors import TemplateError
from formkit.facts import derive
from formkit.forms import load_form
from formkit.lint import Shape, check_blocks, lint_docx, lint_html, lint_targets, scan_text, Tag, unused_fields
from formkit.load import load_case
from formkit.plan import plan_documents
from formkit.render.docx import render_docx_base

ROOT = Path(__file__).resolve().parents[1]
FORMS = ROOT / "src" / "formkit" / "forms"  # the forms shipped in the package
BROKEN = ROOT / "tests" / "broken_templates"
SAMPLE = ROOT / "data" / "cases" / "wang-yan.yaml"

# file → (where the finding must point, what it must say); each file has exactly this one fault
EXPECTED = {
    "split-runs.docx": ("第1个表格第2行第2列「{{ applicant.school }}」", "被 Word/WPS 拆成了 3 段"),
    "split-format.docx": ("第1个表格第2行第2列「{{ applicant.major }}」", "中间的格式不一致"),
    "revision.docx": ("第1个表格第2行第2列「{{ applicant.sex }}」", "修订"),
    "unbalanced-block.docx": ("正文「{%p if applicant.position %}」", "没有对应的「{%p endif %}」"),
    "tr-not-alone.docx": ("第1个表格第2行第1列「{%tr for r in resume %}」", "还有其他内容「（每段经历一行）」"),
    "plain-for-in-table.docx": ("第1个表格第1行第1列「{% for r in resume %}{{ r.start }}」", "{%tr for … %}"),
    "unknown-body.docx": ("正文（约第2页）「申请人（签名）：{{ applicant.nmae }}」",
                          "数据中没有「applicant.nmae」（是否应为「applicant.name」？）"),
    "unknown-footer.docx": ("页脚「第 1 页 {{ form.subtitle }}」", "数据中没有「form.subtitle」"),
    "unknown-textbox.docx": ("正文中的文本框「服务单位：{{ service.unit_name }}」",
                             "数据中没有「service.unit_name」（是否应为「service.unit」？）"),
    "internal-attribute.docx": ("正文「{{ applicant.name.__class__.__mro__ }}」", "程序内部属性"),
    "fullwidth-braces.docx": ("第1个表格第2行第2列「｛｛ applicant.mobile ｝｝」", "全角"),
    "unknown-variable.html": ("第9行「曾用名 {{ applicant.nmae }}」", "数据中没有「applicant.nmae」"),
    "unbalanced-tag.html": ("第6行「{% for r in resume %}」", "没有对应的「{% endfor %}」"),
}


def lint(*args: str):
    return CliRunner().invoke(main, ["lint", *args])


# --------------------------------------------------------------------------- shipped forms


def test_every_shipped_form_passes() -> None:
    result = lint()
    assert result.exit_code == 0, result.output
    report = lint_targets([])
    assert len(report.templates) == 2 * len(list(FORMS.glob("*/form.yaml")))
    assert not report.errors, "\n".join(map(str, report.errors))


@pytest.mark.parametrize("form_id", sorted(p.parent.name for p in FORMS.glob("*/form.yaml")))
def test_each_form_by_name(form_id: str) -> None:
    result = lint(form_id, "-q")
    assert result.exit_code == 0, result.output
    assert f"检查 2 个模板：0 处错误" in result.output


def test_fields_are_checked_against_the_declared_schema_without_records_or_clock(tmp_path: Path, monkeypatch) -> None:
    """lint reads no sample record and no date: run from an empty folder, with ``date.today``
    broken, it still knows every field (and flags a misspelt one)."""
    import datetime as datetime_module

    class NoToday(datetime_module.date):
        @classmethod
        def today(cls):
            raise AssertionError("lint read the clock")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(datetime_module, "date", NoToday)
    result = lint("application")
    assert result.exit_code == 0, result.output
    assert "未检查模板用到的字段" not in result.output
    result = lint(str(BROKEN / "unknown-body.docx"), "--as", "application")
    assert result.exit_code == 1 and "applicant.nmae" in result.output


def test_every_golden_context_is_what_its_schema_declares() -> None:
    import json

    from formkit.context.schema import check

    golden = sorted((Path(__file__).parent / "golden" / "context").glob("*.json"))
    assert len(golden) >= 36
    for path in golden:
        first, second = path.stem.split("__")
        form = first if first in ("demand", "roster", "subsidy") else second.split("_")[0]
        check(form, json.loads(path.read_text("utf-8")))


def test_a_context_that_breaks_its_schema_is_refused() -> None:
    import json

    from formkit.context.schema import check
    from formkit.errors import TemplateError

    ctx = json.loads((Path(__file__).parent / "golden" / "context" / "ma-jun__application.json").read_text("utf-8"))
    ctx["applicant"]["nickname"] = "x"
    with pytest.raises(TemplateError, match="nickname"):
        check("application", ctx)
    del ctx["applicant"]["nickname"]
    ctx["agreement"]["years"] = "2"
    with pytest.raises(TemplateError, match="agreement.years"):
        check("application", ctx)


def test_unknown_form_is_a_usage_error() -> None:
    result = lint("applicaton")
    assert result.exit_code == 2
    assert "找不到表单或模板「applicaton」" in result.output and "application" in result.output  # the forms


def test_a_template_file_needs_its_form() -> None:
    result = lint(str(BROKEN / "unknown-body.docx"))
    assert result.exit_code == 2 and "--as：" in result.output and "请指明这个模板属于哪个表单" in result.output


# --------------------------------------------------------------------------- broken templates


def test_broken_templates_are_reproducible() -> None:
    spec = importlib.util.spec_from_file_location("make_broken_templates", BROKEN / "make_broken_templates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert {f"{n}.docx" for n in module.BUILDERS} == {n for n in EXPECTED if n.endswith(".docx")}
    for name in module.BUILDERS:
        assert module.build(name) == (BROKEN / f"{name}.docx").read_bytes(), \
            f"{name}.docx is stale: run tests/broken_templates/make_broken_templates.py"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_broken_template_is_caught_where_a_clerk_finds_it(name: str) -> None:
    where, message = EXPECTED[name]
    result = lint(str(BROKEN / name), "--as", "application")
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if f"{name} " in line and "警告" not in line]
    hits = [line for line in errors if f"{name} {where}: " in line and message in line]
    assert hits, f"{name}: expected «{where}: …{message}…»; got:\n" + "\n".join(errors)
    assert len(errors) == 1, f"{name}: one fault expected, got:\n" + "\n".join(errors)
    if name.endswith(".docx"):  # a place in Word, never a "line" of docxtpl's XML
        assert not re.match(r"第\d+行", where)


def test_broken_templates_are_fine_apart_from_their_fault(tmp_path: Path) -> None:
    """The same templates with the fault repaired lint clean: the findings are about the fault."""
    document = docx.Document(BROKEN / "unknown-footer.docx")
    document.sections[0].footer.paragraphs[0].text = "第 1 页　{{ form.title }}"
    buf = io.BytesIO()
    document.save(buf)
    path = tmp_path / "fixed-footer.docx"
    path.write_bytes(buf.getvalue())
    result = lint(str(path), "--as", "application", "-q")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("name", "field"), [("unknown-body.docx", "nmae"), ("unknown-footer.docx", "subtitle"),
                                             ("unknown-textbox.docx", "unit_name"),
                                             ("internal-attribute.docx", "__class__")])
def test_what_the_linter_flags_really_breaks_rendering(name: str, field: str, tmp_path: Path) -> None:
    root = tmp_path / "forms"
    (root / "application").mkdir(parents=True)
    shutil.copy(FORMS / "application" / "form.yaml", root / "application" / "form.yaml")
    shutil.copy(BROKEN / name, root / "application" / "template.docx")
    case = load_case(SAMPLE).record
    facts = derive(case, date(2026, 11, 30))
    doc = plan_documents(load_form("application", root), case, facts)[0]
    with pytest.raises(TemplateError, match=re.escape(field)):
        render_docx_base(doc, document_context(case, facts, doc), date(2026, 11, 30))


# --------------------------------------------------------------------------- the pieces


def test_scan_text() -> None:
    assert scan_text("a {{ x }} b {% if y %}c{% endif %}")[0] == [(2, 9), (12, 22), (23, 34)]
    assert "没有对应的「}}」" in scan_text("姓名 {{ applicant.name")[1][0][1]
    assert "多出一个「%}」" in scan_text("x %} {{ y }}")[1][0][1]
    assert scan_text("{# {{ 注释里 #}")[1] == []
    assert "全角" in scan_text("｛｛ x ｝｝")[1][0][1]


def test_check_blocks() -> None:
    def tags(*texts: str) -> list[Tag]:
        return [Tag(t, f"第{i}处") for i, t in enumerate(texts, start=1)]

    assert check_blocks(tags("{% for r in resume %}", "{% if r.unit %}", "{% endif %}", "{% endfor %}")) == []
    assert check_blocks(tags("{%p if x %}", "{%p else %}", "{%p endif %}", "{% set a = 1 %}")) == []
    [(tag, message)] = check_blocks(tags("{% for r in resume %}", "{% if r.unit %}", "{% endfor %}"))
    assert tag.text == "{% if r.unit %}" and "{% endif %}" in message
    [(tag, message)] = check_blocks(tags("{% endif %}"))
    assert "前面没有与它配对" in message
    [(tag, message)] = check_blocks(tags("{% else %}"))
    assert "不在" in message
    assert check_blocks(tags("{% raw %}", "{% endfor %}", "{% endraw %}")) == []


def test_unused_fields_groups_whole_sections() -> None:
    shape = Shape().add({"a": {"x": 1, "y": 2}, "b": [{"u": "", "v": ""}], "c": ""})
    assert unused_fields(shape, {"a.x", "b[].u"}) == ["a.y", "b[].v", "c"]
    assert unused_fields(shape, {"c"}) == ["a.*", "b.*"]


def test_missing_copy_label_in_a_per_person_word_template(tmp_path: Path) -> None:
    document = docx.Document(BROKEN / "split-runs.docx")
    document.sections[0].header.paragraphs[0].text = "（无）"
    for table in document.tables:
        table._element.getparent().remove(table._element)
    document.add_paragraph("{{ applicant.name }}")
    path = tmp_path / "no-label.docx"
    document.save(path)
    result = lint(str(path), "--as", "application", "-q")
    assert result.exit_code == 1 and "{{ copy_label }}" in result.output


def test_html_faults(tmp_path: Path) -> None:
    cases = {
        "unclosed.html": ('{% extends "_shared/base.html" %}{% block content %}\n<p>{{ applicant.name </p>\n'
                          "{% endblock %}", "第2行", "没有对应的「}}」"),
        "filter.html": ('{% extends "_shared/base.html" %}{% block content %}\n{{ applicant.name|bogus }}\n'
                        "{% endblock %}", "第2行", "bogus"),
        "safe.html": ('{% extends "_shared/base.html" %}{% block content %}\n{{ achievements|safe }}\n'
                      "{% endblock %}", "第2行", "|safe"),
        "external.html": ('{% extends "_shared/base.html" %}{% block content %}\n<img src="https://x.example/a.png">\n'
                          "{% endblock %}", "第2行", "外部网址"),
        "include.html": ('{% extends "_shared/base.html" %}{% block content %}\n{% include "/etc/passwd" %}\n'
                         "{% endblock %}", "第2行", "不存在或不允许读取"),
        "div.html": ('{% extends "_shared/base.html" %}{% block content %}\n<div class="sheet">\n<p>x</p>\n'
                     "{% endblock %}", "第2行", "<div> 没有对应的 </div>"),
        "loop-var.html": ('{% extends "_shared/base.html" %}{% block content %}\n{% for r in resume %}{{ r.unti }}'
                          "{% endfor %}\n{% endblock %}", "第2行", "resume[].unti"),
    }
    for name, (source, where, message) in cases.items():
        path = tmp_path / name
        path.write_text(source, "utf-8")
        result = lint(str(path), "--as", "application", "-q")
        assert result.exit_code == 1, (name, result.output)
        assert any(where in line and message in line for line in result.output.splitlines()), (name, result.output)


def test_aliases_macros_and_loops_are_followed() -> None:
    """``{% set a = applicant %}`` and loop variables resolve to the context (no false alarm,
    and a typo behind an alias is still found)."""
    case = load_case(SAMPLE).record
    facts = derive(case, date(2026, 11, 30))
    doc = plan_documents(load_form("application"), case, facts)[0]
    shape = Shape().add(document_context(case, facts, doc))
    good = ('{% set a = applicant %}{% macro m(x) %}{{ x }}{{ a.sex }}{% endmacro %}{{ m(a.name) }}'
            '{% for r in resume %}{{ loop.index }}{{ r.unit }}{% endfor %}{{ photo_src | default("") }}'
            "{% if applicant.degree is defined %}{{ applicant.degree }}{% endif %}{{ agreement.years + 1 }}")
    bad = '{% set a = applicant %}{{ a.nmae }}{% for r in resume %}{{ r.units }}{% endfor %}{{ unknown }}'
    path = Path("x.html")
    found, used = lint_html(path, shape, source=good)
    assert [f for f in found if f.is_error] == []
    assert {"applicant.name", "applicant.sex", "resume[].unit", "agreement.years"} <= used
    found, _ = lint_html(path, shape, source=bad)
    messages = " ".join(f.message for f in found)
    assert "applicant.nmae" in messages and "resume[].units" in messages and "「unknown」" in messages


def test_lint_docx_reads_every_part() -> None:
    """Tags in the body, tables, headers and footers of a shipped template are all seen."""
    case = load_case(SAMPLE).record
    facts = derive(case, date(2026, 11, 30))
    doc = plan_documents(load_form("application"), case, facts)[0]
    shape = Shape().add(document_context(case, facts, doc))
    found, used = lint_docx(FORMS / "application" / "template.docx", shape, needs_copy_label=True)
    assert not [f for f in found if f.is_error]
    assert {"copy_label", "form.footnote", "resume[].unit", "applicant.name"} <= used
    with zipfile.ZipFile(FORMS / "application" / "template.docx") as z:
        assert "{{ copy_label }}" in z.read("word/header1.xml").decode()
