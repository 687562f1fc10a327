"""Tidy tables of one unit's report: headline, dimensions, gaps, disputes, coverage, comments.

Each function takes a :class:`~pmo_assess.report.unit.UnitReport` and returns plain values or a
DataFrame with readable column names; the notebooks only display them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_assess.explain import explain_capability, explain_dimension, explain_overall
from pmo_assess.io.answers import COUNTED, DONT_KNOW, NOT_APPLICABLE, answer_codes
from pmo_assess.report.unit import UnitReport


def _level(value: float) -> int | None:
    return None if value != value else int(value)


def headline(report: UnitReport) -> dict:
    """Overall score and level, the dimension that caps it (if any) and why."""
    s, q = report.scores, report.questionnaire
    level = _level(s.overall_level[0])
    capper = int(s.overall_capped_by[0])
    return {
        "business_unit": report.business_unit,
        "respondents": int(s.unit_respondents[0]),
        "score": None if np.isnan(s.overall_score[0]) else round(float(s.overall_score[0]), 2),
        "level": level,
        "level_name": q.level_name(level),
        "capped_by": q.dimensions[capper].name if capper >= 0 else None,
        "explanation": explain_overall(s, 0),
    }


def dimension_table(report: UnitReport) -> pd.DataFrame:
    """One row per dimension: score, level, target, gap, the capability capping it, and the staged explanation."""
    s, q = report.scores, report.questionnaire
    rows = []
    for d, dim in enumerate(q.dimensions):
        capper = int(s.dimension_capped_by[0, d])
        level = _level(s.dimension_level[0, d])
        rows.append({
            "dimension": dim.name,
            "score": round(float(s.dimension_score[0, d]), 2),
            "level": level,
            "level name": q.level_name(level),
            "target": _level(report.gaps.dimension_target[0, d]) if report.gaps else None,
            "gap": _level(report.gaps.dimension_gap[0, d]) if report.gaps else None,
            "capped by": q.capabilities[capper].name if capper >= 0 else None,
            "why": explain_dimension(s, 0, d),
        })
    return pd.DataFrame(rows)


def radar_values(report: UnitReport) -> tuple[list[str], list[float], list[float] | None]:
    """Dimension names, current levels and target levels (None without targets) for the radar chart."""
    q = report.questionnaire
    labels = [d.name for d in q.dimensions]
    current = [float(v) for v in report.scores.dimension_level[0]]
    target = [float(v) for v in report.gaps.dimension_target[0]] if report.gaps else None
    return labels, current, target


def capability_matrix(report: UnitReport) -> pd.DataFrame:
    """Capabilities (rows) × each respondent's capability score and the unit's, for the heatmap."""
    s, q = report.scores, report.questionnaire
    people = s.respondent_table
    labels = [f"{r.respondent} ({r.role})" if r.role else str(r.respondent) for r in people.itertuples()]
    matrix = pd.DataFrame(s.respondent_capability.T, columns=labels,
                          index=[c.name for c in q.capabilities])
    matrix["unit score"] = s.capability_score[0]
    return matrix


def gaps_ranked(report: UnitReport) -> pd.DataFrame:
    """Capabilities below their target, largest gap first (then lowest level and score); empty without targets."""
    s, q = report.scores, report.questionnaire
    columns = ["dimension", "capability", "score", "level", "target", "gap", "disputed", "next step"]
    if report.gaps is None:
        return pd.DataFrame(columns=columns)
    rows = []
    for c, cap in enumerate(q.capabilities):
        gap = report.gaps.capability_gap[0, c]
        if gap != gap or gap <= 0:
            continue
        rows.append({
            "dimension": q.dimension(cap.dimension).name, "capability": cap.name,
            "score": round(float(s.capability_score[0, c]), 2), "level": _level(s.capability_level[0, c]),
            "target": _level(report.gaps.capability_target[0, c]), "gap": int(gap),
            "disputed": bool(s.disputed[0, c]), "next step": explain_capability(s, 0, c),
        })
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["gap", "level", "score"], ascending=[False, True, True], kind="stable",
                             ignore_index=True)


def disputed_items(report: UnitReport) -> pd.DataFrame:
    """The workshop agenda: each question of a disputed capability with every respondent's answer."""
    s, q = report.scores, report.questionnaire
    disputed = [cap for c, cap in enumerate(q.capabilities) if s.disputed[0, c]]
    columns = ["capability", "spread", "question", "text"]
    if not disputed:
        return pd.DataFrame(columns=columns)
    people = s.respondent_table
    label = {r.respondent: f"{r.respondent} ({r.role})" if r.role else str(r.respondent)
             for r in people.itertuples()}
    frame = report.answers
    respondent = frame["respondent"].astype(str).to_numpy()
    question = frame["question"].astype(str).to_numpy()
    answer = frame["answer"].astype(str).to_numpy()
    given = {(qid, person): text for qid, person, text in zip(question, respondent, answer)}
    scores = s.respondents
    rows = []
    for cap in disputed:
        own = scores[scores["capability"] == cap.id]["score"]
        spread = round(float(own.max() - own.min()), 2)
        for item in cap.questions:
            row = {"capability": cap.name, "spread": spread, "question": item.id, "text": item.text}
            for person in people["respondent"]:
                row[label[person]] = given.get((item.id, person), "") or "dk"
            rows.append(row)
    return pd.DataFrame(rows)


