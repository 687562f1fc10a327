"""notebooks/roadmap.ipynb runs under papermill and nbval with the samples and shows what it promises."""
from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from conftest import DATA, ROOT
from pmo_assess.errors import InputErrors
from pmo_assess.roadmap.roadmap_file import load_roadmap, previous_path
from pmo_assess.roadmap.checks import wave_loads
from pmo_assess.roadmap.editor_widgets import RoadmapPage
from pmo_assess.roadmap.view import check_parameters, load_roadmap_view

NOTEBOOK = ROOT / "notebooks" / "roadmap.ipynb"
PARAMETERS = {"answers", "business_unit", "questionnaire", "targets", "votes", "library", "roadmap",
              "update_roadmap", "wave_weeks", "capacity", "waves", "baseline_answers"}


def widget_states(notebook: nbformat.NotebookNode) -> list[dict]:
    """The state of every widget the run left (nbclient keeps it in the notebook's metadata)."""
    state = notebook.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    return [model["state"] for model in state.get("state", {}).values()]


def run(tmp_path: Path, name: str, cwd: Path, **parameters) -> tuple[nbformat.NotebookNode, str]:
    """Execute the notebook (bounded in time); return it and all its HTML/text output joined, widgets included."""
    out = tmp_path / f"{name}.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters=parameters, cwd=str(cwd),
                               execution_timeout=180, progress_bar=False, kernel_name="python3")
    notebook = nbformat.read(out, as_version=4)
    texts = []
    outputs = [o for c in notebook.cells for o in c.get("outputs", [])]
    for state in widget_states(notebook):
        outputs += state.get("outputs", [])
        if state.get("_model_name") == "HTMLModel":  # rendered as HTML (text boxes show their value as text)
            texts.append(state["value"])
    for output in outputs:
        texts.append(output.get("data", {}).get("text/html", "") or output.get("text", ""))
    return notebook, "\n".join(texts)


def images(notebook: nbformat.NotebookNode) -> int:
    """Charts drawn: in cell outputs and in the page's output widgets."""
    outputs = [o for c in notebook.cells for o in c.get("outputs", [])]
    outputs += [o for state in widget_states(notebook) for o in state.get("outputs", [])]
    return sum(bool({"image/png", "image/svg+xml"} & set(o.get("data", {}))) for o in outputs)


def test_committed_without_outputs_and_parameters_are_all_used():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") and not c.get("execution_count") for c in notebook.cells if c.cell_type == "code")
    declared = set(papermill.inspect_notebook(str(NOTEBOOK)))
    assert declared == PARAMETERS
    # every parameter reaches the package (papermill only warns about unknown names)
    assert declared <= set(inspect.signature(RoadmapPage.open).parameters)
    assert set(inspect.signature(RoadmapPage.open).parameters) - {"today"} <= set(
        inspect.signature(load_roadmap_view).parameters)


def test_bad_numeric_parameters_are_named():
    with pytest.raises(InputErrors) as caught:
        check_parameters(wave_weeks=0, capacity="lots", waves=2.5)
    assert caught.value.render().splitlines() == [
        "parameters: wave_weeks: must be a number greater than 0 (or None), got 0",
        "parameters: capacity: must be a number greater than 0 (or None), got 'lots'",
        "parameters: waves: must be a whole number greater than 0 (or None), got 2.5",
    ]


def test_defaults_run_from_the_notebooks_folder(tmp_path):
    notebook, text = run(tmp_path, "defaults", ROOT / "notebooks")
    assert "Retail Banking:" in text and "initiatives in" in text and "Not saved to a roadmap file." in text
    assert images(notebook) == 3  # Gantt, capacity per wave, projected maturity
    assert "Why this order" in "".join(c.source for c in notebook.cells)
    assert "MAN-1-pmo-charter" in text  # Retail Banking's weak mandate is on the roadmap
    assert "Sarah Whitfield" in text and "Tomás Herrera" in text  # examples/votes.yaml, beside the targets
    assert "No earlier version of this roadmap file." in text
    assert "there is nothing to edit" in text  # no roadmap file given: the editor says how to get one


def test_roadmap_file_votes_changes_and_progress(tmp_path):
    roadmap = tmp_path / "retail-banking" / "roadmap.yaml"
    common = dict(roadmap=str(roadmap), votes=str(DATA / "planning" / "votes.yaml"),
                  baseline_answers=str(DATA / "planning" / "retail-banking-2025.csv"))
    _, first = run(tmp_path, "first", ROOT, **common)
    assert roadmap.exists() and not previous_path(roadmap).exists()
    assert "Priya Raman" in first and "Sarah Whitfield" in first  # who voted what
    assert "capacity-planning" in first and "up 2 levels, target 4 reached" in first  # progress to date

    # the PMO head adds an item of their own, then the plan is regenerated with less capacity
    text = roadmap.read_text()
    roadmap.write_text(text.replace("\nuncovered:", "\n  - id: own-1\n    title: <script>alert(1)</script>\n"
                                                  "    wave: 1\n    effort: 5\nuncovered:", 1))
    _, second = run(tmp_path, "second", ROOT, update_roadmap=True, capacity=45, **common)
    after = load_roadmap(roadmap)
    assert after.settings.capacity == 45 and after.item("own-1").custom
    assert all(load <= 45 + 1e-6 for load in wave_loads(after).values())  # work in each wave's weeks
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in second and "<script>alert(1)" not in second
    assert ">edited<" in second and ">wave<" in second  # what changed since the last version
    assert "version" in second and "moved" in second  # the regeneration history


def test_nbval_lax_passes_with_the_samples(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q",
                             "--rootdir", str(tmp_path), str(NOTEBOOK)], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "passed" in result.stdout


@pytest.mark.parametrize("targets", ["", "examples"])
def test_missing_targets_parameter_is_named_not_a_traceback(targets):
    with pytest.raises(InputErrors) as caught:
        load_roadmap_view(["examples/answers/retail-banking.csv"], "Retail Banking",
                          "questionnaires/value-driven-pmo.yaml", targets)
    assert "not a targets file: a roadmap closes the gaps to the agreed targets" in caught.value.render()


def test_nan_and_infinite_parameters_are_named():
    with pytest.raises(InputErrors) as caught:
        check_parameters(wave_weeks=float("inf"), capacity=float("nan"), waves=None)
    assert caught.value.render().splitlines() == [
        "parameters: wave_weeks: must be a number greater than 0 (or None), got inf",
        "parameters: capacity: must be a number greater than 0 (or None), got nan",
    ]


def test_editor_in_the_notebook_and_an_invalid_hand_edit_shows_the_clis_message(tmp_path):
    roadmap = tmp_path / "roadmap.yaml"
    notebook, first = run(tmp_path, "editor", ROOT, roadmap=str(roadmap))
    assert any(state.get("description") == "Save" for state in widget_states(notebook))
    assert images(notebook) == 3 and "Roadmap file:" in first
    rows = [s for s in widget_states(notebook) if "pmo-editor-row" in s.get("_dom_classes", ())]
    assert len(rows) == len(load_roadmap(roadmap).items)
    # a hand edit makes the file invalid: the notebook still runs and says what the CLI says, no traceback
    roadmap.write_text(roadmap.read_text().replace("    effort: 12\n", "    effort: -12\n", 1))
    notebook, text = run(tmp_path, "invalid", ROOT, roadmap=str(roadmap))
    assert "pmo-assess roadmap: input problems:" in text and "must be a number greater than 0, got -12" in text
    assert "Traceback" not in text and images(notebook) == 0
