"""The HTML reader (pipeline.ingest.html): recognizing a page, its encoding, the lines it shows,
their hints and element paths, and the accounting of every block it leaves out. Each expected
value is written from the page in the test, by hand."""

from __future__ import annotations

import re

import pytest

from pipeline.errors import InputError
from pipeline.model import LayoutHint

FURNITURE, CAPTION = LayoutHint.FURNITURE, LayoutHint.CAPTION


def page(body: str, head: str = '<meta charset="utf-8"><title>題</title>') -> str:
    return f"<!DOCTYPE html>\n<html lang=\"ja\"><head>{head}</head>\n<body>\n{body}\n</body></html>\n"


def lines(html: str, rules) -> list[tuple[str, LayoutHint | None]]:
    from pipeline.ingest.html.page import read_page

    return [(ln.text, ln.hint) for ln in read_page(html, rules.html).lines]


def texts(html: str, rules) -> list[str]:
    return [t for t, _ in lines(html, rules)]


def read(tmp_path, data: bytes | str, rules, name: str = "page.html"):
    from pipeline.ingest.read import read_document

    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return read_document(path, rules)


# -- recognizing a page


@pytest.mark.parametrize("head", [
    '<?xml version="1.0" encoding="Shift_JIS"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "x">',
    "<!-- saved from url=(0042)https://www.metro.tokyo.lg.jp/press.html -->\n<html>",
    '<meta charset="utf-8"><p>本文</p>',
    "<head><title>題</title></head>",
    "  <BODY><p>本文</p>",
])
def test_a_page_is_recognized_by_its_content(head):
    from pipeline.ingest.sniff import sniff

    assert sniff(head.encode()) == "text/html"


def test_a_utf16_page_is_recognized():
    from pipeline.ingest.sniff import sniff

    assert sniff("\ufeff<!DOCTYPE html><html>".encode("utf-16")) == "text/html"


@pytest.mark.parametrize("head", ["<p>本文</p>", "承認した計画 <html>", "<?xml version='1.0'?><root/>"])
def test_text_that_merely_holds_a_tag_is_text(head):
    from pipeline.ingest.sniff import sniff

    assert sniff(head.encode()) == "text/plain"


@pytest.mark.parametrize("name", ["page.txt", "page", "page.HTM"])
def test_the_name_plays_no_part(tmp_path, rules, name):
    doc = read(tmp_path, page("<p>本文です。</p>"), rules, name)
    assert doc.media_type == "text/html"
    assert [ln.text for ln in doc.lines] == ["本文です。"]


# -- encodings

TEXT = "「品川区ものづくり産業基盤強化計画」①"


@pytest.mark.parametrize("declaration,encoding,codec", [
    ('<meta charset="Shift_JIS">', "cp932", "cp932"),
    ('<meta http-equiv="Content-Type" content="text/html; charset=shift_jis">', "cp932", "cp932"),
    ('<meta http-equiv="content-type" content="text/html;charset=EUC-JP">', "euc-jp", "euc_jis_2004"),
    ('<meta charset="utf-8">', "utf-8", "utf-8"),
    ("", "utf-8", "utf-8"),  # no declaration: sniffed
    ("", "cp932", "cp932"),
    ("", "euc-jp", "euc_jp"),
])
def test_encodings_from_the_declaration_or_sniffed_strictly(tmp_path, rules, declaration, encoding, codec):
    text = TEXT if codec != "euc_jp" else TEXT[:-1]  # ① is NEC row 13: not in plain euc_jp
    doc = read(tmp_path, page(f"<p>{text}</p>", declaration).encode(codec), rules)
    assert (doc.encoding, [ln.text for ln in doc.lines]) == (encoding, [text])
    assert not [d for d in doc.diagnostics if d.code == "html_charset"]


def test_an_xml_declaration_names_the_encoding(tmp_path, rules):
    html = '<?xml version="1.0" encoding="Shift_JIS"?>\n' + page(f"<p>{TEXT}</p>", "")
    doc = read(tmp_path, html.encode("cp932"), rules)
    assert (doc.encoding, [ln.text for ln in doc.lines]) == ("cp932", [TEXT])


