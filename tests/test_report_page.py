"""The report folder as a reader sees it: headings, warnings by their plan, PDF pages, a readable
theme matrix, Japanese labels and fonts; and the pages rendered in a real headless browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

SEED = FIXTURES / "seed.txt"
SEED_PDF = FIXTURES / "pdf" / "seed.pdf"


class Page(HTMLParser):
    """Visible text by element (skipping <style>, <title> and <code>), with the ids of the
    enclosing sections, and the text of each heading."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.texts: list[tuple[tuple[str, ...], str, str]] = []  # (section ids, tag, text)
        self.headings: dict[str, str] = {}  # id of the section -> its h2/h3 text

    def handle_starttag(self, tag, attrs):
        if tag not in ("meta", "br", "link"):
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        tags = [t for t, _ in self.stack]
        if not data.strip() or {"style", "title", "code"} & set(tags):
            return
        sections = tuple(a.get("id", "") for t, a in self.stack if t == "section")
        tag = tags[-1] if tags else ""
        self.texts.append((sections, tag, data))
        if sections and {"h2", "h3"} & set(tags):
            self.headings[sections[-1]] = self.headings.get(sections[-1], "") + data


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def _tables(rules, *paths):
    from pipeline.batch.chain import merge, process_file

    return merge([process_file(str(p), rules) for p in paths])


def _page(tables, k: int = 0) -> str:
    """The page of the k-th document."""
    from pipeline.output.report import pages

    return pages(tables)[f"{tables['documents'][k]['doc_id']}.html"]


def _unknown_municipality_copy(tmp_path) -> Path:
    path = tmp_path / "架空.txt"
    path.write_text(SEED.read_text(encoding="utf-8").replace("（羽村市）", "（架空市）").replace(
        "羽村市地域", "架空市地域"), encoding="utf-8")
    return path


def test_each_document_is_headed_by_file_name_title_and_status(rules, tmp_path):
    from pipeline.output.report import STATUS_LABELS, pages

    tables = _tables(rules, SEED, _unknown_municipality_copy(tmp_path))
    report = pages(tables)
    index = report["index.html"]
    for doc in tables["documents"]:
        page = parse(report[f"{doc['doc_id']}.html"])
        heading = page.headings[f"doc-{doc['doc_id']}"]
        assert Path(doc["source_path"]).name in heading
        assert doc["document_title"] in heading
        assert STATUS_LABELS[doc["status"]] in heading
        # The index names each document with its status and links to its page.
        row = index.split(f'<a href="{doc["doc_id"]}.html">')[1].split("</tr>")[0]
        assert Path(doc["source_path"]).name in row and STATUS_LABELS[doc["status"]] in row
    assert {d["status"] for d in tables["documents"]} == {"ok", "partial"}


def test_plan_warnings_stand_in_their_plan(rules, tmp_path):
    tables = _tables(rules, _unknown_municipality_copy(tmp_path))
    diag = next(d for d in tables["diagnostics"] if d["code"] == "unknown_municipality")
    html = _page(tables)
    plan = html.split(f'id="plan-{diag["plan_id"]}"')[1].split("</section>")[0]
    assert "unknown_municipality" in plan and "架空市" in plan
    assert "<th>計画</th>" not in plan  # the section is the plan
    before_plans = html.split('<section class="plan"')[0]
    assert "unknown_municipality" not in before_plans


def test_pdf_programs_show_their_page(rules):
    tables = _tables(rules, SEED_PDF)
    html = _page(tables)
    for p in tables["programs"]:
        row = html.split(f'<tr id="row-{p["program_id"]}">')[1].split("</tr>")[0]
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        assert f"{p['page']}" in cells, (p["program_id"], row)
    assert "<th>ページ</th>" in html


def _data_values(tables) -> set[str]:
    """Every value a table holds, as the report may show it, except the coded columns whose
    values the report must put in Japanese words."""
    coded = {"status", "severity", "list_kind", "role"}
    values = set()
    for rows in tables.values():
        for row in rows:
            for key, v in row.items():
                if v is None or key in coded:
                    continue
                for item in (v if isinstance(v, list) else [v]):
                    values.add(str(item))
                    values.add(Path(str(item)).name)
    return values


def test_every_visible_label_is_japanese(rules, tmp_path):
    from pipeline.output.report import pages

    tables = _tables(rules, SEED, _unknown_municipality_copy(tmp_path), SEED_PDF)
    texts = [t for html in pages(tables).values() for _, _, t in parse(html).texts]
    values = sorted(_data_values(tables), key=len, reverse=True)
    latin = set()
    for text in texts:
        for v in values:
            if len(v) > 1:
                text = text.replace(v, "")
        latin |= set(re.findall(r"[A-Za-z]{2,}", text))
    latin -= {"ID"}  # Japanese uses it as it is: 文書ID, 計画ID (SCHEMA's ja names)
    assert not latin, f"English labels on the page: {sorted(latin)}"


