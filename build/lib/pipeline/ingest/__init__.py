"""Ingest: an input file's bytes to a RawDocument of lines, with the layout evidence the
reader saw. The type comes from the content (``sniff``); text is decoded strictly (``text``),
HTML is read block by block (``html``) and PDFs from their characters (``pdf``)."""

from ..model import Limits
from .read import doc_id_for, read_document
from .sniff import sniff
from .text import decode_text, split_lines

__all__ = ["Limits", "decode_text", "doc_id_for", "read_document", "sniff", "split_lines"]