def test_a_bom_wins_over_the_declaration(tmp_path, rules):
    doc = read(tmp_path, b"\xef\xbb\xbf" + page(f"<p>{TEXT}</p>", '<meta charset="Shift_JIS">').encode(), rules)
    assert (doc.encoding, [ln.text for ln in doc.lines]) == ("utf-8-sig", [TEXT])
    doc = read(tmp_path, page(f"<p>{TEXT}</p>").encode("utf-16"), rules)
    assert (doc.encoding, [ln.text for ln in doc.lines]) == ("utf-16", [TEXT])


def test_a_page_saved_again_as_utf8_with_its_old_declaration_is_utf8(tmp_path, rules):
    doc = read(tmp_path, page(f"<p>{TEXT}</p>", '<meta charset="Shift_JIS">').encode("utf-8"), rules)
    assert (doc.encoding, [ln.text for ln in doc.lines]) == ("utf-8", [TEXT])
    (note,) = [d for d in doc.diagnostics if d.code == "html_charset"]
    assert "declares charset=shift_jis but is UTF-8" in note.message and note.severity == "info"


def test_a_wrong_or_unknown_declaration_is_noted_and_the_encoding_sniffed(tmp_path, rules):
    doc = read(tmp_path, page(f"<p>{TEXT}</p>", '<meta charset="utf-8">').encode("cp932"), rules)
    assert (doc.encoding, [ln.text for ln in doc.lines]) == ("cp932", [TEXT])
    assert [d.code for d in doc.diagnostics if d.severity == "info"][0] == "html_charset"
    doc = read(tmp_path, page(f"<p>{TEXT}</p>", '<meta charset="iso-8859-1">').encode("cp932"), rules)
    (note,) = [d for d in doc.diagnostics if d.code == "html_charset"]
    assert doc.encoding == "cp932" and "charset=iso-8859-1, which is not read here" in note.message


def test_undecodable_bytes_fail_with_their_offset(tmp_path, rules):
    data = page("<p>本文</p>", "").encode("utf-8") + b"\xff\xfe\xfa\x80\x00"
    with pytest.raises(InputError, match=r"undecodable bytes at byte offset \d+: neither UTF-8, EUC-JP nor"):
        read(tmp_path, data, rules)


# -- blocks become lines


def test_paragraphs_lines_and_line_breaks(rules):
    html = page("""<h2>見出し</h2><p>一行目<br>二行目<br><br>三行目</p>
<ul><li>項目一</li><li>項目二</li></ul>
<dl><dt>1 販路開拓の推進</dt><dd>展示会の開催等</dd></dl>
<div>区切り</div><div>次の区切り</div>""")
    assert texts(html, rules) == ["見出し", "", "一行目", "二行目", "", "三行目", "", "項目一", "項目二", "",
                                  "1 販路開拓の推進", "展示会の開催等", "", "区切り", "次の区切り"]


def test_inline_elements_never_break_a_name(rules):
    html = page("""<p><span class="em">創業</span><a href="#">支援</a><strong>事業</strong>、
<b>販路</b>拡大
支援事業(<span>再掲</span>)</p>""")
    # A line break in the source between two Japanese characters is no space; after 、 neither.
    assert texts(html, rules) == ["創業支援事業、販路拡大支援事業(再掲)"]


def test_white_space_collapses_as_a_browser_shows_it(rules):
    html = page("<p>  Produced   by\n  マジンハウス &amp;\tSETAGAYA&nbsp;PORT　全角 </p>")
    assert texts(html, rules) == ["Produced by マジンハウス & SETAGAYA\u00a0PORT　全角"]


