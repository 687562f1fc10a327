"""Drafted sections that come from the roadmap and the assessment rather than from a template: staffing sized
from the roadmap's effort, value propositions per stakeholder group, change actions for work not done yet,
communication, risks from the assessment (disputed and weakest capabilities, capacity, context), and the
co-creation and sign-off record."""
from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from ruamel.yaml.comments import CommentedMap

from pmo_assess.business_plan.catalogue import (HEAD, ROADMAP_ROLE_BY_DIMENSION, RUN_ROLE_BY_TYPE, STAKEHOLDERS,
                                                StakeholderGroup)
from pmo_assess.business_plan.context import PlanContext
from pmo_assess.business_plan.pmo_type import Recommendation
from pmo_assess.business_plan.roadmap_costs import RoadmapCosts
from pmo_assess.explain import explain_overall
from pmo_assess.roadmap.roadmap_file import Roadmap
from pmo_assess.scoring import Gaps, Scores

#: Coverage below this makes a capability's score a risk worth naming.
LOW_COVERAGE = 0.7
#: A gap of this many levels or more is named as a delivery risk.
AMBITIOUS_GAP = 2
#: The busiest wave above this share of the roadmap's capacity is a capacity risk.
TIGHT_CAPACITY = 0.8


def working_days(first: dt.date, last: dt.date) -> int:
    """Monday-to-Friday days from ``first`` to ``last`` inclusive."""
    return int(np.busday_count(first, last + dt.timedelta(days=1)))


def _open_items(roadmap: Roadmap | None) -> list:
    """Active roadmap items not done yet: the work still to staff, prepare people for and risk."""
    return [i for i in roadmap.active_items if i.status != "done"] if roadmap else []


def staffing(scores: Scores, roadmap: Roadmap | None, costs: RoadmapCosts | None, pmo_type: str,
             context: PlanContext | None) -> list[CommentedMap]:
    """The PMO's roles: its head, the role that runs its core service, and the roadmap's work by dimension in FTE."""
    small = context is not None and context.answers.get("size") == "small"
    rows = [CommentedMap([("role", HEAD), ("fte", 0.5 if small else 1.0),
                          ("basis", "runs the PMO as a business unit and owns this plan"
                                    + (" (part-time: the portfolio is small)" if small else "")), ("from", None)])]
    run_role, run_work = RUN_ROLE_BY_TYPE[pmo_type]
    rows.append(CommentedMap([("role", run_role), ("fte", None),
                              ("basis", f"{run_work}: size with the sponsors from the number of projects served"),
                              ("from", None)]))
    if roadmap is None or costs is None:
        return rows
    dimension_of = {c.id: c.dimension for c in scores.questionnaire.capabilities}
    dated = {i.id: i for i in costs.items}
    by_dimension: dict[str, list] = {}
    for item in _open_items(roadmap):
        if item.id in dated and dated[item.id].person_days:
            by_dimension.setdefault(dimension_of.get(item.capability, ""), []).append(dated[item.id])
    for dimension, items in by_dimension.items():
        role, work = ROADMAP_ROLE_BY_DIMENSION.get(dimension, (HEAD, "roadmap initiatives"))
        first, last = min(i.start for i in items), max(i.end for i in items)
        days, effort = max(working_days(first, last), 1), sum(i.person_days for i in items)
        fte = max(round(effort / days, 1), 0.1)
        ids = ", ".join(i.id for i in items[:5]) + (f" and {len(items) - 5} more" if len(items) > 5 else "")
        rows.append(CommentedMap([
            ("role", f"{role} (roadmap)"), ("fte", fte),
            ("basis", f"{work}: {effort:g} person-days of {len(items)} initiative{'' if len(items) == 1 else 's'} ({ids}) "
                      f"from {first.isoformat()} to {last.isoformat()}, {days} working days: "
                      f"{effort:g} ÷ {days} = {fte:g} FTE"),
            ("from", dt.date.fromordinal(first.toordinal()))]))
    return rows


def _groups(scores: Scores) -> list[StakeholderGroup]:
    """The source articles' stakeholder groups, plus any role of the questionnaire none of them covers."""
    matched = {r for g in STAKEHOLDERS for r in g.roles}
    extra = [StakeholderGroup(r.id, r.name, (r.id,), f"What {r.name} needs from the PMO: to agree with them.")
             for r in scores.questionnaire.roles if r.id not in matched]
    return list(STAKEHOLDERS) + extra


