"""Maturity projected after each wave of a roadmap, against the targets.

A capability rises one level when every (not dropped) initiative of its next step is done; the
projection assumes it lands at the bottom of the new level (score = the level's threshold, or its
current score if that is higher), then scores dimensions and the whole PMO as the contract does.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pmo_assess.model import Questionnaire
from pmo_assess.roadmap.library import Library
from pmo_assess.roadmap.state import UnitState


@dataclass(frozen=True)
class Projection:
    """Levels and scores per wave: row 0 is today, row w is after wave w."""

    questionnaire: Questionnaire
    capability_level: np.ndarray
    capability_score: np.ndarray
    dimension_level: np.ndarray
    dimension_score: np.ndarray
    overall_level: np.ndarray
    capability_target: np.ndarray
    dimension_target: np.ndarray

    @property
    def waves(self) -> int:
        return self.capability_level.shape[0] - 1

    def dimensions_frame(self) -> pd.DataFrame:
        """Long table: wave, dimension, projected level and score, target."""
        dims = [d.id for d in self.questionnaire.dimensions]
        rows = self.waves + 1
        return pd.DataFrame({
            "wave": np.repeat(np.arange(rows), len(dims)),
            "dimension": np.tile(dims, rows),
            "level": self.dimension_level.ravel(),
            "score": self.dimension_score.ravel(),
            "target": np.tile(self.dimension_target, rows),
        })

    def capabilities_frame(self) -> pd.DataFrame:
        """Wide table: one row per capability, one column per wave (projected level), then the target."""
        frame = pd.DataFrame(self.capability_level.T, columns=[f"wave {w}" if w else "now" for w in range(self.waves + 1)])
        frame["target"] = self.capability_target
        frame = frame.astype("Int64")
        frame.insert(0, "capability", [c.id for c in self.questionnaire.capabilities])
        return frame


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    defined = ~np.isnan(values)
    w = np.where(defined, weights, 0.0)
    total = w.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (np.where(defined, values, 0.0) * w).sum(axis=-1) / total
    return np.where(total > 0, mean, np.nan)


def _staged(levels: np.ndarray, part_levels: np.ndarray, staged: bool) -> np.ndarray:
    """A level is at most one above its weakest defined part under the staged method."""
    if not staged:
        return levels
    with np.errstate(invalid="ignore"):
        floor = np.nanmin(np.where(np.isnan(part_levels), np.inf, part_levels), axis=-1) + 1
    return np.where(np.isnan(levels), np.nan, np.minimum(levels, floor))


def step_done_wave(library: Library, capability: str, from_level: int, placements: dict[str, int],
                   dropped: set[str]) -> int | None:
    """The wave after which a step is complete (0 = already), or None if it is not planned or fully dropped."""
    initiatives = [i for i in library.step(capability, from_level) if i.id not in dropped]
    if not initiatives or any(i.id not in placements for i in initiatives):
        return None
    return max(placements[i.id] for i in initiatives)


def project(state: UnitState, library: Library, placements: dict[str, int], dropped: set[str] = frozenset(),
            waves: int | None = None) -> Projection:
    """Project levels after each wave from where initiatives are placed (wave 0 = already done)."""
    q = state.questionnaire
    n_waves = waves if waves is not None else max(placements.values(), default=0)
    thresholds = (1.0,) + tuple(q.scoring.thresholds)
    cap_level = np.repeat(state.capability_level[None, :], n_waves + 1, axis=0)
    cap_score = np.repeat(state.capability_score[None, :], n_waves + 1, axis=0)
    for c, capability in enumerate(q.capabilities):
        current = state.capability_level[c]
        if np.isnan(current):
            continue
        reached_at = 0
        for from_level in range(int(current), 4):
            done = step_done_wave(library, capability.id, from_level, placements, dropped)
            if done is None:
                break
            reached_at = max(reached_at, done)
            if reached_at > n_waves:
                break
            cap_level[reached_at:, c] = from_level + 1
            cap_score[reached_at:, c] = np.maximum(cap_score[reached_at:, c], thresholds[from_level])
    staged = q.scoring.method == "staged"
    members = [np.flatnonzero(q.capability_dimension == d) for d in range(len(q.dimensions))]
    cap_weight = np.array([c.weight for c in q.capabilities])
    dim_weight = np.array([d.weight for d in q.dimensions])
    dim_score = np.stack([_weighted_mean(cap_score[:, m], cap_weight[m]) for m in members], axis=1)
    dim_level = np.stack([_staged(q.scoring.levels_of(dim_score[:, d]), cap_level[:, m], staged)
                          for d, m in enumerate(members)], axis=1)
    overall_score = _weighted_mean(dim_score, dim_weight)
    overall_level = _staged(q.scoring.levels_of(overall_score), dim_level, staged)
    return Projection(questionnaire=q, capability_level=cap_level, capability_score=cap_score,
                      dimension_level=dim_level, dimension_score=dim_score, overall_level=overall_level,
                      capability_target=state.capability_target, dimension_target=state.dimension_target)
