"""pmo_assess.io.locks: one writer at a time across processes, and a place where no lock can be made is an
input problem at once (filelock alone would wait the whole minute, then blame another writer)."""
from __future__ import annotations

import multiprocessing
import sys

import pytest

from pmo_assess.errors import InputErrors
from pmo_assess.io.locks import lock_file_for, locked

pytestmark = pytest.mark.timeout(30)
CONTEXT = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")


def _hold(path: str, held, release) -> None:
    with locked(path):
        held.set()
        release.wait(20)


def test_a_second_process_waits_for_the_lock_and_is_refused_when_it_will_not_wait(tmp_path):
    path = tmp_path / "answers.csv"
    held, release = CONTEXT.Event(), CONTEXT.Event()
    holder = CONTEXT.Process(target=_hold, args=(str(path), held, release))
    holder.start()
    try:
        assert held.wait(20)
        with pytest.raises(InputErrors, match="another pmo-assess process is writing this file"):
            with locked(path, wait=0):
                pass
        release.set()
        with locked(path, wait=20):  # taken once the holder lets go (InputErrors if it never is)
            pass
    finally:
        release.set()
        holder.join(20)
    assert lock_file_for(path) == tmp_path / ".answers.csv.lock"


@pytest.mark.timeout(30)  # a hang guard: waiting out the 60 s for a writer that does not exist fails here
def test_a_lock_that_cannot_be_created_is_an_input_problem_at_once(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for path in ("/proc/pmo-assess-test.csv", blocker / "answers.csv"):
        with pytest.raises(InputErrors, match="cannot be written"):
            with locked(path, wait=3600):
                pass
