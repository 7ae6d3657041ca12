"""Read one input file into a RawDocument: sniff the type from content, decode, split lines.

Text: UTF-8 (with or without BOM), UTF-16 with BOM, or Shift_JIS/cp932; LF, CRLF or CR.
Detection is explicit and recorded; undecodable bytes are an error, never replaced.
PDF: handed to ``ingest.pdf`` (layout-aware, from pdfplumber's characters).
HTML: ``ingest.html`` (its declared charset or a strict sniff; lxml; the lines a reader of the
page sees, furniture and captions hinted, each with its element's path).
"""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

from ..errors import InputError
from ..model import Limits, RawDocument
from ..rules import Rules
from .sniff import _UNSUPPORTED_HINT, _looks_binary, sniff
from .text import decode_text, split_lines


def doc_id_for(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def doc_id_for_path(path: str) -> str:
    """The doc_id of a file that could not be read: from its path (bytes of the name that are
    not UTF-8 included)."""
    return doc_id_for(path.encode("utf-8", "surrogateescape"))


def read_document(path: str | Path, rules: Rules, limits: Limits | None = None,
                  data: bytes | None = None) -> RawDocument:
    path = Path(path)
    limits = limits or Limits()
    if data is None:
        data = _read_bytes(path, limits)
    media_type = sniff(data)
    doc_id = doc_id_for(data)
    if media_type == "application/pdf":
        from .pdf.reader import read_pdf

        return read_pdf(str(path), data, doc_id, rules, limits)
    if path.suffix.lower() == ".pdf":
        try:
            what = f"{decode_text(data)[1]} text"
        except InputError:
            what = "binary data of an unknown type"
        raise InputError(f"named .pdf but is not a PDF: the content is {what}",
                         hint="rename it to .txt if it is an announcement")
    if media_type == "text/html":
        from .html import read_html

        return read_html(str(path), data, doc_id, rules)
    try:
        text, encoding = decode_text(data)
    except InputError:
        if _looks_binary(data):  # "save it as UTF-8" would be no help for a database or an image
            raise InputError("unsupported file type: binary data of an unknown type", hint=_UNSUPPORTED_HINT) from None
        raise
    return RawDocument(path=str(path), doc_id=doc_id, media_type=media_type, encoding=encoding,
                       lines=split_lines(text))


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
