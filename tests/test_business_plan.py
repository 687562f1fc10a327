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


def _signals(governance, process, people):
    return UnitSignals(overall=min(governance, process, people),
                       dimensions={"people": people, "process": process, "governance": governance})


@pytest.mark.parametrize("levels, expected", [
    ((1, 4, 2), "controlling"),   # aim supportive (no context): its gate needs governance 2
    ((2, 2, 2), "supportive"),    # governance and process at 2: the supportive gate opens
    ((3, 3, 3), "supportive"),    # no context: the aim is supportive, never further
])
def test_without_context_the_aim_is_supportive_and_maturity_decides_the_start(levels, expected):
    recommendation = recommend_pmo_type(_signals(*levels))
    assert recommendation.pmo_type == expected and recommendation.aim == "supportive"
    assert "no context answers were given" in recommendation.reason
    assert f"governance {levels[0]}" in recommendation.reason  # the levels it looked at are quoted


def test_sample_units_get_the_types_their_profiles_call_for():
    from conftest import BANK, EXAMPLES
    from pmo_assess.business_plan.build import assess_unit
    from pmo_assess.business_plan.pmo_type import unit_signals

    answers = sorted((EXAMPLES / "answers").glob("*.csv"))
    # no context: aim supportive, which needs governance and process at level 2 or above
    expected = {"Retail Banking": "controlling",          # governance 1, however strong process (4) is
                "Group Technology": "supportive",         # governance 2, process 3
                "Insurance Claims": "supportive",         # governance 2, process 4
                "Manufacturing Operations": "supportive",  # governance 2, process 2: standards exist to support
                "Public Sector Programmes": "controlling"}  # every dimension at 1
    for unit, pmo_type in expected.items():
        _, scores, gaps = assess_unit(BANK, answers, EXAMPLES / "targets.yaml", unit)
        assert recommend_pmo_type(unit_signals(scores, gaps, scores.unit_index(unit))).pmo_type == pmo_type, unit


def test_draft_is_built_from_the_assessment_and_the_roadmap(tmp_path):
    run = build(tmp_path)
    plan = run.plan
    assert run.drafted and plan.business_unit == "Alpha"
    assert plan.pmo_type.recommended == plan.pmo_type.chosen == "controlling"  # governance is ad hoc (level 1)
    # business objectives, not "raise X from level 1 to 3": the headline KPI is the one nearest business
    # outcomes among the capability's roadmap KPIs (benefits: benefits-tracked L2, margin-uplift L3 → margin-uplift)
    assert [o.objective for o in plan.objectives] == [
        "Increase margin uplift from the portfolio by 2027-06-20",
        "Increase projects on schedule by 2027-06-20",
        "Leaders meet monthly by 2027-03-28"]  # LEA-2 has no KPI: the library outcome, by the end of wave 1
    assert [(o.measure, o.levels) for o in plan.objectives] == [
        ("margin-uplift", (1, 3)), ("on-time", (1, 3)), ("", (2, 3))]
    assert plan.objectives[0].business_outcome == "Benefits are reviewed every quarter against forecast."
    assert plan.objectives[0].due == dt.date(2027, 6, 20)  # end of wave 2, the last wave with a benefits item
    kpis = {k.id: k for k in plan.kpis}
    assert {k.measure_level for k in plan.kpis} == {1, 2, 3, 4}
    assert kpis["benefits-tracked"].initiatives == ("BEN-1", "BEN-2")
    assert kpis["benefits-tracked"].cadence == "quarterly" and kpis["peer-rank"].cadence == "yearly"
    # the roadmap's cost is read from the roadmap, not written into plan.yaml as one line per wave
    assert [c.item for c in plan.costs] == ["PMO running cost (staff, tools, facilities)"]
    assert "roadmap_wave" not in (tmp_path / "plan.yaml").read_text()
    assert {w.wave: w.person_days for w in plan.roadmap_costs.waves} == {1: 28.0, 2: 33.0}
    # mini's leadership capability shares its id with the bundled bank's: the catalogue's coaching service;
    # the others have no catalogue service, so each gets its own
    assert {s.id: s.status for s in plan.services} == {
        "delivery-coaching": "planned", "talent": "offered", "benefits": "planned", "measures": "planned"}
    assert any("Benefits must rise 2 levels" in r.risk for r in plan.risks)
    assert plan.reassessment_date == TODAY + dt.timedelta(weeks=26)
    assert plan.financials.benefit_cost_ratio is None
    assert "roadmap costs: 61 person-days of 5 initiatives but no day_rate" in plan.financials.missing


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
    waves = {w.wave: w for w in plan.roadmap_costs.waves}
    assert waves[2].person_days == 33.0 and waves[2].amount == 33_000
    assert waves[2].label == "Roadmap wave 2 initiatives" and waves[2].years == (1,)
    assert plan.financials.roadmap_yearly == (61_000, 0, 0)
    assert not any("day_rate" in line for line in plan.financials.missing)
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
        "pmo_type.chosen (line 5): must be one of controlling, supportive, directive, strategic, got 'bossy'",
        "objectives[0].measured_by (line 7): unknown KPI id 'no-such-kpi'",
        "objectives[0].capabilities (line 7): unknown capability id 'benfits'",
        "kpis[0].measure_level (line 9): must be a whole number 1-4, got 5",
        "kpis[0].initiatives (line 9): 'BEN-9' is not an item of the roadmap",
        "kpis[1].id (line 10): duplicate KPI id 'on-time'",
        "kpis[1].baseline (line 10): must be a number (or null), got 'lots'",
        "financials.costs[0].amount (line 14): must be a number at least 0 (or null), got -5",
        "financials.costs[1] (line 15): give one of amount, person_days or roadmap_wave, not amount and person_days",
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
    # (plan.yaml is written under its lock, whose hidden .plan.yaml.lock stays beside it)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "plan.md", "plan.xlsx", "plan.yaml"]
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


