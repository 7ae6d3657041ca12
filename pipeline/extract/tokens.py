"""One Sudachi tokenizer per process, and a small token record.

Sudachi's default plugins rewrite input (runs of 〜, kana readings in parentheses), so
callers find brackets and offsets in the text itself and use tokens only to classify.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

# Sudachi rejects a single input above 49,149 bytes; stay well under it.
MAX_INPUT_BYTES = 40_000


@dataclass(frozen=True)
class Token:
    surface: str
    pos: tuple[str, ...]
    normalized: str


_TOKENIZER = None


def tokenizer():
    global _TOKENIZER
    if _TOKENIZER is None:
        from sudachipy import Dictionary, SplitMode  # heavy: load on first use

        # The tokenizer (split mode C by default) and the mode fine_tokens asks of it.
        _TOKENIZER = (Dictionary(dict="core").tokenizer(mode=SplitMode.C), SplitMode.A)
    return _TOKENIZER


@lru_cache(maxsize=65536)
def tokenize(text: str) -> tuple[Token, ...]:
    """Tokens of a short text (a program item, a clause); cached, since names repeat."""
    if not text:
        return ()
    if len(text.encode("utf-8")) > MAX_INPUT_BYTES:
        out: list[Token] = []
        step = MAX_INPUT_BYTES // 4
        for i in range(0, len(text), step):
            out.extend(tokenize(text[i:i + step]))
        return tuple(out)
    tok, _ = tokenizer()
    return tuple(Token(m.surface(), tuple(m.part_of_speech()), m.normalized_form()) for m in tok.tokenize(text))


@lru_cache(maxsize=16384)
def fine_tokens(text: str) -> tuple[Token, ...]:
    """Tokens of a short text in Sudachi's split mode A (the shortest units: ECサイト is EC and
    サイト, 中小企業 is 中小 and 企業), from the same tokenizer; for comparing program names
    word by word (pipeline.links). Only for names: longer texts are cut like ``tokenize``."""
    if not text:
        return ()
    if len(text.encode("utf-8")) > MAX_INPUT_BYTES:
        step = MAX_INPUT_BYTES // 4
        return tuple(t for i in range(0, len(text), step) for t in fine_tokens(text[i:i + step]))
    tok, mode = tokenizer()
    return tuple(Token(m.surface(), tuple(m.part_of_speech()), m.normalized_form())
                 for m in tok.tokenize(text, mode))
