"""Gutters narrower than a column gap. A label cell and the text beside it, or two columns of
plans set close, can stand 1 to 2 em apart on one baseline, and the character runs make one
segment of them. Where such a gap recurs at one x down a stretch of the page that no text runs
across, it is a gutter between columns: the segments are cut there, and the cut pieces are
never joined into one line again (``_Seg.after_gutter``)."""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import replace

from ...rule_files import PdfSettings
from .layout import _same_type, _Seg, _split_seg, _v_overlap


def _cut_at_gutters(segs: list[_Seg], cfg: PdfSettings) -> list[_Seg]:
    """The page's segments, cut at the gutters they bridge."""
    gaps = sorted(((s, lo, hi) for s in segs for lo, hi in _wide_gaps(s, cfg.gutter_min_em * s.size)),
                  key=lambda g: g[2])
    cuts: dict[int, list[tuple[float, float]]] = {}
    for group in _aligned(gaps, cfg):
        for run, starts in _runs(group, segs, cfg):
            if _is_gutter(run, starts, cfg):
                for s, lo, hi in run:
                    cuts.setdefault(id(s), []).append((lo, hi))
    if not cuts:
        return segs
    out: list[_Seg] = []
    for s in segs:
        piece = s
        for lo, hi in sorted(cuts.get(id(s), []), reverse=True):  # right to left: the left piece is cut again
            parts = _split_seg(piece, lo, hi, cfg.gutter_min_em * s.size)
            if parts is None:
                continue
            out.append(replace(parts[1], after_gutter=True))
            piece = replace(parts[0], after_gutter=piece.after_gutter)
        out.append(piece)
    out.sort(key=lambda s: (s.top, s.x0))
    return out


def _wide_gaps(s: _Seg, min_gap: float) -> list[tuple[float, float]]:
    """Gaps of at least ``min_gap`` between neighbouring characters of ``s``. A space glyph
    fills its gap: a space typed in ("…（江東区）　【計画期間…】") sets text apart on one line."""
    boxes = [b for b in s.boxes if b is not None]
    return [(a[3], b[1]) for a, b in zip(boxes, boxes[1:], strict=False) if b[1] - a[3] >= min_gap]


def _aligned(gaps: list[tuple[_Seg, float, float]], cfg: PdfSettings) -> list[list[tuple[_Seg, float, float]]]:
    """Gaps after which the text starts at one x (sorted by that x)."""
    groups: list[list[tuple[_Seg, float, float]]] = []
    for g in gaps:
        if groups and g[2] - groups[-1][0][2] <= cfg.gutter_align_em * g[0].size:
            groups[-1].append(g)
        else:
            groups.append([g])
    return groups


def _runs(group: list[tuple[_Seg, float, float]], segs: list[_Seg],
          cfg: PdfSettings) -> list[tuple[list[tuple[_Seg, float, float]], int]]:
    """The group's lines in stretches down the page that no other text crosses between, each
    with how many other lines of its stretch start where the text after the gaps starts (the
    column's left edge, shown by lines that need no cutting)."""
    lo = max(g[1] for g in group)
    hi = min(g[2] for g in group)
    if hi <= lo:
        return []
    members = {id(s) for s, _lo, _hi in group}
    crossing = sorted(s.top for s in segs if id(s) not in members and _covers(s, lo, hi))

    def stretch(s: _Seg) -> int:
        return bisect.bisect_left(crossing, s.top)

    runs: dict[int, list[tuple[_Seg, float, float]]] = {}
    for g in sorted(group, key=lambda g: g[0].top):
        runs.setdefault(stretch(g[0]), []).append(g)
    x = max(g[2] for g in group)
    size = group[0][0].size

    def opens_line(s: _Seg) -> bool:  # nothing left of it on its baseline (a column's line)
        return not any(t is not s and t.x1 <= s.x0 < t.x1 + (cfg.column_gap_em + 1) * s.size
                       and _v_overlap(t.top, t.bottom, s.top, s.bottom) >= cfg.same_line_overlap for t in segs)

    starts = Counter(stretch(s) for s in segs if id(s) not in members
                     and abs(s.x0 - x) <= cfg.gutter_align_em * s.size
                     and _same_type(s.size, size, cfg.block_size_ratio) and opens_line(s))
    return [(run, starts[k]) for k, run in runs.items()]


def _covers(s: _Seg, lo: float, hi: float) -> bool:
    """Does a visible character of ``s`` stand in lo..hi (text running across a gutter)?"""
    return any(b is not None and not ch.isspace() and b[1] < hi and b[3] > lo
               for ch, b in zip(s.text, s.boxes, strict=True))


def _is_gutter(run: list[tuple[_Seg, float, float]], starts: int, cfg: PdfSettings) -> bool:
    """A column shows: a line of its own starts where the gapped lines' right parts do and
    the lines add up to more than gutter_min_lines, or the gapped lines alone are at least
    gutter_min_run_lines (a second column that is the shorter one has every line level with
    one of the first: a field label and its value, 1 em on, are a line or two); and the text
    left of the gap is wider than a hanging marker ("(1)" then a tab to its label)."""
    shown = starts >= 1 and len(run) + starts > cfg.gutter_min_lines
    if not shown and len(run) < cfg.gutter_min_run_lines:
        return False
    return max(lo - s.x0 for s, lo, _hi in run) >= cfg.gutter_min_left_em * max(s.size for s, _lo, _hi in run)
