"""Explanations say what holds a level and what the next level needs, in the words of the anchors."""
from __future__ import annotations

import pytest

from pmo_assess.explain import explain_capability, explain_dimension, explain_overall, nearest_threshold
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.scoring import score_answers
from conftest import DATA
from scoring_fixtures import answers_frame


@pytest.fixture
def mini(tmp_path):
    text = (DATA / "mini.yaml").read_text().replace(
        "{id: G-M-1, text: Measures one?, anchors: {1: a, 2: b, 3: c, 4: d}}",
        "{id: G-M-1, text: Measures one?, anchors: {1: No KPIs., 2: Delivery KPIs monthly., "
        "3: Benefit KPIs against forecast., 4: Benchmarked outcomes.}}")
    path = tmp_path / "mini.yaml"
    path.write_text(text)
    return load_questionnaire(path)


def test_borderline_detection():
    assert nearest_threshold(2.46, (1.75, 2.5, 3.25)) == 2.5
    assert nearest_threshold(2.55, (1.75, 2.5, 3.25)) == 2.5
    assert nearest_threshold(2.0, (1.75, 2.5, 3.25)) is None


def test_capability_below_the_next_threshold_names_the_anchor_to_reach(mini):
    frame = answers_frame([("U", "a", "pm", "G-M-1", "1"), ("U", "a", "pm", "G-M-2", "2")])
    scores = score_answers(frame, mini)
    text = explain_capability(scores, 0, 3)
    assert text.startswith("Measures scores 1.50, level 1 (ad hoc): 0.25 below the 1.75 needed for evolving.")
    assert text.endswith("work on G-M-1 (mean answer 1.0): Delivery KPIs monthly; G-M-2 (mean answer 2.0): b.")


def test_capability_just_above_a_threshold_is_flagged_as_fragile(mini):
    frame = answers_frame([("U", "a", "pm", "G-M-1", "3"), ("U", "a", "pm", "G-M-2", "2"),
                           ("U", "b", "pm", "G-M-1", "3"), ("U", "b", "pm", "G-M-2", "3"),
                           ("U", "c", "pm", "G-M-1", "3"), ("U", "c", "pm", "G-M-2", "2"),
                           ("U", "d", "pm", "G-M-1", "2"), ("U", "d", "pm", "G-M-2", "2")])
    text = explain_capability(score_answers(frame, mini), 0, 3)   # 2.5 exactly
    assert "only 0.00 above the 2.50 needed for operationalizing, so it could slip back" in text
    assert "G-M-2 (mean answer 2.2)" in text


def test_capped_dimension_explains_the_cap_and_the_first_step(mini):
    frame = answers_frame([("U", "a", "pm", "G-B-1", "4"), ("U", "a", "pm", "G-B-2", "4"),
                           ("U", "a", "pm", "G-M-1", "1"), ("U", "a", "pm", "G-M-2", "1"),
                           ("U", "b", "pm", "G-B-1", "4"), ("U", "b", "pm", "G-B-2", "4"),
                           ("U", "b", "pm", "G-M-1", "1"), ("U", "b", "pm", "G-M-2", "2")])
    text = explain_dimension(score_answers(frame, mini), 0, 1)
    assert "would be level 3 (operationalizing)" in text
    assert "holds it at level 2 (evolving) because its weakest capability, Measures, is only at level 1" in text
    assert "Raising Measures to evolving lifts the cap" in text
    assert text.endswith("Start with G-M-1 (mean answer 1.0): Delivery KPIs monthly; G-M-2 (mean answer 1.5): b.")


def test_no_answers_is_said_plainly(mini):
    scores = score_answers(answers_frame([("U", "a", "pm", "P-L-1", "na")]), mini)
    assert "has no counted answers" in explain_capability(scores, 0, 1)
    assert "no overall level" in explain_overall(scores, 0)
