"""The PDF backend: every sample case × 附件2, 服务协议, each 附件3 → one print-ready PDF.

Text is read back with poppler's ``pdftotext -raw`` (content-stream order: a cell's wrapped
lines stay together; pages are separated by form feeds), which decodes the subset CJK fonts
through their ToUnicode maps. Checked: every field of the form is on every copy; each copy's
label is on each of its pages and on no other copy's; page count = copies × pages per copy and
"第 N 页 共 M 页" restarts per copy; hostile text (``& < > "``, newlines) comes back exactly;
rare characters are drawn or refused (FontCoverageError naming the field); long narratives
break across pages without clipping or splitting a seal block; renders are byte-identical,
also when the clock reads another year; every font is embedded and subset; WeasyPrint logs
nothing.
"""

from __future__ import annotations

import copy
import io
import logging
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from formkit.errors import DataError, FontCoverageError, FontMissingError, TemplateError
from formkit.forms import load_form
from formkit.plan import Document, plan_documents

fonts = pytest.importorskip("formkit.render.fonts")
try:
    fonts.role_fonts("body")
except FontMissingError as exc:  # pragma: no cover - machine without the CJK fonts
    pytest.skip(f"CJK fonts not installed: {exc}", allow_module_level=True)
if not shutil.which("pdftotext") or not shutil.which("pdffonts"):  # pragma: no cover
    pytest.skip("poppler-utils (pdftotext, pdffonts) not installed", allow_module_level=True)

from formkit.render import pdf  # noqa: E402  (after the skips: imports nothing heavy itself)

ROOT = Path(__file__).resolve().parents[1]
FORMS = ROOT / "src" / "formkit" / "forms"  # the forms shipped in the package
WHEN = date(2014, 2, 24)
"""The date of the renders made here (the shared sample renders of conftest.py are dated
``samples.when``)."""
PAGES = {"application": {2}, "agreement": {4}, "appraisal": {1, 2}}
"""Pages per copy of the sample cases (附件2 is a two-page form; a short 附件3 fits on one)."""

# The context fields each PDF form prints (spec §3); ``x[]`` is every item of a list, ``x[].y``
# the field ``y`` of every item. Empty values are skipped (nothing to find).
FIELDS = {
    "application": [
        "form.attachment", "form.title", "form.footnote",
        "applicant.name", "applicant.sex", "applicant.ethnicity", "applicant.birth_month",
        "applicant.political_status", "applicant.work_start", "applicant.id_number",
        "applicant.mobile", "applicant.education_degree", "applicant.school_major",
        "applicant.specialty", "applicant.position", "applicant.address",
        "applicant.postcode",
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
        "applicant.id_number", "qualification.title", "home_unit.name",
        "service.unit", "service.place", "service.post", "agreement.range",
        "appraisal.period", "appraisal.label", "appraisal.self_summary", "appraisal.unit_opinion",
        "appraisal.county_opinion", "appraisal.remarks",
    ],
}
NOT_TEXT = {"form.id", "form.copies", "form.holders", "copy_label", "applicant.photo",
            "appraisal.grade", "appraisal.grade_canonical"}
"""Paths the hostile-text test leaves alone (identifiers, the ☑ choice, the photo path)."""

HOSTILE = '甲&乙<丙>"丁"'
FOOTER = re.compile(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页")


# --------------------------------------------------------------------------- helpers
# The sample documents come from conftest.py's ``samples`` (loaded and rendered once per run);
# a test that takes ``sample_doc`` runs once per sample document.


def values(ctx: dict[str, Any], path: str) -> list[str]:
    """The printed values at a FIELDS path (empty values skipped)."""
    items: list[Any] = [ctx]
    for part in path.split("."):
        many = part.endswith("[]")
        items = [item[part.removesuffix("[]")] for item in items]
        if many:
            items = [x for item in items for x in item]
    return [str(x) for x in items if x not in ("", None)]


def page_texts(data: bytes) -> list[str]:
    """The text of each page (``pdftotext -raw``)."""
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=data,
                         capture_output=True, check=True).stdout.decode("utf-8")
    pages = out.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return pages


def squash(text: str) -> str:
    """``text`` without any white space (U+3000 included): wrapping and layout do not count."""
    return re.sub(r"\s+", "", text)


