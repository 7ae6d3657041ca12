"""Run a batch: cache look-up, documents in worker processes with a time limit each, and a
streaming write of the tables in a fixed order.

Workers write each document's rows to a file (the cache entry, or a spool file when the
result must not be cached) and send back only a small ``Outcome``; the main process then
reads the files back one at a time, in path order, into the table writers. So the main
process never holds more than one document's rows, and the tables do not depend on how
many workers there were or which documents came from the cache.

Workers are plain ``multiprocessing`` processes with one pipe each, not a
``concurrent.futures`` pool: a document that overruns its time limit is stopped by killing
its worker, which is then replaced. With one job, documents run in this process and the
limit is a SIGALRM timer.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from . import cache
from .errors import OutputError, PipelineError
from .ingest import Limits
from .rules import DEFAULT_RULES_DIR, Rules, rules_hash
from .tables import SCHEMA

log = logging.getLogger("pipeline")

STAGES = ("ingest", "normalize+segment", "extract")


@dataclass(frozen=True)
class Task:
    path: str
    duplicates: tuple[str, ...]
    doc_id: str | None  # content hash; None when the file cannot be read
    key: str | None  # cache key; None when the result must not be cached
    cache_file: str | None  # where a cacheable result goes
    spool_file: str  # where any other result goes
    size: int = 0


@dataclass(frozen=True)
class Outcome:
    """What comes back from processing one document: small; the rows are in ``stored``."""

    path: str
    stored: str | None
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


def run_task(task: Task, rules: Rules, limits: Limits) -> Outcome:
    """Process one document and store its rows; never raises for bad input."""
    from .run import process_file

    res = process_file(task.path, rules, limits, task.duplicates)
    keep = task.cache_file is not None and cache.cacheable(res)
    target = task.cache_file if keep else task.spool_file
    cache.save_entry(Path(target), task.key or "", task.path, cache.encode_tables(res.rows), res.error)
    return Outcome(task.path, target, res.error, res.detail, res.timings, cacheable=keep)


def failure(task: Task, rules: Rules, reason: str, *, timed_out: bool = False) -> Outcome:
    """A failed row for a document that was stopped (time limit, worker died)."""
    from .run import _media_guess
    from .tables import failed_rows

    doc_id = task.doc_id or "unreadable"
    rows = failed_rows(doc_id, task.path, _media_guess(task.path), "failed", reason, rules.hash,
                       duplicate_paths=task.duplicates)
    message = f"{task.path}: {reason}"
    cache.save_entry(Path(task.spool_file), "", task.path, cache.encode_tables(rows), message)
    return Outcome(task.path, task.spool_file, message, timed_out=timed_out, cacheable=False)


def _timeout_reason(limits: Limits) -> str:
    return f"timed out after {limits.timeout_seconds:g} s"


# --------------------------------------------------------------------------- in this process


def _alarm_usable(limits: Limits) -> bool:
    return (limits.timeout_seconds > 0 and hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread())


def _raise_timeout(signum, frame):
    raise DocumentTimeout()


def run_serial(tasks: list[Task], rules: Rules, limits: Limits, report) -> None:
    """One document after another in this process; SIGALRM stops one that overruns."""
    alarm = _alarm_usable(limits)
    previous = signal.signal(signal.SIGALRM, _raise_timeout) if alarm else None
    try:
        for task in tasks:
            try:
                if alarm:
                    signal.setitimer(signal.ITIMER_REAL, limits.timeout_seconds)
                try:
                    outcome = run_task(task, rules, limits)
                finally:
                    if alarm:
                        signal.setitimer(signal.ITIMER_REAL, 0)
            except DocumentTimeout:
                outcome = failure(task, rules, _timeout_reason(limits), timed_out=True)
            report(outcome)
    finally:
        if alarm:
            signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


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
            outcome = run_task(task, rules, limits)
        except Exception as exc:  # storing the rows failed (disk full?): the main process reports it
            outcome = Outcome(task.path, None, f"internal error: {type(exc).__name__}: {exc}", cacheable=False)
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


def _context():
    import multiprocessing as mp

    # fork: cheap on Linux, and the rules are inherited rather than pickled.
    return mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")


def _start_worker(ctx, rules: Rules, limits: Limits) -> _Worker:
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_worker_main, args=(child, rules, limits), daemon=True)
    proc.start()
    child.close()
    return _Worker(proc, parent)


def run_pool(tasks: list[Task], rules: Rules, limits: Limits, jobs: int, report) -> None:
    """Documents in ``jobs`` worker processes, one at a time each; a worker past its
    document's deadline is killed and replaced, and the document reported as timed out."""
    from multiprocessing.connection import wait

    ctx = _context()
    # Largest first, so a big PDF does not start last and hold up the end of the batch.
    pending = deque(sorted(tasks, key=lambda t: -t.size))
    workers = [_start_worker(ctx, rules, limits) for _ in range(min(jobs, len(tasks)))]
    failed_starts = 0
    try:
        while pending or any(w.task for w in workers):
            for w in workers:
                if w.ready and w.task is None and pending:
                    w.assign(pending.popleft(), limits)
            deadlines = [w.deadline for w in workers if w.task is not None and w.deadline is not None]
            wait_for = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            by_conn = {w.conn: w for w in workers}
            for conn in wait(list(by_conn), wait_for):
                w = by_conn[conn]
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    message = _died(w)
                if message == "ready":
                    w.ready = True
                    continue
                if isinstance(message, _Died):
                    task = w.task
                    w.kill()
                    workers[workers.index(w)] = _start_worker(ctx, rules, limits)
                    if task is None:
                        failed_starts += 1
                        if failed_starts > 3 * len(workers):
                            raise PipelineError(f"worker processes keep stopping at start ({message.how})")
                        continue
                    outcome = failure(task, rules, f"internal error: the worker process stopped ({message.how})")
                elif message.stored is None:  # the worker could not store the rows
                    outcome = failure(w.task, rules, message.error)
                else:
                    outcome = message
                w.task = w.deadline = None
                report(outcome)
            now = time.monotonic()
            for i, w in enumerate(workers):
                if w.task is not None and w.deadline is not None and now >= w.deadline:
                    task = w.task
                    w.kill()
                    workers[i] = _start_worker(ctx, rules, limits)
                    report(failure(task, rules, _timeout_reason(limits), timed_out=True))
    finally:
        for w in workers:
            if w.task is not None:
                w.kill()
            else:
                w.stop()


