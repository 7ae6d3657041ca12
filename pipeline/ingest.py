"""Read one input file into a RawDocument: sniff the type from content, decode, split lines.

Text: UTF-8 (with or without BOM), UTF-16 with BOM, or Shift_JIS/cp932; LF, CRLF or CR.
Detection is explicit and recorded; undecodable bytes are an error, never replaced.
PDF: handed to ``ingest_pdf`` (layout-aware, from pdfplumber's characters).
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .model import RawDocument, RawLine
from .rules import Rules

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# Magic numbers of types we are asked for but do not read (content, not file names, decides).
_UNSUPPORTED_MAGIC = (
    (b"PK\x03\x04", "a ZIP container (docx, xlsx, pptx or zip)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE container (doc, xls or ppt)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"{\\rtf", "an RTF document"),
)


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 50 * 1024 * 1024
    max_pages: int = 500
    timeout_seconds: float = 120.0


def doc_id_for(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def sniff(data: bytes) -> str:
    """The media type from content: application/pdf, text/plain, or raises InputError."""
    if b"%PDF-" in data[:1024]:
        return "application/pdf"
    for magic, what in _UNSUPPORTED_MAGIC:
        if data.startswith(magic):
            raise InputError(f"unsupported file type: {what}", hint="only text and PDF announcements are read")
    return "text/plain"


def read_document(path: str | Path, rules: Rules, limits: Limits | None = None,
                  data: bytes | None = None) -> RawDocument:
    path = Path(path)
    limits = limits or Limits()
    if data is None:
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise InputError(f"cannot read file: {exc.strerror}") from None
        if size > limits.max_file_bytes:
            raise InputError(f"file is {size} bytes, over the limit of {limits.max_file_bytes}",
                             hint="raise it with --max-file-mb")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read file: {exc.strerror}") from None
    media_type = sniff(data)
    doc_id = doc_id_for(data)
    if media_type == "application/pdf":
        from .ingest_pdf import read_pdf  # pdfplumber is heavy: import only for PDFs

        return read_pdf(str(path), data, doc_id, rules, limits)
    if path.suffix.lower() == ".pdf":
        raise InputError("named .pdf but is not a PDF: the content looks like text",
                         hint="rename it to .txt if it is an announcement")
    text, encoding = decode_text(data)
    return RawDocument(path=str(path), doc_id=doc_id, media_type="text/plain", encoding=encoding,
                       lines=split_lines(text))


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


def _strict(data: bytes, encoding: str, base: int) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"undecodable bytes at byte offset {base + exc.start} for {encoding}",
                         hint="save the file as UTF-8") from None


def split_lines(text: str) -> tuple[RawLine, ...]:
    parts = _LINE_BREAK.split(text)
    if parts and parts[-1] == "":
        parts.pop()
    return tuple(RawLine(line_no=i + 1, text=t) for i, t in enumerate(parts))
