"""The output folder as a whole: every file in it comes from one run, and Ctrl-C at any
moment ends the run with one line, no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import FIXTURES, ROOT

SEED = FIXTURES / "seed.txt"


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_tables_only_removes_an_older_runs_workbook_and_report(tmp_path):
    out = tmp_path / "out"
    full = cli("run", SEED, "--out", out)
    assert full.returncode == 0, full.stderr
    assert (out / "workbook.xlsx").is_file() and (out / "report" / "index.html").is_file()
    tables_only = cli("run", SEED, "--out", out, "--tables-only")
    assert tables_only.returncode == 0, tables_only.stderr
    assert not (out / "workbook.xlsx").exists()
    assert not (out / "report").exists()
    assert (out / "programs.parquet").is_file()


def test_every_extra_writer_file_is_known_to_the_swap():
    from pipeline.output import report, workbook, write

    assert {workbook.FILE_NAME, report.FOLDER} <= set(write.OPTIONAL_OUTPUTS)


# Loaded by the child Python as sitecustomize: the callable named in INTERRUPT_AT is wrapped
# so that its Nth call marks a file and waits there. The parent sends SIGINT once the mark
# exists, so the signal lands at that point every time, not by timing luck.
HOOK = """
import importlib, os, time
from pathlib import Path

module, _, attr = os.environ["INTERRUPT_AT"].partition(":")
owner_name, _, name = attr.rpartition(".")
owner = importlib.import_module(module)
for part in filter(None, owner_name.split(".")):
    owner = getattr(owner, part)
real = getattr(owner, name)
calls = []

def waiting(*args, **kwargs):
    calls.append(1)
    if len(calls) == int(os.environ["INTERRUPT_CALL"]):
        Path(os.environ["INTERRUPT_MARK"]).write_text("here")
        time.sleep(300)
    return real(*args, **kwargs)

setattr(owner, name, waiting)
"""

INTERRUPT_POINTS = {
    # (callable, which call): a moment in each stage of a run
    "start": ("pipeline.cli:build_parser", 1),
    "processing": ("pipeline.tables:document_rows", 1),
    "tables": ("pipeline.output.write:_TableSink.add", 3),
    "workbook rows": ("xlsxwriter.worksheet:Worksheet.write_string", 40),
    "workbook save": ("xlsxwriter.workbook:Workbook.close", 1),
    "report page": ("pipeline.output.report:render_page", 2),
    "report index": ("pipeline.output.report:_Index.render", 1),
    "waiting for workers": ("pipeline.batch.pool:Pool.pump", 1),  # with --jobs 2
}


STOPS = {
    "ctrl-c": ([signal.SIGINT], 130),
    "ctrl-c twice": ([signal.SIGINT, signal.SIGINT], 130),  # the second lands in the clean-up
    "sigterm": ([signal.SIGTERM], 143),
}


@pytest.mark.parametrize("stop", STOPS)
@pytest.mark.parametrize("point", INTERRUPT_POINTS)
def test_ctrl_c_at_any_point_prints_one_line_and_no_traceback(tmp_path, point, stop):
    target, call = INTERRUPT_POINTS[point]
    signals, code = STOPS[stop]
    (tmp_path / "hook").mkdir()
    (tmp_path / "hook" / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    mark = tmp_path / "mark"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path / "hook"), os.environ.get("PYTHONPATH", "")]),
               INTERRUPT_AT=target, INTERRUPT_CALL=str(call), INTERRUPT_MARK=str(mark))
    out = tmp_path / "out"
    other = tmp_path / "other.txt"  # a second document (other bytes), so two workers have work
    other.write_bytes(SEED.read_bytes().replace(b"\n", b"\r\n"))
    jobs = "2" if target.endswith("Pool.pump") else "1"
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(SEED), str(other), "--out", str(out),
                             "--no-cache", "--jobs", jobs], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        while not mark.exists():
            if proc.poll() is not None:
                pytest.fail(f"the run ended before {target} call {call}: {proc.communicate()[1][-2000:]}")
            time.sleep(0.05)  # polling for the mark only; nothing is timed
        for sig in signals:
            proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    assert stderr.strip().splitlines()[-1].startswith("interrupted"), stderr
    assert not list(out.glob(".tmp-*"))
