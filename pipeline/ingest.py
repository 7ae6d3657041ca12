"""Read one input file into a RawDocument: sniff the type from content, decode, split lines.

Text: UTF-8 (with or without BOM), UTF-16 with BOM, or Shift_JIS/cp932; LF, CRLF or CR.
Detection is explicit and recorded; undecodable bytes are an error, never replaced.
PDF: handed to ``ingest_pdf`` (layout-aware, from pdfplumber's characters).
HTML: decoded as text, then its text taken out by ``ingest_html``.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .model import RawDocument, RawLine
from .rules import Rules

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# Magic numbers of types we are asked for but do not read (content, not file names, decides).
_UNSUPPORTED_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive"),  # refined by _zip_kind: docx, xlsx, pptx, odt, ...
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE container (doc, xls or ppt)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"\x7fELF", "an executable (ELF)"),
    (b"PAR1", "a Parquet file"),
    (b"ARROW1", "an Arrow/Feather file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
)

_UNSUPPORTED_HINT = "only text and PDF announcements are read"

# Inside a ZIP: the first member names tell Office and OpenDocument files apart.
_ZIP_KINDS = (
    ("word/", "a Word document (docx)"),
    ("xl/", "an Excel workbook (xlsx)"),
    ("ppt/", "a PowerPoint presentation (pptx)"),
)


def _zip_kind(data: bytes) -> str:
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            if "mimetype" in names:
                mime = zf.read("mimetype")[:100].decode("ascii", "replace").strip()
                return f"an OpenDocument file ({mime})" if mime else "an OpenDocument file"
    except Exception:  # damaged or only the head of the file: say what the magic number says
        return "a ZIP archive (docx, xlsx, pptx or zip)"
    for prefix, what in _ZIP_KINDS:
        if any(n.startswith(prefix) for n in names):
            return what
    return "a ZIP archive"


def _image_or_media_kind(data: bytes) -> str | None:
    """Container formats whose magic number is not at byte 0 alone."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "a WebP image"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
            return "a HEIF/AVIF image"
        return "an MP4/QuickTime media file"
    if data[:3] == b"BZh" and data[4:10] == b"1AY&SY":
        return "a bzip2 archive"
    if data[:2] == b"BM" and len(data) >= 14 and data[6:10] == b"\x00\x00\x00\x00":
        return "a BMP image"
    return None


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 50 * 1024 * 1024
    max_pages: int = 500
    timeout_seconds: float = 120.0


def doc_id_for(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def sniff(data: bytes) -> str:
    """The media type from content: application/pdf, text/plain, or raises InputError
    ("unsupported file type: <what it is>"). The file name plays no part."""
    for magic, what in _UNSUPPORTED_MAGIC:
        if data.startswith(magic):
            if what.startswith("a ZIP"):
                what = _zip_kind(data)
            raise InputError(f"unsupported file type: {what}", hint=_UNSUPPORTED_HINT)
    what = _image_or_media_kind(data)
    if what:
        raise InputError(f"unsupported file type: {what}", hint=_UNSUPPORTED_HINT)
    # PDF readers accept the header anywhere in the first 1024 bytes.
    if b"%PDF-" in data[:1024]:
        return "application/pdf"
    from .ingest_html import looks_like_html

    return "text/html" if looks_like_html(data) else "text/plain"


def read_document(path: str | Path, rules: Rules, limits: Limits | None = None,
                  data: bytes | None = None) -> RawDocument:
    path = Path(path)
    limits = limits or Limits()
    if data is None:
        data = _read_bytes(path, limits)
    media_type = sniff(data)
    doc_id = doc_id_for(data)
    if media_type == "application/pdf":
        from .ingest_pdf import read_pdf  # pdfplumber is heavy: import only for PDFs

        return read_pdf(str(path), data, doc_id, rules, limits)
    if path.suffix.lower() == ".pdf":
        try:
            what = f"{decode_text(data)[1]} text"
        except InputError:
            what = "binary data of an unknown type"
        raise InputError(f"named .pdf but is not a PDF: the content is {what}",
                         hint="rename it to .txt if it is an announcement")
    try:
        text, encoding = decode_text(data)
    except InputError:
        if _looks_binary(data):  # "save it as UTF-8" would be no help for a database or an image
            raise InputError("unsupported file type: binary data of an unknown type", hint=_UNSUPPORTED_HINT) from None
        raise
    if media_type == "text/html":
        from .ingest_html import html_text

        text = html_text(text)
    return RawDocument(path=str(path), doc_id=doc_id, media_type=media_type, encoding=encoding,
                       lines=split_lines(text))


# C0 controls other than tab, line breaks, form feed and escape: rare in text in any encoding.
_BINARY_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0c\x1b")


def _looks_binary(data: bytes) -> bool:
    """Whether bytes that are not valid text are binary data rather than text in a wrong or
    damaged encoding: a NUL, or more than 1% control bytes, in the first 8 KB."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False  # UTF-16 is full of NULs: damaged UTF-16 is still text
    head = data[:8192]
    controls = sum(head.count(b) for b in _BINARY_BYTES)
    return b"\x00" in head or controls > len(head) // 100


_FILE_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
               (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
               (stat.S_ISBLK, "a block device"))


def _read_bytes(path: Path, limits: Limits) -> bytes:
    """The file's bytes, refusing what is not a regular file (a FIFO would block, a device
    never end) and reading at most the size limit plus one byte (the file may grow)."""
    try:
        st = path.stat()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", hint="check the path") from None
    if not stat.S_ISREG(st.st_mode):
        what = next((name for test, name in _FILE_KINDS if test(st.st_mode)), "not a regular file")
        raise InputError(f"not a regular file: it is {what}", hint="give a text or PDF file")
    limit = limits.max_file_bytes

    def too_big(size: str) -> InputError:
        return InputError(f"file is {size} bytes, over the limit of {limit} ({limit / 1048576:g} MB)",
                          hint="raise it with --max-file-mb")

    if st.st_size > limit:
        raise too_big(str(st.st_size))
    try:
        with open(path, "rb") as fh:
            data = _read_at_most(fh, limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", hint="check the file's permissions") from None
    if len(data) > limit:
        raise too_big("more than " + str(limit))
    return data


def _read_at_most(fh, size: int) -> bytes:
    """Up to ``size`` bytes in blocks: ``read(size)`` reserves the whole size up front, which
    fails for a large limit however small the file is."""
    blocks, total = [], 0
    while total < size:
        block = fh.read(min(1 << 20, size - total))
        if not block:
            break
        blocks.append(block)
        total += len(block)
    return b"".join(blocks)


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
