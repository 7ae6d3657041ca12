"""What a run reads: file types, folder selection, the output folder and cache inside an
input folder, identical files under several names, and concurrent runs."""

from __future__ import annotations

import csv
import random
import subprocess
import sys

from conftest import FIXTURES, ROOT

SEED = FIXTURES / "seed.txt"


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=300)


def documents(out) -> dict[str, dict]:
    with open(out / "documents.csv", encoding="utf-8-sig", newline="") as fh:
        return {row["source_path"]: row for row in csv.DictReader(fh)}


def lines_for(stderr: str, path) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith(f"{path}:")]


def test_parquet_and_other_binary_inputs_are_unsupported_file_types(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "in"
    folder.mkdir()
    pq.write_table(pa.table({"a": ["東京都", "世田谷区"]}), folder / "table.txt")
    (folder / "noise.txt").write_bytes(random.Random(7).randbytes(4096))
    sqlite = b"SQLite format 3\x00" + random.Random(8).randbytes(1000)
    (folder / "db.txt").write_bytes(sqlite)
    out = tmp_path / "out"
    res = cli("run", folder, "--out", out, "--tables-only")
    assert res.returncode == 1
    expected = {"table.txt": "a Parquet file", "noise.txt": "binary data", "db.txt": "an SQLite database"}
    for name, what in expected.items():
        (line,) = lines_for(res.stderr, folder / name)
        assert line.startswith(f"{folder / name}: unsupported file type: {what}"), line
        assert "UTF-8" not in line, line
    assert all(d["status"] == "failed" for d in documents(out).values())


def test_text_with_a_few_bad_bytes_is_still_an_encoding_error(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(SEED.read_bytes()[:300] + b"\xff\xfe" + SEED.read_bytes()[300:600])
    res = cli("run", bad, "--out", tmp_path / "out", "--tables-only")
    assert res.returncode == 1
    (line,) = lines_for(res.stderr, bad)
    assert "undecodable bytes at byte offset" in line and "save the file as UTF-8" in line, line
