"""What the planner knows of one unit: current score and level, and target, per capability and dimension."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pmo_assess.model import Questionnaire
from pmo_assess.scoring import Gaps, Scores


@dataclass(frozen=True)
class UnitState:
    """Arrays in questionnaire order; NaN where a capability has no score or no target."""

    questionnaire: Questionnaire
    business_unit: str
    capability_score: np.ndarray
    capability_level: np.ndarray
    capability_target: np.ndarray
    dimension_level: np.ndarray
    dimension_target: np.ndarray


def unit_state(scores: Scores, gaps: Gaps, business_unit: str) -> UnitState:
    """The state of one scored unit (KeyError naming the unit if it has no answers)."""
    u = scores.unit_index(business_unit)
    return UnitState(questionnaire=scores.questionnaire, business_unit=business_unit,
                     capability_score=scores.capability_score[u], capability_level=scores.capability_level[u],
                     capability_target=gaps.capability_target[u], dimension_level=scores.dimension_level[u],
                     dimension_target=gaps.dimension_target[u])
