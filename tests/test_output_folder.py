"""The output folder as a whole: every file in it comes from one run, and Ctrl-C at any
moment ends the run with one line, no traceback."""

from __future__ import annotations

import subprocess
import sys

from conftest import FIXTURES, ROOT

SEED = FIXTURES / "seed.txt"


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_tables_only_removes_an_older_runs_workbook_and_report(tmp_path):
    out = tmp_path / "out"
    full = cli("run", SEED, "--out", out)
    assert full.returncode == 0, full.stderr
    assert (out / "workbook.xlsx").is_file() and (out / "report.html").is_file()
    tables_only = cli("run", SEED, "--out", out, "--tables-only")
    assert tables_only.returncode == 0, tables_only.stderr
    assert not (out / "workbook.xlsx").exists()
    assert not (out / "report.html").exists()
    assert (out / "programs.parquet").is_file()


def test_every_extra_writer_file_is_known_to_the_swap():
    from pipeline import report, workbook, write

    assert {workbook.FILE_NAME, report.FILE_NAME} <= set(write.OPTIONAL_OUTPUTS)
