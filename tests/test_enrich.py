"""Enrichment: municipality codes and the unknown_municipality diagnostic, program kinds,
themes (Sudachi normalized forms) and keywords, on the seed and on small cases."""

from __future__ import annotations

import pytest
from conftest import FIXTURES

SEED = FIXTURES / "seed.txt"

# Written by reading each name (not copied from output): name -> (kind, themes it must have).
# The seed lists 地域連携型ハンズオン支援事業, エリアリノベーション事業 and 創業支援事業 twice.
EXPECTED_PROGRAMS = [
    # 世田谷区
    ("地域連携型ハンズオン支援事業", "事業", {"連携・ネットワーク", "経営支援"}),
    ("エリアリノベーション事業", "事業", {"まちづくり"}),
    ("ソーシャルビジネスの推進:産業創造プラットフォーム“SETAGAYA PORT”", "プラットフォーム", {"地域課題"}),
    ("地域連携型ハンズオン支援事業", "事業", {"連携・ネットワーク", "経営支援"}),
    ("せたがやPay機能拡充による区内事業者支援", "支援", {"地域通貨", "経営支援"}),
    ("エリアリノベーション事業", "事業", {"まちづくり"}),
    ("事業承継プラットフォーム", "プラットフォーム", {"事業承継"}),
    ("中小企業経営支援補助", "補助・助成", {"経営支援"}),
    ("福祉産業の活性化支援事業", "事業", {"福祉"}),
    ("地域課題解決支援事業補助", "補助・助成", {"地域課題"}),
    # 中野区
    ("伴走型支援体制構築事業", "事業", {"経営支援"}),
    ("経営力強化事業", "事業", {"経営支援"}),
    ("創業機運醸成事業", "事業", {"創業"}),
    ("データを活用した産学官連携事業", "事業", {"産学官連携", "デジタル・DX"}),
    ("デジタル地域通貨事業", "事業", {"地域通貨", "デジタル・DX"}),
    # 足立区
    ("創業者経営力アップ支援事業", "事業", {"創業", "経営支援"}),
    ("海外販路拡大支援事業", "事業", {"海外展開", "販路拡大"}),
    ("海外見本市出展助成", "補助・助成", {"海外展開", "販路拡大"}),
    ("区内中小企業人材採用支援助成金", "補助・助成", {"人材"}),
    ("小規模事業者経営改善補助金", "補助・助成", {"経営支援"}),
    ("デジタル人材育成講座", "講座・研修", {"人材", "デジタル・DX"}),
    ("ECモール出店支援", "支援", {"販路拡大"}),
    ("新製品・新事業開発補助金", "補助・助成", {"新製品・新事業"}),
    # 町田市
    ("創業支援事業", "事業", {"創業"}),
    ("事業承継支援事業", "事業", {"事業承継"}),
    ("地域経済現況調査事業", "調査", {"調査"}),
    ("機器利用補助事業", "補助・助成", {"技術・設備"}),
    ("町田市トライアル発注認定事業", "事業", {"販路拡大"}),
    ("産業見本市出展支援事業", "事業", {"販路拡大"}),
    ("企業等立地促進事業", "事業", {"企業誘致"}),
    ("事業者情報提供・発信事業", "事業", {"情報発信"}),
    ("産業財産権取得支援事業", "事業", {"知的財産"}),
    # 羽村市
    ("企業活動支援事業", "事業", {"経営支援"}),
    ("創業支援事業", "事業", {"創業"}),
    ("経営基盤強化助成金", "補助・助成", {"経営支援"}),
    ("人材育成及び人材確保支援助成金", "補助・助成", {"人材"}),
    ("創業支援補助金", "補助・助成", {"創業"}),
    ("企業誘致促進制度奨励金", "補助・助成", {"企業誘致"}),
]

UNKNOWN_MUNI = """【承認した地域産業活性化計画の概要】

「架空市地域産業活性化計画」（架空市） 【計画期間：令和6年度～令和8年度】

架空市では創業の機運を高め、地域の事業者の販路拡大を支援する。

(1) 多様な主体との連携を図る取組

関係機関と連携して起業を支援する（創業支援事業）
"""


@pytest.fixture(scope="module")
def seed_rows(rules):
    from pipeline.batch.chain import process_file

    res = process_file(str(SEED), rules)
    assert res.error is None
    return res.rows


@pytest.fixture(scope="module")
def vocab(rules):
    from pipeline.enrich import vocabulary_for

    return vocabulary_for(rules)


# --------------------------------------------------------------------------- municipalities


