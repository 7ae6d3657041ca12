"""CLI basics: help, bad options, missing paths, --out, folders, exit codes."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys

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
