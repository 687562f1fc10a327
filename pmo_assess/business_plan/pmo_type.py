"""Recommend a PMO type from the plan's context (strategy, culture, sponsors' expectation, size) and the unit's maturity.

The rule has two parts, both printed in the plan (:func:`rule_tables`):

1. **Aim** — the context answers add up points per type (each option's ``points`` in
   ``questionnaires/plan-context.yaml``); the type with the most points is where the PMO should head.
   A tie goes to the type the decisive question (the sponsors' expectation) favours, then to the
   first in :data:`PMO_TYPES`. Without context answers the aim is :data:`DEFAULT_AIM`.
2. **Start and evolution** — each type needs a minimum maturity (:data:`GATES`); the PMO starts as
   the furthest type on the path to its aim (:data:`PATHS`) whose gate the assessment meets today,
   and moves on along the path in the first roadmap wave whose projected levels meet the next gate.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pmo_assess.business_plan.context import ContextQuestionnaire, PlanContext
    from pmo_assess.scoring import Gaps, Scores

PMO_TYPES = ("controlling", "supportive", "directive", "strategic")
DEFAULT_AIM = "supportive"

#: What each type means, quoted in the plan next to the recommendation.
TYPE_MEANING = {
    "controlling": "sets standards and checks compliance: common methods, stage gates, assurance, and benefits "
                   "and performance reporting the PMO reviews",
    "supportive": "serves the projects: methods, templates, coaching, training, tools and shared lessons, "
                  "with little formal control",
    "directive": "runs projects directly: the PMO assigns and manages the project managers and decides "
                 "priorities with the sponsors",
    "strategic": "is an enterprise (strategic) PMO: it links strategy to the portfolio across units, prepares "
                 "portfolio choices and tracks benefits and value for the executive team",
}

#: Type → the dimension levels it needs: (dimension id, minimum level) pairs, and why.
GATES: dict[str, tuple[tuple[tuple[str, int], ...], str]] = {
    "controlling": ((), "none: setting standards is where a PMO can always start"),
    "supportive": ((("governance", 2), ("process", 2)),
                   "there must be standards worth supporting; below that the PMO first has to set them"),
    "directive": ((("governance", 2), ("people", 2)),
                  "a mandate to act and project managers able to be assigned"),
    "strategic": ((("governance", 3), ("process", 3)),
                  "alignment, prioritisation and benefits must work portfolio-wide before the PMO can steer "
                  "strategy execution"),
}

#: Aim → the types the PMO passes through on its way there, in order.
PATHS = {
    "controlling": ("controlling",),
    "supportive": ("controlling", "supportive"),
    "directive": ("controlling", "directive"),
    "strategic": ("controlling", "supportive", "strategic"),
}

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
    "strategic": "The PMO links the organisation's strategy to its portfolio across units: it prepares the "
                 "investment and stop decisions of the executive team, tracks benefits and value after go-live, "
                 "and sets the light-touch standards the unit PMOs share.",
}


@dataclass(frozen=True)
class UnitSignals:
    """The levels the rule looks at for one unit: overall and per dimension id (None where not scored)."""

    overall: int | None
    dimensions: dict[str, int | None]

    def level(self, dimension: str) -> int | None:
        """A dimension's level; a dimension the questionnaire lacks counts at the overall level."""
        return self.dimensions[dimension] if dimension in self.dimensions else self.overall


@dataclass(frozen=True)
class EvolutionStep:
    """One type on the path: when it is due (wave None = now, or not within the roadmap) and what it needs."""

    pmo_type: str
    when: str
    wave: int | None = None
    starts: dt.date | None = None


@dataclass(frozen=True)
class Recommendation:
    pmo_type: str
    aim: str
    reason: str
    evolution: tuple[EvolutionStep, ...]
    points: dict[str, int]


def _level(value: float) -> int | None:
    return None if value != value else int(value)


def unit_signals(scores: Scores, gaps: Gaps | None, unit: int) -> UnitSignals:
    """Pick the levels the rule needs out of one unit's scores (gaps are not used: targets are not maturity)."""
    q = scores.questionnaire
    return UnitSignals(overall=_level(scores.overall_level[unit]),
                       dimensions={d.id: _level(scores.dimension_level[unit, i]) for i, d in enumerate(q.dimensions)})


def gate_met(pmo_type: str, levels: UnitSignals) -> bool:
    """True when the levels meet everything the type needs."""
    return all((levels.level(d) or 0) >= minimum for d, minimum in GATES[pmo_type][0])


def gate_text(pmo_type: str, verb: str = "at") -> str:
    """'governance and process at level 2 or above' (verb 'reach': 'governance and process reach level 2')."""
    needs = GATES[pmo_type][0]
    if not needs:
        return "nothing"
    tail = " or above" if verb == "at" else ""
    levels = {m for _, m in needs}
    if len(levels) == 1:
        return f"{' and '.join(d for d, _ in needs)} {verb} level {levels.pop()}{tail}"
    return " and ".join(f"{d} {verb} level {m}{tail}" for d, m in needs)


def _short_of(pmo_type: str, levels: UnitSignals) -> str:
    """What keeps a type's gate shut: 'governance is at level 1'."""
    short = [f"{d} is at level {levels.level(d) if levels.level(d) is not None else 'not scored'}"
             for d, minimum in GATES[pmo_type][0] if (levels.level(d) or 0) < minimum]
    return " and ".join(short)


