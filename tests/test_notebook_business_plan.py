"""notebooks/business_plan.ipynb: committed without outputs, runs under papermill and nbval with the samples."""
from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import papermill

from conftest import BANK, EXAMPLES, ROOT

NOTEBOOK = ROOT / "notebooks" / "business_plan.ipynb"
PARAMETERS = {"unit", "questionnaire", "answers", "targets", "roadmap", "library", "plan", "output_dir", "refresh",
              "context"}


def run_notebook(tmp_path, parameters, monkeypatch):
    """Execute the notebook with papermill; its temporary roadmap folders go under tmp_path."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    papermill.execute_notebook(str(NOTEBOOK), str(tmp_path / "run.ipynb"), parameters=parameters,
                               cwd=str(NOTEBOOK.parent), execution_timeout=180, progress_bar=False)


def test_notebook_is_committed_clean_with_known_parameters():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") and not cell.get("execution_count")
               for cell in notebook.cells if cell.cell_type == "code")
    assert set(papermill.inspect_notebook(str(NOTEBOOK))) == PARAMETERS


def test_papermill_run_drafts_the_plan_and_exports_it(tmp_path, monkeypatch):
    out = tmp_path / "out"
    parameters = {"unit": "Insurance Claims", "questionnaire": str(BANK),
                  "answers": [str(EXAMPLES / "answers" / "insurance-claims.csv")],
                  "targets": str(EXAMPLES / "targets.yaml"), "plan": str(tmp_path / "plan.yaml"),
                  "output_dir": str(out)}
    assert set(parameters) <= PARAMETERS
    run_notebook(tmp_path, parameters, monkeypatch)
    plan_text = (tmp_path / "plan.yaml").read_text()
    assert "business_unit: Insurance Claims" in plan_text
    assert sorted(p.name for p in out.iterdir()) == ["plan.docx", "plan.html", "plan.md", "plan.xlsx"]
    markdown = (out / "plan.md").read_text()
    assert "# PMO business plan — Insurance Claims" in markdown
    # benefits management 1 → 4: a business objective on its outcome KPI (the library's level-4 benchmark)
    assert "| OBJ-1 | Increase benefit realisation against peers by " in markdown and "| 1→4 |" in markdown
    run = nbformat.read(tmp_path / "run.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in run.cells for o in c.get("outputs", []))
    assert f"Drafted {tmp_path / 'plan.yaml'}" in text
    images = [o for c in run.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 3  # costs and benefits per year, KPIs per measure level, the roadmap Gantt
    html = "".join(o.get("data", {}).get("text/html", "") for c in run.cells for o in c.get("outputs", []))
    assert "Nothing changed in the assessment or roadmap since this plan was drafted." in html
    assert "<th>plan year</th>" in html and "Roadmap wave 1 initiatives" in html  # roadmap costs by wave
    assert "<th>roadmap costs</th>" in html  # and every cost per year
    assert "drafted_from:" in plan_text


def test_nbval_lax_passes_with_the_samples(tmp_path):
    env = dict(os.environ, TMPDIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", str(NOTEBOOK), "-q", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), "-c", os.devnull],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


def test_papermill_run_without_targets_drafts_a_plan_without_a_roadmap(tmp_path, monkeypatch):
    parameters = {"unit": "Insurance Claims", "questionnaire": str(BANK),
                  "answers": [str(EXAMPLES / "answers" / "insurance-claims.csv")], "targets": "",
                  "plan": str(tmp_path / "plan.yaml"), "output_dir": str(tmp_path / "out")}
    run_notebook(tmp_path, parameters, monkeypatch)
    assert "business_unit: Insurance Claims" in (tmp_path / "plan.yaml").read_text()
    assert not list(tmp_path.glob("pmo-plan-*/roadmap.yaml"))  # no targets: no roadmap was planned
    assert "# PMO business plan — Insurance Claims" in (tmp_path / "out" / "plan.md").read_text()


def test_papermill_run_names_what_changed_and_refreshes(tmp_path, monkeypatch):
    """A plan drafted from last year's answers: the notebook names the level changes; refresh=True re-derives."""
    answers = EXAMPLES / "answers" / "insurance-claims.csv"
    raised = tmp_path / "insurance-claims-2027.csv"
    rows = answers.read_text().splitlines()
    raised.write_text("\n".join(r.replace(",GOV-BEN-1,1,", ",GOV-BEN-1,4,").replace(",GOV-BEN-2,1,", ",GOV-BEN-2,4,")
                                 .replace(",GOV-BEN-3,1,", ",GOV-BEN-3,4,") for r in rows) + "\n")
    base = {"unit": "Insurance Claims", "questionnaire": str(BANK), "targets": str(EXAMPLES / "targets.yaml"),
            "plan": str(tmp_path / "plan.yaml"), "output_dir": ""}
    run_notebook(tmp_path, {**base, "answers": [str(answers)]}, monkeypatch)
    objectives = (tmp_path / "plan.yaml").read_text().split("\nobjectives:")[1].split("\nkpis:")[0]
    assert "capabilities: [benefits-management]" in objectives  # level 1, target 4
    run_notebook(tmp_path, {**base, "answers": [str(raised)], "refresh": True}, monkeypatch)
    run = nbformat.read(tmp_path / "run.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in run.cells for o in c.get("outputs", []))
    assert f"Refreshed {tmp_path / 'plan.yaml'}" in text and "re-derived (never edited): " in text
    objectives = (tmp_path / "plan.yaml").read_text().split("\nobjectives:")[1].split("\nkpis:")[0]
    assert "capabilities: [benefits-management]" not in objectives  # at its target now: untouched, so removed
