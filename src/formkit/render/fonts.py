"""Fonts of the PDF backend: which open font files play each official role, and whether they
can draw every character of a document.

Roles (spec §5; ``fonts/formkit-aliases.conf`` maps the Windows names to the same fonts for
LibreOffice):

=========  ===================  =====================================================
role       official font        open fonts, in fallback order
=========  ===================  =====================================================
``title``  方正小标宋简体         Noto Serif CJK SC Bold
``body``   仿宋_GB2312           FandolFang, Noto Serif CJK SC
``hei``    黑体                  Noto Sans CJK SC
``kai``    楷体_GB2312           FandolKai, Noto Serif CJK SC
``symbol`` (☑ ☐ of the forms)    DejaVu Sans (the CJK fonts lack the ballot boxes)
=========  ===================  =====================================================

Files are found through fontconfig (``fc-match``) once per process. The Fandol fonts are
optional (``scripts/setup-fonts.sh`` installs them; without them the Noto face draws
everything); the Noto CJK fonts are required.

``check_coverage(context, form_id)`` refuses a document in which some character of some
string is covered by no font of the body or title chain — WeasyPrint would silently draw an
empty box (tofu) instead — naming the field path and the character.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from formkit.errors import FontCoverageError, FontMissingError


@dataclass(frozen=True)
class FontSpec:
    """A font a role asks for: fontconfig ``family`` and ``weight`` (``regular``/``bold``)."""

    family: str
    weight: str = "regular"
    required: bool = True

    @property
    def pattern(self) -> str:
        return f"{self.family}:weight={'bold' if self.weight == 'bold' else 'regular'}"


@dataclass(frozen=True)
class FontFile:
    """A resolved font: ``path`` of the file, face ``index`` inside a .ttc, its ``family``."""

    path: str
    index: int
    family: str


ROLES: dict[str, tuple[FontSpec, ...]] = {
    "title": (FontSpec("Noto Serif CJK SC", "bold"),),
    "body": (FontSpec("FandolFang", required=False), FontSpec("Noto Serif CJK SC")),
    "hei": (FontSpec("Noto Sans CJK SC"),),
    "kai": (FontSpec("FandolKai", required=False), FontSpec("Noto Serif CJK SC")),
    "symbol": (FontSpec("DejaVu Sans"),),
}
"""role → the fonts it uses, in CSS ``font-family`` order (Pango falls back per character)."""

COVERAGE_ROLES = ("body", "title")
"""The chains a field value may be drawn with; a character must be in one of their fonts."""

ALWAYS_FINE = frozenset("\n\t\r")
"""Characters that are layout, not glyphs."""

NOT_DRAWN = frozenset({"applicant.photo"})
"""Context paths that are never drawn as text (a file name, not a value on the page)."""

SYMBOL_FIELDS = ("appraisal.grade_marks.",)
"""Context paths drawn in the symbol font (the ☑/☐ tick boxes of 附件3), checked against it."""
SYMBOL_ROLES = ("symbol", "body", "title")

INSTALL_HINT = "请先安装字体：sudo bash scripts/setup-fonts.sh（需要 fonts-noto-cjk：scripts/ensure-system.sh）"


@cache
def _fc_match(pattern: str) -> FontFile | None:
    """``fc-match`` ``pattern``; ``None`` when fontconfig falls back to another family."""
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}|%{index}|%{family}", pattern],
                             capture_output=True, text=True, check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise FontMissingError(f"无法调用 fontconfig（fc-match）查找字体：{exc}；{INSTALL_HINT}") from None
    path, index, families = (out.split("|", 2) + ["", ""])[:3]
    wanted = pattern.split(":", 1)[0].casefold()
    if not path or wanted not in {f.strip().casefold() for f in families.split(",")}:
        return None
    return FontFile(path, int(index or 0), families.split(",")[0].strip())


@cache
def role_fonts(role: str) -> tuple[FontFile, ...]:
    """The installed font files of ``role`` in fallback order (optional fonts skipped when absent).

    Raises ``KeyError`` for an unknown role and ``FontMissingError`` when a required font is
    not installed.
    """
    found = []
    for spec in ROLES[role]:
        font = _fc_match(spec.pattern)
        if font is None:
            if spec.required:
                raise FontMissingError(f"缺少字体 {spec.family}（{role}）；{INSTALL_HINT}")
            continue
        found.append(font)
    return tuple(found)


class Coverage:
    """A set of code points as a bitmap (0x110000 bits, 136 KB): ``ord(ch) in coverage``."""

    __slots__ = ("bits",)

    def __init__(self, bits: bytes | bytearray):
        self.bits = bytes(bits)

    def __contains__(self, cp: object) -> bool:
        return isinstance(cp, int) and 0 <= cp < 0x110000 and bool(self.bits[cp >> 3] & (1 << (cp & 7)))

    def __or__(self, other: Coverage) -> Coverage:
        size = len(self.bits)
        union = int.from_bytes(self.bits, "little") | int.from_bytes(other.bits, "little")
        return Coverage(union.to_bytes(size, "little"))


def _cache_dir() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "formkit"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


@cache
def _codepoints(font: FontFile) -> Coverage:
    """Every code point ``font`` maps to a glyph (its best cmap), as a bitmap.

    Read once with fontTools and kept in ``~/.cache/formkit/`` keyed by the font file's path,
    face index, size and modification time, so later processes skip parsing a CJK font's cmap
    (about 0.4 s and 100 MB each time). Raises ``FontMissingError`` for an unreadable font.
    """
    try:
        st = os.stat(font.path)
    except OSError as exc:
        raise FontMissingError(f"无法读取字体文件 {font.path}：{exc}") from None
    key = hashlib.sha256(f"{font.path}|{font.index}|{st.st_size}|{st.st_mtime_ns}|1".encode()).hexdigest()[:24]
    folder = _cache_dir()
    cached = folder / f"coverage-{key}.bin" if folder else None
    if cached is not None and cached.is_file() and cached.stat().st_size == 0x110000 // 8:
        return Coverage(cached.read_bytes())
    from fontTools.ttLib import TTFont

    try:
        with TTFont(font.path, fontNumber=font.index, lazy=True) as tt:
            cmap = tt.getBestCmap() or {}
    except Exception as exc:  # a broken or unreadable font file is an environment problem
        raise FontMissingError(f"无法读取字体文件 {font.path}：{exc}") from None
    bits = bytearray(0x110000 // 8)
    for cp in cmap:
        if 0 <= cp < 0x110000:
            bits[cp >> 3] |= 1 << (cp & 7)
    if cached is not None:
        try:
            from formkit.atomic import write_atomic

            write_atomic(cached, bytes(bits), mode=0o644)
        except OSError:
            pass
    return Coverage(bits)


@cache
def covered_codepoints(roles: tuple[str, ...] = COVERAGE_ROLES) -> Coverage:
    """The code points some font of ``roles`` covers (union over their fallback chains)."""
    out = Coverage(bytes(0x110000 // 8))
    for role in roles:
        for font in role_fonts(role):
            out = out | _codepoints(font)
    return out


def iter_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a context tree with its field path: ``("resume[2].unit", "…")``.

    Dicts give ``a.b``, lists and tuples ``a[0]``; other values (numbers, ``None``) are skipped.
    """
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from iter_strings(item, f"{path}[{i}]")


