"""The planner: which initiatives, what priority and why, which wave, what maturity after each wave."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA
from pmo_assess.errors import InputErrors
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.roadmap.library import Initiative, Library, load_library
from pmo_assess.roadmap.planner import Commitments, Fixed, OwnItem, PlanOptions, plan_unit
from pmo_assess.roadmap.state import UnitState

MINI = load_questionnaire(DATA / "mini.yaml")
LIBRARY = load_library(DATA / "planning" / "mini-library.yaml", MINI)
NAN = np.nan


def state(levels, targets, scores=None) -> UnitState:
    """Mini-questionnaire state; capabilities in order talent, leadership, benefits, measures."""
    levels = np.array(levels, dtype=float)
    scores = np.array(scores, dtype=float) if scores is not None else levels
    return UnitState(MINI, "Unit", scores, levels, np.array(targets, dtype=float),
                     np.array([NAN, NAN]), np.array([3.0, 3.0]))


BASE = state([1, 2, 1, 3], [3, 4, 3, 2], scores=[1.5, 2.0, 1.2, 2.6])


def waves_of(plan) -> dict[str, int | None]:
    return {i.initiative.id: i.wave for i in plan.items}


def weeks_of(plan) -> dict[str, tuple[int, int]]:
    """Each item's first week (0-based) and length in weeks."""
    return {i.initiative.id: (i.slot.start_week, i.slot.weeks) for i in plan.items if i.slot}


def test_hand_computed_plan_with_votes():
    plan = plan_unit(BASE, LIBRARY, PlanOptions(capacity=40), votes={"benefits": 5, "talent": 2})
    # 40 person-days per 12-week wave = 3.33 a week. Quick wins first: BEN-1b (5 over 3 weeks = 1.67/week)
    # from week 0; BEN-1a (2.5/week) does not fit beside it, so from week 3; TAL-1 (2/week) not beside
    # BEN-1a, so from week 7. BEN-2 (1.875/week) needs both BEN-1 items (done after week 6) but not beside
    # TAL-1: week 11, still wave 1. TAL-2 after TAL-1 and BEN-2's weeks, LEA-2 after TAL-2, then LEA-3
    # right after LEA-2 ends (week 33, wave 3), not at the next wave boundary.
    assert weeks_of(plan) == {"BEN-1b": (0, 3), "BEN-1a": (3, 4), "TAL-1": (7, 4), "BEN-2": (11, 8),
                              "TAL-2": (19, 8), "LEA-2": (27, 6), "LEA-3": (33, 10)}
    assert waves_of(plan) == {"BEN-1b": 1, "BEN-1a": 1, "TAL-1": 1, "BEN-2": 1, "TAL-2": 2, "LEA-2": 3, "LEA-3": 3}
    first = plan.items[0]
    # gap 2 levels × 10; benefits weight 1 × governance weight 3 is the largest product → 10;
    # most votes → 20; effort 5 of 40 → 10 × (1 − 5/40) = 8.75
    assert first.initiative.id == "BEN-1b"
    assert first.parts == {"gap": 20.0, "importance": 10.0, "votes": 20.0, "effort": 8.75, "unblocks": 0.0}
    assert first.priority == 58.75
    # talent: weight 1 × people 1 = 1 of 3 → 3.33; 2 votes of 5 → 8
    talent = next(i for i in plan.items if i.initiative.id == "TAL-1")
    assert talent.parts["importance"] == 3.33 and talent.parts["votes"] == 8.0
    # person-days falling in each wave's 12 weeks (work spread evenly over its weeks)
    assert plan.wave_load() == [24.875, 25.625, 27.0, 17.5] and sum(plan.wave_load()) == 95
    assert plan.notes == ("measures is at level 3, above its target 2: nothing planned",)
    assert plan.uncovered == ()
    assert first.quick_win and not next(i for i in plan.items if i.initiative.id == "BEN-2").quick_win
    assert next(i for i in plan.items if i.initiative.id == "LEA-3").needs == ("LEA-2",)


