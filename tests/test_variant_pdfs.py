"""The variant fixtures as PDFs give the hand-checked tables of the text.

The PDFs are made by tests/fixtures/make_variant_pdfs.py from tests/fixtures/variants/*.txt
(see its docstring for the layouts): ``a`` portrait, 8pt captions in a right column, a
running header with a date, ``- N -`` footers, page breaks inside paragraphs and lists; ``b``
landscape, two plans a page, captions at body size in a left side column, ``N / M``
footers; ``c`` portrait, captions under photo boxes in the body column, bold headings, the
page number ``N`` only.  Further variations are rendered on the fly with the same generator.
"""

from __future__ import annotations

import dataclasses
import json
import sys

import pytest
from conftest import FIXTURES, assert_matches_expected, logical_document, process, summary

VARIANTS = FIXTURES / "variants"
PDF_DIR = FIXTURES / "pdf" / "variants"
LAYOUTS = ("a", "b", "c")

# Known failures whose cause is outside pipeline/ingest/pdf/: fixture -> reason.
# Fixtures whose PDFs are known not to give the expected tables, with the reason.
XFAIL: dict[str, str] = {}


def _generator():
    if str(FIXTURES) not in sys.path:
        sys.path.insert(0, str(FIXTURES))
    import make_variant_pdfs

    return make_variant_pdfs


def _stems() -> list[str]:
    return sorted(p.name.removesuffix(".expected.json") for p in VARIANTS.glob("*.expected.json")
                  if not p.name.startswith("broken."))


def _marks(stem: str, xfail: bool = True) -> list:
    return [pytest.mark.xfail(reason=XFAIL[stem], strict=True)] if xfail and stem in XFAIL else []


def _cases(xfail: bool) -> list:
    return [pytest.param(PDF_DIR / f"{stem}-{layout}.pdf", VARIANTS / f"{stem}.expected.json",
                         id=f"{stem}-{layout}", marks=_marks(stem, xfail))
            for stem in _stems() for layout in LAYOUTS]


_DOCS: dict[str, object] = {}


def _doc(pdf, rules):
    if str(pdf) not in _DOCS:
        if not pdf.exists():
            pytest.fail(f"missing {pdf.name}: run tests/fixtures/make_variant_pdfs.py")
        _DOCS[str(pdf)] = process(pdf, rules)
    return _DOCS[str(pdf)]


def _assert_matches(got: dict, expected_path) -> None:
    """Compare as tests/test_golden.py does, and the overview whenever it is expected."""
    assert_matches_expected(got, json.loads(expected_path.read_text(encoding="utf-8")))


# ----------------------------------------------------------------------------- committed PDFs


def test_every_variant_fixture_has_its_pdfs():
    missing = [f"{s}-{lay}.pdf" for s in _stems() for lay in LAYOUTS if not (PDF_DIR / f"{s}-{lay}.pdf").exists()]
    assert not missing, "run tests/fixtures/make_variant_pdfs.py: " + ", ".join(missing)


def test_committed_pdfs_are_current(tmp_path):
    """The PDFs are rebuilt byte for byte from the current fixture texts (a changed fixture
    needs `tests/fixtures/make_variant_pdfs.py`)."""
    gen = _generator()
    fresh = gen.generate(tmp_path, verbose=False)
    stale = [str(rel) for rel in fresh
             if not (FIXTURES / rel).exists() or (FIXTURES / rel).read_bytes() != (tmp_path / rel).read_bytes()]
    assert not stale, "run tests/fixtures/make_variant_pdfs.py: " + ", ".join(stale)


@pytest.mark.parametrize(("pdf", "expected_path"), _cases(xfail=True))
def test_variant_pdf_matches_hand_checked_expectation(pdf, expected_path, rules):
    _assert_matches(summary(_doc(pdf, rules), rules), expected_path)


