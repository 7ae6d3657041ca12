"""``workbook.xlsx``: every table as a sheet, plus a データ辞書 sheet made from SCHEMA.

An extra writer for ``write_tables``: it writes into the temporary folder, and the file
replaces the previous one together with the CSV and Parquet files.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from pathlib import Path

from ..tables import EXCEL_CELL_LIMIT, SCHEMA, Column, excel_length
from .write import GENERATOR, needs_formula_guard

FILE_NAME = "workbook.xlsx"
DICTIONARY_SHEET = "データ辞書"
DICTIONARY_HEADER = ("表", "列", "日本語名", "型", "説明", "説明（英語）")
# Excel refuses longer cell text: a longer one is cut and ends with the marker (the full
# text is in the CSV and Parquet files; diagnostics has a cell_over_excel_limit row).
MAX_CELL_CHARS = EXCEL_CELL_LIMIT
TRUNCATED_MARKER = "…［Excelの上限を超えるため以下省略。全文はCSV・Parquetにあります］"
TEXT_FORMAT = "@"  # Excel's Text number format: what is typed into the cell stays text too
MIN_WIDTH, MAX_WIDTH = 6, 60
FIXED_TIME = b"2000-01-01T00:00:00Z"  # document dates in docProps/core.xml (see deterministic)
# Widths are estimated from at most this many rows per sheet: enough to see the shape.
WIDTH_SAMPLE_ROWS = 500


def write_workbook(tables: dict[str, list[dict]], out_dir: Path) -> list[str]:
    from openpyxl import Workbook  # heavy: only when a workbook is written

    # write_only streams rows; it still writes freeze panes, autofilter and column widths
    # as long as they are set before the first row is appended.
    wb = Workbook(write_only=True)
    wb.properties.creator = GENERATOR  # a run replaces only a workbook that says it is one of its own
    try:
        for name, cols in SCHEMA.items():
            rows = tables.get(name, [])
            values = [[_value(row.get(c.name), c) for c in cols] for row in rows]
            _add_sheet(wb, name, [c.ja for c in cols], values, [c.type in ("string", "list") for c in cols])
        dictionary = [[name, c.name, c.ja, c.type, c.ja_desc, c.en] for name, cols in SCHEMA.items() for c in cols]
        _add_sheet(wb, DICTIONARY_SHEET, list(DICTIONARY_HEADER), dictionary, [True] * len(DICTIONARY_HEADER))
        buf = io.BytesIO()
        wb.save(buf)
    except BaseException:  # Ctrl-C too: see _abandon
        _abandon(wb)
        raise
    (Path(out_dir) / FILE_NAME).write_bytes(deterministic(buf.getvalue()))
    return [FILE_NAME]


def _abandon(wb) -> None:
    """Close the sheets of a workbook whose writing was cut short (an error, Ctrl-C).

    A write-only sheet streams its rows through generators into a temporary file. Left to
    the garbage collector, they are closed after that file, fail to write their closing
    tags, and Python prints "Exception ignored ... Traceback" for each after the run's own
    one-line message. Closed here, while the file is open, they end quietly."""
    for ws in wb.worksheets:
        for close in (getattr(ws._rows, "close", None), getattr(ws._writer, "close", None)):
            try:
                if close is not None:
                    close()
            except Exception:  # the workbook is discarded; the first error is the one raised
                pass


def deterministic(xlsx: bytes) -> bytes:
    """The same tables give the same bytes, like the CSV and Parquet files: openpyxl stamps
    the save time into docProps/core.xml and every zip entry, so both are fixed here."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + FIXED_TIME, body)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), body,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _add_sheet(wb, title: str, header: list[str], values: list[list], text: list[bool]) -> None:
    """One sheet: bold header, frozen and filtered; ``text[k]``: column k holds text."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    last = get_column_letter(max(len(header), 1))
    ws.auto_filter.ref = f"A1:{last}{len(values) + 1}"
    for k, label in enumerate(header):
        sample = (str(v[k]) for v in values[:WIDTH_SAMPLE_ROWS] if v[k] is not None)
        width = max([display_width(label) + 3, *(display_width(s) for s in sample)])  # +3: filter button
        ws.column_dimensions[get_column_letter(k + 1)].width = min(max(width + 1, MIN_WIDTH), MAX_WIDTH)
    bold = Font(bold=True)
    cells = []
    for label in header:
        cell = WriteOnlyCell(ws, value=label)
        cell.font = bold
        cells.append(cell)
    ws.append(cells)
    plain, guarded = _text_style(ws, False), _text_style(ws, True)
    for row in values:
        ws.append([_text_cell(ws, v, guarded if needs_formula_guard(v) else plain) if is_text and v is not None
                   else v for v, is_text in zip(row, text, strict=True)])


def _text_style(ws, quote_prefix: bool):
    """The style of a text cell, made once per sheet and shared by every such cell (setting
    it cell by cell through openpyxl's properties costs a look-up per cell; cells written
    in write-only mode are never restyled, so sharing is safe)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value="")
    cell.number_format = TEXT_FORMAT
    # quotePrefix: the cell is text whatever it starts with, shown and kept as written, so
    # a value such as =SUM(A1) is never run; Excel writes it so for an apostrophe typed first.
    cell.quotePrefix = quote_prefix
    return cell._style


def _text_cell(ws, text: str, style):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"  # openpyxl takes a string starting with = for a formula
    cell._style = style
    return cell


def _value(value, col: Column):
    """A Python value as the workbook cell holds it: text stays text (codes keep zeros)."""
    if value is None:
        return None
    if col.type == "list":
        value = "; ".join(value)
    if col.type in ("int", "float", "bool"):
        return value
    return fit_cell(str(value))


def fit_cell(text: str) -> str:
    """The text without what XML cannot hold (control characters), cut to Excel's limit
    with a visible marker when it is longer."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", text)
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
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
