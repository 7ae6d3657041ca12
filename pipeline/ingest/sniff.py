"""The type of an input from its content, never from its name: text, PDF, HTML, or an
unsupported kind (Office files, images, archives, web archives, binary data) named in the error.
"""

from __future__ import annotations

import codecs
import re

from ..errors import InputError

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


_UNSUPPORTED_HINT = "only text, PDF and HTML announcements are read"


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


def _web_archive_kind(head: bytes) -> str | None:
    """A page saved as one file with its images: MHTML ('Web page, single file') or Safari's
    web archive (a binary property list)."""
    if head.startswith(b"bplist00") and b"WebMainResource" in head:
        return "a Safari web archive (.webarchive)"
    if re.search(rb"(?im)^MIME-Version:", head) and b"multipart/related" in head.lower():
        return "a web archive (MHTML, saved as 'Web page, single file')"
    return None


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
    what = _web_archive_kind(data[:4096])
    if what:
        raise InputError(f"unsupported file type: {what}",
                         hint="save the page from the browser as 'Web page, complete' or 'HTML only'")
    # PDF readers accept the header anywhere in the first 1024 bytes.
    if b"%PDF-" in data[:1024]:
        return "application/pdf"
    from .html import looks_like_html

    return "text/html" if looks_like_html(data) else "text/plain"


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
