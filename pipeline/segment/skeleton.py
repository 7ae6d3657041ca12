"""Segment a normalized document: title, preamble, plans (header, overview, captions) and
measures by their markers. Every non-blank line gets exactly one role.

The output is a ``Skeleton``: plans with their measures' body paragraphs still as text;
``extract`` turns those into programs.
"""

from __future__ import annotations

from functools import lru_cache

from ..model import (
    Diagnostic,
    LayoutHint,
    LineRole,
    NormDocument,
    NormLine,
    Role,
    Severity,
    Skeleton,
)
from ..rules import Rules
from . import grammar
from .captions import is_caption_like, is_clutter, plan_like_lines
from .drafts import MeasureDraft, PlanDraft
from .grammar import HeaderMatch, MarkerMatch, match_header, match_marker
from .lookahead import Lookahead
from .periods import looks_like_period, parse_period, strip_period_wrapping
from .wrapped import join_wrapped_lines


@lru_cache(maxsize=64)
def _paren_left_open(text: str) -> bool:
    """More ( than ) in the text. Memoized: every later paragraph of a measure asks it of the
    same last body line, which may be megabytes long (linear time, not lines x length)."""
    return text.count("(") > text.count(")")


# Roles of lines that were read as what they are: no plan-like warning for these.


def segment(doc: NormDocument, rules: Rules) -> Skeleton:
    return _Segmenter(join_wrapped_lines(doc, rules), rules).run()


