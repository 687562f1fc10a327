"""Properties of scoring that must hold for any answers (hypothesis)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.scoring import score_answers
from conftest import DATA
from scoring_fixtures import answers_frame

MINI = load_questionnaire(DATA / "mini.yaml")
QUESTIONS = [q.id for q in MINI.questions]
VALUES = ["1", "2", "3", "4", "na", "dk", ""]

answer_sets = st.lists(
    st.tuples(st.sampled_from(["U1", "U2"]), st.sampled_from(["a", "b", "c"]),
              st.sampled_from(QUESTIONS), st.sampled_from(VALUES)),
    min_size=1, max_size=40,
    unique_by=lambda r: (r[0], r[1], r[2]),
)
ROLE = {"a": "sponsor", "b": "pm", "c": ""}


def frame_of(rows):
    return answers_frame([(u, r, ROLE[r], q, v) for u, r, q, v in rows])


def by_unit(scores):
    """Every number of every unit keyed by unit name (order-free comparison)."""
    result = {}
    for u, name in enumerate(scores.units):
        result[name] = np.concatenate([
            scores.capability_score[u], scores.capability_level[u], scores.dispersion[u],
            scores.coverage[u], scores.dimension_score[u], scores.dimension_level[u],
            [scores.overall_score[u], scores.overall_level[u]]])
    return result


@settings(max_examples=150, deadline=None)
@given(rows=answer_sets, seed=st.integers(0, 2**32 - 1))
def test_row_order_does_not_change_results(rows, seed):
    shuffled = list(np.random.default_rng(seed).permutation(len(rows)))
    a = by_unit(score_answers(frame_of(rows), MINI))
    b = by_unit(score_answers(frame_of([rows[i] for i in shuffled]), MINI))
    assert a.keys() == b.keys()
    for unit in a:
        np.testing.assert_allclose(a[unit], b[unit], equal_nan=True, rtol=0, atol=1e-9)


@settings(max_examples=150, deadline=None)
@given(rows=answer_sets, pick=st.integers(0, 10_000))
def test_raising_one_answer_never_lowers_a_score(rows, pick):
    counted = [i for i, r in enumerate(rows) if r[3] in ("1", "2", "3")]
    if not counted:
        return
    i = counted[pick % len(counted)]
    raised = list(rows)
    raised[i] = rows[i][:3] + (str(int(rows[i][3]) + 1),)
    before = score_answers(frame_of(rows), MINI)
    after = score_answers(frame_of(raised), MINI)
    u = before.units.index(rows[i][0])
    v = after.units.index(rows[i][0])
    for name in ("capability_score", "dimension_score", "capability_level", "dimension_level"):
        old, new = getattr(before, name)[u], getattr(after, name)[v]
        defined = ~np.isnan(old)
        assert np.all(new[defined] >= old[defined] - 1e-9), name
    assert after.overall_score[v] >= before.overall_score[u] - 1e-9
    assert after.overall_level[v] >= before.overall_level[u]


@settings(max_examples=300, deadline=None)
@given(a=st.floats(1, 4), b=st.floats(1, 4))
def test_levels_are_monotone_in_the_score(a, b):
    low, high = sorted((a, b))
    assert MINI.scoring.level_of(low) <= MINI.scoring.level_of(high)
    assert 1 <= MINI.scoring.level_of(low) <= 4


@settings(max_examples=100, deadline=None)
@given(rows=answer_sets)
def test_scores_stay_within_one_and_four_and_coverage_within_zero_and_one(rows):
    scores = score_answers(frame_of(rows), MINI)
    for values in (scores.capability_score, scores.dimension_score, scores.overall_score):
        finite = values[~np.isnan(values)]
        assert np.all((finite >= 1 - 1e-9) & (finite <= 4 + 1e-9))
    coverage = scores.coverage[~np.isnan(scores.coverage)]
    assert np.all((coverage >= 0) & (coverage <= 1))


@settings(max_examples=100, deadline=None)
@given(rows=answer_sets)
def test_spread_dispersion_and_disputed_agree_with_the_respondent_scores(rows):
    """spread = max − min of s_rc (recomputed here from the long table); SD ≤ spread / 2; disputed ⇔ spread ≥ range.

    A population SD never exceeds half the range (Popoviciu: variance ≤ (max − min)² / 4).
    """
    scores = score_answers(frame_of(rows), MINI)
    table = scores.capabilities
    expected = scores.respondents.groupby(["business_unit", "capability"], sort=False)["score"].agg(
        lambda s: s.max() - s.min())
    for row in table.itertuples():
        want = expected.get((row.business_unit, row.capability), np.nan)
        if np.isnan(want):
            assert np.isnan(row.spread) and not row.disputed and np.isnan(row.dispersion)
            continue
        assert row.spread == pytest.approx(want, abs=1e-9)
        assert row.dispersion <= row.spread / 2 + 1e-9  # a population SD never exceeds half the range
        assert bool(row.disputed) == (round(want, 6) >= MINI.scoring.dispute_range)
