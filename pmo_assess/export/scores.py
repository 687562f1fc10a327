"""Scores out: the ``pmo-assess/scores@1`` JSON object and a flat CSV (the text table is in ``export.table``)."""
from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

import numpy as np

from pmo_assess.explain import Explainer, borderline
from pmo_assess.sanitize import neutralize_formula
from pmo_assess.scoring import Gaps, Scores

if TYPE_CHECKING:
    from pmo_assess.rounds.round_info import RoundInfo

SCHEMA = "pmo-assess/scores@1"


def _nan_to_none(values: np.ndarray) -> list:
    """An array as (nested) lists with None for NaN, as scores@1 writes undefined numbers."""
    return np.where(np.isnan(values), None, values).tolist()


def _ints(values: np.ndarray) -> list:
    """A float array of whole numbers (levels, targets, gaps) as (nested) lists of int, None for NaN."""
    defined = ~np.isnan(values)
    return np.where(defined, np.where(defined, values, 0).astype(np.int64), None).tolist()


class ScoreColumns:
    """The score arrays as Python lists, converted once for all units (fast JSON building), and which
    levels carry an explanation (capped or borderline), decided for all units at once."""

    def __init__(self, scores: Scores, gaps: Gaps | None):
        thresholds = scores.questionnaire.scoring.thresholds
        level_name = scores.questionnaire.level_name
        self.overall_score = scores.overall_score.tolist()
        self.overall_score_2 = _nan_to_none(np.round(scores.overall_score, 2))
        self.dimension_score_2 = _nan_to_none(np.round(scores.dimension_score, 2))
        self.capability_score_2 = _nan_to_none(np.round(scores.capability_score, 2))
        self.overall_level = _ints(scores.overall_level)
        self.overall_capped_by = scores.overall_capped_by.tolist()
        self.overall_explained = (borderline(scores.overall_score, thresholds)
                                  | (scores.overall_capped_by >= 0)).tolist()
        self.respondents = scores.unit_respondents.tolist()
        self.dimension_score = scores.dimension_score.tolist()
        self.dimension_level = _ints(scores.dimension_level)
        self.dimension_capped_by = scores.dimension_capped_by.tolist()
        self.dimension_explained = (borderline(scores.dimension_score, thresholds)
                                    | (scores.dimension_capped_by >= 0)).tolist()
        self.capability_score = scores.capability_score.tolist()
        self.capability_level = _ints(scores.capability_level)
        self.capability_explained = borderline(scores.capability_score, thresholds).tolist()
        levels = np.unique(np.concatenate([scores.overall_level.ravel(), scores.dimension_level.ravel(),
                                           scores.capability_level.ravel()]))
        self.level_names = {level: level_name(level)
                            for level in [None, *levels[~np.isnan(levels)].astype(int).tolist()]}
        self.dispersion = _nan_to_none(np.round(scores.dispersion, 2))
        self.spread = _nan_to_none(np.round(scores.spread, 2))
        self.coverage = _nan_to_none(np.round(scores.coverage, 2))
        # disputed is undefined (null) where no respondent has a score, like spread
        self.disputed = np.where(np.isnan(scores.spread), None, scores.disputed).tolist()
        self.capability_respondents = scores.capability_respondents.tolist()
        self.explainer = Explainer(scores)
        self.capability_ids = [c.id for c in scores.questionnaire.capabilities]
        self.dimension_ids = [d.id for d in scores.questionnaire.dimensions]
        self.gaps = gaps is not None
        if gaps is not None:
            self.dimension_target = _ints(gaps.dimension_target)
            self.dimension_gap = _ints(gaps.dimension_gap)
            self.capability_target = _ints(gaps.capability_target)
            self.capability_gap = _ints(gaps.capability_gap)


