"""The live view of a workshop: levels so far, targets, and the discussion list of disputed items.

Scores come from the foundation's :func:`~pmo_assess.scoring.score_answers` over the unit's
individual respondents only; the ``consensus`` respondent's answers are scored on their own and
shown beside them (column ``consensus_level``), never mixed into the individual scores.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pmo_assess.io.answers import COLUMNS, CONSENSUS_RESPONDENT, COUNTED, classify_answer
from pmo_assess.io.targets import Targets
from pmo_assess.model import Questionnaire
from pmo_assess.scoring import Scores, compute_gaps, score_answers

@dataclass(frozen=True)
class LiveView:
    """What the room sees: per-capability and per-dimension levels, targets, and what to discuss."""

    capabilities: pd.DataFrame
    dimensions: pd.DataFrame
    overall_level: float
    respondents: list[str]
    discussion: pd.DataFrame

    def disputed_capabilities(self) -> list[str]:
        """Ids of the capabilities whose respondents are a dispute range or more apart."""
        return self.capabilities.loc[self.capabilities["disputed"], "capability"].tolist()


def _frame(rows: list[list[str]]) -> pd.DataFrame:
    """The canonical categorical table of some rows (values stripped, as the readers do)."""
    return pd.DataFrame({name: pd.Categorical([row[i].strip() for row in rows]) for i, name in enumerate(COLUMNS)})


def _scores(rows: list[list[str]], questionnaire: Questionnaire, respondents: str = "individual") -> Scores | None:
    return score_answers(_frame(rows), questionnaire, respondents) if rows else None


def _question_spreads(unit_rows: list[list[str]]) -> dict[str, dict[str, str]]:
    """Question id → {respondent: answer as written}, individual respondents only."""
    answers: dict[str, dict[str, str]] = {}
    for row in unit_rows:
        answers.setdefault(row[3].strip(), {})[row[1].strip()] = row[4].strip()
    return answers


def _discussion(questionnaire: Questionnaire, individual: list[list[str]], consensus: list[list[str]],
                respondents: list[str], disputed_caps: set[str]) -> pd.DataFrame:
    """Questions to discuss: in a disputed capability or answered ≥ dispute range apart; answers side by side."""
    by_question = _question_spreads(individual)
    agreed = {r[3].strip(): (r[4].strip(), r[5]) for r in consensus}
    dispute_range = questionnaire.scoring.dispute_range
    records = []
    for cap in questionnaire.capabilities:
        for question in cap.questions:
            given = by_question.get(question.id, {})
            counted = [v for v in (classify_answer(a) for a in given.values()) if v[0] == COUNTED]
            spread = max(c[1] for c in counted) - min(c[1] for c in counted) if len(counted) > 1 else 0.0
            if len(counted) < 2 or (cap.id not in disputed_caps and round(spread, 6) < dispute_range):
                continue
            record = {"question": question.id, "capability": cap.id, "text": question.text, "spread": spread,
                      "capability_disputed": cap.id in disputed_caps}
            record.update({name: given.get(name, "") for name in respondents})
            record["consensus"], record["dissent_note"] = agreed.get(question.id, ("", ""))
            records.append(record)
    columns = ["question", "capability", "text", "spread", "capability_disputed", *respondents,
               "consensus", "dissent_note"]
    table = pd.DataFrame(records, columns=columns)
    if len(table):
        table = table.sort_values(["capability_disputed", "spread"], ascending=[False, False], kind="stable")
    return table.reset_index(drop=True)


def compute_live_view(questionnaire: Questionnaire, business_unit: str, rows: list[list[str]],
                      targets: Targets | None) -> LiveView:
    """Score the unit's rows as they stand (individuals only) and list what the room should discuss."""
    unit_rows = [r for r in rows if r[0].strip() == business_unit]
    individual = [r for r in unit_rows if r[1].strip() != CONSENSUS_RESPONDENT]
    consensus = [r for r in unit_rows if r[1].strip() == CONSENSUS_RESPONDENT]
    scores, agreed = _scores(individual, questionnaire), _scores(consensus, questionnaire, "consensus")
    caps, dims = questionnaire.capabilities, questionnaire.dimensions
    nan_caps, nan_dims = np.full(len(caps), np.nan), np.full(len(dims), np.nan)
    gaps = compute_gaps(scores, targets) if scores is not None and targets is not None else None
    cap_target = nan_caps.copy()
    dim_target = nan_dims.copy()
    if targets is not None:
        cap_target = np.array([t.level if (t := targets.capability_target(business_unit, c.id, c.dimension))
                               else np.nan for c in caps], dtype=float)
        dim_target = np.array([t.level if (t := targets.dimension_target(business_unit, d.id)) else np.nan
                               for d in dims], dtype=float)
    capabilities = pd.DataFrame({
        "dimension": [c.dimension for c in caps],
        "capability": [c.id for c in caps],
        "name": [c.name for c in caps],
        "score": scores.capability_score[0] if scores else nan_caps,
        "level": scores.capability_level[0] if scores else nan_caps,
        "target": cap_target,
        "gap": gaps.capability_gap[0] if gaps else nan_caps,
        "respondents": scores.capability_respondents[0] if scores else np.zeros(len(caps), dtype=np.int64),
        "disputed": scores.disputed[0] if scores else np.zeros(len(caps), dtype=bool),
        "consensus_level": agreed.capability_level[0] if agreed else nan_caps,
    })
    dimensions = pd.DataFrame({
        "dimension": [d.id for d in dims],
        "name": [d.name for d in dims],
        "score": scores.dimension_score[0] if scores else nan_dims,
        "level": scores.dimension_level[0] if scores else nan_dims,
        "target": dim_target,
        "gap": gaps.dimension_gap[0] if gaps else nan_dims,
    })
    respondents = list(dict.fromkeys(r[1].strip() for r in individual))
    disputed = set(capabilities.loc[capabilities["disputed"], "capability"])
    return LiveView(capabilities=capabilities, dimensions=dimensions,
                    overall_level=float(scores.overall_level[0]) if scores else float("nan"),
                    respondents=respondents,
                    discussion=_discussion(questionnaire, individual, consensus, respondents, disputed))
