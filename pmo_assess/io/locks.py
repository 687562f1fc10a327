"""One writer at a time for every file pmo-assess reads, changes and writes back.

Answers, targets, votes, roadmaps and plans are read-modify-written by commands and by the
workshop alike. Each writer holds :func:`locked` on the file while it re-reads, merges and
writes, so two writers at once never lose each other's work. The lock is ``.<name>.lock``
beside the file (filelock: ``flock`` on POSIX, ``msvcrt`` on Windows), released when the
holder ends, even if it is killed.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.files import output_problem

#: Seconds a writer waits for another before giving up with a message (a save takes milliseconds).
WAIT_SECONDS = 60.0


def lock_file_for(path: str | Path) -> Path:
    """Where the lock of ``path`` lives: a hidden file beside it."""
    path = Path(path)
    return path.parent / f".{path.name}.lock"


def _check_lock_file_can_be_made(path: Path) -> None:
    """InputErrors if the lock beside ``path`` cannot be created (filelock would wait for it in vain)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(lock_file_for(path), os.O_RDWR | os.O_CREAT, 0o666))
    except OSError as exc:
        raise InputErrors([output_problem(path, exc.strerror or str(exc))]) from None


@contextmanager
def locked(path: str | Path, wait: float = WAIT_SECONDS, busy_message: str | None = None) -> Iterator[None]:
    """Hold the exclusive lock of ``path`` for the block; InputErrors if another writer keeps it past ``wait`` s.

    ``wait=0`` refuses at once when the lock is taken (e.g. a second batch into the same folder).
    """
    path = Path(path)
    _check_lock_file_can_be_made(path)
    lock = FileLock(lock_file_for(path), timeout=wait, poll_interval=0.01)  # a save waits ms, not 50 ms ticks
    try:
        lock.acquire()
    except Timeout:
        message = busy_message or (f"another pmo-assess process is writing this file (waited {wait:g} s); "
                                   "try again when it has finished")
        raise InputErrors([InputProblem(str(path), "", message)]) from None
    try:
        yield
    finally:
        lock.release()
