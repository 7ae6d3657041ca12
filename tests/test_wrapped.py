"""The paragraph joiner in segment (pipeline/segment/wrapped.py) on visual lines made by hand:
the layout evidence says which line may go on from which, the grammar says whether it does."""

from __future__ import annotations

from pipeline.model import LayoutHint, LineLayout, RawDocument, RawLine
from pipeline.normalize import normalize_document
from pipeline.segment.wrapped import join_wrapped_lines

TOP = LineLayout(None, False, False, False, False)


def after(n: int, full: bool = True, same_block: bool = True, space: bool = False) -> LineLayout:
    return LineLayout(n, same_block, full, full, space)


def joined(rules, *lines: tuple[str, LineLayout | None, LayoutHint | None]):
    raw = RawDocument("x.pdf", "x", "application/pdf", None, tuple(
        RawLine(k + 1, text, 1, tuple((1, float(i), 0.0, float(i) + 1, 1.0) for i in range(len(text))), hint,
                layout=lay)
        for k, (text, lay, hint) in enumerate(lines)))
    return join_wrapped_lines(normalize_document(raw, rules), rules).lines


def test_a_full_line_goes_on_and_a_short_one_ends(rules):
    got = joined(rules,
                 ("区内の中小企業が協業し、新たな製品の開発を", TOP, None),
                 ("支援する（協業推進事業）", after(1), None),
                 ("創業支援事業", after(2, full=False), None),
                 ("「八王子市地域産業活性化計画」", LineLayout(None, False, False, False, False), None))
    assert [ln.text for ln in got] == ["区内の中小企業が協業し、新たな製品の開発を支援する(協業推進事業)", "創業支援事業",
                                       "「八王子市地域産業活性化計画」"]
    assert [ln.line_no for ln in got] == [1, 2, 3]
    # a new block after vertical space; the short line's successor in its block has no gap
    assert [ln.gap_above for ln in got] == [True, False, True]
    # every character keeps its box; the joined line's raw is both lines as written
    assert got[0].raw == "区内の中小企業が協業し、新たな製品の開発を支援する（協業推進事業）"
    assert len(got[0].char_boxes) == len(got[0].raw)


def test_a_page_number_written_into_the_text_is_never_joined(rules):
    got = joined(rules,
                 ("創業支援事業、事業承継支援事業、", TOP, None),
                 ("- 1 -", after(1), None),
                 ("別紙", after(2), None),
                 ("かつしかものづくりブランド推進事業", after(3), None))
    assert [ln.text for ln in got] == ["創業支援事業、事業承継支援事業、", "- 1 -", "別紙", "かつしかものづくりブランド推進事業"]


def test_a_marker_ends_the_line_before_it_and_no_caption_parts_a_bare_marker_from_its_label(rules):
    got = joined(rules,
                 ("市内事業者の販路開拓を支援する（販路開拓支援事業）", TOP, None),
                 ("(2) 中小企業等の自己変革への挑戦に係る取組", after(1), None),
                 ("(3)", LineLayout(None, False, False, False, False), None),
                 ("写真：商店街のにぎわい", None, LayoutHint.CAPTION),
                 ("(1)、(2)以外の取組", after(3, full=False), None),
                 ("商店街活性化事業", after(5, full=False), None))
    # the caption that stood after the bare marker goes after its label (segment reads the two)
    assert [ln.text for ln in got] == ["市内事業者の販路開拓を支援する(販路開拓支援事業)", "(2) 中小企業等の自己変革への挑戦に係る取組",
                                       "(3)", "(1)、(2)以外の取組", "写真:商店街のにぎわい", "商店街活性化事業"]
    assert got[4].hint == LayoutHint.CAPTION


def test_a_bulleted_or_lettered_item_is_never_a_wrapped_line(rules):
    got = joined(rules,
                 ("区内の製造業は、次のような課題を抱えている。", TOP, None),
                 ("・受注量の減少と取引先の固定化", after(1), None),
                 ("ア スタートアップの技術を活用した新たな事業への挑戦の支援", after(2), None),
                 ("イ デジタル人材の育成の支援", after(3), None))
    assert [ln.text for ln in got] == ["区内の製造業は、次のような課題を抱えている。", "・受注量の減少と取引先の固定化",
                                       "ア スタートアップの技術を活用した新たな事業への挑戦の支援", "イ デジタル人材の育成の支援"]
    assert [ln.gap_above for ln in got] == [True, False, False, False]


def test_latin_words_broken_over_two_lines_get_a_space_where_the_reader_says(rules):
    got = joined(rules, ("デジタル地域通貨「SETAGAYA", TOP, None), ("PORT」の運営", after(1, space=True), None))
    assert [ln.text for ln in got] == ["デジタル地域通貨「SETAGAYA PORT」の運営"]
    i = got[0].raw.index(" ")
    assert got[0].char_boxes[i] is None and got[0].raw_start[got[0].text.index(" ")] == i


