"""The fourth review's PDFs (tests/fixtures/review4): tabs are no gutters, page rules are no
table, columns keep their label cells. Expected values are the lines the reviewer drew
(tests/fixtures/review4/make_review4.py)."""

from __future__ import annotations

import unicodedata

import pytest
from conftest import FIXTURES, process, rows_of

HERE = FIXTURES / "review4"


def _tables(name: str, rules) -> tuple[list[dict], dict]:
    rows = rows_of(process(HERE / name, rules), rules)
    plans = []
    for p in rows["plans"]:
        measures = [m for m in rows["measures"] if m["plan_id"] == p["plan_id"]]
        plans.append({
            "municipality": p["municipality"], "period": unicodedata.normalize("NFKC", p["period_raw"]),
            "markers": [m["marker"] for m in measures],
            "programs": [[g["program_name"] for g in rows["programs"] if g["measure_id"] == m["measure_id"]]
                         for m in measures],
            "captions": [c["text"] for c in rows["captions"] if c["plan_id"] == p["plan_id"]]})
    return plans, rows


def test_a_value_one_em_after_its_field_label_is_no_column(rules):
    (plan,), rows = _tables("f4_fields_word_tabs.pdf", rules)
    assert (plan["municipality"], plan["period"]) == ("江東区", "令和3年度〜令和5年度")
    assert plan["programs"] == [["創業支援事業", "創業融資あっせん"], ["販路開拓支援事業"]]
    assert rows["captions"] == []


def test_one_line_starting_where_a_tabbed_period_starts_makes_no_column(rules):
    (plan,), rows = _tables("h3_title_over_tabbed_period.pdf", rules)
    assert (plan["municipality"], plan["period"]) == ("町田市", "令和6年度〜令和8年度")
    assert not [d for d in rows["diagnostics"] if d["code"] == "stray_period"]


@pytest.mark.parametrize("name", ["r1_framed_caption_header_rule.pdf", "r2_framed_caption_footer_rule.pdf"])
def test_a_page_rule_makes_no_table_of_a_framed_caption(rules, name):
    (plan,), _rows = _tables(name, rules)
    assert [unicodedata.normalize("NFKC", c) for c in plan["captions"]] == ["・商店街にぎわいフェア"]
    assert plan["programs"] == [["創業支援事業", "企業立地支援事業"], ["商店街活性化事業", "ものづくり技術支援事業"]]


def test_label_cells_go_with_the_text_of_their_own_column(rules):
    (first, second), _rows = _tables("k2_landscape_label_table_and_gutter.pdf", rules)
    assert first["markers"] == ["(1)", "(2)"] and second["markers"] == ["(1)", "(2)"]
    assert first["programs"] == [["創業支援事業", "企業立地支援事業"],
                                 ["商店街活性化事業", "ものづくり技術支援事業", "観光振興事業"]]
    assert second["programs"] == [["協業推進事業", "産学連携推進事業"], ["観光振興事業", "商店街支援事業"]]


def test_a_caption_beside_the_first_of_two_plans_on_a_portrait_page_is_its_caption(rules):
    (first, second), _rows = _tables("c6_portrait_two_plans_320.pdf", rules)
    assert first["captions"] == ["創業支援セミナーの様子"] and second["captions"] == []
    assert second["programs"] == [["協業推進事業", "産学連携推進事業"], ["観光振興事業"]]


@pytest.mark.parametrize("name", ["g1_two_col_left_taller_1.5em.pdf", "g3_two_col_trailing_space.pdf"])
def test_a_narrow_gutter_before_the_shorter_column_parts_the_columns(rules, name):
    """tests/fixtures/review5: the second column is the shorter, each of its lines level with one
    of the first: six gapped lines show the gutter."""
    rows = rows_of(process(FIXTURES / "review5" / name, rules), rules)
    assert [p["municipality"] for p in rows["plans"]] == ["町田市", "八王子市"]
    second = rows["plans"][1]
    assert unicodedata.normalize("NFKC", second["period_raw"]) == "令和5年度〜令和9年度"
    assert [g["program_name"] for g in rows["programs"] if g["plan_id"] == second["plan_id"]] == [
        "経営相談事業", "販路開拓支援事業"]
