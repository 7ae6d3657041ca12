"""What the PDF reader builds from a page (characters, segments, lines, blocks, paragraphs,
pages) and the geometry helpers its stages share.
"""

from __future__ import annotations

import bisect
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace

from ...model import CharBox

_CID = re.compile(r"^\(cid:\d+\)$")


_LATIN = re.compile(r"[A-Za-z0-9]")


_UNIT = re.compile(r"[!-~]+| |.", re.S)  # an ASCII run, a space, or one other character


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
        self.rows = _joined_rows(sorted(rows or []), tolerance)  # horizontal: (y, x0, x1)

    def between(self, left: float, right: float, top: float, bottom: float) -> bool:
        """A ruling at x in [left - tolerance, right + tolerance] that covers the middle of
        top..bottom."""
        if not self.edges or right - left > 1e4:
            return False
        mid = (top + bottom) / 2
        lo = bisect.bisect_left(self.xs, min(left, right) - self.tolerance)
        hi = bisect.bisect_right(self.xs, max(left, right) + self.tolerance)
        return any(e[1] <= mid <= e[2] for e in self.edges[lo:hi])


def _joined_rows(rows: list[tuple[float, float, float]], tolerance: float) -> list[tuple[float, float, float]]:
    """Horizontal rules end to end at one height as one: a table drawn cell by cell (each cell
    its own rectangle) has a row border in pieces, one per cell."""
    levels: list[list[tuple[float, float, float]]] = []
    for row in sorted(rows):
        if levels and row[0] - levels[-1][0][0] <= tolerance:
            levels[-1].append(row)
        else:
            levels.append([row])
    out: list[tuple[float, float, float]] = []
    for level in levels:
        y = level[0][0]
        pieces: list[tuple[float, float, float]] = []
        for _y, x0, x1 in sorted(level, key=lambda r: r[1]):
            if pieces and x0 <= pieces[-1][2] + tolerance:
                pieces[-1] = (y, pieces[-1][1], max(pieces[-1][2], x1))
            else:
                pieces.append((y, x0, x1))
        out.extend(pieces)
    return sorted(out)


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
    # body | caption | furniture | repeated (at a furniture place in the body's type: segment
    # asks the grammar whether it is a measure marker)
    kind: str = "body"
    # a caption by its place alone (a side column, under a picture), in the body's type: segment
    # asks the grammar whether it starts a block
    placed: bool = False
    after_gutter: bool = False  # cut from the text left of it at a gutter (``gutters``)


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
    placed: bool = False  # a caption line placed like one, in the body's type (``_Seg.placed``)


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
    lines: list[_Line] = field(default_factory=list)  # a body paragraph's visual lines
    placed: bool = False  # a caption whose first line is ``_Line.placed``
    # A caption right under another of its block (no wider space between): that one, and
    # whether a space goes between them if joined.
    under: _Para | None = None
    under_space: bool = False
    # A placed caption: for each of its visual lines, the topmost body paragraph beside it.
    beside: list[_Para | None] = field(default_factory=list)
    # Where a caption's wrapped visual lines were joined: (index in parts, space inserted,
    # same block); a placed caption is emitted line by line with this as evidence.
    breaks: list[tuple[int, bool, bool]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.parts)

    def join(self, other: _Para, space: bool, same_block: bool = True) -> None:
        """Append ``other``'s text as a wrapped continuation (a space before it if ``space``)."""
        if space:
            self.parts.append((" ", [None]))
        base = len(self.parts)
        self.breaks.append((base, space, same_block))
        self.breaks.extend((base + i, sp, same) for i, sp, same in other.breaks)
        self.parts.extend(other.parts)

    def visual_lines(self) -> list[tuple[list[tuple[str, list[CharBox | None]]], bool, bool]]:
        """The visual lines joined into this caption: (parts, space before, same block)."""
        out = []
        start, space, same = 0, False, True
        for at, sp, sb in self.breaks:
            out.append((self.parts[start:at - 1 if sp else at], space, same))
            start, space, same = at, sp, sb
        out.append((self.parts[start:], space, same))
        return out


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


def _same_type(a: float, b: float, ratio: float) -> bool:
    """Are font sizes ``a`` and ``b`` one type (the smaller at least ``ratio`` of the larger:
    ``blocks.size_ratio``)?"""
    return min(a, b) / max(a, b) >= ratio


def _v_overlap(a_top: float, a_bottom: float, b_top: float, b_bottom: float) -> float:
    """Vertical overlap as a fraction of the smaller height."""
    inter = min(a_bottom, b_bottom) - max(a_top, b_top)
    smaller = min(a_bottom - a_top, b_bottom - b_top)
    if smaller <= 0:
        return 1.0 if inter >= 0 else 0.0
    return inter / smaller


def _mode_size(chars: list[_Char]) -> float:
    sizes = Counter(round(c.size, 1) for c in chars if not c.space) or Counter(round(c.size, 1) for c in chars)
    return sizes.most_common(1)[0][0]


def _norm_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _weighted_median(values: list[tuple[float, int]]) -> float:
    values = sorted(values)
    total = sum(w for _, w in values)
    acc = 0
    for v, w in values:
        acc += w
        if acc * 2 >= total:
            return v
    return values[-1][0]


def _seg_line(s: _Seg) -> _Line:
    return _Line(page=s.page, x0=s.x0, x1=s.x1, top=s.top, bottom=s.bottom, size=s.size, text=s.text,
                 boxes=s.boxes, placed=s.placed)


def _inside(inner: tuple[float, float, float, float], outer: tuple[float, float, float, float]) -> bool:
    return (inner[0] >= outer[0] - 1 and inner[1] >= outer[1] - 1 and inner[2] <= outer[2] + 1
            and inner[3] <= outer[3] + 1)


def _first_box(para: _Para) -> tuple[float, float, float]:
    box = next(b for _t, boxes in para.parts for b in boxes if b is not None)
    return (box[0], box[2], box[1])


def _find(parent: list[int], i: int) -> int:
    """The root of ``i`` in a union-find forest (columns of blocks, groups of captions),
    halving the path on the way."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


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
                          bottom=max(b[4] for b in got), size=seg.size, text=text, boxes=boxes, kind=seg.kind,
                          placed=seg.placed))
    # the left piece starts where the segment did (after a gutter if it was)
    return replace(parts[0], after_gutter=seg.after_gutter), parts[1]
