"""What lies ahead of a line, for decisions segment takes at it: whether a header found from
its cues is followed by plan content, and which marker form numbers a plan's measures. Header
answers are memoized per line, since both questions ask them of the same lines.
"""

from __future__ import annotations

from ..model import LayoutHint, NormLine
from ..rules import Rules
from . import grammar
from .grammar import match_header


class Lookahead:
    def __init__(self, lines: tuple[NormLine, ...] | list[NormLine], rules: Rules):
        self.lines = lines
        self.rules = rules
        self.index = {ln.line_no: k for k, ln in enumerate(lines)}
        self._header_at: dict[int, bool] = {}
        self.first_at: dict[str, int] = {}  # text -> index of the first line with it
        for k, ln in enumerate(lines):
            self.first_at.setdefault(ln.text, k)

    def nonblank_run(self, i: int) -> list[int]:
        """Indexes of the next non-blank lines from ``i`` that a header may span: a line a reader
        marked as a caption ends the run, page furniture (a page break) is passed over."""
        run: list[int] = []
        k = i
        while k < len(self.lines) and len(run) < self.rules.evidence.max_lines:
            line = self.lines[k]
            if line.text:
                if line.hint == LayoutHint.CAPTION:
                    break
                if line.hint is None and (k == i or not self.is_page_furniture(k)):
                    run.append(k)
            k += 1
        return run

    def is_page_furniture(self, k: int) -> bool:
        """Typed page furniture: a page number, 別紙, or the document's heading again."""
        text = self.lines[k].text
        return grammar.is_furniture(text, self.rules) or (grammar.is_heading(text, self.rules)
                                                          and self.first_at[text] < k)

    def evidence_header(self, run: list[int]) -> grammar.EvidenceHeader | None:
        return grammar.header_from_evidence([self.lines[j].text for j in run], self.rules,
                                            [self.lines[j].wraps for j in run])

    def _continues_header(self, text: str) -> bool:
        ev = grammar.line_evidence(text, self.rules)
        return bool(ev and ev.clean and ev.title is None and (ev.muni or ev.period))

    def header_at(self, k: int) -> bool:
        if k not in self._header_at:
            text = self.lines[k].text
            run = self.nonblank_run(k)
            # 「台東区地域産業 / 活性化計画」(台東区)…: a title the line broke inside
            broken = len(run) > 1 and text.count("「") > text.count("」") \
                and match_header(text + self.lines[run[1]].text, self.rules)
            self._header_at[k] = bool(match_header(text, self.rules) or broken or self.evidence_header(run))
        return self._header_at[k]

    def followed_by_content(self, i: int, extra: list[NormLine], weak: bool) -> bool:
        """A header must be followed by plan content before the next header: an overview or
        measures (only measures, for a header whose only cues are its title). Lines that name
        only a municipality or a period continue the header."""
        k = self.index[extra[-1].line_no] + 1 if extra else i + 1
        seen = False
        while k < len(self.lines):
            line = self.lines[k]
            text = line.text
            k += 1
            if not text or line.hint == LayoutHint.FURNITURE or grammar.is_furniture(text, self.rules) \
                    or (grammar.is_heading(text, self.rules) and self.first_at[text] < i):
                continue  # a running header: furniture, or the document's heading typed in again
            if not seen and (grammar.match_muni_line(text, self.rules) or grammar.is_period_line(text, self.rules)
                             or self._continues_header(text)):
                weak = False  # the header goes on with its municipality or period
                continue
            if self.header_at(k - 1) or grammar.is_heading(text, self.rules):
                return False  # the next header, or the heading of the summaries: nothing of its own
            if not weak or grammar.marker_candidate(text, self.rules):
                return True
            seen = True
        return False

    def measure_form(self, i: int) -> grammar.MeasureForm | None:
        """The marker form of the plan that starts at ``i``, chosen from every line up to the
        next header that starts like a marker."""
        cands: list[list] = []
        last: dict[int, list] = {}
        end = len(self.lines)
        for k in range(i, len(self.lines)):
            line = self.lines[k]
            if not line.text or line.hint is not None:
                continue
            if self.header_at(k):
                end = k
                break
            m = grammar.marker_candidate(line.text, self.rules)
            if m is None:
                for cand in last.values():
                    cand[2] = True  # text under the marker
                continue
            cand = [k, m, False]
            cands.append(cand)
            last[m.form] = cand
        return grammar.choose_measure_form([tuple(c) for c in cands], self.rules, end)

    def starts_announcement(self, i: int) -> bool:
        """Does the heading at ``i`` open a second announcement: prose (its preamble: a sentence
        at least), then a plan header, with no measure marker between? A running header repeating the title is followed
        by the plan's own text or the next header straight away."""
        prose = 0
        for k in range(i + 1, min(len(self.lines), i + 1 + self.rules.evidence.announcement_lookahead)):
            line = self.lines[k]
            text = line.text
            if not text or line.hint == LayoutHint.FURNITURE or grammar.is_furniture(text, self.rules):
                continue
            if self.header_at(k):
                return prose > 0
            if grammar.marker_candidate(text, self.rules):
                return False
            # a preamble says something ("…を承認しました。"); names of a list cut by a page
            # break, under a running title typed in again, do not
            prose += bool(self.rules.sentence_end.search(text))
        return False
