"""Characters and graphics from PDFium (``run --pdf-engine pdfium``), in the form pdfplumber gives
them, for the same reader: this module only changes where characters come from, never what the
reader decides about them.

pdfplumber's geometry (pdfminer's) is the reference, rebuilt from PDFium's primitives:

* a character's box runs from its origin to origin + its advance (the font's glyph width at its
  size), and vertically from ``descent`` below the baseline to one font size above that, with
  the descent of the font *descriptor* as pdfminer reads it (0 when the descriptor says 0, as
  LibreOffice writes it; PDFium would fall back to glyph metrics there). pdfium's own "loose"
  box differs by up to 2.3 pt on the fixtures. The descriptors are read with pdfminer's object
  parser (no content stream is interpreted);
* PDFium marks the spaces and line breaks it inserts as generated (``FPDFText_IsGenerated``):
  they are skipped. It also marks so a space it read from a text object whose glyph is empty;
  that one keeps its text object and its own origin (an inserted space stands at the next
  character's origin, or has no object), and is read as the space pdfminer sees;
* pdfium and pdfminer decode the CIDs of a font without a ToUnicode map (a predefined CMap such
  as UniJIS-UCS2-H) through their own tables, which differ for a few characters: rules/pdf.toml
  ``[pdfium] cid_unicode`` maps PDFium's code point to pdfminer's for such fonts;
* paths are classified as pdfminer does (one segment: a line; a closed axis-aligned four-sided
  path: a rect; anything else: a curve of its points), images by their transformed unit square,
  inside form XObjects too.

A document PDFium cannot open gives ``None``: the caller lets pdfplumber read it, so a damaged
file is reported in the same words by either engine.
"""

from __future__ import annotations

import ctypes
import io
import re
import time
from typing import Any

from ...errors import InputError
from ...model import Limits
from ...rule_files import PdfSettings
from .chars import _make_page
from .layout import _Char, _Page

_SUBSET = re.compile(r"^[A-Z]{6}\+")

Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def read_pages(data: bytes, cfg: PdfSettings, limits: Limits) -> list[_Page] | None:
    import pypdfium2 as pdfium

    started = time.monotonic()
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return None
    try:
        count = len(pdf)
        if count == 0:
            return None
        if limits.max_pages and count > limits.max_pages:
            raise InputError(f"PDF has {count} pages, over the limit of {limits.max_pages}",
                             status="failed", hint="raise it with --max-pages")
        fonts = _Fonts(data, cfg)
        pages: list[_Page] = []
        for k in range(count):
            page = pdf[k]
            try:
                pages.append(_read_page(page, k + 1, cfg, fonts))
            finally:
                page.close()
            if limits.timeout_seconds and time.monotonic() - started > limits.timeout_seconds:
                raise InputError(f"reading the PDF took over {limits.timeout_seconds:g} s (the time limit)",
                                 status="failed", page=k + 1, reproducible=False)
        return pages
    finally:
        pdf.close()


class _Fonts:
    """What pdfminer would take from each font: the descriptor's descent, and whether the font
    has a ToUnicode map, keyed by base name without the subset tag (PDFium's
    ``FPDFFont_GetBaseFontName``). A name whose subsets disagree, or a font with no descriptor,
    is left to PDFium's own metrics."""

    def __init__(self, data: bytes, cfg: PdfSettings):
        self.descent: dict[str, float | None] = {}
        self.cid_table: dict[str, bool] = {}  # a Type0 font without ToUnicode (decoded by table)
        self.cid_unicode = cfg.pdfium_cid_unicode
        try:
            self._scan(data)
        except Exception:  # noqa: BLE001 - only a refinement of PDFium's own metrics
            self.descent.clear()
            self.cid_table.clear()

    def _scan(self, data: bytes) -> None:
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfpage import PDFPage
        from pdfminer.pdfparser import PDFParser
        from pdfminer.pdftypes import PDFStream, dict_value, list_value, resolve1
        from pdfminer.psparser import literal_name

        seen: set[int] = set()

        def note(name: str, descent: Any, cid_table: bool) -> None:
            if descent is not None:
                descent = -abs(float(descent))  # pdfminer: "/Descent should always be negative"
            if name in self.descent and self.descent[name] != descent:
                descent = None
            self.descent[name] = descent
            self.cid_table[name] = self.cid_table.get(name, True) and cid_table

        def fonts(resources: Any) -> None:
            resources = dict_value(resources)
            for ref in dict_value(resources.get("Font", {})).values():
                spec = dict_value(ref)
                cid_table = "ToUnicode" not in spec and literal_name(spec.get("Subtype")) == "Type0"
                if literal_name(spec.get("Subtype")) == "Type0":
                    spec = dict_value(list_value(spec.get("DescendantFonts"))[0])
                base = _SUBSET.sub("", literal_name(spec.get("BaseFont", "")))
                descriptor = resolve1(spec.get("FontDescriptor"))
                if isinstance(descriptor, dict):
                    note(base, resolve1(descriptor.get("Descent", 0)), cid_table)
                else:
                    note(base, None, cid_table)
            for ref in dict_value(resources.get("XObject", {})).values():
                if getattr(ref, "objid", None) in seen:
                    continue
                seen.add(getattr(ref, "objid", 0))
                xobj = resolve1(ref)
                if isinstance(xobj, PDFStream) and literal_name(xobj.get("Subtype")) == "Form" \
                        and "Resources" in xobj:
                    fonts(xobj["Resources"])

        doc = PDFDocument(PDFParser(io.BytesIO(data)))
        for page in PDFPage.create_pages(doc):
            if page.resources:
                fonts(page.resources)


