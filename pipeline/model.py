"""The document model that every stage reads and returns.

Frozen dataclasses only: a stage never mutates what it was given, so a value's
provenance (line, character span, page, bbox) stays true from ingest to the tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# (page, x0, top, x1, bottom) in PDF points, pages 1-based.
CharBox = tuple[int, float, float, float, float]


@dataclass(frozen=True)
class Diagnostic:
    severity: str  # "info" | "warning" | "error"
    code: str
    message: str
    line: int | None = None
    plan_no: int | None = None
    page: int | None = None


@dataclass(frozen=True)
class RawLine:
    """One line as read from the source, before normalization.

    For text input a physical line of the file. For PDF input a logical line
    rebuilt from characters: wrapped lines of one paragraph are already joined,
    and ``char_boxes`` holds one box per character of ``text`` (None for a
    character that the joiner inserted, such as the space between Latin words).
    """

    line_no: int  # 1-based
    text: str
    page: int | None = None
    char_boxes: tuple[CharBox | None, ...] | None = None
    # Layout hint from ingest: "caption" (small font / side column), "furniture"
    # (running header, footer, page number), or None for body text.
    hint: str | None = None


@dataclass(frozen=True)
class RawDocument:
    path: str
    doc_id: str
    media_type: str  # "text/plain" | "text/html" | "application/pdf"
    encoding: str | None
    lines: tuple[RawLine, ...]
    pages: int | None = None
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class NormLine:
    """A line after normalization, with a map back to the raw characters.

    Normalized character ``i`` came from ``raw[raw_start[i]:raw_end[i]]``.
    ``offset`` is where the line starts in the document's normalized text
    (lines joined with "\\n").
    """

    line_no: int
    raw: str
    text: str
    raw_start: tuple[int, ...]
    raw_end: tuple[int, ...]
    offset: int
    page: int | None = None
    char_boxes: tuple[CharBox | None, ...] | None = None
    hint: str | None = None


@dataclass(frozen=True)
class NormDocument:
    raw: RawDocument
    lines: tuple[NormLine, ...]
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True)
class Provenance:
    line: int
    char_start: int  # offsets into the document's normalized text
    char_end: int
    raw: str  # the source characters of the span, as written
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class Program:
    seq: int
    name: str
    qualifier: str | None
    where: Provenance
    has_known_head: bool = True


@dataclass(frozen=True)
class Measure:
    category_no: int
    marker: str  # the marker as written, e.g. "(1)", "（１）", "⑴"
    label: str  # as written after the marker (normalized)
    label_canonical: str | None
    description: str
    line: int
    line_end: int
    list_kind: str  # "parenthesized" | "bare" | "none_word" | "missing"
    programs: tuple[Program, ...]
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class Caption:
    text: str
    line: int
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class Plan:
    plan_no: int  # 1-based within the document
    municipality: str | None
    plan_title: str | None
    period_raw: str | None
    period_start_fy: int | None
    period_end_fy: int | None
    overview: str
    line_start: int
    line_end: int
    measures: tuple[Measure, ...]
    captions: tuple[Caption, ...]
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class LineRole:
    """Where one non-blank line went: the accounting record."""

    line: int
    role: str  # title, preamble, header, period, overview, caption, marker, measure, label, furniture, unassigned
    plan_no: int | None
    text: str
    page: int | None = None
    raw: str = ""  # the line as read, before normalization


@dataclass(frozen=True)
class Document:
    """The segmented and extracted document: what the tables are made from."""

    raw: RawDocument
    title: str | None
    preamble: str
    plans: tuple[Plan, ...]
    roles: tuple[LineRole, ...]
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    normalized_text: str = ""
    # Captions before the first plan (a PDF's cover photo): they belong to no plan.
    captions: tuple[Caption, ...] = ()

    @property
    def status(self) -> str:
        if not self.plans:
            return "no_plans"
        if any(d.severity in ("warning", "error") for d in self.diagnostics):
            return "partial"
        return "ok"
