"""From files to a validated business plan: what ``pmo-assess plan`` and the notebook both run.

plan.yaml is the PMO head's. It is drafted when missing (with the facts it was drafted from), read
as left on every run, and written again only by ``refresh=True``, which re-derives the texts never
edited and keeps every edit (:mod:`pmo_assess.business_plan.refresh`). Every write happens under
the plan's lock, re-reading the file there, so two runs at once never lose each other's work. A
fresh draft for comparison goes to ``plan.draft.yaml`` beside it (``redraft=True``). The context
answers (``context_path``) feed the PMO-type rule of a draft, a redraft or a refresh; without them
the ``context:`` recorded in plan.yaml is used.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

from ruamel.yaml.comments import CommentedMap

from pmo_assess.business_plan.context import (ContextQuestionnaire, PlanContext, context_questionnaire_path,
                                              load_context, load_context_questionnaire)
from pmo_assess.business_plan.draft import draft_plan
from pmo_assess.business_plan.facts import KEY as FACTS_KEY, COMMENT as FACTS_COMMENT
from pmo_assess.business_plan.pmo_type import chosen_gate_notice, unit_signals
from pmo_assess.business_plan.facts import Facts, PlanStatus, compare_facts, current_facts, facts_node
from pmo_assess.business_plan.plan_file import BusinessPlan, parse_plan
from pmo_assess.business_plan.refresh import RefreshReport, fingerprints, refresh_plan
from pmo_assess.business_plan.roadmap_costs import RoadmapCosts, cost_roadmap
from pmo_assess.business_plan.stale import stale_texts
from pmo_assess.business_plan.text_checks import roadmap_text_problems
from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.answers import read_answers
from pmo_assess.io.files import read_yaml, write_yaml
from pmo_assess.io.locks import locked
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.io.targets import load_targets
from pmo_assess.model import Questionnaire
from pmo_assess.roadmap.library import Library, load_library
from pmo_assess.roadmap.roadmap_file import Roadmap, load_roadmap
from pmo_assess.roadmap.workflow import default_library_path
from pmo_assess.scoring import Gaps, Scores, compute_gaps, score_answers

DRAFT_NAME = "plan.draft.yaml"


@dataclass(frozen=True)
class PlanRun:
    """What one run produced: the plan as validated, the roadmap it uses, which files were written and what changed."""

    plan: BusinessPlan
    roadmap: Roadmap | None
    plan_path: Path
    drafted: bool
    redraft_path: Path | None
    status: PlanStatus
    questionnaire: Questionnaire
    refreshed: RefreshReport | None = None


def assess_unit(questionnaire_path: str | Path, answer_paths: Sequence[str | Path], targets_path: str | Path | None,
                business_unit: str) -> tuple[Questionnaire, Scores, Gaps | None]:
    """Score the answers and compute gaps; a unit with no answers is an input problem naming the files."""
    questionnaire = load_questionnaire(questionnaire_path)
    targets = load_targets(targets_path, questionnaire) if targets_path else None
    scores = score_answers(read_answers(list(answer_paths), questionnaire), questionnaire)
    if business_unit not in scores.units:
        raise InputErrors([InputProblem(", ".join(map(str, answer_paths)), "business_unit",
                                        f"no answers for unit {business_unit!r}; units found: "
                                        f"{', '.join(scores.units) or 'none'}")])
    return questionnaire, scores, compute_gaps(scores, targets) if targets else None


def _check_unit(path: str | Path, named: str, business_unit: str, what: str) -> None:
    if named and named != business_unit:
        raise InputErrors([InputProblem(str(path), "business_unit",
                                        f"this {what} is for {named!r}, not {business_unit!r}")])


@dataclass(frozen=True)
class _Inputs:
    questionnaire: Questionnaire
    scores: Scores
    gaps: Gaps | None
    roadmap: Roadmap | None
    roadmap_path: str | None
    library: Library | None
    business_unit: str
    today: dt.date
    questions: ContextQuestionnaire | None = None
    context: PlanContext | None = None
    context_path: str | None = None


def _draft(inputs: _Inputs, currency: str, day_rate: float | None, context: PlanContext | None = None
           ) -> CommentedMap:
    """A fresh draft with its ``drafted_from`` block (facts and fingerprints of every generated text)."""
    costs = cost_roadmap(inputs.roadmap, day_rate, library=inputs.library) if inputs.roadmap is not None else None
    draft = draft_plan(inputs.scores, inputs.gaps, inputs.business_unit, inputs.roadmap, inputs.library,
                       inputs.today, currency, day_rate, costs, context=context or inputs.context,
                       questions=inputs.questions)
    _record(draft, _facts(inputs, costs), fingerprints(draft))
    return draft


def _facts(inputs: _Inputs, costs: RoadmapCosts | None) -> Facts:
    return current_facts(inputs.scores, inputs.gaps, inputs.scores.unit_index(inputs.business_unit),
                         inputs.roadmap_path, costs, inputs.today)


def _record(document: CommentedMap, facts: Facts, generated: CommentedMap) -> None:
    document[FACTS_KEY] = facts_node(facts, generated)
    before = document.ca.items.get(FACTS_KEY)
    if before and isinstance(before[1], list):  # the comment an earlier run wrote: set once, not once more
        first_line = FACTS_COMMENT.splitlines()[0]
        before[1] = [t for t in before[1] if getattr(t, "value", "").strip() and first_line not in t.value] or None
    document.yaml_set_comment_before_after_key(FACTS_KEY, before="\n" + FACTS_COMMENT)


def _refresh(inputs: _Inputs, plan_path: Path) -> RefreshReport:
    """Re-read plan.yaml (under its lock), re-derive its untouched generated parts and write it back."""
    document = read_yaml(plan_path)
    # an invalid plan is not merged; references to roadmap items are checked after the merge re-derived them
    plan = parse_plan(document, plan_path, inputs.questionnaire, context_questions=inputs.questions)
    costs = cost_roadmap(inputs.roadmap, plan.day_rate, library=inputs.library) if inputs.roadmap is not None else None
    context = inputs.context or plan.context
    draft = draft_plan(inputs.scores, inputs.gaps, inputs.business_unit, inputs.roadmap, inputs.library,
                       inputs.today, plan.currency or "EUR", plan.day_rate, costs, plan.pmo_type.chosen,
                       context=context, questions=inputs.questions)
    recorded = (document.get(FACTS_KEY) or {}).get("generated") if isinstance(document.get(FACTS_KEY), dict) else None
    report, generated = refresh_plan(document, draft, recorded, fingerprints)
    if inputs.context is not None and "context" in document and inputs.context != plan.context:
        report.replaced += _replace_context(document, draft["context"])
    recommended = draft["pmo_type"]["recommended"]
    if recommended != plan.pmo_type.chosen:
        report.kept.append(f"pmo_type.chosen ({plan.pmo_type.chosen}; the assessment now recommends {recommended})")
    merged = parse_plan(document, plan_path, inputs.questionnaire, inputs.roadmap, inputs.library, inputs.questions)
    facts = _facts(inputs, merged.roadmap_costs)
    if not report.changed and plan.drafted_from is not None and replace(plan.drafted_from, on=None) == replace(facts, on=None):
        return report  # nothing to re-derive and the same facts: the file stays as it is
    _record(document, facts, generated)
    write_yaml(plan_path, document)
    return report


def _replace_context(document: CommentedMap, fresh: CommentedMap) -> list[str]:
    """The answers of the --context file into plan.yaml's context: (its comments and other keys stay); what changed."""
    from ruamel.yaml.scalarstring import PlainScalarString

    node = document["context"]
    if not isinstance(node, dict):
        document["context"] = fresh
        return ["context"]
    changed = []
    for key, value in fresh.items():
        if node.get(key) != value:  # plain: assigning over a quoted '' would otherwise keep its quotes
            changed.append(f"context.{key} ({node.get(key) or 'not answered'} → {value or 'not answered'})")
            node[key] = PlainScalarString(value) if isinstance(value, str) and value else value
    return changed


