"""Web pages (HTML): recognized by their content, decoded (``charset``), parsed with lxml and read
as the lines a reader of the page sees (``page``), with the element each line comes from
(``RawLine.html_path``) and the furniture and caption hints. Which lines are plans is decided
later, as for text.

lxml (libxml2's HTML parser) because it is well kept, fast, reads broken and truncated markup
the way browsers mostly do, and gives each element's path (``getroottree().getpath``).
"""

from __future__ import annotations

import codecs
import re

from ...errors import InputError
from ...model import Diagnostic, LayoutHint, RawDocument, RawLine, Severity
from ...rules import Rules

_START = re.compile(r"<(?:!doctype\s+html|html|head|body|meta|title)[\s>/]", re.IGNORECASE)
_SAVE_AGAIN = "open the page in a browser, wait until it has loaded, and save it again (Web page, complete)"


def looks_like_html(head: bytes) -> bool:
    """Whether a file starts as an HTML page does: after a BOM, blank space, comments and an XML
    declaration, a doctype or an html, head, body, meta or title tag."""
    head = head[:2048]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", "ignore")
    else:
        text = head.decode("utf-8", "ignore")
    text = text.lstrip("\ufeff \t\r\n")
    while text.startswith(("<!--", "<?xml")):
        end = text.find("-->" if text.startswith("<!--") else "?>")
        if end < 0:
            return False
        text = text[end + (3 if text.startswith("<!--") else 2):].lstrip()
    return bool(_START.match(text))


def read_html(path: str, data: bytes, doc_id: str, rules: Rules) -> RawDocument:
    from .charset import decode_html
    from .page import read_page

    settings = rules.html
    text, encoding, notes = decode_html(data, settings)
    page = read_page(text, settings)
    if not page.content_lines:
        raise _no_text(page)
    lines = tuple(RawLine(line_no=k, text=ln.text, hint=ln.hint, html_path=ln.path)
                  for k, ln in enumerate(page.lines, start=1))
    diagnostics = [*notes, Diagnostic(Severity.INFO, "html_page", _accounting(page))]
    if page.stopped:
        diagnostics.append(Diagnostic(
            Severity.WARNING, "html_parse_stopped",
            f"the HTML parser stopped before the end of the page: {page.stopped}; the text after it is not read"))
    if page.truncated:
        last = next(ln for ln in reversed(lines) if ln.text)
        diagnostics.append(Diagnostic(
            Severity.WARNING, "html_truncated",
            f"the page ends before </body></html>: it looks cut off; its text was read up to its last "
            f"line: {last.text[:60]}", line=last.line_no))
    return RawDocument(path=path, doc_id=doc_id, media_type="text/html", encoding=encoding, lines=lines,
                       diagnostics=tuple(diagnostics))


def _accounting(page) -> str:
    """The html_page diagnostic: where the content was, and every block left out, counted."""
    furniture_lines = sum(1 for ln in page.lines if ln.text and ln.hint == LayoutHint.FURNITURE)
    blocks = sum(n for _, n in page.furniture)
    parts = [f"web page: content read from {page.content}"]
    if blocks:
        parts.append(f"{blocks} block(s) dropped as furniture ({_counts(page.furniture)}), their text kept "
                     f"as {furniture_lines} furniture line(s)")
    if page.not_text:
        parts.append(f"left out as no text: {_counts(page.not_text)}")
    if page.alts_left_out:
        parts.append(f"image alt texts not read: {_counts(page.alts_left_out)}")
    return "; ".join(parts)


def _counts(pairs) -> str:
    return ", ".join(f"{what} {n}" for what, n in pairs)


def _no_text(page) -> InputError:
    """A page with no text in its content: one line that says why, and what to do."""
    furniture = sum(1 for ln in page.lines if ln.text)
    if page.frames and not page.scripts:
        return InputError("web page without text of its own: its content is in frames (frameset or iframe)",
                          status="no_text", hint="open the frame's own page and save that")
    if furniture:
        what = f"web page with no content, only page furniture ({furniture} line(s) of menus, header or footer)"
    else:
        what = "web page whose body holds no text"
    if page.scripts:
        what += f": it is filled in by JavaScript ({page.scripts} script(s)"
        what += f"; its <noscript> says: {page.noscript})" if page.noscript else ")"
        return InputError(what, status="no_text", hint=_SAVE_AGAIN)
    return InputError(what, status="no_text", hint="check that the file is the page itself")