def uncovered(text: str, roles: tuple[str, ...] = COVERAGE_ROLES) -> list[str]:
    """The distinct characters of ``text`` no font of ``roles`` covers, in order of appearance."""
    covered = covered_codepoints(roles)
    seen: dict[str, None] = {}
    for ch in text:
        if ch not in ALWAYS_FINE and ord(ch) not in covered:
            seen.setdefault(ch)
    return list(seen)


def check_coverage(context: dict[str, Any], form_id: str) -> None:
    """Refuse a context that has a character no PDF font can draw.

    Walks every string of ``context`` (see ``iter_strings``; ``NOT_DRAWN`` paths skipped) and
    raises ``FontCoverageError`` at the first field with uncovered characters, naming the form,
    the field path and each character as ``U+2AA0A「𪨊」``. Raises ``FontMissingError`` when the
    Noto CJK fonts are not installed. Returns ``None`` when every character is covered.
    """
    for path, text in iter_strings(context):
        if path in NOT_DRAWN:
            continue
        roles = SYMBOL_ROLES if path.startswith(SYMBOL_FIELDS) else COVERAGE_ROLES
        bad = uncovered(text, roles)
        if bad:
            chars = "、".join(f"U+{ord(ch):04X}「{ch}」" for ch in bad)
            fonts = "、".join(dict.fromkeys(f.family for r in COVERAGE_ROLES for f in role_fonts(r)))
            raise FontCoverageError(
                f"表单 {form_id}：字段 {path} 中的字符 {chars}在 PDF 所用字体（{fonts}）中都没有字形，"
                "无法正确打印（不会以空白方框代替）。请核对该字是否录入正确；生僻字可改用可用的"
                "异体字并在备注中说明，或安装覆盖该字的字体后再生成。")


