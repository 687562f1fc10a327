"""The scoring contract (BRIEF.md, v1) as pure functions over the whole answer table.

Everything is computed with integer codes and ``numpy.bincount`` over all rows at once: no Python
loop runs per answer, so a million answers score in well under a second.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from pmo_assess.io.answers import (CONSENSUS_RESPONDENT, COUNTED, NOT_APPLICABLE, answer_code_tables,
                                   factorize_runs, run_starts)
from pmo_assess.io.targets import Targets
from pmo_assess.model import Questionnaire


@dataclass(frozen=True)
class Scores:
    """Scores of every unit: arrays indexed [unit, capability] / [unit, dimension] / [unit].

    Levels are float arrays with NaN where undefined; ``*_capped_by`` hold the position of the
    capability (or dimension) that capped a level, or -1. ``spread`` is max − min of the respondents'
    capability scores (NaN where no one has one); ``disputed`` is False there (``null`` in scores@1).
    """

    questionnaire: Questionnaire
    units: list[str]
    unit_respondents: np.ndarray
    capability_score: np.ndarray
    capability_level: np.ndarray
    dispersion: np.ndarray
    coverage: np.ndarray
    disputed: np.ndarray
    spread: np.ndarray
    capability_respondents: np.ndarray
    dimension_score: np.ndarray
    dimension_level: np.ndarray
    dimension_capped_by: np.ndarray
    overall_score: np.ndarray
    overall_level: np.ndarray
    overall_capped_by: np.ndarray
    question_mean: np.ndarray
    respondent_table: pd.DataFrame = field(repr=False)
    respondent_capability: np.ndarray = field(repr=False)

    def unit_index(self, business_unit: str) -> int:
        try:
            return self.units.index(business_unit)
        except ValueError:
            raise KeyError(f"no answers for business unit {business_unit!r}") from None

    @cached_property
    def capabilities(self) -> pd.DataFrame:
        """One row per unit and capability, in input then questionnaire order."""
        q = self.questionnaire
        n_units, n_caps = self.capability_score.shape
        return pd.DataFrame({
            "business_unit": np.repeat(self.units, n_caps),
            "capability": np.tile([c.id for c in q.capabilities], n_units),
            "dimension": np.tile([c.dimension for c in q.capabilities], n_units),
            "score": self.capability_score.ravel(),
            "level": pd.array(self.capability_level.ravel(), dtype="Int64"),
            "dispersion": self.dispersion.ravel(),
            "spread": self.spread.ravel(),
            "coverage": self.coverage.ravel(),
            "disputed": self.disputed.ravel(),
            "respondents": self.capability_respondents.ravel(),
        })

    @cached_property
    def dimensions(self) -> pd.DataFrame:
        """One row per unit and dimension, with the capability that capped its level (staged)."""
        q = self.questionnaire
        cap_ids = np.array([c.id for c in q.capabilities] + [None], dtype=object)
        n_units, n_dims = self.dimension_score.shape
        return pd.DataFrame({
            "business_unit": np.repeat(self.units, n_dims),
            "dimension": np.tile([d.id for d in q.dimensions], n_units),
            "score": self.dimension_score.ravel(),
            "level": pd.array(self.dimension_level.ravel(), dtype="Int64"),
            "capped_by": cap_ids[self.dimension_capped_by.ravel()],
        })

    @cached_property
    def overall(self) -> pd.DataFrame:
        """One row per unit: overall score and level, what capped it, how many respondents."""
        dim_ids = np.array([d.id for d in self.questionnaire.dimensions] + [None], dtype=object)
        return pd.DataFrame({
            "business_unit": self.units,
            "respondents": self.unit_respondents,
            "score": self.overall_score,
            "level": pd.array(self.overall_level, dtype="Int64"),
            "capped_by": dim_ids[self.overall_capped_by],
        })

    @cached_property
    def respondents(self) -> pd.DataFrame:
        """Each respondent's capability score ``s_rc`` (long form; NaN where they gave no counted answer)."""
        table = self.respondent_table
        n_caps = self.respondent_capability.shape[1]
        return pd.DataFrame({
            "business_unit": np.repeat(table["business_unit"].to_numpy(), n_caps),
            "respondent": np.repeat(table["respondent"].to_numpy(), n_caps),
            "role": np.repeat(table["role"].to_numpy(), n_caps),
            "capability": np.tile([c.id for c in self.questionnaire.capabilities], len(table)),
            "score": self.respondent_capability.ravel(),
        })


