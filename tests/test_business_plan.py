"""Business plan: PMO type rule, draft from assessment and roadmap, validation, financials, CLI."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from plan_fixtures import ANSWERS, LIBRARY, MINI, ROADMAP, TARGETS, plan_args
from pmo_assess.cli import main
from pmo_assess.errors import InputErrors
from pmo_assess.business_plan.build import build_plan
from pmo_assess.business_plan.plan_file import load_plan
from pmo_assess.business_plan.financials import MoneyLine, compute_financials
from pmo_assess.business_plan.pmo_type import UnitSignals, recommend_pmo_type
from pmo_assess.roadmap.roadmap_file import load_roadmap

TODAY = dt.date(2026, 11, 22)


def build(tmp_path: Path, **options):
    return build_plan(MINI, [ANSWERS], "Alpha", tmp_path / "plan.yaml", targets_path=TARGETS,
                      roadmap_path=ROADMAP, library_path=LIBRARY, today=TODAY, **options)


@pytest.mark.parametrize("signals, expected", [
    (UnitSignals(governance=2, process=2, people=3, strategic_alignment_gap=0, pmo_mandate=2), "controlling"),
    (UnitSignals(governance=3, process=3, people=2, strategic_alignment_gap=0, pmo_mandate=3), "supportive"),
    (UnitSignals(governance=3, process=2, people=3, strategic_alignment_gap=2, pmo_mandate=3), "directive"),
    (UnitSignals(governance=1, process=4, people=2, strategic_alignment_gap=0, pmo_mandate=1), "controlling"),
    (UnitSignals(governance=3, process=3, people=3, strategic_alignment_gap=1, pmo_mandate=3), "supportive"),
    (UnitSignals(governance=2, process=3, people=3, strategic_alignment_gap=None, pmo_mandate=None), "supportive"),
])
def test_pmo_type_follows_the_written_rule_and_quotes_the_levels(signals, expected):
    pmo_type, reason = recommend_pmo_type(signals)
    assert pmo_type == expected
    assert reason.startswith(f"Recommended {expected} because")
    assert f"governance level {signals.governance}" in reason and f"process level {signals.process}" in reason


def test_sample_units_get_the_types_their_profiles_call_for():
    from conftest import BANK, EXAMPLES
    from pmo_assess.business_plan.build import assess_unit
    from pmo_assess.business_plan.pmo_type import unit_signals

    answers = sorted((EXAMPLES / "answers").glob("*.csv"))
    expected = {"Retail Banking": "controlling",          # governance ad hoc, however strong process is
                "Group Technology": "supportive",         # level 2-3 everywhere: nothing calls for control
                "Insurance Claims": "supportive",         # mature; governance capped at 2 by one capability
                "Manufacturing Operations": "controlling",  # governance and process both evolving
                "Public Sector Programmes": "controlling"}
    for unit, pmo_type in expected.items():
        _, scores, gaps = assess_unit(BANK, answers, EXAMPLES / "targets.yaml", unit)
        assert recommend_pmo_type(unit_signals(scores, gaps, scores.unit_index(unit)))[0] == pmo_type, unit


def test_draft_is_built_from_the_assessment_and_the_roadmap(tmp_path):
    run = build(tmp_path)
    plan = run.plan
    assert run.drafted and plan.business_unit == "Alpha"
    assert plan.pmo_type.recommended == plan.pmo_type.chosen == "controlling"  # governance is ad hoc (level 1)
    assert [o.objective for o in plan.objectives] == [
        "Raise benefits from level 1 (ad hoc) to level 3 (operationalizing)",
        "Raise measures from level 1 (ad hoc) to level 3 (operationalizing)",
        "Raise leadership from level 2 (evolving) to level 3 (operationalizing)"]
    assert plan.objectives[0].business_outcome == "Benefits are reviewed every quarter against forecast."
    assert plan.objectives[0].due == dt.date(2027, 6, 20)  # end of wave 2, the last wave with a benefits item
    kpis = {k.id: k for k in plan.kpis}
    assert {k.measure_level for k in plan.kpis} == {1, 2, 3, 4}
    assert kpis["benefits-tracked"].initiatives == ("BEN-1", "BEN-2")
    assert kpis["benefits-tracked"].cadence == "quarterly" and kpis["peer-rank"].cadence == "yearly"
    assert [(c.roadmap_wave, c.person_days) for c in plan.costs if c.roadmap_wave] == [(1, 28.0), (2, 33.0)]
    assert {s.id: s.status for s in plan.services} == {
        "talent": "offered", "leadership": "planned", "benefits": "planned", "measures": "planned"}
    assert any("Benefits must rise 2 levels" in r.risk for r in plan.risks)
    assert plan.reassessment_date == TODAY + dt.timedelta(weeks=26)
    assert plan.financials.benefit_cost_ratio is None
    assert "cost 'Roadmap wave 1 initiatives': 28 person-days but no day_rate" in plan.financials.missing


def test_existing_plan_is_never_rewritten_and_redraft_goes_beside_it(tmp_path):
    build(tmp_path)
    path = tmp_path / "plan.yaml"
    edited = path.read_text().replace("currency: EUR", "currency: GBP  # agreed with finance")
    path.write_text(edited)
    run = build(tmp_path, redraft=True)
    assert not run.drafted and path.read_text() == edited
    assert run.plan.currency == "GBP"
    assert run.redraft_path == tmp_path / "plan.draft.yaml"
    assert "currency: EUR" in run.redraft_path.read_text()


def test_day_rate_prices_the_roadmap_waves(tmp_path):
    plan = build(tmp_path, day_rate=1000).plan
    costs = {c.item: c for c in plan.costs}
    assert costs["Roadmap wave 2 initiatives"].person_days == 33.0
    assert "cost 'Roadmap wave 2 initiatives': 33 person-days but no day_rate" not in plan.financials.missing
    assert plan.financials.missing[0] == "cost 'PMO running cost (staff, tools, facilities)': no amount yet"


def test_financials_ratio_and_payback():
    costs = [MoneyLine("set-up", 100_000, "one-off", 1), MoneyLine("PMO staff", 60_000, "yearly", 1)]
    benefits = [MoneyLine("faster decisions", 150_000, "yearly", 2)]
    money = compute_financials(costs, benefits, horizon_years=3, day_rate=None)
    assert money.total_costs == 280_000 and money.total_benefits == 300_000
    assert money.yearly_costs == (160_000, 60_000, 60_000) and money.yearly_benefits == (0, 150_000, 150_000)
    assert money.benefit_cost_ratio == 1.07
    assert money.payback_months == 34  # 12 + 22 months into year 2's flows
    never = compute_financials(costs, [MoneyLine("small", 10_000, "yearly", 1)], 3, None)
    assert never.benefit_cost_ratio == 0.11 and never.payback_months is None
    priced = compute_financials([MoneyLine("wave 1", None, person_days=20)], benefits, 3, day_rate=500)
    assert priced.total_costs == 10_000


BAD_PLAN = """\
schema: pmo-assess/plan@1
business_unit: Alpha
questionnaire: mini
purpose: Help Alpha get value.
pmo_type: {recommended: controlling, reason: governance is weak, chosen: bossy}
objectives:
  - {id: OBJ-1, objective: Raise benefits, capabilities: [benfits], measured_by: [no-such-kpi]}
