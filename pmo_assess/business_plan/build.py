"""From files to a validated business plan: what ``pmo-assess plan`` and the notebook both run.

plan.yaml is the PMO head's: it is drafted only when missing and never overwritten. A fresh
draft for comparison goes to ``plan.draft.yaml`` beside it (``redraft=True``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.answers import read_answers
from pmo_assess.io.files import write_yaml
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.io.targets import load_targets
from pmo_assess.model import Questionnaire
from pmo_assess.business_plan.plan_file import BusinessPlan, load_plan
from pmo_assess.business_plan.draft import draft_plan
from pmo_assess.roadmap.library import Library, load_library
from pmo_assess.roadmap.roadmap_file import Roadmap, load_roadmap
from pmo_assess.roadmap.workflow import default_library_path
from pmo_assess.scoring import Gaps, Scores, compute_gaps, score_answers

DRAFT_NAME = "plan.draft.yaml"


@dataclass(frozen=True)
class PlanRun:
    """What one run produced: the plan as validated, the roadmap it uses, and which files were written."""

    plan: BusinessPlan
    roadmap: Roadmap | None
    plan_path: Path
    drafted: bool
    redraft_path: Path | None


def assess_unit(questionnaire_path: str | Path, answer_paths: Sequence[str | Path], targets_path: str | Path | None,
                business_unit: str) -> tuple[Questionnaire, Scores, Gaps | None]:
    """Score the answers and compute gaps; a unit with no answers is an input problem naming the files."""
    questionnaire = load_questionnaire(questionnaire_path)
    targets = load_targets(targets_path, questionnaire) if targets_path else None
    scores = score_answers(read_answers(list(answer_paths), questionnaire), questionnaire)
    if business_unit not in scores.units:
        raise InputErrors([InputProblem(", ".join(map(str, answer_paths)), "business_unit",
                                        f"no answers for unit {business_unit!r}; units found: "
                                        f"{', '.join(scores.units) or 'none'}")])
    return questionnaire, scores, compute_gaps(scores, targets) if targets else None


def _check_unit(path: str | Path, named: str, business_unit: str, what: str) -> None:
    if named and named != business_unit:
        raise InputErrors([InputProblem(str(path), "business_unit",
                                        f"this {what} is for {named!r}, not {business_unit!r}")])


def build_plan(questionnaire_path: str | Path, answer_paths: Sequence[str | Path], business_unit: str,
               plan_path: str | Path, targets_path: str | Path | None = None,
               roadmap_path: str | Path | None = None, library_path: str | Path | None = None,
               redraft: bool = False, today: dt.date | None = None, currency: str = "EUR",
               day_rate: float | None = None) -> PlanRun:
    """Draft plan.yaml if it is missing (or plan.draft.yaml on redraft), then load and validate it."""
    questionnaire, scores, gaps = assess_unit(questionnaire_path, answer_paths, targets_path, business_unit)
    roadmap = load_roadmap(roadmap_path, questionnaire) if roadmap_path else None
    if roadmap is not None:
        _check_unit(roadmap_path, roadmap.business_unit, business_unit, "roadmap")
    if library_path is None:
        bundled = default_library_path(questionnaire_path, questionnaire)
        library_path = bundled if bundled.exists() else None
    library: Library | None = load_library(library_path, questionnaire) if library_path else None
    plan_path = Path(plan_path)
    drafted = not plan_path.exists()
    redraft_path = plan_path.with_name(DRAFT_NAME) if redraft and not drafted else None
    if drafted or redraft_path:
        draft = draft_plan(scores, gaps, business_unit, roadmap, library, today, currency, day_rate)
        write_yaml(redraft_path or plan_path, draft)
    plan = load_plan(plan_path, questionnaire, roadmap)
    _check_unit(plan_path, plan.business_unit, business_unit, "plan")
    return PlanRun(plan=plan, roadmap=roadmap, plan_path=plan_path, drafted=drafted, redraft_path=redraft_path)
