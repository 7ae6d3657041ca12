"""Command line: a thin layer over ``pipeline.batch``. Errors become one-line messages here."""

from __future__ import annotations

import argparse
import logging
import math
import os
import signal
import sys
import threading

from .errors import PipelineError, Terminated, one_line
from .model import PDF_ENGINES, Limits

log = logging.getLogger("pipeline")


# Upper bounds that keep absurd values from reaching the OS as overflowing timers, huge
# reads or thousands of processes; far above any real need.
MAX_JOBS = 256
MAX_FILE_MB = 100_000
MAX_TIMEOUT_S = 1_000_000


def _whole(low: int, high: int | None = None):
    def parse(text: str) -> int:
        try:
            value = int(_whole_ascii(text))
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
        if value < low or (high is not None and value > high):
            span = f"from {low} to {high}" if high is not None else f"{low} or more"
            raise argparse.ArgumentTypeError(f"must be {span}, not {text!r}")
        return value
    return parse


def _number(high: float, *, zero_ok: bool):
    def parse(text: str) -> float:
        try:
            if not text.isascii():
                raise ValueError
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, not {text!r}") from None
        low_ok = value >= 0 if zero_ok else value > 0
        if not math.isfinite(value) or not low_ok or value > high:
            top = str(int(high)) if float(high).is_integer() else f"{high:g}"
            span = f"from 0 to {top}" if zero_ok else f"more than 0 and at most {top}"
            raise argparse.ArgumentTypeError(f"must be {span}, not {text!r}")
        return value
    return parse


def _path(text: str) -> str:
    # An empty path would mean the current folder: as input, output or cache, never meant.
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path is not a file or folder")
    return text


class _Parser(argparse.ArgumentParser):
    """A bad value of an option is one line naming the option; an unknown option or a missing
    argument shows the usage first (of the subcommand it was given to), since the user needs
    to see what there is."""

    def error(self, message: str):
        if message.startswith("argument "):  # "argument --jobs: must be from 1 to 256, not '0'"
            self.exit(2, f"{self.prog}: error: {message}\n")
        super().error(message)


def _whole_ascii(text: str) -> str:
    # int() takes full-width digits (１) and underscores; an option value is typed ASCII.
    if not text.strip().lstrip("+-").isascii():
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}")
    return text


