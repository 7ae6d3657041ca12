"""Run a batch: cache look-up, documents in worker processes with a time limit each, and a
streaming write of the tables in a fixed order.

Workers write each document's rows to a spool file (and, when they may be reused, to the
cache) and send back only a small ``Outcome``; the main process reads the files back one at
a time, in path order, into the table writers, while the workers go on. So the main process
holds one document's rows at a time, and the tables do not depend on how many workers there
were or which documents came from the cache.

Workers are plain ``multiprocessing`` processes with one pipe each, not a
``concurrent.futures`` pool: a document that overruns its time limit is stopped by killing
its worker, which is then replaced. With one job, documents run in this process and the
limit is a SIGALRM timer.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import cache
from .errors import NoInputsError, OutputError, PipelineError, one_line
from .ingest import Limits
from .rules import DEFAULT_RULES_DIR, Rules, rules_hash
from .run import plural as _plural
from .tables import SCHEMA

log = logging.getLogger("pipeline")

STAGES = ("ingest", "normalize+segment", "extract")


@dataclass(frozen=True)
class Task:
    path: str
    duplicates: tuple[str, ...]
    doc_id: str | None  # content hash; None when the file cannot be read
    key: str | None  # cache key; None when the result must not be cached
    cache_file: str | None  # where a cacheable result goes (JSON, kept)
    spool_file: str  # where a worker hands the rows over (pickle, private to this run)


@dataclass(frozen=True)
class Outcome:
    """What comes back from processing one document: small; the rows are in ``stored``
    (a cache entry, or with ``spooled`` a spool file of this run)."""

    path: str
    stored: str | None
    spooled: bool = False
    error: str | None = None
    detail: str | None = None
    timings: tuple[float, ...] = ()
    cached: bool = False  # served from the cache, not processed
    timed_out: bool = False
    cacheable: bool = True


class DocumentTimeout(BaseException):
    """Raised by the SIGALRM handler. A BaseException so that the pipeline's own
    ``except Exception`` (which turns bugs into failed rows) does not swallow it."""


# --------------------------------------------------------------------------- one document


def run_task(task: Task, rules: Rules, limits: Limits, *, spool: bool) -> tuple[Outcome, dict]:
    """Process one document; store its rows in the cache when they may be reused, and in the
    spool file when ``spool`` (a worker's way to hand them over). Never raises for bad input."""
    from .run import process_file

    res = process_file(task.path, rules, limits, task.duplicates)
    tables = cache.encode_tables(res.rows)
    keep = task.cache_file is not None and cache.cacheable(res)
    if keep:
        cache.save_entry(Path(task.cache_file), task.key or "", task.path, tables, res.error)
    if spool:
        # Pickle, not the cache's JSON: several times faster to read back, and this file is
        # written and read by this run only, in a folder of its own.
        _save_spool(Path(task.spool_file), tables)
        return Outcome(task.path, task.spool_file, True, res.error, res.detail, res.timings, cacheable=keep), tables
    return Outcome(task.path, task.cache_file if keep else None, False, res.error, res.detail, res.timings,
                   cacheable=keep), tables


def _save_spool(file: Path, tables: dict) -> None:
    import pickle

    tmp = file.with_name(".tmp-" + file.name)
    tmp.write_bytes(pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, file)  # a killed worker leaves no half-written spool file under the real name


def load_spool(file: Path) -> dict | None:
    import pickle

    try:
        return pickle.loads(file.read_bytes())
    except Exception:  # missing or torn: the caller does the document again
        return None


def failure(task: Task, rules: Rules, reason: str, *, spool: bool, timed_out: bool = False
            ) -> tuple[Outcome, dict]:
    """A failed row for a document that was stopped (time limit, worker died)."""
    from .run import _media_guess
    from .tables import failed_rows

    doc_id = task.doc_id or hashlib.sha256(task.path.encode()).hexdigest()[:16]  # as process_file
    rows = failed_rows(doc_id, task.path, _media_guess(task.path), "failed", reason, rules.hash,
                       duplicate_paths=task.duplicates)
    message = f"{task.path}: {reason}"
    tables = cache.encode_tables(rows)
    if spool:
        _save_spool(Path(task.spool_file), tables)
    return Outcome(task.path, task.spool_file if spool else None, spool, message, timed_out=timed_out,
                   cacheable=False), tables


def _timeout_reason(limits: Limits) -> str:
    return f"timed out after {limits.timeout_seconds:g} s"


# --------------------------------------------------------------------------- in this process


def _raise_timeout(signum, frame):
    raise DocumentTimeout()


class Serial:
    """Documents in this process, one at a time; a SIGALRM timer stops one that overruns
    (main thread on POSIX; elsewhere there is no time limit with one job)."""

    def __init__(self, rules: Rules, limits: Limits, report):
        self.rules, self.limits, self.report = rules, limits, report
        self.alarm = (limits.timeout_seconds > 0 and hasattr(signal, "setitimer")
                      and threading.current_thread() is threading.main_thread())
        self.previous = signal.signal(signal.SIGALRM, _raise_timeout) if self.alarm else None

    def run(self, task: Task) -> dict:
        try:
            if self.alarm:
                signal.setitimer(signal.ITIMER_REAL, self.limits.timeout_seconds)
            try:
                outcome, tables = run_task(task, self.rules, self.limits, spool=False)
            finally:
                if self.alarm:
                    signal.setitimer(signal.ITIMER_REAL, 0)
        except DocumentTimeout:
            outcome, tables = failure(task, self.rules, _timeout_reason(self.limits), spool=False,
                                      timed_out=True)
        self.report(outcome)
        return tables

    def close(self) -> None:
        if self.alarm:
            signal.signal(signal.SIGALRM, self.previous if self.previous is not None else signal.SIG_DFL)
            self.alarm = False


# --------------------------------------------------------------------------- worker processes


def _worker_main(conn, rules: Rules, limits: Limits) -> None:
    """Worker loop: warm up once, then one task at a time until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C and stops us
    try:
        from .tokens import tokenizer

        tokenizer()  # one Sudachi tokenizer per worker, loaded before the first time limit starts
    except Exception:
        pass  # a broken analyser shows up as a failed document, with its message
    conn.send("ready")
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            outcome = run_task(task, rules, limits, spool=True)[0]
        except Exception as exc:  # storing the rows failed (disk full?): the main process reports it
            outcome = Outcome(task.path, None, False, f"internal error: {type(exc).__name__}: {exc}",
                              cacheable=False)
        conn.send(outcome)


@dataclass
class _Worker:
    proc: object
    conn: object
    ready: bool = False
    task: Task | None = None
    deadline: float | None = None

    def assign(self, task: Task, limits: Limits) -> None:
        self.task = task
        self.deadline = time.monotonic() + limits.timeout_seconds if limits.timeout_seconds > 0 else None
        self.conn.send(task)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join()
        self.conn.close()

    def stop(self) -> None:
        try:
            if self.task is None:
                self.conn.send(None)
        except OSError:
            pass
        self.proc.join(timeout=2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


@dataclass(frozen=True)
class _Died:
    how: str


def _context():
    import multiprocessing as mp

    # fork: cheap on Linux, and the rules are inherited rather than pickled.
    return mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")


class Pool:
    """Documents in worker processes, one at a time each, handed out in the order given; a
    worker past its document's deadline is killed and replaced, and the document reported
    as timed out. ``pump`` does one round of hand-out, receive and deadline checks, so the
    caller can write finished documents in between."""

    def __init__(self, tasks: list[Task], rules: Rules, limits: Limits, jobs: int, report):
        self.rules, self.limits, self.report = rules, limits, report
        self.ctx = _context()
        self.pending = deque(tasks)
        self.failed_starts = 0
        self.workers: list[_Worker] = []
        for _ in range(min(jobs, len(tasks))):
            self.workers.append(self._start())

    def _start(self) -> _Worker:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker_main, args=(child, self.rules, self.limits), daemon=True)
        proc.start()
        child.close()
        return _Worker(proc, parent)

    def busy(self) -> bool:
        return bool(self.pending) or any(w.task is not None for w in self.workers)

    def pump(self, block: bool = True) -> None:
        from multiprocessing.connection import wait

        for w in self.workers:
            if w.ready and w.task is None and self.pending:
                w.assign(self.pending.popleft(), self.limits)
        wait_for = 0.0
        if block:
            deadlines = [w.deadline for w in self.workers if w.task is not None and w.deadline is not None]
            wait_for = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        by_conn = {w.conn: w for w in self.workers}
        for conn in wait(list(by_conn), wait_for):
            self._receive(by_conn[conn])
        now = time.monotonic()
        for i, w in enumerate(self.workers):
            if w.task is not None and w.deadline is not None and now >= w.deadline:
                task = w.task
                w.kill()
                self.workers[i] = self._start()
                self.report(failure(task, self.rules, _timeout_reason(self.limits), spool=True,
                                    timed_out=True)[0])

    def _receive(self, w: _Worker) -> None:
        try:
            message = w.conn.recv()
        except (EOFError, OSError):
            w.proc.join(timeout=5)
            code = w.proc.exitcode
            message = _Died(f"signal {-code}" if code is not None and code < 0 else f"exit code {code}")
        if message == "ready":
            w.ready = True
            return
        task = w.task
        if isinstance(message, _Died):
            w.kill()
            self.workers[self.workers.index(w)] = self._start()
            if task is None:
                self.failed_starts += 1
                if self.failed_starts > 3 * len(self.workers):
                    raise PipelineError(f"worker processes keep stopping at start ({message.how})")
                return
            outcome = failure(task, self.rules, f"internal error: the worker process stopped ({message.how})",
                              spool=True)[0]
        elif message.stored is None:  # the worker could not store the rows
            outcome = failure(task, self.rules, message.error, spool=True)[0]
        else:
            outcome = message
        w.task = w.deadline = None
        self.report(outcome)

    def close(self) -> None:
        for w in self.workers:
            if w.task is not None:
                w.kill()
            else:
                w.stop()
        self.workers = []


# --------------------------------------------------------------------------- progress


class Progress:
    """A tqdm bar on a terminal; otherwise a plain line now and then (every 10% at most
    once a second, and at least every 5 s), so logs of long batches show it is moving."""

    def __init__(self, total: int, stream=None):
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        self.started = self.last = time.monotonic()
        self.bar = None
        if total > 1 and _isatty(self.stream):
            from tqdm import tqdm

            class Bar(tqdm):
                monitor_interval = 0  # no monitor thread: worker processes are forked meanwhile

            self.bar = Bar(total=total, file=self.stream, unit="doc", leave=False, dynamic_ncols=True)

    def write(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream)

    def update(self) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
            return
        now = time.monotonic()
        step = max(1, self.total // 10)
        if self.done < self.total and ((now - self.last >= 1 and self.done % step == 0) or now - self.last >= 5):
            self.last = now
            print(f"progress: {self.done}/{self.total} documents ({100 * self.done // self.total}%), "
                  f"{now - self.started:.1f} s", file=self.stream)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


# --------------------------------------------------------------------------- the batch


@dataclass(frozen=True)
class Options:
    paths: tuple[str, ...]
    out: str
    rules_dir: str | None = None
    limits: Limits = field(default_factory=Limits)
    jobs: int | None = None  # None: one per CPU
    cache_dir: str | None = None  # None: <out>/.cache
    use_cache: bool = True
    extra_writers: tuple = ()  # as write_tables takes them (workbook, report)
    debug: bool = False


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (containers, taskset)
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def run_batch(opts: Options) -> int:
    """Process every input into the output folder; returns the exit code (0, or 1 when a
    document failed). Prints error lines, progress and the summary on stderr."""
    from .lock import OutputLock

    started = time.perf_counter()
    out = Path(opts.out)
    cache_dir = Path(opts.cache_dir) if opts.cache_dir else out / ".cache"
    if opts.use_cache and cache_dir.exists() and not cache_dir.is_dir():
        raise OutputError(f"{cache_dir}: the cache is a file, not a folder (give a folder for --cache)")
    selection = _select(opts, (out, cache_dir))
    with OutputLock(out):
        return _locked_run(opts, selection, out, cache_dir, started)


def _locked_run(opts: Options, selection, out: Path, cache_dir: Path, started: float) -> int:
    from .run import duplicate_notes, group_by_content

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

    from .rules import load_rules

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
    from .inputs import folder_suffixes, select_inputs
    from .report import FILE_NAME as REPORT
    from .workbook import FILE_NAME as WORKBOOK

    suffixes = folder_suffixes(opts.rules_dir)
    out = Path(opts.out)
    own = [out / f"{t}.{ext}" for t in SCHEMA for ext in ("csv", "parquet")] + [out / WORKBOOK, out / REPORT]
    selection = select_inputs(list(opts.paths), suffixes, exclude, tuple(own))
    for line in selection.skipped:
        log.info("%s", one_line(line))
    if not selection.files:
        skipped = f"; {_plural(len(selection.skipped), 'other file')} skipped" if selection.skipped else ""
        raise NoInputsError(f"no announcement files in {', '.join(opts.paths)} (folders are read for "
                            f"{', '.join(suffixes)} files{skipped})")
    return selection


class _Batch:
    """One run after the up-to-date check: cache look-up, processing, and the write, which
    takes the documents in path order (as run.merge) while the workers are still going."""

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
        from .write import write_tables_streaming

        self.serial = Serial(self.rules, self.opts.limits, self.report)
        if self.workers > 1:
            self.pool = Pool(sorted(self.tasks.values(), key=lambda t: t.path), self.rules, self.opts.limits,
                             self.workers, self.report)
        counts = _Counts()
        began = time.perf_counter()
        paths = write_tables_streaming(self._documents(counts), self.opts.out,
                                       extra_writers=self.opts.extra_writers, rules_hash=self.rules.hash)
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
        from .run import FAILED_STATUSES, status_note

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
        from .run import Summary

        t = self.tables
        return Summary(self.documents, self.failed, t.get("plans", 0), t.get("measures", 0),
                       t.get("programs", 0), t.get("diagnostics", 0), errors, dict(self.statuses))
