"""Documents processed one task at a time, in this process or in worker processes, each with
a time limit (``runner`` drives them, with the cache and the streaming write).

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

import logging
import os
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from ..errors import PipelineError
from ..ingest.read import doc_id_for_path
from ..model import Limits
from ..output.write import table_values
from ..rules import Rules
from . import cache

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


def run_task(task: Task, rules: Rules, limits: Limits, *, spool: bool) -> tuple[Outcome, dict]:
    """Process one document; store its rows in the cache when they may be reused, and in the
    spool file when ``spool`` (a worker's way to hand them over). Never raises for bad input."""
    from .chain import process_file

    res = process_file(task.path, rules, limits, task.duplicates)
    tables = table_values(res.rows)
    keep = task.cache_file is not None and cache.cacheable(res)
    if keep:
        keep = cache.save_entry(Path(task.cache_file), task.key or "", task.path, tables, res.error)
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
    from ..tables import failed_rows
    from .chain import _media_guess

    doc_id = task.doc_id or doc_id_for_path(task.path)
    rows = failed_rows(doc_id, task.path, _media_guess(task.path), "failed", reason, rules.hash,
                       duplicate_paths=task.duplicates)
    message = f"{task.path}: {reason}"
    tables = table_values(rows)
    if spool:
        _save_spool(Path(task.spool_file), tables)
    return Outcome(task.path, task.spool_file if spool else None, spool, message, timed_out=timed_out,
                   cacheable=False), tables


def _timeout_reason(limits: Limits) -> str:
    return f"timed out after {limits.timeout_seconds:g} s"


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


def _worker_main(conn, rules: Rules, limits: Limits) -> None:
    """Worker loop: warm up once, then one task at a time until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C and stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the main process's clean-up handler
    try:
        from ..extract.tokens import tokenizer

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
