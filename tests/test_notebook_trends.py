"""notebooks/trends.ipynb runs under papermill and nbval with the committed three-round history and shows it."""
from __future__ import annotations

import subprocess
import sys

import nbformat
import papermill
import pytest

from conftest import ROOT
from pmo_assess.errors import InputErrors
from pmo_assess.rounds.trends_view import load_trends

NOTEBOOK = ROOT / "notebooks" / "trends.ipynb"
PARAMETERS = {"history", "questionnaires", "unit", "roadmaps", "plan", "kpis", "actuals"}


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook run with its defaults from a folder outside the repo (paths resolve against the repo root)."""
    folder = tmp_path_factory.mktemp("trends")
    out = folder / "trends.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), cwd=str(folder), execution_timeout=180,
                               progress_bar=False, kernel_name="python3")
    notebook = nbformat.read(out, as_version=4)
    outputs = [o for c in notebook.cells for o in c.get("outputs", [])]
    text = "\n".join(o.get("data", {}).get("text/html", "") or o.get("text", "") for o in outputs)
    return notebook, outputs, text


def test_committed_without_outputs_and_every_parameter_declared():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") and not c.get("execution_count") for c in notebook.cells if c.cell_type == "code")
    assert set(papermill.inspect_notebook(str(NOTEBOOK))) == PARAMETERS


def test_shows_regressions_trends_roadmap_and_kpis(executed):
    notebook, outputs, text = executed
    charts = sum(bool({"image/png", "image/svg+xml"} & set(o.get("data", {}))) for o in outputs)
    assert charts == 3  # small multiples per dimension, roadmap levels, KPI trends
    regressions = text.split("No level fell")[0] if "No level fell" in text else text
    assert "benefits-management" in regressions and "fell" in regressions
    assert "not assessed in 2026-R3: Manufacturing Operations" in text  # the organisation's unit mix is flagged
    assert "did not move" in text and "MEA-1" in text
    assert "2025-Q3" in text  # on-time's missing quarter
    assert "Benefit-cost ratio to date: 0.98" in text
    assert not any(o.get("output_type") == "error" for o in outputs)


def test_unknown_unit_is_named_not_a_traceback():
    with pytest.raises(InputErrors, match="unit: Retail Bank: is in no round of this history"):
        load_trends("tests/data/rounds/history", unit="Retail Bank")


def test_nbval_lax_passes_with_the_defaults(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q",
                             "--rootdir", str(tmp_path), str(NOTEBOOK)], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "passed" in result.stdout
