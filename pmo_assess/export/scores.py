"""Scores out: the ``pmo-assess/scores@1`` JSON object, a flat CSV, and a readable text table."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

import numpy as np

from pmo_assess.explain import explain_capability, explain_dimension, explain_overall, needs_explanation
from pmo_assess.sanitize import neutralize_formula
from pmo_assess.scoring import Gaps, Scores

SCHEMA = "pmo-assess/scores@1"


def _nan_to_none(value: float) -> float | None:
    return None if value != value else value


def _int(value: float) -> int | None:
    return None if value is None or value != value else int(value)


class _Columns:
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
        self.coverage = np.round(scores.coverage, 2).tolist()
        self.disputed = scores.disputed.tolist()
        self.capability_respondents = scores.capability_respondents.tolist()
        self.gaps = gaps is not None
        if gaps is not None:
            self.dimension_target = gaps.dimension_target.tolist()
            self.dimension_gap = gaps.dimension_gap.tolist()
            self.capability_target = gaps.capability_target.tolist()
            self.capability_gap = gaps.capability_gap.tolist()


def unit_to_dict(scores: Scores, unit: int, gaps: Gaps | None = None,
                 columns: _Columns | None = None) -> dict[str, Any]:
    """One unit of the scores@1 object, with targets, gaps and explanations where they apply."""
    q = scores.questionnaire
    col = columns or _Columns(scores, gaps)
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


def scores_to_dict(scores: Scores, gaps: Gaps | None = None, units: list[int] | None = None) -> dict[str, Any]:
    """The whole ``pmo-assess/scores@1`` object (units in input order unless ``units`` picks some)."""
    q = scores.questionnaire
    picked = range(len(scores.units)) if units is None else units
    columns = _Columns(scores, gaps)
    return {
        "schema": SCHEMA,
        "questionnaire": {"id": q.id, "version": q.version},
        "scoring": {"method": q.scoring.method, "thresholds": list(q.scoring.thresholds),
                    "dispute_range": q.scoring.dispute_range},
        "units": [unit_to_dict(scores, u, gaps, columns) for u in picked],
    }


def scores_to_json(scores: Scores, gaps: Gaps | None = None, units: list[int] | None = None) -> str:
    """The scores@1 object as compact JSON (one line; pipe through ``python -m json.tool`` to read)."""
    return json.dumps(scores_to_dict(scores, gaps, units), ensure_ascii=False, separators=(",", ":")) + "\n"


CSV_COLUMNS = ("business_unit", "kind", "id", "dimension", "score", "level", "level_name", "capped_by",
               "dispersion", "coverage", "disputed", "respondents", "target", "gap")


def scores_to_csv(scores: Scores, gaps: Gaps | None = None) -> str:
    """One row per unit × (overall, dimension, capability): easy to pivot in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    columns = _Columns(scores, gaps)
    for u in range(len(scores.units)):
        unit = unit_to_dict(scores, u, gaps, columns)
        name = neutralize_formula(unit["business_unit"])  # user text, opened in spreadsheets
        o = unit["overall"]
        writer.writerow([name, "overall", "", "", o["score"], o["level"], o["level_name"], o["capped_by"],
                         "", "", "", unit["respondents"], "", ""])
        for d in unit["dimensions"]:
            writer.writerow([name, "dimension", d["id"], d["id"], d["score"], d["level"], d["level_name"],
                             d["capped_by"], "", "", "", "", d.get("target"), d.get("gap")])
        for c in unit["capabilities"]:
            writer.writerow([name, "capability", c["id"], c["dimension"], c["score"], c["level"],
                             c["level_name"], "", c["dispersion"], c["coverage"], c["disputed"],
                             c["respondents"], c.get("target"), c.get("gap")])
    return out.getvalue()


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def scores_to_table(scores: Scores, gaps: Gaps | None = None) -> str:
    """A readable block per unit: overall, then each dimension with its capabilities."""
    q = scores.questionnaire
    lines = []
    header = f"  {'':34} {'score':>5} {'level':<20} {'target':>6} {'gap':>3} {'spread':>6} {'cover':>5}  notes"
    columns = _Columns(scores, gaps)
    for u in range(len(scores.units)):
        unit = unit_to_dict(scores, u, gaps, columns)
        o = unit["overall"]
        capped = f", capped by {o['capped_by']}" if o["capped_by"] else ""
        people = f"{unit['respondents']} respondent{'s' if unit['respondents'] != 1 else ''}"
        lines.append(f"{unit['business_unit']} — {people} — overall "
                     f"{_fmt(o['score'])} {o['level'] or '-'} {o['level_name'] or ''}{capped}")
        lines.append(header)
        caps_by_dim: dict[str, list[dict]] = {}
        for c in unit["capabilities"]:
            caps_by_dim.setdefault(c["dimension"], []).append(c)
        for d, dim in zip(unit["dimensions"], q.dimensions):
            level = f"{d['level'] or '-'} {d['level_name'] or ''}"
            notes = f"capped by {d['capped_by']}" if d["capped_by"] else ""
            lines.append(f"  {dim.name:34} {_fmt(d['score']):>5} {level:<20} {_fmt(d.get('target')):>6} "
                         f"{_fmt(d.get('gap')):>3} {'':>6} {'':>5}  {notes}".rstrip())
            for c in caps_by_dim.get(dim.id, []):
                level = f"{c['level'] or '-'} {c['level_name'] or ''}"
                notes = "disputed" if c["disputed"] else ""
                coverage = "-" if c["coverage"] is None else f"{c['coverage']:.0%}"
                lines.append(f"    {c['id']:32} {_fmt(c['score']):>5} {level:<20} {_fmt(c.get('target')):>6} "
                             f"{_fmt(c.get('gap')):>3} {_fmt(c['dispersion']):>6} {coverage:>5}  {notes}".rstrip())
        lines.append("")
    return "\n".join(lines)
