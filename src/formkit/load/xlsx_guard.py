"""Looking at a workbook before openpyxl parses it: the zip and the one worksheet read, bounded.

A county's 附件1 .xlsx is a zip of a dozen XML parts, its sheet some tens of rows by 16 columns.
A file that claims more — a zip bomb (a part that inflates a thousandfold), thousands of parts,
a cell at ``XFD1048576``, a merged or hyperlinked range over the whole sheet (openpyxl makes
one object per covered cell), a DTD with entities — is refused here, by streaming the zip
directory and the worksheet's XML, before any of it is loaded whole. ``inspect_workbook``
returns where the sheet is and how far its cells really reach, or a Chinese message saying what
is too large (each limit below is a named constant with its reason).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import XMLPullParser

from formkit.errors import RefusedWorkbook as Refused

# --------------------------------------------------------------------------- the limits

MAX_MEMBERS = 300
"""Parts in the zip: Excel or WPS write 10–20 for a one-sheet workbook (sheets, styles, theme,
printer settings…); hundreds means something else, thousands a directory to exhaust memory."""

MAX_MEMBER_BYTES = 20_000_000
"""Uncompressed size of one part: a county sheet's XML is well under 1 MB; 20 MB is room for a
generously styled workbook and still bounded."""

MAX_TOTAL_BYTES = 60_000_000
"""Uncompressed size of all parts together (the zip directory's claim, checked before reading)."""

MAX_RATIO = 100
"""Compression ratio of a part larger than ``RATIO_FLOOR``: XML deflates 5–20×; a part that
inflates over 100× is a zip bomb (a bomb's ratio is ~1000×)."""

RATIO_FLOOR = 1_000_000
"""Below 1 MB uncompressed the ratio does not matter (tiny parts of repeated tags compress well)."""

MAX_ROWS = 1000
"""The last row of the sheet: a county lists some tens of posts; 1000 rows is ample."""

MAX_COLUMNS = 64
"""The last column (BL): the table has 16 columns and a few notes beside it; ``XFD`` (16384) is
refused before any row is read into memory."""

MAX_MERGED = 500
"""Merged ranges: the title, the labels and the 小计/合计 rows use a few dozen."""

MAX_HYPERLINKS = 200
"""Hyperlinks: a demand list has none or a few; openpyxl makes one object per linked cell."""

READ_CHUNK = 65536

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_WORKSHEET = _NS_REL + "/worksheet"
_CHARTSHEET = _NS_REL + "/chartsheet"
_DOCUMENT = _NS_REL + "/officeDocument"
_DROPPED = {"c", "row", "mergeCell", "hyperlink", "Relationship", "sheet", "col", "cfRule", "dataValidation"}
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_RESAVE = "请在 Excel 或 WPS 中打开后另存为 .xlsx 再试"


@dataclass
class SheetScan:
    """What the guard found: the sheet's name and part, how far its cells with content reach,
    and its merged ranges as ``(min_row, min_col, max_row, max_col)``."""

    name: str
    part: str
    max_row: int = 0
    max_col: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    uncached: set[tuple[int, int]] = field(default_factory=set)
    """Cells holding a formula with no saved (cached) value: the file was written by a program
    that does not compute formulas, and never opened and saved in Excel or WPS."""


def column_letter(col: int) -> str:
    out = ""
    while col:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


def _cell_ref(ref: str) -> tuple[int, int] | None:
    m = _REF.match(ref.strip())
    if not m:
        return None
    col = 0
    for ch in m[1].upper():
        col = col * 26 + ord(ch) - 64
    return int(m[2]), col


def _range(ref: str) -> tuple[int, int, int, int] | None:
    """``A1:C3`` or ``B2`` → (min_row, min_col, max_row, max_col); ``None`` if unreadable."""
    first, _, last = ref.strip().partition(":")
    a, b = _cell_ref(first), _cell_ref(last or first)
    if a is None or b is None:
        return None
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])


def _within(rng: tuple[int, int, int, int]) -> bool:
    return rng[2] <= MAX_ROWS and rng[3] <= MAX_COLUMNS