# --- the plan follows the roadmap (issue 9) -------------------------------------------------------------------

def _fill_money(path: Path, running: int = 250_000, benefit: int = 60_000) -> None:
    """Give the drafted running cost and every benefit line an amount, as a PMO head would."""
    import re

    text = path.read_text()
    text = text.replace("    - item: PMO running cost (staff, tools, facilities)\n      amount:\n",
                        f"    - item: PMO running cost (staff, tools, facilities)\n      amount: {running}\n")
    text = re.sub(r"(    - item: 'OBJ-\d+: [^\n]*'\n      amount:)\n", rf"\1 {benefit}\n", text)
    path.write_text(text)


@pytest.mark.timeout(120)
def test_roadmap_growing_to_13_waves_puts_every_wave_cost_into_the_plan(tmp_path, capsys):
    """Regression (issue 9.4): --capacity 50 grows the roadmap from 6 waves; the ratio must include waves 7 onwards."""
    from conftest import BANK, EXAMPLES

    answers = [str(p) for p in sorted((EXAMPLES / "answers").glob("*.csv"))]
    roadmap_args = ["roadmap", *answers, "-q", str(BANK), "-t", str(EXAMPLES / "targets.yaml"),
                    "--unit", "Retail Banking", "--out", str(tmp_path / "roadmaps"), "--starts-on", "2027-01-04"]
    roadmap_path = tmp_path / "roadmaps" / "retail-banking" / "roadmap.yaml"
    plan_cli = ["plan", "--unit", "Retail Banking", "--answers", *answers, "-q", str(BANK),
                "-t", str(EXAMPLES / "targets.yaml"), "-r", str(roadmap_path), "--out", str(tmp_path / "plan"),
                "--format", "md"]
    assert main(roadmap_args) == 0
    assert main(plan_cli + ["--day-rate", "900"]) == 0
    _fill_money(tmp_path / "plan" / "plan.yaml")
    before = build_plan(BANK, answers, "Retail Banking", tmp_path / "plan" / "plan.yaml",
                        targets_path=EXAMPLES / "targets.yaml", roadmap_path=roadmap_path)
    waves_before = {w.wave for w in before.plan.roadmap_costs.waves}
    assert max(waves_before) == len(waves_before) < 13
    assert main(roadmap_args + ["--capacity", "50"]) == 0
    capsys.readouterr()
    assert main(plan_cli) == 0
    err = capsys.readouterr().err
    after = build_plan(BANK, answers, "Retail Banking", tmp_path / "plan" / "plan.yaml",
                       targets_path=EXAMPLES / "targets.yaml", roadmap_path=roadmap_path)
    from pmo_assess.roadmap.roadmap_file import load_roadmap as read_roadmap

    roadmap = read_roadmap(roadmap_path)
    waves_after = {w.wave: w for w in after.plan.roadmap_costs.waves}
    assert max(waves_after) >= 13 and set(range(7, 14)) <= set(waves_after)
    expected = sum(i.effort for i in roadmap.active_items if i.wave is not None) * 900
    assert after.plan.roadmap_costs.amount == pytest.approx(expected)
    assert sum(after.plan.financials.roadmap_yearly) == pytest.approx(expected, abs=1)
    later = sum(waves_after[w].amount for w in waves_after if w >= 7)
    assert later > 0
    money = after.plan.financials
    own = 250_000 * money.horizon_years
    assert money.total_costs == pytest.approx(own + expected, abs=1)  # every wave's cost is in the ratio
    assert money.benefit_cost_ratio == pytest.approx(money.total_benefits / money.total_costs, abs=0.005)
    assert f"waves {max(waves_before) + 1}–{max(waves_after)} added" in err
    assert "(roadmap cost included)" in err
    # each wave's cost falls in the plan years its dates fall in
    from pmo_assess.business_plan.roadmap_costs import month_index

    for wave in waves_after.values():
        assert wave.years[0] == month_index(after.plan.roadmap_costs.starts_on, wave.first) // 12 + 1
    last = max(waves_after.values(), key=lambda w: w.wave)
    assert money.roadmap_yearly[last.years[-1] - 1] > 0


