"""The scoring contract (BRIEF.md v1), rule by rule, against hand-computed numbers."""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from pmo_assess.export.scores import scores_to_dict
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.io.targets import load_targets
from pmo_assess.rounds.round_info import RoundInfo
from pmo_assess.scoring import compute_gaps, score_answers
from scoring_fixtures import answers_frame


@pytest.fixture
def mini(mini_questionnaire_path):
    return load_questionnaire(mini_questionnaire_path)


def cap(scores, unit, capability):
    row = scores.capabilities
    return row[(row.business_unit == unit) & (row.capability == capability)].iloc[0]


def dim(scores, unit, dimension):
    row = scores.dimensions
    return row[(row.business_unit == unit) & (row.dimension == dimension)].iloc[0]


def test_question_weights_make_a_weighted_mean_per_respondent(mini):
    # P-T-1 weight 1, P-T-2 weight 3: (4*1 + 2*3) / 4 = 2.5
    scores = score_answers(answers_frame([("U", "ann", "pm", "P-T-1", "4"), ("U", "ann", "pm", "P-T-2", "2")]), mini)
    assert cap(scores, "U", "talent").score == pytest.approx(2.5)
    assert cap(scores, "U", "talent").level == 3


def test_role_weights_weight_the_mean_over_respondents(mini):
    # sponsor weight 2 answers 4, pm weight 1 answers 1: (2*4 + 1*1) / 3 = 3.0
    frame = answers_frame([("U", "sue", "sponsor", "P-L-1", "4"), ("U", "pat", "pm", "P-L-1", "1")])
    row = cap(score_answers(frame, mini), "U", "leadership")
    assert row.score == pytest.approx(3.0)
    # dispersion is the population standard deviation of s_rc, unweighted: values 4 and 1 → 1.5
    assert row.dispersion == pytest.approx(1.5)
    assert bool(row.disputed) is True
    assert row.respondents == 2


def test_rows_of_a_question_the_questionnaire_lacks_are_left_out_and_the_rest_count(mini):
    """Unvalidated answers (a notebook's own table) may hold such rows: they change nothing, n/a included."""
    rows = [("U", "ann", "pm", "P-T-1", "4"), ("U", "ann", "pm", "P-T-2", "2"), ("U", "bob", "pm", "P-T-1", "na"),
            ("U", "bob", "pm", "P-T-2", "3")]
    with_unknown = score_answers(answers_frame(rows + [("U", "ann", "pm", "X-9", "1"), ("U", "bob", "pm", "X-9", "na")]),
                                 mini)
    row = cap(with_unknown, "U", "talent")
    # ann (4*1 + 2*3) / 4 = 2.5, bob 3: mean 2.75; answered 3 of 2 people x 2 questions - 1 n/a
    assert row.score == pytest.approx(2.75)
    assert row.coverage == pytest.approx(3 / 3)
    assert with_unknown.question_mean[0, 0] == pytest.approx(4.0)  # P-T-1, the questionnaire's first question
    assert with_unknown.capabilities.equals(score_answers(answers_frame(rows), mini).capabilities)


def test_empty_role_and_unknown_role_label_weigh_one_when_roles_are_not_listed(mini):
    frame = answers_frame([("U", "a", "", "P-L-1", "4"), ("U", "b", "", "P-L-1", "1")])
    assert cap(score_answers(frame, mini), "U", "leadership").score == pytest.approx(2.5)


def test_na_is_excluded_from_score_and_coverage_dk_counts_as_unanswered(mini):
    frame = answers_frame([
        ("U", "a", "pm", "G-B-1", "na"), ("U", "a", "pm", "G-B-2", "3"),
        ("U", "b", "pm", "G-B-1", "dk"), ("U", "b", "pm", "G-B-2", ""),
    ])
    row = cap(score_answers(frame, mini), "U", "benefits")
    assert row.score == pytest.approx(3.0)
    # answered 1; dk + empty 2; na excluded → 1 / 3
    assert row.coverage == pytest.approx(1 / 3)
    assert row.respondents == 1


