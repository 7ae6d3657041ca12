from __future__ import annotations

import re
import unicodedata
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
    from pipeline.extract.document import extract
    from pipeline.ingest.read import read_document
    from pipeline.normalize import normalize_document
    from pipeline.segment.skeleton import segment

    return extract(segment(normalize_document(read_document(path, rules), rules), rules), rules)


def logical_document(raw, rules):
    """A RawDocument with the lines segment reads: a PDF's wrapped visual lines joined by
    segment's paragraph joiner (raw text, one box per character); text is unchanged."""
    from dataclasses import replace

    from pipeline.model import RawLine
    from pipeline.normalize import normalize_document
    from pipeline.segment.wrapped import join_wrapped_lines

    joined = join_wrapped_lines(normalize_document(raw, rules), rules)
    return replace(raw, lines=tuple(RawLine(ln.line_no, ln.raw, ln.page, ln.char_boxes, ln.hint)
                                    for ln in joined.lines))


def rows_of(doc, rules, source_path: str = "") -> dict[str, list[dict]]:
    """The table rows the pipeline writes for one document (the same call as a run)."""
    from pipeline.municipalities import index_for
    from pipeline.tables import document_rows

    return document_rows(doc, source_path or doc.raw.path, rules, index_for(rules.municipalities_path))


def summary(doc, rules) -> dict:
    """A document in the shape of the hand-checked *.expected.json files, read from the table
    rows the pipeline writes (so every value checked is one an analyst sees)."""
    rows = rows_of(doc, rules)
    by_plan = {name: _group(rows[name], "plan_id") for name in ("measures", "captions")}
    by_measure = _group(rows["programs"], "measure_id")
    return {
        "status": rows["documents"][0]["status"],
        "document_title": rows["documents"][0]["document_title"],
        "media_type": rows["documents"][0]["media_type"],
        "normalized_text": doc.normalized_text,
        "furniture_lines": {r["line"] for r in rows["lines"] if r["role"] == "furniture"},
        "diagnostics": [[d["code"], d["severity"], d["line"]] for d in rows["diagnostics"]],
        "plans": [
            {
                **{key: p[key] for key in PLAN_COLUMNS},
                "captions": [c["text"] for c in by_plan["captions"].get(p["plan_id"], [])],
                "measures": [
                    {
                        **{key: m[key] for key in MEASURE_COLUMNS},
                        "programs": [{key: r[key] for key in PROGRAM_COLUMNS}
                                     for r in by_measure.get(m["measure_id"], [])],
                    }
                    for m in by_plan["measures"].get(p["plan_id"], [])
                ],
            }
            for p in rows["plans"]
        ],
    }


PLAN_COLUMNS = ("municipality", "municipality_type", "municipality_code", "plan_title", "period_raw",
                "period_start_fy", "period_end_fy", "overview")
MEASURE_COLUMNS = ("category_no", "category_label", "category_label_canonical", "list_kind")
PROGRAM_COLUMNS = ("seq", "program_name", "qualifier", "program_name_raw", "line", "char_start", "char_end")


def _group(rows: list[dict], column: str, key=lambda value: value) -> dict:
    out: dict = {}
    for row in rows:
        out.setdefault(key(row[column]), []).append(row)
    return out


def _key(text: str) -> str:
    """Raw text compared across readers: a PDF's characters differ from the text file's in
    width and spaces only (pdfplumber maps ～ to 〜 and the ideographic space to a space)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("~", "〜")


def assert_matches_expected(got: dict, expected: dict, severe_only: bool = False) -> None:
    """Compare a ``summary()`` with a hand-checked *.expected.json: the one comparison that the
    text, variant-PDF and office-PDF golden tests share.

    Every contract column is compared. For PDF input the lines are the reader's logical lines,
    so a program's line is checked against the PDF's own text instead of the source file's
    line number, raw names are compared up to width and spaces, and only warnings and errors
    are compared among the diagnostics (a PDF has page furniture of its own); ``severe_only``
    compares only those for text too."""
    pdf = got["media_type"] == "application/pdf"
    assert got["document_title"] == expected["document_title"]
    assert [p["plan_title"] for p in got["plans"]] == [p["plan_title"] for p in expected["plans"]]
    for g, e in zip(got["plans"], expected["plans"], strict=True):
        for key in (*PLAN_COLUMNS, "captions"):
            assert g[key] == e[key], (e["plan_title"], key)
        assert [m["category_no"] for m in g["measures"]] == [m["category_no"] for m in e["measures"]], \
            e["plan_title"]
        for gm, em in zip(g["measures"], e["measures"], strict=True):
            where = (e["plan_title"], em["category_no"])
            for key in MEASURE_COLUMNS:
                assert gm[key] == em[key], (*where, key)
            assert [[p["program_name"], p["qualifier"]] for p in gm["programs"]] == \
                [p[:2] for p in em["programs"]], where
            for seq, (gp, ep) in enumerate(zip(gm["programs"], em["programs"], strict=True), start=1):
                assert gp["seq"] == seq, (*where, gp["program_name"], "seq")
                _assert_points_at_name(got["normalized_text"], gp, got.get("furniture_lines", set()))
                if pdf or ep[3] is None:  # a web page's lines are the reader's: no line to write by hand
                    assert _key(gp["program_name_raw"]) == _key(ep[2]), (*where, gp["program_name"])
                else:
                    assert [gp["program_name_raw"], gp["line"]] == ep[2:], (*where, gp["program_name"])
    if pdf:
        severe = lambda ds: [d[:2] for d in ds if d[1] != "info"]  # noqa: E731
    elif severe_only:  # expected files that list warnings and errors only (generations/)
        severe = lambda ds: [d for d in ds if d[1] != "info"]  # noqa: E731
    else:
        severe = lambda ds: ds  # noqa: E731
    assert severe(got["diagnostics"]) == severe(expected["diagnostics"])
    assert got["status"] == expected["status"]


def _assert_points_at_name(text: str, program: dict, furniture: set[int] = frozenset()) -> None:
    """char_start/char_end select the name in the normalized text (a wrapped name spans the
    line break, and the page furniture lines a page break put inside it), and the name starts
    on the program's line."""
    first = text.count("\n", 0, program["char_start"]) + 1
    pieces = text[program["char_start"]:program["char_end"]].split("\n")
    span = "\n".join(p for k, p in enumerate(pieces) if first + k not in furniture or k in (0, len(pieces) - 1))
    assert span.replace("\n", "") == program["program_name"] or \
        span.replace("\n", " ") == program["program_name"], (program["program_name"], span)
    line_start = text.rfind("\n", 0, program["char_start"]) + 1
    assert text.count("\n", 0, line_start) + 1 == program["line"], (program["program_name"], "line")
