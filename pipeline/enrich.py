"""Enrichment of the table rows: program kinds, themes and keywords.

Kinds come from the surface head of a program name; themes and keywords from SudachiPy's
normalized forms, so spelling variants meet. The vocabulary is ``rules/vocabulary.toml``;
this module only knows how to match it. Everything here reads rows that ``document_rows``
already built, and returns new values. (Municipality codes and checks: ``municipalities``.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from .extract.tokens import tokenize
from .rule_files import VocabularyRules


@dataclass(frozen=True)
class Term:
    text: str  # as written in the vocabulary
    key: str  # normalized forms joined, casefolded
    end_boundary: bool  # must end at a word boundary (terms ending in a Latin letter or digit)


@dataclass(frozen=True)
class Theme:
    label: str
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Vocabulary:
    heads: tuple[tuple[str, str], ...]  # (surface head, kind label), longest head first
    themes: tuple[Theme, ...]
    keyword_pos: tuple[str, ...]  # POS prefixes of content words, e.g. "名詞"
    keyword_exclude_pos: tuple[str, ...]  # POS prefixes that are not content words
    stop_words: frozenset[str]  # normalized forms never counted as keywords
    # Every theme term's key in one Aho–Corasick automaton: a text is scanned once for all of
    # them. ``by_key[k]``: the (theme index, term) pairs whose key is pattern k.
    matcher: object = field(default=None, compare=False, repr=False)
    by_key: tuple[tuple[tuple[int, Term], ...], ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Normalized:
    """A text as its Sudachi normalized forms: joined, with the word boundaries."""

    text: str
    starts: frozenset[int]
    ends: frozenset[int]


# --------------------------------------------------------------------------- vocabulary


def compile_vocabulary(words: VocabularyRules) -> Vocabulary:
    """rules/vocabulary.toml as read by the rules loader, with every theme term in normalized
    forms (through the same tokenizer as the texts it is matched against)."""
    import ahocorasick_rs

    themes = []
    for label, texts in words.themes:
        terms = tuple(_term(s) for s in texts)
        themes.append(Theme(label, tuple(x for x in terms if x.key)))
    by_key: dict[str, list[tuple[int, Term]]] = {}
    for k, theme in enumerate(themes):
        for term in theme.terms:
            by_key.setdefault(term.key, []).append((k, term))
    matcher = ahocorasick_rs.AhoCorasick(list(by_key)) if by_key else None
    return Vocabulary(heads=words.heads, themes=tuple(themes), keyword_pos=words.keyword_pos,
                      keyword_exclude_pos=words.keyword_exclude_pos, stop_words=words.stop_words,
                      matcher=matcher, by_key=tuple(tuple(v) for v in by_key.values()))


def _term(text: str) -> Term:
    # The term goes through the same tokenizer as the text, so both sides normalize alike.
    return Term(text, normalized(text).text, text[-1].isascii() and text[-1].isalnum())


_VOCABULARIES: dict[tuple[str, str], Vocabulary] = {}


def vocabulary_for(rules) -> Vocabulary:
    """The vocabulary of a rules folder, read once per process and rules hash."""
    key = (rules.directory, rules.hash)
    if key not in _VOCABULARIES:
        _VOCABULARIES[key] = compile_vocabulary(rules.vocabulary)
    return _VOCABULARIES[key]


# --------------------------------------------------------------------------- matching


@lru_cache(maxsize=8192)
def normalized(text: str) -> Normalized:
    """Normalized forms of ``text``, joined; spaces dropped so せたがや Pay = せたがやPay."""
    parts: list[str] = []
    starts: set[int] = set()
    ends: set[int] = set()
    n = 0
    for t in tokenize(text):
        if not t.normalized.strip():  # white space (Sudachi's 空白) has a blank normalized form
            continue
        form = t.normalized.casefold()
        starts.add(n)
        parts.append(form)
        n += len(form)
        ends.add(n)
    return Normalized("".join(parts), frozenset(starts), frozenset(ends))


def _matches(norm: Normalized, term: Term) -> bool:
    """Whether ``term`` occurs in the text starting at a word boundary (and, for a term that
    ends in a Latin letter or digit, ending at one). One term at a time: the reference for
    ``themes_of``'s one pass over all terms."""
    k = norm.text.find(term.key)
    while k >= 0:
        if k in norm.starts and (not term.end_boundary or k + len(term.key) in norm.ends):
            return True
        k = norm.text.find(term.key, k + 1)
    return False


