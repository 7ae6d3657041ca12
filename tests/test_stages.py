"""Unit tests per stage: normalize, periods, markers, headers, program lists."""

from __future__ import annotations

import pytest


# ----------------------------------------------------------------------------- normalize
@pytest.mark.parametrize("raw,expected", [
    ("せたがや Pay 機能拡充による区内事業者支援", "せたがやPay機能拡充による区内事業者支援"),
    ("区内事業者の販路拡大や IT・DX 化による", "区内事業者の販路拡大やIT・DX化による"),
    ("産業創造プラットフォーム“SETAGAYA PORT”", "産業創造プラットフォーム“SETAGAYA PORT”"),
    ("Produced by マジンハウス × 世田谷区", "Produced by マジンハウス × 世田谷区"),
    ("令和6年度～令和8年度", "令和6年度〜令和8年度"),
    ("令和6年度〜令和8年度", "令和6年度〜令和8年度"),
    ("令和6年度~令和8年度", "令和6年度〜令和8年度"),
    ("（１）　ＤＸ推進補助金", "(1) DX推進補助金"),
    ("①販路拡大支援 ②創業", "①販路拡大支援 ②創業"),
    ("⑴ 多様な主体", "⑴ 多様な主体"),
    ("⾧期の⼿当", "長期の手当"),
    ("  前後の  空白  ", "前後の 空白"),
    ("ｶﾞｲﾄﾞ", "ガイド"),
])
def test_normalize_line(rules, raw, expected):
    from pipeline.normalize import normalize_text

    assert normalize_text(raw, rules) == expected


def test_pdf_glyph_substitutions_normalize_like_the_text(rules):
    from pipeline.normalize import normalize_text

    # pdfminer gives U+301C for ～, U+2212 for －, U+2026 for ⋯ from Japanese CID fonts
    assert normalize_text("令和6年度\u301c令和8年度", rules) == normalize_text("令和6年度～令和8年度", rules)
    assert normalize_text("\u2212 2 \u2212", rules) == normalize_text("－ 2 －", rules)
    assert normalize_text("\u2026", rules) == normalize_text("\u22ef", rules)


def test_normalized_characters_map_back_to_raw(rules):
    from pipeline.normalize import normalize_line

    raw = "せたがや Pay 機能（ＤＸ）"
    text, starts, ends, _ = normalize_line(raw, rules)
    assert text == "せたがやPay機能(DX)"
    assert raw[starts[text.index("P")]:ends[text.index("y")]] == "Pay"
    assert raw[starts[text.index("(")]:ends[text.index(")")]] == "（ＤＸ）"


# ----------------------------------------------------------------------------- periods
@pytest.mark.parametrize("text,raw,start,end", [
    ("【計画期間:令和6年度〜令和8年度】", "令和6年度〜令和8年度", 2024, 2026),
    ("【計画期間:令和元年度〜令和3年度】", "令和元年度〜令和3年度", 2019, 2021),
    ("計画期間 平成29年度〜平成31年度", "平成29年度〜平成31年度", 2017, 2019),
    ("令和六年度〜令和八年度", "令和六年度〜令和八年度", 2024, 2026),
    ("【令和7年度-令和9年度】", "令和7年度-令和9年度", 2025, 2027),
    ("計画期間:令和7年度から令和9年度まで", "令和7年度から令和9年度まで", 2025, 2027),
    ("令和6年4月〜令和9年3月", "令和6年4月〜令和9年3月", 2024, 2026),
    ("【計画期間:平成31年度〜令和3年度】", "平成31年度〜令和3年度", 2019, 2021),
    # A month before April belongs to the fiscal year that began the April before.
    ("令和7年1月〜令和9年12月", "令和7年1月〜令和9年12月", 2024, 2027),
    ("平成30年10月〜令和3年3月", "平成30年10月〜令和3年3月", 2018, 2020),
    # A start and a duration.
    ("計画期間:令和7年度から3か年", "令和7年度から3か年", 2025, 2027),
    ("【計画期間:令和6年度から5年間】", "令和6年度から5年間", 2024, 2028),
    ("令和5年度から三か年", "令和5年度から三か年", 2023, 2025),
    ("令和十年度〜令和十二年度", "令和十年度〜令和十二年度", 2028, 2030),
])
def test_parse_period(rules, text, raw, start, end):
    from pipeline.segment.periods import parse_period

    period = parse_period(text, rules)
    assert (period.raw, period.start_fy, period.end_fy) == (raw, start, end)


