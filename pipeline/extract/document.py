"""The final Document from the Skeleton: plans, overviews and captions, and each measure with
the programs ``lists`` finds in its text, each with its provenance (line, offsets, page, box).
"""

from __future__ import annotations

from ..model import (
    Caption,
    Diagnostic,
    Document,
    Joined,
    ListKind,
    Measure,
    MeasureSkeleton,
    NormLine,
    Plan,
    PlanSkeleton,
    Program,
    Provenance,
    Severity,
    Skeleton,
)
from ..municipalities import municipality_from_title, without_prefecture
from ..rules import Rules
from ..segment import grammar
from ..segment.joining import join_parts, join_text
from .lists import _name_extent, choose_list, find_list


def extract(skel: Skeleton, rules: Rules) -> Document:
    diags = list(skel.doc.diagnostics) + list(skel.diagnostics)
    plans = []
    for ps in skel.plans:
        plans.append(_plan(ps, rules, diags, skel))
    roles = skel.roles
    assigned = {r.line for r in roles}
    # Lines that no stage claimed: there should be none, but if there are, say so loudly.
    for line in skel.doc.lines:
        if line.text and line.line_no not in assigned:
            diags.append(Diagnostic(Severity.WARNING, "unassigned_line", f"line fits nowhere: {line.text}",
                                    line.line_no, None, line.page))
    if not plans and not any(d.code == "empty_file" for d in diags):
        diags.append(_no_plans(skel, rules))
    diags.sort(key=lambda d: (d.line if d.line is not None else -1, d.code, d.message))
    return Document(
        raw=skel.doc.raw,
        title=skel.title,
        preamble="\n".join(ln.text for ln in skel.preamble),
        plans=tuple(plans),
        roles=roles,
        diagnostics=tuple(diags),
        normalized_text=skel.doc.text,
        captions=tuple(Caption(ln.text, ln.line_no, ln.page, _line_bbox(ln)) for ln in skel.preamble_captions),
        line_count=len(skel.doc.lines),
    )


def _no_plans(skel: Skeleton, rules: Rules) -> Diagnostic:
    """No plan read: never a silent empty result. An error that says what was looked for,
    names the best candidate lines (most header cues first, then lines naming a 計画 or
    プラン), and counts the lines that start like measure markers."""
    lines = [ln for ln in skel.doc.lines if ln.text]
    title = skel.title or ""
    scored = []
    for ln in lines:
        if ln.text.strip(rules.label_brackets + " ") == title:
            continue
        ev = grammar.line_evidence(ln.text, rules)
        cues = ev.cues if ev else 0
        if cues or any(word in ln.text for word in rules.plan_words):
            scored.append((-cues, ln.line_no, ln))
    best = [ln for _, _, ln in sorted(scored, key=lambda c: c[:2])[:NO_PLANS_CANDIDATES]]
    markers = sum(1 for ln in lines if grammar.marker_candidate(ln.text, rules))
    named = "; best candidates: " + "; ".join(f"line {ln.line_no}: {ln.text[:40]}" for ln in best) if best else ""
    marked = f"; {markers} line(s) start like measure markers" if markers else ""
    top = scored and min(scored, key=lambda c: c[:2])
    why = ("no plan read: a line has the cues of a plan header, but no overview or measures follow it"
           if top and -top[0] >= rules.evidence.min_cues else
           "no plan header found (a plan title, a municipality and a period, two of them at least)")
    return Diagnostic(Severity.ERROR, "no_plans",
                      f"{why}; {len(lines)} non-blank line(s){marked}{named}",
                      best[0].line_no if best else None, None, best[0].page if best else None)


# How many candidate lines a no_plans diagnostic names.
NO_PLANS_CANDIDATES = 3


