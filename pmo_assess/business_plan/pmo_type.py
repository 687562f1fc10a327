"""Recommend a PMO type (controlling, supportive, directive) from a unit's assessment, with the reason.

The rule is a short ordered list: the first rule whose condition holds decides, and the reason
quotes the levels it looked at, so a PMO head can see why and overrule it in plan.yaml.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from pmo_assess.scoring import Gaps, Scores

PMO_TYPES = ("controlling", "supportive", "directive")

#: What each type means, quoted in the plan next to the recommendation.
TYPE_MEANING = {
    "controlling": "sets standards and checks compliance: common methods, stage gates, benefits "
                   "and performance reporting the PMO reviews",
    "supportive": "serves the projects: templates, coaching, training, tools and shared lessons, "
                  "with little formal control",
    "directive": "steers projects directly: the PMO assigns and manages project managers and "
                 "decides priorities with the sponsors",
}


@dataclass(frozen=True)
class UnitSignals:
    """The levels the rule looks at for one unit (None when the questionnaire has no such part)."""

    governance: int | None
    process: int | None
    people: int | None
    strategic_alignment_gap: int | None
    pmo_mandate: int | None


@dataclass(frozen=True)
class PmoTypeRule:
    pmo_type: str
    condition: str
    applies: Callable[[UnitSignals], bool]


def _at_most(value: int | None, level: int) -> bool:
    return value is not None and value <= level


def _at_least(value: int | None, level: int) -> bool:
    return value is not None and value >= level


#: Evaluated in order; the first that applies decides.
RULES: tuple[PmoTypeRule, ...] = (
    PmoTypeRule("directive", "strategic alignment is 2 or more levels below target and the PMO mandate "
                "is at level 3 or above (a strong alignment need, and the authority to act on it)",
                lambda s: _at_least(s.strategic_alignment_gap, 2) and _at_least(s.pmo_mandate, 3)),
    PmoTypeRule("controlling", "governance and process are both at level 2 or below (weak governance "
                "and low delivery discipline: standards and compliance come first)",
                lambda s: _at_most(s.governance, 2) and _at_most(s.process, 2)),
    PmoTypeRule("controlling", "governance is at level 1 (ad hoc: no benefits tracking, measures or mandate "
                "to support yet, so the PMO must first set them and see them applied)",
                lambda s: _at_most(s.governance, 1)),
    PmoTypeRule("supportive", "process is at level 3 or above but people is at level 2 or below "
                "(mature delivery, weak capability development: coaching and training pay most)",
                lambda s: _at_least(s.process, 3) and _at_most(s.people, 2)),
)
FALLBACK = PmoTypeRule("supportive", "no rule above applies (no sign that control must come first, and no "
                       "pressing alignment need: a service-oriented PMO earns its influence by being useful)", lambda s: True)


def _level(values: list[str], array_row: np.ndarray, ident: str) -> int | None:
    if ident not in values:
        return None
    value = array_row[values.index(ident)]
    return None if value != value else int(value)


def unit_signals(scores: Scores, gaps: Gaps | None, unit: int) -> UnitSignals:
    """Pick the levels the rule needs out of one unit's scores and gaps."""
    q = scores.questionnaire
    dims = [d.id for d in q.dimensions]
    caps = [c.id for c in q.capabilities]
    gap = None
    if gaps is not None:
        gap = _level(caps, gaps.capability_gap[unit], "strategic-alignment")
    return UnitSignals(
        governance=_level(dims, scores.dimension_level[unit], "governance"),
        process=_level(dims, scores.dimension_level[unit], "process"),
        people=_level(dims, scores.dimension_level[unit], "people"),
        strategic_alignment_gap=gap,
        pmo_mandate=_level(caps, scores.capability_level[unit], "pmo-mandate"),
    )


def _shown(value: int | None) -> str:
    return "not assessed" if value is None else str(value)


def recommend_pmo_type(signals: UnitSignals) -> tuple[str, str]:
    """The recommended PMO type and a reason naming the rule and the levels it used."""
    rule = next((r for r in RULES if r.applies(signals)), FALLBACK)
    levels = (f"governance level {_shown(signals.governance)}, process level {_shown(signals.process)}, "
              f"people level {_shown(signals.people)}, strategic-alignment gap "
              f"{_shown(signals.strategic_alignment_gap)}, pmo-mandate level {_shown(signals.pmo_mandate)}")
    reason = (f"Recommended {rule.pmo_type} because {rule.condition}. Assessment: {levels}. "
              f"A {rule.pmo_type} PMO {TYPE_MEANING[rule.pmo_type]}.")
    return rule.pmo_type, reason

#: A starting mandate for each type, copied into a draft plan.
MANDATE = {
    "controlling": "The PMO sets the portfolio's delivery and benefits standards, runs the stage gates and "
                   "reports to the sponsors on delivery, forecast benefits and outcomes. Projects follow its "
                   "standards; it can escalate those that do not.",
    "supportive": "The PMO provides methods, templates, tools, training and coaching to the projects, shares "
                  "lessons across them and reports the portfolio's progress. Projects choose how to use its "
                  "services; it earns its influence by being useful.",
    "directive": "The PMO manages the portfolio's projects directly: it assigns project managers, decides "
                 "priorities and re-plans with the sponsors, and is accountable for the portfolio's delivery "
                 "and benefits.",
}
