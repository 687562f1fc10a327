"""Kernels reused across units: each unit starts from a fresh namespace in its own folder, and a kernel whose
unit failed is replaced, never reused (real kernels; a light notebook that reports what it can see)."""
from __future__ import annotations

import json

import pytest

from batch_fixtures import ISOLATION_UNIT, run_light_batch, summary_rows, write_answers
from pmo_assess.batch.pipeline import NOTEBOOK, BatchConfig

pytestmark = pytest.mark.timeout(180)


def test_units_on_a_reused_kernel_see_nothing_of_the_previous_unit_and_a_failed_units_kernel_is_replaced(tmp_path):
    out = tmp_path / "out"
    answers = write_answers(tmp_path / "a.csv", {
        "Alpha": {}, "Beta": {}, "Faulty": {"comment": "__raise__"}, "Delta": {}, "Sleepy": {"comment": "__sleep__"},
        "Omega": {}})

    # one worker runs the units in input order: Alpha, Beta and Faulty on one kernel, Delta and Sleepy on the
    # kernel that replaced it, Omega on the one that replaced Sleepy's (killed when it timed out)
    status, summary, _ = run_light_batch([answers], out, notebook=ISOLATION_UNIT, workers=1, reuse_kernels=True,
                                         timeout=5)

    assert status == 1 and "2 failed: Faulty, Sleepy" in summary
    rows = summary_rows(out)
    assert rows["Faulty"]["status"] == "failed"
    assert rows["Sleepy"]["status"] == "timeout" and "timed out after 5 s" in rows["Sleepy"]["error"]
    seen = {slug: json.loads((out / "units" / slug / "kernel.json").read_text())
            for slug in ("alpha", "beta", "delta", "omega")}
    assert seen["alpha"]["pid"] == seen["beta"]["pid"]  # the kernel was reused ...
    assert all(s["leaked"] == [] for s in seen.values())  # ... yet Beta saw no name Alpha defined
    assert len({seen[slug]["pid"] for slug in ("alpha", "delta", "omega")}) == 3  # failed units' kernels replaced
    for slug, s in seen.items():  # each unit ran in its own work folder, as with a fresh kernel
        assert s["cwd"].rsplit("/", 1)[-1].startswith(f".{slug}.partial-")
        executed = json.loads((out / "units" / slug / "assessment.ipynb").read_text())
        counts = [c["execution_count"] for c in executed["cells"] if c["cell_type"] == "code"]
        assert counts == list(range(1, len(counts) + 1))  # history and counter start afresh
    manifest = json.loads((out / "manifest.json").read_text())["units"]
    reused = [manifest[u]["profile"]["reused"] for u in ("Alpha", "Beta", "Faulty", "Delta", "Sleepy", "Omega")]
    assert reused == [False, True, True, False, True, False]


def test_kernels_are_reused_for_the_bundled_notebook_only_unless_asked(tmp_path):
    base = {"answers": [], "questionnaire": tmp_path, "out": tmp_path}
    assert BatchConfig(**base).kernels_reused() and BatchConfig(**base, notebook=NOTEBOOK).kernels_reused()
    assert not BatchConfig(**base, notebook=ISOLATION_UNIT).kernels_reused()
    assert BatchConfig(**base, notebook=ISOLATION_UNIT, reuse_kernels=True).kernels_reused()

