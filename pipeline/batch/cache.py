"""Per-document result cache, and the record of what an output folder was made from.

A document's rows depend only on its bytes, whether its name ends in .pdf (ingest refuses
text named .pdf), the rules, the limits, this package's code and the analysers' versions.
So an entry is keyed by a hash of exactly those. The path the rows were made under is not
part of the key: rows are re-stamped with the current path on load, so a renamed file
still hits.

Entry file (``<cache>/docs/<key>.json``): a header line of JSON (key, column names, the
error message without its path, and the SHA-256 of the body) and then the body: every
table as a list of value lists in ``SCHEMA`` column order. Plain JSON, never pickle, so a
planted cache file cannot run code; the body hash turns a torn or edited entry into a miss.

The state file (``<cache>/state.json``) records the fingerprint of the last complete run
into an output folder and the size and mtime of the files it wrote: when both still match,
the run has nothing to do and needs none of the heavy imports.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..tables import PIPELINE_VERSION, SCHEMA

log = logging.getLogger("pipeline")

CACHE_FORMAT = 1
# The package itself (pipeline/), every module of every stage: this file lives in pipeline/batch.
PACKAGE_DIR = Path(__file__).resolve().parent.parent
# Distributions whose version changes what a document turns into.
ANALYSERS = ("sudachipy-", "sudachidict_core-", "pdfplumber-", "pdfminer_six-", "pypdfium2-", "lxml-")
# Columns that name the file rather than its content; set again on every load.
PATH_COLUMNS = {"documents": ("source_path", "duplicate_paths"), "diagnostics": ("source_path",)}


@dataclass(frozen=True)
class Header:
    key: str
    error_tail: str | None  # the one-line error after the path, or None for a clean document


def columns() -> dict[str, list[str]]:
    return {name: [c.name for c in cols] for name, cols in SCHEMA.items()}


def code_fingerprint() -> str:
    """Hash of this package's source and the analysers' versions: a code change during
    development must not serve rows made by the old code (PIPELINE_VERSION is bumped by hand)."""
    digest = hashlib.sha256(PIPELINE_VERSION.encode())
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for entry in sys.path:
        if entry.endswith("site-packages") and os.path.isdir(entry):
            names = sorted(n for n in os.listdir(entry) if n.endswith(".dist-info") and n.startswith(ANALYSERS))
            digest.update("\0".join(names).encode())
    return digest.hexdigest()[:16]


def run_context(rules_hash: str, limits) -> str:
    """Everything besides the document that decides its rows. The timeout is not in it:
    a timed-out document is never cached."""
    parts = (CACHE_FORMAT, PIPELINE_VERSION, code_fingerprint(), rules_hash, limits.max_file_bytes,
             limits.max_pages, columns())
    if limits.pdf_engine != "pdfplumber":  # boxes differ by a fraction of a point between engines
        parts += (limits.pdf_engine,)
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def document_key(content_hash: str, path: str, context: str) -> str:
    named_pdf = path.lower().endswith(".pdf")
    return hashlib.sha256(f"{context}\0{content_hash}\0{named_pdf}".encode()).hexdigest()[:32]


def entry_file(cache_dir: Path, key: str) -> Path:
    return cache_dir / "docs" / f"{key}.json"


def cacheable(result) -> bool:
    """Only results that the same inputs will always reproduce. Internal errors may be
    transient (memory, a fixed bug); time limits depend on the machine's load (the stage that
    hit one says so: ``FileResult.cacheable``)."""
    return result.detail is None and result.cacheable


# --------------------------------------------------------------------------- entries


def save_entry(file: Path, key: str, path: str, tables: dict[str, list[list]], error: str | None) -> bool:
    """Write atomically (temporary file + rename), so a killed writer leaves no torn entry.
    False when the cache cannot be written (a damaged cache folder): the run goes on without."""
    tail = error[len(path):] if error and error.startswith(path) else error
    try:
        body = json.dumps(tables, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:  # a lone surrogate from a broken PDF text layer: escape it
        body = json.dumps(tables, separators=(",", ":")).encode()
    header = {"format": CACHE_FORMAT, "key": key, "columns": columns(), "error_tail": tail,
              "body_sha256": hashlib.sha256(body).hexdigest()}
    data = json.dumps(header).encode() + b"\n" + body  # ASCII: a path may hold surrogates
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=file.parent)
    except OSError as exc:
        _cache_unusable(file.parent, exc)
        return False
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, file)
        return True
    except OSError as exc:
        _unlink(Path(tmp))
        _cache_unusable(file, exc)
        return False
    except BaseException:
        _unlink(Path(tmp))
        raise


_WARNED: set[str] = set()


def _cache_unusable(where: Path, exc: OSError) -> None:
    """Said once per process and place: a damaged cache slows a run down, it never fails it."""
    if str(where) not in _WARNED:
        _WARNED.add(str(where))
        log.warning("%s: cache not written (%s): documents are processed without it",
                    where, exc.strerror or exc)


def _split(file: Path, key: str | None) -> tuple[dict, bytes] | None:
    try:
        data = file.read_bytes()
        head, _, body = data.partition(b"\n")
        header = json.loads(head)
        if not isinstance(header, dict) or header.get("format") != CACHE_FORMAT:
            return None
        if key is not None and header.get("key") != key:
            return None
        if header.get("columns") != columns():
            return None
        if hashlib.sha256(body).hexdigest() != header.get("body_sha256"):
            return None
        return header, body
    except (OSError, ValueError, TypeError):
        return None


def read_header(file: Path, key: str | None = None) -> Header | None:
    """The header of a sound entry, or None (missing, corrupt, other key or schema)."""
    split = _split(file, key)
    if split is None:
        return None
    header = split[0]
    tail = header.get("error_tail")
    return Header(str(header["key"]), tail if isinstance(tail, str) else None)


def load_tables(file: Path, path: str, duplicates: tuple[str, ...]) -> dict[str, list[list]] | None:
    """The entry's tables, re-stamped for ``path``; None when the entry is not sound."""
    split = _split(file, None)
    if split is None:
        return None
    try:
        tables = json.loads(split[1])
        out = {name: tables[name] for name in SCHEMA}
    except (ValueError, KeyError, TypeError):
        return None
    index = {name: [c.name for c in cols] for name, cols in SCHEMA.items()}
    dup_text = "; ".join(duplicates) or None
    for name, cols in PATH_COLUMNS.items():
        pos = {c: index[name].index(c) for c in cols}
        for row in out[name]:
            if "source_path" in pos:
                row[pos["source_path"]] = path
            if "duplicate_paths" in pos:
                row[pos["duplicate_paths"]] = dup_text
    return out


