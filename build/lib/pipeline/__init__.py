"""Regional industry plan announcements into tables. ``pipeline.load`` reads them back."""

from __future__ import annotations


def load(folder="output") -> dict:
    """The tables of an output folder as ``{table name: pandas DataFrame}``, typed from
    ``SCHEMA``; see ``pipeline.output.frames.load_tables``. Raises ``NotFoundError`` for a folder
    or table that is not there, ``UnreadableTableError`` for a damaged one (both in
    ``pipeline.errors``, both ``PipelineError``)."""
    from .output.frames import load_tables

    return load_tables(folder)
