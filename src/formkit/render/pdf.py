"""The PDF backend: a document's HTML template → the print-ready PDF of all its copies.

A document is rendered ONCE (``render_base``: WeasyPrint, fonts subset, no copy label); the
copies are that rendering repeated, each page stamped with its copy's label at the top right
(``stamp_copies``: each label a one-page PDF kept per process — typeset by WeasyPrint the
first time it is needed — overlaid with pikepdf). So a
4-copy 附件2 costs one form rendering plus a few milliseconds, and the copies are identical but
for the label. ``render_pdf`` does both.

Output is reproducible: no clock is read (the PDF dates are the ``when`` the caller passes, e.g.
the agreement's signing date), the identifier is derived from the content, and the final file is
saved by pikepdf with ``deterministic_id=True`` — same inputs, byte-identical PDF.

WeasyPrint and pikepdf are imported lazily, inside this module only.

Errors: ``FontCoverageError`` (a character no font draws, named with its field path),
``FontMissingError`` (Noto CJK not installed), ``TemplateError`` (the form's template is
broken, asks for a missing value, or a stylesheet cannot be loaded), ``DataError`` (the
applicant's photo file is missing or not a JPEG/PNG).
"""

from __future__ import annotations

import hashlib
import io
from datetime import date
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

import jinja2

from formkit.errors import DataError, FontCoverageError, FormkitError, TemplateError
from formkit.plan import Document
from formkit.render.env import make_env, template_failure
from formkit.render.fonts import check_coverage, role_fonts, uncovered

FORMAT = "pdf"

LABEL_TOP_MM = 17.0
"""Distance of the copy label's top edge from the page's top edge (inside the 37 mm margin)."""
LABEL_RIGHT_MM = 26.0
"""Distance of the label's right end from the page's right edge (= the body's right margin)."""
LABEL_FONT_PT = 10.5
"""五号."""
LABEL_FONTS = 'FandolFang, "Noto Serif CJK SC", serif'
"""仿宋, like the body. (A Noto Sans CJK subset of the same few glyphs is 4× larger, 100 ms.)"""
LABEL_ROLES = ("body",)
"""The font chain a label's characters must be covered by."""
LABEL_XOBJECT = "/FormkitCopyLabel"
"""Resource name of the label overlay on each page (fixed, so output is byte-reproducible)."""

PHOTO_TYPES = {".jpg", ".jpeg", ".png"}


# --------------------------------------------------------------------------- rendering


@lru_cache(maxsize=8)
def _env(root: str) -> jinja2.Environment:
    """The one formkit environment (``make_env``) for a forms folder, made once per process."""
    return make_env(Path(root))


def _photo_path(context: dict[str, Any], assets_dir: Path | None) -> Path | None:
    """The applicant's photo file, or ``None`` when the record has none.

    A relative path is resolved against ``assets_dir`` (the record file's folder) or, without
    one, the current directory. Raises ``DataError`` when the file is missing or not JPEG/PNG.
    """
    raw = (context.get("applicant") or {}).get("photo")
    if not raw:
        return None
    path = Path(raw)
    if not path.is_absolute():
        path = (assets_dir or Path.cwd()) / path
    path = path.resolve()
    if path.suffix.lower() not in PHOTO_TYPES:
        raise DataError(f"applicant.photo（照片）：{raw} 不是 JPEG 或 PNG 图片")
    if not path.is_file():
        raise DataError(f"applicant.photo（照片）：找不到照片文件 {path}")
    return path


def render_html(doc: Document, context: dict[str, Any], *, assets_dir: Path | None = None) -> str:
    """The HTML of ``doc`` (no copy label): ``<form_id>/template.html`` (in the forms folder) rendered with
    ``context`` through ``make_env()``, plus ``photo_src`` (the photo's ``file://`` URI or "").

    Raises ``TemplateError`` (via ``template_failure``) for any template failure and
    ``DataError`` for a bad photo path.
    """
    form_id = doc.form.id
    env = _env(str(doc.form.folder.parent))
    photo = _photo_path(context, assets_dir)
    photo_src = photo.as_uri() if photo else ""
    try:
        template = env.get_template(f"{form_id}/template.html")
        return template.render(**context, photo_src=photo_src)
    except FormkitError:
        raise
    except Exception as exc:  # any failure inside a template is the template's: never a traceback
        raise template_failure(form_id, FORMAT, exc) from None