kpis:
  - {id: on-time, name: Projects on schedule, measure_level: 5, initiatives: [BEN-9]}
  - {id: on-time, name: Again, measure_level: 1, baseline: lots}
financials:
  horizon_years: 3
  costs:
    - {item: staff, amount: -5}
    - {item: both, amount: 5, person_days: 3}
    - {item: wave, roadmap_wave: 7}
  benefits:
    - {item: gains, amount: 10, year: 4}
risks:
  - {risk: nobody cares, likelihood: huge, impact: high}
reassessment: {date: next spring}
"""


def test_every_problem_of_an_edited_plan_is_listed_with_key_and_line(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(BAD_PLAN)
    from pmo_assess.io.questionnaire import load_questionnaire

    with pytest.raises(InputErrors) as caught:
        load_plan(path, load_questionnaire(MINI), load_roadmap(ROADMAP))
    text = caught.value.render()
    expected = [
        "pmo_type.chosen (line 5): must be one of controlling, supportive, directive, got 'bossy'",
        "objectives[0].measured_by (line 7): unknown KPI id 'no-such-kpi'",
        "objectives[0].capabilities (line 7): unknown capability id 'benfits'",
        "kpis[0].measure_level (line 9): must be a whole number 1-4, got 5",
        "kpis[0].initiatives (line 9): 'BEN-9' is not an item of the roadmap",
        "kpis[1].id (line 10): duplicate KPI id 'on-time'",
        "kpis[1].baseline (line 10): must be a number (or null), got 'lots'",
        "financials.costs[0].amount (line 14): must be a number at least 0 (or null), got -5",
        "financials.costs[1] (line 15): give one of amount, person_days or roadmap_wave, not amount and person_days",
        "financials.costs[2].roadmap_wave (line 16): the roadmap has no wave 7 (waves: 1, 2, 3)",
        "financials.benefits[0].year (line 18): must be a whole number 1-3, got 4",
        "risks[0].likelihood (line 20): must be one of low, medium, high, got 'huge'",
        "reassessment.date (line 21): must be a date like 2027-05-31, got 'next spring'",
    ]
    for message in expected:
        assert f"{path}: {message}" in text
    assert len(caught.value.problems) == len(expected)


def test_cli_drafts_validates_and_exports(tmp_path, capsys):
    assert main(plan_args(tmp_path, "--format", "md,xlsx", "--day-rate", "800")) == 0
    err = capsys.readouterr().err
    assert f"drafted {tmp_path / 'plan.yaml'}" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.md", "plan.xlsx", "plan.yaml"]
    assert main(plan_args(tmp_path, "--format", "html")) == 0
    assert "using" in capsys.readouterr().err and (tmp_path / "plan.html").exists()
    assert main(["validate", str(tmp_path / "plan.yaml"), "-q", str(MINI)]) == 0
    assert "business plan of Alpha: 3 objectives, 4 KPIs, PMO type controlling" in capsys.readouterr().out


def test_cli_bad_plan_exits_2_with_every_problem_and_no_traceback(tmp_path, capsys):
    (tmp_path / "plan.yaml").write_text(BAD_PLAN)
    assert main(plan_args(tmp_path)) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "pmo_type.chosen (line 5)" in err and "reassessment.date (line 21)" in err
    assert not (tmp_path / "plan.html").exists()
    assert main(["validate", str(tmp_path / "plan.yaml")]) == 2
    assert "kpis[1].id (line 10): duplicate KPI id 'on-time'" in capsys.readouterr().err


def test_cli_unknown_unit_and_wrong_roadmap_are_input_problems(tmp_path, capsys):
    args = plan_args(tmp_path)
    args[args.index("Alpha")] = "Gamma"
    assert main(args) == 2
    assert "no answers for unit 'Gamma'; units found: Alpha, Beta" in capsys.readouterr().err
    args[args.index("Gamma")] = "Beta"
    assert main(args) == 2
    assert f"{ROADMAP}: business_unit: this roadmap is for 'Alpha', not 'Beta'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(plan_args(tmp_path, "--format", "html,pdf"))
    assert exit_.value.code == 2


@pytest.mark.parametrize("rate", ["-5", "nan", "inf"])
def test_cli_bad_day_rate_is_refused_before_a_draft_is_written(tmp_path, capsys, rate):
    with pytest.raises(SystemExit) as exit_:
        main(plan_args(tmp_path, f"--day-rate={rate}"))
    assert exit_.value.code == 2
    assert "argument --day-rate: must be a finite number of 0 or more" in capsys.readouterr().err
    assert not (tmp_path / "plan.yaml").exists()


def test_nan_and_infinite_amounts_in_a_plan_are_problems(tmp_path):
    from pmo_assess.io.questionnaire import load_questionnaire

    path = tmp_path / "plan.yaml"
    assert main(plan_args(tmp_path, "--format", "md")) == 0
    text = path.read_text()
    start = text.index("  day_rate:")
    path.write_text(text[:start] + "  day_rate: .nan\n" + text[text.index("\n", start) + 1:])
    with pytest.raises(InputErrors) as caught:
        load_plan(path, load_questionnaire(MINI), load_roadmap(ROADMAP))
    assert "financials.day_rate" in caught.value.render()
    assert "must be a number at least 0 (or null), got nan" in caught.value.render()
