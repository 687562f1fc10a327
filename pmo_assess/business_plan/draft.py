"""Draft a unit's plan.yaml from its assessment (scores, gaps) and roadmap, ready for the PMO head to edit.

Every section is filled from evidence where there is some (levels, gaps, roadmap items, the
initiative library's KPIs and outcomes) and left empty where only the PMO head can know (owners,
baselines, money). Empty fields are listed under "still to fill in" when the plan is rendered.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from pmo_assess.explain import explain_overall
from pmo_assess.business_plan.plan_file import DEFAULT_HORIZON_YEARS, MAX_HORIZON_YEARS, SCHEMA
from pmo_assess.business_plan.catalogue import (CADENCE_BY_MEASURE_LEVEL, CUSTOMERS_BY_DIMENSION, service_for,
                                       value_proposition_for)
from pmo_assess.business_plan.pmo_type import MANDATE, recommend_pmo_type, unit_signals
from pmo_assess.business_plan.roadmap_costs import RoadmapCosts
from pmo_assess.roadmap.library import Library
from pmo_assess.roadmap.roadmap_file import Roadmap
from pmo_assess.scoring import Gaps, Scores

#: Weeks from the draft to the re-assessment it proposes.
REASSESS_AFTER_WEEKS = 26
#: Coverage below this makes a capability's score a risk worth naming.
LOW_COVERAGE = 0.7
#: A gap of this many levels or more is named as a delivery risk.
AMBITIOUS_GAP = 2

HEADER = """\
PMO business plan: drafted by pmo-assess on {today} from the assessment of {unit}
and its roadmap. This file is yours from now on: edit any text, fill in owners, baselines,
targets and money. `pmo-assess plan` reads it, costs the roadmap from roadmap.yaml, and says
what changed in the assessment or roadmap since drafting; `plan --refresh` re-derives the texts
you never edited and keeps every edit; `--redraft` writes a fresh draft to plan.draft.yaml.
"""


def _seq(items: list[Any]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


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
            ("cadence", CADENCE_BY_MEASURE_LEVEL[level]), ("initiatives", _seq(moved_by.get(kpi_id, []))),
        ])
        if kpi is None:
            entry.yaml_add_eol_comment("not in the initiative library: check the name, level and unit",
                                       "measure_level")
        result.append(entry)
    return result


def _objectives(scores: Scores, gaps: Gaps | None, unit: int, roadmap: Roadmap | None,
                library: Library | None, kpi_ids: set[str]) -> list[CommentedMap]:
    """One objective per capability with a gap, largest gap first, tied to its outcome and KPIs."""
    if gaps is None:
        return []
    q = scores.questionnaire
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
        measured = [k for i in items for k in i.kpis if k in kpi_ids]
        waves = [i.wave for i in items if i.wave is not None]
        ends = [i.end for i in items if i.end is not None]  # the scheduler's dates, when the roadmap has them
        objectives.append(CommentedMap([
            ("id", f"OBJ-{n}"),
            ("objective", f"Raise {cap.name.lower()} from {_level_text(scores, current)} to "
                          f"{_level_text(scores, target)}"),
            ("business_outcome", outcome), ("capabilities", _seq([cap.id])),
            ("measured_by", _seq(list(dict.fromkeys(measured)))),
            ("due", dt.date.fromordinal(max(ends).toordinal()) if ends  # its own object: no YAML alias
             else _wave_end(roadmap, max(waves) if waves else None)),
        ]))
    return objectives


def _services(scores: Scores, unit: int, roadmap: Roadmap | None) -> list[CommentedMap]:
    """Services the PMO offers today (capability at level 3 or above) or plans (on the roadmap)."""
    planned = {i.capability for i in roadmap.active_items} if roadmap else set()
    services = []
    for c, cap in enumerate(scores.questionnaire.capabilities):
        level = scores.capability_level[unit, c]
        offered = level == level and level >= 3
        if not offered and cap.id not in planned:
            continue
        name, description = service_for(cap.id, cap.name)
        services.append(CommentedMap([
            ("id", cap.id), ("name", name), ("description", description), ("capability", cap.id),
            ("customers", _seq(CUSTOMERS_BY_DIMENSION.get(cap.dimension, []))),
            ("status", "offered" if offered else "planned"),
        ]))
    return services


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
                        "in the plan years their dates fall in); list here only the PMO's own costs", indent=2)
    return node


def _stakeholders(scores: Scores, unit: int) -> list[tuple[str, str, str]]:
    """(role id, group name, proposition) for the questionnaire's roles, else the roles that answered."""
    q = scores.questionnaire
    if q.roles:
        roles = [(r.id, r.name) for r in q.roles]
    else:
        table = scores.respondent_table
        found = table.loc[table["business_unit"] == scores.units[unit], "role"].tolist()
        roles = [(r, r) for r in dict.fromkeys(found) if r]
    return [(rid, *value_proposition_for(rid, name)) for rid, name in roles]


def _change_and_communication(stakeholders: list[tuple[str, str, str]], roadmap: Roadmap | None,
                              ) -> tuple[list[CommentedMap], list[CommentedMap]]:
    changes = [CommentedMap([("action", "Agree this business plan and the PMO type with the sponsors"),
                             ("audience", "Executive sponsors"), ("when", "before wave 1"), ("owner", "")])]
    for wave, items in (roadmap.waves() if roadmap else {}).items():
        dates = roadmap.wave_dates(wave)
        when = f"wave {wave}" + (f" (from {dates[0].isoformat()})" if dates else "")
        titles = "; ".join(i.title for i in items)
        changes.append(CommentedMap([("action", f"Prepare the people affected by wave {wave}: {titles}"),
                                     ("audience", "Teams affected by the changes"), ("when", when),
                                     ("owner", "")]))
    communication = [CommentedMap([
        ("audience", name), ("message", proposition),
        ("channel", "steering committee" if rid == "sponsor" else "PMO update and community of practice"),
        ("cadence", "monthly" if rid == "sponsor" else "quarterly"), ("owner", "")])
        for rid, name, proposition in stakeholders]
    return changes, communication