def _category_codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """A text column's integer codes and categories (made categorical first if it is not)."""
    cat = column if isinstance(column.dtype, pd.CategoricalDtype) else column.astype("category")
    return cat.cat.codes.to_numpy(), cat.cat.categories


def _weighted_mean(values: np.ndarray, weights: np.ndarray, axis: int) -> np.ndarray:
    """Weighted mean ignoring NaN values; NaN where nothing is defined."""
    defined = ~np.isnan(values)
    w = np.where(defined, weights, 0.0)
    total = w.sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (np.where(defined, values, 0.0) * w).sum(axis=axis) / total
    return np.where(total > 0, mean, np.nan)


def _staged(levels: np.ndarray, part_levels: np.ndarray, membership: list[np.ndarray],
            method: str) -> tuple[np.ndarray, np.ndarray]:
    """Cap each level at one above its weakest part (staged), naming the part; NaN parts are skipped."""
    n_rows, n_groups = levels.shape
    capped_by = np.full((n_rows, n_groups), -1, dtype=np.int64)
    if method != "staged":
        return levels, capped_by
    result = levels.copy()
    for g, members in enumerate(membership):
        sub = part_levels[:, members]
        lowest = np.where(np.isnan(sub), np.inf, sub)
        weakest = lowest.argmin(axis=1)
        floor = lowest[np.arange(n_rows), weakest] + 1
        capped = floor < levels[:, g]
        result[:, g] = np.where(capped, floor, levels[:, g])
        capped_by[:, g] = np.where(capped, members[weakest], -1)
    return result, capped_by


def _select_respondents(answers: pd.DataFrame, respondents: str) -> pd.DataFrame:
    """Individual respondents' rows, or only the room's agreed (consensus) rows."""
    if respondents not in ("individual", "consensus"):
        raise ValueError(f"respondents must be 'individual' or 'consensus', not {respondents!r}")
    codes, categories = _category_codes(answers["respondent"])
    if CONSENSUS_RESPONDENT not in categories:  # the usual case: no need to look at every row
        return answers.iloc[:0] if respondents == "consensus" else answers
    is_consensus = codes == categories.get_loc(CONSENSUS_RESPONDENT)
    if respondents == "consensus":
        return answers[is_consensus]
    return answers[~is_consensus] if is_consensus.any() else answers


@dataclass(frozen=True)
class _RowTotals:
    """What scoring takes from the answer rows, summed per (respondent, capability) and per (unit, capability or
    question); counted answers only, except ``not_applicable``. Flat arrays, respondent- or unit-major."""

    weighted_sum: np.ndarray  # Σ question weight × answer
    weight_sum: np.ndarray  # Σ question weight
    answered: np.ndarray  # how many answers
    not_applicable: np.ndarray  # per (unit, capability): n/a answers
    question_sum: np.ndarray  # per (unit, question): Σ answer
    question_count: np.ndarray  # per (unit, question): how many answers


def _sum_rows(answers: pd.DataFrame, q: Questionnaire, person: np.ndarray, person_unit: np.ndarray,
              n_units: int) -> _RowTotals:
    """Sum the answer rows in a few passes over them; each per-row array is dropped once used, so a million
    rows never hold more than a few of them in memory at once."""
    n_caps, n_questions, n_people = len(q.capabilities), len(q.questions), len(person_unit)
    q_weight = np.array([qq.weight for qq in q.questions], dtype=np.float64)
    q_cap = q.question_capability
    qcodes, qcategories = _category_codes(answers["question"])
    qmap = np.array([q.question_index.get(str(c), -1) for c in qcategories] + [-1], dtype=np.int32)
    question = qmap[qcodes]
    # validated answers only hold the questionnaire's questions: then no row needs a look
    every_question_known = bool((qmap[:-1] >= 0).all()) and not (qcodes < 0).any()
    codes, status_of, value_of = answer_code_tables(answers["answer"])
    status = status_of[codes]

    counted = status == COUNTED
    if not every_question_known:
        counted &= question >= 0
    picked = np.flatnonzero(counted)
    del counted
    rows_q, value_c, person_c = question[picked], value_of[codes[picked]], person[picked]
    del picked
    key = np.multiply(person_c, n_caps, dtype=np.int64)
    key += q_cap[rows_q]
    w = q_weight[rows_q]
    weighted_sum = np.bincount(key, weights=w * value_c, minlength=n_people * n_caps)
    weight_sum = np.bincount(key, weights=w, minlength=n_people * n_caps)
    del w
    answered = np.bincount(key, minlength=n_people * n_caps)
    del key
    qkey = person_unit[person_c]
    del person_c
    qkey *= n_questions
    qkey += rows_q
    del rows_q
    question_sum = np.bincount(qkey, weights=value_c, minlength=n_units * n_questions)
    question_count = np.bincount(qkey, minlength=n_units * n_questions)
    del qkey, value_c

    na = status == NOT_APPLICABLE
    if not every_question_known:
        na &= question >= 0
    na_key = person_unit[person[na]]
    na_key *= n_caps
    na_key += q_cap[question[na]]
    return _RowTotals(weighted_sum, weight_sum, answered, np.bincount(na_key, minlength=n_units * n_caps),
                      question_sum, question_count)


