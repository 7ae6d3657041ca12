"""Read a PDF announcement into a RawDocument, rebuilt from pdfplumber's characters.

Stages (thresholds in ``rules/pdf.toml``, read as ``rules.pdf``):

1. Per page (the page is closed as soon as its characters are copied): characters become
   *runs* (content-stream order, one baseline, no big gap), runs become *segments* (the text
   on one visual line between column gaps; text more than a word gap apart must share a
   baseline, and a vertical ruling line, such as a frame or table-cell border, always
   separates). ``(cid:N)`` glyphs are dropped and counted. The page's graphics are kept as
   hints: pictures, boxes and rules text may wrap around, table row borders.
2. Per document: *furniture* (page numbers that count with the pages, and running
   headers/footers in the top/bottom bands that stand above/below the page's text),
   *captions* (a font clearly smaller than the body, short lines in a side column, or short
   lines under a picture), and *body*. Body segments of one visual line become a line,
   unless a gutter between text columns or a ruling line separates them; vertically
   adjacent lines of one column become a block; blocks are put in reading order (XY-cut:
   table rows, then columns, then bands); wrapped lines of a block are joined into
   paragraphs, also across a page break (and cell by cell for a table row broken across
   pages). A line that ends at a text box or picture standing in its column wrapped there.
3. Emission, per page: header furniture, then each paragraph that starts on the page
   followed by the caption lines beside it (captions of one text box or photo column stay
   together; a caption inside one of several text columns follows the paragraph before it
   in that column), then footer furniture. Every emitted RawLine is one logical line: a
   whole paragraph, one caption line, or one furniture item.
"""

from __future__ import annotations

import bisect
import io
import logging
import re
import statistics
import time
import unicodedata
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import grammar
from .errors import InputError
from .model import CharBox, Diagnostic, LayoutHint, RawDocument, RawLine, Severity
from .rules import PdfSettings, Rules

if TYPE_CHECKING:
    from .ingest import Limits

_CID = re.compile(r"^\(cid:\d+\)$")
_LATIN = re.compile(r"[A-Za-z0-9]")
_UNIT = re.compile(r"[!-~]+| |.", re.S)  # an ASCII run, a space, or one other character


# ---------------------------------------------------------------- configuration


# ---------------------------------------------------------------- data


@dataclass(slots=True)
class _Char:
    text: str  # usually one character; a ligature may give several
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    space: bool
    base: float = 0.0  # baseline, top-down (only differences between characters are used)


class _Rulings:
    """Ruling lines of a page (frame and table-cell borders, drawn lines). Text on both sides
    of a vertical one is never read as one line; a horizontal one across a table separates
    its rows (read row by row)."""

    def __init__(self, edges: list[tuple[float, float, float]],
                 rows: list[tuple[float, float, float]] | None = None, tolerance: float = 0.0):
        self.tolerance = tolerance  # how far from a gap a ruling may lie and still separate it
        self.edges = sorted(edges)  # vertical: (x, top, bottom)
        self.xs = [e[0] for e in self.edges]
        self.rows = sorted(rows or [])  # horizontal: (y, x0, x1)

    def between(self, left: float, right: float, top: float, bottom: float) -> bool:
        """A ruling at x in [left - tolerance, right + tolerance] that covers the middle of
        top..bottom."""
        if not self.edges or right - left > 1e4:
            return False
        mid = (top + bottom) / 2
        lo = bisect.bisect_left(self.xs, min(left, right) - self.tolerance)
        hi = bisect.bisect_right(self.xs, max(left, right) + self.tolerance)
        return any(e[1] <= mid <= e[2] for e in self.edges[lo:hi])


_NO_RULINGS = _Rulings([])


@dataclass
class _Seg:
    """Text on one visual line between column gaps, on one page."""

    page: int
    nchars: int  # characters other than spaces
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    text: str = ""
    boxes: list[CharBox | None] = field(default_factory=list)
    kind: str = "body"  # body | caption | furniture


@dataclass
class _Line:
    """A body line: the body segments of one visual line."""

    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    text: str
    boxes: list[CharBox | None]
    # The left edge of the nearest thing right of the line's end that it may have wrapped
    # around (a text box, a picture, a caption beside it); None when there is none.
    wrap_right: float | None = None


@dataclass
class _Block:
    page: int
    lines: list[_Line]
    right: float = 0.0  # the right edge full lines reach

    @property
    def x0(self) -> float:
        return min(ln.x0 for ln in self.lines)

    @property
    def max_x1(self) -> float:
        return max(ln.x1 for ln in self.lines)

    @property
    def size(self) -> float:
        return statistics.median(ln.size for ln in self.lines)


@dataclass
class _Para:
    page: int
    parts: list[tuple[str, list[CharBox | None]]]
    captions: list[_Para] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.parts)


@dataclass
class _Page:
    number: int
    width: float
    height: float
    segs: list[_Seg]
    unmapped: int
    nchars: int
    sideways: int  # non-space characters of rotated or vertical text (not read)
    # Pictures: images, and boxes with no text in them (photo frames, placeholders), as
    # (x0, top, x1, bottom).
    pictures: list[tuple[float, float, float, float]] = field(default_factory=list)
    # Things text may wrap around, as (x0, top, x1, bottom): pictures, drawn boxes and
    # vertical rules (a text box's frame, a table cell's border).
    obstacles: list[tuple[float, float, float, float]] = field(default_factory=list)
    rulings: _Rulings = field(default_factory=lambda: _NO_RULINGS)


# ---------------------------------------------------------------- entry point


def read_pdf(path: str, data: bytes, doc_id: str, rules: Rules, limits: Limits) -> RawDocument:
    """Read a PDF's text into logical lines with layout hints and per-character boxes."""
    cfg = rules.pdf
    logger = logging.getLogger("pdfminer")
    old_level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pages = _read_pages(data, cfg, limits)
    finally:
        logger.setLevel(old_level)

    diagnostics: list[Diagnostic] = []
    if not pages:
        raise InputError("PDF has no pages", status="failed")
    total_chars = sum(p.nchars for p in pages)
    total_unmapped = sum(p.unmapped for p in pages)
    total_sideways = sum(p.sideways for p in pages)
    if total_chars == 0 and total_sideways:
        raise InputError(f"PDF text is all rotated or vertical ({total_sideways} characters): not supported",
                         status="failed")
    if total_chars == 0 and total_unmapped == 0:
        raise InputError("PDF has no text layer: it looks scanned and needs OCR", status="no_text")
    if total_chars == 0:
        raise InputError(f"PDF text has no Unicode mapping ({total_unmapped} glyphs): it needs OCR",
                         status="no_text")
    for p in pages:
        if p.unmapped:
            diagnostics.append(Diagnostic(
                Severity.WARNING, "unmapped_glyphs",
                f"page {p.number}: {p.unmapped} glyph(s) without a Unicode mapping were dropped",
                page=p.number))
        if p.sideways:
            diagnostics.append(Diagnostic(
                Severity.WARNING, "rotated_text_skipped",
                f"page {p.number}: {p.sideways} character(s) of rotated or vertical text were not read",
                page=p.number))
        if p.nchars == 0 and p.unmapped == 0 and p.sideways == 0:
            diagnostics.append(Diagnostic(
                Severity.WARNING, "page_without_text",
                f"page {p.number}: no text layer (a scanned page?); its content is missing",
                page=p.number))

    lines = _layout(pages, cfg, rules)
    return RawDocument(path=path, doc_id=doc_id, media_type="application/pdf", encoding=None,
                       lines=tuple(lines), pages=len(pages), diagnostics=tuple(diagnostics))


# ---------------------------------------------------------------- reading pages


def _read_pages(data: bytes, cfg: PdfSettings, limits: Limits) -> list[_Page]:
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    started = time.monotonic()
    timeout = float(getattr(limits, "timeout_seconds", 0) or 0)
    max_pages = int(getattr(limits, "max_pages", 0) or 0)
    pages: list[_Page] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            plumber_pages = pdf.pages
            if max_pages and len(plumber_pages) > max_pages:
                raise InputError(f"PDF has {len(plumber_pages)} pages, over the limit of {max_pages}",
                                 status="failed", hint="raise it with --max-pages")
            for page in plumber_pages:
                try:
                    pages.append(_read_page(page, cfg))
                finally:
                    page.close()
                if timeout and time.monotonic() - started > timeout:
                    raise InputError(f"reading the PDF took over {timeout:g} s (the time limit)",
                                     status="failed", page=page.page_number)
    except InputError:
        raise
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
        raise _pdf_error(cause) from None
    except Exception as exc:  # pdfminer raises many kinds on damaged files
        raise _pdf_error(exc) from None
    return pages