def test_missing_rows_of_a_respondent_count_as_unanswered_in_coverage(mini):
    # b appears in the unit (answers P-L-1) but has no rows for G-M-*: those count as unanswered.
    frame = answers_frame([("U", "a", "pm", "G-M-1", "2"), ("U", "a", "pm", "G-M-2", "2"),
                           ("U", "b", "pm", "P-L-1", "3")])
    scores = score_answers(frame, mini)
    assert cap(scores, "U", "measures").coverage == pytest.approx(2 / 4)
    assert cap(scores, "U", "leadership").coverage == pytest.approx(1 / 2)
    assert scores.overall.iloc[0].respondents == 2


def test_a_capability_with_no_counted_answers_is_null_and_skipped_in_the_dimension(mini):
    frame = answers_frame([("U", "a", "pm", "P-T-1", "2"), ("U", "a", "pm", "P-L-1", "na")])
    scores = score_answers(frame, mini)
    leadership = cap(scores, "U", "leadership")
    assert math.isnan(leadership.score) and leadership.level is pd_na()
    assert math.isnan(leadership.coverage)  # everything was n/a: nothing applicable
    assert leadership.respondents == 0 and bool(leadership.disputed) is False
    # people = talent only (leadership undefined), governance has nothing → overall = people
    assert dim(scores, "U", "people").score == pytest.approx(2.0)
    assert math.isnan(dim(scores, "U", "governance").score)
    assert scores.overall.iloc[0].score == pytest.approx(2.0)


def pd_na():
    import pandas as pd
    return pd.NA


def test_capability_and_dimension_weights(mini):
    # people: talent (w1) = 1, leadership (w2) = 4 → (1 + 8) / 3 = 3.0
    # governance (w3): benefits = 2, measures = 2 → 2.0; overall = (1*3 + 3*2) / 4 = 2.25
    frame = answers_frame([
        ("U", "a", "pm", "P-T-1", "1"), ("U", "a", "pm", "P-T-2", "1"), ("U", "a", "pm", "P-L-1", "4"),
        ("U", "a", "pm", "G-B-1", "2"), ("U", "a", "pm", "G-M-1", "2"),
    ])
    scores = score_answers(frame, mini)
    assert dim(scores, "U", "people").score == pytest.approx(3.0)
    assert dim(scores, "U", "governance").score == pytest.approx(2.0)
    assert scores.overall.iloc[0].score == pytest.approx(2.25)


@pytest.mark.parametrize("score_answers_pair, level", [
    (("1", "2"), 1),   # 1.5 < 1.75
    (("2", "2"), 2),   # 2.0
    (("2", "3"), 3),   # 2.5 hits t2 exactly → 3
    (("3", "3"), 3),
    (("3", "4"), 4),   # 3.5
])
def test_levels_at_and_around_thresholds(mini, score_answers_pair, level):
    a, b = score_answers_pair
    frame = answers_frame([("U", "a", "pm", "G-B-1", a), ("U", "a", "pm", "G-B-2", b)])
    assert cap(score_answers(frame, mini), "U", "benefits").level == level


def test_threshold_hit_exactly_after_float_noise(mini):
    # 1.75 arrives as 1.7499999999 from weights (7/4 built from thirds) → rounded to 6 decimals → level 2
    assert mini.scoring.level_of(1.7499999999) == 2
    assert mini.scoring.level_of(1.7499) == 1
    assert mini.scoring.level_of(3.25) == 4


