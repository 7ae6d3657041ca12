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
    ja: str  # Japanese name: the workbook's header row
    en: str  # description in English
    ja_desc: str  # description in Japanese
    key: bool = False  # a key or ID: never empty (non-nullable in Parquet)


    @property
    def pandas_dtype(self) -> str:
        """The pandas dtype of the column: nullable ones throughout, so a column whose values
        are all empty (``page`` for text input) has the same dtype as a full one."""
        return PANDAS_DTYPES[self.type]


# Lists stay Python lists in an object column (pandas has no list dtype to name).
PANDAS_DTYPES = {"string": "string", "int": "Int64", "float": "Float64", "bool": "boolean", "list": "object"}


def _c(name: str, type_: str, ja: str, en: str, ja_desc: str, key: bool = False) -> Column:
    return Column(name, type_, ja, en, ja_desc, key)


def _html_path(what: str, ja: str) -> Column:
    return _c("html_path", "string", "HTMLの位置",
              f"HTML input: short XPath of the page element {what}, starting at the nearest element with an "
              "id; empty for text and PDF",
              f"HTML入力: {ja}ページ要素の短いXPath（idを持つ最も近い要素から）。テキストとPDFでは空")


_BBOX = [
    _c("page", "int", "ページ", "PDF page (1-based) where the item starts; empty for text input",
       "項目が始まるPDFのページ（1始まり）。テキスト入力では空"),
    _c("bbox_x0", "float", "左端x", "bounding box left, PDF points from the page's left edge",
       "範囲の左端。ページ左端からのPDFポイント"),
    _c("bbox_top", "float", "上端y", "bounding box top, PDF points from the page's top edge",
       "範囲の上端。ページ上端からのPDFポイント"),
    _c("bbox_x1", "float", "右端x", "bounding box right, PDF points",
       "範囲の右端。ページ左端からのPDFポイント"),
    _c("bbox_bottom", "float", "下端y", "bounding box bottom, PDF points from the page's top edge",
       "範囲の下端。ページ上端からのPDFポイント"),
]

# What each table holds, in Japanese and English (Parquet metadata, README, workbook).
TABLE_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "documents": ("入力ファイル1件につき1行: 形式、処理状態、件数",
                  "one row per input file: type, status, counts"),
    "plans": ("計画1件につき1行: 市区町村、計画名、計画期間、概要",
              "one row per plan: municipality, title, period, overview"),
    "measures": ("取組1件につき1行: 区分、内容、事業リストの形、テーマ",
                 "one row per measure: category, text, program list form, themes"),
    "programs": ("事業名の出現1件につき1行: 名前、補足、種別、テーマ、出典の位置",
                 "one row per program mention: name, qualifier, kind, themes, where it was found"),
    "captions": ("キャプション（写真・図）1行につき1行",
                 "one row per caption line (photo or figure)"),
    "diagnostics": ("想定と違った点1件につき1行（情報・警告・エラー）",
                    "one row per unexpected finding (info, warning, error)"),
    "lines": ("空でない行1行につき1行: 役割と正規化前後の文",
              "one row per non-blank line: its role, normalized and raw text"),
    "keywords": ("計画ごとの内容語と出現数",
                 "content words per plan with their counts"),
    "program_links": ("前の回の計画がある計画の事業名1件につき1行と、後継のない前計画の事業名1件につき1行: 継続・表記の違い・名称変更・新規・廃止",
                      "one row per distinct program name of a plan that has a predecessor, and one per "
                      "predecessor program without a successor: same, variant, renamed, new or dropped"),
}

