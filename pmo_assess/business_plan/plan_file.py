"""The PMO business plan file (``plan.yaml``, one per unit): its model, and loading with validation.

The file is drafted once by :mod:`pmo_assess.business_plan.draft`, then owned by the PMO head; pmo-assess
reads it on every run and writes it again only on ``plan --refresh`` (:mod:`pmo_assess.business_plan.refresh`),
keeping every edit. Format (extra keys are fine)::

    schema: pmo-assess/plan@2   # plan@1 files (no context, scope, staffing, funding, sign-off) still load
    business_unit: Retail Banking
    questionnaire: value-driven-pmo
    generated_on: 2026-11-22
    currency: EUR
    context: {answered_by, answered_on, strategy_emphasis, culture, sponsor_expectation, size}
    purpose: Why the PMO exists (text)
    mandate: What it is entitled to do (text)
    pmo_type: {recommended: controlling, aim: strategic, reason: ..., chosen: controlling,
               evolution: [{type, when, wave}]}
    scope:        {served: text, in: [text], out: [text]}
    objectives:   [{id, objective, business_outcome, capabilities: [ids], measured_by: [kpi ids],
                    measure: kpi id, baseline, target, due: date, levels: {from, to}}]
    kpis:         [{id, name, measure_level: 1-4, unit, direction: up|down, baseline, target, owner,
                    cadence, initiatives: [roadmap item ids]}]
    services:     [{id, name, description, capabilities: [ids] (plan@1: capability), customers: [text],
                    service_level, owner, status: offered|planned|retired}]
    staffing:     [{role, fte, basis, from: date}]
    funding:      {model: overhead|chargeback|project-funded|hybrid, reason, budget_holder}
    financials:
      horizon_years: 3
      day_rate: 900          # cost of one person-day, for lines given in person-days
      starts_on: 2027-01-04  # optional: first day of plan year 1 (default: the roadmap's first day)
      costs:    [{item, amount | person_days, recurrence: one-off|yearly, year: 1, note}]
      benefits: [{item, amount, recurrence: one-off|yearly, year: 2, note}]
    value_propositions: [{stakeholder, name, proposition}]
    change_management:  [{action, audience, when, owner}]
    communication:      [{audience, message, channel, cadence, owner}]
    risks:              [{risk, likelihood: low|medium|high, impact: low|medium|high, mitigation, owner}]
    co_creation:        [{who, contribution, on: date}]
    sign_off:           [{name, role, decision: pending|approved|approved-with-changes|rejected, on: date, note}]
    reassessment: {date: 2027-05-22, scope: text}
    drafted_from: {...}      # tool-owned: the facts drafted from (see business_plan.facts)

The roadmap's cost is never a line of the file: every run costs the roadmap's active initiatives
(effort × ``day_rate``, by their dates; :mod:`pmo_assess.business_plan.roadmap_costs`). A cost line
``{item: ..., roadmap_wave: N}`` (what earlier versions drafted, one per wave) is read as the name
of wave N's roadmap cost; its ``year`` and ``recurrence`` are not used, since the wave's dates say
when it is spent, and waves without such a line are added under a generated name.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pmo_assess.errors import InputProblem, ProblemCollector
from pmo_assess.io.files import line_of, read_yaml
from pmo_assess.model import Questionnaire
from pmo_assess.business_plan.context import (BUNDLED, ContextQuestionnaire, PlanContext, load_context_questionnaire,
                                              parse_context)
from pmo_assess.business_plan.facts import KEY as FACTS_KEY, Facts, parse_facts
from pmo_assess.business_plan.financials import RECURRENCES, Financials, MoneyLine, compute_financials
from pmo_assess.business_plan.pmo_type import PMO_TYPES
from pmo_assess.business_plan.roadmap_costs import MAX_HORIZON_YEARS, RoadmapCosts, cost_roadmap, roadmap_start
from pmo_assess.business_plan.text_checks import bad_characters
from pmo_assess.roadmap.library import KPI_UNITS, Library
from pmo_assess.roadmap.roadmap_file import Roadmap

SCHEMA = "pmo-assess/plan@2"
#: Schemas this pmo-assess reads: plan@1 files lack the newer sections, which then read as empty.
SCHEMAS = ("pmo-assess/plan@1", SCHEMA)
FUNDING_MODELS = ("overhead", "chargeback", "project-funded", "hybrid")
DECISIONS = ("pending", "approved", "approved-with-changes", "rejected")
MAX_FTE = 1000
CADENCES = ("weekly", "fortnightly", "monthly", "quarterly", "half-yearly", "yearly")
SERVICE_STATUSES = ("offered", "planned", "retired")
RATINGS = ("low", "medium", "high")
DEFAULT_HORIZON_YEARS = 3
#: Sane ranges: one line's amount, a day rate, person-days of a line, a KPI value (beyond these is a typo or worse).
MAX_AMOUNT = 1e12
MAX_DAY_RATE = 1e7
MAX_PERSON_DAYS = 1e6
MAX_KPI_VALUE = 1e12
#: A currency is a short code or symbol (it goes into the spreadsheet's number format).
CURRENCY = re.compile(r'^[^\s\d"\\]{1,8}$')


@dataclass(frozen=True)
class TypeStep:
    """One type on the way to the aim, and when it is due."""

    pmo_type: str
    when: str
    wave: int | None = None


@dataclass(frozen=True)
class PmoTypeChoice:
    recommended: str
    reason: str
    chosen: str
    aim: str = ""
    evolution: tuple[TypeStep, ...] = ()


@dataclass(frozen=True)
class Objective:
    id: str
    objective: str
    business_outcome: str = ""
    capabilities: tuple[str, ...] = ()
    measured_by: tuple[str, ...] = ()
    due: dt.date | None = None
    measure: str = ""
    baseline: float | None = None
    target: float | None = None
    levels: tuple[int, int] | None = None


@dataclass(frozen=True)
class PlanKpi:
    id: str
    name: str
    measure_level: int
    unit: str = ""
    direction: str = "up"
    baseline: float | None = None
    target: float | None = None
    owner: str = ""
    cadence: str = ""
    initiatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    description: str = ""
    capabilities: tuple[str, ...] = ()
    customers: tuple[str, ...] = ()
    status: str = "offered"
    service_level: str = ""
    owner: str = ""


@dataclass(frozen=True)
class Scope:
    served: str = ""
    inside: tuple[str, ...] = ()
    outside: tuple[str, ...] = ()


@dataclass(frozen=True)
class StaffRole:
    role: str
    fte: float | None = None
    basis: str = ""
    starts: dt.date | None = None


@dataclass(frozen=True)
class Funding:
    model: str = ""
    reason: str = ""
    budget_holder: str = ""


@dataclass(frozen=True)
class CoCreation:
    who: str
    contribution: str = ""
    on: dt.date | None = None


@dataclass(frozen=True)
class SignOff:
    role: str
    name: str = ""
    decision: str = "pending"
    on: dt.date | None = None
    note: str = ""


@dataclass(frozen=True)
class ValueProposition:
    stakeholder: str
    name: str
    proposition: str


@dataclass(frozen=True)
class ChangeAction:
    action: str
    audience: str = ""
    when: str = ""
    owner: str = ""


@dataclass(frozen=True)
class Communication:
    audience: str
    message: str
    channel: str = ""
    cadence: str = ""
    owner: str = ""


@dataclass(frozen=True)
class Risk:
    risk: str
    likelihood: str
    impact: str
    mitigation: str = ""
    owner: str = ""


@dataclass(frozen=True)
class BusinessPlan:
    """A validated plan.yaml, with the financials computed from its cost and benefit lines."""

    business_unit: str
    questionnaire: str
    generated_on: dt.date | None
    currency: str
    purpose: str
    mandate: str
    pmo_type: PmoTypeChoice
    objectives: tuple[Objective, ...]
    kpis: tuple[PlanKpi, ...]
    services: tuple[Service, ...]
    horizon_years: int
    day_rate: float | None
    costs: tuple[MoneyLine, ...]
    benefits: tuple[MoneyLine, ...]
    financials: Financials
    value_propositions: tuple[ValueProposition, ...]
    change_management: tuple[ChangeAction, ...]
    communication: tuple[Communication, ...]
    risks: tuple[Risk, ...]
    reassessment_date: dt.date | None
    reassessment_scope: str
    context: PlanContext = field(default_factory=lambda: PlanContext({}))
    scope: Scope = field(default_factory=Scope)
    staffing: tuple[StaffRole, ...] = ()
    funding: Funding = field(default_factory=Funding)
    co_creation: tuple[CoCreation, ...] = ()
    sign_off: tuple[SignOff, ...] = ()
    schema: str = SCHEMA
    source: str = field(default="", compare=False)
    roadmap_costs: RoadmapCosts | None = field(default=None, compare=False)
    drafted_from: Facts | None = field(default=None, compare=False)
    notices: tuple[str, ...] = ()


def _is_number(value: Any) -> bool:
    """An int or float, not a bool, and finite (YAML's .nan and .inf are not amounts)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int with hundreds of digits
        return False


class _Reader:
    """Reads typed values out of the parsed YAML, recording each problem with key path and line."""

    def __init__(self, path: str | Path):
        self.problems = ProblemCollector(path)

    def add(self, path: str, node: Any, key: Any, message: str) -> None:
        line = line_of(node, key if (isinstance(key, int) or (isinstance(node, dict) and key in node)) else None)
        self.problems.add(f"{path} (line {line})" if line else path, message)

    def text(self, node: dict, key: str, path: str, required: bool = False) -> str:
        value = node.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(f"{path}.{key}" if path else key, node, key, "missing or empty")
            return ""
        if isinstance(value, (dict, list)):
            self.add(f"{path}.{key}" if path else key, node, key, "must be text, not a list or mapping")
            return ""
        return self.clean(str(value).strip(), node, key, f"{path}.{key}" if path else key)

    def clean(self, text: str, node: Any, key: Any, path: str) -> str:
        """The text, or a problem naming it when it holds control characters (they break DOCX and XLSX)."""
        bad = bad_characters(text)
        if bad:
            self.add(path, node, key, f"contains control character(s) {bad}: remove them")
        return text

    def choice(self, node: dict, key: str, path: str, choices: tuple[str, ...], default: str,
               required: bool = False) -> str:
        value = node.get(key)
        if value in (None, "") and not required:
            return default
        if value not in choices:
            self.add(f"{path}.{key}", node, key, f"must be one of {', '.join(choices)}, got {value!r}")
            return default
        return str(value)

    def number(self, node: dict, key: str, path: str, minimum: float | None = None,
               strictly: bool = False, maximum: float = MAX_KPI_VALUE) -> float | None:
        """An optional number (None when absent or null), at least (or above) ``minimum``, at most ``maximum``."""
        value = node.get(key)
        if value is None:
            return None
        below = minimum is not None and _is_number(value) and (value <= minimum if strictly else value < minimum)
        if not _is_number(value) or below:
            bound = "" if minimum is None else f" {'above' if strictly else 'at least'} {minimum:g}"
            self.add(f"{path}.{key}", node, key, f"must be a number{bound} (or null), got {value!r}")
            return None
        if abs(value) > maximum:
            self.add(f"{path}.{key}", node, key, f"must be at most {maximum:,.0f} (beyond that it is a typo), "
                                                 f"got {value:g}")
            return None
        return float(value)

    def whole(self, node: dict, key: str, path: str, low: int, high: int, default: int,
              required: bool = False) -> int:
        if required and node.get(key) is None:
            self.add(f"{path}.{key}", node, key, f"missing: a whole number {low}-{high} is required")
            return default
        value = node.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.add(f"{path}.{key}", node, key, f"must be a whole number {low}-{high}, got {value!r}")
            return default
        return value

    def date(self, node: dict, key: str, path: str, required: bool = False) -> dt.date | None:
        value = node.get(key)
        if value is None:
            if required:
                self.add(f"{path}.{key}" if path else key, node, key, "missing: a date like 2027-05-31 is required")
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.add(f"{path}.{key}" if path else key, node, key, f"must be a date like 2027-05-31, got {value!r}")
            return None

    def texts(self, node: dict, key: str, path: str) -> tuple[str, ...]:
        value = node.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (self.clean(value, node, key, f"{path}.{key}"),) if value.strip() else ()
        if not isinstance(value, list) or any(isinstance(v, (dict, list)) or v is None for v in value):
            self.add(f"{path}.{key}", node, key, "must be a list of ids or names")
            return ()
        return tuple(self.clean(str(v).strip(), node, key, f"{path}.{key}") for v in value)

    def records(self, data: dict, key: str, build: Callable[[dict, str], Any],
                path: str = "") -> list[tuple[int, dict, Any]]:
        """Each mapping of the list ``data[key]`` built with ``build(node, path)``; a missing list is empty."""
        full = f"{path}.{key}" if path else key
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(full, data, key, "must be a list")
            return []
        built = []
        for i, node in enumerate(value):
            if not isinstance(node, dict):
                self.add(f"{full}[{i}]", value, i, "must be a mapping")
                continue
            built.append((i, node, build(node, f"{full}[{i}]")))
        return built


def load_plan(path: str | Path, questionnaire: Questionnaire | None = None, roadmap: Roadmap | None = None,
              library: Library | None = None, context_questions: ContextQuestionnaire | None = None) -> BusinessPlan:
    """Load and validate plan.yaml (cross-checked with the questionnaire and roadmap when given).

    ``library`` adds its initiatives' non-labour costs to the roadmap's cost; ``context_questions``
    checks the ``context:`` answers (default: the bundled context questionnaire, when it is there).
    """
    return parse_plan(read_yaml(path), path, questionnaire, roadmap, library, context_questions)


def _default_context_questions() -> ContextQuestionnaire | None:
    return load_context_questionnaire(BUNDLED) if BUNDLED.exists() else None


def parse_plan(data: Any, path: str | Path, questionnaire: Questionnaire | None = None,
               roadmap: Roadmap | None = None, library: Library | None = None,
               context_questions: ContextQuestionnaire | None = None) -> BusinessPlan:
    """Validate an already parsed plan document (see :func:`load_plan`); InputErrors lists every problem."""
    read = _Reader(path)
    if not isinstance(data, dict):
        read.problems.add("", "a business plan must be a YAML mapping (business_unit, purpose, pmo_type, ...)")
        read.problems.raise_if_any()
    schema = data.get("schema")
    if schema is not None and schema not in SCHEMAS:
        read.add("schema", data, "schema", f"this pmo-assess reads {' and '.join(SCHEMAS)}, not {schema!r}")
    named = read.text(data, "questionnaire", "")
    if questionnaire is not None and named and named != questionnaire.id:
        read.add("questionnaire", data, "questionnaire",
                 f"the plan is for questionnaire {named!r}, not {questionnaire.id!r}")
    context = parse_context(data.get("context"), read.problems, context_questions or _default_context_questions(),
                            "context")
    pmo_type = _pmo_type(read, data)
    objectives = read.records(data, "objectives", lambda n, p: Objective(
        id=read.text(n, "id", p, True), objective=read.text(n, "objective", p, True),
        business_outcome=read.text(n, "business_outcome", p), capabilities=read.texts(n, "capabilities", p),
        measured_by=read.texts(n, "measured_by", p), due=read.date(n, "due", p), measure=read.text(n, "measure", p),
        baseline=read.number(n, "baseline", p), target=read.number(n, "target", p), levels=_levels(read, n, p)))
    kpis = read.records(data, "kpis", lambda n, p: PlanKpi(
        id=read.text(n, "id", p, True), name=read.text(n, "name", p, True),
        measure_level=read.whole(n, "measure_level", p, 1, 4, 1, required=True),
        unit=read.choice(n, "unit", p, KPI_UNITS, ""),
        direction=read.choice(n, "direction", p, ("up", "down"), "up"),
        baseline=read.number(n, "baseline", p), target=read.number(n, "target", p),
        owner=read.text(n, "owner", p), cadence=read.choice(n, "cadence", p, CADENCES, ""),
        initiatives=read.texts(n, "initiatives", p)))
    services = read.records(data, "services", lambda n, p: Service(
        id=read.text(n, "id", p), name=read.text(n, "name", p, True), description=read.text(n, "description", p),
        capabilities=read.texts(n, "capabilities", p) or read.texts(n, "capability", p),
        customers=read.texts(n, "customers", p), status=read.choice(n, "status", p, SERVICE_STATUSES, "offered"),
        service_level=read.text(n, "service_level", p), owner=read.text(n, "owner", p)))
    staff = read.records(data, "staffing", lambda n, p: StaffRole(
        role=read.text(n, "role", p, True), fte=read.number(n, "fte", p, 0, maximum=MAX_FTE),
        basis=read.text(n, "basis", p), starts=read.date(n, "from", p)))
    horizon, day_rate, starts_on, costs, benefits = _financials(read, data)
    propositions = read.records(data, "value_propositions", lambda n, p: ValueProposition(
        stakeholder=read.text(n, "stakeholder", p, True), name=read.text(n, "name", p),
        proposition=read.text(n, "proposition", p, True)))
    changes = read.records(data, "change_management", lambda n, p: ChangeAction(
        action=read.text(n, "action", p, True), audience=read.text(n, "audience", p),
        when=read.text(n, "when", p), owner=read.text(n, "owner", p)))
    communication = read.records(data, "communication", lambda n, p: Communication(
        audience=read.text(n, "audience", p, True), message=read.text(n, "message", p, True),
        channel=read.text(n, "channel", p), cadence=read.choice(n, "cadence", p, CADENCES, ""),
        owner=read.text(n, "owner", p)))
    risks = read.records(data, "risks", lambda n, p: Risk(
        risk=read.text(n, "risk", p, True), likelihood=read.choice(n, "likelihood", p, RATINGS, "medium", True),
        impact=read.choice(n, "impact", p, RATINGS, "medium", True), mitigation=read.text(n, "mitigation", p),
        owner=read.text(n, "owner", p)))
    co_created = read.records(data, "co_creation", lambda n, p: CoCreation(
        who=read.text(n, "who", p, True), contribution=read.text(n, "contribution", p), on=read.date(n, "on", p)))
    signed = read.records(data, "sign_off", lambda n, p: _sign_off(read, n, p))
    reassessment = data.get("reassessment")
    if isinstance(reassessment, dict):
        reassessment_date = read.date(reassessment, "date", "reassessment", True)
    else:
        read.add("reassessment", data, "reassessment", "must be a mapping with date (and optional scope)")
        reassessment, reassessment_date = {}, None
    unit, purpose = read.text(data, "business_unit", "", True), read.text(data, "purpose", "", True)
    generated_on = read.date(data, "generated_on", "")
    currency, mandate = read.text(data, "currency", ""), read.text(data, "mandate", "")
    if currency and not CURRENCY.match(currency):
        read.add("currency", data, "currency", f"must be a currency code or symbol of up to 8 characters without "
                                               f"spaces, digits or quotes (EUR, €, US$), got {currency!r}")
    scope, funding = _scope(read, data), _funding(read, data)
    _cross_check(read, objectives, kpis, services, questionnaire, roadmap)
    drafted_from = parse_facts(data.get(FACTS_KEY))
    labels = {line.roadmap_wave: line.item for _, _, line in costs if line.roadmap_wave is not None}
    own_costs = [line.money for _, _, line in costs if line.roadmap_wave is None]
    benefits = [line.money for _, _, line in benefits]
    notices = []
    roadmap_costs = None
    if roadmap is not None:
        roadmap_costs = cost_roadmap(roadmap, day_rate, starts_on or roadmap_start(roadmap) or generated_on, labels,
                                     library)
        notices += _wave_label_notices(read, costs, roadmap_costs, roadmap)
        notices += list(roadmap_costs.notes)
        library_currency = getattr(library, "currency", "") if library is not None else ""
        if roadmap_costs.non_labour and library_currency and currency and library_currency != currency:
            read.problems.extend([InputProblem(
                library.source or "the initiative library", "currency",
                f"the library's currency {library_currency} differs from the plan's {currency} ({path}: currency): "
                f"its {roadmap_costs.non_labour:,.0f} of non-labour costs cannot be counted in {currency}; "
                f"state the library's costs in {currency} or set the plan's currency to {library_currency}")])
    elif drafted_from is not None and drafted_from.roadmap:
        notices.append(f"the plan was drafted with the roadmap {drafted_from.roadmap}: pass it (--roadmap) to "
                       "count its cost")
    read.problems.raise_if_any()
    try:
        financials = compute_financials(own_costs, benefits, horizon, day_rate, roadmap_costs)
    except OverflowError:
        read.add("financials", data, "financials", "the amounts add up to more than a number can hold: "
                                                   f"keep every amount at most {MAX_AMOUNT:,.0f}")
        read.problems.raise_if_any()
    if roadmap is None and drafted_from is not None and drafted_from.roadmap:
        financials = _without_ratio(financials, notices[-1])
    if financials.declared_horizon is not None:
        notices.append(f"the financials cover {financials.horizon_years} years instead of the {horizon} set in "
                       "plan.yaml (financials.horizon_years), so that the whole roadmap's cost is counted")
    return BusinessPlan(
        business_unit=unit, questionnaire=named, generated_on=generated_on, currency=currency,
        purpose=purpose, mandate=mandate,
        pmo_type=pmo_type, objectives=tuple(o for _, _, o in objectives), kpis=tuple(k for _, _, k in kpis),
        services=tuple(s for _, _, s in services), horizon_years=horizon, day_rate=day_rate,
        costs=tuple(own_costs), benefits=tuple(benefits), financials=financials,
        value_propositions=tuple(v for _, _, v in propositions),
        change_management=tuple(c for _, _, c in changes), communication=tuple(c for _, _, c in communication),
        risks=tuple(r for _, _, r in risks), reassessment_date=reassessment_date,
        reassessment_scope=read.text(reassessment, "scope", "reassessment"), context=context, scope=scope,
        staffing=tuple(r for _, _, r in staff), funding=funding, co_creation=tuple(c for _, _, c in co_created),
        sign_off=tuple(s for _, _, s in signed), schema=str(schema or SCHEMA), source=str(path),
        roadmap_costs=roadmap_costs, drafted_from=drafted_from, notices=tuple(notices))


def _without_ratio(financials: Financials, reason: str) -> Financials:
    """The same totals with no ratio or payback: a cost the plan should hold is not counted."""
    from dataclasses import replace

    return replace(financials, benefit_cost_ratio=None, payback_months=None,
                   missing=financials.missing + (reason,))


def _wave_label_notices(read: _Reader, costs: list, roadmap_costs: RoadmapCosts, roadmap: Roadmap) -> list[str]:
    """What the ``roadmap_wave`` lines of an earlier draft now mean, named once."""
    waves = {w.wave for w in roadmap_costs.waves}
    listed = [(i, line) for i, _, line in costs if line.roadmap_wave is not None]
    notices = []
    gone = [f"financials.costs[{i}] (wave {line.roadmap_wave})" for i, line in listed if line.roadmap_wave not in waves]
    if gone:
        notices.append(f"{', '.join(gone)}: the roadmap has no such wave now (waves: "
                       f"{', '.join(map(str, sorted(waves))) or 'none'}); the line costs nothing")
    unlisted = sorted(waves - {line.roadmap_wave for _, line in listed} - {0})
    if listed and unlisted:
        notices.append(f"roadmap wave{'s' if len(unlisted) > 1 else ''} {', '.join(map(str, unlisted))} "
                       "had no cost line in plan.yaml: costed from the roadmap all the same")
    return notices


def _pmo_type(read: _Reader, data: dict) -> PmoTypeChoice:
    node = data.get("pmo_type")
    if not isinstance(node, dict):
        read.add("pmo_type", data, "pmo_type", f"must be a mapping with recommended, reason and chosen "
                                               f"({' | '.join(PMO_TYPES)})")
        return PmoTypeChoice("", "", "")
    recommended = read.choice(node, "recommended", "pmo_type", PMO_TYPES, "")
    chosen = read.choice(node, "chosen", "pmo_type", PMO_TYPES, recommended)
    if not chosen:
        read.add("pmo_type.chosen", node, "chosen", f"choose one of {', '.join(PMO_TYPES)}")
    steps = read.records(node, "evolution", lambda n, p: TypeStep(
        pmo_type=read.choice(n, "type", p, PMO_TYPES, "", required=True), when=read.text(n, "when", p),
        wave=read.whole(n, "wave", p, 1, 10_000, 1) if n.get("wave") is not None else None), "pmo_type")
    return PmoTypeChoice(recommended=recommended, reason=read.text(node, "reason", "pmo_type"), chosen=chosen,
                         aim=read.choice(node, "aim", "pmo_type", PMO_TYPES, ""),
                         evolution=tuple(step for _, _, step in steps))


def _levels(read: _Reader, node: dict, path: str) -> tuple[int, int] | None:
    """An objective's maturity step ``levels: {from: 1, to: 3}`` (None when absent)."""
    value = node.get("levels")
    if value is None:
        return None
    if not isinstance(value, dict):
        read.add(f"{path}.levels", node, "levels", "must be a mapping {from: level, to: level}")
        return None
    low = read.whole(value, "from", f"{path}.levels", 1, 4, 1, required=True)
    high = read.whole(value, "to", f"{path}.levels", 1, 4, 1, required=True)
    return low, high


def _sign_off(read: _Reader, node: dict, path: str) -> SignOff:
    decision = read.choice(node, "decision", path, DECISIONS, "pending")
    signed = SignOff(role=read.text(node, "role", path, True), name=read.text(node, "name", path),
                     decision=decision, on=read.date(node, "on", path), note=read.text(node, "note", path))
    if decision != "pending":
        if not signed.name:
            read.add(f"{path}.name", node, "name", f"a decision ({decision}) needs the name of who took it")
        if signed.on is None:
            read.add(f"{path}.on", node, "on", f"a decision ({decision}) needs its date, like 2027-01-15")
    return signed


def _scope(read: _Reader, data: dict) -> Scope:
    node = data.get("scope")
    if node is None:
        return Scope()
    if not isinstance(node, dict):
        read.add("scope", data, "scope", "must be a mapping with served, in and out")
        return Scope()
    return Scope(served=read.text(node, "served", "scope"), inside=read.texts(node, "in", "scope"),
                 outside=read.texts(node, "out", "scope"))


def _funding(read: _Reader, data: dict) -> Funding:
    node = data.get("funding")
    if node is None:
        return Funding()
    if not isinstance(node, dict):
        read.add("funding", data, "funding", f"must be a mapping with model ({' | '.join(FUNDING_MODELS)}), "
                                             "reason and budget_holder")
        return Funding()
    return Funding(model=read.choice(node, "model", "funding", FUNDING_MODELS, ""),
                   reason=read.text(node, "reason", "funding"), budget_holder=read.text(node, "budget_holder", "funding"))


@dataclass(frozen=True)
class _ReadLine:
    """A cost or benefit line as read: the money it states, or (an earlier draft's) the roadmap wave it names."""

    money: MoneyLine
    roadmap_wave: int | None = None

    @property
    def item(self) -> str:
        return self.money.item


def _money_line(read: _Reader, node: dict, path: str, horizon: int) -> _ReadLine:
    sources = [k for k in ("amount", "person_days", "roadmap_wave") if node.get(k) is not None]
    if len(sources) > 1:
        read.add(path, node, sources[1], f"give one of amount, person_days or roadmap_wave, not {' and '.join(sources)}")
    wave = node.get("roadmap_wave")
    if wave is not None and (not isinstance(wave, int) or isinstance(wave, bool) or not 1 <= wave <= 10_000):
        read.add(f"{path}.roadmap_wave", node, "roadmap_wave", f"must be a wave number (1, 2, ...), got {wave!r}")
        wave = None
    year = 1 if wave is not None else read.whole(node, "year", path, 1, horizon, 1)  # a wave's dates say when
    money = MoneyLine(item=read.text(node, "item", path, True),
                      amount=read.number(node, "amount", path, 0, maximum=MAX_AMOUNT),
                      recurrence=read.choice(node, "recurrence", path, RECURRENCES, "one-off"), year=year,
                      person_days=read.number(node, "person_days", path, 0, strictly=True, maximum=MAX_PERSON_DAYS),
                      note=read.text(node, "note", path))
    return _ReadLine(money, wave)


def _financials(read: _Reader, data: dict) -> tuple[int, float | None, dt.date | None, list, list]:
    """Horizon, day rate, first day of year 1 and the cost and benefit records (index, node, _ReadLine)."""
    node = data.get("financials")
    if node is None:
        return DEFAULT_HORIZON_YEARS, None, None, [], []
    if not isinstance(node, dict):
        read.add("financials", data, "financials", "must be a mapping with horizon_years, day_rate, costs, benefits")
        return DEFAULT_HORIZON_YEARS, None, None, [], []
    horizon = read.whole(node, "horizon_years", "financials", 1, MAX_HORIZON_YEARS, DEFAULT_HORIZON_YEARS)
    day_rate = read.number(node, "day_rate", "financials", 0, maximum=MAX_DAY_RATE)
    starts_on = read.date(node, "starts_on", "financials")
    if starts_on is not None and not 1900 <= starts_on.year <= 2999:
        read.add("financials.starts_on", node, "starts_on", f"must be a date between 1900 and 2999, got {starts_on}")
        starts_on = None
    costs = read.records(node, "costs", lambda n, p: _money_line(read, n, p, horizon), "financials")
    benefits = read.records(node, "benefits", lambda n, p: _money_line(read, n, p, horizon), "financials")
    for i, n, line in benefits:
        if line.roadmap_wave is not None or line.money.person_days is not None:
            read.add(f"financials.benefits[{i}]", n, "amount", "a benefit is an amount, not person-days")
    return horizon, day_rate, starts_on, costs, benefits


def _cross_check(read: _Reader, objectives: list, kpis: list, services: list,
                 questionnaire: Questionnaire | None, roadmap: Roadmap | None) -> None:
    """Ids unique, references resolve: KPIs of objectives, capabilities, roadmap items."""
    kpi_ids: set[str] = set()
    for i, node, kpi in kpis:
        if kpi.id in kpi_ids:
            read.add(f"kpis[{i}].id", node, "id", f"duplicate KPI id {kpi.id!r}")
        kpi_ids.add(kpi.id)
    objective_ids: set[str] = set()
    capability_ids = {c.id for c in questionnaire.capabilities} if questionnaire else None
    for i, node, objective in objectives:
        if objective.id in objective_ids:
            read.add(f"objectives[{i}].id", node, "id", f"duplicate objective id {objective.id!r}")
        objective_ids.add(objective.id)
        for kpi in objective.measured_by:
            if kpi not in kpi_ids:
                read.add(f"objectives[{i}].measured_by", node, "measured_by", f"unknown KPI id {kpi!r} (not under kpis:)")
        for capability in objective.capabilities:
            if capability_ids is not None and capability not in capability_ids:
                read.add(f"objectives[{i}].capabilities", node, "capabilities",
                         f"unknown capability id {capability!r} in questionnaire {questionnaire.id!r}")
        if objective.measure and objective.measure not in kpi_ids:
            read.add(f"objectives[{i}].measure", node, "measure", f"unknown KPI id {objective.measure!r} (not under kpis:)")
    for i, node, service in services:
        for capability in service.capabilities:
            if capability_ids is not None and capability not in capability_ids:
                key = "capabilities" if "capabilities" in node else "capability"
                read.add(f"services[{i}].{key}", node, key,
                         f"unknown capability id {capability!r} in questionnaire {questionnaire.id!r}")
    if roadmap is None:
        return
    item_ids = {item.id for item in roadmap.items}
    for i, node, kpi in kpis:
        for initiative in kpi.initiatives:
            if initiative not in item_ids:
                read.add(f"kpis[{i}].initiatives", node, "initiatives",
                         f"{initiative!r} is not an item of the roadmap")