def test_roadmap_costs_follow_the_items_dates_into_plan_years(tmp_path):
    """An item dated in the plan's second year is costed there; one spanning a year end is split by days."""
    text = ROADMAP.read_text()
    text = text.replace("wave: 2, effort: 15, duration: 8,", "wave: 2, effort: 15, duration: 8, start: 2028-02-07, end: 2028-03-05,")
    text = text.replace("wave: 2, effort: 18, duration: 8,", "wave: 2, effort: 18, duration: 8, start: 2027-12-20, end: 2028-01-16,")
    roadmap = tmp_path / "roadmap.yaml"
    roadmap.write_text(text)
    run = build_plan(MINI, [ANSWERS], "Alpha", tmp_path / "plan.yaml", targets_path=TARGETS, roadmap_path=roadmap,
                     library_path=LIBRARY, today=TODAY, day_rate=1000)
    # year 1 runs 2027-01-04 .. 2028-01-03: wave 1 (28 pd) + MEA-2's first 15 of 28 days (18 pd × 15/28)
    yearly = run.plan.financials.roadmap_yearly
    assert yearly[0] == pytest.approx(28_000 + 18_000 * 15 / 28, abs=0.01)
    assert yearly[1] == pytest.approx(15_000 + 18_000 * 13 / 28, abs=0.01)
    wave2 = {w.wave: w for w in run.plan.roadmap_costs.waves}[2]
    assert wave2.years == (1, 2) and wave2.first == dt.date(2027, 12, 20)


def test_old_roadmap_wave_lines_name_the_waves_and_every_wave_is_costed(tmp_path, capsys):
    """A plan.yaml from before (one roadmap_wave line per wave) keeps working: the lines name the waves' costs."""
    from plan_fixtures import PLAN_DATA

    text = (PLAN_DATA / "plan.yaml").read_text().replace(
        "    - {item: Roadmap wave 2 initiatives, roadmap_wave: 2, recurrence: one-off, year: 1}\n",
        "    - {item: Second wave (agreed with finance), roadmap_wave: 2, recurrence: one-off, year: 3}\n"
        "    - {item: Wave seven, roadmap_wave: 7}\n")
    path = tmp_path / "plan.yaml"
    path.write_text(text)
    plan = load_plan(path, None, load_roadmap(ROADMAP))
    waves = {w.wave: w for w in plan.roadmap_costs.waves}
    assert waves[2].label == "Second wave (agreed with finance)" and waves[2].years == (1,)  # dates, not year: 3
    assert [c.item for c in plan.costs] == ["PMO running cost"]
    assert plan.financials.yearly_costs == (121_000, 60_000, 60_000)
    assert any("financials.costs[3] (wave 7): the roadmap has no such wave now (waves: 1, 2)" in n for n in plan.notices)
    path.write_text(text.replace("    - {item: Roadmap wave 1 initiatives, roadmap_wave: 1, recurrence: one-off, year: 1}\n", ""))
    plan = load_plan(path, None, load_roadmap(ROADMAP))
    assert "roadmap wave 1 had no cost line in plan.yaml: costed from the roadmap all the same" in plan.notices
    assert plan.financials.yearly_costs == (121_000, 60_000, 60_000)