def test_votes_reorder_equal_work():
    # talent and benefits both need their 1->2 step; with capacity for one of them, the votes decide.
    only_one = PlanOptions(capacity=10)
    levels, targets = [1, 2, 1, 3], [2, 2, 2, 3]
    by_benefits = plan_unit(state(levels, targets), LIBRARY, only_one, votes={"benefits": 3})
    by_talent = plan_unit(state(levels, targets), LIBRARY, only_one, votes={"talent": 3})
    assert by_benefits.items[0].initiative.id.startswith("BEN")
    assert by_talent.items[0].initiative.id == "TAL-1" and by_talent.items[0].wave == 1


def test_prerequisite_of_another_capability_is_pulled_in_and_explained():
    # talent 3 -> 4 needs leadership at 3; leadership is at 2 with no gap of its own.
    plan = plan_unit(state([3, 2, 4, 4], [4, 2, 4, 4]), LIBRARY, PlanOptions(capacity=40))
    # TAL-3 starts the week after LEA-2 ends (6 weeks), inside wave 1: no wait for the wave boundary
    assert weeks_of(plan) == {"LEA-2": (0, 6), "TAL-3": (6, 12)}
    assert waves_of(plan) == {"LEA-2": 1, "TAL-3": 1} and plan.items[1].slot.bound == "prerequisite:LEA-2"
    lea2 = plan.items[0]
    assert lea2.reason == "prerequisite of TAL-3"
    assert lea2.parts["gap"] == 0.0
    # it inherits the urgency of what waits for it
    assert lea2.priority == plan.items[1].priority and lea2.parts["unblocks"] > 0


def test_uncovered_steps_and_unassessed_capabilities_are_reported():
    holes = Library(id="x", version="1", questionnaire="mini", kpis=(), source="holes.yaml",
                    initiatives=tuple(i for i in LIBRARY.initiatives if i.id != "MEA-2"))
    plan = plan_unit(state([4, NAN, 4, 1], [4, 3, 4, 4]), holes, PlanOptions(capacity=40))
    assert [(u.capability, u.step, u.reason) for u in plan.uncovered] == [
        ("leadership", "", "not assessed (no counted answers), so there is no level to plan from"),
        ("measures", "2->3", "the initiative library has no initiative for this step"),
        ("measures", "3->4", "waits for step 2->3, which cannot be planned"),
    ]
    assert waves_of(plan) == {"MEA-1": 1}


def test_work_heavier_than_the_weekly_capacity_is_stretched_and_named():
    # 12 person-days per 12-week wave is 1 a week: TAL-2 (20 over 8 weeks) takes 20 weeks instead
    plan = plan_unit(BASE, LIBRARY, PlanOptions(capacity=12))
    assert weeks_of(plan)["TAL-2"][1] == 20 and weeks_of(plan)["LEA-3"][1] == 25
    assert "TAL-2 takes 20 weeks instead of 8: 20 person-days at the weekly capacity of 1" in plan.notes
    assert not any(n.startswith("BEN-1a takes 4") for n in plan.notes)
    assert all(load <= 12 + 1e-9 for load in plan.wave_load())


def test_initiative_longer_than_a_wave_runs_into_the_next():
    plan = plan_unit(BASE, LIBRARY, PlanOptions(capacity=40, wave_weeks=8))
    lea3 = next(i for i in plan.items if i.initiative.id == "LEA-3")
    assert lea3.slot.weeks == 10 and lea3.slot.end_wave == lea3.wave + 1


def test_wave_limit_lists_what_does_not_fit():
    plan = plan_unit(BASE, LIBRARY, PlanOptions(capacity=40, waves=2))
    # without votes, LEA-2 starts in week 19 (wave 2); LEA-3 (week 25) and TAL-2 (week 35) would start in wave 3
    assert {i.initiative.id for i in plan.unscheduled} == {"TAL-2", "LEA-3"}
    assert plan.waves == 2


