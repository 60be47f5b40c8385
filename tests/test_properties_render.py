"""Properties of the whole pipeline for random Unicode in every text field (hypothesis).

A valid sample case has its free-text fields replaced by generated text, is written as YAML
and goes through load → derive → plan → context → render. Whatever the text, the outcome is one
of:

- a valid .docx: the zip opens, every XML part parses with lxml, python-docx opens it, and
  every generated value comes back exactly in the document's text;
- a valid PDF: pikepdf opens it and ``qpdf --check`` passes;
- a clean refusal: a ``Problem`` with a message, the file and (for a field) its line, or a
  ``FontCoverageError`` naming the field and the character;

never a traceback, never a ``TemplateError`` (no value can break a template). Each property
counts its outcomes and fails unless several examples were really rendered (a loader that
refused everything would otherwise pass). A few of the generated Word documents are converted
by LibreOffice.
"""

from __future__ import annotations

import copy
import io
import re
import shutil
import string
import subprocess
import tempfile
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pikepdf
import pytest
import yaml
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from formkit.context import document_context
from formkit.errors import FontCoverageError, InvalidValue, Problem
from formkit.facts import derive
from formkit.forms import load_form
from formkit.load import load_case, parse_yaml
from formkit.load.records import STOPPED_CROSS
from formkit.plan import plan_documents
from formkit.render.docx import render_docx
from formkit.render.pdf import render_pdf

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "cases" / "wang-yan.yaml"
AS_OF = WHEN = date(2026, 11, 30)
BASE, _, _problems = parse_yaml(SAMPLE.read_bytes(), str(SAMPLE))  # every scalar a str, as the loader sees it

# free-text fields (Line unless marked) and the form that prints them
LINE_FIELDS = {
    "applicant.name": "application", "applicant.political_status": "application",
    "applicant.education": "application", "applicant.degree": "application", "applicant.school": "application",
    "applicant.major": "application", "applicant.specialty": "application", "applicant.position": "application",
    "applicant.address": "application", "home_unit.name": "application", "home_unit.supervisor": "application",
    "service.township": "application", "service.unit": "application", "service.post": "application",
    "resume[0].unit": "application", "resume[3].position": "application",
    "service.address": "agreement", "service.legal_representative": "agreement", "service.supervisor": "agreement",
}
PARA_FIELDS = {
    "achievements": "application", "service_plan": "application",
    "agreement.applicant_duties[0]": "agreement", "agreement.service_unit_duties[1]": "agreement",
    "term_appraisals[0].self_summary": "appraisal", "term_appraisals[0].unit_opinion": "appraisal",
    "term_appraisals[0].remarks": "appraisal",
}
APPLICATION = [f for f, form in {**LINE_FIELDS, **PARA_FIELDS}.items() if form == "application"]

SAFE = (list(string.ascii_letters + string.digits + string.punctuation + " ")
        + list("张王李赵云南省昆明市丘北县曰者镇水务站䶮𠮷　\u00a0，。、；：？！“”‘’（）【】《》—…·￥")
        + ["&amp;", "<w:t>", "]]>", "{{", "}}", "{%", "%}", "{#", "{_{", "〔份数及持有人〕"])


@st.composite
def texts(draw, *, multiline: bool, wild: bool) -> str:
    alphabet = [st.sampled_from(SAFE)] * 3 + ([st.characters(exclude_categories=("Cs",))] if wild else [])
    if multiline:
        alphabet.append(st.sampled_from(["\n", "\t", "\n\n"]))
    parts = draw(st.lists(st.one_of(alphabet), min_size=1, max_size=25 if not multiline else 60))
    return "".join(parts)


@st.composite
def records(draw, fields: list[str] | None = None) -> dict[str, str]:
    """Generated text for ``fields`` (all free-text fields by default); each example is either
    tame (printable text with XML/Jinja specials) or wild (any code point but surrogates)."""
    wild = draw(st.sampled_from([False, False, True]))
    chosen = fields or [*LINE_FIELDS, *PARA_FIELDS]
    return {f: draw(texts(multiline=f in PARA_FIELDS, wild=wild)) for f in chosen}


def _set(data: dict, path: str, value: str) -> None:
    parts: list[Any] = []
    for part in path.replace("]", "").split("."):
        name, *indexes = part.split("[")
        parts.append(name)
        parts.extend(int(i) for i in indexes)
    target = data
    for part in parts[:-1]:
        target = target[part]
    target[parts[-1]] = value


def _get(record: Any, path: str) -> str:
    value = record
    for part in path.replace("]", "").split("."):
        name, *indexes = part.split("[")
        value = getattr(value, name)
        for index in indexes:
            value = value[int(index)]
    return value


def load_generated(values: dict[str, str], folder: Path):
    """Write the sample with ``values`` as YAML and load it. Returns the record or ``None``
    (after checking that every refusal is a clean, placed ``Problem``)."""
    data = copy.deepcopy(BASE)
    for path, value in values.items():
        _set(data, path, value)
    file = folder / "generated.yaml"
    file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000), "utf-8")
    loaded = load_case(file)
    if loaded.record is None:
        assert loaded.errors
        for problem in loaded.errors:
            assert isinstance(problem, Problem) and problem.message.strip()
            assert problem.file == str(file)
            # file-level: a fault of the whole file, or the line saying later checks could not run
            assert problem.line is not None or "文件" in problem.message or problem.message == STOPPED_CROSS
            assert str(problem).startswith(str(file))
        event("refused by the loader")
        return None
    return loaded.record


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    roots = [document.element.body]
    for section in document.sections:
        roots += [section.header._element, section.footer._element]
    return "\n".join(Paragraph(p, None).text for root in roots for p in root.iter(qn("w:p")))


