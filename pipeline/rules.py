"""Load, validate and hash the format knowledge in ``rules/``.

Every pattern, label and vocabulary the pipeline recognizes lives in TOML files there.
This module turns them into one frozen ``Rules`` value; a missing key or a bad pattern is
a ``RulesError`` that names the file and the key.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import RulesError
from .rule_files import (
    DEFAULT_RULES_DIR,
    INPUTS_FILE,
    HtmlSettings,
    LinkRules,
    PdfSettings,
    VocabularyRules,
    _checked_municipalities,
    _composed,
    _composed_one,
    _html_settings,
    _load_toml,
    _pdf_settings,
    _Reader,
    load_links,
    load_vocabulary,
)

# The TOML files that make up the rules; all of them are hashed.
RULE_FILES = ("normalize.toml", "format.toml", "programs.toml", "pdf.toml", "html.toml", "radicals.toml",
              "vocabulary.toml", "links.toml")


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
class HeaderEvidenceRules:
    """format.toml [header.evidence]: a plan header found from its cues."""

    min_cues: int
    max_chars: int
    max_lines: int
    lead: re.Pattern[str]
    quoted_title: re.Pattern[str]
    bare_title: re.Pattern[str]
    bracketed: re.Pattern[str]
    sentence: re.Pattern[str]
    period_cue: re.Pattern[str]
    date: re.Pattern[str]
    filler: re.Pattern[str]
    period_search: re.Pattern[str]  # the [period] grammar, unanchored
    heading_ranks: int
    announcement_lookahead: int


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
    evidence: HeaderEvidenceRules
    plan_words: tuple[str, ...]
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
    sequence_label_max_chars: int
    categories: tuple[Category, ...]
    furniture_patterns: tuple[re.Pattern[str], ...]
    contact_label: re.Pattern[str]
    title_page_number: re.Pattern[str]
    label_patterns: tuple[re.Pattern[str], ...]
    overview_label: re.Pattern[str]
    caption_max_chars: int
    caption_marker: re.Pattern[str]
    caption_placeholder: re.Pattern[str]
    caption_endings: tuple[str, ...]
    caption_after: tuple[str, ...]
    sentence_end: re.Pattern[str]
    block_openers: tuple[str, ...]
    closing_brackets: tuple[str, ...]
    clause_ends: str
    quotes: tuple[str, ...]
    label_brackets: str
    label_text_separators: str
    hard_wrap_min_width: int
    hard_wrap_min_lines: int
    hard_wrap_min_share: float
    hard_wrap_tolerance: int
    period_year_cut: re.Pattern[str]
    period_number_cut: re.Pattern[str]
    # programs.toml
    pairs: tuple[str, ...]
    trailing_after_list: re.Pattern[str]
    trailing_after_bare: re.Pattern[str]
    list_brackets: tuple[str, ...]
    separators: tuple[str, ...]
    coordinators: tuple[str, ...]
    sentence_stops: str
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
    verbal_noun_pos: tuple[tuple[str, ...], ...]
    activity_endings: tuple[str, ...]
    activity_separators: tuple[str, ...]
    program_heads: tuple[str, ...]
    particle_pos: str
    explanation_particles: tuple[str, ...]
    # pdf.toml: the PDF reader's layout tolerances
    pdf: PdfSettings
    # html.toml: the HTML reader's content, furniture and line rules
    html: HtmlSettings
    # vocabulary.toml: program kinds, themes, keywords
    vocabulary: VocabularyRules
    # radicals.toml: CJK radical code points -> unified ideographs
    radicals: dict[str, str]
    # links.toml: how program names of successive plans are lined up (pipeline.links)
    links: LinkRules
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


def rules_hash(directory: Path) -> str:
    digest = hashlib.sha256()
    for name in RULE_FILES + DATA_FILES:
        path = directory / name
        if path.exists():
            try:
                data = path.read_bytes()
            except OSError as exc:  # a folder where the file should be, no permission
                raise RulesError(f"{path}: cannot be read: {exc.strerror}") from None
            digest.update(name.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()[:16]


def load_rules(directory: str | Path | None = None) -> Rules:
    directory = Path(directory) if directory else DEFAULT_RULES_DIR
    if not directory.is_dir():
        what = "is a file, not a rules folder" if directory.exists() else "rules folder not found"
        raise RulesError(f"{directory}: {what}")
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
    evidence = HeaderEvidenceRules(
        min_cues=f.get("header.evidence.min_cues", int),
        max_chars=f.get("header.evidence.max_chars", int),
        max_lines=f.get("header.evidence.max_lines", int),
        heading_ranks=f.get("header.evidence.heading_ranks", int),
        announcement_lookahead=f.get("header.evidence.announcement_lookahead", int),
        lead=_composed_one(f, "header.parts.lead", "header.parts"),
        quoted_title=_composed_one(f, "header.evidence.quoted_title", "header.parts"),
        bare_title=_composed_one(f, "header.evidence.bare_title", "header.parts"),
        bracketed=f.regex("header.evidence.bracketed"),
        sentence=f.regex("header.evidence.sentence"),
        period_cue=f.regex("header.evidence.period_cue"),
        date=f.regex("header.evidence.date"),
        filler=_composed_one(f, "header.evidence.filler", "header.parts"),
        period_search=f.regex("period.term", f"(?:{f.get('period.label', str).lstrip('^')})?"
                              f"(?P<start>{term})(?:{sep}(?P<end>{end_term}))?{until}"),
    )
    for i, pat in enumerate(header_patterns):
        if "title" not in pat.groupindex:
            raise RulesError(f"format.toml: key 'header.patterns[{i}]' needs a group named 'title'")

    pairs = p.strings("lists.pairs")
    for i, pair in enumerate(pairs):
        if len(pair) != 2:
            raise RulesError(f"programs.toml: key 'lists.pairs[{i}]' must be two characters")

    radicals = files["radicals.toml"].get("radicals", dict, {})
    pdf = _pdf_settings(files["pdf.toml"])
    html = _html_settings(files["html.toml"])

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
        evidence=evidence,
        plan_words=f.strings("header.evidence.plan_words"),
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
        sequence_label_max_chars=f.get("markers.sequence_label_max_chars", int),
        categories=tuple(cats),
        furniture_patterns=f.regexes("furniture.patterns"),
        contact_label=f.regex("furniture.contact"),
        title_page_number=f.regex("furniture.title_page_number"),
        label_patterns=f.regexes("labels.patterns"),
        overview_label=f.regex("labels.overview"),
        caption_max_chars=f.get("captions.max_chars", int),
        caption_marker=f.regex("captions.marker"),
        caption_placeholder=f.regex("captions.placeholder"),
        caption_endings=f.strings("captions.endings"),
        caption_after=f.strings("captions.caption_after"),
        sentence_end=f.regex("captions.sentence_end"),
        block_openers=f.strings("breaks.block_openers"),
        closing_brackets=f.strings("breaks.closing_brackets"),
        clause_ends=f.get("breaks.clause_ends", str),
        quotes=f.strings("breaks.quotes"),
        label_brackets=f.get("labels.brackets", str),
        label_text_separators=f.get("labels.text_separators", str),
        hard_wrap_min_width=f.get("breaks.hard_wrap_min_width", int),
        hard_wrap_min_lines=f.get("breaks.hard_wrap_min_lines", int),
        hard_wrap_min_share=f.get("breaks.hard_wrap_min_share", float),
        hard_wrap_tolerance=f.get("breaks.hard_wrap_tolerance", int),
        period_year_cut=f.regex("period.year_cut"),
        period_number_cut=f.regex("period.number_cut"),
        pairs=pairs,
        trailing_after_list=p.regex("lists.trailing_after_list"),
        trailing_after_bare=p.regex("lists.trailing_after_bare"),
        list_brackets=p.strings("lists.list_brackets"),
        separators=p.strings("lists.separators"),
        coordinators=tuple(sorted(p.strings("lists.coordinators"), key=len, reverse=True)),
        sentence_stops=p.get("lists.sentence_stops", str),
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
        verbal_noun_pos=tuple(tuple(str(x) for x in pos) for pos in p.get("activities.verbal_noun_pos", list)),
        activity_endings=p.strings("activities.activity_endings"),
        activity_separators=p.strings("activities.activity_separators"),
        program_heads=tuple(sorted(p.strings("activities.program_heads"), key=len, reverse=True)),
        particle_pos=p.get("activities.particle_pos", str),
        explanation_particles=p.strings("activities.explanation_particles"),
        pdf=pdf,
        html=html,
        radicals={str(k): str(v) for k, v in radicals.items()},
        vocabulary=load_vocabulary(directory),
        links=load_links(files["links.toml"]),
        municipalities_path=_checked_municipalities(directory / "municipalities.csv"),
    )


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