def _respondents(scores: Scores, unit: int) -> dict[str, int]:
    table = scores.respondent_table
    roles = table.loc[table["business_unit"] == scores.units[unit], "role"].tolist()
    return {r: roles.count(r) for r in dict.fromkeys(roles) if r}


def value_propositions(scores: Scores, unit: int, rows: list[tuple[Any, str, list[str]]],
                       objectives: list[CommentedMap], kpis: list[CommentedMap],
                       roadmap: Roadmap | None) -> list[CommentedMap]:
    """Per stakeholder group: its need (from the sources), the services of this plan for it, and how it is measured."""
    answered = _respondents(scores, unit)
    kpi_names = {k["id"]: str(k["name"]) for k in kpis}
    measure_by_cap = {c: o["measure"] for o in objectives for c in o["capabilities"] if o.get("measure")}
    result = []
    for group in _groups(scores):
        mine = [(t, status, caps) for t, status, caps in rows if group.id in t.customers]
        if mine:
            offer = "; ".join(f"{t.name} ({status})" for t, status, _ in mine)
            text = f"{group.need} This plan gives them: {offer}."
        else:
            text = f"{group.need} No service of this plan is aimed at them yet: agree one with them."
        measures = list(dict.fromkeys(kpi_names.get(measure_by_cap[c], "") for _, _, caps in mine for c in caps
                                      if c in measure_by_cap))
        if measures:
            text += f" They will see it in: {', '.join(m for m in measures if m)}."
        heard = sum(n for role, n in answered.items() if role in group.roles)
        if heard:
            text += f" {heard} of them answered the assessment."
        result.append(CommentedMap([("stakeholder", group.id), ("name", group.name), ("proposition", text)]))
    return result


#: Stakeholder group → (channel, cadence) of the PMO's communication with it.
CHANNELS = {"sponsors": ("steering committee", "monthly"), "finance": ("month-end finance review", "monthly"),
            "functional-managers": ("capacity review", "monthly"), "business": ("business review", "quarterly"),
            "project-managers": ("community of practice", "monthly"), "project-teams": ("PMO update", "quarterly"),
            "pmo-staff": ("PMO team meeting", "fortnightly")}


def communication(groups: list[CommentedMap], rows: list[tuple[Any, str, list[str]]]) -> list[CommentedMap]:
    """One line per stakeholder group: how the services for them perform and what comes next, where and how often."""
    lines = []
    for g in groups:
        services = [t.name for t, _, _ in rows if g["stakeholder"] in t.customers]
        message = (f"How {', '.join(services[:3])}{' and more' if len(services) > 3 else ''} perform against their "
                   "service levels, and what changes next" if services else
                   "What the PMO can do for them: agree a first service with them")
        channel, cadence = CHANNELS.get(g["stakeholder"], ("PMO update", "quarterly"))
        lines.append(CommentedMap([("audience", g["name"]), ("message", message), ("channel", channel),
                                   ("cadence", cadence), ("owner", "")]))
    return lines


def change_actions(scores: Scores, roadmap: Roadmap | None, recommendation: Recommendation,
                   rows: list[tuple[Any, str, list[str]]]) -> list[CommentedMap]:
    """Agree the plan; prepare people for each wave's work not done yet; announce each change of PMO type."""
    names = {g.id: g.name for g in STAKEHOLDERS}
    customers_of: dict[str, list[str]] = {}
    for template, _, caps in rows:
        for cap in caps:
            customers_of.setdefault(cap, []).extend(names.get(c, c) for c in template.customers)
    actions = [CommentedMap([("action", "Agree this business plan, the PMO type and its evolution with the sponsors"),
                             ("audience", "Executive sponsors"), ("when", "before wave 1"), ("owner", "")])]
    waves: dict[int, list] = {}
    for item in _open_items(roadmap):
        if item.wave is not None:
            waves.setdefault(item.wave, []).append(item)
    for wave in sorted(waves):
        items = waves[wave]
        dates = roadmap.wave_dates(wave)
        titles = "; ".join(i.title + (" (under way)" if i.status == "in-progress" else "") for i in items)
        audience = list(dict.fromkeys(c for i in items for c in customers_of.get(i.capability, [])))
        actions.append(CommentedMap([
            ("action", f"Prepare the people affected by wave {wave}: {titles}"),
            ("audience", ", ".join(audience) or "Teams affected by the changes"),
            ("when", f"wave {wave}" + (f" (from {dates[0].isoformat()})" if dates else "")), ("owner", "")]))
    steps = recommendation.evolution
    for before, step in zip(steps, steps[1:]):
        actions.append(CommentedMap([
            ("action", f"Announce the move from a {before.pmo_type} to a {step.pmo_type} PMO: which services, "
                       "controls and decisions change"),
            ("audience", "Project and programme managers, functional managers, executive sponsors"),
            ("when", step.when), ("owner", "")]))
    return actions


