"""HTML announcements: the page's text, one paragraph per block element, read as text.

A block element (p, div, li, tr, h1 ...) ends a paragraph, which becomes a blank line, as in a
text announcement; <br> ends a line within one. Whitespace inside an element collapses to one
space, as a browser shows it; script, style and the head are not text. Line numbers then
count the lines of this text, not of the HTML source.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = frozenset("""address article aside blockquote caption center dd details dialog dir div dl dt
    fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main menu nav ol p pre
    section summary table tbody td tfoot th thead tr ul""".split())
_HIDDEN = frozenset(("head", "script", "style", "template", "noscript", "title"))
_SPACE = re.compile(r"[ \t\r\n\f]+")  # HTML's white space; U+3000 is text


def looks_like_html(head: bytes) -> bool:
    """Whether a file starts as an HTML page does (after a BOM, blank space and comments)."""
    text = head[:1024].decode("utf-8", "ignore").lstrip("\ufeff \t\r\n")
    while text.startswith("<!--"):
        end = text.find("-->")
        if end < 0:
            return False
        text = text[end + 3:].lstrip()
    return bool(re.match(r"<(?:!doctype\s+html|html[\s>])", text, re.IGNORECASE))


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        self._tag(tag, opening=True)

    def handle_startendtag(self, tag, attrs):
        self._tag(tag, opening=True, void=True)

    def handle_endtag(self, tag):
        self._tag(tag, opening=False)

    def _tag(self, tag: str, *, opening: bool, void: bool = False) -> None:
        if tag in _HIDDEN and not void:
            self.hidden = max(0, self.hidden + (1 if opening else -1))
        elif tag == "br":
            self._end_line()
        elif tag in _BLOCKS:
            self._end_paragraph()

    def handle_data(self, data):
        if not self.hidden:
            self.current.append(_SPACE.sub(" ", data))

    def _end_line(self) -> None:
        self.lines.append("".join(self.current).strip(" "))
        self.current = []

    def _end_paragraph(self) -> None:
        if "".join(self.current).strip(" "):
            self._end_line()
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def text(self) -> str:
        self.close()
        self._end_paragraph()
        return "\n".join(self.lines).strip("\n") + "\n"


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return parser.text()