def test_a_table_row_of_cells_is_one_line_joined_with_tabs(rules):
    html = page("""<table><tr><th>品川区</th><td>「品川区ものづくり産業基盤強化計画」</td>
<td>【計画期間:平成26<br>~28年度】</td><td></td></tr>
<tr><td>大田区</td><td>「大田区計画」</td></tr></table>""")
    assert texts(html, rules) == ["品川区\t「品川区ものづくり産業基盤強化計画」\t【計画期間:平成26 ~28年度】",
                                  "大田区\t「大田区計画」"]


def test_a_layout_table_is_read_as_blocks(rules):
    html = page("""<table><tr><td><p>左の段落</p><p>次の段落</p></td><td><div>右の欄</div></td></tr></table>""")
    assert texts(html, rules) == ["左の段落", "", "次の段落", "", "右の欄"]


def test_pre_keeps_its_lines(rules):
    assert texts(page("<pre>一行目\n  二行目\n\n三行目</pre>"), rules) == ["一行目", "二行目", "", "三行目"]


# -- captions and images


def test_figcaption_and_alt_text_beside_short_text_carry_the_caption_hint(rules):
    html = page("""<p>区内の製造業は精密加工の技術を持ち、国内外の産業を支えてきた。</p>
<figure><img src="a.jpg" alt="工場の写真"><figcaption>区内工場での精密加工</figcaption></figure>
<p><img src="b.jpg" alt="画像"> <img src="c.jpg" alt="画像"></p>
<p><img src="d.jpg" alt="見本市">いたばし産業見本市</p>""")
    assert lines(html, rules) == [
        ("区内の製造業は精密加工の技術を持ち、国内外の産業を支えてきた。", None), ("", None),
        ("区内工場での精密加工", CAPTION), ("", None),  # the figure's alt is its caption: not read twice
        ("画像 画像", CAPTION), ("", None),
        ("見本市いたばし産業見本市", CAPTION),
    ]


def test_alt_text_inside_prose_and_icons_are_not_read_but_counted(rules):
    from pipeline.ingest.html.page import read_page

    long = "区内企業の販路開拓を支援するため、展示会への出展費用の一部を補助し、商談会を年に二回開催する。"
    html = page(f"""<p><img src="k.jpg" alt="区長">{long}</p>
<p>詳しくは<a href="x.pdf">別紙(PDF:120KB)<img src="pdf.gif" alt="PDFファイル"></a>をご覧ください。</p>
<p><a href="https://example.jp">外部のページ<img src="ext.png" alt="外部サイトへリンク" width="12" height="12"></a></p>""")
    got = read_page(html, rules.html)
    assert [(ln.text, ln.hint) for ln in got.lines] == [
        (long, None), ("", None), ("詳しくは別紙(PDF:120KB)をご覧ください。", None), ("", None), ("外部のページ", None)]
    assert dict(got.alts_left_out) == {"beside longer text": 1, "icons": 2}


# -- content and furniture

SITE = """<div id="tmp_header"><p class="skip"><a href="#tmp_honbun">本文へスキップ</a></p>
<ul id="tmp_hnavi"><li>サイトマップ</li><li>English</li></ul></div>
<div id="tmp_gnavi"><ul><li>都政情報</li><li>産業・仕事</li></ul></div>
<div id="tmp_pankuzu"><p><a href="/">トップページ</a> &gt; 報道発表</p></div>
<div id="tmp_wrap_main"><div id="tmp_contents">
<p class="skip">ここから本文です。</p>
<h1>地域産業基盤強化計画を承認しました</h1>
<p>本文の段落です。<span class="sr-only">(読み上げ用)</span></p>
<div class="print"><a href="javascript:print()">印刷</a></div>
<p><a href="#tmp_header">ページの先頭へ戻る</a></p>
</div>
<div id="tmp_lnavi"><h2>報道発表</h2><ul><li>2014年3月</li></ul></div></div>
<div id="tmp_footer"><p>Copyright (C) 2014 Tokyo Metropolitan Government.</p></div>
<script>document.write('<p>スクリプトの文</p>')</script><noscript><p>JavaScriptを有効にしてください</p></noscript>
<p style="display: none">隠れた文</p><div hidden>隠れた段落</div>"""


