"""A web page's lines, read from the tree lxml parses: what a reader of the page sees, with the
element each line comes from and what the layout says of it (furniture, caption).

- **Content.** The page's ``main`` element, or its content container (``rules/html.toml``
  [content]), is its content; the text outside it is furniture. Without one, the whole body
  is read, less the furniture below.
- **Furniture** (menus, the banner and footer, side columns, breadcrumbs, skip and page-top
  links, share and print widgets): its text becomes lines with the furniture hint, so that it
  is listed in the ``lines`` table (role furniture) and never becomes content. Elements that
  are no text at all (head, script, style, hidden ones) are left out and counted.
- **Lines.** Paragraph elements (p, h1–h6, lists, tables …) stand apart with a blank line
  before and after, as the paragraphs of a text announcement do; line elements (li, dt, dd,
  div, each table row …) start and end a line; ``br`` ends a line, two of them leave a blank
  line. Inline elements (span, a, strong …) never break a line, so they never break a name.
  White space collapses as a browser shows it, and a line break in the source between two
  Japanese characters is no space at all.
- **Tables.** A row whose cells hold only inline content is one line, its cells joined with a
  tab; a row whose cells hold paragraphs or tables is layout, and its cells are read as blocks.
- **Images.** The alt text of an image is read where the image stands. A line that holds alt
  text beside short text (or alone) carries the caption hint, as the lines of a figcaption do;
  beside longer text the alt text is left out. Icons are never read.

Every count of what was left out goes into the ``html_page`` diagnostic.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass

from ...model import LayoutHint
from ...rule_files import HtmlSettings

_WHITE = re.compile(r"[ \t\n\r\f]+")  # HTML's white space; U+3000 and U+00A0 are text
_XML_DECLARATION = re.compile(r"^\s*<\?xml\b[^>]*\?>")
_END_TAGS = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
_CELLS = ("td", "th")

CONTENT, OUTSIDE, FURNITURE, CAPTION = "content", "outside", "furniture", "caption"
OUTSIDE_REASON = "outside the content"
TEXT_REASON = "skip or page-top link"


@dataclass(frozen=True)
class PageLine:
    text: str  # "" for a blank line
    path: str | None
    hint: LayoutHint | None = None


@dataclass(frozen=True)
class Page:
    """What the reader saw: the lines, and the counts for the html_page diagnostic."""

    lines: tuple[PageLine, ...]
    content: str  # what was read as the content: "<main>", "#tmp_contents", "the whole body"
    furniture: tuple[tuple[str, int], ...]  # blocks dropped as furniture, by reason, in page order
    not_text: tuple[tuple[str, int], ...]  # elements left out as no text, by tag, in page order
    alts_left_out: tuple[tuple[str, int], ...]  # image alt texts not read, by why
    truncated: bool  # the source ends before </body> and </html>
    scripts: int
    frames: int
    noscript: str | None  # the first line of a <noscript>, when there is one
    stopped: str | None = None  # why the parser stopped before the end of the page, if it did

    @property
    def content_lines(self) -> int:
        return sum(1 for ln in self.lines if ln.text and ln.hint != LayoutHint.FURNITURE)


def read_page(text: str, settings: HtmlSettings) -> Page:
    from lxml import etree
    from lxml import html as lxml_html

    source = _XML_DECLARATION.sub("", text, count=1).replace("\x00", "")
    truncated = not _END_TAGS.search(source)
    try:
        # huge_tree: without it libxml2 stops at 256 levels and drops the rest of the page without
        # a word, and unclosed <font> tags of old pages nest that deep (the file size is limited).
        parser = lxml_html.HTMLParser(recover=True, huge_tree=True)
        root = lxml_html.document_fromstring(source, parser=parser)
    except (etree.ParserError, ValueError):  # nothing but white space and comments
        return Page((), "the whole body", (), (), (), truncated, 0, 0, None)
    # A fatal error (a limit of libxml2 such as 2048 levels of nesting) ends the parse there.
    stopped = next((f"{e.message} (source line {e.line}, column {e.column})" for e in parser.error_log
                    if e.level_name == "FATAL"), None)
    body = root.find("body")
    if body is None:
        body = root
    walker = _Walker(root, settings)
    # The walk recurses once per level: room for the page's depth (Python frames, not C stack).
    depth = level = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        level += 1 if event == "start" else -1
        depth = max(depth, level)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 2 * depth + 1000))
    try:
        roots, content = walker.content_roots(body)
        walker.walk(root, OUTSIDE if roots else CONTENT)  # from the root, so that the head is counted
    finally:
        sys.setrecursionlimit(limit)
    walker.out.finish()
    lines = walker.out.lines
    while lines and not lines[-1].text:
        lines.pop()
    return Page(tuple(lines), content, tuple((r, len(keys)) for r, keys in walker.units.items()),
                tuple(walker.not_text.items()), tuple(walker.out.alts_left_out.items()), truncated,
                sum(1 for _ in root.iter("script")), sum(1 for _ in root.iter("frame", "frameset", "iframe")),
                walker.noscript, stopped)


class _Walker:
    def __init__(self, root, settings: HtmlSettings):
        self.s = settings
        self.tree = root.getroottree()
        ids = Counter(el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id"))
        self.unique_ids = {k for k, n in ids.items() if n == 1}
        # Keyed by the elements themselves: lxml keeps one proxy per element while it is referenced,
        # whereas id() of a proxy that was let go may come back for another element.
        self.paths: dict[object, str] = {}
        self.roots: set[object] = set()
        self.units: dict[str, dict[object, None]] = {}  # reason -> blocks (element ids or paths), in page order
        self.not_text: Counter[str] = Counter()
        self.noscript: str | None = None
        self.out = _Lines(settings, self)

    # -- what an element is
    def hidden(self, el, tag: str) -> str | None:
        """Why the element is no text at all, or None."""
        if tag in self.s.not_text:
            return tag
        if el.get("hidden") is not None or self.s.hidden_style.search((el.get("style") or "").lower()) \
                or not self.s.hidden_classes.isdisjoint((el.get("class") or "").lower().split()):
            return "hidden"
        return None

    def furniture(self, el, tag: str, in_root: bool) -> str | None:
        """Why the element is page furniture, or None."""
        s = self.s
        if tag in s.furniture_tags:
            return tag
        if tag in s.landmarks and not in_root \
                and not any(isinstance(a.tag, str) and a.tag in s.landmark_scopes for a in el.iterancestors()):
            return tag
        role = (el.get("role") or "").strip().lower()
        if role in s.furniture_roles:
            return f'role="{role}"'
        patterns = s.furniture_names if in_root else s.furniture_names + s.page_names
        name = (el.get("id") or "").strip()
        if name and any(p.search(name.lower()) for p in patterns):
            return f"#{name}"
        for cls in (el.get("class") or "").split():
            if any(p.search(cls.lower()) for p in patterns):
                return f".{cls}"
        return None

    def content_roots(self, body) -> tuple[list, str]:
        """The elements that hold the page's content, and how they were found: the page's own
        main (tag, then role) when it holds enough of the text; else, of the containers named by
        id or class that do, the innermost (the one with the least text), so that #main inside
        #contents beside a side column wins, and so does #contents inside #main."""
        s = self.s
        elements = [el for el in body.iter() if isinstance(el.tag, str)]
        semantic = ([(f"<{t}>", lambda el, t=t: el.tag == t) for t in s.content_tags]
                    + [(f'role="{r}"', lambda el, r=r: (el.get("role") or "").strip().lower() == r)
                       for r in s.content_roles])
        named = ([(f"#{i}", lambda el, i=i: (el.get("id") or "").strip().lower() == i) for i in s.content_ids]
                 + [(f".{c}", lambda el, c=c: c in (el.get("class") or "").lower().split())
                    for c in s.content_classes])
        total = self._text_len(body)

        def qualifying(what, matches):
            found = [el for el in elements if matches(el) and not self._excluded(el) and self._has_text(el)]
            outermost = [el for el in found if not any(a in found for a in el.iterancestors())]
            size = sum(self._text_len(el) for el in outermost)
            # Not a container of that name around a part of the page only (the title, a box).
            return (outermost, what, size) if outermost and size >= s.content_min_share * total else None

        for what, matches in semantic:
            got = qualifying(what, matches)
            if got:
                self.roots = set(got[0])
                return got[0], got[1]
        groups = [g for g in (qualifying(what, matches) for what, matches in named) if g]
        if groups:
            # The least text; of equals (a side column that is furniture anyway), the deepest.
            roots, what, _ = min(groups, key=lambda g: (g[2], -sum(1 for _ in g[0][0].iterancestors())))
            self.roots = set(roots)
            return roots, what
        return [], "the whole body"

    def _excluded(self, el) -> bool:
        """Inside furniture or hidden: never the content, whatever its name."""
        for e in (el, *el.iterancestors()):
            tag = e.tag if isinstance(e.tag, str) else ""
            if self.hidden(e, tag) or self.furniture(e, tag, in_root=False):
                return True
        return False

    def _text_len(self, el) -> int:
        """How much text the element shows outside furniture (characters, white space left out)."""
        n = len("".join((el.text or "").split()))
        for child in el:
            if isinstance(child.tag, str) and not self.hidden(child, child.tag) \
                    and not self.furniture(child, child.tag, in_root=False):
                n += self._text_len(child)
            n += len("".join((child.tail or "").split()))
        return n

    def _has_text(self, el) -> bool:
        if el.text and el.text.strip():
            return True
        for child in el:
            if isinstance(child.tag, str) and not self.hidden(child, child.tag) and self._has_text(child):
                return True
            if child.tail and child.tail.strip():
                return True
        return False

    def path(self, el) -> str:
        """A short XPath: from the nearest ancestor with an id of its own, else from the root."""
        key = el
        if key not in self.paths:
            full = self.tree.getpath(el)
            short = full
            for anchor in (el, *el.iterancestors()):
                name = anchor.get("id")
                if name in self.unique_ids and not ('"' in name and "'" in name):
                    quoted = f"'{name}'" if '"' in name else f'"{name}"'
                    short = f"//*[@id={quoted}]" + full[len(self.tree.getpath(anchor)):]
                    break
            self.paths[key] = short
        return self.paths[key]

    def unit(self, reason: str, key: object) -> None:
        self.units.setdefault(reason, {})[key] = None

    # -- the walk
    def walk(self, el, mode: str, block=None, unit: tuple[str, object] | None = None, in_root: bool = False,
             in_row: bool = False, figure_caption: bool = False) -> None:
        tag = el.tag
        if not isinstance(tag, str):
            return  # a comment or processing instruction (its tail is read by the caller)
        out, s = self.out, self.s
        why = self.hidden(el, tag)
        if why:
            self.not_text[why] += 1
            return
        switched = False
        if el in self.roots and not in_row:
            mode, unit, in_root, switched = CONTENT, None, True, True
        elif mode != FURNITURE and not in_row:
            reason = self.furniture(el, tag, in_root)
            if reason:
                mode, unit, switched = FURNITURE, (reason, el), True
                self.unit(reason, el)
                if tag == "noscript" and self.noscript is None:
                    self.noscript = " ".join(el.text_content().split())[:80] or None
        if tag == "br":
            out.br(in_row)
            return
        if tag == "img":
            as_text = any(isinstance(a.tag, str) and a.tag in s.text_images_in for a in el.iterancestors())
            out.image(el, self.path(block if block is not None else el), mode, unit, figure_caption, as_text)
            return
        if tag == "tr" and not in_row and self._data_row(el):
            out.brk(1)
            first = True
            for cell in el:  # an empty or hidden cell adds no tab: _collapse drops empty cells
                if isinstance(cell.tag, str) and cell.tag in _CELLS and not first:
                    out.cell_break()
                first = first and not (isinstance(cell.tag, str) and cell.tag in _CELLS)
                self.walk(cell, mode, el, unit, in_root, in_row=True)
            out.brk(1)
            return
        level = 0 if in_row else (2 if tag in s.paragraphs else 1 if tag in s.lines else 0)
        if switched:
            level = 2
        if level:
            out.brk(level)
            block = el
        elif block is None:
            block = el
        if tag in s.captions and mode == CONTENT:
            mode = CAPTION
        if tag == "figure":
            figure_caption = any(isinstance(c.tag, str) and c.tag in s.captions for c in el.iter())
        pre = tag == "pre"
        path = self.path(block)
        if el.text:
            out.text(el.text, path, mode, unit, in_row, pre)
        for child in el:
            self.walk(child, mode, block, unit, in_root, in_row, figure_caption)
            if child.tail:
                out.text(child.tail, path, mode, unit, in_row, pre)
        if level:
            out.brk(level)

    def _data_row(self, tr) -> bool:
        """A row of two or more cells of text that hold inline content only (a few br allowed):
        one line. A cell with a paragraph, a table or many line breaks is layout."""
        s = self.s
        filled = pictured = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag not in _CELLS:
                continue
            if cell in self.roots:
                return False
            breaks = 0
            for e in cell.iterdescendants():
                if not isinstance(e.tag, str):
                    continue
                if e in self.roots or e.tag != "br" and (e.tag in s.paragraphs or e.tag in s.lines):
                    return False
                breaks += e.tag == "br"
            if breaks > s.row_cell_max_breaks:
                return False
            filled += self._has_text(cell)
            pictured += any(isinstance(e.tag, str) and e.tag == "img" for e in cell.iterdescendants())
        # A row of photos with their captions is layout: one caption a cell, not one line.
        return filled >= 2 and pictured < filled


