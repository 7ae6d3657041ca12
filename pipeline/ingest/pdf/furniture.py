"""Page furniture: running headers and footers repeated at the same place, page numbers, and a
lone header on a one-page document.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict

from ...rule_files import PdfSettings
from .layout import _norm_key, _Page, _Seg

_NOT_TEXT = ("furniture", "repeated")


def _mark_furniture(pages: list[_Page], cfg: PdfSettings) -> None:
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
        # at the top of a page in the body's type it may be a bare measure marker ("（３）" with
        # its label on the next line): segment asks the grammar
        s.kind = "repeated" if top and s.size >= cfg.caption_size_ratio * body_size else "furniture"
    need = max(cfg.repeat_min_pages, cfg.repeat_ratio * len(pages))
    repeated: list[list[_Seg]] = []
    for segs in candidates.values():
        if len({s.page for s in segs}) < need:
            continue
        median_top = statistics.median(s.top for s in segs)
        near = [s for s in segs if abs(s.top - median_top) <= cfg.position_em * s.size]
        if len({s.page for s in near}) < need:
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
            # The same measure marker ("(3) (1)、(2)以外の取組") recurs in every plan, so it can
            # start several pages at the same height: in the body's type segment asks the grammar.
            body_type = all(t.size >= cfg.caption_size_ratio * body_size for t in near)
            s.kind = "repeated" if body_type else "furniture"
    _mark_lone_headers(pages, cfg, body_size)


def _mark_lone_headers(pages: list[_Page], cfg: PdfSettings, body_size: float) -> None:
    """A running header that repetition cannot show (a one-page document, a header on the
    first page only): text smaller than the body in the top band, above everything else on
    the page with a clear gap, and above where body-size text usually starts on a page (a
    caption carried to the top of a page is not)."""
    def body_text(s: _Seg) -> bool:
        return s.kind not in _NOT_TEXT and s.size >= cfg.caption_size_ratio * body_size

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
        rest = [s.top for s in p.segs if s.kind not in _NOT_TEXT and id(s) not in ids]
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
            if s.kind not in _NOT_TEXT:
                sizes[s.size] += s.nchars
    return sizes.most_common(1)[0][0] if sizes else cfg.default_body_size_pt