def test_the_content_container_and_everything_around_it_as_furniture(rules):
    from pipeline.ingest.html.page import read_page

    got = read_page(page(SITE), rules.html)
    content = [ln.text for ln in got.lines if ln.text and ln.hint is None]
    assert content == ["地域産業基盤強化計画を承認しました", "本文の段落です。"]
    furniture = [ln.text for ln in got.lines if ln.hint == FURNITURE]
    assert furniture == ["本文へスキップ", "サイトマップ", "English", "都政情報", "産業・仕事", "トップページ > 報道発表",
                         "ここから本文です。", "印刷", "ページの先頭へ戻る", "報道発表", "2014年3月",
                         "Copyright (C) 2014 Tokyo Metropolitan Government.", "JavaScriptを有効にしてください"]
    assert got.content == "#tmp_contents"
    # Every block left out is counted: the furniture by why, the rest by tag.
    assert dict(got.furniture) == {"#tmp_header": 1, "#tmp_gnavi": 1, "#tmp_pankuzu": 1, ".skip": 1, ".print": 1,
                                   "skip or page-top link": 1, "#tmp_lnavi": 1, "#tmp_footer": 1, "noscript": 1}
    assert dict(got.not_text) == {"head": 1, "hidden": 3, "script": 1}


def test_the_html_page_diagnostic_counts_every_dropped_block(tmp_path, rules):
    doc = read(tmp_path, page(SITE), rules)
    (summary,) = [d for d in doc.diagnostics if d.code == "html_page"]
    assert summary.severity == "info"
    assert summary.message == (
        "web page: content read from #tmp_contents; 9 block(s) dropped as furniture (#tmp_header 1, #tmp_gnavi 1, "
        "#tmp_pankuzu 1, .skip 1, .print 1, skip or page-top link 1, #tmp_lnavi 1, #tmp_footer 1, noscript 1), "
        "their text kept as 13 furniture line(s); left out as no text: head 1, hidden 3, script 1")


@pytest.mark.parametrize("container,expected", [
    ('<main><p>本文の段落です。</p></main>', "<main>"),
    ('<div role="main"><p>本文の段落です。</p></div>', 'role="main"'),
    ('<div id="contents"><p>本文の段落です。</p></div>', "#contents"),
    ('<div class="main-content"><p>本文の段落です。</p></div>', ".main-content"),
    ('<main></main><div id="contents"><p>本文の段落です。</p></div>', "#contents"),  # an empty main is no content
])
def test_the_content_is_main_or_a_known_container(rules, container, expected):
    from pipeline.ingest.html.page import read_page

    got = read_page(page(f"<nav><ul><li>メニュー</li></ul></nav><div>囲みの外</div>{container}"), rules.html)
    assert got.content == expected
    assert [(ln.text, ln.hint) for ln in got.lines if ln.text] == [
        ("メニュー", FURNITURE), ("囲みの外", FURNITURE), ("本文の段落です。", None)]


def test_a_container_around_a_small_part_of_the_page_is_not_the_content(rules):
    """min_share: a div id="content" around the title alone, the release below it."""
    from pipeline.ingest.html.page import read_page

    prose = "東京都は、品川区、大田区、板橋区及び八王子市から申請のあった計画を承認しました。"
    html = page(f'<nav><ul><li>メニュー</li></ul></nav><div id="content"><h1>計画の承認</h1></div><p>{prose}</p>')
    got = read_page(html, rules.html)
    assert got.content == "the whole body"
    assert [(ln.text, ln.hint) for ln in got.lines if ln.text] == [
        ("メニュー", FURNITURE), ("計画の承認", None), (prose, None)]


def test_a_class_named_header_inside_the_content_is_content(rules):
    html = page('<div class="header"><p>サイト名</p></div><div id="tmp_contents">'
                '<h3 class="header">「品川区ものづくり産業基盤強化計画」(品川区)</h3><p>区内には中小製造業が集積している。</p></div>')
    assert [(t, h) for t, h in lines(html, rules) if t] == [
        ("サイト名", FURNITURE), ("「品川区ものづくり産業基盤強化計画」(品川区)", None), ("区内には中小製造業が集積している。", None)]


