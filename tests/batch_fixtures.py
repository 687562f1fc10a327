"""Helpers for the batch tests: small answer files for the mini questionnaire, and the light notebooks."""
from __future__ import annotations

import csv
from pathlib import Path

from conftest import DATA

MINI = DATA / "mini.yaml"
LIGHT_UNIT = DATA / "batch" / "unit_light.ipynb"
LIGHT_PORTFOLIO = DATA / "batch" / "portfolio_light.ipynb"
MISSING_PARAMETERS = DATA / "batch" / "missing_parameters.ipynb"
ISOLATION_UNIT = DATA / "batch" / "unit_isolation.ipynb"
ROUNDS_UNIT = DATA / "batch" / "unit_rounds.ipynb"
ROUNDS_PORTFOLIO = DATA / "batch" / "portfolio_rounds.ipynb"
QUESTIONS = ("P-T-1", "P-T-2", "P-L-1", "G-B-1", "G-B-2", "G-M-1", "G-M-2")


def unit_rows(unit: str, comment: str = "", bad_answer: bool = False) -> list[list[str]]:
    """Two respondents answering every mini question; ``comment`` on the first row, an invalid answer if asked."""
    rows = []
    for person, role, base in (("Ann", "sponsor", 3), ("Bob", "pm", 2)):
        for i, question in enumerate(QUESTIONS):
            rows.append([unit, person, role, question, str((base + i) % 4 + 1), ""])
    rows[0][5] = comment
    if bad_answer:
        rows[3][4] = "7"
    return rows


def run_light_batch(answers: list[Path], out: Path, **options) -> tuple[int, str, str]:
    """Run a batch in-process (light notebooks unless ``options`` say otherwise); (exit status, summary, progress)."""
    import io

    from pmo_assess.batch.pipeline import BatchConfig, run_batch

    options = {"notebook": LIGHT_UNIT, "portfolio_notebook": LIGHT_PORTFOLIO, **options}
    summary, progress = io.StringIO(), options.pop("stream", None) or io.StringIO()
    config = BatchConfig(answers=answers, questionnaire=options.pop("questionnaire", MINI), out=out,
                         progress_bar=False, **options)
    status = run_batch(config, stream=progress, out_stream=summary)
    return status, summary.getvalue(), progress.getvalue()


def summary_rows(out: Path) -> dict[str, dict]:
    """summary.csv by unit name."""
    with (out / "summary.csv").open(encoding="utf-8") as handle:
        return {row["unit"]: row for row in csv.DictReader(handle)}


def write_answers(path: Path, units: dict[str, dict]) -> Path:
    """One CSV holding several units; each unit's options go to :func:`unit_rows`."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["business_unit", "respondent", "role", "question", "answer", "comment"])
        for unit, options in units.items():
            writer.writerows(unit_rows(unit, **options))
    return path
