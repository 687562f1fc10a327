"""Resource-constrained scheduling in weeks; waves are reporting windows over the schedule.

Each task has an effort (person-days) spread evenly over its duration (whole weeks) as a weekly
load; the weekly capacity is the capacity per wave divided by the wave length. Serial schedule
generation:

1. Tasks fixed by dates (hand-set start/end, or pinned/in progress with dates) take exactly those
   weeks; their load is reserved first, even beyond the capacity (flagged as a capacity conflict).
2. Tasks fixed to a wave reserve the earliest week of that wave's window where they fit; once all
   their prerequisites are placed they are placed again inside the same window, after those end.
3. Free tasks go in order: quick wins and what they need first, then by priority (high first) and
   id; each starts at the earliest week when all its prerequisites have finished and the weekly
   capacity holds for its whole duration. A later, non-quick task never starts in the weeks a
   quick win of equal or higher priority was ready but waiting. A free task heavier than the weekly
   capacity is stretched to ``ceil(effort / weekly capacity)`` weeks.

Limits (declared in :mod:`pmo_assess.io.limits`; checked, never hit): at most :data:`MAX_WAVES` waves of
at most :data:`MAX_WAVE_WEEKS` weeks, dates between :data:`MIN_DATE` and :data:`MAX_DATE`; a schedule that would run past them is
refused naming the task.
"""
from __future__ import annotations

import datetime as dt
import heapq
import math
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.limits import MAX_CAPACITY, MAX_DATE, MAX_WAVE_WEEKS, MAX_WAVES, MIN_DATE

EPS = 1e-9


@dataclass(frozen=True)
class Calendar:
    """Waves of ``wave_weeks`` weeks from ``starts_on`` (a date, or None for week numbers only)."""

    wave_weeks: float
    capacity: float
    starts_on: dt.date | None = None
    waves: int | None = None

    @property
    def weekly_capacity(self) -> float:
        return self.capacity / self.wave_weeks

    def wave_of_week(self, week: int) -> int:
        """The wave whose window holds ``week`` (0-based); weeks before the start count as wave 1."""
        return max(1, math.floor(week / self.wave_weeks + EPS) + 1)

    def wave_window(self, wave: int) -> tuple[int, int]:
        """First and last week (0-based, inclusive) of a wave."""
        first = math.ceil((wave - 1) * self.wave_weeks - EPS)
        return first, max(first, math.ceil(wave * self.wave_weeks - EPS) - 1)

    def week_start(self, week: int) -> dt.date | None:
        return None if self.starts_on is None else self.starts_on + dt.timedelta(days=7 * week)

    def week_end(self, week: int) -> dt.date | None:
        """Last day (the 7th) of a week."""
        return None if self.starts_on is None else self.starts_on + dt.timedelta(days=7 * week + 6)

    def week_of(self, date: dt.date) -> int:
        """The schedule week a date falls in (negative before the start)."""
        return (date - self.starts_on).days // 7

    def last_week(self) -> int:
        """The last week a schedule may use: wave MAX_WAVES, and never past MAX_DATE."""
        last = self.wave_window(MAX_WAVES)[1]
        if self.starts_on is not None:
            last = min(last, (MAX_DATE - self.starts_on).days // 7 - 1)
        return last


def check_calendar(calendar: Calendar, source: str = "roadmap settings") -> list[InputProblem]:
    """Problems with wave length, capacity, number of waves and start date (each naming its key)."""
    problems = []

    def bad(key: str, message: str) -> None:
        problems.append(InputProblem(source, key, message))

    finite = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)  # noqa: E731
    if not finite(calendar.wave_weeks) or not 0 < calendar.wave_weeks <= MAX_WAVE_WEEKS:
        bad("wave_weeks", f"must be a number of weeks greater than 0 and at most {MAX_WAVE_WEEKS}, "
                          f"got {calendar.wave_weeks!r}")
    if not finite(calendar.capacity) or not 0 < calendar.capacity <= MAX_CAPACITY:
        bad("capacity", f"must be a number of person-days greater than 0 and at most {MAX_CAPACITY:,.0f}, "
                        f"got {calendar.capacity!r}")
    if calendar.waves is not None and (not isinstance(calendar.waves, int) or not 1 <= calendar.waves <= MAX_WAVES):
        bad("waves", f"must be a whole number from 1 to {MAX_WAVES}, got {calendar.waves!r}")
    if calendar.starts_on is not None and not MIN_DATE <= calendar.starts_on <= MAX_DATE - dt.timedelta(days=366):
        bad("starts_on", f"must be a date from {MIN_DATE} to {MAX_DATE.year - 1}-12-31, got {calendar.starts_on}")
    return problems


