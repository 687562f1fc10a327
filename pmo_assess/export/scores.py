"""Scores out: the ``pmo-assess/scores@1`` JSON object and a flat CSV (the text table is in ``export.table``)."""
from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

import numpy as np

from pmo_assess.explain import explain_capability, explain_dimension, explain_overall, needs_explanation
from pmo_assess.sanitize import neutralize_formula
from pmo_assess.scoring import Gaps, Scores

if TYPE_CHECKING:
    from pmo_assess.rounds.round_info import RoundInfo

SCHEMA = "pmo-assess/scores@1"


def _nan_to_none(value: float) -> float | None:
    return None if value != value else value


def _int(value: float) -> int | None:
    return None if value is None or value != value else int(value)


class ScoreColumns:
    """The score arrays as Python lists, converted once for all units (fast JSON building)."""

    def __init__(self, scores: Scores, gaps: Gaps | None):
        self.overall_score = scores.overall_score.tolist()
        self.overall_score_2 = np.round(scores.overall_score, 2).tolist()
        self.dimension_score_2 = np.round(scores.dimension_score, 2).tolist()
        self.capability_score_2 = np.round(scores.capability_score, 2).tolist()
        self.overall_level = scores.overall_level.tolist()
        self.overall_capped_by = scores.overall_capped_by.tolist()
        self.respondents = scores.unit_respondents.tolist()
        self.dimension_score = scores.dimension_score.tolist()
        self.dimension_level = scores.dimension_level.tolist()
        self.dimension_capped_by = scores.dimension_capped_by.tolist()
        self.capability_score = scores.capability_score.tolist()
        self.capability_level = scores.capability_level.tolist()
        self.dispersion = np.round(scores.dispersion, 2).tolist()
        self.spread = np.round(scores.spread, 2).tolist()
        self.coverage = np.round(scores.coverage, 2).tolist()
        # disputed is undefined (null) where no respondent has a score, like spread
        self.disputed = np.where(np.isnan(scores.spread), None, scores.disputed).tolist()
        self.capability_respondents = scores.capability_respondents.tolist()
        self.gaps = gaps is not None
        if gaps is not None:
            self.dimension_target = gaps.dimension_target.tolist()
            self.dimension_gap = gaps.dimension_gap.tolist()
            self.capability_target = gaps.capability_target.tolist()
            self.capability_gap = gaps.capability_gap.tolist()


def unit_to_dict(scores: Scores, unit: int, gaps: Gaps | None = None,
                 columns: ScoreColumns | None = None) -> dict[str, Any]:
    """One unit of the scores@1 object, with targets, gaps and explanations where they apply."""
    q = scores.questionnaire
    col = columns or ScoreColumns(scores, gaps)
    cap_ids = [c.id for c in q.capabilities]
    dim_ids = [d.id for d in q.dimensions]
    name = q.level_name
    overall_capper = col.overall_capped_by[unit]
    overall_score = col.overall_score[unit]
    overall_level = _int(col.overall_level[unit])
    overall = {
        "score": _nan_to_none(col.overall_score_2[unit]), "level": overall_level, "level_name": name(overall_level),
        "capped_by": dim_ids[overall_capper] if overall_capper >= 0 else None,
        "explanation": explain_overall(scores, unit)
        if needs_explanation(scores, overall_score, overall_capper) else None,
    }
    dimensions = []
    for d, dim_id in enumerate(dim_ids):
        capper = col.dimension_capped_by[unit][d]
        score = col.dimension_score[unit][d]
        level = _int(col.dimension_level[unit][d])
        entry = {"id": dim_id, "score": _nan_to_none(col.dimension_score_2[unit][d]), "level": level, "level_name": name(level),
                 "capped_by": cap_ids[capper] if capper >= 0 else None}
        if col.gaps:
            entry["target"] = _int(col.dimension_target[unit][d])
            entry["gap"] = _int(col.dimension_gap[unit][d])
        entry["explanation"] = explain_dimension(scores, unit, d) \
            if needs_explanation(scores, score, capper) else None
        dimensions.append(entry)
    capabilities = []
    for c, cap in enumerate(q.capabilities):
        score = col.capability_score[unit][c]
        level = _int(col.capability_level[unit][c])
        entry = {"id": cap.id, "dimension": cap.dimension, "score": _nan_to_none(col.capability_score_2[unit][c]),
                 "level": level, "level_name": name(level), "dispersion": _nan_to_none(col.dispersion[unit][c]),
                 "spread": _nan_to_none(col.spread[unit][c]),
                 "coverage": _nan_to_none(col.coverage[unit][c]), "disputed": col.disputed[unit][c],
                 "respondents": col.capability_respondents[unit][c]}
        if col.gaps:
            entry["target"] = _int(col.capability_target[unit][c])
            entry["gap"] = _int(col.capability_gap[unit][c])
        entry["explanation"] = explain_capability(scores, unit, c) \
            if needs_explanation(scores, score) else None
        capabilities.append(entry)
    return {"business_unit": scores.units[unit], "respondents": col.respondents[unit],
            "overall": overall, "dimensions": dimensions, "capabilities": capabilities}