def _risks(scores: Scores, gaps: Gaps | None, unit: int, roadmap: Roadmap | None) -> list[CommentedMap]:
    """Risks the assessment itself shows: big jumps, disputed or thinly answered capabilities, uncovered gaps, caps."""
    q = scores.questionnaire
    risks = []

    def add(risk: str, likelihood: str, impact: str, mitigation: str) -> None:
        risks.append(CommentedMap([("risk", risk), ("likelihood", likelihood), ("impact", impact),
                                   ("mitigation", mitigation), ("owner", "")]))

    for c, cap in enumerate(q.capabilities):
        gap = gaps.capability_gap[unit, c] if gaps is not None else 0
        if gap == gap and gap >= AMBITIOUS_GAP:
            add(f"{cap.name} must rise {int(gap)} levels: each step needs the one before it to stick",
                "medium", "medium", "Track the first step's outcome before starting the next; re-assess on time")
        if scores.disputed[unit, c]:
            add(f"Respondents disagree on {cap.name.lower()} (spread of {scores.dispersion[unit, c]:.2f}): "
                f"initiatives there may lack buy-in", "medium", "medium",
                "Discuss the disagreement with the respondents before the first initiative starts")
        coverage = scores.coverage[unit, c]
        if coverage == coverage and coverage < LOW_COVERAGE:
            add(f"Only {coverage:.0%} of the {cap.name.lower()} questions were answered: its level may be wrong",
                "medium", "low", "Complete the missing answers at the next re-assessment")
    for entry in roadmap.uncovered if roadmap else ():
        add(f"No initiative closes {entry.get('capability')} step {entry.get('step')}: "
            f"{entry.get('reason', 'not covered by the roadmap')}", "high", "medium",
            "Add an initiative of your own to the roadmap or agree a lower target")
    capper = int(scores.overall_capped_by[unit])
    if capper >= 0:
        dim = q.dimensions[capper]
        add(f"{dim.name} holds the overall level back: {explain_overall(scores, unit)}", "high", "high",
            f"Schedule the {dim.name.lower()} initiatives in the first waves")
    return risks


def draft_plan(scores: Scores, gaps: Gaps | None, business_unit: str, roadmap: Roadmap | None = None,
               library: Library | None = None, today: dt.date | None = None, currency: str = "EUR",
               day_rate: float | None = None, costs: RoadmapCosts | None = None,
               chosen: str = "") -> CommentedMap:
    """A commented plan.yaml mapping for one unit, every section drafted from the assessment and roadmap.

    ``costs`` (the roadmap costed) sets a horizon long enough for the whole roadmap; ``chosen`` (the
    PMO head's type, on a refresh) is kept as the choice and its mandate drafted, whatever is recommended.
    """
    today = today or dt.date.today()
    unit = scores.unit_index(business_unit)
    q = scores.questionnaire
    pmo_type, reason = recommend_pmo_type(unit_signals(scores, gaps, unit))
    overall = int(scores.overall_level[unit]) if scores.overall_level[unit] == scores.overall_level[unit] else None
    kpis = _kpis(roadmap, library)
    objectives = _objectives(scores, gaps, unit, roadmap, library, {k["id"] for k in kpis})
    stakeholders = _stakeholders(scores, unit)
    changes, communication = _change_and_communication(stakeholders, roadmap)
    where = f"at {_level_text(scores, overall)} overall" if overall else "not yet scored overall"
    plan = CommentedMap([
        ("schema", SCHEMA), ("business_unit", business_unit), ("questionnaire", q.id),
        ("generated_on", today), ("currency", currency),
        ("purpose", f"The {business_unit} PMO exists to help {business_unit} get the value its portfolio "
                    f"promises: outcomes over outputs, and more benefit than the PMO costs. It is {where} "
                    f"today; this plan takes it to the levels agreed with the sponsors."),
        ("mandate", MANDATE[chosen or pmo_type]),
        ("pmo_type", CommentedMap([("recommended", pmo_type), ("reason", reason), ("chosen", chosen or pmo_type)])),
        ("objectives", objectives), ("kpis", kpis), ("services", _services(scores, unit, roadmap)),
        ("financials", _financials(costs, objectives, day_rate)),
        ("value_propositions", [CommentedMap([("stakeholder", rid), ("name", name), ("proposition", text)])
                                for rid, name, text in stakeholders]),
        ("change_management", changes), ("communication", communication),
        ("risks", _risks(scores, gaps, unit, roadmap)),
        ("reassessment", CommentedMap([
            ("date", today + dt.timedelta(weeks=REASSESS_AFTER_WEEKS)),
            ("scope", f"Re-run the {q.id} assessment with the same respondent groups, then compare "
                      f"progress against this plan's objectives and the roadmap.")])),
    ])
    plan.yaml_set_start_comment(HEADER.format(today=today.isoformat(), unit=business_unit))
    plan.yaml_set_comment_before_after_key("pmo_type", before="\nchosen: your decision (controlling | supportive | directive)")
    plan.yaml_set_comment_before_after_key("kpis", before="\nKPIs on the four levels of measures: 1 delivery, 2 forecast "
                                                          "benefits, 3 business outcomes, 4 competitive advantage")
    plan.yaml_set_comment_before_after_key("financials", before="\namount: money per line; one-off lines count at the "
                                                                "start of their year, yearly lines every year from it")
    return plan
