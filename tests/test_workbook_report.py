"""workbook.xlsx and the report folder, written with the tables through output.write.write_tables' extra
writers."""

from __future__ import annotations

import csv
import zipfile
from html.parser import HTMLParser

import pytest
from conftest import FIXTURES

SEED = FIXTURES / "seed.txt"


@pytest.fixture(scope="module")
def seed_tables(rules):
    from pipeline.batch.chain import merge, process_file

    return merge([process_file(str(SEED), rules)])


@pytest.fixture(scope="module")
def out_dir(seed_tables, tmp_path_factory):
    from pipeline.output.report import ReportPages
    from pipeline.output.workbook import WorkbookSheets
    from pipeline.output.write import table_values, write_tables

    out = tmp_path_factory.mktemp("out")
    write_tables([table_values(seed_tables)], out, extra_writers=(WorkbookSheets, ReportPages))
    return out


@pytest.fixture(scope="module")
def workbook(out_dir):
    from openpyxl import load_workbook

    return load_workbook(out_dir / "workbook.xlsx")


# --------------------------------------------------------------------------- workbook


def test_workbook_has_the_browsing_tables_and_a_dictionary_of_every_table(workbook):
    from pipeline.tables import SCHEMA

    # lines and keywords are in Parquet and CSV only; the dictionary still describes them.
    assert workbook.sheetnames == ["documents", "plans", "measures", "programs", "captions", "diagnostics",
                                   "program_links", "データ辞書"]
    dictionary = list(workbook["データ辞書"].iter_rows(values_only=True))
    assert dictionary[0] == ("表", "列", "日本語名", "型", "説明", "説明（英語）")
    assert dictionary[1:] == [(t, c.name, c.ja, c.type, c.ja_desc, c.en) for t, cols in SCHEMA.items() for c in cols]


def test_every_column_has_a_japanese_description():
    import re

    from pipeline.tables import SCHEMA

    for t, cols in SCHEMA.items():
        for c in cols:
            assert re.search("[\u3040-\u30ff\u4e00-\u9fff]", c.ja_desc), (t, c.name)


def test_workbook_sheets_have_japanese_headers_frozen_filtered_and_sized(workbook, seed_tables):
    from openpyxl.utils import get_column_letter

    from pipeline.output.workbook import SHEETS
    from pipeline.tables import SCHEMA

    for name in SHEETS:
        cols = SCHEMA[name]
        ws = workbook[name]
        assert [c.value for c in ws[1]] == [c.ja for c in cols], name
        assert all(c.font.b for c in ws[1]), name
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{get_column_letter(len(cols))}{len(seed_tables[name]) + 1}"
        widths = [ws.column_dimensions[get_column_letter(k + 1)].width for k in range(len(cols))]
        assert all(6 <= w <= 60 for w in widths), (name, widths)


def test_workbook_rows_equal_the_csv_rows(workbook, out_dir):
    from pipeline.output.workbook import SHEETS

    for name in SHEETS:
        with open(out_dir / f"{name}.csv", encoding="utf-8-sig", newline="") as fh:
            csv_rows = list(csv.reader(fh))[1:]
        sheet_rows = list(workbook[name].iter_rows(min_row=2, values_only=True))
        assert len(sheet_rows) == len(csv_rows), name
        for got, want in zip(sheet_rows, csv_rows, strict=True):
            assert [_as_csv(v) for v in got] == want, name


