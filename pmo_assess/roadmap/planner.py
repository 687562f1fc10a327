"""Pick the initiatives that close a unit's gaps step by step, prioritise them and place them in waves.

Priority is a sum of parts every item carries, so "why is this first" has an answer:

* ``gap``        = weights.gap × levels between the capability's current level and its target
* ``importance`` = weights.importance × (capability weight × dimension weight) / the largest such product
* ``votes``      = weights.votes × the capability's dot votes / the most votes any capability got
* ``effort``     = weights.effort × (1 − effort / capacity per wave): smaller work scores higher
* ``unblocks``   = what it takes to reach the priority of the most urgent item waiting for it

Waves are filled in priority order (ties by id); an initiative enters a wave only once everything it
needs is done in an earlier wave. Requests that cannot be met are InputErrors, never a partial plan.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.roadmap.library import Initiative, Library
from pmo_assess.roadmap.projection import Projection, project
from pmo_assess.roadmap.state import UnitState

#: An initiative at most this large (person-days) and this long (weeks) is a quick win.
QUICK_WIN_EFFORT = 10
QUICK_WIN_WEEKS = 6


@dataclass(frozen=True)
class PriorityWeights:
    gap: float = 10.0
    importance: float = 10.0
    votes: float = 20.0
    effort: float = 10.0


#: Person-days of improvement work per wave when nobody says otherwise: about two people's
#: time over a 12-week wave, what a PMO of a mid-sized unit can usually put into its own change.
DEFAULT_CAPACITY = 120.0
DEFAULT_WAVE_WEEKS = 12.0


@dataclass(frozen=True)
class PlanOptions:
    wave_weeks: float = DEFAULT_WAVE_WEEKS
    capacity: float = DEFAULT_CAPACITY
    waves: int | None = None
    weights: PriorityWeights = field(default_factory=PriorityWeights)


@dataclass(frozen=True)
class Commitments:
    """What the PMO head already decided in the roadmap file; the planner plans around it."""

    done: frozenset[str] = frozenset()
    dropped: frozenset[str] = frozenset()
    fixed_wave: dict[str, int] = field(default_factory=dict)
    effort: dict[str, float] = field(default_factory=dict)
    custom_load: dict[int, float] = field(default_factory=dict)
    source: str = "roadmap"


@dataclass(frozen=True)
class PlannedItem:
    initiative: Initiative
    wave: int | None
    effort: float
    priority: float
    parts: dict[str, float]
    quick_win: bool
    reason: str
    needs: tuple[str, ...]
    fixed: bool = False


@dataclass(frozen=True)
class Uncovered:
    capability: str
    from_level: int | None
    reason: str

    @property
    def step(self) -> str:
        return f"{self.from_level}->{self.from_level + 1}" if self.from_level else ""


@dataclass(frozen=True)
class Plan:
    business_unit: str
    options: PlanOptions
    items: tuple[PlannedItem, ...]
    uncovered: tuple[Uncovered, ...]
    notes: tuple[str, ...]
    projection: Projection

    @property
    def scheduled(self) -> tuple[PlannedItem, ...]:
        return tuple(i for i in self.items if i.wave is not None)

    @property
    def unscheduled(self) -> tuple[PlannedItem, ...]:
        """Items that did not fit in the number of waves asked for."""
        return tuple(i for i in self.items if i.wave is None)

    @property
    def waves(self) -> int:
        return max((i.wave for i in self.scheduled), default=0)

    def wave_load(self) -> list[float]:
        """Person-days planned in each wave 1..waves (library items only)."""
        load = [0.0] * self.waves
        for item in self.scheduled:
            load[item.wave - 1] += item.effort
        return load


def _importance(state: UnitState) -> dict[str, float]:
    q = state.questionnaire
    raw = {c.id: c.weight * q.dimension(c.dimension).weight for c in q.capabilities}
    top = max(raw.values(), default=1.0)
    return {k: v / top for k, v in raw.items()}


def _needed(state: UnitState, library: Library, done: set[str], dropped: frozenset[str]
            ) -> tuple[dict[str, str], list[Uncovered], list[str]]:
    """Initiative id → reason, for every step between current and target; plus uncovered steps and notes."""
    needed: dict[str, str] = {}
    uncovered: list[Uncovered] = []
    notes: list[str] = []
    for c, capability in enumerate(state.questionnaire.capabilities):
        current, target = state.capability_level[c], state.capability_target[c]
        if np.isnan(target):
            continue
        if np.isnan(current):
            uncovered.append(Uncovered(capability.id, None, "not assessed (no counted answers), so there is "
                                       "no level to plan from"))
            continue
        if target < current:
            notes.append(f"{capability.id} is at level {int(current)}, above its target {int(target)}: nothing planned")
            continue
        blocked = ""
        for from_level in range(int(current), int(target)):
            if blocked:
                uncovered.append(Uncovered(capability.id, from_level, blocked))
                continue
            step = library.step(capability.id, from_level)
            kept = [i for i in step if i.id not in dropped]
            if not step or not kept:
                why = ("the initiative library has no initiative for this step" if not step
                       else "every initiative of this step was dropped from the roadmap")
                uncovered.append(Uncovered(capability.id, from_level, why))
                blocked = f"waits for step {from_level}->{from_level + 1}, which cannot be planned"
                continue
            for initiative in kept:
                if initiative.id not in done:
                    needed[initiative.id] = (f"closes the {capability.id} gap from level {int(current)} "
                                             f"to target {int(target)}")
    return needed, uncovered, notes


def _reached(state: UnitState, initiative: Initiative, index: dict[str, int]) -> bool | None:
    """True when the unit already stands above the step of this initiative; None if never assessed."""
    level = state.capability_level[index[initiative.capability]]
    if np.isnan(level):
        return None
    return level > initiative.from_level


def _close_over_prerequisites(state: UnitState, library: Library, needed: dict[str, str], done: set[str],
                              dropped: frozenset[str], notes: list[str]) -> dict[str, tuple[str, ...]]:
    """Pull in what needed initiatives require; returns each needed initiative's in-plan dependencies."""
    index = {c.id: i for i, c in enumerate(state.questionnaire.capabilities)}
    needs: dict[str, tuple[str, ...]] = {}
    queue = sorted(needed)
    while queue:
        iid = queue.pop(0)
        if iid in needs:
            continue
        kept = []
        for dep_id in sorted(library.dependencies(library.by_id[iid])):
            dep = library.by_id[dep_id]
            reached = _reached(state, dep, index)
            if dep_id in done or reached:
                continue
            if dep_id in dropped:
                notes.append(f"{iid} needs {dep_id}, which was dropped from the roadmap: treated as not needed")
                continue
            if reached is None:
                notes.append(f"{iid} needs {dep.capability} at level {dep.to_level}; {dep.capability} was not "
                             f"assessed, so that is assumed to be in place")
                continue
            kept.append(dep_id)
            if dep_id not in needed:
                needed[dep_id] = f"prerequisite of {iid}"
                queue.append(dep_id)
        needs[iid] = tuple(kept)
    return needs


