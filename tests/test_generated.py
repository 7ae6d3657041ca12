"""Generated announcements as the test oracle (issue 11, item 6).

tests/announcements.py builds announcements from random parts (header arrangements, period
forms, marker forms and labels, list kinds, captions, furniture) and knows the structure it
built. These tests run the pipeline on them, as text and as PDF (through the variant PDF
fixture generator's layouts), and check that it recovers exactly that structure: the plans
(municipality, code, title, period), their measures (number, label, canonical label, list
kind), programs (name, qualifier, in order; for text also the raw name and its line) and
captions; the document title; status ``ok``; and no warning or error diagnostic (info ones,
such as page furniture, are fine). A failure names the seed and the first difference.

CI runs fixed seeds (30 as text, 4 as PDF, one per generation and every layout). ``make
fuzz`` runs many more (``FUZZ_SEEDS``, default 500; a tenth of them also as PDF):

    FUZZ_SEEDS=2000 .venv/bin/python -m pytest tests/test_generated.py --tb=line
    .venv/bin/python tests/announcements.py 17      # one announcement and its structure

Also here: the seed with its plan headers rewritten in other shapes (issue 11, "Why").

Last measured with ``make fuzz`` (500 seeds): every text seed passes; PDF seeds fail
on PDF layout only: 10 of 50 PDF seeds (two captions stacked in layout b's narrow side column read as one; a
municipality in brackets wrapped onto the next line in layout c), gaps of the PDF reader.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from announcements import AmbiguousLayout, generate, render_pdf
from conftest import FIXTURES, MEASURE_COLUMNS, process, summary

FUZZ = int(os.environ.get("FUZZ_SEEDS") or 0)
TEXT_SEEDS = list(range(FUZZ)) if FUZZ else list(range(1, 31))
# (seed, layout): layout a portrait with side captions, b landscape two plans a page, c photos
# Fixed PDF seeds; 10-b and 25-b stack one-line captions in layout b's side column, 30-a puts
# a contact label alone at the foot of a page, 5-c a heading at the top of the next page, 9-a
# and 17-c wrap an indented header's end ("区）") to the margin, 41-c a measure label under
# its marker across a page break (a hanging indent).
PDF_CASES = [(s, "abc"[s % 3]) for s in range(FUZZ // 10)] if FUZZ else [
    (2, "a"), (7, "b"), (12, "c"), (21, "a"), (10, "b"), (25, "b"), (30, "a"), (5, "c"), (9, "a"), (17, "c"),
    (41, "c")]

PLAN_KEYS = ("municipality", "municipality_code", "plan_title", "period_raw", "period_start_fy", "period_end_fy")
PROGRAM_KEYS_PDF = ("program_name", "qualifier")


# ----------------------------------------------------------------------------- comparison


def project(got: dict, program_keys: tuple[str, ...] | None = None) -> dict:
    """The parts of a summary() that the generator predicts."""
    def programs(m):
        return [{k: p[k] for k in program_keys or p} for p in m["programs"]]

    return {
        "document_title": got["document_title"],
        "plans": [{**{k: p[k] for k in PLAN_KEYS}, "captions": p["captions"],
                   "measures": [{**{k: _value(m[k]) for k in MEASURE_COLUMNS}, "programs": programs(m)}
                                for m in p["measures"]]}
                  for p in got["plans"]],
        "status": _value(got["status"]),
    }


def _value(v):
    """An enum member's value (the pipeline's Status and ListKind), else the value itself."""
    return getattr(v, "value", v)


def first_difference(expected, got, path: str = "") -> str | None:
    """Where two nested structures first differ, in words."""
    if isinstance(expected, dict) and isinstance(got, dict):
        for key in expected:
            if key not in got:
                return f"{path}.{key}: missing"
            diff = first_difference(expected[key], got[key], f"{path}.{key}" if path else key)
            if diff:
                return diff
        return None
    if isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):
            return (f"{path}: {len(got)} items, expected {len(expected)}:\n  expected {[_short(e) for e in expected]}"
                    f"\n  got      {[_short(g) for g in got]}")
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            diff = first_difference(e, g, f"{path}[{i}]")
            if diff:
                return diff
        return None
    if expected != got:
        return f"{path}: expected {expected!r}, got {got!r}"
    return None


def _short(value) -> str:
    """A plan, measure or program by what identifies it."""
    if isinstance(value, dict):
        for key in ("plan_title", "category_label", "program_name"):
            if key in value:
                return str(value[key])
    return str(value)


def check(got: dict, ann, what: str, program_keys=None) -> None:
    """The recovered structure is the generated one, and there is no warning or error."""
    __tracebackhide__ = True
    expected = ann.expected
    if program_keys:
        expected = {**expected, "plans": [
            {**p, "measures": [{**m, "programs": [{k: r[k] for k in program_keys} for r in m["programs"]]}
                               for m in p["measures"]]} for p in expected["plans"]]}
    diff = first_difference(expected, project(got, program_keys))
    hint = f"(python tests/announcements.py {ann.seed}{' --pdf' if ann.pdf else ''})"
    drawn = {k: v for k, v in ann.parts.items() if k != "plans"}
    if diff is not None:
        raise AssertionError(f"seed {ann.seed} ({what}, {drawn}): {diff}\n{hint}")
    severe = [[d[0], _value(d[1]), d[2]] for d in got["diagnostics"] if d[1] != "info"]
    if severe:
        raise AssertionError(f"seed {ann.seed} ({what}): warning/error diagnostics {severe}\n{hint}")


# ----------------------------------------------------------------------------- generated text and PDF


@pytest.mark.parametrize("seed", TEXT_SEEDS, ids=lambda s: f"seed{s}")
def test_generated_text(seed, rules, tmp_path):
    ann = generate(seed)
    path = tmp_path / f"generated_{seed}.txt"
    path.write_text(ann.text, encoding="utf-8")
    check(summary(process(path, rules), rules), ann, "text")


@pytest.mark.parametrize(("seed", "layout"), PDF_CASES, ids=lambda v: f"seed{v}" if isinstance(v, int) else v)
def test_generated_pdf(seed, layout, rules, tmp_path):
    ann = generate(seed, pdf=True)
    path = tmp_path / f"generated_{seed}-{layout}.pdf"
    try:
        render_pdf(ann, path, layout)
    except AmbiguousLayout as exc:  # only in a fuzz run: the fixed seeds are chosen to lay out cleanly
        if not FUZZ:
            raise
        pytest.skip(str(exc))
    got = summary(process(path, rules), rules)
    assert got["media_type"] == "application/pdf"
    check(got, ann, f"PDF layout {layout}", PROGRAM_KEYS_PDF)


def test_the_generator_is_deterministic_and_covers_its_parts():
    """Same seed, same document; and the fixed seeds between them draw every part the oracle
    is meant to cover (so that a change to the generator cannot quietly narrow it)."""
    assert generate(5).text == generate(5).text and generate(5).expected == generate(5).expected
    anns = [generate(s) for s in TEXT_SEEDS]
    drawn: dict[str, set] = {}
    for ann in anns:
        for plan in ann.parts["plans"]:
            for key, value in plan.items():
                values = value if isinstance(value, list) else [value]
                if key == "period":
                    form, digits, sep, *rest = value.split("/")
                    values = [form, digits, sep, *rest]
                drawn.setdefault(key, set()).update(values)
    missing = {
        "title": {"「", "『", "【", "none", "「/edition"} - drawn["title"],
        "muni": {"paren", "bare", "none"} - drawn["muni"],
        "order": {"title-muni-period", "muni-title-period", "title-period-muni"} - drawn["order"],
        "lines": {1, 2, 3} - drawn["lines"],
        "period": {"full", "short_end", "compact", "kara", "fullwidth", "kanji", "～", "〜", "~", "two eras"}
        - drawn["period"],
        "period_brackets": {"【", "（", "〔", "none"} - drawn["period_brackets"],
        "period_label": {"計画期間：", "none"} - drawn["period_label"],
        "bullet": {"■", "◆", "●", "none"} - drawn["bullet"],
        "marker": {"(1)", "（１）", "⑴", "①", "1.", "1 "} - drawn["marker"],
        "labels": {"standard", "aims", "own"} - drawn["labels"],
        "kinds": {"parenthesized", "bare", "activities"} - drawn["kinds"],
    }
    assert not any(missing.values()), {k: v for k, v in missing.items() if v}
    assert drawn["bullet"] & {"1 ", "1.", "（1）"} and drawn["sep"] >= {"''", "' '", "'\\u3000'"}
    assert any(t.endswith("プラン") for t in drawn["tail"]) and True in drawn["indent"]
    texts = "\n".join(ann.text for ann in anns)
    for needle in ("問合せ先", "〔別紙〕", "ページの先頭へ戻る", "ここから本文です。", "等", "など", "の様子", "の風景",
                   "承認した地域産業基盤強化計画の概要", "【承認した地域産業活性化計画の概要】"):
        assert needle in texts, needle
    assert re.search(r"^(－[０-９]－|- [0-9] -|[0-9]/[0-9])$", texts, re.M), "page numbers"
    assert re.search(r"^別紙$", texts, re.M), "running header"
    assert any(p["qualifier"] for ann in anns for pl in ann.expected["plans"] for m in pl["measures"]
               for p in m["programs"])
    assert any(pl["captions"] for ann in anns for pl in ann.expected["plans"])


# ----------------------------------------------------------------------------- the seed, headers rewritten

SEED = FIXTURES / "seed.txt"
SEED_HEADER = re.compile(r"「(?P<title>[^」\n]+)」（(?P<muni>[^）\n]+)）\s*【計画期間[:：](?P<period>[^】\n]+)】")


def _seed_expected() -> dict:
    return json.loads((FIXTURES / "seed.expected.json").read_text(encoding="utf-8"))


def _plan_view(plan: dict) -> dict:
    """A plan without its title and source lines (what a header rewrite must not change)."""
    keys = ("municipality", "municipality_code", "period_raw", "period_start_fy", "period_end_fy", "overview",
            "captions")
    return {**{k: plan[k] for k in keys},
            "measures": [{**{k: m[k] for k in MEASURE_COLUMNS},
                          "programs": [[r["program_name"], r["qualifier"]] if isinstance(r, dict) else r[:2]
                                       for r in m["programs"]]}
                         for m in plan["measures"]]}


def _run(text: str, rules, tmp_path) -> dict:
    path = tmp_path / "seed_rewritten.txt"
    path.write_text(text, encoding="utf-8")
    return summary(process(path, rules), rules)


def test_seed_headers_as_municipality_then_plan(rules, tmp_path):
    """`世田谷区 世田谷区産業振興プラン 【計画期間：令和6年度～令和8年度】`, and so for all five:
    the same five plans, with the new titles, and the same 15 measures and 38 programs."""
    text = SEED.read_text(encoding="utf-8")
    rewritten, n = SEED_HEADER.subn(
        lambda m: f"{m['muni']} {m['muni']}産業振興プラン 【計画期間：{m['period']}】", text)
    assert n == 5
    assert "世田谷区 世田谷区産業振興プラン 【計画期間：令和6年度～令和8年度】" in rewritten
    got = _run(rewritten, rules, tmp_path)
    want = _seed_expected()
    assert [p["plan_title"] for p in got["plans"]] == [p["municipality"] + "産業振興プラン" for p in want["plans"]]
    assert [_plan_view(p) for p in got["plans"]] == [_plan_view(p) for p in want["plans"]]
    assert sum(len(p["measures"]) for p in got["plans"]) == 15
    assert sum(len(m["programs"]) for p in got["plans"] for m in p["measures"]) == 38
    assert got["status"] == "ok"
    assert [d for d in got["diagnostics"] if d[1] != "info"] == []


def test_seed_first_header_bullet_municipality_first_spelled_out_period(rules, tmp_path):
    """`■ 大田区　『大田区ものづくり産業振興計画』　（計画期間　令和3年度から令和5年度まで）` in
    place of the first header: still five plans, the first one 大田区's, 2021-2023."""
    text = SEED.read_text(encoding="utf-8")
    first = "「世田谷区地域産業活性化計画」（世田谷区） 【計画期間：令和6年度～令和8年度】"
    assert text.count(first) == 1
    got = _run(text.replace(first, "■ 大田区　『大田区ものづくり産業振興計画』　（計画期間　令和3年度から令和5年度まで）"),
               rules, tmp_path)
    want = _seed_expected()
    assert len(got["plans"]) == 5
    plan = got["plans"][0]
    assert {k: plan[k] for k in ("municipality", "municipality_code", "plan_title", "period_raw",
                                 "period_start_fy", "period_end_fy")} == {
        "municipality": "大田区", "municipality_code": "131113", "plan_title": "大田区ものづくり産業振興計画",
        "period_raw": "令和3年度から令和5年度まで", "period_start_fy": 2021, "period_end_fy": 2023}
    first_want = {**want["plans"][0], "municipality": "大田区", "municipality_code": "131113",
                  "period_raw": "令和3年度から令和5年度まで", "period_start_fy": 2021, "period_end_fy": 2023}
    assert _plan_view(plan) == _plan_view(first_want)
    assert [_plan_view(p) for p in got["plans"][1:]] == [_plan_view(p) for p in want["plans"][1:]]
    assert got["status"] == "ok"
    assert [d for d in got["diagnostics"] if d[1] != "info"] == []
