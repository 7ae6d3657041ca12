"""Captions: small type, side columns beside the body, lines under pictures; grouped into caption
blocks and placed after the body paragraph they stand beside.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from functools import partial

from ...rule_files import PdfSettings
from ...rules import Rules
from .blocks import _gap_step, _line_gap, _reading_order
from .chars import _wrap_space
from .layout import (
    _Block,
    _find,
    _first_box,
    _inside,
    _Line,
    _Page,
    _Para,
    _Rulings,
    _same_type,
    _Seg,
    _seg_line,
    _split_seg,
    _weighted_median,
)
from .paragraphs import _first_unit_width, _is_full


def _mark_captions(pages: list[_Page], cfg: PdfSettings, body_size: float, rules: Rules) -> None:
    """Mark caption segments: small type; short lines in a side column beside the body; short
    lines right under a picture. The last two are captions by their place alone (``placed``):
    the reader cannot tell a photo's caption from a measure marker standing in the same place,
    so segment asks the grammar."""
    main = []
    for p in pages:
        if len(p.pictures) > 1:
            p.segs = _split_under_pictures(p, cfg)
        for s in p.segs:
            if s.kind in ("furniture", "repeated"):
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
                and text[:1] not in cfg.side_never_starts)

    by_page: dict[int, list[_Seg]] = defaultdict(list)
    for s in main:
        by_page[s.page].append(s)
    place = _SidePlace(side, cfg, cfg.side_max_width_ratio * (right - left), caption_text)
    # A side column with room for a column of text (the second column of plans on a landscape
    # page: a caption column is a strip at the page's edge), or that holds lines of text (too long or too wide for a caption,
    # sentences: more than one over the document, as one sentence among captions stays apart),
    # is a column of text, not captions.
    max_width = cfg.side_max_width_ratio * (right - left)
    sides = [s for s in main if side(s)]
    prose = _columns([s for s in sides if not caption_text(s) or s.x1 - s.x0 > max_width], cfg)
    rulings = {p.number: p.rulings for p in pages}
    widths = {p.number: p.width for p in pages}
    landscape = {p.number: p.width > p.height for p in pages}
    for s in sides:
        if s.size > cfg.side_max_size_ratio * body_size:
            continue
        # the room a side column has: from its start to the page's right edge, or (left of the
        # body) from the page's left edge to the main column
        room = widths[s.page] - s.x0 if s.x0 >= right else left
        if (landscape[s.page] and room >= cfg.side_text_room_ratio * widths[s.page]) \
                or sum(n for col, n in prose if _in_column(s, col, cfg)) >= cfg.side_text_min_lines:
            continue
        if _table_cell(s, left, right, rulings[s.page], cfg):
            continue
        if caption_text(s) and place.caption_like(s, by_page[s.page]):
            s.kind = "caption"
            s.placed = True

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
                    s.placed = True
                    edge = s.bottom


def _columns(segs: list[_Seg], cfg: PdfSettings) -> list[tuple[_Seg, int]]:
    """Segments grouped by where they start (within ``side_margin_em``) and their type: for
    each group a segment spanning it (its first start, its furthest end) and how many."""
    groups: list[list[_Seg]] = []
    for s in sorted(segs, key=lambda s: (s.x0, s.size)):
        for g in groups[-3:]:  # sorted by start: a segment's group is among the last few
            if abs(g[0].x0 - s.x0) <= cfg.side_margin_em * s.size \
                    and _same_type(g[0].size, s.size, cfg.block_size_ratio):
                g.append(s)
                break
        else:
            groups.append([s])
    return [(_Seg(page=0, nchars=0, x0=g[0].x0, x1=max(t.x1 for t in g), size=g[0].size), len(g)) for g in groups]


def _in_column(s: _Seg, col: _Seg, cfg: PdfSettings) -> bool:
    """Does ``s`` start where the column does, or stand inside its width, in its type?"""
    margin = cfg.side_margin_em * min(s.size, col.size)
    return ((abs(s.x0 - col.x0) <= margin or col.x0 - margin <= s.x0 and s.x1 <= col.x1 + margin)
            and _same_type(s.size, col.size, cfg.block_size_ratio))


def _table_cell(s: _Seg, left: float, right: float, rulings: _Rulings, cfg: PdfSettings) -> bool:
    """A side line in a ruled table beside the body (the label cells of a 取組 | 内容 table): a
    vertical rule between it and the main column, and a row rule above or below it that runs
    from its cell into the main column (a frame round a caption runs along the caption only)."""
    lo, hi = (s.x1, left) if s.x1 <= left else (right, s.x0)
    if not rulings.between(lo, hi, s.top, s.bottom):
        return False
    em = s.size
    tol = cfg.rule_tolerance_pt
    mid = (s.top + s.bottom) / 2
    columns = [e for e in rulings.edges if min(lo, hi) - tol <= e[0] <= max(lo, hi) + tol and e[1] <= mid <= e[2]]
    spans = [(y, r0, r1) for y, r0, r1 in rulings.rows if r0 <= min(s.x0, lo) + em and r1 >= max(s.x1, hi) - em
             and any(e[1] - tol <= y <= e[2] + tol for e in columns)]  # meets the column rule
    return any(y <= s.top + tol or y >= s.bottom - tol for y, _r0, _r1 in spans)


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


class _SidePlace:
    """Is a side-column segment placed like a caption?  It must not be one line of a block
    whose other lines reach into the main column (a heading that starts at the page margin
    and wraps), and the side column it is part of must sit beside main-column text: a short
    heading line above the main column (``（奥多摩町）`` under the plan title) has nothing
    beside it.  A block as wide as a text column (more than ``max_width``) is a column of
    text, not captions (two columns of plans on a landscape page), and so is a block with a
    line that is no caption text (too long, a sentence).  Both answers hold for a whole run
    of linked lines, so each run is walked once."""

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
                    and _same_type(a.size, b.size, cfg.block_size_ratio)
                    and -cfg.overlap_em * em <= lower.top - upper.bottom <= gap_em * em):
                seen.add(id(b))
                run.append(b)
                todo.append(b)
    return run


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


def _caption_paras(block: _Block, cfg: PdfSettings, line_gap_em: float) -> list[_Para]:
    """The block's caption lines; with ``captions.join_wrapped``, a line that wraps inside a
    narrow column is joined to the next (same full-line rule as body text), unless vertical
    space wider than the block's line gap stands between them (two captions stacked)."""
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

    # Vertical space between two captions stacked in one column: wider than the line gap.
    def spaced(a: _Line, b: _Line) -> bool:
        return (b.top - a.bottom) / a.size > line_gap_em + cfg.paragraph_gap_em

    for ln in block.lines:
        if out and prev is not None and cfg.join_captions and full(prev, ln) and not spaced(prev, ln):
            left = out[-1].parts[-1][0]
            out[-1].join(_Para(page=ln.page, parts=[(ln.text, ln.boxes)]), bool(left and _wrap_space(left, ln.text)))
        else:
            para = _Para(page=ln.page, parts=[(ln.text, ln.boxes)], placed=ln.placed)
            if out and prev is not None and not spaced(prev, ln):
                para.under, para.under_space = out[-1], _wrap_space(out[-1].text, ln.text)
            out.append(para)
        prev = ln
    return out