def _pdf_error(exc: BaseException) -> InputError:
    name = type(exc).__name__
    if name in ("PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning",
                "PDFEncryptionNotSupported") or "password" in str(exc).lower():
        return InputError("encrypted PDF: cannot read without the password", status="failed")
    reason = " ".join(str(exc).split())
    if len(reason) > 100:
        reason = reason[:97] + "..."
    reason = f"{name}: {reason}" if reason else name
    return InputError(f"damaged or truncated PDF: {reason}", status="failed")


def _read_page(page: Any, cfg: PdfSettings) -> _Page:
    chars: list[_Char] = []
    unmapped = 0
    sideways = 0
    for c in page.chars:
        text = c.get("text") or ""
        if not text:
            continue
        if _CID.match(text):
            unmapped += 1
            continue
        if not c.get("upright", True):
            sideways += not text.isspace()
            continue
        size = float(c.get("size") or 0) or float(c["bottom"] - c["top"]) or 1.0
        matrix = c.get("matrix")
        try:
            base = -float(matrix[5])
        except (TypeError, IndexError, ValueError):
            base = float(c["bottom"])
        chars.append(_Char(text, float(c["x0"]), float(c["top"]), float(c["x1"]), float(c["bottom"]),
                           size, text.isspace(), base))
    nchars = sum(1 for c in chars if not c.space)
    if not nchars:
        return _Page(page.page_number, float(page.width), float(page.height), [], unmapped, nchars, sideways)
    rulings, boxes = _graphics(page, cfg)
    segs = _segments(page.page_number, chars, cfg, rulings)
    return _Page(page.page_number, float(page.width), float(page.height), segs, unmapped, nchars, sideways,
                 _pictures(page, chars, cfg), boxes, rulings)


def _graphics(page: Any, cfg: PdfSettings) -> tuple[_Rulings, list[tuple[float, float, float, float]]]:
    """Vertical ruling lines, and the boxes of images, rectangles and vertical lines (anything
    text may wrap around). Only a hint: a page whose graphics cannot be read has none."""
    edges: list[tuple[float, float, float]] = []
    rows: list[tuple[float, float, float]] = []
    boxes: list[tuple[float, float, float, float]] = []
    try:
        for e in page.edges:
            if e.get("orientation") == "v" and float(e["bottom"]) - float(e["top"]) > cfg.min_rule_pt:
                edges.append((float(e["x0"]), float(e["top"]), float(e["bottom"])))
            elif e.get("orientation") == "h" and float(e["x1"]) - float(e["x0"]) > cfg.min_row_rule_pt:
                rows.append((float(e["top"]), float(e["x0"]), float(e["x1"])))
        for obj in list(page.images) + list(page.rects) + list(page.lines) + list(page.curves):
            box = (float(obj["x0"]), float(obj["top"]), float(obj["x1"]), float(obj["bottom"]))
            if box[3] - box[1] > cfg.min_rule_pt and box not in boxes:
                boxes.append(box)
    except Exception:  # noqa: BLE001 - graphics are optional; the text was read already
        return _NO_RULINGS, []
    return _Rulings(edges, rows, cfg.rule_tolerance_pt), boxes


def _pictures(page: Any, chars: list[_Char], cfg: PdfSettings) -> list[tuple[float, float, float, float]]:
    """Images and filled or framed boxes at least ``captions.picture_min_pt`` on each side
    with no character inside (a box around text is a frame or a table cell, not a photo).
    Only a hint for captions: a page whose graphics cannot be read has none."""
    try:
        objects = list(page.images) + list(page.rects)
    except Exception:  # noqa: BLE001 - graphics are optional; the text was read already
        return []
    centres = sorted(((c.top + c.bottom) / 2, (c.x0 + c.x1) / 2) for c in chars if not c.space)
    ys = [y for y, _ in centres]
    found: list[tuple[float, float, float, float]] = []
    for obj in objects:
        try:
            box = (float(obj["x0"]), float(obj["top"]), float(obj["x1"]), float(obj["bottom"]))
        except (KeyError, TypeError, ValueError):
            continue
        x0, top, x1, bottom = box
        if x1 - x0 < cfg.picture_min_pt or bottom - top < cfg.picture_min_pt or box in found:
            continue
        lo, hi = bisect.bisect_right(ys, top), bisect.bisect_left(ys, bottom)
        if any(x0 < x < x1 for _, x in centres[lo:hi]):
            continue
        found.append(box)
    return found


def _v_overlap(a_top: float, a_bottom: float, b_top: float, b_bottom: float) -> float:
    """Vertical overlap as a fraction of the smaller height."""
    inter = min(a_bottom, b_bottom) - max(a_top, b_top)
    smaller = min(a_bottom - a_top, b_bottom - b_top)
    if smaller <= 0:
        return 1.0 if inter >= 0 else 0.0
    return inter / smaller