def test_spaces_alone_are_a_blank_line(rules):
    html = page("<p>一つ目</p><div>&nbsp;</div><div>二つ目<br>　<br>三つ目</div>")
    assert texts(html, rules) == ["一つ目", "", "二つ目", "", "三つ目"]


def test_a_layout_cell_of_text_and_line_breaks_is_read_as_lines(rules):
    """An old page: the whole release in one cell, paragraphs made with <br>; a spacer cell."""
    html = page('<table><tr><td width="10"></td><td>「品川区ものづくり産業基盤強化計画」(品川区)<br><br>'
                "区内には中小製造業が集積している。<br>(1) 技術力の向上<br>新技術の開発を支援する</td></tr></table>")
    assert texts(html, rules) == ["「品川区ものづくり産業基盤強化計画」(品川区)", "", "区内には中小製造業が集積している。",
                                  "(1) 技術力の向上", "新技術の開発を支援する"]


def test_without_a_container_the_body_less_its_furniture_is_read(rules):
    from pipeline.ingest.html.page import read_page

    html = page("""<header><p>東京都</p></header><div class="breadcrumb">ホーム &gt; 報道発表</div>
<div class="box"><p>本文の段落</p><aside><p>関連リンク</p></aside></div><footer><p>フッター</p></footer>""")
    got = read_page(html, rules.html)
    assert got.content == "the whole body"
    assert [(ln.text, ln.hint) for ln in got.lines if ln.text] == [
        ("東京都", FURNITURE), ("ホーム > 報道発表", FURNITURE), ("本文の段落", None), ("関連リンク", FURNITURE),
        ("フッター", FURNITURE)]


def test_an_articles_own_header_and_footer_are_content(rules):
    html = page("""<header><p>サイトの見出し</p></header><main><article><header><h1>計画の承認について</h1>
<p>2016年3月17日</p></header><p>本文</p><footer><p>問い合わせ先 産業労働局</p></footer></article></main>""")
    assert [(t, h) for t, h in lines(html, rules) if t] == [
        ("サイトの見出し", FURNITURE), ("計画の承認について", None), ("2016年3月17日", None), ("本文", None),
        ("問い合わせ先 産業労働局", None)]


def test_a_container_inside_furniture_is_not_the_content(rules):
    from pipeline.ingest.html.page import read_page

    html = page('<aside><div id="content"><p>サイドの囲み</p></div></aside><div class="box"><p>本文</p></div>')
    got = read_page(html, rules.html)
    assert got.content == "the whole body" and [ln.text for ln in got.lines if ln.text and ln.hint is None] == ["本文"]


# -- provenance


def test_every_line_names_its_element_by_a_short_xpath(tmp_path, rules):
    from lxml import html as lxml_html

    source = page(SITE + '<div class="box"><table><tr><td>品川区</td><td>計画</td></tr></table></div>')
    doc = read(tmp_path, source, rules)
    tree = lxml_html.document_fromstring(source)
    for ln in doc.lines:
        if not ln.text:
            assert ln.html_path is None
            continue
        (element,) = tree.xpath(ln.html_path)
        shown = " ".join(element.text_content().split()).replace(" ", "")
        assert ln.text.replace("\t", "").replace(" ", "") in shown, (ln.text, ln.html_path)
    paths = {ln.text: ln.html_path for ln in doc.lines}
    assert paths["本文の段落です。"] == '//*[@id="tmp_contents"]/p[2]'
    assert paths["トップページ > 報道発表"] == '//*[@id="tmp_pankuzu"]/p'
    assert paths["品川区\t計画"] == "/html/body/div[7]/table/tr"  # the seventh div of the body: no id on the way


# -- bad pages


