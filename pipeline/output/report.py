"""``report/``: a folder of static pages to check the extraction against the source text.

``report/index.html`` lists the documents (with their status), the plans and the
municipality × theme matrix; ``report/<doc_id>.html`` shows one document: its source lines
with what was extracted highlighted, its plans, programs and warnings. Made from the table
rows alone, as they stream past (an extra writer for ``write_tables``): the source of each
plan is rebuilt from the ``lines`` table (``char_offset`` places each line in the document's
normalized text, the coordinates of ``programs.char_start``/``char_end``). Inline CSS, no
script, no network.

Each document page carries a digest of everything it is made from (its rows and this
module's code); a page of the previous output with the same digest is taken over as it is
(a hard link), so a run renders only the pages of new or changed documents.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from html import escape
from pathlib import Path, PurePath

from ..tables import SCHEMA, SCHEMA_NAMES
from .write import GENERATOR, REPORT_INDEX, link_or_copy


# Line roles shown as highlighted kinds; other roles (marker, measure, title, ...) are plain.
ROLE_KINDS = {"header": "header", "period": "header", "overview": "overview", "caption": "caption"}

# The page's words are Japanese; coded values (documents.status, diagnostics.severity,
# measures.list_kind) are shown in these words, the code itself in the tooltip.
STATUS_LABELS = {"ok": "正常", "partial": "一部要確認", "no_plans": "計画なし", "no_text": "文字なし（要OCR）",
                 "failed": "読み込み失敗"}
SEVERITY_LABELS = {"info": "情報", "warning": "警告", "error": "エラー"}
LIST_KIND_LABELS = {"parenthesized": "括弧内の列挙", "bare": "括弧なしの列挙", "none_word": "「なし」と記載",
                    "missing": "事業リストなし"}

# Japanese fonts of macOS (Hiragino), Windows (Yu Gothic, Meiryo) and Linux (Noto CJK, IPA)
# before the generic family: without them a browser may pick a Chinese face for the kanji.
CSS = """
body { font-family: "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic", YuGothic, Meiryo,
       "Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", sans-serif;
       margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; color: #222; line-height: 1.5; }
code { font-family: ui-monospace, Menlo, Consolas, "Hiragino Sans", "Yu Gothic", Meiryo,
       "Noto Sans Mono CJK JP", "Noto Sans CJK JP", monospace; font-size: .85em; }
h2 .file { font-weight: normal; color: #555; margin-right: .6rem; }
h2 .status { font-size: .8em; padding: 0 .4rem; margin-left: .6rem; border-radius: .2rem; background: #eee; }
h2 .st-ok { background: #e5f5e0; } h2 .st-partial { background: #fff0c2; }
h2 .st-no_plans, h2 .st-no_text, h2 .st-failed { background: #ffd6d6; }
.matrix { overflow-x: auto; max-width: 100%; }
.matrix th, .matrix td:first-child { white-space: nowrap; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.2rem; border-bottom: 2px solid #888; margin-top: 2.5rem; }
h3 { font-size: 1.05rem; background: #eef; padding: .3rem .5rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .9rem; }
th, td { border: 1px solid #bbb; padding: .15rem .45rem; vertical-align: top; text-align: left; }
th { background: #f2f2f2; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.src { border: 1px solid #ccc; background: #fcfcfc; padding: .4rem .6rem; font-size: .92rem; }
.ln { display: flex; gap: .8rem; }
.ln .no { color: #999; min-width: 2.5rem; text-align: right; flex: none; user-select: none; }
.ln .tx { white-space: pre-wrap; word-break: break-all; }
.k-header .tx { background: #dbe8ff; font-weight: bold; }
.k-overview .tx { background: #e5f5e0; }
.k-caption .tx { background: #f1e4f7; font-style: italic; }
mark.program { background: #ffe680; border-bottom: 2px solid #d4a000; }
mark.program a { color: inherit; text-decoration: none; }
mark.qualifier { background: #ffd1c4; }
.legend span { padding: 0 .4rem; margin-right: .4rem; }
.legend .header { background: #dbe8ff; } .legend .overview { background: #e5f5e0; }
.legend .caption { background: #f1e4f7; } .legend .program { background: #ffe680; }
.legend .qualifier { background: #ffd1c4; }
.sev-warning { color: #a60; } .sev-error { color: #c00; font-weight: bold; } .sev-info { color: #666; }
tr:target, mark:target { outline: 3px solid #f60; }
.muted { color: #777; }
"""


@dataclass(frozen=True)
class Span:
    start: int  # offsets into the document's normalized text
    end: int
    kind: str  # program | qualifier
    program_id: str


@dataclass(frozen=True)
class Row:
    """One or more consecutive lines shown together (a highlighted span crosses their breaks)."""

    line: int
    last_line: int
    role: str
    start: int
    end: int


FOLDER = "report"
INDEX = REPORT_INDEX
TITLE = "地域産業活性化計画 抽出レポート"
# Tables a document page shows (keywords are not shown).
PAGE_TABLES = ("documents", "plans", "measures", "programs", "captions", "diagnostics", "lines")
# What a page is made from besides its rows: this module's code (and so its CSS).
RENDER_VERSION = hashlib.sha256(Path(__file__).read_bytes() + GENERATOR.encode()).hexdigest()[:16]
_PAGE_MARK = re.compile(rb'<meta name="pipeline-page" content="([0-9a-f]{64})">')
_HEX_ID = re.compile(r"[0-9a-f]{16}")


class ReportPages:
    """The extra writer of the report folder: ``add`` renders (or takes over) one document's
    page as the document passes, ``close`` writes the index. Memory: one document's rows,
    plus the index's few columns of every document and plan."""

    def __init__(self, tmp: Path, out: Path | None = None):
        self.folder = Path(tmp) / FOLDER
        self.folder.mkdir()
        previous = Path(out) / FOLDER if out is not None else None
        self.previous = previous if previous is not None and previous.is_dir() and not previous.is_symlink() \
            else None
        self.index = _Index()
        self.rendered = self.reused = 0

    def add(self, doc: dict[str, list[list]]) -> None:
        rows = {name: _dicts(name, doc.get(name, ())) for name in ("documents", "plans", "programs")}
        document = rows["documents"][0]
        self.index.add(document, rows["plans"], rows["programs"])
        name = page_name(document["doc_id"])
        digest = page_digest(doc)
        if self.previous is not None and _page_mark(self.previous / name) == digest:
            link_or_copy(self.previous / name, self.folder / name)
            self.reused += 1
            return
        rows.update({t: _dicts(t, doc.get(t, ())) for t in PAGE_TABLES if t not in rows})
        (self.folder / name).write_text(render_page(rows, digest), encoding="utf-8")
        self.rendered += 1

    def close(self) -> list[str]:
        self.index.timelines = write_timelines(self.folder)
        (self.folder / INDEX).write_text(self.index.render(), encoding="utf-8")
        return [FOLDER]


def write_timelines(folder: Path) -> list[tuple[str, str, int]]:
    """One page per municipality with more than one plan, from the tables beside the report
    folder (written before the report closes); (page, municipality, plans) of each."""
    from .history import superseded_by, timeline_html, timeline_page_name, timelines
    from .show import _read, _sources

    tables = folder.parent
    if not (tables / "plans.parquet").is_file():  # whole tables rendered without files (tests)
        return []
    plans = _read(tables, "plans", columns=["plan_id", "doc_id", "plan_no", "municipality", "municipality_code",
                                            "plan_title", "period_raw", "period_start_fy", "period_end_fy",
                                            "predecessor_plan_id"])
    diags = _read(tables, "diagnostics", columns=["plan_id", "code", "message"],
                  filters=[("code", "=", "superseded_plan")])
    out = []
    nav = f'<p class="nav"><a href="{INDEX}">← {TITLE}（目次）</a></p>\n'
    for t in timelines(plans, _read(tables, "program_links"), superseded_by(diags), _sources(tables)):
        name = timeline_page_name(t.code)
        if name is None or len(t.plans) < 2:
            continue
        (folder / name).write_text(timeline_html(t, _head(f"{t.municipality}の計画の推移 — {TITLE}"), nav),
                                   encoding="utf-8")
        out.append((name, t.municipality, len(t.plans)))
    return out


def write_report(tables: dict[str, list[dict]], out_dir: Path, previous: Path | None = None) -> list[str]:
    """The report folder of whole tables (rows as dicts) in ``out_dir``."""
    from .write import table_values

    writer = ReportPages(Path(out_dir), previous)
    for doc in split_documents(table_values(tables)):
        writer.add(doc)
    return writer.close()


def pages(tables: dict[str, list[dict]]) -> dict[str, str]:
    """Every page of the report of whole tables: ``index.html`` and ``<doc_id>.html``."""
    from .write import table_values

    index = _Index()
    out = {}
    for doc in split_documents(table_values(tables)):
        rows = {t: _dicts(t, doc.get(t, ())) for t in PAGE_TABLES}
        index.add(rows["documents"][0], rows["plans"], rows["programs"])
        out[page_name(rows["documents"][0]["doc_id"])] = render_page(rows, page_digest(doc))
    return {INDEX: index.render(), **out}


def split_documents(values: dict[str, list[list]]) -> list[dict[str, list[list]]]:
    """Whole tables (value lists) as per-document tables, in the documents table's order."""
    # Tables across documents (program_links) have no doc_id and belong to no one document.
    pos = {name: [c.name for c in cols].index("doc_id") for name, cols in SCHEMA.items()
           if "doc_id" in SCHEMA_NAMES[name]}
    docs: dict[str, dict[str, list[list]]] = {}
    for row in values.get("documents", []):
        docs[row[pos["documents"]]] = {name: [] for name in SCHEMA}
    for name, rows in values.items():
        if name not in pos:
            continue
        for row in rows:
            if row[pos[name]] in docs:
                docs[row[pos[name]]][name].append(row)
    return list(docs.values())


def page_name(doc_id: str) -> str:
    """``<doc_id>.html``: doc_ids are 16 hex digits; anything else is hashed to such a name."""
    if not _HEX_ID.fullmatch(doc_id or ""):
        doc_id = hashlib.sha256(str(doc_id).encode("utf-8", "backslashreplace")).hexdigest()[:16]
    return f"{doc_id}.html"


def page_digest(doc: dict[str, list[list]]) -> str:
    """What a document page is made from: its rows and the renderer."""
    import json

    # JSON, not repr: rows read back from the cache (lists) and fresh ones (tuples in places)
    # give the same text for the same values.
    body = json.dumps([RENDER_VERSION, *(doc.get(t, []) for t in PAGE_TABLES)], separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def _page_mark(path: Path) -> str | None:
    try:
        with open(path, "rb") as fh:
            found = _PAGE_MARK.search(fh.read(1024))
    except OSError:
        return None
    return found.group(1).decode() if found else None


def _dicts(table: str, rows) -> list[dict]:
    names = SCHEMA_NAMES[table]
    return [dict(zip(names, row, strict=True)) for row in rows]


def _head(title: str, mark: str = "") -> str:
    return ('<!DOCTYPE html>\n<html lang="ja">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="generator" content="{GENERATOR}">\n{mark}'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)}</title>\n<style>" + CSS + "</style>\n</head>\n<body>\n")


LEGEND = ('<p class="legend">凡例: <span class="header">計画見出し</span><span class="overview">概要</span>'
          '<span class="caption">キャプション</span><span class="program">事業名</span>'
          '<span class="qualifier">補足</span></p>\n')


def render_page(rows: dict[str, list[dict]], digest: str) -> str:
    """One document's page (rows of that document only, as dicts)."""
    doc = rows["documents"][0]
    return (_head(f"{PurePath(doc['source_path']).name} — {TITLE}",
                  f'<meta name="pipeline-page" content="{digest}">\n')
            + f'<p class="nav"><a href="{INDEX}">← {TITLE}（目次）</a></p>\n' + LEGEND
            + _document(doc, rows) + "</body>\n</html>\n")


def _e(value) -> str:
    return "" if value is None else escape(str(value), quote=True)


# --------------------------------------------------------------------------- the index


class _Index:
    """What index.html shows, gathered document by document: the documents, the plans,
    the status counts and the municipality × theme matrix."""

    def __init__(self):
        self.documents: list[str] = []  # rendered table rows
        self.plans: list[str] = []
        self.statuses: Counter[str] = Counter()
        self.matrix = _Matrix()
        self.timelines: list[tuple[str, str, int]] = []  # (page, municipality, plans)

    def add(self, doc: dict, plans: list[dict], programs: list[dict]) -> None:
        page = page_name(doc["doc_id"])
        self.statuses[doc["status"]] += 1
        title = _e(doc.get("document_title")) or '<span class="muted">（表題なし）</span>'
        self.documents.append(
            f'<tr><td><a href="{page}">{_e(PurePath(doc["source_path"]).name)}</a></td><td>{title}</td>'
            f'<td>{_status(doc["status"])}</td>'
            + "".join(f'<td class="n">{_e(doc.get(k))}</td>' for k in ("plans", "measures", "programs", "diagnostics"))
            + "</tr>")
        for p in plans:
            self.plans.append(
                f'<tr><td><a href="{page}#plan-{_e(p["plan_id"])}">{_e(p["plan_title"] or p["plan_id"])}</a></td>'
                f'<td>{_e(p["municipality"])}</td><td>{_e(p.get("municipality_code"))}</td>'
                f'<td>{_e(p.get("period_raw"))}</td><td class="n">{_e(p.get("measures"))}</td>'
                f'<td class="n">{_e(p.get("programs"))}</td></tr>')
            self.matrix.code(p["municipality"], p.get("municipality_code"))
        for p in programs:
            self.matrix.add(p)

    def render(self) -> str:
        order = [s for s in STATUS_LABELS if s in self.statuses] + sorted(set(self.statuses) - set(STATUS_LABELS))
        statuses = "".join(f'<tr><td>{_status(s)}</td><td class="n">{self.statuses[s]}</td></tr>' for s in order)
        return (_head(TITLE) + f"<h1>{TITLE}</h1>\n"
                + "<h2>処理状態</h2>\n<table><tr><th>処理状態</th><th>文書数</th></tr>" + statuses + "</table>\n"
                + "<h2>文書</h2>\n<p class=\"muted\">ファイル名から各文書のページへ。</p>\n"
                "<table><tr><th>入力ファイル</th><th>文書タイトル</th><th>処理状態</th><th>計画数</th>"
                "<th>取組数</th><th>事業数</th><th>診断数</th></tr>" + "".join(self.documents) + "</table>\n"
                + "<h2>計画</h2>\n<table><tr><th>計画名</th><th>市区町村</th><th>団体コード</th><th>計画期間</th>"
                "<th>取組数</th><th>事業数</th></tr>" + "".join(self.plans) + "</table>\n"
                + self._timelines() + self.matrix.render() + "</body>\n</html>\n")

    def _timelines(self) -> str:
        if not self.timelines:
            return ""
        rows = "".join(f'<tr><td><a href="{page}">{_e(muni)}</a></td><td class="n">{n}</td></tr>'
                       for page, muni, n in self.timelines)
        return ("<h2>計画の推移</h2>\n<p class=\"muted\">計画が二つ以上ある市区町村: 回ごとに継続・変更・新規・廃止の事業。</p>\n"
                "<table><tr><th>市区町村</th><th>計画数</th></tr>" + rows + "</table>\n")


class _Matrix:
    """Municipalities × themes: distinct program names per cell (a program listed under two
    measures of one plan counts once)."""

    def __init__(self):
        self.names: dict[str, set[str]] = {}
        self.cells: dict[tuple[str, str], set[str]] = {}
        self.totals: Counter[str] = Counter()
        self.codes: dict[str, str | None] = {}

    def code(self, municipality, code) -> None:
        self.codes[municipality] = code  # the last plan's, as before

    def add(self, p: dict) -> None:
        muni = p.get("municipality") or "(不明)"
        self.names.setdefault(muni, set()).add(p["program_name"])
        for theme in p.get("themes") or ():
            if p["program_name"] not in self.cells.setdefault((muni, theme), set()):
                self.cells[(muni, theme)].add(p["program_name"])
                self.totals[theme] += 1

    def render(self) -> str:
        if not self.names:
            return "<h2>市区町村 × テーマ</h2>\n<p class=\"muted\">事業なし</p>\n"
        themes = sorted(self.totals, key=lambda t: (-self.totals[t], t))
        head = "<tr><th>市区町村</th><th>団体コード</th><th>事業数</th>" + "".join(
            f"<th>{_e(t)}</th>" for t in themes) + "</tr>"
        body = []
        for muni, names in self.names.items():
            row = [f"<td>{_e(muni)}</td><td>{_e(self.codes.get(muni))}</td><td class=\"n\">{len(names)}</td>"]
            row += [f'<td class="n">{len(self.cells.get((muni, t), ())) or ""}</td>' for t in themes]
            body.append("<tr>" + "".join(row) + "</tr>")
        return ("<h2>市区町村 × テーマ</h2>\n<p class=\"muted\">セルは、そのテーマに当たる事業名の数"
                "（同じ計画で二度挙がる事業は一つ）。</p>\n<div class=\"matrix\"><table>" + head + "".join(body)
                + "</table></div>\n")


# --------------------------------------------------------------------------- documents


def _document(doc: dict, rows: dict[str, list[dict]]) -> str:
    doc_id = doc["doc_id"]
    lines = sorted(rows.get("lines", []), key=lambda r: r["line"])
    src = source_text(lines)
    diags = rows.get("diagnostics", [])
    out = [f'<section class="doc" id="doc-{_e(doc_id)}">\n{_heading(doc)}\n'
           f'<p>入力ファイル: {_e(doc["source_path"])} ／ 文書ID: {_e(doc_id)}'
           + (f' ／ エラー: {_e(doc["error"])}' if doc.get("error") else "") + "</p>\n"]
    front = [ln for ln in lines if not ln.get("plan_id")]
    if front:
        out.append(_source(front, src, []))
    # Warnings about one plan stand in that plan's section; the rest here.
    plan_ids = {p["plan_id"] for p in rows.get("plans", [])}
    out.append(_diagnostics([d for d in diags if d.get("plan_id") not in plan_ids],
                            empty='<p class="muted">文書全体の診断なし（計画の診断は各計画に）</p>\n'))
    for plan in rows.get("plans", []):
        pid = plan["plan_id"]
        out.append(_plan(plan, [ln for ln in lines if ln.get("plan_id") == pid], src,
                         [p for p in rows.get("programs", []) if p["plan_id"] == pid],
                         [m for m in rows.get("measures", []) if m["plan_id"] == pid],
                         [d for d in diags if d.get("plan_id") == pid]))
    out.append("</section>\n")
    return "".join(out)


def _heading(doc: dict) -> str:
    """File name, title and status: what tells one document from another at a glance."""
    name = PurePath(doc["source_path"]).name
    title = _e(doc.get("document_title")) or '<span class="muted">（表題なし）</span>'
    status = doc["status"]
    return (f'<h2><span class="file">{_e(name)}</span> <span class="title">{title}</span> '
            f'<span class="status st-{_e(status)}">{_status(status)}</span></h2>')


def _status(status: str) -> str:
    return f'<span title="{_e(status)}">{_e(STATUS_LABELS.get(status, status))}</span>'


def source_text(lines: list[dict]) -> str:
    """The document's normalized text, rebuilt: blank lines are not in the table, only gaps."""
    text = ""
    for ln in sorted(lines, key=lambda r: (r.get("char_offset") is None, r.get("char_offset") or 0)):
        offset = ln.get("char_offset")
        if offset is None or offset < len(text):
            continue  # no trustworthy place for it; shown without highlights
        text += "\n" * (offset - len(text)) + ln["text"]
    return text


def _plan(plan: dict, lines: list[dict], src: str, programs: list[dict], measures: list[dict],
          diagnostics: list[dict]) -> str:
    pid = plan["plan_id"]
    code = f'（{_e(plan.get("municipality_code"))} {_e(plan.get("municipality_kind"))}）' \
        if plan.get("municipality_code") else ""
    period = _e(plan.get("period_raw")) or '<span class="muted">期間なし</span>'
    out = [f'<section class="plan" id="plan-{_e(pid)}">\n'
           f'<h3>{_e(plan.get("plan_title") or pid)}</h3>\n'
           f'<p>{_e(plan.get("prefecture"))} {_e(plan.get("municipality"))}{code} ／ 計画期間: {period}'
           f' ／ 計画ID: {_e(pid)}' + (f' ／ ページ: {_e(plan["page"])}' if plan.get("page") is not None else "")
           + "</p>\n"]
    out.append(_diagnostics(diagnostics, in_plan=True))
    out.append(_source(lines, src, spans_of(programs, src)))
    out.append(_programs_table(programs, {m["measure_id"]: m for m in measures}))
    out.append("</section>\n")
    return "".join(out)


def spans_of(programs: list[dict], src: str) -> list[Span]:
    """Program names, and their qualifiers, as spans of the text; overlapping ones are dropped."""
    spans = []
    for p in programs:
        start, end = p.get("char_start"), p.get("char_end")
        if start is None or end is None or not 0 <= start < end <= len(src):
            continue
        spans.append(Span(start, end, "program", p["program_id"]))
        q = p.get("qualifier")
        if q:
            # The qualifier is the parenthetical right after the name: look just there; it may
            # wrap onto the next line like the name can.
            found = re.compile("\n?".join(map(re.escape, q))).search(src, end, end + 2 * len(q) + 3)
            if found:
                spans.append(Span(found.start(), found.end(), "qualifier", p["program_id"]))
    kept: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        if not kept or s.start >= kept[-1].end:
            kept.append(s)
    return kept


def rows_of(lines: list[dict], src: str, spans: list[Span]) -> list[Row]:
    """Lines as display rows, merging lines whose break a span crosses (marks must nest)."""
    rows: list[Row] = []
    for ln in lines:
        offset = ln.get("char_offset")
        if offset is None:
            continue
        start, end = offset, offset + len(ln["text"])
        if rows and any(s.start < rows[-1].end < s.end for s in spans):
            last = rows[-1]
            rows[-1] = Row(last.line, ln["line"], last.role, last.start, max(last.end, end))
        else:
            rows.append(Row(ln["line"], ln["line"], ln["role"], start, end))
    return rows


def _source(lines: list[dict], src: str, spans: list[Span]) -> str:
    out = ['<div class="src">\n']
    for row in rows_of(lines, src, spans):
        kind = ROLE_KINDS.get(row.role)
        cls = f"ln role-{_e(row.role)}" + (f" k-{kind}" if kind else "")
        inner = _marked(src, row.start, row.end, [s for s in spans if row.start <= s.start and s.end <= row.end])
        no = f"{row.line}–{row.last_line}" if row.last_line != row.line else str(row.line)
        out.append(f'<div class="{cls}" data-line="{row.line}"><span class="no">{no}</span>'
                   f'<span class="tx">{inner}</span></div>\n')
    missing = [ln for ln in lines if ln.get("char_offset") is None]
    for ln in missing:
        out.append(f'<div class="ln role-{_e(ln["role"])}"><span class="no">{ln["line"]}</span>'
                   f'<span class="tx">{_e(ln["text"])}</span></div>\n')
    out.append("</div>\n")
    return "".join(out)


def _marked(src: str, start: int, end: int, spans: list[Span]) -> str:
    out = []
    k = start
    for s in spans:
        out.append(_e(src[k:s.start]))
        text = _e(src[s.start:s.end])
        pid = _e(s.program_id)
        if s.kind == "program":
            out.append(f'<mark class="program" id="prog-{pid}" data-start="{s.start}" data-end="{s.end}">'
                       f'<a href="#row-{pid}">{text}</a></mark>')
        else:
            out.append(f'<mark class="qualifier" data-program="{pid}">{text}</mark>')
        k = s.end
    out.append(_e(src[k:end]))
    return "".join(out)


def _programs_table(programs: list[dict], measures: dict[str, dict]) -> str:
    if not programs and not measures:
        return '<p class="muted">取組なし</p>\n'
    pages = any(p.get("page") is not None for p in programs)  # a PDF: where to look in it
    head = ("<tr><th>事業ID</th><th>区分</th><th>事業名</th><th>事業種別</th><th>テーマ</th>"
            "<th>補足</th><th>行</th>" + ("<th>ページ</th>" if pages else "") + "</tr>")
    body = []
    for p in programs:
        pid = _e(p["program_id"])
        body.append(
            f'<tr id="row-{pid}"><td>{pid}</td><td class="n">{_e(p.get("category_no"))}</td>'
            f'<td><a href="#prog-{pid}">{_e(p["program_name"])}</a></td><td>{_e(p.get("program_kind"))}</td>'
            f'<td>{_e("、".join(p.get("themes") or ()))}</td><td>{_e(p.get("qualifier"))}</td>'
            f'<td class="n">{_e(p.get("line"))}</td>'
            + (f'<td class="n">{_e(p.get("page"))}</td>' if pages else "") + "</tr>")
    empty = [m for m in measures.values() if not m.get("programs")]
    note = "".join(f'<p class="muted">{_e(m["marker"])} 事業なし（'
                   f'<span title="{_e(m["list_kind"])}">{_e(LIST_KIND_LABELS.get(m["list_kind"], m["list_kind"]))}'
                   "</span>）</p>\n" for m in empty)
    return "<table>" + head + "".join(body) + "</table>\n" + note


def _diagnostics(diags: list[dict], empty: str = "", in_plan: bool = False) -> str:
    if not diags:
        return empty
    plans = not in_plan and any(d.get("plan_id") for d in diags)  # in a plan's section it is that plan
    head = ("<tr><th>重要度</th><th>コード</th>" + ("<th>計画</th>" if plans else "")
            + "<th>行</th><th>ページ</th><th>内容</th></tr>")
    body = []
    for d in diags:
        plan = f'<td><a href="#plan-{_e(d["plan_id"])}">{_e(d["plan_id"])}</a></td>' if plans else ""
        severity = _e(SEVERITY_LABELS.get(d["severity"], d["severity"]))
        body.append(f'<tr class="sev-{_e(d["severity"])}"><td title="{_e(d["severity"])}">{severity}</td>'
                    f'<td><code>{_e(d["code"])}</code></td>{plan}<td class="n">{_e(d.get("line"))}</td>'
                    f'<td class="n">{_e(d.get("page"))}</td><td>{_e(d["message"])}</td></tr>')
    return "<h4>診断</h4>\n<table>" + head + "".join(body) + "</table>\n"
