"""A measure's program list: where it is (the parenthesis that ends the text, a bare list, a list
a phrase introduces), how it splits into items, and what an item's name and qualifier are.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Joined, ListKind
from ..rules import Rules
from .tokens import tokenize


@dataclass(frozen=True)
class Item:
    start: int  # span in the joined text
    end: int
    name: str
    qualifier: str | None
    has_known_head: bool
    noun_final: bool


@dataclass(frozen=True)
class ListChoice:
    kind: str  # parenthesized | bare | inline | none_word | missing
    items: tuple[Item, ...]
    found: FoundList
    problem: tuple[str, str] | None = None  # (diagnostic code, message) when there is no list


def choose_list(joined: Joined, rules: Rules) -> ListChoice:
    """The program list of a measure's text, in order of trust: a parenthesis that ends the
    text; a bare list after the last sentence; a list a phrase such as 具体的には introduces."""
    text = joined.text
    found = find_list(text, rules)
    line_starts = frozenset(k for k, p in enumerate(joined.pos) if p is not None and p[1] == 0)
    if found.kind == "unclosed":
        return ListChoice(ListKind.MISSING, (), found, ("unclosed_parenthesis",
                          "program list parenthesis never closes; no programs taken"))
    problem = ("no_program_list", "no recognizable program list")
    if found.kind in ("parenthesized", "bare"):
        if _is_none_list(text[found.start:found.end], rules):
            return ListChoice(ListKind.NONE_WORD, (), found)
        items = tuple(_list_items(text, found.start, found.end, rules, line_starts,
                                  lines_are_items=found.kind == "bare"))
        if found.kind == "parenthesized" and _explains(text, found, items, rules):
            acts = activities(text, rules)
            if acts:
                return ListChoice(ListKind.ACTIVITIES, acts, FoundList(ListKind.ACTIVITIES, 0, len(text)))
        if found.kind == "bare" and items and 2 * sum(_program_named(it.name, rules) for it in items) < len(items):
            acts = activities(text, rules)
            if acts:
                return ListChoice(ListKind.ACTIVITIES, acts, FoundList(ListKind.ACTIVITIES, 0, len(text)))
        if found.kind == "parenthesized":
            if not _is_gloss(text, found, list(items), rules):
                return ListChoice(ListKind.PARENTHESIZED, _earlier_lists(text, found, rules, line_starts) + items,
                                  found)
            problem = ("no_program_list", f"ends in a parenthetical that is not a program list: "
                       f"({text[found.start:found.end]})")
        # A bare list has no brackets to vouch for it: every item must be a noun phrase and
        # most must end in a known head noun, or it is prose, not a list.
        elif items and all(it.noun_final for it in items) \
                and 2 * sum(it.has_known_head for it in items) >= len(items):
            return ListChoice(ListKind.BARE, items, found)
        else:
            problem = ("no_program_list", f"no recognizable program list: {text[found.start:found.end][:60]}")
    for pattern in rules.inline_lists:
        matches = list(pattern.finditer(text))
        if matches:
            m = matches[-1]
            inline = FoundList(ListKind.INLINE, m.start("list"), m.end("list"))
            items = list(_list_items(text, inline.start, inline.end, rules, line_starts))
            while items and not _inline_item_ok(items[0], rules):
                items.pop(0)  # "…を支援するため、" before the names is a clause
            if items and all(_inline_item_ok(it, rules) for it in items):
                return ListChoice(ListKind.INLINE, tuple(items), inline)
    acts = activities(text, rules)
    if acts:
        return ListChoice(ListKind.ACTIVITIES, acts, FoundList(ListKind.ACTIVITIES, 0, len(text)))
    return ListChoice(ListKind.MISSING, (), found, problem)


def activities(text: str, rules: Rules) -> tuple[Item, ...] | None:
    """A body that is a list of activities, one item each ([activities]): split at top-level
    separators, a part that is no activity of its own joined to the next, a closing 等 dropped,
    a trailing parenthesis kept as the qualifier. None for prose (a sentence end inside, or an
    item that ends in no noun)."""
    m = tail_search(rules.trailing_after_bare, text)
    end = m.start() if m else len(text)
    if not text[:end].strip() or any(c in text[:end] for c in rules.sentence_stops):
        return None
    spans: list[tuple[int, int]] = []
    start = None
    parts = _top_level_parts(text, 0, end, rules)
    if len(parts) == 1:
        # "A開催・B実施・C提供": ・ between activities, when every part is one
        dotted = _top_level_parts(text, 0, end, rules, separators=rules.activity_separators)
        if len(dotted) > 1 and all(
                _is_activity(text[s:_split_qualifier(text, s, _strip_closer(text, s, e, rules), rules)[0]].strip(),
                             rules) for s, e in dotted):
            parts = dotted
    for s, e in parts:
        core_end, _ = _split_qualifier(text, s, e, rules)
        if start is None:
            start = s
        part = text[s:core_end].strip()
        if e < end and not _is_activity(part, rules):
            if not _noun_final(part, rules):
                return None  # "…と連携し、…": a clause, so the body is prose
            continue  # "国内、海外の展示会への出展支援": 国内 is part of the next activity
        spans.append((start, e))
        start = None
    items = []
    for idx, (s, e) in enumerate(spans):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if idx == len(spans) - 1:
            e = _strip_closer(text, s, e, rules)
        name_end, qualifier = _split_qualifier(text, s, e, rules)
        if idx == len(spans) - 1 and qualifier is not None:
            name_end = _strip_closer(text, s, name_end, rules)
        name = text[s:name_end].strip()
        if not name or _holds_list(name, rules):
            return None  # a list in parentheses inside an item: prose around a program list
        items.append(Item(s, e, name, qualifier, _has_head(name, rules), _noun_final(name, rules)))
    return tuple(items) if items and all(it.noun_final for it in items) else None


def _holds_list(name: str, rules: Rules) -> bool:
    """A parenthesis inside the name holds several items ("…する(A事業、B事業)…")."""
    depth = 0
    for ch in name:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth and ch in rules.separators:
            return True
    return False


def _top_level_parts(text: str, start: int, end: int, rules: Rules,
                     separators: tuple[str, ...] | None = None) -> list[tuple[int, int]]:
    """Spans of text[start:end] between separators outside brackets."""
    separators = rules.separators if separators is None else separators
    opens = {pair[0]: pair[1] for pair in rules.pairs}
    stack: list[str] = []
    parts, k0 = [], start
    for k in range(start, end):
        ch = text[k]
        if stack and ch == stack[-1]:
            stack.pop()
        elif ch in opens and not (ch == opens[ch] and stack):
            stack.append(opens[ch])
        elif not stack and ch in separators:
            parts.append((k0, k))
            k0 = k + 1
    parts.append((k0, end))
    return parts


def _is_activity(part: str, rules: Rules) -> bool:
    """Ends in a verbal noun (開催, 支援) or a head noun: something done, not a bare noun."""
    if not part:
        return False
    if part.endswith(rules.head_nouns) or part.endswith(rules.activity_endings):
        return True
    toks = [t for t in tokenize(part) if t.pos[0] not in (rules.space_pos, rules.symbol_pos)]
    return bool(toks) and any(toks[-1].pos[:len(pos)] == pos for pos in rules.verbal_noun_pos)


def _program_named(name: str, rules: Rules) -> bool:
    """A program's name rather than an activity: it ends in a program head (事業, 補助金), or in
    a head noun with no particle before it (創業塾, 経営相談; not 展示会への出展支援)."""
    core = strip_tail(rules.quoted_tail, name).rstrip() or name
    if core.endswith(rules.program_heads):
        return True
    return _has_head(core, rules) and not any(t.pos[0] == rules.particle_pos for t in tokenize(core))


def _explains(text: str, found: FoundList, items: tuple[Item, ...], rules: Rules) -> bool:
    """A trailing parenthesis that explains the last of a list of activities, not a program
    list: one item that is a clause ("出展小間料の一部を助成", "…を含む"), after a 、-list."""
    if len(items) != 1:
        return False
    content = text[found.start:found.end]
    clause = any(p in content for p in rules.explanation_particles) or not items[0].noun_final
    before = text[:found.start - 1]
    last_stop = max((before.rfind(c) for c in rules.sentence_stops), default=-1)
    return clause and len(_top_level_parts(before, last_stop + 1, len(before), rules)) > 1


def _inline_item_ok(item: Item, rules: Rules) -> bool:
    return item.has_known_head and item.noun_final and not any(p in item.name for p in rules.clause_particles)


def _earlier_lists(text: str, found: FoundList, rules: Rules, line_starts: frozenset[int]) -> tuple[Item, ...]:
    """Lists that end earlier sentences of the same measure: "…支援する(A事業)。また、…(B事業)".
    Without the last list's position to vouch for them, each must name a known head noun."""
    out: list[Item] = []
    stops = {i for i, ch in enumerate(text[:found.start]) if ch in rules.sentence_stops}
    # an item line of its own ("ア …(A事業)" / "イ …(B事業)") ends where the next bullet starts
    stops |= {s for s in line_starts if 0 < s < found.start and rules.bullets.match(text[s:found.start])}
    for k in sorted(stops):
        close = k - 1
        while close >= 0 and text[close].isspace():
            close -= 1
        if close > 0 and text[close] == ")":
            open_at = _matching_open(text, close)
            content = text[open_at + 1:close].strip() if open_at >= 0 else ""
            if content and not any(p.match(content) for p in rules.not_list_patterns):
                items = _list_items(text, open_at + 1, close, rules, line_starts)
                if items and all(it.has_known_head and it.noun_final for it in items):
                    out.extend(items)
    return tuple(out)