def test_a_page_that_needs_javascript_is_no_text_with_one_clear_line(tmp_path, rules):
    html = page('<div id="app"></div><noscript>このページを表示するにはJavaScriptを有効にしてください。</noscript>'
                '<script src="/app.js"></script>')
    with pytest.raises(InputError) as err:
        read(tmp_path, html, rules)
    assert err.value.status == "no_text"
    assert err.value.one_line("page.html") == (
        "page.html: web page with no content, only page furniture (1 line(s) of menus, header or footer): it is "
        "filled in by JavaScript (1 script(s); its <noscript> says: このページを表示するにはJavaScriptを有効にしてください。) "
        "(open the page in a browser, wait until it has loaded, and save it again (Web page, complete))")


def test_an_empty_body_and_a_frameset_are_no_text(tmp_path, rules):
    with pytest.raises(InputError, match="^web page whose body holds no text$") as err:
        read(tmp_path, page("<div>  </div><img src='a.png'>"), rules)
    assert err.value.status == "no_text"
    frames = '<!DOCTYPE html><html><frameset cols="20%,80%"><frame src="menu.html"><frame src="main.html"></frameset></html>'
    with pytest.raises(InputError, match="its content is in frames") as err:
        read(tmp_path, frames, rules)
    assert err.value.status == "no_text"


def test_truncated_markup_is_read_up_to_its_end_with_a_warning(tmp_path, rules):
    html = page("<main><p>一つ目の段落。</p><p>切れた段落の途中まで")
    html = html[:html.index("</body>")]
    doc = read(tmp_path, html, rules)
    assert [ln.text for ln in doc.lines] == ["一つ目の段落。", "", "切れた段落の途中まで"]
    (warning,) = [d for d in doc.diagnostics if d.code == "html_truncated"]
    assert warning.severity == "warning" and warning.line == 3
    assert re.search(r"ends before </body></html>.*切れた段落の途中まで$", warning.message)


def visible_texts(source: str, rules) -> list[str]:
    """Every piece of text a browser would show (not in the head, a script, a style or a hidden
    element), found independently of the reader: lxml's text and tail of each element."""
    from lxml import html as lxml_html

    tree = lxml_html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", source))
    s = rules.html

    def hidden(el) -> bool:
        return any(isinstance(e.tag, str) and (e.tag in s.not_text or e.get("hidden") is not None
                                                or s.hidden_style.search((e.get("style") or "").lower())
                                                or set((e.get("class") or "").lower().split()) & s.hidden_classes)
                   for e in (el, *el.iterancestors()))

    out = []
    for el in tree.iter():
        if isinstance(el.tag, str) and el.text and not hidden(el):
            out.append(el.text)
        if el.tail and el.getparent() is not None and not hidden(el.getparent()):
            out.append(el.tail)
    return [t for t in ("".join(x.split()) for x in out) if t]


def test_every_text_of_a_page_ends_up_in_a_line(tmp_path, rules):
    """The accounting: nothing a reader sees is lost, furniture included."""
    source = page(SITE)
    doc = read(tmp_path, source, rules)
    shown = "".join("".join(ln.text.split()) for ln in doc.lines)
    for text in visible_texts(source, rules):
        assert text in shown, text


