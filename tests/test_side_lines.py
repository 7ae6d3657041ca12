"""Lines a PDF places like captions (beside the body, right under a picture) in the body's type.

The reader says where such a line stands and makes no announcement decision (it hints ``side``);
segment reads a marker or header there as text and anything else as a caption. The PDFs are
drawn here with reportlab: one plan, a photo frame with its caption and a measure marker under
it; and the same measures as a 取組 | 内容 table, ruled and unruled. Expected values are the
drawn source lines.
"""

from __future__ import annotations

import io

import pytest
from conftest import rows_of

from pipeline.extract.document import extract
from pipeline.ingest.read import read_document
from pipeline.normalize import normalize_document
from pipeline.segment.skeleton import segment

reportlab = pytest.importorskip("reportlab")

OVERVIEW = ["地域産業を活性化するため、産業振興機関や金融機関、関係団体",
            "とのネットワーク強化を促進するとともに、起業・創業支援や企",
            "業立地促進等による市内で活動する事業者数の増加を目指す。"]
ROWS = [(["(1) 多様な主体との連", "携を図る取組"],
         ["支援機関が有機的に連携しながら実施できるネットワークを構", "築する（創業支援事業、企業立地支援事業）"]),
        (["(2) 感染症や災害など", "への対応に係る取組"],
         ["市内事業者の事業継続を支援する（事業継続計画策定支援事", "業、販路拡大支援事業）"]),
        (["(3) (1)、(2)以外の取組"], ["商店街活性化事業、ものづくり技術支援事業"])]
TABLE_PROGRAMS = [["創業支援事業", "企業立地支援事業"], ["事業継続計画策定支援事業", "販路拡大支援事業"],
                  ["商店街活性化事業", "ものづくり技術支援事業"]]


def _canvas(overview_x: float = 60):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1, pagesize=(595, 842))
    c.setFont("HeiseiMin-W3", 10.5)
    y = 780
    for text in ["「町田市地域産業活性化計画」（町田市）", "【計画期間：令和6年度～令和8年度】"]:
        c.drawString(60, y, text)
        y -= 16
    y -= 4
    for text in OVERVIEW:
        c.drawString(overview_x, y, text)
        y -= 14
    return c, buf, y - 12


def _picture_pdf(path):
    c, buf, y = _canvas()
    for text in ["(1) 多様な主体との連携を図る取組", "支援機関が連携するネットワークを構築する（創業支援事業、企業立地支援事業）"]:
        c.drawString(60, y, text)
        y -= 14
    c.rect(60, y - 90, 120, 80)  # a photo frame
    y -= 104
    for text in ["市内の創業セミナー", "(2) その他の取組", "商店街活性化事業、ものづくり技術支援事業"]:
        c.drawString(60, y, text)
        y -= 14
    c.save()
    path.write_bytes(buf.getvalue())
    return path


def _table_pdf(path, ruled: bool):
    # the overview in the text column too: the label cells stand in a side column beside it
    c, buf, y = _canvas(overview_x=190)
    for labels, texts in ROWS:
        top = y
        for i, text in enumerate(labels):
            c.drawString(62, y - 14 * i, text)
        for i, text in enumerate(texts):
            c.drawString(190, y - 14 * i, text)
        y -= 14 * max(len(labels), len(texts)) + 14
        if ruled:
            c.line(56, top + 12, 540, top + 12)
            c.line(180, top + 12, 180, y + 12)
    c.save()
    path.write_bytes(buf.getvalue())
    return path


def _tables(path, rules):
    raw = read_document(path, rules)
    return raw, rows_of(extract(segment(normalize_document(raw, rules), rules), rules), rules)


def _programs(rows) -> list[list[str]]:
    by_measure: dict[str, list[str]] = {}
    for m in rows["measures"]:
        by_measure[m["measure_id"]] = []
    for p in rows["programs"]:
        by_measure[p["measure_id"]].append(p["program_name"])
    return list(by_measure.values())


def test_the_reader_says_where_a_line_stands_not_what_it_is(rules, tmp_path):
    raw, _rows = _tables(_picture_pdf(tmp_path / "picture.pdf"), rules)
    assert [(ln.text, ln.hint) for ln in raw.lines if ln.hint] == [
        ("市内の創業セミナー", "side"), ("(2) その他の取組", "side")]


def test_a_marker_under_a_picture_is_a_measure_and_the_line_above_it_a_caption(rules, tmp_path):
    _raw, rows = _tables(_picture_pdf(tmp_path / "picture.pdf"), rules)
    assert [m["category_label"] for m in rows["measures"]] == ["多様な主体との連携を図る取組", "その他の取組"]
    assert _programs(rows) == [["創業支援事業", "企業立地支援事業"], ["商店街活性化事業", "ものづくり技術支援事業"]]
    assert [c["text"] for c in rows["captions"]] == ["市内の創業セミナー"]


def test_the_label_cells_of_a_ruled_table_are_read_with_their_rows(rules, tmp_path):
    raw, rows = _tables(_table_pdf(tmp_path / "ruled.pdf", ruled=True), rules)
    assert not [ln.text for ln in raw.lines if ln.hint]
    assert [m["category_label"] for m in rows["measures"]] == [
        "多様な主体との連携を図る取組", "感染症や災害などへの対応に係る取組", "(1)、(2)以外の取組"]
    assert _programs(rows) == TABLE_PROGRAMS
    assert rows["captions"] == []


def test_the_label_cells_of_an_unruled_table_are_read_before_the_text_beside_them(rules, tmp_path):
    """Without rulings the reader sees short lines beside the text: it hints them ``side`` and
    says which paragraph each stands beside; segment reads the markers and puts each before
    the paragraph of its row."""
    raw, rows = _tables(_table_pdf(tmp_path / "unruled.pdf", ruled=False), rules)
    side = [ln for ln in raw.lines if ln.hint == "side"]
    assert [ln.text for ln in side] == [text for labels, _texts in ROWS for text in labels]
    firsts = {ln.line_no: ln.text for ln in raw.lines}
    assert [firsts[ln.layout.beside] for ln in side if ln.layout.follows is None] == [
        texts[0] for _labels, texts in ROWS]
    assert [m["category_label"] for m in rows["measures"]] == [
        "多様な主体との連携を図る取組", "感染症や災害などへの対応に係る取組", "(1)、(2)以外の取組"]
    assert _programs(rows) == TABLE_PROGRAMS
    assert rows["captions"] == []
