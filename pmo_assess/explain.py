"""Plain-language reasons for a level: what holds it there and what the next level needs.

Every capped or borderline level gets one, so a consultant can defend each number in the room.
"""
from __future__ import annotations

import numpy as np

from pmo_assess.model import Question
from pmo_assess.scoring import Scores

#: A score this close to a threshold (either side) is "borderline".
BORDERLINE_MARGIN = 0.1
#: How many of the weakest questions an explanation names.
WEAKEST_SHOWN = 2


def nearest_threshold(score: float, thresholds: tuple[float, ...]) -> float | None:
    """The threshold a borderline score sits next to, or None if it is not within the margin."""
    if score != score:
        return None
    score = float(score)
    best = None
    for t in thresholds:
        distance = abs(score - t)
        if distance < BORDERLINE_MARGIN and (best is None or distance < abs(score - best)):
            best = t
    return best


def _level_text(scores: Scores, level: float) -> str:
    level = int(level)
    return f"level {level} ({scores.questionnaire.level_name(level)})"


def _distance_text(scores: Scores, score: float, level: float) -> str:
    """'0.06 below the 2.50 needed for operationalizing' or '0.04 above the 2.50 ...'."""
    thresholds = scores.questionnaire.scoring.thresholds
    threshold = nearest_threshold(score, thresholds)
    if threshold is None:
        if level >= 4:
            return ""
        threshold = thresholds[int(level) - 1]
    side = "above" if score >= threshold - 5e-7 else "below"  # as levels compare: rounded to 6 decimals
    target_level = thresholds.index(threshold) + 2
    name = scores.questionnaire.level_name(target_level)
    return f"{abs(score - threshold):.2f} {side} the {threshold:.2f} needed for {name}"


def _ranked_questions(scores: Scores, unit: int, capability: int) -> list[tuple[float, int, Question]]:
    """A capability's questions, weakest first by mean answer in the unit (unanswered last)."""
    q = scores.questionnaire
    cap = q.capabilities[capability]
    means = scores.question_mean[unit, q.capability_question_positions[capability]].tolist()
    return sorted((m if m == m else float("inf"), i, question)
                  for i, (m, question) in enumerate(zip(means, cap.questions)))


def next_steps(scores: Scores, unit: int, capability: int, to_level: int) -> list[str]:
    """For the weakest questions of a capability: the anchor text of the level it must reach."""
    steps = []
    for mean, _, question in _ranked_questions(scores, unit, capability)[:WEAKEST_SHOWN]:
        said = "no counted answers" if mean == float("inf") else f"mean answer {mean:.1f}"
        steps.append(f"{question.id} ({said}): {question.anchors.get(to_level, '').rstrip('.')}")
    return steps


def _weakest_questions(scores: Scores, unit: int, capability: int) -> str:
    ranked = [r for r in _ranked_questions(scores, unit, capability) if r[0] != float("inf")]
    return ", ".join(f"{question.id} (mean answer {mean:.1f})" for mean, _, question in ranked[:WEAKEST_SHOWN])


def explain_capability(scores: Scores, unit: int, capability: int) -> str:
    """Why a unit's capability is at its level and what the next level needs."""
    q = scores.questionnaire
    cap = q.capabilities[capability]
    score = scores.capability_score[unit, capability]
    level = scores.capability_level[unit, capability]
    if np.isnan(score):
        return f"{cap.name} has no counted answers (all n/a, don't know or missing), so it has no level."
    text = f"{cap.name} scores {score:.2f}, {_level_text(scores, level)}"
    threshold = nearest_threshold(score, q.scoring.thresholds)
    if threshold is not None and score >= threshold - 5e-7:
        return (text + f": only {_distance_text(scores, score, level)}, so it could slip back. "
                f"The answers holding it down most: {_weakest_questions(scores, unit, capability)}.")
    distance = _distance_text(scores, score, level)
    text += f": {distance}." if distance else "."
    if level >= 4:
        return text + " It is at the top level; keep it there by re-assessing regularly."
    steps = next_steps(scores, unit, capability, int(level) + 1)
    return text + f" To reach {q.level_name(int(level) + 1)}, work on " + "; ".join(steps) + "."


def _explain_by_parts(scores: Scores, unit: int, name: str, score: float, level: float,
                      parts: list[tuple[str, float]]) -> str:
    """A dimension's or the overall level from its score, naming its weakest parts."""
    text = f"{name} scores {score:.2f}, {_level_text(scores, level)}"
    distance = _distance_text(scores, score, level)
    text += f": {distance}." if distance else "."
    ranked = sorted((s, n) for n, s in parts if not np.isnan(s))
    if ranked and level < 4:
        weakest = ", ".join(f"{n} ({s:.2f})" for s, n in ranked[:WEAKEST_SHOWN])
        text += f" Its weakest parts: {weakest}."
    return text


def _explain_capped(scores: Scores, name: str, score: float, level: float, natural: int,
                    weakest_name: str, weakest_level: float, part: str) -> str:
    return (f"{name} scores {score:.2f}, which alone would be {_level_text(scores, natural)}, but "
            f"staged scoring holds it at {_level_text(scores, level)} because its weakest {part}, "
            f"{weakest_name}, is only at {_level_text(scores, weakest_level)}: a {part} can lift the whole "
            f"by at most one level. Raising {weakest_name} to "
            f"{scores.questionnaire.level_name(int(weakest_level) + 1)} lifts the cap.")


def explain_dimension(scores: Scores, unit: int, dimension: int) -> str:
    """Why a unit's dimension is at its level: its score, and under staged scoring what caps it."""
    q = scores.questionnaire
    dim = q.dimensions[dimension]
    score = scores.dimension_score[unit, dimension]
    level = scores.dimension_level[unit, dimension]
    if np.isnan(score):
        return f"{dim.name} has no scored capabilities, so it has no level."
    capper = scores.dimension_capped_by[unit, dimension]
    if capper >= 0:
        cap = q.capabilities[capper]
        text = _explain_capped(scores, dim.name, score, level, q.scoring.level_of(score), cap.name,
                               scores.capability_level[unit, capper], "capability")
        steps = next_steps(scores, unit, capper, int(scores.capability_level[unit, capper]) + 1)
        return text + " Start with " + "; ".join(steps) + "."
    parts = [(c.name, scores.capability_score[unit, i]) for i, c in enumerate(q.capabilities)
             if c.dimension == dim.id]
    return _explain_by_parts(scores, unit, dim.name, score, level, parts)


def explain_overall(scores: Scores, unit: int) -> str:
    """Why a unit's overall level is what it is."""
    q = scores.questionnaire
    score = scores.overall_score[unit]
    level = scores.overall_level[unit]
    if np.isnan(score):
        return "No counted answers, so there is no overall level."
    capper = scores.overall_capped_by[unit]
    if capper >= 0:
        dim = q.dimensions[capper]
        return _explain_capped(scores, "The PMO overall", score, level, q.scoring.level_of(score),
                               dim.name, scores.dimension_level[unit, capper], "dimension")
    parts = [(d.name, scores.dimension_score[unit, i]) for i, d in enumerate(q.dimensions)]
    return _explain_by_parts(scores, unit, "The PMO overall", score, level, parts)


def needs_explanation(scores: Scores, score: float, capped_by: int = -1) -> bool:
    """Capped and borderline levels carry an explanation in reports."""
    return capped_by >= 0 or nearest_threshold(score, scores.questionnaire.scoring.thresholds) is not None
