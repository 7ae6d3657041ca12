"""Cases a fresh-eyes review of the evidence-based structure found (tests/fixtures/review): each
input with the plans and measures a reader sees in it, written by hand from the text."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, process, summary

REVIEW = FIXTURES / "review"

# fixture -> [(municipality, plan title, [measure labels])]
CASES = {
    # a (1)(2)(3) list under measure 1 is no measure
    "sub": [("足立区", "足立区地域産業活性化計画", ["販路開拓の推進", "ネットワークの構築"])],
    # the overview's (1)(2)(3) pillars are no measures; ①②③ are
    "circ2": [("足立区", "足立区地域産業活性化計画", ["地域ネットワークの強化", "販路の拡大", "新製品開発の促進"])],
    # the overview's (1)(2) of the same form as the measures
    "same": [("足立区", "足立区地域産業活性化計画", ["販路開拓の推進", "創業の促進", "人材の確保"])],
    # a line naming a related plan between the overview and (1) is no plan
    "cap": [("大田区", "大田区地域産業活性化計画", ["多様な主体との連携を図る取組",
             "感染症や災害などの発生による社会経済活動の大きな変化や社会構造の変革への対応に係る取組"]),
            ("中野区", "中野区地域産業活性化計画", ["多様な主体との連携を図る取組"])],
    # a table of the plans before the summaries' heading is no plan
    "toc": [("世田谷区", "世田谷区地域産業活性化計画", ["多様な主体との連携を図る取組",
             "感染症や災害などの発生による社会経済活動の大きな変化や社会構造の変革への対応に係る取組"]),
            ("中野区", "中野区地域産業活性化計画", ["多様な主体との連携を図る取組",
             "感染症や災害などの発生による社会経済活動の大きな変化や社会構造の変革への対応に係る取組"])],
    # a bulleted list of plans in a press release is no plan
    "list2012": [("品川区", "品川区ものづくり産業基盤強化計画", ["多様な主体との連携を図る取組"]),
                 ("大田区", "大田区ものづくり産業振興計画", ["多様な主体との連携を図る取組"])],
    # a title and period with no municipality is no plan header
    "head2": [("大田区", "大田区地域産業活性化計画", ["多様な主体との連携を図る取組"])],
    # 担当職員…, 問合せ窓口… in a measure are its text, not furniture
    "furn": [("足立区", "足立区地域産業活性化計画", ["販路開拓の推進", "経営相談の充実", "人材の確保・育成"])],
    # a body line ending in 取組 / 施策 is not the rest of the label
    "lbl": [("足立区", "足立区地域産業活性化計画", ["販路開拓の推進", "人材の確保・育成"])],
    # a header with a colon between municipality and title; a quoted title with a subtitle
    "miss": [("中野区", "中野区地域産業活性化計画", ["多様な主体との連携を図る取組"]),
             ("大田区", "大田区産業振興計画", ["多様な主体との連携を図る取組",
              "感染症や災害などの発生による社会経済活動の大きな変化や社会構造の変革への対応に係る取組"])],
    "miss2": [("中野区", "中野区地域産業活性化計画", ["多様な主体との連携を図る取組"]),
              ("墨田区", "すみだ産業振興プラン", ["多様な主体との連携を図る取組",
               "感染症や災害などの発生による社会経済活動の大きな変化や社会構造の変革への対応に係る取組"])],
}

# fixture -> (captions of each plan, programs of each plan): a caption glued under a measure's
# last line, with no blank line between
GLUED = {
    "cap2": ([["展示会出展の様子"], ["荒川区ものづくり見本市の様子"]],
             [["区内企業の自社製品開発支援", "国内、海外の展示会への出展支援", "合同就職面接会の開催", "若手社員向け研修の実施"],
              ["創業塾の開催", "インキュベーション施設の運営"]]),
    "cap3": ([["産学連携フォーラムの様子"]], [["産学連携推進事業", "受発注商談会事業", "DX推進補助金"]]),
}


@pytest.mark.parametrize("name", sorted(GLUED))
def test_a_caption_glued_under_a_measure_is_a_caption(name, rules):
    got = summary(process(REVIEW / f"{name}.txt", rules), rules)
    captions, programs = GLUED[name]
    assert [p["captions"] for p in got["plans"]] == captions
    assert [[pr["program_name"] for m in p["measures"] for pr in m["programs"]] for p in got["plans"]] == programs


PROGRAMS = {
    "furn": [["担当職員による企業訪問", "展示会への出展支援"], ["問合せ窓口の一元化", "専門家による経営相談の実施"],
             ["合同就職面接会の開催", "若手社員向け研修の実施"]],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_review_case(name, rules):
    got = summary(process(REVIEW / f"{name}.txt", rules), rules)
    assert [(p["municipality"], p["plan_title"], [m["category_label"] for m in p["measures"]])
            for p in got["plans"]] == CASES[name]
    if name in PROGRAMS:
        assert [[pr["program_name"] for pr in m["programs"]] for m in got["plans"][0]["measures"]] == PROGRAMS[name]


@pytest.mark.xfail(strict=True, reason="a numbered sub-list inside a 2015-style measure ((1) 展示会出展支援 / its "
                   "body / (2) …) is read as one run of activities: the sub-list's markers and labels end up "
                   "inside the program names")
def test_a_sub_list_under_a_measure_gives_its_activities(rules):
    got = summary(process(REVIEW / "sub.txt", rules), rules)
    assert [pr["program_name"] for pr in got["plans"][0]["measures"][0]["programs"]] == [
        "国内、海外の展示会への出展支援", "区内企業の自社製品開発支援", "試作品開発の支援", "区内企業と大手企業との商談会の開催"]



# ----------------------------------------------------------------------------- a second review
REVIEW2 = FIXTURES / "review2"


def _measures(got: dict) -> list[list[str]]:
    return [[m["category_label"] for m in p["measures"]] for p in got["plans"]]


def test_a_marker_typed_into_the_front_matter_is_no_running_header(rules):
    got = summary(process(REVIEW2 / "front_markers.txt", rules), rules)
    assert [p["municipality"] for p in got["plans"]] == ["世田谷区", "中野区", "足立区", "町田市", "羽村市"]
    assert [len(ms) for ms in _measures(got)] == [3, 3, 3, 3, 3]


def test_plans_named_up_front_keep_their_headers_below(rules):
    got = summary(process(REVIEW2 / "toc2.txt", rules), rules)
    assert [(p["municipality"], p["period_raw"]) for p in got["plans"]] == [
        ("世田谷区", "令和6年度〜令和8年度"), ("中野区", "令和6年度〜令和8年度")]
    assert [len(ms) for ms in _measures(got)] == [3, 3]


def test_a_line_longer_than_the_fixed_width_is_a_whole_line(rules):
    got = summary(process(REVIEW2 / "ll_marker.txt", rules), rules)
    third = got["plans"][0]["measures"][2]
    assert third["category_label"] == "(1)、(2)以外の取組として区内の商店街と中小企業の経営を支える取組"
    assert [pr["program_name"] for pr in third["programs"]][:2] == ["商店街装飾灯維持管理補助金", "商店街イベント支援事業"]
    got = summary(process(REVIEW2 / "ll_year.txt", rules), rules)
    assert got["plans"][0]["period_raw"] == "令和6年〜令和8年"
    assert got["plans"][0]["overview"].startswith("大田区は、高度な技術を有する中小製造業が")
    assert [d for d in got["diagnostics"] if d[1] != "info"] == []


def test_the_body_under_a_repeated_marker_is_its_own(rules):
    got = summary(process(REVIEW2 / "rep.pdf", rules), rules)
    assert [[pr["program_name"] for pr in p["measures"][2]["programs"]] for p in got["plans"]] == \
        [["創業機運醸成事業", "デジタル地域通貨事業"]] * 3


def test_a_page_number_level_with_the_first_line_is_furniture(rules):
    got = summary(process(REVIEW2 / "pn4.pdf", rules), rules)
    assert [p["period_raw"] for p in got["plans"]] == ["令和6年度〜令和8年度"] * 3
    assert all(p["captions"] == [] for p in got["plans"])
