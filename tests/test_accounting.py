"""Nothing lost: every non-blank input line is accounted for exactly once."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, process

TEXT_FIXTURES = sorted(p for p in FIXTURES.glob("**/*.txt") if "broken" not in p.parts)


@pytest.mark.parametrize("path", TEXT_FIXTURES, ids=lambda p: p.stem)
def test_every_non_blank_line_has_exactly_one_role(path, rules):
    from pipeline.ingest.read import read_document
    from pipeline.normalize import normalize_document

    norm = normalize_document(read_document(path, rules), rules)
    doc = process(path, rules)
    non_blank = {ln.line_no for ln in norm.lines if ln.text}
    role_lines = [r.line for r in doc.roles]
    assert len(role_lines) == len(set(role_lines)), "a line has two roles"
    assert set(role_lines) == non_blank
    # A line that fits nowhere is also a diagnostics row.
    flagged = {d.line for d in doc.diagnostics}
    for r in doc.roles:
        if r.role == "unassigned":
            assert r.line in flagged


def test_program_spans_point_at_their_names(rules):
    path = FIXTURES / "seed.txt"
    doc = process(path, rules)
    text = doc.normalized_text
    raw_lines = path.read_text(encoding="utf-8").split("\n")
    for plan in doc.plans:
        for m in plan.measures:
            for p in m.programs:
                span = text[p.where.char_start:p.where.char_end].replace("\n", "")
                assert span == p.name
                assert p.where.raw in raw_lines[p.where.line - 1]