def _risk(risk: str, likelihood: str, impact: str, mitigation: str) -> CommentedMap:
    return CommentedMap([("risk", risk), ("likelihood", likelihood), ("impact", impact),
                         ("mitigation", mitigation), ("owner", "")])


def _disputed(scores: Scores, unit: int, roadmap: Roadmap | None) -> list[CommentedMap]:
    """A risk per disputed capability: who scored it low and high, the spread, whether roadmap work depends on it."""
    q = scores.questionnaire
    table = scores.respondent_table
    mask = (table["business_unit"] == scores.units[unit]).to_numpy()
    roles = table["role"].to_numpy()[mask]
    found = []
    for c, cap in enumerate(q.capabilities):
        if not scores.disputed[unit, c]:
            continue
        values = scores.respondent_capability[mask, c]
        low, high = int(np.nanargmin(values)), int(np.nanargmax(values))
        spread = float(scores.spread[unit, c])
        work = [i.id for i in _open_items(roadmap) if i.capability == cap.id]
        found.append(_risk(
            f"Respondents disagree on {cap.name.lower()}: scores range from {values[low]:.2f} ({roles[low] or 'no role'}) "
            f"to {values[high]:.2f} ({roles[high] or 'no role'}), a spread of {spread:.2f} against the dispute range "
            f"{q.scoring.dispute_range:g}" + (f"; initiatives {', '.join(work)} may lack buy-in" if work else ""),
            "high" if spread >= q.scoring.dispute_range + 1 else "medium", "high" if work else "medium",
            "Discuss the evidence for each view with both groups before the first initiative starts; re-score it"))
    return found


def _weakest(scores: Scores, unit: int) -> list[CommentedMap]:
    """The lowest-scoring capability: everything built on it waits for it."""
    q = scores.questionnaire
    row = scores.capability_score[unit]
    if np.all(np.isnan(row)):
        return []
    c = int(np.nanargmin(row))
    cap = q.capabilities[c]
    level = int(scores.capability_level[unit, c])
    dimension = q.dimensions.index(next(d for d in q.dimensions if d.id == cap.dimension))
    caps_it = int(scores.dimension_capped_by[unit, dimension]) == c
    return [_risk(f"{cap.name} is the weakest capability (score {row[c]:.2f}, level {level})"
                  + (f" and holds the {q.dimensions[dimension].name.lower()} level back" if caps_it else "")
                  + ": the initiatives that build on it wait for it to rise",
                  "high" if level == 1 else "medium", "high" if caps_it else "medium",
                  f"Start the first {cap.name.lower()} initiative in wave 1 and check its outcome before building on it")]


def _capacity(roadmap: Roadmap | None, costs: RoadmapCosts | None) -> list[CommentedMap]:
    """The busiest wave against the roadmap's capacity per wave: people are also needed to run the PMO."""
    if roadmap is None or costs is None or not costs.waves:
        return []
    busiest = max((w for w in costs.waves if w.wave), key=lambda w: w.person_days, default=None)
    capacity = roadmap.settings.capacity
    if busiest is None or not capacity:
        return []
    share = busiest.person_days / capacity
    likelihood = "high" if share > 1 else "medium" if share >= TIGHT_CAPACITY else "low"
    return [_risk(f"Capacity: wave {busiest.wave} needs {busiest.person_days:g} person-days of the {capacity:g} the "
                  f"roadmap allows per wave ({share:.0%}), on top of running the PMO's services",
                  likelihood, "high" if share > 1 else "medium",
                  "Agree the roadmap roles' FTE (staffing) with the functional managers before the wave starts; "
                  "move unpinned initiatives to a later wave if they cannot be released")]