def test_staged_caps_a_dimension_at_one_above_its_weakest_capability(mini):
    # talent = 4, leadership = 1 → people score (4 + 2*1)/3 = 2.0 → level 2, not capped (1+1 = 2).
    # Make leadership 1 and talent 4 with weights so the score is level 3: benefits/measures instead.
    frame = answers_frame([
        ("U", "a", "pm", "G-B-1", "4"), ("U", "a", "pm", "G-B-2", "4"),
        ("U", "a", "pm", "G-M-1", "1"), ("U", "a", "pm", "G-M-2", "4"),  # measures 2.5 → level 3
    ])
    scores = score_answers(frame, mini)
    gov = dim(scores, "U", "governance")
    assert gov.score == pytest.approx(3.25)        # would be level 4
    assert gov.level == 4                           # lowest capability level 3 + 1 = 4: not capped
    assert gov.capped_by is None

    frame = answers_frame([
        ("U", "a", "pm", "G-B-1", "4"), ("U", "a", "pm", "G-B-2", "4"),
        ("U", "a", "pm", "G-M-1", "2"), ("U", "a", "pm", "G-M-2", "2"),  # measures 2.0 → level 2
        ("U", "a", "pm", "P-T-1", "4"), ("U", "a", "pm", "P-L-1", "4"),
    ])
    scores = score_answers(frame, mini)
    gov = dim(scores, "U", "governance")
    assert gov.score == pytest.approx(3.0)          # level 3 by score; cap 2 + 1 = 3 → 3
    assert gov.level == 3 and gov.capped_by is None

    frame = answers_frame([
        ("U", "a", "pm", "G-B-1", "4"), ("U", "a", "pm", "G-B-2", "4"),
        ("U", "b", "pm", "G-B-1", "4"), ("U", "b", "pm", "G-B-2", "4"),
        ("U", "a", "pm", "G-M-1", "1"), ("U", "a", "pm", "G-M-2", "1"),  # measures 1 → level 1
        ("U", "b", "pm", "G-M-1", "2"), ("U", "b", "pm", "G-M-2", "1"),  # measures mean 1.25 → level 1
    ])
    scores = score_answers(frame, mini)
    gov = dim(scores, "U", "governance")
    assert gov.score == pytest.approx((4 + 1.25) / 2)   # 2.625 → level 3 by score
    assert gov.level == 2                                # capped: measures at 1 → max 2
    assert gov.capped_by == "measures"


def test_staged_caps_overall_at_one_above_the_weakest_dimension_and_names_it(mini):
    # people 4 (level 4), governance 1 (level 1); weights 1 and 3 → overall (4 + 3)/4 = 1.75 → level 2: not capped.
    # Use people only heavily: talent 4 & leadership 4 → people 4; governance measures 1, benefits 4
    frame = answers_frame([
        ("U", "a", "pm", "P-T-1", "4"), ("U", "a", "pm", "P-T-2", "4"), ("U", "a", "pm", "P-L-1", "4"),
        ("U", "a", "pm", "G-B-1", "4"), ("U", "a", "pm", "G-B-2", "4"),
        ("U", "a", "pm", "G-M-1", "1"), ("U", "a", "pm", "G-M-2", "1"),
    ])
    scores = score_answers(frame, mini)
    gov = dim(scores, "U", "governance")
    assert gov.score == pytest.approx(2.5) and gov.level == 2 and gov.capped_by == "measures"
    overall = scores.overall.iloc[0]
    assert overall.score == pytest.approx((4 + 3 * 2.5) / 4)   # 2.875 → level 3 by score
    assert overall.level == 3                                  # governance level 2 + 1 = 3: not capped
    assert overall.capped_by is None


def test_overall_cap_names_the_first_lowest_dimension_on_a_tie(tmp_path):
    text = (tmp_path / "q.yaml")
    text.write_text("""
id: tie
version: '1'
levels: [{value: 1, name: a}, {value: 2, name: b}, {value: 3, name: c}, {value: 4, name: d}]
dimensions:
  - id: d1
    capabilities: [{id: c1, questions: [{id: Q1, text: q, anchors: {1: a, 2: b, 3: c, 4: d}}]}]
  - id: d2
    capabilities: [{id: c2, questions: [{id: Q2, text: q, anchors: {1: a, 2: b, 3: c, 4: d}}]}]
  - id: d3
    capabilities: [{id: c3, questions: [{id: Q3, text: q, anchors: {1: a, 2: b, 3: c, 4: d}}]}]
  - id: d4
    weight: 10
    capabilities: [{id: c4, questions: [{id: Q4, text: q, anchors: {1: a, 2: b, 3: c, 4: d}}]}]
""")
    q = load_questionnaire(text)
    frame = answers_frame([("U", "a", "", "Q1", "4"), ("U", "a", "", "Q2", "1"),
                           ("U", "a", "", "Q3", "1"), ("U", "a", "", "Q4", "4")])
    scores = score_answers(frame, q)
    overall = scores.overall.iloc[0]
    assert overall.score == pytest.approx((4 + 1 + 1 + 40) / 13)  # 3.54 → level 4 by score
    assert overall.level == 2                                      # lowest dimension level 1 + 1
    assert overall.capped_by == "d2"                               # d2 and d3 tie; d2 comes first