def test_commitments_done_dropped_pinned():
    # the PMO head's own item takes 30 of wave 1's 40 person-days (2.5 of 3.33 a week, all 12 weeks)
    commitments = Commitments(done=frozenset({"BEN-1a"}), dropped=frozenset({"BEN-1b"}),
                              fixed={"LEA-2": Fixed(wave=3), "own": Fixed(wave=1, why="wave set by hand")},
                              own=(OwnItem("own", effort=30, duration=12),))
    plan = plan_unit(BASE, LIBRARY, PlanOptions(capacity=40), commitments=commitments)
    waves = waves_of(plan)
    assert "BEN-1a" not in waves and "BEN-1b" not in waves
    assert waves["LEA-2"] == 3  # pinned, although wave 2 had room
    assert plan.schedule.slots["own"].start_week == 0 and plan.schedule.slots["own"].weeks == 12
    # beside 2.5 a week, only 0.83 is left: TAL-1 (2 a week) and BEN-2 wait for week 12
    assert weeks_of(plan)["TAL-1"] == (12, 4)
    assert plan.wave_load()[0] == 30.0
    bem2 = next(i for i in plan.items if i.initiative.id == "BEN-2")
    assert bem2.needs == ()  # its step-1 prerequisites are done or dropped
    assert bem2.wave == 2  # ready at once, but 15 days no longer fit beside the own item


def test_pinned_before_its_prerequisite_is_an_error():
    # TAL-2 is fixed to start on the first day; its prerequisite TAL-1 (4 weeks) cannot end before that
    fixed = Commitments(fixed={"TAL-2": Fixed(start=dt.date(2027, 1, 4))})
    with pytest.raises(InputErrors, match=r"TAL-2: kept in wave 1 \(pinned\), but it starts 2027-01-04 \(wave 1\) "
                                          r"before its prerequisite TAL-1 ends 2027-05-16 \(wave 2\)"):
        plan_unit(BASE, LIBRARY, PlanOptions(capacity=40, starts_on=dt.date(2027, 1, 4)), commitments=fixed)


def test_pinned_to_a_wave_starts_there_after_its_prerequisite():
    plan = plan_unit(BASE, LIBRARY, PlanOptions(capacity=40), commitments=Commitments(fixed={"TAL-2": Fixed(wave=1)}))
    # TAL-1 (a quick win) goes first; TAL-2 starts inside wave 1, but only after TAL-1 has ended
    tal1, tal2 = plan.schedule.slots["TAL-1"], plan.schedule.slots["TAL-2"]
    assert tal2.wave == 1 and tal2.start_week > tal1.end_week


def test_pinned_over_capacity_is_a_warning_not_a_move():
    wave2 = dt.date(2027, 3, 29)  # both fixed to start on the first day of wave 2
    commitments = Commitments(fixed={"TAL-2": Fixed(start=wave2), "own": Fixed(start=wave2, why="dates set by hand")},
                              own=(OwnItem("own", effort=30, duration=12),))
    plan = plan_unit(BASE, LIBRARY, PlanOptions(capacity=40, starts_on=dt.date(2027, 1, 4)), commitments=commitments)
    assert plan.schedule.slots["TAL-2"].start == wave2 and plan.schedule.slots["own"].start == wave2
    # 2.5 a week for the own item + 2.5 for TAL-2 (20 over 8 weeks) > 3.33 a week
    assert any(w.startswith("TAL-2: pinned: over capacity: weeks from 2027-03-29 need 5 person-days a week") for w in plan.warnings)
    assert any(w.startswith("own: dates set by hand: over capacity: weeks from 2027-03-29 need 5") for w in plan.warnings)


def test_projection_per_wave():
    plan = plan_unit(BASE, LIBRARY, PlanOptions(capacity=40), votes={"benefits": 5, "talent": 2})
    # a step counts after the wave its last initiative ENDS in: TAL-1 ends week 10 (wave 1), TAL-2 week
    # 26 (wave 3), LEA-2 week 32 (wave 3), LEA-3 week 42 (wave 4), BEN-1a/b by week 6, BEN-2 week 18 (wave 2)
    levels = plan.projection.capability_level
    assert levels[:, 0].tolist() == [1, 2, 2, 3, 3]  # talent
    assert levels[:, 1].tolist() == [2, 2, 2, 3, 4]  # leadership
    assert levels[:, 2].tolist() == [1, 2, 3, 3, 3]  # benefits
    # a raised capability lands at the bottom of its new level: benefits 1.2 -> 1.75 -> 2.5
    assert plan.projection.capability_score[:, 2].tolist() == [1.2, 1.75, 2.5, 2.5, 2.5]
    assert plan.projection.dimension_level[-1].tolist() == [3, 3]


# --- properties --------------------------------------------------------------------------------------

CAPS = [c.id for c in MINI.capabilities]


