"""Progress to date against an earlier assessment: (current − baseline) / (target − baseline), and what moved."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from conftest import BANK, DATA, EXAMPLES
from pmo_assess.errors import InputErrors
from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.io.targets import load_targets
from pmo_assess.roadmap.progress import progress_to_date, what_moved
from pmo_assess.scoring import score_answers

MINI = load_questionnaire(DATA / "mini.yaml")


def scored(tmp_path: Path, name: str, answers: dict[str, int]):
    path = tmp_path / f"{name}.csv"
    rows = ["business_unit,respondent,role,question,answer,comment"]
    rows += [f"Unit,Ana,pm,{question},{value}," for question, value in answers.items()]
    path.write_text("\n".join(rows) + "\n")
    return score_answers(read_answers([path], MINI), MINI)


@pytest.fixture
def table(tmp_path):
    baseline = scored(tmp_path, "2025", {"P-T-1": 1, "P-T-2": 1, "P-L-1": 2, "G-B-1": 1, "G-B-2": 1,
                                         "G-M-1": 3, "G-M-2": 3})
    current = scored(tmp_path, "2026", {"P-T-1": 2, "P-T-2": 2, "P-L-1": 2, "G-B-1": 3, "G-B-2": 3,
                                        "G-M-1": 2, "G-M-2": 2})
    targets = tmp_path / "targets.yaml"
    targets.write_text("default:\n  dimensions: {people: 3, governance: 3}\n  capabilities: {leadership: 4}\n")
    return progress_to_date(baseline, current, load_targets(targets, MINI), "Unit").set_index("id")


def test_progress_per_capability(table):
    assert table.loc["talent", ["baseline_level", "current_level", "target", "progress"]].tolist() == [1, 2, 3, 0.5]
    assert table.loc["talent", "status"] == "up 1 level"
    assert table.loc["leadership", "progress"] == 0 and table.loc["leadership", "status"] == "no change"
    assert table.loc["benefits", "progress"] == 1.0
    assert table.loc["benefits", "status"] == "up 2 levels, target 3 reached"
    # at target when the baseline was taken: no progress figure, but the fall is named
    assert math.isnan(table.loc["measures", "progress"]) and table.loc["measures", "status"] == "down 1 level"
    assert table.loc["measures", "score_change"] == -1.0


def test_progress_per_dimension_and_overall(table):
    # people: (1 + 2×2)/3 = 1.67 → level 1, then (2 + 2×2)/3 = 2.0 → level 2; target 3 → 50 %
    people = table.loc["people"]
    assert round(people["baseline_score"], 2) == 1.67 and people["current_score"] == 2.0
    assert people["progress"] == 0.5
    # governance: 2.0 (level 2) → 2.5 (level 3), target 3 → 100 %
    assert table.loc["governance", "progress"] == 1.0
    overall = table.loc["overall"]
    assert math.isnan(overall["target"]) and math.isnan(overall["progress"])
    assert round(overall["score_change"], 3) == round((2.0 + 2.5 * 3) / 4 - (5 / 3 + 2.0 * 3) / 4, 3)


def test_what_moved(table):
    moved = what_moved(table.reset_index())
    assert set(moved["id"]) == {"talent", "benefits", "measures", "people", "governance", "overall"}
    assert moved["id"].iloc[0] == "benefits"  # the largest score change (+2.0) first
    assert set(what_moved(table.reset_index(), min_score_change=5)["id"]) == {
        "talent", "benefits", "measures", "people", "governance"}  # level changes are always listed


def test_bundled_sample_against_an_earlier_assessment():
    bank = load_questionnaire(BANK)
    baseline = score_answers(read_answers([DATA / "planning" / "retail-banking-2025.csv"], bank), bank)
    current = score_answers(read_answers([EXAMPLES / "answers" / "retail-banking.csv"], bank), bank)
    table = progress_to_date(baseline, current, load_targets(EXAMPLES / "targets.yaml", bank),
                             "Retail Banking").set_index("id")
    assert table.loc["capacity-planning", "status"] == "up 2 levels, target 4 reached"
    assert table.loc["capacity-planning", "score_change"] == pytest.approx(1.0)
    assert table.loc["customer-orientation", "status"] == "down 2 levels"
    assert table.loc["benefits-management", "status"] == "no change"


def test_unit_missing_from_the_earlier_assessment(tmp_path):
    current = scored(tmp_path, "now", {"P-T-1": 2})
    with pytest.raises(InputErrors, match="earlier assessment: business_unit: no answers for business unit 'Other'"):
        progress_to_date(current, current, None, "Unit", baseline_unit="Other")