def test_bad_pages_get_a_documents_row_and_one_line_each(tmp_path):
    import csv
    import subprocess
    import sys

    from conftest import ROOT

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "app.html").write_text(page('<div id="app"></div><script src="app.js"></script>'), encoding="utf-8")
    cut = page("<main><p>「品川区ものづくり計画」の本文が途中で")
    (folder / "cut.html").write_text(cut[:cut.index("</body>")], encoding="utf-8")
    (folder / "event.html").write_text(page("<main><h1>産業交流展2016の開催について</h1>"
                                            "<p>都内中小企業の優れた製品を紹介する展示会を開催します。</p></main>"),
                                       encoding="utf-8")
    out = tmp_path / "out"
    res = subprocess.run([sys.executable, "-m", "pipeline", "run", str(folder), "--out", str(out), "--tables-only"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 1, res.stderr  # a page without text counts as failed, as a scanned PDF does
    with open(out / "documents.csv", encoding="utf-8-sig", newline="") as fh:
        docs = {row["source_path"].rsplit("/", 1)[1]: row for row in csv.DictReader(fh)}
    assert {name: d["status"] for name, d in docs.items()} == {
        "app.html": "no_text", "cut.html": "no_plans", "event.html": "no_plans"}
    assert all(d["media_type"] == "text/html" for d in docs.values())
    assert docs["app.html"]["error"].startswith("web page whose body holds no text: it is filled in by JavaScript")
    said = {name: [ln for ln in res.stderr.splitlines() if ln.startswith(str(folder / name))] for name in docs}
    assert all(len(lines) == 1 for lines in said.values()), res.stderr
    assert "web page whose body holds no text" in said["app.html"][0]
    # The line names the warning that says why there are no plans, not the reader's info note.
    assert said["event.html"][0].startswith(f"{folder / 'event.html'}: no plans found: no_plans: "), said
    with open(out / "diagnostics.csv", encoding="utf-8-sig", newline="") as fh:
        codes = {(row["source_path"].rsplit("/", 1)[1], row["code"]) for row in csv.DictReader(fh)}
    assert {("cut.html", "html_truncated"), ("cut.html", "no_plans"), ("event.html", "no_plans"),
            ("app.html", "no_text")} <= codes


def test_html_path_is_in_lines_programs_and_captions_and_empty_for_text(tmp_path, rules):
    import html as html_escape

    from conftest import FIXTURES, process, rows_of

    seed = (FIXTURES / "seed.txt").read_text(encoding="utf-8")
    blocks = [b for b in seed.split("\n\n") if b.strip()]
    body = "\n".join("<p>" + "<br>".join(html_escape.escape(ln) for ln in b.strip("\n").split("\n")) + "</p>"
                     for b in blocks)
    path = tmp_path / "seed.html"
    path.write_text(page(f'<div id="tmp_contents">{body}</div>'), encoding="utf-8")
    rows = rows_of(process(path, rules), rules)
    by_line = {r["line"]: r["html_path"] for r in rows["lines"]}
    assert rows["lines"] and all(re.fullmatch(r'//\*\[@id="tmp_contents"\]/p\[\d+\]', p) for p in by_line.values())
    assert rows["programs"] and all(r["html_path"] == by_line[r["line"]] for r in rows["programs"])
    assert rows["captions"] and all(r["html_path"] == by_line[r["line"]] for r in rows["captions"])
    text = rows_of(process(FIXTURES / "seed.txt", rules), rules)
    assert {r["html_path"] for table in ("lines", "programs", "captions") for r in text[table]} == {None}


@pytest.mark.parametrize("head,what", [
    (b"From: <Saved by Blink>\r\nSnapshot-Content-Location: https://www.metro.tokyo.lg.jp/\r\nSubject: x\r\n"
     b"MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype=\"text/html\";\r\n", "MHTML"),
    (b"bplist00\xd1\x01\x02_\x10\x0fWebMainResource", "Safari web archive"),
])
def test_a_page_saved_as_one_file_says_how_to_save_it_instead(tmp_path, rules, head, what):
    with pytest.raises(InputError, match=f"unsupported file type: .*{what}") as err:
        read(tmp_path, head + b"\r\n<html><body><p>x</p></body></html>", rules, "page.mhtml")
    assert err.value.hint == "save the page from the browser as 'Web page, complete' or 'HTML only'"


@pytest.mark.parametrize("layout,expected", [
    ('<div id="contents"><div id="main"><p>{prose}</p></div><div id="sub"><p>関連リンク</p></div></div>', "#main"),
    ('<div id="main"><div id="contents"><p>{prose}</p></div><div class="side"><p>関連リンク</p></div></div>',
     "#contents"),
])
def test_of_nested_containers_the_innermost_that_holds_the_text_is_the_content(rules, layout, expected):
    from pipeline.ingest.html.page import read_page

    prose = "東京都は、品川区、大田区、板橋区及び八王子市から申請のあった計画を承認しました。"
    got = read_page(page(layout.format(prose=prose)), rules.html)
    assert got.content == expected
    assert [(ln.text, ln.hint) for ln in got.lines if ln.text] == [(prose, None), ("関連リンク", FURNITURE)]


@pytest.mark.parametrize("old,new,message", [
    ("min_share = 0.5", "min_share = 1.5", "html.toml: key 'content.min_share' must be a number from 0 to 1"),
    ('"euc-jp" = "euc-jp"', '"euc-jp" = "latin-1"', "html.toml: key 'charset.names.euc-jp' must be one of"),
    ("icon_max_px = 32\n", "", "html.toml: missing key 'images.icon_max_px'"),
    ("'^ここから本文です。?$',", "'^(ここから',", "html.toml: key 'furniture.texts[0]': bad pattern"),
    ('tags = ["main"]', 'tags = ["main page"]', "html.toml: key 'content.tags[0]' must be a name without spaces"),
])
def test_bad_html_rules_name_file_and_key(tmp_path, old, new, message):
    import shutil

    from conftest import ROOT

    from pipeline.errors import RulesError
    from pipeline.rules import load_rules

    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    path = folder / "html.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(folder)
    assert str(err.value).startswith(message), str(err.value)


def test_the_furniture_names_are_rules(tmp_path):
    """A site's own widget class, added to rules/html.toml, becomes furniture: no code change."""
    import shutil

    from conftest import ROOT

    from pipeline.ingest.html.page import read_page
    from pipeline.rules import load_rules

    html = page('<main><p>本文の段落です。長めの本文。</p><div class="kanren-box"><p>関連情報</p></div></main>')
    assert [ln.hint for ln in read_page(html, load_rules().html).lines if ln.text] == [None, None]
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    path = folder / "html.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("names = [\n", "names = [\n  '^kanren-box$',\n", 1), encoding="utf-8")
    assert [ln.hint for ln in read_page(html, load_rules(folder).html).lines if ln.text] == [None, FURNITURE]


def test_deeply_nested_markup_loses_no_text(tmp_path, rules):
    """Unclosed <font> tags nest every later paragraph two levels deeper: past libxml2's usual
    limit of 256 levels nothing may be dropped; past its hard limit of 2048, a warning says so."""
    body = "".join(f"<p><font color=red>行{i}" for i in range(900))
    doc = read(tmp_path, page(body), rules)
    assert [ln.text for ln in doc.lines if ln.text] == [f"行{i}" for i in range(900)]
    assert not [d for d in doc.diagnostics if d.code == "html_parse_stopped"]
    doc = read(tmp_path, page("".join(f"<p><font color=red>行{i}" for i in range(1500))), rules)
    (warning,) = [d for d in doc.diagnostics if d.code == "html_parse_stopped"]
    assert warning.severity == "warning" and "Excessive depth" in warning.message
    assert 900 < len([ln for ln in doc.lines if ln.text]) < 1500


def test_a_heading_drawn_as_an_image_is_its_alt_text_with_no_caption_hint(rules):
    html = page('<main><h2><img src="ttl.gif" alt="承認した地域産業基盤強化計画の概要" width="400" height="30"></h2>'
                '<p>本文の段落です。</p><p><img src="photo.jpg" alt="工場見学の様子"></p></main>')
    assert [(t, h) for t, h in lines(html, rules) if t] == [
        ("承認した地域産業基盤強化計画の概要", None), ("本文の段落です。", None), ("工場見学の様子", CAPTION)]


def test_empty_and_hidden_cells_add_no_tab_and_hidden_ones_are_counted(rules):
    from pipeline.ingest.html.page import read_page

    html = page('<table><tr><td></td><td>品川区</td><td style="display:none">隠れた欄</td><td> </td>'
                '<td>「品川区ものづくり産業基盤強化計画」</td></tr></table>')
    got = read_page(html, rules.html)
    assert [ln.text for ln in got.lines] == ["品川区\t「品川区ものづくり産業基盤強化計画」"]
    assert dict(got.not_text)["hidden"] == 1