def _plan(ps: PlanSkeleton, rules: Rules, diags: list[Diagnostic], skel: Skeleton) -> Plan:
    measures = tuple(_measure(ps, ms, rules, diags) for ms in ps.measures)
    if not ps.measures:
        first = ps.header_lines[0]
        diags.append(Diagnostic(Severity.WARNING, "no_measures", "plan has no measure markers", first.line_no,
                                ps.plan_no, first.page))
    if not ps.overview:
        first = ps.header_lines[0]
        diags.append(Diagnostic(Severity.WARNING, "no_overview", "plan has no overview paragraph", first.line_no,
                                ps.plan_no, first.page))
    muni = without_prefecture(ps.muni, rules) or municipality_from_title(ps.title, rules)
    captions = tuple(Caption(text, ln.line_no, ln.page, _line_bbox(ln))
                     for ln, joined in _caption_lines(ps.captions)
                     for text in (joined.split() if ln.line_no in skel.caption_splits else [joined]))
    period = ps.period
    header = ps.header_lines[0]
    return Plan(
        plan_no=ps.plan_no,
        municipality=muni,
        plan_title=ps.title,
        period_raw=period.raw if period else ps.period_text,
        period_start_fy=period.start_fy if period else None,
        period_end_fy=period.end_fy if period else None,
        overview=_overview_text(ps, rules),
        line_start=header.line_no,
        line_end=max(ps.last_line, header.line_no),
        measures=measures,
        captions=captions,
        page=header.page,
        bbox=_line_bbox(header),
    )


def _caption_lines(lines) -> list[tuple]:
    """Caption lines in order, each with its text; a caption that text broken at a fixed width
    carried onto the next line ("…交流イベントの" / "様子") is one, on its first line."""
    out: list[tuple] = []
    prev = None
    for ln in sorted(lines, key=lambda ln: ln.line_no):
        if prev is not None and prev.wraps and ln.line_no == prev.line_no + 1:
            first, text = out[-1]
            out[-1] = (first, join_text(text, ln.text))
        else:
            out.append((ln, ln.text))
        prev = ln
    return out


def _overview_text(ps: PlanSkeleton, rules: Rules) -> str:
    """Overview paragraphs: a paragraph that ends a sentence is followed by a line break;
    one that does not (a PDF line the layout broke early) runs on like a wrapped line.
    A bullet point ("・商店街の活性化") starts a line of its own."""
    out = ""
    prev_bullet = True  # a bullet point at the very start counts as a new line
    # (a paragraph after a bullet point starts a line of its own too: the list has ended)
    for para in ps.overview:
        for k, line in enumerate(para):
            text = line.text
            if not text:
                continue
            bullet = bool(rules.bullets.match(text))
            ends = bool(rules.sentence_end.search(out[-1:]))
            if not out:
                out = text
            elif (bullet and (prev_bullet or ends)) or (k == 0 and (ends or prev_bullet)):
                out += "\n" + text
            else:
                out = join_text(out, text)
                # a bullet point's wrapped end ("・…後継者" / "の不足") is still the bullet point
                bullet = bullet or prev_bullet
            prev_bullet = bullet
    return out