def copy_texts(data: bytes, labels: list[str]) -> list[str]:
    """The squashed text of each copy: its pages joined, without the page furniture (copy label,
    footer), so that a narrative continuing over a page break reads as one."""
    pages = page_texts(data)
    per = len(pages) // len(labels)
    out = []
    for i, label in enumerate(labels):
        text = "".join(FOOTER.sub("", squash(p).replace(squash(label), "")) for p in pages[i * per:(i + 1) * per])
        out.append(text)
    return out


def pdffonts(data: bytes, tmp_path: Path) -> list[dict[str, str]]:
    file = tmp_path / "fonts.pdf"
    file.write_bytes(data)
    lines = subprocess.run(["pdffonts", str(file)], capture_output=True, text=True, check=True).stdout.splitlines()
    rows = []
    for line in lines[2:]:
        cols = line.split()
        # name type… encoding emb sub uni object-id generation
        rows.append({"name": cols[0], "emb": cols[-5], "sub": cols[-4], "uni": cols[-3]})
    return rows


@pytest.fixture
def no_weasyprint_logs(caplog):
    """Fail when WeasyPrint warns (missing glyphs, unloadable resources, ignored CSS)."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    yield
    bad = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint") and r.levelno >= logging.WARNING]
    assert not bad, bad


# --------------------------------------------------------------------------- sample cases


def test_sample_cases_exist(samples) -> None:
    assert samples.paths, "data/cases/*.yaml: no sample cases"
    assert {d.form_id for d in samples.documents()} == set(FIELDS)


def test_every_field_on_every_copy(sample_doc, samples) -> None:
    doc, ctx = samples.doc_ctx(sample_doc)
    labels = [c.label for c in doc.copies]
    for i, text in enumerate(copy_texts(samples.pdf(sample_doc), labels)):
        missing = [(f, v) for f in FIELDS[sample_doc.form_id] for v in values(ctx, f) if squash(v) not in text]
        assert not missing, f"{sample_doc.key} copy {i + 1}: not in the PDF: {missing}"


def test_copies_labels_and_page_numbers(sample_doc, samples) -> None:
    key, form_id = sample_doc.key, sample_doc.form_id
    doc, _ = samples.doc_ctx(sample_doc)
    data = samples.pdf(sample_doc)
    labels = [squash(c.label) for c in doc.copies]
    assert len(set(labels)) == len(labels) == len(load_form(form_id).copies)
    pages = [squash(p) for p in page_texts(data)]
    per, rest = divmod(len(pages), len(labels))
    assert per in PAGES[form_id] and rest == 0 and pdf.pdf_page_count(data) == len(pages), (key, len(pages))
    for n, page in enumerate(pages):
        copy_no, page_no = divmod(n, per)
        assert labels[copy_no] in page, f"{key}: page {n + 1} lacks its label {labels[copy_no]}"
        others = [other for other in labels if other != labels[copy_no] and other in page]
        assert not others, f"{key}: page {n + 1} carries other copies' labels {others}"
        assert FOOTER.findall(page) == [(str(page_no + 1), str(per))], f"{key}: page {n + 1}"


@pytest.mark.parametrize("form_id", list(FIELDS))
def test_grade_and_blank_ink_places(form_id: str, samples) -> None:
    first = samples.first(form_id)
    doc, ctx = samples.doc_ctx(first)
    text = copy_texts(samples.pdf(first), [c.label for c in doc.copies])[0]
    if form_id == "agreement":
        assert "甲方（盖章）：法定代表人或委托代理人（签字）：年月日乙方（签字）：年月日" in text
    else:
        assert text.count("（盖章）年月日") == {"application": 3, "appraisal": 2}[form_id]
    if form_id == "appraisal":
        grade = ctx["appraisal"]["grade_canonical"]
        assert f"☑{grade}" in text
        assert text.count("☐") == 3 and text.count("☑") == 1
    if form_id == "agreement":
        assert "（以下无正文）" in text and "自" in ctx["agreement"]["period"]


# --------------------------------------------------------------------------- hostile and rare text


def _hostile(ctx: dict[str, Any]) -> dict[str, Any]:
    """Every printed text of ``ctx`` with ``& < > "`` and a second line added."""
    out = copy.deepcopy(ctx)

    def walk(value: Any, path: str) -> Any:
        if path in NOT_TEXT or path.startswith("form."):
            return value
        if isinstance(value, str):
            return f"{value}{HOSTILE}\n第二行{value}" if value else value
        if isinstance(value, dict):
            return {k: walk(v, f"{path}.{k}" if path else k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, path) for v in value]
        return value

    return walk(out, "")


