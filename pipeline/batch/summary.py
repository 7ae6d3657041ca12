"""The run's summary: counts per status, singular and plural, one line per document that is not ok.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .chain import _media_guess, name_fits_content

STATUSES = ("ok", "partial", "no_plans", "no_text", "failed")


FAILED_STATUSES = ("no_text", "failed")  # these make the exit status 1


@dataclass
class Summary:
    documents: int = 0
    failed: int = 0
    plans: int = 0
    measures: int = 0
    programs: int = 0
    diagnostics: int = 0
    errors: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)

    def line(self, out: str) -> str:
        per_status = ", ".join(f"{s} {self.statuses.get(s, 0)}" for s in STATUSES)
        return (f"documents: {self.documents} ({per_status}), plans: {self.plans}, "
                f"measures: {self.measures}, programs: {self.programs}, "
                f"diagnostics: {self.diagnostics} -> {out}")


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def status_note(path: str, status: str, diagnostics: list[tuple[str, str, str]]) -> str | None:
    """The stderr line for a document that was read but is not ok (failed ones have their
    error line): what to look at, from its (severity, code, message) diagnostics."""
    if status == "partial":
        warnings = [d for d in diagnostics if d[0] == "warning"]
        first = f", e.g. {warnings[0][1]}: {warnings[0][2]}" if warnings else ""
        return f"{path}: partial: {plural(len(warnings), 'warning')}{first} (see diagnostics)"
    if status == "no_plans":
        # The first warning or error says why; a reader's info notes (a web page's html_page,
        # a PDF's page furniture) come before it and say nothing about plans.
        said = [d for d in diagnostics if d[0] != "info"] or diagnostics
        first = f": {said[0][1]}: {said[0][2]}" if said else ""
        return f"{path}: no plans found{first} (see diagnostics)"
    return None


def duplicate_notes(groups: list[tuple[str | None, str, tuple[str, ...]]]) -> list[str]:
    """One stderr line for each path whose content was read under another path."""
    notes = []
    for _, first, others in groups:
        media = _media_guess(first) if others else None
        for other in others:
            if name_fits_content(other, media):
                notes.append(f"{other}: same content as {first}: read once (see documents.duplicate_paths)")
            else:
                notes.append(f"{other}: named .pdf but is not a PDF; the same content was read from {first} "
                             "(rename it to .txt, or remove the copy)")
    return notes
