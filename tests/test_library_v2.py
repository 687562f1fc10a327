"""Initiative library v2: found by the bank's major version, KPIs at the right level of measures, plausible
efforts and non-labour costs, relaxed prerequisites, bad input, and the roadmap planner on v2 answers."""
from __future__ import annotations

import csv
from collections import Counter

import pytest
from ruamel.yaml import YAML

from conftest import BANK, ROOT
from pmo_assess.cli import main
from pmo_assess.errors import InputErrors
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.roadmap.library import load_library
from pmo_assess.roadmap.workflow import default_library_path

BANK_V2 = ROOT / "questionnaires" / "value-driven-pmo-v2.yaml"
LIBRARY_V1 = ROOT / "questionnaires" / "initiatives" / "value-driven-pmo.yaml"
LIBRARY_V2 = ROOT / "questionnaires" / "initiatives" / "value-driven-pmo-v2.yaml"


@pytest.fixture(scope="module")
def v2():
    return load_questionnaire(BANK_V2)


@pytest.fixture(scope="module")
def library(v2):
    return load_library(LIBRARY_V2, v2)


def test_each_bank_finds_its_own_library(v2, tmp_path):
    assert default_library_path(BANK, load_questionnaire(BANK)) == LIBRARY_V1
    assert default_library_path(BANK_V2, v2) == LIBRARY_V2
    # a bank whose major version has no library of its own falls back to <id>.yaml
    (tmp_path / "initiatives").mkdir()
    copy = tmp_path / "bank.yaml"
    copy.write_text(BANK_V2.read_text(encoding="utf-8").replace("version: 2.0.0", "version: 3.1.0"), encoding="utf-8")
    assert default_library_path(copy, load_questionnaire(copy)) == tmp_path / "initiatives" / "value-driven-pmo.yaml"


def test_v1_library_does_not_cover_the_v2_bank(v2):
    with pytest.raises(InputErrors) as caught:
        load_library(LIBRARY_V1, v2)
    text = str(caught.value)
    for capability in ("risk-management", "financial-management", "assurance"):
        for step in ("1->2", "2->3", "3->4"):
            assert f"no initiative for capability '{capability}', step {step}" in text


def test_kpis_sit_at_their_level_of_measures(library):
    level = {k.id: k.measure_level for k in library.kpis}
    # the ones the review found misfiled, where they belong now
    assert {k: level[k] for k in ("stakeholder-satisfaction", "pmo-benefit-cost-ratio", "project-talent-retention",
                                  "forecast-accuracy", "spend-reallocated", "change-adoption-rate")} == {
        "stakeholder-satisfaction": 2, "pmo-benefit-cost-ratio": 2, "project-talent-retention": 3,
        "forecast-accuracy": 1, "spend-reallocated": 2, "change-adoption-rate": 2}
    # adoption facts are outcomes of initiatives, not measures of value
    assert not {"ppm-tool-usage", "portfolio-data-quality", "reporting-effort"} & set(level)
    assert level["savings-realised"] == 2 and level["reporting-effort-saved"] == 2      # savings KPIs
    assert level["revenue-from-new-offerings"] == 4 and level["time-to-market"] == 4   # market-facing KPIs
    assert "competitors" in library.kpi_by_id["revenue-from-new-offerings"].description


def test_kpi_references_are_spread_over_the_four_levels(library):
    counts = Counter(library.kpi_by_id[k].measure_level for i in library.initiatives for k in i.kpis)
    total = sum(counts.values())
    # v1 had 62 delivery references against 20/36/21: no level may now hold over 40% or under 12%
    assert all(0.12 <= counts[lv] / total <= 0.40 for lv in (1, 2, 3, 4)), counts
    unused = {k.id for k in library.kpis} - {k for i in library.initiatives for k in i.kpis}
    assert unused == set()
    # a step to level 4 (optimizing) is judged on outcomes or advantage, not on delivery alone
    top = [i.id for i in library.initiatives
           if i.from_level == 3 and max(library.kpi_by_id[k].measure_level for k in i.kpis) < 3]
    assert top == []


