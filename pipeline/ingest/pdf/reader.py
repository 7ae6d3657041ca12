"""Read a PDF announcement into a RawDocument, rebuilt from pdfplumber's characters (or PDFium's:
``--pdf-engine pdfium``, see ``pdfium``).

Stages (thresholds in ``rules/pdf.toml``, read as ``rules.pdf``):

1. Per page (the page is closed as soon as its characters are copied): characters become
   *runs* (content-stream order, one baseline, no big gap), runs become *segments* (the text
   on one visual line between column gaps; text more than a word gap apart must share a
   baseline, and a vertical ruling line, such as a frame or table-cell border, always
   separates). ``(cid:N)`` glyphs are dropped and counted. The page's graphics are kept as
   hints: pictures, boxes and rules text may wrap around, table row borders.
2. Per document: *furniture* (page numbers that count with the pages, and running
   headers/footers in the top/bottom bands that stand above/below the page's text),
   *captions* (a font clearly smaller than the body, short lines in a side column, or short
   lines under a picture), and *body*. Body segments of one visual line become a line,
   unless a gutter between text columns or a ruling line separates them; vertically
   adjacent lines of one column become a block; blocks are put in reading order (XY-cut:
   table rows, then columns, then bands); each line says which line it may go on from
   (the one above in its block, or across a page break, cell by cell for a table row broken
   across pages) and whether that one was full; the reader groups them into paragraphs
   only to know where captions go. A line that ends at a text box or picture standing in
   its column wrapped there.
3. Emission, per page: header furniture, then the visual lines of each block in reading
   order, each with its layout evidence (``LineLayout``), and after the block where a
   paragraph ends the captions beside that paragraph (captions of one text box or photo
   column stay together; a caption inside one of several text columns follows the
   paragraph before it in that column), then footer furniture. Caption lines come one
   visual line each, a wrapped one with the line it wraps from (segment joins them: the
   reader joins no lines); one that is a caption by its place alone (a side column, under a
   picture) comes as ``side``, with the caption line above it and the paragraph it stands
   level with: a measure marker may stand there, and only segment's grammar can tell. The
   reader makes no announcement decision.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import replace

from ...errors import InputError
from ...model import CharBox, Diagnostic, LayoutHint, Limits, LineLayout, RawDocument, RawLine, Severity
from ...rule_files import PdfSettings
from ...rules import Rules
from .blocks import _blocks, _body_lines, _column_gaps, _right_edges, _usual_gap_em, _wrap_edges
from .captions import _attach_captions, _mark_captions
from .chars import _read_pages
from .furniture import _body_size, _mark_furniture
from .layout import _Block, _Line, _Page, _Para
from .paragraphs import _Follow, _paragraphs
from .pdfium import read_pages as read_pdfium_pages


def read_pdf(path: str, data: bytes, doc_id: str, rules: Rules, limits: Limits) -> RawDocument:
    """Read a PDF's text into logical lines with layout hints and per-character boxes."""
    cfg = rules.pdf
    logger = logging.getLogger("pdfminer")
    old_level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # PDFium may not open a file (damaged, encrypted, no pages): pdfplumber then says why,
            # in the same words whichever engine was asked for.
            pages = read_pdfium_pages(data, cfg, limits) if limits.pdf_engine == "pdfium" else None
            if pages is None:
                pages = _read_pages(data, cfg, limits)
    finally:
        logger.setLevel(old_level)

    diagnostics: list[Diagnostic] = []
    if not pages:
        raise InputError("PDF has no pages", status="failed")
    total_chars = sum(p.nchars for p in pages)
    total_unmapped = sum(p.unmapped for p in pages)
    total_sideways = sum(p.sideways for p in pages)
    if total_chars == 0 and total_sideways:
        raise InputError(f"PDF text is all rotated or vertical ({total_sideways} characters): not supported",
                         status="failed")
    if total_chars == 0 and total_unmapped == 0:
        raise InputError("PDF has no text layer: it looks scanned and needs OCR", status="no_text")
    if total_chars == 0:
        raise InputError(f"PDF text has no Unicode mapping ({total_unmapped} glyphs): it needs OCR",
                         status="no_text")
    for p in pages:
        if p.unmapped:
            diagnostics.append(Diagnostic(
                Severity.WARNING, "unmapped_glyphs",
                f"page {p.number}: {p.unmapped} glyph(s) without a Unicode mapping were dropped",
                page=p.number))
        if p.sideways:
            diagnostics.append(Diagnostic(
                Severity.WARNING, "rotated_text_skipped",
                f"page {p.number}: {p.sideways} character(s) of rotated or vertical text were not read",
                page=p.number))
        if p.nchars == 0 and p.unmapped == 0 and p.sideways == 0:
            diagnostics.append(Diagnostic(
                Severity.WARNING, "page_without_text",
                f"page {p.number}: no text layer (a scanned page?); its content is missing",
                page=p.number))

    lines = _layout(pages, cfg, rules)
    return RawDocument(path=path, doc_id=doc_id, media_type="application/pdf", encoding=None,
                       lines=tuple(lines), pages=len(pages), diagnostics=tuple(diagnostics))


