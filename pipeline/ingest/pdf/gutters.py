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
from .layout import _Seg, _split_seg


def _cut_at_gutters(segs: list[_Seg], cfg: PdfSettings) -> list[_Seg]:
    """The page's segments, cut at the gutters they bridge."""
    gaps = sorted(((s, lo, hi) for s in segs for lo, hi in _wide_gaps(s, cfg.gutter_min_em * s.size)),
                  key=lambda g: g[2])
    cuts: dict[int, tuple[float, float]] = {}
    for group in _aligned(gaps, cfg):
        for run, starts in _runs(group, segs, cfg):
            if _is_gutter(run, starts, cfg):
                cuts.update((id(s), (lo, hi)) for s, lo, hi in run)
    if not cuts:
        return segs
    out: list[_Seg] = []
    for s in segs:
        parts = _split_seg(s, *cuts[id(s)], cfg.gutter_min_em * s.size) if id(s) in cuts else None
        out.extend([parts[0], replace(parts[1], after_gutter=True)] if parts else [s])
    out.sort(key=lambda s: (s.top, s.x0))
    return out


def _wide_gaps(s: _Seg, min_gap: float) -> list[tuple[float, float]]:
    """Gaps of at least ``min_gap`` between neighbouring visible characters of ``s``."""
    boxes = [b for ch, b in zip(s.text, s.boxes, strict=True) if b is not None and not ch.isspace()]
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
    starts = Counter(stretch(s) for s in segs if id(s) not in members
                     and abs(s.x0 - x) <= cfg.gutter_align_em * s.size)
    return [(run, starts[k]) for k, run in runs.items()]


def _covers(s: _Seg, lo: float, hi: float) -> bool:
    return any(b is not None and not ch.isspace() and b[1] < hi and b[3] > lo
               for ch, b in zip(s.text, s.boxes, strict=True))


def _is_gutter(run: list[tuple[_Seg, float, float]], starts: int, cfg: PdfSettings) -> bool:
    if len(run) + starts < cfg.gutter_min_lines:
        return False
    return max(lo - s.x0 for s, lo, _hi in run) >= cfg.gutter_min_left_em * max(s.size for s, _lo, _hi in run)
