"""Body lines, blocks and reading order: segments joined into visual lines, lines into blocks of
one column, blocks ordered for reading (columns, table rows), and each block's right edge.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from functools import partial

from ...model import CharBox
from ...rule_files import PdfSettings
from .layout import _NO_RULINGS, _Block, _find, _Line, _Page, _Rulings, _same_type, _Seg, _v_overlap


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

    def distance(k: int, j: int) -> float:
        """Vertical space between visual lines k and j."""
        if j > k:
            return min(g.top for g in visual[j]) - max(g.bottom for g in visual[k])
        return min(g.top for g in visual[k]) - max(g.bottom for g in visual[j])

    def bridged(k: int, left: float, right: float, em: float) -> bool:
        """Does the nearest line below (else above, within 3 em) run across left..right?"""
        for j in (k + 1, k - 1):
            if 0 <= j < len(visual) and distance(k, j) <= cfg.side_near_em * em:
                return any(g.x0 <= left + em and g.x1 >= right - em for g in visual[j])
        return True

    def near(k: int, em: float) -> list[_Seg]:
        """The segments of the other lines within 3 em above or below line k."""
        return [g for j, vis in enumerate(visual) if j != k and distance(k, j) <= cfg.side_near_em * em
                for g in vis]

    def tabbed(k: int, s: _Seg, em: float) -> bool:
        """Text set off by a tab inside its column ("（１）計画期間　令和６年度～令和８年度"): no
        line near it starts where it does, and one runs past it."""
        around = near(k, em)
        return (not any(abs(g.x0 - s.x0) <= cfg.gutter_align_em * em for g in around)
                and any(g.x0 < s.x0 and g.x1 >= s.x1 for g in around))

    for k, vis in enumerate(visual):
        vis.sort(key=lambda s: s.x0)
        group = [vis[0]]
        for prev, s in zip(vis, vis[1:], strict=False):
            em = min(s.size, prev.size)
            gap = s.x0 - prev.x1
            split = s.after_gutter or (gap > 0 and rulings.between(prev.x1, s.x0, max(s.top, prev.top),
                                                                      min(s.bottom, prev.bottom)))
            if not split and gap >= cfg.column_gap_em * em:
                split = not bridged(k, prev.x1, s.x0, em) and not tabbed(k, s, em)
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
            if not _same_type(a.size, b.size, cfg.block_size_ratio):
                continue
            gap = (b.top - a.bottom) / a.size
            if -cfg.overlap_em <= gap <= cfg.line_gap_max_em:
                gaps[_gap_step(gap, cfg)] += 1
    return _line_gap(gaps, cfg) if gaps else cfg.default_line_gap_em


def _line_gap(gaps: Counter[float], cfg: PdfSettings) -> float:
    """The line gap of wrapped lines: the smallest gap that recurs (counted with its neighbour
    steps) nearly as often as the most common one. Paragraph spacing is always wider, and where
    most paragraphs are one line long it is the most common gap."""
    step = cfg.line_gap_step_em

    def near(g: float) -> int:
        return sum(n for h, n in gaps.items() if abs(h - g) <= step * 1.5)

    def peak(g: float) -> bool:  # the step its neighbours' counts gather at
        return gaps[g] == max(n for h, n in gaps.items() if abs(h - g) <= step * 1.5)

    top = max(near(g) for g in gaps)
    return min((g for g in gaps if peak(g) and near(g) >= max(cfg.line_gap_min_count, cfg.line_gap_min_share * top)),
               default=gaps.most_common(1)[0][0])


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
                if _same_type(a.size, b.size, cfg.block_size_ratio):
                    gap = (b.top - a.bottom) / a.size
                    if -cfg.overlap_em <= gap <= cfg.line_gap_max_em and abs(a.x0 - b.x0) < cfg.column_bucket_pt:
                        gaps[_column_key(a.x0, cfg)][_gap_step(gap, cfg)] += 1
                break
    return {key: _line_gap(c, cfg) for key, c in gaps.items() if sum(c.values()) >= 3}


def _blocks(lines: list[_Line], cfg: PdfSettings, usual_gap: float,
            rows: list[tuple[float, float, float]] | None = None,
            column_gaps: dict[int, float] | None = None) -> list[_Block]:
    blocks: list[_Block] = []
    for ln in lines:
        best = None
        for b in blocks:
            last = b.lines[-1]
            # (a short line that starts at the column's edge under an indented first line, "区）",
            # ends before the block starts, and is still its line)
            if ln.x0 >= last.x1 and ln.x0 >= b.max_x1 or b.x0 >= ln.x1 and b.x0 - ln.x0 > cfg.column_align_em * ln.size:
                continue
            if not _same_type(ln.size, last.size, cfg.block_size_ratio):
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
    find = partial(_find, parent)

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
                and _same_type(a.size, b.size, cfg.block_size_ratio))

    # An edge well inside the column (whose lines elsewhere run longer) that only some of a
    # block's lines reach, with nothing beside them that they could have wrapped at, is
    # chance: short list items of similar lengths. Such a block takes the column's edge.
    confirmed: set[tuple[float, float, float]] = set()  # (x0, right, size), rounded: a handful
    for b, every in own:
        wider = any(same_column(a, b) and a.max_x1 > b.right + cfg.inner_edge_factor * cfg.full_line_em * b.size
                    for a in blocks)
        # (two lines alone that end near each other show nothing more: a list item and the
        # caption glued under it)
        if (not every or len(b.lines) == 2) and wider and all(ln.wrap_right is None for ln in b.lines):
            pending.append(b)
        else:
            confirmed.add((round(b.x0, 1), round(b.right, 1), round(b.size, 1)))
    for b in pending:
        tol = cfg.full_line_em * b.size
        align = cfg.column_align_em * b.size

        def same(size: float, b: _Block = b) -> bool:
            return _same_type(size, b.size, cfg.block_size_ratio)

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
