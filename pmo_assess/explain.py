"""Plain-language reasons for a level: what holds it there and what the next level needs.

Every capped or borderline level gets one, so a consultant can defend each number in the room.
An explanation never offers a way up that staged scoring would block: when the weakest part holds
a level, it says which part and the level that part must reach first.
"""
from __future__ import annotations

import re

import numpy as np

from pmo_assess.model import Question
from pmo_assess.scoring import Scores

#: A score this close to a threshold (either side) is "borderline".
BORDERLINE_MARGIN = 0.1
#: How many of the weakest questions (or parts) an explanation names.
WEAKEST_SHOWN = 2
#: Question texts longer than this are shortened in sentences (the id in brackets finds the full text).
QUESTION_TEXT_LIMIT = 72


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


def needs_explanation(scores: Scores, score: float, capped_by: int = -1) -> bool:
    """Capped and borderline levels carry an explanation in reports."""
    return capped_by >= 0 or nearest_threshold(score, scores.questionnaire.scoring.thresholds) is not None


def shorten_question(text: str, limit: int = QUESTION_TEXT_LIMIT) -> str:
    """A question's text short enough for a sentence: asides in brackets dropped, then cut at a word with '…'."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    text = re.sub(r"\s*\([^()]*\)", "", text)
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:.-—") + "…"


def question_label(question: Question) -> str:
    """How a sentence names a question: its (shortened) text with the id in brackets."""
    return f"{shorten_question(question.text)} ({question.id})"


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
    side = "above" if _at_or_above(score, threshold) else "below"
    target_level = thresholds.index(threshold) + 2
    name = scores.questionnaire.level_name(target_level)
    return f"{abs(score - threshold):.2f} {side} the {threshold:.2f} needed for {name}"


def _at_or_above(score: float, threshold: float) -> bool:
    """As levels compare: after rounding to 6 decimals."""
    return round(float(score), 6) >= threshold


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
        steps.append(f"{question_label(question)}, {said}: {question.anchors.get(to_level, '').rstrip('.')}")
    return steps


def _weakest_questions(scores: Scores, unit: int, capability: int) -> str:
    ranked = [r for r in _ranked_questions(scores, unit, capability) if r[0] != float("inf")]
    return "; ".join(f"{question_label(question)}, mean answer {mean:.1f}"
                     for mean, _, question in ranked[:WEAKEST_SHOWN])


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
    if threshold is not None and _at_or_above(score, threshold):
        return (text + f": only {_distance_text(scores, score, level)}, so it could slip back. "
                f"The answers holding it down most: {_weakest_questions(scores, unit, capability)}.")
    distance = _distance_text(scores, score, level)
    text += f": {distance}." if distance else "."
    if level >= 4:
        return text + " It is at the top level; keep it there by re-assessing regularly."
    steps = next_steps(scores, unit, capability, int(level) + 1)
    return text + f" To reach {q.level_name(int(level) + 1)}, work on: " + "; ".join(steps) + "."


def _join_names(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _lowest_parts(part_levels: np.ndarray) -> list[int]:
    """Positions of the parts at the lowest defined level (questionnaire order); [] when none is defined."""
    defined = ~np.isnan(part_levels)
    if not defined.any():
        return []
    lowest = np.nanmin(part_levels)
    return [int(i) for i in np.flatnonzero(defined & (part_levels == lowest))]


class _Whole:
    """A dimension or the overall, seen as a whole over parts (capabilities or dimensions) for staged scoring.

    ``rule`` is the staged rule in words, as the sentences quote it.
    """

    def __init__(self, scores: Scores, name: str, score: float, level: float, capped_by: int,
                 part_names: list[str], part_scores: np.ndarray, part_levels: np.ndarray, part: str, rule: str):
        self.scores, self.name, self.score, self.level, self.capped_by = scores, name, score, level, capped_by
        self.part_names, self.part_scores, self.part_levels = part_names, part_scores, part_levels
        self.part, self.rule = part, rule
        self.lowest = _lowest_parts(part_levels)

    @property
    def staged(self) -> bool:
        return self.scores.questionnaire.scoring.method == "staged"

    def held_at_ceiling(self) -> bool:
        """True when staged scoring keeps this level whatever the score: it already sits one above its weakest part."""
        if not self.staged or not self.lowest or self.level >= 4:
            return False
        return self.level >= self.part_levels[self.lowest[0]] + 1

    def weakest_clause(self) -> str:
        """'its weakest capability, Measures, is only at level 1 (ad hoc)' (plural when several share the level)."""
        names = [self.part_names[i] for i in self.lowest]
        level = _level_text(self.scores, self.part_levels[self.lowest[0]])
        if len(names) == 1:
            return f"its weakest {self.part}, {names[0]}, is only at {level}"
        plural = "capabilities" if self.part == "capability" else f"{self.part}s"
        return f"its weakest {plural}, {_join_names(names)}, are only at {level}"

    def must_reach(self) -> str:
        """'Measures must reach evolving first' (every part at the lowest level must)."""
        names = _join_names([self.part_names[i] for i in self.lowest])
        to = self.scores.questionnaire.level_name(int(self.part_levels[self.lowest[0]]) + 1)
        return f"{names} must reach {to} first"

    def next_level_name(self) -> str:
        return self.scores.questionnaire.level_name(int(self.level) + 1)


def _explain_capped(whole: _Whole) -> str:
    """A level staged scoring lowered: what alone the score would give, what caps it, what lifts it."""
    s = whole.scores
    natural = s.questionnaire.scoring.level_of(whole.score)
    lifted = s.questionnaire.level_name(int(whole.level) + 1)
    return (f"{whole.name} scores {whole.score:.2f}, which alone would be {_level_text(s, natural)}, but "
            f"staged scoring holds it at {_level_text(s, whole.level)} because {whole.weakest_clause()}: "
            f"{whole.rule}. {whole.must_reach()}: that lifts the cap to {lifted}.")


def _explain_held(whole: _Whole) -> str:
    """A level at its staged ceiling: a higher score alone would not raise it, so the threshold is not the way up."""
    s = whole.scores
    text = f"{whole.name} scores {whole.score:.2f}, {_level_text(s, whole.level)}"
    threshold = nearest_threshold(whole.score, s.questionnaire.scoring.thresholds)
    if threshold is not None and _at_or_above(whole.score, threshold):
        text += f": only {_distance_text(s, whole.score, whole.level)}, so it could slip back."
    else:
        text += "."
    text += (f" A higher score alone would not lift it: {whole.rule}, and {whole.weakest_clause()}. "
             f"To reach {whole.next_level_name()}, {whole.must_reach()}.")
    return text


def _explain_by_parts(whole: _Whole) -> str:
    """A dimension's or the overall level from its score, naming its weakest parts."""
    s = whole.scores
    text = f"{whole.name} scores {whole.score:.2f}, {_level_text(s, whole.level)}"
    distance = _distance_text(s, whole.score, whole.level)
    text += f": {distance}." if distance else "."
    ranked = sorted((sc, n) for n, sc in zip(whole.part_names, whole.part_scores.tolist()) if sc == sc)
    if ranked and whole.level < 4:
        weakest = ", ".join(f"{n} ({sc:.2f})" for sc, n in ranked[:WEAKEST_SHOWN])
        text += f" Its weakest parts: {weakest}."
    return text


