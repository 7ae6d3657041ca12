"""Typed errors. The CLI turns them into one-line messages; nothing else prints them."""

from __future__ import annotations

# Characters that would end a line or garble a terminal: shown as escapes, so that a message
# naming a file called "a<LF>b.txt" stays one line.
_LINE_BREAKING = {c: repr(chr(c))[1:-1] for c in [*range(32), 127, 0x85, 0x2028, 0x2029] if chr(c) != "\t"}


def one_line(text: str) -> str:
    return text.translate(_LINE_BREAKING)


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is (the output is left whole, temporary files removed)."""


class PipelineError(Exception):
    """Base class: an error the user can act on, with a one-line message."""

    exit_code = 2


class RulesError(PipelineError):
    """The rules folder is missing, malformed, or has a bad pattern (names file and key)."""


class InputError(PipelineError):
    """One input file cannot be processed. ``status`` goes into documents.status."""

    def __init__(self, message: str, *, status: str = "failed", page: int | None = None,
                 line: int | None = None, hint: str | None = None, reproducible: bool = True):
        super().__init__(message)
        self.message = message
        # False for what depends on the machine (a time limit): such a result is not cached.
        self.reproducible = reproducible
        self.status = status
        self.page = page
        self.line = line
        self.hint = hint

    def one_line(self, path: str) -> str:
        where = path
        if self.page is not None:
            where += f":page {self.page}"
        elif self.line is not None:
            where += f":{self.line}"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class OutputError(PipelineError):
    """The tables could not be written; the previous output is left as it was."""


class UnreadableTableError(PipelineError):
    """An output table is there but cannot be read (damaged, or not a Parquet file)."""


class NotFoundError(PipelineError):
    """``show`` was asked for a plan, or an output folder, that is not there."""


class NoInputsError(PipelineError):
    """The inputs hold no announcement file: nothing to do, which is a failed run, not a
    usage error."""

    exit_code = 1