def _attach_captions(pages: list[_Page], paras: list[_Para], cfg: PdfSettings, usual_gap: float,
                     body_size: float, blocks_by_page: dict[int, list[_Block]] | None = None,
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
                      and _same_type(size, b.size, cfg.block_size_ratio))
    # The line gap of a wrapped caption: the body's for captions in the body's type (where
    # one-line captions stacked in a column show only the space between them), else the
    # captions' own.
    seen: Counter[float] = Counter(_gap_step((b2.top - b1.bottom) / b1.size, cfg)
                                   for b in blocks for b1, b2 in zip(b.lines, b.lines[1:], strict=False))
    own_gap = _line_gap(seen, cfg) if seen else usual_gap

    def line_gap(block: _Block) -> float:
        same_type = _same_type(block.size, body_size, cfg.block_size_ratio)
        return usual_gap if same_type else own_gap
    by_number = {p.number: p for p in pages}
    leader = _caption_groups(blocks, by_number, cfg)
    in_column = _column_predecessors(blocks, blocks_by_page or {}, line_para or {})
    continues = _continued_captions(blocks, by_number, cfg)
    loose: dict[int, list[_Para]] = defaultdict(list)
    targets: dict[int, int | None] = {}
    made: dict[int, list[_Para]] = {}
    for k, block in enumerate(blocks):  # a group's leader (its topmost block) comes first
        made[k] = _caption_paras(block, cfg, line_gap(block))
        prev = continues.get(k)
        if prev is not None and targets.get(prev) is not None:
            last, first = made[prev][-1], made[k][0]
            last.join(first, _wrap_space(last.text, first.text), same_block=False)
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
        targets[k] = target
        paras[target].captions.extend(made[k])
    for para in paras:
        para.captions.sort(key=lambda c: _first_box(c))
    for cap in (c for cs in made.values() for c in cs if c.placed):
        cap.beside = [_topmost_beside(parts, spans, paras) for parts, _space, _same in cap.visual_lines()]
    return loose


def _topmost_beside(parts: list[tuple[str, list]], spans: dict[int, list[tuple[float, float, int]]],
                    paras: list[_Para]) -> _Para | None:
    """The topmost body paragraph that a visual line stands level with (a label cell's row
    starts there), or None."""
    real = [b for _t, boxes in parts for b in boxes if b is not None]
    if not real:
        return None
    page, top, bottom = real[0][0], min(b[2] for b in real), max(b[4] for b in real)
    x0, x1 = min(b[1] for b in real), max(b[3] for b in real)
    level = [(stop, i) for stop, sbottom, i in spans[page] if min(bottom, sbottom) > max(top, stop)]
    if not level:
        return None

    def distance(i: int) -> float:  # horizontal, from the caption line to the paragraph's lines on its page
        xs = [(b[1], b[3]) for _t, boxes in paras[i].parts for b in boxes if b is not None and b[0] == page]
        return max(min(a for a, _ in xs) - x1, x0 - max(c for _, c in xs), 0.0)
    near = min(distance(i) for _s, i in level)
    return paras[min((stop, i) for stop, i in level if distance(i) <= near + 2 * (bottom - top))[1]]


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
                 and _same_type(a.size, b.size, cfg.block_size_ratio)]
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
    find = partial(_find, parent)

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
