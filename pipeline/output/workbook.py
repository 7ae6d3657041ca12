"""``workbook.xlsx``: the tables an analyst browses as sheets, plus a データ辞書 sheet made from
SCHEMA.

The sheets are documents, plans, measures, programs, captions, diagnostics and program_links. ``lines`` and
``keywords`` (most of the rows, and no reading for a spreadsheet) stay in the Parquet and CSV
files; the データ辞書 still describes them. Written with XlsxWriter in constant-memory mode
(each row goes to disk as it is written), after the tables, from the Parquet files just
written, batch by batch: memory stays flat however many documents there are.

An extra writer for ``write_tables``: it writes into the temporary folder, and the file
replaces the previous one together with the CSV and Parquet files. The workbook records a
digest of the tables it shows; when the previous output's workbook has the same digest it
is taken over as it is, not written again.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from pathlib import Path

from ..tables import EXCEL_CELL_LIMIT, SCHEMA, excel_length
from .write import GENERATOR, link_or_copy, needs_formula_guard

FILE_NAME = "workbook.xlsx"
# The sheets, in this order; the other tables are in Parquet and CSV only.
SHEETS = ("documents", "plans", "measures", "programs", "captions", "diagnostics", "program_links")
DICTIONARY_SHEET = "データ辞書"
DICTIONARY_HEADER = ("表", "列", "日本語名", "型", "説明", "説明（英語）")
# Excel refuses longer cell text: a longer one is cut and ends with the marker (the full
# text is in the CSV and Parquet files; diagnostics has a cell_over_excel_limit row).
MAX_CELL_CHARS = EXCEL_CELL_LIMIT
TRUNCATED_MARKER = "…［Excelの上限を超えるため以下省略。全文はCSV・Parquetにあります］"
TEXT_FORMAT = "@"  # Excel's Text number format: what is typed into the cell stays text too
MIN_WIDTH, MAX_WIDTH = 6, 60
# XlsxWriter stores a column width with the padding Excel adds (about 0.71 of a character).
_WIDTH_PADDING = 0.72
FIXED_TIME = b"2000-01-01T00:00:00Z"  # document dates in docProps/core.xml: the same bytes every run
_FIXED_DATETIME = datetime.datetime(2000, 1, 1, 0, 0, 0)
# Widths are estimated from at most this many rows per sheet: enough to see the shape.
WIDTH_SAMPLE_ROWS = 500
# Control characters XML 1.0 cannot hold (XlsxWriter would write them as _xHHHH_ escapes).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
DIGEST_PROPERTY = "pipeline_tables_sha256"
_DIGEST = re.compile(rb'name="' + DIGEST_PROPERTY.encode() + rb'"[^>]*><vt:lpwstr>([0-9a-f]{64})</vt:lpwstr>')
# What a workbook is made from besides the tables: this module's code.
WRITER_VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


class WorkbookSheets:
    """The extra writer of ``workbook.xlsx``: nothing per document; at ``close`` (the tables
    are complete in the temporary folder) the workbook is written from their Parquet files,
    or the previous one taken over when the tables it shows are the same."""

    def __init__(self, tmp: Path, out: Path | None = None):
        self.tmp = Path(tmp)
        self.previous = Path(out) / FILE_NAME if out is not None else None
        self.reused = False

    def add(self, doc) -> None:
        pass

    def close(self) -> list[str]:
        digest = tables_digest(self.tmp)
        target = self.tmp / FILE_NAME
        if self.previous is not None and recorded_digest(self.previous) == digest:
            link_or_copy(self.previous, target)
            self.reused = True
        else:
            write_sheets(target, {name: _parquet_rows(self.tmp / f"{name}.parquet") for name in SHEETS},
                         digest, self.tmp)
        return [FILE_NAME]


def write_workbook(tables: dict[str, list[dict]], out_dir: Path) -> list[str]:
    """The workbook of whole tables (rows as dicts) in ``out_dir``."""
    rows = {name: _dict_rows(tables.get(name, []), [c.name for c in SCHEMA[name]]) for name in SHEETS}
    write_sheets(Path(out_dir) / FILE_NAME, rows, "", Path(out_dir))
    return [FILE_NAME]


def _dict_rows(rows: list[dict], names: list[str]) -> Iterable[list]:
    return ([row.get(n) for n in names] for row in rows)


def tables_digest(folder: Path) -> str:
    """Of the Parquet files of the sheets' tables (byte-identical for the same rows) and
    this writer."""
    digest = hashlib.sha256(WRITER_VERSION.encode())
    for name in SHEETS:
        digest.update(b"\0" + name.encode() + b"\0" + (folder / f"{name}.parquet").read_bytes())
    return digest.hexdigest()


def recorded_digest(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as z:
            found = _DIGEST.search(z.read("docProps/custom.xml"))
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    return found.group(1).decode() if found else None


def _parquet_rows(path: Path) -> Iterable[list]:
    import pyarrow.parquet as pq

    with open(path, "rb") as fh:
        # One thread: pyarrow's reader threads could abort the process at its exit.
        for batch in pq.ParquetFile(fh).iter_batches(batch_size=8192, use_threads=False):
            yield from map(list, zip(*(col.to_pylist() for col in batch.columns), strict=True))


def write_sheets(path: Path, rows: dict[str, Iterable[list]], digest: str, tmpdir: Path) -> None:
    """One sheet per table of ``rows`` (values in SCHEMA's order) and the データ辞書 sheet."""
    import xlsxwriter  # only when a workbook is written

    wb = xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "tmpdir": str(tmpdir),
        # Text is text: never a formula, a number or a link because of what it starts with.
        "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
    })
    try:
        # The creator marks the pipeline's own workbook: a run replaces only such a one.
        wb.set_properties({"author": GENERATOR, "created": _FIXED_DATETIME})
        if digest:
            wb.set_custom_property(DIGEST_PROPERTY, digest)
        styles = _Styles(wb)
        for name, values in rows.items():
            cols = SCHEMA[name]
            _add_sheet(wb, styles, name, [c.ja for c in cols], values, [c.type for c in cols])
        dictionary = [[name, c.name, c.ja, c.type, c.ja_desc, c.en] for name, cols in SCHEMA.items() for c in cols]
        _add_sheet(wb, styles, DICTIONARY_SHEET, list(DICTIONARY_HEADER), dictionary, ["string"] * len(DICTIONARY_HEADER))
    finally:
        wb.close()