def test_mean_method_never_caps(tmp_path, mini_questionnaire_path):
    text = mini_questionnaire_path.read_text().replace("method: staged", "method: mean")
    path = tmp_path / "mean.yaml"
    path.write_text(text)
    q = load_questionnaire(path)
    frame = answers_frame([
        ("U", "a", "pm", "G-B-1", "4"), ("U", "a", "pm", "G-B-2", "4"),
        ("U", "a", "pm", "G-M-1", "1"), ("U", "a", "pm", "G-M-2", "2"),
    ])
    gov = dim(score_answers(frame, q), "U", "governance")
    assert gov.score == pytest.approx(2.75) and gov.level == 3 and gov.capped_by is None


def test_disputed_uses_the_dispute_range_inclusively(mini):
    frame = answers_frame([("U", "a", "pm", "P-L-1", "4"), ("U", "b", "pm", "P-L-1", "3")])
    assert bool(cap(score_answers(frame, mini), "U", "leadership").disputed) is False
    frame = answers_frame([("U", "a", "pm", "G-B-1", "4"), ("U", "a", "pm", "G-B-2", "3"),
                           ("U", "b", "pm", "G-B-1", "2"), ("U", "b", "pm", "G-B-2", "2")])
    # 3.5 - 2.0 = 1.5 ≥ 1.5
    assert bool(cap(score_answers(frame, mini), "U", "benefits").disputed) is True


def test_spread_is_max_minus_min_and_disputed_is_null_where_nobody_scored(mini):
    # Benefits: a (4+3)/2 = 3.5, b (2+2)/2 = 2.0, c (3+2)/2 = 2.5 → spread 3.5 − 2.0 = 1.5 (≥ 1.5: disputed);
    # dispersion (population SD) = sqrt(((3.5−8/3)² + (2−8/3)² + (2.5−8/3)²) / 3) = sqrt(0.3889) = 0.6236.
    # Leadership: only n/a → no respondent score: spread, dispersion and disputed undefined (null).
    # Measures: one respondent → spread 0, not disputed.
    frame = answers_frame([("U", "a", "pm", "G-B-1", "4"), ("U", "a", "pm", "G-B-2", "3"),
                           ("U", "b", "pm", "G-B-1", "2"), ("U", "b", "pm", "G-B-2", "2"),
                           ("U", "c", "pm", "G-B-1", "3"), ("U", "c", "pm", "G-B-2", "2"),
                           ("U", "a", "pm", "P-L-1", "na"), ("U", "a", "pm", "G-M-1", "3")])
    scores = score_answers(frame, mini)
    assert cap(scores, "U", "benefits").spread == pytest.approx(1.5)
    caps = {c["id"]: c for c in scores_to_dict(scores)["units"][0]["capabilities"]}
    assert caps["benefits"]["spread"] == 1.5 and caps["benefits"]["disputed"] is True
    assert caps["benefits"]["dispersion"] == round(math.sqrt(((3.5 - 8 / 3) ** 2 + (2 - 8 / 3) ** 2
                                                              + (2.5 - 8 / 3) ** 2) / 3), 2) == 0.62
    assert caps["leadership"]["spread"] is None and caps["leadership"]["disputed"] is None
    assert caps["leadership"]["dispersion"] is None
    assert caps["measures"]["spread"] == 0.0 and caps["measures"]["disputed"] is False
    # talent: no rows at all for it → also undefined
    assert caps["talent"]["disputed"] is None


def test_scores_carry_the_round_and_the_method_they_were_scored_with(mini):
    scores = score_answers(answers_frame([("U", "a", "pm", "P-L-1", "3")]), mini)
    document = scores_to_dict(scores, round_info=RoundInfo("2026-Q4", dt.date(2026, 11, 20)))
    assert document["round"] == {"label": "2026-Q4", "assessed_on": "2026-11-20"}
    # mini.yaml's scoring block: staged, thresholds 1.75 / 2.5 / 3.25, dispute range 1.5
    assert document["method"] == {"method": "staged", "thresholds": [1.75, 2.5, 3.25], "dispute_range": 1.5}
    assert document["scoring"] == document["method"]  # the older key keeps its meaning
    assert "round" not in scores_to_dict(scores)


