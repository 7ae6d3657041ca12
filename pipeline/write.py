"""Write tables as Parquet (typed, explicit schema) and CSV (UTF-8 with BOM), atomically.

All files go to a temporary folder beside the output first; they replace the previous
output only once every one of them is written, so an interrupted run leaves the old tables.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import OutputError
from .tables import SCHEMA, Column

# OWASP: a cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _arrow_type(pa, col: Column):
    return {
        "string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
        "list": pa.list_(pa.string()),
    }[col.type]


def arrow_schema(table: str):
    import pyarrow as pa

    return pa.schema([pa.field(c.name, _arrow_type(pa, c)) for c in SCHEMA[table]])


def safe_cell(value: str) -> str:
    """Neutralize a formula trigger with a leading apostrophe, unless the text is a number."""
    if value.startswith(FORMULA_TRIGGERS):
        try:
            float(value)
            return value
        except ValueError:
            return "'" + value
    return value


def _csv_field(value, col: Column) -> str:
    if value is None:
        return ""
    if col.type == "bool":
        return "true" if value else "false"
    if col.type in ("int",):
        return str(int(value))
    if col.type == "float":
        return repr(float(value))
    if col.type == "list":
        value = "; ".join(value)
    text = safe_cell(str(value))
    # Every text cell is quoted, so codes like "011002" are visibly text.
    return '"' + text.replace('"', '""') + '"'


def write_csv(path: Path, table: str, rows: list[dict]) -> None:
    cols = SCHEMA[table]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        fh.write(",".join(c.name for c in cols) + "\r\n")
        for row in rows:
            fh.write(",".join(_csv_field(row.get(c.name), c) for c in cols) + "\r\n")


def write_parquet(path: Path, table: str, rows: list[dict]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(table)
    columns = {c.name: [row.get(c.name) for row in rows] for c in SCHEMA[table]}
    pq.write_table(pa.table(columns, schema=schema), path, compression="zstd")


def write_tables(tables: dict[str, list[dict]], out_dir: str | Path, extra_writers=()) -> list[Path]:
    """Write every table; replace the previous output only when all are written."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=out))
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the output folder: {exc.strerror}") from None
    try:
        written = []
        for name in SCHEMA:
            rows = tables.get(name, [])
            write_parquet(tmp / f"{name}.parquet", name, rows)
            write_csv(tmp / f"{name}.csv", name, rows)
            written += [f"{name}.parquet", f"{name}.csv"]
        for writer in extra_writers:
            written += writer(tables, tmp)
        for fname in written:
            os.replace(tmp / fname, out / fname)
        return [out / f for f in written]
    except OSError as exc:
        raise OutputError(f"{out}: cannot write the tables: {exc}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
