"""Documents to table rows: the output contract.

``SCHEMA`` is the one place that names every table and column, its type, and its
Japanese and English description; the writers, the README's data dictionary and the
workbook's データ辞書 sheet are all made from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Document

PIPELINE_VERSION = "0.1.0"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string | int | float | bool | list
    ja: str
    en: str


def _c(name: str, type_: str, ja: str, en: str) -> Column:
    return Column(name, type_, ja, en)


_BBOX = [
    _c("page", "int", "ページ", "PDF page (1-based) where the item starts; empty for text input"),
    _c("bbox_x0", "float", "左端x", "bounding box left, PDF points from the page's left edge"),
    _c("bbox_top", "float", "上端y", "bounding box top, PDF points from the page's top edge"),
    _c("bbox_x1", "float", "右端x", "bounding box right, PDF points"),
    _c("bbox_bottom", "float", "下端y", "bounding box bottom, PDF points from the page's top edge"),
]

SCHEMA: dict[str, list[Column]] = {
    "documents": [
        _c("doc_id", "string", "文書ID", "SHA-256 of the file's bytes (first 16 hex digits)"),
        _c("source_path", "string", "入力ファイル", "path of the input file as given"),
        _c("duplicate_paths", "string", "同一内容の別ファイル", "other paths with byte-identical content, '; '-joined"),
        _c("media_type", "string", "形式", "text/plain or application/pdf, sniffed from content"),
        _c("encoding", "string", "文字コード", "detected text encoding (utf-8, utf-8-sig, utf-16, cp932); empty for PDF"),
        _c("document_title", "string", "文書タイトル", "title line before the first plan, without brackets"),
        _c("status", "string", "処理状態", "ok, partial (see diagnostics), no_plans, no_text, or failed"),
        _c("error", "string", "エラー", "why the file failed, one line"),
        _c("plans", "int", "計画数", "number of plans found"),
        _c("measures", "int", "取組数", "number of measures found"),
        _c("programs", "int", "事業数", "number of program mentions found"),
        _c("diagnostics", "int", "診断数", "number of diagnostics rows for this document"),
        _c("pages", "int", "ページ数", "number of PDF pages; empty for text"),
        _c("lines", "int", "行数", "number of lines (text) or logical lines (PDF)"),
        _c("preamble", "string", "前文", "text between the title and the first plan"),
        _c("rules_hash", "string", "ルールハッシュ", "hash of the rules/ files that produced the rows"),
        _c("pipeline_version", "string", "パイプライン版", "version of this pipeline"),
    ],
    "plans": [
        _c("plan_id", "string", "計画ID", "doc_id + '-p' + plan number"),
        _c("doc_id", "string", "文書ID", "document the plan is in"),
        _c("plan_no", "int", "計画番号", "position of the plan in the document (1-based)"),
        _c("municipality", "string", "市区町村", "municipality as written in the header, or taken from the title"),
        _c("municipality_type", "string", "市区町村種別", "区, 市, 町 or 村 (last character of the name)"),
        _c("prefecture", "string", "都道府県", "prefecture of the municipality (from rules/municipalities.csv)"),
        _c("municipality_code", "string", "団体コード", "6-digit 全国地方公共団体コード with check digit; text, keep leading zeros"),
        _c("municipality_kind", "string", "団体区分", "特別区, 市, 町, 村 or 政令市の区 (from the code list)"),
        _c("plan_title", "string", "計画名", "plan title without 「」"),
        _c("period_raw", "string", "計画期間(原文)", "plan period as written, without brackets and label"),
        _c("period_start_fy", "int", "開始年度", "first fiscal year (Western), e.g. 令和6年度 -> 2024"),
        _c("period_end_fy", "int", "終了年度", "last fiscal year (Western)"),
        _c("overview", "string", "概要", "overview paragraph(s), wrapped lines joined; paragraphs separated by a line break"),
        _c("measures", "int", "取組数", "number of measures"),
        _c("programs", "int", "事業数", "number of program mentions"),
        _c("line_start", "int", "開始行", "line of the plan header"),
        _c("line_end", "int", "終了行", "last line that belongs to the plan"),
        *_BBOX,
    ],
    "measures": [
        _c("measure_id", "string", "取組ID", "plan_id + '-m' + position"),
        _c("plan_id", "string", "計画ID", "plan the measure belongs to"),
        _c("doc_id", "string", "文書ID", "document"),
        _c("category_no", "int", "区分番号", "number of the marker: (1) -> 1, ⑵ -> 2, ③ -> 3"),
        _c("marker", "string", "記号", "the marker as written, e.g. (1), （１）, ⑴"),
        _c("category_label", "string", "区分名", "label as written after the marker (normalized)"),
        _c("category_label_canonical", "string", "区分名(標準)", "the known label it matches in rules/format.toml, else empty"),
        _c("description", "string", "内容", "the measure's text after the label, wrapped lines joined"),
        _c("list_kind", "string", "事業リスト形式", "parenthesized, bare, inline (a list inside a sentence, after 具体的には), none_word (the list says なし) or missing"),
        _c("themes", "list", "テーマ", "themes of the description and its programs (rules/vocabulary.toml); CSV: '; '-joined"),
        _c("programs", "int", "事業数", "number of programs in the measure"),
        _c("line", "int", "行", "line of the marker"),
        _c("line_end", "int", "終了行", "last line of the measure's text"),
        *_BBOX,
    ],
    "programs": [
        _c("program_id", "string", "事業ID", "measure_id + '-' + seq"),
        _c("plan_id", "string", "計画ID", "plan"),
        _c("doc_id", "string", "文書ID", "document"),
        _c("municipality", "string", "市区町村", "municipality of the plan"),
        _c("category_no", "int", "区分番号", "category number of the measure"),
        _c("seq", "int", "順番", "position in the measure's program list (1-based)"),
        _c("program_name", "string", "事業名", "program name, normalized; closers (等, など) and the qualifier removed"),
        _c("program_name_raw", "string", "事業名(原文)", "the source characters of the name as written"),
        _c("qualifier", "string", "補足", "a trailing nested parenthetical, e.g. 連携機関の拡充"),
        _c("has_known_head", "bool", "既知の語尾", "the name ends in a head noun listed in rules/programs.toml"),
        _c("program_kind", "string", "事業種別", "kind from the longest head the name ends in (rules/vocabulary.toml [kinds]), e.g. 補助・助成; empty if none"),
        _c("themes", "list", "テーマ", "themes the name (and qualifier) mentions, matched on Sudachi normalized forms; CSV: '; '-joined"),
        _c("line", "int", "行", "line where the name starts"),
        _c("char_start", "int", "開始位置", "offset of the name in the document's normalized text"),
        _c("char_end", "int", "終了位置", "end offset (exclusive); the span may cross a line break"),
        *_BBOX,
    ],
    "captions": [
        _c("caption_id", "string", "キャプションID", "plan_id (or doc_id) + '-c' + position"),
        _c("plan_id", "string", "計画ID", "plan the caption sits in; empty before the first plan"),
        _c("doc_id", "string", "文書ID", "document"),
        _c("text", "string", "キャプション", "caption text (photo or figure), one line"),
        _c("line", "int", "行", "line of the caption"),
        *_BBOX,
    ],
    "diagnostics": [
        _c("doc_id", "string", "文書ID", "document"),
        _c("source_path", "string", "入力ファイル", "path of the input file"),
        _c("plan_id", "string", "計画ID", "plan, when the diagnostic is about one"),
        _c("severity", "string", "重要度", "info, warning (document becomes partial) or error"),
        _c("code", "string", "コード", "machine-readable kind, e.g. no_program_list"),
        _c("message", "string", "内容", "what was unexpected, with the text concerned"),
        _c("line", "int", "行", "line concerned"),
        _c("page", "int", "ページ", "PDF page concerned"),
    ],
    "lines": [
        _c("doc_id", "string", "文書ID", "document"),
        _c("line", "int", "行", "line number (text) or logical line number (PDF)"),
        _c("role", "string", "役割", "title, preamble, header, period, overview, caption, marker, measure, label (a section label line such as 【概要】), furniture, unassigned"),
        _c("plan_id", "string", "計画ID", "plan the line belongs to"),
        _c("page", "int", "ページ", "PDF page"),
        _c("text", "string", "本文", "the normalized line"),
        _c("raw_text", "string", "本文(原文)", "the line as read from the source, before normalization"),
        _c("char_offset", "int", "文字位置", "offset of the line in the document's normalized text (all lines, blank ones too, joined with a line break): the coordinates of programs.char_start"),
    ],
    "keywords": [
        _c("doc_id", "string", "文書ID", "document"),
        _c("plan_id", "string", "計画ID", "plan"),
        _c("normalized_form", "string", "正規化形", "Sudachi normalized form of a content word (noun, verb, adjective)"),
        _c("pos", "string", "品詞", "Sudachi part of speech, first field: 名詞, 動詞, 形容詞 or 形状詞"),
        _c("count", "int", "出現数", "occurrences in the plan's overview, measure descriptions and program names; rows by plan, then count descending, then form"),
    ],
}


def _bbox(page, bbox) -> dict:
    x0, top, x1, bottom = bbox if bbox else (None, None, None, None)
    return {"page": page, "bbox_x0": x0, "bbox_top": top, "bbox_x1": x1, "bbox_bottom": bottom}


def plan_id(doc_id: str, plan_no: int) -> str:
    return f"{doc_id}-p{plan_no:02d}"


def document_rows(doc: Document, source_path: str, rules, munis=None,
                  duplicate_paths: tuple[str, ...] = ()) -> dict[str, list[dict]]:
    """All table rows for one processed document."""
    from .enrich import enrich_rows, municipality_diagnostics
    from .municipalities import lookup

    # Before any row is made, so the warning counts in documents.status and .diagnostics.
    doc = municipality_diagnostics(doc, munis, rules.default_prefecture)
    out: dict[str, list[dict]] = {name: [] for name in SCHEMA}
    doc_id = doc.raw.doc_id
    n_measures = n_programs = 0
    for plan in doc.plans:
        pid = plan_id(doc_id, plan.plan_no)
        muni = plan.municipality
        mtype = None
        if muni:
            mtype = next((v for k, v in rules.municipality_types.items() if muni.endswith(k)), None)
        entry = lookup(munis, muni, rules.default_prefecture) if (munis is not None and muni) else None
        out["plans"].append({
            "plan_id": pid, "doc_id": doc_id, "plan_no": plan.plan_no, "municipality": muni,
            "municipality_type": mtype,
            "prefecture": entry.prefecture if entry else None,
            "municipality_code": entry.code if entry else None,
            "municipality_kind": entry.type if entry else None,
            "plan_title": plan.plan_title, "period_raw": plan.period_raw,
            "period_start_fy": plan.period_start_fy, "period_end_fy": plan.period_end_fy,
            "overview": plan.overview, "measures": len(plan.measures),
            "programs": sum(len(m.programs) for m in plan.measures),
            "line_start": plan.line_start, "line_end": plan.line_end, **_bbox(plan.page, plan.bbox),
        })
        for k, m in enumerate(plan.measures, start=1):
            mid = f"{pid}-m{k}"
            n_measures += 1
            out["measures"].append({
                "measure_id": mid, "plan_id": pid, "doc_id": doc_id, "category_no": m.category_no,
                "marker": m.marker, "category_label": m.label,
                "category_label_canonical": m.label_canonical, "description": m.description,
                "list_kind": m.list_kind, "programs": len(m.programs), "line": m.line,
                "line_end": m.line_end, **_bbox(m.page, m.bbox),
            })
            for p in m.programs:
                n_programs += 1
                out["programs"].append({
                    "program_id": f"{mid}-{p.seq:02d}", "plan_id": pid, "doc_id": doc_id,
                    "municipality": muni, "category_no": m.category_no, "seq": p.seq,
                    "program_name": p.name, "program_name_raw": p.where.raw, "qualifier": p.qualifier,
                    "has_known_head": p.has_known_head, "line": p.where.line,
                    "char_start": p.where.char_start, "char_end": p.where.char_end,
                    **_bbox(p.where.page, p.where.bbox),
                })
        for k, c in enumerate(plan.captions, start=1):
            out["captions"].append({
                "caption_id": f"{pid}-c{k}", "plan_id": pid, "doc_id": doc_id, "text": c.text,
                "line": c.line, **_bbox(c.page, c.bbox),
            })
    for k, c in enumerate(doc.captions, start=1):
        out["captions"].append({
            "caption_id": f"{doc_id}-c{k}", "plan_id": None, "doc_id": doc_id, "text": c.text,
            "line": c.line, **_bbox(c.page, c.bbox),
        })
    for d in doc.diagnostics:
        out["diagnostics"].append({
            "doc_id": doc_id, "source_path": source_path,
            "plan_id": plan_id(doc_id, d.plan_no) if d.plan_no else None,
            "severity": d.severity, "code": d.code, "message": d.message, "line": d.line, "page": d.page,
        })
    offsets = _line_offsets(doc.normalized_text)
    for r in doc.roles:
        out["lines"].append({
            "doc_id": doc_id, "line": r.line, "role": r.role,
            "plan_id": plan_id(doc_id, r.plan_no) if r.plan_no else None, "page": r.page, "text": r.text,
            "raw_text": r.raw, "char_offset": offsets.get((r.line, r.text)),
        })
    out["documents"].append({
        "doc_id": doc_id, "source_path": source_path, "duplicate_paths": "; ".join(duplicate_paths) or None,
        "media_type": doc.raw.media_type, "encoding": doc.raw.encoding, "document_title": doc.title,
        "status": doc.status, "error": None, "plans": len(doc.plans), "measures": n_measures,
        "programs": n_programs, "diagnostics": len(doc.diagnostics), "pages": doc.raw.pages,
        "lines": len(doc.raw.lines), "preamble": doc.preamble or None, "rules_hash": rules.hash,
        "pipeline_version": PIPELINE_VERSION,
    })
    return enrich_rows(out, rules)


def _line_offsets(text: str) -> dict[tuple[int, str], int]:
    """(line number, text) -> offset of that line in the normalized text.

    Keyed on the text too: a line whose number does not point at the same text in the
    normalized text gets no offset rather than a wrong one.
    """
    out = {}
    offset = 0
    for k, line in enumerate(text.split("\n"), start=1):
        out[(k, line)] = offset
        offset += len(line) + 1
    return out


def failed_rows(doc_id: str, source_path: str, media_type: str | None, status: str, error: str,
                rules_hash: str, page: int | None = None, line: int | None = None,
                duplicate_paths: tuple[str, ...] = ()) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {name: [] for name in SCHEMA}
    out["documents"].append({
        "doc_id": doc_id, "source_path": source_path, "duplicate_paths": "; ".join(duplicate_paths) or None,
        "media_type": media_type, "encoding": None,
        "document_title": None, "status": status, "error": error, "plans": 0, "measures": 0, "programs": 0,
        "diagnostics": 1, "pages": None, "lines": None, "preamble": None, "rules_hash": rules_hash,
        "pipeline_version": PIPELINE_VERSION,
    })
    out["diagnostics"].append({
        "doc_id": doc_id, "source_path": source_path, "plan_id": None, "severity": "error",
        "code": status if status != "failed" else "unreadable", "message": error, "line": line, "page": page,
    })
    return out