class _Lines:
    """The lines as they are made: the pieces of the open line, and the breaks asked for."""

    def __init__(self, settings: HtmlSettings, walker: _Walker):
        self.s = settings
        self.walker = walker
        self.lines: list[PageLine] = []
        self.pieces: list[tuple[str, str]] = []  # (text, kind): kind is text, alt, pre or cell
        self.pending = 0  # 1: a line break before the next text; 2: a blank line
        self.path: str | None = None
        self.mode = CONTENT
        self.unit: tuple[str, object] | None = None
        self.alts_left_out: Counter[str] = Counter()
        self.alt_only: int | None = None  # index of the last line if it holds alt text only

    def _start(self, path: str | None, mode: str, unit) -> None:
        if self.pending == 2 and self.lines and self.lines[-1].text:
            self.lines.append(PageLine("", None))
        self.pending = 0
        self.path, self.mode, self.unit = path, mode, unit

    def text(self, text: str, path: str | None, mode: str, unit, in_row: bool = False, pre: bool = False) -> None:
        if pre and not in_row:
            parts = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            for k, part in enumerate(parts):
                if k:
                    self.br(False)
                if part.strip():
                    if not self.pieces:
                        self._start(path, mode, unit)
                    self.pieces.append((part, "pre"))
            return
        if not self.pieces:
            if not text.strip(" \t\n\r\f"):
                return
            self._start(path, mode, unit)
        self.pieces.append((text, "text"))

    def image(self, img, path: str | None, mode: str, unit, in_captioned_figure: bool, as_text: bool) -> None:
        alt = " ".join((img.get("alt") or "").split())
        if not alt:
            return
        s = self.s
        if in_captioned_figure:
            self.alts_left_out["in a figure with a caption"] += 1
            return
        sizes = [n for n in (_size(img.get("width")), _size(img.get("height"))) if n is not None]
        if (sizes and max(sizes) <= s.icon_max_px) or any(p.search(alt) for p in s.icon_alts):
            self.alts_left_out["icons"] += 1
            return
        if not self.pieces:
            self._start(path, mode, unit)
        self.pieces.append((alt, "text" if as_text else "alt"))

    def cell_break(self) -> None:
        if self.pieces:
            self.pieces.append(("\t", "cell"))

    def br(self, in_row: bool) -> None:
        if in_row:
            if self.pieces:
                self.pieces.append((" ", "text"))
        elif self.pieces:
            self._end()
        else:
            self.pending = 2

    def brk(self, level: int) -> None:
        if self.pieces:
            self._end()
        self.pending = max(self.pending, level)

    def finish(self) -> None:
        if self.pieces:
            self._end()

    def _end(self) -> None:
        pieces, self.pieces = self.pieces, []
        other = _collapse([p for p in pieces if p[1] != "alt"])
        alts = sum(1 for p in pieces if p[1] == "alt")
        hint = {FURNITURE: LayoutHint.FURNITURE, OUTSIDE: LayoutHint.FURNITURE,
                CAPTION: LayoutHint.CAPTION}.get(self.mode)
        if alts and len(other.replace("\t", "")) <= self.s.caption_beside_max_chars:
            text = _collapse(pieces)
            hint = hint or LayoutHint.CAPTION
        else:
            if alts:
                self.alts_left_out["beside longer text"] += alts
            text = other
        if not text.strip():  # only spaces (&nbsp;, U+3000): a blank line, as the page shows it
            self.pending = max(self.pending, 2)
            return
        if self.alt_only is not None and self.lines[self.alt_only].text == text and not alts:
            # An image's alt text that repeats the caption under it: the caption is read once.
            del self.lines[self.alt_only:]
            self.alts_left_out["repeats the caption beside it"] += 1
        self.alt_only = len(self.lines) if alts and not other.strip() else None
        walker, key = self.walker, self.path
        if self.mode == OUTSIDE:
            walker.unit(self.unit[0] if self.unit else OUTSIDE_REASON, self.unit[1] if self.unit else key)
        elif hint is None and any(p.search(text) for p in self.s.furniture_texts):
            hint = LayoutHint.FURNITURE
            walker.unit(TEXT_REASON, key)
        self.lines.append(PageLine(text, self.path, hint))