def _check_feasible(library: Library, options: PlanOptions, commitments: Commitments,
                    efforts: dict[str, float], ids: list[str]) -> None:
    problems = []
    for iid in ids:
        initiative = library.by_id[iid]
        source = commitments.source if iid in commitments.effort else library.source
        if efforts[iid] > options.capacity:
            problems.append(InputProblem(source, iid, f"effort {efforts[iid]:g} person-days is more than the "
                                         f"capacity of {options.capacity:g} person-days per wave; raise the "
                                         f"capacity to at least {efforts[iid]:g} or split the initiative"))
        if initiative.duration > options.wave_weeks:
            problems.append(InputProblem(library.source, iid, f"takes {initiative.duration:g} weeks, longer than "
                                         f"a wave of {options.wave_weeks:g} weeks; use waves of at least "
                                         f"{initiative.duration:g} weeks"))
    load: dict[int, float] = dict(commitments.custom_load)
    for iid, wave in commitments.fixed_wave.items():
        if iid in efforts:
            load[wave] = load.get(wave, 0.0) + efforts[iid]
    for wave in sorted(load):
        if load[wave] > options.capacity:
            problems.append(InputProblem(commitments.source, f"wave {wave}", f"pinned, in-progress and custom items "
                                         f"need {load[wave]:g} person-days, more than the capacity of "
                                         f"{options.capacity:g}"))
    if problems:
        raise InputErrors(problems)


def _priorities(state: UnitState, library: Library, options: PlanOptions, votes: dict[str, int],
                efforts: dict[str, float], needs: dict[str, tuple[str, ...]]) -> dict[str, dict[str, float]]:
    weights = options.weights
    importance = _importance(state)
    top_votes = max(votes.values(), default=0)
    index = {c.id: i for i, c in enumerate(state.questionnaire.capabilities)}
    parts: dict[str, dict[str, float]] = {}
    for iid in needs:
        capability = library.by_id[iid].capability
        c = index[capability]
        gap = max(0.0, float(np.nan_to_num(state.capability_target[c] - state.capability_level[c])))
        parts[iid] = {
            "gap": round(weights.gap * gap, 2),
            "importance": round(weights.importance * importance[capability], 2),
            "votes": round(weights.votes * votes.get(capability, 0) / top_votes, 2) if top_votes else 0.0,
            "effort": round(weights.effort * (1 - efforts[iid] / options.capacity), 2),
            "unblocks": 0.0,
        }
    # An item inherits the urgency of what waits for it: walk dependents before their prerequisites.
    waiting: dict[str, set[str]] = {iid: set() for iid in needs}
    for iid, deps in needs.items():
        for dep in deps:
            waiting[dep].add(iid)
    for iid in _dependents_first(needs):
        own = sum(parts[iid].values()) - parts[iid]["unblocks"]
        inherited = max((sum(parts[w].values()) for w in waiting[iid]), default=0.0)
        parts[iid]["unblocks"] = round(max(0.0, inherited - own), 2)
    return parts