def unit_to_dict(scores: Scores, unit: int, gaps: Gaps | None = None,
                 columns: ScoreColumns | None = None) -> dict[str, Any]:
    """One unit of the scores@1 object, with targets, gaps and explanations where they apply."""
    q = scores.questionnaire
    col = columns or ScoreColumns(scores, gaps)
    explainer, names, cap_ids, dim_ids = col.explainer, col.level_names, col.capability_ids, col.dimension_ids
    overall_capper = col.overall_capped_by[unit]
    overall_level = col.overall_level[unit]
    overall = {
        "score": col.overall_score_2[unit], "level": overall_level, "level_name": names[overall_level],
        "capped_by": dim_ids[overall_capper] if overall_capper >= 0 else None,
        "explanation": explainer.overall(unit) if col.overall_explained[unit] else None,
    }
    dimensions = []
    cappers, explained = col.dimension_capped_by[unit], col.dimension_explained[unit]
    for d, (dim_id, score, level) in enumerate(zip(dim_ids, col.dimension_score_2[unit], col.dimension_level[unit])):
        capper = cappers[d]
        entry = {"id": dim_id, "score": score, "level": level, "level_name": names[level],
                 "capped_by": cap_ids[capper] if capper >= 0 else None}
        if col.gaps:
            entry["target"] = col.dimension_target[unit][d]
            entry["gap"] = col.dimension_gap[unit][d]
        entry["explanation"] = explainer.dimension(unit, d) if explained[d] else None
        dimensions.append(entry)
    capabilities = []
    explained = col.capability_explained[unit]
    rows = zip(q.capabilities, col.capability_score_2[unit], col.capability_level[unit], col.dispersion[unit],
               col.spread[unit], col.coverage[unit], col.disputed[unit], col.capability_respondents[unit])
    for c, (cap, score, level, dispersion, spread, coverage, disputed, respondents) in enumerate(rows):
        entry = {"id": cap.id, "dimension": cap.dimension, "score": score, "level": level,
                 "level_name": names[level], "dispersion": dispersion, "spread": spread, "coverage": coverage,
                 "disputed": disputed, "respondents": respondents}
        if col.gaps:
            entry["target"] = col.capability_target[unit][c]
            entry["gap"] = col.capability_gap[unit][c]
        entry["explanation"] = explainer.capability(unit, c) if explained[c] else None
        capabilities.append(entry)
    return {"business_unit": scores.units[unit], "respondents": col.respondents[unit],
            "overall": overall, "dimensions": dimensions, "capabilities": capabilities}


def method_to_dict(scores: Scores) -> dict[str, Any]:
    """How the levels were computed (``method``, ``thresholds``, ``dispute_range``): rounds scored differently show."""
    rules = scores.questionnaire.scoring
    return {"method": rules.method, "thresholds": list(rules.thresholds), "dispute_range": rules.dispute_range}


def _document_head(scores: Scores, round_info: RoundInfo | None) -> dict[str, Any]:
    """The scores@1 object's keys before ``units``; ``round`` only with ``round_info``."""
    q = scores.questionnaire
    document: dict[str, Any] = {
        "schema": SCHEMA,
        "questionnaire": {"id": q.id, "version": q.version},
        "scoring": method_to_dict(scores),
        "method": method_to_dict(scores),
    }
    if round_info is not None:
        document["round"] = round_info.to_json()
    return document


def scores_to_dict(scores: Scores, gaps: Gaps | None = None, units: list[int] | None = None, *,
                   round_info: RoundInfo | None = None) -> dict[str, Any]:
    """The whole ``pmo-assess/scores@1`` object (units in input order unless ``units`` picks some).

    ``round_info`` adds the top-level ``round`` ({"label", "assessed_on"}); without it the key is left out.
    """
    picked = range(len(scores.units)) if units is None else units
    columns = ScoreColumns(scores, gaps)
    document = _document_head(scores, round_info)
    document["units"] = [unit_to_dict(scores, u, gaps, columns) for u in picked]
    return document


def _compact_json(value: Any) -> str:
    # check_circular=False: the values are trees of fresh dicts and lists, so there is no cycle to look for
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), check_circular=False)


def scores_to_json(scores: Scores, gaps: Gaps | None = None, units: list[int] | None = None, *,
                   round_info: RoundInfo | None = None) -> str:
    """The scores@1 object as compact JSON (one line; pipe through ``python -m json.tool`` to read).

    The same text as dumping :func:`scores_to_dict`, written unit by unit so that each unit's dicts are
    dropped once written: a thousand units never sit in memory as objects at once.
    """
    picked = range(len(scores.units)) if units is None else units
    columns = ScoreColumns(scores, gaps)
    head = _compact_json(_document_head(scores, round_info))
    written = ",".join(_compact_json(unit_to_dict(scores, u, gaps, columns)) for u in picked)
    return f'{head[:-1]},"units":[{written}]}}\n'


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