@pytest.mark.parametrize("form_id", list(FIELDS))
def test_hostile_text_comes_back_exactly(form_id: str, samples, no_weasyprint_logs) -> None:
    doc, ctx = samples.doc_ctx(samples.first(form_id))
    ctx = _hostile(ctx)
    data = pdf.render_pdf(doc, ctx, WHEN)
    raw = "".join(page_texts(data))
    assert HOSTILE in raw
    assert "&amp;" not in raw and "&lt;" not in raw and "&quot;" not in raw
    text = copy_texts(data, [c.label for c in doc.copies])[0]
    missing = [(f, v) for f in FIELDS[form_id] for v in values(ctx, f) if squash(v) not in text]
    assert not missing, missing
    # the newline is a line break: the second line starts a line of its own
    lines = page_texts(data)[0].splitlines()
    assert any(line.startswith("第二行") for line in lines)


def test_rare_characters_are_drawn(samples, no_weasyprint_logs) -> None:
    doc, ctx = samples.doc_ctx(samples.first("application"))
    ctx["applicant"]["name"] = "𠮷䶮堃"
    ctx["resume"][0]["unit"] = "昇赟玥学校"
    data = pdf.render_pdf(doc, ctx, WHEN)
    text = squash("".join(page_texts(data)))
    assert "𠮷䶮堃" in text and "昇赟玥学校" in text


@pytest.mark.parametrize(("field", "where"), [
    (("applicant", "name"), "applicant.name"),
    (("resume", 1, "unit"), "resume[1].unit"),
    (("achievements",), "achievements"),
])
def test_uncovered_character_is_refused_naming_the_field(field: tuple, where: str, samples) -> None:
    doc, ctx = samples.doc_ctx(samples.first("application"))
    target = ctx
    for key in field[:-1]:
        target = target[key]
    target[field[-1]] = "王𪨊"
    with pytest.raises(FontCoverageError) as info:
        pdf.render_pdf(doc, ctx, WHEN)
    message = str(info.value)
    assert where in message and "U+2AA0A" in message and "𪨊" in message
    assert FontCoverageError.exit_code == 1


def test_check_coverage_directly() -> None:
    fonts.check_coverage({"applicant": {"name": "𠮷䶮堃", "photo": "𪨊.png"}, "text": "a\tb\nc"}, "application")
    with pytest.raises(FontCoverageError, match=r"resume\[0\]\.unit"):
        fonts.check_coverage({"resume": [{"unit": "𪨊"}]}, "application")


# --------------------------------------------------------------------------- long narratives

LONG = "\n".join(
    f"{i}. 从事内科临床工作8年，擅长高血压、冠心病和心力衰竭的规范化诊治，年均管理住院患者600余人次，"
    "参与省卫生科技计划项目的基线调查和随访数据管理工作。" for i in range(1, 46))


def test_three_pages_of_achievements_continue_legibly(samples, no_weasyprint_logs) -> None:
    doc, ctx = samples.doc_ctx(samples.first("application"))
    ctx["achievements"] = LONG
    data = pdf.render_pdf(doc, ctx, WHEN)
    labels = [c.label for c in doc.copies]
    per = pdf.pdf_page_count(data) // len(labels)
    assert per >= 5 and per * len(labels) == pdf.pdf_page_count(data)
    text = copy_texts(data, labels)[0]
    assert squash(LONG) in text  # nothing clipped, in order, across the page breaks
    pages = [squash(p) for p in page_texts(data)[:per]]
    assert [FOOTER.findall(p) for p in pages] == [[(str(n), str(per))] for n in range(1, per + 1)]
    # each opinion block is whole on one page: its label, （盖章） and the date line together
    for label in ("所在单位意见", "所在单位上级人力资源和社会保障部门意见", "服务地县级人力资源和社会保障部门意见"):
        page = next(p for p in pages if label in p)
        assert "（盖章）年月日" in page.split(label, 1)[1]


