"""Normalize lines: character repairs, NFKC (sparing structural characters), spaces.

Every normalized character keeps the span of raw characters it came from, so any value
cut from normalized text can be traced back to the source characters as written.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .model import Diagnostic, NormDocument, NormLine, RawDocument, Severity
from .rules import Rules

# Characters that compose with the one before them under NFKC (voiced sound marks).
_COMPOSING = frozenset("\u3099\u309a\uff9e\uff9f")
_LATIN = re.compile(r"[A-Za-z0-9]")
_MAX_MARKS = 30


def normalize_document(doc: RawDocument, rules: Rules) -> NormDocument:
    lines = []
    diagnostics = list(doc.diagnostics)  # ingest's own (PDF layout, ...) travel on
    offset = 0
    for raw_line in doc.lines:
        text, starts, ends, removed = normalize_line(raw_line.text, rules)
        if removed:
            diagnostics.append(Diagnostic(
                Severity.INFO, "control_chars_removed",
                f"removed {removed} control character(s) (NUL or similar) from the line",
                line=raw_line.line_no, page=raw_line.page))
        lines.append(NormLine(
            line_no=raw_line.line_no, raw=raw_line.text, text=text, raw_start=starts,
            raw_end=ends, offset=offset, page=raw_line.page, char_boxes=raw_line.char_boxes,
            hint=raw_line.hint, layout=raw_line.layout))
        offset += len(text) + 1
    if not any(line.text for line in lines):
        # Not a failure (the file was read), but say why there are no plans.
        what = ("the file is empty" if not any(ln.text for ln in doc.lines)
                else "the file is empty: it holds only whitespace or control characters")
        diagnostics.append(Diagnostic(Severity.WARNING, "empty_file", what))
    return NormDocument(raw=doc, lines=tuple(lines), diagnostics=tuple(diagnostics))


def normalize_text(text: str, rules: Rules) -> str:
    """The normalized form of one line of text (no provenance)."""
    return normalize_line(text, rules)[0]


def normalize_line(raw: str, rules: Rules) -> tuple[str, tuple[int, ...], tuple[int, ...], int]:
    """Normalize one line. Returns (text, raw_start, raw_end, control characters removed)."""
    table = _char_table(rules)
    fast = _fast_line(raw, table)
    if fast is not None:
        return fast
    return _slow_line(raw, table)


def _fast_line(raw: str, table: _CharTable) -> tuple[str, tuple[int, ...], tuple[int, ...], int] | None:
    """The common case at C speed: no character groups with the one before it, no control
    characters, and every character maps to exactly one character. Then each character is
    normalized on its own (memoized), so ``str.translate`` gives the same text as the
    per-character loop and the spans are the identity. None when the line needs the loop."""
    single = table.single
    for c in set(raw):
        if c not in single:
            table.learn(c)
        if single[c] is None:
            return None
    text = raw.translate(table.translation)
    n = len(raw)
    starts, ends = _identity_spans(n)
    if " " not in text:
        return text, starts, ends, 0
    keep = _space_keep_mask(list(text), table.japanese, table.leading_number)
    if all(keep):
        return text, starts, ends, 0
    kept = [k for k in range(n) if keep[k]]
    return "".join(text[k] for k in kept), tuple(kept), tuple(k + 1 for k in kept), 0


@lru_cache(maxsize=4096)
def _identity_spans(n: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    # Shared between lines of one length: tuples are immutable, and most lines map 1:1.
    return tuple(range(n)), tuple(range(1, n + 1))


def _slow_line(raw: str, table: _CharTable) -> tuple[str, tuple[int, ...], tuple[int, ...], int]:
    chars, starts, ends, removed = _map_chars(raw, table)
    keep = _space_keep_mask(chars, table.japanese, table.leading_number)
    text_chars, s_out, e_out = [], [], []
    for k, ch in enumerate(chars):
        if keep[k]:
            text_chars.append(ch)
            s_out.append(starts[k])
            e_out.append(ends[k])
    return "".join(text_chars), tuple(s_out), tuple(e_out), removed


def _map_chars(raw: str, table: _CharTable) -> tuple[list[str], list[int], list[int], int]:
    """Repairs, NFKC and post-repairs, character group by character group, before the space rules."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    removed = 0
    n = len(raw)
    i = 0
    while i < n:
        c = raw[i]
        j = i + 1
        # Pre-NFKC repairs (a few of them are combining marks, so map before grouping).
        c = table.pre.get(c, c)
        if c == "":
            i = j
            continue
        if unicodedata.category(c) == "Cc" and c != "\t":
            removed += 1
            i = j
            continue
        chunk = c
        # At most 30 marks per group (Unicode's stream-safe limit, UAX #15): NFKC reorders the
        # marks of a group, which is quadratic in their number on hostile input.
        while j < n and j - i <= _MAX_MARKS:
            # A dropped character (zero-width space, BOM, NUL) between a letter and its mark
            # does not split them: the result is what it would be without it (and a second
            # pass, which no longer sees it, gives the same text).
            k = j
            while k < n and _dropped(raw[k], table):
                k += 1
            if k == n or not (raw[k] in _COMPOSING or unicodedata.combining(raw[k])) or raw[k] in table.pre:
                break
            removed += sum(1 for d in raw[j:k] if table.pre.get(d, d) != "")
            chunk += raw[k]
            j = k + 1
        out = chunk if chunk in table.keep else table.nfkc(chunk)
        for o in out:
            o = table.post.get(o, o)
            if o.isspace():
                o = " "
            for oc in o:
                chars.append(oc)
                starts.append(i)
                ends.append(j)
        i = j
    return chars, starts, ends, removed


