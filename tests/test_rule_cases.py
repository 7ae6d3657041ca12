"""A second case for every rule that had only one (found by deleting each rule of rules/ in turn
in a scratch copy and seeing which rules then failed at most one test). Each case is a small
announcement written for the rule, with its expected value written by hand."""

from __future__ import annotations

import pytest
from conftest import process, rows_of

PLAN = """「{muni}地域産業活性化計画」（{muni}） 【計画期間：令和6年度～令和8年度】

{muni}は、中小企業の経営基盤の強化と創業の促進により、地域産業の活性化を目指す。

(1) 多様な主体との連携を図る取組

商工会と連携し、創業を支援する（創業支援事業、経営相談事業）
"""


def run_text(tmp_path, text: str, rules, name: str = "doc.txt") -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    doc = process(path, rules)
    return {"doc": doc, **rows_of(doc, rules)}


def lines_with_role(out: dict, role: str) -> list[str]:
    return [r["text"] for r in out["lines"] if r["role"] == role]


# ----------------------------------------------------------------------------- [title] patterns
@pytest.mark.parametrize("line,title", [
    ("【承認した地域産業基盤強化計画の概要】", "承認した地域産業基盤強化計画の概要"),
    ("【地域産業活性化計画を承認しました】", "地域産業活性化計画を承認しました"),
    # other brackets around the same words: dropped too
    ("〔承認計画一覧〕", "承認計画一覧"),
    ("［承認した地域産業活性化計画の概要］", "承認した地域産業活性化計画の概要"),
    ("承認した地域産業活性化計画の概要", "承認した地域産業活性化計画の概要"),
    ("令和6年度に承認した地域産業活性化計画について", "令和6年度に承認した地域産業活性化計画について"),
    ("【東京都の地域産業振興】", "東京都の地域産業振興"),
    ("【報道発表資料】", "報道発表資料"),
    ("〔参考〕", "参考"),
    ("〔東京都産業労働局〕", "東京都産業労働局"),
    ("［資料１］", "資料1"),
    ("[参考資料]", "参考資料"),
])
def test_title_patterns(tmp_path, rules, line, title):
    out = run_text(tmp_path, f"{line}\n\n{PLAN.format(muni='青梅市')}", rules)
    assert out["documents"][0]["document_title"] == title


@pytest.mark.parametrize("line", ["〔別紙〕", "［別紙］", "別紙", "【別紙２】"])
def test_a_running_besshi_header_is_furniture_not_the_title(tmp_path, rules, line):
    """別紙 above the heading (and on every page of a converted PDF) is page furniture."""
    out = run_text(tmp_path, f"{line}\n\n承認した地域産業活性化計画の概要\n\n{PLAN.format(muni='青梅市')}", rules)
    assert out["documents"][0]["document_title"] == "承認した地域産業活性化計画の概要"
    assert lines_with_role(out, "furniture") == [line.replace("［", "[").replace("］", "]").replace("２", "2")]


@pytest.mark.parametrize("first,second", [
    ("【報道発表資料】", "【承認した地域産業活性化計画の概要】"),
    ("【報道発表資料】", "〔承認した地域産業基盤強化計画の概要〕"),
])
def test_title_patterns_in_order_of_preference(tmp_path, rules, first, second):
    """The first pattern that matches any line before the first plan wins, not the first line."""
    out = run_text(tmp_path, f"{first}\n\n{second}\n\n{PLAN.format(muni='青梅市')}", rules)
    assert out["documents"][0]["document_title"] == second[1:-1]


