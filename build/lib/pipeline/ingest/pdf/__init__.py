"""PDF ingest: lines rebuilt from pdfplumber's characters. ``reader`` runs the stages:
characters to segments (``chars``), furniture, captions, body lines and blocks in reading
order (``blocks``), wrapped lines joined (``paragraphs``). Tolerances: rules/pdf.toml."""

from .reader import read_pdf

__all__ = ["read_pdf"]
