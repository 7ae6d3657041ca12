from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="session")
def rules():
    from pipeline.rules import load_rules

    return load_rules()


def process(path, rules):
    """Run the stages on one file and return the Document."""
    from pipeline.extract import extract
    from pipeline.ingest import read_document
    from pipeline.normalize import normalize_document
    from pipeline.segment import segment

    return extract(segment(normalize_document(read_document(path, rules), rules), rules), rules)


def summary(doc, types=None) -> dict:
    """A document in the shape of the hand-checked *.expected.json files."""
    return {
        "status": doc.status,
        "document_title": doc.title,
        "plans": [
            {
                "municipality": p.municipality,
                "municipality_type": p.municipality[-1] if p.municipality else None,
                "plan_title": p.plan_title,
                "period_raw": p.period_raw,
                "period_start_fy": p.period_start_fy,
                "period_end_fy": p.period_end_fy,
                "overview": p.overview,
                "captions": [c.text for c in p.captions],
                "measures": [
                    {
                        "category_no": m.category_no,
                        "category_label": m.label,
                        "programs": [[pr.name, pr.qualifier] for pr in m.programs],
                    }
                    for m in p.measures
                ],
            }
            for p in doc.plans
        ],
    }


def assert_matches_expected(got: dict, expected: dict) -> None:
    """Compare a ``summary()`` with a hand-checked *.expected.json: the one comparison that the
    text, variant-PDF and office-PDF golden tests share (overview only where it is expected)."""
    assert got["document_title"] == expected["document_title"]
    assert [p["plan_title"] for p in got["plans"]] == [p["plan_title"] for p in expected["plans"]]
    for g, e in zip(got["plans"], expected["plans"], strict=True):
        for key in ("municipality", "municipality_type", "plan_title", "period_raw",
                    "period_start_fy", "period_end_fy", "overview", "captions"):
            if key in e:
                assert g[key] == e[key], (e["plan_title"], key)
        assert [m["category_no"] for m in g["measures"]] == [m["category_no"] for m in e["measures"]], \
            e["plan_title"]
        for gm, em in zip(g["measures"], e["measures"], strict=True):
            assert gm["category_label"] == em["category_label"], (e["plan_title"], em["category_no"])
            assert gm["programs"] == em["programs"], (e["plan_title"], em["category_no"])
    assert got["status"] == expected["status"]