# ----------------------------------------------------------------------------- [header] patterns
@pytest.mark.parametrize("header,title,muni", [
    # 【…計画】 with the municipality in parentheses after it
    ("【八王子市地域産業活性化計画】（八王子市）【計画期間：令和6年度～令和8年度】", "八王子市地域産業活性化計画", "八王子市"),
    ("◆【府中市産業振興計画】（府中市） 【計画期間：令和6年度～令和8年度】", "府中市産業振興計画", "府中市"),
    # a bare title naming the municipality
    ("青梅市地域産業活性化計画（青梅市）【計画期間：令和6年度～令和8年度】", "青梅市地域産業活性化計画", "青梅市"),
    ("瑞穂町地域産業活性化計画 【計画期間：令和6年度～令和8年度】", "瑞穂町地域産業活性化計画", "瑞穂町"),
    # the period before the title
    ("【計画期間：令和6年度～令和8年度】「調布市地域産業活性化計画」（調布市）", "調布市地域産業活性化計画", "調布市"),
    ("[計画期間:令和6年度～令和8年度]「小平市地域産業活性化計画」", "小平市地域産業活性化計画", "小平市"),
    # an edition after the 「」 title (header.parts.edition): not part of the title
    ("「町田市地域産業活性化計画」（改定版）（町田市） 【計画期間：令和6年度～令和8年度】", "町田市地域産業活性化計画", "町田市"),
    ("「日野市地域産業活性化計画」（案）（日野市） 【計画期間：令和6年度～令和8年度】", "日野市地域産業活性化計画", "日野市"),
    # an edition inside 【】 or after a bare title (header.parts.edition_in_title): part of it
    ("【八王子市地域産業活性化計画（第２期）】（八王子市）【計画期間：令和6年度～令和8年度】",
     "八王子市地域産業活性化計画(第2期)", "八王子市"),
    ("青梅市地域産業活性化計画（仮称）（青梅市）【計画期間：令和6年度～令和8年度】", "青梅市地域産業活性化計画(仮称)", "青梅市"),
])
def test_header_patterns(tmp_path, rules, header, title, muni):
    text = f"【承認した地域産業活性化計画の概要】\n\n{header}\n\n" + PLAN.format(muni=muni).split("\n", 1)[1]
    out = run_text(tmp_path, text, rules)
    [plan] = out["plans"]
    assert (plan["plan_title"], plan["municipality"], plan["period_start_fy"], plan["period_end_fy"]) == \
        (title, muni, 2024, 2026)
    assert [p["program_name"] for p in out["programs"]] == ["創業支援事業", "経営相談事業"]


@pytest.mark.parametrize("header", [
    "計画名：「府中市地域産業活性化計画」（府中市）",
    "計画の名称：府中市地域産業活性化計画",
])
def test_header_labelled_title(tmp_path, rules, header):
    text = (f"【承認した地域産業活性化計画の概要】\n\n{header}\n計画期間：令和6年度～令和8年度\n\n"
            + PLAN.format(muni="府中市").split("\n", 1)[1])
    [plan] = run_text(tmp_path, text, rules)["plans"]
    assert (plan["plan_title"], plan["municipality"], plan["period_raw"]) == \
        ("府中市地域産業活性化計画", "府中市", "令和6年度〜令和8年度")


@pytest.mark.parametrize("written", ["桧原村", "檜原村"])
def test_municipality_alias_gives_the_listed_code(tmp_path, rules, written):
    """桧原村 is another spelling of 檜原村 (header.municipality_aliases): the same code."""
    out = run_text(tmp_path, "【承認した地域産業活性化計画の概要】\n\n" + PLAN.format(muni=written), rules)
    [plan] = out["plans"]
    assert plan["municipality_code"] == "133078"
    assert not [d for d in out["diagnostics"] if d["code"] == "unknown_municipality"]


# ----------------------------------------------------------------------------- [[markers.forms]]
MEASURES = """(1) 多様な主体との連携を図る取組

商工会と連携し、創業を支援する（創業支援事業、経営相談事業）
"""


@pytest.mark.parametrize("marker1,marker2", [
    ("①", "②"),
    ("1)", "2)"),
    ("【1】", "【2】"),
    ("[1]", "[2]"),
    ("◆", "◆"),
    ("■", "■"),
])
def test_marker_forms(tmp_path, rules, marker1, marker2):
    body = (f"{marker1} 多様な主体との連携を図る取組\n\n商工会と連携し、創業を支援する（創業支援事業、経営相談事業）\n\n"
            f"{marker2} 感染症や災害などの発生による社会経済活動の大きな変化や社会構造の変革への対応に係る取組\n\n"
            "区内事業者のデジタル化を支援する（DX推進補助金）\n")
    header = PLAN.format(muni="青梅市").split("\n\n(1)")[0]
    out = run_text(tmp_path, f"【承認した地域産業活性化計画の概要】\n\n{header}\n\n{body}", rules)
    assert [(m["category_no"], m["programs"]) for m in out["measures"]] == [(1, 2), (2, 1)]


