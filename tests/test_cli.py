"""CLI basics: help, bad options, missing paths, --out, folders, exit codes."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT

SEED = FIXTURES / "seed.txt"
TABLES = ("documents", "plans", "measures", "programs", "captions", "diagnostics", "lines")


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=300)


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_help_exits_0():
    res = cli("--help")
    assert res.returncode == 0
    assert "run" in res.stdout
    res = cli("run", "--help")
    assert res.returncode == 0
    assert "--out" in res.stdout


def test_unknown_option_exits_2():
    res = cli("run", "--no-such-option", SEED)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr


def test_unknown_command_exits_2():
    res = cli("frobnicate")
    assert res.returncode == 2
    assert "Traceback" not in res.stderr


def test_missing_path_exits_2_with_one_line(tmp_path):
    missing = tmp_path / "nope.txt"
    out = tmp_path / "out"
    res = cli("run", missing, "--out", out)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith(f"{missing}: no such file")
    assert not out.exists(), "nothing is written when an input path is missing"


def test_out_writes_there_and_seed_exits_0(tmp_path):
    out = tmp_path / "somewhere" / "tables"
    res = cli("run", SEED, "--out", out)
    assert res.returncode == 0, res.stderr
    for name in TABLES:
        assert (out / f"{name}.csv").is_file()
        assert (out / f"{name}.parquet").is_file()
    docs = read_csv(out / "documents.csv")
    assert [d["status"] for d in docs] == ["ok"]
    assert len(read_csv(out / "programs.csv")) == 38
    assert not list(out.glob(".tmp-*")), "no temporary folder is left behind"
    assert "Traceback" not in res.stderr


def test_folder_input_processes_every_file(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(SEED, folder / "a.txt")
    text = SEED.read_text(encoding="utf-8")
    # Different bytes (so not a duplicate), same announcement.
    (folder / "sub" / "b.txt").write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    (folder / ".hidden.txt").write_text("ignored", encoding="utf-8")
    out = tmp_path / "out"
    res = cli("run", folder, "--out", out)
    assert res.returncode == 0, res.stderr
    docs = read_csv(out / "documents.csv")
    assert sorted(d["source_path"] for d in docs) == sorted([str(folder / "a.txt"), str(folder / "sub" / "b.txt")])
    assert all(d["status"] == "ok" for d in docs)
    assert len(read_csv(out / "programs.csv")) == 2 * 38


def test_a_failed_file_gives_exit_1_and_others_are_kept(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "good.txt")
    (folder / "bad.txt").write_bytes(b"\x80\x81\xff\xfe\xfd" * 10)
    out = tmp_path / "out"
    res = cli("run", folder, "--out", out)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    bad_lines = [ln for ln in res.stderr.splitlines() if ln.startswith(str(folder / "bad.txt"))]
    assert len(bad_lines) == 1 and "byte offset 0" in bad_lines[0], res.stderr
    status = {d["source_path"]: d["status"] for d in read_csv(out / "documents.csv")}
    assert status == {str(folder / "good.txt"): "ok", str(folder / "bad.txt"): "failed"}
    assert len(read_csv(out / "programs.csv")) == 38


def test_output_folder_that_is_a_file_exits_2_with_one_line(tmp_path):
    not_a_folder = tmp_path / "out"
    not_a_folder.write_text("in the way", encoding="utf-8")
    res = cli("run", SEED, "--out", not_a_folder)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and str(not_a_folder) in errors[0], res.stderr
    assert not_a_folder.read_text(encoding="utf-8") == "in the way"


def test_missing_rules_folder_exits_2_with_one_line(tmp_path):
    res = cli("run", SEED, "--out", tmp_path / "out", "--rules", tmp_path / "no-rules")
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert res.stderr.strip().splitlines()[-1].startswith("error:")


def test_unknown_option_prints_its_own_subcommands_usage(tmp_path):
    res = cli("run", "--no-such-option", SEED, "--out", tmp_path / "out")
    assert res.returncode == 2
    assert res.stderr.startswith("usage: python -m pipeline run "), res.stderr
    assert "unrecognized arguments: --no-such-option" in res.stderr
    res = cli("show", "x-p01", "--frobnicate")
    assert res.returncode == 2 and res.stderr.startswith("usage: python -m pipeline show "), res.stderr


@pytest.mark.parametrize("option,value", [
    ("--jobs", "0"), ("--jobs", "-3"), ("--jobs", "many"), ("--jobs", "100000"),
    ("--max-file-mb", "-1"), ("--max-file-mb", "0"), ("--max-file-mb", "nan"), ("--max-file-mb", "inf"),
    ("--max-file-mb", "1e300"),
    ("--max-pages", "0"), ("--max-pages", "-1"), ("--max-pages", "2.5"),
    ("--jobs", "１"), ("--timeout", "１０"),
    ("--timeout", "-1"), ("--timeout", "0"), ("--timeout", "nan"), ("--timeout", "inf"), ("--timeout", "1e300"),
])
def test_invalid_option_values_are_usage_errors_naming_the_option(tmp_path, option, value):
    out = tmp_path / "out"
    res = cli("run", SEED, "--out", out, f"{option}={value}")
    assert res.returncode == 2, res.stderr
    errors = res.stderr.splitlines()
    assert len(errors) == 1 and option in errors[0], res.stderr  # one line: no usage block
    assert "Traceback" not in res.stderr
    assert not out.exists()


def test_no_timeout_means_no_limit_and_excludes_timeout(tmp_path):
    res = cli("run", SEED, "--out", tmp_path / "out", "--no-timeout", "--tables-only")
    assert res.returncode == 0, res.stderr
    res = cli("run", SEED, "--out", tmp_path / "out2", "--no-timeout", "--timeout", "5")
    assert res.returncode == 2 and "--timeout" in res.stderr and "Traceback" not in res.stderr


def test_a_large_size_limit_does_not_reserve_memory_for_it(tmp_path):
    # The limit is a ceiling, not a buffer size: 100 GB must not be allocated for a small file.
    res = cli("run", SEED, "--out", tmp_path / "out", "--max-file-mb", "100000", "--tables-only")
    assert res.returncode == 0, res.stderr
    assert [d["status"] for d in read_csv(tmp_path / "out" / "documents.csv")] == ["ok"]


def test_the_summary_counts_documents_per_status_and_says_1_document(tmp_path):
    res = cli("run", SEED, "--out", tmp_path / "out", "--tables-only")
    assert res.returncode == 0, res.stderr
    lines = res.stderr.strip().splitlines()
    assert lines[-2].startswith("1 document: 0 from cache, 1 processed"), lines
    assert lines[-1].startswith("documents: 1 (ok 1, partial 0, no_plans 0, no_text 0, failed 0), plans: 5,")


def test_every_file_that_is_not_ok_gets_one_stderr_line_also_when_up_to_date(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    text = SEED.read_text(encoding="utf-8")
    shutil.copy(SEED, folder / "ok.txt")
    (folder / "partial.txt").write_text(text.replace("（伴走型支援体制構築事業）", "（伴走型支援体制構築事業、創業支援事業"),
                                        encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "bad.txt").write_bytes("計画".encode() + b"\xff\xfe")
    out = tmp_path / "out"
    expected = {"ok.txt": None, "partial.txt": r": partial: \d+ warnings?, e\.g\. \w+: .+ \(see diagnostics\)$",
                "empty.txt": r": no plans found: empty_file: .+ \(see diagnostics\)$",
                "bad.txt": r": undecodable bytes at byte offset 6"}
    for attempt in ("first", "up to date"):
        res = cli("run", folder, "--out", out, "--tables-only")
        assert res.returncode == 1, res.stderr
        assert (attempt == "up to date") == ("up to date" in res.stderr), res.stderr
        for name, pattern in expected.items():
            lines = [ln for ln in res.stderr.splitlines() if ln.startswith(f"{folder / name}:")]
            if pattern is None:
                assert lines == [], lines
            else:
                assert len(lines) == 1 and re.search(pattern, lines[0]), (attempt, lines)
        assert "documents: 4 (ok 1, partial 1, no_plans 1, no_text 0, failed 1)" in res.stderr


@pytest.mark.parametrize("args", [("",), (SEED, "--out", ""), (SEED, "--cache", ""), (SEED, "--rules", "")])
def test_an_empty_path_is_a_usage_error_not_the_current_folder(tmp_path, args):
    res = cli("run", *args, cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    assert "empty" in res.stderr.strip().splitlines()[-1], res.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [("show", "x", "--out", ""), ("list", "--out", ""), ("rules", "--rules", "")])
def test_an_empty_path_is_a_usage_error_for_every_command(tmp_path, args):
    res = cli(*args, cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    assert "empty" in res.stderr.strip().splitlines()[-1], res.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_output_folder_that_cannot_be_written_into_is_one_line(tmp_path):
    import os

    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o500)
    try:
        if os.access(out, os.W_OK):
            pytest.skip("running as a user who may write anywhere")
        res = cli("run", SEED, "--out", out)
    finally:
        out.chmod(0o700)
    assert res.returncode == 2
    (line,) = res.stderr.strip().splitlines()
    assert line.startswith(f"error: {out}: cannot write into the output folder"), line


@pytest.mark.parametrize("args", [["--tab"], ["--bogus"], ["--timeout", "5", "--no-timeout"]])
def test_an_abbreviated_unknown_or_conflicting_option_is_a_usage_error(tmp_path, args):
    res = cli("run", SEED, "--out", tmp_path / "out", *args)
    assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
    assert not (tmp_path / "out").exists()
