"""Pick the initiatives that close a unit's gaps step by step, prioritise them and schedule them in weeks.

Priority is a sum of parts every item carries, so "why is this first" has an answer:

* ``gap``        = weights.gap × levels between the capability's current level and its target
* ``importance`` = weights.importance × (capability weight × dimension weight) / the largest such product
* ``votes``      = weights.votes × the capability's dot votes / the most votes any capability got
* ``effort``     = weights.effort × (1 − effort / capacity per wave): smaller work scores higher
* ``unblocks``   = what it takes to reach the priority of the most urgent item waiting for it

The items are then scheduled in weeks by :mod:`pmo_assess.roadmap.scheduler` (quick wins first,
each as soon as what it needs has finished and the weekly capacity allows), around what the PMO
head fixed in the roadmap file (:class:`Commitments`); the wave of an item is the reporting window
its start falls in. Requests that cannot be met are InputErrors, never a partial plan.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.roadmap.library import Initiative, Library
from pmo_assess.roadmap.projection import Projection, project
from pmo_assess.roadmap.scheduler import Calendar, Schedule, Slot, Task, check_calendar, schedule
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
    starts_on: dt.date | None = None

    @property
    def calendar(self) -> Calendar:
        return Calendar(wave_weeks=self.wave_weeks, capacity=self.capacity, starts_on=self.starts_on, waves=self.waves)


@dataclass(frozen=True)
class Fixed:
    """A commitment on one item: the wave and/or dates it keeps, and why (pinned, in progress, set by hand)."""

    wave: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    why: str = "pinned"


@dataclass(frozen=True)
class OwnItem:
    """Work in the roadmap file the planner does not choose but schedules with the rest: the PMO head's
    own items, and work in progress whose gap has closed."""

    id: str
    effort: float
    duration: float | None = None
    prerequisites: tuple[str, ...] = ()
    priority: float = 0.0
    quick_win: bool = False


@dataclass(frozen=True)
class Commitments:
    """What the PMO head already decided in the roadmap file; the planner plans around it."""

    done: frozenset[str] = frozenset()
    dropped: frozenset[str] = frozenset()
    fixed: dict[str, Fixed] = field(default_factory=dict)
    effort: dict[str, float] = field(default_factory=dict)
    duration: dict[str, float] = field(default_factory=dict)
    own: tuple[OwnItem, ...] = ()
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
    slot: Slot | None = None

    @property
    def start(self) -> dt.date | None:
        return self.slot.start if self.slot else None

    @property
    def end(self) -> dt.date | None:
        return self.slot.end if self.slot else None


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
    schedule: Schedule | None = None
    warnings: tuple[str, ...] = ()

    @property
    def scheduled(self) -> tuple[PlannedItem, ...]:
        return tuple(i for i in self.items if i.wave is not None)

    @property
    def unscheduled(self) -> tuple[PlannedItem, ...]:
        """Items that did not fit in the number of waves asked for."""
        return tuple(i for i in self.items if i.wave is None)

    @property
    def waves(self) -> int:
        """The last wave any work (the library's or the PMO head's own) starts in."""
        return self.schedule.waves if self.schedule else max((i.wave for i in self.scheduled), default=0)

    def wave_load(self) -> list[float]:
        """Person-days of work falling in each wave 1..last (spread over its weeks; own items included)."""
        return list(self.schedule.wave_loads().values()) if self.schedule else []


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




def _task(iid: str, effort: float, duration: float | None, needs: tuple[str, ...], priority: float, quick_win: bool,
          fixed: Fixed | None, calendar: Calendar, source: str) -> Task:
    """A scheduler task; a commitment's dates become weeks of the schedule."""
    weeks = max(1, int(np.ceil((duration or calendar.wave_weeks) - 1e-9)))
    start = end = wave = None
    why = ""
    if fixed is not None:
        why = fixed.why
        if (fixed.start or fixed.end) and calendar.starts_on is None:
            raise InputErrors([InputProblem(source, iid, "has dates, but the roadmap has no settings.starts_on to "
                                            "place them against")])
        start = calendar.week_of(fixed.start) if fixed.start else None
        end = calendar.week_of(fixed.end) if fixed.end else None
        wave = fixed.wave if start is None and end is None else None
    return Task(id=iid, effort=float(effort), weeks=weeks, prerequisites=needs, priority=priority, quick_win=quick_win,
                fixed_start=start, fixed_end=end, fixed_wave=wave, why_fixed=why)