class _Drawn:
    """A page's graphics in pdfplumber's form (see chars._make_page)."""

    def __init__(self) -> None:
        self.edges: list[dict] = []
        self.images: list[dict] = []
        self.rects: list[dict] = []
        self.lines: list[dict] = []
        self.curves: list[dict] = []


def _void_p(fn: Any, *argtypes: Any) -> Any:
    """``fn`` again with a plain address as result, so that objects can key a cache."""
    return ctypes.CFUNCTYPE(ctypes.c_void_p, *argtypes)(ctypes.cast(fn, ctypes.c_void_p).value)


_API: dict[str, Any] = {}


def _api() -> dict[str, Any]:
    if not _API:
        import pypdfium2.raw as raw

        _API["text_object"] = _void_p(raw.FPDFText_GetTextObject, ctypes.c_void_p, ctypes.c_int)
        _API["font"] = _void_p(raw.FPDFTextObj_GetFont, ctypes.c_void_p)
        # the same function, taking the font as the plain address the cache keeps
        _API["glyph_width"] = ctypes.CFUNCTYPE(
            ctypes.c_int, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_float, ctypes.POINTER(ctypes.c_float))(
            ctypes.cast(raw.FPDFFont_GetGlyphWidth, ctypes.c_void_p).value)
    return _API


def _read_page(page: Any, number: int, cfg: PdfSettings, fonts: _Fonts) -> _Page:
    import pypdfium2.raw as raw

    api = _api()
    text_object, get_font = api["text_object"], api["font"]
    is_generated, has_map_error = raw.FPDFText_IsGenerated, raw.FPDFText_HasUnicodeMapError
    get_origin, get_size, get_matrix = raw.FPDFText_GetCharOrigin, raw.FPDFText_GetFontSize, raw.FPDFText_GetMatrix
    glyph_width = _api()["glyph_width"]

    width, height = float(page.get_width()), float(page.get_height())
    textpage = page.get_textpage()
    try:
        tp = textpage.raw
        count = raw.FPDFText_CountChars(tp)
        text = _page_text(tp, count)
        ox, oy = ctypes.c_double(), ctypes.c_double()
        matrix = raw.FS_MATRIX()
        advance = ctypes.c_float()
        objects: dict[int, tuple[bool, float | None, bool, int | None]] = {}
        widths: dict[tuple[int, str, float], float] = {}
        chars: list[_Char] = []
        spaces: list[tuple[int, float]] = []  # (index in chars, origin x) of spaces pdfium marked generated
        unmapped = sideways = 0
        for i in range(count):
            ch = text[i]
            obj = text_object(tp, i)
            if is_generated(tp, i):
                if ch != " " or not obj:
                    continue
            elif has_map_error(tp, i):
                unmapped += 1
                continue
            info = objects.get(obj)
            if info is None:
                info = objects[obj] = _object_info(obj, tp, i, matrix, get_matrix, get_font, fonts)
            upright, descent, mapped, font = info
            if not upright:
                sideways += not ch.isspace()
                continue
            size = get_size(tp, i)
            get_origin(tp, i, ox, oy)
            x0, base = ox.value, oy.value
            key = (font or 0, ch, size)
            adv = widths.get(key)
            if adv is None:
                adv = widths[key] = advance.value if font and glyph_width(font, ord(ch), size, advance) else 0.0
            if descent is None:
                descent = 0.0
            bottom = height - (base + descent * size)
            if mapped:
                ch = fonts.cid_unicode.get(ch, ch)
            space = ch.isspace()
            if is_generated(tp, i):
                spaces.append((len(chars), x0))
            chars.append(_Char(ch, x0, bottom - size, x0 + adv, bottom, size or 1.0, space, -base))
        if spaces:
            chars = _real_spaces(chars, spaces)
    finally:
        textpage.close()
    return _make_page(number, width, height, chars, unmapped, sideways, _Lazy(page, height), cfg)


