"""One business unit's assessment: load and score its answers, and write its ``scores@1`` JSON."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pmo_assess.export.scores import scores_to_dict
from pmo_assess.io.files import atomic_write_text
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.io.targets import Targets, load_targets
from pmo_assess.model import Questionnaire
from pmo_assess.report.anonymise import anonymise_answers
from pmo_assess.report.answers import load_unit_answers
from pmo_assess.report.paths import resolve_input, resolve_inputs
from pmo_assess.scoring import Gaps, Scores, compute_gaps, score_answers

if TYPE_CHECKING:
    from pmo_assess.rounds.round_info import RoundInfo

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
    anonymised: bool = False
    #: role label → the role shown in views ("other" for small roles when anonymised; absent: the role itself)
    role_shown: dict[str, str] = field(default_factory=dict)

    def shown_role(self, role: str) -> str:
        """The role as views show it (small roles merged into "other" in an anonymised report)."""
        return self.role_shown.get(str(role), str(role))

    def scores_dict(self, round_info: "RoundInfo | None" = None) -> dict:
        """This unit's ``pmo-assess/scores@1`` object (with its round when given)."""
        return scores_to_dict(self.scores, self.gaps, units=[0], round_info=round_info)


def load_unit_report(answers: str | list[str], business_unit: str, questionnaire: str,
                     targets: str = "", anonymise: bool = False) -> UnitReport:
    """Load the questionnaire, targets (optional: empty string for none) and one unit's answers, and score them.

    With ``anonymise`` respondents are renamed "Respondent N" before scoring, so no view can show a name.
    """
    bank = load_questionnaire(resolve_input(questionnaire))
    goals = load_targets(resolve_input(targets), bank) if targets else None
    rows = load_unit_answers(resolve_inputs(answers), business_unit, bank)
    roles: dict[str, str] = {}
    if anonymise:
        rows, roles = anonymise_answers(rows)
    scores = score_answers(rows, bank)
    gaps = compute_gaps(scores, goals) if goals else None
    return UnitReport(business_unit, bank, rows, scores, gaps, goals, anonymise, roles)


def write_unit_scores(report: UnitReport, output_dir: str | Path, round_info: "RoundInfo | None" = None) -> Path | None:
    """Write the unit's scores JSON atomically into ``output_dir`` (with its round when given); "" writes nothing.

    An anonymised report's file says so (``"anonymised": true``): re-rendering its notebook later
    (``pmo-assess report --executed``) knows from it what the notebook ran with.
    """
    if not str(output_dir):
        return None
    data = report.scores_dict(round_info)
    if report.anonymised:
        data["anonymised"] = True
    path = Path(output_dir) / SCORES_FILE
    atomic_write_text(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    return path