@pytest.mark.parametrize(("pdf", "expected_path"), _cases(xfail=False))
def test_variant_pdf_accounting_every_line_has_one_role(pdf, expected_path, rules):
    from pipeline.normalize import normalize_document
    from pipeline.segment.wrapped import join_wrapped_lines

    doc = _doc(pdf, rules)
    non_blank = {ln.line_no for ln in join_wrapped_lines(normalize_document(doc.raw, rules), rules).lines if ln.text}
    role_lines = [r.line for r in doc.roles]
    assert len(role_lines) == len(set(role_lines)), "a line has two roles"
    assert set(role_lines) == non_blank
    flagged = {d.line for d in doc.diagnostics}
    assert all(r.line in flagged for r in doc.roles if r.role == "unassigned")


@pytest.mark.parametrize(("pdf", "expected_path"), _cases(xfail=False))
def test_variant_pdf_lines_are_whole_source_lines(pdf, expected_path, rules):
    """Ingest alone: the body RawLines are the source's non-caption lines, each RawLine one or
    more whole source lines (wrapped lines joined, also across pages; no line split), and
    the caption RawLines are the source's caption lines, one each, in order."""
    from pipeline.normalize import normalize_text

    def squeeze(text: str) -> str:
        return "".join(normalize_text(text, rules).split())

    source = [ln for para in _generator().parse(expected_path.with_name(
        expected_path.name.replace(".expected.json", ".txt"))) for ln in para.lines]
    raw = logical_document(_doc(pdf, rules).raw, rules).lines
    assert [squeeze(ln.text) for ln in raw if ln.hint == "caption"] == \
        [squeeze(ln.text) for ln in source if ln.role == "caption"]
    want = [squeeze(ln.text) for ln in source if ln.role != "caption"]
    k = 0
    for ln in (ln for ln in raw if ln.hint is None):
        got, text = squeeze(ln.text), ""
        while k < len(want) and len(text) < len(got):
            text += want[k]
            k += 1
        assert text == got, (ln.page, ln.text)
    assert k == len(want), want[k:]


# ----------------------------------------------------------------------------- variations
# The fixtures in further layouts, rendered on the fly: the same tables must come out.

VARIATIONS: dict[str, tuple[str, dict]] = {
    # No space between paragraphs: only the line ends tell a wrap from a paragraph end, and a
    # 12pt heading directly above 10.5pt text must not lend it its wider right edge.
    "a-tight": ("a", {"para_gap": 0.0, "plan_gap": 4.0}),
    # Captions under the photo boxes at nearly body size (10pt under 11pt text): only their
    # place right below a picture makes them captions.
    "c-bigcaption": ("c", {"caption": ("HeiseiMin-W3", 10.0, 15.0)}),
    # As a word processor sets it: justified lines (character spacing), a first-line indent
    # of one character, and no space between paragraphs or plans.
    "c-justified": ("c", {"justify": True, "first_indent": 11.0, "para_gap": 0.0, "plan_gap": 0.0}),
}


def _render(tmp_path, source, layout: str, overrides: dict):
    gen = _generator()
    overrides = {k: gen.Font(*v) if isinstance(v, tuple) else v for k, v in overrides.items()}
    lay = dataclasses.replace(gen.LAYOUTS_BY_NAME[layout], **overrides)
    paras = gen.parse(source)
    sheet = gen.layout(paras, lay)
    assert not gen.analyse(paras, sheet, lay).ambiguous
    pdf = tmp_path / f"{source.stem}-{layout}.pdf"
    gen.render(sheet, pdf, gen.FURNITURE[layout], "test")
    return pdf, len(sheet.pages)


@pytest.mark.parametrize(("stem", "variation"), [
    pytest.param(stem, name, id=f"{stem}-{name}", marks=_marks(stem))
    for stem in _stems() for name in VARIATIONS])