def _fetcher(allowed: tuple[Path, ...]):
    """A WeasyPrint URL fetcher that serves only local files below ``allowed`` folders or
    exactly an ``allowed`` file — no network, nothing else on disk — and fails the render
    (``FatalURLFetchingError``) instead of silently leaving out a stylesheet or the photo."""
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher

    class _LocalOnly(URLFetcher):
        def fetch(self, url, headers=None):  # noqa: D401 - WeasyPrint's signature
            parts = urlsplit(url)
            if parts.scheme != "file":
                raise ValueError(f"只允许读取本地文件，拒绝 {url}")
            path = Path(unquote(parts.path)).resolve()
            if not any(path == a or a in path.parents for a in allowed):
                raise ValueError(f"不允许读取 {path}")
            return super().fetch(url, headers)

    return _LocalOnly(fail_on_errors=True)


def _identifier(*parts: bytes) -> bytes:
    """A fixed PDF identifier derived from the content (32 hex digits)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()[:32].encode("ascii")


_FONT_CONFIG = None


def _font_config():
    """One WeasyPrint ``FontConfiguration`` per process: fonts are loaded once, not per render
    (a fresh one each time costs time and lets memory grow by hundreds of MB over a batch)."""
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration

        config = FontConfiguration()
        _use_prepared_fonts(config)
        _FONT_CONFIG = config
    return _FONT_CONFIG


def _use_prepared_fonts(config) -> None:
    """Put the prepared fonts (``fonts.prepared_fonts``: the CJK fonts cut down once to what the
    forms print, under a family of their own) in front of the full ones: each is added to
    WeasyPrint's fontconfig configuration as an application font, as WeasyPrint adds an
    ``@font-face`` font (``FontConfiguration.add_font_face``), and ``fonts.fontconfig_rules``
    insert its family before the full font's in every pattern asking for it. Pango's FT2 font
    map substitutes patterns with the process's current fontconfig configuration, not the font
    map's, so the rules go into both. A character a prepared font lacks is drawn by the full font."""
    from weasyprint.text.ffi import ffi, fontconfig, pangoft2

    from formkit.render.fonts import fontconfig_rules, prepared_fonts

    fonts = prepared_fonts()
    if not fonts:
        return
    fc_config = config._config  # WeasyPrint's FcConfig of this font map (kept alive by the map)
    for font in fonts:
        if not fontconfig.FcConfigAppFontAddFile(fc_config, font.path.encode()):
            return
    rules = fontconfig_rules(fonts)
    global _RULES_LOADED
    if not _RULES_LOADED:  # the current configuration: once per process
        current = _fontconfig_current()
        if current is None:
            return
        _RULES_LOADED = True
    fontconfig.FcConfigParseAndLoadFromMemory(fc_config, rules, True)
    pangoft2.pango_fc_font_map_config_changed(ffi.cast("PangoFcFontMap *", config.font_map))


_RULES_LOADED = False


def _fontconfig_current():
    """Load ``fonts.fontconfig_rules`` into fontconfig's current configuration (the one
    ``FcConfigSubstitute(NULL, …)`` uses); ``None`` when that cannot be done (then the prepared
    fonts are not used). WeasyPrint's bindings lack ``FcConfigGetCurrent``, so it is declared
    here for the same library (cffi, which WeasyPrint is built on)."""
    import cffi

    from formkit.render.fonts import fontconfig_rules, prepared_fonts

    ffi = cffi.FFI()
    ffi.cdef("typedef struct _FcConfig FcConfig; FcConfig *FcConfigGetCurrent(void);"
             "int FcConfigParseAndLoadFromMemory(FcConfig *config, const unsigned char *buffer, int complain);")
    for name in ("libfontconfig.so.1", "libfontconfig.1.dylib", "libfontconfig-1.dll", "fontconfig"):
        try:
            lib = ffi.dlopen(name)
            break
        except OSError:
            continue
    else:
        return None
    current = lib.FcConfigGetCurrent()
    if current == ffi.NULL or not lib.FcConfigParseAndLoadFromMemory(current, fontconfig_rules(prepared_fonts()), 1):
        return None
    return current


