"""Worker processes, per-document time limits and the incremental cache: the tables must
be byte for byte what one plain full run writes, however they were made."""

from __future__ import annotations

import csv
import shutil
import time

import pytest
from conftest import FIXTURES

from pipeline.cli import main
from pipeline.tables import SCHEMA

SOURCES = [FIXTURES / "seed.txt", FIXTURES / "variants" / "lists.txt", FIXTURES / "variants" / "markers.txt",
           FIXTURES / "variants" / "periods.txt"]
TABLE_FILES = [f"{name}.{ext}" for name in SCHEMA for ext in ("csv", "parquet")]


def corpus(folder, sources=SOURCES):
    folder.mkdir(parents=True, exist_ok=True)
    for k, src in enumerate(sources):
        shutil.copy(src, folder / f"doc{k}.txt")
    return folder


def run(capsys, *args):
    code = main(["run", *map(str, args)])
    return code, capsys.readouterr().err


def assert_same_tables(a, b, files=TABLE_FILES):
    for name in files:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def documents(out):
    with open(out / "documents.csv", encoding="utf-8-sig", newline="") as fh:
        return {row["source_path"]: row for row in csv.DictReader(fh)}


def test_two_jobs_write_the_same_bytes_as_one(tmp_path, capsys):
    raw = corpus(tmp_path / "raw")
    code1, _ = run(capsys, raw, "--out", tmp_path / "one", "--jobs", "1", "--no-cache")
    code2, err = run(capsys, raw, "--out", tmp_path / "two", "--jobs", "2", "--no-cache")
    assert code1 == code2 == 0
    assert "with 2 worker(s)" in err
    assert_same_tables(tmp_path / "one", tmp_path / "two", TABLE_FILES + ["report.html"])


def test_incremental_run_equals_a_full_run(tmp_path, capsys):
    raw = corpus(tmp_path / "raw", SOURCES[:3])
    out = tmp_path / "out"
    assert run(capsys, raw, "--out", out, "--jobs", "1")[0] == 0
    # Add one, change one, rename one.
    shutil.copy(SOURCES[3], raw / "doc3.txt")
    (raw / "doc1.txt").write_text((raw / "doc1.txt").read_text(encoding="utf-8") + "\n追記\n", encoding="utf-8")
    (raw / "doc2.txt").rename(raw / "renamed.txt")
    code, err = run(capsys, raw, "--out", out, "--jobs", "1")
    assert code == 0
    assert "4 documents: 2 from cache, 2 processed" in err, err
    # The entry of doc1's old content is gone: the default cache holds what the inputs use.
    assert len(list((out / ".cache" / "docs").glob("*.json"))) == 4
    code, _ = run(capsys, raw, "--out", tmp_path / "full", "--no-cache")
    assert code == 0
    assert_same_tables(out, tmp_path / "full", TABLE_FILES + ["report.html", "workbook.xlsx"])
    assert str(raw / "renamed.txt") in documents(out)


def test_nothing_changed_is_up_to_date_and_leaves_the_output(tmp_path, capsys):
    raw = corpus(tmp_path / "raw", SOURCES[:2])
    out = tmp_path / "out"
    assert run(capsys, raw, "--out", out, "--tables-only")[0] == 0
    before = {f: (out / f).stat().st_mtime_ns for f in TABLE_FILES}
    code, err = run(capsys, raw, "--out", out, "--tables-only")
    assert code == 0 and "up to date" in err and "documents: 2 (ok 2, partial 0, no_plans 0, no_text 0, failed 0)" in err
    assert {f: (out / f).stat().st_mtime_ns for f in TABLE_FILES} == before
    # A missing output file, or other options, mean real work again (from the cache).
    (out / "plans.csv").unlink()
    code, err = run(capsys, raw, "--out", out, "--tables-only")
    assert code == 0 and "up to date" not in err and "2 from cache" in err
    assert (out / "plans.csv").exists()


