"""The tables, views and HTML behind the assessment and portfolio notebooks, checked on the bundled samples."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from batch_fixtures import MINI, write_answers
from conftest import BANK, EXAMPLES, ROOT
from pmo_assess.errors import InputErrors
from pmo_assess.export.scores import scores_to_dict
from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.io.targets import load_targets
from pmo_assess.report import portfolio as views
from pmo_assess.report import tables
from pmo_assess.report.answers import load_unit_answers
from pmo_assess.report.display import headline_html, table_html
from pmo_assess.report.html import notebook_html
from pmo_assess.report.paths import resolve_input, resolve_inputs
from pmo_assess.report.unit import load_unit_report, write_unit_scores
from pmo_assess.scoring import compute_gaps, score_answers

TARGETS = EXAMPLES / "targets.yaml"


def sample(unit: str):
    slug = unit.lower().replace(" ", "-")
    return load_unit_report([str(EXAMPLES / "answers" / f"{slug}.csv")], unit, str(BANK), str(TARGETS))


def test_disputed_items_list_every_respondents_answer_for_the_workshop():
    agenda = tables.disputed_items(sample("Group Technology"))

    assert list(agenda["question"]) == ["TEC-AUT-1", "TEC-AUT-2", "TEC-AUT-3"]
    # spread = max − min of the respondents' Automation scores: the sponsor answered 4s, a team member 1s
    assert set(agenda["capability"]) == {"Automation"} and set(agenda["spread (max − min)"]) == {3.0}
    assert list(agenda["Helena Lindqvist (sponsor)"]) == ["4", "4", "4"]
    assert list(agenda["Fatima Al-Sayed (team-member)"]) == ["1", "1", "1"]


def test_headline_and_dimensions_name_what_caps_a_level():
    report = sample("Insurance Claims")
    dims = tables.dimension_table(report).set_index("dimension")

    assert tables.headline(report)["level"] == 3
    # Governance = plain mean (capability weights all 1) of its five capability scores:
    # benefits 1.0769 (derived in the gaps test below), performance measures 2.9615, light-touch governance
    # 2.8462, PMO mandate 2.9423, decision support 2.75 → 12.5769 / 5 = 2.5154 → "2.52". Its score is at
    # least 2.50 (level 3), but staged scoring caps it at benefits management's level 1 + 1 = 2.
    assert dims.loc["Governance", "level"] == 2 and dims.loc["Governance", "score"] == 2.52
    assert dims.loc["Governance", "capped by"] == "Benefits management"
    assert "staged scoring holds it at level 2" in dims.loc["Governance", "why"]
    assert (dims.loc["Process", "level"], dims.loc["Process", "target"], dims.loc["Process", "gap"]) == (4, 4, 0)


def test_gaps_are_ranked_largest_first_with_a_next_step():
    gaps = tables.gaps_ranked(sample("Insurance Claims"))

    assert list(gaps["capability"]) == ["Benefits management", "Performance measures", "Continuous improvement"]
    assert list(gaps["gap"]) == [3, 1, 1]
    # Benefits management (GOV-BEN-1..3, question weights 1, 1, 2): Liam Novak and Yuki Sato answered 2, 1, 1
    # → (2 + 1 + 2·1) / 4 = 1.25; the other four answered 1s → 1.0. Unit score = role-weighted mean (sponsor
    # 1.5, the rest 1): (1.5·1.0 + 1.0 + 1.25 + 1.0 + 1.25 + 1.0) / 6.5 = 7 / 6.5 = 1.0769 → "1.08".
    assert round(7 / 6.5, 2) == 1.08
    assert gaps.loc[0, "next step"].startswith("Benefits management scores 1.08")


def test_not_applicable_areas_and_coverage():
    report = sample("Manufacturing Operations")
    areas = tables.not_applicable_areas(report)
    coverage = tables.coverage_table(report).set_index("capability")

    assert list(areas["capability"]) == ["Delivery approaches and complexity", "Automation"]
    assert list(areas["n/a"]) == [15, 15] and not areas["scored"].any()
    assert coverage.loc["Automation", "counted"] == 0
    assert coverage.loc["Forward-looking insight", "don't know"] > 0
    assert coverage.loc["Forward-looking insight", "coverage"] < 1


def test_comments_come_out_escaped():
    frame = tables.comments(sample("Retail Banking"))
    frame.loc[0, "comment"] = '<script>alert(1)</script> =HYPERLINK("http://evil.example","x")'

    html = table_html(frame)

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; =HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)" in html
    assert "Nobody has ever asked the business what it wants from the PMO." in html
    unit = headline_html({"business_unit": "<b>Ops</b>", "level": 2, "level_name": "evolving", "score": 2.0,
                          "respondents": 3, "capped_by": None, "explanation": "x < y"})
    assert "&lt;b&gt;Ops&lt;/b&gt;" in unit and "x &lt; y" in unit


def test_unit_scores_json_is_the_units_part_of_the_whole_scores_object(tmp_path):
    report = sample("Retail Banking")
    path = write_unit_scores(report, tmp_path / "out")

    bank = load_questionnaire(BANK)
    scores = score_answers(read_answers(sorted((EXAMPLES / "answers").glob("*.csv")), bank), bank)
    whole = scores_to_dict(scores, compute_gaps(scores, load_targets(TARGETS, bank)))
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written["schema"] == "pmo-assess/scores@1"
    assert written["units"] == [u for u in whole["units"] if u["business_unit"] == "Retail Banking"]
    assert write_unit_scores(report, "") is None


def test_one_units_bad_rows_do_not_stop_another_unit_of_the_same_file(tmp_path):
    answers = write_answers(tmp_path / "a.csv", {"Alpha": {}, "Broken": {"bad_answer": True}})
    bank = load_questionnaire(MINI)

    assert len(load_unit_answers([answers], "Alpha", bank)) == 14
    with pytest.raises(InputErrors, match=r"a.csv: row 19: answer '7' is outside the levels 1-4"):
        load_unit_answers([answers], "Broken", bank)
    with pytest.raises(InputErrors, match=r"no answers for business unit 'Beta'; units found: 'Alpha', 'Broken'"):
        load_unit_answers([answers], "Beta", bank)


def test_relative_paths_fall_back_to_the_repo_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").mkdir()  # a folder of that name here, but no answers in it

    assert resolve_input("questionnaires/value-driven-pmo.yaml") == ROOT / "questionnaires" / "value-driven-pmo.yaml"
    assert resolve_input("nowhere.yaml") == Path("nowhere.yaml")  # left as given, so "not found" names it
    assert [p.name for p in resolve_inputs("examples/answers/*.csv")] == [
        "group-technology.csv", "insurance-claims.csv", "manufacturing-operations.csv",
        "public-sector-programmes.csv", "retail-banking.csv"]


@pytest.fixture
def scores_folder(tmp_path):
    for unit in ("Retail Banking", "Insurance Claims"):
        write_unit_scores(sample(unit), tmp_path / "units" / unit.lower().replace(" ", "-"))
    return tmp_path / "units"


def test_portfolio_from_unit_scores_files(scores_folder):
    portfolio = views.load_portfolio(str(scores_folder), "", str(BANK))

    assert portfolio.names == ["Insurance Claims", "Retail Banking"]
    matrix = views.capability_matrix(portfolio)
    assert matrix.shape == (2, 18) and matrix.columns[0] == "Customer orientation"
    assert views.dimension_levels(portfolio).loc["Retail Banking", "Governance"] == 1
    progress = views.progress_to_target(portfolio).set_index("business unit")
    retail = portfolio.units[1]["capabilities"]
    # from level 1: each capability has target − 1 levels to climb and min(level − 1, target − 1) climbed
    to_climb = sum(c["target"] - 1 for c in retail)
    climbed = sum(min(c["level"] - 1, c["target"] - 1) for c in retail)
    assert progress.loc["Retail Banking", "progress to target"] == pytest.approx(climbed / to_climb)
    assert progress.loc["Retail Banking", "levels to climb"] == to_climb
    rollup = views.organisation_rollup(portfolio).set_index("area")
    overall = [u["overall"]["score"] for u in portfolio.units]
    assert rollup.loc["Overall", "mean score"] == pytest.approx(sum(overall) / 2, abs=0.01)
    assert (rollup.loc["Governance", "lowest unit level"], rollup.loc["Governance", "highest unit level"]) == (1, 2)


def test_portfolio_from_answers_names_the_weakest_capabilities():
    portfolio = views.load_portfolio("", "examples/answers/*.csv", str(BANK), str(TARGETS))
    weakest = views.weakest_capabilities(portfolio, count=3)

    assert len(portfolio.units) == 5
    assert weakest.loc[0, "capability"] == "Benefits management"
    assert weakest.loc[0, "units below target"] == 5
    assert list(weakest["mean score"]) == sorted(weakest["mean score"])


def test_portfolio_folder_problems_are_named(scores_folder, tmp_path):
    (scores_folder / "other").mkdir()
    (scores_folder / "other" / "scores.json").write_text('{"schema": "something-else"}', encoding="utf-8")
    shutil.copytree(scores_folder / "retail-banking", scores_folder / "retail-copy")

    with pytest.raises(InputErrors) as caught:
        views.load_portfolio(str(scores_folder), "", str(BANK))
    text = caught.value.render()
    assert "other/scores.json: schema: not a pmo-assess/scores@1 file" in text
    assert "unit 'Retail Banking' is also in" in text
    with pytest.raises(InputErrors, match="scores are for questionnaire 'value-driven-pmo', not 'mini'"):
        views.load_portfolio(str(scores_folder), "", str(MINI))
    (tmp_path / "empty" / ".partial").mkdir(parents=True)
    shutil.copy(scores_folder / "retail-banking" / "scores.json", tmp_path / "empty" / ".partial")
    with pytest.raises(InputErrors, match="no scores.json files"):  # hidden (unfinished) folders are not read
        views.load_portfolio(str(tmp_path / "empty"), "", str(BANK))


def test_html_report_has_outputs_but_no_code():
    notebook = new_notebook(cells=[new_code_cell("secret_code_line = 42", outputs=[
        new_output("display_data", data={"text/html": "<p>visible result</p>"})])])

    html = notebook_html(nbformat.from_dict(notebook))

    assert "visible result" in html and "secret_code_line" not in html


def _crowd(path: Path, respondents: int, questions: list[str], roles=("sponsor", "pm", "")) -> Path:
    """One unit (Crowd) of ``respondents`` answering every question; the first respondent comments on each."""
    import numpy as np
    import pandas as pd

    person = np.repeat(np.arange(respondents), len(questions))
    frame = pd.DataFrame({
        "business_unit": "Crowd", "respondent": [f"P{i:05d}" for i in person],
        "role": np.array(roles, dtype=object)[person % len(roles)],
        "question": np.tile(np.array(questions, dtype=object), respondents),
        "answer": ((person + np.tile(np.arange(len(questions)), respondents)) % 4 + 1).astype(str),
        "comment": ""})
    frame.loc[person == 0, "comment"] = "first"
    frame.to_csv(path, index=False)
    return path


def test_a_unit_of_60_respondents_shows_everyone_and_61_shows_each_roles_distribution(tmp_path):
    bank = load_questionnaire(MINI)
    questions = [q.id for q in bank.questions]
    small = load_unit_report([str(_crowd(tmp_path / "s.csv", 60, questions))], "Crowd", str(MINI))
    large = load_unit_report([str(_crowd(tmp_path / "l.csv", 61, questions))], "Crowd", str(MINI))

    assert not tables.by_role(small) and tables.view_note(small) == ""
    assert tables.capability_matrix(small).shape[1] == 60 + 1
    assert tables.by_role(large)
    assert "Crowd has 61 respondents, more than 60" in tables.view_note(large)
    assert list(tables.capability_matrix(large).columns) == [
        "sponsor (21): mean", "pm (20): mean", "(no role) (20): mean", "unit score"]


def test_a_unit_of_18000_respondents_reports_per_role_distributions_of_bounded_size(tmp_path):
    from pmo_assess.charts.heatmap import heatmap
    from pmo_assess.report.display import figure_png

    bank = load_questionnaire(MINI)
    questions = [q.id for q in bank.questions]
    report = load_unit_report([str(_crowd(tmp_path / "big.csv", 18_000, questions))], "Crowd", str(MINI))

    assert tables.headline(report)["respondents"] == 18_000
    assert "Crowd has 18,000 respondents" in tables.view_note(report)
    matrix = tables.capability_matrix(report)
    assert matrix.shape == (len(bank.capabilities), 4)
    assert matrix.loc[bank.capabilities[0].name, "unit score"] == pytest.approx(
        report.scores.capability_score[0, 0])
    spread = tables.role_distribution(report)
    assert len(spread) == len(bank.capabilities) * 3
    row = spread[(spread["role"] == "sponsor")].iloc[0]
    assert row["respondents"] == 6000 and 1 <= row["lowest"] <= row["median"] <= row["highest"] <= 4
    agenda = tables.disputed_items(report)
    assert 0 < len(agenda) <= len(questions) and agenda.shape[1] == 4 + 3
    counts = agenda.iloc[0]["sponsor (6,000)"]
    assert sum(int(part.split(": ")[1].replace(",", "")) for part in counts.split(", ")) == 6000
    assert len(table_html(agenda)) < 20_000
    assert len(figure_png(heatmap(matrix))) < 200_000
    assert len(tables.comments(report)) == len(questions)  # only P00000 commented
    assert tables.comments_note(report) == ""
    assert "The first 3 of 7 comments" in tables.comments_note(report, limit=3)


def test_progress_to_target_counts_unassessed_capabilities_and_can_start_from_a_previous_round(scores_folder):
    portfolio = views.load_portfolio(str(scores_folder), "", str(BANK))
    retail = portfolio.units[1]
    assert retail["business_unit"] == "Retail Banking"
    unassessed = {**retail, "capabilities": [dict(c) for c in retail["capabilities"]]}
    first = unassessed["capabilities"][0]  # customer orientation: level 2, target 3 in examples/targets.yaml
    assert (first["level"], first["target"]) == (2, 3)
    first["level"] = None  # no counted answers
    before = {**retail, "capabilities": [{**c, "level": 1} for c in retail["capabilities"]]}
    before["capabilities"][0]["level"] = 2
    lone = views.Portfolio(portfolio.questionnaire, [unassessed])

    plain = views.progress_to_target(views.Portfolio(portfolio.questionnaire, [retail])).iloc[0]
    dropped = views.progress_to_target(lone).iloc[0]
    # unassessed: still 2 levels to climb for it (target 3 − baseline 1), none climbed; it stays in the count
    assert dropped["unassessed"] == 1
    assert dropped["levels to climb"] == plain["levels to climb"]
    assert dropped["levels climbed"] == plain["levels climbed"] - 1
    # from a previous round where customer orientation was already at 2: 1 level left to climb for it
    since = views.progress_to_target(lone, [before]).iloc[0]
    assert since["measured from"] == "previous round"
    assert since["levels to climb"] == plain["levels to climb"] - 1


def _people_answers(path: Path, people: list[tuple[str, str]]) -> Path:
    """Every mini question answered by each (name, role), in the order given."""
    import csv

    from batch_fixtures import QUESTIONS

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["business_unit", "respondent", "role", "question", "answer", "comment"])
        for n, (name, role) in enumerate(people):
            writer.writerows(["Ops", name, role, q, str((n + i) % 4 + 1), ""] for i, q in enumerate(QUESTIONS))
    return path


@pytest.mark.parametrize("people, shown", [
    ([("Ann", "sponsor"), ("Bob", "pm"), ("Cem", "pm")], {"other": 3}),
    # "other" would be the sponsor alone: the smallest named role joins it
    ([("Ann", "sponsor"), ("Bob", "pm"), ("Cem", "pm"), ("Dia", "pm")], {"other": 4}),
])
def test_anonymised_roles_never_single_out_a_small_role(tmp_path, people, shown):
    from pmo_assess.report.cover import cover_html, unit_cover
    from pmo_assess.report.settings import ReportSettings
    from pmo_assess.rounds.round_info import parse_round_info

    answers = _people_answers(tmp_path / "ops.csv", people)
    report = load_unit_report([str(answers)], "Ops", str(MINI), anonymise=True)
    cover = unit_cover(report, ReportSettings(anonymise=True), parse_round_info("", "2026-11-30"))
    html = cover_html(cover) + tables.disputed_items(report).to_html()

    assert cover.roles == shown and "sponsor" not in html
    assert not any(name in html for name, _ in people)


def test_only_the_smallest_named_role_joins_a_too_small_other():
    import pandas as pd

    from pmo_assess.report.anonymise import shown_roles

    people = [("Ann", "sponsor"), *[(f"P{i}", "pm") for i in range(3)], *[(f"T{i}", "team") for i in range(4)]]
    frame = pd.DataFrame(people, columns=["respondent", "role"])
    assert shown_roles(frame) == {"sponsor": "other", "pm": "other", "team": "team"}
    assert set(shown_roles(frame.head(2)).values()) == {"other"}  # two people in all: no role is shown


def test_respondent_numbers_do_not_follow_the_rows_order(tmp_path):
    from pmo_assess.report.anonymise import respondent_aliases

    people = [(f"Person {c}", "pm") for c in "ABCDEFGH"]
    forward = read_answers(_people_answers(tmp_path / "forward.csv", people))
    backward = read_answers(_people_answers(tmp_path / "backward.csv", people[::-1]))

    aliases = respondent_aliases(forward)
    assert aliases == respondent_aliases(backward)  # numbered from the names, not from where they are in the file
    assert sorted(aliases.values()) == sorted(f"Respondent {i}" for i in range(1, 9))
    assert [aliases[name] for name, _ in people] != [f"Respondent {i}" for i in range(1, 9)]
