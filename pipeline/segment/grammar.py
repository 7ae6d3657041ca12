"""The announcement grammar: the one module that applies rules/format.toml to a normalized line
or a short run of lines. What a plan header, a period line, a measure marker, a category label,
a caption marker, a section label, a title and page furniture are, and whether a line starts a
new block, completes a label or carries a marker in mid-sentence.

``segment`` and the PDF reader ask these questions; no other module reads marker forms, header
or title patterns. Functions take normalized text unless their name or docstring says raw.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..municipalities import known_municipality, known_prefix, municipality_from_title, names_in
from ..normalize import normalize_text
from ..rules import Category, Rules
from .periods import looks_like_period, parse_period

# --------------------------------------------------------------------------- headers and titles


@dataclass(frozen=True)
class HeaderMatch:
    title: str | None
    muni: str | None
    rest: str


def match_header(text: str, rules: Rules) -> HeaderMatch | None:
    for pat in rules.header_patterns:
        m = pat.match(text)
        if not m:
            continue
        title = m.group("title").strip()
        muni = (m.groupdict().get("muni") or "").strip() or None
        rest = (m.groupdict().get("rest") or "").strip()
        if muni and not any(muni.endswith(s) for s in rules.municipality_types):
            # "(八王子市、令和6年度〜令和8年度)": the period shares the parenthesis.
            head, _, tail = (re.split(r"([、,:・ ])", muni, maxsplit=1) + ["", ""])[:3]
            if any(head.endswith(s) for s in rules.municipality_types) and parse_period(tail, rules):
                muni, rest = head, (tail + " " + rest).strip()
            else:
                continue  # "(…)" after the title that names no municipality: not this form
        if not muni and rest.endswith(")") and "(" in rest:
            # 「…計画」【計画期間:…】(小金井市): the municipality after the period.
            head, _, tail = rest[:-1].rpartition("(")
            if any(tail.strip().endswith(x) for x in rules.municipality_types):
                muni, rest = tail.strip(), head.strip()
        if rest and parse_period(rest, rules) is None and not looks_like_period(rest, rules):
            continue  # trailing text that is not a period: a sentence, not a header
        if rest and parse_period(rest, rules) is None:
            # "【計画期間:…】 武蔵野市": the municipality after the period
            ev = line_evidence(text, rules)
            if ev and ev.clean and ev.period and ev.title == title:
                rest, muni = ev.period, muni or ev.muni
        if not muni:
            if municipality_from_title(title, rules) is None:
                continue  # 【承認した地域産業活性化計画】 names no municipality: a title, not a plan
        return HeaderMatch(title, muni, rest)
    return None


@dataclass(frozen=True)
class Evidence:
    """What one line says of a plan header ([header.evidence]): its title, the municipality it
    names on its own, the period as written, the known municipality the title starts with, and
    whether the line holds nothing else (``clean``)."""

    title: str | None
    muni: str | None
    period: str | None
    title_muni: str | None
    clean: bool

    @property
    def cues(self) -> int:
        return (self.title is not None) + (self.muni is not None or self.title_muni is not None) \
            + (self.period is not None)


_EVIDENCE: dict[tuple[str, str], Evidence | None] = {}  # (rules hash, text) -> evidence
_EVIDENCE_MAX = 65_536


def line_evidence(text: str, rules: Rules) -> Evidence | None:
    """The header cues of a short line that is no sentence; None for any other line.

    Memoized per process by the rules' hash: segment asks it of the same lines several times
    (a header's run, what follows it, the warnings at the end)."""
    if not text or len(text) > rules.evidence.max_chars:
        return None  # never a header's line: not worth keeping
    key = (rules.hash, text)
    if key not in _EVIDENCE:
        if len(_EVIDENCE) >= _EVIDENCE_MAX:
            _EVIDENCE.clear()
        _EVIDENCE[key] = _line_evidence(text, rules)
    return _EVIDENCE[key]


def _line_evidence(text: str, rules: Rules) -> Evidence | None:
    ev = rules.evidence
    if not text or len(text) > ev.max_chars or ev.sentence.search(text):
        return None
    rest = text[ev.lead.match(text).end():]
    period, rest = _take_period(rest, rules)
    title = None
    m = ev.quoted_title.search(rest)
    if m:
        title, rest = m.group("title").strip(), rest[:m.start()] + " " + rest[m.end():]
    munis: list[str] = []
    leftover = False
    for b in list(ev.bracketed.finditer(rest))[::-1]:  # "(東京都 小金井市)": spaces inside brackets
        name = known_municipality("".join(b.group("inner").split()), rules)
        if name and " " in b.group("inner").strip():
            munis.append(name)
            rest = rest[:b.start()] + " " + rest[b.end():]
    for token in re.split(r"[\s:]+", rest):  # "大田区:大田区産業振興計画": a colon sets parts apart too
        token = token.strip(":、,")
        # "(港区)", "…プラン(豊島区)": a municipality in brackets, alone or after the title
        while (b := _last_bracket(token, rules)) and known_municipality(b.group("inner").strip(), rules):
            munis.append(known_municipality(b.group("inner").strip(), rules))
            token = token[:b.start()]
        while (b := ev.bracketed.match(token)) and known_municipality(b.group("inner").strip(), rules):
            munis.append(known_municipality(b.group("inner").strip(), rules))  # "(中央区)中央区…プラン"
            token = token[b.end():]
        name = known_municipality(token, rules)
        if not token or ev.filler.match(token):
            continue
        if name:
            munis.append(name)
        elif title is None and (b := ev.bare_title.match(token)):
            title = b.group("title")  # an edition right after it belongs to it: …計画(第2期)
        elif not all(ev.filler.match(part) for part in ev.bracketed.split(token) if part):
            leftover = True
    title_muni = known_prefix(title, rules)
    if len(set(munis)) > 1 or len(names_in(text, rules) - {title_muni, *munis}) > 0 and \
            len(names_in(text, rules)) > 1:
        return None  # a line naming several municipalities is about them, not one plan's header
    return Evidence(title, munis[0] if munis else None, period, title_muni, not leftover)


@dataclass(frozen=True)
class EvidenceHeader:
    """A plan header found from its cues over a run of lines: the match, how many of the
    lines it took, and whether its only cues are a title and the municipality that title
    starts with (``weak``: it must be followed by measures to count)."""

    match: HeaderMatch
    used: int
    weak: bool


def header_from_evidence(texts: list[str], rules: Rules, joins: list[bool] | None = None) -> EvidenceHeader | None:
    """A header over the first of ``texts`` (the next non-blank lines, at most
    [header.evidence] max_lines of them): at least min_cues cues, a title or a municipality
    with a period among them, each line holding nothing but cues. A line that a hard wrap
    broke inside brackets ("「武蔵野市地域産業活性化" / "計画(第2期)」", "(武蔵村" / "山市)") is
    read joined to the line that closes them, and so is a line that ``joins`` says goes on in
    the next (text broken at a fixed width); ``used`` counts the lines as given."""
    found = _header_from_evidence(texts, rules)
    if found is not None or not texts:
        return found
    joined, spans = _bracket_joined(texts[:rules.evidence.max_lines + 1], rules, joins or [])
    if len(joined) == len(texts[:rules.evidence.max_lines + 1]):
        return None
    found = _header_from_evidence(joined, rules)
    if found is None:
        return None
    return EvidenceHeader(found.match, sum(spans[:found.used]), found.weak)


def _bracket_joined(texts: list[str], rules: Rules, joins: list[bool]) -> tuple[list[str], list[int]]:
    """The lines with each one left inside brackets, or that goes on (``joins``), joined to the
    next (a joined line holds at most a header's max_lines), and how many given lines each
    joined line holds."""
    out: list[str] = []
    spans: list[int] = []
    k = 0
    while k < len(texts):
        text, n = texts[k], 1
        while n < rules.evidence.max_lines and k + n < len(texts) and (open_brackets(text, rules)
                                                 or (k + n - 1 < len(joins) and joins[k + n - 1])):
            text += texts[k + n]
            n += 1
        if n > 1 and open_brackets(text, rules):
            text, n = texts[k], 1  # still open: no wrap that these lines close
        out.append(text)
        spans.append(n)
        k += n
    return out, spans


def open_brackets(text: str, rules: Rules) -> bool:
    """Is a bracket of the line left open (its closing one on a later line)?"""
    return any(text.count(pair[0]) > text.count(pair[1]) for pair in rules.pairs if pair[0] != pair[1])


def _header_from_evidence(texts: list[str], rules: Rules) -> EvidenceHeader | None:
    ev = rules.evidence
    title = muni = period = title_muni = None
    for k, text in enumerate(texts[:ev.max_lines]):
        found = line_evidence(text, rules)
        if found is None or not found.clean or found.cues == 0:
            return None
        if k and ((found.title and title) or (found.period and period)
                  or (found.muni and muni and found.muni != muni)):
            return None  # a second title or period: the next plan's header, not this one's
        title, muni = title or found.title, muni or found.muni
        period, title_muni = period or found.period, title_muni or found.title_muni
        cues = (title is not None) + (muni is not None or title_muni is not None) + (period is not None)
        if cues >= ev.min_cues and (muni or title_muni) and (title or period):
            used = k + 1
            if title is None and used < len(texts) and used < ev.max_lines:
                # "■(三鷹市) 【計画期間:…】" / "「三鷹市地域産業活性化計画」": the title below
                after = line_evidence(texts[used], rules)
                if after and after.clean and after.title and not after.period \
                        and (after.muni is None or after.muni == muni):
                    title, title_muni, used = after.title, after.title_muni, used + 1
            weak = muni is None and period is None
            return EvidenceHeader(HeaderMatch(title, muni, period or ""), used, weak)
    return None


def _last_bracket(token: str, rules: Rules) -> re.Match[str] | None:
    """The bracketed part that ends a token, if any."""
    found = None
    for m in rules.evidence.bracketed.finditer(token):
        found = m
    return found if found is not None and found.end() == len(token) else None


def _take_period(text: str, rules: Rules) -> tuple[str | None, str]:
    """The period in the line (bracketed, labelled or bare) and the line without it."""
    ev = rules.evidence
    for m in ev.bracketed.finditer(text):
        if ev.date.search(m.group(0)):
            continue
        if parse_period(m.group(0), rules) or looks_like_period(m.group(0), rules):
            return m.group(0), text[:m.start()] + " " + text[m.end():]
    quoted = [q.span() for q in ev.quoted_title.finditer(text)]
    for m in ev.period_search.finditer(text):
        if any(a <= m.start() < b for a, b in quoted):
            continue  # "「令和6年度大田区地域産業活性化計画」": a year in the title is no period
        if ev.period_cue.search(m.group(0)) and not ev.date.search(m.group(0)) and parse_period(m.group(0), rules):
            return m.group(0).strip(), text[:m.start()] + " " + text[m.end():]
    # A period the line broke inside its brackets: "【計画期間:令和7年度〜令和9年".
    for k, ch in enumerate(text):
        if ch in rules.block_openers or ch == "(":
            if looks_like_period(text[k:], rules) and not ev.bracketed.match(text, k):
                return text[k:].strip(), text[:k]
    return None, text


def match_muni_line(text: str, rules: Rules) -> str | None:
    """The municipality of a line that only names it, continuing a split header."""
    m = rules.muni_line.match(text)
    if m:
        return next(v for k, v in m.groupdict().items() if k.startswith("muni") and v)
    ev = line_evidence(text, rules)
    if ev and ev.clean and ev.muni and ev.title is None and ev.period is None:
        return ev.muni  # a known municipality alone: "大田区", "■ 大田区"
    return None


def is_period_line(text: str, rules: Rules) -> bool:
    """A period line, parsable or only announced by its label."""
    return bool(parse_period(text, rules) or looks_like_period(text, rules))


def match_title(text: str, rules: Rules) -> tuple[int, str] | None:
    """(rank, title) of a document-title line: the rank is the first title pattern that
    matches, lower is preferred. Brackets are dropped."""
    if len(text) > 80:
        return None
    for rank, pat in enumerate(rules.title_patterns):
        m = pat.match(text)
        if m:
            return rank, m.group("title").strip()
    return None


def is_heading(text: str, rules: Rules) -> bool:
    """A line that heads an announcement's plan summaries: a title of the first rank
    ([title] patterns whose rank is under heading_ranks), such as 【承認した地域産業活性化計画の概要】."""
    found = match_title(text, rules)
    return found is not None and found[0] < rules.evidence.heading_ranks and not is_section_label(text, rules)


def repeats_title(text: str, title: str | None, rules: Rules) -> bool:
    """A running header pasted into the text: the document title again, perhaps with a page
    number ("承認した地域産業活性化計画の概要 2/3")."""
    if not title:
        return False
    rest = text.replace(" ", "").strip(rules.label_brackets)
    title = title.replace(" ", "")
    if not rest.startswith(title):
        return False
    tail = rest[len(title):].strip(rules.label_brackets + " ")
    return not tail or bool(rules.title_page_number.fullmatch(tail))


# --------------------------------------------------------------------------- markers and labels


@dataclass(frozen=True)
class MarkerMatch:
    number: int
    marker: str
    rest: str
    form: int = -1  # index of the form in [[markers.forms]]
    known: bool = False  # the rest starts with a known category label


def asks_known_label(m: MarkerMatch, rules: Rules) -> bool:
    """Does the marker's form take a line as a measure only with a known label after it?"""
    return rules.marker_forms[m.form].requires_known_label


def _form_matches(text: str, rules: Rules):
    """Each marker form that starts the line, in order: (index, form, marker, rest, number).
    A form without a number takes the known label's; a number out of range, or no known
    label for such a form, passes the form over."""
    for index, form in enumerate(rules.marker_forms):
        m = form.pattern.match(text)
        if not m:
            continue
        rest = text[m.end():]
        if rules.marker_not_followed_by.match(rest):
            continue
        rest = rest.strip()
        if "num" not in form.pattern.groupindex:
            # No number in the marker ("◆多様な主体との連携を図る取組"): the known label's.
            cat = rules.category_for(rest)
            number = cat.number if cat else None
        else:
            number = marker_number(m.group("num"))
            if number is not None and not 1 <= number <= rules.marker_max_number:
                number = None
        if number is not None:
            yield index, form, m.group(0).strip(), rest, number


def marker_candidate(text: str, rules: Rules) -> MarkerMatch | None:
    """A line that starts like a measure marker of some form, whatever its label: the first
    form that matches, with ``known`` telling whether a known label follows. Which of these
    are measures is decided over the whole plan (``choose_measure_form``)."""
    for index, form, marker, rest, number in _form_matches(text, rules):
        known = "num" not in form.pattern.groupindex or bool(rules.category_prefix(rest) or rules.category_for(rest))
        return MarkerMatch(number, marker, rest, index, known)
    return None


def is_sequence_label(rest: str, rules: Rules) -> bool:
    """What may follow a marker of a consistent numbered sequence: a label of any wording
    (short, no sentence end), or nothing (the label on the next line)."""
    return not rest or (len(rest) <= rules.sequence_label_max_chars and not rules.sentence_end.search(rest))


@dataclass(frozen=True)
class MeasureForm:
    """The marker form that numbers a plan's measures, from which line on (a list of the same
    form above the measures, in the overview, is not theirs), and whether its sequence vouches
    for labels that are not known ones (``trusted``: 1, 2, 3 … with label-shaped rests)."""

    form: int
    trusted: bool
    start: int = 0  # index of the line of its first measure


def choose_measure_form(candidates: list[tuple[int, MarkerMatch, bool]], rules: Rules,
                        end: int = 0) -> MeasureForm | None:
    """The one form whose markers are a plan's measures, from the plan's candidate markers
    (line index, match, whether a non-marker line follows before the next marker of that
    form). A form counts when it carries a known label, or when its numbers run 1, 2, 3 …
    with label-shaped rests; a form that starts again at 1 counts from its last start. Of the
    forms that count: more known labels; then one not enumerated under another's marker
    ((1)(2) under a measure); then the one that reaches further (``end``: the plan's last line;
    ①② in an overview end where the measures begin); then a consistent sequence, markers with
    text under them, the form seen first."""
    by_form: dict[int, list[tuple[int, MarkerMatch, bool]]] = {}
    for cand in candidates:
        by_form.setdefault(cand[1].form, []).append(cand)
    runs = {}
    for form, cands in by_form.items():
        # numbered again from 1: the run with the most known labels, the last of equals
        starts = [k for k, c in enumerate(cands) if c[1].number == 1 and k > 0]
        if starts:
            pieces = [cands[a:b] for a, b in zip([0, *starts], [*starts, len(cands)], strict=True)]
            runs[form] = max(reversed(pieces), key=lambda run: sum(c[1].known for c in run))
        else:
            runs[form] = cands
    options = []
    for form, cands in runs.items():
        known = sum(c[1].known for c in cands)
        consistent = [c[1].number for c in cands] == list(range(1, len(cands) + 1)) \
            and all(is_sequence_label(c[1].rest, rules) for c in cands)
        if known or consistent:
            options.append((form, cands, known, consistent))
    every = sorted(c[0] for c in candidates)
    best: tuple | None = None
    for form, cands, known, consistent in options:
        lines = [c[0] for c in cands]
        inner = any(_nested(lines, [c[0] for c in other]) for f, other, _, _ in options if f != form)
        # How far the form reaches: from its first marker to the first marker of another form
        # after its last one (or the end) — an overview's list ends where the measures begin.
        after = next((k for k in every if k > lines[-1] and k not in lines), end)
        key = (known, not inner, after - lines[0], consistent, sum(c[2] for c in cands), -lines[0])
        if best is None or key > best[0]:
            best = (key, MeasureForm(form, consistent, lines[0]))
    return best[1] if best else None


def _nested(lines: list[int], other: list[int]) -> bool:
    """Every line of ``lines`` stands between the same two lines of ``other``: a list under
    one of its markers."""
    gaps = {sum(1 for o in other if o < k) for k in lines}
    return len(gaps) == 1 and 0 < next(iter(gaps)) < len(other)


def match_marker(text: str, rules: Rules) -> MarkerMatch | None:
    """A measure marker by its form alone: the first form that matches, where a form that asks
    a known label has one (or the shape of one) after it."""
    for _, form, marker, rest, number in _form_matches(text, rules):
        if form.requires_known_label and "num" in form.pattern.groupindex \
                and not (rules.category_prefix(rest) or rules.marker_label_shape.match(rest)):
            continue
        return MarkerMatch(number, marker, rest)
    return None


def marker_number(num: str) -> int | None:
    if num.isascii() and num.isdigit():
        return int(num)
    if len(num) == 1:
        value = unicodedata.numeric(num, -1)
        return int(value) if value > 0 else None
    return None


def canonical_label(label: str, rules: Rules) -> Category | None:
    """The known category whose label (or an alias of it) this is, brackets and spaces aside."""
    return rules.category_for(label)


def label_prefix(text: str, rules: Rules) -> tuple[Category, str] | None:
    """The known label that ``text`` starts with, longest first, and the alias as written."""
    return rules.category_prefix(text)


def has_label_shape(text: str, rules: Rules) -> bool:
    """Ends like a category label (…取組, …施策), with no sentence end."""
    return bool(rules.marker_label_shape.match(text))


def is_section_label(text: str, rules: Rules) -> bool:
    """A line that only names a section: 【概要】, 主な取組."""
    return any(p.match(text) for p in rules.label_patterns)


def opens_overview(label: str, rules: Rules) -> bool:
    return bool(rules.overview_label.search(label))


# --------------------------------------------------------------------------- furniture and captions


def is_furniture(text: str, rules: Rules) -> bool:
    """Page furniture even in text input: a pasted page number, a rule, a contact line."""
    return any(p.match(text) for p in rules.furniture_patterns)


def is_contact_label(text: str, rules: Rules) -> bool:
    """問合せ先 and the like: the lines of its paragraph are furniture too."""
    return bool(rules.contact_label.match(text))


def placeholder_count(text: str, rules: Rules) -> int:
    """How many photo placeholders a line holds ("画像 画像": 2); 0 for any other line."""
    return len(text.split()) if rules.caption_placeholder.match(text) else 0


def is_contact_label_alone(text: str, rules: Rules) -> bool:
    """A contact label with nothing after it ("問合せ先", "【問い合わせ先】")."""
    m = rules.contact_label.match(text)
    return bool(m) and not text[m.end():].strip(" :：" + rules.label_brackets + ")>")


def is_caption_marker(text: str, rules: Rules) -> bool:
    """A line that says it is a caption ("(写真)…", "【写真】…") wherever it stands."""
    return bool(rules.caption_marker.match(text))


# --------------------------------------------------------------------------- line breaks (raw lines)
# The PDF reader joins wrapped lines; these say where the grammar forbids or allows a join.
# They take raw text and normalize it themselves.


def starts_new_block(raw_text: str, rules: Rules) -> bool:
    """True when a line must start a new paragraph: a measure marker, a plan header,
    or a period line."""
    text = normalize_text(raw_text, rules)
    cand = marker_candidate(text, rules)
    return bool(match_marker(text, rules) or match_header(text, rules)
                or (cand and cand.rest and is_sequence_label(cand.rest, rules))  # "1 販路開拓の推進"
                or looks_like_period(text, rules) or parse_period(text, rules))


def starts_block(raw_text: str, rules: Rules) -> bool:
    """A bracketed line, or one that must start a new paragraph."""
    stripped = raw_text.lstrip()
    return stripped.startswith(rules.block_openers) or starts_new_block(stripped, rules)


def opens_item(text: str, rules: Rules) -> bool:
    """A line that opens a list item with a bullet or letter ("・…", "イ …", "①…"); a measure
    marker is not one (a marker in mid-sentence is ``marker_mid_sentence``'s to tell)."""
    return bool(rules.bullets.match(text)) and marker_candidate(text, rules) is None


def marker_mid_sentence(raw_text: str, raw_next: str, rules: Rules) -> bool:
    """Does ``raw_next`` start with a marker only because a sentence wrapped right before a
    "(1)" it mentions ("…施策の柱" / "(1)「地域に根差した…」及び(2)…")?  The text so far ends
    mid-sentence, and what follows the marker is no measure label."""
    tail = normalize_text(raw_text[-10:], rules).rstrip()
    if not tail or tail[-1] in rules.clause_ends:
        return False
    norm = normalize_text(raw_next, rules).strip()
    if match_header(norm, rules):
        return False
    for form in rules.marker_forms:
        m = form.pattern.match(norm)
        if m:
            rest = norm[m.end():]
            if not rest or rest[0].isspace() or rules.category_prefix(rest) or rules.category_for(rest):
                return False
            # a quoted name follows ("(1)「…」"), or a further item of the same enumeration
            quoted = rest.startswith(rules.quotes)
            return quoted or any(form.pattern.match(rest[i:]) for i in range(1, len(rest)))
    return False


def completes_label(raw_text: str, raw_next: str, rules: Rules) -> bool:
    """Does ``raw_next`` finish a measure label that ``raw_text`` (after a marker, if any)
    began?  A label wrapped before the column edge (a manual break, a narrower line) is
    still one."""
    label = normalize_text(raw_text, rules).strip()
    for form in rules.marker_forms:
        m = form.pattern.match(label)
        if m:
            label = label[m.end():].strip()
            break
    if not label or rules.category_for(label) is not None:
        return False
    return rules.category_for(label + normalize_text(raw_next, rules).strip()) is not None


def is_marker_line(raw_text: str, rules: Rules) -> bool:
    """A measure marker starts the line (a known label after it where the form asks one)."""
    norm = normalize_text(raw_text, rules).strip()
    for form in rules.marker_forms:
        m = form.pattern.match(norm)
        if m and not rules.marker_not_followed_by.match(norm[m.end():]):
            if not form.requires_known_label or rules.category_prefix(norm[m.end():].strip()):
                return True
    return False


def is_bare_marker(raw_text: str, rules: Rules) -> bool:
    """A measure marker alone on its line (its label follows on the next line)."""
    norm = normalize_text(raw_text, rules).strip()
    for form in rules.marker_forms:
        m = form.pattern.match(norm)
        if m and not norm[m.end():].strip():
            return True
    return False


def cannot_continue(raw_text: str, rules: Rules) -> bool:
    """A logical line that cannot continue: a bracketed period or title, or a marker + label."""
    if len(raw_text) > 200:  # only the end matters for a long paragraph
        return normalize_text(raw_text[-20:], rules).endswith(rules.closing_brackets)
    norm = normalize_text(raw_text, rules)
    if norm.endswith(rules.closing_brackets):
        return True
    for form in rules.marker_forms:
        m = form.pattern.match(norm)
        if m and rules.category_for(norm[m.end():].strip()):
            return True
    return False