SCHEMA: dict[str, list[Column]] = {
    "documents": [
        _c("doc_id", "string", "文書ID", "SHA-256 of the file's bytes (first 16 hex digits)",
           "ファイルのバイト列のSHA-256（先頭16桁の16進数）", key=True),
        _c("source_path", "string", "入力ファイル", "path of the input file as given",
           "指定された入力ファイルのパス"),
        _c("duplicate_paths", "string", "同一内容の別ファイル", "other paths with byte-identical content, '; '-joined",
           "内容がバイト単位で同じ別のファイルのパス（「; 」区切り）"),
        _c("media_type", "string", "形式", "text/plain, application/pdf or text/html, sniffed from content",
           "内容から判定した形式: text/plain、application/pdf または text/html"),
        _c("encoding", "string", "文字コード", "detected text encoding (utf-8, utf-8-sig, utf-16, cp932, euc-jp); empty for PDF",
           "判定した文字コード（utf-8, utf-8-sig, utf-16, cp932, euc-jp）。PDFでは空"),
        _c("document_title", "string", "文書タイトル", "title line before the first plan, without brackets",
           "最初の計画の前にある表題行（括弧を除く）"),
        _c("status", "string", "処理状態", "ok, partial (see diagnostics), no_plans, no_text, or failed",
           "ok、partial（診断を参照）、no_plans、no_text、failed のいずれか"),
        _c("error", "string", "エラー", "why the file failed, one line",
           "読めなかった理由（1行）"),
        _c("plans", "int", "計画数", "number of plans found",
           "見つかった計画の数"),
        _c("measures", "int", "取組数", "number of measures found",
           "見つかった取組の数"),
        _c("programs", "int", "事業数", "number of program mentions found",
           "見つかった事業名の数"),
        _c("diagnostics", "int", "診断数", "number of diagnostics rows for this document (not counting "
           "superseded_plan, which compares documents)",
           "この文書の診断の行数（文書どうしを比べた superseded_plan は数えない）"),
        _c("pages", "int", "ページ数", "number of PDF pages; empty for text",
           "PDFのページ数。テキストでは空"),
        _c("lines", "int", "行数", "number of lines (text; for HTML the lines of the page's text) or logical lines (PDF)",
           "行数（テキスト。HTMLではページの文の行数）または論理行数（PDF）"),
        _c("preamble", "string", "前文", "text between the title and the first plan",
           "表題と最初の計画の間の文"),
        _c("rules_hash", "string", "ルールハッシュ", "hash of the rules/ files that produced the rows",
           "行を作ったrules/のファイルのハッシュ"),
        _c("pipeline_version", "string", "パイプライン版", "version of this pipeline",
           "このパイプラインの版"),
    ],
    "plans": [
        _c("plan_id", "string", "計画ID", "doc_id + '-p' + plan number",
           "文書ID + '-p' + 計画番号", key=True),
        _c("doc_id", "string", "文書ID", "document the plan is in",
           "計画がある文書", key=True),
        _c("plan_no", "int", "計画番号", "position of the plan in the document (1-based)",
           "文書内での計画の順番（1始まり）", key=True),
        _c("municipality", "string", "市区町村", "municipality as written in the header, or taken from the title",
           "見出しに書かれた市区町村名、または表題から取った名前"),
        _c("municipality_type", "string", "市区町村種別", "区, 市, 町 or 村 (last character of the name)",
           "区・市・町・村（名前の最後の文字）"),
        _c("prefecture", "string", "都道府県", "prefecture of the municipality (from rules/municipalities.csv)",
           "市区町村の都道府県（rules/municipalities.csv から）"),
        _c("municipality_code", "string", "団体コード", "6-digit 全国地方公共団体コード with check digit; text, keep leading zeros",
           "検査数字付き6桁の全国地方公共団体コード。文字列なので先頭の0を保つ"),
        _c("municipality_kind", "string", "団体区分", "特別区, 市, 町, 村 or 政令市の区 (from the code list)",
           "特別区・市・町・村・政令市の区（コード表から）"),
        _c("plan_title", "string", "計画名", "plan title without 「」",
           "計画名（「」を除く）"),
        _c("period_raw", "string", "計画期間(原文)", "plan period as written, without brackets and label",
           "書かれたままの計画期間（括弧と見出し語を除く）"),
        _c("period_start_fy", "int", "開始年度", "first fiscal year (Western), e.g. 令和6年度 -> 2024",
           "最初の年度（西暦）。例: 令和6年度 -> 2024"),
        _c("period_end_fy", "int", "終了年度", "last fiscal year (Western)",
           "最後の年度（西暦）"),
        _c("predecessor_plan_id", "string", "前計画ID",
           "the same municipality's plan of the round before, in this run (same municipality_code, the "
           "latest earlier period); empty when there is none or another announcement supersedes this plan",
           "同じ市区町村の前の回の計画（この実行の中で団体コードが同じで、期間が直前のもの）。"
           "ないとき、または別の発表がこの計画に代わるときは空"),
        _c("overview", "string", "概要", "overview paragraph(s), wrapped lines joined; paragraphs separated by a line break",
           "概要の段落。折り返しはつなぎ、段落は改行で区切る"),
        _c("measures", "int", "取組数", "number of measures",
           "取組の数"),
        _c("programs", "int", "事業数", "number of program mentions",
           "事業名の数"),
        _c("line_start", "int", "開始行", "line of the plan header",
           "計画見出しの行"),
        _c("line_end", "int", "終了行", "last line that belongs to the plan",
           "計画に属する最後の行"),
        *_BBOX,
    ],
    "measures": [
        _c("measure_id", "string", "取組ID", "plan_id + '-m' + position",
           "計画ID + '-m' + 順番", key=True),
        _c("plan_id", "string", "計画ID", "plan the measure belongs to",
           "取組が属する計画", key=True),
        _c("doc_id", "string", "文書ID", "document",
           "文書", key=True),
        _c("category_no", "int", "区分番号", "number of the marker: (1) -> 1, ⑵ -> 2, ③ -> 3",
           "記号の番号: (1) -> 1, ⑵ -> 2, ③ -> 3"),
        _c("marker", "string", "記号", "the marker as written, e.g. (1), （１）, ⑴",
           "書かれたままの記号。例: (1), （１）, ⑴"),
        _c("category_label", "string", "区分名", "label as written after the marker (normalized)",
           "記号の後に書かれた区分名（正規化済み）"),
        _c("category_label_canonical", "string", "区分名(標準)", "the known label it matches in rules/format.toml, else empty",
           "rules/format.toml の既知の区分名のうち一致するもの。なければ空"),
        _c("description", "string", "内容", "the measure's text after the label, wrapped lines joined",
           "区分名の後の取組の文。折り返しはつなぐ"),
        _c("list_kind", "string", "事業リスト形式", "parenthesized, bare, inline (a list inside a sentence, after 具体的には), activities (the body is a 、-separated list of activities, split into programs), none_word (the list says なし) or missing",
           "事業リストの形: parenthesized（括弧）、bare（括弧なし）、inline（文中の列挙。具体的には…）、activities（取組の文が「、」区切りの活動の列挙）、none_word（「なし」）、missing（なし）"),
        _c("themes", "list", "テーマ", "themes of the description and its programs (rules/vocabulary.toml); CSV: '; '-joined",
           "内容と事業のテーマ（rules/vocabulary.toml）。CSVでは「; 」区切り"),
        _c("programs", "int", "事業数", "number of programs in the measure",
           "取組の事業数"),
        _c("line", "int", "行", "line of the marker",
           "記号の行"),
        _c("line_end", "int", "終了行", "last line of the measure's text",
           "取組の文の最後の行"),
        *_BBOX,
    ],
    "programs": [
        _c("program_id", "string", "事業ID", "measure_id + '-' + seq",
           "取組ID + '-' + 順番", key=True),
        _c("measure_id", "string", "取組ID", "measure whose program list names it",
           "事業を挙げた取組", key=True),
        _c("plan_id", "string", "計画ID", "plan",
           "計画", key=True),
        _c("doc_id", "string", "文書ID", "document",
           "文書", key=True),
        _c("municipality", "string", "市区町村", "municipality of the plan",
           "計画の市区町村"),
        _c("category_no", "int", "区分番号", "category number of the measure",
           "取組の区分番号"),
        _c("seq", "int", "順番", "position in the measure's program list (1-based)",
           "取組の事業リストでの順番（1始まり）", key=True),
        _c("program_name", "string", "事業名", "program name, normalized; closers (等, など) and the qualifier removed",
           "正規化した事業名。末尾の「等」「など」と補足を除く"),
        _c("program_name_raw", "string", "事業名(原文)", "the source characters of the name as written",
           "書かれたままの事業名の元の文字"),
        _c("qualifier", "string", "補足", "a trailing nested parenthetical, e.g. 連携機関の拡充",
           "末尾の入れ子の括弧書き。例: 連携機関の拡充"),
        _c("has_known_head", "bool", "既知の語尾", "the name ends in a head noun listed in rules/programs.toml",
           "rules/programs.toml の語尾の名詞で終わるか"),
        _c("program_kind", "string", "事業種別", "kind from the longest head the name ends in (rules/vocabulary.toml [kinds]), e.g. 補助・助成; empty if none",
           "名前の末尾で最も長く一致する語尾による種別（rules/vocabulary.toml [kinds]）。例: 補助・助成。なければ空"),
        _c("themes", "list", "テーマ", "themes the name (and qualifier) mentions, matched on Sudachi normalized forms; CSV: '; '-joined",
           "名前（と補足）が触れるテーマ。Sudachiの正規化形で照合。CSVでは「; 」区切り"),
        _c("line", "int", "行", "line where the name starts",
           "名前が始まる行"),
        _c("char_start", "int", "開始位置", "offset of the name in the document's normalized text",
           "文書の正規化テキストでの名前の開始位置"),
        _c("char_end", "int", "終了位置", "end offset (exclusive); the span may cross a line break",
           "終了位置（その文字は含まない）。改行をまたぐことがある"),
        *_BBOX,
        _html_path("of the line where the name starts", "名前が始まる行の"),
    ],
    "captions": [
        _c("caption_id", "string", "キャプションID", "plan_id (or doc_id) + '-c' + position",
           "計画ID（または文書ID） + '-c' + 順番", key=True),
        _c("plan_id", "string", "計画ID", "plan the caption sits in; empty before the first plan",
           "キャプションがある計画。最初の計画の前なら空"),
        _c("doc_id", "string", "文書ID", "document",
           "文書", key=True),
        _c("text", "string", "キャプション", "caption text (photo or figure), one line",
           "キャプション（写真・図）の文、1行"),
        _c("line", "int", "行", "line of the caption",
           "キャプションの行"),
        *_BBOX,
        _html_path("of the caption's line", "キャプションの行の"),
    ],
    "diagnostics": [
        _c("doc_id", "string", "文書ID", "document",
           "文書", key=True),
        _c("source_path", "string", "入力ファイル", "path of the input file",
           "入力ファイルのパス"),
        _c("plan_id", "string", "計画ID", "plan, when the diagnostic is about one",
           "計画についての診断ならその計画"),
        _c("severity", "string", "重要度", "info, warning (document becomes partial) or error",
           "info（情報）、warning（警告。文書は partial になる）、error（エラー）"),
        _c("code", "string", "コード", "machine-readable kind, e.g. no_program_list",
           "機械で読める種類。例: no_program_list"),
        _c("message", "string", "内容", "what was unexpected, with the text concerned",
           "想定と違った点と、該当する文"),
        _c("line", "int", "行", "line concerned",
           "該当する行"),
        _c("page", "int", "ページ", "PDF page concerned",
           "該当するPDFのページ"),
    ],
    "lines": [
        _c("doc_id", "string", "文書ID", "document",
           "文書", key=True),
        _c("line", "int", "行", "line number (text) or logical line number (PDF)",
           "行番号（テキスト）または論理行番号（PDF）", key=True),
        _c("role", "string", "役割", "title, preamble, header, period, overview, caption, marker, measure, label (a section label line such as 【概要】), furniture, unassigned",
           "title, preamble, header, period, overview, caption, marker, measure, label（【概要】などの見出し行）, furniture, unassigned"),
        _c("plan_id", "string", "計画ID", "plan the line belongs to",
           "行が属する計画"),
        _c("page", "int", "ページ", "PDF page",
           "PDFのページ"),
        _c("text", "string", "本文", "the normalized line",
           "正規化した行"),
        _c("raw_text", "string", "本文(原文)", "the line as read from the source, before normalization",
           "正規化前の、元から読んだままの行"),
        _c("char_offset", "int", "文字位置", "offset of the line in the document's normalized text (all lines, blank ones too, joined with a line break): the coordinates of programs.char_start",
           "文書の正規化テキスト（空行も含めすべての行を改行でつないだもの）での行の開始位置。programs.char_start と同じ座標"),
        _html_path("the line comes from (its p, li, tr ...)", "行を取り出した（p、li、trなどの）"),
    ],
    "keywords": [
        _c("doc_id", "string", "文書ID", "document",
           "文書", key=True),
        _c("plan_id", "string", "計画ID", "plan",
           "計画", key=True),
        _c("normalized_form", "string", "正規化形", "Sudachi normalized form of a content word (noun, verb, adjective)",
           "内容語（名詞・動詞・形容詞）のSudachi正規化形", key=True),
        _c("pos", "string", "品詞", "Sudachi part of speech, first field: 名詞, 動詞, 形容詞 or 形状詞",
           "Sudachiの品詞の第1項目: 名詞、動詞、形容詞、形状詞"),
        _c("count", "int", "出現数", "occurrences in the plan's overview, measure descriptions and program names; rows by plan, then count descending, then form",
           "計画の概要・取組の文・事業名での出現数。行の順は計画、出現数の多い順、正規化形"),
    ],
    "program_links": [
        _c("municipality_code", "string", "団体コード", "municipality code of both plans",
           "両計画の団体コード", key=True),
        _c("municipality", "string", "市区町村", "municipality of the plan",
           "計画の市区町村"),
        _c("plan_id", "string", "計画ID", "the plan",
           "計画", key=True),
        _c("predecessor_plan_id", "string", "前計画ID", "its predecessor (plans.predecessor_plan_id)",
           "前の回の計画（plans.predecessor_plan_id）", key=True),
        _c("program_name", "string", "事業名", "a distinct program name of the plan; empty for dropped",
           "計画の事業名（同じ名前は1行）。dropped では空"),
        _c("predecessor_program_name", "string", "前計画の事業名",
           "the predecessor's program name it links to; empty for new",
           "対応する前計画の事業名。new では空"),
        _c("link", "string", "対応", "same (identical once normalized), variant (the same after the "
           "orthography and suffix rules of rules/links.toml and Sudachi normalized forms), renamed (similar "
           "words), new (no predecessor program) or dropped (a predecessor program with no successor)",
           "same（正規化すると同じ）、variant（rules/links.toml の表記・語尾の規則とSudachiの正規化形で同じ）、"
           "renamed（語が似ている）、new（前計画になし）、dropped（後継なし）", key=True),
        _c("score", "float", "類似度", "0 to 1: 1 for same and variant, the word overlap for renamed; empty for "
           "new and dropped", "0〜1。same と variant は1、renamed は語の重なり。new と dropped では空"),
        _c("review", "bool", "要確認", "a renamed link whose score lies within similarity.review_band of "
           "the threshold (rules/links.toml): check it by eye",
           "類似度がしきい値の前後（rules/links.toml の similarity.review_band）にある renamed。目で確かめる"),
        _c("basis", "string", "根拠", "why, in short: identical; 補助→補助金; 事業 dropped; token overlap 0.71 "
           "(shared: …); for new and dropped the closest name",
           "理由の要約。例: identical、補助→補助金、事業 dropped、token overlap 0.71 (shared: …)。"
           "new と dropped では最も近い名前"),
        _c("program_ids", "list", "事業ID", "program_id of each mention of the name in the plan (a name may "
           "be listed under several measures); CSV: '; '-joined",
           "計画でのその名前の出現ごとの事業ID（複数の取組に挙がることがある）。CSVでは「; 」区切り"),
        _c("predecessor_program_ids", "list", "前計画の事業ID", "program_id of each mention in the predecessor; "
           "CSV: '; '-joined", "前計画での出現ごとの事業ID。CSVでは「; 」区切り"),
    ],
}


