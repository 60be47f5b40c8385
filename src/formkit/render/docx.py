"""The Word backend: a document's context → one .docx per copy (docxtpl, imported lazily).

A document is rendered ONCE (``render_docx_base``) with the copy-label slot
(``formkit.context.COPY_LABEL_SLOT``) left as literal text; each copy is then the base with the
slot replaced by its label (``stamp_docx``) — a string substitution in the zip's XML parts, so
four copies cost little more than one.

Rendering goes through the project's one Jinja environment (``render.env.make_env``: sandboxed,
``StrictUndefined``, autoescaping), never docxtpl's lenient default, so ``&`` ``<`` ``>`` ``"``
``'`` in a value come out as typed and a missing field is an error. A newline in any value
becomes a real line break (``<w:br/>``) and a tab a ``<w:tab/>`` — docxtpl's listing resolution
applies to every text run of the body, tables, headers and footers. Output is reproducible:
the core properties come from the form and ``when`` (never the clock) and the zip has fixed
member times in a stable order, so the same inputs give byte-identical files.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from markupsafe import Markup
from markupsafe import escape as markup_escape

from formkit.context import COPY_LABEL_SLOT
from formkit.errors import FormkitError, TemplateError
from formkit.plan import Document
from formkit.forms import forms_root
from formkit.render.env import make_env, template_failure
from formkit.render.ooxml_zip import rezip

__all__ = ["render_docx", "render_docx_base", "stamp_docx"]

AUTHOR = "formkit"
_SLOT_MARK = "<!--formkit:copy-label-->"
"""Follows the copy-label slot in the rendered XML. Values are escaped (``<`` → ``&lt;``), so no
value can produce it: a name that happens to read 〔份数及持有人〕 is printed as typed, only the
template's ``{{ copy_label }}`` is stamped."""


def _finalize(value: Any) -> Any:
    """Escape a printed value for WordprocessingML text and shield its braces.

    docxtpl post-processes the rendered XML by turning ``{_{`` into ``{{`` (and the like);
    character references for ``{`` and ``}`` keep a value such as ``{_{`` exactly as typed.
    """
    if hasattr(value, "__html__"):  # already markup (e.g. a docxtpl Listing or RichText)
        return value
    return Markup(str(markup_escape(value)).replace("{", "&#123;").replace("}", "&#125;"))


def render_docx_base(doc: Document, context: dict[str, Any], when: date) -> bytes:
    """Render ``doc.form.docx_template`` with ``context`` once: the .docx bytes, copy-label
    slot unstamped.

    ``context`` is ``formkit.context.document_context(...)`` (``copy_label`` must be the slot);
    ``when`` dates the file (core properties ``created``/``modified`` and zip member times).
    Raises ``TemplateError`` for a missing or unreadable template, a syntax error, a field the
    context does not have, or anything the sandbox refuses.
    """
    import jinja2

    path = doc.form.docx_template
    if not path.is_file():
        raise TemplateError(f"表单 {doc.form.id}（docx）缺少模板文件 {path}")
    if "copy_label" in context:  # the slot as markup no value can produce: see _SLOT_MARK
        context = {**context, "copy_label": Markup(escape(context["copy_label"]) + _SLOT_MARK)}
    try:
        env = _env(str(forms_root()))
        tpl = _template_class()(io.BytesIO(_template_bytes(str(path), *_stamp(path))))
        tpl.render(context, jinja_env=env, autoescape=True)  # a fresh DocxTemplate: it cannot re-render
    except jinja2.TemplateError as exc:
        raise template_failure(doc.form.id, "docx", exc) from None
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, SyntaxError) as exc:  # SyntaxError: lxml
        raise TemplateError(f"表单 {doc.form.id}（docx）模板无法读取或渲染：{path}：{exc}") from None
    except FormkitError:
        raise
    except Exception as exc:  # anything else a template can raise (1/0 …): never a traceback
        raise template_failure(doc.form.id, "docx", exc) from None

    stamp = datetime(when.year, when.month, when.day, tzinfo=timezone.utc)
    props = tpl.docx.core_properties
    props.title = doc.form.title
    props.author = props.last_modified_by = AUTHOR
    props.created = props.modified = stamp
    props.revision = 1
    props.comments = ""
    buf = io.BytesIO()
    tpl.save(buf)
    return _rezip(buf.getvalue(), (max(when.year, 1980), when.month, when.day, 0, 0, 0))


