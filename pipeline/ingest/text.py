"""Text decoding: strict UTF-8 (with or without BOM), UTF-16 with BOM, Shift_JIS/cp932 when it
reads as Japanese; line breaks LF, CRLF or CR.
"""

from __future__ import annotations

import codecs
import re

from ..errors import InputError
from ..model import RawLine

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode strictly. Returns (text, encoding name as recorded in documents.encoding)."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", 3), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return _strict(data, "utf-16", 0), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("cp932")
            if _plausible_japanese(text):
                return text, "cp932"
        except UnicodeDecodeError:
            pass
        raise InputError(
            f"undecodable bytes at byte offset {utf8_error.start}: neither UTF-8 nor Shift_JIS/cp932",
            hint="save the file as UTF-8") from None


def _plausible_japanese(text: str) -> bool:
    """cp932 decodes many byte strings that are not Japanese text at all (0x80 is a
    character there): refuse a result with C1 controls, private-use characters, or mostly
    half-width katakana, which is what mis-decoded bytes look like."""
    if not text:
        return True
    bad = sum(1 for ch in text if "\x80" <= ch <= "\x9f" or "\ue000" <= ch <= "\uf8ff")
    halfwidth_kana = sum(1 for ch in text if "\uff61" <= ch <= "\uff9f")
    return bad == 0 and halfwidth_kana <= len(text) // 5


def _strict(data: bytes, encoding: str, base: int, hint: str = "save the file as UTF-8") -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"undecodable bytes at byte offset {base + exc.start} for {encoding}",
                         hint=hint) from None


def split_lines(text: str) -> tuple[RawLine, ...]:
    parts = _LINE_BREAK.split(text)
    if parts and parts[-1] == "":
        parts.pop()
    return tuple(RawLine(line_no=i + 1, text=t) for i, t in enumerate(parts))
