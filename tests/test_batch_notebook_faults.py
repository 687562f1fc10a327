"""Faults inside the REAL assessment notebook (notebooks/assessment.ipynb) during ``pmo-assess batch``.

Issue 17: the batch's fault tests used a light test notebook; the real one ran only on the success path.
One batch (started with the other fault batches, tests/batch_fault_fixtures.py) runs four units through
the bundled notebook:

- Alpha: ordinary answers; must succeed whatever happens to the others.
- Doomed: its kernel is killed (SIGKILL, as the out-of-memory killer would) in the middle of the notebook.
- Edited: its answers file is changed to hold an invalid answer after the batch checked it and before the
  notebook reads it (a user editing the file mid-run), so the notebook itself raises.
- Room Only: only the room's agreed (consensus) rows, no respondent's own: refused as invalid, naming why.

The faults are made at a known point, not raced: an IPython start-up file (in this batch's own
IPYTHONDIR, so no other kernel sees it) hooks ``pre_run_cell`` and acts when the first notebook cell
after the injected parameters is about to run for that unit. Doomed's kernel writes its process id and
waits to be killed; the test kills it once the id is there.
"""
from __future__ import annotations

import os
import signal
import time

import pytest

pytestmark = pytest.mark.timeout(400)


@pytest.fixture(scope="module")
def faulty_batch(fault_batches):
    """The real-notebook batch, once Doomed's kernel (waiting at its known point) is killed and the batch is done."""
    batch = fault_batches["test_batch_notebook_faults"]
    pid_file, deadline = batch.files["pid_file"], time.monotonic() + 240
    while not pid_file.exists():
        if batch.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"Doomed's kernel never reached its fault point:\n{batch.finish().output}")
        time.sleep(0.1)
    os.kill(int(pid_file.read_text()), signal.SIGKILL)
    return batch.finish()


def test_a_killed_kernel_fails_its_unit_and_leaves_no_report(faulty_batch):
    assert faulty_batch.status == 1, faulty_batch.output
    doomed = faulty_batch.rows["Doomed"]
    assert doomed["status"] == "failed", doomed
    assert "kernel died" in doomed["error"]
    assert not (faulty_batch.out / "units" / "doomed").exists()
    assert (faulty_batch.out / "failed" / "doomed" / "error.txt").exists()


def test_answers_that_make_the_real_notebook_raise_fail_that_unit_with_the_problem_named(faulty_batch):
    edited = faulty_batch.rows["Edited"]
    assert edited["status"] == "failed", edited
    assert "edited.csv" in edited["error"] and "7" in edited["error"], edited["error"]
    assert ",P-T-1,7," in faulty_batch.files["edited"].read_text(encoding="utf-8")  # the fault really happened
    assert not (faulty_batch.out / "units" / "edited").exists()
    # the executed notebook, with the error in it, is kept for diagnosis beside the error
    kept = faulty_batch.out / "failed" / "edited"
    assert sorted(p.name for p in kept.iterdir()) == ["assessment.ipynb", "error.txt"]
    assert "outside the levels" in (kept / "assessment.ipynb").read_text(encoding="utf-8")


def test_the_other_units_and_the_portfolio_succeed_through_the_real_notebook(faulty_batch):
    assert faulty_batch.rows["Alpha"]["status"] == "ok"
    assert sorted(p.name for p in (faulty_batch.out / "units").iterdir()) == ["alpha"]  # no partial folder left
    assert {"report.html", "scores.json"} <= {p.name for p in (faulty_batch.out / "units" / "alpha").iterdir()}
    assert faulty_batch.rows["portfolio"]["status"] == "ok"


def test_a_unit_with_only_the_rooms_agreed_answers_gets_a_clear_outcome(faulty_batch):
    row = faulty_batch.rows["Room Only"]
    # refused before any kernel starts, with a message naming the cause; never a crash the user cannot act on
    assert row["status"] == "invalid", row
    assert "only the room's agreed answers" in row["error"] and "IndexError" not in row["error"]
