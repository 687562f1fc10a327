"""From files to a unit's roadmap.yaml: load the inputs once, then plan and write/merge per unit.

Used by ``pmo-assess roadmap`` and by the roadmap notebook, so both do exactly the same thing.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.files import read_yaml
from pmo_assess.io.locks import locked
from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.io.targets import Targets, load_targets
from pmo_assess.io.votes import Votes, load_votes
from pmo_assess.model import Questionnaire
from pmo_assess.roadmap.library import Library, load_library
from pmo_assess.roadmap.planner import Commitments, Plan, PlanOptions, plan_unit
from pmo_assess.roadmap.checks import check_roadmap
from pmo_assess.roadmap.roadmap_file import (
    RoadmapChanges,
    RoadmapSettings,
    commitments_from,
    parse_roadmap,
    write_roadmap_locked,
)
from pmo_assess.roadmap.state import UnitState, unit_state
from pmo_assess.scoring import Gaps, Scores, compute_gaps, score_answers

VOTES_FILE = "votes.yaml"
ROADMAP_FILE = "roadmap.yaml"


@dataclass(frozen=True)
class PlanningInputs:
    questionnaire: Questionnaire
    library: Library
    scores: Scores
    gaps: Gaps
    targets: Targets
    votes: Votes | None

    def state(self, business_unit: str) -> UnitState:
        """The unit's state; InputErrors naming the units there are if it has no answers."""
        if business_unit not in self.scores.units:
            raise InputErrors([InputProblem("answers", "business_unit", f"no answers for business unit "
                                            f"{business_unit!r}; units found: {', '.join(self.scores.units)}")])
        return unit_state(self.scores, self.gaps, business_unit)

    def vote_totals(self, business_unit: str) -> dict[str, int]:
        return self.votes.totals(business_unit) if self.votes else {}


def default_library_path(questionnaire_path: str | Path, questionnaire: Questionnaire) -> Path:
    """The library bundled for a questionnaire, beside it in ``initiatives/``: ``<id>-v<major>.yaml`` for the
    questionnaire's major version when that file exists (version 2.0.0 -> ``<id>-v2.yaml``), else ``<id>.yaml``."""
    folder = Path(questionnaire_path).parent / "initiatives"
    major = questionnaire.version.strip().split(".")[0]
    versioned = folder / f"{questionnaire.id}-v{major}.yaml"
    return versioned if major.isdigit() and versioned.exists() else folder / f"{questionnaire.id}.yaml"


def default_votes_path(targets_path: str | Path) -> Path | None:
    """The workshop's votes file beside the targets file, if there is one."""
    path = Path(targets_path).parent / VOTES_FILE
    return path if path.exists() else None


def unit_slug(business_unit: str) -> str:
    """A folder name for a unit: 'Retail Banking' → 'retail-banking'."""
    return re.sub(r"[^a-z0-9]+", "-", business_unit.lower()).strip("-") or "unit"


def next_monday(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)


def load_planning_inputs(answers: list[str | Path], questionnaire: str | Path, targets: str | Path,
                         votes: str | Path | None = None, library: str | Path | None = None) -> PlanningInputs:
    """Read and validate every input file (votes and library default to the files beside targets/questionnaire)."""
    if not str(targets or "").strip() or Path(targets).is_dir():
        raise InputErrors([InputProblem(str(targets or "targets"), "", "not a targets file: a roadmap closes the "
                                        "gaps to the agreed targets, so it needs the targets YAML")])
    q = load_questionnaire(questionnaire)
    library_path = Path(library) if library else default_library_path(questionnaire, q)
    if not library and not library_path.exists():
        raise InputErrors([InputProblem(str(library_path), "", f"no initiative library for questionnaire "
                                        f"{q.id!r} here; give one with --library (notebook: library)")])
    votes_path = Path(votes) if votes else default_votes_path(targets)
    loaded_targets = load_targets(targets, q)
    scores = score_answers(read_answers(answers, q), q)
    return PlanningInputs(questionnaire=q, library=load_library(library_path, q), scores=scores,
                          gaps=compute_gaps(scores, loaded_targets), targets=loaded_targets,
                          votes=load_votes(votes_path, q) if votes_path else None)


def roadmap_settings(existing: RoadmapSettings | None, wave_weeks: float | None = None, capacity: float | None = None,
                     waves: int | None = None, starts_on: dt.date | None = None,
                     today: dt.date | None = None) -> RoadmapSettings:
    """The roadmap's own settings, with those given explicitly taking their place."""
    settings = existing or RoadmapSettings()
    if settings.starts_on is None:
        settings = replace(settings, starts_on=next_monday(today or dt.date.today()))
    given = {"wave_weeks": wave_weeks, "capacity": capacity, "waves": waves, "starts_on": starts_on}
    return replace(settings, **{k: v for k, v in given.items() if v is not None})


def plan_roadmap(inputs: PlanningInputs, business_unit: str, path: str | Path | None, wave_weeks: float | None = None,
                 capacity: float | None = None, waves: int | None = None, starts_on: dt.date | None = None,
                 today: dt.date | None = None) -> tuple[Plan, RoadmapSettings, CommentedMap | None]:
    """Plan a unit around what its roadmap file (if any) already fixes; also returns that file as parsed.

    The file is checked in full first (:func:`pmo_assess.roadmap.checks.check_roadmap`): InputErrors lists
    every problem, naming item, key and line.
    """
    if path is not None and Path(path).is_dir():
        raise InputErrors([InputProblem(str(path), "", "is a folder, not a roadmap file")])
    document = read_yaml(path) if path is not None and Path(path).exists() else None
    if document is not None:
        problems = check_roadmap(document, inputs.library, inputs.questionnaire, source=str(path))
        if problems:
            raise InputErrors(problems)
    existing = parse_roadmap(document, path) if document is not None else None
    if existing is not None and existing.business_unit != business_unit:
        raise InputErrors([InputProblem(str(path), "business_unit", f"this roadmap is for "
                                        f"{existing.business_unit!r}, not {business_unit!r}")])
    settings = roadmap_settings(existing.settings if existing else None, wave_weeks, capacity, waves, starts_on, today)
    commitments = commitments_from(existing, inputs.library) if existing else Commitments()
    options = PlanOptions(wave_weeks=settings.wave_weeks, capacity=settings.capacity, waves=settings.waves,
                          starts_on=settings.starts_on)
    plan = plan_unit(inputs.state(business_unit), inputs.library, options, inputs.vote_totals(business_unit),
                     commitments)
    return plan, settings, document


def update_roadmap(inputs: PlanningInputs, business_unit: str, path: str | Path, wave_weeks: float | None = None,
                   capacity: float | None = None, waves: int | None = None, starts_on: dt.date | None = None,
                   today: dt.date | None = None) -> tuple[Plan, RoadmapChanges]:
    """Plan a unit and create or merge its roadmap.yaml; returns the plan and what changed in the file.

    Reading, planning and writing all happen under the file's lock, so a colleague's save or a second
    run in between is planned around, never overwritten.
    """
    with locked(path):
        plan, settings, document = plan_roadmap(inputs, business_unit, path, wave_weeks, capacity, waves, starts_on,
                                                today)
        return plan, write_roadmap_locked(path, plan, inputs.library, settings, today, document)