def method_to_dict(scores: Scores) -> dict[str, Any]:
    """How the levels were computed (``method``, ``thresholds``, ``dispute_range``): rounds scored differently show."""
    rules = scores.questionnaire.scoring
    return {"method": rules.method, "thresholds": list(rules.thresholds), "dispute_range": rules.dispute_range}


def scores_to_dict(scores: Scores, gaps: Gaps | None = None, units: list[int] | None = None, *,
                   round_info: RoundInfo | None = None) -> dict[str, Any]:
    """The whole ``pmo-assess/scores@1`` object (units in input order unless ``units`` picks some).

    ``round_info`` adds the top-level ``round`` ({"label", "assessed_on"}); without it the key is left out.
    """
    q = scores.questionnaire
    picked = range(len(scores.units)) if units is None else units
    columns = ScoreColumns(scores, gaps)
    document: dict[str, Any] = {
        "schema": SCHEMA,
        "questionnaire": {"id": q.id, "version": q.version},
        "scoring": method_to_dict(scores),
        "method": method_to_dict(scores),
    }
    if round_info is not None:
        document["round"] = round_info.to_json()
    document["units"] = [unit_to_dict(scores, u, gaps, columns) for u in picked]
    return document


def scores_to_json(scores: Scores, gaps: Gaps | None = None, units: list[int] | None = None, *,
                   round_info: RoundInfo | None = None) -> str:
    """The scores@1 object as compact JSON (one line; pipe through ``python -m json.tool`` to read)."""
    document = scores_to_dict(scores, gaps, units, round_info=round_info)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


CSV_COLUMNS = ("business_unit", "kind", "id", "dimension", "score", "level", "level_name", "capped_by",
               "dispersion", "coverage", "disputed", "respondents", "target", "gap", "spread", "explanation",
               "round", "assessed_on")


def scores_to_csv(scores: Scores, gaps: Gaps | None = None, *, round_info: RoundInfo | None = None) -> str:
    """One row per unit × (overall, dimension, capability): easy to pivot in a spreadsheet.

    ``round`` and ``assessed_on`` repeat on every row (empty without ``round_info``) so rounds can be stacked.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    columns = ScoreColumns(scores, gaps)
    stamp = ["", ""] if round_info is None else [neutralize_formula(round_info.label or ""),
                                                 round_info.assessed_on.isoformat()]
    for u in range(len(scores.units)):
        unit = unit_to_dict(scores, u, gaps, columns)
        name = neutralize_formula(unit["business_unit"])  # user text, opened in spreadsheets
        o = unit["overall"]
        writer.writerow([name, "overall", "", "", o["score"], o["level"], o["level_name"], o["capped_by"],
                         "", "", "", unit["respondents"], "", "", "", neutralize_formula(o["explanation"]), *stamp])
        for d in unit["dimensions"]:
            writer.writerow([name, "dimension", d["id"], d["id"], d["score"], d["level"], d["level_name"],
                             d["capped_by"], "", "", "", "", d.get("target"), d.get("gap"), "",
                             neutralize_formula(d["explanation"]),
                             *stamp])
        for c in unit["capabilities"]:
            writer.writerow([name, "capability", c["id"], c["dimension"], c["score"], c["level"],
                             c["level_name"], "", c["dispersion"], c["coverage"], c["disputed"],
                             c["respondents"], c.get("target"), c.get("gap"), c["spread"],
                             neutralize_formula(c["explanation"]),
                             *stamp])
    return out.getvalue()


