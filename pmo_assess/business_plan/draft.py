"""Draft a unit's plan.yaml from its context, assessment (scores, gaps) and roadmap, ready for the PMO head to edit.

Every section is filled from evidence where there is some (context answers, levels, spreads, gaps,
roadmap items and effort, the initiative library's KPIs and outcomes) and left empty where only the
PMO head can know (baselines, targets, money, names). Empty fields are listed under "still to fill
in" when the plan is rendered. Staffing, risks and change actions come from the roadmap and the
assessment (see :mod:`pmo_assess.business_plan.draft_sections`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from pmo_assess.business_plan.catalogue import (CADENCE_BY_MEASURE_LEVEL, FUNDING_BY_TYPE, SERVICES, STAKEHOLDERS,
                                                generic_service)
from pmo_assess.business_plan.context import ContextQuestionnaire, PlanContext
from pmo_assess.business_plan.draft_sections import (change_actions, communication, co_creation, risks, sign_off,
                                                     staffing, value_propositions)
from pmo_assess.business_plan.plan_file import DEFAULT_HORIZON_YEARS, MAX_HORIZON_YEARS, SCHEMA
from pmo_assess.business_plan.pmo_type import (MANDATE, PMO_TYPES, Recommendation, chosen_evolution,
                                               recommend_pmo_type, unit_signals)
from pmo_assess.business_plan.roadmap_costs import RoadmapCosts
from pmo_assess.roadmap.library import Library
from pmo_assess.roadmap.roadmap_file import Roadmap
from pmo_assess.scoring import Gaps, Scores

#: Weeks from the draft to the re-assessment it proposes.
REASSESS_AFTER_WEEKS = 26

HEADER = """\
PMO business plan: drafted by pmo-assess on {today} from the context, the assessment of {unit}
and its roadmap. This file is yours from now on: edit any text, fill in baselines, targets, money
and names. `pmo-assess plan` reads it, costs the roadmap from roadmap.yaml, and says what changed
in the assessment or roadmap since drafting; `plan --refresh` re-derives the texts you never
edited and keeps every edit; `--redraft` writes a fresh draft to plan.draft.yaml.
"""


def seq(items: list[Any]) -> CommentedSeq:
    """A YAML list written inline: [a, b]."""
    flow = CommentedSeq(items)
    flow.fa.set_flow_style()
    return flow


def _copy(day: dt.date | None) -> dt.date | None:
    """A date as its own object (ruamel would otherwise write a YAML alias for a shared one)."""
    return dt.date.fromordinal(day.toordinal()) if day else None


def _wave_end(roadmap: Roadmap | None, wave: int | None) -> dt.date | None:
    dates = roadmap.wave_dates(wave) if roadmap is not None and wave is not None else None
    return dates[1] if dates else None


def _level_text(scores: Scores, level: int) -> str:
    return f"level {level} ({scores.questionnaire.level_name(level)})"


def _kpis(roadmap: Roadmap | None, library: Library | None) -> list[CommentedMap]:
    """The roadmap items' KPIs, plus one library KPI for each of the four measure levels not yet covered."""
    moved_by: dict[str, list[str]] = {}
    for item in roadmap.active_items if roadmap else ():
        for kpi in item.kpis:
            moved_by.setdefault(kpi, []).append(item.id)
    known = library.kpi_by_id if library else {}
    chosen = list(moved_by)
    levels = {known[k].measure_level for k in chosen if k in known}
    for kpi in library.kpis if library else ():
        if kpi.measure_level not in levels:
            chosen.append(kpi.id)
            levels.add(kpi.measure_level)
    result = []
    for kpi_id in chosen:
        kpi = known.get(kpi_id)
        level = kpi.measure_level if kpi else 1
        entry = CommentedMap([
            ("id", kpi_id), ("name", kpi.name if kpi else kpi_id), ("measure_level", level),
            ("unit", kpi.unit if kpi else ""), ("direction", kpi.direction if kpi else "up"),
            ("baseline", None), ("target", None), ("owner", ""),
            ("cadence", CADENCE_BY_MEASURE_LEVEL[level]), ("initiatives", seq(moved_by.get(kpi_id, []))),
        ])
        if kpi is None:
            entry.yaml_add_eol_comment("not in the initiative library: check the name, level and unit",
                                       "measure_level")
        result.append(entry)
    return result


