"""Planning: initiative library → prioritised, week-scheduled initiatives → the unit's hand-editable roadmap.yaml.

The stable API other parts build on (the business plan reads roadmaps through it):

* :func:`load_library` (``Library`` of ``Initiative`` and ``Kpi``),
* :func:`load_roadmap` (``Roadmap`` of ``RoadmapItem``: id, title, capability, from_level, to_level,
  wave, effort, duration, kpis, prerequisites, owner, start, end, status, pinned, notes, priority,
  why, quick_win, origin/custom, reason; ``Roadmap.active_items``, ``.waves()``, ``.wave_dates(w)``),
* :func:`plan_unit` and :func:`write_roadmap`,
* :func:`schedule` (weeks, capacity, commitments) and :func:`check_roadmap` (every check of a hand-edited file).
"""
from pmo_assess.roadmap.checks import check_item_field, check_roadmap, roadmap_schedule, wave_loads
from pmo_assess.roadmap.library import Initiative, Kpi, Library, load_library
from pmo_assess.roadmap.planner import (
    Commitments,
    Fixed,
    OwnItem,
    Plan,
    PlanOptions,
    PlannedItem,
    PriorityWeights,
    plan_unit,
)
from pmo_assess.roadmap.roadmap_file import (
    Roadmap,
    RoadmapItem,
    RoadmapSettings,
    commitments_from,
    load_roadmap,
    write_roadmap,
)
from pmo_assess.roadmap.scheduler import Calendar, Schedule, Task, schedule
from pmo_assess.roadmap.state import UnitState, unit_state

__all__ = [
    "Calendar", "Commitments", "Fixed", "Initiative", "Kpi", "Library", "OwnItem", "Plan", "PlanOptions", "PlannedItem",
    "PriorityWeights", "Roadmap", "RoadmapItem", "RoadmapSettings", "Schedule", "Task", "UnitState",
    "check_item_field", "check_roadmap", "commitments_from", "load_library", "load_roadmap", "plan_unit",
    "roadmap_schedule", "schedule", "unit_state", "wave_loads", "write_roadmap",
]
