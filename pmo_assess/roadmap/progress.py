"""Progress to date against an earlier assessment of the same unit, and what moved.

Progress = (current level − baseline level) / (target level − baseline level), per capability and
dimension: 0 % means nothing moved, 100 % means the target is reached. Levels, not scores, because
targets are levels; score changes are shown beside it to say what moved inside a level.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.targets import Targets
from pmo_assess.scoring import Scores

#: A score change at least this large is listed as "moved" even if the level did not change.
MOVED_SCORE = 0.25


def _unit_rows(scores: Scores, business_unit: str, label: str) -> pd.DataFrame:
    if business_unit not in scores.units:
        raise InputErrors([InputProblem(label, "business_unit", f"no answers for business unit {business_unit!r}")])
    caps = scores.capabilities[scores.capabilities["business_unit"] == business_unit]
    dims = scores.dimensions[scores.dimensions["business_unit"] == business_unit]
    overall = scores.overall[scores.overall["business_unit"] == business_unit]
    return pd.concat([
        pd.DataFrame({"kind": "capability", "id": caps["capability"], "dimension": caps["dimension"],
                      "score": caps["score"], "level": caps["level"].astype("float")}),
        pd.DataFrame({"kind": "dimension", "id": dims["dimension"], "dimension": dims["dimension"],
                      "score": dims["score"], "level": dims["level"].astype("float")}),
        pd.DataFrame({"kind": "overall", "id": "overall", "dimension": "", "score": overall["score"],
                      "level": overall["level"].astype("float")}),
    ], ignore_index=True)


def _status(row: pd.Series) -> str:
    if np.isnan(row["current_level"]) or np.isnan(row["baseline_level"]):
        return "not comparable (no score in one of the assessments)"
    change = int(row["current_level"] - row["baseline_level"])
    target = row["target"]
    if not np.isnan(target) and row["current_level"] >= target:
        moved = f"up {change} level{'s' if change > 1 else ''}, " if change > 0 else ""
        return f"{moved}target {int(target)} reached"
    if change > 0:
        return f"up {change} level{'s' if change > 1 else ''}"
    if change < 0:
        return f"down {-change} level{'s' if change < -1 else ''}"
    delta = row["score_change"]
    return f"same level, score {delta:+.2f}" if abs(delta) >= 0.005 else "no change"


def progress_to_date(baseline: Scores, current: Scores, targets: Targets | None, business_unit: str,
                     baseline_unit: str | None = None) -> pd.DataFrame:
    """One row per capability, dimension and overall: baseline, current, target, progress (0-1) and what moved."""
    before = _unit_rows(baseline, baseline_unit or business_unit, "earlier assessment")
    now = _unit_rows(current, business_unit, "current assessment")
    table = now.merge(before[["kind", "id", "score", "level"]], on=["kind", "id"], how="left",
                      suffixes=("", "_baseline"))
    table = table.rename(columns={"score": "current_score", "level": "current_level",
                                  "score_baseline": "baseline_score", "level_baseline": "baseline_level"})
    targets_by_row = []
    for kind, ident, dimension in zip(table["kind"], table["id"], table["dimension"]):
        found = None
        if targets is not None and kind == "capability":
            found = targets.capability_target(business_unit, ident, dimension)
        elif targets is not None and kind == "dimension":
            found = targets.dimension_target(business_unit, ident)
        targets_by_row.append(float(found.level) if found else np.nan)
    table["target"] = targets_by_row
    table["score_change"] = table["current_score"] - table["baseline_score"]
    span = table["target"] - table["baseline_level"]
    with np.errstate(invalid="ignore", divide="ignore"):
        table["progress"] = np.where(span > 0, (table["current_level"] - table["baseline_level"]) / span, np.nan)
    table["status"] = [_status(row) for _, row in table.iterrows()]
    return table[["kind", "id", "dimension", "baseline_score", "current_score", "score_change",
                  "baseline_level", "current_level", "target", "progress", "status"]]


def what_moved(progress: pd.DataFrame, min_score_change: float = MOVED_SCORE) -> pd.DataFrame:
    """The rows whose level changed or whose score moved by at least ``min_score_change``, largest first."""
    level_moved = progress["current_level"] != progress["baseline_level"]
    comparable = progress["current_level"].notna() & progress["baseline_level"].notna()
    moved = progress[comparable & (level_moved | (progress["score_change"].abs() >= min_score_change))]
    return moved.reindex(moved["score_change"].abs().sort_values(ascending=False, kind="stable").index)
