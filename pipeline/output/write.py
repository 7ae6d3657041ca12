"""Write tables as Parquet (typed, explicit schema) and CSV (UTF-8 with BOM), atomically.

All files go to a temporary folder beside the output first; they replace the previous
output only once every one of them is written, so an interrupted run leaves the old tables.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path

from ..errors import OutputError, PipelineError
from ..tables import PIPELINE_VERSION, SCHEMA, TABLE_DESCRIPTIONS, Column

log = logging.getLogger("pipeline")

# OWASP: a cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _arrow_type(pa, col: Column):
    return {
        "string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
        "list": pa.list_(pa.string()),
    }[col.type]


def arrow_schema(table: str, rules_hash: str = ""):
    """The table's Arrow schema, with what a reader of the file alone needs to know: SCHEMA's
    descriptions, the pipeline version and the rules hash. Nothing that changes between
    runs over the same inputs (no time, no path), so the files stay byte-identical."""
    import pyarrow as pa

    fields = [pa.field(c.name, _arrow_type(pa, c), nullable=not c.key,
                       metadata={"name_ja": c.ja, "description_ja": c.ja_desc, "description_en": c.en})
              for c in SCHEMA[table]]
    ja, en = TABLE_DESCRIPTIONS[table]
    return pa.schema(fields, metadata={
        "pipeline.table": table, "pipeline.description_ja": ja, "pipeline.description_en": en,
        "pipeline.version": PIPELINE_VERSION, "pipeline.rules_hash": rules_hash,
        "pandas": _pandas_metadata(table),
    })


def _pandas_metadata(table: str) -> str:
    """pandas' own round-trip record (what ``DataFrame.to_parquet`` writes), naming nullable
    dtypes: without it pandas reads an int column holding an empty value as float64 and a
    full one as int64, so ``page`` would change type with the input."""
    import json

    columns = [{"name": c.name, "field_name": c.name, "pandas_type": _PANDAS_TYPES[c.type],
                "numpy_type": c.pandas_dtype, "metadata": None} for c in SCHEMA[table]]
    return json.dumps({"index_columns": [], "column_indexes": [], "columns": columns},
                      ensure_ascii=False, sort_keys=True)


_PANDAS_TYPES = {"string": "unicode", "int": "int64", "float": "float64", "bool": "bool", "list": "list[unicode]"}


def _check_keys(table: str, columns: dict[str, list]) -> None:
    """Arrow does not enforce non-nullable fields; an empty key would make a file that
    readers reject, so it is an error here (a bug upstream), named."""
    for c in SCHEMA[table]:
        if c.key and None in columns[c.name]:
            raise ValueError(f"{table}.{c.name} is empty in a row; keys and IDs never are")


# A plain decimal number ("-3", "+1.5", "-2e3"): safe to leave as it is. Stricter than
# float(), which also takes "nan", "-inf", "1_000" and surrounding whitespace.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_CSV_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def needs_formula_guard(value) -> bool:
    """Whether a spreadsheet program would run the text as a formula: it starts with a
    trigger and is not a plain number."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not _NUMBER.fullmatch(value)


def safe_cell(value: str) -> str:
    """Neutralize a formula trigger with a leading apostrophe, unless the text is a number.

    For the CSV files, which have no cell style to say "text"; the workbook keeps the true
    value in a quote-prefixed text cell, and Parquet keeps it as it is."""
    return "'" + value if needs_formula_guard(value) else value


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
    # Control characters (a NUL kept in program_name_raw, as written) trip CSV readers and
    # spreadsheets: the CSV drops them, Parquet keeps them. Then the formula guard.
    text = safe_cell(_CSV_CONTROL.sub("", str(value)))
    # Every text cell is quoted, so codes like "011002" are visibly text.
    return '"' + text.replace('"', '""') + '"'


def table_values(tables: dict[str, list[dict]]) -> dict[str, list[list]]:
    """One document's (or a whole run's) rows as ``write_tables`` takes them: each row's values
    in SCHEMA's column order."""
    return {name: [[row.get(c.name) for c in cols] for row in tables.get(name, [])]
            for name, cols in SCHEMA.items()}


_TMP_PREFIX = ".tmp-"