# --------------------------------------------------------------------------- prepared fonts

PREPARED_ROLES = ("title", "body", "hei", "kai")
"""The roles whose CJK fonts are prepared (``prepared_fonts``); DejaVu Sans (``symbol``) is small."""
PREPARED_PREFIX = "formkit "
"""Family of a prepared font: ``formkit FandolFang`` is FandolFang cut down to ``prepared_text``.
A family of its own, so that WeasyPrint (which tells fonts apart by family, weight and style)
never mixes the glyphs of a prepared font with those of its full font in one embedded font."""
PREPARED_VERSION = "4"
"""Changes when the prepared fonts' contents change (character set, options): part of their cache key."""


@dataclass(frozen=True)
class PreparedFont:
    """A font cut down once to what the forms print: ``path`` of the subset file, the ``source``
    font it was cut from, and whether it is ``bold`` (weight from demibold up)."""

    path: str
    source: FontFile
    bold: bool


def _gb2312() -> str:
    """Every character of GB 2312 (the 6,763 hanzi and 682 symbols of rows 1–9, 16–87)."""
    chars = []
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


@cache
def prepared_text() -> str:
    """The characters the prepared fonts keep, sorted: ASCII and Latin-1, general punctuation,
    CJK symbols and full-width forms, GB 2312, and every character of the forms' fixed text
    (templates and form definitions) and of the reference data (place names of GB/T 2260,
    titles, the policy's parameters). A character outside it (a rare name character such as
    䶮 or 𠮷) is drawn by the full font behind the prepared one."""
    from formkit.forms import forms_root

    chars = {chr(c) for c in range(0x20, 0x100)}
    chars |= {chr(c) for c in range(0x2000, 0x2070)} | {chr(c) for c in range(0x2100, 0x2200)}
    chars |= {chr(c) for c in range(0x2460, 0x2500)} | {chr(c) for c in range(0x3000, 0x3040)}
    chars |= {chr(c) for c in range(0xFF00, 0xFFF0)}
    chars |= set(_gb2312())
    texts = [Path(__file__).resolve().parents[1] / "data", forms_root()]
    for folder in texts:
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".html", ".css", ".yaml", ".tsv", ".txt"}:
                try:
                    chars |= set(path.read_text("utf-8"))
                except (OSError, UnicodeDecodeError):
                    continue
    return "".join(sorted(c for c in chars if c.isprintable() or c == "\u3000"))


def _rename(tt, prefix: str) -> None:
    """Give a font the family ``prefix + family`` in every name record that names it (family,
    full name, typographic family, WWS family; the PostScript name gets ``formkit-``)."""
    for record in tt["name"].names:
        if record.nameID in (1, 4, 16, 18, 21):
            record.string = prefix + record.toUnicode()
        elif record.nameID == 6:
            record.string = prefix.strip() + "-" + record.toUnicode()