def score_answers(answers: pd.DataFrame, questionnaire: Questionnaire, respondents: str = "individual") -> Scores:
    """Score a canonical answer table (validated) per BRIEF.md's contract, all units at once.

    The room's agreed answers (respondent ``consensus``, recorded in the workshop) are not a
    respondent: they are left out, unless ``respondents="consensus"`` scores them alone.
    """
    answers = _select_respondents(answers, respondents)
    q = questionnaire
    n_caps, n_dims, n_questions = len(q.capabilities), len(q.dimensions), len(q.questions)

    # A run is one respondent's consecutive rows: units and people are numbered per run, not per row.
    ucodes, ucategories = _category_codes(answers["business_unit"])
    rcodes, rcategories = _category_codes(answers["respondent"])
    run_rows = run_starts(ucodes, rcodes)
    run_unit, unit_codes, _ = factorize_runs(ucodes[run_rows])
    units = [str(u) for u in ucategories.to_numpy()[unit_codes]]
    n_units = len(units)
    run_person, _, first_runs = factorize_runs(run_unit * (len(rcategories) + 1) + rcodes[run_rows])
    person = np.repeat(run_person.astype(np.int32), np.diff(np.r_[run_rows, len(answers)]))
    first_rows = run_rows[first_runs]
    n_people = len(first_rows)
    person_unit = run_unit[first_runs]
    person_role = (answers["role"].iloc[first_rows].astype(str).to_numpy() if "role" in answers
                   else np.full(n_people, "", dtype=object))
    role_weights = q.role_weights
    person_weight = np.array([role_weights.get(r, 1.0) for r in person_role], dtype=np.float64)
    respondent_table = pd.DataFrame({
        "business_unit": np.asarray(units, dtype=object)[person_unit] if n_people else [],
        "respondent": answers["respondent"].iloc[first_rows].astype(str).to_numpy(),
        "role": person_role,
    })

    q_cap = q.question_capability
    cap_weight = np.array([c.weight for c in q.capabilities], dtype=np.float64)
    dim_weight = np.array([d.weight for d in q.dimensions], dtype=np.float64)

    # Rule 2: respondent capability score s_rc = weighted mean of counted answers.
    totals = _sum_rows(answers, q, person, person_unit, n_units)
    del person
    sum_wv, sum_w = totals.weighted_sum, totals.weight_sum
    with np.errstate(invalid="ignore", divide="ignore"):
        s_rc = np.where(sum_w > 0, sum_wv / sum_w, np.nan).reshape(n_people, n_caps)

    # Rule 3: unit capability score, dispersion (SD), spread (max − min), disputed, coverage, respondents.
    defined = ~np.isnan(s_rc)
    group = (person_unit[:, None] * n_caps + np.arange(n_caps)).ravel()
    size = n_units * n_caps

    def per_unit(weights: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=weights.ravel(), minlength=size).reshape(n_units, n_caps)

    rw = np.where(defined, person_weight[:, None], 0.0)
    s_filled = np.where(defined, s_rc, 0.0)
    weight_total = per_unit(rw)
    n_defined = per_unit(defined.astype(np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        cap_score = np.where(weight_total > 0, per_unit(rw * s_filled) / weight_total, np.nan)
        plain_mean = per_unit(s_filled) / n_defined
        deviation = np.where(defined, s_rc - plain_mean[person_unit], 0.0)
        dispersion = np.where(n_defined > 0, np.sqrt(per_unit(deviation ** 2) / n_defined), np.nan)
    order = np.argsort(person_unit, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(person_unit[order]) != 0]) if n_people else np.array([], int)
    with np.errstate(invalid="ignore"):
        highest = np.fmax.reduceat(s_rc[order], starts, axis=0) if n_people else np.empty((0, n_caps))
        lowest = np.fmin.reduceat(s_rc[order], starts, axis=0) if n_people else np.empty((0, n_caps))
        spread = highest - lowest
        disputed = np.round(spread, 6) >= q.scoring.dispute_range
    disputed = np.where(np.isnan(spread), False, disputed)

    unit_people = np.bincount(person_unit, minlength=n_units)
    cap_questions = np.bincount(q_cap, minlength=n_caps)
    answered = per_unit(totals.answered).astype(np.int64)  # whole numbers: the float sums are exact
    not_applicable = totals.not_applicable.reshape(n_units, n_caps)
    applicable = unit_people[:, None] * cap_questions[None, :] - not_applicable
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(applicable > 0, answered / applicable, np.nan)

    # Rules 4-6: dimension and overall scores; levels; staged caps.
    scoring = q.scoring
    cap_level = scoring.levels_of(cap_score)
    members = [np.flatnonzero(q.capability_dimension == d) for d in range(n_dims)]
    dim_score = np.stack([_weighted_mean(cap_score[:, m], cap_weight[m], axis=1) for m in members], axis=1) \
        if n_dims else np.empty((n_units, 0))
    dim_level, dim_capped = _staged(scoring.levels_of(dim_score), cap_level, members, scoring.method)
    overall_score = _weighted_mean(dim_score, dim_weight[None, :], axis=1)
    overall_level, overall_capped = _staged(scoring.levels_of(overall_score)[:, None], dim_level,
                                            [np.arange(n_dims)], scoring.method)

    # Per-question mean answer in each unit, for explanations ("what holds it here").
    q_sum, q_count = totals.question_sum, totals.question_count
    with np.errstate(invalid="ignore", divide="ignore"):
        question_mean = np.where(q_count > 0, q_sum / q_count, np.nan).reshape(n_units, n_questions)

    return Scores(
        questionnaire=q, units=units, unit_respondents=unit_people,
        capability_score=cap_score, capability_level=cap_level, dispersion=dispersion,
        coverage=coverage, disputed=disputed, spread=spread, capability_respondents=n_defined.astype(np.int64),
        dimension_score=dim_score, dimension_level=dim_level, dimension_capped_by=dim_capped,
        overall_score=overall_score, overall_level=overall_level[:, 0],
        overall_capped_by=overall_capped[:, 0], question_mean=question_mean,
        respondent_table=respondent_table, respondent_capability=s_rc,
    )


@dataclass(frozen=True)
class Gaps:
    """Targets and gaps (rule 7) as arrays aligned with :class:`Scores`; NaN where undefined."""

    capability_target: np.ndarray
    capability_gap: np.ndarray
    dimension_target: np.ndarray
    dimension_gap: np.ndarray


def compute_gaps(scores: Scores, targets: Targets | None) -> Gaps:
    """Gap = max(0, target level − current level) per capability and dimension; NaN without both."""
    q = scores.questionnaire
    n_units = len(scores.units)
    cap_target = np.full((n_units, len(q.capabilities)), np.nan)
    dim_target = np.full((n_units, len(q.dimensions)), np.nan)
    if targets is not None:
        for u, unit in enumerate(scores.units):
            for c, cap in enumerate(q.capabilities):
                target = targets.capability_target(unit, cap.id, cap.dimension)
                cap_target[u, c] = target.level if target else np.nan
            for d, dim in enumerate(q.dimensions):
                target = targets.dimension_target(unit, dim.id)
                dim_target[u, d] = target.level if target else np.nan
    return Gaps(
        capability_target=cap_target,
        capability_gap=np.maximum(0.0, cap_target - scores.capability_level),
        dimension_target=dim_target,
        dimension_gap=np.maximum(0.0, dim_target - scores.dimension_level),
    )
