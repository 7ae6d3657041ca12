"""PDF ingest: lines rebuilt from pdfplumber's characters (pipeline/ingest/pdf/).

The fixture PDFs are made by tests/fixtures/make_pdf_fixtures.py from tests/fixtures/seed.txt
and described in tests/fixtures/pdf/LAYOUT.md.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from conftest import logical_document

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_TXT = FIXTURES / "seed.txt"
LANDSCAPE = FIXTURES / "pdf" / "seed.pdf"
PORTRAIT = FIXTURES / "pdf" / "seed_portrait.pdf"
BROKEN = FIXTURES / "broken"

# The seed's caption lines, in document order (everything else non-blank is body text).
SEED_CAPTIONS = [
    "世田谷・福祉生まれのモノゴトを届ける",
    "Produced by マジンハウス × 世田谷区",
    "世田谷・福祉のモノゴトを届ける（せせせ）",
    "世田谷のお店を応援する",
    "デジタル地域通貨「せたがや Pay」",
    "シンガポールの展示会の様子（海外販路拡大支援事業）",
    "町田新産業創造センター",
    "町田市トライアル発注認定商品（一例）",
]


def need(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"committed fixture missing: {path.relative_to(FIXTURES.parent.parent)}")
    return path


_CACHE: dict[tuple[str, str], object] = {}


def read(path: Path, rules):
    """RawDocument of a fixture with the lines segment reads (wrapped lines joined), read once
    per session."""
    from pipeline.ingest.read import read_document

    key = (str(path), rules.hash)
    if key not in _CACHE:
        _CACHE[key] = logical_document(read_document(need(path), rules), rules)
    return _CACHE[key]


def norm(text: str, rules) -> str:
    from pipeline.normalize import normalize_text

    return normalize_text(text, rules)


def seed_lines() -> list[str]:
    return [ln.strip() for ln in SEED_TXT.read_text(encoding="utf-8").splitlines() if ln.strip()]


def body(doc) -> list:
    return [ln for ln in doc.lines if ln.hint is None]


BOTH = [pytest.param(LANDSCAPE, id="landscape"), pytest.param(PORTRAIT, id="portrait")]


# ----------------------------------------------------------------------------- text


@pytest.mark.parametrize("path", BOTH)
def test_body_lines_are_the_seed_paragraphs(rules, path):
    doc = read(path, rules)
    expected = [norm(t, rules) for t in seed_lines() if t not in SEED_CAPTIONS]
    assert [norm(ln.text, rules) for ln in body(doc)] == expected


@pytest.mark.parametrize("path", BOTH)
def test_captions_are_exactly_the_seed_captions(rules, path):
    doc = read(path, rules)
    captions = [ln.text for ln in doc.lines if ln.hint == "caption"]
    assert [norm(t, rules) for t in captions] == [norm(t, rules) for t in SEED_CAPTIONS]
    # Nothing changes in these characters, so the raw text is the seed's as written.
    assert captions == SEED_CAPTIONS


def test_two_line_caption_paragraph_stays_two_lines(rules):
    # 世田谷のお店を応援する / デジタル地域通貨「せたがや Pay」 are consecutive caption lines with no
    # gap; in the portrait layout the second also wraps inside the narrow column.
    for path in (LANDSCAPE, PORTRAIT):
        texts = [ln.text for ln in read(path, rules).lines if ln.hint == "caption"]
        i = texts.index("世田谷のお店を応援する")
        assert texts[i + 1] == "デジタル地域通貨「せたがや Pay」"


@pytest.mark.parametrize("path,header,numbers", [
    pytest.param(LANDSCAPE, "承認した地域産業活性化計画の概要（令和6年度）",
                 [f"\u2212 {n} \u2212" for n in range(1, 7)], id="landscape"),
    pytest.param(PORTRAIT, "東京都産業労働局", [f"{n}/4" for n in range(1, 5)], id="portrait"),
])
def test_running_header_and_page_numbers_are_furniture(rules, path, header, numbers):
    doc = read(path, rules)
    furniture = [(ln.page, ln.text) for ln in doc.lines if ln.hint == "furniture"]
    pages = doc.pages
    assert sorted(furniture) == sorted([(p, header) for p in range(1, pages + 1)]
                                       + [(p, numbers[p - 1]) for p in range(1, pages + 1)])
    for ln in doc.lines:
        if ln.hint != "furniture":
            assert header not in ln.text
    # Reading order: the header opens its page, the page number closes it.
    for p in range(1, pages + 1):
        on_page = [ln for ln in doc.lines if ln.page == p]
        assert on_page[0].text == header and on_page[-1].text == numbers[p - 1]


@pytest.mark.parametrize("path,names", [
    pytest.param(LANDSCAPE, ["（地域連携型ハンズオン支援事業", "地域連携型ハンズオン支援事業、せたがや",
                             "創業者経営力アップ支援事業）", "（海外販路拡大支援事業", "ECモール出店支援）",
                             "経営基盤強化助成金", "“SETAGAYA PORT”）"], id="landscape"),
    pytest.param(PORTRAIT, ["地域連携型ハンズオン支援事業", "せたがや Pay 機能拡充による区内事業者支援",
                            "福祉産業の活性化支援事業", "経営力強化事業", "デジタル地域通貨事業",
                            "海外販路拡大支援事業", "小規模事業者経営改善補助金", "町田市トライアル発注認定事業",
                            "事業者情報提供・発信事業", "企業活動支援事業", "人材育成及び人材確保支援助成金"],
                 id="portrait"),
])
def test_program_names_split_across_lines_come_out_whole(rules, path, names):
    texts = [ln.text for ln in body(read(path, rules))]
    for name in names:
        assert any(name in t for t in texts), name


def test_latin_words_split_across_lines_get_one_space(rules):
    doc = read(LANDSCAPE, rules)
    line = next(ln for ln in doc.lines if "SETAGAYA" in ln.text)
    i = line.text.index("SETAGAYA PORT")
    assert line.char_boxes[i + len("SETAGAYA")] is None  # the inserted space
    # ...and a Latin/kana boundary joins directly.
    assert any("ECモール" in ln.text for ln in doc.lines)


def test_plan_crossing_a_page_break_in_landscape(rules):
    # 足立区: header, period, overview, (1) on page 3; (2) and (3) on page 4.
    doc = read(LANDSCAPE, rules)
    seed = seed_lines()
    start = seed.index("「足立区地域産業活性化計画」（足立区）")
    end = seed.index("「町田市地域産業活性化計画」（町田市）")
    plan = [t for t in seed[start:end] if t not in SEED_CAPTIONS]
    lines = body(doc)
    first = next(i for i, ln in enumerate(lines) if ln.text == plan[0])
    got = lines[first:first + len(plan)]
    assert [norm(ln.text, rules) for ln in got] == [norm(t, rules) for t in plan]
    assert [ln.page for ln in got] == [3, 3, 3, 3, 3, 4, 4, 4, 4]


def test_paragraph_continuing_on_the_next_page_in_portrait(rules):
    # 中野区 (1) body: page 1 ends "…また、一次的な相談役と", page 2 starts "してコーディネーターを…".
    doc = read(PORTRAIT, rules)
    text = next(t for t in seed_lines() if t.startswith("既存の創業支援を目的とした"))
    line = next(ln for ln in doc.lines if ln.text.startswith("既存の創業支援を目的とした"))
    assert line.text == text and line.hint is None and line.page == 1
    i = line.text.index("相談役と") + len("相談役と")
    assert line.char_boxes[i - 1][0] == 1 and line.char_boxes[i][0] == 2
    # Page 2's running header comes after the whole paragraph, not inside it.
    assert doc.lines[line.line_no].hint in ("furniture", None)


@pytest.mark.parametrize("path", BOTH)
def test_hanging_indent_marker_label_is_one_line(rules, path):
    label = "(2) 感染症や災害などの発生による社会経済活動の大きな変化や社会構造の変革への対応に係る取組"
    texts = [ln.text for ln in body(read(path, rules))]
    assert texts.count(label) == 5


# ----------------------------------------------------------------------------- line records


@pytest.mark.parametrize("path", BOTH)
def test_line_records(rules, path):
    doc = read(path, rules)
    assert doc.media_type == "application/pdf" and doc.encoding is None
    assert doc.diagnostics == ()
    assert [ln.line_no for ln in doc.lines] == list(range(1, len(doc.lines) + 1))
    for ln in doc.lines:
        assert ln.text and ln.text == ln.text.strip()
        assert "(cid:" not in ln.text
        assert len(ln.char_boxes) == len(ln.text)
        boxes = [b for b in ln.char_boxes if b is not None]
        assert boxes[0][0] == ln.page
        assert all(b[0] >= ln.page for b in boxes)
        for ch, box in zip(ln.text, ln.char_boxes, strict=True):
            if box is None:
                assert ch == " "
            else:
                assert box[1] < box[3] and box[2] < box[4]


@pytest.mark.parametrize("path", BOTH)
def test_char_boxes_crop_back_to_their_character(rules, path):
    import pdfplumber

    doc = read(path, rules)
    with pdfplumber.open(str(path)) as pdf:
        pages = pdf.pages
        checked = 0
        for ln in doc.lines:
            for k in range(0, len(ln.text), 9):  # a sample: every 9th character of each line
                ch, box = ln.text[k], ln.char_boxes[k]
                if box is None:
                    continue
                page, x0, top, x1, bottom = box
                # Neighbouring glyphs touch (x1 of one == x0 of the next), and crop() keeps
                # whatever touches the box, so crop a hair inside it.
                e = 0.05 * (x1 - x0)
                cropped = pages[page - 1].crop((x0 + e, top + e, x1 - e, bottom - e)).extract_text()
                assert cropped.strip() == ch.strip(), (ln.line_no, k, ch, cropped)
                inside = "".join(c["text"] for c in pages[page - 1].within_bbox((x0, top, x1, bottom)).chars)
                assert inside == ch, (ln.line_no, k, ch, inside)
                checked += 1
    assert checked > 200


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize("name,status,message", [
    ("encrypted.pdf", "failed", "encrypted PDF: cannot read without the password"),
    ("truncated.pdf", "failed", "damaged or truncated PDF: "),
    ("scanned.pdf", "no_text", "PDF has no text layer: it looks scanned and needs OCR"),
    ("zero_pages.pdf", "failed", "PDF has no pages"),
])
def test_broken_pdfs_raise_input_error(rules, capfd, name, status, message):
    from pipeline.errors import InputError
    from pipeline.ingest.read import read_document

    with pytest.raises(InputError) as info:
        read_document(need(BROKEN / name), rules)
    assert info.value.status == status
    assert info.value.message.startswith(message)
    assert "\n" not in info.value.message
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_damaged_bytes_never_escape_as_other_exceptions(rules):
    from pipeline.errors import InputError
    from pipeline.ingest.pdf.reader import read_pdf
    from pipeline.model import Limits

    data = need(LANDSCAPE).read_bytes()
    for cut in (len(data) // 10, len(data) // 2, len(data) - 30):
        with pytest.raises(InputError) as info:
            read_pdf("x.pdf", data[:cut], "id", rules, Limits())
        assert info.value.status == "failed"
    garbled = bytearray(data)
    for k in range(400, len(garbled), 997):
        garbled[k] ^= 0x5A
    try:
        read_pdf("x.pdf", bytes(garbled), "id", rules, Limits())
    except InputError as exc:
        assert exc.status == "failed"


def test_page_limit(rules):
    from pipeline.errors import InputError
    from pipeline.ingest.read import read_document
    from pipeline.model import Limits

    with pytest.raises(InputError) as info:
        read_document(need(LANDSCAPE), rules, Limits(max_pages=5))
    assert "6 pages" in info.value.message and "limit of 5" in info.value.message


def test_pdfminer_logger_is_restored(rules):
    from pipeline.errors import InputError
    from pipeline.ingest.read import read_document

    logger = logging.getLogger("pdfminer")
    before = logger.level
    with pytest.raises(InputError):
        read_document(need(BROKEN / "truncated.pdf"), rules)
    assert logger.level == before


def _reportlab_canvas():
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    buf = io.BytesIO()
    return canvas.Canvas(buf, invariant=1), buf


def test_rotated_text_is_reported_not_mixed_in(rules):
    from pipeline.ingest.pdf.reader import read_pdf
    from pipeline.model import Limits

    c, buf = _reportlab_canvas()
    c.setFont("HeiseiMin-W3", 10.5)
    c.drawString(50, 700, "本文の行です。")
    c.saveState()
    c.translate(560, 400)
    c.rotate(90)
    c.drawString(0, 0, "回転した注記")
    c.restoreState()
    c.save()
    doc = read_pdf("x.pdf", buf.getvalue(), "id", rules, Limits())
    assert [ln.text for ln in doc.lines] == ["本文の行です。"]
    assert [(d.code, d.page) for d in doc.diagnostics] == [("rotated_text_skipped", 1)]
    assert "6 character(s)" in doc.diagnostics[0].message


def _pdf_with_unmapped_glyphs() -> bytes:
    """One line in a CID font whose CIDSystemInfo pdfminer does not know (so no Unicode
    mapping: its glyphs come out as "(cid:N)"), one line in a font it maps."""
    c, buf = _reportlab_canvas()
    c.setFont("HeiseiMin-W3", 10.5)
    c.drawString(50, 700, "本文の行です。")
    c.setFont("HeiseiKakuGo-W5", 10.5)
    c.drawString(50, 680, "見出しの行")
    c.save()
    data = buf.getvalue()
    assert data.count(b"/Ordering (Japan1)") == 2
    return data.replace(b"/Ordering (Japan1)", b"/Ordering (Xapan1)", 1)  # same length: xref stays valid


def test_unmapped_glyphs_are_dropped_and_counted(rules):
    from pipeline.ingest.pdf.reader import read_pdf
    from pipeline.model import Diagnostic, Limits

    doc = read_pdf("x.pdf", _pdf_with_unmapped_glyphs(), "id", rules, Limits())
    assert [ln.text for ln in doc.lines] == ["見出しの行"]
    assert doc.diagnostics == (Diagnostic(
        "warning", "unmapped_glyphs", "page 1: 7 glyph(s) without a Unicode mapping were dropped", page=1),)


# ----------------------------------------------------------------------------- configuration


def _rules_with_pdf_toml(tmp_path, edit):
    import shutil

    from pipeline.rules import DEFAULT_RULES_DIR, load_rules

    folder = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, folder)
    path = folder / "pdf.toml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return lambda: load_rules(folder)


def test_pdf_settings_come_from_pdf_toml_only(tmp_path, rules):
    """The reader has no defaults of its own: a missing key stops the run, naming it."""
    import re

    from pipeline.errors import RulesError

    assert rules.pdf.column_gap_em == 2.0 and rules.pdf.repeat_min_pages == 2
    load = _rules_with_pdf_toml(tmp_path, lambda t: re.sub(r"(?m)^column_gap_em = .*$", "", t))
    with pytest.raises(RulesError, match="lines.column_gap_em"):
        load()


def test_bad_pdf_toml_value_is_a_rules_error(tmp_path):
    from pipeline.errors import RulesError

    with pytest.raises(RulesError, match="lines.column_gap_em"):
        _rules_with_pdf_toml(tmp_path, lambda t: t.replace("column_gap_em = 2.0", 'column_gap_em = "wide"'))()
    with pytest.raises(RulesError, match="page_number_patterns"):
        _rules_with_pdf_toml(tmp_path / "b", lambda t: t.replace("page_number_patterns = [", "page_number_patterns = [\n  '(unclosed',"))()




def test_usual_line_gap_is_the_smallest_that_recurs_not_the_most_common(rules):
    """Where most paragraphs are one line long (a landscape summary, one sentence a paragraph),
    paragraph spacing is the most common gap between lines, split over two 0.05-em steps; the
    line gap of wrapped lines is the smaller one that still recurs. A one-off tight gap is not."""
    from collections import Counter

    from pipeline.ingest.pdf.blocks import _line_gap

    seen = Counter({0.3: 1, 0.45: 1, 0.5: 18, 0.55: 1, 1.15: 23, 1.2: 11})
    assert _line_gap(seen, rules.pdf) == 0.5
    assert _line_gap(Counter({0.5: 40, 1.2: 9}), rules.pdf) == 0.5
    # wrapped lines too rare to be the document's line spacing: paragraph spacing it is
    assert _line_gap(Counter({0.5: 2, 1.15: 30}), rules.pdf) == 1.15
