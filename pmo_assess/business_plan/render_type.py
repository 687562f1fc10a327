"""The plan's "PMO type" section: the recommendation's reason, and the whole rule written out (points of the
context answers, the paths, the minimum maturity of each type and whether the assessment meets it, the
evolution by wave), so a reader can check the recommendation without the code."""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from pmo_assess.business_plan.context import BUNDLED, ContextQuestionnaire, load_context_questionnaire
from pmo_assess.business_plan.pmo_type import (DEFAULT_AIM, GATES, PATHS, PMO_TYPES, UnitSignals, gate_met,
                                               gate_text, path_text)

if TYPE_CHECKING:
    from pmo_assess.business_plan.facts import Facts
    from pmo_assess.business_plan.plan_file import BusinessPlan
    from pmo_assess.business_plan.render import Section

RULE = ("The rule, the same for every plan: (1) aim — each context answer gives points to PMO types (first table); "
        "the type with the most points is where the PMO heads; a tie goes to the type the sponsors' expectation "
        f"favours, then to the first of {', '.join(PMO_TYPES)}; with no answers the aim is {DEFAULT_AIM}. "
        "(2) start — the PMO starts as the furthest type on the path to its aim whose minimum maturity the "
        "assessment meets (second table). (3) evolution — it moves to the next type on the path after the first "
        "roadmap wave whose projected levels meet that type's minimum.")


@lru_cache(maxsize=1)
def _bundled() -> ContextQuestionnaire | None:
    return load_context_questionnaire(BUNDLED) if BUNDLED.exists() else None


def _points_rows(plan: BusinessPlan, questions: ContextQuestionnaire | None) -> list[tuple]:
    if questions is None:
        return []
    rows, totals = [], {t: 0 for t in PMO_TYPES}
    for question in questions.questions:
        option = question.option(plan.context.answers.get(question.id, ""))
        if option is None:
            rows.append((question.label, "not answered", *("" for _ in PMO_TYPES)))
            continue
        for t in PMO_TYPES:
            totals[t] += option.points.get(t, 0)
        rows.append((question.label, option.text or option.id, *(option.points.get(t, 0) for t in PMO_TYPES)))
    return rows + [("total", "", *(totals[t] for t in PMO_TYPES))]


def _met(pmo_type: str, facts: Facts | None) -> str:
    if facts is None or (facts.overall is None and not facts.dimensions):
        return ""
    return "yes" if gate_met(pmo_type, UnitSignals(facts.overall, dict(facts.dimensions))) else "no"


def pmo_type_section(plan: BusinessPlan, facts: Facts | None) -> Section:
    """The reason, the rule, and its three tables: context points, each type's minimum maturity, the evolution."""
    from pmo_assess.business_plan.render import Section, Table

    choice = plan.pmo_type
    paragraphs = [choice.reason] if choice.reason else []
    if choice.aim:
        paragraphs.append(f"Path to the aim: {path_text(choice.aim)}.")
    paragraphs += [RULE, "Paths: " + "; ".join(path_text(aim) for aim in PATHS) + "."]
    if plan.context.answered_by or plan.context.answered_on:
        on = f" on {plan.context.answered_on.isoformat()}" if plan.context.answered_on else ""
        paragraphs.append(f"Context answered by {plan.context.answered_by or 'the PMO head'}{on}.")
    points = _points_rows(plan, _bundled())
    tables = [Table(("context question", "answer", *PMO_TYPES), tuple(points))] if points else []
    tables.append(Table(("type", "minimum maturity", "why", "met today"),
                        tuple((t, gate_text(t), GATES[t][1], _met(t, facts)) for t in PMO_TYPES)))
    if choice.chosen and choice.recommended and choice.chosen != choice.recommended:
        paragraphs.append(f"You chose a {choice.chosen} PMO (the rule recommends {choice.recommended}): the evolution "
                          f"below starts from your choice.")
    if choice.evolution:
        tables.append(Table(("step", "type", "when"), tuple((n, step.pmo_type, step.when)
                                                            for n, step in enumerate(choice.evolution, start=1))))
    return Section("PMO type and how it was chosen", tuple(paragraphs), tuple(tables))