@dataclass(frozen=True)
class _Died:
    how: str


def _died(w: _Worker) -> _Died:
    w.proc.join(timeout=5)
    code = w.proc.exitcode
    return _Died(f"signal {-code}" if code is not None and code < 0 else f"exit code {code}")


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

            self.bar = tqdm(total=total, file=self.stream, unit="doc", leave=False, dynamic_ncols=True)

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
    debug: bool = False


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (containers, taskset)
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def run_batch(opts: Options) -> int:
    """Process every input into the output folder; returns the exit code (0, or 1 when a
    document failed). Prints error lines, progress and the summary on stderr."""
    from .run import collect_inputs, group_by_content

    started = time.perf_counter()
    out = Path(opts.out)
    cache_dir = Path(opts.cache_dir) if opts.cache_dir else out / ".cache"
    rules_dir = Path(opts.rules_dir) if opts.rules_dir else DEFAULT_RULES_DIR
    groups = group_by_content(collect_inputs(list(opts.paths)))
    context = cache.run_context(rules_hash(rules_dir), opts.limits)
    keys = [cache.document_key(h, path, context) if h and opts.use_cache else None for h, path, _ in groups]
    run_fp = cache.fingerprint(context, [[p, list(d), k] for (_, p, d), k in zip(groups, keys, strict=True)])
    if opts.use_cache:
        state = cache.is_up_to_date(cache_dir, out, run_fp)
        if state is not None:
            for line in state.get("errors", []):
                print(line, file=sys.stderr)
            print(f"up to date: nothing changed since the last run ({time.perf_counter() - started:.2f} s)",
                  file=sys.stderr)
            print(state["summary"], file=sys.stderr)
            return int(state["exit"])

    from .rules import load_rules

    rules = load_rules(opts.rules_dir)  # validates; a broken rules folder stops here
    try:
        out.mkdir(parents=True, exist_ok=True)
        spool = Path(tempfile.mkdtemp(prefix=f".tmp-{os.getpid()}-spool-", dir=out))
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the output folder: {exc.strerror}") from None
    try:
        if opts.use_cache:
            cache.forget_state(cache_dir)
        return _run(opts, rules, groups, keys, cache_dir, spool, run_fp, started)
    finally:
        shutil.rmtree(spool, ignore_errors=True)