def test_a_plan_drafted_with_a_roadmap_gives_no_ratio_without_it(tmp_path):
    from plan_fixtures import PLAN_DATA

    path = tmp_path / "plan.yaml"
    path.write_text((PLAN_DATA / "plan.yaml").read_text() + "drafted_from: {on: 2026-11-22, roadmap: roadmap.yaml}\n")
    plan = load_plan(path)
    assert plan.financials.benefit_cost_ratio is None
    assert "the plan was drafted with the roadmap roadmap.yaml: pass it (--roadmap) to count its cost" in \
        plan.financials.missing


def _raised_answers(tmp_path: Path) -> Path:
    """Alpha's answers after a year: every benefits answer is 2 (benefits rise from level 1 to 2)."""
    text = ANSWERS.read_text().replace("Alpha,ana,sponsor,G-B-1,1,", "Alpha,ana,sponsor,G-B-1,2,").replace(
        "Alpha,ana,sponsor,G-B-2,1,", "Alpha,ana,sponsor,G-B-2,2,").replace(
        "Alpha,bo,pm,G-B-1,1,", "Alpha,bo,pm,G-B-1,2,")
    path = tmp_path / "answers-2027.csv"
    path.write_text(text)
    return path


def test_drafted_from_records_the_facts_and_plan_names_what_changed(tmp_path, capsys):
    assert main(plan_args(tmp_path, "--format", "md", "--day-rate", "1000")) == 0
    text = (tmp_path / "plan.yaml").read_text()
    assert "drafted_from:" in text and "capabilities: {talent: 3, leadership: 2, benefits: 1, measures: 1}" in text
    assert "    1: {from: 2027-01-04, to: 2027-02-14, initiatives: 3, person_days: 28}" in text
    capsys.readouterr()
    assert main(plan_args(tmp_path, "--format", "md")) == 0
    assert "changed since" not in capsys.readouterr().err  # nothing changed: nothing said
    args = plan_args(tmp_path, "--format", "md")
    args[args.index(str(ANSWERS))] = str(_raised_answers(tmp_path))
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "changed since the plan was drafted on " in err
    assert "  assessment: capability benefits: 1 → 2" in err
    markdown = (tmp_path / "plan.md").read_text()
    assert "## Changed since drafting" in markdown and "- Assessment — capability benefits: 1 → 2" in markdown
    assert "Attention: the assessment or roadmap changed since this plan was drafted" in markdown


def _objective_of(plan_text: str, capability: str) -> str:
    """The lines of plan.yaml's objective for one capability, from its capabilities: line to its last line."""
    block = plan_text[plan_text.index(f"capabilities: [{capability}]"):]
    return block[:block.index("\n  - id:") if "\n  - id:" in block else block.index("\n\n")]


def test_refresh_rederives_untouched_texts_and_keeps_every_edit_byte_for_byte(tmp_path, capsys):
    assert main(plan_args(tmp_path, "--format", "md", "--day-rate", "1000")) == 0
    path = tmp_path / "plan.yaml"
    text = path.read_text()
    edited_measures = "    objective: Measures people trust, reported monthly  # agreed with Bo\n"
    text = text.replace("    objective: Increase projects on schedule by 2027-06-20\n", edited_measures)
    start = text.index("  - risk: 'Measures must rise 2 levels")
    risk_owner = text.index("    owner: ''", start)
    text = text[:risk_owner] + "    owner: Bo Chen\n" + text[text.index("\n", risk_owner) + 1:]
    text = text.replace("\nvalue_propositions:", "\n# the sponsors asked for this section\nvalue_propositions:")
    path.write_text(text)
    args = plan_args(tmp_path, "--format", "md", "--refresh")
    args[args.index(str(ANSWERS))] = str(_raised_answers(tmp_path))
    capsys.readouterr()
    assert main(args) == 0
    err = capsys.readouterr().err
    refreshed = path.read_text()
    # untouched generated text re-derived from today's levels: benefits now rides on the step 2 → 3
    assert _objective_of(refreshed, "benefits").endswith("levels: {from: 2, to: 3}")
    assert "objectives[benefits].levels" in err.split("kept as you edited it")[0]
    # edits stay byte for byte, comments too
    assert edited_measures in refreshed and "# the sponsors asked for this section\n" in refreshed
    assert "kept as you edited it: " in err and "objectives[measures].objective" in err
    # the risk 'benefits must rise 2 levels' was untouched and no longer holds: removed; the edited one stays
    assert "Benefits must rise 2 levels" not in refreshed
    assert "Measures must rise 2 levels" in refreshed and "    owner: Bo Chen\n" in refreshed
    assert "removed (untouched, no longer derived): " in err
    # the facts are recorded again: no change reported now, and a second refresh writes nothing
    capsys.readouterr()
    args.remove("--refresh")
    assert main(args) == 0
    assert "changed since" not in capsys.readouterr().err
    before = path.read_bytes()
    assert main(args + ["--refresh"]) == 0
    assert "refreshed " in capsys.readouterr().err and path.read_bytes() == before


