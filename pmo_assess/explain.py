"""Plain-language reasons for a level: what holds it there and what the next level needs.

Every capped or borderline level gets one, so a consultant can defend each number in the room.
An explanation never offers a way up that staged scoring would block: when the weakest part holds
a level, it says which part and the level that part must reach first.
"""
from __future__ import annotations

import re
from functools import cached_property, lru_cache

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


def borderline(scores: np.ndarray, thresholds: tuple[float, ...]) -> np.ndarray:
    """:func:`nearest_threshold` is not None, for a whole array at once (False where NaN)."""
    near = np.zeros(np.shape(scores), dtype=bool)
    for t in thresholds:
        with np.errstate(invalid="ignore"):
            near |= np.abs(scores - t) < BORDERLINE_MARGIN
    return near


@lru_cache(maxsize=4096)
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


class Explainer:
    """Explanations of many levels of one :class:`Scores`: question labels, level names and the current
    unit's score rows are worked out once, so explaining every unit costs little more than the sentences."""

    def __init__(self, scores: Scores):
        q = scores.questionnaire
        self.scores, self.questionnaire = scores, q
        self.thresholds = q.scoring.thresholds
        self.staged = q.scoring.method == "staged"
        # 'needed for operationalizing' per threshold; the first of equal thresholds names the level
        self._needed = {t: f"needed for {q.level_name(i + 2)}" for i, t in reversed(list(enumerate(self.thresholds)))}
        self._level_texts: dict[int, str] = {}
        self._question_lists: dict[int, list[tuple[int, str, dict[int, str]]]] = {}
        self._unit: int | None = None

    def level_text(self, level: float) -> str:
        """'level 2 (evolving)'."""
        level = int(level)
        text = self._level_texts.get(level)
        if text is None:
            text = self._level_texts[level] = f"level {level} ({self.questionnaire.level_name(level)})"
        return text

    def distance_text(self, score: float, level: float, threshold: float | None) -> str:
        """'0.06 below the 2.50 needed for operationalizing' or '0.04 above the 2.50 ...'.

        ``threshold`` is the borderline one (:func:`nearest_threshold`), or None for the next level's.
        """
        if threshold is None:
            if level >= 4:
                return ""
            threshold = self.thresholds[int(level) - 1]
        side = "above" if _at_or_above(score, threshold) else "below"
        return f"{abs(score - threshold):.2f} {side} the {threshold:.2f} {self._needed[threshold]}"

    def _use_unit(self, unit: int) -> None:
        """Read a unit's capability scores, levels and question means as lists (kept until another unit)."""
        if unit != self._unit:
            s = self.scores
            self._cap_scores, self._cap_levels = s.capability_score[unit].tolist(), s.capability_level[unit].tolist()
            self._means, self._unit = s.question_mean[unit].tolist(), unit

    @cached_property
    def _dimension_members(self) -> list[list[int]]:
        dims = self.questionnaire.capability_dimension.tolist()
        return [[c for c, d in enumerate(dims) if d == dim] for dim in range(len(self.questionnaire.dimensions))]

    def _questions(self, capability: int) -> list[tuple[int, str, dict[int, str]]]:
        """(position, label, anchors) of a capability's questions, questionnaire order."""
        found = self._question_lists.get(capability)
        if found is None:
            q = self.questionnaire
            found = self._question_lists[capability] = [
                (position, question_label(question), question.anchors) for position, question in
                zip(q.capability_question_positions[capability].tolist(), q.capabilities[capability].questions)]
        return found

    def _ranked_questions(self, capability: int) -> list[tuple[float, int, str, dict[int, str]]]:
        """The current unit's questions of a capability as (mean answer, order, label, anchors), weakest first
        (unanswered last, as infinity)."""
        means = self._means
        ranked = [(means[position] if means[position] == means[position] else INFINITY, i, label, anchors)
                  for i, (position, label, anchors) in enumerate(self._questions(capability))]
        ranked.sort()
        return ranked

    def _next_steps(self, capability: int, to_level: int) -> str:
        """For the weakest questions of a capability: the anchor text of the level it must reach."""
        return "; ".join(
            f"{label}, {'no counted answers' if mean == INFINITY else f'mean answer {mean:.1f}'}: "
            f"{anchors.get(to_level, '').rstrip('.')}"
            for mean, _, label, anchors in self._ranked_questions(capability)[:WEAKEST_SHOWN])

    def _weakest_questions(self, capability: int) -> str:
        ranked = [r for r in self._ranked_questions(capability) if r[0] != INFINITY]
        return "; ".join(f"{label}, mean answer {mean:.1f}" for mean, _, label, _ in ranked[:WEAKEST_SHOWN])

    def capability(self, unit: int, capability: int) -> str:
        """Why a unit's capability is at its level and what the next level needs."""
        self._use_unit(unit)
        name = self.questionnaire.capabilities[capability].name
        score, level = self._cap_scores[capability], self._cap_levels[capability]
        if score != score:
            return f"{name} has no counted answers (all n/a, don't know or missing), so it has no level."
        text = f"{name} scores {score:.2f}, {self.level_text(level)}"
        threshold = nearest_threshold(score, self.thresholds)
        distance = self.distance_text(score, level, threshold)
        if threshold is not None and _at_or_above(score, threshold):
            return (f"{text}: only {distance}, so it could slip back. "
                    f"The answers holding it down most: {self._weakest_questions(capability)}.")
        text += f": {distance}." if distance else "."
        if level >= 4:
            return text + " It is at the top level; keep it there by re-assessing regularly."
        return (f"{text} To reach {self.questionnaire.level_name(int(level) + 1)}, work on: "
                f"{self._next_steps(capability, int(level) + 1)}.")

    def dimension(self, unit: int, dimension: int) -> str:
        """Why a unit's dimension is at its level: its score, and under staged scoring what caps or holds it."""
        s, q = self.scores, self.questionnaire
        name = q.dimensions[dimension].name
        score = s.dimension_score[unit, dimension]  # a NumPy number, as staged levels round it
        if score != score:
            return f"{name} has no scored capabilities, so it has no level."
        self._use_unit(unit)
        members = self._dimension_members[dimension]
        capper = int(s.dimension_capped_by[unit, dimension])
        whole = _Whole(self, name, score, float(s.dimension_level[unit, dimension]), capper,
                       [q.capabilities[i].name for i in members], [self._cap_scores[i] for i in members],
                       [self._cap_levels[i] for i in members], "capability",
                       "a dimension sits at most one level above its weakest capability")
        text = whole.explain()
        if capper >= 0 or whole.held_at_ceiling():
            first = capper if capper >= 0 else members[whole.lowest[0]]
            steps = self._next_steps(first, int(self._cap_levels[first]) + 1)
            text += f" Start with {q.capabilities[first].name}: {steps}."
        return text

    def overall(self, unit: int) -> str:
        """Why a unit's overall level is what it is, and what must move first for the next one."""
        s, q = self.scores, self.questionnaire
        score = s.overall_score[unit]
        if np.isnan(score):
            return "No counted answers, so there is no overall level."
        whole = _Whole(self, "The PMO overall", score, s.overall_level[unit], int(s.overall_capped_by[unit]),
                       [d.name for d in q.dimensions], s.dimension_score[unit].tolist(),
                       s.dimension_level[unit].tolist(), "dimension",
                       "the overall level sits at most one level above the weakest dimension")
        text = whole.explain()
        if whole.capped_by >= 0 or whole.held_at_ceiling():
            text += " " + self._weakest_capabilities_of(unit, whole.lowest[0])
        return text

    def _weakest_capabilities_of(self, unit: int, dimension: int) -> str:
        """'Governance's weakest capabilities: Benefits management (1.19), Decision support (1.46).'"""
        q = self.questionnaire
        self._use_unit(unit)
        ranked = sorted((self._cap_scores[i], q.capabilities[i].name) for i in self._dimension_members[dimension]
                        if self._cap_scores[i] == self._cap_scores[i])
        shown = ", ".join(f"{name} ({score:.2f})" for score, name in ranked[:WEAKEST_SHOWN])
        return f"{q.dimensions[dimension].name}'s weakest capabilities: {shown}." if shown else ""