def _headline(kpi_ids: list[str], kpis: dict[str, CommentedMap]) -> CommentedMap | None:
    """The KPI closest to business outcomes (highest measure level; the first on a tie)."""
    known = [kpis[k] for k in kpi_ids if k in kpis]
    return max(known, key=lambda k: k["measure_level"]) if known else None


def _objective_text(headline: CommentedMap | None, outcome: str, due: dt.date | None) -> str:
    """'Increase margin uplift from the portfolio by 2027-06-20' (the outcome itself when no KPI measures it)."""
    by = f" by {due.isoformat()}" if due else ""
    if headline is None:
        return f"{outcome.rstrip('.')}{by}"
    verb = "Reduce" if headline["direction"] == "down" else "Increase"
    return f"{verb} {_lower(str(headline['name']))}{by}"


def _lower(text: str) -> str:
    """The first letter in lower case, unless the first word is an acronym (KPIs, PMO)."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _objectives(scores: Scores, gaps: Gaps | None, unit: int, roadmap: Roadmap | None,
                library: Library | None, kpis: list[CommentedMap]) -> list[CommentedMap]:
    """One business objective per capability with a gap, largest gap first: its outcome, headline KPI, baseline,
    target and date; the maturity step it rides on is kept beside it (``levels``), not as the objective."""
    if gaps is None:
        return []
    q = scores.questionnaire
    by_id = {k["id"]: k for k in kpis}
    rows = [(c, int(gaps.capability_gap[unit, c])) for c in range(len(q.capabilities))
            if gaps.capability_gap[unit, c] == gaps.capability_gap[unit, c] and gaps.capability_gap[unit, c] > 0]
    rows.sort(key=lambda row: -row[1])
    objectives = []
    for n, (c, _) in enumerate(rows, start=1):
        cap = q.capabilities[c]
        current, target = int(scores.capability_level[unit, c]), int(gaps.capability_target[unit, c])
        items = [i for i in roadmap.active_items if i.capability == cap.id] if roadmap else []
        closing = library.step(cap.id, target - 1) if library else ()
        outcome = " ".join(i.outcome for i in closing) or f"{cap.name} works at {_level_text(scores, target)}."
        measured = list(dict.fromkeys(k for i in items for k in i.kpis if k in by_id))
        if not measured and library:  # no roadmap: the KPIs of the library steps up to the target
            steps = [i for level in range(current, target) for i in library.step(cap.id, level)]
            measured = list(dict.fromkeys(k for i in steps for k in i.kpis if k in by_id))
        waves = [i.wave for i in items if i.wave is not None]
        ends = [i.end for i in items if i.end is not None]  # the scheduler's dates, when the roadmap has them
        due = _copy(max(ends)) if ends else _wave_end(roadmap, max(waves) if waves else None)
        headline = _headline(measured, by_id)
        objectives.append(CommentedMap([
            ("id", f"OBJ-{n}"), ("objective", _objective_text(headline, outcome, due)),
            ("business_outcome", outcome), ("capabilities", seq([cap.id])), ("measured_by", seq(measured)),
            ("measure", headline["id"] if headline is not None else None), ("baseline", None), ("target", None),
            ("due", due), ("levels", CommentedMap([("from", current), ("to", target)])),
        ]))
        objectives[-1]["levels"].fa.set_flow_style()
    return objectives


def _service_status(scores: Scores, unit: int, capabilities: list[int], planned: set[str]) -> str | None:
    """offered (every assessed capability it draws on at level 3+), planned (roadmap work on one), else None."""
    q = scores.questionnaire
    levels = [scores.capability_level[unit, c] for c in capabilities]
    if levels and all(level == level and level >= 3 for level in levels):
        return "offered"
    if any(q.capabilities[c].id in planned for c in capabilities):
        return "planned"
    return None


def service_rows(scores: Scores, unit: int, roadmap: Roadmap | None) -> list[tuple[Any, str, list[str]]]:
    """(template, status, capability ids) of every service the unit offers or plans, catalogue order first."""
    q = scores.questionnaire
    index = {c.id: i for i, c in enumerate(q.capabilities)}
    planned = {i.capability for i in roadmap.active_items} if roadmap else set()
    rows, covered = [], set()
    for template in SERVICES:
        caps = [c for c in template.capabilities if c in index]
        covered.update(caps)
        status = _service_status(scores, unit, [index[c] for c in caps], planned) if caps else None
        if status:
            rows.append((template, status, caps))
    for cap in q.capabilities:
        if cap.id not in covered:
            status = _service_status(scores, unit, [index[cap.id]], planned)
            if status:
                rows.append((generic_service(cap.id, cap.name), status, [cap.id]))
    return rows


def _services(rows: list[tuple[Any, str, list[str]]]) -> list[CommentedMap]:
    names = {g.id: g.name for g in STAKEHOLDERS}
    return [CommentedMap([
        ("id", template.id), ("name", template.name), ("description", template.description),
        ("capabilities", seq(caps)), ("customers", seq([names.get(c, c) for c in template.customers])),
        ("service_level", template.service_level), ("owner", template.owner), ("status", status),
    ]) for template, status, caps in rows]


def _financials(costs: RoadmapCosts | None, objectives: list[CommentedMap], day_rate: float | None) -> CommentedMap:
    """The PMO's own running-cost line and a benefit per objective; roadmap costs are not lines (see below).

    The horizon is the default or longer, so that the roadmap's whole cost falls inside it.
    """
    needed = costs.years_needed if costs is not None else 1
    horizon = min(max(DEFAULT_HORIZON_YEARS, needed), MAX_HORIZON_YEARS)
    costs_lines = [CommentedMap([("item", "PMO running cost (staff, tools, facilities)"), ("amount", None),
                                 ("recurrence", "yearly"), ("year", 1)])]
    benefits = [CommentedMap([("item", f"{o['id']}: {o['objective']}"), ("amount", None),
                              ("recurrence", "yearly"), ("year", 2)])
                for o in objectives]
    rate = int(day_rate) if day_rate is not None and float(day_rate).is_integer() else day_rate
    node = CommentedMap([("horizon_years", horizon), ("day_rate", rate), ("costs", costs_lines),
                         ("benefits", benefits)])
    node.yaml_add_eol_comment("cost of one person-day: prices the roadmap's effort and person_days lines", "day_rate")
    node.yaml_set_comment_before_after_key(
        "costs", before="the roadmap's initiatives are costed from roadmap.yaml on every run (effort × day_rate,\n"
                        "plus each library initiative's non-labour cost, in the plan years their dates fall in);\n"
                        "list here only the PMO's own costs", indent=2)
    return node


def _context_node(context: PlanContext | None, questions: ContextQuestionnaire | None) -> CommentedMap:
    """plan.yaml's ``context:``: who answered, when, and one option per question (empty where not answered)."""
    answers = context.answers if context else {}
    node = CommentedMap([("answered_by", context.answered_by if context else ""),
                         ("answered_on", _copy(context.answered_on) if context else None)])
    for question in questions.questions if questions else ():
        node[question.id] = answers.get(question.id, "")
        node.yaml_add_eol_comment(" | ".join(o.id for o in question.options), question.id)
    return node