# Excel's limit on the text of one cell, in UTF-16 code units (a character outside the BMP,
# such as 𠮷, counts two). The workbook cuts longer text; see excel_limit_diagnostics.
EXCEL_CELL_LIMIT = 32_767


def excel_length(text: str) -> int:
    if len(text) * 2 <= EXCEL_CELL_LIMIT:  # short enough whatever its characters
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def excel_limit_diagnostics(out: dict[str, list[dict]], source_path: str) -> dict[str, list[dict]]:
    """An info diagnostic for each cell too long for Excel, which workbook.xlsx shows cut
    (the CSV and Parquet files hold all of it). Made with the rows, not by the workbook
    writer, so the diagnostics table is the same with and without the workbook."""
    found = []
    for table, rows in out.items():
        text_cols = [c for c in SCHEMA[table] if c.type in ("string", "list")]
        if not _may_exceed(rows, text_cols):
            continue
        for row in rows:
            for c in text_cols:
                value = row.get(c.name)
                if value is not None and (n := excel_length(value if c.type == "string" else "; ".join(value))) \
                        > EXCEL_CELL_LIMIT:
                    found.append((table, c.name, row, n))
    if not found:
        return out
    doc = out["documents"][0]
    for table, name, row, n in found:
        out["diagnostics"].append({
            "doc_id": doc["doc_id"], "source_path": source_path, "plan_id": row.get("plan_id"),
            "severity": "info", "code": "cell_over_excel_limit",
            "message": f"{table}.{name} holds {n:,} characters, over Excel's {EXCEL_CELL_LIMIT:,} a cell: "
                       "workbook.xlsx shows it cut, with a marker; the CSV and Parquet files hold all of it",
            "line": row.get("line", row.get("line_start")), "page": row.get("page"),
        })
    doc["diagnostics"] += len(found)
    return out