def _measure(ps: PlanSkeleton, ms: MeasureSkeleton, rules: Rules, diags: list[Diagnostic]) -> Measure:
    marker_line = ms.label_lines[0]
    label = ms.label
    canonical = grammar.canonical_label(label, rules)
    body_lines = [ln for para in ms.body for ln in para]
    parts = [(ln, 0) for ln in body_lines]
    # A marker line that also carries the text: "(1) <known label>:<description>(A事業)".
    if canonical is None and len(ms.label_lines) == 1:
        prefix = grammar.label_prefix(label, rules)
        line_text = marker_line.text
        if prefix and len(label) > len(prefix[1]) and label[len(prefix[1])] in rules.label_text_separators:
            canonical, label = prefix
            cut = line_text.rfind(label) + len(label)
            while cut < len(line_text) and line_text[cut] in ":：、 ":
                cut += 1
            parts.insert(0, (marker_line, cut))
        elif not body_lines and find_list(label, rules).kind == "parenthesized":
            # No separate text: the marker line is label and text at once.
            parts.insert(0, (marker_line, line_text.rfind(label)))
    joined = join_parts(parts)
    programs: tuple[Program, ...] = ()
    list_kind = ListKind.MISSING

    def warn(code: str, message: str, line: NormLine | None = None) -> None:
        ln = line or marker_line
        diags.append(Diagnostic(Severity.WARNING, code, message, ln.line_no, ps.plan_no, ln.page))

    def info(code: str, message: str, line: NormLine | None = None) -> None:
        ln = line or marker_line
        diags.append(Diagnostic(Severity.INFO, code, message, ln.line_no, ps.plan_no, ln.page))

    if not joined.text:
        warn("empty_measure", f"measure {ms.marker} has no text")
    else:
        choice = choose_list(joined, rules)
        list_kind = choice.kind
        if choice.problem:
            code, message = choice.problem
            warn(code, f"measure {ms.marker}: {message}", _line_at(joined, choice.found.start))
        progs = []
        for seq, it in enumerate(choice.items, start=1):
            where = _provenance(joined, it.start, it.start + _name_extent(joined.text, it))
            progs.append(Program(seq, it.name, it.qualifier, where, it.has_known_head))
            if not it.noun_final:
                warn("item_not_noun", f"program item does not end in a noun: {it.name}",
                     _line_at(joined, it.start))
            elif not it.has_known_head and list_kind != ListKind.ACTIVITIES:  # activities name no program
                info("unknown_head", f"program item has no known head noun: {it.name}",
                     _line_at(joined, it.start))
        programs = tuple(progs)
        if programs and choice.found.trailing:
            # On the line where that text stands, which is not the marker's when the text wraps.
            info("text_after_list", f"text after the program list: {choice.found.trailing}",
                 _line_at(joined, len(joined.text.rstrip()) - 1))
    first_body = body_lines[0] if body_lines else marker_line
    return Measure(
        category_no=ms.number,
        marker=ms.marker,
        label=label,
        label_canonical=canonical.canonical if canonical else None,
        description=joined.text,
        line=marker_line.line_no,
        line_end=(body_lines[-1] if body_lines else ms.label_lines[-1]).line_no,
        list_kind=list_kind,
        programs=programs,
        page=marker_line.page,
        bbox=_line_bbox(first_body),
    )


def _line_at(joined: Joined, index: int) -> NormLine | None:
    for k in range(min(index, len(joined.pos) - 1), -1, -1):
        p = joined.pos[k]
        if p is not None:
            return p[0]
    return joined.lines[0] if joined.lines else None


def _provenance(joined: Joined, start: int, end: int) -> Provenance:
    positions = [p for p in joined.pos[start:end] if p is not None]
    first_line, first_i = positions[0]
    last_line, last_i = positions[-1]
    # Raw characters, line by line, joined the way the normalized text was.
    pieces: list[str] = []
    boxes = []
    current: NormLine | None = None
    lo = hi = 0
    for line, i in positions:
        if line is not current:
            if current is not None:
                pieces.append(current.raw[lo:hi])
            current, lo = line, line.raw_start[i]
        hi = line.raw_end[i]
        if line.char_boxes:
            for r in range(line.raw_start[i], line.raw_end[i]):
                if r < len(line.char_boxes) and line.char_boxes[r] is not None:
                    boxes.append(line.char_boxes[r])
    if current is not None:
        pieces.append(current.raw[lo:hi])
    raw = ""
    for piece in pieces:
        raw = raw + (" " if raw and raw[-1].isascii() and raw[-1].isalnum() and piece[:1].isascii()
                     and piece[:1].isalnum() else "") + piece
    page, bbox = _union(boxes, first_line.page)
    return Provenance(
        line=first_line.line_no,
        char_start=first_line.offset + first_i,
        char_end=last_line.offset + last_i + 1,
        raw=raw,
        page=page,
        bbox=bbox,
    )


def _union(boxes: list, default_page: int | None) -> tuple[int | None, tuple[float, float, float, float] | None]:
    if not boxes:
        return default_page, None
    page = boxes[0][0]
    same = [b for b in boxes if b[0] == page]
    return page, (
        round(min(b[1] for b in same), 2),
        round(min(b[2] for b in same), 2),
        round(max(b[3] for b in same), 2),
        round(max(b[4] for b in same), 2),
    )


def _line_bbox(line: NormLine) -> tuple[float, float, float, float] | None:
    if not line.char_boxes:
        return None
    return _union([b for b in line.char_boxes if b is not None], line.page)[1]
