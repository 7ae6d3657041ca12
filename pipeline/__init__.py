"""Regional industry plan announcements into tables. ``pipeline.load`` reads them back."""

from __future__ import annotations


def load(folder="output") -> dict:
    """The tables of an output folder as ``{table name: pandas DataFrame}``, typed from
    ``SCHEMA``; see ``pipeline.frames.load_tables``. Raises ``NotFoundError`` for a folder
    or table that is not there, ``UnreadableTableError`` for a damaged one (both in
    ``pipeline.errors``, both ``PipelineError``)."""
    from .frames import load_tables  # pandas and pyarrow only when asked for

    return load_tables(folder)