def context_points(context: PlanContext | None, questions: ContextQuestionnaire | None
                   ) -> tuple[dict[str, int], list[str]]:
    """Points per type from the answers, and one phrase per answer that gave points ('size large +1 strategic')."""
    points = {t: 0 for t in PMO_TYPES}
    phrases = []
    if context is None or questions is None:
        return points, phrases
    for question in questions.questions:
        option = question.option(context.answers.get(question.id, ""))
        if option is None:
            continue
        given = [f"+{n} {t}" for t, n in option.points.items() if n]
        for t, n in option.points.items():
            points[t] += n
        if given:
            phrases.append(f"{question.label} '{option.id}' ({', '.join(given)})")
    return points, phrases


def _aim(points: dict[str, int], context: PlanContext | None, questions: ContextQuestionnaire | None) -> str:
    best = max(points.values())
    if best <= 0:
        return DEFAULT_AIM
    tied = [t for t in PMO_TYPES if points[t] == best]
    if len(tied) > 1 and context is not None and questions is not None and questions.decisive is not None:
        option = questions.decisive.option(context.answers.get(questions.decisive.id, ""))
        favoured = [t for t in tied if option is not None and option.points.get(t)]
        if favoured:
            return favoured[0]
    return tied[0]


def _projected(row: dict[str, Any]) -> UnitSignals:
    def whole(value: Any) -> int | None:
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return UnitSignals(overall=whole(row.get("overall")),
                       dimensions={k: whole(v) for k, v in row.items() if k not in ("wave", "ends", "overall")})


def _evolution(path: tuple[str, ...], start: int, projection: tuple[dict[str, Any], ...]) -> list[EvolutionStep]:
    steps = [EvolutionStep(path[start], "now")]
    rows = sorted((r for r in projection if isinstance(r.get("wave"), int) and r["wave"] > 0), key=lambda r: r["wave"])
    for pmo_type in path[start + 1:]:
        after = steps[-1].wave or 0
        due = next((r for r in rows if r["wave"] >= after and gate_met(pmo_type, _projected(r))), None)
        if due is None:
            where = ("beyond this roadmap's waves" if rows else
                     "not dated: the roadmap records no projected levels")
            steps.append(EvolutionStep(pmo_type, f"once {gate_text(pmo_type, 'reach')} ({where})"))
            continue
        ends = due.get("ends")
        starts = ends + dt.timedelta(days=1) if isinstance(ends, dt.date) else None
        steps.append(EvolutionStep(pmo_type, f"after wave {due['wave']}" + (f" (from {starts.isoformat()})"
                                                                               if starts else "")
                                   + f", when {gate_text(pmo_type, 'reach')} in the projection", due["wave"], starts))
    return steps


def recommend_pmo_type(signals: UnitSignals, context: PlanContext | None = None,
                       questions: ContextQuestionnaire | None = None,
                       projection: tuple[dict[str, Any], ...] = ()) -> Recommendation:
    """The type to start with, the aim, the path between them by wave, and a reason citing context and levels."""
    points, phrases = context_points(context, questions)
    aim = _aim(points, context, questions)
    path = PATHS[aim]
    start = max(i for i, t in enumerate(path) if gate_met(t, signals))
    pmo_type = path[start]
    scored = ", ".join(f"{t} {points[t]}" for t in sorted(PMO_TYPES, key=lambda t: -points[t]) if points[t])
    if phrases:
        why_aim = f"Aim: a {aim} PMO, from the context answers: {'; '.join(phrases)}; points {scored}."
    else:
        why_aim = (f"Aim: a {aim} PMO, because no context answers were given (pmo-assess plan --context FILE "
                   "records the strategy, culture, sponsors' expectation and size the rule weighs).")
    levels = ", ".join(f"{d} {v if v is not None else 'not scored'}" for d, v in signals.dimensions.items())
    if start == len(path) - 1:
        why_start = f"Start: {pmo_type} now, since the assessment meets what it needs ({gate_text(pmo_type)})"
    else:
        blocked = path[start + 1]
        why_start = (f"Start: {pmo_type} now, since a {blocked} PMO needs {gate_text(blocked)} "
                     f"({GATES[blocked][1]}) and {_short_of(blocked, signals)} today")
    evolution = _evolution(path, start, projection)
    reason = f"{why_aim} {why_start}; levels today: {levels}."
    if len(evolution) > 1:
        reason += " Then: " + "; ".join(f"{s.pmo_type} {s.when}" for s in evolution[1:]) + "."
    return Recommendation(pmo_type, aim, reason, tuple(evolution), points)


def chosen_evolution(recommendation: Recommendation, chosen: str,
                     projection: tuple[dict[str, Any], ...] = ()) -> tuple[EvolutionStep, ...]:
    """The evolution from the PMO head's chosen type: it runs as that type now, then goes on along the aim's path
    when the chosen type lies on it (else it stays as chosen). Without a choice (or the recommended one), the
    recommendation's evolution."""
    if chosen not in PMO_TYPES or chosen == recommendation.pmo_type:
        return recommendation.evolution
    path = PATHS[recommendation.aim] if chosen in PATHS[recommendation.aim] else PATHS[chosen]
    return tuple(_evolution(path, path.index(chosen), projection))


def chosen_gate_notice(chosen: str, signals: UnitSignals) -> str:
    """A notice when the chosen type's minimum maturity is not met today ('' when it is, or nothing was chosen)."""
    if chosen not in PMO_TYPES or gate_met(chosen, signals):
        return ""
    return (f"the chosen PMO type {chosen} needs {gate_text(chosen)} ({GATES[chosen][1]}), and "
            f"{_short_of(chosen, signals)} today: the minimum maturity of a {chosen} PMO is not met yet")


def path_text(aim: str) -> str:
    """'controlling → supportive → strategic': the types on the way to an aim."""
    return " → ".join(PATHS[aim])
