"""Joining PDFs into one file without holding them in memory (print jobs, the declaration
bundle): ``PdfStreamWriter``; and sharing what the joined PDFs have in common
(``shared_font_programs``): the fonts of the records are embedded once for the whole file.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

__all__ = ["PdfStreamWriter", "shared_font_programs"]


def _used_glyphs(widths) -> set[int]:
    """The glyph ids (= CIDs: WeasyPrint writes ``/CIDToGIDMap /Identity``) a CID font's ``/W``
    array gives widths for: ``[c [w…]]`` and ``[c_first c_last w]`` entries."""
    import pikepdf

    used: set[int] = set()
    i = 0
    while i + 1 < len(widths):
        first, nxt = int(widths[i]), widths[i + 1]
        if isinstance(nxt, pikepdf.Array):
            used.update(range(first, first + len(nxt)))
            i += 2
        else:
            used.update(range(first, int(nxt) + 1))
            i += 3
    return used


def _prepared_descriptors(pdf):
    """(font descriptor, prepared font) of every font of ``pdf`` subset from a prepared font."""
    import pikepdf

    from formkit.render.fonts import prepared_font_named

    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor" and "/FontFile3" in obj:
            font = prepared_font_named(str(obj.get("/FontName", "")))
            if font is not None:
                yield obj, font


def shared_font_programs(sources) -> dict[str, bytes]:
    """For PDFs rendered by formkit (paths), one font program per prepared font they use
    (``render.fonts.prepared_fonts``), keyed by its path: the subset with every glyph any of
    them uses (``render.fonts.subset_prepared``). Each PDF's own subset of that font keeps the
    prepared font's glyph ids, so this program draws every one of them exactly as its own did:
    ``PdfStreamWriter(fonts=…)`` embeds it once instead of once per record. A source that
    cannot be read or a font that cannot be subset is left out (its own subsets stay)."""
    import pikepdf

    from formkit.render.fonts import prepared_font_named, prepared_fonts, subset_prepared

    used: dict[str, set[int]] = {}
    for source in sources:
        try:
            with pikepdf.open(source) as pdf:
                for obj in pdf.objects:
                    if not (isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font"
                            and obj.get("/Subtype") == "/CIDFontType0" and "/FontDescriptor" in obj):
                        continue
                    font = prepared_font_named(str(obj.FontDescriptor.get("/FontName", "")))
                    if font is not None and "/W" in obj:
                        used.setdefault(font.path, set()).update(_used_glyphs(obj.W))
        except pikepdf.PdfError:
            continue
    programs = {}
    for font in prepared_fonts():
        if used.get(font.path):
            try:
                programs[font.path] = subset_prepared(font, used[font.path])
            except OSError:
                continue
    return programs


class PdfStreamWriter:
    """Concatenate PDFs into one file without holding them: each source's pages and the objects
    they reach are written out as soon as the source is added, renumbered, and the source is
    closed; only the byte offsets of the objects and the page references stay in memory.

    (``pikepdf``'s own merge keeps every copied page's objects in memory until ``save``: about
    1.4 MB per person here.) Sources are read with pikepdf; a page's inheritable attributes must
    be on the page itself (true of every PDF pikepdf saves, see ``normalised``). The trailer's
    /ID is the SHA-256 of everything written before it, so the same sources give the same file.
    """

    CATALOG, PAGES = 1, 2

    def __init__(self, fh, fonts: dict[str, bytes] | None = None):
        import hashlib as _hashlib

        self.fh = fh
        self.fonts = dict(fonts or {})
        self.font_objects: dict[str, int] = {}
        self.same: dict[bytes, int] = {}
        self.hash = _hashlib.sha256()
        self.pos = 0
        self.offsets: dict[int, int] = {}
        self.next = 3
        self.pages: list[int] = []
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self.fh.write(data)
        self.hash.update(data)
        self.pos += len(data)

    def _object(self, num: int, body: bytes, stream: bytes | None = None) -> None:
        self.offsets[num] = self.pos
        self._write(b"%d 0 obj\n" % num + body)
        if stream is not None:
            self._write(b"\nstream\n" + stream + b"\nendstream")
        self._write(b"\nendobj\n")

    def _reserve(self) -> int:
        self.next += 1
        return self.next - 1

    def add(self, source) -> tuple[int, int]:
        """Append every page of ``source`` (a path or a pikepdf.Pdf); returns (index of its first
        page in the output, number of pages)."""
        import pikepdf

        pdf = source if isinstance(source, pikepdf.Pdf) else pikepdf.open(source)
        try:
            first = len(self.pages)
            roots = {pdf.Root.objgen: self.CATALOG}
            if "/Pages" in pdf.Root:
                roots[pdf.Root.Pages.objgen] = self.PAGES
            numbers: dict[tuple[int, int], int] = dict(roots)
            order: list = []
            page_ids = set()

            if self.fonts:  # the source's own programs of prepared fonts → the shared ones
                for descriptor, font in _prepared_descriptors(pdf):
                    if font.path in self.fonts:
                        numbers[descriptor.FontFile3.objgen] = self._font_object(font.path)

            def visit(obj) -> None:
                stack = [obj]
                while stack:
                    o = stack.pop()
                    if not isinstance(o, pikepdf.Object):
                        continue
                    if o.is_indirect:
                        if o.objgen in numbers:
                            continue
                        key = self._same_key(o, pikepdf)
                        if key is not None and key in self.same:
                            numbers[o.objgen] = self.same[key]
                            continue
                        numbers[o.objgen] = self._reserve()
                        if key is not None:
                            self.same[key] = numbers[o.objgen]
                        order.append(o)
                    if isinstance(o, pikepdf.Stream):
                        stack.extend(v for k, v in o.stream_dict.items() if k != "/Length")
                    elif isinstance(o, pikepdf.Dictionary):
                        stack.extend(v for k, v in o.items() if not (k == "/Parent" and o.objgen in page_ids))
                    elif isinstance(o, pikepdf.Array):
                        stack.extend(o)

            for page in pdf.pages:
                page_ids.add(page.obj.objgen)
            for page in pdf.pages:
                visit(page.obj)
            for o in order:
                num = numbers[o.objgen]
                if isinstance(o, pikepdf.Stream):
                    raw = o.read_raw_bytes()
                    items = [(k, v) for k, v in o.stream_dict.items() if k != "/Length"]
                    body = self._dict(items, numbers, extra=b"/Length %d" % len(raw))
                    self._object(num, body, raw)
                elif o.objgen in page_ids:
                    items = [(k, v) for k, v in o.items() if k != "/Parent"]
                    self._object(num, self._dict(items, numbers, extra=b"/Parent %d 0 R" % self.PAGES))
                else:
                    self._object(num, self._value(o, numbers, top=True))
            self.pages.extend(numbers[p.obj.objgen] for p in pdf.pages)
            return first, len(self.pages) - first
        finally:
            if pdf is not source:
                pdf.close()

    def _font_object(self, path: str) -> int:
        """The object number of the shared program of the prepared font ``path`` (written at
        its first use)."""
        if path not in self.font_objects:
            import zlib

            num = self.font_objects[path] = self._reserve()
            data = zlib.compress(self.fonts[path], 6)
            self._object(num, b"<</Subtype /OpenType /Filter /FlateDecode /Length %d>>" % len(data), data)
        return self.font_objects[path]

    @staticmethod
    def _same_key(o, pikepdf) -> bytes | None:
        """What makes a stream the same as another (its dictionary and raw bytes), for a stream
        whose dictionary refers to no other object; ``None`` for anything else."""
        if not isinstance(o, pikepdf.Stream):
            return None
        items = [(k, v) for k, v in o.stream_dict.items() if k != "/Length"]
        if any(isinstance(v, pikepdf.Object) and (v.is_indirect or isinstance(v, (pikepdf.Array, pikepdf.Dictionary)))
               for _, v in items):
            return None
        import hashlib

        digest = hashlib.sha256()
        for k, v in sorted(items, key=lambda kv: kv[0]):
            digest.update(k.encode() + b"\0" + (v.unparse() if isinstance(v, pikepdf.Object) else repr(v).encode()) + b"\0")
        digest.update(o.read_raw_bytes())
        return digest.digest()

    def _dict(self, items, numbers, extra: bytes = b"") -> bytes:
        import pikepdf

        parts = [pikepdf.Name(k).unparse() + b" " + self._value(v, numbers) for k, v in items]
        if extra:
            parts.append(extra)
        return b"<<" + b" ".join(parts) + b">>"

    def _value(self, v, numbers, top: bool = False) -> bytes:
        import pikepdf

        if isinstance(v, pikepdf.Object) and v.is_indirect and not top:
            if v.objgen not in numbers:  # not reached from a page (e.g. /P of a stray annotation)
                return b"null"
            return b"%d 0 R" % numbers[v.objgen]
        if isinstance(v, pikepdf.Dictionary):
            return self._dict(list(v.items()), numbers)
        if isinstance(v, pikepdf.Array):
            return b"[" + b" ".join(self._value(x, numbers) for x in v) + b"]"
        if isinstance(v, pikepdf.Object):
            return v.unparse()
        if v is None:
            return b"null"
        if isinstance(v, bool):
            return b"true" if v else b"false"
        if isinstance(v, int):
            return b"%d" % v
        if isinstance(v, Decimal):
            return format(v, "f").encode()
        if isinstance(v, float):
            return format(Decimal(repr(v)), "f").encode()
        return pikepdf.Object.parse(bytes(v)).unparse() if isinstance(v, bytes) else pikepdf.String(str(v)).unparse()

    def close(self, outline: Sequence[tuple[str, int, Sequence[tuple[str, int]]]] = (), title: str = "") -> None:
        """Write the page tree, the outline ((title, page index, [(title, page index)…])…),
        the catalog, the document information, the cross-reference table and the trailer."""
        import pikepdf

        text = lambda t: pikepdf.String(t).unparse()  # noqa: E731
        kids = b" ".join(b"%d 0 R" % n for n in self.pages)
        self._object(self.PAGES, b"<</Type /Pages /Kids [" + kids + b"] /Count %d>>" % len(self.pages))
        outline_root = None
        if outline:
            outline_root = self._reserve()
            top = [self._reserve() for _ in outline]
            for i, ((what, page, children), num) in enumerate(zip(outline, top)):
                subs = [self._reserve() for _ in children]
                for j, ((sub, sub_page), sub_num) in enumerate(zip(children, subs)):
                    links = [b"/Parent %d 0 R" % num]
                    if j:
                        links.append(b"/Prev %d 0 R" % subs[j - 1])
                    if j + 1 < len(subs):
                        links.append(b"/Next %d 0 R" % subs[j + 1])
                    self._object(sub_num, b"<</Title " + text(sub) + b" /Dest [%d 0 R /Fit] " % self.pages[sub_page]
                                 + b" ".join(links) + b">>")
                links = [b"/Parent %d 0 R" % outline_root]
                if i:
                    links.append(b"/Prev %d 0 R" % top[i - 1])
                if i + 1 < len(top):
                    links.append(b"/Next %d 0 R" % top[i + 1])
                if subs:
                    links.append(b"/First %d 0 R /Last %d 0 R /Count %d" % (subs[0], subs[-1], -len(subs)))
                self._object(num, b"<</Title " + text(what) + b" /Dest [%d 0 R /Fit] " % self.pages[page]
                             + b" ".join(links) + b">>")
            self._object(outline_root, b"<</Type /Outlines /First %d 0 R /Last %d 0 R /Count %d>>"
                         % (top[0], top[-1], len(top)))
        catalog = b"<</Type /Catalog /Pages %d 0 R" % self.PAGES
        if outline_root:
            catalog += b" /Outlines %d 0 R /PageMode /UseOutlines" % outline_root
        self._object(self.CATALOG, catalog + b">>")
        info = self._reserve()
        self._object(info, b"<<" + (b"/Title " + text(title) + b" " if title else b"") + b"/Producer (formkit)>>")
        size = self.next
        xref_at = self.pos
        lines = [b"xref\n0 %d\n" % size, b"0000000000 65535 f \n"]
        for num in range(1, size):
            offset = self.offsets.get(num)
            lines.append(b"%010d 00000 n \n" % offset if offset is not None else b"0000000000 65535 f \n")
        self._write(b"".join(lines))
        ident = self.hash.hexdigest()[:32].encode()
        self._write(b"trailer\n<</Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>]>>\nstartxref\n%d\n%%%%EOF\n"
                    % (size, self.CATALOG, info, ident, ident, xref_at))
