"""Rows are made to SCHEMA: a misspelt or missing column is an error, never an empty cell."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, process, rows_of


def test_a_misspelt_column_is_an_error_naming_it(rules):
    from pipeline.tables import SchemaMismatch, conform

    rows = rows_of(process(FIXTURES / "seed.txt", rules), rules)
    rows["plans"][0]["municipality_cdoe"] = rows["plans"][0].pop("municipality_code")
    with pytest.raises(SchemaMismatch, match=r"plans row 0: columns not in SCHEMA \['municipality_cdoe'\], "
                                             r"missing \['municipality_code'\]"):
        conform(rows)


def test_rows_come_in_schema_order_and_programs_name_their_measure(rules):
    from pipeline.tables import SCHEMA

    rows = rows_of(process(FIXTURES / "seed.txt", rules), rules)
    for table, cols in SCHEMA.items():
        assert all(list(r) == [c.name for c in cols] for r in rows[table]), table
    measures = {m["measure_id"]: m for m in rows["measures"]}
    for p in rows["programs"]:
        m = measures[p["measure_id"]]
        assert (m["plan_id"], m["category_no"]) == (p["plan_id"], p["category_no"])
        assert p["program_id"] == f"{p['measure_id']}-{p['seq']:02d}"
    assert sum(m["programs"] for m in measures.values()) == len(rows["programs"]) == 38