def _status(inputs: _Inputs, plan: BusinessPlan) -> PlanStatus:
    """What changed since drafting, and every text quoting a level that no longer holds."""
    facts = _facts(inputs, plan.roadmap_costs)
    stale = stale_texts(plan, facts)
    if plan.drafted_from is None:
        return PlanStatus(facts, tuple(stale), False, None)
    changes = compare_facts(plan.drafted_from, facts, plan.currency, plan.day_rate)
    return PlanStatus(facts, tuple(changes + stale), True, plan.drafted_from.on)


def build_plan(questionnaire_path: str | Path, answer_paths: Sequence[str | Path], business_unit: str,
               plan_path: str | Path, targets_path: str | Path | None = None,
               roadmap_path: str | Path | None = None, library_path: str | Path | None = None,
               redraft: bool = False, today: dt.date | None = None, currency: str = "EUR",
               day_rate: float | None = None, refresh: bool = False,
               context_path: str | Path | None = None) -> PlanRun:
    """Draft plan.yaml if it is missing (refresh it on ``refresh``; plan.draft.yaml on ``redraft``), then validate it."""
    questions_path = context_questionnaire_path(questionnaire_path)
    questions = load_context_questionnaire(questions_path) if questions_path.exists() or context_path else None
    context = load_context(context_path, questions) if context_path else None
    questionnaire, scores, gaps = assess_unit(questionnaire_path, answer_paths, targets_path, business_unit)
    roadmap = load_roadmap(roadmap_path, questionnaire) if roadmap_path else None
    if roadmap is not None:
        _check_unit(roadmap_path, roadmap.business_unit, business_unit, "roadmap")
        problems = roadmap_text_problems(roadmap)
        if problems:
            raise InputErrors(problems)
    if library_path is None:
        bundled = default_library_path(questionnaire_path, questionnaire)
        library_path = bundled if bundled.exists() else None
    library: Library | None = load_library(library_path, questionnaire) if library_path else None
    inputs = _Inputs(questionnaire, scores, gaps, roadmap, str(roadmap_path) if roadmap_path else None, library,
                     business_unit, today or dt.date.today(), questions, context,
                     str(context_path) if context_path else None)
    plan_path = Path(plan_path)
    refreshed = None
    with locked(plan_path):
        drafted = not plan_path.exists()
        redraft_path = plan_path.with_name(DRAFT_NAME) if redraft and not drafted else None
        if drafted:
            write_yaml(plan_path, _draft(inputs, currency, day_rate))
        elif refresh:
            refreshed = _refresh(inputs, plan_path)
        if redraft_path:
            existing = parse_plan(read_yaml(plan_path), plan_path, questionnaire, context_questions=questions)
            write_yaml(redraft_path, _draft(inputs, currency, day_rate, context or existing.context))
        plan = parse_plan(read_yaml(plan_path), plan_path, questionnaire, roadmap, library, questions)
    _check_unit(plan_path, plan.business_unit, business_unit, "plan")
    notices = []
    if context is not None and not drafted and not refresh and context.answers != plan.context.answers:
        notices.append(f"{context_path} differs from the context recorded in {plan_path}: --refresh applies it")
    gate = chosen_gate_notice(plan.pmo_type.chosen, unit_signals(scores, gaps, scores.unit_index(business_unit)))
    if gate:
        notices.append(gate)
    if notices:
        plan = replace(plan, notices=plan.notices + tuple(notices))
    return PlanRun(plan=plan, roadmap=roadmap, plan_path=plan_path, drafted=drafted, redraft_path=redraft_path,
                   status=_status(inputs, plan), questionnaire=questionnaire, refreshed=refreshed)
