"""Hostile-input battery, second round: what a black-box tester found, each as a test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT

SEED = FIXTURES / "seed.txt"


def cli(*args, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *map(os.fsdecode, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, errors="backslashreplace")


def documents(out) -> list[str]:
    return (out / "documents.csv").read_text(encoding="utf-8-sig").splitlines()[1:]


def test_a_file_name_that_is_not_utf8_does_not_stop_the_run(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "ok.txt")
    shutil.copy(FIXTURES / "coordinated" / "coord_1.txt", os.fsdecode(bytes(folder) + b"/bad\xff\xfe.txt"))
    out = tmp_path / "out"
    res = cli("run", folder, "--out", out, "--tables-only")
    assert res.returncode == 0, res.stderr
    rows = documents(out)
    assert len(rows) == 2 and any("bad\\xff\\xfe.txt" in r for r in rows)


def test_an_output_folder_whose_name_is_not_utf8_is_written(tmp_path):
    out = os.fsdecode(bytes(tmp_path) + b"/out\xff")
    res = cli("run", SEED, "--out", out)
    assert res.returncode == 0, res.stderr
    assert {"documents.csv", "documents.parquet", "workbook.xlsx", "report.html"} <= set(os.listdir(out))


@pytest.mark.parametrize("name", ["workbook.xlsx", "report.html"])
@pytest.mark.parametrize("tables_only", [True, False])
def test_a_file_the_pipeline_did_not_write_is_never_replaced_or_removed(tmp_path, name, tables_only):
    out = tmp_path / "out"
    out.mkdir()
    (out / name).write_text("my own notes", encoding="utf-8")
    res = cli("run", SEED, "--out", out, *(["--tables-only"] if tables_only else []))
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1] == \
        f"error: {out / name}: not written by this pipeline; move it away or choose another --out"
    assert (out / name).read_text(encoding="utf-8") == "my own notes"
    assert not (out / "documents.csv").exists()


def test_an_announcement_saved_as_report_html_in_the_input_folder_used_as_output(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    page = "<!DOCTYPE html><html><body><p>" + SEED.read_text(encoding="utf-8").replace("\n", "<br>") + "</p></body></html>"
    (folder / "report.html").write_text(page, encoding="utf-8")
    res = cli("run", folder, "--out", folder)
    assert res.returncode == 2 and "not written by this pipeline" in res.stderr
    assert (folder / "report.html").read_text(encoding="utf-8") == page


def test_the_pipelines_own_workbook_and_report_are_replaced_and_removed(tmp_path):
    out = tmp_path / "out"
    assert cli("run", SEED, "--out", out).returncode == 0
    assert cli("run", FIXTURES / "coordinated" / "coord_1.txt", "--out", out).returncode == 0
    res = cli("run", SEED, "--out", out, "--tables-only")
    assert res.returncode == 0, res.stderr
    assert not (out / "workbook.xlsx").exists() and not (out / "report.html").exists()


@pytest.mark.parametrize("damage", ["docs is a file", "state.json is a folder"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_damaged_cache_folder_slows_a_run_down_and_never_fails_it(tmp_path, damage, jobs):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("seed.txt", "coordinated/coord_1.txt", "coordinated/coord_2.txt"):
        shutil.copy(FIXTURES / name, folder / name.replace("/", "_"))
    clean, out = tmp_path / "clean", tmp_path / "out"
    assert cli("run", folder, "--out", clean, "--no-cache", "--tables-only").returncode == 0
    assert cli("run", folder, "--out", out, "--tables-only", "--jobs", jobs).returncode == 0
    cache = out / ".cache"
    shutil.rmtree(cache / "docs")
    (cache / "state.json").unlink()
    if damage == "docs is a file":
        (cache / "docs").write_text("junk", encoding="utf-8")
    else:
        (cache / "state.json").mkdir()
    res = cli("run", folder, "--out", out, "--tables-only", "--jobs", jobs)
    assert res.returncode == 0, res.stderr
    assert "cache not written" in res.stderr and "Traceback" not in res.stderr
    for table in ("documents", "plans", "programs"):
        assert (out / f"{table}.csv").read_bytes() == (clean / f"{table}.csv").read_bytes()
