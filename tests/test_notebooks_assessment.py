"""notebooks/assessment.ipynb and portfolio.ipynb: committed clean, run by the papermill CLI and by nbval."""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

import nbformat
import papermill
import pytest

from conftest import BANK, EXAMPLES, ROOT

ASSESSMENT = ROOT / "notebooks" / "assessment.ipynb"
PORTFOLIO = ROOT / "notebooks" / "portfolio.ipynb"


@pytest.mark.parametrize("path", [ASSESSMENT, PORTFOLIO], ids=["assessment", "portfolio"])
def test_notebooks_are_committed_without_outputs_and_with_plain_parameters(path):
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]

    assert all(not c.outputs and c.execution_count is None for c in code)
    parameters = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1
    for statement in ast.parse(parameters[0].source).body:
        assert isinstance(statement, ast.Assign)
        ast.literal_eval(statement.value)  # plain values only: raises on anything computed
    assert all(len(c.source.splitlines()) <= 15 for c in code)
    hidden = [c for c in notebook.cells if "notebook-only" in c.metadata.get("tags", [])]
    assert any("pmo-assess batch" in c.source for c in hidden)  # the operational text is kept out of reports


def test_papermill_cli_runs_the_assessment_with_p_parameters(tmp_path):
    out = tmp_path / "insurance"
    result = subprocess.run(
        ["papermill", str(ASSESSMENT), str(tmp_path / "executed.ipynb"), "--no-progress-bar",
         "-p", "answers", str(EXAMPLES / "answers" / "insurance-claims.csv"),
         "-p", "business_unit", "Insurance Claims", "-p", "questionnaire", str(BANK),
         "-p", "targets", str(EXAMPLES / "targets.yaml"), "-p", "output_dir", str(out),
         "--execution-timeout", "300"],
        capture_output=True, text=True, timeout=400, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]

    scores = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    assert scores["schema"] == "pmo-assess/scores@1"
    unit = scores["units"][0]
    assert unit["business_unit"] == "Insurance Claims"
    governance = next(d for d in unit["dimensions"] if d["id"] == "governance")
    assert (governance["level"], governance["capped_by"]) == (2, "benefits-management")

    executed = nbformat.read(tmp_path / "executed.ipynb", as_version=4)
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "<h1>Insurance Claims</h1>" in html and "Level 3 — operationalizing" in html
    assert "Benefits management" in html and "Executive summary" not in html  # outputs, not the prose
    assert sum("image/svg+xml" in o.get("data", {}) for o in outputs) == 2  # radar and heatmap, as vectors


def test_both_notebooks_pass_nbval_lax(tmp_path):
    """Parameterised copies (scores written under tmp_path) run by nbval from a folder outside the repo."""
    papermill.execute_notebook(str(ASSESSMENT), str(tmp_path / "assessment.ipynb"),
                               parameters={"output_dir": str(tmp_path / "unit")}, prepare_only=True,
                               progress_bar=False)
    (tmp_path / "portfolio.ipynb").write_bytes(PORTFOLIO.read_bytes())  # its defaults write nothing

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "assessment.ipynb", "portfolio.ipynb", "-q",
         "-p", "no:cacheprovider", "--rootdir", str(tmp_path), "-c", os.devnull],
        cwd=tmp_path, env=dict(os.environ, TMPDIR=str(tmp_path)), capture_output=True, text=True, timeout=600)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
    written = json.loads((tmp_path / "unit" / "scores.json").read_text(encoding="utf-8"))
    assert written["units"][0]["business_unit"] == "Retail Banking"


@pytest.mark.timeout(300)
def test_a_large_unit_reports_each_roles_distribution_instead_of_every_respondent(tmp_path):
    """2,000 respondents (more than 60): the note with the count, per-role columns, no respondent's name."""
    import numpy as np
    import pandas as pd

    from conftest import DATA
    from pmo_assess.io.questionnaire import load_questionnaire

    mini = DATA / "mini.yaml"
    questions = [q.id for q in load_questionnaire(mini).questions]
    person = np.repeat(np.arange(2000), len(questions))
    pd.DataFrame({"business_unit": "Crowd", "respondent": [f"P{i:05d}" for i in person],
                  "role": np.where(person % 2, "sponsor", "pm"),
                  "question": np.tile(questions, 2000), "answer": (person % 4 + 1).astype(str),
                  "comment": ""}).to_csv(tmp_path / "crowd.csv", index=False)

    papermill.execute_notebook(str(ASSESSMENT), str(tmp_path / "executed.ipynb"), progress_bar=False,
                               parameters={"answers": [str(tmp_path / "crowd.csv")], "business_unit": "Crowd",
                                           "questionnaire": str(mini), "targets": "", "output_dir": ""},
                               cwd=str(tmp_path))

    executed = nbformat.read(tmp_path / "executed.ipynb", as_version=4)
    html = "".join(o.get("data", {}).get("text/html", "") for c in executed.cells if c.cell_type == "code"
                   for o in c.outputs)
    assert "2,000 respondents — pm 1,000, sponsor 1,000" in html  # the cover counts each role
    assert "Crowd has 2,000 respondents, more than 60" in html
    assert "lower quartile" in html and "sponsor (1,000)" in html
    assert "P00001" not in html