def _as_csv(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def test_codes_are_text_cells(workbook):
    ws = workbook["plans"]
    header = [c.value for c in ws[1]]
    col = header.index("団体コード") + 1
    cells = [ws.cell(row=r, column=col) for r in range(2, ws.max_row + 1)]
    assert [c.value for c in cells] == ["131121", "131148", "131211", "132098", "132276"]
    assert all(c.data_type == "s" for c in cells)
    assert all(c.number_format == "@" for c in cells)


def test_text_columns_are_text_formatted_and_numbers_are_not(workbook):
    from pipeline.output.workbook import SHEETS
    from pipeline.tables import SCHEMA

    for name in SHEETS:
        cols = SCHEMA[name]
        for row in workbook[name].iter_rows(min_row=2, max_row=4):
            for cell, col in zip(row, cols, strict=True):
                if cell.value is not None:
                    assert (cell.number_format == "@") == (col.type in ("string", "list")), (name, col.name)


def test_formula_triggers_keep_their_true_value_as_quote_prefixed_text(tmp_path):
    """The workbook holds the text as written, marked as text (quotePrefix) so Excel never
    runs it; the CSV keeps the apostrophe, since a CSV cell has no style to carry."""
    from openpyxl import load_workbook

    from pipeline.output.workbook import write_workbook
    from pipeline.output.write import table_values, write_tables
    from pipeline.tables import SCHEMA

    tables = {name: [] for name in SCHEMA}
    tables["captions"] = [{"caption_id": "=1+1", "text": "@SUM(A1)", "plan_id": "-x", "doc_id": "+y",
                           "line": 1}]
    tables["programs"] = [{"program_id": "p", "themes": ["=cmd", "創業"], "program_name": "\tname",
                           "qualifier": "-10"}]
    write_workbook(tables, tmp_path)
    wb = load_workbook(tmp_path / "workbook.xlsx")
    cap = [c for c in wb["captions"][2]]
    assert [c.value for c in cap[:4]] == ["=1+1", "-x", "+y", "@SUM(A1)"]
    assert all(c.data_type == "s" and c.quotePrefix for c in cap[:4])
    header = [c.value for c in wb["programs"][1]]
    row = {h: c for h, c in zip(header, wb["programs"][2], strict=True)}
    assert row["テーマ"].value == "=cmd; 創業" and row["テーマ"].quotePrefix
    assert row["事業名"].value == "\tname" and row["事業名"].quotePrefix
    assert row["補足"].value == "-10" and not row["補足"].quotePrefix  # a number as text: nothing runs
    assert not row["事業ID"].quotePrefix
    out = tmp_path / "out"
    write_tables([table_values({"captions": tables["captions"]})], out)
    assert '"\'=1+1"' in (out / "captions.csv").read_text(encoding="utf-8-sig")


def test_a_cell_over_excels_limit_is_cut_with_a_marker(tmp_path):
    from openpyxl import load_workbook

    from pipeline.output.workbook import MAX_CELL_CHARS, TRUNCATED_MARKER, write_workbook
    from pipeline.tables import SCHEMA

    long = "あ" * 40_000
    astral = "𠮷" * 20_000  # two UTF-16 units each, as Excel counts them
    tables = {name: [] for name in SCHEMA}
    tables["programs"] = [{"program_id": "p1", "program_name": long, "program_name_raw": astral},
                          {"program_id": "p2", "program_name": "あ" * MAX_CELL_CHARS}]
    write_workbook(tables, tmp_path)
    ws = load_workbook(tmp_path / "workbook.xlsx")["programs"]
    header = [c.value for c in ws[1]]
    text, raw = ws.cell(2, header.index("事業名") + 1).value, ws.cell(2, header.index("事業名(原文)") + 1).value
    assert text.endswith(TRUNCATED_MARKER) and text.startswith("あ" * 30_000)
    assert len(text) == MAX_CELL_CHARS
    assert raw.endswith(TRUNCATED_MARKER) and len(raw.encode("utf-16-le")) // 2 <= MAX_CELL_CHARS
    assert ws.cell(3, header.index("事業名") + 1).value == "あ" * MAX_CELL_CHARS  # at the limit: whole


def test_a_cell_over_excels_limit_gets_a_diagnostic(rules, tmp_path):
    from pipeline.batch.chain import merge, process_file

    path = tmp_path / "long.txt"
    seed = SEED.read_text(encoding="utf-8")
    long_overview = "区内産業" * 9_000 + "。"
    path.write_text(seed.replace("区内産業を活性化させるためには", long_overview + "区内産業を活性化させるためには", 1),
                    encoding="utf-8")
    tables = merge([process_file(str(path), rules)])
    diags = [d for d in tables["diagnostics"] if d["code"] == "cell_over_excel_limit"]
    assert diags and all(d["severity"] == "info" for d in diags)
    assert any("plans.overview" in d["message"] and d["plan_id"] for d in diags)
    assert any("lines.text" in d["message"] and d["line"] for d in diags)
    doc = tables["documents"][0]
    assert doc["diagnostics"] == len(tables["diagnostics"])
    assert doc["status"] == "ok"


# --------------------------------------------------------------------------- report


class Marks(HTMLParser):
    """Text inside each <mark class="program">, with its attributes; and the page's ids and links."""

    def __init__(self):
        super().__init__()
        self.marks: dict[str, dict] = {}
        self.ids: set[str] = set()
        self.links: set[str] = set()
        self.tags: set[str] = set()
        self._open: list[str | None] = []  # program id of each open <mark>, None for others

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("href", "").startswith("#"):
            self.links.add(a["href"][1:])
        if tag == "mark":
            pid = a["id"].removeprefix("prog-") if a.get("class") == "program" else None
            if pid:
                assert pid not in self.marks, f"two marks for {pid}"
                self.marks[pid] = {"start": int(a["data-start"]), "end": int(a["data-end"]), "text": ""}
            self._open.append(pid)

    def handle_endtag(self, tag):
        if tag == "mark":
            self._open.pop()

    def handle_data(self, data):
        for pid in self._open:
            if pid:
                self.marks[pid]["text"] += data


@pytest.fixture(scope="module")
def report(out_dir, seed_tables):
    """The seed document's page."""
    parser = Marks()
    parser.feed((out_dir / "report" / f"{seed_tables['documents'][0]['doc_id']}.html").read_text(encoding="utf-8"))
    parser.close()
    return parser


def test_every_program_mark_is_its_source_span_and_its_name(report, seed_tables, rules):
    from conftest import process

    text = process(SEED, rules).normalized_text
    programs = seed_tables["programs"]
    assert set(report.marks) == {p["program_id"] for p in programs}
    for p in programs:
        mark = report.marks[p["program_id"]]
        assert (mark["start"], mark["end"]) == (p["char_start"], p["char_end"])
        claimed = text[p["char_start"]:p["char_end"]].replace("\n", "")
        assert mark["text"].replace("\n", "") == claimed == p["program_name"]


def test_report_links_programs_to_their_rows_and_back(report, seed_tables):
    for p in seed_tables["programs"]:
        pid = p["program_id"]
        assert f"row-{pid}" in report.ids and f"prog-{pid}" in report.links
        assert f"prog-{pid}" in report.ids and f"row-{pid}" in report.links
    assert report.links <= report.ids  # no dangling anchor


def test_report_is_a_folder_of_static_self_contained_pages(out_dir, seed_tables):
    doc_id = seed_tables["documents"][0]["doc_id"]
    assert sorted(p.name for p in (out_dir / "report").iterdir()) == sorted(["index.html", f"{doc_id}.html"])
    for page in (out_dir / "report").iterdir():
        html = page.read_text(encoding="utf-8")
        assert "<script" not in html and "http://" not in html and "https://" not in html
        assert "<link" not in html and "<style>" in html
        assert '<meta name="generator" content="regional-plans-pipeline">' in html[:1024]
    html = (out_dir / "report" / f"{doc_id}.html").read_text(encoding="utf-8")
    for kind in ("k-header", "k-overview", "k-caption", 'class="qualifier"'):
        assert kind in html
    assert '<a href="index.html">' in html  # back to the index
    index = (out_dir / "report" / "index.html").read_text(encoding="utf-8")
    # Municipality × theme matrix: every municipality with its code; every plan links to its place.
    for p in seed_tables["plans"]:
        assert f"<td>{p['municipality']}</td><td>{p['municipality_code']}</td>" in index
        assert f'href="{doc_id}.html#plan-{p["plan_id"]}"' in index
        assert f'id="plan-{p["plan_id"]}"' in html


def test_the_pages_of_a_corpus_stay_small(rules, tmp_path):
    """One page a document, so no page grows with the corpus but the index (a row a document
    and a plan, and the matrix)."""
    from pipeline.batch.chain import merge, process_file
    from pipeline.output.report import pages

    texts = [SEED.read_text(encoding="utf-8").replace("令和6年度", f"令和{k}年度") for k in range(1, 5)]
    paths = []
    for k, text in enumerate(texts):
        paths.append(tmp_path / f"d{k}.txt")
        paths[-1].write_text(text, encoding="utf-8")
    one = pages(merge([process_file(str(paths[0]), rules)]))
    four = pages(merge([process_file(str(p), rules) for p in paths]))
    assert len(four) == 5
    biggest = max(len(html) for name, html in four.items() if name != "index.html")
    assert biggest == max(len(html) for name, html in one.items() if name != "index.html")
    assert biggest < 100_000
    assert len(four["index.html"]) < 4 * len(one["index.html"])


def test_report_shows_diagnostics(rules, tmp_path):
    from pipeline.batch.chain import merge, process_file
    from pipeline.output.report import pages

    path = tmp_path / "x.txt"
    path.write_text(SEED.read_text(encoding="utf-8").replace("（羽村市）", "（架空市）").replace(
        "羽村市地域", "架空市地域"), encoding="utf-8")
    tables = merge([process_file(str(path), rules)])
    html = pages(tables)[f"{tables['documents'][0]['doc_id']}.html"]
    assert "unknown_municipality" in html and "架空市" in html


WRAPPED = """【承認した地域産業活性化計画の概要】

「中野区地域産業活性化計画」（中野区） 【計画期間：令和6年度～令和8年度】

区内産業を活性化させるためには、区内に事業者が集積することが必要である。

(1) 多様な主体との連携を図る取組

区内事業者の販路拡大や経営力強化を行う（経営力強
化事業、創業支援事業（連携機関
の拡充））
"""


def test_report_marks_a_name_that_wraps_onto_the_next_line(rules, tmp_path):
    from pipeline.batch.chain import merge, process_file
    from pipeline.output.report import pages

    path = tmp_path / "wrapped.txt"
    path.write_text(WRAPPED, encoding="utf-8")
    tables = merge([process_file(str(path), rules)])
    parser = Marks()
    parser.feed(pages(tables)[f"{tables['documents'][0]['doc_id']}.html"])
    names = {p["program_id"]: p["program_name"] for p in tables["programs"]}
    assert sorted(names.values()) == ["創業支援事業", "経営力強化事業"]
    assert {pid: m["text"].replace("\n", "") for pid, m in parser.marks.items()} == names
    assert any("\n" in m["text"] for m in parser.marks.values())  # one mark really crosses a break


def test_workbook_and_report_are_byte_identical_across_runs(seed_tables, tmp_path):
    from pipeline.output import workbook
    from pipeline.output.report import write_report

    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        d.mkdir()
        workbook.write_workbook(seed_tables, d)
        write_report(seed_tables, d)
    names = sorted(p.name for p in (a / "report").iterdir())
    assert names == sorted(p.name for p in (b / "report").iterdir()) and len(names) == 2
    for name in names:
        assert (a / "report" / name).read_bytes() == (b / "report" / name).read_bytes()
    assert (a / "workbook.xlsx").read_bytes() == (b / "workbook.xlsx").read_bytes()
    assert workbook.FIXED_TIME in zipfile.ZipFile(a / "workbook.xlsx").read("docProps/core.xml")