def _all_themes_tables(rules):
    """The seed with every theme of the vocabulary on its programs: a corpus-sized matrix."""
    tables = _tables(rules, SEED)
    vocab = tomllib.loads((ROOT / "rules" / "vocabulary.toml").read_text(encoding="utf-8"))
    themes = [t["label"] for t in vocab["themes"]]
    for k, p in enumerate(tables["programs"]):
        p["themes"] = [themes[(k + j) % len(themes)] for j in range(6)]
    assert len({t for p in tables["programs"] for t in p["themes"]}) == len(themes) > 15
    return tables


def test_css_names_japanese_fonts_for_each_platform_and_keeps_matrix_headers_on_one_line():
    from pipeline.output.report import CSS

    stacks = re.findall(r"font-family:\s*([^;]+);", CSS)
    assert stacks
    for stack in stacks:
        fonts = [f.strip().strip('"') for f in stack.split(",")]
        assert fonts[-1] in ("sans-serif", "monospace", "serif"), stack
        for platform_font in ("Hiragino", "Yu Gothic", "Meiryo", "Noto Sans CJK JP"):  # macOS, Windows, Linux
            assert any(platform_font in f for f in fonts), (platform_font, stack)
    assert re.search(r"\.matrix th[^{]*\{[^}]*white-space:\s*nowrap", CSS)
    assert re.search(r"\.matrix\s*\{[^}]*overflow-x:\s*auto", CSS)


# --------------------------------------------------------------------------- real browser

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# Runs in the page once it is laid out; the test reads its findings from the dumped DOM.
PROBE = """
<script>
(function () {
  function lines(el) {
    var r = document.createRange(); r.selectNodeContents(el);
    var tops = {}; Array.prototype.forEach.call(r.getClientRects(), function (b) { tops[Math.round(b.top)] = 1; });
    return Object.keys(tops).length;
  }
  // The matrix: the first table after the heading that names テーマ.
  var el = Array.prototype.find.call(document.querySelectorAll("h2"), function (h) {
    return h.textContent.indexOf("テーマ") >= 0; });
  while (el && el.tagName !== "TABLE" && !el.querySelector("table")) { el = el.nextElementSibling; }
  var matrix = el ? (el.tagName === "TABLE" ? el : el.querySelector("table")) : document.createElement("table");
  var out = {
    matrixHeaders: Array.prototype.map.call(matrix.querySelectorAll("th"), function (th) {
      return [th.textContent, lines(th)]; }),
    docHeadings: Array.prototype.map.call(document.querySelectorAll("section.doc > h2"), function (h) {
      return [h.textContent, h.getBoundingClientRect().height > 0]; }),
    marksShown: Array.prototype.every.call(document.querySelectorAll("mark.program"), function (m) {
      return m.getClientRects().length > 0; }),
    marks: document.querySelectorAll("mark.program").length,
    pageWidth: document.documentElement.scrollWidth,
    viewWidth: document.documentElement.clientWidth,
    bodyFont: getComputedStyle(document.body).fontFamily
  };
  var pre = document.createElement("pre"); pre.id = "probe"; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""


def _browser() -> str | None:
    return next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)


def _japanese_font_missing() -> str | None:
    """Why the layout cannot be judged: without a Japanese font every kanji is a narrow
    placeholder box, and nothing wraps that would wrap for a reader."""
    if shutil.which("fc-list") is None:
        return "fc-list (fontconfig) not installed, so no way to tell whether a Japanese font is"
    found = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True).stdout
    return None if found.strip() else "no Japanese font installed (fc-list :lang=ja is empty; e.g. fonts-noto-cjk)"


def test_report_renders_readably_in_a_headless_browser(rules, tmp_path):
    browser = _browser()
    if browser is None:
        pytest.skip(f"no headless browser installed (looked for {', '.join(BROWSERS)} on PATH)")
    if missing := _japanese_font_missing():
        pytest.skip(missing)
    from pipeline.output.report import pages

    tables = _all_themes_tables(rules)
    report = pages(tables)
    index = _probe(browser, tmp_path, "index.html", report["index.html"])
    assert len(index["matrixHeaders"]) > 15
    wrapped = [text for text, n in index["matrixHeaders"] if n > 1]
    assert not wrapped, f"matrix headers wrap onto several lines: {wrapped}"
    assert index["pageWidth"] <= index["viewWidth"], "the index scrolls sideways; only the matrix may"
    assert "Noto Sans CJK JP" in index["bodyFont"]
    name = f"{tables['documents'][0]['doc_id']}.html"
    page = _probe(browser, tmp_path, name, report[name])
    assert [ok for _, ok in page["docHeadings"]] == [True]
    assert page["marks"] == len(tables["programs"]) and page["marksShown"]
    assert page["pageWidth"] <= page["viewWidth"], "the page scrolls sideways"


def _probe(browser: str, tmp_path: Path, name: str, html: str) -> dict:
    page = tmp_path / name
    page.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    res = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                          "--disable-component-update", "--disable-sync", "--no-first-run",
                          f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,900",
                          "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    found = re.search(r'<pre id="probe">(.*?)</pre>', res.stdout, re.S)
    assert found, f"the browser printed no page (exit {res.returncode}): {res.stderr[-2000:]}"
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<")
                      .replace("&gt;", ">"))