def _list_items(text: str, start: int, end: int, rules: Rules, line_starts: frozenset[int],
                lines_are_items: bool = False) -> list[Item]:
    head = rules.list_label.match(text[start:end])
    if head and start + head.end() < end:
        start += head.end()  # "主な事業:", "具体的には、" introduce the list; they are not a name
    return split_items(text, start, end, rules, last_is_list_end=True, line_starts=line_starts,
                       lines_are_items=lines_are_items)


@dataclass(frozen=True)
class FoundList:
    kind: str  # parenthesized | bare | unclosed | none
    start: int = 0  # content span in the text
    end: int = 0
    trailing: str = ""


# Rules patterns anchored at the end ($: trailing punctuation, a quoted tail) are searched in
# the last TAIL_WINDOW characters only. re.search tries every start position, so on a long
# run of characters the pattern accepts ("。。。…x", "「あ「あ…") an unbounded search is
# quadratic; what these patterns are for is short.
TAIL_WINDOW = 512


def tail_search(pattern, text: str):
    """``pattern.search(text)`` for a pattern anchored at the end, in linear time."""
    return pattern.search(text, max(0, len(text) - TAIL_WINDOW))


def strip_tail(pattern, text: str) -> str:
    """``pattern.sub("", text)`` for a pattern anchored at the end, in linear time."""
    m = tail_search(pattern, text)
    return text[:m.start()] + text[m.end():] if m else text


