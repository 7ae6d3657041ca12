"""The paragraph joiner: a PDF's visual lines become logical lines. A line goes on from the one
it follows (its layout evidence, ``NormLine.layout``) when that line was full, or when it
finishes the measure label the line began, unless the grammar says it starts something new
(a marker, a header, a period, a bracketed line, a bulleted item) or the text so far cannot go on (a closed
title or period, a marker and its label) or either is page furniture. Each logical line says
whether a new block starts with it (``gap_above``), which segment reads as a blank line.

Lines the reader set apart by their place alone are read here too: ``repeated`` (text at a
furniture place) is a measure marker or furniture; ``side`` (placed like a caption) is a block
start, read before the paragraph it stands beside, or a caption, its wrapped lines joined.

Text and web pages carry no layout evidence: their lines are left as they are, and segment
reads their line breaks and blank lines. A text file broken at a fixed width shows it by its
line lengths; its lines that run to that width are marked ``wraps``.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace

from ..model import LayoutHint, LineLayout, NormDocument, NormLine
from ..rules import Rules
from . import grammar


@dataclass
class _Item:
    lines: list[NormLine]  # visual lines of one logical line (a caption or furniture line alone)
    after: list[int] = field(default_factory=list)  # items placed right after this one
    gap_above: bool | None = None
    raw: str = ""  # the lines' raw text as joined so far (the grammar asks it at every line)

    def __post_init__(self) -> None:
        self.raw = self.raw or self.lines[0].raw

    def add(self, line: NormLine) -> None:
        self.lines.append(line)
        self.raw += (" " if _space(line) else "") + line.raw


def join_wrapped_lines(doc: NormDocument, rules: Rules) -> NormDocument:
    """The document with wrapped visual lines joined (unchanged when no line has layout
    evidence). Lines are numbered again; diagnostics that name a line follow it."""
    if not any(ln.layout or ln.hint in _SET_APART for ln in doc.lines):
        return _hard_wraps(doc, rules)
    items: list[_Item] = []
    order: list[int] = []  # item indexes in reading order, except those placed after another
    item_of: dict[int, int] = {}  # visual line_no -> its item
    held: list[int] = []  # captions that stood between a bare marker and its label
    held_marker = -1
    marker_above = -1  # a marker the reader set apart (repeated, side), read as text: the item
    # markers from a side cell waiting for the paragraph of their row: its first line -> items,
    # and where each stood in reading order (if that paragraph never starts, they stay there)
    waiting: dict[int, list[int]] = {}
    stood: dict[int, int | None] = {}  # marker -> the item it came after in reading order
    for line in doc.lines:
        wrapped_from = _wrap_target(line, items, item_of, rules)
        if wrapped_from is not None:
            items[wrapped_from].add(line)
            item_of[line.line_no] = wrapped_from
            continue
        if line.hint in _SET_APART:
            line = _SET_APART[line.hint](line, rules)
            beside = line.layout.beside if line.layout is not None and line.hint is None else None
            if beside is not None:
                # a marker in the cell beside a paragraph (a table row): read before it
                items.append(_Item([line], gap_above=True))
                k = len(items) - 1
                item_of[line.line_no] = k
                first = _item_starting_with(beside, items, item_of)
                if first is not None:
                    order.insert(order.index(first), k)
                    _starts_row(items[k], items[first])
                else:
                    waiting.setdefault(beside, []).append(k)
                    stood[k] = order[-1] if order else None
                continue
            if line.hint is None:
                marker_above = len(items)
        elif line.hint is None and marker_above >= 0:
            # the reader gave no evidence across it: its label may go on ("…対応に係る" / "取組"),
            # and nothing before the marker goes on in the line under it
            above, marker_above = marker_above, -1
            if grammar.completes_label(items[above].raw, line.raw, rules):
                items[above].add(line)
                item_of[line.line_no] = above
                continue
            if line.layout is not None:
                line = replace(line, layout=replace(line.layout, follows=None))
        lay = line.layout
        if lay is None or line.hint is not None:
            items.append(_Item([line]))
            k = len(items) - 1
            last = order[-1] if order else -1
            if line.hint == LayoutHint.CAPTION and last >= 0 and items[last].lines[0].hint is None \
                    and grammar.is_bare_marker(items[last].raw, rules):
                held.append(k)  # never between a marker and the label on the next line
                held_marker = last
            else:
                order.append(k)
            item_of[line.line_no] = k
            continue
        target = item_of.get(lay.follows) if lay.follows is not None else None
        if target is not None and items[target].lines[-1].line_no == lay.follows \
                and _goes_on(items[target], line, rules):
            items[target].add(line)
            item_of[line.line_no] = target
            continue
        items.append(_Item([line], gap_above=not (target is not None and (lay.same_block or lay.after_full))))
        k = len(items) - 1
        item_of[line.line_no] = k
        for marker in waiting.pop(line.line_no, []):
            stood.pop(marker)
            order.append(marker)
            _starts_row(items[marker], items[k])
        order.append(k)
        if held:
            # after the marker's label: this paragraph, unless the label went onto the marker's line
            place = held_marker if not grammar.is_bare_marker(items[held_marker].raw, rules) else k
            items[place].after.extend(held)
            held = []
    if held:
        items[held_marker].after.extend(held)
    for marker, prev in stood.items():  # in the order they were met: each after the one before
        order.insert(order.index(prev) + 1 if prev is not None else 0, marker)
        for later in stood:
            if later != marker and stood[later] == prev:
                stood[later] = marker
    return _renumbered(doc, [items[k] for k in _flatten(order, items)])


def _hard_wraps(doc: NormDocument, rules: Rules) -> NormDocument:
    """Text broken at a fixed width says so by its line lengths: many lines of one length.
    Lines that long are marked ``wraps`` (their text goes on in the next line); nothing is
    joined, so every line keeps its number. Unchanged when no width stands out."""
    cells = [_cells(ln.raw.rstrip()) if ln.text else 0 for ln in doc.lines]
    lengths = Counter(c for c, ln in zip(cells, doc.lines, strict=True) if ln.text)
    if not lengths:
        return doc
    width, count = max(lengths.items(), key=lambda kv: (kv[1], kv[0]))
    if width < rules.hard_wrap_min_width or count < rules.hard_wrap_min_lines \
            or count < rules.hard_wrap_min_share * sum(lengths.values()):
        return doc
    # only lines at the width (a character pushed down or hanging): a longer line is a whole
    # paragraph of its own, not one the width broke
    near = range(width - 2 * rules.hard_wrap_tolerance, width + 2 * rules.hard_wrap_tolerance + 1)
    return replace(doc, lines=tuple(replace(ln, wraps=True) if ln.text and c in near else ln
                                    for c, ln in zip(cells, doc.lines, strict=True)))


def _cells(text: str) -> int:
    """The width of a line in a fixed-width layout: a full-width character takes two cells."""
    return sum(2 if unicodedata.east_asian_width(ch) in "FW" else 1 for ch in text)


def _repeated(line: NormLine, rules: Rules) -> NormLine:
    """A line the reader found at a furniture place in the body's type: a measure marker that
    recurs at the same height ("(3) (1)、(2)以外の取組" starting several pages), or one alone
    at the top of a page, is text that starts a block; anything else is furniture."""
    if grammar.is_marker_line(line.raw, rules) or grammar.is_bare_marker(line.raw, rules):
        return replace(line, hint=None, layout=LineLayout(None, False, False, False, False))
    return replace(line, hint=LayoutHint.FURNITURE)


def _side(line: NormLine, rules: Rules) -> NormLine:
    """A line the reader placed like a caption (a side column, under a picture) in the body's
    type: a measure marker, plan header, period or section label there (the label cells of a
    table: "(1) 多様な…", "計画の概要", "取組") is text that starts a block; anything else is a
    caption."""
    if grammar.starts_new_block(line.raw, rules) or grammar.is_bare_marker(line.raw, rules) \
            or grammar.is_section_label(line.text, rules):
        beside = line.layout.beside if line.layout else None
        return replace(line, hint=None, layout=LineLayout(None, False, False, False, False, beside))
    return replace(line, hint=LayoutHint.CAPTION, layout=None)


def _starts_row(cell: _Item, para: _Item) -> None:
    """A side cell read before the paragraph of its row starts the row's block: the paragraph
    goes on from it as from a line above ("計画期間" / "令和6年度～令和8年度")."""
    cell.gap_above, para.gap_above = para.gap_above, False


def _item_starting_with(line_no: int, items: list[_Item], item_of: dict[int, int]) -> int | None:
    """The item that starts with visual line ``line_no``, if one does yet."""
    k = item_of.get(line_no)
    return k if k is not None and items[k].lines[0].line_no == line_no else None


def _wrap_target(line: NormLine, items: list[_Item], item_of: dict[int, int], rules: Rules) -> int | None:
    """The item a caption line goes on from, if any: the reader saw it right under that
    item's last line in one caption block. It goes on from a wrapped line (the reader saw the
    one above full; in small type nothing else), and a line placed like a caption also from
    a marker or header read from a side cell (the cell's lines are its label) unless it
    starts a new block or the label is whole."""
    lay = line.layout
    if line.hint not in (LayoutHint.SIDE, LayoutHint.CAPTION) or lay is None or lay.follows is None:
        return None
    target = item_of.get(lay.follows)
    if target is None or items[target].lines[-1].line_no != lay.follows:
        return None
    item = items[target]
    if line.hint == LayoutHint.CAPTION:
        return target if lay.after_full else None  # small type: a caption's wrapped line
    if lay.after_full:
        return target if _goes_on(item, line, rules) else None
    if item.lines[0].hint is None and grammar.is_bare_marker(item.raw, rules):
        return None if grammar.is_bare_marker(line.raw, rules) else target  # "(3)" / "(1)、(2)以外の取組"
    if grammar.starts_new_block(line.raw, rules):
        return None
    if item.lines[0].hint is None:
        return None if grammar.cannot_continue(item.raw, rules) else target
    return None  # a caption line that ends short is one of its own (one row per caption line)


# Lines the reader set apart by their place alone, and how segment reads each.
_SET_APART = {LayoutHint.REPEATED: _repeated, LayoutHint.SIDE: _side}


def _goes_on(item: _Item, line: NormLine, rules: Rules) -> bool:
    lay = line.layout
    text = item.raw
    prev = item.lines[-1]
    if grammar.is_furniture(line.text, rules) or grammar.is_furniture(prev.text, rules):
        return False  # a page number or 別紙 written into the text is no part of a sentence
    if grammar.opens_item(line.text, rules):
        return False  # a bullet never starts a wrapped line (・ may not start a line at all)
    return ((not grammar.starts_block(line.raw, rules)
             or (lay.after_edge and grammar.marker_mid_sentence(text, line.raw, rules)))
            and not grammar.cannot_continue(text, rules)
            and (lay.after_full or grammar.completes_label(text, line.raw, rules)))


def _space(line: NormLine) -> bool:
    return bool(line.layout and line.layout.space)


def _flatten(order: list[int], items: list[_Item]) -> list[int]:
    out: list[int] = []

    def visit(k: int) -> None:
        out.append(k)
        for j in items[k].after:
            visit(j)

    for k in order:
        visit(k)
    return out


def _renumbered(doc: NormDocument, items: list[_Item]) -> NormDocument:
    lines: list[NormLine] = []
    new_no: dict[int, int] = {}
    offset = 0
    for item in items:
        line = _joined(item, len(lines) + 1, offset)
        for ln in item.lines:
            new_no[ln.line_no] = line.line_no
        lines.append(line)
        offset += len(line.text) + 1
    diagnostics = tuple(replace(d, line=new_no.get(d.line, d.line)) if d.line is not None else d
                        for d in doc.diagnostics)
    return replace(doc, lines=tuple(lines), diagnostics=diagnostics)


def _joined(item: _Item, line_no: int, offset: int) -> NormLine:
    first = item.lines[0]
    if len(item.lines) == 1:
        return replace(first, line_no=line_no, offset=offset, layout=None, gap_above=item.gap_above)
    raw, text = "", ""
    starts: list[int] = []
    ends: list[int] = []
    boxes: list = []
    for k, ln in enumerate(item.lines):
        if k and _space(ln):
            starts.append(len(raw))
            ends.append(len(raw) + 1)
            text += " "
            raw += " "
            boxes.append(None)
        starts.extend(len(raw) + s for s in ln.raw_start)
        ends.extend(len(raw) + e for e in ln.raw_end)
        text += ln.text
        raw += ln.raw
        boxes.extend(ln.char_boxes or (None,) * len(ln.raw))
    return NormLine(line_no=line_no, raw=raw, text=text, raw_start=tuple(starts), raw_end=tuple(ends),
                    offset=offset, page=first.page, char_boxes=tuple(boxes), hint=first.hint, layout=None,
                    gap_above=item.gap_above)

