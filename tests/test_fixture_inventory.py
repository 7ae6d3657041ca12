"""A committed fixture that is missing from the working tree is a failure: tests that glob a
folder (the office PDFs, the golden files) would otherwise just run fewer cases."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import ROOT


def test_every_committed_fixture_is_there():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout to list the committed fixtures")
    listed = subprocess.run(["git", "ls-files", "-z", "--", "tests/fixtures"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode("utf-8").split("\0")
    committed = [name for name in listed if name]
    assert len(committed) > 100
    missing = [name for name in committed if not (ROOT / name).is_file()]
    assert missing == [], f"committed fixtures missing from the working tree: {missing}"
