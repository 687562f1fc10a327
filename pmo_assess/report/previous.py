"""The previous round beside the current one: a unit's earlier scores@1 entry, read and looked up by id."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.model import Questionnaire
from pmo_assess.report.paths import resolve_input
from pmo_assess.report.portfolio import read_scores_object
from pmo_assess.report.unit import UnitReport
from pmo_assess.rounds.round_info import round_info_from_json
from pmo_assess.sanitize import escape_html

#: Column headers of the previous round's values.
PREVIOUS_LEVEL, PREVIOUS_SCORE = "previous level", "previous score"


def load_previous_unit(path: str | Path, business_unit: str, questionnaire: Questionnaire) -> dict | None:
    """The unit's entry of a previous round's scores.json (with its ``round`` when the file has one).

    "" gives None. A file that cannot be read, is for another questionnaire or lacks the unit: InputErrors.
    """
    if not str(path):
        return None
    data = read_scores_object(resolve_input(path), questionnaire)
    for unit in data.get("units") or []:
        if unit.get("business_unit") == business_unit:
            return {**unit, "round": data.get("round")}
    raise InputErrors([InputProblem(str(path), "units", f"has no unit {business_unit!r}")])


def previous_round_name(previous: dict) -> str:
    """How the report names the previous round: its label or date, else 'the previous round'."""
    info = round_info_from_json(previous.get("round"))
    return info.name if info else "the previous round"


def previous_values(previous: dict | None) -> dict[tuple[str, str], tuple[int | None, float | None]]:
    """(kind, id) → (level, score) of the previous round; kind is "overall", "dimension" or "capability"."""
    if not previous:
        return {}
    found = {("overall", ""): ((previous.get("overall") or {}).get("level"),
                               (previous.get("overall") or {}).get("score"))}
    for kind, key in (("dimension", "dimensions"), ("capability", "capabilities")):
        for entry in previous.get(key) or []:
            found[(kind, entry.get("id"))] = (entry.get("level"), entry.get("score"))
    return found


def previous_table(report: UnitReport, previous: dict | None) -> pd.DataFrame:
    """Overall, each dimension and each capability: the previous round's level and score beside this round's."""
    s, q = report.scores, report.questionnaire
    before = previous_values(previous)
    areas = [("Overall", ("overall", ""), s.overall_level[0], s.overall_score[0])]
    areas += [(d.name, ("dimension", d.id), s.dimension_level[0, i], s.dimension_score[0, i])
              for i, d in enumerate(q.dimensions)]
    areas += [(c.name, ("capability", c.id), s.capability_level[0, i], s.capability_score[0, i])
              for i, c in enumerate(q.capabilities)]
    rows = []
    for name, key, level, score in areas:
        old_level, old_score = before.get(key, (None, None))
        now = None if score != score else round(float(score), 2)
        rows.append({"area": name, "kind": key[0], PREVIOUS_LEVEL: old_level, PREVIOUS_SCORE: old_score,
                     "level": None if level != level else int(level), "score": now,
                     "change in score": None if now is None or old_score is None else round(now - old_score, 2)})
    return pd.DataFrame(rows)


def previous_section_html(report: UnitReport, previous: dict | None) -> str:
    """The "since the previous round" section (heading and table), or "" when no previous round was given."""
    from pmo_assess.report.display import table_html

    if previous is None:
        return ""
    return (f"<h2>Since {escape_html(previous_round_name(previous))}</h2><p>The previous round's level and score "
            "beside this round's, overall, per dimension and per capability.</p>"
            + table_html(previous_table(report, previous)))