_LIMIT_TEXT = f"上限 {MAX_ROWS} 行、{MAX_COLUMNS} 列（{column_letter(MAX_COLUMNS)} 列）"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _stream(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str):
    """The part's bytes in chunks, never more than its declared size (a lying size is refused)."""
    read = 0
    with zf.open(info) as raw:
        while chunk := raw.read(READ_CHUNK):
            read += len(chunk)
            if read > info.file_size or read > MAX_MEMBER_BYTES:
                raise Refused(f"部件 {info.filename} 解压后比登记的大小还大（疑似压缩炸弹）；{_RESAVE}")
            yield chunk


def _xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str, on_element, on_start=None) -> None:
    """Stream-parse a part, calling ``on_element(elem)`` at each element's end; a DTD (the way
    to entity-expansion bombs) is refused."""
    parser = XMLPullParser(events=("start", "end"))
    stack: list = []
    tail = b""

    def drain() -> None:  # every element is dropped from its parent once handled: memory stays flat
        for event, elem in parser.read_events():
            if event == "start":
                stack.append(elem)
                if on_start is not None:
                    on_start(elem)
                continue
            stack.pop()
            on_element(elem)
            if stack and _local(elem.tag) in _DROPPED:
                stack[-1].remove(elem)

    try:
        for chunk in _stream(zf, info, sheet):
            if b"<!DOCTYPE" in tail + chunk or b"<!ENTITY" in tail + chunk:
                raise Refused(f"部件 {info.filename} 含有 DTD/实体声明，Excel 不会写出这样的文件；{_RESAVE}")
            tail = chunk[-16:]
            parser.feed(chunk)
            drain()
        parser.close()
        drain()
    except Refused:
        raise
    except Exception:  # noqa: BLE001 — malformed XML of any kind
        raise Refused(f"部件 {info.filename} 不是完好的 XML（文件已损坏）；{_RESAVE}") from None


def _small_xml(zf: zipfile.ZipFile, name: str, keep: str) -> list[tuple[str, dict[str, str]]]:
    """The attributes of every ``keep`` element of a small part (workbook, rels); at most
    ``MAX_MEMBERS`` of them (a workbook lists a few sheets, a rels file a few parts)."""
    out: list[tuple[str, dict[str, str]]] = []

    def on_element(elem) -> None:
        if _local(elem.tag) == keep:
            out.append((keep, dict(elem.attrib)))
            if len(out) > MAX_MEMBERS:
                raise Refused(f"部件 {name} 列出了超过 {MAX_MEMBERS} 项，不是一份普通的表格？{_RESAVE}")

    _xml(zf, zf.getinfo(name), name, on_element)
    return out


def _rels(zf: zipfile.ZipFile, part: str, names: set[str]) -> dict[str, tuple[str, str]]:
    """The relationships of ``part``: id → (type, target part name)."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if rels not in names:
        return {}
    out = {}
    for tag, attrib in _small_xml(zf, rels, "Relationship"):
        if tag == "Relationship" and attrib.get("TargetMode") != "External":
            target = attrib.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[attrib.get("Id", "")] = (attrib.get("Type", ""), target)
    return out


def inspect_workbook(path: str, prefer: str = "附件1", document: str = "需求信息表") -> SheetScan:
    """Check the zip and the sheet ``prefer`` (else the first worksheet); raise ``Refused``.
    ``document`` names what the workbook should be in the messages (需求信息表, 人员名单)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError):
        raise Refused("不是可读的 .xlsx 文件（不是 zip 格式的 Excel 工作簿）；"
                      "若是 .xls 或 .et 文件，请在 Excel 或 WPS 中另存为 .xlsx") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise Refused(f"工作簿含有 {len(infos):,} 个部件，上限 {MAX_MEMBERS}；这不是一份{document}？{_RESAVE}")
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > MAX_MEMBER_BYTES:
                raise Refused(f"部件 {info.filename} 解压后有 {info.file_size:,} 字节，上限 {MAX_MEMBER_BYTES:,}；"
                              f"一份{document}远小于此。{_RESAVE}")
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise Refused(f"部件 {info.filename} 的压缩比超过 {MAX_RATIO} 倍（疑似压缩炸弹），拒绝读取")
        if total > MAX_TOTAL_BYTES:
            raise Refused(f"工作簿解压后共 {total:,} 字节，上限 {MAX_TOTAL_BYTES:,}；{_RESAVE}")
        names = {i.filename for i in infos}
        root_rels = _rels(zf, "", names)
        book = next((t for kind, t in root_rels.values() if kind == _DOCUMENT), "xl/workbook.xml")
        if book not in names:
            raise Refused(f"工作簿已损坏：缺少 {book}；{_RESAVE}")
        sheets = [(a.get("name", ""), a.get(f"{{{_NS_REL}}}id", "")) for tag, a in _small_xml(zf, book, "sheet")
                  if tag == "sheet"]
        rels = _rels(zf, book, names)
        kinds = [(name, *rels.get(rid, ("", ""))) for name, rid in sheets]
        chosen = next((k for k in kinds if k[0] == prefer), None) or next((k for k in kinds if k[1] == _WORKSHEET), None)
        if chosen is None:
            if any(kind == _CHARTSHEET for _, kind, _ in kinds):
                raise Refused(f"工作簿中只有图表，没有工作表；请把{document}放在普通工作表中另存为 .xlsx")
            raise Refused(f"工作簿中没有工作表；{_RESAVE}")
        name, kind, part = chosen
        if kind == _CHARTSHEET:
            raise Refused(f"工作表「{name}」是图表，不是表格；请把{document}放在普通工作表「{name}」中另存为 .xlsx")
        if kind != _WORKSHEET or part not in names:
            raise Refused(f"工作簿已损坏：缺少工作表「{name}」的数据（{part or '无'}）；{_RESAVE}")
        return _scan_sheet(zf, zf.getinfo(part), SheetScan(name, part), document)


