"""The README's data dictionary is the one generated from tables.SCHEMA."""

from __future__ import annotations

from conftest import ROOT


def test_readme_data_dictionary_is_current():
    from pipeline.dictionary import data_dictionary_markdown

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- begin data dictionary -->")[1].split("<!-- end data dictionary -->")[0]
    assert data_dictionary_markdown() in block, "regenerate it with python -m pipeline.dictionary"


def test_readme_starts_with_the_two_commands():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    code = lines[lines.index("```") + 1:lines.index("```") + 3]
    assert code[0].startswith("make run") and code[1].startswith("make test")