# Files and folders that some runs write and others do not (the extra writers': workbook,
# report folder). One left from an earlier run would sit beside tables it does not describe,
# so the swap removes it when this run did not write it: every output file then comes from
# one run. report.html is the one-page report of versions before the report folder: it is
# removed (when it is the pipeline's own) as soon as a run writes the folder or no report.
OPTIONAL_OUTPUTS = ("workbook.xlsx", "report", "report.html")
REPORT_INDEX = "index.html"  # the page of a report folder that carries the generator mark


# The mark of the pipeline's own workbook (creator) and report (generator tag): a run replaces
# only files that carry it.
GENERATOR = "regional-plans-pipeline"


def check_replaceable(out: Path) -> None:
    """Refuse to replace or remove a workbook.xlsx or report (folder or old report.html) that
    this pipeline did not write: one the user put in the output folder (or an announcement
    saved as report.html in an input folder given as the output folder) would be lost without
    a word."""
    for fname in OPTIONAL_OUTPUTS:
        path = out / fname
        if (path.exists() or path.is_symlink()) and not _written_by_a_run(path):
            raise OutputError(f"{path}: not written by this pipeline; move it away or choose another --out")


def _written_by_a_run(path: Path) -> bool:
    import zipfile

    try:
        if path.is_symlink():
            return False
        if path.is_dir():  # the report folder: its index says whose it is
            return path.name == "report" and _written_by_a_run(path / REPORT_INDEX)
        if not path.is_file():
            return False
        if path.suffix == ".html":
            with open(path, "rb") as fh:
                head = fh.read(4096)
            return f'<meta name="generator" content="{GENERATOR}">'.encode() in head or _older_run(path, head)
        with zipfile.ZipFile(path) as z:
            core = z.read("docProps/core.xml")
        return _creator(core) == GENERATOR or _older_run(path, core)
    except (OSError, KeyError, zipfile.BadZipFile):
        return False


def _creator(core: bytes) -> str | None:
    """The workbook's dc:creator, read as XML: openpyxl declares the namespace on the root or,
    when lxml is installed, on the element itself."""
    from xml.etree import ElementTree

    try:
        node = ElementTree.fromstring(core).find("{http://purl.org/dc/elements/1.1/}creator")
    except ElementTree.ParseError:
        return None
    return node.text if node is not None else None


def _older_run(path: Path, head: bytes) -> bool:
    """An output folder of a version before the generator mark: its own tables beside it and
    the report's title, or openpyxl as the workbook's creator."""
    beside = all((path.parent / f"documents.{ext}").is_file() for ext in ("csv", "parquet"))
    return beside and ("抽出レポート".encode() in head or (head.startswith(b"<") and _creator(head) == "openpyxl"))


def _swap(tmp: Path, out: Path, written: list[str]) -> None:
    with _signals_deferred():
        for fname in written:
            src, dst = tmp / fname, out / fname
            if src.is_dir() and (dst.exists() or dst.is_symlink()):
                # A folder cannot replace a folder in one rename: the old one moves into the
                # temporary folder (removed with it), the new one takes its place.
                os.replace(dst, tmp / f".old-{fname}")
            os.replace(src, dst)
        for fname in OPTIONAL_OUTPUTS:
            if fname not in written:
                old = out / fname
                if old.is_dir() and not old.is_symlink():
                    os.replace(old, tmp / f".old-{fname}")
                else:
                    old.unlink(missing_ok=True)


