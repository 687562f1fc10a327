"""Tidy tables of one unit's report: headline, dimensions, gaps, disputes, coverage, comments.

Each function takes a :class:`~pmo_assess.report.unit.UnitReport` and returns plain values or a
DataFrame with readable column names; the notebooks only display them.

Views stay bounded: a unit with more than :data:`LARGE_UNIT` respondents gets per-role columns
(score distributions, answer counts) where a small unit gets one column per respondent, so a unit
of 18,000 respondents reports in seconds and its report stays readable. Comments are listed up to
:data:`MAX_COMMENTS`, with a count of the rest.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from pmo_assess.explain import explain_capability, explain_dimension, explain_overall
from pmo_assess.io.answers import COUNTED, DONT_KNOW, NOT_APPLICABLE, answer_codes
from pmo_assess.report.anonymise import respondent_label
from pmo_assess.report.unit import UnitReport


#: Above this many respondents, per-respondent columns become per-role distributions.
LARGE_UNIT = 60
#: Comments listed in a report; the rest are counted (they stay in the answers file).
MAX_COMMENTS = 500
#: Label of respondents without a role in per-role views.
NO_ROLE = "(no role)"
#: Header of the max − min of respondents' capability scores (the number compared with the dispute range).
SPREAD = "spread (max − min)"


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


def respondents(report: UnitReport) -> int:
    """How many distinct respondents the unit has."""
    return int(report.scores.unit_respondents[0])


def by_role(report: UnitReport) -> bool:
    """True when the unit is too large for one column per respondent: views show per-role distributions."""
    return respondents(report) > LARGE_UNIT


def view_note(report: UnitReport) -> str:
    """A sentence saying the views below are per role (and why), or "" for a unit small enough to show everyone."""
    if not by_role(report):
        return ""
    return (f"{report.business_unit} has {respondents(report):,} respondents, more than {LARGE_UNIT}: the capability "
            "chart and the disputed items show each role's distribution instead of one column per respondent.")


def _roles(report: UnitReport) -> tuple[list[str], np.ndarray]:
    """Role labels (questionnaire order, then as found) and each respondent's position among them."""
    found = np.array([report.shown_role(r) for r in report.scores.respondent_table["role"].astype(str)], dtype=object)
    present = list(dict.fromkeys(found))
    ordered = [r for r in report.questionnaire.role_weights if r in present]
    ordered += [r for r in present if r not in ordered]
    index = {r: i for i, r in enumerate(ordered)}
    return [r or NO_ROLE for r in ordered], np.array([index[r] for r in found], dtype=np.int64)


def capability_matrix(report: UnitReport) -> pd.DataFrame:
    """Capabilities (rows) × each respondent's capability score (per role's mean in a large unit) and the unit's."""
    s, q = report.scores, report.questionnaire
    people = s.respondent_table
    if by_role(report):
        roles, position = _roles(report)
        columns = {}
        for r, role in enumerate(roles):
            block = s.respondent_capability[position == r]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # a capability nobody in the role scored: NaN
                columns[f"{role} ({len(block):,}): mean"] = np.nanmean(block, axis=0)
        matrix = pd.DataFrame(columns, index=[c.name for c in q.capabilities])
    else:
        labels = [respondent_label(r.respondent, report.shown_role(r.role)) for r in people.itertuples()]
        matrix = pd.DataFrame(s.respondent_capability.T, columns=labels, index=[c.name for c in q.capabilities])
    matrix["unit score"] = s.capability_score[0]
    return matrix


def role_distribution(report: UnitReport) -> pd.DataFrame:
    """Per capability and role: respondents with a score, and the spread of their scores (quartiles, extremes)."""
    s, q = report.scores, report.questionnaire
    roles, position = _roles(report)
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN, shown as "–"
        stats = []
        for r in range(len(roles)):
            block = s.respondent_capability[position == r]
            stats.append((np.sum(~np.isnan(block), axis=0), np.nanmean(block, axis=0),
                          np.nanpercentile(block, [0, 25, 50, 75, 100], axis=0)))
    for c, cap in enumerate(q.capabilities):
        for r, role in enumerate(roles):
            scored, mean, quantiles = stats[r]
            rows.append({"capability": cap.name, "role": role, "respondents": int(scored[c]),
                         "mean": float(mean[c]), "lowest": float(quantiles[0, c]),
                         "lower quartile": float(quantiles[1, c]), "median": float(quantiles[2, c]),
                         "upper quartile": float(quantiles[3, c]), "highest": float(quantiles[4, c])})
    return pd.DataFrame(rows)


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
    columns = ["capability", SPREAD, "question", "text"]
    if not disputed:
        return pd.DataFrame(columns=columns)
    if by_role(report):
        return _disputed_by_role(report, disputed)
    people = s.respondent_table
    label = {r.respondent: respondent_label(r.respondent, report.shown_role(r.role)) for r in people.itertuples()}
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
            row = {"capability": cap.name, SPREAD: spread, "question": item.id, "text": item.text}
            for person in people["respondent"]:
                row[label[person]] = given.get((item.id, person), "") or "dk"
            rows.append(row)
    return pd.DataFrame(rows)


