"""Templates cannot read files, import modules or reach Python internals — in either backend —
and the PDF backend fetches nothing from the network or from outside the forms folder.

Every hostile template fails with a formkit ``TemplateError`` whose message says what was
refused (never a traceback, never the content of the file it reached for). The linter flags the
same templates before anyone renders them.
"""

from __future__ import annotations

import http.server
import shutil
import threading
from datetime import date
from pathlib import Path

import docx
import pytest

from formkit.context import document_context
from formkit.errors import TemplateError
from formkit.facts import derive
from formkit.forms import load_form
from formkit.load import load_case
from formkit.plan import Document, plan_documents
from formkit.render.docx import render_docx_base
from formkit.render.pdf import render_base, render_html

ROOT = Path(__file__).resolve().parents[1]
FORMS = ROOT / "src" / "formkit" / "forms"  # the forms shipped in the package
SAMPLE = ROOT / "data" / "cases" / "wang-yan.yaml"
WHEN = date(2026, 11, 30)
SECRET = "SECRET-3c9d1e"  # what a file outside the forms folder holds: must never appear anywhere

ESCAPES = {
    "class-mro": "{{ ''.__class__.__mro__ }}",
    "subclasses": "{{ ''.__class__.__base__.__subclasses__() }}",
    "cycler-globals": "{{ cycler.__init__.__globals__ }}",
    "lipsum-os": "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "joiner-init": "{{ joiner.__init__ }}",
    "namespace-globals": "{{ namespace.__init__.__globals__ }}",
    "range-self": "{{ range.__self__ }}",
    "template-context": "{{ self._TemplateReference__context }}",
    "attr-filter": "{{ applicant|attr('__class__') }}",
    "format-string": "{{ '{0.__class__.__mro__}'.format(applicant.name) }}",
    "method-globals": "{{ applicant.name.upper.__globals__ }}",
    "include-etc-passwd": "{% include '/etc/passwd' %}",
    "include-dotdot": "{% include '../../../../../../etc/passwd' %}",
    "include-non-template": "{% include 'application/form.yaml' %}",
    "import-os": "{% import 'os' as os %}{{ os.system('id') }}",
    "from-import": "{% from '/etc/passwd' import x %}",
    "extends-etc": "{% extends '/etc/passwd' %}",
    "config": "{{ config.items() }}",
    "division-by-zero": "{{ 1 / 0 }}",
}


@pytest.fixture(scope="module")
def case_facts():
    case = load_case(SAMPLE).record
    return case, derive(case, WHEN)


def _forms(tmp_path: Path) -> Path:
    root = tmp_path / "forms"
    shutil.copytree(FORMS / "_shared", root / "_shared")
    (root / "application").mkdir(parents=True)
    shutil.copy(FORMS / "application" / "form.yaml", root / "application" / "form.yaml")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.html").write_text(SECRET, "utf-8")
    (outside / "secret.css").write_text(f"body::after {{ content: '{SECRET}' }}", "utf-8")
    (root / "application" / "linked.html").symlink_to(outside / "secret.html")
    (root / "application" / "linked.css").symlink_to(outside / "secret.css")
    return root


def _doc(root: Path, case_facts) -> tuple[Document, dict]:
    case, facts = case_facts
    doc = plan_documents(load_form("application", root), case, facts)[0]
    return doc, document_context(case, facts, doc)


def _word_template(path: Path, body: str) -> None:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "{{ copy_label }}"
    document.add_paragraph("姓名：{{ applicant.name }}")
    document.add_paragraph(body)
    document.save(path)


def _html_template(path: Path, body: str) -> None:
    path.write_text('{% extends "_shared/base.html" %}{% block content %}<p>{{ applicant.name }}</p>'
                    + body + "{% endblock %}", "utf-8")


def _assert_refused(exc: pytest.ExceptionInfo) -> None:
    message = str(exc.value)
    assert message.startswith("表单 application（"), message
    assert any(word in message for word in ("沙箱", "不允许", "不存在", "渲染失败")), message
    assert SECRET not in message and "root:" not in message


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_word_template_cannot_escape(name: str, tmp_path: Path, case_facts) -> None:
    root = _forms(tmp_path)
    _word_template(root / "application" / "template.docx", ESCAPES[name])
    doc, ctx = _doc(root, case_facts)
    with pytest.raises(TemplateError) as exc:
        render_docx_base(doc, ctx, WHEN)
    _assert_refused(exc)


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_html_template_cannot_escape(name: str, tmp_path: Path, case_facts) -> None:
    root = _forms(tmp_path)
    if name == "extends-etc":  # {% extends %} only works at the top level
        (root / "application" / "template.html").write_text(ESCAPES[name], "utf-8")
    else:
        _html_template(root / "application" / "template.html", ESCAPES[name])
    doc, ctx = _doc(root, case_facts)
    with pytest.raises(TemplateError) as exc:
        render_html(doc, ctx)
    _assert_refused(exc)


def test_a_symbolic_link_out_of_forms_is_not_a_template(tmp_path: Path, case_facts) -> None:
    root = _forms(tmp_path)
    _html_template(root / "application" / "template.html", "{% include 'application/linked.html' %}")
    doc, ctx = _doc(root, case_facts)
    with pytest.raises(TemplateError, match="不存在或不允许读取") as exc:
        render_html(doc, ctx)
    _assert_refused(exc)


def test_messages_name_what_was_refused(tmp_path: Path, case_facts) -> None:
    root = _forms(tmp_path)
    doc, ctx = _doc(root, case_facts)
    _html_template(root / "application" / "template.html", ESCAPES["class-mro"])
    with pytest.raises(TemplateError, match="沙箱"):
        render_html(doc, ctx)
    _html_template(root / "application" / "template.html", ESCAPES["include-etc-passwd"])
    with pytest.raises(TemplateError, match="「/etc/passwd」不存在或不允许读取"):
        render_html(doc, ctx)


