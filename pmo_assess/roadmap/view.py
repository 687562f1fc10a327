"""What the roadmap notebook shows, as tidy tables: items, Gantt rows, capacity, co-creation record, changes."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.answers import read_answers
from pmo_assess.roadmap.changes import roadmap_changes
from pmo_assess.roadmap.planner import Plan
from pmo_assess.roadmap.progress import progress_to_date, what_moved
from pmo_assess.roadmap.projection import Projection, project
from pmo_assess.roadmap.roadmap_file import Roadmap, RoadmapItem, RoadmapSettings, load_roadmap, previous_path
from pmo_assess.roadmap.workflow import PlanningInputs, load_planning_inputs, plan_roadmap, write_roadmap
from pmo_assess.report.paths import resolve_input, resolve_inputs
from pmo_assess.sanitize import escape_html
from pmo_assess.scoring import score_answers


@dataclass(frozen=True)
class RoadmapView:
    inputs: PlanningInputs
    business_unit: str
    plan: Plan
    roadmap: Roadmap
    previous: Roadmap | None
    projection: Projection
    progress: pd.DataFrame | None
    written_to: Path | None


def roadmap_from_plan(plan: Plan, settings: RoadmapSettings, questionnaire_id: str, library_name: str) -> Roadmap:
    """The roadmap a fresh plan would write, without writing it (for a notebook run with no roadmap file)."""
    items = tuple(RoadmapItem(
        id=i.initiative.id, title=i.initiative.title, capability=i.initiative.capability,
        from_level=i.initiative.from_level, to_level=i.initiative.to_level, wave=i.wave, effort=i.effort,
        duration=i.initiative.duration, quick_win=i.quick_win, priority=i.priority, why=dict(i.parts),
        prerequisites=i.needs, kpis=i.initiative.kpis, origin="library", reason=i.reason) for i in plan.items)
    uncovered = tuple({"capability": u.capability, "step": u.step, "reason": u.reason} for u in plan.uncovered)
    return Roadmap(business_unit=plan.business_unit, questionnaire=questionnaire_id, library=library_name,
                   settings=settings, items=items, uncovered=uncovered)


def roadmap_projection(inputs: PlanningInputs, roadmap: Roadmap) -> Projection:
    """Projected maturity per wave of the roadmap as it stands (done = now, dropped and closed gaps left out)."""
    placements = {i.id: 0 if i.status == "done" else i.wave for i in roadmap.items
                  if i.id in inputs.library.by_id and i.active and (i.status == "done" or i.wave is not None)}
    dropped = {i.id for i in roadmap.items if i.status == "dropped"}
    return project(inputs.state(roadmap.business_unit), inputs.library, placements, dropped,
                   max(roadmap.waves(), default=0))


def check_parameters(wave_weeks: object, capacity: object, waves: object) -> None:
    """Wave length and capacity: None (the roadmap's own setting) or a number > 0; waves: None or a whole number > 0."""
    def bad(value: object, whole: bool) -> bool:
        kinds = (int,) if whole else (int, float)
        return value is not None and (isinstance(value, bool) or not isinstance(value, kinds)
                                      or not math.isfinite(value) or value <= 0)

    problems = [InputProblem("parameters", name, f"must be {'a whole' if whole else 'a'} number greater than 0 "
                             f"(or None), got {value!r}")
                for name, value, whole in (("wave_weeks", wave_weeks, False), ("capacity", capacity, False),
                                           ("waves", waves, True)) if bad(value, whole)]
    if problems:
        raise InputErrors(problems)


def load_roadmap_view(answers: str | list[str], business_unit: str, questionnaire: str, targets: str,
                      votes: str = "", library: str = "", roadmap: str = "", update_roadmap: bool = False,
                      wave_weeks: float | None = None, capacity: float | None = None, waves: int | None = None,
                      baseline_answers: str | list[str] = "", today: dt.date | None = None) -> RoadmapView:
    """Everything the roadmap notebook shows, from its parameters (paths work from the repo root or notebooks/)."""
    check_parameters(wave_weeks=wave_weeks, capacity=capacity, waves=waves)
    questionnaire_path = resolve_input(questionnaire)
    targets_path = resolve_input(targets) if targets else ""  # empty: named as missing, not read as "."
    inputs = load_planning_inputs(resolve_inputs(answers), questionnaire_path, targets_path,
                                  resolve_input(votes) if votes else None, resolve_input(library) if library else None)
    path = resolve_input(roadmap) if roadmap else None
    plan, settings, document = plan_roadmap(inputs, business_unit, path, wave_weeks, capacity, waves, today=today)
    written_to = None
    if path is not None and (update_roadmap or not path.exists()):
        write_roadmap(path, plan, inputs.library, settings, today, document)
        written_to = path
    if path is not None:
        current = load_roadmap(path)
        before = previous_path(path)
        previous = load_roadmap(before) if before.exists() else None
    else:
        library_name = f"{inputs.library.id} {inputs.library.version}"
        current, previous = roadmap_from_plan(plan, settings, inputs.questionnaire.id, library_name), None
    progress = None
    if baseline_answers:
        q = inputs.questionnaire
        baseline = score_answers(read_answers(resolve_inputs(baseline_answers), q), q)
        progress = progress_to_date(baseline, inputs.scores, inputs.targets, business_unit)
    return RoadmapView(inputs=inputs, business_unit=business_unit, plan=plan, roadmap=current, previous=previous,
                       projection=roadmap_projection(inputs, current), progress=progress, written_to=written_to)


def _dimension_of(view: RoadmapView) -> dict[str, str]:
    return {c.id: c.dimension for c in view.inputs.questionnaire.capabilities}


def items_table(view: RoadmapView) -> pd.DataFrame:
    """The roadmap's items in wave order with their priority and its parts (why this one comes first)."""
    rows = []
    for item in sorted(view.roadmap.items, key=lambda i: (not i.active, i.wave is None, i.wave or 0, -(i.priority or 0), i.id)):
        step = f"{item.from_level}->{item.to_level}" if item.from_level else ""
        rows.append({"wave": pd.NA if item.wave is None else item.wave, "id": item.id, "title": item.title, "capability": item.capability,
                     "step": step, "effort": item.effort, "priority": item.priority,
                     **{f"= {k}": v for k, v in item.why.items()},
                     "quick win": item.quick_win, "status": item.status, "owner": item.owner})
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame["wave"] = frame["wave"].astype("Int64")
    return frame


def gantt_rows(view: RoadmapView) -> pd.DataFrame:
    """One bar per active item with a wave: start week (its dates when set, else its wave's start) and length."""
    settings = view.roadmap.settings
    dimension = _dimension_of(view)
    rows = []
    for wave, items in view.roadmap.waves().items():
        for item in items:
            start = (wave - 1) * settings.wave_weeks
            weeks = item.duration or settings.wave_weeks
            if item.start and settings.starts_on:
                start = (item.start - settings.starts_on).days / 7
                if item.end:
                    weeks = max((item.end - item.start).days / 7, 0.5)
            label = item.id if item.status == "planned" else f"{item.id} ({item.status})"
            rows.append({"label": label + (" *" if item.quick_win else ""), "start_week": start, "weeks": weeks,
                         "wave": wave, "dimension": dimension.get(item.capability, ""), "status": item.status})
    return pd.DataFrame(rows, columns=["label", "start_week", "weeks", "wave", "dimension", "status"])


def capacity_table(view: RoadmapView) -> pd.DataFrame:
    """Person-days planned per wave (active items, custom ones included) against the capacity."""
    waves = view.roadmap.waves()
    used = [sum(i.effort or 0 for i in items) for items in waves.values()]
    return pd.DataFrame({"wave": list(waves), "used": used, "capacity": view.roadmap.settings.capacity})


def votes_table(view: RoadmapView) -> pd.DataFrame:
    """Who put their dot votes where: one row per participant, one column per capability voted for."""
    votes = view.inputs.votes
    people = votes.participants(view.business_unit) if votes else {}
    if not people:
        return pd.DataFrame()
    order = [c.id for c in view.inputs.questionnaire.capabilities]
    frame = pd.DataFrame.from_dict(people, orient="index").reindex(columns=order).fillna(0).astype(int)
    frame = frame.loc[:, frame.sum() > 0]
    frame.loc["total"] = frame.sum()
    return frame.rename_axis("participant").reset_index()


def agreements_table(view: RoadmapView) -> pd.DataFrame:
    """The unit's target per capability and who agreed it, when and why (as recorded in the targets file)."""
    rows = []
    for capability in view.inputs.questionnaire.capabilities:
        target = view.inputs.targets.capability_target(view.business_unit, capability.id, capability.dimension)
        if target is None:
            continue
        rows.append({"capability": capability.id, "target": target.level, "agreed by": ", ".join(target.agreed_by),
                     "agreed on": target.agreed_on, "note": target.note})
    return pd.DataFrame(rows)


def changes_table(view: RoadmapView) -> pd.DataFrame:
    """What changed since the previous version of the roadmap file (empty when there is none)."""
    if view.previous is None:
        return pd.DataFrame(columns=["item", "title", "change", "field", "before", "after"])
    return roadmap_changes(view.previous, view.roadmap)


def uncovered_table(view: RoadmapView) -> pd.DataFrame:
    """Gaps the plan cannot close, unscheduled items, and planner notes, each with its reason."""
    rows = [{"what": f"{u['capability']} {u.get('step') or ''}".strip(), "reason": u["reason"]}
            for u in view.roadmap.uncovered]
    rows += [{"what": i.initiative.id, "reason": f"does not fit in the {view.plan.options.waves} waves asked for"}
             for i in view.plan.unscheduled]
    rows += [{"what": "note", "reason": note} for note in view.plan.notes]
    return pd.DataFrame(rows, columns=["what", "reason"])


def moved_table(view: RoadmapView) -> pd.DataFrame:
    """Progress to date: what moved since the earlier assessment (empty without one)."""
    if view.progress is None:
        return pd.DataFrame()
    moved = what_moved(view.progress)
    return moved[["kind", "id", "baseline_level", "current_level", "target", "progress", "status"]]


def headline_html(view: RoadmapView) -> str:
    """One escaped paragraph: how many initiatives in how many waves, the effort, where the unit ends up, the file."""
    active = [i for i in view.roadmap.active_items if i.wave is not None]
    effort = sum(i.effort or 0 for i in active)
    overall = view.projection.overall_level
    end = ("" if np.isnan(overall).any() else
           f"; projected overall level {int(overall[0])} now, {int(overall[-1])} after the last wave")
    text = (f"{view.business_unit}: {len(active)} initiatives in {len(view.roadmap.waves())} waves of "
            f"{view.roadmap.settings.wave_weeks:g} weeks, {effort:g} person-days{end}.")
    source = f" Roadmap file: {view.roadmap.source}." if view.roadmap.source else " Not saved to a roadmap file."
    return f"<p><strong>{escape_html(text)}</strong>{escape_html(source)}</p>"


def history_table(view: RoadmapView) -> pd.DataFrame:
    """Each (re)generation of the roadmap file: when, and how many items it added, closed, reopened, moved."""
    return pd.DataFrame(list(view.roadmap.history))
