"""What the roadmap notebook shows, as tidy tables: items, Gantt rows, capacity, co-creation record, changes."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pmo_assess.charts.roadmap import capacity_chart, gantt_chart, maturity_chart
from pmo_assess.charts.roadmap import gantt_rows as chart_rows
from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.answers import read_answers
from pmo_assess.report.display import table_html
from pmo_assess.roadmap.checks import roadmap_schedule
from pmo_assess.roadmap.changes import roadmap_changes
from pmo_assess.roadmap.planner import Plan
from pmo_assess.roadmap.progress import progress_to_date, what_moved
from pmo_assess.roadmap.projection import Projection, project
from pmo_assess.roadmap.roadmap_file import (
    Roadmap,
    RoadmapChanges,
    RoadmapItem,
    RoadmapSettings,
    load_roadmap,
    previous_path,
)
from pmo_assess.roadmap.scheduler import Schedule
from pmo_assess.roadmap.workflow import PlanningInputs, load_planning_inputs, plan_roadmap
from pmo_assess.roadmap.workflow import update_roadmap as update_roadmap_file
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
    rerun: RoadmapChanges | None = None


def roadmap_from_plan(plan: Plan, settings: RoadmapSettings, questionnaire_id: str, library_name: str) -> Roadmap:
    """The roadmap a fresh plan would write, without writing it (for a notebook run with no roadmap file)."""
    items = tuple(RoadmapItem(
        id=i.initiative.id, title=i.initiative.title, capability=i.initiative.capability,
        from_level=i.initiative.from_level, to_level=i.initiative.to_level, wave=i.wave, effort=i.effort,
        duration=i.initiative.duration, quick_win=i.quick_win, priority=i.priority, why=dict(i.parts),
        start=i.start, end=i.end, prerequisites=i.needs, kpis=i.initiative.kpis, origin="library",
        reason=i.reason) for i in plan.items)
    uncovered = tuple({"capability": u.capability, "step": u.step, "reason": u.reason} for u in plan.uncovered)
    return Roadmap(business_unit=plan.business_unit, questionnaire=questionnaire_id, library=library_name,
                   settings=settings, items=items, uncovered=uncovered)


def roadmap_projection(inputs: PlanningInputs, roadmap: Roadmap, schedule: Schedule | None = None) -> Projection:
    """Projected maturity after each wave of the roadmap as it stands: an item counts from the wave it ends in
    (done = now; dropped and closed gaps left out)."""
    schedule = schedule or roadmap_schedule(roadmap)
    placements = {i.id: 0 if i.status == "done" else schedule.slots[i.id].end_wave for i in roadmap.items
                  if i.id in inputs.library.by_id and i.active and (i.status == "done" or i.id in schedule.slots)}
    dropped = {i.id for i in roadmap.items if i.status == "dropped"}
    last = max((s.end_wave for s in schedule.slots.values()), default=0)
    return project(inputs.state(roadmap.business_unit), inputs.library, placements, dropped, last)


def with_roadmap(view: RoadmapView, roadmap: Roadmap, previous: Roadmap | None = None) -> RoadmapView:
    """The view of a roadmap just saved or reloaded: its items, its previous version (read from the file
    unless given) and its projection."""
    if previous is None and roadmap.source and previous_path(roadmap.source).exists():
        previous = load_roadmap(previous_path(roadmap.source))
    return replace(view, roadmap=roadmap, previous=previous if previous is not None else view.previous,
                   projection=roadmap_projection(view.inputs, roadmap))


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
    written_to = rerun = None
    if path is not None and (update_roadmap or not path.exists()):
        plan, rerun = update_roadmap_file(inputs, business_unit, path, wave_weeks, capacity, waves, today=today)
        written_to = None if rerun.unchanged else path
    else:
        plan, settings, _ = plan_roadmap(inputs, business_unit, path, wave_weeks, capacity, waves, today=today)
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
                       projection=roadmap_projection(inputs, current), progress=progress, written_to=written_to,
                       rerun=rerun)


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


@dataclass(frozen=True)
class Chart:
    """A chart of the page: ``key`` says what it shows (the same key draws the same picture), ``draw`` makes it."""

    key: str
    draw: Callable[[], Figure]


def _gantt(view: RoadmapView, schedule: Schedule, today: dt.date | None) -> Chart:
    rows = chart_rows(view.roadmap, schedule, _dimension_of(view))
    starts_on = view.roadmap.settings.starts_on
    key = f"{rows.to_json(default_handler=str)}|{rows.attrs}|{starts_on}|{today}"
    return Chart(key, lambda: gantt_chart(rows, starts_on, today=today))


def capacity_table(view: RoadmapView, schedule: Schedule | None = None) -> pd.DataFrame:
    """Person-days of work falling in each wave (active items, custom ones included) against the capacity."""
    loads = (schedule or roadmap_schedule(view.roadmap)).wave_loads()
    return pd.DataFrame({"wave": list(loads), "used": list(loads.values()), "capacity": view.roadmap.settings.capacity})


def _capacity(view: RoadmapView, schedule: Schedule) -> Chart:
    used = capacity_table(view, schedule)
    waves, loads, capacity = list(used["wave"]), list(used["used"]), view.roadmap.settings.capacity
    return Chart(f"{waves}|{loads}|{capacity}", lambda: capacity_chart(waves, loads, capacity))


def _maturity(view: RoadmapView) -> Chart:
    frame = view.projection.dimensions_frame()
    return Chart(frame.to_json(), lambda: maturity_chart(frame))


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


def rerun_html(view: RoadmapView) -> str:
    """What this run's regeneration did to the roadmap file, naming every item it moved and why ('' if none ran)."""
    if view.rerun is None:
        return ""
    lines = "".join(f"<li>{escape_html(line)}</li>" for line in view.rerun.details())
    return (f"<p>This run regenerated the roadmap file: {escape_html(view.rerun.summary())}.</p>"
            + (f"<ul>{lines}</ul>" if lines else ""))