LINT_FINDINGS = {
    "class-mro": "「….__class__」是程序内部属性，模板不允许访问",
    "cycler-globals": "「….__init__」是程序内部属性，模板不允许访问",
    "template-context": "「…._TemplateReference__context」是程序内部属性，模板不允许访问",
    "include-etc-passwd": "引用的模板「/etc/passwd」不存在或不允许读取",
    "import-os": "引用的模板「os」不存在或不允许读取",
    "method-globals": "「….__globals__」是程序内部属性，模板不允许访问",
}


@pytest.mark.parametrize("name", sorted(LINT_FINDINGS))
def test_the_linter_flags_them_first(name: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from formkit.cli import main

    path = tmp_path / "hostile.html"
    _html_template(path, ESCAPES[name])
    result = CliRunner().invoke(main, ["lint", str(path), "--as", "application", "-q"])
    # exit 1 by the linter's own verdict — an uncaught exception also gives 1 under CliRunner
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    [finding] = [line for line in result.output.splitlines() if line.startswith(f"{path} 第1行")]
    assert LINT_FINDINGS[name] in finding, result.output
    assert "检查 1 个模板：1 处错误" in result.output, result.output


# --------------------------------------------------------------------------- WeasyPrint fetches


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def http_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


FETCHES = {
    "img-file": '<img src="file:///etc/passwd">',
    "img-outside-file": '<img src="file://{outside}/secret.css">',
    "img-relative-up": '<img src="../../../../../../../etc/passwd">',
    "link-file": '<link rel="stylesheet" href="file://{outside}/secret.css">',
    "link-symlink": '<link rel="stylesheet" href="application/linked.css">',
    "css-url-file": "<style>body {{ background: url(file:///etc/passwd) }}</style>",
    "css-font-face": "<style>@font-face {{ font-family: x; src: url(file://{outside}/secret.css) }} "
                     "body {{ font-family: x }}</style>",
    "css-import-http": "<style>@import url({http}/import.css);</style>",
    "img-http": '<img src="{http}/photo.png">',
    "link-http": '<link rel="stylesheet" href="{http}/style.css">',
    "inline-style-url": '<div style="background-image: url({http}/bg.png)">x</div>',
    "object-data": '<object data="file:///etc/passwd"></object>',
}


MAY_BE_IGNORED = {"object-data"}
"""Resources WeasyPrint may leave out instead of fetching; every other one fails the render."""


def _pdf_leaks(data: bytes, tmp_path: Path) -> list[str]:
    """What of the files outside forms/ shows in a PDF: in its text as a reader sees it
    (pdftotext: the subset fonts' text cannot be found in the compressed bytes), in any
    decompressed stream, or as a link or file reference (annotations' /URI, /F, embedded files)."""
    import subprocess

    import pikepdf

    found = []
    path = tmp_path / "fetch.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    found += [f"text shows {s!r}" for s in (SECRET, "root:") if s in text]
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) >= 1
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                raw = obj.read_bytes()
                found += [f"a stream holds {s!r}" for s in (SECRET.encode(), b"root:x:0:0") if s in raw]
            if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                for key in ("/URI", "/F", "/UF", "/URL"):
                    value = obj.get(key)
                    if isinstance(value, pikepdf.String) and ("file:" in str(value) or SECRET in str(value)
                                                               or "/etc/" in str(value)):
                        found.append(f"{key} {value}")
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                uri = str(annot.get("/A", {}).get("/URI", ""))
                if uri.startswith("file:"):
                    found.append(f"link to {uri}")
        if "/Names" in pdf.Root and "/EmbeddedFiles" in pdf.Root.Names:
            found.append("embedded files")
    return found


def test_the_leak_detector_sees_drawn_text_and_links(tmp_path: Path, case_facts) -> None:
    """A PDF that does draw the secret and link a local file is caught (it cannot be found by
    searching the PDF's bytes: the text is drawn with a compressed, subset font)."""
    root = _forms(tmp_path)
    _html_template(root / "application" / "template.html",
                   f'<p>{SECRET}</p><a href="file:///etc/passwd">passwd</a>')
    doc, ctx = _doc(root, case_facts)
    data = render_base(doc, ctx, WHEN)
    assert SECRET.encode() not in data and b"file:" not in data  # what a byte search sees
    found = _pdf_leaks(data, tmp_path)
    assert f"text shows {SECRET!r}" in found and "link to file:///etc/passwd" in found, found


@pytest.mark.parametrize("name", sorted(FETCHES))
def test_pdf_fetches_nothing_outside_forms(name: str, tmp_path: Path, case_facts, http_server) -> None:
    root = _forms(tmp_path)
    html = FETCHES[name].format(outside=tmp_path / "outside", http=http_server)
    (root / "application" / "template.html").write_text(
        '{% extends "_shared/base.html" %}{% block content %}<p>{{ applicant.name }}</p>' + html
        + "{% endblock %}", "utf-8")
    doc, ctx = _doc(root, case_facts)
    _Recorder.hits.clear()
    try:
        data = render_base(doc, ctx, WHEN)
    except TemplateError as exc:
        message = str(exc)
        assert message.startswith("表单 application（pdf）：无法读取样式表或图片："), message
        assert "不允许读取" in message or "只允许读取本地文件" in message, message
        assert SECRET not in message and "root:" not in message
    else:  # WeasyPrint left the resource out (e.g. <object>): it must not show anything of it
        assert name in MAY_BE_IGNORED, f"{name}: rendered instead of refused"
        assert _pdf_leaks(data, tmp_path) == []
    assert _Recorder.hits == [], f"the PDF backend made network requests: {_Recorder.hits}"