def test_efforts_and_non_labour_costs_are_plausible(library):
    by_id = library.by_id
    # choosing a PPM tool and migrating to it: two ordered initiatives, 100 person-days, licences costed
    selection, migration = by_id["PPM-1-common-tool"], by_id["PPM-1-migrate-major-projects"]
    assert selection.effort + migration.effort == 100 and migration.requires_initiatives == ("PPM-1-common-tool",)
    assert migration.non_labour_cost == 30000 and "licences" in migration.non_labour_note
    assert by_id["MEA-3-benchmarking"].non_labour_cost > 0 and "benchmark" in by_id["MEA-3-benchmarking"].non_labour_note
    assert library.currency == "EUR"
    assert all(i.non_labour_note for i in library.initiatives if i.non_labour_cost > 0)
    raw = YAML(typ="safe").load(LIBRARY_V2.read_text(encoding="utf-8"))
    assert all("non_labour_cost" in item for item in raw["initiatives"])  # declared, 0 when none
    assert all(0 < i.duration <= 12 for i in library.initiatives)


def closure(library, initiative_id: str) -> set[str]:
    """Every initiative that must come before this one, following dependencies all the way down."""
    todo, seen = [initiative_id], set()
    while todo:
        for needed in library.dependencies(library.by_id[todo.pop()]):
            if needed not in seen:
                seen.add(needed)
                todo.append(needed)
    return seen


def test_prerequisites_are_relaxed(library):
    by_id = library.by_id
    assert closure(library, "PRI-1-register-and-criteria") == set()  # a project list needs no strategy map
    # capacity planning to level 3: the ranked portfolio (level 2) only, not four steps deep
    assert closure(library, "CAP-2-capacity-demand-plan") == {"CAP-1-allocation-view", "PRI-1-register-and-criteria"}
    # a first step needs at most one other capability (the PPM tool for data and reporting work)
    for initiative in (i for i in library.initiatives if i.from_level == 1):
        others = {by_id[n].capability for n in closure(library, initiative.id)} - {initiative.capability}
        assert others <= {"ppm-tools"}, initiative.id


def test_every_step_of_the_new_capabilities_has_initiatives(library):
    for capability in ("risk-management", "financial-management", "assurance"):
        assert all(library.step(capability, step) for step in (1, 2, 3)), capability


LIBRARY_HEAD = """id: lib
version: 2.0.0
questionnaire: mini
kpis:
  - {id: on-time, name: On time, measure_level: 5, unit: percent, direction: up}
initiatives:
  - id: A-1
    capability: x
    from_level: 1
    title: T
    description: D
    effort: 5
    duration: 2
    outcome: O
    kpis: [on-time]
    non_labour_cost: -100
  - id: A-2
    capability: x
    from_level: 2
    title: T
    description: D
    effort: 5
    duration: 2
    outcome: O
    non_labour_cost: lots
    non_labour_note: [a, list]
"""


def test_bad_kpi_level_and_non_labour_cost_exit_2_with_key_and_line(tmp_path, capsys):
    path = tmp_path / "lib.yaml"
    path.write_text(LIBRARY_HEAD, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: kpis[0].measure_level (line 5): must be 1 (delivery)" in err and "got 5" in err
    assert f"{path}: initiatives[0] A-1.non_labour_cost (line 16): must be an amount of 0 or more " \
           "(licences, fees), got -100" in err
    assert "initiatives[1] A-2.non_labour_cost (line 25): must be an amount of 0 or more (licences, fees), got 'lots'" in err
    assert "initiatives[1] A-2.non_labour_note (line 26): must be text, not a list or mapping" in err


def test_roadmap_on_v2_answers_plans_the_new_capabilities(v2, tmp_path, capsys):
    answers = tmp_path / "answers.csv"
    with answers.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["business_unit", "respondent", "role", "question", "answer", "comment"])
        for capability in v2.capabilities:
            level = 1 if capability.id in ("risk-management", "financial-management", "assurance") else 3
            out.writerows(["Unit A", who, role, q.id, level, ""] for who, role in
                          (("Cara", "functional-manager"), ("Dev", "finance")) for q in capability.questions)
    targets = tmp_path / "targets.yaml"
    targets.write_text("questionnaire: value-driven-pmo\ndefault:\n  dimensions: {people: 3, process: 3, "
                       "technology: 3, governance: 3}\n", encoding="utf-8")
    assert main(["roadmap", "-q", str(BANK_V2), "-t", str(targets),  # no --library: the v2 one is found
                 "--out", str(tmp_path / "roadmaps"), "--starts-on", "2027-01-04", str(answers)]) == 0
    roadmap = YAML(typ="safe").load((tmp_path / "roadmaps" / "unit-a" / "roadmap.yaml").read_text(encoding="utf-8"))
    planned = {item["id"] for item in roadmap["items"]}
    # every other capability is at 3 already: only the two steps (1->2, 2->3) of the three new ones are planned
    assert planned == {i.id for i in load_library(LIBRARY_V2, v2).initiatives
                       if i.capability in ("risk-management", "financial-management", "assurance")
                       and i.from_level < 3}
