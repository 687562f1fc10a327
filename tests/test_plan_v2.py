"""Business plan v2: PMO type from context and maturity (with its evolution), business objectives, staffing from
the roadmap's effort, risks from the assessment, change plan for work not done, sign-off and co-creation record,
bad context answers, plan@1 files, non-labour costs."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from plan_fixtures import ANSWERS, LIBRARY, MINI, PLAN_DATA, ROADMAP, TARGETS, plan_args
from pmo_assess.business_plan.build import build_plan
from pmo_assess.business_plan.context import BUNDLED, PlanContext, load_context_questionnaire
from pmo_assess.business_plan.plan_file import load_plan
from pmo_assess.business_plan.pmo_type import UnitSignals, recommend_pmo_type
from pmo_assess.business_plan.render import still_to_fill, to_markdown
from pmo_assess.cli import main
from pmo_assess.errors import InputErrors
from pmo_assess.roadmap.roadmap_file import load_roadmap

TODAY = dt.date(2026, 11, 22)
QUESTIONS = load_context_questionnaire(BUNDLED)

#: Three contrasting contexts; the points each gives (questionnaires/plan-context.yaml), added up by hand:
CONTEXTS = {
    # compliance +3 controlling; hierarchical +1 controlling +1 directive; oversight +3 controlling;
    # large +1 strategic +1 controlling → controlling 8, directive 1, strategic 1
    "controlling": {"strategy_emphasis": "compliance", "culture": "hierarchical", "sponsor_expectation": "oversight",
                    "size": "large"},
    # growth +2 strategic +1 supportive; entrepreneurial +2 supportive; support +3 supportive → supportive 6, strategic 2
    "supportive": {"strategy_emphasis": "growth", "culture": "entrepreneurial", "sponsor_expectation": "support",
                   "size": "medium"},
    # cost-efficiency +2 controlling +1 directive; hierarchical +1 controlling +1 directive; delivery +3 directive;
    # small +1 supportive +1 directive → directive 6, controlling 3, supportive 1
    "directive": {"strategy_emphasis": "cost-efficiency", "culture": "hierarchical", "sponsor_expectation": "delivery",
                  "size": "small"},
}


def _context_file(tmp_path: Path, answers: dict[str, str], name: str = "context.yaml") -> Path:
    path = tmp_path / name
    path.write_text("answered_by: Ana Silva (PMO head)\nanswered_on: 2026-11-20\n"
                    + "".join(f"{k}: {v}\n" for k, v in answers.items()))
    return path


@pytest.mark.parametrize("expected", list(CONTEXTS))
def test_three_contrasting_contexts_give_three_types_with_reasons_citing_the_context(tmp_path, expected):
    """Group Technology (governance 2, process 3, people 3) meets the gates of controlling, supportive and directive."""
    from conftest import BANK, EXAMPLES

    answers = EXAMPLES / "answers" / "group-technology.csv"
    context = _context_file(tmp_path, CONTEXTS[expected])
    run = build_plan(BANK, [answers], "Group Technology", tmp_path / "plan.yaml", context_path=context, today=TODAY)
    choice = run.plan.pmo_type
    assert choice.recommended == choice.chosen == choice.aim == expected
    # the reason quotes the answers that gave the points, and the levels that opened the gate
    for question, option in CONTEXTS[expected].items():
        if option != "medium":  # medium gives no points, so the reason does not cite it
            assert f"{question.replace('_', ' ')} '{option}'" in choice.reason
    assert "governance 2" in choice.reason and "process 3" in choice.reason
    assert run.plan.context.answers == CONTEXTS[expected]
    text = (tmp_path / "plan.yaml").read_text()
    assert f"  sponsor_expectation: {CONTEXTS[expected]['sponsor_expectation']}" in text


def test_a_tie_goes_to_the_type_the_sponsors_expect():
    # compliance +3 controlling, support +3 supportive: a tie; without the tie-break controlling (first) would win
    context = PlanContext({"strategy_emphasis": "compliance", "sponsor_expectation": "support"})
    levels = UnitSignals(3, {"people": 3, "process": 3, "governance": 3})
    recommendation = recommend_pmo_type(levels, context, QUESTIONS)
    assert recommendation.points["controlling"] == recommendation.points["supportive"] == 3
    assert recommendation.aim == recommendation.pmo_type == "supportive"


def test_a_strategic_aim_starts_lower_and_evolves_by_the_waves_its_projection_meets():
    context = PlanContext({"sponsor_expectation": "strategy", "strategy_emphasis": "growth", "size": "large"})
    today = UnitSignals(2, {"people": 2, "process": 2, "governance": 1})
    projection = ({"wave": 0, "ends": None, "overall": 2, "people": 2, "process": 2, "governance": 1},
                  {"wave": 1, "ends": dt.date(2027, 3, 28), "overall": 2, "people": 2, "process": 2, "governance": 2},
                  {"wave": 2, "ends": dt.date(2027, 6, 20), "overall": 2, "people": 2, "process": 3, "governance": 2},
                  {"wave": 3, "ends": dt.date(2027, 9, 12), "overall": 3, "people": 3, "process": 3, "governance": 3})
    recommendation = recommend_pmo_type(today, context, QUESTIONS, projection)
    # strategic 3 + 2 + 1 = 6, supportive 1, controlling 1: aim strategic, path controlling → supportive → strategic
    assert recommendation.aim == "strategic" and recommendation.pmo_type == "controlling"
    assert [(s.pmo_type, s.wave, s.starts) for s in recommendation.evolution] == [
        ("controlling", None, None),
        ("supportive", 1, dt.date(2027, 3, 29)),   # governance reaches 2 at the end of wave 1
        ("strategic", 3, dt.date(2027, 9, 13))]    # governance and process both at 3 only after wave 3
    assert "governance is at level 1 today" in recommendation.reason
    assert "strategic after wave 3 (from 2027-09-13)" in recommendation.reason


def test_the_rule_is_written_out_in_the_plan(tmp_path):
    context = _context_file(tmp_path, CONTEXTS["supportive"])
    assert main(plan_args(tmp_path, "--format", "md", "--context", str(context))) == 0
    markdown = (tmp_path / "plan.md").read_text()
    section = markdown.split("## PMO type and how it was chosen")[1].split("\n## ")[0]
    assert "The rule, the same for every plan: (1) aim" in section
    assert "no rule above applies" not in markdown
    # the answers' points, the total, and each type's minimum maturity with whether Alpha meets it today
    assert "| culture | Autonomous teams: central control is resisted; results count, not process | 0 | 2 | 0 | 0 |" in section
    assert "| total |  | 0 | 6 | 0 | 2 |" in section
    assert "| supportive | governance and process at level 2 or above |" in section
    assert section.count("| no |") == 3  # Alpha: governance 1, so only controlling's gate is met
    # Alpha's levels shut the supportive gate: it starts controlling, supportive once governance and process reach 2
    assert "| 1 | controlling | now |" in section and "| 2 | supportive | once governance and process reach level 2" \
        in section


def test_objectives_have_a_baseline_target_and_date_from_the_objective_or_its_kpi(tmp_path):
    run = build_plan(MINI, [ANSWERS], "Alpha", tmp_path / "plan.yaml", targets_path=TARGETS, roadmap_path=ROADMAP,
                     library_path=LIBRARY, today=TODAY)
    text = run.plan_path.read_text()
    first = text.index("    measure: margin-uplift\n")  # OBJ-1: its own baseline and target
    text = text[:first] + text[first:].replace("    baseline:\n    target:\n",
                                               "    baseline: 0\n    target: 250000\n", 1)
    on_time = text.index("  - id: on-time\n")  # the KPI OBJ-2 is measured by: OBJ-2 shows its values
    text = text[:on_time] + text[on_time:].replace("    baseline:\n    target:\n",
                                                   "    baseline: 55\n    target: 75\n", 1)
    run.plan_path.write_text(text)
    plan = load_plan(run.plan_path, run.questionnaire, run.roadmap)
    markdown = to_markdown(plan, run.roadmap)
    assert ("| OBJ-1 | Increase margin uplift from the portfolio by 2027-06-20 | Benefits are reviewed every quarter "
            "against forecast. | Margin uplift from the portfolio (currency) | 0 | 250000 | 2027-06-20 | 1→3 |") in markdown
    assert "| OBJ-2 | Increase projects on schedule by 2027-06-20 | KPIs are reported against forecast. | Projects on " \
           "schedule (percent) | 55 | 75 | 2027-06-20 | 1→3 |" in markdown
    todo = still_to_fill(plan, run.roadmap)
    assert "objective OBJ-3: baseline, target" in todo
    assert not any(t.startswith(("objective OBJ-1", "objective OBJ-2")) for t in todo)


def _roadmap_with_ben1_done(tmp_path: Path) -> Path:
    path = tmp_path / "roadmap.yaml"
    path.write_text(ROADMAP.read_text().replace("owner: Ana Silva, status: in-progress", "owner: Ana Silva, status: done"))
    return path


def test_staffing_is_sized_from_the_effort_not_done_and_the_change_plan_skips_done_work(tmp_path):
    roadmap = _roadmap_with_ben1_done(tmp_path)
    plan = build_plan(MINI, [ANSWERS], "Alpha", tmp_path / "plan.yaml", targets_path=TARGETS, roadmap_path=roadmap,
                      library_path=LIBRARY, today=TODAY).plan
    roles = {r.role: r for r in plan.staffing}
    assert roles["Head of PMO"].fte == 1.0
    assert roles["Assurance and reporting analysts"].fte is None  # the controlling PMO's own work: to size
    # governance items not done: MEA-1 6 pd (wave 1, 4 weeks from 2027-01-04), BEN-2 15 pd and MEA-2 18 pd (wave 2
    # from 2027-03-29, 8 weeks to 2027-05-23): 39 pd over 2027-01-04..2027-05-23 = 20 weeks = 100 working days
    governance = roles["Benefits and value lead (roadmap)"]
    assert governance.fte == 0.4 and governance.starts == dt.date(2027, 1, 4)  # 39 / 100 = 0.39
    assert "39 person-days of 3 initiatives (MEA-1, BEN-2, MEA-2)" in governance.basis and "100 working days" in \
        governance.basis
    # people: LEA-2 12 pd over 6 weeks from 2027-01-04 = 30 working days → 0.4
    assert roles["Delivery coach (roadmap)"].fte == 0.4
    actions = [c.action for c in plan.change_management]
    assert "Prepare the people affected by wave 1: Delivery measures; Leadership forum" in actions
    assert not any("Benefits register" in a for a in actions)  # done: nobody to prepare for it


def test_risks_come_from_the_disputed_and_weakest_capabilities_and_capacity(tmp_path):
    alpha = build_plan(MINI, [ANSWERS], "Alpha", tmp_path / "alpha.yaml", targets_path=TARGETS, roadmap_path=ROADMAP,
                       library_path=LIBRARY, today=TODAY).plan
    risks = {r.risk.split(":")[0].split(" (")[0]: r for r in alpha.risks}
    # Alpha's capability scores: talent 2.75, leadership 2, benefits 1.17, measures 1.33 → benefits is the weakest
    weakest = risks["Benefits is the weakest capability"]
    assert "score 1.17, level 1" in weakest.risk and weakest.likelihood == "high"
    # wave 2 holds BEN-2 15 + MEA-2 18 = 33 person-days; the roadmap allows 30 a wave: 110%
    capacity = risks["Capacity"]
    assert "wave 2 needs 33 person-days of the 30" in capacity.risk and "(110%)" in capacity.risk
    assert (capacity.likelihood, capacity.impact) == ("high", "high")
    assert len({(r.likelihood, r.impact) for r in alpha.risks}) > 1  # rated from their own numbers
    beta = build_plan(MINI, [ANSWERS], "Beta", tmp_path / "beta.yaml", targets_path=TARGETS, library_path=LIBRARY,
                      today=TODAY).plan
    disputed = next(r for r in beta.risks if r.risk.startswith("Respondents disagree on benefits"))
    # Beta's benefits: di (pm) answers 3 and 1 → 2.00, cy (sponsor) 3 and 4 → 3.50; spread 1.50 = the dispute range
    assert "scores range from 2.00 (pm) to 3.50 (sponsor), a spread of 1.50 against the dispute range 1.5" in \
        disputed.risk


def test_sign_off_and_co_creation_are_kept_through_a_refresh_and_rendered(tmp_path, capsys):
    context = _context_file(tmp_path, CONTEXTS["supportive"])
    assert main(plan_args(tmp_path, "--format", "md", "--context", str(context))) == 0
    path = tmp_path / "plan.yaml"
    text = path.read_text()
    assert "  - who: Ana Silva (PMO head)\n    contribution: answered the plan context" in text
    signed = ("  - name: Dana Reyes  # signed in the steering committee\n    role: Sponsor\n    decision: approved\n"
              "    on: 2027-01-15\n    note: Review the staffing after wave 1\n")
    text = text.replace("  - name: ''\n    role: Sponsor\n    decision: pending\n    on:\n    note: ''\n", signed)
    workshop = "  - {who: 'Bo Chen, Cy Park', contribution: reviewed the services in a workshop, on: 2026-12-01}\n"
    text = text.replace("\n# decision: pending", "\n" + workshop.rstrip("\n") + "\n\n# decision: pending")
    path.write_text(text)
    assert main(plan_args(tmp_path, "--format", "md", "--refresh", "--day-rate", "900")) == 0
    refreshed = path.read_text()
    assert signed in refreshed and workshop in refreshed  # byte for byte, comment included
    plan = load_plan(path)
    assert [(s.role, s.name, s.decision, s.on) for s in plan.sign_off] == [
        ("Sponsor", "Dana Reyes", "approved", dt.date(2027, 1, 15)), ("Finance", "", "pending", None)]
    assert plan.co_creation[-1].who == "Bo Chen, Cy Park" and plan.co_creation[-1].on == dt.date(2026, 12, 1)
    markdown = (tmp_path / "plan.md").read_text()
    assert "Sign-off: approved by Dana Reyes (Sponsor) on 2027-01-15. Pending: Finance." in markdown
    assert "| Bo Chen, Cy Park | reviewed the services in a workshop | 2026-12-01 |" in markdown
    assert "- sign-off by Finance: pending" in markdown and "sign-off by Sponsor" not in markdown
    # a decision without the name of who took it is refused, naming the key and line
    lines = refreshed.replace("  - name: Dana Reyes  # signed in the steering committee\n", "  - name: ''\n")
    path.write_text(lines)
    line = lines[:lines.index("    role: Sponsor")].count("\n")  # lines before role: = the line number of name:
    capsys.readouterr()
    assert main(plan_args(tmp_path, "--format", "md")) == 2
    assert f"plan.yaml: sign_off[0].name (line {line}): a decision (approved) needs the name of who took it" in \
        capsys.readouterr().err


@pytest.mark.parametrize("lines, messages", [
    ("culture: anarchic\n", ["culture (line 3): must be one of hierarchical, collaborative, entrepreneurial, "
                             "got 'anarchic'"]),
    ("sizee: large\nsponsor_expectation: [support, strategy]\n",
     ["sizee (line 3): not a question of the plan context (strategy_emphasis, culture, sponsor_expectation, size)",
      "sponsor_expectation (line 4): must be one of oversight, support, delivery, strategy"]),
])
def test_a_context_answer_outside_its_options_exits_2_naming_file_key_and_line(tmp_path, capsys, lines, messages):
    context = tmp_path / "context.yaml"
    context.write_text("answered_by: Ana\nanswered_on: 2026-11-20\n" + lines)
    assert main(plan_args(tmp_path / "out", "--context", str(context))) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for message in messages:
        assert f"{context}: {message}" in err
    assert not (tmp_path / "out" / "plan.yaml").exists()


def test_a_bad_context_answer_inside_plan_yaml_is_named_with_its_line(tmp_path):
    path = tmp_path / "plan.yaml"
    text = (PLAN_DATA / "plan.yaml").read_text()
    path.write_text(text.replace("currency: EUR\n", "currency: EUR\ncontext: {culture: anarchic}\n"))
    with pytest.raises(InputErrors) as caught:
        load_plan(path)
    assert "context.culture (line 7): must be one of hierarchical, collaborative, entrepreneurial, got 'anarchic'" in \
        caught.value.render()


def test_a_plan_at_schema_1_still_loads_and_renders(tmp_path):
    plan = load_plan(PLAN_DATA / "plan.yaml", None, load_roadmap(ROADMAP))
    assert plan.schema == "pmo-assess/plan@1"
    assert plan.services[0].capabilities == ("benefits",)  # plan@1's capability: read as the one capability
    assert (plan.staffing, plan.sign_off, plan.context.answers, plan.pmo_type.evolution) == ((), (), {}, ())
    markdown = to_markdown(plan, load_roadmap(ROADMAP))
    assert "## Staffing" not in markdown and "## Co-creation and sign-off" not in markdown
    assert "Benefit-cost ratio 1.24. Payback after 29 months." in markdown


def test_refresh_adds_the_sections_an_earlier_draft_lacked_in_the_drafts_order(tmp_path, capsys):
    import re

    assert main(plan_args(tmp_path, "--format", "md")) == 0
    path = tmp_path / "plan.yaml"
    text = path.read_text()
    for key in ("context", "scope", "staffing", "funding", "co_creation", "sign_off"):  # as an earlier draft had it
        text = re.sub(rf"(\n#[^\n]*)*\n{key}:\n(  [^\n]*\n|\n(?=  ))*", "\n", text)
    text = text.replace("schema: pmo-assess/plan@2", "schema: pmo-assess/plan@1").replace(
        "currency: EUR\n", "currency: EUR  # agreed with finance\n")
    path.write_text(text)
    assert load_plan(path).staffing == ()
    capsys.readouterr()
    assert main(plan_args(tmp_path, "--format", "md", "--refresh")) == 0
    err = capsys.readouterr().err
    assert "added: context (a section this plan did not have), scope (a section" in err
    refreshed = path.read_text()
    keys = [line.split(":")[0] for line in refreshed.splitlines() if re.match(r"^[a-z_]+:", line)]
    assert keys[:8] == ["schema", "business_unit", "questionnaire", "generated_on", "currency", "context", "purpose",
                        "mandate"]
    assert keys.index("services") < keys.index("staffing") < keys.index("funding") < keys.index("financials")
    assert keys.index("risks") < keys.index("co_creation") < keys.index("sign_off") < keys.index("reassessment")
    assert "currency: EUR  # agreed with finance\n" in refreshed
    assert len(load_plan(path).staffing) == 4


def test_non_labour_costs_of_the_library_are_counted_in_the_month_an_initiative_starts(tmp_path, capsys):
    library = tmp_path / "library.yaml"
    library.write_text(LIBRARY.read_text().replace(
        "outcome: Benefits are reviewed every quarter against forecast., kpis:",
        "outcome: Benefits are reviewed every quarter against forecast., non_labour_cost: 2500, kpis:"))
    args = plan_args(tmp_path, "--format", "md", "--day-rate", "1000")
    args[args.index(str(LIBRARY))] = str(library)
    assert main(args) == 0
    plan = build_plan(MINI, [ANSWERS], "Alpha", tmp_path / "plan.yaml", targets_path=TARGETS, roadmap_path=ROADMAP,
                      library_path=library).plan
    waves = {w.wave: w for w in plan.roadmap_costs.waves}
    assert (waves[2].non_labour, waves[2].amount) == (2500, 33 * 1000 + 2500)  # BEN-2 runs in wave 2
    assert plan.financials.roadmap_yearly[0] == 61_000 + 2_500
    # BEN-2 starts with wave 2 on 2027-03-29, in plan month 2 (2027-03-04..04-03): all 2,500 land there
    labour_only = build_plan(MINI, [ANSWERS], "Alpha", tmp_path / "labour.yaml", targets_path=TARGETS,
                             roadmap_path=ROADMAP, library_path=LIBRARY, day_rate=1000).plan.roadmap_costs.monthly
    extra = [round(a - b, 2) for a, b in zip(plan.roadmap_costs.monthly, labour_only)]
    assert extra[2] == 2500 and sum(extra) == 2500
    markdown = (tmp_path / "plan.md").read_text()
    assert "of which 2,500 EUR non-labour" in markdown


def test_a_new_context_is_applied_by_refresh_only_and_named(tmp_path, capsys):
    assert main(plan_args(tmp_path, "--format", "md")) == 0  # no context: aim supportive
    context = _context_file(tmp_path, CONTEXTS["directive"])
    capsys.readouterr()
    assert main(plan_args(tmp_path, "--format", "md", "--context", str(context))) == 0
    assert f"note: {context} differs from the context recorded in" in capsys.readouterr().err
    assert load_plan(tmp_path / "plan.yaml").pmo_type.aim == "supportive"  # read as left: nothing rewritten
    assert main(plan_args(tmp_path, "--format", "md", "--context", str(context), "--refresh")) == 0
    err = capsys.readouterr().err
    assert "replaced by the --context answers: context.answered_by (not answered → Ana Silva (PMO head))" in err
    assert "context.sponsor_expectation (not answered → delivery)" in err
    plan = load_plan(tmp_path / "plan.yaml")
    # directive 6 (see CONTEXTS); Alpha's governance 1 shuts the directive gate: it starts controlling
    assert (plan.pmo_type.aim, plan.pmo_type.recommended) == ("directive", "controlling")
    assert "  culture: hierarchical # hierarchical | collaborative | entrepreneurial\n" in \
        (tmp_path / "plan.yaml").read_text()


def _plan_at_1(tmp_path: Path, text: str | None = None) -> Path:
    """The fixture plan@1 file (as a PMO head left it) in tmp_path, optionally edited."""
    path = tmp_path / "plan.yaml"
    path.write_text(text if text is not None else (PLAN_DATA / "plan.yaml").read_text())
    return path


USER_OBJECTIVE = ("  - {id: OBJ-1, objective: Track benefits after go-live, business_outcome: Fewer projects without "
                  "value, capabilities: [benefits], measured_by: [benefits-tracked], due: 2027-06-20}\n")
USER_SERVICE = ("  - {id: benefits, name: Benefits tracking, capability: benefits, customers: [sponsors], "
                "status: planned}\n")


def test_a_second_refresh_of_a_plan_at_1_changes_nothing_the_pmo_head_wrote(tmp_path, capsys):
    path = _plan_at_1(tmp_path)
    assert USER_OBJECTIVE in path.read_text() and USER_SERVICE in path.read_text()
    assert main(plan_args(tmp_path, "--format", "md", "--refresh")) == 0
    first = path.read_text()
    assert USER_OBJECTIVE in first and USER_SERVICE in first
    capsys.readouterr()
    assert main(plan_args(tmp_path, "--format", "md", "--refresh")) == 0
    err = capsys.readouterr().err
    second = path.read_text()
    assert USER_OBJECTIVE in second and USER_SERVICE in second  # byte for byte: no measure, no capabilities added
    assert "re-derived" not in err and "objectives[benefits]" not in err and "services[benefits]" not in err
    assert second == first  # nothing to re-derive: the file stays as the first refresh left it
    # the comment above drafted_from is written once, however often the plan is refreshed
    assert second.count("# written by pmo-assess, do not edit") == 1
    assert "\n\n\n# written by pmo-assess" not in second


def test_a_benefit_line_for_the_pmo_heads_objective_quotes_the_pmo_heads_text(tmp_path):
    path = _plan_at_1(tmp_path)
    assert main(plan_args(tmp_path, "--format", "md", "--refresh")) == 0
    text = path.read_text()
    assert "- item: 'OBJ-1: Track benefits after go-live'\n" in text
    assert "OBJ-1: Increase" not in text  # the draft's own objective text is not pinned to the PMO head's OBJ-1
    assert "Benefits no longer lost after go-live" in text


def test_refresh_does_not_add_groups_the_plan_has_under_another_key_and_names_them(tmp_path, capsys):
    path = _plan_at_1(tmp_path)
    assert main(plan_args(tmp_path, "--format", "md", "--refresh")) == 0
    err = capsys.readouterr().err
    assert ("suggested, not added (your plan already covers it): value_propositions[sponsors] (you have "
            "value_propositions[sponsor]), communication[Executive sponsors] (you have communication[sponsors])") in err
    text = path.read_text()
    assert "  - {stakeholder: sponsor, name: Executive sponsors, proposition: See the value delivered.}\n" in text
    assert "stakeholder: sponsors" not in text
    assert "  - audience: Executive sponsors\n" not in text  # the communication row of the draft for sponsors
    plan = load_plan(path)
    assert [v.name for v in plan.value_propositions].count("Executive sponsors") == 1
    assert "value_propositions[finance]" in err.split("suggested")[0]  # groups the plan lacks are still added


def test_refresh_adds_no_kpi_on_a_measure_level_the_plan_already_covers(tmp_path, capsys):
    own = ("  - {id: value-won, name: Value won, measure_level: 3, unit: currency, direction: up, owner: Ana Silva}\n"
           "  - {id: rank, name: Our rank, measure_level: 4, unit: count, direction: down, owner: Ana Silva}\n")
    path = _plan_at_1(tmp_path, (PLAN_DATA / "plan.yaml").read_text().replace("services:\n", own + "services:\n", 1))
    assert main(plan_args(tmp_path, "--format", "md", "--refresh")) == 0
    err = capsys.readouterr().err
    assert [k.id for k in load_plan(path).kpis] == ["benefits-tracked", "on-time", "value-won", "rank"]
    assert "margin-uplift" not in path.read_text().split("services:")[0].split("kpis:")[1]
    assert ("kpis[margin-uplift] (measure level 3 already has kpis[value-won]), kpis[peer-rank] (measure level 4 "
            "already has kpis[rank])") in err
    assert "added: " in err and "kpis[margin-uplift]" not in err.split("suggested")[0]


def test_the_chosen_pmo_type_drives_the_evolution_and_a_shut_gate_is_named(tmp_path, capsys):
    text = (PLAN_DATA / "plan.yaml").read_text().replace("chosen: supportive ", "chosen: directive ")
    path = _plan_at_1(tmp_path, text)
    assert main(plan_args(tmp_path, "--format", "md", "--refresh")) == 0
    err = capsys.readouterr().err
    plan = load_plan(path)
    assert (plan.pmo_type.recommended, plan.pmo_type.chosen) == ("controlling", "directive")
    assert [(s.pmo_type, s.when) for s in plan.pmo_type.evolution] == [("directive", "now")]
    notice = ("the chosen PMO type directive needs governance and people at level 2 or above (a mandate to act and "
              "project managers able to be assigned), and governance is at level 1 today: the minimum maturity of a "
              "directive PMO is not met yet")
    assert f"note: {notice}" in err
    markdown = (tmp_path / "plan.md").read_text()
    assert f"- {notice}" in markdown
    assert "You chose a directive PMO (the rule recommends controlling): the evolution below starts from your " \
           "choice." in markdown
    assert "Announce the move from a controlling to a supportive PMO" not in path.read_text() + markdown
    assert "| 1 | directive | now |" in markdown


def test_the_recommended_type_chosen_keeps_the_recommended_evolution_and_no_notice(tmp_path, capsys):
    assert main(plan_args(tmp_path, "--format", "md")) == 0  # a fresh draft: chosen is the recommended type
    err = capsys.readouterr().err
    plan = load_plan(tmp_path / "plan.yaml")
    assert plan.pmo_type.chosen == plan.pmo_type.recommended == "controlling"
    assert [s.pmo_type for s in plan.pmo_type.evolution] == ["controlling", "supportive"]
    assert "Announce the move from a controlling to a supportive PMO" in (tmp_path / "plan.yaml").read_text()
    assert "minimum maturity" not in err


def test_non_labour_costs_in_another_currency_than_the_plans_are_an_input_problem(tmp_path, capsys):
    library = tmp_path / "library.yaml"
    library.write_text(LIBRARY.read_text().replace("initiatives:\n", "currency: USD\ninitiatives:\n", 1).replace(
        "outcome: Benefits are reviewed every quarter against forecast., kpis:",
        "outcome: Benefits are reviewed every quarter against forecast., non_labour_cost: 2500, kpis:"))
    args = plan_args(tmp_path, "--format", "md", "--day-rate", "1000")
    args[args.index(str(LIBRARY))] = str(library)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert (f"{library}: currency: the library's currency USD differs from the plan's EUR "
            f"({tmp_path / 'plan.yaml'}: currency): its 2,500 of non-labour costs cannot be counted in EUR") in err
    assert not (tmp_path / "plan.md").exists()


def test_a_staffing_basis_of_one_initiative_says_initiative(tmp_path):
    assert main(plan_args(tmp_path, "--format", "md")) == 0
    text = (tmp_path / "plan.yaml").read_text()
    assert "12 person-days of 1 initiative (LEA-2)" in text
    assert "of 4 initiatives (BEN-1, MEA-1, BEN-2, MEA-2)" in text


def test_a_field_the_pmo_head_removed_from_a_drafted_entry_is_not_added_back(tmp_path, capsys):
    import re

    assert main(plan_args(tmp_path, "--format", "md")) == 0
    path = tmp_path / "plan.yaml"
    text, removed = re.subn(r"(  - id: delivery-coaching\n    name: [^\n]*\n)    description: [^\n]*\n", r"\1",
                            path.read_text())
    assert removed == 1
    path.write_text(text)
    capsys.readouterr()
    assert main(plan_args(tmp_path, "--format", "md", "--refresh")) == 0
    err = capsys.readouterr().err
    assert "not added back (you removed or rewrote it): services[delivery-coaching].description" in err
    assert path.read_text() == text
