"""The adversarial corpus (tests/adversarial/, expectations in tests/adversarial_expected.yaml):
each hazardous record either renders with the value shown exactly as given — read back from the
.docx with python-docx and from the PDF with pdftotext — or is refused with a clear message
(file, line, field). ``formkit render`` writes nothing outside its output folder, only files
readable by owner and group, and no message shows an unmasked ID number or mobile number.

Each record is rendered once (Word and PDF, the one form that prints the field).
"""

from __future__ import annotations

import functools
import importlib.util
import io
import pkgutil
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from click.testing import CliRunner
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree

import formkit.atomic
from formkit.cli import main
from formkit.context import document_context
from formkit.errors import FontCoverageError
from formkit.facts import derive
from formkit.forms import load_form
from formkit.load import MAX_BYTES, load_case
from formkit.plan import plan_documents
from formkit.render.docx import render_docx
from formkit.render.pdf import render_pdf

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "adversarial"
EXPECTED: dict[str, dict[str, Any]] = yaml.safe_load((ROOT / "tests" / "adversarial_expected.yaml").read_text("utf-8"))
AS_OF = WHEN = date(2026, 11, 30)

REFUSED = sorted(n for n, e in EXPECTED.items() if e["expect"] == "refuse")
RENDERED = sorted(n for n, e in EXPECTED.items() if e["expect"] in ("render", "docx"))


# --------------------------------------------------------------------------- helpers


def field_value(record: Any, path: str) -> str:
    value = record
    for part in path.replace("]", "").split("."):
        name, *indexes = part.split("[")
        value = getattr(value, name)
        for index in indexes:
            value = value[int(index)]
    return value


def docx_paragraphs(data: bytes) -> list[str]:
    """Every paragraph's text — body, tables, headers, footers — ``\\n`` for breaks, ``\\t`` for tabs."""
    document = docx.Document(io.BytesIO(data))
    roots = [document.element.body]
    for section in document.sections:
        roots += [section.header._element, section.footer._element]
    return [Paragraph(p, None).text for root in roots for p in root.iter(qn("w:p"))]


def assert_valid_docx(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(z.read(name))  # raises if any part is not well-formed


LABEL_LINE = re.compile(r"^第\d+份（共\d+份）.*存$")
FOOTER_LINE = re.compile(r"^第\s*\d+\s*页\s*共\s*\d+\s*页$")


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The PDF's text without the copy labels and page footers, whitespace removed."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    # -raw: in the order WeasyPrint drew it, so a table cell's lines are not interleaved with its label's
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    lines = [ln for ln in text.splitlines() if not LABEL_LINE.match(ln.strip()) and not FOOTER_LINE.match(ln.strip())]
    return squash("".join(lines))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


_SEP = re.compile(r"(?<=[0-9０-９])[ \-－\u3000](?=[0-9０-９])")
_FULL = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")


def unmasked(text: str) -> list[str]:
    """ID numbers (18 characters) and mobile numbers (11 digits) shown in full, even when
    grouped by spaces or dashes or written in full-width digits."""
    flat = _SEP.sub("", text).translate(_FULL)
    return (re.findall(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])", flat)
            + re.findall(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])", flat))


@functools.cache
def _loaded(name: str):
    return load_case(CORPUS / name)


# --------------------------------------------------------------------------- the corpus itself


def test_corpus_is_reproducible() -> None:
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["make_corpus"]
    entries, files = module.manifest()
    assert entries == EXPECTED, "tests/adversarial_expected.yaml is stale: run tests/adversarial/make_corpus.py"
    assert set(files) == {p.name for p in CORPUS.glob("*.yaml")}
    for name, text in files.items():
        assert (CORPUS / name).read_text("utf-8") == text, f"{name} is stale: run tests/adversarial/make_corpus.py"


