"""A kernel that dies as it starts, for real: the batch recognises jupyter_client's own error, retries, then
fails that unit alone with a clear message.

Issue 17: the retry was tested only against a hand-written error string. Here a kernelspec (in a
temporary JUPYTER_PATH) runs a command that records its launch and exits at once, so the errors are
whatever the installed jupyter_client and nbclient raise. The batch is started with the other fault
batches (tests/batch_fault_fixtures.py).
"""
from __future__ import annotations

import os
import re

import nbformat
import pytest

from batch_fault_fixtures import dying_kernelspec
from pmo_assess.batch.kernels import KernelWatch, is_startup_failure

pytestmark = pytest.mark.timeout(400)


@pytest.fixture(scope="module")
def real_startup_error(tmp_path_factory):
    """The exception nbclient (over jupyter_client) raises for a kernel that exits at start."""
    from nbclient import NotebookClient

    root = tmp_path_factory.mktemp("kernelspecs")
    saved = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = dying_kernelspec(root, "dies-at-start", root / "launches.txt")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("1 + 1")]
    client = NotebookClient(notebook, kernel_name="dies-at-start", startup_timeout=60)
    try:
        client.execute()
    except Exception as error:  # whatever the real libraries raise is what is checked
        return error
    finally:
        client.km = client.km or client.create_kernel_manager()  # nbclient's exit clean-up expects a manager
        if saved is None:
            os.environ.pop("JUPYTER_PATH")
        else:
            os.environ["JUPYTER_PATH"] = saved
    pytest.fail("a kernel that exits at once started without an error")


def test_the_real_start_up_error_is_recognised_as_a_start_up_failure(real_startup_error):
    assert is_startup_failure(real_startup_error, KernelWatch()), repr(real_startup_error)


def test_a_notebook_error_is_not_a_start_up_failure():
    assert not is_startup_failure(ValueError("this unit was told to fail"), KernelWatch())


def test_a_unit_whose_kernel_dies_at_start_is_retried_then_failed_cleanly(fault_batches):
    batch = fault_batches["test_batch_startup_retry"].finish()

    assert batch.status == 1, batch.output
    row = batch.rows["Dies At Start"]
    assert row["status"] == "failed"
    assert re.search(r"kernel\b.*\b(died|start)", row["error"], re.IGNORECASE), row["error"]
    assert "Traceback" not in batch.output
    # the first start and at least one retry, each a real launch of the kernel's command
    assert 2 <= batch.files["launches"].read_text().count("launched") <= 4
    assert not (batch.out / "units" / "dies-at-start").exists()
    assert (batch.out / "failed" / "dies-at-start" / "error.txt").exists()