def themes_of(texts: Iterable[str], vocab: Vocabulary) -> tuple[str, ...]:
    """Theme labels any of ``texts`` mentions, in vocabulary order."""
    if vocab.matcher is None:
        return ()
    found: set[int] = set()
    for text in texts:
        if not text:
            continue
        n = normalized(text)
        # Every occurrence of every term (overlapping ones too), in one pass over the text.
        for key, start, end in vocab.matcher.find_matches_as_indexes(n.text, overlapping=True):
            if start in n.starts:
                found.update(k for k, term in vocab.by_key[key] if not term.end_boundary or end in n.ends)
    return tuple(th.label for k, th in enumerate(vocab.themes) if k in found)


def program_kind(name: str, vocab: Vocabulary, quoted_tail) -> str | None:
    """Kind of a program from the longest listed head its name ends in (quoted tail set aside)."""
    from .extract.lists import strip_tail

    core = strip_tail(quoted_tail, name).rstrip() or name
    for head, kind in vocab.heads:
        if core.endswith(head):
            return kind
    return None


def keywords(texts: Iterable[str], vocab: Vocabulary) -> Counter[tuple[str, str]]:
    """Content words of ``texts``: (normalized form, major POS) -> count."""
    counts: Counter[tuple[str, str]] = Counter()
    content = _content_pos(vocab.keyword_pos, vocab.keyword_exclude_pos)
    for text in texts:
        for t in tokenize(text) if text else ():
            if not content(t.pos):
                continue
            form = t.normalized.strip()
            if form and form not in vocab.stop_words:
                counts[(form, t.pos[0])] += 1
    return counts


@lru_cache(maxsize=16)
def _content_pos(keep: tuple[str, ...], exclude: tuple[str, ...]):
    """Whether a part of speech is a content word's, decided once per POS tuple (a few
    hundred occur) rather than once per token."""

    @lru_cache(maxsize=4096)
    def content(pos: tuple[str, ...]) -> bool:
        joined = "-".join(p for p in pos if p != "*")
        return joined.startswith(keep) and not joined.startswith(exclude)

    return content


# --------------------------------------------------------------------------- rows


def enrich_rows(out: dict[str, list[dict]], rules) -> dict[str, list[dict]]:
    """The rows of one document with kinds, themes and the keywords table filled in."""
    vocab = vocabulary_for(rules)
    programs = []
    themes_by_measure: dict[str, set[str]] = {}
    for row in out["programs"]:
        themes = themes_of([row["program_name"], row.get("qualifier") or ""], vocab)
        # program_id is measure_id + "-" + seq (see SCHEMA).
        themes_by_measure.setdefault(row["measure_id"], set()).update(themes)
        programs.append({**row, "program_kind": program_kind(row["program_name"], vocab, rules.quoted_tail),
                         "themes": list(themes)})
    order = {th.label: k for k, th in enumerate(vocab.themes)}
    measures = []
    for row in out["measures"]:
        found = set(themes_of([row["description"]], vocab)) | themes_by_measure.get(row["measure_id"], set())
        measures.append({**row, "themes": sorted(found, key=order.__getitem__)})
    return {**out, "programs": programs, "measures": measures,
            "keywords": keyword_rows(out["plans"], measures, programs, vocab)}


def keyword_rows(plans: list[dict], measures: list[dict], programs: list[dict],
                 vocab: Vocabulary) -> list[dict]:
    """Content words per plan, from its overview, measure descriptions and program names.

    A program name is counted through the description it was taken from; only a name not
    found there (never, for names this pipeline extracts) is counted on its own.
    """
    rows = []
    for plan in plans:
        pid = plan["plan_id"]
        descriptions = {m["measure_id"]: m["description"] or "" for m in measures if m["plan_id"] == pid}
        texts = [plan["overview"] or "", *descriptions.values()]
        texts += [p["program_name"] for p in programs if p["plan_id"] == pid
                  and p["program_name"] not in descriptions.get(p["measure_id"], "")]
        counts = keywords(texts, vocab)
        for (form, pos), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            rows.append({"doc_id": plan["doc_id"], "plan_id": pid, "normalized_form": form,
                         "pos": pos, "count": n})
    return rows
