"""Planning: initiative library → prioritised waves → the unit's hand-editable roadmap.yaml.

The stable API other parts build on (the business plan reads roadmaps through it):

* :func:`load_library` (``Library`` of ``Initiative`` and ``Kpi``),
* :func:`load_roadmap` (``Roadmap`` of ``RoadmapItem``: id, title, capability, from_level, to_level,
  wave, effort, duration, kpis, prerequisites, owner, start, end, status, pinned, notes, priority,
  why, quick_win, origin/custom, reason; ``Roadmap.active_items``, ``.waves()``, ``.wave_dates(w)``),
* :func:`plan_unit` and :func:`write_roadmap`.
"""
from pmo_assess.roadmap.library import Initiative, Kpi, Library, load_library
from pmo_assess.roadmap.planner import Commitments, Plan, PlanOptions, PlannedItem, PriorityWeights, plan_unit
from pmo_assess.roadmap.roadmap_file import (
    Roadmap,
    RoadmapItem,
    RoadmapSettings,
    commitments_from,
    load_roadmap,
    write_roadmap,
)
from pmo_assess.roadmap.state import UnitState, unit_state

__all__ = [
    "Commitments", "Initiative", "Kpi", "Library", "Plan", "PlanOptions", "PlannedItem", "PriorityWeights",
    "Roadmap", "RoadmapItem", "RoadmapSettings", "UnitState", "commitments_from", "load_library",
    "load_roadmap", "plan_unit", "unit_state", "write_roadmap",
]