def test_every_hazard_of_the_issue_is_covered() -> None:
    hazards = "\n".join(f"{n} {e['field']} {e.get('shown', '')}" for n, e in EXPECTED.items())
    for needle in ("&", "]]>", "<w:t>", "{{ 7*7 }}", "{% raw %}", "control", "zero-width", "rtl", "line-2000",
                   "100kb", "emoji", "𠮷", "𪨊", "../", "\\", "CON", "NUL", "name-dot.yaml", "alias-bomb"):
        assert needle in hazards, needle


# --------------------------------------------------------------------------- refused


@pytest.mark.parametrize("name", REFUSED)
def test_refused_with_file_line_and_field(name: str) -> None:
    exp = EXPECTED[name]
    loaded = _loaded(name)
    assert loaded.record is None, f"{name} was accepted"
    file = str(CORPUS / name)
    messages = [str(p) for p in loaded.errors]
    field = "" if name == "alias-bomb.yaml" else f" {exp['field']}（"  # the bomb is refused before any field
    hits = [m for m in messages if m.startswith(f"{file}:{exp['line']}:") and field in m and exp["fragment"] in m]
    assert hits, f"{name}: expected «{file}:{exp['line']}:…{field}…{exp['fragment']}…»; got:\n" + "\n".join(messages)


