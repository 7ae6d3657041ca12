"""Layout evidence for the paragraph joiner in segment: which line each body line may go on
from (the line above it in its block, across a page break, or across a table row broken over
two pages) and whether that line was full (it reaches its block's right edge, or the next
line's first word would not have fitted).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...rule_files import PdfSettings
from .chars import _wrap_space
from .layout import _UNIT, _Block, _Line, _Page, _Para, _same_type


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


@dataclass(frozen=True)
class _Follow:
    """Layout evidence of a visual line: the line it may go on from, and how that line ended."""

    line: _Line
    same_block: bool
    full: bool
    at_edge: bool
    space: bool


def _paragraphs(pages: list[_Page], blocks_by_page: dict[int, list[_Block]], cfg: PdfSettings,
                line_para: dict[int, int] | None = None) -> tuple[list[_Para], dict[int, _Follow]]:
    """The line each body line may go on from (id(line) -> _Follow), and paragraphs by layout
    alone (a full line goes on to the next), which only say where captions stand: segment
    decides the paragraphs, with the grammar. ``line_para`` gets id(line) -> paragraph index.

    Within a block a line follows the one above it. Across a page break a line follows the
    last line of the page before when it opens the first block of the page in the same column.
    When the page before ended with several paragraphs open at the foot of their columns (a
    table row broken across pages: its label cell and its text cell), the block at the head of
    each column of the next page follows the one of its own column."""
    if line_para is None:
        line_para = {}
    paras: list[_Para] = []
    follows: dict[int, _Follow] = {}
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
                found: tuple[int, _Line, _Block] | None = None
                if open_idx >= 0 and prev is not None:
                    prev_line, prev_block = prev
                    if prev_block is block or (
                            bi == 0 and li == 0 and prev_line.page < ln.page and prev_block.page != ln.page
                            and prev_line is prev_block.lines[-1] and _same_size(prev_line, ln, cfg)
                            and _same_column(prev_line, prev_block, ln, cfg)):
                        found = (open_idx, prev_line, prev_block)
                    elif li == 0 and len(tails) >= 2 and id(block) in heads:
                        found = next((t for t in tails if abs(ln.x0 - t[2].x0) <= cfg.column_align_em * ln.size
                                      and last_line.get(t[0]) == id(t[1])), None)
                join = False
                if found is not None:
                    target, before, before_block = found
                    follow = _Follow(before, before_block is block, _is_full(before, before_block, ln, cfg),
                                     _reaches_edge(before, before_block, cfg), _wrap_space(before.text, ln.text))
                    follows[id(ln)] = follow
                    join = follow.full
                if join:
                    paras[target].parts.append((ln.text, ln.boxes))
                    paras[target].lines.append(ln)
                    open_idx = target
                else:
                    paras.append(_Para(page=ln.page, parts=[(ln.text, ln.boxes)], lines=[ln]))
                    open_idx = len(paras) - 1
                prev = (ln, block)
                last_line[open_idx] = id(ln)
                line_para[id(ln)] = open_idx
    return paras, follows


def _same_size(a: _Line, b: _Line, cfg: PdfSettings) -> bool:
    """A paragraph keeps its font size across a page break (a heading on the next page does not
    go on from the text at the foot of the page before)."""
    return _same_type(a.size, b.size, cfg.block_size_ratio)


def _same_column(prev: _Line, block: _Block, ln: _Line, cfg: PdfSettings) -> bool:
    """Does ``ln``, first on its page, stand in the column of ``block`` on the page before? Its
    left edge aligns with the block's, or, under a full line, is indented as a label wrapped
    under its marker is (a hanging indent)."""
    indent = ln.x0 - block.x0
    if abs(indent) <= cfg.column_align_em * ln.size:
        return True
    return 0 < indent <= cfg.hanging_indent_em * ln.size and _is_full(prev, block, ln, cfg)


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