@dataclass(frozen=True)
class Task:
    """One thing to schedule. ``fixed_*`` are commitments (weeks, 0-based); ``why_fixed`` says whose."""

    id: str
    effort: float
    weeks: int
    prerequisites: tuple[str, ...] = ()
    priority: float = 0.0
    quick_win: bool = False
    fixed_start: int | None = None
    fixed_end: int | None = None
    fixed_wave: int | None = None
    why_fixed: str = ""

    @property
    def fixed(self) -> bool:
        return self.fixed_start is not None or self.fixed_end is not None or self.fixed_wave is not None


@dataclass(frozen=True)
class Slot:
    """Where a task landed. ``bound`` says what decided its start: ``fixed``, ``start`` (nothing to
    wait for), ``prerequisite:<id>``, ``capacity`` or ``quick-win:<id>``."""

    id: str
    start_week: int
    weeks: int
    wave: int
    end_wave: int
    start: dt.date | None
    end: dt.date | None
    fixed: bool
    bound: str
    stretched: bool = False

    @property
    def end_week(self) -> int:
        return self.start_week + self.weeks - 1


@dataclass(frozen=True)
class Conflict:
    """A commitment the schedule cannot honour as it stands: ``prerequisite`` or ``capacity``."""

    item: str
    kind: str
    message: str


@dataclass(frozen=True)
class Schedule:
    calendar: Calendar
    slots: dict[str, Slot]
    unscheduled: tuple[str, ...]
    conflicts: tuple[Conflict, ...]
    weekly_load: np.ndarray = field(repr=False)

    @property
    def waves(self) -> int:
        """The last wave any task starts in (0 when nothing is scheduled)."""
        return max((s.wave for s in self.slots.values()), default=0)

    def wave_loads(self) -> dict[int, float]:
        """Person-days of work falling in each wave's window, waves 1..last wave any task touches."""
        last = max((s.end_wave for s in self.slots.values()), default=0)
        loads = {}
        for wave in range(1, last + 1):
            first, end = self.calendar.wave_window(wave)
            loads[wave] = round(float(self.weekly_load[first:end + 1].sum()), 6)
        return loads


class _Load:
    """Weekly load from week 0, growing as tasks are placed."""

    def __init__(self, capacity: float):
        self.capacity = capacity
        self.weeks = np.zeros(64)

    def _grow(self, size: int) -> None:
        if size > len(self.weeks):
            self.weeks = np.concatenate([self.weeks, np.zeros(max(size, 2 * len(self.weeks)) - len(self.weeks))])

    def add(self, start: int, weeks: int, amount: float) -> None:
        first, stop = max(start, 0), start + weeks
        if stop > first:
            self._grow(stop)
            self.weeks[first:stop] += amount

    def used(self) -> int:
        nonzero = np.flatnonzero(self.weeks > EPS)
        return int(nonzero[-1]) + 1 if len(nonzero) else 0

    def earliest(self, release: int, weeks: int, amount: float, latest: int | None = None,
                 blocked: list[tuple[int, int]] = ()) -> int | None:
        """First start >= release (<= latest) where the load stays within capacity for ``weeks``."""
        release = max(release, 0)
        horizon = max(release, self.used(), max((b for _, b in blocked), default=0)) + weeks + 1
        if latest is not None:
            horizon = min(horizon, latest + weeks + 1)
        self._grow(horizon)
        over = self.weeks[:horizon] + amount > self.capacity + EPS
        total = np.concatenate([[0], np.cumsum(over)])
        starts = np.arange(release, horizon - weeks + 1 if latest is None else min(horizon - weeks, latest) + 1)
        if len(starts) == 0:
            return None
        fits = total[starts + weeks] - total[starts] == 0
        for first, stop in blocked:
            fits &= ~((starts >= first) & (starts < stop))
        found = np.flatnonzero(fits)
        return int(starts[found[0]]) if len(found) else None


