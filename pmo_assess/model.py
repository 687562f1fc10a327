"""The questionnaire as frozen dataclasses: dimensions, capabilities, questions, levels, roles.

No I/O here; :mod:`pmo_assess.io.questionnaire` builds these from YAML after validating it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

LEVEL_NAMES = {1: "ad hoc", 2: "evolving", 3: "operationalizing", 4: "optimizing"}
SCORING_METHODS = ("staged", "mean")
DEFAULT_THRESHOLDS = (1.75, 2.5, 3.25)
DEFAULT_DISPUTE_RANGE = 1.5


@dataclass(frozen=True)
class Level:
    value: int
    name: str
    description: str = ""


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    weight: float = 1.0


@dataclass(frozen=True)
class Question:
    """One question; ``evidence`` says what to ask for or look at, ``replaces`` the older ids it continues."""

    id: str
    text: str
    anchors: dict[int, str]
    weight: float = 1.0
    evidence: str = ""
    replaces: tuple[str, ...] = ()


@dataclass(frozen=True)
class Capability:
    id: str
    name: str
    dimension: str
    questions: tuple[Question, ...]
    weight: float = 1.0
    description: str = ""


@dataclass(frozen=True)
class Dimension:
    id: str
    name: str
    capabilities: tuple[Capability, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class Scoring:
    method: str = "staged"
    thresholds: tuple[float, float, float] = DEFAULT_THRESHOLDS
    dispute_range: float = DEFAULT_DISPUTE_RANGE

    def level_of(self, score: float | None) -> int | None:
        """Level 1..4 of a score per contract rule 5 (after rounding to 6 decimals)."""
        if score is None or score != score:
            return None
        return int(np.searchsorted(self.thresholds, round(score, 6), side="right")) + 1

    def levels_of(self, scores: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`level_of`: float array in, float array of levels (NaN kept) out."""
        rounded = np.round(scores, 6)
        levels = np.searchsorted(np.asarray(self.thresholds), rounded, side="right") + 1.0
        return np.where(np.isnan(scores), np.nan, levels)


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: str
    title: str
    levels: tuple[Level, ...]
    dimensions: tuple[Dimension, ...]
    scoring: Scoring = field(default_factory=Scoring)
    roles: tuple[Role, ...] = ()
    source: str = ""
    guidance: str = ""

    @cached_property
    def _level_names(self) -> dict[int, str]:
        return {**LEVEL_NAMES, **{lv.value: lv.name for lv in self.levels}}

    def level_name(self, level: int | None) -> str | None:
        """The questionnaire's name for a level (1 → 'ad hoc'); None for an undefined level."""
        return None if level is None else self._level_names.get(int(level))

    @cached_property
    def capabilities(self) -> tuple[Capability, ...]:
        return tuple(c for d in self.dimensions for c in d.capabilities)

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for c in self.capabilities for q in c.questions)

    @cached_property
    def question_index(self) -> dict[str, int]:
        """Question id → position in questionnaire order."""
        return {q.id: i for i, q in enumerate(self.questions)}

    @cached_property
    def question_capability(self) -> np.ndarray:
        """For each question (questionnaire order), the position of its capability."""
        return np.array(
            [ci for ci, c in enumerate(self.capabilities) for _ in c.questions], dtype=np.int64
        )

    @cached_property
    def capability_question_positions(self) -> list[np.ndarray]:
        """For each capability, the positions of its questions in questionnaire order."""
        return [np.flatnonzero(self.question_capability == c) for c in range(len(self.capabilities))]

    @cached_property
    def capability_dimension(self) -> np.ndarray:
        """For each capability (questionnaire order), the position of its dimension."""
        return np.array(
            [di for di, d in enumerate(self.dimensions) for _ in d.capabilities], dtype=np.int64
        )

    @cached_property
    def role_weights(self) -> dict[str, float]:
        return {r.id: r.weight for r in self.roles}

    def capability(self, capability_id: str) -> Capability:
        for c in self.capabilities:
            if c.id == capability_id:
                return c
        raise KeyError(capability_id)

    def dimension(self, dimension_id: str) -> Dimension:
        for d in self.dimensions:
            if d.id == dimension_id:
                return d
        raise KeyError(dimension_id)
