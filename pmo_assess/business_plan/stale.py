"""Texts of the plan that quote levels the assessment no longer shows ("level 3 overall today").

Drafted texts name levels; after a new assessment, an edited text keeps its old numbers. Each such
claim is named on every run until the text is refreshed or rewritten, so it never goes unseen.
"""
from __future__ import annotations

import re

from pmo_assess.business_plan.facts import Change, Facts
from pmo_assess.business_plan.plan_file import BusinessPlan

_OVERALL = re.compile(r"\blevel (\d)(?: \([a-z ]+\))? overall\b", re.IGNORECASE)
_OBJECTIVE_ID = re.compile(r"^(OBJ-\d+):")
_STEP = re.compile(r"\bfrom level (\d)(?: \([a-z ]+\))? to level (\d)\b", re.IGNORECASE)


def stale_texts(plan: BusinessPlan, facts: Facts) -> list[Change]:
    """One change per text whose quoted level differs from today's (overall in purpose and mandate, objectives' steps)."""
    changes = []
    for key, text in (("purpose", plan.purpose), ("mandate", plan.mandate)):
        for found in _OVERALL.finditer(text):
            if facts.overall is not None and int(found.group(1)) != facts.overall:
                changes.append(Change("text", f"{key} says '{found.group(0)}', the assessment now says level "
                                              f"{facts.overall} overall"))
    for objective in plan.objectives:
        found = _STEP.search(objective.objective)
        if len(objective.capabilities) != 1 or not (found or objective.levels):
            continue
        capability = objective.capabilities[0]
        now, target = facts.capabilities.get(capability), facts.targets.get(capability)
        if found:  # a plan@1 objective quotes its step in its text
            said, (low, high) = f"says '{found.group(0)}'", (int(found.group(1)), int(found.group(2)))
        else:
            low, high = objective.levels
            said = f"rides on {capability} {low}→{high}"
        if now is not None and low != now:
            changes.append(Change("text", f"objective {objective.id} {said}, {capability} is at "
                                          f"level {now} now" + (f" (target {target})" if target else "")))
        elif target is not None and high != target:
            changes.append(Change("text", f"objective {objective.id} {said}, the target of "
                                          f"{capability} is {target} now"))
    ids = {o.id for o in plan.objectives}
    for line in plan.benefits:
        found = _OBJECTIVE_ID.match(line.item)
        if found and found.group(1) not in ids and _STEP.search(line.item):
            changes.append(Change("text", f"benefit '{line.item[:60]}' is for objective {found.group(1)}, which "
                                          "the plan no longer has"))
    return changes