def _context(recommendation: Recommendation, context: PlanContext | None) -> list[CommentedMap]:
    """Risks the context and the type chosen for it carry (the sources: a PMO seen as the police is resisted)."""
    if context is None:
        return []
    found = []
    culture = context.answers.get("culture")
    if recommendation.pmo_type == "controlling" and culture in ("collaborative", "entrepreneurial"):
        found.append(_risk(f"A controlling PMO in a {culture} culture is seen as the police: teams work around "
                           "its gates and reports", "high", "high",
                           "Keep every control light and explain what each one is for; show the move to "
                           f"{recommendation.aim} in the plan's evolution"))
    expected = {"oversight": "controlling", "support": "supportive", "delivery": "directive", "strategy": "strategic"}
    wanted = expected.get(context.answers.get("sponsor_expectation", ""))
    if wanted and wanted != recommendation.pmo_type:
        found.append(_risk(f"The sponsors expect a {wanted} PMO first; the plan starts as {recommendation.pmo_type}",
                           "medium", "high", "Walk the sponsors through the PMO-type rule and the evolution by wave "
                                             "before sign-off"))
    return found


def risks(scores: Scores, gaps: Gaps | None, unit: int, roadmap: Roadmap | None, costs: RoadmapCosts | None,
          recommendation: Recommendation, context: PlanContext | None) -> list[CommentedMap]:
    """Risks the assessment, roadmap and context show, each rated from its own numbers."""
    q = scores.questionnaire
    found = _disputed(scores, unit, roadmap) + _weakest(scores, unit) + _capacity(roadmap, costs)
    found += _context(recommendation, context)
    for c, cap in enumerate(q.capabilities):
        gap = gaps.capability_gap[unit, c] if gaps is not None else 0
        if gap == gap and gap >= AMBITIOUS_GAP:
            found.append(_risk(f"{cap.name} must rise {int(gap)} levels: each step needs the one before it to stick",
                               "high" if gap >= 3 else "medium", "medium",
                               "Track the first step's outcome before starting the next; re-assess on time"))
        coverage = scores.coverage[unit, c]
        if coverage == coverage and coverage < LOW_COVERAGE:
            found.append(_risk(f"Only {coverage:.0%} of the {cap.name.lower()} questions were answered: its level "
                               "may be wrong", "high" if coverage < 0.5 else "medium", "low",
                               "Complete the missing answers at the next re-assessment"))
    for entry in roadmap.uncovered if roadmap else ():
        found.append(_risk(f"No initiative closes {entry.get('capability')} step {entry.get('step')}: "
                           f"{entry.get('reason', 'not covered by the roadmap')}", "high", "medium",
                           "Add an initiative of your own to the roadmap or agree a lower target"))
    capper = int(scores.overall_capped_by[unit])
    if capper >= 0:
        dim = q.dimensions[capper]
        found.append(_risk(f"{dim.name} holds the overall level back: {explain_overall(scores, unit)}", "high", "high",
                           f"Schedule the {dim.name.lower()} initiatives in the first waves"))
    return found


def co_creation(scores: Scores, unit: int, context: PlanContext | None) -> list[CommentedMap]:
    """Who shaped the plan so far: the assessment's respondent groups and whoever answered the context."""
    names = {r.id: r.name for r in scores.questionnaire.roles}
    groups = ", ".join(f"{names.get(r, r)} ({n})" for r, n in _respondents(scores, unit).items())
    rows = [CommentedMap([("who", groups or "the assessment's respondents"),
                          ("contribution", "answered the maturity assessment this plan is drafted from"),
                          ("on", None)])]
    if context is not None and context.answered_by:
        rows.append(CommentedMap([("who", context.answered_by),
                                  ("contribution", "answered the plan context (strategy, culture, sponsors' "
                                                   "expectation, size)"),
                                  ("on", dt.date.fromordinal(context.answered_on.toordinal())
                                   if context.answered_on else None)]))
    return rows


def sign_off(scores: Scores) -> list[CommentedMap]:
    """One pending sign-off per accountable group: the sponsors, and finance (it funds the plan)."""
    names = {r.id: r.name for r in scores.questionnaire.roles}
    return [CommentedMap([("name", ""), ("role", role), ("decision", "pending"), ("on", None), ("note", "")])
            for role in (names.get("sponsor", "Executive sponsor"), "Finance")]