def find_list(text: str, rules: Rules) -> FoundList:
    """Where the program list of a measure body is."""
    end = len(text)
    m = tail_search(rules.trailing_after_list, text)
    trailing = ""
    if m:
        trailing = text[m.start():].strip()
        end = m.start()
    closes = {pair[1]: pair[0] for pair in rules.pairs}
    closers = {pair[1]: pair[0] for pair in rules.list_brackets}
    while end > 0 and text[end - 1] in closers:
        open_at = _matching_open(text, end - 1, closers[text[end - 1]], text[end - 1])
        if open_at < 0:
            return FoundList("none")
        content = text[open_at + 1:end - 1].strip()
        if any(p.match(content) for p in rules.not_list_patterns):
            # "(A事業、B事業)(再掲)": a note after the list; look at the parenthesis before it.
            trailing = text[open_at:end] + trailing
            end = open_at
            while end > 0 and text[end - 1].isspace():
                end -= 1
            continue
        return FoundList(ListKind.PARENTHESIZED, open_at + 1, end - 1, trailing)
    if trailing and end < len(text) and text[end:].lstrip().startswith("("):
        return FoundList("none")
    # No list in brackets: only a sentence end may follow a bare list ("…事業を実施する。"
    # is a sentence, not a list followed by a verb).
    end = len(text)
    m = tail_search(rules.trailing_after_bare, text)
    if m:
        end = m.start()
    # An opening parenthesis that never closes, near the end: a broken list.
    depth = 0
    last_open = -1
    for k, ch in enumerate(text):
        if ch == "(":
            if depth == 0:
                last_open = k
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
    if depth > 0 and last_open >= 0:
        return FoundList("unclosed", last_open, len(text))
    # A bare list: what follows the last sentence end (a final 。 does not count).
    last_end = max((text.rfind(c, 0, end) for c in rules.sentence_stops), default=-1)
    start = last_end + 1
    tail = text[start:end]
    if not tail.strip():
        return FoundList("none")
    del closes
    return FoundList(ListKind.BARE, start + (len(tail) - len(tail.lstrip())), end)