def history_table(view: RoadmapView) -> pd.DataFrame:
    """Each version of the roadmap file: a regeneration (how many items it added, closed, reopened, moved)
    or a save from the editor (by whom, and what was edited)."""
    rows = [{key: ", ".join(map(str, value)) if isinstance(value, list) else value for key, value in entry.items()}
            for entry in view.roadmap.history]
    frame = pd.DataFrame(rows)
    for column in frame.columns:  # counts stay whole numbers where an editor save has none
        values = [row.get(column) for row in rows]
        if all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in values):
            frame[column] = pd.array(values, dtype="Int64")
    return frame


def page_sections(view: RoadmapView, today: dt.date | None = None) -> dict[str, list[Chart | str]]:
    """Every chart (drawn only when asked) and table (escaped HTML) of the roadmap page, by section, from one schedule."""
    schedule = roadmap_schedule(view.roadmap)
    return {
        "gantt": [_gantt(view, schedule, today)],
        "capacity": [_capacity(view, schedule)],
        "maturity": [_maturity(view),
                     table_html(view.projection.capabilities_frame())],
        "items": [table_html(items_table(view), empty="No initiatives: every capability is at or above its target.")],
        "uncovered": [table_html(uncovered_table(view), empty="Every gap is covered.")],
        "cocreation": [table_html(votes_table(view), empty="No dot votes recorded for this unit."),
                       table_html(agreements_table(view), empty="No targets for this unit.")],
        "changes": [rerun_html(view), table_html(changes_table(view), empty="No earlier version of this roadmap file."),
                    table_html(history_table(view), empty="No history yet.")],
        "progress": [table_html(moved_table(view), percent_columns=("progress",),
                                empty="No earlier assessment given (baseline_answers), or nothing moved.")],
    }