def _segments(page_no: int, chars: list[_Char], cfg: PdfSettings, rulings: _Rulings = _NO_RULINGS) -> list[_Seg]:
    # 1. Runs in content-stream order: same line, next character just right of the last.
    runs: list[list[_Char]] = []
    run: list[_Char] = []
    last: _Char | None = None
    for c in chars:
        if last is not None:
            em = min(c.size, last.size)
            gap = c.x0 - last.x1
            if (_v_overlap(c.top, c.bottom, last.top, last.bottom) >= cfg.same_line_overlap
                    and -cfg.overlap_em * em <= gap < cfg.column_gap_em * em and _similar(c.size, last.size, cfg, gap)
                    and _one_line(c.base, last.base, em, gap, cfg)
                    and not (gap > 0 and rulings.between(last.x1, c.x0, c.top, c.bottom))):
                run.append(c)
                last = c
                continue
            runs.append(run)
        run = [c]
        last = c
    if run:
        runs.append(run)

    # 2. Merge runs of one visual line that are not separated by a column gap (any order).
    def extent(r: list[_Char]) -> tuple[float, float, float, float, float, float]:
        return (min(c.x0 for c in r), max(c.x1 for c in r), min(c.top for c in r),
                max(c.bottom for c in r), _mode_size(r), statistics.median(c.base for c in r))

    items = sorted((extent(r) + (r,) for r in runs), key=lambda it: it[0])
    groups: list[list[Any]] = []  # [x0, x1, top, bottom, size, chars, baseline]
    index: dict[int, list[list[Any]]] = defaultdict(list)  # by vertical centre, 5pt buckets
    for x0, x1, top, bottom, size, base, r in items:
        best = None
        best_gap = None
        centre = int((top + bottom) / 2 // cfg.centre_bucket_pt)
        for key in range(centre - cfg.centre_buckets, centre + cfg.centre_buckets + 1):
            for g in index.get(key, ()):
                em = min(size, g[4])
                gap = x0 - g[1]
                if gap >= cfg.column_gap_em * em or x1 <= g[0]:
                    continue
                if _v_overlap(top, bottom, g[2], g[3]) < cfg.same_line_overlap:
                    continue
                if not _similar(size, g[4], cfg, gap) or not _one_line(base, g[6], em, gap, cfg):
                    continue
                if gap > 0 and rulings.between(g[1], x0, max(top, g[2]), min(bottom, g[3])):
                    continue
                if best_gap is None or gap < best_gap:
                    best, best_gap = g, gap
        if best is None:
            group = [x0, x1, top, bottom, size, list(r), base]
            groups.append(group)
            index[centre].append(group)
        else:
            best[0] = min(best[0], x0)
            best[1] = max(best[1], x1)
            best[2] = min(best[2], top)
            best[3] = max(best[3], bottom)
            best[5].extend(r)
            best[4] = _mode_size(best[5])

    segs = []
    for g in groups:
        seg = _make_seg(page_no, g[5], cfg)
        if seg is not None:
            segs.append(seg)
    segs.sort(key=lambda s: (s.top, s.x0))
    return segs


def _word_space(left: str, right: str) -> bool:
    """May a gap between these two characters be a word space?  One must be a Latin letter or
    digit, and the other not a full-width or typographic punctuation mark (a justified or
    gridded line leaves gaps around “ ” （ ）、 that are not spaces)."""
    if not (_LATIN.match(left) or _LATIN.match(right)):
        return False
    other = right if _LATIN.match(left) else left
    return other.isascii() or not unicodedata.category(other).startswith("P")


def _wrap_space(left: str, right: str) -> bool:
    """Join two wrapped lines with a space?  Between two Latin words (the break took the
    space), and where a symbol set off by spaces (``A × B``, ``A → B``) starts or ends the
    break: the space on its other side shows that the one at the break was dropped."""
    if not left or not right:
        return False
    if _LATIN.match(left[-1]) and _LATIN.match(right[0]):
        return True
    if len(right) >= 2 and right[1] == " " and unicodedata.category(right[0]) in ("Sm", "So"):
        return True
    return len(left) >= 2 and left[-2] == " " and unicodedata.category(left[-1]) in ("Sm", "So")


def _one_line(a_base: float, b_base: float, em: float, gap: float, cfg: PdfSettings) -> bool:
    """Text separated by more than a word gap is on one line only on one baseline: a caption
    in a text box beside a wrapped line sits at its own height."""
    return gap <= cfg.word_gap_em * em or abs(a_base - b_base) <= cfg.baseline_em * em


def _similar(a: float, b: float, cfg: PdfSettings, gap: float) -> bool:
    """Sizes close enough to be one line, or the characters touch."""
    lo, hi = min(a, b), max(a, b)
    return hi <= 0 or lo / hi >= cfg.caption_size_ratio or gap <= cfg.word_gap_em * lo


def _mode_size(chars: list[_Char]) -> float:
    sizes = Counter(round(c.size, 1) for c in chars if not c.space) or Counter(round(c.size, 1) for c in chars)
    return sizes.most_common(1)[0][0]


def _make_seg(page_no: int, chars: list[_Char], cfg: PdfSettings) -> _Seg | None:
    chars = sorted(chars, key=lambda c: c.x0)
    # Drop duplicates (overprinted fake bold) and strip spaces at both ends.
    kept: list[_Char] = []
    for c in chars:
        if kept and not c.space:
            prev = next((k for k in reversed(kept) if not k.space), None)
            if (prev is not None and prev.text == c.text
                    and abs(c.x0 - prev.x0) < cfg.duplicate_em * c.size and abs(c.top - prev.top) < cfg.duplicate_em * c.size):
                continue
        kept.append(c)
    while kept and kept[0].space:
        kept.pop(0)
    while kept and kept[-1].space:
        kept.pop()
    if not kept:
        return None
    text: list[str] = []
    boxes: list[CharBox | None] = []
    prev_visible: _Char | None = None
    space_since = False
    for c in kept:
        if c.space:
            space_since = True
        elif prev_visible is not None and not space_since:
            gap = c.x0 - prev_visible.x1
            if (gap >= cfg.word_gap_em * min(c.size, prev_visible.size)
                    and _word_space(prev_visible.text[-1], c.text[0])):
                text.append(" ")
                boxes.append(None)
        box = (page_no, c.x0, c.top, c.x1, c.bottom)
        for ch in c.text:
            text.append(" " if c.space else ch)
            boxes.append(box)
        if not c.space:
            prev_visible = c
            space_since = False
    visible = [c for c in kept if not c.space]
    return _Seg(page=page_no, nchars=len(visible), x0=min(c.x0 for c in visible), x1=max(c.x1 for c in visible),
                top=min(c.top for c in visible), bottom=max(c.bottom for c in visible),
                size=_mode_size(kept), text="".join(text), boxes=boxes)


# ---------------------------------------------------------------- document layout


def _layout(pages: list[_Page], cfg: PdfSettings, rules: Rules) -> list[RawLine]:
    _mark_furniture(pages, cfg, rules)
    body_size = _body_size(pages, cfg)
    _mark_captions(pages, cfg, body_size, rules)

    blocks_by_page: dict[int, list[_Block]] = {}
    all_lines: dict[int, list[_Line]] = {}
    for p in pages:
        all_lines[p.number] = _body_lines([s for s in p.segs if s.kind == "body"], cfg, p.rulings)
        _wrap_edges(all_lines[p.number], p, cfg)
    usual_gap = _usual_gap_em(all_lines, cfg)
    column_gaps = _column_gaps(all_lines, cfg)
    for p in pages:
        blocks_by_page[p.number] = _blocks(all_lines[p.number], cfg, usual_gap, p.rulings.rows, column_gaps)
    _right_edges([b for bs in blocks_by_page.values() for b in bs], cfg)

    line_para: dict[int, int] = {}
    paras = _paragraphs(pages, blocks_by_page, cfg, rules, line_para)
    loose = _attach_captions(pages, paras, cfg, rules, blocks_by_page, line_para)
    return _emit(pages, paras, loose)


def _wrap_edges(lines: list[_Line], page: _Page, cfg: PdfSettings) -> None:
    """Set each line's ``wrap_right``: the nearest left edge, right of where the line ends, of
    a graphic or caption beside it (text flowing around a floating text box or picture)."""
    things = list(page.obstacles) + [(s.x0, s.top, s.x1, s.bottom) for s in page.segs if s.kind == "caption"]
    if not things:
        return
    for ln in lines:
        # (the box's own spacing above and below it counts: up to most of a line)
        top, bottom = ln.top - cfg.wrap_reach_em * ln.size, ln.bottom + cfg.wrap_reach_em * ln.size
        edges = [x0 for x0, t, _x1, b in things if x0 >= ln.x1 - cfg.wrap_slack_em * ln.size and t < bottom and b > top]
        ln.wrap_right = min(edges) if edges else None


def _norm_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _mark_furniture(pages: list[_Page], cfg: PdfSettings, rules: Rules) -> None:
    body_size = _body_size(pages, cfg)
    candidates: dict[str, list[_Seg]] = defaultdict(list)
    numbers: list[tuple[_Seg, int, bool]] = []  # page-number look-alikes: (segment, number - page, at top)
    for p in pages:
        band = cfg.band * p.height
        for s in p.segs:
            if not (s.bottom <= band or s.top >= p.height - band):
                continue
            key = _norm_key(s.text)
            if any(r.match(key) for r in cfg.page_number):
                digits = re.findall(r"[0-9]+", key)
                numbers.append((s, int(digits[0]) - p.number if digits else 0, s.bottom <= band))
                continue
            candidates[re.sub(r"[0-9]+", "#", re.sub(r"\s+", "", key))].append(s)
    # Page numbers count with the pages: a look-alike whose number is off by another amount
    # than the others' is text, as is a bare measure marker at body size at the top of a page
    # ("（３）" with its label on the next line).
    offsets = Counter(off for _s, off, _top in numbers)
    usual = offsets.most_common(1)[0][0] if offsets else 0
    for s, off, top in numbers:
        if len(pages) > 1 and off != usual and offsets[usual] >= 2:
            continue
        if top and s.size >= cfg.caption_size_ratio * body_size and grammar.is_bare_marker(s.text, rules):
            continue
        s.kind = "furniture"
    need = max(cfg.repeat_min_pages, cfg.repeat_ratio * len(pages))
    repeated: list[list[_Seg]] = []
    for segs in candidates.values():
        if len({s.page for s in segs}) < need:
            continue
        median_top = statistics.median(s.top for s in segs)
        near = [s for s in segs if abs(s.top - median_top) <= cfg.position_em * s.size]
        if len({s.page for s in near}) < need:
            continue
        # The same measure marker ("(3) (1)、(2)以外の取組") recurs in every plan, so it can start
        # several pages at the same height: at body size it is text, not a running header.
        if all(s.size >= cfg.caption_size_ratio * body_size for s in near) and grammar.is_marker_line(near[0].text, rules):
            continue
        repeated.append(near)
    # A running header is above all body-size text of its page, a running footer below it:
    # text of a table cell carried over to the top of two pages ("図る取組") is not.
    known = {id(s) for near in repeated for s in near} | {id(s) for s, _off, _top in numbers}
    by_page = {p.number: p for p in pages}
    for near in repeated:
        for s in near:
            page = by_page[s.page]
            top = s.bottom <= cfg.band * page.height
            others = [t for t in page.segs if id(t) not in known and t.size >= cfg.caption_size_ratio * body_size]
            if top and any(t.top < s.top + cfg.clear_em * s.size for t in others):
                continue
            if not top and any(t.bottom > s.bottom - cfg.clear_em * s.size for t in others):
                continue
            s.kind = "furniture"
    _mark_lone_headers(pages, cfg, body_size)


def _mark_lone_headers(pages: list[_Page], cfg: PdfSettings, body_size: float) -> None:
    """A running header that repetition cannot show (a one-page document, a header on the
    first page only): text smaller than the body in the top band, above everything else on
    the page with a clear gap, and above where body-size text usually starts on a page (a
    caption carried to the top of a page is not)."""
    def body_text(s: _Seg) -> bool:
        return s.kind != "furniture" and s.size >= cfg.caption_size_ratio * body_size

    starts = [min(s.top for s in p.segs if body_text(s)) for p in pages if any(body_text(s) for s in p.segs)]
    if not starts:
        return
    usual_start = statistics.median(starts)
    for p in pages:
        band = cfg.band * p.height
        small = [s for s in p.segs if s.kind == "body" and s.bottom <= band
                 and s.size < cfg.caption_size_ratio * body_size]
        if not small:
            continue
        ids = {id(s) for s in small}
        rest = [s.top for s in p.segs if s.kind != "furniture" and id(s) not in ids]
        if not rest:
            continue
        first = min(rest)
        for s in small:
            if first - s.bottom >= cfg.lone_header_gap_em * body_size and s.bottom < usual_start:
                s.kind = "furniture"


def _body_size(pages: list[_Page], cfg: PdfSettings) -> float:
    sizes: Counter[float] = Counter()
    for p in pages:
        for s in p.segs:
            if s.kind != "furniture":
                sizes[s.size] += s.nchars
    return sizes.most_common(1)[0][0] if sizes else cfg.default_body_size_pt


def _weighted_median(values: list[tuple[float, int]]) -> float:
    values = sorted(values)
    total = sum(w for _, w in values)
    acc = 0
    for v, w in values:
        acc += w
        if acc * 2 >= total:
            return v
    return values[-1][0]


def _mark_captions(pages: list[_Page], cfg: PdfSettings, body_size: float, rules: Rules) -> None:
    main = []
    for p in pages:
        if len(p.pictures) > 1:
            p.segs = _split_under_pictures(p, cfg)
        for s in p.segs:
            if s.kind == "furniture":
                continue
            if s.size < cfg.caption_size_ratio * body_size:
                s.kind = "caption"
            else:
                main.append(s)
    if not main:
        return
    left = _weighted_median([(s.x0, s.nchars) for s in main])
    right = _weighted_median([(s.x1, s.nchars) for s in main])

    def side(s: _Seg) -> bool:
        margin = cfg.side_margin_em * s.size
        return s.x1 <= left - margin or s.x0 >= right + margin

    def caption_text(s: _Seg) -> bool:
        text = s.text.strip()
        return (len(text) <= cfg.side_max_chars and not rules.sentence_end.search(text)
                and not text.startswith("【") and not grammar.starts_new_block(text, rules))

    by_page: dict[int, list[_Seg]] = defaultdict(list)
    for s in main:
        by_page[s.page].append(s)
    place = _SidePlace(side, cfg, cfg.side_max_width_ratio * (right - left), caption_text)
    # A side column where measure markers or headers stand (the label cells of a table) holds
    # their wrapped labels, not captions.
    labels = [(s.x0, s.size) for s in main if side(s) and grammar.starts_new_block(s.text.strip(), rules)]
    for s in main:
        if not side(s) or s.size > cfg.side_max_size_ratio * body_size:
            continue
        if any(abs(x0 - s.x0) <= cfg.side_margin_em * s.size
               and min(size, s.size) / max(size, s.size) >= cfg.block_size_ratio for x0, size in labels):
            continue
        if caption_text(s) and place.caption_like(s, by_page[s.page]):
            s.kind = "caption"

    # A short line right below a picture and within its width is its caption, whatever the
    # size; so are the short lines right below that one.
    for p in pages:
        segs = sorted((s for s in by_page[p.number] if s.kind == "body"), key=lambda s: s.top)
        for x0, _top, x1, bottom in p.pictures:
            edge = bottom
            for s in segs:
                em = s.size
                if s.top < edge - cfg.overlap_em * em or s.kind != "body":
                    continue
                if s.top > edge + cfg.picture_gap_em * em:
                    break
                margin = cfg.picture_margin_em * em
                within = s.x0 >= x0 - margin and s.x1 <= x1 + margin
                centred = s.x0 < x1 and s.x1 > x0 and abs((s.x0 + s.x1) - (x0 + x1)) <= 2 * margin
                # left-aligned with the picture and not much wider (a text line below a photo
                # at the column's edge runs on much further)
                aligned = abs(s.x0 - x0) <= margin and s.x1 - s.x0 <= cfg.picture_width_ratio * (x1 - x0)
                if (within or centred or aligned) and caption_text(s):
                    s.kind = "caption"
                    edge = s.bottom


def _split_under_pictures(page: _Page, cfg: PdfSettings) -> list[_Seg]:
    """Split a line that runs under two pictures standing side by side at the gap between the
    pictures, where its text has a gap too: the captions of a row of photos (cells of a
    borderless table) sit on one baseline and close enough to read as one line."""
    cuts: list[tuple[float, float, float, float]] = []  # gap x0, gap x1, row bottom, row top
    for a in page.pictures:
        for b in page.pictures:
            if a[2] <= b[0] and min(a[3], b[3]) > max(a[1], b[1]):
                cuts.append((a[2], b[0], max(a[3], b[3]), min(a[1], b[1])))
    if not cuts:
        return page.segs
    out: list[_Seg] = []
    todo = list(page.segs)
    while todo:
        seg = todo.pop()
        piece = None
        for lo, hi, bottom, _top in cuts:
            if not (bottom - cfg.overlap_em * seg.size <= seg.top <= bottom + cfg.picture_cut_below_em * seg.size
                    and seg.x0 < lo and seg.x1 > hi):
                continue
            piece = _split_seg(seg, lo, hi, cfg.word_gap_em * seg.size)
            if piece is not None:
                break
        if piece is None:
            out.append(seg)
        else:
            todo.extend(piece)
    out.sort(key=lambda s: (s.top, s.x0))
    return out


def _split_seg(seg: _Seg, lo: float, hi: float, min_gap: float) -> tuple[_Seg, _Seg] | None:
    """``seg`` cut at its widest gap between characters that overlaps lo..hi (at least
    ``min_gap`` wide), or None."""
    real = [(i, b) for i, b in enumerate(seg.boxes) if b is not None]
    best = None
    for (_i, a), (j, b) in zip(real, real[1:], strict=False):
        gap = b[1] - a[3]
        if gap >= min_gap and a[3] < hi and b[1] > lo and (best is None or gap > best[0]):
            best = (gap, j)
    if best is None:
        return None
    k = best[1]
    while k > 0 and seg.boxes[k - 1] is None:  # an inserted space belongs to neither
        k -= 1
    parts = []
    for text, boxes in ((seg.text[:k], seg.boxes[:k]), (seg.text[k:], seg.boxes[k:])):
        while text and text[-1] == " ":
            text, boxes = text[:-1], boxes[:-1]
        while text and text[0] == " ":
            text, boxes = text[1:], boxes[1:]
        got = [b for b in boxes if b is not None]
        if not got:
            return None
        parts.append(_Seg(page=seg.page, nchars=sum(1 for ch in text if not ch.isspace()),
                          x0=min(b[1] for b in got), x1=max(b[3] for b in got), top=min(b[2] for b in got),
                          bottom=max(b[4] for b in got), size=seg.size, text=text, boxes=boxes, kind=seg.kind))
    return parts[0], parts[1]


class _SidePlace:
    """Is a side-column segment placed like a caption?  It must not be one line of a block
    whose other lines reach into the main column (a heading that starts at the page margin
    and wraps), and the side column it is part of must sit beside main-column text: a short
    heading line above the main column (``（奥多摩町）`` under the plan title) has nothing
    beside it.  A block as wide as a text column (more than ``max_width``) is a column of
    text, not captions (two columns of plans on a landscape page), and so is a block with a
    line that is no caption text (a measure label wrapping in the left cell of a table, under
    its marker).  Both answers hold for a
    whole run of linked lines, so each run is walked once."""

    def __init__(self, side: Callable[[_Seg], bool], cfg: PdfSettings, max_width: float,
                 caption_text: Callable[[_Seg], bool] = lambda s: True):
        self.side = side
        self.cfg = cfg
        self.max_width = max_width
        self.caption_text = caption_text
        self.narrow: dict[int, bool] = {}  # id -> its block stays inside the side column
        self.beside: dict[int, bool] = {}  # id -> its side column is beside main-column text

    def caption_like(self, s: _Seg, segs: list[_Seg]) -> bool:
        if id(s) not in self.narrow:
            run = _aligned_run(s, segs, self.cfg, self.cfg.side_block_gap_em, lambda b: True)
            narrow = (all(self.side(b) and self.caption_text(b) for b in run)
                      and max(b.x1 for b in run) - min(b.x0 for b in run) <= self.max_width)
            self.narrow.update((id(b), narrow) for b in run)
        if not self.narrow[id(s)]:
            return False
        if id(s) not in self.beside:
            run = _aligned_run(s, segs, self.cfg, self.cfg.side_column_gap_em, self.side)
            beside = any(not self.side(m) and min(m.bottom, b.bottom) > max(m.top, b.top)
                         for m in segs for b in run)
            self.beside.update((id(b), beside) for b in run)
        return self.beside[id(s)]


def _aligned_run(s: _Seg, segs: list[_Seg], cfg: PdfSettings, gap_em: float,
                 member: Callable[[_Seg], bool]) -> list[_Seg]:
    """``s`` and the segments linked to it (transitively) by aligned left edges, similar
    sizes and vertical gaps of at most ``gap_em``; only segments that pass ``member``."""
    run = [s]
    seen = {id(s)}
    todo = [s]
    while todo:
        a = todo.pop()
        for b in segs:
            if id(b) in seen or not member(b):
                continue
            upper, lower = (a, b) if a.top <= b.top else (b, a)
            em = min(a.size, b.size)
            if (abs(a.x0 - b.x0) <= cfg.side_margin_em * em
                    and em / max(a.size, b.size) >= cfg.block_size_ratio
                    and -cfg.overlap_em * em <= lower.top - upper.bottom <= gap_em * em):
                seen.add(id(b))
                run.append(b)
                todo.append(b)
    return run


def _body_lines(segs: list[_Seg], cfg: PdfSettings, rulings: _Rulings = _NO_RULINGS) -> list[_Line]:
    """Merge the body segments of one visual line (e.g. a header and a far-right period), but
    not across a ruling line, nor across a gutter between text columns: a wide gap that the
    nearest line below (or above) does not bridge either."""
    lines: list[_Line] = []
    visual: list[list[_Seg]] = []
    group: list[_Seg] = []
    for s in sorted(segs, key=lambda s: (s.top, s.x0)):
        if group:
            top, bottom = min(g.top for g in group), max(g.bottom for g in group)
            if _v_overlap(s.top, s.bottom, top, bottom) < cfg.same_line_overlap:
                visual.append(group)
                group = []
        group.append(s)
    if group:
        visual.append(group)

    def bridged(k: int, left: float, right: float, em: float) -> bool:
        """Does the nearest line below (else above, within 3 em) run across left..right?"""
        top, bottom = min(g.top for g in visual[k]), max(g.bottom for g in visual[k])
        for j in (k + 1, k - 1):
            if not 0 <= j < len(visual):
                continue
            near = visual[j]
            dist = min(g.top for g in near) - bottom if j > k else top - max(g.bottom for g in near)
            if dist <= cfg.side_near_em * em:
                return any(g.x0 <= left + em and g.x1 >= right - em for g in near)
        return True

    for k, vis in enumerate(visual):
        vis.sort(key=lambda s: s.x0)
        group = [vis[0]]
        for prev, s in zip(vis, vis[1:], strict=False):
            em = min(s.size, prev.size)
            gap = s.x0 - prev.x1
            split = gap > 0 and rulings.between(prev.x1, s.x0, max(s.top, prev.top), min(s.bottom, prev.bottom))
            if not split and gap >= cfg.column_gap_em * em:
                split = not bridged(k, prev.x1, s.x0, em)
            if split:
                lines.append(_join_segs(group, cfg))
                group = []
            group.append(s)
        lines.append(_join_segs(group, cfg))
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


def _join_segs(group: list[_Seg], cfg: PdfSettings) -> _Line:
    """One line from the segments of one visual line, left to right."""
    text = ""
    boxes: list[CharBox | None] = []
    prev: _Seg | None = None
    for s in group:
        if prev is not None and s.x0 - prev.x1 >= cfg.word_gap_em * min(s.size, prev.size):
            text += " "
            boxes.append(None)
        text += s.text
        boxes.extend(s.boxes)
        prev = s
    return _Line(page=group[0].page, x0=group[0].x0, x1=max(s.x1 for s in group),
                 top=min(s.top for s in group), bottom=max(s.bottom for s in group),
                 size=max(s.size for s in group), text=text, boxes=boxes)


def _usual_gap_em(all_lines: dict[int, list[_Line]], cfg: PdfSettings) -> float:
    """The document's most common gap between consecutive lines of one column, in em."""
    gaps: Counter[float] = Counter()
    for lines in all_lines.values():
        for a, b in zip(lines, lines[1:], strict=False):
            if b.x0 >= a.x1 or a.x0 >= b.x1:
                continue
            if min(a.size, b.size) / max(a.size, b.size) < cfg.block_size_ratio:
                continue
            gap = (b.top - a.bottom) / a.size
            if -cfg.overlap_em <= gap <= cfg.line_gap_max_em:
                gaps[_gap_step(gap, cfg)] += 1
    return gaps.most_common(1)[0][0] if gaps else cfg.default_line_gap_em


def _gap_step(gap_em: float, cfg: PdfSettings) -> float:
    steps = 1 / cfg.line_gap_step_em
    return round(gap_em * steps) / steps


def _column_key(x0: float, cfg: PdfSettings) -> int:
    return round(x0 / cfg.column_bucket_pt)


def _column_gaps(all_lines: dict[int, list[_Line]], cfg: PdfSettings) -> dict[int, float]:
    """The most common gap below a line to the next line of its column, per left edge (4pt
    buckets), where at least three such gaps were seen: a column set in another font (a
    table's label cells) can have other line spacing than the rest of the document."""
    gaps: dict[int, Counter[float]] = defaultdict(Counter)
    for lines in all_lines.values():
        for i, a in enumerate(lines):
            for b in lines[i + 1:]:
                if b.top < a.bottom - cfg.overlap_em * a.size or b.x0 >= a.x1 or a.x0 >= b.x1:
                    continue
                if min(a.size, b.size) / max(a.size, b.size) >= cfg.block_size_ratio:
                    gap = (b.top - a.bottom) / a.size
                    if -cfg.overlap_em <= gap <= cfg.line_gap_max_em and abs(a.x0 - b.x0) < cfg.column_bucket_pt:
                        gaps[_column_key(a.x0, cfg)][_gap_step(gap, cfg)] += 1
                break
    return {key: c.most_common(1)[0][0] for key, c in gaps.items() if sum(c.values()) >= 3}


def _blocks(lines: list[_Line], cfg: PdfSettings, usual_gap: float,
            rows: list[tuple[float, float, float]] | None = None,
            column_gaps: dict[int, float] | None = None) -> list[_Block]:
    blocks: list[_Block] = []
    for ln in lines:
        best = None
        for b in blocks:
            last = b.lines[-1]
            if ln.x0 >= last.x1 and ln.x0 >= b.max_x1 or b.x0 >= ln.x1:
                continue
            if min(ln.size, last.size) / max(ln.size, last.size) < cfg.block_size_ratio:
                continue
            gap = (ln.top - last.bottom) / last.size
            usual = (column_gaps or {}).get(_column_key(last.x0, cfg), usual_gap)
            if gap > usual + cfg.paragraph_gap_em or gap < -cfg.overlap_em:
                continue
            tol = cfg.rule_tolerance_pt
            if rows and any(last.bottom - tol <= y <= ln.top + tol and r0 < min(ln.x1, last.x1)
                            and r1 > max(ln.x0, last.x0) for y, r0, r1 in rows):
                continue  # a table's row border between them
            if best is None or abs(b.x0 - ln.x0) < abs(best.x0 - ln.x0):
                best = b
        if best is None:
            blocks.append(_Block(page=ln.page, lines=[ln]))
        else:
            best.lines.append(ln)
    return _reading_order(blocks, rows=rows or [])


def _reading_order(blocks: list[_Block], columns: list[list[_Block]] | None = None,
                   rows: list[tuple[float, float, float]] | None = None) -> list[_Block]:
    """XY-cut, columns first: blocks split by a vertical gutter that no block crosses are read
    column by column (left to right); otherwise the page is cut into bands where no block
    crosses horizontally, and consecutive bands are read together while they share a gutter
    and one of them has columns (two columns of plans below a title that runs across both:
    the title, then the columns).
    What neither cut separates is read as before: linked columns left to right, each by top.
    Before all that, a ruling line drawn across all the blocks (a table's row border) cuts
    them into rows, read top to bottom: a table of label and value cells is read row by row.
    ``columns`` collects every group a vertical cut made."""
    if len(blocks) <= 1:
        return list(blocks)
    if rows:
        ruled = _ruled_rows(blocks, rows)
        if len(ruled) > 1:
            return [b for row in ruled for b in _reading_order(row, columns, rows)]
    cols = _split(blocks, vertical=True)
    if len(cols) > 1:
        if columns is not None:
            columns.extend(cols)
        return [b for col in cols for b in _reading_order(col, columns, rows)]
    bands = _split(blocks, vertical=False)
    if len(bands) > 1:
        def cut(group: list[_Block]) -> bool:
            return len(_split(group, vertical=True)) > 1

        # First bands that have columns and share a gutter, then a band without columns
        # that fits beside or into such a region (a title across the gutter does not).
        groups: list[list[_Block]] = []
        for band in bands:
            if groups and cut(groups[-1]) and cut(band) and cut(groups[-1] + band):
                groups[-1] = groups[-1] + band
            else:
                groups.append(band)
        merged = True
        while merged:
            merged = False
            for i in range(len(groups) - 1):
                a, b = groups[i], groups[i + 1]
                if (cut(a) or cut(b)) and cut(a + b):
                    groups[i:i + 2] = [a + b]
                    merged = True
                    break
        if len(groups) > 1:
            return [b for g in groups for b in _reading_order(g, columns, rows)]
    return _columns(blocks)


def _ruled_rows(blocks: list[_Block], rows: list[tuple[float, float, float]]) -> list[list[_Block]]:
    """The blocks cut at horizontal ruling lines that run across all of them (within 1 em)
    with no block crossing the line; one group when there is none."""
    x0 = min(b.x0 for b in blocks)
    x1 = max(b.max_x1 for b in blocks)
    em = max(b.size for b in blocks)
    ext = [(b.lines[0].top, max(ln.bottom for ln in b.lines)) for b in blocks]
    cuts = sorted({y for y, r0, r1 in rows if r0 <= x0 + em and r1 >= x1 - em
                   and any(bottom <= y + 1 for _, bottom in ext) and any(top >= y - 1 for top, _ in ext)
                   and all(bottom <= y + 1 or top >= y - 1 for top, bottom in ext)})
    if not cuts:
        return [blocks]
    groups: list[list[_Block]] = [[] for _ in range(len(cuts) + 1)]
    for b, (top, _bottom) in zip(blocks, ext, strict=True):
        groups[bisect.bisect_right(cuts, top)].append(b)
    return [g for g in groups if g]


def _split(blocks: list[_Block], vertical: bool) -> list[list[_Block]]:
    """Blocks in groups separated by a free gap: left to right at x where no block is
    (vertical), or top to bottom at y where no block is."""
    def span(b: _Block) -> tuple[float, float]:
        if vertical:
            return b.x0, b.max_x1
        return b.lines[0].top, max(ln.bottom for ln in b.lines)

    groups: list[list[_Block]] = []
    reach = None
    for b in sorted(blocks, key=lambda b: span(b)[0]):
        lo, hi = span(b)
        if reach is None or lo >= reach:
            groups.append([b])
            reach = hi
        else:
            groups[-1].append(b)
            reach = max(reach, hi)
    return groups


def _columns(blocks: list[_Block]) -> list[_Block]:
    """Columns (blocks linked by overlapping x-ranges) left to right, each by top."""
    parent = list(range(len(blocks)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(blocks):
        for j in range(i + 1, len(blocks)):
            b = blocks[j]
            if a.x0 < b.max_x1 and b.x0 < a.max_x1:
                parent[find(i)] = find(j)
    columns: dict[int, list[_Block]] = defaultdict(list)
    for i, b in enumerate(blocks):
        columns[find(i)].append(b)
    ordered: list[_Block] = []
    for col in sorted(columns.values(), key=lambda c: min(b.x0 for b in c)):
        ordered.extend(sorted(col, key=lambda b: b.lines[0].top))
    return ordered


def _right_edges(blocks: list[_Block], cfg: PdfSettings) -> None:
    """The right edge that a block's full lines reach.

    Confirmed by the block itself when three of its lines end there, or two and every line
    but its last (one-line list items can end near each other by chance); otherwise the
    nearest confirmed edge (of a block in the same column) at or beyond the block's longest
    line, and failing that the longest line of the column in the document.  Evidence from
    lines of the block's own font size comes first: a heading in a larger font often runs
    wider than the body column it starts in.
    """
    longest: dict[tuple[float, float], float] = {}  # (rounded x0, size) -> longest line there
    pending = []
    own: list[tuple[_Block, bool]] = []  # self-confirmed blocks, and whether every line but the last reaches
    for b in blocks:
        key = (round(b.x0, 1), round(b.size, 1))
        longest[key] = max(longest.get(key, 0.0), b.max_x1)
        tol = cfg.full_line_em * b.size
        reaching = [ln.x1 >= b.max_x1 - tol for ln in b.lines]
        # Two lines ending near each other confirm an edge only when every line but the
        # last does (one-line items of a list can end close by chance); three always do.
        if sum(reaching) >= 3 or (sum(reaching) == 2 and all(reaching[:-1])):
            b.right = b.max_x1
            own.append((b, all(reaching[:-1])))
        else:
            pending.append(b)

    def same_column(a: _Block, b: _Block) -> bool:
        return (abs(a.x0 - b.x0) <= cfg.column_align_em * b.size
                and min(a.size, b.size) / max(a.size, b.size) >= cfg.block_size_ratio)

    # An edge well inside the column (whose lines elsewhere run longer) that only some of a
    # block's lines reach, with nothing beside them that they could have wrapped at, is
    # chance: short list items of similar lengths. Such a block takes the column's edge.
    confirmed: set[tuple[float, float, float]] = set()  # (x0, right, size), rounded: a handful
    for b, every in own:
        wider = any(same_column(a, b) and a.max_x1 > b.right + cfg.inner_edge_factor * cfg.full_line_em * b.size
                    for a in blocks)
        if not every and wider and all(ln.wrap_right is None for ln in b.lines):
            pending.append(b)
        else:
            confirmed.add((round(b.x0, 1), round(b.right, 1), round(b.size, 1)))
    for b in pending:
        tol = cfg.full_line_em * b.size
        align = cfg.column_align_em * b.size

        def same(size: float, b: _Block = b) -> bool:
            return min(size, b.size) / max(size, b.size) >= cfg.block_size_ratio

        edges = [(same(size), r) for x0, r, size in confirmed if abs(x0 - b.x0) <= align and r >= b.max_x1 - tol]
        lines = [(same(size), r) for (x0, size), r in longest.items() if abs(x0 - b.x0) <= align]
        if any(s for s, _ in edges):
            b.right = min(r for s, r in edges if s)
        elif any(s for s, _ in lines):
            b.right = max([r for s, r in lines if s] + [b.max_x1])
            if b.right <= b.max_x1 + tol:
                # The block's own longest line is all its size shows. Smaller text in the
                # column that runs further (the body under a heading) shows the column's edge;
                # larger text does not (a heading may run wider than the body column).
                smaller = [r for x0, r, size in confirmed
                           if abs(x0 - b.x0) <= align and size < b.size and r >= b.max_x1 - tol]
                if smaller:
                    b.right = max(min(smaller), b.right)
                else:
                    b.right = max([r for (x0, size), r in longest.items()
                                   if abs(x0 - b.x0) <= align and size < b.size] + [b.right])
        elif edges:
            b.right = min(r for _, r in edges)
        else:
            b.right = max([r for _, r in lines] + [b.max_x1])


def _reaches_edge(ln: _Line, block: _Block, cfg: PdfSettings) -> bool:
    """The line ends at its block's right edge (or at a box it wraps around)."""
    if block.right - ln.x1 <= cfg.full_line_em * ln.size:
        return True
    return (ln.wrap_right is not None and ln.wrap_right < block.right
            and ln.wrap_right - ln.x1 <= cfg.wrap_gap_em * ln.size)




def _is_full(ln: _Line, block: _Block, nxt: _Line, cfg: PdfSettings) -> bool:
    slack = block.right - ln.x1
    if slack <= cfg.full_line_em * ln.size:
        return True
    # Text flowing around a text box or picture that stands inside the column ends at its edge.
    if (ln.wrap_right is not None and ln.wrap_right < block.right
            and ln.wrap_right - ln.x1 <= cfg.wrap_gap_em * ln.size):
        return True
    # Would the next line's first word have fitted? (Latin words wrap whole; a character that
    # may not start a line drags the one before it down.)
    first = _first_unit_width(nxt, cfg)
    return first is not None and slack < first + cfg.first_word_slack_em * ln.size


def _first_unit_width(ln: _Line, cfg: PdfSettings) -> float | None:
    """Width of the shortest start of ``ln`` that a line breaker could have moved up: up to
    its first legal break (never inside a Latin word, never before a character that may not
    start a line or after one that may not end a line, not at a space between non-words)."""
    units = [(m.start(), m.end()) for m in _UNIT.finditer(ln.text)]
    if not units or ln.boxes[0] is None:
        return None
    text = ln.text
    end = len(units)
    for k in range(1, len(units)):
        unit, prev = text[units[k][0]:units[k][1]], text[units[k - 1][0]:units[k - 1][1]]
        if unit == " ":
            nxt = text[units[k + 1][0]:units[k + 1][1]] if k + 1 < len(units) else ""
            if _is_word(prev) and _is_word(nxt):
                end = k
                break
            continue
        if prev == " " or unit[0] in cfg.no_line_start or prev[-1] in cfg.no_line_end:
            continue
        end = k
        break
    last = next((b for b in reversed(ln.boxes[:units[end - 1][1]]) if b is not None), None)
    if last is None:
        return None
    return last[3] - ln.boxes[0][1]


def _is_word(unit: str) -> bool:
    return unit != " " and unit.isascii() and any(ch.isalnum() for ch in unit)


def _paragraphs(pages: list[_Page], blocks_by_page: dict[int, list[_Block]], cfg: PdfSettings, rules: Rules,
                line_para: dict[int, int] | None = None) -> list[_Para]:
    """Join wrapped lines into paragraphs; ``line_para`` gets id(line) -> paragraph index.

    Across a page break a paragraph continues in the first block of the next page (same
    column). When the page ended with several paragraphs open at the foot of their columns
    (a table row broken across pages: its label cell and its text cell), the block at the
    head of each column of the next page continues the one of its own column."""
    if line_para is None:
        line_para = {}
    paras: list[_Para] = []
    open_idx = -1
    prev: tuple[_Line, _Block] | None = None
    last_line: dict[int, int] = {}  # paragraph index -> id of its last line
    tails: list[tuple[int, _Line, _Block]] = []  # open paragraphs at the foot of the page before
    for n, p in enumerate(pages):
        if n:
            tails = _page_tails(blocks_by_page[pages[n - 1].number], paras, last_line, line_para)
        heads = _column_heads(blocks_by_page[p.number])
        for bi, block in enumerate(blocks_by_page[p.number]):
            for li, ln in enumerate(block.lines):
                join = False
                target = open_idx
                if open_idx >= 0 and prev is not None:
                    prev_line, prev_block = prev
                    if prev_block is block:
                        join = True
                    elif bi == 0 and li == 0 and prev_line.page < ln.page and prev_block.page != ln.page:
                        # Across a page break: the same column, and nothing else between.
                        join = (prev_line is prev_block.lines[-1]
                                and abs(ln.x0 - prev_block.x0) <= cfg.column_align_em * ln.size)
                    if not join and li == 0 and len(tails) >= 2 and id(block) in heads:
                        tail = next((t for t in tails if abs(ln.x0 - t[2].x0) <= cfg.column_align_em * ln.size
                                     and last_line.get(t[0]) == id(t[1])), None)
                        if tail is not None:
                            target, prev_line, prev_block = tail
                            join = True
                    join = (join and (not grammar.starts_block(ln.text, rules)
                                      or (_reaches_edge(prev_line, prev_block, cfg)
                                          and grammar.marker_mid_sentence(paras[target].text, ln.text, rules)))
                            and not grammar.cannot_continue(paras[target].text, rules)
                            and (_is_full(prev_line, prev_block, ln, cfg)
                                 or grammar.completes_label(paras[target].text, ln.text, rules)))
                if join:
                    para = paras[target]
                    left = para.parts[-1][0]
                    if left and _wrap_space(left, ln.text):
                        para.parts.append((" ", [None]))
                    para.parts.append((ln.text, ln.boxes))
                    open_idx = target
                else:
                    paras.append(_Para(page=ln.page, parts=[(ln.text, ln.boxes)]))
                    open_idx = len(paras) - 1
                prev = (ln, block)
                last_line[open_idx] = id(ln)
                line_para[id(ln)] = open_idx
    return paras


def _column_heads(blocks: list[_Block]) -> set[int]:
    """ids of the blocks with no block above them in their column (overlapping x-range)."""
    return {id(b) for b in blocks
            if not any(o is not b and o.x0 < b.max_x1 and b.x0 < o.max_x1 and o.lines[0].top < b.lines[0].top
                       for o in blocks)}


def _page_tails(blocks: list[_Block], paras: list[_Para], last_line: dict[int, int],
                line_para: dict[int, int]) -> list[tuple[int, _Line, _Block]]:
    """Paragraphs that end with the last line of a block at the foot of its column (no block
    below it in an overlapping x-range): (paragraph index, its last line, the block)."""
    out = []
    for b in blocks:
        if any(o is not b and o.x0 < b.max_x1 and b.x0 < o.max_x1 and o.lines[0].top > b.lines[0].top
               for o in blocks):
            continue
        ln = b.lines[-1]
        i = line_para.get(id(ln))
        if i is not None and last_line.get(i) == id(ln):
            out.append((i, ln, b))
    return out












def _seg_line(s: _Seg) -> _Line:
    return _Line(page=s.page, x0=s.x0, x1=s.x1, top=s.top, bottom=s.bottom, size=s.size, text=s.text,
                 boxes=s.boxes)


def _caption_blocks(caps: list[_Seg], cfg: PdfSettings) -> list[_Block]:
    """Caption lines of one column, vertically close, as blocks (one page, in top order)."""
    blocks: list[_Block] = []
    for s in sorted(caps, key=lambda s: (s.top, s.x0)):
        ln = _seg_line(s)
        for b in blocks:
            last = b.lines[-1]
            if (ln.x0 < b.max_x1 and b.x0 < ln.x1 and ln.top >= last.bottom - cfg.overlap_em * ln.size
                    and ln.top - last.bottom <= cfg.group_gap_em * ln.size):
                b.lines.append(ln)
                break
        else:
            blocks.append(_Block(page=s.page, lines=[ln]))
    return blocks


def _caption_paras(block: _Block, cfg: PdfSettings) -> list[_Para]:
    """The block's caption lines; with ``captions.join_wrapped``, a line that wraps inside a
    narrow column is joined to the next (same full-line rule as body text)."""
    out: list[_Para] = []
    prev: _Line | None = None
    # Centred lines (under a photo) end short on both sides: a line wrapped only if the start
    # of the next would not have fitted in the width the widest line shows.
    centres = [(ln.x0 + ln.x1) / 2 for ln in block.lines]
    em = block.size
    centred = (len(block.lines) > 1 and max(centres) - min(centres) <= cfg.centred_spread_em * em
               and max(ln.x0 for ln in block.lines) - min(ln.x0 for ln in block.lines) > cfg.centred_indent_em * em)
    widest = max(ln.x1 - ln.x0 for ln in block.lines)

    def full(a: _Line, b: _Line) -> bool:
        if not centred:
            return _is_full(a, block, b, cfg)
        first = _first_unit_width(b, cfg)
        return first is not None and widest - (a.x1 - a.x0) < first + cfg.centred_first_word_slack_em * a.size

    for ln in block.lines:
        if out and prev is not None and cfg.join_captions and full(prev, ln):
            left = out[-1].parts[-1][0]
            if left and _wrap_space(left, ln.text):
                out[-1].parts.append((" ", [None]))
            out[-1].parts.append((ln.text, ln.boxes))
        else:
            out.append(_Para(page=ln.page, parts=[(ln.text, ln.boxes)]))
        prev = ln
    return out


def _attach_captions(pages: list[_Page], paras: list[_Para], cfg: PdfSettings, rules: Rules,
                     blocks_by_page: dict[int, list[_Block]] | None = None,
                     line_para: dict[int, int] | None = None) -> dict[int, list[_Para]]:
    """Put each caption block after the paragraph it sits beside (the largest vertical overlap;
    else the nearest above on the page; else the last one before the page; else the first on
    the page). A caption inside a column of text on a page of several columns goes after the
    paragraph before it in that column; captions that belong together (one text box, or
    photo / caption / photo / caption) go where the first is; a caption column continued at
    the top of the next page continues its last caption. Returns the captions of pages with
    nothing to attach to, by page."""
    # Where each paragraph's lines lie, per page: (top, bottom, paragraph index).
    spans: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    for i, para in enumerate(paras):
        real = [b for _text, boxes in para.parts for b in boxes if b is not None]
        for page in {b[0] for b in real}:
            on = [b for b in real if b[0] == page]
            spans[page].append((min(b[2] for b in on), max(b[4] for b in on), i))
    first_on: dict[int, int] = {}
    for i, para in enumerate(paras):
        first_on.setdefault(para.page, i)
    starts = [para.page for para in paras]

    blocks = [b for p in pages
              for b in _caption_blocks([s for s in p.segs if s.kind == "caption"], cfg)]
    # A caption column is narrow and uniform: its right edge is the longest caption line
    # starting at the same x anywhere in the document (a block's own lines may all end short).
    longest: dict[tuple[float, float], float] = {}  # (rounded x0, size) -> longest caption line
    for b in blocks:
        key = (round(b.x0, 1), b.size)
        longest[key] = max(longest.get(key, 0.0), b.max_x1)
    for b in blocks:
        align = cfg.column_align_em * b.size
        b.right = max(r for (x0, size), r in longest.items() if abs(x0 - b.x0) <= align
                      and min(size, b.size) / max(size, b.size) >= cfg.block_size_ratio)
    by_number = {p.number: p for p in pages}
    leader = _caption_groups(blocks, by_number, cfg)
    in_column = _column_predecessors(blocks, blocks_by_page or {}, line_para or {})
    continues = _continued_captions(blocks, by_number, cfg)
    loose: dict[int, list[_Para]] = defaultdict(list)
    targets: dict[int, int | None] = {}
    made: dict[int, list[_Para]] = {}
    for k, block in enumerate(blocks):  # a group's leader (its topmost block) comes first
        made[k] = _caption_paras(block, cfg)
        prev = continues.get(k)
        if prev is not None and targets.get(prev) is not None:
            last, first = made[prev][-1], made[k][0]
            if _wrap_space(last.text, first.text):
                last.parts.append((" ", [None]))
            last.parts.extend(first.parts)
            made[k] = made[k][1:]
            targets[k] = targets[prev]
            paras[targets[prev]].captions.extend(made[k])
            continue
        if leader[k] != k and targets.get(leader[k]) is not None:
            targets[k] = targets[leader[k]]
            paras[targets[k]].captions.extend(made[k])
            continue
        page = block.page
        top, bottom = block.lines[0].top, max(ln.bottom for ln in block.lines)
        overlap: Counter[int] = Counter()
        above = -1
        for stop, sbottom, i in spans[page]:
            inter = min(bottom, sbottom) - max(top, stop)
            if inter > 0:
                overlap[i] += inter
            if stop <= top:
                above = max(above, i)
        before = max((i for i, start in enumerate(starts) if start < page), default=-1)
        if k in in_column:
            target = in_column[k]
        elif overlap:
            target = max(overlap.items(), key=lambda kv: (kv[1], -kv[0]))[0]
        elif above >= 0:
            target = above
        elif before >= 0:
            target = before
        elif page in first_on:
            target = first_on[page]
        else:
            loose[page].extend(made[k])
            targets[k] = None
            continue
        if target + 1 < len(paras) and grammar.is_bare_marker(paras[target].text, rules):
            target += 1  # never between a marker and the label on the next line
        targets[k] = target
        paras[target].captions.extend(made[k])
    for para in paras:
        para.captions.sort(key=lambda c: _first_box(c))
    return loose


def _column_predecessors(captions: list[_Block], blocks_by_page: dict[int, list[_Block]],
                         line_para: dict[int, int]) -> dict[int, int]:
    """Captions that stand inside a column of text on a page of several columns (a photo and
    its caption in the left one of two columns of plans): caption index -> the paragraph of
    the body block before it in that column's reading order. Captions in a column of their
    own beside the text (a caption column) are left out."""
    out: dict[int, int] = {}
    by_page: dict[int, list[int]] = defaultdict(list)
    for k, b in enumerate(captions):
        by_page[b.page].append(k)
    for page_no, ks in by_page.items():
        body = blocks_by_page.get(page_no, [])
        if not body:
            continue
        columns: list[list[_Block]] = []
        _reading_order(body + [captions[k] for k in ks], columns)
        body_ids = {id(b) for b in body}
        for k in ks:
            cap = captions[k]
            mine = [col for col in columns if any(c is cap for c in col) and any(id(c) in body_ids for c in col)]
            if not mine:
                continue
            col = min(mine, key=len)
            order = _reading_order(col)
            at = next(i for i, c in enumerate(order) if c is cap)
            prev = next((c for c in reversed(order[:at]) if id(c) in body_ids), None)
            if prev is not None and id(prev.lines[-1]) in line_para:
                out[k] = line_para[id(prev.lines[-1])]
    return out


def _continued_captions(blocks: list[_Block], pages: dict[int, _Page], cfg: PdfSettings) -> dict[int, int]:
    """Caption blocks that continue one on the page before (a table row or text box broken
    across pages): block index -> index of the block it continues. The block is the first
    thing on its page, the other the last thing on its page, in the same column, and its last
    line is full."""
    out: dict[int, int] = {}
    for k, b in enumerate(blocks):
        page = pages.get(b.page)
        before = pages.get(b.page - 1)
        if page is None or before is None:
            continue
        top = b.lines[0].top
        if any(s.top < top for s in page.segs if s.kind == "body"):
            continue
        if any(a.page == b.page and a.lines[0].top < top and a.x0 < b.max_x1 and b.x0 < a.max_x1 for a in blocks):
            continue  # only the first caption block of its column continues
        align = cfg.column_align_em * b.size
        cands = [j for j, a in enumerate(blocks) if a.page == b.page - 1 and abs(a.x0 - b.x0) <= align
                 and min(a.size, b.size) / max(a.size, b.size) >= cfg.block_size_ratio]
        if not cands:
            continue
        j = max(cands, key=lambda j: blocks[j].lines[-1].top)
        a = blocks[j]
        last = a.lines[-1]
        if any(s.top > last.top for s in before.segs if s.kind == "body"):
            continue
        if _is_full(last, a, b.lines[0], cfg):
            out[k] = j
    return out


def _caption_groups(blocks: list[_Block], pages: dict[int, _Page], cfg: PdfSettings) -> list[int]:
    """Caption blocks that belong together: stacked in one column with a picture between them
    (photo, caption, photo, caption), or inside one drawn box that holds no body text (a text
    box). Returns, for each block, the index of its group's topmost block (the leader); the
    group is placed where its leader is."""
    parent = list(range(len(blocks)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def link(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a == b:
            return
        # the leader is the topmost
        ka = (blocks[a].lines[0].top, blocks[a].x0)
        kb = (blocks[b].lines[0].top, blocks[b].x0)
        if kb < ka:
            a, b = b, a
        parent[b] = a

    by_page: dict[int, list[int]] = defaultdict(list)
    for i, b in enumerate(blocks):
        by_page[b.page].append(i)
    for page_no, idx in by_page.items():
        if len(idx) < 2:
            continue
        page = pages[page_no]
        body = [(s.x0, s.top, s.x1, s.bottom) for s in page.segs if s.kind == "body"]
        ext = {i: (blocks[i].x0, blocks[i].lines[0].top, blocks[i].max_x1,
                   max(ln.bottom for ln in blocks[i].lines)) for i in idx}
        # one box with no body text in it
        for box in page.obstacles:
            if any(_inside(b, box) for b in body):
                continue
            inside = [i for i in idx if _inside(ext[i], box)]
            for i in inside[1:]:
                link(inside[0], i)
        # caption above a picture, caption below it, in one column
        gap = cfg.picture_caption_gap_em
        for x0, top, x1, bottom in page.pictures:
            above = [i for i in idx if ext[i][0] < x1 and ext[i][2] > x0
                     and -cfg.overlap_em * blocks[i].size <= top - ext[i][3] <= gap * blocks[i].size]
            below = [i for i in idx if ext[i][0] < x1 and ext[i][2] > x0
                     and -cfg.overlap_em * blocks[i].size <= ext[i][1] - bottom <= gap * blocks[i].size]
            for i in above:
                for j in below:
                    link(i, j)
    return [find(i) for i in range(len(blocks))]


def _inside(inner: tuple[float, float, float, float], outer: tuple[float, float, float, float]) -> bool:
    return (inner[0] >= outer[0] - 1 and inner[1] >= outer[1] - 1 and inner[2] <= outer[2] + 1
            and inner[3] <= outer[3] + 1)


def _first_box(para: _Para) -> tuple[float, float, float]:
    box = next(b for _t, boxes in para.parts for b in boxes if b is not None)
    return (box[0], box[2], box[1])


def _emit(pages: list[_Page], paras: list[_Para], loose: dict[int, list[_Para]]) -> list[RawLine]:
    out: list[RawLine] = []

    def add(para: _Para, hint: LayoutHint | None) -> None:
        text = ""
        boxes: list[CharBox | None] = []
        for t, b in para.parts:
            text += t
            boxes.extend(b)
        out.append(RawLine(line_no=len(out) + 1, text=text, page=para.page, char_boxes=tuple(boxes),
                           hint=hint))

    def seg_para(s: _Seg) -> _Para:
        return _Para(page=s.page, parts=[(s.text, s.boxes)])

    by_page: dict[int, list[_Para]] = defaultdict(list)
    for para in paras:
        by_page[para.page].append(para)
    for p in pages:
        furniture = sorted((s for s in p.segs if s.kind == "furniture"), key=lambda s: (s.top, s.x0))
        for s in furniture:
            if s.top < p.height / 2:
                add(seg_para(s), LayoutHint.FURNITURE)
        for cap in loose.get(p.number, []):
            add(cap, LayoutHint.CAPTION)
        for para in by_page.get(p.number, []):
            add(para, None)
            for cap in para.captions:
                add(cap, LayoutHint.CAPTION)
        for s in furniture:
            if s.top >= p.height / 2:
                add(seg_para(s), LayoutHint.FURNITURE)
    return out
