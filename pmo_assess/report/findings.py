"""Findings by dimension: each dimension's level and why, its capabilities, and its questions in full text
(with what evidence to look at when the question bank says), beside the previous round when given."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_assess.explain import explain_dimension
from pmo_assess.report import tables
from pmo_assess.report.display import table_html
from pmo_assess.report.previous import PREVIOUS_LEVEL, PREVIOUS_SCORE, previous_values
from pmo_assess.report.unit import UnitReport
from pmo_assess.sanitize import escape_html


def _level(value: float) -> int | None:
    return None if value != value else int(value)


def _score(value: float) -> float | None:
    return None if value != value else round(float(value), 2)


def capability_findings(report: UnitReport, dimension: int, previous: dict | None = None) -> pd.DataFrame:
    """One row per capability of a dimension: score, level, target, gap, spread, disputed (and the previous round)."""
    s, q = report.scores, report.questionnaire
    before = previous_values(previous)
    rows = []
    for c, cap in enumerate(q.capabilities):
        if cap.dimension != q.dimensions[dimension].id:
            continue
        row = {"capability": cap.name, "score": _score(s.capability_score[0, c]),
               "level": _level(s.capability_level[0, c])}
        if report.gaps is not None:
            row["target"] = _level(report.gaps.capability_target[0, c])
            row["gap"] = _level(report.gaps.capability_gap[0, c])
        row[tables.SPREAD] = tables.capability_spread(report, c)
        row["disputed"] = bool(s.disputed[0, c])
        if previous is not None:
            row[PREVIOUS_LEVEL], row[PREVIOUS_SCORE] = before.get(("capability", cap.id), (None, None))
        rows.append(row)
    return pd.DataFrame(rows)


def question_findings(report: UnitReport, dimension: int) -> pd.DataFrame:
    """One row per question of a dimension: its text (id in brackets), the unit's mean answer, and evidence."""
    s, q = report.scores, report.questionnaire
    index = q.question_index
    rows = []
    for cap in q.dimensions[dimension].capabilities:
        for question in cap.questions:
            rows.append({"capability": cap.name, "question": f"{question.text} ({question.id})",
                         "mean answer": _score(s.question_mean[0, index[question.id]]),
                         "evidence to look at": getattr(question, "evidence", "") or ""})
    frame = pd.DataFrame(rows)
    if not frame.empty and not frame["evidence to look at"].astype(bool).any():
        frame = frame.drop(columns="evidence to look at")
    return frame


def findings_html(report: UnitReport, previous: dict | None = None) -> str:
    """Every dimension's findings as escaped HTML: heading with level, why, capabilities table, questions table."""
    s, q = report.scores, report.questionnaire
    before = previous_values(previous)
    parts = []
    for d, dim in enumerate(q.dimensions):
        level = _level(s.dimension_level[0, d])
        score = "–" if np.isnan(s.dimension_score[0, d]) else f"{s.dimension_score[0, d]:.2f}"
        named = f"level {level} ({q.level_name(level)})" if level else "no level"
        was = ""
        if previous is not None:
            old_level, old_score = before.get(("dimension", dim.id), (None, None))
            was = (f" <span class=\"was\">previous round: level {old_level}, score {old_score:.2f}</span>"
                   if old_level is not None and old_score is not None else " <span class=\"was\">not in the "
                   "previous round</span>")
        parts.append(
            f'<section class="dimension"><h3>{escape_html(dim.name)}: {escape_html(named)}, score {score}{was}</h3>'
            f"<p>{escape_html(explain_dimension(s, 0, d))}</p>"
            + table_html(capability_findings(report, d, previous))
            + table_html(question_findings(report, d)) + "</section>")
    return "".join(parts)