class _Segmenter:
    def __init__(self, doc: NormDocument, rules: Rules):
        self.doc = doc
        self.rules = rules
        self.roles: dict[int, LineRole] = {}
        self.diags: list[Diagnostic] = []
        self.plans: list[PlanDraft] = []
        self.title: str | None = None
        self.preamble: list[NormLine] = []
        self.preamble_captions: list[NormLine] = []
        self.ahead = Lookahead(doc.lines, rules)
        self.caption_splits: set[int] = set()
        # short front lines ("報道発表資料", "産業労働局"): typed in again further on, a running header
        self.front_lines: set[str] = set()
        self.furniture_seen = False  # page furniture since the last paragraph began
        self.para_after_furniture = False  # the open paragraph began after page furniture

    # -- bookkeeping
    def role(self, line: NormLine, role: str, plan: PlanDraft | None) -> None:
        self.roles[line.line_no] = LineRole(line.line_no, role, plan.plan_no if plan else None,
                                           line.text, line.page, line.raw)
        if plan is not None:
            plan.last_line = max(plan.last_line, line.line_no)

    def diag(self, severity: str, code: str, message: str, line: NormLine | None,
             plan: PlanDraft | None = None) -> None:
        self.diags.append(Diagnostic(severity, code, message, line.line_no if line else None,
                                     plan.plan_no if plan else None, line.page if line else None))

    # -- main loop
    def run(self) -> Skeleton:
        lines = [ln for ln in self.doc.lines]
        i = 0
        n = len(lines)
        plan: PlanDraft | None = None
        measure: MeasureDraft | None = None
        para: list[NormLine] = []  # the open paragraph
        before_plans: list[NormLine] = []

        def flush() -> None:
            nonlocal para
            if not para:
                return
            if plan is None:
                before_plans.extend(para)
            elif measure is None:
                self.intro_paragraph(plan, para)
            else:
                self.measure_paragraph(plan, measure, para)
            para = []

        in_contact = False  # inside a 問合せ先 block: furniture until the paragraph ends
        # the last line read, page furniture aside, was a contact label and nothing else
        contact_label_only = False
        placeholders = 0  # photo placeholders on the line before ("画像 画像")
        while i < n:
            line = lines[i]
            text = line.text
            if not text:
                # A label alone ("<h2>問合せ先</h2>" on a web page): its block is the next paragraph.
                in_contact = in_contact and contact_label_only
                flush()
                i += 1
                continue
            if line.gap_above:
                # A reader saw the line start a new block (vertical space, another column): as a
                # blank line before it.
                in_contact = in_contact and contact_label_only
                flush()
            # page furniture between a contact label and its block (a page break) keeps them together
            contact_label_only = contact_label_only and (line.hint == LayoutHint.FURNITURE
                                                         or grammar.is_furniture(text, self.rules))
            if plan is not None and not in_contact and line.hint is None \
                    and grammar.is_heading(text, self.rules) and self.ahead.starts_announcement(i):
                # A second announcement in the file: its heading, then its preamble, then plans.
                flush()
                self.role(line, Role.TITLE, None)
                plan, measure = None, None
                i += 1
                continue
            if grammar.is_contact_label(text, self.rules):
                contact_label_only = not in_contact and grammar.is_contact_label_alone(text, self.rules)
                in_contact = True
            if in_contact or (self.is_page_furniture(line) if plan is not None
                              else line.hint == LayoutHint.FURNITURE or grammar.is_furniture(text, self.rules)):
                self.drop_furniture(line)
                self.furniture_seen = True
                i += 1
                continue
            count = grammar.placeholder_count(text, self.rules) if plan is not None else 0
            if count:
                flush()
                self.role(line, Role.FURNITURE, None)
                self.diag(Severity.INFO, "photo_placeholder", f"photo placeholder dropped: {text}", line)
                placeholders = count
                i += 1
                continue
            if placeholders and plan is not None and (self.is_caption_like(text) or len(text.split()) == placeholders):
                # The caption line under "画像 画像": one caption per placeholder.
                flush()
                plan.captions.append(line)
                self.role(line, Role.CAPTION, plan)
                if placeholders > 1 and len(text.split()) == placeholders:
                    self.caption_splits.add(line.line_no)
                placeholders = 0
                i += 1
                continue
            placeholders = 0
            if line.hint == LayoutHint.CAPTION or (plan is not None and grammar.is_caption_marker(text, self.rules)):
                flush()
                if plan is None:
                    self.preamble_captions.append(line)
                    self.role(line, Role.CAPTION, None)
                else:
                    plan.captions.append(line)
                    self.role(line, Role.CAPTION, plan)
                i += 1
                continue
            if plan is not None and grammar.is_section_label(text, self.rules):
                flush()
                self.role(line, Role.LABEL, plan)
                plan.overview_label_open = measure is None and grammar.opens_overview(text, self.rules)
                i += 1
                continue
            header = match_header(text, self.rules)
            joined_title = None
            if header is None and text.count("「") > text.count("」") and i + 1 < n and lines[i + 1].text:
                # 「台東区地域産業 / 活性化計画」(台東区)…: a title the line broke inside.
                header = match_header(text + lines[i + 1].text, self.rules)
                joined_title = lines[i + 1] if header else None
            extra: list[NormLine] = []
            weak = bool(header) and header.muni is None and not header.rest
            if header is None:
                run = self.ahead.nonblank_run(i)
                found = self.ahead.evidence_header(run)
                if found:
                    header, extra, weak = found.match, [lines[k] for k in run[1:found.used]], found.weak
            if header and not self.ahead.followed_by_content(i, extra or ([joined_title] if joined_title else []),
                                                       weak):
                header = None  # a title with nothing of its own after it: a line that names a plan
            if header and weak and plan is not None and not plan.measures:
                header = None  # a title alone, between a plan's header and its measures: a caption or a mention
            if header:
                flush()
                if plan is None:
                    self.finish_front(before_plans)
                plan, i = self.read_header(lines, i, header, joined_title, extra)
                plan.form = self.ahead.measure_form(i)
                self.plans.append(plan)
                measure = None
                continue
            self.line_index = i
            marker = self.plan_marker(plan, text)
            if plan is None and (outside := grammar.marker_candidate(text, self.rules)) \
                    and (outside.known or grammar.is_sequence_label(outside.rest, self.rules)):
                self.diag(Severity.WARNING, "marker_outside_plan",
                          f"measure marker before any plan header: {text[:60]}", line)
            in_sequence = bool(marker and plan.form and plan.form.trusted
                               and marker.number == len(plan.measures) + 1)
            if marker and para and not in_sequence and not _break_is_known(line) \
                    and not self.is_sentence(para[-1].text[-1:]) and not para[-1].text.endswith(")") \
                    and not grammar.has_label_shape(para[-1].text, self.rules) \
                    and (marker.number != len(plan.measures) + 1
                         or not (grammar.label_prefix(marker.rest, self.rules)
                                 or grammar.canonical_label(marker.rest, self.rules)
                                 or grammar.has_label_shape(marker.rest.strip(self.rules.label_brackets), self.rules))):
                # "(3)販路拡大支援の三つを柱として…" continuing a hard-wrapped sentence whose
                # line broke right before "(3)": text, not the third measure.
                marker = None
            if marker and plan.measures and marker.number <= plan.measures[-1].number \
                    and grammar.label_prefix(marker.rest, self.rules) is None \
                    and not grammar.has_label_shape(marker.rest, self.rules):
                # "(1) 創業支援事業" under measure (3): an enumerated item, not a measure.
                marker = None
            if marker:
                flush()
                measure, i = self.read_marker(lines, i, marker, plan)
                plan.measures.append(measure)
                continue
            if plan is not None and (looks_like_period(text, self.rules)):
                flush()
                self.role(line, Role.UNASSIGNED, plan)
                self.diag(Severity.WARNING, "stray_period", f"period line outside a plan header: {text}", line, plan)
                i += 1
                continue
            if not para:
                self.para_after_furniture, self.furniture_seen = self.furniture_seen, False
            para.append(line)
            i += 1
        flush()
        if plan is None:
            self.finish_front(before_plans)
        self.warn_unread(lines)
        return Skeleton(self.doc, self.title, tuple(self.preamble), tuple(p.freeze() for p in self.plans),
                        tuple(self.roles[k] for k in sorted(self.roles)), tuple(self.diags),
                        tuple(self.preamble_captions), frozenset(self.caption_splits))

    def warn_unread(self, lines: list[NormLine]) -> None:
        stray = {d.line for d in self.diags if d.code == "stray_period"}
        for line, role in plan_like_lines(lines, self.roles, stray, self.rules):
            plan = self.plans[role.plan_no - 1] if role.plan_no else None
            self.diag(Severity.WARNING, "plan_like_line",
                      f"looks like a plan header but was not read as one: {line.text[:60]}", line, plan)

    # -- measures as a numbered sequence
    def plan_marker(self, plan: PlanDraft | None, text: str) -> MarkerMatch | None:
        """A measure marker of this plan: of the plan's form, with a known label where the
        form asks one, unless the plan's numbered sequence vouches for its labels."""
        if plan is None:
            return None
        if plan.form is None:
            return match_marker(text, self.rules)
        m = grammar.marker_candidate(text, self.rules)
        if m is None or m.form != plan.form.form or self.line_index < plan.form.start:
            return None
        if m.known or plan.form.trusted or not grammar.asks_known_label(m, self.rules):
            return m
        return match_marker(text, self.rules)

    # -- front matter
    def finish_front(self, lines: list[NormLine]) -> None:
        """Title and preamble. The title patterns are in order of preference: the first
        pattern that matches any front line wins, so 【報道発表資料】 above
        【承認した地域産業活性化計画の概要】 does not become the title."""
        # A title the line broke inside its brackets: "【承認した地域産業活性化" / "計画の概要】".
        candidates: list[tuple[str, list[NormLine]]] = []
        for k, line in enumerate(lines):
            candidates.append((line.text, [line]))
            if line.text.count("【") > line.text.count("】") and k + 1 < len(lines):
                candidates.append((line.text + lines[k + 1].text, [line, lines[k + 1]]))
        title_lines: list[NormLine] = []
        ranked = [(found, k) for k, (text, _) in enumerate(candidates)
                  if (found := grammar.match_title(text, self.rules))]
        if ranked:
            (_, self.title), k = min(ranked, key=lambda r: (r[0][0], r[1]))
            title_lines = candidates[k][1]
        self.front_lines |= {ln.text for ln in lines if len(ln.text) <= self.rules.caption_max_chars
                             and not self.is_sentence(ln.text)}
        for line in lines:
            if any(line is t for t in title_lines):
                self.role(line, Role.TITLE, None)
            else:
                self.preamble.append(line)
                self.role(line, Role.PREAMBLE, None)

    # -- plan header
    def read_header(self, lines: list[NormLine], i: int, header: HeaderMatch,
                    joined_title: NormLine | None = None,
                    extra: list[NormLine] = ()) -> tuple[PlanDraft, int]:
        first = lines[i]
        plan = PlanDraft(plan_no=len(self.plans) + 1, header_lines=[first], title=header.title,
                        muni=header.muni, period=None, period_text=None)
        self.role(first, Role.HEADER, plan)
        if joined_title is not None:
            plan.header_lines.append(joined_title)
            self.role(joined_title, Role.HEADER, plan)
            i += 1
        for line in extra:  # the other lines of a header found from its cues
            k = self.ahead.index[line.line_no]
            for between in lines[i + 1:k]:  # page furniture: the header went over a page break
                if between.text:
                    self.drop_furniture(between)
            plan.header_lines.append(line)
            self.role(line, Role.HEADER, plan)
            i = k
        # A period may continue on the next line: "【計画期間】" / "令和6年度〜令和8年度", or a
        # hard wrap inside the brackets: "【計画期間:令和7年度〜令和9年" / "度】".
        pending = ""
        if header.rest:
            if self._period_incomplete(header.rest, first.wraps):
                pending = header.rest
            else:
                self.take_period(plan, header.rest, first)
        i += 1
        taken = 0
        last = first
        while i < len(lines) and (plan.period is None and plan.period_text is None or plan.muni is None) \
                and taken < self.rules.header_max_continuation + (1 if pending else 0):
            line = lines[i]
            if not line.text:
                i += 1
                continue
            if line.hint == LayoutHint.CAPTION:
                break
            if line.hint == LayoutHint.FURNITURE or grammar.is_furniture(line.text, self.rules):
                # "- 2 -" / "別紙" between a header's title and its period (a page break)
                self.drop_furniture(line)
                i += 1
                continue
            muni = grammar.match_muni_line(line.text, self.rules)
            sub = match_marker(line.text, self.rules)
            cues = self.continuation_cues(plan, line.text)
            has_period = plan.period is not None or plan.period_text is not None
            if has_period and not pending and not (muni and plan.muni is None) and cues is None:
                break  # the period is read; only a line naming the municipality may follow
            if cues is not None and not pending:
                # "大田区 【計画期間:…】", "〔計画期間:…〕 (府中市)": the municipality and the period
                if cues.muni and plan.muni is None:
                    plan.muni = cues.muni
                self.role(line, Role.PERIOD if cues.period and not cues.muni else Role.HEADER, plan)
                if cues.period and not has_period:
                    if self._period_incomplete(cues.period, line.wraps):
                        pending = cues.period
                    else:
                        self.take_period(plan, cues.period, line)
            elif pending:
                if match_marker(line.text, self.rules) or match_header(line.text, self.rules):
                    break
                pending += line.text
                self.role(line, Role.PERIOD, plan)
                if not self._period_incomplete(pending, line.wraps):
                    self.take_period(plan, pending, line)
                    pending = ""
            elif muni and plan.muni is None:
                plan.muni = muni
                self.role(line, Role.HEADER, plan)
            elif parse_period(line.text, self.rules) or looks_like_period(line.text, self.rules):
                self.role(line, Role.PERIOD, plan)
                if self._period_incomplete(line.text, line.wraps):
                    pending = line.text
                else:
                    self.take_period(plan, line.text, line)
            elif sub and (parse_period(sub.rest, self.rules) or looks_like_period(sub.rest, self.rules)):
                # "(1) 計画期間 令和3年度〜令和5年度": a numbered header field, not a measure.
                self.role(line, Role.PERIOD, plan)
                self.take_period(plan, sub.rest, line)
            else:
                break
            plan.header_lines.append(line)
            last = line
            taken += 1
            i += 1
        if pending:
            self.take_period(plan, pending, last)
        if plan.period is None and plan.period_text is None:
            self.diag(Severity.WARNING, "missing_period", f"plan header without a plan period: {first.text}", first, plan)
        return plan, i

    def continuation_cues(self, plan: PlanDraft, text: str) -> grammar.Evidence | None:
        """The cues of a line that continues a header: no title, nothing else, and a
        municipality or period the plan still lacks."""
        ev = grammar.line_evidence(text, self.rules)
        if ev is None or not ev.clean or ev.title is not None or not (ev.muni or ev.period):
            return None
        needs_period = plan.period is None and plan.period_text is None
        if (ev.period and not needs_period) or (ev.muni and plan.muni is not None and ev.muni != plan.muni):
            return None
        return ev if (ev.muni and plan.muni is None) or (ev.period and needs_period) else None

    def _period_incomplete(self, text: str, wraps: bool = False) -> bool:
        """Does the period go on in the next line? Also when text broken at a fixed width cut
        it in a number ("平成26〜2" / "8年度】"): the line runs to the width (``wraps``)."""
        if grammar.open_brackets(text, self.rules):
            return True
        inner = strip_period_wrapping(text, self.rules)
        return not inner or inner.endswith(("〜", "-", "から")) or (
            parse_period(text, self.rules) is None and bool(self.rules.period_year_cut.search(inner))) or (
            wraps and bool(self.rules.period_number_cut.search(inner)))

    def take_period(self, plan: PlanDraft, text: str, line: NormLine) -> None:
        period = parse_period(text, self.rules)
        if period is None:
            plan.period_text = strip_period_wrapping(text, self.rules)
            self.diag(Severity.WARNING, "unparsable_period", f"plan period cannot be parsed: {text}", line, plan)
        else:
            plan.period = period

    # -- markers
    def read_marker(self, lines: list[NormLine], i: int, marker: MarkerMatch,
                    plan: PlanDraft) -> tuple[MeasureDraft, int]:
        line = lines[i]
        label_lines = [line]
        label = marker.rest
        self.role(line, Role.MARKER, plan)
        i += 1
        # A label wrapped onto the next line: take that line when together they are a known label.
        rules = self.rules
        if label and i < len(lines) and lines[i].text and lines[i].hint is None and not _break_is_known(lines[i]) \
                and not any(sep in lines[i].text for sep in rules.separators) \
                and grammar.canonical_label(label, rules) is None and not grammar.has_label_shape(label, rules) \
                and len(lines[i].text) <= rules.caption_max_chars \
                and (grammar.canonical_label(label + lines[i].text, rules) is not None
                     or grammar.has_label_shape(label + lines[i].text, rules)):
            label += lines[i].text
            label_lines.append(lines[i])
            self.role(lines[i], Role.MARKER, plan)
            i += 1
        # Text broken at a fixed width: a marker line that runs to the width goes on in the next
        # line (past page furniture), unless that starts something of its own.
        elif label and line.wraps and grammar.canonical_label(label, rules) is None:
            k = i
            while k < len(lines) and lines[k].text and self.is_page_furniture(lines[k]):
                k += 1
            nxt = lines[k].text if k < len(lines) else ""
            if nxt and lines[k].hint is None and not grammar.starts_block(nxt, rules) \
                    and not rules.sentence_end.search(label):
                for ln in lines[i:k]:
                    self.drop_furniture(ln)
                label += nxt
                label_lines.append(lines[k])
                self.role(lines[k], Role.MARKER, plan)
                i = k + 1
        # A marker alone on its line, with the label on the next one.
        if not label:
            k = i
            furniture = []  # a page break between the marker and its label ("(2)" / "－１－" / label)
            while k < len(lines) and (not lines[k].text or self.is_page_furniture(lines[k])):
                if lines[k].text:
                    furniture.append(lines[k])
                k += 1
            if k < len(lines) and lines[k].hint is None:
                nxt = lines[k].text
                if not match_marker(nxt, self.rules) and not match_header(nxt, self.rules) and (
                        grammar.canonical_label(nxt, self.rules) is not None
                        or grammar.has_label_shape(nxt, self.rules)
                        or (self.is_caption_like(nxt) and not nxt.endswith(")"))):
                    label = nxt
                    label_lines.append(lines[k])
                    for ln in furniture:
                        self.drop_furniture(ln)
                    self.role(lines[k], Role.MARKER, plan)
                    i = k + 1
        expected = len(plan.measures) + 1
        if marker.number != expected:
            self.diag(Severity.WARNING, "marker_sequence",
                      f"measure marker {marker.marker} where ({expected}) was expected", line, plan)
        return MeasureDraft(marker.number, marker.marker, label, label_lines), i

    # -- paragraphs
    def is_page_furniture(self, line: NormLine) -> bool:
        """A running header, footer or page number, by the reader's hint or the grammar."""
        return (line.hint == LayoutHint.FURNITURE or grammar.is_furniture(line.text, self.rules)
                or grammar.repeats_title(line.text, self.title, self.rules)
                or (line.text in self.front_lines and is_clutter(line.text, self.rules)))

    def drop_furniture(self, line: NormLine) -> None:
        self.role(line, Role.FURNITURE, None)
        self.diag(Severity.INFO, "page_furniture", f"running header/footer or page number dropped: {line.text}", line)

    def is_sentence(self, text: str) -> bool:
        return bool(self.rules.sentence_end.search(text))

    def is_caption_like(self, text: str, separators_ok: bool = False) -> bool:
        return is_caption_like(text, self.rules, separators_ok)

    def intro_paragraph(self, plan: PlanDraft, para: list[NormLine]) -> None:
        """Between header and first marker: overview prose, and short caption lines."""
        if plan.overview_label_open:
            # Right after a 【概要】 label: the overview, whatever its shape (bullet points).
            plan.overview_label_open = False
            plan.overview.append(para)
            for ln in para:
                self.role(ln, Role.OVERVIEW, plan)
            return
        caption_like = lambda t: self.is_caption_like(t, separators_ok=True)  # noqa: E731
        # Captions can follow only a line that ends a sentence: a hard-wrapped line that
        # merely contains 。 continues the paragraph.
        last_sentence = max((k for k, ln in enumerate(para) if self.is_sentence(ln.text[-1:])), default=-1)
        if last_sentence < 0:
            if all(caption_like(ln.text) for ln in para):
                for ln in para:
                    plan.captions.append(ln)
                    self.role(ln, Role.CAPTION, plan)
                return
            last_sentence = len(para) - 1
        body, tail = para[: last_sentence + 1], para[last_sentence + 1:]
        if not all(caption_like(ln.text) for ln in tail):
            body, tail = para, []
        # Caption lines before the prose (a caption directly above the overview).
        lead = []
        while body and len(body) > 1 and caption_like(body[0].text) \
                and len(body[0].text) < len(body[1].text) // 2:
            lead.append(body.pop(0))
        for ln in lead:
            plan.captions.append(ln)
            self.role(ln, Role.CAPTION, plan)
        plan.overview.append(body)
        for ln in body:
            self.role(ln, Role.OVERVIEW, plan)
        for ln in tail:
            plan.captions.append(ln)
            self.role(ln, Role.CAPTION, plan)

    def measure_paragraph(self, plan: PlanDraft, measure: MeasureDraft, para: list[NormLine]) -> None:
        """After a marker: the first paragraph is the body; later short, unpunctuated
        paragraphs are captions, unless the body is an unfinished list."""
        # "商店街活性化事業" / "区内の皮革製品工房の様子": a caption line with no blank line
        # before it, after a line that ends a complete item (a head noun, no separator).
        heads = self.rules.head_nouns
        # which of the last lines are captions (from the end: each and all after it)
        tail_captions = [False] * (len(para) + 1)
        tail_captions[len(para)] = True
        for k in range(len(para) - 1, 0, -1):
            text = para[k].text
            tail_captions[k] = tail_captions[k + 1] and self.is_caption_like(text) \
                and text.endswith(self.rules.caption_endings)
        prose_before = False  # a sentence or a parenthesis in the lines before k
        opened = listed = False  # a "(" and a list separator in the lines before k
        for k in range(1, len(para)):
            prev = para[k - 1].text
            prose_before = prose_before or self.is_sentence(prev) or "(" in prev
            opened = opened or "(" in prev
            listed = listed or any(sep in prev for sep in self.rules.separators)
            # the last line, a caption glued under a list that ended complete (a name, 等, a closed
            # parenthesis, an activity): "若手社員向け研修の実施" / "展示会出展の様子"; under a
            # closed parenthesized list any short line is one ("天上山の登山ツアー"): the list
            # ended with the parenthesis
            closed_list = prev.endswith(")") and opened and listed  # the list may open lines above
            glued = k == len(para) - 1 and prev.endswith(self.rules.caption_after) \
                and (tail_captions[k] or (closed_list and self.is_caption_like(para[k].text)))
            if (prev.endswith(heads) and not prose_before and tail_captions[k]) or glued:
                self.measure_paragraph(plan, measure, para[:k])
                for ln in para[k:]:
                    plan.captions.append(ln)
                    self.role(ln, Role.CAPTION, plan)
                return
        if measure.body:
            prev_text = measure.body[-1][-1].text
            bullets = self.rules.bullets
            continues = (prev_text.endswith(tuple(self.rules.separators)) or _paren_left_open(prev_text)
                         # a list of one name a line that a page break (furniture) cut in two
                         or (self.para_after_furniture and prev_text.endswith(heads)
                             and all(ln.text.endswith(heads) for ln in para))
                         # one bulleted item after another: the same list
                         or bool(bullets.match(prev_text) and bullets.match(para[0].text)))
            if not continues and all(self.is_caption_like(ln.text) for ln in para) \
                    and not para[0].text.startswith("("):
                for ln in para:
                    plan.captions.append(ln)
                    self.role(ln, Role.CAPTION, plan)
                return
        # Caption-like paragraphs that came before the prose of the measure were captions
        # (a photo placed between the marker and its text), unless they hold a list.
        if measure.body and not all(self.is_caption_like(ln.text) for ln in para) \
                and all(self._caption_not_list(p) for p in measure.body):
            for p in measure.body:
                for ln in p:
                    plan.captions.append(ln)
                    self.role(ln, Role.CAPTION, plan)
            measure.body.clear()
        measure.body.append(para)
        for ln in para:
            self.role(ln, Role.MEASURE, plan)

    def _caption_not_list(self, para: list[NormLine]) -> bool:
        return all(self.is_caption_like(ln.text) for ln in para)


def _break_is_known(line: NormLine) -> bool:
    """The reader knows the break before ``line`` is a real one: a PDF reader joined the lines
    that wrapped, so every line it gives starts a line of the page. Text breaks may be wraps."""
    return line.gap_above is not None