def _page_text(tp: Any, count: int) -> str:
    """Every character of the text page, generated ones included, one per index."""
    import pypdfium2.raw as raw

    buf = ctypes.create_string_buffer((count + 1) * 2)
    raw.FPDFText_GetText(tp, 0, count, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    text = buf.raw[:count * 2].decode("utf-16-le", errors="replace")
    if len(text) == count:
        return text
    # Characters outside the BMP take two UTF-16 units: one call per character instead.
    return "".join(chr(raw.FPDFText_GetUnicode(tp, i)) for i in range(count))


def _object_info(obj: int, tp: Any, i: int, matrix: Any, get_matrix: Any, get_font: Any,
                 fonts: _Fonts) -> tuple[bool, float | None, bool, int | None]:
    """Of a character's text object: upright (pdfminer's test on the text matrix), the descent
    of its font (a fraction of the size, below the baseline: negative), whether its CIDs are
    decoded by a predefined table (no ToUnicode map), and its font."""
    import pypdfium2.raw as raw

    get_matrix(tp, i, matrix)
    upright = matrix.a * matrix.d > 0 and matrix.b * matrix.c <= 0
    font = get_font(obj) if obj else None
    if not font:
        return upright, 0.0, False, None
    handle = ctypes.cast(ctypes.c_void_p(font), raw.FPDF_FONT)
    name_buf = ctypes.create_string_buffer(256)
    length = raw.FPDFFont_GetBaseFontName(handle, name_buf, 256)
    name = _SUBSET.sub("", name_buf.value.decode("utf-8", "replace")) if length else ""
    descent = fonts.descent.get(name)
    if descent is not None:
        descent /= 1000.0
    else:
        value = ctypes.c_float()
        descent = value.value / 1000.0 if raw.FPDFFont_GetDescent(handle, ctypes.c_float(1000.0), value) else 0.0
    return upright, descent, fonts.cid_table.get(name, False), font


def _real_spaces(chars: list[_Char], spaces: list[tuple[int, float]]) -> list[_Char]:
    """Drop the generated spaces that stand at the next character's origin: those PDFium
    inserted. The others were read from the text (an empty space glyph) and stay."""
    drop = set()
    for k, x in spaces:
        if k + 1 < len(chars) and abs(chars[k + 1].x0 - x) < 0.01:
            drop.add(k)
    return [c for k, c in enumerate(chars) if k not in drop] if drop else chars


class _Lazy:
    """The page's graphics, read from PDFium's page objects on first use (a page with no text
    never needs them)."""

    def __init__(self, page: Any, height: float):
        self._page, self._height, self._drawn = page, height, None

    def __getattr__(self, name: str) -> list[dict]:
        if name not in ("edges", "images", "rects", "lines", "curves"):
            raise AttributeError(name)
        if self._drawn is None:
            self._drawn = _graphics(self._page, self._height)
        return getattr(self._drawn, name)


def _graphics(page: Any, height: float) -> _Drawn:
    import pypdfium2.raw as raw

    drawn = _Drawn()
    handle = page.raw
    for i in range(raw.FPDFPage_CountObjects(handle)):
        _walk(raw.FPDFPage_GetObject(handle, i), _IDENTITY, height, drawn, 0)
    # pdfplumber's page.edges: lines, then the four sides of each rect, then curve segments.
    drawn.edges = ([_line_edge(e) for e in drawn.lines] + [s for r in drawn.rects for s in _rect_edges(r)]
                   + [s for c in drawn.curves for s in _curve_edges(c)])
    return drawn


def _walk(obj: Any, outer: Matrix, height: float, drawn: _Drawn, depth: int) -> None:
    import pypdfium2.raw as raw

    kind = raw.FPDFPageObj_GetType(obj)
    m = raw.FS_MATRIX()
    own = (m.a, m.b, m.c, m.d, m.e, m.f) if raw.FPDFPageObj_GetMatrix(obj, m) else _IDENTITY
    matrix = _compose(own, outer)
    if kind == raw.FPDF_PAGEOBJ_FORM and depth < 16:
        for j in range(raw.FPDFFormObj_CountObjects(obj)):
            _walk(raw.FPDFFormObj_GetObject(obj, j), matrix, height, drawn, depth + 1)
    elif kind == raw.FPDF_PAGEOBJ_IMAGE:
        pts = [_apply(matrix, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
        drawn.images.append(_box(pts, height))
    elif kind == raw.FPDF_PAGEOBJ_PATH:
        fill, stroke = ctypes.c_int(), ctypes.c_int()
        if raw.FPDFPath_GetDrawMode(obj, fill, stroke) and not fill.value and not stroke.value:
            return  # a clip or an unpainted path: pdfminer paints none
        _path(obj, matrix, height, drawn)


def _path(obj: Any, matrix: Matrix, height: float, drawn: _Drawn) -> None:
    """pdfminer's paint_path: split at each move; per subpath a line, a rect or a curve."""
    import pypdfium2.raw as raw

    ops: list[tuple[str, tuple[float, float]]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    bezier = 0
    for k in range(raw.FPDFPath_CountSegments(obj)):
        seg = raw.FPDFPath_GetPathSegment(obj, k)
        raw.FPDFPathSegment_GetPoint(seg, x, y)
        kind = raw.FPDFPathSegment_GetType(seg)
        pt = _apply(matrix, x.value, y.value)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            ops.append(("m", pt))
            bezier = 0
        elif kind == raw.FPDF_SEGMENT_BEZIERTO:
            bezier += 1
            if bezier % 3 == 0:  # control, control, end: one "c" whose point is its end
                ops.append(("c", pt))
        else:
            ops.append(("l", pt))
            bezier = 0
        if raw.FPDFPathSegment_GetClose(seg):
            ops.append(("h", pt))
    starts = [k for k, (op, _) in enumerate(ops) if op == "m"]
    for n, start in enumerate(starts):
        sub = ops[start:starts[n + 1] if n + 1 < len(starts) else len(ops)]
        if len(sub) > 1:
            _subpath(sub, height, drawn)


def _subpath(sub: list[tuple[str, tuple[float, float]]], height: float, drawn: _Drawn) -> None:
    shape = "".join(op for op, _ in sub)
    pts = [pt if op != "h" else sub[0][1] for op, pt in sub]
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop()
    if shape in ("mlh", "ml"):
        drawn.lines.append(_box(pts[:2], height))
    elif shape in ("mlllh", "mllll") and pts[0] == pts[4] and _square(pts):
        drawn.rects.append(_box([pts[0], pts[2]], height))
    else:
        box = _box(pts, height)
        box["pts"] = [(px, height - py) for px, py in pts]
        drawn.curves.append(box)


def _square(pts: list[tuple[float, float]]) -> bool:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts[:4]
    return (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)


def _box(pts: list[tuple[float, float]], height: float) -> dict:
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return {"x0": min(xs), "x1": max(xs), "top": height - max(ys), "bottom": height - min(ys)}


def _line_edge(line: dict) -> dict:
    return dict(line, orientation="h" if line["top"] == line["bottom"] else "v")


def _rect_edges(r: dict) -> list[dict]:
    return [dict(r, bottom=r["top"], orientation="h"), dict(r, top=r["bottom"], orientation="h"),
            dict(r, x1=r["x0"], orientation="v"), dict(r, x0=r["x1"], orientation="v")]


def _curve_edges(c: dict) -> list[dict]:
    return [{"x0": min(p[0], q[0]), "x1": max(p[0], q[0]), "top": min(p[1], q[1]), "bottom": max(p[1], q[1]),
             "orientation": "v" if p[0] == q[0] else ("h" if p[1] == q[1] else None)}
            for p, q in zip(c["pts"], c["pts"][1:], strict=False)]


def _compose(a: Matrix, b: Matrix) -> Matrix:
    """a then b (PDF row-vector convention: the point is multiplied by a, then by b)."""
    return (a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5])


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
