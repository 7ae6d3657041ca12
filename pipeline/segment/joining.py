"""Lines joined as wrapped lines are: a space only between Latin words, and a map from each
character of the joined text back to its line.
"""

from __future__ import annotations

import re

from ..model import Joined, NormLine

_LATIN_END = re.compile(r"[A-Za-z0-9]$")


_LATIN_START = re.compile(r"^[A-Za-z0-9]")


def join_text(prev: str, nxt: str) -> str:
    """Two pieces of text joined as wrapped lines are: a space only between Latin words (a
    number broken over two lines, "上限10" / "0万円", is one number)."""
    return prev + (" " if _spaced(prev, nxt) else "") + nxt


def _spaced(prev: str, nxt: str) -> bool:
    return bool(prev and nxt and _LATIN_END.search(prev) and _LATIN_START.match(nxt)
                and not (prev[-1].isdigit() and nxt[0].isdigit()))


def join_lines(lines: list[NormLine] | tuple[NormLine, ...]) -> Joined:
    return join_parts([(line, 0) for line in lines])


def join_parts(parts: list[tuple[NormLine, int]]) -> Joined:
    """Join lines, each from a start index (a marker line contributes only its tail)."""
    text_parts: list[str] = []
    pos: list[tuple[NormLine, int] | None] = []
    prev = ""
    lines = [line for line, _ in parts]
    for line, first in parts:
        t = line.text[first:]
        if not t:
            continue
        if _spaced(prev, t):
            text_parts.append(" ")
            pos.append(None)
        text_parts.append(t)
        pos.extend((line, first + i) for i in range(len(t)))
        prev = t
    return Joined("".join(text_parts), tuple(pos), tuple(lines))