def _explain_whole(whole: _Whole) -> str:
    if whole.capped_by >= 0:
        return _explain_capped(whole)
    if whole.held_at_ceiling():
        return _explain_held(whole)
    return _explain_by_parts(whole)


def explain_dimension(scores: Scores, unit: int, dimension: int) -> str:
    """Why a unit's dimension is at its level: its score, and under staged scoring what caps or holds it."""
    q = scores.questionnaire
    dim = q.dimensions[dimension]
    score = scores.dimension_score[unit, dimension]
    if np.isnan(score):
        return f"{dim.name} has no scored capabilities, so it has no level."
    members = np.flatnonzero(q.capability_dimension == dimension)
    capper = int(scores.dimension_capped_by[unit, dimension])
    whole = _Whole(scores, dim.name, score, scores.dimension_level[unit, dimension], capper,
                   [q.capabilities[i].name for i in members], scores.capability_score[unit, members],
                   scores.capability_level[unit, members], "capability",
                   "a dimension sits at most one level above its weakest capability")
    text = _explain_whole(whole)
    if capper >= 0 or whole.held_at_ceiling():
        first = capper if capper >= 0 else int(members[whole.lowest[0]])
        steps = next_steps(scores, unit, first, int(scores.capability_level[unit, first]) + 1)
        text += f" Start with {q.capabilities[first].name}: " + "; ".join(steps) + "."
    return text


def explain_overall(scores: Scores, unit: int) -> str:
    """Why a unit's overall level is what it is, and what must move first for the next one."""
    q = scores.questionnaire
    score = scores.overall_score[unit]
    if np.isnan(score):
        return "No counted answers, so there is no overall level."
    whole = _Whole(scores, "The PMO overall", score, scores.overall_level[unit], int(scores.overall_capped_by[unit]),
                   [d.name for d in q.dimensions], scores.dimension_score[unit], scores.dimension_level[unit],
                   "dimension", "the overall level sits at most one level above the weakest dimension")
    text = _explain_whole(whole)
    if whole.capped_by >= 0 or whole.held_at_ceiling():
        text += " " + _weakest_capabilities_of(scores, unit, whole.lowest[0])
    return text


def _weakest_capabilities_of(scores: Scores, unit: int, dimension: int) -> str:
    """'Governance's weakest capabilities: Benefits management (1.19), Decision support (1.46).'"""
    q = scores.questionnaire
    members = np.flatnonzero(q.capability_dimension == dimension)
    ranked = sorted((float(scores.capability_score[unit, i]), q.capabilities[i].name) for i in members
                    if not np.isnan(scores.capability_score[unit, i]))
    shown = ", ".join(f"{name} ({score:.2f})" for score, name in ranked[:WEAKEST_SHOWN])
    return f"{q.dimensions[dimension].name}'s weakest capabilities: {shown}." if shown else ""
