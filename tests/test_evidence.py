"""Structure found from evidence (rules/format.toml [header.evidence], [markers]): header cues
of one line, headers over runs of lines, measures as a numbered sequence, and the warnings
that keep a document from ever being silently empty."""

from __future__ import annotations

import pytest
from conftest import process, summary


def _evidence(text, rules):
    from pipeline.normalize import normalize_text
    from pipeline.segment.grammar import line_evidence

    return line_evidence(normalize_text(text, rules), rules)


@pytest.mark.parametrize("line,title,muni,period", [
    # municipality first, a bare title ending in プラン, a bracketed period
    ("世田谷区 世田谷区産業振興プラン 【計画期間：令和6年度～令和8年度】",
     "世田谷区産業振興プラン", "世田谷区", "【計画期間:令和6年度〜令和8年度】"),
    # a bullet, 『』, a spelled-out period in （）
    ("■ 大田区　『大田区ものづくり産業振興計画』　（計画期間　令和3年度から令和5年度まで）",
     "大田区ものづくり産業振興計画", "大田区", "(計画期間 令和3年度から令和5年度まで)"),
    # 2012–2014: no spaces, era and 年度 once for both years
    ("「品川区ものづくり産業基盤強化計画」(品川区)【計画期間:平成26~28年度】",
     "品川区ものづくり産業基盤強化計画", "品川区", "【計画期間:平成26〜28年度】"),
    # 2015–2017: indented, parts set apart by spaces, an unbracketed period
    ("　　大田区　大田区産業集積活性化計画　平成27年度～平成29年度",
     "大田区産業集積活性化計画", "大田区", "平成27年度〜平成29年度"),
    # the municipality glued before the title in brackets; an edition glued after a bare title
    ("●　（中央区）中央区地域産業活性化プラン〔計画期間：令和9年度～令和11年度〕",
     "中央区地域産業活性化プラン", "中央区", "〔計画期間:令和9年度〜令和11年度〕"),
    ("豊島区産業振興プラン（第２期）（豊島区）", "豊島区産業振興プラン(第2期)", "豊島区", None),
    # a municipality alone, a period alone
    ("大田区", None, "大田区", None),
    ("（計画期間　令和7～9年度）", None, None, "(計画期間 令和7〜9年度)"),
])
def test_line_evidence(rules, line, title, muni, period):
    ev = _evidence(line, rules)
    assert ev is not None and ev.clean
    assert (ev.title, ev.muni, ev.period) == (title, muni, period)


@pytest.mark.parametrize("line", [
    "品川区、大田区の計画を承認しました。",  # a sentence
    "品川区 大田区 ものづくり産業基盤強化計画",  # several municipalities
])
def test_sentences_and_lines_naming_several_municipalities_are_never_headers(rules, line):
    assert _evidence(line, rules) is None


@pytest.mark.parametrize("line", ["令和7年3月24日", "報道発表資料の概要について"])
def test_a_date_or_prose_is_no_header_cue(rules, line):
    ev = _evidence(line, rules)
    assert ev is None or (ev.period is None and ev.title is None)


PLAN_BODY = ("区内産業の活性化を図る。\n\n(1) 多様な主体との連携を図る取組\n\n"
             "関係機関と連携する（創業支援事業、経営相談事業）\n")


def _run(tmp_path, rules, text):
    src = tmp_path / "a.txt"
    src.write_text(text, encoding="utf-8")
    return summary(process(src, rules), rules)


def test_a_header_over_three_lines_in_any_order(tmp_path, rules):
    text = ("■（三鷹市）　【計画期間：令和元年度〜令和4年度】\n「三鷹市地域産業活性化計画」\n\n" + PLAN_BODY
            + "\n『ものづくり産業振興計画』\n（大田区）\n（計画期間　令和3年度から令和5年度まで）\n\n" + PLAN_BODY)
    got = _run(tmp_path, rules, text)
    assert [(p["plan_title"], p["municipality"], p["period_start_fy"]) for p in got["plans"]] == [
        ("三鷹市地域産業活性化計画", "三鷹市", 2019), ("ものづくり産業振興計画", "大田区", 2021)]
    assert got["status"] == "ok", got["diagnostics"]


