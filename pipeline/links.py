"""Plans and programs across rounds: which plan succeeds which (``plans.predecessor_plan_id``)
and how the program names of a plan line up with its predecessor's (``program_links``).

Cross-document work, so it runs on the whole run's rows, never per document: ``write_tables``
hands it each document's rows as they stream past (``Linker.add``, which keeps a few columns of
each plan and program) and asks for the result once all are read (``Linker.finish``). Nothing
of it is cached per document, so adding a round recomputes every link from the cached rows of
the older documents. In the layers it sits between ``tables`` (the rows it reads) and
``output`` (which writes what it returns).

**Succession.** Plans are grouped by ``municipality_code`` (a plan without a code or a period
is in no succession). A municipality's plans are ordered by period; plans whose periods
overlap (share a fiscal year) are one round, announced more than once (a re-issued or corrected
announcement): the plan of the document that comes last in path order (then the later plan in
that document) stands for the round, and each other one gets a ``superseded_plan`` info
diagnostic, no predecessor and no links. Each round's plan has the previous round's as its
predecessor.

**Links** (rules/links.toml). For each pair of a plan's distinct program name and a predecessor
name: ``same`` (identical once normalized), ``variant`` (identical after the orthography and
suffix rules and Sudachi normalized forms), ``renamed`` (weighted word overlap at least the
threshold less the review band). Candidates are taken best first — same, then variant, then
renamed by score, ties by the names' order of first mention — and each name links at most once,
so a renamed link never takes a name a same or variant link wants. Names left over are ``new``
(this plan) or ``dropped`` (the predecessor's).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .extract.tokens import fine_tokens
from .rule_files import LinkRules
from .tables import SCHEMA_NAMES, conform

RANK = {"same": 0, "variant": 1, "renamed": 2}


@dataclass
class Mention:
    """One distinct program name of a plan, with every mention of it."""

    name: str
    raw: str
    qualifiers: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)


@dataclass
class PlanRef:
    plan_id: str
    doc_id: str
    source_path: str
    order: int  # the document's position in the run (path order)
    plan_no: int
    municipality: str | None
    code: str | None
    start: int | None
    end: int | None
    line: int | None = None
    page: int | None = None
    names: dict[str, Mention] = field(default_factory=dict)  # in order of first mention

    @property
    def last(self) -> int:
        return self.end if self.end is not None else self.start


@dataclass(frozen=True)
class LinkResult:
    predecessors: dict[str, str]  # plan_id -> predecessor_plan_id
    rows: dict[str, list[dict]]  # program_links, and diagnostics of the succession


class Linker:
    """Collects what the links need from each document's rows (value lists in SCHEMA's order),
    then computes them all."""

    def __init__(self, rules: LinkRules):
        self.rules = rules
        self.plans: list[PlanRef] = []
        self._by_id: dict[str, PlanRef] = {}
        self._docs = 0
        self._col = {t: {n: k for k, n in enumerate(SCHEMA_NAMES[t])} for t in ("documents", "plans", "programs")}

    def add(self, doc: dict[str, list[list]]) -> None:
        d, p, g = self._col["documents"], self._col["plans"], self._col["programs"]
        docs = doc.get("documents") or ()
        source = docs[0][d["source_path"]] if docs else ""
        for row in doc.get("plans") or ():
            plan = PlanRef(row[p["plan_id"]], row[p["doc_id"]], source, self._docs, row[p["plan_no"]],
                           row[p["municipality"]], row[p["municipality_code"]], row[p["period_start_fy"]],
                           row[p["period_end_fy"]], row[p["line_start"]], row[p["page"]])
            self.plans.append(plan)
            self._by_id[plan.plan_id] = plan
        for row in doc.get("programs") or ():
            plan = self._by_id.get(row[g["plan_id"]])
            if plan is None:
                continue
            name = row[g["program_name"]]
            m = plan.names.setdefault(name, Mention(name, row[g["program_name_raw"]] or name))
            m.ids.append(row[g["program_id"]])
            if row[g["qualifier"]] and row[g["qualifier"]] not in m.qualifiers:
                m.qualifiers.append(row[g["qualifier"]])
        self._docs += 1

    def finish(self) -> LinkResult:
        predecessors, diagnostics = succession(self.plans)
        rows: list[dict] = []
        placed = sorted((p for p in self.plans if p.plan_id in predecessors), key=lambda p: (p.code, p.start, p.plan_id))
        for plan in placed:
            rows.extend(plan_links(plan, self._by_id[predecessors[plan.plan_id]], self.rules))
        return LinkResult(predecessors, conform({"program_links": rows, "diagnostics": diagnostics}))


# --------------------------------------------------------------------------- succession


def succession(plans: list[PlanRef]) -> tuple[dict[str, str], list[dict]]:
    """Each plan's predecessor (plans without one are not in the mapping), and a diagnostic for
    each plan another announcement of its round supersedes."""
    by_code: dict[str, list[PlanRef]] = {}
    for p in plans:
        if p.code and p.start is not None:
            by_code.setdefault(p.code, []).append(p)
    predecessors: dict[str, str] = {}
    diagnostics: list[dict] = []
    for code in sorted(by_code):
        rounds: list[list[PlanRef]] = []
        reach = None
        for p in sorted(by_code[code], key=lambda p: (p.start, p.last, p.order, p.plan_no)):
            if rounds and p.start <= reach:  # overlaps a plan of the round being gathered
                rounds[-1].append(p)
                reach = max(reach, p.last)
            else:
                rounds.append([p])
                reach = p.last
        chosen = [max(r, key=lambda p: (p.order, p.plan_no)) for r in rounds]
        for r, keep in zip(rounds, chosen, strict=True):
            diagnostics.extend(_superseded(p, keep) for p in sorted(r, key=lambda p: (p.order, p.plan_no))
                               if p is not keep)
        for before, plan in zip(chosen, chosen[1:], strict=False):
            predecessors[plan.plan_id] = before.plan_id
    return predecessors, diagnostics


def _period(p: PlanRef) -> str:
    return f"{p.start}–{p.last}" if p.last != p.start else f"{p.start}"


def _superseded(p: PlanRef, keep: PlanRef) -> dict:
    return {
        "doc_id": p.doc_id, "source_path": p.source_path, "plan_id": p.plan_id, "severity": "info",
        "code": "superseded_plan",
        "message": f"{p.municipality or p.code}: the period {_period(p)} overlaps that of plan {keep.plan_id} "
                   f"({_period(keep)}, {keep.source_path}): taken as another announcement of one round, and "
                   f"plan {keep.plan_id}, later in path order, is the one linked across rounds",
        "line": p.line, "page": p.page,
    }


# --------------------------------------------------------------------------- names


@dataclass(frozen=True)
class Form:
    """What the comparison of a name needs, computed once per name."""

    name: str
    raw: str
    same_key: str
    cased: str  # after brackets, quotes, orthography and suffixes, before case folding
    variant_key: str
    brackets: frozenset[str]  # bracketed parts set aside
    quotes: str  # the quote characters dropped, in order
    orthography: tuple[int, ...]  # how often each orthography rule replaced
    suffixes: tuple[int, ...]  # how often each suffix rule applied
    words: tuple[tuple[str, str], ...]  # (surface, normalized form) of the words compared
    ignored: tuple[str, ...]  # words of similarity.ignore_pos (particles), not compared
    weights: dict[str, float]  # normalized form (case folded) -> weight
    shown: dict[str, str]  # normalized form (case folded) -> as Sudachi gives it


def form(name: str, raw: str, rules: LinkRules) -> Form:
    same_key = rules.ignore.sub("", name)
    text, brackets = _strip_brackets(same_key, rules.brackets)
    quote_chars = "".join(c for pair in rules.quotes for c in pair)
    quotes = "".join(c for c in text if c in quote_chars)
    text = "".join(c for c in text if c not in quote_chars) or same_key
    ortho = []
    for r in rules.orthography:
        ortho.append(text.count(r.old))
        text = text.replace(r.old, r.new)
    suffixes = [0] * len(rules.suffixes)
    changed = True
    while changed:
        changed = False
        for k, r in enumerate(rules.suffixes):
            if text.endswith(r.old) and len(text) - len(r.old) + len(r.new) > 0:
                text = text[: len(text) - len(r.old)] + r.new
                suffixes[k] += 1
                changed = True
                break
    tokens = [t for t in fine_tokens(text) if not t.pos[0].startswith(rules.ignore_pos)]
    ignored = tuple(t.surface for t in fine_tokens(text) if t.pos[0].startswith(rules.ignore_pos)
                    and t.surface.strip() and t.surface not in quote_chars)
    words = tuple((t.surface, t.normalized) for t in tokens)
    weights: dict[str, float] = {}
    shown: dict[str, str] = {}
    for t in tokens:
        key = t.normalized.casefold() if rules.fold_case else t.normalized
        generic = key in rules.generic or t.normalized in rules.generic or t.pos[0].startswith(rules.generic_pos)
        weights[key] = max(weights.get(key, 0.0), rules.generic_weight if generic else 1.0)
        shown.setdefault(key, t.normalized)
    key = "".join(n for _, n in words)
    return Form(name, raw, same_key, text, key.casefold() if rules.fold_case else key, frozenset(brackets), quotes,
                tuple(ortho), tuple(suffixes), words, ignored, weights, shown)


def _strip_brackets(text: str, pairs: tuple[str, ...]) -> tuple[str, list[str]]:
    """The text without its bracketed parts (outermost, brackets included), and those parts;
    the text as it was when nothing would be left."""
    closing = {pair[0]: pair[1] for pair in pairs}
    out, parts, k = [], [], 0
    while k < len(text):
        close = closing.get(text[k])
        end = text.find(close, k + 1) if close else -1
        if end > k:
            parts.append(text[k:end + 1])
            k = end + 1
        else:
            out.append(text[k])
            k += 1
    stripped = "".join(out)
    return (stripped, parts) if stripped else (text, [])


def similarity(a: Form, b: Form) -> tuple[float, list[str]]:
    """The weighted Dice coefficient of the two names' words, and the words they share; 0 when
    they share no word outside the generic ones."""
    shared = sorted(set(a.weights) & set(b.weights), key=lambda w: (-max(a.weights[w], b.weights[w]), w))
    if not any(min(a.weights[w], b.weights[w]) == 1.0 for w in shared):
        return 0.0, []
    common = sum(min(a.weights[w], b.weights[w]) for w in shared)
    total = sum(a.weights.values()) + sum(b.weights.values())
    return (2 * common / total if total else 0.0), [a.shown[w] for w in shared]


def compare(cur: Form, pred: Form, rules: LinkRules) -> tuple[str, float, str] | None:
    """The link a program name (``cur``) could have to a predecessor name: (kind, score, basis),
    or None when they are not alike enough."""
    if cur.same_key == pred.same_key:
        plain = cur.name == pred.name and cur.raw == pred.raw
        return "same", 1.0, "identical" if plain else "identical after normalization (NFKC, spaces)"
    if cur.variant_key == pred.variant_key and cur.variant_key:
        return "variant", 1.0, "; ".join(_variant_notes(cur, pred, rules)) or "identical after the variant rules"
    if _set_apart(cur, pred, rules):
        return None
    score, shared = similarity(cur, pred)
    score = round(score, 2)
    if score < rules.cut:
        return None
    basis = f"token overlap {score:.2f} (shared: {', '.join(shared)})"
    if in_review(score, rules):
        basis += f"; for review: within {rules.review_band:g} of the threshold {rules.threshold:g}"
    return "renamed", score, basis


def _set_apart(cur: Form, pred: Form, rules: LinkRules) -> bool:
    """Two programs however alike their names: a contrasting word on each side (国内 / 海外), or
    names of two different kinds (a course and a grant)."""
    for a, b in rules.contrasts:
        if (a in cur.cased and b in pred.cased and b not in cur.cased and a not in pred.cased) \
                or (b in cur.cased and a in pred.cased and a not in cur.cased and b not in pred.cased):
            return True
    kinds = [_head_kind(f.cased, rules) for f in (cur, pred)]
    return None not in kinds and kinds[0] != kinds[1]


def _head_kind(text: str, rules: LinkRules) -> str | None:
    return next((kind for kind, endings in rules.head_kinds if text.endswith(endings)), None)


def in_review(score: float, rules: LinkRules) -> bool:
    return rules.cut <= score < round(rules.threshold + rules.review_band, 6)


def _variant_notes(cur: Form, pred: Form, rules: LinkRules) -> list[str]:
    """What tells the two names apart, as pred→cur."""
    notes = [f"{part} dropped" for part in sorted(pred.brackets - cur.brackets)]
    notes += [f"{part} added" for part in sorted(cur.brackets - pred.brackets)]
    if cur.quotes != pred.quotes:
        notes.append(f"quote marks {pred.quotes or 'none'}→{cur.quotes or 'none'}")
    for r, c, p in zip(rules.orthography, cur.orthography, pred.orthography, strict=True):
        if c > p:
            notes.append(f"{r.new}→{r.old}")
        elif p > c:
            notes.append(f"{r.old}→{r.new}")
    for r, c, p in zip(rules.suffixes, cur.suffixes, pred.suffixes, strict=True):
        if c > p:
            notes.append(f"{r.old} added" if not r.new else f"{r.new}→{r.old}")
        elif p > c:
            notes.append(f"{r.old} dropped" if not r.new else f"{r.old}→{r.new}")
    if cur.ignored != pred.ignored:
        notes += [f"{w} dropped" for w in pred.ignored if w not in cur.ignored]
        notes += [f"{w} added" for w in cur.ignored if w not in pred.ignored]
    cur_words, pred_words = [w for w, _ in cur.words], [w for w, _ in pred.words]
    if cur_words != pred_words and [w.casefold() for w in cur_words] == [w.casefold() for w in pred_words]:
        notes.append("letter case")
    elif cur_words != pred_words:
        pairs = [f"{p}→{c}" for p, c in zip(pred_words, cur_words, strict=False) if p != c]
        if len(pred_words) != len(cur_words) or not pairs:
            pairs = ["".join(pred_words) + "→" + "".join(cur_words)]
        notes.append("Sudachi normalized forms: " + ", ".join(pairs))
    return notes


def _qualifier_note(cur: Mention, pred: Mention) -> str:
    added = [q for q in cur.qualifiers if q not in pred.qualifiers]
    dropped = [q for q in pred.qualifiers if q not in cur.qualifiers]
    notes = [f"qualifier ({q}) dropped" for q in dropped] + [f"qualifier ({q}) added" for q in added]
    return "; ".join(notes)


# --------------------------------------------------------------------------- links


def plan_links(plan: PlanRef, pred: PlanRef, rules: LinkRules) -> list[dict]:
    """The program_links rows of one plan: one per distinct program name of it, in order of first
    mention, then one per predecessor name left without a successor, in its order."""
    cur_names, pred_names = list(plan.names.values()), list(pred.names.values())
    cur_forms = [form(m.name, m.raw, rules) for m in cur_names]
    pred_forms = [form(m.name, m.raw, rules) for m in pred_names]
    candidates = []
    closest_cur: dict[int, tuple[float, int]] = {}
    closest_pred: dict[int, tuple[float, int]] = {}
    for i, c in enumerate(cur_forms):
        for j, p in enumerate(pred_forms):
            found = compare(c, p, rules)
            if found is not None:
                kind, score, basis = found
                candidates.append((RANK[kind], -score, i, j, kind, score, basis))
            else:
                score = round(similarity(c, p)[0], 2)
            if score > closest_cur.get(i, (0.0, 0))[0]:
                closest_cur[i] = (score, j)
            if score > closest_pred.get(j, (0.0, 0))[0]:
                closest_pred[j] = (score, i)
    candidates.sort()
    linked: dict[int, tuple[int, str, float, str]] = {}
    taken: set[int] = set()
    for _, _, i, j, kind, score, basis in candidates:
        if i in linked or j in taken:
            continue
        linked[i] = (j, kind, score, basis)
        taken.add(j)
    base = {"municipality_code": plan.code, "municipality": plan.municipality, "plan_id": plan.plan_id,
            "predecessor_plan_id": pred.plan_id}
    rows = []
    for i, m in enumerate(cur_names):
        if i in linked:
            j, kind, score, basis = linked[i]
            note = _qualifier_note(m, pred_names[j])
            rows.append({**base, "program_name": m.name, "predecessor_program_name": pred_names[j].name,
                         "link": kind, "score": score, "review": kind == "renamed" and in_review(score, rules),
                         "basis": basis + (f"; {note}" if note else ""), "program_ids": list(m.ids),
                         "predecessor_program_ids": list(pred_names[j].ids)})
        else:
            rows.append({**base, "program_name": m.name, "predecessor_program_name": None, "link": "new",
                         "score": None, "review": False,
                         "basis": _unmatched("no program of the predecessor is alike", closest_cur.get(i), pred_names),
                         "program_ids": list(m.ids), "predecessor_program_ids": []})
    for j, m in enumerate(pred_names):
        if j not in taken:
            rows.append({**base, "program_name": None, "predecessor_program_name": m.name, "link": "dropped",
                         "score": None, "review": False,
                         "basis": _unmatched("no program of this plan is alike", closest_pred.get(j), cur_names),
                         "program_ids": [], "predecessor_program_ids": list(m.ids)})
    return rows


def _unmatched(what: str, closest: tuple[float, int] | None, others: list[Mention]) -> str:
    if closest is None:
        return what
    score, k = closest
    return f"{what}; closest: {others[k].name} (token overlap {score:.2f})"
