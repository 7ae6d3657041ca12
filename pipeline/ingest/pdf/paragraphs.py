"""Wrapped lines joined into paragraphs: a line that reaches its block's right edge continues on
the next, within a block and across a page break, unless the grammar says the next line starts
something new.
"""

from __future__ import annotations

from ...rule_files import PdfSettings
from ...rules import Rules
from ...segment import grammar
from .chars import _wrap_space
from .layout import _UNIT, _Block, _Line, _Page, _Para


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
                join = candidate = False
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
                    # Across a page break only a wrapped line goes on without a gap: a paragraph
                    # that ended short at the foot of a page ended there.
                    candidate = join and (prev_block is block or _is_full(prev_line, prev_block, ln, cfg))
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
                    paras.append(_Para(page=ln.page, parts=[(ln.text, ln.boxes)], gap_above=not candidate))
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