def test_long_appraisal_and_agreement(samples, no_weasyprint_logs) -> None:
    first = samples.first("appraisal")
    doc, ctx = samples.doc_ctx(first)
    ctx["appraisal"] = dict(ctx["appraisal"], self_summary=LONG, unit_opinion=LONG[:900],
                            county_opinion=LONG[:700], remarks="第一行\n第二行")
    data = pdf.render_pdf(doc, ctx, WHEN)
    text = copy_texts(data, [c.label for c in doc.copies])[0]
    for value in (LONG, LONG[:900], LONG[:700]):
        assert squash(value) in text
    doc, ctx = samples.doc_ctx(next(d for d in samples.documents() if d.path == first.path
                                    and d.form_id == "agreement"))
    ctx["agreement"] = dict(ctx["agreement"], service_unit_duties=[LONG[:800]] * 3)
    data = pdf.render_pdf(doc, ctx, WHEN)
    assert squash(LONG[:800]) in copy_texts(data, [c.label for c in doc.copies])[0]


# --------------------------------------------------------------------------- the file itself


def test_byte_identical_rerender(samples, frozen_clock) -> None:
    """The same inputs give the same bytes — also when the clock reads another year (the first
    render ran under the real clock): nothing of the file comes from the clock."""
    sample = samples.first("application")
    first = samples.pdf(sample)
    doc, ctx = samples.doc_ctx(sample)
    pdf._labels_pdf.cache_clear()
    with frozen_clock():
        second = pdf.render_pdf(doc, copy.deepcopy(ctx), samples.when)
        base = pdf.render_base(doc, ctx, samples.when)
        labels = [c.label for c in doc.copies]
        pdf._labels_pdf.cache_clear()
        stamped = pdf.stamp_copies(base, labels)
    assert first == second
    assert stamped == pdf.stamp_copies(base, labels) == first
    assert pdf.render_base(doc, ctx, date(2015, 1, 1)) != base  # the date is the caller's


def test_metadata_dates_come_from_when_not_the_clock(samples) -> None:
    import pikepdf

    doc, ctx = samples.doc_ctx(samples.first("appraisal"))
    with pikepdf.open(io.BytesIO(pdf.render_pdf(doc, ctx, date(2016, 3, 18)))) as p:
        info = p.docinfo
        assert str(info["/CreationDate"]).startswith("D:20160318")
        assert str(info["/ModDate"]).startswith("D:20160318")
        assert ctx["applicant"]["name"] in str(info["/Title"])


@pytest.mark.parametrize("form_id", list(FIELDS))
def test_fonts_embedded_and_subset(form_id: str, tmp_path: Path, samples) -> None:
    rows = pdffonts(samples.pdf(samples.first(form_id)), tmp_path)
    assert rows
    for row in rows:
        assert (row["emb"], row["sub"], row["uni"]) == ("yes", "yes", "yes"), row
        assert re.match(r"[A-Z]{6}\+", row["name"]), row
    names = " ".join(r["name"] for r in rows)
    assert "FandolFang" in names or "Noto-Serif-CJK-SC" in names
    assert "Noto-Serif-CJK-SC-Bold" in names  # the 小标宋 title


def test_stamp_copies_contract(samples) -> None:
    doc, ctx = samples.doc_ctx(samples.first("appraisal"))
    base = pdf.render_base(doc, ctx, WHEN)
    n = pdf.pdf_page_count(base)
    one = pdf.stamp_copies(base, ["第1份（共1份）测试存"])
    assert pdf.pdf_page_count(one) == n
    assert all("第1份（共1份）测试存" in squash(p) for p in page_texts(one))
    with pytest.raises(ValueError, match="至少需要一份"):
        pdf.stamp_copies(base, [])
    with pytest.raises(ValueError, match="base 不是可读的 PDF"):
        pdf.stamp_copies(b"not a pdf", ["x"])
    with pytest.raises(FontCoverageError, match="U\\+2AA0A"):
        pdf.stamp_copies(base, ["第1份𪨊"])
    with pytest.raises(ValueError, match="不是可读的 PDF"):
        pdf.pdf_page_count(b"%PDF-1.7 nonsense")


# --------------------------------------------------------------------------- photo and templates


def test_photo_is_placed(tmp_path: Path, samples) -> None:
    from PIL import Image

    Image.new("RGB", (295, 413), (200, 30, 30)).save(tmp_path / "照片 1.png")
    doc, ctx = samples.doc_ctx(samples.first("application"))
    ctx["applicant"]["photo"] = "照片 1.png"
    data = pdf.render_base(doc, ctx, WHEN, assets_dir=tmp_path)
    out = tmp_path / "p.pdf"
    out.write_bytes(data)
    images = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True, check=True).stdout
    assert len(images.strip().splitlines()) == 3  # header, rule, the photo
    ctx["applicant"]["photo"] = "missing.jpg"
    with pytest.raises(DataError, match="applicant.photo"):
        pdf.render_base(doc, ctx, WHEN, assets_dir=tmp_path)
    ctx["applicant"]["photo"] = "photo.gif"
    with pytest.raises(DataError, match="JPEG"):
        pdf.render_base(doc, ctx, WHEN, assets_dir=tmp_path)