def _cycle_problem(pending: Iterable[str], tasks: dict[str, Task]) -> InputErrors:
    from pmo_assess.roadmap.library import find_cycle

    left = set(pending)
    cycle = find_cycle({t: [p for p in tasks[t].prerequisites if p in left] for t in sorted(left)})
    return InputErrors([InputProblem("roadmap", cycle[0] if cycle else sorted(left)[0], "prerequisite cycle: "
                                     + " -> ".join(cycle + cycle[:1]))])


def _pulled_forward(tasks: dict[str, Task]) -> set[str]:
    """Free quick wins and every free task they (transitively, also through fixed ones) need: scheduled first."""
    forward: set[str] = set()
    seen: set[str] = set()
    stack = [t.id for t in tasks.values() if t.quick_win and not t.fixed]
    while stack:
        tid = stack.pop()
        if tid in seen:
            continue
        seen.add(tid)
        if not tasks[tid].fixed:
            forward.add(tid)
        stack.extend(p for p in tasks[tid].prerequisites if p in tasks)
    return forward


def _feeds(tasks: dict[str, Task], committed: set[str]) -> dict[str, set[str]]:
    """For each task, the wave-committed tasks that (transitively) need it."""
    feeds: dict[str, set[str]] = {}
    for c in committed:
        stack = list(tasks[c].prerequisites)
        while stack:
            p = stack.pop()
            if p in tasks and c not in feeds.setdefault(p, set()):
                feeds[p].add(c)
                stack.extend(tasks[p].prerequisites)
    return feeds