@st.composite
def random_library(draw) -> Library:
    """1-2 initiatives per step; prerequisites only point to earlier steps, so the library is acyclic."""
    initiatives: list[Initiative] = []
    for from_level in (1, 2, 3):
        for capability in CAPS:
            for n in range(draw(st.integers(1, 2))):
                earlier = [i.id for i in initiatives]
                requires = draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True)) if earlier else []
                levels = draw(st.dictionaries(st.sampled_from(CAPS), st.integers(2, max(2, from_level)), max_size=1))
                if from_level == 1:
                    levels = {}
                levels = {c: lv for c, lv in levels.items() if c != capability}
                initiatives.append(Initiative(
                    id=f"{capability[:3].upper()}-{from_level}{'ab'[n]}", capability=capability, from_level=from_level,
                    title="t", description="d", effort=draw(st.integers(1, 30)), duration=draw(st.integers(1, 12)),
                    outcome="o", requires_initiatives=tuple(requires), requires_capabilities=tuple(sorted(levels.items()))))
    return Library(id="random", version="1", questionnaire="mini", kpis=(), initiatives=tuple(initiatives))


levels_st = st.lists(st.one_of(st.just(NAN), st.integers(1, 4).map(float)), min_size=4, max_size=4)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(library=random_library(), levels=levels_st, targets=levels_st,
       votes=st.dictionaries(st.sampled_from(CAPS), st.integers(0, 9)),
       capacity=st.integers(30, 90), waves=st.one_of(st.none(), st.integers(1, 5)))
def test_plan_properties(library, levels, targets, votes, capacity, waves):
    unit = state(levels, targets)
    options = PlanOptions(capacity=capacity, wave_weeks=12, waves=waves)
    plan = plan_unit(unit, library, options, votes)

    wave_of = {i.initiative.id: i.wave for i in plan.items}
    # deterministic
    again = plan_unit(unit, library, options, dict(reversed(list(votes.items()))))
    assert [(i.initiative.id, i.wave, i.priority) for i in again.items] == \
           [(i.initiative.id, i.wave, i.priority) for i in plan.items]
    # never over the weekly capacity (so no 12-week wave over its capacity either)
    assert (plan.schedule.weekly_load <= capacity / 12 + 1e-9).all()
    assert all(load <= capacity + 1e-6 for load in plan.wave_load())
    if waves is not None:
        assert plan.waves <= waves
    index = {c: k for k, c in enumerate(CAPS)}
    for item in plan.scheduled:
        initiative = item.initiative
        # every prerequisite (explicit, level order, capability level) not yet reached comes in an earlier wave
        for dep_id in library.dependencies(initiative):
            dep = library.by_id[dep_id]
            current = unit.capability_level[index[dep.capability]]
            if np.isnan(current) or current > dep.from_level:
                continue
            assert wave_of.get(dep_id) is not None, (initiative.id, dep_id)
            assert plan.schedule.slots[dep_id].end_week < item.slot.start_week, (initiative.id, dep_id)
    # every gap is covered by a planned step or reported as uncovered
    uncovered = {(u.capability, u.from_level) for u in plan.uncovered}
    for c, capability in enumerate(CAPS):
        current, target = unit.capability_level[c], unit.capability_target[c]
        if np.isnan(target) or (not np.isnan(current) and target <= current):
            continue
        if np.isnan(current):
            assert (capability, None) in uncovered
            continue
        for step in range(int(current), int(target)):
            planned = all(i.id in wave_of for i in library.step(capability, step))
            assert planned or (capability, step) in uncovered, (capability, step)
    # when every initiative is scheduled, the projection reaches every covered target
    if not plan.unscheduled and not plan.uncovered:
        final = plan.projection.capability_level[-1]
        for c in range(len(CAPS)):
            if not np.isnan(unit.capability_target[c]) and not np.isnan(unit.capability_level[c]):
                assert final[c] >= unit.capability_target[c]


@pytest.mark.parametrize("options", [PlanOptions(capacity=float("nan")), PlanOptions(wave_weeks=float("inf"))])
def test_non_finite_options_are_refused_not_planned_forever(options):
    with pytest.raises(InputErrors) as caught:
        plan_unit(BASE, LIBRARY, options)
    assert "greater than 0 and at most" in caught.value.render()
