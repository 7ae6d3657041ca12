"""The document model that every stage reads and returns.

Frozen dataclasses only: a stage never mutates what it was given, so a value's
provenance (line, character span, page, bbox) stays true from ingest to the tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# (page, x0, top, x1, bottom) in PDF points, pages 1-based.
CharBox = tuple[int, float, float, float, float]


# The fixed vocabularies. Their values are the strings the tables hold.


class Role(StrEnum):
    """Where a non-blank line went (lines.role)."""

    TITLE = "title"
    PREAMBLE = "preamble"
    HEADER = "header"
    PERIOD = "period"
    OVERVIEW = "overview"
    CAPTION = "caption"
    MARKER = "marker"
    MEASURE = "measure"
    LABEL = "label"  # a section label line such as 【概要】
    FURNITURE = "furniture"
    UNASSIGNED = "unassigned"


class LayoutHint(StrEnum):
    """What a reader saw of a line's layout (small type, a side column, a running header; a
    web page's figcaption, navigation or footer)."""

    CAPTION = "caption"
    FURNITURE = "furniture"
    # A PDF line at a furniture place (repeated at the same height on several pages, or a
    # page-number look-alike at the top) in the body's type: furniture, unless the grammar
    # reads it as a measure marker (segment decides; no later stage sees this value).
    REPEATED = "repeated"
    # A PDF line placed like a caption (a short line in a side column beside the body, or right
    # under a picture) in the body's type: a caption, unless the grammar reads it as the start
    # of a block (a measure marker or plan header in the label cells of a table): segment
    # decides; no later stage sees this value.
    SIDE = "side"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"  # the document becomes partial
    ERROR = "error"


class Status(StrEnum):
    """documents.status"""

    OK = "ok"
    PARTIAL = "partial"
    NO_PLANS = "no_plans"
    NO_TEXT = "no_text"
    FAILED = "failed"


class ListKind(StrEnum):
    """How a measure names its programs (measures.list_kind)."""

    PARENTHESIZED = "parenthesized"
    BARE = "bare"
    INLINE = "inline"  # a list inside a sentence, after 具体的には
    ACTIVITIES = "activities"  # the body is a 、-separated list of activities (2015–2017)
    NONE_WORD = "none_word"  # the list says なし
    MISSING = "missing"


@dataclass(frozen=True)
class Limits:
    """What one input may cost: the CLI's --max-file-mb, --max-pages and --timeout; and which
    library reads a PDF's characters (--pdf-engine), the one reading option every stage that
    passes the limits on has to carry as well."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_pages: int = 500
    timeout_seconds: float = 120.0
    pdf_engine: str = "pdfplumber"  # or "pdfium" (PDF_ENGINES)


PDF_ENGINES = ("pdfplumber", "pdfium")


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    code: str
    message: str
    line: int | None = None
    plan_no: int | None = None
    page: int | None = None


@dataclass(frozen=True)
class LineLayout:
    """What a PDF reader saw of a visual line's place, for the paragraph joiner in segment
    (which decides, with the grammar, whether the line goes on from the one it follows)."""

    # line_no of the body line this one may go on from: the line above it in its block, or the
    # last line of its column on the page before; None after vertical space, in another
    # column, or at the top of the text.
    follows: int | None
    same_block: bool  # ``follows`` is in this line's block (not across a page break)
    after_full: bool  # the line it follows was full: its text would have wrapped onto this one
    after_edge: bool  # the line it follows ends at its column's right edge (or at a box it wraps round)
    space: bool  # joined to the line it follows, a space goes between (the break took one)
    # A line placed like a caption (``side``): line_no of the first line of the topmost body
    # paragraph level with it (where a table row beside a label cell starts); None if it
    # stands level with none (under a picture, in a column of its own). The reader put the
    # caption after the paragraph it overlaps most.
    beside: int | None = None


@dataclass(frozen=True)
class RawLine:
    """One line as read from the source, before normalization.

    For text input a physical line of the file. For PDF input a visual line (the body text
    of one line of a column, one caption line or one furniture item) rebuilt from
    characters, with its layout evidence; segment joins the wrapped ones. ``char_boxes``
    holds one box per character of ``text`` (None for a character the reader inserted).
    """

    line_no: int  # 1-based
    text: str
    page: int | None = None
    char_boxes: tuple[CharBox | None, ...] | None = None
    # Layout hint from ingest: caption (small font / side column, a figcaption), furniture
    # (running header, footer, page number; a web page's menus and breadcrumbs), or None.
    hint: LayoutHint | None = None
    # HTML input: a short XPath of the page element the line comes from (its block element).
    html_path: str | None = None
    # PDF input: where the visual line stands relative to the line above it (see LineLayout);
    # None for text and web pages, whose line breaks are the only evidence.
    layout: LineLayout | None = None


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
    hint: LayoutHint | None = None
    layout: LineLayout | None = None  # as RawLine.layout; a logical line that segment joined has none
    # True when the line starts a new block (vertical space, another column, a page that does
    # not go on from the last block), False when it follows the line before it in its block;
    # None where the input carries no such evidence (text: a blank line says it).
    gap_above: bool | None = None
    # Text broken at a fixed width: the line runs to that width, so its text goes on in the next.
    wraps: bool = False


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
    list_kind: ListKind
    programs: tuple[Program, ...]
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class Period:
    """A plan period: fiscal years (Western), from 和暦 or Western years."""

    raw: str  # the period expression as written (normalized), without brackets and label
    start_fy: int | None
    end_fy: int | None


@dataclass(frozen=True)
class Joined:
    """Lines joined into one text; ``pos[i]`` is (line, index in line.text) of char i,
    or None for a space the joiner inserted between two Latin words."""

    text: str
    pos: tuple[tuple[NormLine, int] | None, ...]
    lines: tuple[NormLine, ...]


@dataclass(frozen=True)
class MeasureSkeleton:
    """A measure as segment found it: marker, label and body paragraphs, not yet read."""

    number: int
    marker: str
    label: str
    label_lines: tuple[NormLine, ...]
    body: tuple[tuple[NormLine, ...], ...]  # paragraphs of the measure's text


@dataclass(frozen=True)
class PlanSkeleton:
    """A plan as segment found it: header fields, overview paragraphs, captions, measures."""

    plan_no: int
    header_lines: tuple[NormLine, ...]
    title: str | None
    muni: str | None
    period: Period | None
    period_text: str | None  # the period as written when it could not be parsed
    overview: tuple[tuple[NormLine, ...], ...]
    captions: tuple[NormLine, ...]
    measures: tuple[MeasureSkeleton, ...]
    last_line: int


@dataclass(frozen=True)
class Skeleton:
    """What segment hands to extract: every line has its role; plans wait to be read."""

    doc: NormDocument
    title: str | None
    preamble: tuple[NormLine, ...]
    plans: tuple[PlanSkeleton, ...]
    roles: tuple[LineRole, ...]  # in line order
    diagnostics: tuple[Diagnostic, ...]
    preamble_captions: tuple[NormLine, ...] = ()
    # Caption lines that hold one caption per photo placeholder above them, set apart by spaces.
    caption_splits: frozenset[int] = frozenset()


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
    role: Role
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
    # Lines as segment read them: a text file's lines, a PDF's logical lines (wrapped lines joined).
    line_count: int = 0

    @property
    def status(self) -> Status:
        if not self.plans:
            return Status.NO_PLANS
        if any(d.severity in (Severity.WARNING, Severity.ERROR) for d in self.diagnostics):
            return Status.PARTIAL
        return Status.OK