def _remove_stale_temp_folders(out: Path) -> None:
    """Temporary folders of runs that were killed outright (SIGKILL, power loss): the pid in
    the name is no longer a process. Folders of live runs are left alone."""
    for d in out.glob(_TMP_PREFIX + "*"):
        pid = d.name[len(_TMP_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
        except OSError:
            pass  # alive (another user's process) or cannot tell: leave it


class _signals_deferred:
    """Hold SIGINT and SIGTERM while the files are moved into place: stopping halfway would
    leave a mix of old and new tables. A signal that arrives meanwhile is noted and the
    replacing finishes, so the output is the complete new set (main thread only)."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __enter__(self):
        self.previous = {}
        self.received = []
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                try:
                    self.previous[sig] = signal.signal(sig, lambda s, _f: self.received.append(s))
                except (ValueError, OSError):
                    pass
        return self

    def __exit__(self, *exc):
        for sig, handler in self.previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        if self.received:
            log.warning("interrupted while replacing the output: finished replacing it, "
                        "so the output is the complete new set")
        return False


# --------------------------------------------------------------------------- the tables


def write_tables(documents, out_dir: str | Path, extra_writers=(), batch_rows: int = 8192,
                 rules_hash: str = "", links=None) -> list[Path]:
    """Write every table from per-document tables consumed one document at a time
    (``{table: [values in SCHEMA column order, ...]}``, see ``table_values``); replace the
    previous output only when all are written. Memory stays flat however many documents there
    are: at most ``batch_rows`` rows of a table are held. Each batch is a Parquet row group,
    cut by row count only, so the files depend on the rows alone. ``rules_hash`` (the run's)
    goes into every Parquet file's metadata.

    ``extra_writers`` (workbook, report) stream too: each is called as ``writer(tmp, out)``
    (the temporary folder to write into, and the output folder whose previous files it may
    reuse) and returns a handle whose ``add(document)`` takes each document's tables as they
    pass and whose ``close()`` (after the tables are complete in ``tmp``) returns the names
    it wrote there. File names are fixed (the table names in ``SCHEMA``, ``workbook.xlsx``,
    ``report/<doc_id>.html``); nothing from a document's content but its hex ``doc_id``
    becomes part of a path.

    The links across documents (``pipeline.links``, with ``links``: the run's ``LinkRules``, by
    default the package's rules/links.toml) see every document too; once all are read, they fill
    ``plans.predecessor_plan_id`` (the plans table is spooled to a file in the temporary folder
    until then), write ``program_links`` and add their diagnostics after the documents' own,
    all before the extra writers close."""
    from ..links import Linker
    from ..rule_files import read_links

    out = Path(out_dir)
    linker = Linker(links if links is not None else read_links())
    check_replaceable(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        _remove_stale_temp_folders(out)
        tmp = Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{os.getpid()}-", dir=out))
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the output folder: {exc.strerror}") from None
    sinks: list[_TableSink] = []
    extras: list = []
    try:
        sinks = [(_SpooledSink if name in SPOOLED else _TableSink)(tmp, name, batch_rows, rules_hash)
                 for name in SCHEMA]
        extras = [writer(tmp, out) for writer in extra_writers]
        for doc in documents:
            linker.add(doc)
            for sink in sinks:
                sink.add(doc.get(sink.name, ()))
            for extra in extras:
                extra.add(doc)
        result = linker.finish()
        across = table_values(result.rows)
        for sink in sinks:
            sink.add(across[sink.name])
            if isinstance(sink, _SpooledSink):
                sink.fill("predecessor_plan_id", "plan_id", result.predecessors)
            sink.close()
        written = [f for sink in sinks for f in sink.files]
        for extra in extras:
            written += extra.close()
        _swap(tmp, out, written)
        return [out / f for f in written]
    except PipelineError:  # from whatever produces the documents: already one line, keep it
        raise
    except OSError as exc:
        raise OutputError(f"{out}: cannot write the tables: {exc}") from None
    except Exception as exc:  # a writer's own error (pyarrow, a bad value): still one line
        raise OutputError(f"{out}: cannot write the tables: {type(exc).__name__}: {exc}") from exc
    finally:
        for extra in extras:
            abort = getattr(extra, "abort", None)
            if abort is not None:
                abort()
        for sink in sinks:
            sink.abort()
        shutil.rmtree(tmp, ignore_errors=True)


def link_or_copy(src: Path, dst: Path) -> None:
    """An unchanged file of the previous output into the new one: a hard link (no bytes
    copied; the old name goes away with the old folder), or a copy where links fail."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


class _NoPandas:
    """An import hook that hides pandas (see ``_pyarrow_without_pandas``)."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


class _pyarrow_without_pandas:
    """pyarrow imports pandas (0.2 s, most of a small run's start-up) the first time it
    converts a Python list, only to ask whether the list is a pandas object. Hide pandas
    for that first conversion when nothing has imported it: pyarrow then takes it as absent
    for such checks. Importing pandas later still works, and so does pyarrow's conversion
    to and from pandas (those import it themselves). Main thread use only."""

    def __enter__(self):
        self.hook = None
        if "pandas" not in sys.modules:
            self.hook = _NoPandas()
            sys.meta_path.insert(0, self.hook)
        return self

    def __exit__(self, *exc):
        if self.hook is not None:
            sys.meta_path.remove(self.hook)
        return False


def _csv_column(values, col: Column) -> list[str]:
    """``_csv_field`` of each value of one column. The common cases are inline: an int; a
    float; text with no quote, no formula trigger and nothing unprintable (so no control
    character). Anything else goes through ``_csv_field``. Tested to agree with it."""
    if col.type == "int":
        return [str(v) if v.__class__ is int else _csv_field(v, col) for v in values]
    if col.type == "float":
        return [repr(v) if v.__class__ is float else _csv_field(v, col) for v in values]
    if col.type == "string":
        return ['"' + v + '"' if v.__class__ is str and v.isprintable() and '"' not in v
                and not v.startswith(FORMULA_TRIGGERS) else _csv_field(v, col) for v in values]
    return [_csv_field(v, col) for v in values]


class _TableSink:
    """One table being written: CSV lines go straight to the file, Parquet rows in batches."""

    def __init__(self, folder: Path, name: str, batch_rows: int, rules_hash: str = ""):
        import pyarrow.parquet as pq

        self.name = name
        self.cols = SCHEMA[name]
        self.batch_rows = batch_rows
        self.files = [f"{name}.parquet", f"{name}.csv"]
        self.schema = arrow_schema(name, rules_hash)
        self.batch: list[list] = []
        self.batches = 0
        self.csv = open(folder / f"{name}.csv", "w", encoding="utf-8-sig", newline="")
        # A file Python opened: pyarrow would encode the path as UTF-8, which a folder name that
        # is not (bytes kept as surrogates) cannot be.
        self.parquet_file = open(folder / f"{name}.parquet", "wb")
        self.parquet = pq.ParquetWriter(self.parquet_file, self.schema, compression="zstd")
        self.csv.write(",".join(c.name for c in self.cols) + "\r\n")

    def add(self, rows: list[list]) -> None:
        if not rows:
            return
        # Column by column, then rows joined in C: a few times faster than a call per cell.
        columns = zip(*rows, strict=True)
        cells = [_csv_column(values, c) for values, c in zip(columns, self.cols, strict=True)]
        self.csv.write("".join(",".join(row) + "\r\n" for row in zip(*cells, strict=True)))
        self.batch.extend(rows)
        while len(self.batch) >= self.batch_rows:
            self._flush(self.batch[:self.batch_rows])
            self.batch = self.batch[self.batch_rows:]

    def _flush(self, rows: list[list]) -> None:
        import pyarrow as pa

        columns = {c.name: [row[k] for row in rows] for k, c in enumerate(self.cols)}
        _check_keys(self.name, columns)
        with _pyarrow_without_pandas():
            table = pa.table(columns, schema=self.schema)
        self.parquet.write_table(table)
        self.batches += 1

    def close(self) -> None:
        if self.batch or not self.batches:  # an empty table still gets its one empty row group
            self._flush(self.batch)
            self.batch = []
        self.parquet.close()
        self.parquet_file.close()
        self.csv.close()

    def abort(self) -> None:
        """Release the files after an error (close() already did on success)."""
        self.csv.close()
        if self.parquet.is_open:
            self.parquet.close()
        self.parquet_file.close()


# Tables whose rows wait in a spool file until every document is read: a column of theirs is
# filled across documents (plans.predecessor_plan_id).
SPOOLED = ("plans",)


class _SpooledSink(_TableSink):
    """A table whose rows are kept in a file (pickled batches, this run's own temporary file)
    until ``fill`` sets a column from the whole run; memory stays flat."""

    def __init__(self, folder: Path, name: str, batch_rows: int, rules_hash: str = ""):
        super().__init__(folder, name, batch_rows, rules_hash)
        self.spool_path = folder / f".spool-{name}"
        self.spool = open(self.spool_path, "wb")
        self.filled: tuple[int, int, dict] | None = None

    def add(self, rows: list[list]) -> None:
        import pickle

        if rows:
            pickle.dump([list(r) for r in rows], self.spool, protocol=pickle.HIGHEST_PROTOCOL)

    def fill(self, column: str, key: str, values: dict) -> None:
        names = [c.name for c in self.cols]
        self.filled = (names.index(column), names.index(key), values)

    def close(self) -> None:
        import pickle

        self.spool.close()
        with open(self.spool_path, "rb") as fh:
            while True:
                try:
                    rows = pickle.load(fh)
                except EOFError:
                    break
                if self.filled is not None:
                    target, key, values = self.filled
                    for row in rows:
                        row[target] = values.get(row[key], row[target])
                super().add(rows)
        self.spool_path.unlink()
        super().close()

    def abort(self) -> None:
        self.spool.close()
        super().abort()
