"""The bundled banks load, and cover what the brief says a value-driven PMO assessment must."""
from __future__ import annotations

import pytest

from pmo_assess.io.questionnaire import load_questionnaire
from conftest import BANK, DATA, PULSE


@pytest.fixture(scope="module")
def bank():
    return load_questionnaire(BANK)


def test_bank_has_the_four_dimensions_and_enough_content(bank):
    assert [d.id for d in bank.dimensions] == ["people", "process", "technology", "governance"]
    assert len(bank.capabilities) >= 16
    assert len(bank.questions) >= 48
    assert [lv.name for lv in bank.levels] == ["ad hoc", "evolving", "operationalizing", "optimizing"]


def test_every_question_has_a_distinct_anchor_per_level(bank):
    for question in bank.questions:
        assert sorted(question.anchors) == [1, 2, 3, 4], question.id
        assert len(set(question.anchors.values())) == 4, question.id
        assert all(len(text) > 25 for text in question.anchors.values()), question.id


def test_bank_roles(bank):
    assert {"sponsor", "pmo-staff", "project-manager", "team-member"} <= set(bank.role_weights)


@pytest.mark.parametrize("capability", [
    "customer-orientation", "talent-development", "change-management", "strategic-alignment",
    "portfolio-prioritization", "capacity-planning", "continuous-improvement", "ppm-tools", "automation",
    "forward-looking-insight", "benefits-management", "performance-measures", "light-touch-governance",
    "pmo-mandate", "decision-support"])
def test_bank_covers_the_value_driven_pmo_list(bank, capability):
    assert bank.capability(capability).questions


@pytest.mark.parametrize("phrase", ["outcome", "benefit", "competitive advantage", "value proposition",
                                    "business plan", "supportive", "directive", "controlling", "bi-modal"])
def test_bank_text_mentions(phrase):
    assert phrase in BANK.read_text().lower()


def test_pulse_bank_is_a_short_check_with_the_same_shape():
    pulse = load_questionnaire(PULSE)
    assert 10 <= len(pulse.questions) <= 14
    assert [d.id for d in pulse.dimensions] == ["people", "process", "technology", "governance"]
    assert set(c.id for c in pulse.capabilities) <= set(c.id for c in load_questionnaire(BANK).capabilities)


def test_defaults_apply_when_scoring_and_weights_are_omitted(tmp_path):
    text = (DATA / "mini.yaml").read_text().replace(
        "scoring:\n  method: staged\n  thresholds: [1.75, 2.5, 3.25]\n  dispute_range: 1.5\n", "")
    path = tmp_path / "defaults.yaml"
    path.write_text(text)
    q = load_questionnaire(path)
    assert q.scoring.method == "staged" and q.scoring.thresholds == (1.75, 2.5, 3.25)
    assert q.scoring.dispute_range == 1.5
    assert q.capability("talent").weight == 1 and q.dimension("people").weight == 1
