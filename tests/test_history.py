"""The links across rounds as the user sees them (issue 15): ``python -m pipeline history``, the
workbook's program_links sheet and the report's timeline pages, on tests/fixtures/rounds."""

from __future__ import annotations

import pytest
from conftest import ROOT
from test_links import ROUNDS, _rows, cli, run_rounds


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return run_rounds(tmp_path_factory)


def test_the_workbook_has_a_program_links_sheet_and_the_report_a_timeline_per_municipality(out):
    import openpyxl

    wb = openpyxl.load_workbook(out / "workbook.xlsx", read_only=True)
    sheet = wb["program_links"]
    rows = list(sheet.iter_rows(values_only=True))
    wb.close()
    assert rows[0][:3] == ("団体コード", "市区町村", "計画ID")
    assert len(rows) - 1 == len(_rows(out, "program_links"))
    report = out / "report"
    pages = sorted(p.name for p in report.glob("timeline-*.html"))
    assert pages == ["timeline-131091.html", "timeline-131105.html", "timeline-131148.html", "timeline-131156.html"]
    index = (report / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{p}"' in index for p in pages)
    page = (report / "timeline-131156.html").read_text(encoding="utf-8")
    assert "販路拡大支援補助金" in page and "販路開拓支援補助金" in page and "要確認" in page


def test_a_municipality_with_one_plan_has_no_timeline_page(tmp_path):
    res = cli("run", str(ROUNDS / "r2014"), "--out", str(tmp_path / "out"), "--jobs", "1")
    assert res.returncode == 0, res.stderr
    assert not list((tmp_path / "out" / "report").glob("timeline-*.html"))
    assert _rows(tmp_path / "out", "program_links") == []


def test_history_of_an_unknown_municipality_is_an_error_naming_those_there(out):
    res = cli("history", "港区", "--out", str(out))
    assert res.returncode == 2 and "港区" in res.stderr and "品川区" in res.stderr


def test_history_by_code_is_history_by_name(out):
    assert cli("history", "131091", "--out", str(out)).stdout == cli("history", "品川区", "--out", str(out)).stdout


def test_the_readme_history_example_is_real_output(out):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- begin history example -->")[1].split("<!-- end history example -->")[0]
    lines = block.split("```\n")[1].split("```")[0].splitlines()
    assert lines[0] == "$ python -m pipeline run tests/fixtures/rounds --out /tmp/rounds"
    assert lines[1] == "$ python -m pipeline history 品川区 --out /tmp/rounds"
    res = cli("history", "品川区", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "\n".join(lines[2:]) == res.stdout.rstrip("\n")
