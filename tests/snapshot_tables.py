"""Byte-for-byte record of the tables every fixture gives, to show that a restructuring changed
no output.

    python tests/snapshot_tables.py record   # before: writes tests/fixtures/tables.sha256.json
    python tests/snapshot_tables.py check    # after: exit 1, naming each table that differs

Each fixture group (a folder of tests/fixtures with .txt, .pdf or .html files) is run once through the
CLI (`run FILES --tables-only --no-cache --jobs 1`) and a SHA-256 of every CSV file (its bytes)
and Parquet file (its schema and values, without the file-level metadata) is kept. tests/test_snapshot.py runs the check. Work
that changes output on purpose (a rules edit changes documents.rules_hash) records again, in the
same commit.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
RECORD = FIXTURES / "tables.sha256.json"


def groups() -> dict[str, list[Path]]:
    out: dict[str, list[Path]] = {}
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix in (".txt", ".pdf", ".html") and path.is_file():
            out.setdefault(str(path.parent.relative_to(FIXTURES)), []).append(path)
    return out


def table_hashes(files: list[Path]) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        # Paths relative to the checkout, so the record does not depend on where it lies.
        args = [str(f.relative_to(ROOT)) for f in files]
        subprocess.run([sys.executable, "-m", "pipeline", "run", *args, "--out", str(out),
                        "--tables-only", "--no-cache", "--jobs", "1"], cwd=ROOT,
                       capture_output=True, check=False)
        return {p.name: _digest(p) for p in sorted(out.iterdir()) if p.suffix in (".csv", ".parquet")}


def _digest(path: Path) -> str:
    """CSV: the bytes. Parquet: its schema and values, so that another pyarrow version, which
    may lay the same table out in other bytes, still compares equal."""
    if path.suffix == ".csv":
        return hashlib.sha256(path.read_bytes()).hexdigest()
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    # The file-level metadata names the rules hash, like documents.rules_hash: leave it out, so a
    # rules edit that changes no value shows in documents only.
    content = json.dumps([str(table.schema.remove_metadata()), table.to_pylist()], default=str,
                         ensure_ascii=False)
    return hashlib.sha256(content.encode()).hexdigest()


def snapshot() -> dict[str, dict[str, str]]:
    return {group: table_hashes(files) for group, files in groups().items()}


def main(argv: list[str]) -> int:
    if argv[1:] == ["record"]:
        RECORD.write_text(json.dumps(snapshot(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return 0
    if argv[1:] == ["check"]:
        want = json.loads(RECORD.read_text(encoding="utf-8"))
        got = snapshot()
        diffs = [f"{g}/{t}" for g in sorted(set(want) | set(got))
                 for t in sorted(set(want.get(g, {})) | set(got.get(g, {})))
                 if want.get(g, {}).get(t) != got.get(g, {}).get(t)]
        for d in diffs:
            print(f"differs: {d}")
        return 1 if diffs else 0
    print(__doc__.strip().splitlines()[3].strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