def _run(opts: Options, rules: Rules, groups, keys, cache_dir: Path, spool: Path, run_fp: str,
         started: float) -> int:
    from .write import write_tables_streaming

    outcomes: dict[str, Outcome] = {}
    tasks: list[Task] = []
    for n, ((doc_id, path, dups), key) in enumerate(zip(groups, keys, strict=True)):
        entry = cache.entry_file(cache_dir, key) if key else None
        header = cache.read_header(entry, key) if entry else None
        if header is not None:
            outcomes[path] = Outcome(path, str(entry), cache.error_line(header, path), cached=True)
            continue
        tasks.append(Task(path, dups, doc_id, key, str(entry) if entry else None,
                          str(spool / f"{n}.json"), _size(path)))
    jobs = max(1, opts.jobs or default_jobs())
    progress = Progress(len(tasks))

    def report(outcome: Outcome) -> None:
        outcomes[outcome.path] = outcome
        if outcome.error:
            progress.write(outcome.error)
            if opts.debug and outcome.detail:
                progress.write(outcome.detail)
        else:
            log.debug("%s: done", outcome.path)
        progress.update()

    for o in outcomes.values():  # cached failures are still failures: say so again
        if o.error:
            print(o.error, file=sys.stderr)
    processing = time.perf_counter()
    try:
        if jobs == 1 or len(tasks) <= 1:
            run_serial(tasks, rules, opts.limits, report)
        else:
            run_pool(tasks, rules, opts.limits, jobs, report)
    finally:
        progress.close()
    processed = time.perf_counter() - processing

    writing = time.perf_counter()
    order = sorted(outcomes)  # as run.merge: by path, so the tables are the same however made
    counts = _Counts()
    docs = _documents(order, outcomes, {path: (h, d) for h, path, d in groups}, rules, opts.limits, spool, counts)
    write_tables_streaming(docs, opts.out)
    written = time.perf_counter() - writing

    errors = [outcomes[p].error for p in order if outcomes[p].error]
    summary = counts.summary(errors)
    code = 1 if summary.failed else 0
    if opts.use_cache:
        used = {k for k in keys if k}
        cache.prune(cache_dir, used)
        complete = all(o.cacheable and not o.timed_out for o in outcomes.values())
        stamps = cache.output_stamps(Path(opts.out), [f"{n}.{ext}" for n in SCHEMA for ext in ("parquet", "csv")])
        if complete and stamps is not None:
            cache.save_state(cache_dir, {"fingerprint": run_fp, "out": str(Path(opts.out).resolve()),
                                         "outputs": stamps, "summary": summary.line(opts.out),
                                         "exit": code, "errors": errors})
    fresh = [o for o in outcomes.values() if not o.cached]
    stage = [sum(o.timings[k] for o in fresh if len(o.timings) > k) for k in range(len(STAGES))]
    timed_out = sum(o.timed_out for o in fresh)
    workers = 1 if jobs == 1 or len(tasks) <= 1 else min(jobs, len(tasks))
    print(f"{len(outcomes)} documents: {len(outcomes) - len(fresh)} from cache, {len(fresh)} processed "
          f"({timed_out} timed out) with {workers} worker(s) in {processed:.2f} s; "
          + ", ".join(f"{name} {s:.2f} s" for name, s in zip(STAGES, stage, strict=True))
          + f" (summed over documents); write {written:.2f} s; total {time.perf_counter() - started:.2f} s",
          file=sys.stderr)
    print(summary.line(opts.out), file=sys.stderr)
    return code


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


@dataclass
class _Counts:
    """The summary, counted from the rows as they stream past."""

    documents: int = 0
    failed: int = 0
    tables: dict[str, int] = field(default_factory=dict)

    def add(self, tables: dict[str, list[list]]) -> None:
        status = [c.name for c in SCHEMA["documents"]].index("status")
        self.documents += 1
        if any(row[status] in ("failed", "no_text") for row in tables["documents"]):
            self.failed += 1
        for name, rows in tables.items():
            self.tables[name] = self.tables.get(name, 0) + len(rows)

    def summary(self, errors: list[str]):
        from .run import Summary

        t = self.tables
        return Summary(self.documents, self.failed, t.get("plans", 0), t.get("measures", 0),
                       t.get("programs", 0), t.get("diagnostics", 0), errors)


def _documents(order: list[str], outcomes: dict[str, Outcome],
               groups: dict[str, tuple[str | None, tuple[str, ...]]], rules: Rules, limits: Limits,
               spool: Path, counts: _Counts):
    """Each document's tables, in path order, read back from its file one at a time."""
    for n, path in enumerate(order):
        outcome = outcomes[path]
        doc_id, dups = groups[path]
        tables = cache.load_tables(Path(outcome.stored), path, dups) if outcome.stored else None
        if tables is None:
            # The file went bad after it was checked (removed, overwritten): do the document
            # again here, in this process.
            task = Task(path, dups, doc_id, None, None, str(spool / f"again-{n}.json"))
            box: list[Outcome] = []
            run_serial([task], rules, limits, box.append)
            outcomes[path] = box[0]
            tables = cache.load_tables(Path(box[0].stored), path, dups)
            if tables is None:
                raise OutputError(f"{spool}: cannot read back the rows of {path}")
        counts.add(tables)
        yield tables