def _forms_copy(tmp_path: Path, form_id: str, template: str, samples) -> Document:
    root = tmp_path / "forms"
    shutil.copytree(FORMS / "_shared", root / "_shared")
    (root / form_id).mkdir()
    shutil.copy(FORMS / form_id / "form.yaml", root / form_id / "form.yaml")
    (root / form_id / "template.html").write_text(template, "utf-8")
    case, facts = samples.case(samples.first(form_id).path)
    return plan_documents(load_form(form_id, root), case, facts)[0]


def test_missing_variable_is_a_template_error(tmp_path: Path, samples) -> None:
    doc = _forms_copy(tmp_path, "application", '{% extends "_shared/base.html" %}{% block content %}{{ applicant.nickname }}{% endblock %}', samples)
    _, ctx = samples.doc_ctx(samples.first("application"))
    with pytest.raises(TemplateError, match="nickname"):
        pdf.render_base(doc, ctx, WHEN)


def test_templates_cannot_fetch_other_files(tmp_path: Path, samples) -> None:
    doc = _forms_copy(tmp_path, "application", '{% extends "_shared/base.html" %}{% block content %}<img src="file:///etc/passwd">{% endblock %}', samples)
    _, ctx = samples.doc_ctx(samples.first("application"))
    with pytest.raises(TemplateError, match="无法读取"):
        pdf.render_base(doc, ctx, WHEN)


def _font_programs(data: bytes) -> dict[str, int]:
    """Font name (subset tag removed) → glyph count of every embedded font program."""
    import pikepdf
    from fontTools.ttLib import TTFont

    out = {}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                program = obj.get("/FontFile3") or obj.get("/FontFile2")
                if program is not None:
                    out[str(obj.FontName).split("+", 1)[-1]] = TTFont(io.BytesIO(program.read_bytes()))["maxp"].numGlyphs
    return out


def test_prepared_fonts_draw_common_text_and_the_full_fonts_the_rest(tmp_path: Path, no_weasyprint_logs) -> None:
    """The CJK fonts are cut down once to GB 2312 and the forms' text (``prepared_fonts``,
    cached, family ``formkit …``): common characters are drawn from the prepared font (few
    glyphs), a character outside it (珺 堃 喆, not in GB 2312) from the full font behind it — the
    right glyph (the page matches the full font's rendering), not a box or another character."""
    from formkit.render.pdf import render_plain_html

    prepared = fonts.prepared_fonts()
    assert prepared and {p.source.family for p in prepared} >= {"Noto Serif CJK SC", "Noto Sans CJK SC"}
    assert "考" in fonts.prepared_text() and not {"珺", "堃", "喆"} & set(fonts.prepared_text())
    page = '<p style="font-family: {}; font-size: 40pt">考核 王珺 堃喆</p>'
    data = render_plain_html(page.format("'Noto Serif CJK SC'"))
    assert squash(page_texts(data)[0]) == "考核王珺堃喆"
    programs = _font_programs(data)
    assert programs.get("formkit-Noto-Serif-CJK-SC", 99_999) < 10_000, programs  # 考核王: the prepared font
    assert "Noto-Serif-CJK-SC" in programs, programs  # 珺堃喆: the full font
    # the same page drawn by WeasyPrint with the full fonts only looks the same
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    full = weasyprint.HTML(string=page.format("'Noto Serif CJK SC'")).write_pdf(font_config=FontConfiguration())
    assert "formkit-Noto-Serif-CJK-SC" not in _font_programs(full)
    images = []
    for name, pdf_bytes in (("prepared", data), ("full", full)):
        (tmp_path / f"{name}.pdf").write_bytes(pdf_bytes)
        subprocess.run(["pdftoppm", "-r", "40", "-gray", "-f", "1", "-l", "1", str(tmp_path / f"{name}.pdf"),
                        str(tmp_path / name)], check=True)
        images.append(next(tmp_path.glob(f"{name}*.pgm")).read_bytes())
    assert images[0] == images[1]