def _dropped(c: str, table: _CharTable) -> bool:
    """Removed by ``_map_chars``: repaired to nothing, or a control character other than tab."""
    m = table.pre.get(c, c)
    return m == "" or (len(m) == 1 and m != "\t" and unicodedata.category(m) == "Cc")


def _space_keep_mask(chars: list[str], japanese: re.Pattern[str], leading_number: bool = False) -> list[bool]:
    """Which characters survive the space rules: strip, collapse runs, and drop a space
    between Japanese and a lone Latin word (but not inside a Latin phrase, and, with
    ``leading_number``, not after a one- or two-digit number that starts the line)."""
    n = len(chars)
    keep = [True] * n
    # Strip and collapse.
    first = next((k for k in range(n) if chars[k] != " "), n)
    last = next((k for k in range(n - 1, -1, -1) if chars[k] != " "), -1)
    for k in range(n):
        if chars[k] == " " and (k < first or k > last or (k > 0 and chars[k - 1] == " ")):
            keep[k] = False
    survivors = [k for k in range(n) if keep[k]]
    pos = {k: idx for idx, k in enumerate(survivors)}
    text = [chars[k] for k in survivors]
    for k in survivors:
        if chars[k] != " ":
            continue
        idx = pos[k]
        if idx == 0 or idx == len(text) - 1:
            continue
        left, right = text[idx - 1], text[idx + 1]
        if leading_number and idx <= 2 and all(c.isdigit() and c.isascii() for c in text[:idx]):
            continue  # "1 創業の促進に係る取組": a marker, keep it apart
        if japanese.match(left) and _LATIN.match(right):
            if not _latin_phrase_continues(text, idx + 1, +1):
                keep[k] = False
        elif _LATIN.match(left) and japanese.match(right) and not unicodedata.combining(right):
            # (A space before a lone voiced mark stays: dropping it would put the mark on the
            # Latin letter, and normalizing again would then compose them.)
            if not _latin_phrase_continues(text, idx - 1, -1):
                keep[k] = False
    return keep


def _latin_phrase_continues(text: list[str], start: int, step: int) -> bool:
    """From a Latin character at ``start``, walk the word in direction ``step``; True when a
    single space and another Latin word follow it (a multi-word Latin phrase)."""
    k = start
    while 0 <= k < len(text) and (_LATIN.match(text[k]) or text[k] in "&'+.-"):
        k += step
    return (0 <= k < len(text) and text[k] == " " and 0 <= k + step < len(text)
            and bool(_LATIN.match(text[k + step])))


class _CharTable:
    def __init__(self, rules: Rules):
        self.pre = dict(rules.pre_nfkc)
        # Radical code points first go to their unified ideograph (NFKC misses part of the
        # CJK Radicals Supplement block).
        for k, v in rules.radicals.items():
            self.pre.setdefault(k, v)
        self.post = dict(rules.post_nfkc)
        self.keep = rules.keep_chars
        self.japanese = re.compile(rules.japanese_class)
        self.leading_number = rules.keep_space_after_leading_number
        # Memo for the fast path: character -> its one-character output, or None when a line
        # holding it must take the per-character loop; ``translation`` has the changed ones.
        self.single: dict[str, str | None] = {}
        self.translation: dict[int, str] = {}

    def learn(self, c: str) -> None:
        """Memoize what the per-character loop does with ``c`` standing alone."""
        out = None
        # A character that groups with the one before it needs the loop.
        if not (c in _COMPOSING or unicodedata.combining(c)) or c in self.pre:
            chars, _, _, removed = _map_chars(c, self)
            # One character out (no drop, no control character, no expansion like ㈱ -> (株)).
            if len(chars) == 1 and not removed:
                out = chars[0]
        self.single[c] = out
        if out is not None and out != c:
            self.translation[ord(c)] = out

    @staticmethod
    @lru_cache(maxsize=8192)
    def nfkc(chunk: str) -> str:
        return unicodedata.normalize("NFKC", chunk)


_TABLES: dict[str, _CharTable] = {}


def _char_table(rules: Rules) -> _CharTable:
    key = rules.hash + rules.directory
    table = _TABLES.get(key)
    if table is None:
        table = _TABLES[key] = _CharTable(rules)
    return table