def test_unparsable_period_is_none(rules):
    from pipeline.segment.periods import looks_like_period, parse_period

    assert parse_period("【計画期間:未定】", rules) is None
    assert looks_like_period("【計画期間:未定】", rules)


# ----------------------------------------------------------------------------- markers
@pytest.mark.parametrize("text,number,rest", [
    ("(1) 多様な主体との連携を図る取組", 1, "多様な主体との連携を図る取組"),
    ("(3) (1)、(2)以外の取組", 3, "(1)、(2)以外の取組"),
    ("⑵ 感染症", 2, "感染症"),
    ("③ その他の取組", 3, "その他の取組"),
    ("1. 創業支援", 1, "創業支援"),
    ("2 多様な主体との連携を図る取組", 2, "多様な主体との連携を図る取組"),
])
def test_marker(rules, text, number, rest):
    from pipeline.segment.grammar import match_marker

    m = match_marker(text, rules)
    assert (m.number, m.rest) == (number, rest)


@pytest.mark.parametrize("text", ["(1)、(2)以外の取組", "3本の柱(①販路拡大支援", "2024.4.1 施行", "2 つの柱"])
def test_not_a_marker(rules, text):
    from pipeline.segment.grammar import match_marker

    assert match_marker(text, rules) is None


# ----------------------------------------------------------------------------- headers
@pytest.mark.parametrize("text,title,muni", [
    ("「世田谷区地域産業活性化計画」(世田谷区) 【計画期間:令和6年度〜令和8年度】", "世田谷区地域産業活性化計画", "世田谷区"),
    ("「足立区地域産業活性化計画」(足立区)", "足立区地域産業活性化計画", "足立区"),
    ("◆ 「檜原村地域産業活性化計画」 (檜原村) 【計画期間:令和6年度〜令和8年度】", "檜原村地域産業活性化計画", "檜原村"),
    ("「武蔵村山市地域産業活性化計画」", "武蔵村山市地域産業活性化計画", None),
    ("■瑞穂町地域産業活性化計画(瑞穂町)", "瑞穂町地域産業活性化計画", "瑞穂町"),
])
def test_header(rules, text, title, muni):
    from pipeline.segment.grammar import match_header

    h = match_header(text, rules)
    assert (h.title, h.muni) == (title, muni)


@pytest.mark.parametrize("text", [
    "第二次羽村市産業振興計画に掲げる「集積を生かした連携と新たなチャレンジ」の基本理念に基づき、",
    "「地域産業活性化計画」に基づき支援する。",
])
def test_not_a_header(rules, text):
    from pipeline.segment.grammar import match_header

    assert match_header(text, rules) is None


def test_municipality_from_title_uses_the_code_list(rules):
    from pipeline.municipalities import municipality_from_title as _municipality_from_title

    # A shortest-suffix regex would cut these at 武蔵村 / 東村 / 十日町.
    assert _municipality_from_title("武蔵村山市地域産業活性化計画", rules) == "武蔵村山市"
    assert _municipality_from_title("東村山市地域産業活性化計画", rules) == "東村山市"
    assert _municipality_from_title("町田市地域産業活性化計画", rules) == "町田市"


# ----------------------------------------------------------------------------- lists
def _programs(text, rules):
    """The programs chosen from one line of measure text, or the kind of list when none."""
    from pipeline.extract.lists import choose_list
    from pipeline.model import NormLine
    from pipeline.segment.joining import join_lines

    line = NormLine(1, text, text, tuple(range(len(text))), tuple(range(1, len(text) + 1)), 0)
    choice = choose_list(join_lines([line]), rules)
    if not choice.items:
        return choice.found.kind if choice.kind == "missing" else choice.kind
    return [(i.name, i.qualifier) for i in choice.items]