def _prepare(font: FontFile, target: Path, text: str) -> None:
    """Write the subset of ``font`` to ``target``: glyphs of ``text`` (and what their layout
    features reach), renumbered from 1 (a document using it embeds a small subset),
    outlines, hints, metrics and every other table as they are; the family renamed
    (``PREPARED_PREFIX``)."""
    from fontTools import subset  # only when a prepared font is made: once per font and machine
    from fontTools.ttLib import TTFont

    options = subset.Options(retain_gids=False, hinting=True, notdef_outline=True, recalc_bounds=False,
                             name_IDs=["*"], name_languages=["*"], name_legacy=True, layout_features=["*"],
                             passthrough_tables=True, legacy_kern=True, symbol_cmap=True,
                             prune_unicode_ranges=False, recalc_average_width=False, recalc_max_context=False)
    options.drop_tables = []
    with TTFont(font.path, fontNumber=font.index, recalcBBoxes=False, recalcTimestamp=False) as tt:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[ord(c) for c in text])
        subsetter.subset(tt)
        _rename(tt, PREPARED_PREFIX)
        buf = io.BytesIO()
        tt.save(buf)
    from formkit.atomic import write_atomic

    write_atomic(target, buf.getvalue(), mode=0o644)


def _is_bold(path: Path) -> bool:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as tt:
        return tt["OS/2"].usWeightClass >= 600


def fontconfig_rules(fonts: tuple[PreparedFont, ...]) -> bytes:
    """fontconfig configuration putting each prepared font in front of its full font: a pattern
    asking for the full font's family, upright, at the prepared font's weight (below demibold,
    or from demibold up for a bold one) gets ``formkit <family>`` inserted just before that
    family. So the prepared font is tried first and the full font right after it, for every
    character the prepared one lacks; a weight or style no prepared font has is matched as
    before."""
    from xml.sax.saxutils import escape as xml_escape

    rules = []
    for font in fonts:
        family = xml_escape(font.source.family)
        rules.append(
            '<match target="pattern">'
            f'<test name="family" qual="any"><string>{family}</string></test>'
            f'<test name="weight" compare="{"more_eq" if font.bold else "less"}"><int>180</int></test>'
            '<test name="slant" compare="eq"><int>0</int></test>'
            f'<edit name="family" mode="prepend" binding="strong"><string>{xml_escape(PREPARED_PREFIX)}{family}'
            '</string></edit></match>')
    return ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>'
            + "".join(rules) + "</fontconfig>").encode("utf-8")


@cache
def prepared_fonts() -> tuple[PreparedFont, ...]:
    """The CJK fonts of ``PREPARED_ROLES`` cut down to ``prepared_text()``, made at first use and
    kept in ``~/.cache/formkit/`` keyed by the font file (path, face, size, modification time),
    the character set and ``PREPARED_VERSION``. Laying out and subsetting a document with a
    4–6 MB font instead of a 20–27 MB one is what makes them worth it; the pages are the same
    (same outlines and metrics; characters outside the set fall back to the full font).

    Returns ``()`` when there is no writable cache folder or a font cannot be prepared (the full
    fonts are then used, as before). Raises ``FontMissingError`` when a required font is missing.
    """
    folder = _cache_dir()
    if folder is None:
        return ()
    text = prepared_text()
    text_key = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    out: dict[tuple[str, int], PreparedFont] = {}
    for role in PREPARED_ROLES:
        for font in role_fonts(role):
            if (font.path, font.index) in out:
                continue
            st = os.stat(font.path)
            key = hashlib.sha256(f"{font.path}|{font.index}|{st.st_size}|{st.st_mtime_ns}|{text_key}|"
                                 f"{PREPARED_VERSION}".encode()).hexdigest()[:24]
            target = folder / f"prepared-{key}.otf"
            if not target.is_file():
                try:
                    _prepare(font, target, text)
                except Exception:  # a font fontTools cannot cut: use the full one
                    continue
            out[(font.path, font.index)] = PreparedFont(str(target), font, _is_bold(target))
    return tuple(out.values())


# --------------------------------------------------------------------------- shared subsets