def _write_pdf(html: str, *, base_url: Path, allowed: tuple[Path, ...], when: date | None,
               what: str) -> bytes:
    """Typeset ``html`` with WeasyPrint: subset fonts, dates from ``when`` (none if ``None``),
    a content-derived identifier. Raises ``TemplateError`` when a resource cannot be loaded."""
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    try:
        document = weasyprint.HTML(string=html, base_url=base_url.as_uri() + "/",
                                   url_fetcher=_fetcher(allowed)).render(font_config=_font_config())
    except FatalURLFetchingError as exc:
        cause = exc.__cause__ or exc
        raise TemplateError(f"{what}：无法读取样式表或图片：{cause}") from None
    stamp = when.isoformat() if when else None
    document.metadata.created = stamp
    document.metadata.modified = stamp
    identifier = _identifier(html.encode("utf-8"), (stamp or "").encode("ascii"))
    return document.write_pdf(pdf_identifier=identifier)  # never full_fonts=True: 44 MB pages


def render_plain_html(html: str) -> bytes:
    """Typeset a self-contained HTML string (no external resources, no dates) — for small fixed
    pages such as the blank "（此页无正文）" page of a print job."""
    root = Path(__file__).resolve().parent
    return _write_pdf(html, base_url=root, allowed=(), when=None, what="固定页面")


def render_base(doc: Document, context: dict[str, Any], when: date, *,
                assets_dir: Path | None = None) -> bytes:
    """Render one copy of ``doc`` (every page, no copy label) as PDF bytes.

    ``context`` is ``document_context(case, facts, doc)``; ``when`` (e.g. the agreement's signing
    date) becomes the PDF's creation and modification date — the clock is never read;
    ``assets_dir`` is where a relative photo path resolves (the record file's folder).
    Checks font coverage first. Raises ``FontCoverageError``, ``FontMissingError``,
    ``TemplateError`` or ``DataError`` (see the module doc).
    """
    check_coverage(context, doc.form.id)
    for role in ("title", "body", "hei", "symbol"):
        role_fonts(role)  # fail early, with the install hint, when a required font is missing
    html = render_html(doc, context, assets_dir=assets_dir)
    root = doc.form.folder.parent.resolve()
    photo = _photo_path(context, assets_dir)
    allowed = (root, photo) if photo else (root,)
    return _write_pdf(html, base_url=root, allowed=allowed, when=when, what=f"表单 {doc.form.id}（pdf）")


# --------------------------------------------------------------------------- copies


def _label_html(labels: list[str], width_pt: float, height_pt: float) -> str:
    """One page per label, the page's size, the label alone at the top right."""
    pages = "\n".join(f'<div class="label">{escape(label)}</div>' for label in labels)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><style>