def test_layout_variation_gives_the_same_tables(tmp_path, rules, stem, variation):
    layout, overrides = VARIATIONS[variation]
    pdf, _ = _render(tmp_path, VARIANTS / f"{stem}.txt", layout, overrides)
    _assert_matches(summary(process(pdf, rules), rules), VARIANTS / f"{stem}.expected.json")


# ----------------------------------------------------------------------------- focused cases


def _write_source(tmp_path, text: str, captions=()):
    src = tmp_path / "doc.txt"
    src.write_text(text, encoding="utf-8")
    src.with_suffix(".expected.json").write_text(json.dumps({"plans": [{"captions": list(captions)}]}),
                                                 encoding="utf-8")
    return src


def _plan(name: str) -> str:
    return (f"「{name}地域産業活性化計画」（{name}） 【計画期間：令和6年度～令和8年度】\n\n"
            f"{name}は、地域の中小企業の経営基盤を強化し、新たな産業の創出と雇用の確保を目指す。\n\n"
            "(1) 多様な主体との連携を図る取組\n\n"
            f"商工会や金融機関と連携し、経営相談を行う（{name}経営相談事業）\n\n"
            "(2) 感染症や災害などの発生による社会経済活動の大きな変化や社会構造の変革への対応に係る取組\n\n"
            f"事業者のデジタル化を支援する（{name}デジタル化支援補助金）\n\n"
            "(3) (1)、(2)以外の取組\n\n"
            f"{name}創業支援事業\n\n")


def test_marker_starting_several_pages_is_not_a_running_header(tmp_path, rules):
    """The same "(3) …以外の取組" line at the top of half of the pages, at the same height: text
    repeated in the top band, but a measure marker at body size, so it stays text (the reader
    says where it stands, segment's grammar says what it is)."""
    from pipeline.ingest.read import read_document

    text = "".join(_plan(name) for name in ("檜原村", "瑞穂町", "八丈町", "青梅市"))
    # A new page for each plan, and each page ends before the plan's (3) marker.
    pdf, pages = _render(tmp_path, _write_source(tmp_path, text), "a", {"plans_per_page": 1, "bottom": 255.0})
    doc = logical_document(read_document(pdf, rules), rules)
    tops = [ln for ln in doc.lines if ln.text.startswith("(3)")]
    assert pages == 8 and [ln.page for ln in tops] == [2, 4, 6, 8]
    assert all(ln.char_boxes[0][2] < 0.1 * 842 for ln in tops)  # in the top band
    assert [ln.hint for ln in tops] == [None] * 4


def test_two_line_paragraphs_under_a_wider_heading_are_joined(tmp_path, rules):
    """A one-page document in which no paragraph has two full lines, under a 12pt heading that
    runs wider than the body column: lines of the body's own size give its right edge.  The
    running header (title and date, one page only) is furniture, not a caption."""
    text = ("「府中市地域産業活性化計画」（府中市） 【計画期間：令和7年度～令和9年度】\n\n"
            "府中市は、大規模な事業所が多く立地する一方、市内事業者の大半は中小企業・小規模事業者で"
            "ある。市内事業者の経営基盤の強化を図る。\n\n"
            "(1) 多様な主体との連携を図る取組\n\n"
            "市商工会議所や金融機関と連携し、創業希望者向けのセミナー開催や個別相談を実施する"
            "（創業支援事業、創業スクール開催事業）\n")
    pdf, pages = _render(tmp_path, _write_source(tmp_path, text), "a", {})
    doc = process(pdf, rules)
    assert pages == 1
    assert len([ln for ln in logical_document(doc.raw, rules).lines if ln.hint is None]) == 4
    assert [ln.text for ln in logical_document(doc.raw, rules).lines if ln.hint == "furniture"] == [
        "承認した地域産業活性化計画の概要", "令和6年10月1日", "- 1 -"]
    assert doc.plans[0].overview.endswith("強化を図る。") and "\n" not in doc.plans[0].overview
    assert [p.name for p in doc.plans[0].measures[0].programs] == ["創業支援事業", "創業スクール開催事業"]
