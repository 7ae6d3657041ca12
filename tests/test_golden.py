"""Golden tests: every fixture against its hand-checked expected file."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, process, summary

CASES = sorted(FIXTURES.glob("**/*.expected.json"))


@pytest.mark.parametrize("expected_path", CASES, ids=lambda p: p.name.replace(".expected.json", ""))
def test_fixture_matches_hand_checked_expectation(expected_path, rules):
    source = expected_path.with_name(expected_path.name.replace(".expected.json", ".txt"))
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    got = summary(process(source, rules))
    assert got["document_title"] == expected["document_title"]
    assert len(got["plans"]) == len(expected["plans"]), [p["plan_title"] for p in got["plans"]]
    for g, e in zip(got["plans"], expected["plans"], strict=True):
        for key in ("municipality", "municipality_type", "plan_title", "period_raw",
                    "period_start_fy", "period_end_fy", "captions"):
            assert g[key] == e[key], (e["plan_title"], key)
        if "overview" in e:
            assert g["overview"] == e["overview"], (e["plan_title"], "overview")
        assert [m["category_no"] for m in g["measures"]] == [m["category_no"] for m in e["measures"]], e["plan_title"]
        for gm, em in zip(g["measures"], e["measures"], strict=True):
            assert gm["category_label"] == em["category_label"], (e["plan_title"], em["category_no"])
            assert gm["programs"] == em["programs"], (e["plan_title"], em["category_no"])
    assert got["status"] == expected["status"]


def test_no_fixture_yields_a_program_outside_its_expected_list(rules):
    """Precision: every extracted program name is in the fixture's expected list."""
    for expected_path in CASES:
        source = expected_path.with_name(expected_path.name.replace(".expected.json", ".txt"))
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        allowed = {pr[0] for p in expected["plans"] for m in p["measures"] for pr in m["programs"]}
        doc = process(source, rules)
        extra = [pr.name for p in doc.plans for m in p.measures for pr in m.programs if pr.name not in allowed]
        assert not extra, (source.name, extra)
