"""The week scheduler: capacity, prerequisites, commitments, quick wins, limits (properties and cases)."""
from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmo_assess.errors import InputErrors
from pmo_assess.roadmap.scheduler import Calendar, Task, check_calendar, schedule

pytestmark = pytest.mark.timeout(60)

START = dt.date(2027, 1, 4)


def test_waves_are_reporting_windows_and_dates_follow_the_weeks():
    calendar = Calendar(wave_weeks=12, capacity=120, starts_on=START)
    tasks = [Task("A", effort=25, weeks=4), Task("B", effort=20, weeks=4, prerequisites=("A",)),
             Task("C", effort=35, weeks=6, prerequisites=("B",))]
    result = schedule(tasks, calendar)
    a, b, c = (result.slots[t] for t in "ABC")
    # each starts the week after what it needs ends, not at the next wave boundary
    assert (a.start_week, b.start_week, c.start_week) == (0, 4, 8)
    assert (a.wave, b.wave, c.wave, c.end_wave) == (1, 1, 1, 2)
    assert (b.start, b.end) == (dt.date(2027, 2, 1), dt.date(2027, 2, 28))  # Monday to Sunday
    assert b.bound == "prerequisite:A" and a.bound == "start"
    assert result.wave_loads() == {1: pytest.approx(25 + 20 + 35 * 4 / 6), 2: pytest.approx(35 * 2 / 6)}


def test_a_quick_win_goes_before_bigger_work_of_higher_priority_only_when_pulled_forward():
    calendar = Calendar(wave_weeks=12, capacity=12)  # 1 person-day a week
    tasks = [Task("BIG", effort=12, weeks=12, priority=90), Task("QUICK", effort=3, weeks=3, priority=10, quick_win=True)]
    result = schedule(tasks, calendar)
    assert result.slots["QUICK"].start_week == 0 and result.slots["BIG"].start_week == 3


def test_heavy_free_work_is_stretched_and_fixed_work_is_flagged_not_moved():
    calendar = Calendar(wave_weeks=10, capacity=10, starts_on=START)  # 1 a week
    result = schedule([Task("H", effort=6, weeks=2), Task("F", effort=4, weeks=2, fixed_start=0, why_fixed="pinned")],
                      calendar)
    assert result.slots["H"].weeks == 6 and result.slots["H"].stretched and result.slots["H"].start_week == 2
    assert result.slots["F"].start_week == 0 and result.slots["F"].weeks == 2
    assert [(c.item, c.kind) for c in result.conflicts] == [("F", "capacity")]
    assert result.conflicts[0].message.startswith("pinned: over capacity: weeks from 2027-01-04 need 2 person-days")


def test_cycle_is_an_input_problem():
    with pytest.raises(InputErrors, match="prerequisite cycle: A -> B -> A"):
        schedule([Task("A", 1, 1, ("B",)), Task("B", 1, 1, ("A",))], Calendar(12, 120))


@pytest.mark.parametrize("task, calendar", [
    (Task("P", 10, 4, fixed_wave=100_000_000), Calendar(12, 120, START)),
    (Task("P", 10, 4, fixed_start=10_000_000), Calendar(12, 120, START)),
    (Task("P", 10, 4, fixed_wave=150), Calendar(12, 120, dt.date(2190, 1, 1))),
    (Task("P", 10_000, 4), Calendar(12, 0.01, START)),
])
def test_absurd_placements_are_refused_at_once(task, calendar):
    began = time.perf_counter()
    with pytest.raises(InputErrors) as caught:
        schedule([task], calendar)
    assert time.perf_counter() - began < 2
    assert "P: would run to week" in caught.value.render() and "limits of a roadmap" in caught.value.render()


def test_calendar_limits_name_the_key():
    problems = check_calendar(Calendar(wave_weeks=1e9, capacity=float("nan"), starts_on=dt.date(9999, 12, 27), waves=0))
    assert [p.place for p in problems] == ["wave_weeks", "capacity", "waves", "starts_on"]
    assert "at most 104" in problems[0].message and "from 1900-01-01 to 2199-12-31" in problems[3].message


# --- properties --------------------------------------------------------------------------------------

