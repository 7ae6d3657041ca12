"""Characters to segments: the characters, graphics and pictures of each page (pdfplumber's, or
PDFium's with ``--pdf-engine pdfium``: see ``pdfium``), grouped into runs of text on one visual
line (split at large gaps, size changes and ruling lines).
"""

from __future__ import annotations

import bisect
import io
import statistics
import time
import unicodedata
from collections import defaultdict
from typing import Any

from ...errors import InputError
from ...model import CharBox, Limits
from ...rule_files import PdfSettings
from .gutters import _cut_at_gutters
from .layout import _CID, _LATIN, _NO_RULINGS, _Char, _mode_size, _Page, _Rulings, _Seg, _v_overlap


def _read_pages(data: bytes, cfg: PdfSettings, limits: Limits) -> list[_Page]:
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    started = time.monotonic()
    timeout = limits.timeout_seconds
    max_pages = limits.max_pages
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
                                     status="failed", page=page.page_number, reproducible=False)
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
    return _make_page(page.page_number, float(page.width), float(page.height), chars, unmapped, sideways, page, cfg)


def _make_page(number: int, width: float, height: float, chars: list[_Char], unmapped: int, sideways: int,
               drawn: Any, cfg: PdfSettings) -> _Page:
    """A page from its characters (content-stream order) and ``drawn``, what is drawn on it:
    anything with pdfplumber's ``edges``, ``images``, ``rects``, ``lines`` and ``curves`` (dicts
    with ``x0``, ``top``, ``x1``, ``bottom``; edges also ``orientation``), read only when the
    page has text."""
    nchars = sum(1 for c in chars if not c.space)
    if not nchars:
        return _Page(number, width, height, [], unmapped, nchars, sideways)
    rulings, boxes = _graphics(drawn, cfg)
    segs = _cut_at_gutters(_segments(number, chars, cfg, rulings), cfg)
    return _Page(number, width, height, segs, unmapped, nchars, sideways, _pictures(drawn, chars, cfg), boxes, rulings)


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