def error_line(header: Header, path: str) -> str | None:
    return None if header.error_tail is None else path + header.error_tail


def prune(cache_dir: Path, keep: set[str]) -> int:
    """Remove entries no document of this run uses (and stray temporary files); returns
    how many. Keeps the cache as big as the input set, not as its whole history."""
    removed = 0
    folder = cache_dir / "docs"
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        if name.startswith(".tmp-") or (name.endswith(".json") and name[:-5] not in keep):
            removed += _unlink(folder / name)
    return removed


def _unlink(path: Path) -> int:
    try:
        path.unlink()
        return 1
    except OSError:
        return 0


# --------------------------------------------------------------------------- run state


def fingerprint(context: str, documents: list[tuple[str, tuple[str, ...], str | None]]) -> str:
    """Of a whole run: the context and every (path, duplicates, key)."""
    return hashlib.sha256(json.dumps([context, documents]).encode()).hexdigest()


def output_stamps(out: Path, names: list[str]) -> dict[str, list[int]] | None:
    stamps = {}
    for name in names:
        try:
            st = os.stat(out / name)
        except OSError:
            return None
        stamps[name] = [st.st_size, st.st_mtime_ns]
    return stamps


def state_file(cache_dir: Path) -> Path:
    return cache_dir / "state.json"


def load_state(cache_dir: Path) -> dict | None:
    try:
        state = json.loads(state_file(cache_dir).read_text(encoding="utf-8"))
        return state if isinstance(state, dict) and state.get("format") == CACHE_FORMAT else None
    except (OSError, ValueError):
        return None


def save_state(cache_dir: Path, state: dict) -> None:
    state = {"format": CACHE_FORMAT, **state}
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=cache_dir)
    except OSError as exc:
        _cache_unusable(cache_dir, exc)
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(state, fh)
        os.replace(tmp, state_file(cache_dir))
    except OSError as exc:  # state.json made a folder: the next run is not 'up to date', no more
        _unlink(Path(tmp))
        _cache_unusable(state_file(cache_dir), exc)
    except BaseException:
        _unlink(Path(tmp))
        raise


def forget_state(cache_dir: Path) -> None:
    """Called before a run writes: if it is interrupted, the next run must not say
    'up to date' about half-replaced output."""
    _unlink(state_file(cache_dir))


def is_up_to_date(cache_dir: Path, out: Path, run_fingerprint: str) -> dict | None:
    """The recorded state when the output folder holds exactly what this run would write."""
    state = load_state(cache_dir)
    if not state or state.get("fingerprint") != run_fingerprint or state.get("out") != str(out.resolve()):
        return None
    recorded = state.get("outputs")
    if not isinstance(recorded, dict) or output_stamps(out, sorted(recorded)) != recorded:
        return None
    return state