def _scan_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, scan: SheetScan, document: str = "需求信息表") -> SheetScan:
    where = f"工作表「{scan.name}」"
    links = 0

    def refuse_range(what: str, ref: str) -> None:
        raise Refused(f"{where}{what} {ref} 超出范围（{_LIMIT_TEXT}）；一份{document}用不到这么多行列，"
                      f"请删除表格下方和右侧多余的行列后另存为 .xlsx")

    here = [0, 0]  # row and column of the last cell: cells and rows may omit ``r`` (then they follow on)

    def on_start(elem) -> None:
        if _local(elem.tag) == "row":
            r = elem.get("r", "")
            here[0] = int(r) if r.isdigit() and len(r) <= 7 else here[0] + 1
            here[1] = 0

    def on_element(elem) -> None:
        nonlocal links
        tag = _local(elem.tag)
        if tag == "c":
            ref = elem.get("r")
            at = _cell_ref(ref) if ref else (here[0], here[1] + 1)
            if at is not None:
                here[1] = at[1]
            kinds = {_local(child.tag): child for child in elem}
            has_content = any(k in kinds for k in ("v", "is", "f"))
            if at is not None and "f" in kinds and not (kinds.get("v") is not None and kinds["v"].text):
                scan.uncached.add(at)
            if at is not None and has_content:
                if at[0] > MAX_ROWS or at[1] > MAX_COLUMNS:
                    refuse_range("的单元格", f"{column_letter(at[1])}{at[0]}")
                scan.max_row = max(scan.max_row, at[0])
                scan.max_col = max(scan.max_col, at[1])
        elif tag == "dimension":
            rng = _range(elem.get("ref", "A1"))
            if rng is not None and not _within(rng):
                refuse_range("声明的使用范围", elem.get("ref", ""))
        elif tag == "mergeCell":
            rng = _range(elem.get("ref", ""))
            if rng is None or not _within(rng):
                refuse_range("的合并单元格", elem.get("ref", "")[:40])
            scan.merged.append(rng)
            if len(scan.merged) > MAX_MERGED:
                raise Refused(f"{where}有超过 {MAX_MERGED} 处合并单元格；一份{document}只用到几十处。{_RESAVE}")
        elif tag == "hyperlink":
            links += 1
            rng = _range(elem.get("ref", ""))
            if rng is None or not _within(rng):
                refuse_range("的超链接", elem.get("ref", "")[:40])
            if links > MAX_HYPERLINKS:
                raise Refused(f"{where}有超过 {MAX_HYPERLINKS} 个超链接；{document}不需要超链接，请删除后另存为 .xlsx")

    _xml(zf, info, scan.name, on_element, on_start)
    return scan
