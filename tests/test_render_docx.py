"""The Word backend: every sample case × 附件2, 服务协议, each 附件3 → one .docx per copy.

Each copy opens with python-docx and shows every field of its form (body, nested tables,
headers), carries its own copy label and no other; every ``w:rFonts`` names the East-Asian
font; renders are byte-identical, also when the clock reads another year; hostile text (``& < > " '``, braces, tabs, newlines) comes
out exactly, newlines as ``<w:br/>``; and LibreOffice converts every document to a PDF that
shows the person's name.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree

from formkit.context import COPY_LABEL_SLOT
from formkit.errors import TemplateError
from formkit.forms import load_form
from formkit.render.docx import render_docx, render_docx_base, stamp_docx

ROOT = Path(__file__).resolve().parents[1]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# The context fields each form prints (spec §3); ``x[]`` is every item of a list, ``x[].y``
# the field ``y`` of every item. ``test_field_lists_match_templates`` keeps them in step with
# the templates.
FIELDS = {
    "application": [
        "form.attachment", "form.title", "form.footnote",
        "applicant.name", "applicant.sex", "applicant.birth_month", "applicant.ethnicity",
        "applicant.political_status", "applicant.work_start", "applicant.id_number",
        "applicant.education_degree", "applicant.position", "applicant.school_major",
        "applicant.specialty", "applicant.mobile", "applicant.postcode", "applicant.address",
        "home_unit.name", "home_unit.level", "home_unit.supervisor",
        "qualification.title", "qualification.title_level", "qualification.title_date",
        "qualification.practice_qualification", "qualification.practice_certificate",
        "service.prefecture", "service.county", "service.township", "service.unit", "service.post",
        "agreement.range", "agreement.years",
        "resume[].start", "resume[].end", "resume[].unit", "resume[].position",
        "achievements", "service_plan",
    ],
    "agreement": [
        "form.title", "form.footnote",
        "service.unit", "service.credit_code", "service.address", "service.legal_representative",
        "service.phone", "service.post", "service.place", "service.supervisor", "service.county_hr",
        "applicant.name", "applicant.id_number", "applicant.mobile", "home_unit.name",
        "qualification.title", "routing.filing",
        "agreement.years", "agreement.period",
        "agreement.service_unit_duties[]", "agreement.applicant_duties[]",
        "subsidy.minimum_years", "subsidy.rate", "subsidy.rate_upper",
    ],
    "appraisal": [
        "form.attachment", "form.title", "form.footnote",
        "applicant.name", "applicant.sex", "applicant.birth_month", "applicant.ethnicity",
        "applicant.id_number", "qualification.title", "qualification.title_level",
        "qualification.practice_qualification", "home_unit.name",
        "service.unit", "service.post", "service.place", "agreement.range",
        "appraisal.period", "appraisal.label", "appraisal.grade", "appraisal.self_summary", "appraisal.unit_opinion",
        "appraisal.county_opinion", "appraisal.remarks", "appraisal.grade_marks.excellent",
        "appraisal.grade_marks.passed", "appraisal.grade_marks.basic", "appraisal.grade_marks.failed",
    ],
}
LOOP_VARS = {"r": "resume[]"}  # loop variables of the templates → the list they range over


# --------------------------------------------------------------------------- helpers
# The sample documents come from conftest.py's ``samples`` (loaded and rendered once per run,
# dated ``samples.when``); a test that takes ``sample_doc`` runs once per sample document.


def values(ctx: dict[str, Any], path: str) -> list[str]:
    """The printed values at a FIELDS path (empty values are skipped: nothing to find)."""
    items: list[Any] = [ctx]
    for part in path.split("."):
        many = part.endswith("[]")
        items = [item[part.removesuffix("[]")] for item in items]
        if many:
            items = [x for item in items for x in item]
    return [str(x) for x in items if x not in ("", None)]


def paragraphs(data: bytes) -> list[str]:
    """The text of every paragraph of a .docx opened with python-docx — body, tables at any
    depth, headers and footers — with line breaks as ``\\n`` and tabs as ``\\t``."""
    document = docx.Document(io.BytesIO(data))
    roots = [document.element.body]
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.even_page_header):
            if not part.is_linked_to_previous:
                roots.append(part._element)
    return [Paragraph(p, None).text for root in roots for p in root.iter(qn("w:p"))]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def xml_parts(data: bytes, pattern: str = r"word/(document|styles|header\d*|footer\d*)\.xml") -> dict[str, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: etree.fromstring(z.read(n)) for n in z.namelist() if re.fullmatch(pattern, n)}


# --------------------------------------------------------------------------- the sample cases


def test_sample_cases_exist(samples) -> None:
    assert samples.paths, "data/cases/*.yaml: no sample cases"
    assert {d.form_id for d in samples.documents()} == set(FIELDS)


def test_every_field_appears_in_every_copy(sample_doc, samples) -> None:
    doc, ctx = samples.doc_ctx(sample_doc)
    copies = samples.docx(sample_doc)
    assert len(copies) == len(doc.copies) == len(load_form(sample_doc.form_id).copies)
    for data in copies:
        text = squash("".join(paragraphs(data)))
        missing = [(f, v) for f in FIELDS[sample_doc.form_id] for v in values(ctx, f) if squash(v) not in text]
        assert not missing, f"{sample_doc.key}: not in the document: {missing}"


def test_each_copy_carries_its_own_label_only(sample_doc, samples) -> None:
    doc, _ = samples.doc_ctx(sample_doc)
    copies = samples.docx(sample_doc)
    labels = [c.label for c in doc.copies]
    assert len(set(labels)) == len(labels)
    for data, label in zip(copies, labels, strict=True):
        document = docx.Document(io.BytesIO(data))
        header = "".join(p.text for p in document.sections[0].header.paragraphs)
        assert label in header
        everything = "\n".join(paragraphs(data))
        assert COPY_LABEL_SLOT not in everything
        assert [other for other in labels if other != label and other in everything] == []


def test_every_run_names_its_fonts_east_asian_slot_included(sample_doc, samples) -> None:
    data = samples.docx(sample_doc)[0]
    parts = xml_parts(data)
    assert {"word/document.xml", "word/styles.xml"} <= set(parts)
    assert any(n.startswith("word/header") for n in parts) and any(n.startswith("word/footer") for n in parts)
    for name, root in parts.items():
        fonts = list(root.iter(f"{W}rFonts"))
        assert fonts, name
        for f in fonts:
            for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
                assert f.get(f"{W}{slot}"), f"{name}: w:rFonts without w:{slot}: {etree.tostring(f)!r}"
            assert not f.get(f"{W}asciiTheme") and not f.get(f"{W}eastAsiaTheme"), name
        if name != "word/styles.xml":
            bare = [r for r in root.iter(f"{W}r") if r.find(f"{W}rPr/{W}rFonts") is None]
            assert not bare, f"{name}: {len(bare)} runs name no font"


def test_rerender_is_byte_identical(sample_doc, samples, frozen_clock) -> None:
    """The same inputs give the same bytes — also when the clock reads another year: nothing of
    the file comes from the clock (the first render ran under the real clock)."""
    first = samples.docx(sample_doc)
    doc, ctx = samples.doc_ctx(sample_doc)
    with frozen_clock():
        again = tuple(render_docx(doc, ctx, samples.when))
    assert again == first


# --------------------------------------------------------------------------- hostile text


def _hostile(ctx: dict[str, Any]) -> dict[str, Any]:
    """Every text field of ``ctx`` made hostile and multi-line, each with its own number."""
    counter = iter(range(10_000))
    keep = {"copy_label", "id", "grade_canonical", "grade"}

    def walk(value: Any, key: str = "") -> Any:
        if key in keep:
            return value
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if isinstance(value, str):
            n = next(counter)
            return f'甲&乙<丙>"丁"\'{n}\'\n{{_{{ 第二行 }}_}}&amp;\t{value}\n末行{n}'
        return value

    return walk(ctx)


_HOSTILE: dict[str, tuple[dict[str, Any], tuple[bytes, ...]]] = {}


def _hostile_rendered(samples, form_id: str) -> tuple[dict[str, Any], tuple[bytes, ...]]:
    """The first sample document of ``form_id`` with every text made hostile (rendered once)."""
    if form_id not in _HOSTILE:
        doc, ctx = samples.doc_ctx(samples.first(form_id))
        bad = _hostile(ctx)
        _HOSTILE[form_id] = bad, tuple(render_docx(doc, bad, samples.when))
    return _HOSTILE[form_id]


@pytest.mark.parametrize("form_id", list(FIELDS))
def test_hostile_text_comes_out_exactly_with_line_breaks(form_id: str, samples) -> None:
    ctx, copies = _hostile_rendered(samples, form_id)
    for data in copies:
        texts = paragraphs(data)  # python-docx opens it: the XML is well formed
        joined = "\u2029".join(texts)
        for f in FIELDS[form_id]:
            for v in values(ctx, f):
                assert v in joined, f"{f}: {v!r} not shown exactly"
        root = xml_parts(data, r"word/document\.xml")["word/document.xml"]
        assert not [t.text for t in root.iter(f"{W}t") if t.text and ("\n" in t.text or "\t" in t.text)]
        multi = sum(len(values(ctx, f)) for f in FIELDS[form_id])
        assert len(list(root.iter(f"{W}br"))) >= 2 * multi


def test_stamp_escapes_the_label_and_needs_the_slot(samples) -> None:
    doc, ctx = samples.doc_ctx(samples.documents()[0])
    base = render_docx_base(doc, ctx, samples.when)
    label = '第1份（共4份）甲&乙<丙>"丁"存'
    stamped = stamp_docx(base, label)
    assert label in "".join(p.text for p in docx.Document(io.BytesIO(stamped)).sections[0].header.paragraphs)
    with pytest.raises(TemplateError, match="copy_label"):
        stamp_docx(stamped, "第2份")
    with pytest.raises(TemplateError, match="不是有效的 .docx 文件"):
        stamp_docx(b"not a zip", "第1份")


def test_missing_field_or_template_is_a_template_error(tmp_path: Path, samples) -> None:
    doc, ctx = samples.doc_ctx(samples.documents()[0])
    broken = {k: v for k, v in ctx.items() if k != "applicant"}
    with pytest.raises(TemplateError, match="applicant"):
        render_docx_base(doc, broken, samples.when)
    moved = replace(doc, form=replace(doc.form, folder=tmp_path))
    with pytest.raises(TemplateError, match="template.docx"):
        render_docx_base(moved, ctx, samples.when)


def test_metadata_and_zip_come_from_the_inputs_not_the_clock(samples) -> None:
    doc, _ = samples.doc_ctx(samples.documents()[0])
    data = samples.docx(samples.documents()[0])[0]
    WHEN = samples.when
    props = docx.Document(io.BytesIO(data)).core_properties
    assert props.title == doc.form.title
    assert props.author == props.last_modified_by == "formkit"
    assert props.created == props.modified == datetime(WHEN.year, WHEN.month, WHEN.day, tzinfo=timezone.utc)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(WHEN.year, WHEN.month, WHEN.day, 0, 0, 0)}


# --------------------------------------------------------------------------- the templates


def test_field_lists_match_templates() -> None:
    """Every plain ``{{ field }}`` of a template is in FIELDS (so the tests above see it)."""
    for form_id, fields in FIELDS.items():
        parts = xml_parts(load_form(form_id).docx_template.read_bytes(), r"word/(document|header\d*|footer\d*)\.xml")
        text = "".join(t.text or "" for root in parts.values() for t in root.iter(f"{W}t"))
        used = set()
        for name in re.findall(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)*)\s*\}\}", text):
            head, _, rest = name.partition(".")
            if head in LOOP_VARS:
                name = f"{LOOP_VARS[head]}.{rest}"
            if name not in ("copy_label", "d", "loop.index"):
                used.add(name)
        assert used <= set(fields), f"{form_id}: template fields missing from FIELDS: {used - set(fields)}"
        assert {f for f in fields if "[]" not in f} <= used, f"{form_id}: FIELDS not in the template"


@pytest.mark.parametrize("form_id", list(FIELDS))
def test_every_template_tag_sits_in_one_run(form_id: str) -> None:
    """Word splits ``{{ tags }}`` across runs when a template is edited carelessly: each tag
    must open and close inside one ``w:t`` (body, headers, footers)."""
    data = load_form(form_id).docx_template.read_bytes()
    for name, root in xml_parts(data, r"word/(document|header\d*|footer\d*)\.xml").items():
        for t in root.iter(f"{W}t"):
            text = t.text or ""
            for open_, close in (("{{", "}}"), ("{%", "%}"), ("{#", "#}")):
                assert text.count(open_) == text.count(close), f"{form_id} {name}: split tag in {text!r}"


# --------------------------------------------------------------------------- LibreOffice


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(_soffice() is None and not os.environ.get("CI"),
                    reason="LibreOffice (soffice) is not installed here; CI installs it")
def test_libreoffice_converts_every_document(tmp_path: Path, samples) -> None:
    """The first copy of every document and the hostile renders, in one soffice call (the
    copies of a document differ only in their label)."""
    soffice = _soffice()
    assert soffice, "CI must install LibreOffice (scripts/ensure-system.sh)"
    expected: dict[str, list[str]] = {}
    for doc in samples.documents():
        (tmp_path / f"{doc.key}.docx").write_bytes(samples.docx(doc)[0])
        expected[doc.key] = [samples.case(doc.path)[0].applicant.name]
    assert len(expected) >= len(samples.paths) * len(FIELDS)
    for form_id in FIELDS:
        (tmp_path / f"hostile-{form_id}.docx").write_bytes(_hostile_rendered(samples, form_id)[1][0])
        expected[f"hostile-{form_id}"] = ['甲&乙<丙>"丁"', "{_{第二行}_}&amp;"]
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(tmp_path), *sorted(str(p) for p in tmp_path.glob("*.docx"))],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    for key, needles in expected.items():
        pdf = tmp_path / f"{key}.pdf"
        assert pdf.is_file(), f"LibreOffice did not convert {key}.docx: {result.stdout}{result.stderr}"
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        for needle in needles:
            assert squash(needle) in squash(text), f"{key}.pdf does not show {needle!r}"


def test_an_edited_template_is_used_at_once_despite_the_per_process_cache(tmp_path: Path, samples) -> None:
    """Compiled templates are cached per process and template file version: the same file gives
    byte-identical output from the cache; an edited file (same process) is read and compiled again."""
    doc, ctx = samples.doc_ctx(samples.documents()[0])
    folder = tmp_path / doc.form.id
    shutil.copytree(doc.form.folder, folder)
    mine = replace(doc, form=replace(doc.form, folder=folder))
    first = render_docx_base(mine, ctx, samples.when)
    assert render_docx_base(mine, ctx, samples.when) == first
    template = folder / "template.docx"
    with zipfile.ZipFile(template) as z:
        parts = {i: z.read(i) for i in z.infolist()}
    with zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts.items():
            if info.filename == "word/document.xml":
                data = data.replace("{{ applicant.name }}".encode(), "改过的模板{{ applicant.name }}".encode(), 1)
                assert b"\xe6\x94\xb9\xe8\xbf\x87" in data
            z.writestr(info, data)
    os.utime(template, ns=(1, 1))  # another version even on a coarse-clock file system
    edited = "\n".join(paragraphs(render_docx_base(mine, ctx, samples.when)))
    assert "改过的模板" + ctx["applicant"]["name"] in squash(edited)
