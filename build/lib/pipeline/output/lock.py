"""One run at a time per output folder: an advisory lock on ``OUT/.lock``.

``flock`` rather than a create-exclusive file: the system drops the lock when the process
ends, however it ends, so a run that was killed never leaves the folder locked. Where there
is no ``fcntl`` (Windows), runs are not locked against each other.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import OutputError

LOCK_NAME = ".lock"


class OutputLocked(OutputError):
    """Another run holds the output folder."""


class OutputLock:
    def __init__(self, out: Path):
        self.out = out
        self.fd: int | None = None
        self.created = False

    def __enter__(self) -> OutputLock:
        self.created = not self.out.exists()
        if self.out.exists() and not self.out.is_dir():
            raise OutputError(f"{self.out}: is a file, not a folder (give a folder for --out)")
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{self.out}: cannot create the output folder: {exc.strerror}") from None
        try:
            self.fd = os.open(self.out / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(f"{self.out}: cannot write into the output folder: {exc.strerror}") from None
        try:
            import fcntl
        except ImportError:
            return self
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._close()
            raise OutputLocked(f"{self.out}: another run is writing into this folder; wait for it "
                               "to finish, or give another --out") from None
        return self  # the file stays empty: every file in the folder is the same after each run

    def __exit__(self, *exc) -> None:
        self._close()
        # A run that stopped before writing anything leaves no folder it made just for its lock.
        if self.created:
            try:
                if [p.name for p in self.out.iterdir()] == [LOCK_NAME]:
                    (self.out / LOCK_NAME).unlink()
                    self.out.rmdir()
            except OSError:
                pass

    def _close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