def test_a_title_with_no_measures_after_it_is_a_warning_not_a_plan(tmp_path, rules):
    """A title line whose only cues are the title and the municipality it starts with counts
    as a header only when measures follow; otherwise it is a plan-like line, and says so."""
    text = ("「品川区地域産業活性化計画」（品川区）【計画期間：令和6年度～令和8年度】\n\n" + PLAN_BODY
            + "\n「大田区産業振興計画」\n\n大田区の計画に基づき、区内産業を振興する。\n\n"
            + "「目黒区地域産業活性化計画」（目黒区）【計画期間：令和6年度～令和8年度】\n\n" + PLAN_BODY)
    got = _run(tmp_path, rules, text)
    assert [p["plan_title"] for p in got["plans"]] == ["品川区地域産業活性化計画", "目黒区地域産業活性化計画"]
    assert ["plan_like_line", "warning", 9] in got["diagnostics"]
    assert got["status"] == "partial"


def test_digit_space_markers_with_their_own_labels_are_measures_in_sequence(tmp_path, rules):
    text = ("　「足立区地域産業活性化計画」　（足立区）　【計画期間　平成27年度～平成29年度】\n\n"
            "　区内産業の活性化を図る。\n\n"
            "①展示会出展\n②人材育成\n\n"  # a sub-enumeration in the overview: no measures
            "1 販路開拓の推進\n　展示会への出展支援、販路開拓セミナーの開催等\n"
            "2 人材の確保・育成\n　合同就職面接会の開催、若手社員向け研修の実施\n")
    got = _run(tmp_path, rules, text)
    (plan,) = got["plans"]
    assert [(m["category_no"], m["category_label"], m["category_label_canonical"], m["list_kind"])
            for m in plan["measures"]] == [(1, "販路開拓の推進", None, "activities"),
                                           (2, "人材の確保・育成", None, "activities")]
    assert [[p["program_name"] for p in m["programs"]] for m in plan["measures"]] == [
        ["展示会への出展支援", "販路開拓セミナーの開催"], ["合同就職面接会の開催", "若手社員向け研修の実施"]]


def test_the_2025_aims_are_known_labels(tmp_path, rules):
    text = ("「新宿区地域産業活性化計画」（新宿区）【計画期間：令和7～9年度】\n\n区内産業の成長を図る。\n\n"
            "(1) 多様な主体の協業・参画\n\n関係機関と協業する（協業促進事業）\n\n"
            "(2) 中小企業等の自己変革への挑戦\n\n新事業展開を支援する（新事業展開支援補助金）\n")
    (plan,) = _run(tmp_path, rules, text)["plans"]
    assert [m["category_label_canonical"] for m in plan["measures"]] == ["多様な主体の協業・参画", "中小企業等の自己変革への挑戦"]
    assert plan["period_end_fy"] == 2027


@pytest.mark.parametrize("header,muni,title", [
    ("【大田区】大田区産業振興計画【令和6年度～令和8年度】", "大田区", "大田区産業振興計画"),
    ("Ⅰ　大田区産業振興計画　【計画期間：令和6年度～令和8年度】", "大田区", "大田区産業振興計画"),
    ("No.1 大田区産業振興計画（大田区）【計画期間：令和6年度～令和8年度】", "大田区", "大田区産業振興計画"),
    ("大田区：大田区産業振興計画（令和6年度～令和8年度）", "大田区", "大田区産業振興計画"),
    ("「すみだ産業振興プラン～ものづくりのまち墨田の未来へ～」（墨田区）【計画期間：令和6年度～令和8年度】",
     "墨田区", "すみだ産業振興プラン"),
])
def test_header_shapes_from_the_review(tmp_path, rules, header, muni, title):
    """Leads (Ⅰ, No.1), a municipality in 【】 before the title, a colon between the parts, a
    subtitle in the title's brackets: neither the lead nor the brackets end up in the title."""
    got = _run(tmp_path, rules, f"【承認した地域産業活性化計画の概要】\n\n{header}\n\n" + PLAN_BODY)
    assert [(p["municipality"], p["plan_title"], p["period_start_fy"]) for p in got["plans"]] == [(muni, title, 2024)]
