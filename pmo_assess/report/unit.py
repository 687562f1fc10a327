"""One business unit's assessment: load and score its answers, and write its ``scores@1`` JSON."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pmo_assess.export.scores import scores_to_dict
from pmo_assess.io.files import atomic_write_text
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.io.targets import Targets, load_targets
from pmo_assess.model import Questionnaire
from pmo_assess.report.answers import load_unit_answers
from pmo_assess.report.paths import resolve_input, resolve_inputs
from pmo_assess.scoring import Gaps, Scores, compute_gaps, score_answers

#: File name of a unit's scores, written beside its executed notebook.
SCORES_FILE = "scores.json"


@dataclass(frozen=True)
class UnitReport:
    """Everything a unit's report shows is computed from these: its rows, scores (unit 0) and gaps."""

    business_unit: str
    questionnaire: Questionnaire
    answers: pd.DataFrame
    scores: Scores
    gaps: Gaps | None
    targets: Targets | None

    def scores_dict(self) -> dict:
        """This unit's ``pmo-assess/scores@1`` object."""
        return scores_to_dict(self.scores, self.gaps, units=[0])


def load_unit_report(answers: str | list[str], business_unit: str, questionnaire: str,
                     targets: str = "") -> UnitReport:
    """Load the questionnaire, targets (optional: empty string for none) and one unit's answers, and score them."""
    bank = load_questionnaire(resolve_input(questionnaire))
    goals = load_targets(resolve_input(targets), bank) if targets else None
    rows = load_unit_answers(resolve_inputs(answers), business_unit, bank)
    scores = score_answers(rows, bank)
    gaps = compute_gaps(scores, goals) if goals else None
    return UnitReport(business_unit, bank, rows, scores, gaps, goals)


def write_unit_scores(report: UnitReport, output_dir: str | Path) -> Path | None:
    """Write the unit's scores JSON atomically into ``output_dir``; an empty ``output_dir`` writes nothing."""
    if not str(output_dir):
        return None
    path = Path(output_dir) / SCORES_FILE
    atomic_write_text(path, json.dumps(report.scores_dict(), indent=1, ensure_ascii=False) + "\n")
    return path