def _dependents_first(needs: dict[str, tuple[str, ...]]) -> list[str]:
    """Initiatives ordered so that everything depending on one comes before it."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(iid: str) -> None:
        if iid in seen:
            return
        seen.add(iid)
        for dep in needs[iid]:
            visit(dep)
        order.append(iid)

    for iid in sorted(needs):
        visit(iid)
    return order[::-1]


def _schedule(needs: dict[str, tuple[str, ...]], priority: dict[str, float], efforts: dict[str, float],
              options: PlanOptions, commitments: Commitments) -> dict[str, int | None]:
    """Fill waves greedily by priority; an item goes in only after its prerequisites' waves."""
    wave_of: dict[str, int | None] = {iid: w for iid, w in commitments.fixed_wave.items() if iid in needs}
    load: dict[int, float] = dict(commitments.custom_load)
    for iid, wave in wave_of.items():
        load[wave] = load.get(wave, 0.0) + efforts[iid]
    remaining = sorted((i for i in needs if i not in wave_of), key=lambda i: (-priority[i], i))
    wave = 1
    while remaining and (options.waves is None or wave <= options.waves):
        used = load.get(wave, 0.0)
        for iid in list(remaining):
            ready = all(wave_of.get(dep) is not None and wave_of[dep] < wave for dep in needs[iid])
            if ready and used + efforts[iid] <= options.capacity + 1e-9:
                wave_of[iid] = wave
                used += efforts[iid]
                remaining.remove(iid)
        load[wave] = used
        wave += 1
    for iid in remaining:
        wave_of[iid] = None
    return wave_of


def _check_fixed_order(needs: dict[str, tuple[str, ...]], wave_of: dict[str, int | None],
                       commitments: Commitments) -> None:
    problems = []
    for iid, wave in sorted(commitments.fixed_wave.items()):
        for dep in needs.get(iid, ()):
            if wave_of.get(dep) is None or wave_of[dep] >= wave:
                where = "is not planned" if wave_of.get(dep) is None else f"can only be planned in wave {wave_of[dep]}"
                problems.append(InputProblem(commitments.source, iid, f"kept in wave {wave} (pinned or in progress), "
                                             f"but its prerequisite {dep} {where}; move it to a later wave, "
                                             f"mark {dep} done, or unpin it"))
    if problems:
        raise InputErrors(problems)


def plan_unit(state: UnitState, library: Library, options: PlanOptions = PlanOptions(),
              votes: dict[str, int] | None = None, commitments: Commitments = Commitments()) -> Plan:
    """Plan one unit: the initiatives that close its gaps, prioritised, in waves, with projected maturity."""
    finite = all(math.isfinite(v) and v > 0 for v in (options.capacity, options.wave_weeks))
    if not finite or (options.waves is not None and options.waves < 1):  # nan capacity would never fill a wave
        raise InputErrors([InputProblem("planner options", "", "wave length, capacity and number of waves "
                                        "must be finite numbers greater than 0")])
    done = set(commitments.done)
    needed, uncovered, notes = _needed(state, library, done, commitments.dropped)
    needs = _close_over_prerequisites(state, library, needed, done, commitments.dropped, notes)
    efforts = {iid: commitments.effort.get(iid, library.by_id[iid].effort) for iid in needs}
    _check_feasible(library, options, commitments, efforts, sorted(needs))
    parts = _priorities(state, library, options, votes or {}, efforts, needs)
    priority = {iid: round(sum(p.values()), 2) for iid, p in parts.items()}
    wave_of = _schedule(needs, priority, efforts, options, commitments)
    _check_fixed_order(needs, wave_of, commitments)
    items = []
    for iid in needs:
        initiative = library.by_id[iid]
        items.append(PlannedItem(
            initiative=initiative, wave=wave_of[iid], effort=efforts[iid], priority=priority[iid],
            parts=parts[iid], reason=needed[iid], needs=needs[iid], fixed=iid in commitments.fixed_wave,
            quick_win=initiative.quick_win or (efforts[iid] <= QUICK_WIN_EFFORT and initiative.duration <= QUICK_WIN_WEEKS)))
    items.sort(key=lambda i: (i.wave is None, i.wave or 0, -i.priority, i.initiative.id))
    placements = {i.initiative.id: i.wave for i in items if i.wave is not None}
    placements.update({iid: 0 for iid in done})
    waves = max((i.wave for i in items if i.wave is not None), default=0)
    projection = project(state, library, placements, set(commitments.dropped), waves)
    return Plan(business_unit=state.business_unit, options=options, items=tuple(items),
                uncovered=tuple(uncovered), notes=tuple(notes), projection=projection)
