"""The one chain of stages for one file (ingest, normalize, segment, extract, table rows), which
never raises for bad input; and grouping files by content, and merging per-file rows.
"""

from __future__ import annotations

import hashlib
import logging
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..ingest.read import doc_id_for_path, read_document
from ..model import Limits
from ..rules import Rules
from ..tables import SCHEMA, document_rows, failed_rows

log = logging.getLogger("pipeline")


@dataclass(frozen=True)
class FileResult:
    path: str
    rows: dict[str, list[dict]]
    error: str | None = None  # one-line message when the file failed
    detail: str | None = None  # traceback text, shown with --debug
    # Seconds spent in (ingest, normalize+segment, extract+rows); empty for a failed file.
    timings: tuple[float, ...] = ()
    # False when the same input may give other rows next time, or the rows name the path.
    cacheable: bool = True


def content_hash(path: Path) -> str | None:
    try:
        if not Path(path).is_file():  # a FIFO or device would block or never end
            return None
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()[:16]
    except OSError:
        return None


def process_file(path: str, rules: Rules, limits: Limits | None = None,
                 duplicate_paths: tuple[str, ...] = ()) -> FileResult:
    """Read, normalize, segment and extract one file; never raises for bad input."""
    limits = limits or Limits()
    from ..extract.document import extract
    from ..municipalities import index_for
    from ..normalize import normalize_document
    from ..segment.skeleton import segment

    doc_id = content_hash(Path(path)) or doc_id_for_path(path)
    try:
        t0 = time.perf_counter()
        raw = read_document(path, rules, limits)
        t1 = time.perf_counter()
        skel = segment(normalize_document(raw, rules), rules)
        t2 = time.perf_counter()
        doc = extract(skel, rules)
        rows = document_rows(doc, path, rules, index_for(rules.municipalities_path), duplicate_paths)
        t3 = time.perf_counter()
        return FileResult(path, rows, timings=(t1 - t0, t2 - t1, t3 - t2))
    except InputError as exc:
        message = exc.one_line(path)
        rows = failed_rows(doc_id, path, _media_guess(path), exc.status, exc.message, rules.hash,
                           exc.page, exc.line, duplicate_paths)
        return FileResult(path, rows, message, cacheable=exc.reproducible)
    except RecursionError:
        message = f"{path}: input too deeply nested to process"
        return FileResult(path, failed_rows(doc_id, path, None, "failed", message, rules.hash), message,
                          cacheable=False)
    except Exception as exc:  # a bug must not stop the batch; say so, keep the traceback for --debug
        message = f"{path}: internal error: {type(exc).__name__}: {exc} (run with --debug for details)"
        rows = failed_rows(doc_id, path, None, "failed", f"internal error: {type(exc).__name__}: {exc}",
                           rules.hash, duplicate_paths=duplicate_paths)
        return FileResult(path, rows, message, traceback.format_exc())


def _media_guess(path: str) -> str | None:
    try:
        if not Path(path).is_file():
            return None
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError:
        return None
    from ..ingest.sniff import sniff

    try:
        return sniff(head)
    except InputError:
        return None


def group_by_content(files: list[Path]) -> list[tuple[str | None, str, tuple[str, ...]]]:
    """Files with byte-identical content, grouped: (content hash or None for an unreadable file,
    the path the group is read under, the other paths). The path a group is read under is the first whose name fits the content, so the result
    does not depend on how the names sort: text named .pdf would fail where a .txt reads."""
    by_hash: dict[str, list[str]] = {}
    order: list[str] = []
    for f in files:
        h = content_hash(f) or f"unreadable:{f}"
        if h not in by_hash:
            by_hash[h] = []
            order.append(h)
        by_hash[h].append(str(f))
    groups = []
    for h in order:
        paths = by_hash[h]
        if len(paths) > 1:
            paths = sorted(paths, key=lambda p: not name_fits_content(p, _media_guess(paths[0])))
        groups.append((None if h.startswith("unreadable:") else h, paths[0], tuple(paths[1:])))
    return groups


def name_fits_content(path: str, media_type: str | None) -> bool:
    """False for a name that makes reading fail whatever the content: .pdf on what is not a PDF."""
    return media_type == "application/pdf" or not path.lower().endswith(".pdf")


def merge(results: list[FileResult]) -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = {name: [] for name in SCHEMA}
    for res in sorted(results, key=lambda r: r.path):
        for name, rows in res.rows.items():
            tables[name].extend(rows)
    return tables
