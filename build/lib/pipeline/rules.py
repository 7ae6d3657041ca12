"""Load, validate and hash the format knowledge in ``rules/``.

Every pattern, label and vocabulary the pipeline recognizes lives in TOML files there.
This module turns them into one frozen ``Rules`` value; a missing key or a bad pattern is
a ``RulesError`` that names the file and the key.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import RulesError

DEFAULT_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
# The TOML files that make up the rules; all of them are hashed.
RULE_FILES = ("normalize.toml", "format.toml", "programs.toml", "pdf.toml", "radicals.toml",
              "vocabulary.toml")
OPTIONAL_FILES = ("radicals.toml", "vocabulary.toml")
DATA_FILES = ("municipalities.csv",)


@dataclass(frozen=True)
class MarkerForm:
    pattern: re.Pattern[str]
    requires_known_label: bool


@dataclass(frozen=True)
class Category:
    number: int
    canonical: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Rules:
    directory: str
    hash: str
    # normalize.toml
    keep_chars: frozenset[str]
    pre_nfkc: dict[str, str]
    post_nfkc: dict[str, str]
    japanese_class: str
    latin_word: str
    keep_space_after_leading_number: bool
    # format.toml
    title_patterns: tuple[re.Pattern[str], ...]
    header_patterns: tuple[re.Pattern[str], ...]
    muni_line: re.Pattern[str]
    header_max_continuation: int
    municipality_types: dict[str, str]
    municipality_fallback: re.Pattern[str]
    default_prefecture: str
    municipality_aliases: dict[str, str]
    period_brackets: re.Pattern[str]
    period_label: re.Pattern[str]
    period_full: re.Pattern[str]
    period_term: re.Pattern[str]
    period_label_only: re.Pattern[str]
    period_duration: re.Pattern[str]
    fiscal_year_start_month: int
    eras: dict[str, int]
    kanji_digits: dict[str, int]
    kanji_units: dict[str, int]
    first_year: str
    marker_forms: tuple[MarkerForm, ...]
    marker_not_followed_by: re.Pattern[str]
    marker_max_number: int
    marker_label_shape: re.Pattern[str]
    categories: tuple[Category, ...]
    furniture_patterns: tuple[re.Pattern[str], ...]
    contact_label: re.Pattern[str]
    title_page_number: re.Pattern[str]
    label_patterns: tuple[re.Pattern[str], ...]
    overview_label: re.Pattern[str]
    caption_max_chars: int
    caption_marker: re.Pattern[str]
    caption_endings: tuple[str, ...]
    sentence_end: re.Pattern[str]
    block_openers: tuple[str, ...]
    closing_brackets: tuple[str, ...]
    clause_ends: str
    quotes: tuple[str, ...]
    label_brackets: str
    period_year_cut: re.Pattern[str]
    # programs.toml
    pairs: tuple[str, ...]
    trailing_after_list: re.Pattern[str]
    trailing_after_bare: re.Pattern[str]
    list_brackets: tuple[str, ...]
    separators: tuple[str, ...]
    coordinators: tuple[str, ...]
    bullets: re.Pattern[str]
    list_label: re.Pattern[str]
    closers: tuple[str, ...]
    none_words: tuple[str, ...]
    none_pattern: re.Pattern[str]
    inline_lists: tuple[re.Pattern[str], ...]
    not_list_patterns: tuple[re.Pattern[str], ...]
    name_parentheticals: tuple[re.Pattern[str], ...]
    quoted_tail: re.Pattern[str]
    head_nouns: tuple[str, ...]
    final_pos: tuple[str, ...]
    space_pos: str
    symbol_pos: str
    gloss_after_pos: tuple[str, ...]
    clause_particles: tuple[str, ...]
    gloss_max_chars: int
    # pdf.toml: the PDF reader's layout tolerances
    pdf: PdfSettings
    # vocabulary.toml: program kinds, themes, keywords
    vocabulary: VocabularyRules
    # radicals.toml: CJK radical code points -> unified ideographs
    radicals: dict[str, str]
    # municipalities.csv path (may not exist)
    municipalities_path: str

    def category_for(self, label: str) -> Category | None:
        compact = _compact(label)
        for cat in self.categories:
            if any(compact == _compact(a) for a in cat.aliases):
                return cat
        return None

    def category_prefix(self, text: str) -> tuple[Category, str] | None:
        """The known label that ``text`` starts with, longest first, and the alias as written."""
        best: tuple[Category, str] | None = None
        for cat in self.categories:
            for alias in cat.aliases:
                if text.startswith(alias) and (best is None or len(alias) > len(best[1])):
                    best = (cat, alias)
        return best


def _compact(s: str) -> str:
    """A label without spaces and without brackets around it: 【多様な…取組】 == 多様な…取組."""
    s = re.sub(r"\s+", "", s)
    while len(s) > 2 and s[0] + s[-1] in ("【】", "[]", "「」", "『』", "〔〕", "<>", "〈〉"):
        s = s[1:-1]
    return s


class _Reader:
    """Typed access to one TOML file that reports the file and key on any problem."""

    def __init__(self, path: Path, data: dict[str, Any]):
        self.path = path
        self.data = data

    def get(self, dotted: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                if default is not ...:
                    return default
                raise RulesError(f"{self.path.name}: missing key '{dotted}'")
            node = node[part]
        if not isinstance(node, kind):
            raise RulesError(f"{self.path.name}: key '{dotted}' must be {_kind_name(kind)}")
        return node

    def regex(self, dotted: str, value: str | None = None) -> re.Pattern[str]:
        text = self.get(dotted, str) if value is None else value
        try:
            return re.compile(text)
        except re.error as exc:
            raise RulesError(f"{self.path.name}: key '{dotted}': bad pattern: {exc}") from None

    def regexes(self, dotted: str) -> tuple[re.Pattern[str], ...]:
        items = self.get(dotted, list)
        out = []
        for i, item in enumerate(items):
            if not isinstance(item, str):
                raise RulesError(f"{self.path.name}: key '{dotted}[{i}]' must be a string")
            out.append(self.regex(f"{dotted}[{i}]", item))
        return tuple(out)

    def strings(self, dotted: str) -> tuple[str, ...]:
        items = self.get(dotted, list)
        for i, item in enumerate(items):
            if not isinstance(item, str):
                raise RulesError(f"{self.path.name}: key '{dotted}[{i}]' must be a string")
        return tuple(items)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {str: "a string", list: "a list", dict: "a table", int: "an integer", bool: "true or false"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise RulesError(f"{path}: rules file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path.name}: not valid TOML: {exc}") from None


def rules_hash(directory: Path) -> str:
    digest = hashlib.sha256()
    for name in RULE_FILES + DATA_FILES:
        path = directory / name
        if path.exists():
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class PdfSettings:
    """rules/pdf.toml, typed: the PDF reader's layout tolerances. Every key is required, so the
    values live in the file only; see its comments for what each one means."""

    same_line_overlap: float  # lines.same_line_overlap
    column_gap_em: float  # lines.column_gap_em
    word_gap_em: float  # lines.word_gap_em
    duplicate_em: float  # lines.duplicate_em
    baseline_em: float  # lines.baseline_em
    overlap_em: float  # lines.overlap_em
    centre_bucket_pt: float  # lines.centre_bucket_pt
    centre_buckets: int  # lines.centre_buckets
    paragraph_gap_em: float  # blocks.paragraph_gap_em
    block_size_ratio: float  # blocks.size_ratio
    full_line_em: float  # blocks.full_line_em
    first_word_slack_em: float  # blocks.first_word_slack_em
    column_align_em: float  # blocks.column_align_em
    wrap_gap_em: float  # blocks.wrap_gap_em
    wrap_reach_em: float  # blocks.wrap_reach_em
    wrap_slack_em: float  # blocks.wrap_slack_em
    inner_edge_factor: float  # blocks.inner_edge_factor
    line_gap_max_em: float  # blocks.line_gap_max_em
    line_gap_step_em: float  # blocks.line_gap_step_em
    default_line_gap_em: float  # blocks.default_line_gap_em
    column_bucket_pt: float  # blocks.column_bucket_pt
    default_body_size_pt: float  # blocks.default_body_size_pt
    no_line_start: frozenset[str]  # blocks.no_line_start
    no_line_end: frozenset[str]  # blocks.no_line_end
    caption_size_ratio: float  # captions.size_ratio
    side_margin_em: float  # captions.side_margin_em
    side_max_chars: int  # captions.side_max_chars
    side_max_size_ratio: float  # captions.side_max_size_ratio
    side_max_width_ratio: float  # captions.side_max_width_ratio
    side_block_gap_em: float  # captions.side_block_gap_em
    side_column_gap_em: float  # captions.side_column_gap_em
    side_near_em: float  # captions.side_near_em
    picture_min_pt: float  # captions.picture_min_pt
    picture_gap_em: float  # captions.picture_gap_em
    picture_width_ratio: float  # captions.picture_width_ratio
    picture_margin_em: float  # captions.picture_margin_em
    picture_cut_below_em: float  # captions.picture_cut_below_em
    picture_caption_gap_em: float  # captions.picture_caption_gap_em
    centred_spread_em: float  # captions.centred_spread_em
    centred_indent_em: float  # captions.centred_indent_em
    centred_first_word_slack_em: float  # captions.centred_first_word_slack_em
    group_gap_em: float  # captions.group_gap_em
    join_captions: bool  # captions.join_wrapped
    band: float  # furniture.band
    repeat_ratio: float  # furniture.repeat_ratio
    repeat_min_pages: int  # furniture.repeat_min_pages
    position_em: float  # furniture.position_em
    clear_em: float  # furniture.clear_em
    lone_header_gap_em: float  # furniture.lone_header_gap_em
    page_number: tuple[re.Pattern[str], ...]  # furniture.page_number_patterns
    min_rule_pt: float  # graphics.min_rule_pt
    min_row_rule_pt: float  # graphics.min_row_rule_pt
    rule_tolerance_pt: float  # graphics.rule_tolerance_pt


_PDF_KEYS: tuple[tuple[str, str, str], ...] = (
    ("same_line_overlap", "lines.same_line_overlap", "num"),
    ("column_gap_em", "lines.column_gap_em", "num"),
    ("word_gap_em", "lines.word_gap_em", "num"),
    ("duplicate_em", "lines.duplicate_em", "num"),
    ("baseline_em", "lines.baseline_em", "num"),
    ("overlap_em", "lines.overlap_em", "num"),
    ("centre_bucket_pt", "lines.centre_bucket_pt", "num"),
    ("centre_buckets", "lines.centre_buckets", "int"),
    ("paragraph_gap_em", "blocks.paragraph_gap_em", "num"),
    ("block_size_ratio", "blocks.size_ratio", "num"),
    ("full_line_em", "blocks.full_line_em", "num"),
    ("first_word_slack_em", "blocks.first_word_slack_em", "num"),
    ("column_align_em", "blocks.column_align_em", "num"),
    ("wrap_gap_em", "blocks.wrap_gap_em", "num"),
    ("wrap_reach_em", "blocks.wrap_reach_em", "num"),
    ("wrap_slack_em", "blocks.wrap_slack_em", "num"),
    ("inner_edge_factor", "blocks.inner_edge_factor", "num"),
    ("line_gap_max_em", "blocks.line_gap_max_em", "num"),
    ("line_gap_step_em", "blocks.line_gap_step_em", "num"),
    ("default_line_gap_em", "blocks.default_line_gap_em", "num"),
    ("column_bucket_pt", "blocks.column_bucket_pt", "num"),
    ("default_body_size_pt", "blocks.default_body_size_pt", "num"),
    ("no_line_start", "blocks.no_line_start", "chars"),
    ("no_line_end", "blocks.no_line_end", "chars"),
    ("caption_size_ratio", "captions.size_ratio", "num"),
    ("side_margin_em", "captions.side_margin_em", "num"),
    ("side_max_chars", "captions.side_max_chars", "int"),
    ("side_max_size_ratio", "captions.side_max_size_ratio", "num"),
    ("side_max_width_ratio", "captions.side_max_width_ratio", "num"),
    ("side_block_gap_em", "captions.side_block_gap_em", "num"),
    ("side_column_gap_em", "captions.side_column_gap_em", "num"),
    ("side_near_em", "captions.side_near_em", "num"),
    ("picture_min_pt", "captions.picture_min_pt", "num"),
    ("picture_gap_em", "captions.picture_gap_em", "num"),
    ("picture_width_ratio", "captions.picture_width_ratio", "num"),
    ("picture_margin_em", "captions.picture_margin_em", "num"),
    ("picture_cut_below_em", "captions.picture_cut_below_em", "num"),
    ("picture_caption_gap_em", "captions.picture_caption_gap_em", "num"),
    ("centred_spread_em", "captions.centred_spread_em", "num"),
    ("centred_indent_em", "captions.centred_indent_em", "num"),
    ("centred_first_word_slack_em", "captions.centred_first_word_slack_em", "num"),
    ("group_gap_em", "captions.group_gap_em", "num"),
    ("join_captions", "captions.join_wrapped", "bool"),
    ("band", "furniture.band", "num"),
    ("repeat_ratio", "furniture.repeat_ratio", "num"),
    ("repeat_min_pages", "furniture.repeat_min_pages", "int"),
    ("position_em", "furniture.position_em", "num"),
    ("clear_em", "furniture.clear_em", "num"),
    ("lone_header_gap_em", "furniture.lone_header_gap_em", "num"),
    ("page_number", "furniture.page_number_patterns", "regexes"),
    ("min_rule_pt", "graphics.min_rule_pt", "num"),
    ("min_row_rule_pt", "graphics.min_row_rule_pt", "num"),
    ("rule_tolerance_pt", "graphics.rule_tolerance_pt", "num"),
)


@dataclass(frozen=True)
class VocabularyRules:
    """rules/vocabulary.toml: program kinds, themes and keyword settings, as written (enrich
    turns the theme terms into normalized forms)."""

    heads: tuple[tuple[str, str], ...]  # (surface head, kind label), longest head first
    themes: tuple[tuple[str, tuple[str, ...]], ...]  # (label, terms), in the file's order
    keyword_pos: tuple[str, ...]  # POS prefixes of content words, e.g. "名詞"
    keyword_exclude_pos: tuple[str, ...]  # POS prefixes that are not content words
    stop_words: frozenset[str]  # normalized forms never counted as keywords


EMPTY_VOCABULARY = VocabularyRules((), (), (), (), frozenset())
VOCABULARY_FILE = "vocabulary.toml"


def _vocabulary_strings(data: dict, key: str, where: str) -> tuple[str, ...]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(s, str) and s for s in items):
        raise RulesError(f"{VOCABULARY_FILE}: key '{where}' must be a list of non-empty strings")
    return tuple(items)


def load_vocabulary(directory: str | Path) -> VocabularyRules:
    """Read and check ``vocabulary.toml``; a rules folder without one has an empty vocabulary."""
    path = Path(directory) / VOCABULARY_FILE
    if not path.exists():
        return EMPTY_VOCABULARY
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{VOCABULARY_FILE}: not valid TOML: {exc}") from None
    kinds = data.get("kinds", {})
    if not isinstance(kinds, dict):
        raise RulesError(f"{VOCABULARY_FILE}: key 'kinds' must be a table")
    owner: dict[str, str] = {}
    for label in kinds:
        for head in _vocabulary_strings(kinds, label, f"kinds.{label}"):
            if head in owner:
                raise RulesError(f"{VOCABULARY_FILE}: key 'kinds.{label}': head {head!r} "
                                 f"is already listed under {owner[head]!r}")
            owner[head] = label
    themes = []
    raw_themes = data.get("themes", [])
    if not isinstance(raw_themes, list):
        raise RulesError(f"{VOCABULARY_FILE}: key 'themes' must be an array of tables")
    for i, t in enumerate(raw_themes):
        if not isinstance(t, dict) or not isinstance(t.get("label"), str) or not t["label"]:
            raise RulesError(f"{VOCABULARY_FILE}: key 'themes[{i}]' needs a label")
        themes.append((t["label"], _vocabulary_strings(t, "terms", f"themes[{i}].terms")))
    kw = data.get("keywords", {})
    if not isinstance(kw, dict):
        raise RulesError(f"{VOCABULARY_FILE}: key 'keywords' must be a table")
    return VocabularyRules(
        heads=tuple(sorted(owner.items(), key=lambda hk: (-len(hk[0]), hk[0]))),
        themes=tuple(themes),
        keyword_pos=_vocabulary_strings(kw, "pos", "keywords.pos"),
        keyword_exclude_pos=_vocabulary_strings(kw, "exclude_pos", "keywords.exclude_pos"),
        stop_words=frozenset(_vocabulary_strings(kw, "stop_words", "keywords.stop_words")),
    )


def _composed(f: _Reader, dotted: str, parts_key: str) -> tuple[re.Pattern[str], ...]:
    """Patterns written with ``${name}`` for the named parts in ``parts_key``, so a part shared
    by several patterns is written once."""
    parts = f.get(parts_key, dict)
    out = []
    for i, text in enumerate(f.get(dotted, list)):
        if not isinstance(text, str):
            raise RulesError(f"{f.path.name}: key '{dotted}[{i}]' must be a string")

        def part(m: re.Match[str], i: int = i) -> str:
            if not isinstance(parts.get(m.group(1)), str):
                raise RulesError(f"{f.path.name}: key '{dotted}[{i}]' names no part "
                                 f"'{m.group(1)}' in [{parts_key}]")
            return parts[m.group(1)]

        out.append(f.regex(f"{dotted}[{i}]", re.sub(r"\$\{(\w+)\}", part, text)))
    return tuple(out)


def _pdf_settings(f: _Reader) -> PdfSettings:
    values: dict[str, Any] = {}
    for name, key, kind in _PDF_KEYS:
        if kind == "regexes":
            values[name] = f.regexes(key)
        elif kind == "chars":
            values[name] = frozenset(f.get(key, str))
        elif kind == "bool":
            values[name] = f.get(key, bool)
        else:
            value = f.get(key, (int, float) if kind == "num" else int)
            if isinstance(value, bool):
                raise RulesError(f"{f.path.name}: key '{key}' must be a number")
            values[name] = float(value) if kind == "num" else value
    return PdfSettings(**values)


def load_rules(directory: str | Path | None = None) -> Rules:
    directory = Path(directory) if directory else DEFAULT_RULES_DIR
    if not directory.is_dir():
        raise RulesError(f"{directory}: rules folder not found")
    files: dict[str, _Reader] = {}
    for name in RULE_FILES:
        path = directory / name
        if name in OPTIONAL_FILES and not path.exists():
            files[name] = _Reader(path, {})
            continue
        files[name] = _Reader(path, _load_toml(path))
    n, f, p = files["normalize.toml"], files["format.toml"], files["programs.toml"]

    ranges = n.strings("normalize.spaces.japanese_ranges")
    japanese_class = "[" + "".join(ranges) + "]"
    n.regex("normalize.spaces.japanese_ranges", japanese_class)

    term = f.get("period.term", str)
    sep = f.get("period.separator", str)
    until = f.get("period.until", str)
    end_term = term.replace("?P<", "?P<end_")
    period_full = f.regex("period.term", f"^(?P<start>{term})(?:{sep}(?P<end>{end_term}))?{until}$")

    forms = []
    for i, form in enumerate(f.get("markers.forms", list)):
        if not isinstance(form, dict) or "pattern" not in form:
            raise RulesError(f"format.toml: key 'markers.forms[{i}]' needs a 'pattern'")
        pat = f.regex(f"markers.forms[{i}].pattern", form["pattern"])
        if "num" not in pat.groupindex and not form.get("requires_known_label"):
            raise RulesError(f"format.toml: key 'markers.forms[{i}].pattern' needs a group named 'num' "
                             "(or requires_known_label, which takes the number from the label)")
        forms.append(MarkerForm(pat, bool(form.get("requires_known_label", False))))

    cats = []
    for i, cat in enumerate(f.get("categories", list)):
        try:
            cats.append(Category(int(cat["number"]), str(cat["canonical"]), tuple(cat["aliases"])))
        except (KeyError, TypeError, ValueError):
            raise RulesError(f"format.toml: key 'categories[{i}]' needs number, canonical and aliases") from None

    header_patterns = _composed(f, "header.patterns", "header.parts")
    for i, pat in enumerate(header_patterns):
        if "title" not in pat.groupindex:
            raise RulesError(f"format.toml: key 'header.patterns[{i}]' needs a group named 'title'")

    pairs = p.strings("lists.pairs")
    for i, pair in enumerate(pairs):
        if len(pair) != 2:
            raise RulesError(f"programs.toml: key 'lists.pairs[{i}]' must be two characters")

    radicals = files["radicals.toml"].get("radicals", dict, {})
    pdf = _pdf_settings(files["pdf.toml"])

    kanji = f.get("period.kanji_numerals", dict)
    return Rules(
        directory=str(directory),
        hash=rules_hash(directory),
        keep_chars=frozenset(n.get("normalize.keep", str)),
        pre_nfkc=dict(n.get("normalize.pre_nfkc", dict)),
        post_nfkc=dict(n.get("normalize.post_nfkc", dict)),
        japanese_class=japanese_class,
        latin_word=n.regex("normalize.spaces.latin_word").pattern,
        keep_space_after_leading_number=n.get("normalize.spaces.keep_space_after_leading_number", bool, False),
        title_patterns=f.regexes("title.patterns"),
        header_patterns=header_patterns,
        muni_line=f.regex("header.muni_line"),
        header_max_continuation=f.get("header.max_continuation_lines", int),
        municipality_types=dict(f.get("header.municipality_types", dict)),
        municipality_fallback=f.regex("header.municipality_fallback"),
        default_prefecture=f.get("header.default_prefecture", str),
        municipality_aliases={str(k): str(v) for k, v in f.get("header.municipality_aliases", dict, {}).items()},
        period_brackets=f.regex("period.brackets"),
        period_label=f.regex("period.label"),
        period_full=period_full,
        period_term=f.regex("period.term"),
        period_label_only=f.regex("period.label_only"),
        period_duration=f.regex("period.duration"),
        fiscal_year_start_month=f.get("period.fiscal_year_start_month", int),
        eras={k: int(v) for k, v in f.get("period.eras", dict).items()},
        kanji_digits={k: int(v) for k, v in kanji.get("digits", {}).items()},
        kanji_units={k: int(v) for k, v in kanji.get("units", {}).items()},
        first_year=str(kanji.get("first_year", "元")),
        marker_forms=tuple(forms),
        marker_not_followed_by=f.regex("markers.not_followed_by"),
        marker_max_number=f.get("markers.max_number", int),
        marker_label_shape=f.regex("markers.label_shape"),
        categories=tuple(cats),
        furniture_patterns=f.regexes("furniture.patterns"),
        contact_label=f.regex("furniture.contact"),
        title_page_number=f.regex("furniture.title_page_number"),
        label_patterns=f.regexes("labels.patterns"),
        overview_label=f.regex("labels.overview"),
        caption_max_chars=f.get("captions.max_chars", int),
        caption_marker=f.regex("captions.marker"),
        caption_endings=f.strings("captions.endings"),
        sentence_end=f.regex("captions.sentence_end"),
        block_openers=f.strings("breaks.block_openers"),
        closing_brackets=f.strings("breaks.closing_brackets"),
        clause_ends=f.get("breaks.clause_ends", str),
        quotes=f.strings("breaks.quotes"),
        label_brackets=f.get("labels.brackets", str),
        period_year_cut=f.regex("period.year_cut"),
        pairs=pairs,
        trailing_after_list=p.regex("lists.trailing_after_list"),
        trailing_after_bare=p.regex("lists.trailing_after_bare"),
        list_brackets=p.strings("lists.list_brackets"),
        separators=p.strings("lists.separators"),
        coordinators=tuple(sorted(p.strings("lists.coordinators"), key=len, reverse=True)),
        bullets=p.regex("lists.bullets"),
        list_label=p.regex("lists.list_label"),
        closers=tuple(sorted(p.strings("lists.closers"), key=len, reverse=True)),
        none_words=p.strings("lists.none_words"),
        none_pattern=p.regex("lists.none_pattern"),
        inline_lists=p.regexes("lists.inline_lists"),
        not_list_patterns=p.regexes("not_lists.patterns"),
        name_parentheticals=p.regexes("items.name_parentheticals"),
        quoted_tail=p.regex("items.quoted_tail"),
        head_nouns=tuple(sorted(p.strings("items.head_nouns"), key=len, reverse=True)),
        final_pos=p.strings("items.final_pos"),
        space_pos=p.get("items.space_pos", str),
        symbol_pos=p.get("items.symbol_pos", str),
        gloss_after_pos=p.strings("items.gloss_after_pos"),
        clause_particles=p.strings("items.clause_particles"),
        gloss_max_chars=p.get("items.gloss_max_chars", int),
        pdf=pdf,
        radicals={str(k): str(v) for k, v in radicals.items()},
        vocabulary=load_vocabulary(directory),
        municipalities_path=str(directory / "municipalities.csv"),
    )


INPUTS_FILE = "inputs.toml"


def folder_suffixes(rules_dir: str | Path | None) -> tuple[str, ...]:
    """The suffixes a folder run reads (inputs.toml); a rules folder without one uses the
    package's. Not part of the rules hash: which files are read changes no table."""
    path = Path(rules_dir or DEFAULT_RULES_DIR) / INPUTS_FILE
    if not path.exists():
        path = DEFAULT_RULES_DIR / INPUTS_FILE
    try:
        suffixes = tomllib.loads(path.read_text(encoding="utf-8"))["folder"]["suffixes"]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(f"{path}: cannot be read as TOML: {exc}") from None
    except (KeyError, TypeError):
        raise RulesError(f"{path}: key 'folder.suffixes' is missing") from None
    if not isinstance(suffixes, list) or not all(isinstance(s, str) and s.startswith(".") for s in suffixes):
        raise RulesError(f"{path}: key 'folder.suffixes' must be a list of suffixes such as \".txt\"")
    return tuple(s.lower() for s in suffixes)


def describe(rules: Rules) -> str:
    """The effective rules as text, for ``python -m pipeline rules``."""
    lines = [f"rules: {rules.directory}", f"hash: {rules.hash}", ""]
    directory = Path(rules.directory)
    # inputs.toml says which files a folder run reads; it is shown, though not hashed (it
    # changes no table).
    for name in (*RULE_FILES, INPUTS_FILE):
        path = directory / name
        if path.exists():
            lines.append(f"# ---- {name} ----")
            lines.append(path.read_text(encoding="utf-8").rstrip())
            lines.append("")
    return "\n".join(lines)