def _pmo_type(recommendation: Recommendation, chosen: str, path: Recommendation) -> CommentedMap:
    evolution = CommentedSeq()
    for step in path.evolution:
        entry = CommentedMap([("type", step.pmo_type), ("when", step.when), ("wave", step.wave)])
        entry.fa.set_flow_style()
        evolution.append(entry)
    return CommentedMap([("recommended", recommendation.pmo_type), ("aim", recommendation.aim),
                         ("reason", recommendation.reason), ("chosen", chosen or recommendation.pmo_type),
                         ("evolution", evolution)])


def _scope(business_unit: str, pmo_type: str, services: list[CommentedMap]) -> CommentedMap:
    served = (f"the portfolio across business units, starting with {business_unit}" if pmo_type == "strategic"
              else f"the projects and programmes of {business_unit}")
    inside = [f"{s['name']} ({s['status']})" for s in services]
    outside = ["Business-as-usual operations and the line management of project staff"]
    if pmo_type != "directive":
        outside.insert(0, "Running projects day to day: project teams are trusted to run their projects; the PMO "
                          "steps in on roadblocks, risks and decisions")
    return CommentedMap([("served", served), ("in", seq(inside)), ("out", outside)])


def _funding(pmo_type: str) -> CommentedMap:
    model, why = FUNDING_BY_TYPE[pmo_type]
    node = CommentedMap([("model", model), ("reason", f"A {pmo_type} PMO: {why}."), ("budget_holder", "")])
    node.yaml_add_eol_comment("overhead | chargeback | project-funded | hybrid", "model")
    return node