def test_seed_plans_carry_codes_and_kinds(seed_rows):
    got = [(p["municipality"], p["prefecture"], p["municipality_code"], p["municipality_type"],
            p["municipality_kind"]) for p in seed_rows["plans"]]
    assert got == [
        ("世田谷区", "東京都", "131121", "区", "特別区"),
        ("中野区", "東京都", "131148", "区", "特別区"),
        ("足立区", "東京都", "131211", "区", "特別区"),
        ("町田市", "東京都", "132098", "市", "市"),
        ("羽村市", "東京都", "132276", "市", "市"),
    ]
    assert not [d for d in seed_rows["diagnostics"] if d["code"] == "unknown_municipality"]


def test_unknown_municipality_is_a_warning_and_has_no_code(tmp_path, rules):
    from pipeline.batch.chain import process_file

    path = tmp_path / "unknown.txt"
    path.write_text(UNKNOWN_MUNI, encoding="utf-8")
    rows = process_file(str(path), rules).rows
    (plan,) = rows["plans"]
    assert plan["municipality"] == "架空市"
    assert plan["municipality_type"] == "市"  # the contract column still says what the name ends in
    assert (plan["municipality_code"], plan["municipality_kind"], plan["prefecture"]) == (None, None, None)
    diags = [d for d in rows["diagnostics"] if d["code"] == "unknown_municipality"]
    assert len(diags) == 1
    d = diags[0]
    assert (d["severity"], d["plan_id"], d["line"]) == ("warning", plan["plan_id"], plan["line_start"])
    assert "架空市" in d["message"]
    doc = rows["documents"][0]
    assert doc["status"] == "partial" and doc["diagnostics"] == len(rows["diagnostics"])
    # The rest of the plan is still there, enriched.
    (prog,) = rows["programs"]
    assert (prog["program_name"], prog["program_kind"]) == ("創業支援事業", "事業")
    assert "創業" in prog["themes"]


def test_no_code_list_means_no_municipality_diagnostic(rules):
    from conftest import process

    from pipeline.tables import document_rows

    rows = document_rows(process(SEED, rules), str(SEED), rules, munis=None)
    assert all(p["municipality_code"] is None for p in rows["plans"])
    assert not rows["diagnostics"]


# --------------------------------------------------------------------------- kinds and themes


def test_every_seed_program_has_the_expected_kind_and_themes(seed_rows):
    programs = seed_rows["programs"]
    assert len(programs) == len(EXPECTED_PROGRAMS) == 38
    for row, (name, kind, themes) in zip(programs, EXPECTED_PROGRAMS, strict=True):
        assert row["program_name"] == name
        assert row["program_kind"] == kind, name
        assert themes <= set(row["themes"]), (name, row["themes"])


def test_every_seed_program_and_measure_has_a_theme(seed_rows):
    assert all(p["themes"] for p in seed_rows["programs"])
    assert all(m["themes"] for m in seed_rows["measures"])


def test_measure_themes_include_their_programs_themes(seed_rows):
    by_measure = {m["measure_id"]: set(m["themes"]) for m in seed_rows["measures"]}
    for p in seed_rows["programs"]:
        assert set(p["themes"]) <= by_measure[p["program_id"].rsplit("-", 1)[0]], p["program_name"]


@pytest.mark.parametrize("name,kind", [
    ("機器利用補助事業", "補助・助成"),  # 補助事業 is longer than 事業
    ("地域課題解決支援事業補助", "補助・助成"),
    ("産業創造プラットフォーム“SETAGAYA PORT”", "プラットフォーム"),  # quoted tail set aside
    ("創業塾", "講座・研修"),
    ("せたがやPay", None),
])
def test_program_kind_longest_head(name, kind, vocab, rules):
    from pipeline.enrich import program_kind

    assert program_kind(name, vocab, rules.quoted_tail) == kind


@pytest.mark.parametrize("a,b,theme", [
    ("創業の支援", "起業の支援", "創業"),
    ("デジタル化の推進", "DX化の推進", "デジタル・DX"),
    ("販路拡大", "販路開拓", "販路拡大"),
    ("せたがや Pay", "せたがやPay", "地域通貨"),  # spaces do not matter
    ("キャッシュレス決済", "ｷｬｯｼｭﾚｽ決済", "デジタル・DX"),  # normalized forms unify spelling
])
def test_variants_meet_in_one_theme(a, b, theme, vocab):
    from pipeline.enrich import themes_of

    assert theme in themes_of([a], vocab)
    assert theme in themes_of([b], vocab)