def test_a_10_mb_file_is_refused_before_parsing(tmp_path: Path) -> None:
    sample = (CORPUS / "xml-specials.yaml").read_text("utf-8")
    path = tmp_path / "big.yaml"
    path.write_text(sample + "# " + "填" * (10 * 1024 * 1024 // 3) + "\n", "utf-8")
    assert path.stat().st_size > 10 * 1024 * 1024 > MAX_BYTES
    loaded = load_case(path)
    assert loaded.record is None
    [problem] = loaded.errors
    assert str(problem).startswith(f"{path}: 文件过大") and "上限 1,000,000" in str(problem)


# --------------------------------------------------------------------------- rendered


@pytest.mark.parametrize("name", RENDERED)
def test_rendered_exactly_as_given(name: str, tmp_path: Path) -> None:
    exp = EXPECTED[name]
    loaded = _loaded(name)
    assert loaded.record is not None, [str(p) for p in loaded.errors]
    case = loaded.record
    value = field_value(case, exp["field"])
    if "shown" in exp:
        assert value == exp["shown"], "the loader changed the value"
    facts = derive(case, AS_OF)
    doc = plan_documents(load_form(exp["form"]), case, facts)[0]
    ctx = document_context(case, facts, doc)

    copies = render_docx(doc, ctx, WHEN)
    for data in copies[:1]:
        assert_valid_docx(data)
        paragraphs = docx_paragraphs(data)
        assert value in "\n".join(paragraphs), f"{name}: the Word document does not show {value[:80]!r}"
        assert doc.copies[0].label in "".join(paragraphs)

    if exp["expect"] == "docx":
        with pytest.raises(FontCoverageError) as exc:
            render_pdf(doc, ctx, WHEN)
        message = str(exc.value)
        assert exp["pdf_refused"] in message and re.search(r"字段 \S+ 中的字符 U\+[0-9A-F]{4,}", message), message
        return
    data = render_pdf(doc, ctx, WHEN)
    assert squash(value) in pdf_text(data, tmp_path), f"{name}: the PDF does not show {value[:80]!r}"


def test_a_value_cannot_reach_another_field() -> None:
    """``{{ applicant.id_number }}`` typed as a duty prints as typed: the ID number is not pulled in."""
    case = _loaded("jinja-field-reference.yaml").record
    facts = derive(case, AS_OF)
    doc = plan_documents(load_form("agreement"), case, facts)[0]
    paragraphs = docx_paragraphs(render_docx(doc, document_context(case, facts, doc), WHEN)[0])
    duty = next(p for p in paragraphs if "{{ applicant.id_number }}" in p)
    assert case.applicant.id_number not in duty and "{{ copy_label }}" in duty


# --------------------------------------------------------------------------- formkit render on the corpus


def _bound_write_atomic() -> list[tuple[Any, str]]:
    """Every place ``write_atomic`` can be called through: ``formkit.atomic`` and each formkit
    module that bound the name at import (``from formkit.atomic import write_atomic``) — all
    formkit modules are imported first, so that none binds it later, behind the patch."""
    import formkit

    for info in pkgutil.walk_packages(formkit.__path__, "formkit."):
        importlib.import_module(info.name)
    real = formkit.atomic.write_atomic
    return [(module, name) for module_name, module in sorted(sys.modules.items())
            if module_name == "formkit" or module_name.startswith("formkit.")
            for name, value in list(vars(module).items()) if value is real or name == "write_atomic"]


def _tree(root: Path) -> set[Path]:
    return set(root.rglob("*"))


@pytest.fixture(scope="module")
def render_runs(tmp_path_factory) -> dict[str, Any]:
    """``formkit render`` over the whole corpus (Word, 附件2) and over the file-name hazards (Word
    and PDF), from a working folder deep inside the run's temporary tree. Recorded: every path
    ``write_atomic`` is asked to write (patched wherever the name is bound), and every file or
    folder that appeared anywhere in the temporary tree (whoever wrote it, in any process)."""
    sandbox = tmp_path_factory.getbasetemp()
    work = tmp_path_factory.mktemp("work") / "a" / "b" / "c"  # "../../.." out of --out stays in the tree
    work.mkdir(parents=True)
    records = work / "records"
    shutil.copytree(CORPUS, records, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    written: list[Path] = []
    real = formkit.atomic.write_atomic

    def recording(path, data, mode=formkit.atomic.FILE_MODE):
        staged = re.fullmatch(r"\.(.+)\.\d+\.formkit-tmp", Path(path).name)  # the ledger's staging
        written.append(Path(path).with_name(staged.group(1)) if staged else Path(path))
        return real(path, data, mode)

    places = _bound_write_atomic()
    assert any(module.__name__ == "formkit.atomic" for module, _ in places), places
    mp = pytest.MonkeyPatch()
    for module, name in places:
        mp.setattr(module, name, recording)
    mp.chdir(work)
    before = _tree(sandbox)
    try:
        runner = CliRunner()
        whole = runner.invoke(main, ["render", "records", "--out", "out", "--forms", "application",
                                     "--format", "docx"])
        names = sorted(str(Path("records") / n) for n in EXPECTED if n.startswith("name-"))
        pdf = runner.invoke(main, ["render", *names, "--out", "out-pdf", "--forms", "application"])
        check = runner.invoke(main, ["check", "records", str(ROOT / "tests" / "bad_records")])
    finally:
        mp.undo()
    created = _tree(sandbox) - before
    return {"work": work, "sandbox": sandbox, "created": created, "written": written, "whole": whole,
            "pdf": pdf, "check": check}


def _exited_cleanly(result, code: int) -> None:
    """``result`` (CliRunner) ended by ``sys.exit(code)``: not an uncaught exception (which
    CliRunner also reports as exit 1, with no traceback in the output)."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def test_render_writes_only_inside_the_output_folder(render_runs) -> None:
    work: Path = render_runs["work"]
    outs = [(work / "out").resolve(), (work / "out-pdf").resolve()]

    def inside(path: Path) -> bool:
        resolved = (work / path).resolve()  # relative paths are the working folder's
        return any(out == resolved or out in resolved.parents for out in outs)

    _exited_cleanly(render_runs["whole"], 1)  # the refused records fail, the others are rendered
    for name in REFUSED:
        assert str(Path("records") / name) in render_runs["whole"].output, f"{name}: no message"
    _exited_cleanly(render_runs["pdf"], 0)
    written = render_runs["written"]
    assert len(written) >= len(RENDERED), "write_atomic was not seen writing the documents"
    assert {p.suffix for p in written} >= {".docx", ".pdf"}
    outside = [p for p in written if not inside(p)]
    assert outside == [], f"written outside the output folder ({len(outside)}): {outside[:5]}"
    created: set[Path] = render_runs["created"]
    assert {(work / p).resolve() for p in written} <= {p.resolve() for p in created}
    outside = sorted(p for p in created if not inside(p))
    assert outside == [], f"created outside the output folder ({len(outside)}): {outside[:5]}"
    for p in created:
        assert not p.is_symlink()


def test_file_names_from_hostile_names_are_safe(render_runs) -> None:
    work: Path = render_runs["work"]
    reserved = re.compile(r"(CON|PRN|AUX|NUL|COM\d|LPT\d)(\..*)?", re.IGNORECASE)
    names = [p.name for out in ("out", "out-pdf") for p in (work / out).rglob("*") if p.suffix in (".docx", ".pdf")]
    assert names
    for name in names:
        assert ".." not in name and "/" not in name and "\\" not in name and not name.startswith(".")
        assert not re.search(r'[:*?"<>|\x00-\x1f]', name), name
        assert not reserved.fullmatch(name.split("_")[0]) and not reserved.fullmatch(name.rsplit(".", 1)[0]), name
        assert len(name.encode("utf-8")) < 255
    folder = work / "out-pdf" / "name-dotdot"
    assert sorted(p.name for p in folder.iterdir() if p.suffix in (".docx", ".pdf")) == [
        "申请登记表_未命名.pdf", "申请登记表_未命名_第1份_申请人.docx", "申请登记表_未命名_第2份_所在单位.docx",
        "申请登记表_未命名_第3份_上级人社部门.docx", "申请登记表_未命名_第4份_服务地人社部门.docx"]
    assert any(n.startswith("申请登记表__CON") for n in names)


def test_written_files_are_readable_by_owner_and_group_only(render_runs) -> None:
    work: Path = render_runs["work"]
    files = [p for out in ("out", "out-pdf") for p in (work / out).rglob("*") if p.is_file()]
    assert any(p.suffix == ".pdf" for p in files) and any(p.suffix == ".docx" for p in files)
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o640, (path, oct(path.stat().st_mode))
    folders = [p for out in ("out", "out-pdf") for p in (work / out).rglob("*") if p.is_dir()]
    assert folders
    for folder in folders:  # each person's folder: its listing shows the person's name
        assert not stat.S_IMODE(folder.stat().st_mode) & 0o007, (folder, oct(folder.stat().st_mode))


def test_output_root_folder_is_not_world_readable(render_runs) -> None:
    out = render_runs["work"] / "out"
    assert not stat.S_IMODE(out.stat().st_mode) & 0o007, oct(out.stat().st_mode)


def test_no_message_shows_an_id_number_or_a_mobile(render_runs) -> None:
    outputs = {key: render_runs[key].output for key in ("whole", "pdf", "check")}
    _exited_cleanly(render_runs["check"], 1)  # the bad records did say something
    for name in REFUSED:
        assert str(Path("records") / name) in outputs["check"], f"{name}: no message from formkit check"
    for name in REFUSED + RENDERED:
        loaded = _loaded(name)
        outputs[name] = "\n".join(str(p) for p in loaded.problems)
    for name in ("emoji-name.yaml", "cjk-ext-b-uncovered.yaml"):
        case = _loaded(name).record
        facts = derive(case, AS_OF)
        doc = plan_documents(load_form("application"), case, facts)[0]
        with pytest.raises(FontCoverageError) as exc:
            render_pdf(doc, document_context(case, facts, doc), WHEN)
        outputs[f"{name} pdf"] = str(exc.value)
    for key, text in outputs.items():
        assert unmasked(text) == [], f"{key}: unmasked personal numbers in\n{text}"
    joined = "\n".join(outputs.values())
    assert "5323**************7 54" in joined and "+86 138****5071" in joined  # shown, masked


def test_unmasked_detector_sees_through_grouping() -> None:
    assert unmasked("530102 19900101 1234 和 138-1234-5678 和 １３８１２３４５６７８") == [
        "530102199001011234", "13812345678", "13812345678"]
    assert unmasked("5301**********1234 138****5678 0871-65123456 2021-06-01至2023-05-31") == []