def _matching_open(text: str, close_at: int, opener: str = "(", closer: str = ")") -> int:
    depth = 0
    for k in range(close_at, -1, -1):
        if text[k] == closer:
            depth += 1
        elif text[k] == opener:
            depth -= 1
            if depth == 0:
                return k
    return -1


def _is_none_list(content: str, rules: Rules) -> bool:
    content = content.strip()
    return content in rules.none_words or bool(rules.none_pattern.match(content))


def split_items(text: str, start: int, end: int, rules: Rules, *, last_is_list_end: bool,
                line_starts: set[int] | frozenset[int] = frozenset(),
                lines_are_items: bool = False) -> list[Item]:
    """Split text[start:end] on top-level separators into items with name and qualifier.
    A bullet (・, ○ …) at the start of a line also starts an item."""
    opens = {pair[0]: pair[1] for pair in rules.pairs}
    closes = {pair[1] for pair in rules.pairs}
    stack: list[str] = []
    spans: list[tuple[int, int]] = []
    k0 = start
    # A line-start bullet splits only a list that begins with one ("新製品" / "・新事業開発補助金"
    # is one name the line broke at its ・).
    bulleted = bool(rules.bullets.match(text[start:end]))
    for k in range(start, end):
        ch = text[k]
        if not stack and k in line_starts and k > k0 and (
                (bulleted and rules.bullets.match(text[k:end]))
                # a bare list with one item a line: a line that ends in a head noun ends an item
                # (also when the next line opens with a bracket: 「見る、知る」…事業)
                or (lines_are_items and text[k0:k].rstrip().endswith(rules.head_nouns))):
            spans.append((k0, k))
            k0 = k
        if stack and ch == stack[-1]:
            stack.pop()
        elif ch in opens and not (ch == opens[ch] and stack):
            stack.append(opens[ch])
        elif ch in closes and not stack:
            pass
        elif not stack and ch in rules.separators:
            spans.append((k0, k))
            k0 = k + 1
    spans.append((k0, end))
    spans = [part for span in spans for part in _space_separated(text, span, rules)]
    spans = [part for span in spans for part in _coordinated(text, span, rules)]
    items = []
    for idx, (s, e) in enumerate(spans):
        while s < e and text[s].isspace():
            s += 1
        # A bullet is only a bullet at the start of a line ("-創業支援事業" mid-line is a name).
        bullet = rules.bullets.match(text[s:e]) if (s in line_starts or s == start and not line_starts) else None
        if bullet and bullet.end() > 0 and text[s] != "(":
            s += bullet.end()
        while e > s and text[e - 1].isspace():
            e -= 1
        if s >= e:
            continue
        is_last = idx == len(spans) - 1
        if is_last and last_is_list_end:
            if text[s:e] in rules.closers:
                continue  # "(A事業、B事業、など)": the closer stands alone
            e = _strip_closer(text, s, e, rules)
        name_end, qualifier = _split_qualifier(text, s, e, rules)
        if is_last and last_is_list_end and qualifier is not None:
            # "B事業等(一部拡充)": the closer stands before the qualifier.
            name_end = _strip_closer(text, s, name_end, rules)
        name = text[s:name_end].strip()
        if not name:
            continue
        items.append(Item(s, e, name, qualifier, _has_head(name, rules), _noun_final(name, rules)))
    return items


def _space_separated(text: str, span: tuple[int, int], rules: Rules) -> list[tuple[int, int]]:
    """"商店街活性化事業 空き店舗活用支援事業", "A事業/B事業": names set apart by spaces (a
    full-width space in the source) or slashes (／), when every part is a whole program name
    ending in a head noun ("IT/DX支援" stays one name)."""
    s, e = span
    chunk = text[s:e]
    sep = "/" if "/" in chunk else " " if " " in chunk.strip() else None
    if sep is None:
        return [span]
    parts, k = [], s
    for piece in chunk.split(sep):
        lead = len(piece) - len(piece.lstrip())
        if piece.strip():
            parts.append((k + lead, k + lead + len(piece.strip())))
        k += len(piece) + 1
    if len(parts) > 1 and all(text[a:b].endswith(rules.head_nouns) and len(text[a:b]) >= 3
                              and not text[a:b].isascii() for a, b in parts):
        return parts
    return [span]


