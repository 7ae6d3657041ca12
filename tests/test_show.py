"""``python -m pipeline show PLAN_ID``, through the command line."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT

SEED = FIXTURES / "seed.txt"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("show")
    res = cli("run", str(SEED), "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert (out / "workbook.xlsx").exists() and (out / "report" / "index.html").exists()
    return out


@pytest.fixture(scope="module")
def plan_ids(out_dir):
    import pyarrow.parquet as pq

    return pq.read_table(out_dir / "plans.parquet", columns=["plan_id"]).column("plan_id").to_pylist()


def test_show_prints_the_plan_as_a_tree(out_dir, plan_ids):
    res = cli("show", plan_ids[4], "--out", str(out_dir))
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == f"「羽村市地域産業活性化計画」  {plan_ids[4]}"
    assert lines[1] == "  市区町村  東京都 羽村市（132276・市）"
    assert lines[2] == "  計画期間  令和6年度〜令和8年度（2024〜2026年度）"
    assert "├── (1) 多様な主体との連携を図る取組" in lines
    assert "│   └── 創業支援事業（補足: 連携機関の拡充）  [事業]  創業、連携・ネットワーク" in lines
    assert "└── (3) (1)、(2)以外の取組" in lines
    assert "    └── 企業誘致促進制度奨励金  [補助・助成]  企業誘致" in lines


def test_show_lists_captions(out_dir, plan_ids):
    res = cli("show", plan_ids[0], "--out", str(out_dir))
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert "└── キャプション" in lines
    assert "    └── デジタル地域通貨「せたがやPay」" in lines
    assert "│   ├── 事業承継プラットフォーム  [プラットフォーム]  事業承継、連携・ネットワーク" in lines


def test_show_unknown_plan_is_a_one_line_error(out_dir, plan_ids):
    res = cli("show", "no-such-plan", "--out", str(out_dir))
    assert res.returncode == 2
    assert res.stdout == ""
    assert res.stderr.count("\n") == 1
    assert res.stderr.startswith("error: plan 'no-such-plan' not found in ")
    assert plan_ids[0] in res.stderr  # an example of what an id looks like


def test_show_without_tables_is_a_one_line_error(tmp_path):
    res = cli("show", "x-p01", "--out", str(tmp_path))
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "no such table" in res.stderr


def test_show_takes_a_municipality_name_and_prints_the_source_and_lines(out_dir, plan_ids):
    by_id = cli("show", plan_ids[4], "--out", str(out_dir))
    by_name = cli("show", "羽村市", "--out", str(out_dir))
    assert by_name.returncode == 0, by_name.stderr
    assert by_name.stdout == by_id.stdout
    lines = by_name.stdout.splitlines()
    assert lines[3].startswith(f"  出典  {SEED}  行 ") and re.fullmatch(r".*行 \d+–\d+", lines[3]), lines[3]


def test_show_takes_a_doc_id_and_prints_every_plan_of_the_document(out_dir, plan_ids):
    doc_id = plan_ids[0].rsplit("-", 1)[0]
    res = cli("show", doc_id, "--out", str(out_dir))
    assert res.returncode == 0, res.stderr
    headers = [ln for ln in res.stdout.splitlines() if ln.startswith("「")]
    assert [h.rsplit("  ", 1)[1] for h in headers] == plan_ids


def test_show_prints_the_pages_of_a_pdf_plan(tmp_path):
    out = tmp_path / "out"
    pdf = FIXTURES / "pdf" / "seed.pdf"
    assert cli("run", str(pdf), "--out", str(out), "--tables-only").returncode == 0
    res = cli("show", "羽村市", "--out", str(out))
    assert res.returncode == 0, res.stderr
    (source,) = [ln for ln in res.stdout.splitlines() if ln.startswith("  出典  ")]
    assert re.fullmatch(rf"  出典  {re.escape(str(pdf))}  ページ \d+(–\d+)?", source), source


@pytest.mark.parametrize("args", [("list",), ("show",)])
def test_list_prints_every_plan_with_its_id_municipality_and_period(out_dir, plan_ids, args):
    res = cli(*args, "--out", str(out_dir))
    assert res.returncode == 0, res.stderr
    rows = [ln.split("\t") for ln in res.stdout.splitlines()]
    assert rows[0] == ["plan_id", "municipality", "period", "source"]
    assert [r[0] for r in rows[1:]] == plan_ids
    assert rows[5][1:] == ["羽村市", "令和6年度〜令和8年度", str(SEED)]


def test_show_unknown_name_says_how_to_list(out_dir):
    res = cli("show", "どこにもない市", "--out", str(out_dir))
    assert res.returncode == 2 and res.stderr.count("\n") == 1
    assert "python -m pipeline list" in res.stderr
