"""The hand-written Tokyo pages of tests/fixtures/html against the same content as text: the
lines the reader takes from each page, the encoded copies, the furniture that must never become
content, and the tables (README there says what each page holds)."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, _key, process, rows_of
from test_html import visible_texts

HTML = FIXTURES / "html"

# Lines of the text form that the page shows as furniture (written from press_2014.html by hand):
# its breadcrumbs, the skip text and the page-top link. The 〔別紙〕 text holds none of them.
TEXT_FURNITURE = {
    "press_2014": ["トップページ > 都政情報 > 報道発表 > 2014年3月 > 地域産業基盤強化計画を承認しました",
                   "ここから本文です。", "ページの先頭へ戻る"],
    "bessi_2016": [],
}

# Text from the site's header, menus, breadcrumbs, side column, share and print widgets and footer,
# written from each page by hand: none of it may be content.
FURNITURE_TEXT = {
    "press_2014": ["本文へスキップ", "文字サイズ", "English", "サイトマップ", "都庁へのご意見", "サイト内検索",
                   "都政情報", "くらし・健康・福祉", "産業・仕事", "防災・安全", "トップページ", "2014年2月", "2014年1月",
                   "このサイトについて", "個人情報の取扱いについて", "アクセシビリティについて", "西新宿2-8-1",
                   "Copyright", "ここから本文です", "ページの先頭へ戻る"],
    "bessi_2016": ["メインコンテンツへ移動", "東京都産業労働局", "Foreign Language", "サイトマップ", "検索", "中小企業支援",
                   "雇用・就業", "農林水産", "観光", "ホーム", "計画の承認について(別紙)", "ツイート", "いいね",
                   "このページを印刷する", "ページの先頭へ戻る", "関連情報", "産業集積活性化支援事業",
                   "このサイトについて", "個人情報保護方針", "Copyright"],
}

PAGES = ["press_2014.html", "press_2014.sjis.html", "bessi_2016.html", "bessi_2016.eucjp.html"]
ENCODINGS = {"press_2014.html": "utf-8", "press_2014.sjis.html": "cp932", "bessi_2016.html": "utf-8",
             "bessi_2016.eucjp.html": "euc-jp"}


def _paragraphs(texts: list[str]) -> list[str]:
    """Lines with runs of blank lines made one, none at either end: the paragraph structure."""
    out: list[str] = []
    for t in texts:
        if t or (out and out[-1]):
            out.append(t)
    while out and not out[-1]:
        out.pop()
    return out


@pytest.mark.parametrize("name", ["press_2014", "bessi_2016"])
def test_the_pages_content_is_the_text_forms_lines(name, rules):
    from pipeline.ingest.read import read_document
    from pipeline.model import LayoutHint

    page = read_document(HTML / f"{name}.html", rules)
    content = _paragraphs([ln.text for ln in page.lines if ln.hint != LayoutHint.FURNITURE])
    text = (HTML / f"{name}.txt").read_text(encoding="utf-8").split("\n")
    assert content == _paragraphs([t for t in text if t not in TEXT_FURNITURE[name]])
    furniture = [ln.text for ln in page.lines if ln.hint == LayoutHint.FURNITURE]
    assert all(t in furniture for t in TEXT_FURNITURE[name])


@pytest.mark.parametrize("name", PAGES)
def test_every_text_of_the_page_ends_up_in_a_line_with_one_role(name, rules):
    from pipeline.ingest.read import read_document
    from pipeline.model import LayoutHint

    source = (HTML / name).read_bytes()
    raw = read_document(HTML / name, rules)
    assert raw.encoding == ENCODINGS[name]
    shown = "".join("".join(ln.text.split()) for ln in raw.lines)
    for text in visible_texts(source.decode({"cp932": "cp932", "euc-jp": "euc_jp"}.get(raw.encoding, "utf-8")),
                              rules):
        assert text in shown, text
    roles = rows_of(process(HTML / name, rules), rules)["lines"]
    assert [r["line"] for r in roles] == [ln.line_no for ln in raw.lines if ln.text]
    hinted = {ln.line_no for ln in raw.lines if ln.hint == LayoutHint.FURNITURE}
    assert hinted and all(r["role"] == "furniture" for r in roles if r["line"] in hinted)
    assert all(r["html_path"] for r in roles)


@pytest.mark.parametrize("name", PAGES)
def test_no_text_of_menus_breadcrumbs_header_footer_or_sidebars_becomes_content(name, rules):
    rows = rows_of(process(HTML / name, rules), rules)
    marks = FURNITURE_TEXT[name.split(".")[0]]
    seen = set()
    for table, table_rows in rows.items():
        if table == "diagnostics":
            continue
        for row in table_rows:
            cells = [v for v in row.values() if isinstance(v, str)] + [
                x for v in row.values() if isinstance(v, list) for x in v]
            for mark in marks:
                if any(_key(mark) in _key(cell) for cell in cells):
                    assert table == "lines" and row["role"] == "furniture", (table, mark, row)
                    seen.add(mark)
    assert seen == set(marks), set(marks) - seen  # each one is there, as furniture


def _structure(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The plans, measures, programs and captions without provenance: line numbers, character
    offsets, html_path, page and box, and the document's id (which ids extend)."""
    doc_id = rows["documents"][0]["doc_id"]
    provenance = {"doc_id", "line", "line_start", "line_end", "char_start", "char_end", "html_path", "page",
                  "bbox_x0", "bbox_top", "bbox_x1", "bbox_bottom"}
    return {table: [{k: (v.replace(doc_id, "") if isinstance(v, str) else v) for k, v in row.items()
                     if k not in provenance} for row in rows[table]]
            for table in ("plans", "measures", "programs", "captions")}


@pytest.mark.parametrize("copy,original", [("press_2014.sjis.html", "press_2014.html"),
                                           ("bessi_2016.eucjp.html", "bessi_2016.html")])
def test_the_encoded_copy_gives_the_tables_of_the_utf8_page(copy, original, rules):
    a, b = rows_of(process(HTML / copy, rules), rules), rows_of(process(HTML / original, rules), rules)
    assert _structure(a) == _structure(b)
    for table in ("lines", "programs"):  # and the same provenance, raw text up to the tilde EUC-JP holds
        assert _same_rows(a, table) == _same_rows(b, table)


def _same_rows(rows: dict[str, list[dict]], table: str) -> list[dict]:
    doc_id = rows["documents"][0]["doc_id"]
    return [{k: (_key(v) if k in ("raw_text", "program_name_raw") else v.replace(doc_id, "") if isinstance(v, str)
                 else v) for k, v in r.items()} for r in rows[table]]


# The plans and measures each page holds, counted by hand; the page and its text must give them
# alike.
SAME_AS_TEXT = [("press_2014", 4, 8), ("bessi_2016", 3, 6)]


@pytest.mark.parametrize("name,plans,measures", SAME_AS_TEXT)
def test_the_page_and_its_text_give_the_same_plans_measures_programs_and_captions(name, plans, measures, rules):
    page = _structure(rows_of(process(HTML / f"{name}.html", rules), rules))
    text = _structure(rows_of(process(HTML / f"{name}.txt", rules), rules))
    assert (len(page["plans"]), len(page["measures"])) == (plans, measures)
    assert page["programs"] and page["captions"]
    assert page == text


