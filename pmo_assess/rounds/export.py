"""The comparison as CSV (one row per unit × round × row, for pivoting) and JSON (``pmo-assess/compare@1``)."""
from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from pmo_assess.rounds.comparison import ORGANISATION_RULE, Comparison
from pmo_assess.sanitize import neutralize_formula

COMPARE_SCHEMA = "pmo-assess/compare@1"
CSV_COLUMNS = ["business_unit", "kind", "id", "dimension", "round", "assessed_on", "score", "level", "target",
               "previous_round", "score_change", "level_change", "status", "reason", "scored_differently",
               "progress_from_first"]
#: Scores, means and score changes: reported rounded to 2 decimals (contract rule 8; levels use unrounded values).
SCORE_DECIMALS = 2


def round_scores(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` with ``columns`` rounded to :data:`SCORE_DECIMALS` (no ``-0.0``); NaN stays NaN."""
    return frame.assign(**{c: frame[c].astype(float).round(SCORE_DECIMALS) + 0.0 for c in columns if c in frame})


def _long_table(comparison: Comparison) -> pd.DataFrame:
    keys = ["business_unit", "round", "kind", "id"]
    changes = comparison.changes[keys + ["previous", "score_change", "level_change", "status", "reason",
                                         "method_changed"]]
    table = comparison.values.merge(changes, on=keys, how="left")
    progress = comparison.progress[["business_unit", "latest", "kind", "id", "progress"]]
    table = table.merge(progress.rename(columns={"latest": "round", "progress": "progress_from_first"}),
                        on=keys, how="left")
    names = comparison.round_names
    dates = [r.info.assessed_on.isoformat() for r in comparison.history.rounds]
    table["assessed_on"] = [dates[i] for i in table["round"]]
    table["previous_round"] = [names[int(p)] if p == p else "" for p in table["previous"]]
    table["round"] = [names[i] for i in table["round"]]
    table["status"] = table["status"].fillna("first round")
    table["reason"] = table["reason"].fillna("")
    table["scored_differently"] = table["method_changed"].fillna(False).astype(bool)
    return round_scores(table[CSV_COLUMNS], ["score", "score_change"])


def comparison_to_csv(comparison: Comparison) -> str:
    """Every unit's rows in every round with the change against its previous round; unit names made inert."""
    table = _long_table(comparison)
    table["business_unit"] = [neutralize_formula(u) for u in table["business_unit"]]
    return table.to_csv(index=False, float_format="%.4g", lineterminator="\n")


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _clean(value.item())
    return value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


def comparison_to_dict(comparison: Comparison, roadmap: pd.DataFrame | None = None) -> dict[str, Any]:
    """Rounds, flags, ranking, every row with the change against the previous round, and the roadmap check."""
    rounds = [{"label": r.info.label, "name": r.name, "assessed_on": r.info.assessed_on.isoformat(),
               "questionnaire": {"id": r.questionnaire[0], "version": r.questionnaire[1]}, "method": r.method,
               "units": len(r.units)} for r in comparison.history.rounds]
    data = {"schema": COMPARE_SCHEMA, "rounds": rounds, "flags": list(comparison.flags),
            "organisation": ORGANISATION_RULE,
            "ranking": _records(round_scores(comparison.ranking, ["overall_first", "overall_latest", "overall_change"])),
            "rows": _records(_long_table(comparison))}
    if roadmap is not None:
        data["roadmap"] = _records(roadmap)
    return data


def comparison_to_json(comparison: Comparison, roadmap: pd.DataFrame | None = None) -> str:
    return json.dumps(comparison_to_dict(comparison, roadmap), ensure_ascii=False, indent=1, default=str) + "\n"