def test_stale_level_in_an_edited_purpose_is_named_until_rewritten(tmp_path, capsys):
    assert main(plan_args(tmp_path, "--format", "md")) == 0
    path = tmp_path / "plan.yaml"
    text = path.read_text()
    start = text.index("purpose: ")
    purpose = text[start:text.index("\n", start)]
    assert "level 1 (ad hoc) overall today" in purpose
    path.write_text(text.replace(purpose, purpose.replace("today;", "today (our words);")))
    args = plan_args(tmp_path, "--format", "md", "--refresh")
    args[args.index(str(ANSWERS))] = str(_raised_answers(tmp_path))
    capsys.readouterr()
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "kept as you edited it: purpose" in err
    assert "stale text: purpose says 'level 1 (ad hoc) overall', the assessment now says level 2 overall" in err
    assert "level 1 (ad hoc) overall today (our words)" in path.read_text()  # never rewritten
    assert "texts quote levels" in (tmp_path / "plan.md").read_text() or \
        "text quotes levels" in (tmp_path / "plan.md").read_text()


def test_refresh_does_not_add_back_what_the_pmo_head_deleted(tmp_path, capsys):
    assert main(plan_args(tmp_path, "--format", "md")) == 0
    path = tmp_path / "plan.yaml"
    text = path.read_text()
    start = text.index("  - id: delivery-coaching\n", text.index("services:"))
    end = text.index("  - id: ", start + 5)
    path.write_text(text[:start] + text[end:])
    assert main(plan_args(tmp_path, "--format", "md", "--refresh")) == 0
    assert "  - id: delivery-coaching\n" not in path.read_text().split("services:")[1].split("financials:")[0]


@pytest.mark.parametrize("line, message", [
    ("    - {item: staff, amount: 1e308}", "financials.costs[0].amount (line {line}): must be at most "
                                           "1,000,000,000,000 (beyond that it is a typo), got 1e+308"),
    ("    - {item: staff, amount: 9e11, recurrence: yearly}\n    - {item: more, amount: 9e11}", None),
    ("    - {item: staff, person_days: 1e300}", "financials.costs[0].person_days (line {line}): must be at most"),
    ("    - {item: staff, amount: 5, year: 0}", "financials.costs[0].year (line {line}): must be a whole number 1-3"),
])
def test_hostile_amounts_are_refused_naming_the_line_never_shown_as_inf(tmp_path, capsys, line, message):
    from plan_fixtures import PLAN_DATA

    text = (PLAN_DATA / "plan.yaml").read_text()
    start = text.index("    - {item: PMO running cost")
    text = text[:start] + line + "\n" + text[text.index("\n", start) + 1:]
    (tmp_path / "plan.yaml").write_text(text)
    code = main(plan_args(tmp_path, "--format", "md"))
    err = capsys.readouterr().err
    assert "Traceback" not in err and "inf EUR" not in err
    if message is None:  # large but sane: totals stay finite and are shown
        assert code == 0 and "inf" not in (tmp_path / "plan.md").read_text()
        return
    number = text[:text.index(line.split("\n")[0])].count("\n") + 1
    assert code == 2 and message.format(line=number) in err
    assert not (tmp_path / "plan.md").exists()


@pytest.mark.parametrize("key, value, message", [
    ("horizon_years", "11", "financials.horizon_years (line 21): must be a whole number 1-10, got 11"),
    ("day_rate", "1e308", "financials.day_rate (line 22): must be at most 10,000,000"),
])
def test_horizon_and_day_rate_are_in_sane_ranges(tmp_path, key, value, message):
    from plan_fixtures import PLAN_DATA

    text = (PLAN_DATA / "plan.yaml").read_text()
    start = text.index(f"  {key}:")
    path = tmp_path / "plan.yaml"
    path.write_text(text[:start] + f"  {key}: {value}\n" + text[text.index("\n", start) + 1:])
    with pytest.raises(InputErrors) as caught:
        load_plan(path, None, load_roadmap(ROADMAP))
    assert message in caught.value.render()