# ----------------------------------------------------------------------------- [[categories]] aliases
@pytest.mark.parametrize("marker", ["(2)", "⑵"])
@pytest.mark.parametrize("label", [
    "感染症や災害等の発生による社会経済活動の大きな変化や社会構造の変革への対応に係る取組",
    "社会構造の変革への対応に係る取組",
])
def test_category_aliases(tmp_path, rules, label, marker):
    text = PLAN.format(muni="青梅市").replace("(1) 多様な主体との連携を図る取組", f"{marker} {label}")
    [m] = run_text(tmp_path, "【承認した地域産業活性化計画の概要】\n\n" + text, rules)["measures"]
    assert m["category_label_canonical"] == \
        "感染症や災害などの発生による社会経済活動の大きな変化や社会構造の変革への対応に係る取組"


# ----------------------------------------------------------------------------- [furniture] patterns
@pytest.mark.parametrize("furniture", [
    "P.2", "ページ 3",
    "（問合せ先）産業労働局商工部", "【お問い合わせ】産業振興課",
    "電話 03-5320-4785", "FAX：03-5388-1462",
])
def test_furniture_patterns(tmp_path, rules, furniture):
    text = "【承認した地域産業活性化計画の概要】\n\n" + PLAN.format(muni="青梅市") + f"\n{furniture}\n"
    out = run_text(tmp_path, text, rules)
    assert lines_with_role(out, "furniture") == [out["lines"][-1]["text"]]
    assert [p["program_name"] for p in out["programs"]] == ["創業支援事業", "経営相談事業"]
    assert out["documents"][0]["status"] == "ok"


def test_a_contact_label_alone_keeps_its_block_across_a_page_break(tmp_path, rules):
    """(問合せ先) at the foot of a page, the page number, and its block on the next page: the
    block is the contact's, furniture, not a caption or text of the plan."""
    text = ("【承認した地域産業活性化計画の概要】\n\n" + PLAN.format(muni="青梅市")
            + "\n（問合せ先）\n\n- 2 -\n\n産業労働局商工部地域産業振興課\n電話 03-5320-4785\n")
    out = run_text(tmp_path, text, rules)
    assert lines_with_role(out, "furniture") == ["(問合せ先)", "- 2 -", "産業労働局商工部地域産業振興課", "電話03-5320-4785"]
    assert out["captions"] == [] and out["documents"][0]["status"] == "ok"


# ----------------------------------------------------------------------------- [not_lists] patterns
@pytest.mark.parametrize("note", [
    "（以下「本計画」という。）",
    "（以下、支援事業とする）",
    "（注1：新規事業を含む）",
    "（注.一部再掲）",
    "（※新規事業を含む）",
    "（※は新規）",
    "（令和7年度から実施）",
    "（平成30年度開始）",
])
def test_trailing_notes_are_not_program_lists(tmp_path, rules, note):
    """A parenthetical after the list that is a note: the list before it is still the list."""
    text = "【承認した地域産業活性化計画の概要】\n\n" + PLAN.format(muni="青梅市").replace(
        "（創業支援事業、経営相談事業）", f"（創業支援事業、経営相談事業）{note}")
    out = run_text(tmp_path, text, rules)
    assert [p["program_name"] for p in out["programs"]] == ["創業支援事業", "経営相談事業"]


# ----------------------------------------------------------------------------- [items] head_nouns
@pytest.mark.parametrize("name", [
    "市場調査", "商圏調査",
    "ものづくりネットワーク", "産業振興センター", "創業拠点", "産業ポータル", "観光情報サイト",
    "デジタル地域通貨", "商店街ポイント", "プレミアム付商品券", "飲食店クーポン",
    "キャッシュレスキャンペーン", "農福連携マルシェ", "ものづくりイベント", "産業振興協議会",
    "経営研究会", "異業種交流会", "産業振興会議", "人材育成事業費",
])
def test_head_nouns_make_a_bare_list(tmp_path, rules, name):
    """A bare (3) list of names that end in head nouns is read as a list, with no info about an
    unknown head."""
    text = "【承認した地域産業活性化計画の概要】\n\n" + PLAN.format(muni="青梅市") + (
        f"\n(3) (1)、(2)以外の取組\n\n創業支援事業、{name}\n")
    out = run_text(tmp_path, text, rules)
    assert [p["program_name"] for p in out["programs"]][-2:] == ["創業支援事業", name]
    assert [p["has_known_head"] for p in out["programs"]][-1] is True