def _layout(pages: list[_Page], cfg: PdfSettings, rules: Rules) -> list[RawLine]:
    _mark_furniture(pages, cfg)
    body_size = _body_size(pages, cfg)
    _mark_captions(pages, cfg, body_size, rules)

    blocks_by_page: dict[int, list[_Block]] = {}
    all_lines: dict[int, list[_Line]] = {}
    for p in pages:
        all_lines[p.number] = _body_lines([s for s in p.segs if s.kind == "body"], cfg, p.rulings)
        _wrap_edges(all_lines[p.number], p, cfg)
    usual_gap = _usual_gap_em(all_lines, cfg)
    column_gaps = _column_gaps(all_lines, cfg)
    for p in pages:
        blocks_by_page[p.number] = _blocks(all_lines[p.number], cfg, usual_gap, p.rulings.rows, column_gaps)
    _right_edges([b for bs in blocks_by_page.values() for b in bs], cfg)

    line_para: dict[int, int] = {}
    paras, follows = _paragraphs(pages, blocks_by_page, cfg, line_para)
    loose = _attach_captions(pages, paras, cfg, usual_gap, body_size, blocks_by_page, line_para)
    return _emit(pages, blocks_by_page, paras, line_para, loose, follows)


_FURNITURE = {"furniture": LayoutHint.FURNITURE, "repeated": LayoutHint.REPEATED}


def _emit(pages: list[_Page], blocks_by_page: dict[int, list[_Block]], paras: list[_Para],
          line_para: dict[int, int], loose: dict[int, list[_Para]], follows: dict[int, _Follow]) -> list[RawLine]:
    out: list[RawLine] = []
    line_no: dict[int, int] = {}  # id(visual line) -> its line_no

    def add(parts: list[tuple[str, list[CharBox | None]]], page: int, hint: LayoutHint | None,
            layout: LineLayout | None = None) -> None:
        text = ""
        boxes: list[CharBox | None] = []
        for t, b in parts:
            text += t
            boxes.extend(b)
        out.append(RawLine(line_no=len(out) + 1, text=text, page=page, char_boxes=tuple(boxes),
                           hint=hint, layout=layout))

    def add_line(ln: _Line) -> None:
        f = follows.get(id(ln))
        layout = LineLayout(None, False, False, False, False) if f is None else \
            LineLayout(line_no[id(f.line)], f.same_block, f.full, f.at_edge, f.space)
        add([(ln.text, ln.boxes)], ln.page, None, layout)
        line_no[id(ln)] = len(out)

    last_of: dict[int, int] = {}  # id(placed caption) -> line_no of its last visual line
    beside_of: dict[int, _Para] = {}  # index in out -> the paragraph that line stands beside

    def add_caption(cap: _Para) -> None:
        # one visual line each, with the line it wraps from (segment joins them); a caption by
        # its place alone also says which caption line stands right above it and where it stands
        hint = LayoutHint.SIDE if cap.placed else LayoutHint.CAPTION
        for k, (parts, space, same_block) in enumerate(cap.visual_lines()):
            if k:
                layout: LineLayout | None = LineLayout(len(out), same_block, True, True, space)
            elif not cap.placed:
                layout = None
            elif cap.under is not None and id(cap.under) in last_of:  # right under a caption line
                layout = LineLayout(last_of[id(cap.under)], True, False, False, cap.under_space)
            else:
                layout = LineLayout(None, False, False, False, False)
            if k < len(cap.beside) and cap.beside[k] is not None:
                beside_of[len(out)] = cap.beside[k]
            page = next((b[0] for _t, boxes in parts for b in boxes if b is not None), cap.page)
            add(parts, page, hint, layout)
        last_of[id(cap)] = len(out)

    for p in pages:
        furniture = sorted((s for s in p.segs if s.kind in _FURNITURE), key=lambda s: (s.top, s.x0))
        for s in furniture:
            if s.top < p.height / 2:
                add([(s.text, s.boxes)], s.page, _FURNITURE[s.kind])
        for cap in loose.get(p.number, []):
            add_caption(cap)
        # visual lines in reading order; the captions beside a paragraph after the block its
        # last line ends (segment reads a block as lines of one paragraph, as text: a caption
        # inside would cut a list of one name a line in two)
        for block in blocks_by_page[p.number]:
            captions = []
            for ln in block.lines:
                add_line(ln)
                para = paras[line_para[id(ln)]]
                if ln is para.lines[-1]:
                    captions.extend(para.captions)
            for cap in captions:
                add_caption(cap)
        for s in furniture:
            if s.top >= p.height / 2:
                add([(s.text, s.boxes)], s.page, _FURNITURE[s.kind])
    # which line a placed caption stands beside: known once every body line has its number
    for i, para in beside_of.items():
        first = line_no.get(id(para.lines[0])) if para.lines else None
        if first is not None and out[i].layout is not None:
            out[i] = replace(out[i], layout=replace(out[i].layout, beside=first))
    return out
