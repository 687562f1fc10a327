"""``pmo-assess compare`` over three rounds of the bundled units (see test_rounds_fixtures for how they were made).

Expected levels come from scoring the answer files directly (scoring, not the comparison, is the reference);
the movements follow from how the earlier rounds were made: 2024-R1 all answers 1 (every level 1),
2025-R2 the examples but Retail Banking's capacity-planning all 1 and benefits-management all 4.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import BANK, DATA, EXAMPLES
from pmo_assess.cli import main
from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.io.targets import load_targets
from pmo_assess.rounds.comparison import ORGANISATION, compare_history
from pmo_assess.rounds.history import read_history
from pmo_assess.rounds.roadmap_effect import initiatives_done, levels_gained, load_unit_roadmaps, stalled_capabilities
from pmo_assess.rounds.views import movements
from pmo_assess.scoring import score_answers
from test_rounds_fixtures import UNIT_FILES, bundled_history

HISTORY = DATA / "rounds" / "history"


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    return bundled_history(tmp_path_factory.mktemp("compare"))


@pytest.fixture(scope="module")
def comparison(history):
    return compare_history(read_history([history]))


@pytest.fixture(scope="module")
def latest():
    """The 2026-R3 scores (the examples as bundled), scored directly."""
    bank = load_questionnaire(BANK)
    files = [EXAMPLES / "answers" / f for u, f in UNIT_FILES.items() if u != "Manufacturing Operations"]
    return score_answers(read_answers(files, bank), bank)


def level(scores, unit: str, capability: str) -> int:
    frame = scores.capabilities
    row = frame[(frame["business_unit"] == unit) & (frame["capability"] == capability)].iloc[0]
    return int(row["level"])


def change(comparison, unit: str, ident: str, round_index: int = 2):
    rows = comparison.changes
    return rows[(rows["business_unit"] == unit) & (rows["id"] == ident) & (rows["round"] == round_index)].iloc[0]


def test_levels_that_rose_and_fell_in_the_latest_round(comparison, latest):
    capacity, benefits = level(latest, "Retail Banking", "capacity-planning"), level(latest, "Retail Banking",
                                                                                     "benefits-management")
    assert capacity > 1 and benefits < 4  # what makes the made-up 2025 answers a rise and a fall
    rose = change(comparison, "Retail Banking", "capacity-planning")
    assert (rose["status"], rose["level_before"], rose["level"]) == ("rose", 1, capacity)
    fell = change(comparison, "Retail Banking", "benefits-management")
    assert (fell["status"], fell["level_before"], fell["level"]) == ("fell", 4, benefits)
    # every other Retail Banking capability had the same answers in 2025 and 2026
    others = comparison.changes[(comparison.changes["business_unit"] == "Retail Banking")
                                & (comparison.changes["kind"] == "capability") & (comparison.changes["round"] == 2)
                                & ~comparison.changes["id"].isin(["capacity-planning", "benefits-management"])]
    assert len(others) == 16 and set(others["status"]) == {"same level"} and (others["score_change"] == 0).all()
    # 2024 → 2025: every capability started at level 1 (all answers 1)
    first_step = comparison.changes[(comparison.changes["round"] == 1) & (comparison.changes["business_unit"]
                                                                          == "Insurance Claims")]
    assert (first_step["level_before"] == 1).all() and (first_step["score_before"] == 1).all()


def test_regressions_come_first(comparison):
    moved = movements(comparison, "Retail Banking")
    assert list(moved["status"])[:2] == ["fell", "fell"]  # governance (dimension) and benefits-management
    assert set(moved.loc[moved["status"] == "fell", "id"]) == {"governance", "benefits-management"}
    assert "rose" in set(moved["status"]) and moved["status"].tolist().index("rose") == 2


def test_progress_to_target_from_the_first_round_and_ranking(comparison, latest):
    targets = load_targets(EXAMPLES / "targets.yaml", latest.questionnaire)
    progress = comparison.progress.set_index(["business_unit", "kind", "id"])
    capacity = level(latest, "Retail Banking", "capacity-planning")
    target = targets.capability_target("Retail Banking", "capacity-planning", "process").level  # process: 4
    assert progress.loc[("Retail Banking", "capability", "capacity-planning"), "progress"] == pytest.approx(
        (capacity - 1) / (target - 1))
    expected = {}
    for unit in ("Retail Banking", "Group Technology", "Insurance Claims"):  # three rounds, level 1 in the first
        gained = needed = 0
        for cap in latest.questionnaire.capabilities:
            goal = targets.capability_target(unit, cap.id, cap.dimension).level
            if goal > 1:
                gained += min(level(latest, unit, cap.id), goal) - 1
                needed += goal - 1
        expected[unit] = gained / needed
    ranking = comparison.ranking.set_index("business_unit")
    for unit, value in expected.items():
        assert ranking.loc[unit, "progress"] == pytest.approx(value)
    top_three = sorted(expected, key=expected.get, reverse=True)
    assert list(comparison.ranking["business_unit"][:3]) == top_three
    # assessed in 2025 and 2026 with the same answers: no progress; Manufacturing last seen in 2025 (all 1s)
    assert ranking.loc["Public Sector Programmes", "progress"] == 0
    assert ranking.loc["Manufacturing Operations", "rounds"] == 2


def test_organisation_is_the_mean_of_the_units_of_each_round(comparison, latest):
    values = comparison.values
    org = values[(values["business_unit"] == ORGANISATION) & (values["round"] == 2) & (values["kind"] == "dimension")]
    dims = latest.dimensions.groupby("dimension")["score"].mean()  # four units in 2026-R3
    for row in org.itertuples():
        assert row.score == pytest.approx(dims[row.id], abs=0.005)  # scores.json keeps 2 decimals
    assert any("not assessed in 2026-R3: Manufacturing Operations" in f for f in comparison.flags)


def test_table_csv_and_json(history, tmp_path, capsys, latest):
    assert main(["compare", str(history), "--unit", "Retail Banking"]) == 0
    text = capsys.readouterr().out
    benefits = level(latest, "Retail Banking", "benefits-management")
    assert text.index("Regressions in the latest round") < text.index("Units ranked by progress")
    assert f"Retail Banking: capability benefits-management L4 → L{benefits}" in text
    assert "Not assessed in the latest round: Manufacturing Operations (last in 2025-R2)" in text
    assert "\nGroup Technology\n" not in text and "\nRetail Banking\n" in text  # --unit limits the blocks
    out = tmp_path / "compare.csv"
    assert main(["compare", str(history), "--format", "csv", "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    row = next(r for r in rows if r["business_unit"] == "Retail Banking" and r["id"] == "capacity-planning"
               and r["round"] == "2026-R3")
    assert (row["status"], row["previous_round"], row["level"]) == ("rose", "2025-R2", str(level(
        latest, "Retail Banking", "capacity-planning")))
    first = next(r for r in rows if r["business_unit"] == "Insurance Claims" and r["round"] == "2024-R1")
    assert first["status"] == "first round"
    assert main(["compare", str(history), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "pmo-assess/compare@1" and [r["name"] for r in data["rounds"]] == [
        "2024-R1", "2025-R2", "2026-R3"]
    assert len(data["rows"]) == len(rows)


def test_out_is_never_an_input(history, capsys):
    scores = history / "rounds" / "2026-R3" / "units" / "retail-banking" / "scores.json"
    before = scores.read_bytes()
    assert main(["compare", str(history), "--out", str(scores)]) == 2
    assert "is this command's input" in capsys.readouterr().err and scores.read_bytes() == before


def test_is_the_roadmap_working(capsys):
    # tests/data/rounds/roadmaps: LEA-1 done 2025-06-30 (between 2024-R1 and 2025-R2), CAP-1/CAP-2, BEN-2 and
    # MEA-1 done in 2026 before 2026-11-02; GOV-1 is in progress and does not count
    comparison = compare_history(read_history([HISTORY]))
    roadmaps = load_unit_roadmaps(DATA / "rounds" / "roadmaps", comparison.history.units)
    items = initiatives_done(comparison, roadmaps)
    assert sorted(items["item"]) == ["BEN-2", "CAP-1", "CAP-2", "LEA-1", "MEA-1"]
    gained = levels_gained(items).set_index("capability")
    capacity = gained.loc["capacity-planning"]  # level 1 in 2025 (all 1s); the examples' level 4 in 2026
    assert (capacity["initiatives_done"], capacity["projected_level"], capacity["verdict"]) == (2, 3, "as projected")
    assert gained.loc["benefits-management", "verdict"] == "fell"  # 4 (all 4s) → 1 despite BEN-2
    assert gained.loc["performance-measures", "verdict"] == "did not move"  # 1 → 1 despite MEA-1
    assert gained.loc["leadership", ["from", "to"]].tolist() == ["2024-R1", "2025-R2"]
    assert set(stalled_capabilities(levels_gained(items))["capability"]) == {"benefits-management",
                                                                             "performance-measures"}
    assert main(["compare", str(HISTORY), "--roadmaps", str(DATA / "rounds" / "roadmaps"), "--unit",
                 "Retail Banking"]) == 0
    text = capsys.readouterr().out
    assert "Work done but the level did not move: Retail Banking benefits-management (BEN-2), Retail Banking " \
           "performance-measures (MEA-1)" in text


def test_committed_history_matches_its_recipe(comparison):
    """tests/data/rounds/history (used by the notebook) is what bundled_history makes: same levels everywhere."""
    committed = compare_history(read_history([HISTORY])).values.sort_values(
        ["business_unit", "round", "kind", "id"]).reset_index(drop=True)
    made = comparison.values.sort_values(["business_unit", "round", "kind", "id"]).reset_index(drop=True)
    assert np.array_equal(committed["level"].to_numpy(), made["level"].to_numpy(), equal_nan=True)


def test_out_never_lands_in_a_round_folder_nor_over_a_file_of_the_history(tmp_path, capsys):
    history = Path(shutil.copytree(HISTORY, tmp_path / "history"))
    round_folder = history / "rounds" / "2025-R2"
    manifest = round_folder / "manifest.json"
    report = round_folder / "units" / "retail-banking" / "report.html"
    summary = history / "summary.csv"
    for path in (manifest, report, summary):  # what a batch writes beside the scores
        path.write_text("kept\n")
    fresh = round_folder / "compare.csv"
    for out in (manifest, report, summary, fresh):
        assert main(["compare", str(history), "--format", "csv", "--out", str(out)]) == 2
        assert "--out" in capsys.readouterr().err
    assert [p.read_text() for p in (manifest, report, summary)] == ["kept\n"] * 3 and not fresh.exists()
    # a round folder or a unit's scores.json given on its own protects its round folder too
    assert main(["compare", str(round_folder), str(history / "rounds" / "2026-R3"), "--out", str(manifest)]) == 2
    scores = round_folder / "units" / "retail-banking" / "scores.json"
    assert main(["compare", str(scores), "--out", str(report)]) == 2
    assert "inside the round folder" in capsys.readouterr().err and report.read_text() == "kept\n"
    beside = history / "compare.csv"  # a new file beside the rounds is fine
    assert main(["compare", str(history), "--format", "csv", "--out", str(beside)]) == 0 and beside.exists()


def decimals(value) -> int:
    text = str(value)
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def test_scores_means_and_changes_are_reported_with_2_decimals(history, capsys, comparison):
    org = comparison.values[comparison.values["business_unit"] == ORGANISATION]
    assert (org["score"].round(2) != org["score"]).any()  # the means need rounding
    assert main(["compare", str(history), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = [r for r in data["rows"]]
    for key in ("score", "score_change"):
        assert max(decimals(r[key]) for r in rows if r[key] is not None) <= 2
    for key in ("overall_first", "overall_latest", "overall_change"):
        assert max(decimals(r[key]) for r in data["ranking"] if r[key] is not None) <= 2
    assert "lowest organisation capability level" in data["organisation"]
    assert main(["compare", str(history), "--format", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert max(decimals(r[key]) for r in table for key in ("score", "score_change") if r[key]) <= 2
    # levels come from the unrounded means: the JSON rows agree with the comparison's levels
    json_org = {(r["round"], r["kind"], r["id"]): r["level"] for r in rows if r["business_unit"] == ORGANISATION}
    names = comparison.round_names
    assert all(json_org[(names[r.round], r.kind, r.id)] == r.level for r in org.itertuples())


def test_trends_tables_show_scores_with_2_decimals(history):
    from pmo_assess.rounds import trends_view as tv

    view = tv.load_trends(str(history))
    moved = tv.movement_table(view)
    for key in ("score before", "score", "score change"):
        assert (moved[key].dropna().round(2) == moved[key].dropna()).all()
    ranking = tv.ranking_table(view)
    assert (ranking["overall change"].dropna().round(2) == ranking["overall change"].dropna()).all()
