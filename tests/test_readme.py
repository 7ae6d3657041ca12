"""The README's data dictionary is the one generated from tables.SCHEMA."""

from __future__ import annotations

import pytest
from conftest import ROOT


def test_readme_data_dictionary_is_current():
    from pipeline.output.dictionary import data_dictionary_markdown

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- begin data dictionary -->")[1].split("<!-- end data dictionary -->")[0]
    assert data_dictionary_markdown() in block, "regenerate it with python -m pipeline.output.dictionary"


def test_readme_starts_with_the_two_commands():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    code = lines[lines.index("```") + 1:lines.index("```") + 3]
    assert code[0].startswith("make run") and code[1].startswith("make test")


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def _top() -> str:
    """What a newcomer reads before the first section on internals."""
    return _readme().split("## How it works")[0]


def test_the_top_states_python_version_download_size_and_clean_targets():
    top = _top()
    assert "Python 3.11 or newer" in top
    assert "670 MB" in top
    assert "`make clean`" in top and "`make distclean` removes `.venv`" in top


def test_the_top_lists_every_output_with_what_it_is_for_and_what_to_open_first():
    from pipeline.tables import SCHEMA

    top = _top()
    outputs = top.split("## Outputs")[1].split("\n## ")[0]
    rows = {line.split("|")[1].strip().strip("`"): line.split("|")[2].strip()
            for line in outputs.splitlines() if line.startswith("| `")}
    assert set(rows) == set(SCHEMA) | {"report/", "workbook.xlsx"}
    assert all(len(text) > 20 for text in rows.values()), rows
    assert "Open **`report/index.html`** first" in outputs


def test_the_top_says_how_to_read_csv_without_losing_leading_zeros():
    top = _top()
    assert 'dtype=str' in top and "all_varchar" in top
    assert "**The Parquet files are the typed source**" in top


def test_the_top_says_what_a_folder_run_reads_as_the_rules_say():
    import tomllib

    suffixes = tomllib.loads((ROOT / "rules" / "inputs.toml").read_text(encoding="utf-8"))["folder"]["suffixes"]
    section = _top().split("## What a run reads")[1].split("\n## ")[0]
    sentence = section.split("names ending in ")[1].split("(")[0]
    assert all(f"`{s}`" in sentence for s in suffixes), sentence
    assert "skipped" in section and "output folder and the cache" in section
    assert "named on the command line" in section


def test_the_readme_has_no_in_house_jargon():
    text = _readme().lower()
    for phrase in ("the issue's rule", "the contract", "where the issues were silent", "the issues",
                   "the issue"):
        assert phrase not in text, phrase


def test_no_file_refers_to_documents_outside_the_repository():
    import re
    import subprocess

    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    if not files:
        pytest.skip("not a git checkout")
    # Spelled in pieces so that this file does not match itself.
    outside = re.compile("|".join([r"\bshar" + "ed/", r"\bsee" + "ds/", r"(?<![\w.])~" + "/"]))
    relative = re.compile(r"(?:\.\./)+[\w./-]*")
    for name in files:
        path = ROOT / name
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        assert not outside.search(text), (name, outside.search(text).group())
        if name.startswith("tests/fixtures/") and path.suffix in (".html", ".htm"):
            continue  # a saved web page links its site's styles and pages: fixture text, no reference
        for ref in relative.findall(text):
            target = (path.parent / ref).resolve()
            assert target.is_relative_to(ROOT) and target.exists(), (name, ref)


def test_the_usage_lists_every_command_and_option():
    import argparse

    from pipeline.cli import build_parser

    usage = _top().split("## Command line")[1].split("\n## ")[0]
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in commands.choices.items():
        assert f"python -m pipeline {name}" in usage, name
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in usage, (name, option)


def test_the_summary_sample_has_the_shape_of_a_real_summary(tmp_path):
    import re
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-m", "pipeline", "run", str(ROOT / "raw"), "--out", str(tmp_path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr

    def shape(line: str) -> str:
        return re.sub(r"-> .*$", "-> OUT", re.sub(r"\d+\.\d+", "S", line))

    sample = _top().split("$ make run\n")[1].split("$ make run")[0].strip().splitlines()
    assert [shape(ln) for ln in sample] == [shape(ln) for ln in res.stderr.strip().splitlines()[-2:]]


def test_the_option_bounds_in_the_readme_are_the_ones_enforced():
    from pipeline.cli import MAX_FILE_MB, MAX_JOBS, MAX_TIMEOUT_S

    usage = _top().split("## Command line")[1]
    assert f"`--jobs` is 1 to {MAX_JOBS}" in usage
    assert f"at most {MAX_FILE_MB};" in usage
    assert f"at most {MAX_TIMEOUT_S} seconds" in usage
