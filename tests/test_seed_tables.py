"""End to end on the seed through the CLI: the written tables, checked against the source."""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT


def _run(out, *paths):
    return subprocess.run([sys.executable, "-m", "pipeline", "run", *map(str, paths), "--out", str(out),
                           "--jobs", "1", "--no-cache"], capture_output=True, text=True, cwd=ROOT)


def _rows(out, table):
    with open(out / f"{table}.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed-out")
    res = _run(out, FIXTURES / "seed.txt")
    assert res.returncode == 0, res.stderr
    assert res.stderr.strip().splitlines()[-1].startswith(
        "documents: 1 (ok 1, partial 0, no_plans 0, no_text 0, failed 0), plans: 5, measures: 15, programs: 38, diagnostics: 0")
    return out


def test_documents_row(out):
    (doc,) = _rows(out, "documents")
    data = (FIXTURES / "seed.txt").read_bytes()
    assert doc["doc_id"] == hashlib.sha256(data).hexdigest()[:16]
    assert (doc["media_type"], doc["encoding"], doc["status"], doc["plans"]) == ("text/plain", "utf-8", "ok", "5")
    assert doc["document_title"] == "承認した地域産業活性化計画の概要"
    assert doc["error"] == ""


def test_plans_rows_against_the_source(out):
    plans = _rows(out, "plans")
    # Header lines and plan ends read off tests/fixtures/seed.txt by line number.
    assert [(p["municipality"], p["municipality_type"], p["line_start"], p["line_end"]) for p in plans] == [
        ("世田谷区", "区", "5", "32"), ("中野区", "区", "34", "51"), ("足立区", "区", "53", "73"),
        ("町田市", "市", "75", "100"), ("羽村市", "市", "102", "118")]
    assert {(p["period_raw"], p["period_start_fy"], p["period_end_fy"]) for p in plans} == {
        ("令和6年度〜令和8年度", "2024", "2026")}


def test_measure_and_program_rows_against_the_source(out):
    measures = _rows(out, "measures")
    assert len(measures) == 15
    assert [m["category_no"] for m in measures] == ["1", "2", "3"] * 5
    assert {m["list_kind"] for m in measures if m["category_no"] == "3"} == {"bare"}
    programs = _rows(out, "programs")
    assert len(programs) == 38
    habu = [(p["program_name"], p["qualifier"], p["line"]) for p in programs if p["municipality"] == "羽村市"]
    assert habu == [("企業活動支援事業", "", "110"), ("創業支援事業", "連携機関の拡充", "110"),
                    ("経営基盤強化助成金", "", "114"), ("人材育成及び人材確保支援助成金", "", "114"),
                    ("創業支援補助金", "", "118"), ("企業誘致促進制度奨励金", "", "118")]
    raw = {p["program_name"]: p["program_name_raw"] for p in programs}
    assert raw["せたがやPay機能拡充による区内事業者支援"] == "せたがや Pay 機能拡充による区内事業者支援"
    assert raw["ソーシャルビジネスの推進:産業創造プラットフォーム“SETAGAYA PORT”"] == \
        "ソーシャルビジネスの推進：産業創造プラットフォーム“SETAGAYA PORT”"
    assert len({p["program_id"] for p in programs}) == 38


def test_captions_are_only_in_captions(out):
    captions = [c["text"] for c in _rows(out, "captions")]
    assert captions == ["世田谷・福祉生まれのモノゴトを届ける", "Produced by マジンハウス × 世田谷区",
                        "世田谷・福祉のモノゴトを届ける(せせせ)", "世田谷のお店を応援する", "デジタル地域通貨「せたがやPay」",
                        "シンガポールの展示会の様子(海外販路拡大支援事業)", "町田新産業創造センター",
                        "町田市トライアル発注認定商品(一例)"]
    overviews = " ".join(p["overview"] for p in _rows(out, "plans"))
    names = {p["program_name"] for p in _rows(out, "programs")}
    for c in captions:
        assert c not in overviews and c not in names


def test_lines_table_accounts_for_every_non_blank_line(out):
    lines = _rows(out, "lines")
    source = (FIXTURES / "seed.txt").read_text(encoding="utf-8").split("\n")
    non_blank = {i + 1 for i, t in enumerate(source) if t.strip()}
    assert sorted(int(r["line"]) for r in lines) == sorted(non_blank)


def test_same_input_gives_byte_identical_tables(out, tmp_path):
    again = tmp_path / "again"
    assert _run(again, FIXTURES / "seed.txt").returncode == 0
    for f in sorted(out.glob("*.csv")) + sorted(out.glob("*.parquet")):
        assert (again / f.name).read_bytes() == f.read_bytes(), f.name