def is_quick_win(flagged: bool, effort: float, duration: float | None) -> bool:
    """Flagged so in the library, or small and short enough to be one."""
    return flagged or (effort <= QUICK_WIN_EFFORT and (duration or 0) <= QUICK_WIN_WEEKS)


def _conflict_problems(plan_schedule: Schedule, commitments: Commitments) -> list[InputProblem]:
    """A commitment that starts before what it needs ends cannot be kept: say which and what to do."""
    problems = []
    for conflict in plan_schedule.conflicts:
        if conflict.kind != "prerequisite":
            continue
        fixed = commitments.fixed.get(conflict.item)
        slot = plan_schedule.slots[conflict.item]
        kept = f"kept in wave {slot.wave} ({fixed.why})" if fixed else f"planned in wave {slot.wave}"
        problems.append(InputProblem(commitments.source, conflict.item, f"{kept}, but it {conflict.message}; move "
                                     "it later, mark the prerequisite done, or release it (unpin, clear its "
                                     "hand-set wave or dates)"))
    return problems


def plan_unit(state: UnitState, library: Library, options: PlanOptions = PlanOptions(),
              votes: dict[str, int] | None = None, commitments: Commitments = Commitments()) -> Plan:
    """Plan one unit: the initiatives that close its gaps, prioritised, scheduled in weeks, with projected maturity."""
    calendar = options.calendar
    problems = check_calendar(calendar, "planner options")
    if problems:
        raise InputErrors(problems)
    done = set(commitments.done)
    needed, uncovered, notes = _needed(state, library, done, commitments.dropped)
    needs = _close_over_prerequisites(state, library, needed, done, commitments.dropped, notes)
    efforts = {iid: commitments.effort.get(iid, library.by_id[iid].effort) for iid in needs}
    durations = {iid: commitments.duration.get(iid, library.by_id[iid].duration) for iid in needs}
    parts = _priorities(state, library, options, votes or {}, efforts, needs)
    priority = {iid: round(sum(p.values()), 2) for iid, p in parts.items()}
    quick = {iid: is_quick_win(library.by_id[iid].quick_win, efforts[iid], durations[iid]) for iid in needs}
    tasks = [_task(iid, efforts[iid], durations[iid], needs[iid], priority[iid], quick[iid],
                   commitments.fixed.get(iid), calendar, commitments.source) for iid in sorted(needs)]
    own = [o for o in commitments.own if o.id not in needs]
    known = set(needs) | {o.id for o in own}
    tasks += [_task(o.id, o.effort, o.duration, tuple(p for p in o.prerequisites if p in known), o.priority,
                    o.quick_win, commitments.fixed.get(o.id), calendar, commitments.source) for o in own]
    planned = schedule(tasks, calendar)
    problems = _conflict_problems(planned, commitments)
    if problems:
        raise InputErrors(problems)
    warnings = tuple(f"{c.item}: {c.message}" for c in planned.conflicts if c.kind == "capacity")
    for iid in sorted(needs):
        slot = planned.slots.get(iid)
        if slot is not None and slot.stretched:
            notes.append(f"{iid} takes {slot.weeks} weeks instead of {durations[iid]:g}: {efforts[iid]:g} person-days "
                         f"at the weekly capacity of {calendar.weekly_capacity:.3g}")
    items = []
    for iid in needs:
        slot = planned.slots.get(iid)
        items.append(PlannedItem(
            initiative=library.by_id[iid], wave=slot.wave if slot else None, effort=efforts[iid],
            priority=priority[iid], parts=parts[iid], reason=needed[iid], needs=needs[iid],
            fixed=iid in commitments.fixed, quick_win=quick[iid], slot=slot))
    items.sort(key=lambda i: (i.wave is None, i.slot.start_week if i.slot else 0, -i.priority, i.initiative.id))
    placements = {i.initiative.id: i.slot.end_wave for i in items if i.slot is not None}
    placements.update({iid: 0 for iid in done})
    projection = project(state, library, placements, set(commitments.dropped), max(placements.values(), default=0))
    return Plan(business_unit=state.business_unit, options=options, items=tuple(items), uncovered=tuple(uncovered),
                notes=tuple(notes), projection=projection, schedule=planned, warnings=warnings)