def test_a_huge_roadmap_effort_is_refused_naming_the_item(tmp_path, capsys):
    roadmap = tmp_path / "roadmap.yaml"
    roadmap.write_text(ROADMAP.read_text().replace("wave: 1, effort: 6,", "wave: 1, effort: 900000,"))
    args = plan_args(tmp_path, "--format", "md", "--day-rate", "5000000")
    args[args.index(str(ROADMAP))] = str(roadmap)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "items[1].effort" in err and "'MEA-1'" in err and "check the effort" in err


def test_control_characters_in_a_plan_text_are_refused_with_key_and_line(tmp_path):
    from plan_fixtures import PLAN_DATA

    path = tmp_path / "plan.yaml"
    path.write_text((PLAN_DATA / "plan.yaml").read_text().replace(
        "mitigation: Show early wins", 'mitigation: "Show early\\x0b wins"'))
    with pytest.raises(InputErrors) as caught:
        load_plan(path, None, load_roadmap(ROADMAP))
    assert "risks[0].mitigation (line 36): contains control character(s) U+000B: remove them" in caught.value.render()


@pytest.mark.parametrize("currency", ['E"UR', "EU R", "1EUR", "EURO-DOLLAR"])
def test_a_currency_that_would_break_the_number_format_is_refused(tmp_path, currency):
    from plan_fixtures import PLAN_DATA

    path = tmp_path / "plan.yaml"
    path.write_text((PLAN_DATA / "plan.yaml").read_text().replace("currency: EUR", f"currency: '{currency}'"))
    with pytest.raises(InputErrors) as caught:
        load_plan(path)
    assert "currency (line 6): must be a currency code or symbol" in caught.value.render()


def test_deeply_nested_plan_yaml_is_an_input_problem(tmp_path, capsys):
    (tmp_path / "plan.yaml").write_text("purpose: " + "[" * 5000 + "]" * 5000 + "\n")
    assert main(plan_args(tmp_path, "--format", "md")) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "plan.yaml" in err


def test_refresh_waits_for_another_writer_of_plan_yaml(tmp_path):
    """plan.yaml is re-read and written under its lock: a refresh waits while someone else holds it."""
    import threading
    import time

    from pmo_assess.io.locks import locked

    build(tmp_path)
    path = tmp_path / "plan.yaml"
    done = threading.Event()

    def refresh() -> None:
        build_plan(MINI, [_raised_answers(tmp_path)], "Alpha", path, targets_path=TARGETS, roadmap_path=ROADMAP,
                   library_path=LIBRARY, today=TODAY, refresh=True)
        done.set()

    with locked(path):
        path.write_text(path.read_text().replace("currency: EUR", "currency: GBP  # the other writer's edit"))
        worker = threading.Thread(target=refresh)
        worker.start()
        time.sleep(1.5)  # a refresh of this plan takes well under that without the lock
        assert not done.is_set()  # waiting for the lock
    worker.join(30)
    assert done.is_set()
    text = path.read_text()
    assert "currency: GBP  # the other writer's edit" in text  # re-read under the lock: nothing lost
    assert _objective_of(text, "benefits").endswith("levels: {from: 2, to: 3}")  # and refreshed (drafted 1 → 3)


def test_an_own_initiative_not_yet_planned_is_costed_where_the_planner_would_put_it(tmp_path):
    """An item added by hand without wave or dates still counts: the plan never leaves out roadmap cost."""
    roadmap = tmp_path / "roadmap.yaml"
    roadmap.write_text(ROADMAP.read_text().replace(
        "uncovered: []", "  - {id: OWN-2, title: Benefits clinic, capability: benefits, effort: 7, duration: 2, "
                         "status: planned}\nuncovered: []"))
    plan = build_plan(MINI, [ANSWERS], "Alpha", tmp_path / "plan.yaml", targets_path=TARGETS, roadmap_path=roadmap,
                      library_path=LIBRARY, today=TODAY, day_rate=1000).plan
    own = {i.id: i for i in plan.roadmap_costs.items}["OWN-2"]
    assert own.amount == 7000 and own.wave is not None and dt.date(2027, 1, 4) <= own.start < own.end
    assert sum(plan.financials.roadmap_yearly) == pytest.approx(68_000)
    assert not any("cannot place" in m for m in plan.financials.missing)
