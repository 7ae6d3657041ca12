"""The encoding of a web page: a BOM, else the charset the page declares, else a strict sniff.

Accepted: UTF-8 (with or without BOM), UTF-16 with BOM, Shift_JIS/cp932 and EUC-JP, which older
Japanese government sites use. The declaration is read from ``<meta charset>``, the http-equiv
Content-Type or an XML declaration in the first bytes (``rules/html.toml`` [charset]).

Two cases where the declaration is not followed, each with an info diagnostic:
- the page is valid UTF-8 with non-ASCII text but declares Shift_JIS or EUC-JP: a page saved
  again as UTF-8 that kept its old declaration (real Shift_JIS or EUC-JP text with kana is never
  valid UTF-8);
- the bytes are not valid in the declared encoding, or the name is not one of ours: sniffed.
Undecodable bytes are an error naming their offset, never replaced.
"""

from __future__ import annotations

import codecs
import re

from ...errors import InputError
from ...model import Diagnostic, Severity
from ...rule_files import HtmlSettings
from ..text import _plausible_japanese
from ..text import _strict as _strict_text

_META = re.compile(rb"<meta\b[^>]*?\bcharset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"^\s*<\?xml\b[^>]*?\bencoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def declared_charset(head: bytes) -> str | None:
    """The charset name the page declares (lower case), or None."""
    found = _META.search(head) or _XML_DECLARATION.search(head)
    return found.group(1).decode("ascii").lower() if found else None


def decode_html(data: bytes, settings: HtmlSettings) -> tuple[str, str, tuple[Diagnostic, ...]]:
    """(text, encoding as documents.encoding records it, info diagnostics)."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", 3), "utf-8-sig", ()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", 0), "utf-16", ()
    declared = declared_charset(data[:settings.charset_scan_bytes])
    decoder = settings.charset_names.get(declared) if declared else None
    notes: list[Diagnostic] = []

    def note(message: str) -> None:
        notes.append(Diagnostic(Severity.INFO, "html_charset", message))

    if declared and decoder is None:
        note(f"the page declares charset={declared}, which is not read here (UTF-8, Shift_JIS and "
             "EUC-JP are); its encoding was sniffed instead")
    elif decoder:
        if decoder != "utf-8" and not data.isascii() and _is_utf8(data):
            note(f"the page declares charset={declared} but is UTF-8 (saved again without its "
                 "declaration changed); read as UTF-8")
            return data.decode("utf-8"), "utf-8", tuple(notes)
        try:
            return _decode(data, decoder), decoder, tuple(notes)
        except UnicodeDecodeError as exc:
            note(f"the page declares charset={declared} but its bytes at offset {exc.start} are not "
                 f"{decoder}; its encoding was sniffed instead")
    text, encoding = _sniff(data)
    return text, encoding, tuple(notes)


def _sniff(data: bytes) -> tuple[str, str]:
    """UTF-8, then EUC-JP, then Shift_JIS/cp932. EUC-JP comes before cp932: EUC-JP bytes
    mostly decode as cp932 too (as half-width katakana), while Shift_JIS kana are never EUC-JP."""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        for decoder in ("euc-jp", "cp932"):
            try:
                text = _decode(data, decoder)
            except UnicodeDecodeError:
                continue
            if _plausible_japanese(text):
                return text, decoder
        raise InputError(
            f"undecodable bytes at byte offset {utf8_error.start}: neither UTF-8, EUC-JP nor Shift_JIS/cp932",
            hint="save the page as UTF-8") from None


def _decode(data: bytes, decoder: str) -> str:
    """Strict decoding. EUC-JP: Python's euc_jp, then EUC-JIS-2004, which also has the NEC
    row 13 characters (①, ㈱) that the Windows-made pages of the time hold."""
    if decoder != "euc-jp":
        return data.decode(decoder)
    try:
        return data.decode("euc_jp")
    except UnicodeDecodeError as first:
        try:
            return data.decode("euc_jis_2004")
        except UnicodeDecodeError:
            raise first from None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _strict(data: bytes, encoding: str, base: int) -> str:
    return _strict_text(data, encoding, base, hint="save the page as UTF-8")