class _Scheduler:
    """One run of serial schedule generation; each phase of the module docstring is a method."""

    def __init__(self, tasks: dict[str, Task], calendar: Calendar):
        self.tasks, self.calendar = tasks, calendar
        self.weekly = calendar.weekly_capacity
        self.load = _Load(self.weekly)
        self.last_week = calendar.last_week()
        self.starts: dict[str, int] = {}
        self.lengths: dict[str, int] = {}
        self.bounds: dict[str, str] = {}
        self.stretched: set[str] = set()
        self.unscheduled: list[str] = []
        self.tentative: dict[str, int] = {}
        self.final: set[str] = set()
        self.quick: list[tuple[float, int, int, str]] = []  # (priority, ready week, start week, id) of free quick wins

    def refuse_past_limit(self, task: Task, start: int, weeks: int) -> None:
        if start + weeks - 1 > self.last_week:
            raise InputErrors([InputProblem("roadmap", task.id, f"would run to week {start + weeks} of the schedule, "
                                            f"past wave {MAX_WAVES} or {MAX_DATE} (the limits of a roadmap); raise "
                                            "the capacity, shorten the work or correct its dates")])

    def length(self, task: Task) -> int:
        """Its weeks, stretched when its weekly share would be more than the weekly capacity."""
        weeks = max(1, int(task.weeks))
        if task.effort / weeks > self.weekly + EPS:
            need = math.ceil(task.effort / self.weekly - EPS)
            if need > weeks:
                self.stretched.add(task.id)
                weeks = need
        return weeks

    def put(self, tid: str, start: int, weeks: int, bound: str) -> None:
        self.starts[tid], self.lengths[tid], self.bounds[tid] = start, weeks, bound
        self.load.add(start, weeks, self.tasks[tid].effort / weeks)

    def place_dated(self) -> None:
        """Phase 1: tasks fixed by dates take exactly their weeks."""
        for task in self.tasks.values():
            if task.fixed_start is None and task.fixed_end is None:
                continue
            if task.fixed_start is not None and task.fixed_end is not None:
                start, weeks = task.fixed_start, max(1, task.fixed_end - task.fixed_start + 1)
            elif task.fixed_start is not None:
                start, weeks = task.fixed_start, max(1, int(task.weeks))
            else:
                weeks = self.length(task)
                start = task.fixed_end - weeks + 1
            self.refuse_past_limit(task, start, weeks)
            self.put(task.id, start, weeks, "fixed")
            self.final.add(task.id)

    def reserve_waves(self) -> None:
        """Phase 2: tasks fixed to a wave reserve the earliest room in its window, until they are placed for good."""
        committed = (t for t in self.tasks.values() if t.id not in self.starts and t.fixed_wave is not None)
        for task in sorted(committed, key=lambda t: (-t.priority, t.id)):
            first, last = self.calendar.wave_window(task.fixed_wave)
            weeks = self.length(task)
            self.refuse_past_limit(task, first, weeks)
            at = self.load.earliest(first, weeks, task.effort / weeks, latest=last)
            self.tentative[task.id] = first if at is None else at
            self.lengths[task.id] = weeks
            self.load.add(self.tentative[task.id], weeks, task.effort / weeks)

    def place_in_wave(self, task: Task, release: int) -> None:
        """A wave-committed task, for good: inside its window, after its prerequisites, over capacity if it must."""
        first, last = self.calendar.wave_window(task.fixed_wave)
        weeks = self.lengths[task.id]
        self.load.add(self.tentative[task.id], weeks, -task.effort / weeks)
        at = self.load.earliest(max(first, release), weeks, task.effort / weeks, latest=last)
        self.put(task.id, at if at is not None else min(max(first, release), last), weeks, "fixed")

    def place_free(self, task: Task, release: int, ends: dict[str, int], pulled: bool, feeds: set[str]) -> None:
        """Phase 3 for a free task: the earliest week it fits, never inside a ready quick win's wait."""
        weeks = self.length(task)
        self.refuse_past_limit(task, release, weeks)  # before searching: an absurd length must not allocate
        amount = task.effort / weeks
        blocked = [] if pulled else [(r, s, q) for p, r, s, q in self.quick if p >= task.priority and r < s]
        # what a committed task needs goes before it, not after its still tentative reservation
        making_room = [f for f in feeds if f not in self.final]
        for f in making_room:
            self.load.add(self.tentative[f], self.lengths[f], -self.tasks[f].effort / self.lengths[f])
        start = self.load.earliest(release, weeks, amount, blocked=[(r, s) for r, s, _ in blocked])
        free = self.load.earliest(release, weeks, amount)
        for f in making_room:
            self.load.add(self.tentative[f], self.lengths[f], self.tasks[f].effort / self.lengths[f])
        self.refuse_past_limit(task, start, weeks)
        if self.calendar.waves is not None and self.calendar.wave_of_week(start) > self.calendar.waves:
            self.unscheduled.append(task.id)
            return
        if start == release:
            bound = f"prerequisite:{max(ends, key=lambda p: (ends[p], p))}" if ends and release else "start"
        elif free is not None and free < start:
            bound = "quick-win:" + next(q for r, s, q in blocked if r <= free < s)
        else:
            bound = "capacity"
        self.put(task.id, start, weeks, bound)
        if task.quick_win:
            self.quick.append((task.priority, release, start, task.id))

    def place_rest(self) -> None:
        """Phase 3: serial schedule generation, each task once all it needs is placed, in rank order."""
        tasks = self.tasks
        forward = _pulled_forward(tasks)
        feeds = _feeds(tasks, set(self.tentative))
        waiting = {tid: {p for p in t.prerequisites if p in tasks and p != tid and p not in self.starts}
                   for tid, t in tasks.items() if tid not in self.starts}
        dependents: dict[str, list[str]] = {}
        for tid, needs in waiting.items():
            for p in needs:
                dependents.setdefault(p, []).append(tid)

        def rank(tid: str) -> tuple[int, float, str]:
            tier = 0 if tasks[tid].fixed_wave is not None else 1 if tid in forward else 2
            return (tier, -tasks[tid].priority, tid)

        ready = [rank(tid) for tid, needs in waiting.items() if not needs]
        heapq.heapify(ready)
        while ready:
            tid = heapq.heappop(ready)[2]
            task = tasks[tid]
            prerequisites = [p for p in task.prerequisites if p in tasks and p != tid]
            ends = {p: self.starts[p] + self.lengths[p] for p in prerequisites if p in self.starts}
            release = max(ends.values(), default=0)
            if task.fixed_wave is not None:
                self.place_in_wave(task, release)
            elif any(p in self.unscheduled for p in prerequisites):
                self.unscheduled.append(tid)
            else:
                self.place_free(task, release, ends, tid in forward, feeds.get(tid, set()))
            self.final.add(tid)
            for dependent in dependents.get(tid, ()):
                waiting[dependent].discard(tid)
                if not waiting[dependent]:
                    heapq.heappush(ready, rank(dependent))
        pending = [tid for tid in waiting if tid not in self.final]
        if pending:
            raise _cycle_problem(pending, tasks)

    def result(self) -> Schedule:
        calendar, slots = self.calendar, {}
        for tid in self.tasks:
            if tid not in self.starts:
                continue
            start, weeks = self.starts[tid], self.lengths[tid]
            slots[tid] = Slot(id=tid, start_week=start, weeks=weeks, wave=calendar.wave_of_week(start),
                              end_wave=calendar.wave_of_week(start + weeks - 1), start=calendar.week_start(start),
                              end=calendar.week_end(start + weeks - 1), fixed=self.tasks[tid].fixed,
                              bound=self.bounds[tid], stretched=tid in self.stretched)
        conflicts = _conflicts(self.tasks, slots, set(self.unscheduled), self.load.weeks, calendar)
        return Schedule(calendar=calendar, slots=slots, unscheduled=tuple(self.unscheduled),
                        conflicts=tuple(conflicts), weekly_load=self.load.weeks.copy())