def _named(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty name names no plan (leave it out to list them all)")
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        allow_abbrev=False,  # --tab must not quietly mean --tables-only
        prog="python -m pipeline",
        description="Turn 承認した地域産業活性化計画の概要 announcements (text or PDF) into tables.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", allow_abbrev=False, help="process files or folders into tables")
    run.add_argument("paths", nargs="*", type=_path, default=["raw"], help="files or folders (default: raw/)")
    run.add_argument("--out", type=_path, default="output", help="output folder (default: output/)")
    run.add_argument("--rules", type=_path, default=None, help="rules folder (default: the package's rules/)")
    run.add_argument("--jobs", type=_whole(1, MAX_JOBS), default=None,
                     help=f"worker processes, 1 to {MAX_JOBS} (default: number of CPUs)")
    run.add_argument("--max-file-mb", type=_number(MAX_FILE_MB, zero_ok=False),
                     default=Limits().max_file_bytes / 1048576,
                     help="fail files larger than this many MB (default 50)")
    run.add_argument("--max-pages", type=_whole(1), default=Limits().max_pages, help="fail PDFs with more pages (default 500)")
    run.add_argument("--pdf-engine", choices=PDF_ENGINES, default=Limits().pdf_engine,
                     help="library that reads PDF characters (default pdfplumber; pdfium is faster, "
                          "same tables on every fixture: see README)")
    limit = run.add_mutually_exclusive_group()
    limit.add_argument("--timeout", type=_number(MAX_TIMEOUT_S, zero_ok=False), default=Limits().timeout_seconds,
                       help="seconds one document may take before it is stopped and reported as failed "
                            "(default 120)")
    # A zero or negative limit is a usage error, never a quiet "no limit": that is said in words.
    limit.add_argument("--no-timeout", action="store_true", help="let every document take as long as it takes")
    run.add_argument("--cache", type=_path, default=None, metavar="DIR",
                     help="cache of per-document results (default: OUT/.cache); unchanged documents "
                          "are not processed again")
    run.add_argument("--no-cache", action="store_true", help="process every document, keep no cache")
    run.add_argument("--tables-only", action="store_true",
                     help="write only the CSV and Parquet tables, not workbook.xlsx and the report folder")
    run.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")

    rules = sub.add_parser("rules", allow_abbrev=False, help="print the effective rules and their hash")
    rules.add_argument("--rules", type=_path, default=None, help="rules folder")

    show = sub.add_parser("show", allow_abbrev=False, help="print plans as trees, with their source file, from the output tables")
    show.add_argument("what", nargs="?", type=_named, metavar="PLAN_ID|DOC_ID|MUNICIPALITY",
                      help="a plan, every plan of a document, or every plan of a municipality "
                           "(none: list the plans, as `list` does)")
    show.add_argument("--out", type=_path, default="output", help="output folder with the tables")

    history = sub.add_parser("history", allow_abbrev=False,
                             help="print a municipality's plans over time and, per round, its programmes "
                                  "continued, changed, new and dropped, from the output tables")
    history.add_argument("municipality", type=_named, metavar="MUNICIPALITY",
                         help="a municipality as written in plans.municipality, or its municipality_code")
    history.add_argument("--out", type=_path, default="output", help="output folder with the tables")

    listing = sub.add_parser("list", allow_abbrev=False, help="list the plans: ID, municipality, period, source file")
    listing.add_argument("--out", type=_path, default="output", help="output folder with the tables")
    return parser


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Like ``parse_args``, but an unknown option is reported with the usage of the subcommand
    it was given to, not the top-level usage (which does not list the subcommand's options)."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        commands.choices[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def _stop(signum, _frame) -> None:
    """The first Ctrl-C or SIGTERM stops the run; any further one is ignored while the run
    cleans up (a second Ctrl-C in a writer's clean-up would print a traceback)."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def main(argv: list[str] | None = None) -> int:
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, _stop)
    args = parse(argv)
    logging.basicConfig(level=logging.DEBUG if getattr(args, "debug", False) else logging.INFO,
                        format="%(message)s", stream=sys.stderr)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "rules":
            from .rules import describe, load_rules

            print(describe(load_rules(args.rules)))
            return 0
        if args.command in ("show", "list", "history"):
            from .output.history import history_text, read_timeline
            from .output.show import list_plans, show_plan

            what = getattr(args, "what", None)
            if args.command == "history":
                text = history_text(read_timeline(args.out, args.municipality))
            else:
                text = show_plan(args.out, what) if what else list_plans(args.out)
            try:
                print(text)
                sys.stdout.flush()
            except BrokenPipeError:  # `list | head -1`: the reader has what it wanted
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    except PipelineError as exc:
        print(one_line(f"error: {exc}"), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        print("interrupted: the previous output was left as it was", file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130
    except Exception as exc:  # a bug outside per-file processing: one line, traceback with --debug
        if getattr(args, "debug", False):
            import traceback

            traceback.print_exc()
        print(one_line(f"error: internal error: {type(exc).__name__}: {exc} (run with --debug for details)"),
              file=sys.stderr)
        return 2
    return 2


def _run(args) -> int:
    from pathlib import Path

    from .batch.runner import Options, run_batch
    from .output.report import ReportPages
    from .output.workbook import WorkbookSheets

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        # One line per missing path, `<path>: <what> (<hint>)`, no usage banner; nothing is written.
        for p in missing:
            what = "a broken or looping symbolic link" if Path(p).is_symlink() else "no such file or folder"
            print(one_line(f"{p}: {what} (check the path)"), file=sys.stderr)
        return 2
    limits = Limits(max_file_bytes=int(args.max_file_mb * 1024 * 1024), max_pages=args.max_pages,
                    timeout_seconds=0.0 if args.no_timeout else args.timeout, pdf_engine=args.pdf_engine)
    # The workbook and the report replace the old ones together with the tables, or not at all.
    extras = () if args.tables_only else (WorkbookSheets, ReportPages)
    return run_batch(Options(paths=tuple(args.paths), out=args.out, rules_dir=args.rules, limits=limits,
                             jobs=args.jobs, cache_dir=args.cache, use_cache=not args.no_cache,
                             extra_writers=extras, debug=args.debug))