def check_docx(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(z.read(name))
    return docx_text(data)


WORD_SAMPLES: list[tuple[str, bytes]] = []
"""A few generated Word documents (name, bytes) for the LibreOffice test."""


WORD_OUTCOMES: Counter[str] = Counter()
PDF_OUTCOMES: Counter[str] = Counter()
"""How the examples ended. Each test clears its counter, runs its property and then requires
that examples were really rendered: a pipeline that refused everything must not pass. About a
quarter of the generated records load (a field of only white space is refused, rightly), so the
explicit example below, which must render, makes the count never zero by chance."""

TAME = {f: ('甲&乙<丙>"丁" {{ 7*7 }} ]]> <w:t>' if f in LINE_FIELDS else '第一行 & <b>\n\t{% raw %}第二行')
        for f in [*LINE_FIELDS, *PARA_FIELDS]}
"""Every free-text field with XML and Jinja specials (and line breaks where allowed): renders."""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
@example(TAME)
def _word_property(values: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        case = load_generated(values, Path(tmp))
    if case is None:
        WORD_OUTCOMES["refused by the loader"] += 1
        return
    try:
        facts = derive(case, AS_OF)
    except InvalidValue as exc:  # a clean refusal by the policy rules
        assert str(exc).strip()
        event("refused by the rules")
        WORD_OUTCOMES["refused by the rules"] += 1
        return
    event("rendered")
    for form_id in ("application", "agreement", "appraisal"):
        doc = plan_documents(load_form(form_id), case, facts)[0]
        data = render_docx(doc, document_context(case, facts, doc), WHEN)[0]
        text = check_docx(data)
        fields = {**LINE_FIELDS, **PARA_FIELDS}
        for path in (f for f, form in fields.items() if form == form_id):
            value = _get(case, path)
            assert value in text, f"{form_id}: {path} = {value!r} not shown exactly"
        if form_id == "application" and len(WORD_SAMPLES) < 3:
            WORD_SAMPLES.append((case.applicant.name, data))
    WORD_OUTCOMES["rendered"] += 1


def test_word_documents_are_valid_and_show_every_value() -> None:
    WORD_OUTCOMES.clear()
    _word_property()
    assert WORD_OUTCOMES["rendered"] > 0, f"no record was rendered: {dict(WORD_OUTCOMES)}"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records(APPLICATION))
@example({f: TAME[f] for f in APPLICATION})
def _pdf_property(values: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        case = load_generated(values, Path(tmp))
        if case is None:
            PDF_OUTCOMES["refused by the loader"] += 1
            return
        try:
            facts = derive(case, AS_OF)
        except InvalidValue as exc:
            assert str(exc).strip()
            PDF_OUTCOMES["refused by the rules"] += 1
            return
        doc = plan_documents(load_form("application"), case, facts)[0]
        ctx = document_context(case, facts, doc)
        try:
            data = render_pdf(doc, ctx, WHEN)
        except FontCoverageError as exc:
            m = re.search(r"字段 (\S+) 中的字符 U\+([0-9A-F]{4,6})", str(exc))
            assert m, str(exc)
            assert m[1] in _context_paths(ctx), str(exc)  # a real field of the document
            event("PDF refused: FontCoverageError")
            PDF_OUTCOMES["refused: font coverage"] += 1
            return
        event("PDF rendered")
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert len(pdf.pages) >= len(doc.copies)
        file = Path(tmp) / "out.pdf"
        file.write_bytes(data)
        check = subprocess.run(["qpdf", "--check", str(file)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        PDF_OUTCOMES["rendered"] += 1


def test_pdfs_are_valid_or_refused_naming_the_field() -> None:
    PDF_OUTCOMES.clear()
    _pdf_property()
    assert PDF_OUTCOMES["rendered"] > 0, f"no record was rendered: {dict(PDF_OUTCOMES)}"


def _context_paths(ctx: dict[str, Any]) -> set[str]:
    from formkit.render.fonts import iter_strings

    return {path for path, _ in iter_strings(ctx)}


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(_soffice() is None, reason="LibreOffice (soffice) is not installed here; CI installs it")
def test_libreoffice_converts_generated_documents(tmp_path: Path) -> None:
    """A sample of the generated Word documents (or, run alone, three hostile ones) opens and
    converts in LibreOffice, showing the generated name."""
    samples = list(WORD_SAMPLES)
    if not samples:
        case = load_case(SAMPLE).record
        facts = derive(case, AS_OF)
        for i, name in enumerate(['甲&乙<丙>"丁"', "{{ 7*7 }}{%tr %}", "]]><w:t>𠮷"]):
            hostile = case.model_copy(update={"applicant": case.applicant.model_copy(update={"name": name})})
            doc = plan_documents(load_form("application"), hostile, facts)[0]
            samples.append((name, render_docx(doc, document_context(hostile, facts, doc), WHEN)[0]))
    for i, (_, data) in enumerate(samples):
        (tmp_path / f"generated-{i}.docx").write_bytes(data)
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [_soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--convert-to", "pdf",
         "--outdir", str(tmp_path), *sorted(str(p) for p in tmp_path.glob("generated-*.docx"))],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    for i, (name, _) in enumerate(samples):
        pdf = tmp_path / f"generated-{i}.pdf"
        assert pdf.is_file(), f"LibreOffice did not convert generated-{i}.docx: {result.stdout}{result.stderr}"
        check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert re.sub(r"\s+", "", name)[:4] in re.sub(r"\s+", "", text), f"generated-{i}.pdf does not show {name!r}"