def schedule(tasks: Iterable[Task], calendar: Calendar) -> Schedule:
    """Place every task in weeks (see the module docstring); prerequisites not among the tasks count as done."""
    run = _Scheduler({t.id: t for t in tasks}, calendar)
    run.place_dated()
    run.reserve_waves()
    run.place_rest()
    return run.result()


def _when(calendar: Calendar, week: int, end: bool = False) -> str:
    date = calendar.week_end(week) if end else calendar.week_start(week)
    return str(date) if date is not None else f"week {week + 1}"


def _conflicts(tasks: dict[str, Task], slots: dict[str, Slot], unscheduled: set[str], weekly: np.ndarray,
               calendar: Calendar) -> list[Conflict]:
    """Commitments that start before a prerequisite ends, and fixed work over the weekly capacity."""
    conflicts = []
    for tid, slot in slots.items():
        for p in tasks[tid].prerequisites:
            if p == tid:
                continue
            if p in unscheduled:
                conflicts.append(Conflict(tid, "prerequisite", f"its prerequisite {p} is not scheduled within "
                                                               f"the {calendar.waves} waves"))
            elif p in slots and slots[p].end_week >= slot.start_week:
                conflicts.append(Conflict(tid, "prerequisite", f"starts {_when(calendar, slot.start_week)} (wave "
                                          f"{slot.wave}) before its prerequisite {p} ends "
                                          f"{_when(calendar, slots[p].end_week, True)} (wave {slots[p].end_wave})"))
    over = np.flatnonzero(weekly > calendar.weekly_capacity + 1e-6)
    if len(over):
        for tid, slot in slots.items():
            if not slot.fixed:
                continue
            mine = over[(over >= slot.start_week) & (over <= slot.end_week)]
            if len(mine):
                worst = float(weekly[mine].max())
                why = f"{tasks[tid].why_fixed}: " if tasks[tid].why_fixed else ""
                conflicts.append(Conflict(tid, "capacity", f"{why}over capacity: weeks from "
                                          f"{_when(calendar, int(mine[0]))} need {worst:.3g} person-days a week, more "
                                          f"than the weekly capacity of {calendar.weekly_capacity:.3g} "
                                          f"({calendar.capacity:g} per wave of {calendar.wave_weeks:g} weeks)"))
    return conflicts
