"""The Makefile: the interpreter check, rebuilding a broken .venv, clean and distclean, and
paths with spaces. Each test points VENV or OUT at a temporary folder, so the real .venv is
never touched."""

from __future__ import annotations

import shutil
import subprocess
import textwrap

import pytest
from conftest import FIXTURES, ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")

REAL_VENV = ROOT / ".venv"


def make(*args):
    return subprocess.run(["make", "--no-print-directory", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def script(path, body):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + textwrap.dedent(body), encoding="utf-8")
    path.chmod(0o755)
    return path


def venv_state(python) -> str:
    """What the Makefile asks a .venv's Python, run the same way."""
    out = make("-pn", "setup", f"VENV={python.parent.parent}")
    cmd = next(ln for ln in out.stdout.splitlines() if ln.startswith("VENV_STATE_CMD :="))
    code = cmd.split(":=", 1)[1].strip()
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True).stdout.strip()


def test_a_python_older_than_3_11_is_refused_with_what_to_do(tmp_path):
    old = script(tmp_path / "python3.9", """\
        if [ "$1" = "--version" ]; then echo "Python 3.9.18"; exit 0; fi
        exit 1
        """)
    venv = tmp_path / "venv"
    res = make("setup", f"PYTHON={old}", f"VENV={venv}")
    assert res.returncode != 0
    text = res.stdout + res.stderr
    assert "needs Python 3.11 or newer" in text and "Python 3.9.18" in text, text
    assert "PYTHON=python3.11" in text
    assert not venv.exists()


def _fake_venv(tmp_path, stamp: str | None, python_body: str):
    venv = tmp_path / "venv"
    script(venv / "bin" / "python", python_body)
    if stamp is not None:
        (venv / ".installed").write_text(stamp + "\n", encoding="utf-8")
    return venv


@pytest.mark.skipif(not (REAL_VENV / "bin" / "python").exists(), reason="needs the project's .venv")
def test_a_working_venv_is_kept_and_a_broken_or_foreign_one_is_rebuilt(tmp_path):
    real = REAL_VENV / "bin" / "python"
    works = f'exec {real} "$@"\n'
    state = venv_state(real)
    assert state.startswith("3.")
    cases = {
        "working": (state, works, False),
        "set-up failed halfway (no stamp)": (None, works, True),
        "python gone": (state, "exit 127\n", True),
        "built for another Python": ("3.12.1", works, True),
    }
    for name, (stamp, body, rebuilt) in cases.items():
        case = tmp_path / name.replace(" ", "-")
        venv = _fake_venv(case, stamp, body)
        res = make("-n", "setup", f"VENV={venv}")
        assert res.returncode == 0, res.stderr
        assert ("-m venv" in res.stdout) == rebuilt, (name, res.stdout)
        if rebuilt:
            assert f"rm -rf {venv}" in res.stdout, (name, res.stdout)


def test_clean_says_what_it_removes_and_keeps_the_venv(tmp_path):
    out, venv = tmp_path / "out", tmp_path / "venv"
    (out / ".cache" / "docs").mkdir(parents=True)
    (out / "plans.csv").write_text("x", encoding="utf-8")
    (venv / "bin").mkdir(parents=True)
    res = make("clean", f"OUT={out}", f"VENV={venv}")
    assert res.returncode == 0, res.stderr
    assert f"removing {out}/.cache" in res.stdout and f"kept {venv}" in res.stdout, res.stdout
    assert not (out / ".cache").exists() and (out / "plans.csv").exists() and venv.exists()
    res = make("distclean", f"OUT={out}", f"VENV={venv}")
    assert res.returncode == 0, res.stderr
    assert f"removing {venv}" in res.stdout and not venv.exists()


def test_make_run_takes_paths_with_spaces_and_quotes(tmp_path):
    if "-m venv" in make("-n", "setup").stdout:
        pytest.skip("the project's .venv is not set up (this test must not rebuild it while in use)")
    raw = tmp_path / "my docs" / "it's here"
    raw.mkdir(parents=True)
    shutil.copy(FIXTURES / "seed.txt", raw / "seed file.txt")
    out = tmp_path / "out dir"
    res = make("run", f"RAW={raw}", f"OUT={out}", "JOBS=1")
    assert res.returncode == 0, res.stdout + res.stderr
    assert (out / "documents.csv").is_file()
    assert str(raw / "seed file.txt") in (out / "documents.csv").read_text(encoding="utf-8-sig")
