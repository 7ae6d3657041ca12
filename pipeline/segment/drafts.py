"""Plans and measures while segment reads them: mutable drafts, frozen into the Skeleton's
PlanSkeleton and MeasureSkeleton at the end."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import MeasureSkeleton, NormLine, Period, PlanSkeleton
from .grammar import MeasureForm


@dataclass
class MeasureDraft:
    """A measure while segment reads it; frozen into a MeasureSkeleton at the end."""

    number: int
    marker: str
    label: str
    label_lines: list[NormLine]
    body: list[list[NormLine]] = field(default_factory=list)  # paragraphs

    def freeze(self) -> MeasureSkeleton:
        return MeasureSkeleton(self.number, self.marker, self.label, tuple(self.label_lines),
                               tuple(tuple(p) for p in self.body))


@dataclass
class PlanDraft:
    """A plan while segment reads it; frozen into a PlanSkeleton at the end."""

    plan_no: int
    header_lines: list[NormLine]
    title: str | None
    muni: str | None
    period: Period | None
    period_text: str | None  # as written when it could not be parsed
    overview: list[list[NormLine]] = field(default_factory=list)
    overview_label_open: bool = False  # a 【概要】 line was just seen
    captions: list[NormLine] = field(default_factory=list)
    measures: list[MeasureDraft] = field(default_factory=list)
    last_line: int = 0
    form: MeasureForm | None = None  # the marker form of its measures

    def freeze(self) -> PlanSkeleton:
        return PlanSkeleton(self.plan_no, tuple(self.header_lines), self.title, self.muni, self.period,
                            self.period_text, tuple(tuple(p) for p in self.overview), tuple(self.captions),
                            tuple(m.freeze() for m in self.measures), self.last_line)
