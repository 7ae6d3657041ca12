"""Line tests that segment's skeleton asks of its paragraphs: what a caption line looks like in
text, what is clutter rather than part of a plan, and which lines no header took still look like
a plan header.
"""

from __future__ import annotations

import re

from ..model import LineRole, NormLine, Role
from ..rules import Rules
from . import grammar

_READ_ROLES = frozenset((Role.HEADER, Role.PERIOD, Role.TITLE, Role.FURNITURE, Role.MARKER))


def is_caption_like(text: str, rules: Rules, separators_ok: bool = False) -> bool:
    """Short, no sentence end, not a bullet point, no list separator: a photo or figure
    caption. Between overview and first marker a separator is allowed, inside brackets too
    ("市長と受賞者、審査員による記念撮影", "青ケ島の特産品(青ちゅう、ひんぎゃの塩)"), but not
    in a parenthesis that holds program names."""
    if len(text) > rules.caption_max_chars or rules.sentence_end.search(text) or rules.bullets.match(text):
        return False
    if not re.search(r"\w", text) or any(text[0] == pair[1] for pair in rules.pairs) or text in rules.closers:
        return False  # a bracket, symbol or closing 等 left over from a wrap is no caption
    seps = tuple(rules.separators)
    if not separators_ok:
        return not any(sep in text for sep in seps)
    # a parenthesis that holds a program list ("…を支援する(A事業、B事業)") is a measure's text
    inside = [item for part in re.findall(r"\(([^()]*)\)", text) if any(sep in part for sep in seps)
              for item in re.split("|".join(map(re.escape, seps)), part)]
    return not any(item.strip().endswith(rules.head_nouns) for item in inside)


def is_clutter(text: str, rules: Rules) -> bool:
    """No part of a plan: no header cue, no marker, no label. A front line typed in again is a
    running header only then (a list of the plans up front names them again below)."""
    ev = grammar.line_evidence(text, rules)
    return not (ev and ev.cues) and grammar.marker_candidate(text, rules) is None \
        and not grammar.is_section_label(text, rules)


def plan_like_lines(lines: list[NormLine], roles: dict[int, LineRole], skip: set[int],
                    rules: Rules) -> list[tuple[NormLine, LineRole]]:
    """Lines with plan evidence (a plan title or a period, alone on the line or with a
    municipality) that no header took, with their roles: never silent, each gets a warning.
    A line that goes on from a line broken at a fixed width mid-sentence is no line of its own
    (after one that ends a sentence at the width, it may be one: it is checked)."""
    out = []
    for k, line in enumerate(lines):
        role = roles.get(line.line_no)
        if role is None or role.role in _READ_ROLES or line.line_no in skip:
            continue
        if k and lines[k - 1].wraps and not rules.sentence_end.search(lines[k - 1].text[-1:]):
            continue
        ev = grammar.line_evidence(line.text, rules)
        # a line of cues alone, or a period with a municipality among other words
        if ev and ((ev.clean and (ev.title or ev.period)) or (ev.period and (ev.muni or ev.title_muni))):
            out.append((line, role))
    return out