def capability_spread(report: UnitReport, capability: int) -> float | None:
    """Max − min of the respondents' scores of a capability (2 decimals); None when nobody scored it."""
    own = report.scores.respondent_capability[:, capability]
    if np.isnan(own).all():
        return None
    return round(float(np.nanmax(own) - np.nanmin(own)), 2)


def _lookup(column: pd.Series, positions: dict[str, int]) -> np.ndarray:
    """Each row's position in ``positions`` (-1 if absent), looked up once per distinct value."""
    cat = column if isinstance(column.dtype, pd.CategoricalDtype) else column.astype("category")
    table = np.array([positions.get(str(c), -1) for c in cat.cat.categories] + [-1], dtype=np.int64)
    return table[cat.cat.codes.to_numpy()]


def _disputed_by_role(report: UnitReport, disputed: list) -> pd.DataFrame:
    """Disputed questions with, per role, how many respondents gave each answer (missing rows count as don't know)."""
    q = report.questionnaire
    roles, position = _roles(report)
    people = report.scores.respondent_table
    person = {name: i for i, name in enumerate(people["respondent"].astype(str))}
    role_size = np.bincount(position, minlength=len(roles))
    frame = report.answers
    wanted = {item.id: k for k, item in enumerate(x for cap in disputed for x in cap.questions)}
    question, who = _lookup(frame["question"], wanted), _lookup(frame["respondent"], person)
    keep = (question >= 0) & (who >= 0)  # the room's consensus rows are not a respondent's
    status, value = answer_codes(frame["answer"])
    row_role = position[who[keep]]
    # code per row: 0-3 answers 1-4, 4 n/a, 5 don't know
    code = np.where(status == COUNTED, np.nan_to_num(value) - 1, np.where(status == NOT_APPLICABLE, 4, 5))[keep]
    counts = np.bincount((question[keep] * len(roles) + row_role) * 6 + code.astype(np.int64),
                         minlength=len(wanted) * len(roles) * 6).reshape(len(wanted), len(roles), 6)
    counts[:, :, 5] += role_size - counts.sum(axis=2)  # respondents with no row for the question
    names = ("1", "2", "3", "4", "n/a", "don't know")
    rows = []
    for cap in disputed:
        spread = capability_spread(report, q.capabilities.index(cap))
        for item in cap.questions:
            row = {"capability": cap.name, SPREAD: spread, "question": item.id, "text": item.text}
            for r, role in enumerate(roles):
                found = counts[wanted[item.id], r]
                row[f"{role} ({role_size[r]:,})"] = ", ".join(f"{n}: {k:,}" for n, k in zip(names, found) if k)
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


def _commented_rows(report: UnitReport) -> np.ndarray:
    """Positions of the rows with a comment, in questionnaire order (then file order)."""
    frame = report.answers
    written = {str(c): 1 for c in frame["comment"].astype("category").cat.categories if str(c).strip()}
    rows = np.flatnonzero(_lookup(frame["comment"], written) > 0)
    order = report.questionnaire.question_index
    rank = _lookup(frame["question"].iloc[rows], order)
    rank[rank < 0] = len(order)
    return rows[np.argsort(rank, kind="stable")]


def comment_count(report: UnitReport) -> int:
    """How many answers of the unit carry a comment."""
    return len(_commented_rows(report))


def comments(report: UnitReport, limit: int = MAX_COMMENTS) -> pd.DataFrame:
    """Respondents' comments (raw text: display them escaped), in questionnaire order; the first ``limit`` of them."""
    frame = report.answers
    rows = _commented_rows(report)[:limit]
    q = report.questionnaire
    capability_of = {qq.id: c.name for c in q.capabilities for qq in c.questions}
    picked = {column: frame[column].iloc[rows].astype(str).to_numpy()
              for column in ("question", "respondent", "role", "answer", "comment")}
    picked["role"] = np.array([report.shown_role(r) for r in picked["role"]], dtype=object)
    return pd.DataFrame({"capability": [capability_of.get(x, "") for x in picked["question"]], **picked},
                        columns=["capability", "question", "respondent", "role", "answer", "comment"])


def comments_note(report: UnitReport, limit: int = MAX_COMMENTS) -> str:
    """Empty when every comment is listed, else how many the report leaves out (they stay in the answers)."""
    total = comment_count(report)
    if total <= limit:
        return ""
    return f"The first {limit:,} of {total:,} comments, in questionnaire order; all of them are in the answers file."