def test_text_without_layout_evidence_is_left_as_it_is(rules):
    raw = RawDocument("x.txt", "x", "text/plain", "utf-8",
                      (RawLine(1, "支援する"), RawLine(2, ""), RawLine(3, "（協業推進事業）")))
    doc = normalize_document(raw, rules)
    assert join_wrapped_lines(doc, rules) is doc


def test_a_line_at_a_furniture_place_is_text_only_when_the_grammar_reads_a_marker(rules):
    """The reader marks text in the body's type that repeats at one height on several pages
    (or a page-number look-alike at the top) as REPEATED; segment decides what it is."""
    got = joined(rules,
                 ("承認した地域産業活性化計画の概要", None, LayoutHint.REPEATED),
                 ("(3) (1)、(2)以外の取組", None, LayoutHint.REPEATED),
                 ("商店街活性化事業、創業支援事業", TOP, None),
                 ("(3)", None, LayoutHint.REPEATED))
    assert [(ln.text, ln.hint, ln.gap_above) for ln in got] == [
        ("承認した地域産業活性化計画の概要", LayoutHint.FURNITURE, None),
        ("(3) (1)、(2)以外の取組", None, True),
        ("商店街活性化事業、創業支援事業", None, True),
        ("(3)", None, True)]


def test_a_repeated_marker_read_as_text_takes_the_rest_of_its_label(rules):
    """A measure marker at a furniture place stands outside the reader's blocks, so nothing ties
    the next line to it but the grammar: the label it completes goes onto it."""
    got = joined(rules,
                 ("(2) 感染症や災害などの発生による社会経済活動の大きな変化や社会構造の変革への対応に係る", None,
                  LayoutHint.REPEATED),
                 ("取組", LineLayout(None, False, False, False, False), None),
                 ("感染症の影響を受けた市内事業者の事業継続を支援する", LineLayout(2, True, False, False, False), None))
    assert [ln.text for ln in got] == [
        "(2) 感染症や災害などの発生による社会経済活動の大きな変化や社会構造の変革への対応に係る取組",
        "感染症の影響を受けた市内事業者の事業継続を支援する"]


def test_text_broken_at_a_fixed_width_marks_the_lines_that_run_to_it(rules):
    """Many lines of one width (40 cells or more: 20 full-width characters) show a fixed-width
    break: the lines that wide go on in the next; nothing is joined and every line keeps its
    number."""
    wide = "区内の中小企業が協業し新たな製品の開発を支援する取組を進め"  # 29 characters
    lines = [wide] * 6 + ["る。", "", "創業支援事業"]
    raw = RawDocument("x.txt", "x", "text/plain", "utf-8", tuple(RawLine(k + 1, t) for k, t in enumerate(lines)))
    got = join_wrapped_lines(normalize_document(raw, rules), rules).lines
    assert [ln.wraps for ln in got] == [True] * 6 + [False, False, False]
    assert [ln.line_no for ln in got] == list(range(1, 10))
    # a file of whole paragraphs (the seed's shape) shows no width
    free = RawDocument("y.txt", "y", "text/plain", "utf-8",
                       tuple(RawLine(k + 1, wide[: 20 + k]) for k in range(8)))
    assert not any(ln.wraps for ln in join_wrapped_lines(normalize_document(free, rules), rules).lines)


def test_a_plan_like_line_after_a_sentence_that_ends_at_the_width_still_warns(rules, tmp_path):
    """In text broken at a fixed width, the line after one that ran to the width is its rest,
    unless that line ended a sentence: a header-like line there that no header took warns."""
    from conftest import process

    lines = ["「青梅市地域産業活性化計画」（青梅市）【計画期間：令和６年度～令和８年度】", "",
             "青梅市は、多摩地域の西部に位置し、豊かな自然", "伝統ある織物産業を有する。市内の中小企業の経",
             "営基盤を強化し、創業を促進することで、地域産", "業の活性化を目指す。市は、商工会と連携してい",
             "く。あわせて、観光と産業の連携を進めていく。", "", "(1) 多様な主体との連携を図る取組", "",
             "商工会と連携し、創業を支援する（創業支援事業", "、経営相談事業）を進める取組を市内で広げる。",
             "「羽村市地域産業活性化計画」【計画期間：令和６年度～令和８年度】"]
    path = tmp_path / "wrapped.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = process(path, rules)
    assert [(d.code, d.line) for d in doc.diagnostics if d.severity != "info"] == [("plan_like_line", 13)]