class _Styles:
    def __init__(self, wb):
        self.bold = wb.add_format({"bold": True})
        self.text = wb.add_format({"num_format": TEXT_FORMAT})
        # quote_prefix: the cell is text whatever it starts with, shown and kept as written, so
        # a value such as =SUM(A1) is never run; Excel writes it so for an apostrophe typed first.
        self.guarded = wb.add_format({"num_format": TEXT_FORMAT, "quote_prefix": True})


def _add_sheet(wb, styles: _Styles, title: str, header: list[str], values: Iterable[list], types: list[str]) -> None:
    """One sheet: bold header, frozen and filtered; ``types[k]``: SCHEMA's type of column k."""
    ws = wb.add_worksheet(title)
    ws.freeze_panes(1, 0)
    ws.write_row(0, 0, header, styles.bold)
    widths = [display_width(label) + 3 for label in header]  # +3: the filter button
    text = [t in ("string", "list") for t in types]
    lists = [t == "list" for t in types]
    flags = [t == "bool" for t in types]
    write_string, write_number, write_boolean = ws.write_string, ws.write_number, ws.write_boolean
    plain, guarded = styles.text, styles.guarded
    r = 0
    for r, row in enumerate(values, start=1):
        sample = r <= WIDTH_SAMPLE_ROWS
        for k, v in enumerate(row):
            if v is None:
                continue
            if text[k]:
                v = fit_cell("; ".join(v) if lists[k] else str(v))
                write_string(r, k, v, guarded if needs_formula_guard(v) else plain)
            elif flags[k]:
                write_boolean(r, k, v)
            else:
                write_number(r, k, v)
            if sample:
                widths[k] = max(widths[k], display_width(str(v)))
    ws.autofilter(0, 0, r, max(len(header), 1) - 1)
    for k, width in enumerate(widths):
        ws.set_column(k, k, min(max(width + 1, MIN_WIDTH), MAX_WIDTH) - _WIDTH_PADDING)


def fit_cell(text: str) -> str:
    """The text without what XML cannot hold (control characters), cut to Excel's limit
    with a visible marker when it is longer."""
    if not text.isprintable():
        text = _ILLEGAL.sub("", text)
    if excel_length(text) <= MAX_CELL_CHARS:
        return text
    budget = MAX_CELL_CHARS - len(TRUNCATED_MARKER)
    cut = text[:budget]
    while (excess := excel_length(cut) - budget) > 0:  # characters outside the BMP count two
        cut = cut[:len(cut) - excess]
    return cut + TRUNCATED_MARKER


def display_width(text: str) -> int:
    """Columns the text takes in a spreadsheet: wide (CJK) characters count two."""
    text = text[:MAX_WIDTH * 2]
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