@pytest.mark.parametrize("text,expected", [
    ("連携を図る(A支援事業、B補助金)", [("A支援事業", None), ("B補助金", None)]),
    ("連携を図る(A支援事業、B補助金等)", [("A支援事業", None), ("B補助金", None)]),
    ("連携を図る(A支援事業、B補助金など)。", [("A支援事業", None), ("B補助金", None)]),
    ("連携を図る(企業活動支援事業、創業支援事業(連携機関の拡充))",
     [("企業活動支援事業", None), ("創業支援事業", "連携機関の拡充")]),
    ("連携を図る(新製品・新事業開発補助金、人材育成及び人材確保支援助成金)",
     [("新製品・新事業開発補助金", None), ("人材育成及び人材確保支援助成金", None)]),
    ("連携を図る((仮称)ものづくり連携推進事業)", [("(仮称)ものづくり連携推進事業", None)]),
    ("連携を図る(「ひのでマルシェ」、B事業)", [("「ひのでマルシェ」", None), ("B事業", None)]),
    ("事業承継プラットフォーム、中小企業経営支援補助", [("事業承継プラットフォーム", None), ("中小企業経営支援補助", None)]),
    ("連携を図る。", "bare"),
    ("連携を図る。具体的には、創業支援事業、販路開拓事業等の事業を実施する。", [("創業支援事業", None), ("販路開拓事業", None)]),
    ("連携を図る(具体的には、創業支援事業、販路開拓事業)", [("創業支援事業", None), ("販路開拓事業", None)]),
    ("連携を図る(関連する主な事業:創業支援事業)", [("創業支援事業", None)]),
    ("創業支援事業、販路開拓事業等の事業", [("創業支援事業", None), ("販路開拓事業", None)]),
    ("創業支援事業、販路開拓事業。", [("創業支援事業", None), ("販路開拓事業", None)]),
    ("該当事業なし", "none_word"),
    ("専門家(以下「診断士」という。)", "none"),
    ("連携を図る(A事業、B事業", "unclosed"),
])
def test_program_lists(rules, text, expected):
    assert _programs(text, rules) == expected


def test_one_tokenizer_per_process():
    from pipeline.extract.tokens import tokenizer

    assert tokenizer() is tokenizer()


@pytest.mark.parametrize("text,expected", [
    ("図る(A支援事業、B事業等(一部拡充))", [("A支援事業", None), ("B事業", "一部拡充")]),
    ("図る(A支援事業、その他)", [("A支援事業", None), ("その他", None)]),
    ("図る(A支援事業、B事業ほか)", [("A支援事業", None), ("B事業", None)]),
    ("図る(A支援事業、B事業、など)", [("A支援事業", None), ("B事業", None)]),
    ("図る(A支援事業、B事業(再掲))", [("A支援事業", None), ("B事業", "再掲")]),
])
def test_closers(rules, text, expected):
    assert _programs(text, rules) == expected


def test_prose_without_a_list_is_not_a_bare_list(tmp_path, rules):
    from conftest import process

    src = tmp_path / "prose.txt"
    src.write_text("「瑞穂町地域産業活性化計画」（瑞穂町）【計画期間：令和6年度～令和8年度】\n\n"
                   "町の産業を振興する。\n\n(1) 多様な主体との連携を図る取組\n\n"
                   "地域の金融機関、商工会、大学と連携して体制を強化する\n", encoding="utf-8")
    doc = process(src, rules)
    (measure,) = doc.plans[0].measures
    assert measure.programs == () and measure.list_kind == "missing"
    assert doc.status == "partial"
    assert any(d.code == "no_program_list" for d in doc.diagnostics)


def test_a_noun_phrase_body_is_one_activity_not_split_at_its_inner_commas(tmp_path, rules):
    """With no program list, the body is a list of activities: 金融機関 and 商工会 are no
    activities of their own, so the 、 between them does not split the phrase."""
    from conftest import process

    src = tmp_path / "activity.txt"
    src.write_text("「瑞穂町地域産業活性化計画」（瑞穂町）【計画期間：令和6年度～令和8年度】\n\n"
                   "町の産業を振興する。\n\n(1) 多様な主体との連携を図る取組\n\n"
                   "地域の金融機関、商工会、大学による連携体制の強化\n", encoding="utf-8")
    doc = process(src, rules)
    (measure,) = doc.plans[0].measures
    assert measure.list_kind == "activities"
    assert [p.name for p in measure.programs] == ["地域の金融機関、商工会、大学による連携体制の強化"]
    assert doc.status == "ok"