def test_a_line_placed_like_a_caption_is_a_caption_unless_the_grammar_reads_a_block_start(rules):
    """The reader hints ``side`` where only the place speaks (a side column, under a picture):
    a marker, header or section label there is text starting a block, its label wrapped onto the cell's next
    line goes with it (a marker on the next line does not), and anything else is a caption."""
    got = joined(rules,
                 ("市内事業者の販路開拓を支援する（販路開拓支援事業）", TOP, None),
                 ("写真：商店街のにぎわい", None, LayoutHint.SIDE),
                 ("(2) 感染症や災害などの発生による社会経", None, LayoutHint.SIDE),
                 ("済活動の大きな変化への対応に係る取組", after(3), LayoutHint.SIDE),
                 ("(3) (1)、(2)以外の取組", after(4), LayoutHint.SIDE),
                 ("事業継続計画策定支援事業", TOP, None),
                 ("「町田市地域産業活性化計画」（町田市）", None, LayoutHint.SIDE),
                 ("計画の概要", None, LayoutHint.SIDE))
    assert [(ln.text, ln.hint) for ln in got] == [
        ("市内事業者の販路開拓を支援する(販路開拓支援事業)", None),
        ("写真:商店街のにぎわい", LayoutHint.CAPTION),
        ("(2) 感染症や災害などの発生による社会経済活動の大きな変化への対応に係る取組", None),
        ("(3) (1)、(2)以外の取組", None),
        ("事業継続計画策定支援事業", None),
        ("「町田市地域産業活性化計画」(町田市)", None),
        ("計画の概要", None)]
    assert [ln.gap_above for ln in got if ln.hint is None] == [True, True, True, True, True, True]


def test_a_marker_beside_a_paragraph_is_read_before_it_and_a_caption_stays_after(rules):
    """``beside`` names the first line of the paragraph a caption-placed line overlaps (the
    reader put it after that paragraph): a marker there is the label cell of the paragraph's
    row; a caption's wrapped lines make one caption."""
    got = joined(rules,
                 ("支援機関が連携するネットワークを構築する（創業支援事業）", TOP, None),
                 ("(1) 多様な主体との連", LineLayout(None, False, False, False, False, beside=1), LayoutHint.SIDE),
                 ("携を図る取組", after(2), LayoutHint.SIDE),
                 ("商店街活性化事業", TOP, None),
                 ("町内企業による技術", LineLayout(None, False, False, False, False, beside=4), LayoutHint.SIDE),
                 ("展示会の様子", after(5), LayoutHint.SIDE))
    assert [(ln.text, ln.hint) for ln in got] == [
        ("(1) 多様な主体との連携を図る取組", None),
        ("支援機関が連携するネットワークを構築する(創業支援事業)", None),
        ("商店街活性化事業", None),
        ("町内企業による技術展示会の様子", LayoutHint.CAPTION)]


def test_markers_whose_row_never_starts_stay_where_they_stood_in_order(rules):
    """A side marker waits for the paragraph of its row (``beside``); when that line never
    starts a paragraph (it went on from another), the marker stays after what it came after,
    even when another marker was put in before that (the reviewer's stood.py)."""
    got = joined(rules,
                 ("本文Aは市の取組を示す。", TOP, None),
                 ("本文Bは次の事業を実施する（創業支援事業）", TOP, None),
                 ("(1) 多様な主体との連携を図る取組", LineLayout(None, False, False, False, False, beside=5), LayoutHint.SIDE),
                 ("(2) (1)以外の取組", LineLayout(None, False, False, False, False, beside=1), LayoutHint.SIDE),
                 ("本文Cは続く", LineLayout(2, True, True, True, False), None))
    assert [ln.text for ln in got] == ["(2) (1)以外の取組", "本文Aは市の取組を示す。",
                                       "本文Bは次の事業を実施する(創業支援事業)本文Cは続く", "(1) 多様な主体との連携を図る取組"]


def test_a_small_type_caption_goes_on_only_where_the_reader_saw_it_wrap(rules):
    """The reader joins no lines: a caption's visual lines come one each, a wrapped one with the
    line it wraps from; segment joins those (and nothing else in small type)."""
    got = joined(rules,
                 ("商店街活性化事業", TOP, None),
                 ("町内企業による技術", None, LayoutHint.CAPTION),
                 ("展示会の様子", after(2), LayoutHint.CAPTION),
                 ("(2) その他の取組", after(3, full=False), LayoutHint.CAPTION))
    assert [(ln.text, ln.hint) for ln in got] == [
        ("商店街活性化事業", None), ("町内企業による技術展示会の様子", LayoutHint.CAPTION),
        ("(2) その他の取組", LayoutHint.CAPTION)]
