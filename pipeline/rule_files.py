"""Reading the files of rules/: TOML read and type-checked key by key (every message names the
file and key), and the typed parts the loader in ``rules`` puts together: the PDF layout
settings, the vocabulary, the input suffixes, patterns composed from named parts, and the
municipality code list checked once.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import RulesError

DEFAULT_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


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
        if not isinstance(text, str):
            raise RulesError(f"{self.path.name}: key '{dotted}' must be a string (a pattern)")
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
    except UnicodeDecodeError as exc:
        raise RulesError(f"{path.name}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:  # a folder where the file should be, no permission
        raise RulesError(f"{path}: cannot be read: {exc.strerror}") from None


@dataclass(frozen=True)
class PdfSettings:
    """rules/pdf.toml, typed: the PDF reader's layout tolerances. Every key is required, so the
    values live in the file only; see its comments for what each one means."""

    same_line_overlap: float  # lines.same_line_overlap
    column_gap_em: float  # lines.column_gap_em
    gutter_min_em: float  # lines.gutter_min_em
    gutter_align_em: float  # lines.gutter_align_em
    gutter_min_lines: int  # lines.gutter_min_lines
    gutter_min_run_lines: int  # lines.gutter_min_run_lines
    gutter_min_left_em: float  # lines.gutter_min_left_em
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
    line_gap_min_share: float  # blocks.line_gap_min_share
    hanging_indent_em: float  # blocks.hanging_indent_em
    line_gap_min_count: int  # blocks.line_gap_min_count
    column_bucket_pt: float  # blocks.column_bucket_pt
    default_body_size_pt: float  # blocks.default_body_size_pt
    no_line_start: frozenset[str]  # blocks.no_line_start
    no_line_end: frozenset[str]  # blocks.no_line_end
    caption_size_ratio: float  # captions.size_ratio
    side_margin_em: float  # captions.side_margin_em
    side_max_chars: int  # captions.side_max_chars
    side_never_starts: frozenset[str]  # captions.side_never_starts
    side_max_size_ratio: float  # captions.side_max_size_ratio
    side_max_width_ratio: float  # captions.side_max_width_ratio
    side_block_gap_em: float  # captions.side_block_gap_em
    side_column_gap_em: float  # captions.side_column_gap_em
    side_text_min_lines: int  # captions.side_text_min_lines
    side_text_room_ratio: float  # captions.side_text_room_ratio
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
    pdfium_cid_unicode: dict[str, str]  # pdfium.cid_unicode


_PDF_KEYS: tuple[tuple[str, str, str], ...] = (
    ("same_line_overlap", "lines.same_line_overlap", "num"),
    ("column_gap_em", "lines.column_gap_em", "num"),
    ("gutter_min_em", "lines.gutter_min_em", "num"),
    ("gutter_align_em", "lines.gutter_align_em", "num"),
    ("gutter_min_lines", "lines.gutter_min_lines", "int"),
    ("gutter_min_run_lines", "lines.gutter_min_run_lines", "int"),
    ("gutter_min_left_em", "lines.gutter_min_left_em", "num"),
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
    ("line_gap_min_share", "blocks.line_gap_min_share", "num"),
    ("hanging_indent_em", "blocks.hanging_indent_em", "num"),
    ("line_gap_min_count", "blocks.line_gap_min_count", "int"),
    ("column_bucket_pt", "blocks.column_bucket_pt", "num"),
    ("default_body_size_pt", "blocks.default_body_size_pt", "num"),
    ("no_line_start", "blocks.no_line_start", "chars"),
    ("no_line_end", "blocks.no_line_end", "chars"),
    ("caption_size_ratio", "captions.size_ratio", "num"),
    ("side_margin_em", "captions.side_margin_em", "num"),
    ("side_max_chars", "captions.side_max_chars", "int"),
    ("side_never_starts", "captions.side_never_starts", "chars"),
    ("side_max_size_ratio", "captions.side_max_size_ratio", "num"),
    ("side_max_width_ratio", "captions.side_max_width_ratio", "num"),
    ("side_block_gap_em", "captions.side_block_gap_em", "num"),
    ("side_column_gap_em", "captions.side_column_gap_em", "num"),
    ("side_text_min_lines", "captions.side_text_min_lines", "int"),
    ("side_text_room_ratio", "captions.side_text_room_ratio", "num"),
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
    ("pdfium_cid_unicode", "pdfium.cid_unicode", "charmap"),
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


def _checked_municipalities(path: Path) -> str:
    """The code list's path, once it reads: a damaged list stops the run here, with one line,
    instead of failing every document later."""
    if path.exists():
        from .municipalities import load_municipalities

        try:
            if not load_municipalities(path):
                raise ValueError("no municipality in it")
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise RulesError(f"{path.name}: {exc}") from None
    return str(path)


def _composed(f: _Reader, dotted: str, parts_key: str) -> tuple[re.Pattern[str], ...]:
    """Patterns written with ``${name}`` for the named parts in ``parts_key``, so a part shared
    by several patterns is written once."""
    out = []
    for i, text in enumerate(f.get(dotted, list)):
        if not isinstance(text, str):
            raise RulesError(f"{f.path.name}: key '{dotted}[{i}]' must be a string")
        out.append(_compose(f, f"{dotted}[{i}]", text, parts_key))
    return tuple(out)


def _composed_one(f: _Reader, dotted: str, parts_key: str) -> re.Pattern[str]:
    """One pattern written with ``${name}`` parts (see ``_composed``)."""
    return _compose(f, dotted, f.get(dotted, str), parts_key)


def _compose(f: _Reader, key: str, text: str, parts_key: str) -> re.Pattern[str]:
    parts = f.get(parts_key, dict)

    def part(m: re.Match[str]) -> str:
        if not isinstance(parts.get(m.group(1)), str):
            raise RulesError(f"{f.path.name}: key '{key}' names no part '{m.group(1)}' in [{parts_key}]")
        return parts[m.group(1)]

    return f.regex(key, re.sub(r"\$\{(\w+)\}", part, text))


def _pdf_settings(f: _Reader) -> PdfSettings:
    values: dict[str, Any] = {}
    for name, key, kind in _PDF_KEYS:
        if kind == "regexes":
            values[name] = f.regexes(key)
        elif kind == "chars":
            values[name] = frozenset(f.get(key, str))
        elif kind == "bool":
            values[name] = f.get(key, bool)
        elif kind == "charmap":
            table = f.get(key, dict)
            for k, v in table.items():
                if len(k) != 1 or not isinstance(v, str) or len(v) != 1:
                    raise RulesError(f"{f.path.name}: key '{key}' must map one character to one character "
                                     f"(not {k!r} = {v!r})")
            values[name] = dict(table)
        else:
            value = f.get(key, (int, float) if kind == "num" else int)
            # A tolerance is a finite number, never below zero: nan would make every comparison
            # false, and a negative gap turn the layout inside out.
            if isinstance(value, bool) or not math.isfinite(value) or value < 0:
                raise RulesError(f"{f.path.name}: key '{key}' must be a number, zero or more")
            values[name] = float(value) if kind == "num" else value
    return PdfSettings(**values)


@dataclass(frozen=True)
class HtmlSettings:
    """rules/html.toml, typed: how the HTML reader finds a page's content, its furniture and
    its lines. Every key is required; see the file's comments for what each one means. Tag,
    role, id and class names are lower case."""

    charset_scan_bytes: int  # charset.scan_bytes
    charset_names: dict[str, str]  # charset.names: declared name -> utf-8 | cp932 | euc-jp
    not_text: frozenset[str]  # blocks.not_text
    hidden_style: re.Pattern[str]  # blocks.hidden_style
    hidden_classes: frozenset[str]  # blocks.hidden_classes
    paragraphs: frozenset[str]  # blocks.paragraphs
    lines: frozenset[str]  # blocks.lines
    captions: frozenset[str]  # blocks.captions
    row_cell_max_breaks: int  # blocks.row_cell_max_breaks
    content_tags: tuple[str, ...]  # content.tags
    content_roles: tuple[str, ...]  # content.roles
    content_ids: tuple[str, ...]  # content.ids
    content_classes: tuple[str, ...]  # content.classes
    content_min_share: float  # content.min_share
    furniture_tags: frozenset[str]  # furniture.tags
    landmarks: frozenset[str]  # furniture.landmarks
    landmark_scopes: frozenset[str]  # furniture.landmark_scopes
    furniture_roles: frozenset[str]  # furniture.roles
    furniture_names: tuple[re.Pattern[str], ...]  # furniture.names
    page_names: tuple[re.Pattern[str], ...]  # furniture.page_names
    furniture_texts: tuple[re.Pattern[str], ...]  # furniture.texts
    caption_beside_max_chars: int  # images.caption_beside_max_chars
    text_images_in: frozenset[str]  # images.text_images_in
    icon_max_px: int  # images.icon_max_px
    icon_alts: tuple[re.Pattern[str], ...]  # images.icon_alts


HTML_DECODERS = ("utf-8", "cp932", "euc-jp")  # what charset.names may map to


def _html_settings(f: _Reader) -> HtmlSettings:
    def names(key: str) -> tuple[str, ...]:
        items = f.strings(key)
        for i, item in enumerate(items):
            if not item or item != item.strip() or any(c.isspace() for c in item):
                raise RulesError(f"{f.path.name}: key '{key}[{i}]' must be a name without spaces")
        return tuple(item.lower() for item in items)

    def count(key: str, least: int) -> int:
        value = f.get(key, int)
        if isinstance(value, bool) or value < least:
            raise RulesError(f"{f.path.name}: key '{key}' must be an integer, {least} or more")
        return value

    def share(key: str) -> float:
        value = f.get(key, (int, float))
        if isinstance(value, bool) or not 0 <= value <= 1:
            raise RulesError(f"{f.path.name}: key '{key}' must be a number from 0 to 1")
        return float(value)

    charsets = f.get("charset.names", dict)
    for name, decoder in charsets.items():
        if not isinstance(decoder, str) or decoder not in HTML_DECODERS:
            raise RulesError(f"{f.path.name}: key 'charset.names.{name}' must be one of {', '.join(HTML_DECODERS)}")
    return HtmlSettings(
        charset_scan_bytes=count("charset.scan_bytes", 64),
        charset_names={str(k).lower(): v for k, v in charsets.items()},
        not_text=frozenset(names("blocks.not_text")),
        hidden_style=f.regex("blocks.hidden_style"),
        hidden_classes=frozenset(names("blocks.hidden_classes")),
        paragraphs=frozenset(names("blocks.paragraphs")),
        lines=frozenset(names("blocks.lines")),
        captions=frozenset(names("blocks.captions")),
        row_cell_max_breaks=count("blocks.row_cell_max_breaks", 0),
        content_tags=names("content.tags"),
        content_roles=names("content.roles"),
        content_ids=names("content.ids"),
        content_classes=names("content.classes"),
        content_min_share=share("content.min_share"),
        furniture_tags=frozenset(names("furniture.tags")),
        landmarks=frozenset(names("furniture.landmarks")),
        landmark_scopes=frozenset(names("furniture.landmark_scopes")),
        furniture_roles=frozenset(names("furniture.roles")),
        furniture_names=f.regexes("furniture.names"),
        page_names=f.regexes("furniture.page_names"),
        furniture_texts=f.regexes("furniture.texts"),
        caption_beside_max_chars=count("images.caption_beside_max_chars", 0),
        text_images_in=frozenset(names("images.text_images_in")),
        icon_max_px=count("images.icon_max_px", 0),
        icon_alts=f.regexes("images.icon_alts"),
    )


INPUTS_FILE = "inputs.toml"


@dataclass(frozen=True)
class FolderRules:
    """rules/inputs.toml, typed: which files a folder run reads."""

    suffixes: tuple[str, ...]  # folder.suffixes, lower case
    asset_folder_suffixes: tuple[str, ...]  # saved_pages.asset_folder_suffixes
    page_suffixes: tuple[str, ...]  # saved_pages.page_suffixes, lower case


def folder_rules(rules_dir: str | Path | None) -> FolderRules:
    """What a folder run reads (inputs.toml); a rules folder without one uses the package's.
    Not part of the rules hash: which files are read changes no table."""
    path = Path(rules_dir or DEFAULT_RULES_DIR) / INPUTS_FILE
    if not path.exists():
        path = DEFAULT_RULES_DIR / INPUTS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(f"{path}: cannot be read as TOML: {exc}") from None

    def endings(key: str, first: str, example: str) -> tuple[str, ...]:
        node = data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise RulesError(f"{path}: key '{key}' is missing")
            node = node[part]
        if not isinstance(node, list) or not node or not all(
                isinstance(s, str) and len(s) > 1 and s.startswith(first) and "/" not in s for s in node):
            raise RulesError(f"{path}: key '{key}' must be a list of name endings such as \"{example}\"")
        return tuple(node)

    suffixes = endings("folder.suffixes", ".", ".txt")
    assets = endings("saved_pages.asset_folder_suffixes", "", "_files")
    pages = endings("saved_pages.page_suffixes", ".", ".html")
    return FolderRules(tuple(s.lower() for s in suffixes), assets, tuple(s.lower() for s in pages))


@dataclass(frozen=True)
class Rewrite:
    """One replacement of links.toml: ``old`` becomes ``new`` (empty: removed)."""

    old: str
    new: str


@dataclass(frozen=True)
class LinkRules:
    """rules/links.toml, typed: how program names of successive plans are lined up. Every key is
    required, so the values live in the file only; see its comments for what each one means."""

    ignore: re.Pattern[str]  # same.ignore
    brackets: tuple[str, ...]  # variant.brackets: two characters each
    quotes: tuple[str, ...]  # variant.quotes: two characters each
    fold_case: bool  # variant.fold_case
    orthography: tuple[Rewrite, ...]  # variant.orthography, anywhere in the name
    suffixes: tuple[Rewrite, ...]  # variant.suffixes, at the end of the name
    threshold: float  # similarity.threshold
    review_band: float  # similarity.review_band
    generic_weight: float  # similarity.generic_weight
    generic: frozenset[str]  # similarity.generic: normalized forms
    generic_pos: tuple[str, ...]  # similarity.generic_pos: part-of-speech prefixes
    ignore_pos: tuple[str, ...]  # similarity.ignore_pos
    contrasts: tuple[tuple[str, str], ...]  # similarity.contrasts: word pairs
    head_kinds: tuple[tuple[str, tuple[str, ...]], ...]  # similarity.head_kinds: kind -> endings

    @property
    def cut(self) -> float:
        """The lowest score linked as renamed."""
        return round(self.threshold - self.review_band, 6)


LINKS_FILE = "links.toml"


def load_links(f: _Reader) -> LinkRules:
    """Read and check links.toml (already parsed into ``f``)."""
    def pairs(key: str) -> tuple[str, ...]:
        items = f.strings(key)
        for i, pair in enumerate(items):
            if len(pair) != 2:
                raise RulesError(f"{f.path.name}: key '{key}[{i}]' must be two characters, an opening and a closing one")
        return items

    def rewrites(key: str, *, empty_new: bool) -> tuple[Rewrite, ...]:
        out = []
        for i, item in enumerate(f.get(key, list)):
            if not isinstance(item, dict) or set(item) != {"from", "to"} \
                    or not all(isinstance(item[k], str) for k in ("from", "to")) or not item["from"] \
                    or (not empty_new and not item["to"]):
                what = "text" if empty_new else "text, 'to' not empty"
                raise RulesError(f"{f.path.name}: key '{key}[{i}]' needs 'from' and 'to' ({what}), nothing else")
            out.append(Rewrite(item["from"], item["to"]))
        return tuple(out)

    def fraction(key: str) -> float:
        value = f.get(key, (int, float))
        if isinstance(value, bool) or not math.isfinite(value) or not 0 <= value <= 1:
            raise RulesError(f"{f.path.name}: key '{key}' must be a number from 0 to 1")
        return float(value)

    def contrasts() -> tuple[tuple[str, str], ...]:
        pairs = f.get("similarity.contrasts", list)
        if not all(isinstance(p, list) and len(p) == 2 and all(isinstance(w, str) and w for w in p) for p in pairs):
            raise RulesError(f"{f.path.name}: key 'similarity.contrasts' must be a list of word pairs such as "
                             '["国内", "海外"]')
        return tuple((a, b) for a, b in pairs)

    threshold, band = fraction("similarity.threshold"), fraction("similarity.review_band")
    if not 0 < threshold - band or threshold + band > 1:
        raise RulesError(f"{f.path.name}: key 'similarity.review_band' must keep threshold ± review_band "
                         "above 0 and at most 1")
    return LinkRules(
        ignore=f.regex("same.ignore"),
        brackets=pairs("variant.brackets"),
        quotes=pairs("variant.quotes"),
        fold_case=f.get("variant.fold_case", bool),
        orthography=rewrites("variant.orthography", empty_new=False),
        suffixes=rewrites("variant.suffixes", empty_new=True),
        threshold=threshold,
        review_band=band,
        generic_weight=fraction("similarity.generic_weight"),
        generic=frozenset(f.strings("similarity.generic")),
        generic_pos=f.strings("similarity.generic_pos"),
        ignore_pos=f.strings("similarity.ignore_pos"),
        contrasts=contrasts(),
        head_kinds=tuple((str(kind), tuple(f.strings(f"similarity.head_kinds.{kind}")))
                         for kind in f.get("similarity.head_kinds", dict)),
    )


def read_links(directory: str | Path | None = None) -> LinkRules:
    """links.toml of a rules folder (the package's by default) alone, without the other rules."""
    path = Path(directory or DEFAULT_RULES_DIR) / LINKS_FILE
    return load_links(_Reader(path, _load_toml(path)))