# --------------------------------------------------------------------------- per-process caches
# What every render of a form repeats — reading the template file, docxtpl's clean-up of its XML
# (``patch_xml``: regular expressions over the whole body) and compiling that XML into a Jinja
# template — is done once per process and template file version. Rendering itself (filling in the
# values, python-docx's parse of the package) stays per document, so the files are byte-identical
# to an uncached render.

_COMPILED_MAX = 64
"""Compiled XML parts kept per process (a form has a body and a few headers/footers)."""


def _stamp(path: Path) -> tuple[int, int]:
    """(modification time, size) of a template file: a changed file is read and compiled again."""
    st = path.stat()
    return st.st_mtime_ns, st.st_size


@lru_cache(maxsize=16)
def _template_bytes(path: str, mtime_ns: int, size: int) -> bytes:
    """The template file's bytes, read once per version of the file."""
    return Path(path).read_bytes()


@lru_cache(maxsize=4)
def _env(root: str):
    """The Word environment for a forms folder (``make_env`` + ``_finalize``), made once per
    process, whose ``from_string`` compiles each distinct source once (the XML of a template part
    is the same for every document of the form)."""
    env = make_env(Path(root), autoescape=True)
    env.finalize = _finalize
    compile_source = env.from_string
    compiled: dict[str, Any] = {}

    def from_string(source, globals=None, template_class=None):  # noqa: A002 - Jinja's signature
        if globals is not None or template_class is not None:
            return compile_source(source, globals, template_class)
        template = compiled.get(source)
        if template is None:
            if len(compiled) >= _COMPILED_MAX:
                compiled.clear()
            template = compiled[source] = compile_source(source)
        return template

    env.from_string = from_string
    return env


@lru_cache(maxsize=1)
def _template_class():
    """``DocxTemplate`` whose ``patch_xml`` (a pure function of the XML text) is memoised."""
    from docxtpl import DocxTemplate  # heavy: imported only when Word output is asked for

    @lru_cache(maxsize=_COMPILED_MAX)
    def patched(src_xml: str) -> str:
        return DocxTemplate.patch_xml(None, src_xml)

    class CachedTemplate(DocxTemplate):
        def patch_xml(self, src_xml):  # noqa: D102
            return patched(src_xml)

    return CachedTemplate


def stamp_docx(base: bytes, label: str) -> bytes:
    """The copy of ``base`` whose copy-label slot reads ``label`` (XML-escaped) in every XML
    part — document, headers and footers.

    Raises ``TemplateError`` if no part contains the slot (the template does not print
    ``{{ copy_label }}``) or ``base`` is not a .docx.
    """
    slot = (escape(COPY_LABEL_SLOT) + _SLOT_MARK).encode("utf-8")
    text = escape(label).encode("utf-8")
    found = False

    def replace(name: str, data: bytes) -> bytes:
        nonlocal found
        if name.endswith(".xml") and slot in data:
            found = True
            return data.replace(slot, text)
        return data

    out = _rezip(base, None, replace)
    if not found:
        raise TemplateError(f"Word 模板没有份数标注位置：应在页眉写 {{{{ copy_label }}}}（渲染为「{COPY_LABEL_SLOT}」）")
    return out


def render_docx(doc: Document, context: dict[str, Any], when: date) -> list[bytes]:
    """One .docx per copy of ``doc``, in ``doc.copies`` order, each carrying its copy label.

    Rendered once and stamped per copy; errors as ``render_docx_base`` and ``stamp_docx``.
    """
    base = render_docx_base(doc, context, when)
    return [stamp_docx(base, copy.label) for copy in doc.copies]


def _rezip(data: bytes, date_time: tuple[int, int, int, int, int, int] | None,
           transform: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """``ooxml_zip.rezip``, a damaged package reported as a ``TemplateError``."""
    try:
        return rezip(data, date_time, transform)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise TemplateError(f"不是有效的 .docx 文件：{exc}") from None