def draft_plan(scores: Scores, gaps: Gaps | None, business_unit: str, roadmap: Roadmap | None = None,
               library: Library | None = None, today: dt.date | None = None, currency: str = "EUR",
               day_rate: float | None = None, costs: RoadmapCosts | None = None, chosen: str = "",
               context: PlanContext | None = None, questions: ContextQuestionnaire | None = None) -> CommentedMap:
    """A commented plan.yaml mapping for one unit, every section drafted from the context, assessment and roadmap.

    ``costs`` (the roadmap costed) sets a horizon long enough for the whole roadmap and sizes the staffing;
    ``chosen`` (the PMO head's type, on a refresh) is kept as the choice and its mandate drafted.
    """
    today = today or dt.date.today()
    unit = scores.unit_index(business_unit)
    q = scores.questionnaire
    recommendation = recommend_pmo_type(unit_signals(scores, gaps, unit), context, questions,
                                        roadmap.projection if roadmap else ())
    pmo_type = chosen if chosen in PMO_TYPES else recommendation.pmo_type
    # the evolution and the change it needs follow the PMO head's choice; the recommendation stays as recommended
    path = replace(recommendation, pmo_type=pmo_type, evolution=chosen_evolution(recommendation, chosen,
                                                              roadmap.projection if roadmap else ()))
    overall = int(scores.overall_level[unit]) if scores.overall_level[unit] == scores.overall_level[unit] else None
    kpis = _kpis(roadmap, library)
    objectives = _objectives(scores, gaps, unit, roadmap, library, kpis)
    rows = service_rows(scores, unit, roadmap)
    services = _services(rows)
    groups = value_propositions(scores, unit, rows, objectives, kpis, roadmap)
    where = f"at {_level_text(scores, overall)} overall" if overall else "not yet scored overall"
    plan = CommentedMap([
        ("schema", SCHEMA), ("business_unit", business_unit), ("questionnaire", q.id),
        ("generated_on", today), ("currency", currency), ("context", _context_node(context, questions)),
        ("purpose", f"The {business_unit} PMO exists to help {business_unit} get the value its portfolio "
                    f"promises: outcomes over outputs, and more benefit than the PMO costs. It is {where} "
                    f"today; this plan takes it to the levels agreed with the sponsors."),
        ("mandate", MANDATE[pmo_type]), ("pmo_type", _pmo_type(recommendation, chosen, path)),
        ("scope", _scope(business_unit, pmo_type, services)),
        ("objectives", objectives), ("kpis", kpis), ("services", services),
        ("staffing", staffing(scores, roadmap, costs, pmo_type, context)), ("funding", _funding(pmo_type)),
        ("financials", _financials(costs, objectives, day_rate)),
        ("value_propositions", groups),
        ("change_management", change_actions(scores, roadmap, path, rows)),
        ("communication", communication(groups, rows)),
        ("risks", risks(scores, gaps, unit, roadmap, costs, path, context)),
        ("co_creation", co_creation(scores, unit, context)), ("sign_off", sign_off(scores)),
        ("reassessment", CommentedMap([
            ("date", today + dt.timedelta(weeks=REASSESS_AFTER_WEEKS)),
            ("scope", f"Re-run the {q.id} assessment with the same respondent groups, then compare "
                      f"progress against this plan's objectives and the roadmap.")])),
    ])
    plan.yaml_set_start_comment(HEADER.format(today=today.isoformat(), unit=business_unit))
    comments = {
        "context": "context: strategy, culture, what the sponsors expect, size (questionnaires/plan-context.yaml);\n"
                   "pmo-assess plan --context FILE fills it; the PMO-type rule weighs it with the levels",
        "pmo_type": f"chosen: your decision ({' | '.join(PMO_TYPES)}); evolution: the types on the way to the aim",
        "objectives": "objectives: business outcomes with a baseline, a target and a date (measure: the headline\n"
                      "KPI; baseline and target in its unit); levels: the maturity step they ride on",
        "kpis": "KPIs on the four levels of measures: 1 delivery, 2 forecast benefits, 3 business outcomes, "
                "4 competitive advantage",
        "staffing": "staffing: fte of each role; roadmap roles are sized from the roadmap's effort",
        "financials": "amount: money per line; one-off lines count at the start of their year, yearly lines every "
                      "year from it",
        "co_creation": "who shaped this plan, how and when (yours to complete)",
        "sign_off": "decision: pending | approved | approved-with-changes | rejected; name and date when decided",
    }
    for key, text in comments.items():
        plan.yaml_set_comment_before_after_key(key, before="\n" + text)
    return plan

