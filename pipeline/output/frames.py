"""The output tables as pandas DataFrames, typed from SCHEMA (``pipeline.load``)."""

from __future__ import annotations

from pathlib import Path

from ..errors import NotFoundError, UnreadableTableError
from ..tables import SCHEMA


def load_tables(folder: str | Path = "output") -> dict:
    """``{table: DataFrame}`` for every table in SCHEMA, read from the Parquet files.

    Text (codes and IDs included) is pandas' ``string`` dtype, so leading zeros stay;
    integers are ``Int64`` and floats ``Float64`` (empty cells are ``pd.NA`` rather than a
    float NaN that would turn a whole column into floats); booleans ``boolean``; list
    columns hold Python lists of strings (or None). A folder or table that is not there
    raises NotFoundError; a damaged file, UnreadableTableError."""
    folder = Path(folder)
    if not folder.is_dir():
        raise NotFoundError(f"{folder}: no such output folder (run `python -m pipeline run` first)")
    return {name: _frame(folder / f"{name}.parquet", name) for name in SCHEMA}


def _frame(path: Path, table: str):
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not path.is_file():
        raise NotFoundError(f"{path}: table not found (run `python -m pipeline run` into {path.parent})")
    try:
        data = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:  # a damaged or foreign file
        raise UnreadableTableError(f"{path}: cannot read the table: {exc}") from None
    missing = [c.name for c in SCHEMA[table] if c.name not in data.column_names]
    if missing:
        raise NotFoundError(f"{path}: no column {', '.join(missing)} (written by another pipeline "
                            "version? run it again)")
    frame = data.select([c.name for c in SCHEMA[table]]).to_pandas()
    for c in SCHEMA[table]:
        # Cast even when the file's pandas metadata did: files from older versions lack it.
        if c.type == "list":  # an object column even when the table is empty
            frame[c.name] = pd.Series(data.column(c.name).to_pylist(), index=frame.index, dtype=object)
        else:
            frame[c.name] = frame[c.name].astype(c.pandas_dtype)
    return frame