@st.composite
def task_sets(draw):
    """Up to 14 tasks; prerequisites only point back (acyclic); some fixed by dates or wave."""
    count = draw(st.integers(1, 14))
    tasks = []
    for k in range(count):
        earlier = [f"T{j}" for j in range(k)]
        needs = tuple(draw(st.lists(st.sampled_from(earlier), max_size=3, unique=True))) if earlier else ()
        fixed = draw(st.sampled_from(["free"] * 5 + ["start", "wave", "both"]))
        weeks = draw(st.integers(1, 10))
        start = draw(st.integers(0, 40))
        tasks.append(Task(
            id=f"T{k}", effort=float(draw(st.integers(0, 40))), weeks=weeks, prerequisites=needs,
            priority=float(draw(st.integers(0, 5))), quick_win=draw(st.booleans()),
            fixed_start=start if fixed in ("start", "both") else None,
            fixed_end=start + weeks - 1 if fixed == "both" else None,
            fixed_wave=draw(st.integers(1, 4)) if fixed == "wave" else None, why_fixed="" if fixed == "free" else "pinned"))
    return tasks


def _needs_closure(tasks: dict[str, Task], tid: str) -> set[str]:
    out, stack = set(), list(tasks[tid].prerequisites)
    while stack:
        p = stack.pop()
        if p not in out:
            out.add(p)
            stack.extend(tasks[p].prerequisites)
    return out


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tasks=task_sets(), capacity=st.integers(12, 60), wave_weeks=st.sampled_from([4, 6, 12, 12.5]))
def test_schedule_properties(tasks, capacity, wave_weeks):
    calendar = Calendar(wave_weeks=wave_weeks, capacity=capacity, starts_on=START)
    result = schedule(tasks, calendar)
    by_id = {t.id: t for t in tasks}
    slots = result.slots
    assert set(slots) == set(by_id)  # no wave limit: everything is placed
    # deterministic, whatever order the tasks come in
    again = schedule(list(reversed(tasks)), calendar)
    assert {k: (s.start_week, s.weeks) for k, s in again.slots.items()} == {k: (s.start_week, s.weeks) for k, s in slots.items()}
    # the load is what the slots say
    load = np.zeros(max(s.end_week for s in slots.values()) + 1)
    for s in slots.values():
        load[max(s.start_week, 0):s.end_week + 1] += by_id[s.id].effort / s.weeks
    assert np.allclose(load, result.weekly_load[:len(load)]) and not result.weekly_load[len(load):].any()
    # never over the weekly capacity, except in weeks of fixed work that is flagged for it
    flagged = {c.item for c in result.conflicts if c.kind == "capacity"}
    for week in np.flatnonzero(load > calendar.weekly_capacity + 1e-6):
        assert any(slots[f].start_week <= week <= slots[f].end_week for f in flagged), week
    for tid, task in by_id.items():
        slot = slots[tid]
        # commitments are never moved: dates exactly, a wave by its window
        if task.fixed_start is not None:
            assert slot.start_week == task.fixed_start and slot.fixed
        if task.fixed_end is not None:
            assert slot.end_week == task.fixed_end
        if task.fixed_wave is not None and task.fixed_start is None and task.fixed_end is None:
            assert slot.wave == task.fixed_wave
        # never before a prerequisite ends; a commitment that cannot keep that is a reported conflict
        for p in task.prerequisites:
            if slots[p].end_week >= slot.start_week:
                assert task.fixed, (tid, p)
                assert any(c.item == tid and c.kind == "prerequisite" and p in c.message for c in result.conflicts)
        if not task.fixed:
            assert task.effort / slot.weeks <= calendar.weekly_capacity + 1e-9
    # quick wins first: a free quick win that was ready by the time a free non-quick task of equal or lower
    # priority started (and does not need it, directly or not) starts no later than it
    pulled = set().union(*(_needs_closure(by_id, q) for q, t in by_id.items() if t.quick_win and not t.fixed))
    for q, quick in by_id.items():
        if not quick.quick_win or quick.fixed:
            continue
        ready = max((slots[p].end_week + 1 for p in quick.prerequisites), default=0)
        for n, other in by_id.items():
            if other.quick_win or other.fixed or n in pulled or other.priority > quick.priority:
                continue
            if n in _needs_closure(by_id, q):
                continue
            if ready <= slots[n].start_week:
                assert slots[q].start_week <= slots[n].start_week, (q, n)