def _may_exceed(rows: list[dict], text_cols: list[Column]) -> bool:
    """Whether any text cell of the rows may be over Excel's limit: a text of n characters
    is at most 2n UTF-16 units, so a table whose longest text is at most half the limit has
    none (most tables of most documents; the exact count is taken only where this fails)."""
    half = EXCEL_CELL_LIMIT // 2
    for c in text_cols:
        name = c.name
        values = [v for v in (row.get(name) for row in rows) if v is not None]
        if c.type == "list":
            values = ["; ".join(v) for v in values]
        if values and max(map(len, values)) > half:
            return True
    return False


def _bbox(page, bbox) -> dict:
    x0, top, x1, bottom = bbox if bbox else (None, None, None, None)
    return {"page": page, "bbox_x0": x0, "bbox_top": top, "bbox_x1": x1, "bbox_bottom": bottom}



SCHEMA_NAMES: dict[str, tuple[str, ...]] = {table: tuple(c.name for c in cols) for table, cols in SCHEMA.items()}

def path_text(path: str) -> str:
    """A path as the tables hold it: bytes of the name that are not UTF-8 (Python keeps them as
    lone surrogates) written as \\xNN, so the name can be stored and shown."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def plan_id(doc_id: str, plan_no: int) -> str:
    return f"{doc_id}-p{plan_no:02d}"


def document_rows(doc: Document, source_path: str, rules, munis=None,
                  duplicate_paths: tuple[str, ...] = ()) -> dict[str, list[dict]]:
    """All table rows for one processed document."""
    from .enrich import enrich_rows
    from .municipalities import lookup, municipality_diagnostics, municipality_type

    source_path, duplicate_paths = path_text(source_path), tuple(map(path_text, duplicate_paths))

    # Before any row is made, so the warning counts in documents.status and .diagnostics.
    doc = municipality_diagnostics(doc, munis, rules.default_prefecture)
    out: dict[str, list[dict]] = {name: [] for name in SCHEMA}
    doc_id = doc.raw.doc_id
    n_measures = n_programs = 0
    html_paths = {ln.line_no: ln.html_path for ln in doc.raw.lines if ln.html_path}
    for plan in doc.plans:
        pid = plan_id(doc_id, plan.plan_no)
        muni = plan.municipality
        mtype = municipality_type(muni, rules)
        entry = lookup(munis, muni, rules.default_prefecture) if (munis is not None and muni) else None
        out["plans"].append({
            "plan_id": pid, "doc_id": doc_id, "plan_no": plan.plan_no, "municipality": muni,
            "municipality_type": mtype,
            "prefecture": entry.prefecture if entry else None,
            "municipality_code": entry.code if entry else None,
            "municipality_kind": entry.type if entry else None,
            "plan_title": plan.plan_title, "period_raw": plan.period_raw,
            "period_start_fy": plan.period_start_fy, "period_end_fy": plan.period_end_fy,
            "predecessor_plan_id": None,  # filled across documents (pipeline.links)
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
                    "program_id": f"{mid}-{p.seq:02d}", "measure_id": mid, "plan_id": pid, "doc_id": doc_id,
                    "municipality": muni, "category_no": m.category_no, "seq": p.seq,
                    "program_name": p.name, "program_name_raw": p.where.raw, "qualifier": p.qualifier,
                    "has_known_head": p.has_known_head, "line": p.where.line,
                    "char_start": p.where.char_start, "char_end": p.where.char_end,
                    **_bbox(p.where.page, p.where.bbox), "html_path": html_paths.get(p.where.line),
                })
        for k, c in enumerate(plan.captions, start=1):
            out["captions"].append({
                "caption_id": f"{pid}-c{k}", "plan_id": pid, "doc_id": doc_id, "text": c.text,
                "line": c.line, **_bbox(c.page, c.bbox), "html_path": html_paths.get(c.line),
            })
    for k, c in enumerate(doc.captions, start=1):
        out["captions"].append({
            "caption_id": f"{doc_id}-c{k}", "plan_id": None, "doc_id": doc_id, "text": c.text,
            "line": c.line, **_bbox(c.page, c.bbox), "html_path": html_paths.get(c.line),
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
            "raw_text": r.raw, "char_offset": offsets.get((r.line, r.text)), "html_path": html_paths.get(r.line),
        })
    out["documents"].append({
        "doc_id": doc_id, "source_path": source_path, "duplicate_paths": "; ".join(duplicate_paths) or None,
        "media_type": doc.raw.media_type, "encoding": doc.raw.encoding, "document_title": doc.title,
        "status": doc.status, "error": None, "plans": len(doc.plans), "measures": n_measures,
        "programs": n_programs, "diagnostics": len(doc.diagnostics), "pages": doc.raw.pages,
        "lines": doc.line_count, "preamble": doc.preamble or None, "rules_hash": rules.hash,
        "pipeline_version": PIPELINE_VERSION,
    })
    return conform(excel_limit_diagnostics(enrich_rows(out, rules), source_path))


def conform(out: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Every row with exactly SCHEMA's columns, in SCHEMA's order. A column a row names that
    SCHEMA does not (a misspelling), or one SCHEMA names that a row lacks, is a bug in the
    code that made the row, never an empty cell: SchemaMismatch says which."""
    for table, rows in out.items():
        names = SCHEMA_NAMES.get(table)
        if names is None:
            raise SchemaMismatch(f"no table '{table}' in SCHEMA")
        wanted = set(names)
        for k, row in enumerate(rows):
            if row.keys() != wanted:
                extra, missing = sorted(row.keys() - wanted), sorted(wanted - row.keys())
                raise SchemaMismatch(f"{table} row {k}: columns not in SCHEMA {extra}, missing {missing}")
            rows[k] = {name: row[name] for name in names}
    return out


class SchemaMismatch(Exception):
    """Rows that do not have SCHEMA's columns: a programming error, not bad input."""


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
    source_path, duplicate_paths = path_text(source_path), tuple(map(path_text, duplicate_paths))
    error = path_text(error)
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
    return conform(out)

