"""Progress on stderr while documents are processed: a bar on a terminal, a line now and then
elsewhere.
"""

from __future__ import annotations

import sys
import time


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