#: How an unanswered question ranks among the weakest: after every answered one.
INFINITY = float("inf")


def _at_or_above(score: float, threshold: float) -> bool:
    """As levels compare: after rounding to 6 decimals."""
    return round(float(score), 6) >= threshold


def explain_capability(scores: Scores, unit: int, capability: int) -> str:
    """Why a unit's capability is at its level and what the next level needs."""
    return Explainer(scores).capability(unit, capability)


def explain_dimension(scores: Scores, unit: int, dimension: int) -> str:
    """Why a unit's dimension is at its level: its score, and under staged scoring what caps or holds it."""
    return Explainer(scores).dimension(unit, dimension)


def explain_overall(scores: Scores, unit: int) -> str:
    """Why a unit's overall level is what it is, and what must move first for the next one."""
    return Explainer(scores).overall(unit)


def _join_names(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _lowest_parts(part_levels: list[float]) -> list[int]:
    """Positions of the parts at the lowest defined level (questionnaire order); [] when none is defined."""
    defined = [level for level in part_levels if level == level]  # NaN is not equal to itself
    if not defined:
        return []
    lowest = min(defined)
    return [i for i, level in enumerate(part_levels) if level == lowest]


class _Whole:
    """A dimension or the overall, seen as a whole over parts (capabilities or dimensions) for staged scoring.

    ``rule`` is the staged rule in words, as the sentences quote it.
    """

    def __init__(self, explainer: Explainer, name: str, score: float, level: float, capped_by: int,
                 part_names: list[str], part_scores: list[float], part_levels: list[float], part: str, rule: str):
        self.explainer, self.name, self.score, self.level, self.capped_by = explainer, name, score, level, capped_by
        self.part_names, self.part_scores, self.part_levels = part_names, part_scores, part_levels
        self.part, self.rule = part, rule
        self.lowest = _lowest_parts(part_levels)

    def held_at_ceiling(self) -> bool:
        """True when staged scoring keeps this level whatever the score: it already sits one above its weakest part."""
        if not self.explainer.staged or not self.lowest or self.level >= 4:
            return False
        return self.level >= self.part_levels[self.lowest[0]] + 1

    def weakest_clause(self) -> str:
        """'its weakest capability, Measures, is only at level 1 (ad hoc)' (plural when several share the level)."""
        names = [self.part_names[i] for i in self.lowest]
        level = self.explainer.level_text(self.part_levels[self.lowest[0]])
        if len(names) == 1:
            return f"its weakest {self.part}, {names[0]}, is only at {level}"
        plural = "capabilities" if self.part == "capability" else f"{self.part}s"
        return f"its weakest {plural}, {_join_names(names)}, are only at {level}"

    def must_reach(self) -> str:
        """'Measures must reach evolving first' (every part at the lowest level must)."""
        names = _join_names([self.part_names[i] for i in self.lowest])
        to = self.explainer.questionnaire.level_name(int(self.part_levels[self.lowest[0]]) + 1)
        return f"{names} must reach {to} first"

    def next_level_name(self) -> str:
        return self.explainer.questionnaire.level_name(int(self.level) + 1)

    def explain(self) -> str:
        """Capped, held at its staged ceiling, or placed by its score: the sentence for whichever applies."""
        if self.capped_by >= 0:
            return self._explain_capped()
        if self.held_at_ceiling():
            return self._explain_held()
        return self._explain_by_parts()

    def _explain_capped(self) -> str:
        """A level staged scoring lowered: what alone the score would give, what caps it, what lifts it."""
        e = self.explainer
        natural = e.questionnaire.scoring.level_of(self.score)
        lifted = e.questionnaire.level_name(int(self.level) + 1)
        return (f"{self.name} scores {self.score:.2f}, which alone would be {e.level_text(natural)}, but "
                f"staged scoring holds it at {e.level_text(self.level)} because {self.weakest_clause()}: "
                f"{self.rule}. {self.must_reach()}: that lifts the cap to {lifted}.")

    def _explain_held(self) -> str:
        """A level at its staged ceiling: a higher score alone would not raise it; the threshold is not the way up."""
        e = self.explainer
        text = f"{self.name} scores {self.score:.2f}, {e.level_text(self.level)}"
        threshold = nearest_threshold(self.score, e.thresholds)
        if threshold is not None and _at_or_above(self.score, threshold):
            text += f": only {e.distance_text(self.score, self.level, threshold)}, so it could slip back."
        else:
            text += "."
        return text + (f" A higher score alone would not lift it: {self.rule}, and {self.weakest_clause()}. "
                       f"To reach {self.next_level_name()}, {self.must_reach()}.")

    def _explain_by_parts(self) -> str:
        """A dimension's or the overall level from its score, naming its weakest parts."""
        e = self.explainer
        text = f"{self.name} scores {self.score:.2f}, {e.level_text(self.level)}"
        distance = e.distance_text(self.score, self.level, nearest_threshold(self.score, e.thresholds))
        text += f": {distance}." if distance else "."
        ranked = sorted((sc, n) for n, sc in zip(self.part_names, self.part_scores) if sc == sc)
        if ranked and self.level < 4:
            weakest = ", ".join(f"{n} ({sc:.2f})" for sc, n in ranked[:WEAKEST_SHOWN])
            text += f" Its weakest parts: {weakest}."
        return text
