"""The Parquet files describe themselves (SCHEMA's descriptions, version, rules hash), keys
are non-nullable, and pandas reads the same dtypes whatever the input was."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT

SEED_TXT = FIXTURES / "seed.txt"
SEED_PDF = FIXTURES / "pdf" / "seed.pdf"


def _run(inp, out):
    res = subprocess.run([sys.executable, "-m", "pipeline", "run", str(inp), "--out", str(out), "--no-cache",
                          "--tables-only"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    return out


@pytest.fixture(scope="module")
def text_out(tmp_path_factory):
    return _run(SEED_TXT, tmp_path_factory.mktemp("txt"))


@pytest.fixture(scope="module")
def pdf_out(tmp_path_factory):
    return _run(SEED_PDF, tmp_path_factory.mktemp("pdf"))


def test_parquet_metadata_describes_table_and_columns(text_out):
    import pyarrow.parquet as pq

    from pipeline.tables import PIPELINE_VERSION, SCHEMA, TABLE_DESCRIPTIONS

    rules_hash = pq.read_table(text_out / "documents.parquet").column("rules_hash")[0].as_py()
    for name, cols in SCHEMA.items():
        schema = pq.read_schema(text_out / f"{name}.parquet")
        meta = {k.decode(): v.decode() for k, v in schema.metadata.items()}
        assert meta["pipeline.table"] == name
        assert (meta["pipeline.description_ja"], meta["pipeline.description_en"]) == TABLE_DESCRIPTIONS[name]
        assert meta["pipeline.version"] == PIPELINE_VERSION
        assert meta["pipeline.rules_hash"] == rules_hash and len(rules_hash) >= 16
        for c in cols:
            field = {k.decode(): v.decode() for k, v in schema.field(c.name).metadata.items()}
            assert field == {"name_ja": c.ja, "description_ja": c.ja_desc, "description_en": c.en}, (name, c.name)


def test_keys_and_ids_are_non_nullable(text_out):
    import pyarrow.parquet as pq

    from pipeline.tables import SCHEMA

    required = {name: {f.name for f in pq.read_schema(text_out / f"{name}.parquet") if not f.nullable}
                for name in SCHEMA}
    assert required == {name: {c.name for c in cols if c.key} for name, cols in SCHEMA.items()}
    # plans.predecessor_plan_id points at another row and is empty for a plan without one.
    for name, cols in SCHEMA.items():
        ids = {c.name for c in cols if c.name.endswith("_id") and c.name != "plan_id"} - {"predecessor_plan_id"}
        assert ids <= required[name], name
    for name in ("plans", "measures", "programs", "keywords", "program_links"):
        assert "plan_id" in required[name]
    assert "predecessor_plan_id" not in required["plans"] and "predecessor_plan_id" in required["program_links"]


def test_a_missing_key_is_an_output_error_not_a_broken_file(tmp_path):
    from pipeline.errors import OutputError
    from pipeline.output.write import table_values, write_tables
    from pipeline.tables import SCHEMA

    tables = {name: [] for name in SCHEMA}
    tables["plans"] = [{"plan_id": None, "doc_id": "d", "plan_no": 1}]
    with pytest.raises(OutputError, match="plans.plan_id"):
        write_tables([table_values(tables)], tmp_path / "out")


def test_pandas_dtypes_do_not_depend_on_the_input(text_out, pdf_out):
    import pandas as pd

    from pipeline.tables import SCHEMA

    for name in SCHEMA:
        text = pd.read_parquet(text_out / f"{name}.parquet").dtypes.astype(str).to_dict()
        pdf = pd.read_parquet(pdf_out / f"{name}.parquet").dtypes.astype(str).to_dict()
        assert text == pdf, name
    plans = pd.read_parquet(text_out / "plans.parquet")
    assert plans["page"].isna().all() and str(plans["page"].dtype) == "Int64"
    assert str(pd.read_parquet(pdf_out / "plans.parquet")["page"].dtype) == "Int64"


def test_pandas_metadata_names_every_column_in_order(text_out):
    import pyarrow.parquet as pq

    from pipeline.tables import SCHEMA

    for name, cols in SCHEMA.items():
        meta = json.loads(pq.read_schema(text_out / f"{name}.parquet").metadata[b"pandas"])
        assert [c["name"] for c in meta["columns"]] == [c.name for c in cols]
