"""PDFs printed by LibreOffice (embedded TrueType/OpenType subsets) give the hand-checked tables.

The PDFs in tests/fixtures/office/ are the text fixtures laid out as word-processor documents
(tables, floating text boxes and shapes, ruled 取組 | 内容 tables, two-column landscape pages,
running headers and footers, justified text, a character grid, character spacing) and printed
with LibreOffice by tests/fixtures/office/make_office_pdfs.py (see the README there). The
tests only read the committed PDFs; LibreOffice is not needed (the generator module is
imported for its source parser only).
"""

from __future__ import annotations

import json
import sys

import pytest
from conftest import FIXTURES, assert_matches_expected, logical_document, process, summary

OFFICE = FIXTURES / "office"

# Known failures whose cause is outside pipeline/ingest/pdf/: PDF stem -> reason.
XFAIL: dict[str, str] = {}


def _expected_path(stem: str):
    source = stem.rsplit("-", 1)[0]
    return FIXTURES / "seed.expected.json" if source == "seed" else FIXTURES / "variants" / f"{source}.expected.json"


def _cases() -> list:
    return [pytest.param(pdf, id=pdf.stem,
                         marks=[pytest.mark.xfail(reason=XFAIL[pdf.stem], strict=True)] if pdf.stem in XFAIL else [])
            for pdf in sorted(OFFICE.glob("*.pdf"))]


def _generator():
    if str(OFFICE) not in sys.path:
        sys.path.insert(0, str(OFFICE))
    import make_office_pdfs

    return make_office_pdfs


_DOCS: dict[str, object] = {}


def _doc(pdf, rules):
    if str(pdf) not in _DOCS:
        _DOCS[str(pdf)] = process(pdf, rules)
    return _DOCS[str(pdf)]


def test_every_case_has_its_pdf():
    """The committed PDFs are exactly the generator's cases (run make_office_pdfs.py)."""
    names = {f"{stem}-{layout}.pdf" for stem, layout in _generator().CASES}
    assert {p.name for p in OFFICE.glob("*.pdf")} == names
    assert len({layout for _stem, layout in _generator().CASES}) >= 3


@pytest.mark.parametrize("pdf", _cases())
def test_office_pdf_matches_hand_checked_expectation(pdf, rules):
    """Compared as tests/test_golden.py does, and the overview whenever it is expected."""
    expected = json.loads(_expected_path(pdf.stem).read_text(encoding="utf-8"))
    assert_matches_expected(summary(_doc(pdf, rules), rules), expected)


@pytest.mark.parametrize("pdf", _cases())
def test_office_pdf_furniture_is_not_content(pdf, rules):
    """Running headers, dates and page numbers never reach the tables."""
    doc = _doc(pdf, rules)
    furniture = [ln.text for ln in logical_document(doc.raw, rules).lines if ln.hint == "furniture"]
    assert len(furniture) >= doc.raw.pages  # at least the page number on every page
    content = [ln.text for ln in logical_document(doc.raw, rules).lines if ln.hint != "furniture"]
    for text in content:
        assert "令和6年10月1日" not in text and "東京都産業労働局" != text.strip(), text


@pytest.mark.parametrize("pdf", _cases())
def test_office_pdf_lines_are_whole_source_lines(pdf, rules):
    """Ingest alone: the caption RawLines are the source's caption lines, one each, in order
    within each plan, and every body RawLine is one or more whole source lines (wrapped lines
    joined, also around text boxes and across pages and table cells; no line split)."""
    from pipeline.normalize import normalize_text

    def squeeze(text: str) -> str:
        return "".join(normalize_text(text, rules).split())

    gen = _generator()
    source = [ln for para in gen.parse(gen.source_path(pdf.stem.rsplit("-", 1)[0])) for ln in para.lines]
    raw = logical_document(_doc(pdf, rules).raw, rules).lines
    assert sorted(squeeze(ln.text) for ln in raw if ln.hint == "caption") == \
        sorted(squeeze(ln.text) for ln in source if ln.role == "caption")
    want = [squeeze(ln.text) for ln in source if ln.role != "caption"]
    k = 0
    for ln in (ln for ln in raw if ln.hint is None):
        got, text = squeeze(ln.text), ""
        while k < len(want) and len(text) < len(got):
            text += want[k]
            k += 1
        assert text == got, (ln.page, ln.text)
    assert k == len(want), want[k:]