_HB_CDEF = """
typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t; typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t; typedef uint32_t hb_tag_t;
hb_blob_t *hb_blob_create_from_file (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
hb_tag_t hb_tag_from_string (const char *str, int len);
hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_glyph_set (hb_subset_input_t *input);
hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned value);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""
_HB_RETAIN_GIDS, _HB_NO_HINTING, _HB_DESUBROUTINIZE, _HB_PASSTHROUGH = 0x2, 0x1, 0x4, 0x20
_HB_SETS_DROP_TABLE_TAG = 3
_HB_DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")


@cache
def _harfbuzz():
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(_HB_CDEF)
    for names in (("libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib", "libharfbuzz-subset-0.dll"),):
        for name in names:
            try:
                return ffi, ffi.dlopen(name)
            except OSError:
                continue
    raise OSError("libharfbuzz-subset not found")


def subset_prepared(font: PreparedFont, glyphs: set[int]) -> bytes:
    """The font program WeasyPrint would embed for a document of ``font`` (a prepared font)
    using exactly ``glyphs`` (glyph ids): HarfBuzz-subset the same way as WeasyPrint does
    (``weasyprint.pdf.fonts.Font._harfbuzz_subset``: glyph ids kept, desubroutinised, layout
    tables dropped, no hinting, glyphs after the last used one dropped). Since every document's
    program keeps the prepared font's glyph ids, this one can stand in for all of them — a print
    job embeds it once (``output.pdfjoin``). Raises ``OSError`` when HarfBuzz cannot do it."""
    ffi, hb = _harfbuzz()
    blob = hb.hb_blob_create_from_file(font.path.encode())
    face = hb.hb_face_create(blob, 0)
    faces = [face]
    try:
        for flags, keep in ((_HB_RETAIN_GIDS | _HB_PASSTHROUGH | _HB_DESUBROUTINIZE, sorted(glyphs)),
                            (_HB_PASSTHROUGH | _HB_DESUBROUTINIZE | _HB_NO_HINTING, range(max(glyphs) + 1))):
            request = hb.hb_subset_input_create_or_fail()
            try:
                wanted = hb.hb_subset_input_glyph_set(request)
                for gid in keep:
                    hb.hb_set_add(wanted, gid)
                hb.hb_subset_input_set_flags(request, flags)
                if flags & _HB_RETAIN_GIDS:
                    drop = hb.hb_subset_input_set(request, _HB_SETS_DROP_TABLE_TAG)
                    for tag in _HB_DROP_TABLES:
                        hb.hb_set_add(drop, hb.hb_tag_from_string(tag, -1))
                face = hb.hb_subset_or_fail(face, request)
            finally:
                hb.hb_subset_input_destroy(request)
            if face == ffi.NULL:
                raise OSError(f"HarfBuzz could not subset {font.path}")
            faces.append(face)
        out = hb.hb_face_reference_blob(face)
        length = ffi.new("unsigned int *")
        data = ffi.unpack(hb.hb_blob_get_data(out, length), length[0])
        hb.hb_blob_destroy(out)
        return data
    finally:
        for f in faces:
            hb.hb_face_destroy(f)
        hb.hb_blob_destroy(blob)


def prepared_font_named(font_name: str) -> PreparedFont | None:
    """The prepared font a PDF font name (``ABCDEF+formkit-Noto-Serif-CJK-SC-Bold``, as WeasyPrint
    names fonts) was subset from, or ``None``."""
    name = font_name.lstrip("/").split("+", 1)[-1]
    prefix = PREPARED_PREFIX.strip() + "-"
    if not name.startswith(prefix):
        return None
    for font in prepared_fonts():
        base = prefix + font.source.family.replace(" ", "-")
        if name == base + ("-Bold" if font.bold else ""):
            return font
    return None


__all__ = ["COVERAGE_ROLES", "FontFile", "FontSpec", "PreparedFont", "ROLES", "check_coverage",
           "covered_codepoints", "fontconfig_rules", "iter_strings", "prepared_font_named", "prepared_fonts", "prepared_text",
           "role_fonts", "subset_prepared", "uncovered"]