def test_one_respondent_has_zero_dispersion(mini):
    row = cap(score_answers(answers_frame([("U", "a", "pm", "P-L-1", "3")]), mini), "U", "leadership")
    assert row.dispersion == 0 and bool(row.disputed) is False


def test_units_come_out_in_input_order_and_respondent_names_are_per_unit(mini):
    frame = answers_frame([("Zeta", "a", "pm", "P-L-1", "1"), ("Alpha", "a", "pm", "P-L-1", "4"),
                           ("Zeta", "b", "pm", "P-L-1", "2")])
    scores = score_answers(frame, mini)
    assert scores.units == ["Zeta", "Alpha"]
    assert scores.overall.respondents.tolist() == [2, 1]
    assert cap(scores, "Zeta", "leadership").score == pytest.approx(1.5)
    assert cap(scores, "Alpha", "leadership").score == pytest.approx(4.0)


def test_whole_number_text_forms_count(mini):
    frame = answers_frame([("U", "a", "pm", "G-B-1", "3.0"), ("U", "a", "pm", "G-B-2", " 4 ")])
    assert cap(score_answers(frame, mini), "U", "benefits").score == pytest.approx(3.5)


def test_gaps_against_targets_inherit_dimension_targets(mini, tmp_path):
    path = tmp_path / "targets.yaml"
    path.write_text("""
questionnaire: mini
default:
  dimensions: {people: 3, governance: 4}
  capabilities: {talent: 4}
units:
  U:
    capabilities: {benefits: 2}
""")
    targets = load_targets(path, mini)
    frame = answers_frame([("U", "a", "pm", "P-T-1", "2"), ("U", "a", "pm", "P-T-2", "2"),
                           ("U", "a", "pm", "P-L-1", "2"), ("U", "a", "pm", "G-B-1", "3")])
    scores = score_answers(frame, mini)
    gaps = compute_gaps(scores, targets)
    caps = [c.id for c in mini.capabilities]
    assert gaps.capability_target[0].tolist()[:3] == [4, 3, 2]      # talent own, leadership from people, benefits unit
    assert gaps.capability_gap[0, caps.index("talent")] == 2        # 4 - 2
    assert gaps.capability_gap[0, caps.index("benefits")] == 0      # max(0, 2 - 3)
    assert np.isnan(gaps.capability_gap[0, caps.index("measures")])  # no score → no gap
    assert gaps.dimension_gap[0].tolist() == [1, 1]                 # people 3-2, governance 4-3


def test_the_rooms_consensus_answers_are_not_a_respondent(mini):
    frame = answers_frame([("U", "a", "pm", "P-L-1", "1"), ("U", "b", "pm", "P-L-1", "2"),
                           ("U", "consensus", "", "P-L-1", "4", "Bob disagrees")])
    scores = score_answers(frame, mini)
    assert cap(scores, "U", "leadership").score == pytest.approx(1.5)
    assert scores.overall.iloc[0].respondents == 2
    agreed = score_answers(frame, mini, respondents="consensus")
    assert cap(agreed, "U", "leadership").score == pytest.approx(4.0)


def test_without_the_rooms_answers_there_is_nothing_to_score_as_the_room(mini):
    frame = answers_frame([("U", "a", "pm", "P-L-1", "1"), ("U", "b", "pm", "P-L-1", "2")])
    agreed = score_answers(frame, mini, respondents="consensus")
    assert agreed.units == [] and agreed.capability_score.shape == (0, 4)


def test_a_table_of_only_the_rooms_answers_scores_no_unit_individually(mini):
    """Nobody but the room answered: no respondent, so no unit, and every array is empty in the right shape."""
    scores = score_answers(answers_frame([("U", "consensus", "", "P-L-1", "4")]), mini)
    assert scores.units == [] and len(scores.respondents) == 0
    assert scores.capability_score.shape == scores.spread.shape == scores.disputed.shape == (0, 4)
    assert scores.dimension_score.shape == (0, 2) and scores.overall_score.shape == (0,)