def test_a_corrupt_cache_entry_is_ignored(tmp_path, capsys):
    raw = corpus(tmp_path / "raw", SOURCES[:2])
    out = tmp_path / "out"
    assert run(capsys, raw, "--out", out, "--tables-only")[0] == 0
    entries = sorted((out / ".cache" / "docs").glob("*.json"))
    assert len(entries) == 2
    entries[0].write_bytes(entries[0].read_bytes()[:-40] + b"garbage")
    entries[1].write_bytes(b"\x00not json at all")
    (out / "documents.csv").unlink()  # so the run is not 'up to date'
    code, err = run(capsys, raw, "--out", out, "--tables-only")
    assert code == 0 and "0 from cache, 2 processed" in err, err
    run(capsys, raw, "--out", tmp_path / "full", "--no-cache", "--tables-only")
    assert_same_tables(out, tmp_path / "full")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_document_over_the_time_limit_fails_and_the_rest_go_on(tmp_path, capsys, monkeypatch, jobs):
    import pipeline.batch.chain

    real = pipeline.batch.chain.process_file

    finished = tmp_path / "slow-document-finished"

    def slow_for_one(path, *args, **kwargs):
        if path.endswith("doc1.txt"):
            time.sleep(30)  # 30 times the limit: a run that waited for it would see the file
            finished.touch()
        return real(path, *args, **kwargs)

    # Warm up first (imports, Sudachi, the municipality list), so only doc1 is slow.
    from pipeline.rules import load_rules

    real(str(SOURCES[0]), load_rules())
    monkeypatch.setattr(pipeline.batch.chain, "process_file", slow_for_one)  # workers are forked: they see it too
    raw = corpus(tmp_path / "raw", SOURCES[:3])
    out = tmp_path / "out"
    code, err = run(capsys, raw, "--out", out, "--jobs", jobs, "--timeout", "1", "--tables-only")
    assert not finished.exists(), "the run waited for the document over the time limit"
    assert code == 1
    assert f"{raw / 'doc1.txt'}: timed out after 1 s" in err
    docs = documents(out)
    assert docs[str(raw / "doc1.txt")]["status"] == "failed"
    assert docs[str(raw / "doc1.txt")]["error"] == "timed out after 1 s"
    assert docs[str(raw / "doc0.txt")]["status"] == "ok" and docs[str(raw / "doc2.txt")]["status"] == "ok"
    # A timeout is not cached, and the run is not recorded as up to date: next time it is retried.
    monkeypatch.setattr(pipeline.batch.chain, "process_file", real)
    code, err = run(capsys, raw, "--out", out, "--jobs", jobs, "--tables-only")
    assert code == 0 and "2 from cache, 1 processed" in err, err


def test_identical_files_are_one_document_with_both_paths(tmp_path, capsys):
    raw = corpus(tmp_path / "raw", SOURCES[:2])
    shutil.copy(SOURCES[0], raw / "copy.txt")
    out = tmp_path / "out"
    assert run(capsys, raw, "--out", out, "--jobs", "2", "--tables-only")[0] == 0
    docs = documents(out)
    assert sorted(docs) == [str(raw / "copy.txt"), str(raw / "doc1.txt")]
    assert docs[str(raw / "copy.txt")]["duplicate_paths"] == str(raw / "doc0.txt")
    # From the cache under other names: the paths are the current ones.
    (raw / "copy.txt").unlink()
    code, err = run(capsys, raw, "--out", out, "--tables-only")
    assert code == 0 and "2 from cache" in err
    docs = documents(out)
    assert sorted(docs) == [str(raw / "doc0.txt"), str(raw / "doc1.txt")]
    assert docs[str(raw / "doc0.txt")]["duplicate_paths"] == ""


def _agrees_with_csv_field(col, strategy):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from pipeline.output.write import _csv_column, _csv_field

    @settings(max_examples=120, deadline=None)
    @given(st.lists(strategy, max_size=5))
    def check(column):
        assert _csv_column(column, col) == [_csv_field(v, col) for v in column]

    check()


def test_csv_columns_are_written_as_csv_field_writes_each_cell():
    from hypothesis import strategies as st

    values = {
        "string": st.one_of(st.none(), st.text(), st.sampled_from(["=1+1", "-3", '"q"', "a\x00b", "\u3000x"])),
        "int": st.one_of(st.none(), st.integers(), st.booleans()),
        "float": st.one_of(st.none(), st.floats(), st.integers()),
        "bool": st.one_of(st.none(), st.booleans()),
        "list": st.one_of(st.none(), st.lists(st.text(), max_size=3)),
    }
    cols = {c.type: c for cols in SCHEMA.values() for c in cols}
    for kind, strategy in values.items():
        if kind in cols:
            _agrees_with_csv_field(cols[kind], strategy)


def test_whether_a_result_is_cached_comes_from_the_stage_not_its_message(tmp_path, monkeypatch, rules):
    """A time limit hit while reading depends on the machine: not cached. An error whose text
    merely mentions a time limit is as reproducible as any other: cached."""
    from pipeline.batch import cache, chain
    from pipeline.errors import InputError

    path = tmp_path / "doc.txt"
    path.write_text("x", encoding="utf-8")

    def failing(message, reproducible):
        def read_document(*args, **kwargs):
            raise InputError(message, reproducible=reproducible)
        return read_document

    monkeypatch.setattr(chain, "read_document", failing("reading the PDF took over 1 s", False))
    assert cache.cacheable(chain.process_file(str(path), rules)) is False
    monkeypatch.setattr(chain, "read_document", failing("the time limit of the tender is 3 days", True))
    assert cache.cacheable(chain.process_file(str(path), rules)) is True


def test_the_code_fingerprint_covers_every_stage_not_only_the_batch_folder(tmp_path, monkeypatch):
    """A change in ingest (or any stage) must not serve rows the old code made."""
    from pipeline.batch import cache

    copy = tmp_path / "pipeline"
    shutil.copytree(cache.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PACKAGE_DIR", copy)
    before = cache.code_fingerprint()
    reader = copy / "ingest" / "read.py"
    reader.write_text(reader.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert cache.code_fingerprint() != before
    assert (cache.PACKAGE_DIR / "batch" / "cache.py").is_file()