@page {{ size: {width_pt:.3f}pt {height_pt:.3f}pt; margin: {LABEL_TOP_MM}mm {LABEL_RIGHT_MM}mm 0 0; }}
html {{ font-family: {LABEL_FONTS}; font-size: {LABEL_FONT_PT}pt; line-height: 1.3; }}
body {{ margin: 0; }}
.label {{ text-align: right; margin-left: 28mm; break-after: page; }}
.label:last-child {{ break-after: auto; }}
</style></head><body>
{pages}
</body></html>"""


LABELS_CACHED = 256
"""Copy labels kept per process, each as a one-page PDF (a batch's labels repeat: the county HR
department holding copy 1 of every 附件3 of its county …)."""

_LABELS: dict[tuple[str, float, float], bytes] = {}


def _labels_pdf(labels: tuple[str, ...], width_pt: float, height_pt: float) -> list[bytes]:
    """One one-page PDF per label, from the per-process cache or typeset now. Each label is
    typeset on its own, so its page (its font subset) never depends on which labels were made
    with it: the same label, the same bytes. Raises ``ValueError`` when a label does not fit one
    page."""
    import pikepdf

    out = []
    for label in labels:
        key = (label, width_pt, height_pt)
        if key not in _LABELS:
            html = _label_html([label], width_pt, height_pt)
            data = _write_pdf(html, base_url=Path.cwd(), allowed=(), when=None, what="份数标注")
            with pikepdf.open(io.BytesIO(data)) as stamp:
                if len(stamp.pages) != 1:  # a label too long for one page
                    raise ValueError(f"stamp_copies: 份数标注「{label}」排成了 {len(stamp.pages)} 页")
            if len(_LABELS) >= LABELS_CACHED:
                _LABELS.clear()
            _LABELS[key] = data
        out.append(_LABELS[key])
    return out


_labels_pdf.cache_clear = _LABELS.clear  # type: ignore[attr-defined]  # tests and benchmarks forget them


def render_labels(labels: list[str], width_pt: float, height_pt: float) -> list[bytes]:
    """Each copy label as a one-page transparent PDF of ``width_pt`` × ``height_pt``, the label
    alone at the top right. Labels are kept per process (``LABELS_CACHED``): a label is typeset
    (one small WeasyPrint call) the first time a process needs it.

    Raises ``FontCoverageError`` (path ``labels[i]``) when a label has a character no font
    covers, ``ValueError`` when one does not fit a page.
    """
    for i, label in enumerate(labels):
        bad = uncovered(label, LABEL_ROLES)
        if bad:
            chars = "、".join(f"U+{ord(ch):04X}「{ch}」" for ch in bad)
            raise FontCoverageError(f"份数标注 labels[{i}]「{label}」中的字符 {chars}在 PDF 所用字体中都没有字形")
    return _labels_pdf(tuple(labels), round(width_pt, 3), round(height_pt, 3))


def stamp_copies(base: bytes, labels: list[str]) -> bytes:
    """The print-ready PDF: copy 1's pages, then copy 2's, …; every page of copy ``i`` carries
    ``labels[i]`` small at the top right (``LABEL_*``).

    ``base`` is a ``render_base`` PDF (all pages the same size). Deterministic: same inputs,
    same bytes (pikepdf ``deterministic_id``; no dates added). Raises ``ValueError`` for an
    empty ``labels`` or an unreadable ``base``, ``FontCoverageError`` for an undrawable label.
    """
    import pikepdf

    if not labels:
        raise ValueError("stamp_copies: 至少需要一份（labels 为空）")
    try:
        pdf = pikepdf.open(io.BytesIO(base))
    except pikepdf.PdfError as exc:
        raise ValueError(f"stamp_copies: base 不是可读的 PDF：{exc}") from None
    with pdf:
        box = pdf.pages[0].mediabox
        width, height = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
        stamps = [pikepdf.open(io.BytesIO(data)) for data in render_labels(list(labels), width, height)]
        try:
            n = len(pdf.pages)
            for _ in range(1, len(labels)):
                for j in range(n):
                    pdf.pages.append(pdf.pages[j])  # same document: pikepdf makes a page copy
            for i, stamp in enumerate(stamps):
                overlay = pdf.copy_foreign(stamp.pages[0].as_form_xobject())
                for j in range(n):
                    _overlay(pdf.pages[i * n + j], overlay, pikepdf)
        finally:
            for stamp in stamps:
                stamp.close()
        out = io.BytesIO()
        pdf.remove_unreferenced_resources()
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _overlay(page: Any, overlay: Any, pikepdf: Any) -> None:
    """Draw the form XObject ``overlay`` over ``page``, filling its media box.

    What ``Page.add_overlay`` does, but under the fixed resource name ``LABEL_XOBJECT``
    (``add_overlay`` picks ``Name.random()``, which would make every output different). The
    page first gets its own /Resources and /XObject dictionaries: copies of a page share them
    with the original, and the label of one copy must not land in another's resources.
    """
    obj = page.obj
    resources = obj.get("/Resources")
    own = pikepdf.Dictionary({k: v for k, v in resources.items()}) if resources is not None else pikepdf.Dictionary()
    own.XObject = pikepdf.Dictionary({k: v for k, v in own.get("/XObject", {}).items()})
    obj.Resources = own
    name = pikepdf.Name(LABEL_XOBJECT)
    page.add_resource(overlay, pikepdf.Name.XObject, name)
    placement = page.calc_form_xobject_placement(overlay, name, pikepdf.Rectangle(*page.mediabox))
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(b"Q\n" + placement, prepend=False)
    # no contents_coalesce(): the copies keep sharing the base page's content stream


def render_pdf(doc: Document, context: dict[str, Any], when: date, *,
               assets_dir: Path | None = None) -> bytes:
    """The print-ready PDF of ``doc``: ``render_base`` once, then ``stamp_copies`` with every
    copy's label (``doc.copies[i].label``). Errors as ``render_base`` and ``stamp_copies``."""
    base = render_base(doc, context, when, assets_dir=assets_dir)
    return stamp_copies(base, [copy.label for copy in doc.copies])


def pdf_page_count(data: bytes) -> int:
    """How many pages the PDF ``data`` has. Raises ``ValueError`` if it is not a readable PDF."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)
    except pikepdf.PdfError as exc:
        raise ValueError(f"不是可读的 PDF：{exc}") from None


__all__ = ["LABEL_FONT_PT", "LABEL_RIGHT_MM", "LABEL_TOP_MM", "pdf_page_count", "render_base",
           "render_html", "render_labels", "render_pdf", "stamp_copies"]