def coverage_table(report: UnitReport) -> pd.DataFrame:
    """Per capability: coverage, respondents with a counted answer, and how many answers were n/a or don't know."""
    s, q = report.scores, report.questionnaire
    status, _ = answer_codes(report.answers["answer"])
    index = q.question_index
    positions = np.array([index.get(str(x), -1) for x in report.answers["question"]], dtype=np.int64)
    known = positions >= 0
    capability = q.question_capability[positions[known]]
    status = status[known]
    n_caps = len(q.capabilities)

    def count(code: int) -> np.ndarray:
        return np.bincount(capability[status == code], minlength=n_caps)

    counted, not_applicable, dont_know = count(COUNTED), count(NOT_APPLICABLE), count(DONT_KNOW)
    return pd.DataFrame({
        "dimension": [q.dimension(c.dimension).name for c in q.capabilities],
        "capability": [c.name for c in q.capabilities],
        "coverage": s.coverage[0],
        "respondents": s.capability_respondents[0],
        "counted": counted, "n/a": not_applicable, "don't know": dont_know,
        "scored": ~np.isnan(s.capability_score[0]),
    })


def not_applicable_areas(report: UnitReport) -> pd.DataFrame:
    """Capabilities with any n/a answer; those with no score at all are left out of their dimension's score."""
    table = coverage_table(report)
    return table[table["n/a"] > 0][["dimension", "capability", "n/a", "counted", "scored"]].reset_index(drop=True)


def comments(report: UnitReport) -> pd.DataFrame:
    """Respondents' comments (raw text: display them escaped), in questionnaire order."""
    frame = report.answers
    text = frame["comment"].astype(str).to_numpy()
    keep = [i for i, t in enumerate(text) if t.strip()]
    q = report.questionnaire
    capability_of = {qq.id: c.name for c in q.capabilities for qq in c.questions}
    order = q.question_index
    rows = [{
        "capability": capability_of.get(str(frame["question"].iloc[i]), ""),
        "question": str(frame["question"].iloc[i]),
        "respondent": str(frame["respondent"].iloc[i]),
        "role": str(frame["role"].iloc[i]),
        "answer": str(frame["answer"].iloc[i]),
        "comment": text[i],
    } for i in keep]
    result = pd.DataFrame(rows, columns=["capability", "question", "respondent", "role", "answer", "comment"])
    rank = result["question"].map(lambda x: order.get(x, len(order)))
    return result.iloc[np.argsort(rank.to_numpy(), kind="stable")].reset_index(drop=True)