# ----------------------------------------------------------------------------- header.municipality_fallback
@pytest.mark.parametrize("title,muni", [
    ("架空市地域産業活性化計画", "架空市"),
    ("みらい町産業振興計画", "みらい町"),
])
def test_a_title_naming_no_known_municipality_takes_its_shortest_prefix(tmp_path, rules, title, muni):
    """No (municipality) after the title and no listed name in it: the shortest prefix ending in
    区, 市, 町 or 村 is the municipality, and it gets an unknown_municipality warning."""
    text = (f"【承認した地域産業活性化計画の概要】\n\n「{title}」 【計画期間：令和6年度～令和8年度】\n\n"
            + PLAN.format(muni=muni).split("\n", 2)[2])
    out = run_text(tmp_path, text, rules)
    [plan] = out["plans"]
    assert (plan["plan_title"], plan["municipality"], plan["municipality_code"]) == (title, muni, None)
    assert [d["code"] for d in out["diagnostics"]] == ["unknown_municipality"]


# ----------------------------------------------------------------------------- a period cut by a line break
@pytest.mark.parametrize("first,second,raw,start,end", [
    ("【計画期間：令和7年度～令和9年", "度】", "令和7年度〜令和9年度", 2025, 2027),
    ("【計画期間：令和六年度から令和八年", "度まで】", "令和六年度から令和八年度まで", 2024, 2026),
])
def test_a_bracketed_period_cut_by_a_line_break_continues(tmp_path, rules, first, second, raw, start, end):
    text = (f"【承認した地域産業活性化計画の概要】\n\n「青梅市地域産業活性化計画」（青梅市） {first}\n{second}\n\n"
            + PLAN.format(muni="青梅市").split("\n", 2)[2])
    out = run_text(tmp_path, text, rules)
    [plan] = out["plans"]
    assert (plan["period_raw"], plan["period_start_fy"], plan["period_end_fy"]) == (raw, start, end)
    assert out["diagnostics"] == []


# ----------------------------------------------------------------------------- furniture.contact
@pytest.mark.parametrize("block", [
    "【お問い合わせ】\n青梅市 産業観光課 商工係\n内線 2345",
    "連絡先：青梅市役所\n産業観光課商工係",
])
def test_the_lines_after_a_contact_label_are_furniture(tmp_path, rules, block):
    text = "【承認した地域産業活性化計画の概要】\n\n" + PLAN.format(muni="青梅市") + f"\n{block}\n"
    out = run_text(tmp_path, text, rules)
    assert lines_with_role(out, "furniture") == [r["text"] for r in out["lines"][-len(block.splitlines()):]]
    assert out["documents"][0]["status"] == "ok"


# ----------------------------------------------------------------------------- labels.overview
@pytest.mark.parametrize("label", ["【概要】", "計画の概要"])
def test_an_overview_label_makes_what_follows_the_overview_whatever_its_shape(tmp_path, rules, label):
    head, body = PLAN.format(muni="青梅市").split("\n\n", 1)
    body = body.split("\n\n", 1)[1]  # the measure, without the prose overview
    # Short lines with no sentence end would be photo captions without the label.
    text = (f"【承認した地域産業活性化計画の概要】\n\n{head}\n\n{label}\n創業支援の強化\n販路開拓の支援\n\n{body}")
    out = run_text(tmp_path, text, rules)
    roles = {r["text"]: r["role"] for r in out["lines"]}
    assert roles["創業支援の強化"] == roles["販路開拓の支援"] == "overview"
    assert "創業支援の強化" in out["plans"][0]["overview"] and not out["captions"]


@pytest.mark.parametrize(("line", "label"), [
    ("計画名", True), ("主な取組内容", True), ("取組の区分", True), ("【計画の概要】", True),
    ("計画名：「町田市地域産業活性化計画」", False), ("主な取組内容は次のとおり。", False)])
def test_section_label_lines(rules, line, label):
    """[labels] patterns: a line that only names a section or a table's head cell (計画名, 取組の
    区分 | 主な取組内容) is structure; one that goes on is not."""
    from pipeline.normalize import normalize_text
    from pipeline.segment import grammar

    assert grammar.is_section_label(normalize_text(line, rules), rules) is label
