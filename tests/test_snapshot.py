"""The tables of every fixture are the recorded ones (tests/fixtures/tables.sha256.json): a
restructuring changes no output. Record again with `python tests/snapshot_tables.py record`
when a change of output is meant."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_every_fixture_gives_the_recorded_tables():
    run = subprocess.run([sys.executable, "tests/snapshot_tables.py", "check"], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