def _coordinated(text: str, span: tuple[int, int], rules: Rules) -> list[tuple[int, int]]:
    """"A事業及びB補助金", "A事業・B事業": a coordinator ([lists] coordinators) between two whole
    program names splits them; after a part that is no name of its own ("新製品・新事業開発補助金",
    "人材育成及び人材確保支援助成金") it joins words inside one name. Brackets are not looked into."""
    s, e = span
    opens = {pair[0]: pair[1] for pair in rules.pairs}
    parts, k0, stack, k = [], s, [], s
    while k < e:
        ch = text[k]
        if stack and ch == stack[-1]:
            stack.pop()
        elif ch in opens:
            stack.append(opens[ch])
        elif not stack:
            word = next((c for c in rules.coordinators if text.startswith(c, k)), None)
            if word and _is_whole_name(text, k0, k, rules) and _is_whole_name(text, k + len(word), e, rules):
                parts.append((k0, k))
                k0 = k = k + len(word)
                continue
        k += 1
    parts.append((k0, e))
    return parts


def _is_whole_name(text: str, s: int, e: int, rules: Rules) -> bool:
    """text[s:e] is a program name on its own: it ends in a head noun (after a closer such as 等
    and a qualifier are set aside) and is more than the head noun alone."""
    e, _ = _split_qualifier(text, s, _strip_closer(text, s, e, rules), rules)
    core = strip_tail(rules.quoted_tail, text[s:e].strip()).rstrip()
    return any(core.endswith(head) and len(core) > len(head) for head in rules.head_nouns)


def _strip_closer(text: str, s: int, e: int, rules: Rules) -> int:
    """End of the item without a closing 等/など; an item that is only a closer stays."""
    for closer in rules.closers:
        if text[s:e].endswith(closer) and e - len(closer) > s:
            e -= len(closer)
            while e > s and text[e - 1].isspace():
                e -= 1
            return e
    return e


def _split_qualifier(text: str, s: int, e: int, rules: Rules) -> tuple[int, str | None]:
    """A parenthetical that ends an item is its qualifier, unless it belongs to the name."""
    if e - s < 3 or text[e - 1] != ")":
        return e, None
    depth = 0
    for k in range(e - 1, s - 1, -1):
        if text[k] == ")":
            depth += 1
        elif text[k] == "(":
            depth -= 1
            if depth == 0:
                if k == s:
                    return e, None  # the whole item is parenthesized
                inner = text[k + 1:e - 1].strip()
                if any(p.match(inner) for p in rules.name_parentheticals):
                    return e, None
                return k, inner or None
    return e, None


def _name_extent(text: str, item: Item) -> int:
    """Length in the joined text from the item's start to the end of its name."""
    k = text.find(item.name, item.start)
    return (k - item.start) + len(item.name) if k >= 0 else item.end - item.start


def _has_head(name: str, rules: Rules) -> bool:
    core = strip_tail(rules.quoted_tail, name).rstrip()
    return any(core.endswith(h) for h in rules.head_nouns)


def _noun_final(name: str, rules: Rules) -> bool:
    core = strip_tail(rules.quoted_tail, name).rstrip() or name
    toks = [t for t in tokenize(core) if t.pos[0] != rules.space_pos]
    if not toks:
        return False
    # Skip closing brackets and symbols at the end; the head is the last word.
    for t in reversed(toks):
        if t.pos[0] == rules.symbol_pos:
            continue
        return t.pos[0] in rules.final_pos
    return True


def _is_gloss(text: str, found: FoundList, items: list[Item], rules: Rules) -> bool:
    """A single short item with no program head, straight after a noun: a gloss
    like DX(デジタルトランスフォーメーション), not a program list."""
    if len(items) != 1 or items[0].has_known_head:
        return False
    if len(items[0].name) > rules.gloss_max_chars:
        return False
    before = text[max(0, found.start - 1 - 12):found.start - 1]
    if not before:
        return False
    toks = [t for t in tokenize(before) if t.pos[0] != rules.space_pos]
    return bool(toks) and toks[-1].pos[0] in rules.gloss_after_pos
