"""One batch run: choose the inputs, take the output folder's lock, use the cache, process the
rest in the pool, stream the tables out, print the summary.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import NoInputsError, OutputError, PipelineError, one_line
from ..model import Limits
from ..rules import DEFAULT_RULES_DIR, Rules, rules_hash
from ..tables import SCHEMA
from . import cache
from .pool import STAGES, Outcome, Pool, Serial, Task, load_spool, log
from .progress import Progress
from .summary import plural as _plural


@dataclass(frozen=True)
class Options:
    paths: tuple[str, ...]
    out: str
    rules_dir: str | None = None
    limits: Limits = field(default_factory=Limits)
    jobs: int | None = None  # None: one per CPU
    cache_dir: str | None = None  # None: <out>/.cache
    use_cache: bool = True
    extra_writers: tuple = ()  # as output.write.write_tables takes them (workbook, report folder)
    debug: bool = False


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (containers, taskset)
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def run_batch(opts: Options) -> int:
    """Process every input into the output folder; returns the exit code (0, or 1 when a
    document failed). Prints error lines, progress and the summary on stderr."""
    from ..output.lock import OutputLock
    from ..output.write import check_replaceable

    started = time.perf_counter()
    out = Path(opts.out)
    cache_dir = Path(opts.cache_dir) if opts.cache_dir else out / ".cache"
    try:
        _check_folders(out, cache_dir, opts.use_cache)
        check_replaceable(out)  # before any work: the run could not write its output
        selection = _select(opts, (out, cache_dir))
        lock = OutputLock(out)
    except (OSError, RuntimeError) as exc:  # a name too long, a link loop (RuntimeError in 3.11)
        raise OutputError(f"{out}: cannot use the output folder: {getattr(exc, 'strerror', None) or exc}") from None
    with lock:
        return _locked_run(opts, selection, out, cache_dir, started)


def _check_folders(out: Path, cache_dir: Path, use_cache: bool) -> None:
    if out.is_symlink() and not out.exists():
        raise OutputError(f"{out}: the output folder is a link to nothing ({os.readlink(out)})")
    if use_cache and cache_dir.exists() and not cache_dir.is_dir():
        raise OutputError(f"{cache_dir}: the cache is a file, not a folder (give a folder for --cache)")


def _locked_run(opts: Options, selection, out: Path, cache_dir: Path, started: float) -> int:
    from .chain import group_by_content
    from .summary import duplicate_notes

    rules_dir = Path(opts.rules_dir) if opts.rules_dir else DEFAULT_RULES_DIR
    groups = group_by_content(selection.files)
    for line in duplicate_notes(groups):
        log.info("%s", one_line(line))
    context = cache.run_context(rules_hash(rules_dir), opts.limits)
    keys = [cache.document_key(h, path, context) if h and opts.use_cache else None for h, path, _ in groups]
    extras = [f"{w.__module__}.{w.__qualname__}" for w in opts.extra_writers]
    run_fp = cache.fingerprint(context, [extras] + [[p, list(d), k] for (_, p, d), k in zip(groups, keys, strict=True)])
    if opts.use_cache:
        state = cache.is_up_to_date(cache_dir, out, run_fp)
        if state is not None:
            for line in state.get("errors", []):
                print(one_line(line), file=sys.stderr)
            print(f"up to date: nothing changed since the last run ({time.perf_counter() - started:.2f} s)",
                  file=sys.stderr)
            print(one_line(state["summary"] + _skipped_note(selection)), file=sys.stderr)
            return int(state["exit"])

    from ..rules import load_rules

    rules = load_rules(opts.rules_dir)  # validates; a broken rules folder stops here
    if opts.use_cache:
        cache.forget_state(cache_dir)  # an interrupted run must not leave 'up to date' behind
    batch = _Batch(opts, rules, groups, keys, cache_dir)
    try:
        code = batch.run()
    finally:
        batch.cleanup()
    if opts.use_cache and batch.complete():
        cache.save_state(cache_dir, {"fingerprint": run_fp, "out": str(out.resolve()),
                                     "outputs": batch.stamps, "summary": batch.summary.line(opts.out),
                                     "exit": code, "errors": batch.summary.errors})
    batch.print_summary(time.perf_counter() - started, _skipped_note(selection))
    return code


def _skipped_note(selection) -> str:
    # Not part of the recorded summary: files that are not input do not make a run out of date.
    return f" ({_plural(len(selection.skipped), 'other file')} skipped)" if selection.skipped else ""


def _select(opts: Options, exclude: tuple[Path, ...]):
    """The input files; the others found in folders are listed (info), and no input at all
    stops the run before anything is written."""
    from ..output.report import FOLDER as REPORT
    from ..output.workbook import FILE_NAME as WORKBOOK
    from ..output.write import OPTIONAL_OUTPUTS
    from ..rule_files import folder_rules
    from .inputs import select_inputs

    folders = folder_rules(opts.rules_dir)
    suffixes = folders.suffixes
    out = Path(opts.out)
    own = [out / f"{t}.{ext}" for t in SCHEMA for ext in ("csv", "parquet")] + [out / WORKBOOK]
    own += [out / f for f in OPTIONAL_OUTPUTS if f.endswith(".html")]  # an older version's report
    # The report folder's pages: never input when the output folder sits in an input folder.
    selection = select_inputs(list(opts.paths), folders, (*exclude, out / REPORT), tuple(own))
    for line in selection.skipped:
        log.info("%s", one_line(line))
    if not selection.files:
        skipped = f"; {_plural(len(selection.skipped), 'other file')} skipped" if selection.skipped else ""
        raise NoInputsError(f"no announcement files in {', '.join(opts.paths)} (folders are read for "
                            f"{', '.join(suffixes)} files{skipped})")
    return selection


class _Batch:
    """One run after the up-to-date check: cache look-up, processing, and the write, which
    takes the documents in path order (as batch.chain.merge) while the workers are still going."""

    def __init__(self, opts: Options, rules: Rules, groups, keys, cache_dir: Path):
        self.opts, self.rules, self.cache_dir = opts, rules, cache_dir
        self.groups = {path: (h, dups) for h, path, dups in groups}
        self.keys = keys
        self.outcomes: dict[str, Outcome] = {}
        self.tasks: dict[str, Task] = {}
        self.spool: Path | None = None
        self.stamps: dict | None = None
        self.summary = None
        self.waited = self.written = 0.0
        jobs = max(1, opts.jobs or default_jobs())
        out = Path(opts.out)
        for (h, path, dups), key in zip(groups, keys, strict=True):
            entry = cache.entry_file(cache_dir, key) if key else None
            header = cache.read_header(entry, key) if entry else None
            if header is not None:
                self.outcomes[path] = Outcome(path, str(entry), False, cache.error_line(header, path), cached=True)
            else:
                self.tasks[path] = Task(path, dups, h, key, str(entry) if entry else None, "")
        self.workers = min(jobs, len(self.tasks)) if jobs > 1 and len(self.tasks) > 1 else 1
        if self.workers > 1:
            try:
                out.mkdir(parents=True, exist_ok=True)
                self.spool = Path(tempfile.mkdtemp(prefix=f".tmp-{os.getpid()}-spool-", dir=out))
            except OSError as exc:
                raise OutputError(f"{out}: cannot create the output folder: {exc.strerror}") from None
            self.tasks = {path: replace(t, spool_file=str(self.spool / f"{n}.pickle"))
                          for n, (path, t) in enumerate(self.tasks.items())}
        self.progress = Progress(len(self.tasks))
        self.serial: Serial | None = None
        self.pool: Pool | None = None

    def report(self, outcome: Outcome) -> None:
        self.outcomes[outcome.path] = outcome
        if outcome.error:
            self.progress.write(one_line(outcome.error))
            if self.opts.debug and outcome.detail:
                self.progress.write(outcome.detail)
        else:
            log.debug("%s: done", outcome.path)
        self.progress.update()

    def run(self) -> int:
        from ..output.write import write_tables

        self.serial = Serial(self.rules, self.opts.limits, self.report)
        if self.workers > 1:
            self.pool = Pool(sorted(self.tasks.values(), key=lambda t: t.path), self.rules, self.opts.limits,
                             self.workers, self.report)
        counts = _Counts()
        began = time.perf_counter()
        paths = write_tables(self._documents(counts), self.opts.out,
                             extra_writers=self.opts.extra_writers, rules_hash=self.rules.hash,
                             links=self.rules.links)
        self.written = time.perf_counter() - began - self.waited
        self.progress.close()
        # Every line a not-ok document got, in path order, so that 'up to date' can repeat them.
        lines = [self.outcomes[p].error or counts.notes.get(p) for p in sorted(self.outcomes)]
        self.summary = counts.summary([ln for ln in lines if ln])
        self.stamps = cache.output_stamps(Path(self.opts.out), [p.name for p in paths])
        if self.opts.use_cache and self.opts.cache_dir is None:
            # The default cache belongs to this output folder: keep it as big as the input
            # set. A --cache DIR may be shared by several corpora, so it is never pruned.
            cache.prune(self.cache_dir, {k for k in self.keys if k})
        return 1 if self.summary.failed else 0

    def _documents(self, counts: _Counts):
        """Each document's tables in path order, one at a time: processed here (one job),
        or waited for from the workers and read back from the file they wrote."""
        for path in sorted(self.groups):
            tables = None
            began = time.perf_counter()
            if path in self.tasks and self.pool is None:
                tables = self.serial.run(self.tasks[path])
            elif self.pool is not None:
                while path not in self.outcomes:
                    if not self.pool.busy():
                        raise PipelineError(f"{path}: no worker reported on this document")
                    self.pool.pump(block=True)
                self.pool.pump(block=False)  # hand out more work before writing this one
            self.waited += time.perf_counter() - began
            outcome = self.outcomes[path]
            if outcome.cached and outcome.error:
                self.progress.write(one_line(outcome.error))  # a cached failure is still a failure: say so again
            if tables is None and outcome.stored:
                if outcome.spooled:
                    tables = load_spool(Path(outcome.stored))
                else:
                    tables = cache.load_tables(Path(outcome.stored), path, self.groups[path][1])
            if tables is None:
                # The entry went bad after it was checked (removed, overwritten): do it again here.
                h, dups = self.groups[path]
                tables = self.serial.run(Task(path, dups, h, None, None, ""))
            note = counts.add(tables)
            if note:
                self.progress.write(one_line(note))
            yield tables

    def complete(self) -> bool:
        """Whether the next run with the same inputs may say 'up to date': nothing timed out
        or failed in a way that may go away, and the output files were all stamped."""
        fresh_ok = all(o.cached or (o.cacheable and not o.timed_out) for o in self.outcomes.values())
        return self.summary is not None and self.stamps is not None and fresh_ok

    def cleanup(self) -> None:
        self.progress.close()
        if self.pool is not None:
            self.pool.close()
        if self.serial is not None:
            self.serial.close()
        if self.spool is not None:
            shutil.rmtree(self.spool, ignore_errors=True)

    def print_summary(self, total: float, note: str = "") -> None:
        fresh = [o for o in self.outcomes.values() if not o.cached]
        stage = [sum(o.timings[k] for o in fresh if len(o.timings) > k) for k in range(len(STAGES))]
        timed_out = sum(o.timed_out for o in fresh)
        print(f"{_plural(len(self.outcomes), 'document')}: {len(self.outcomes) - len(fresh)} from cache, "
              f"{len(fresh)} processed ({timed_out} timed out) with {self.workers} worker(s); seconds: "
              + ", ".join(f"{name} {s:.2f}" for name, s in zip(STAGES, stage, strict=True))
              + f" (summed over documents), write {self.written:.2f}, total {total:.2f}",
              file=sys.stderr)
        print(one_line(self.summary.line(self.opts.out) + note), file=sys.stderr)


@dataclass
class _Counts:
    """The summary, counted from the rows as they stream past, and the stderr line of each
    document that was read but is not ok."""

    documents: int = 0
    failed: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    tables: dict[str, int] = field(default_factory=dict)

    def add(self, tables: dict[str, list[list]]) -> str | None:
        from .summary import FAILED_STATUSES, status_note

        doc = dict(zip([c.name for c in SCHEMA["documents"]], tables["documents"][0], strict=True))
        self.documents += 1
        self.statuses[doc["status"]] = self.statuses.get(doc["status"], 0) + 1
        if doc["status"] in FAILED_STATUSES:
            self.failed += 1
        for name, rows in tables.items():
            self.tables[name] = self.tables.get(name, 0) + len(rows)
        cols = [c.name for c in SCHEMA["diagnostics"]]
        diags = [(r[cols.index("severity")], r[cols.index("code")], r[cols.index("message")])
                 for r in tables["diagnostics"]]
        note = status_note(doc["source_path"], doc["status"], diags)
        if note:
            self.notes[doc["source_path"]] = note
        return note

    def summary(self, errors: list[str]):
        from .summary import Summary

        t = self.tables
        return Summary(self.documents, self.failed, t.get("plans", 0), t.get("measures", 0),
                       t.get("programs", 0), t.get("diagnostics", 0), errors, dict(self.statuses))
