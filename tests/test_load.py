"""pipeline.load: the tables as typed DataFrames, and the README's example of it."""

from __future__ import annotations

import doctest
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT


def _run(inp, out):
    res = subprocess.run([sys.executable, "-m", "pipeline", "run", str(inp), "--out", str(out), "--no-cache",
                          "--tables-only"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    return out


@pytest.mark.parametrize("source", ["seed.txt", "pdf/seed.pdf"])
def test_load_gives_schema_dtypes_for_text_and_pdf(tmp_path, source):
    import pipeline
    from pipeline.tables import SCHEMA

    tables = pipeline.load(_run(FIXTURES / source, tmp_path / "out"))
    assert list(tables) == list(SCHEMA)
    for name, cols in SCHEMA.items():
        frame = tables[name]
        assert list(frame.columns) == [c.name for c in cols]
        assert {c.name: str(frame[c.name].dtype) for c in cols} == {c.name: c.pandas_dtype for c in cols}, name
    programs = tables["programs"]
    assert len(programs) == 38
    assert all(isinstance(t, list) and all(isinstance(x, str) for x in t) for t in programs["themes"])


def test_load_keeps_leading_zeros_and_empty_values(tmp_path):
    import pandas as pd

    import pipeline
    from pipeline.output.write import table_values, write_tables
    from pipeline.tables import SCHEMA

    tables = {name: [] for name in SCHEMA}
    tables["plans"] = [{"plan_id": "d-p01", "doc_id": "d", "plan_no": 1, "municipality_code": "011002",
                        "period_start_fy": None}]
    tables["programs"] = [{"program_id": "d-p01-m1-01", "measure_id": "d-p01-m1", "plan_id": "d-p01", "doc_id": "d", "seq": 1,
                           "themes": None, "has_known_head": None}]
    write_tables([table_values(tables)], tmp_path)
    got = pipeline.load(tmp_path)
    assert got["plans"].loc[0, "municipality_code"] == "011002"
    assert got["plans"].loc[0, "period_start_fy"] is pd.NA
    assert got["programs"].loc[0, "themes"] is None and got["programs"].loc[0, "has_known_head"] is pd.NA


def test_load_of_a_folder_without_tables_is_a_not_found_error(tmp_path):
    import pipeline
    from pipeline.errors import NotFoundError

    with pytest.raises(NotFoundError, match="no such output folder"):
        pipeline.load(tmp_path / "nope")
    with pytest.raises(NotFoundError, match="documents.parquet: table not found"):
        pipeline.load(tmp_path)


def test_readme_load_example_output_is_what_load_prints(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    example = text.split("<!-- begin load example -->")[1].split("<!-- end load example -->")[0]
    code = example.split("```pycon\n")[1].split("```")[0]
    # The example reads output/ after `make run`, which processes raw/.
    _run(ROOT / "raw", tmp_path / "output")
    monkeypatch.chdir(tmp_path)
    test = doctest.DocTestParser().get_doctest(code, {}, "README pipeline.load example", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    failures = []
    runner.run(test, out=failures.append)
    assert runner.failures == 0 and test.examples, "".join(failures)


def test_load_of_a_corrupt_table_names_the_file(tmp_path):
    import pipeline
    from pipeline.errors import PipelineError
    from pipeline.output.write import table_values, write_tables

    write_tables([table_values({})], tmp_path)
    (tmp_path / "plans.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(PipelineError, match=r"plans\.parquet: cannot read the table"):
        pipeline.load(tmp_path)