def test_latin_terms_end_at_a_word_boundary():
    from pipeline.enrich import Normalized, Term, _matches

    it = Term("IT", "it", end_boundary=True)
    assert _matches(Normalized("itの活用", frozenset({0, 2, 3}), frozenset({2, 3, 5})), it)
    assert not _matches(Normalized("items", frozenset({0}), frozenset({5})), it)


def test_vocabulary_rejects_a_head_under_two_kinds(tmp_path):
    from pipeline.errors import RulesError
    from pipeline.rule_files import load_vocabulary

    (tmp_path / "vocabulary.toml").write_text('[kinds]\n"A" = ["事業"]\n"B" = ["事業"]\n', encoding="utf-8")
    with pytest.raises(RulesError, match="vocabulary.toml.*事業"):
        load_vocabulary(tmp_path)


def test_missing_vocabulary_is_empty(tmp_path):
    from pipeline.rule_files import EMPTY_VOCABULARY, load_vocabulary

    assert load_vocabulary(tmp_path) == EMPTY_VOCABULARY


# --------------------------------------------------------------------------- keywords


def test_keywords_are_content_words_sorted_per_plan(seed_rows):
    kws = seed_rows["keywords"]
    plan_ids = [p["plan_id"] for p in seed_rows["plans"]]
    assert {k["plan_id"] for k in kws} == set(plan_ids)
    assert [k["plan_id"] for k in kws] == sorted((k["plan_id"] for k in kws), key=plan_ids.index)
    assert {k["pos"] for k in kws} <= {"名詞", "動詞", "形容詞", "形状詞"}
    for pid in plan_ids:
        rows = [k for k in kws if k["plan_id"] == pid]
        assert rows == sorted(rows, key=lambda k: (-k["count"], k["normalized_form"], k["pos"]))
        assert len({(k["normalized_form"], k["pos"]) for k in rows}) == len(rows)
    forms = {(k["plan_id"], k["normalized_form"]): k["count"] for k in kws}
    hamura = plan_ids[4]
    assert forms[(hamura, "創業")] >= 3  # overview 創業支援, 創業支援事業, 創業支援補助金
    assert forms[(plan_ids[0], "ペイ")] == 1  # Pay, as its normalized form
    # Function words and formal nouns are not keywords.
    assert not {f for (_, f) in forms} & {"為る", "有る", "成る", "こと", "為", "よる", "の", "を"}


def test_keywords_count_each_program_name_once(seed_rows):
    # 経営力強化事業 is both in a description and a program: counted through the description only.
    nakano = seed_rows["plans"][1]["plan_id"]
    counts = {k["normalized_form"]: k["count"] for k in seed_rows["keywords"] if k["plan_id"] == nakano}
    from pipeline.extract.tokens import tokenize

    texts = [seed_rows["plans"][1]["overview"]] + [m["description"] for m in seed_rows["measures"]
                                                     if m["plan_id"] == nakano]
    expected = sum(1 for t in texts for tok in tokenize(t) if tok.normalized == "醸成")
    assert counts["醸成"] == expected == 1


def _themes_term_by_term(texts, vocab):
    """The reference: every theme's every term looked for on its own."""
    from pipeline.enrich import _matches, normalized

    norms = [normalized(t) for t in texts if t]
    return tuple(th.label for th in vocab.themes if any(_matches(n, term) for n in norms for term in th.terms))


def test_one_pass_over_all_terms_finds_what_term_by_term_matching_finds(vocab, rules):
    """themes_of scans a text once with one automaton of every term; on every line, program
    name and description of the text fixtures, and on each theme term inside other words, it
    gives the themes that looking for each term on its own gives."""
    from pipeline.batch.chain import process_file
    from pipeline.enrich import themes_of

    texts = []
    for path in sorted((SEED.parent).glob("**/*.txt")):
        rows = process_file(str(path), rules).rows
        texts += [r["text"] for r in rows["lines"]]
        texts += [r["program_name"] for r in rows["programs"]] + [r["description"] for r in rows["measures"]]
    terms = [t.text for th in vocab.themes for t in th.terms]
    texts += [f"新{a}と{b}の推進" for a, b in zip(terms, reversed(terms), strict=True)]
    texts += ["IT化", "items", "ITS", "AIとIoT", "せたがや Payで"]
    assert len(texts) > 2000
    found = 0
    for text in texts:
        want = _themes_term_by_term([text], vocab)
        assert themes_of([text], vocab) == want, text
        found += bool(want)
    assert found > 500
    pairs = list(zip(texts[::2], texts[1::2], strict=False))
    assert all(themes_of(p, vocab) == _themes_term_by_term(p, vocab) for p in pairs)
