"""``pmo-assess batch --timeout`` bounds a unit's whole run, not each cell.

Issue 17: with the wall-clock timer never started every batch test passed, because their hanging cell
also outlived papermill's per-cell timeout. Here no single cell is too long: two 4-second cells under
--timeout 6 only exceed the limit together (4 + 4 = 8 s of sleeping alone, plus the kernel's start-up,
> 6 s), so only the whole-run timer can stop them; each cell alone (4 s < 6 s) passes the per-cell limit.
The batch itself is started with the other fault batches (tests/batch_fault_fixtures.py).
"""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.timeout(400)


def test_two_cells_that_together_outlive_the_timeout_end_the_unit_as_timeout(fault_batches):
    batch = fault_batches["test_batch_timeout"].finish()

    assert batch.status == 1, batch.output
    assert batch.rows["Two Cells"]["status"] == "timeout", batch.rows
    assert "timed out after 6 s" in batch.rows["Two Cells"]["error"]
    assert not (batch.out / "units" / "two-cells").exists()  # nothing published for a unit that timed out
    assert "timed out" in (batch.out / "failed" / "two-cells" / "error.txt").read_text(encoding="utf-8")