def _size(value: str | None) -> int | None:
    """A width or height attribute in pixels; a percentage or nothing is no size."""
    found = re.fullmatch(r"\s*([0-9]{1,6})\s*(?:px)?\s*", value or "")
    return int(found.group(1)) if found else None


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F", "H")


def _collapse(pieces: list[tuple[str, str]]) -> str:
    """The text of a line's pieces as a browser shows it: runs of white space are one space (a
    line break between two Japanese characters none), none at either end; cells are joined
    with a tab; pre pieces keep their spaces."""
    cells: list[list[tuple[str, str]]] = [[]]
    for piece in pieces:
        if piece[1] == "cell":
            cells.append([])
        else:
            cells[-1].append(piece)
    out = []
    for cell in cells:
        text, bounds, pos = [], set(), 0
        for part, kind in cell:
            if kind == "pre":
                part = part.replace("\t", " ")
            if kind in ("alt", "pre"):
                bounds.update((pos, pos + len(part)))
            text.append(part)
            pos += len(part)
        joined = "".join(text)

        def space(m: re.Match[str], s: str = joined, bounds: set[int] = bounds) -> str:
            a, b = m.start(), m.end()
            if ("\n" in m.group() or "\r" in m.group()) and 0 < a and b < len(s) \
                    and a not in bounds and b not in bounds and _wide(s[a - 1]) and _wide(s[b]):
                return ""
            return " "

        if any(kind == "pre" for _, kind in cell):
            cell_text = joined.strip(" \t\n\r\f")
        else:
            cell_text = _WHITE.sub(space, joined).strip(" ")
        if cell_text:
            out.append(cell_text)
    return "\t".join(out)
