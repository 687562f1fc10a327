"""The PMO business plan file (``plan.yaml``, one per unit): its model, and loading with validation.

The file is drafted once by :mod:`pmo_assess.business_plan.draft`, then owned by the PMO head; pmo-assess
reads it and never writes it back. Format (extra keys are fine)::

    schema: pmo-assess/plan@1
    business_unit: Retail Banking
    questionnaire: value-driven-pmo
    generated_on: 2026-11-22
    currency: EUR
    purpose: Why the PMO exists (text)
    mandate: What it is entitled to do (text)
    pmo_type: {recommended: controlling, reason: ..., chosen: controlling}
    objectives:   [{id, objective, business_outcome, capabilities: [ids], measured_by: [kpi ids], due: date}]
    kpis:         [{id, name, measure_level: 1-4, unit, direction: up|down, baseline, target, owner,
                    cadence, initiatives: [roadmap item ids]}]
    services:     [{id, name, description, capability, customers: [text], status: offered|planned|retired}]
    financials:
      horizon_years: 3
      day_rate: 900          # cost of one person-day, for lines given in person-days
      costs:    [{item, amount | person_days | roadmap_wave, recurrence: one-off|yearly, year: 1, note}]
      benefits: [{item, amount, recurrence: one-off|yearly, year: 2, note}]
    value_propositions: [{stakeholder, name, proposition}]
    change_management:  [{action, audience, when, owner}]
    communication:      [{audience, message, channel, cadence, owner}]
    risks:              [{risk, likelihood: low|medium|high, impact: low|medium|high, mitigation, owner}]
    reassessment: {date: 2027-05-22, scope: text}

A cost line with ``roadmap_wave: N`` costs the person-days of the roadmap's wave N (not dropped)
× ``day_rate``, so roadmap edits flow into the plan without rewriting it.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pmo_assess.errors import ProblemCollector
from pmo_assess.io.files import line_of, read_yaml
from pmo_assess.model import Questionnaire
from pmo_assess.business_plan.financials import RECURRENCES, Financials, MoneyLine, compute_financials
from pmo_assess.business_plan.pmo_type import PMO_TYPES
from pmo_assess.roadmap.library import KPI_UNITS
from pmo_assess.roadmap.roadmap_file import Roadmap

SCHEMA = "pmo-assess/plan@1"
CADENCES = ("weekly", "fortnightly", "monthly", "quarterly", "half-yearly", "yearly")
SERVICE_STATUSES = ("offered", "planned", "retired")
RATINGS = ("low", "medium", "high")
MAX_HORIZON_YEARS = 10
DEFAULT_HORIZON_YEARS = 3


@dataclass(frozen=True)
class PmoTypeChoice:
    recommended: str
    reason: str
    chosen: str


@dataclass(frozen=True)
class Objective:
    id: str
    objective: str
    business_outcome: str = ""
    capabilities: tuple[str, ...] = ()
    measured_by: tuple[str, ...] = ()
    due: dt.date | None = None


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
    capability: str = ""
    customers: tuple[str, ...] = ()
    status: str = "offered"


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
    source: str = field(default="", compare=False)


def _is_number(value: Any) -> bool:
    """An int or float, not a bool, and finite (YAML's .nan and .inf are not amounts)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


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
        return str(value).strip()

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
               strictly: bool = False) -> float | None:
        """An optional number (None when absent or null), at least (or above) ``minimum``."""
        value = node.get(key)
        if value is None:
            return None
        below = minimum is not None and _is_number(value) and (value <= minimum if strictly else value < minimum)
        if not _is_number(value) or below:
            bound = "" if minimum is None else f" {'above' if strictly else 'at least'} {minimum:g}"
            self.add(f"{path}.{key}", node, key, f"must be a number{bound} (or null), got {value!r}")
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
            return (value,) if value.strip() else ()
        if not isinstance(value, list) or any(isinstance(v, (dict, list)) or v is None for v in value):
            self.add(f"{path}.{key}", node, key, "must be a list of ids or names")
            return ()
        return tuple(str(v).strip() for v in value)

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


def load_plan(path: str | Path, questionnaire: Questionnaire | None = None,
              roadmap: Roadmap | None = None) -> BusinessPlan:
    """Load and validate plan.yaml (cross-checked with the questionnaire and roadmap when given)."""
    data = read_yaml(path)
    read = _Reader(path)
    if not isinstance(data, dict):
        read.problems.add("", "a business plan must be a YAML mapping (business_unit, purpose, pmo_type, ...)")
        read.problems.raise_if_any()
    schema = data.get("schema")
    if schema is not None and schema != SCHEMA:
        read.add("schema", data, "schema", f"this pmo-assess reads {SCHEMA}, not {schema!r}")
    named = read.text(data, "questionnaire", "")
    if questionnaire is not None and named and named != questionnaire.id:
        read.add("questionnaire", data, "questionnaire",
                 f"the plan is for questionnaire {named!r}, not {questionnaire.id!r}")
    pmo_type = _pmo_type(read, data)
    objectives = read.records(data, "objectives", lambda n, p: Objective(
        id=read.text(n, "id", p, True), objective=read.text(n, "objective", p, True),
        business_outcome=read.text(n, "business_outcome", p), capabilities=read.texts(n, "capabilities", p),
        measured_by=read.texts(n, "measured_by", p), due=read.date(n, "due", p)))
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
        capability=read.text(n, "capability", p), customers=read.texts(n, "customers", p),
        status=read.choice(n, "status", p, SERVICE_STATUSES, "offered")))
    horizon, day_rate, costs, benefits = _financials(read, data)
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
    reassessment = data.get("reassessment")
    if isinstance(reassessment, dict):
        reassessment_date = read.date(reassessment, "date", "reassessment", True)
    else:
        read.add("reassessment", data, "reassessment", "must be a mapping with date (and optional scope)")
        reassessment, reassessment_date = {}, None
    unit, purpose = read.text(data, "business_unit", "", True), read.text(data, "purpose", "", True)
    generated_on = read.date(data, "generated_on", "")
    currency, mandate = read.text(data, "currency", ""), read.text(data, "mandate", "")
    _cross_check(read, objectives, kpis, services, costs, questionnaire, roadmap)
    costs = [_with_roadmap_effort(line, roadmap) for _, _, line in costs]
    benefits = [line for _, _, line in benefits]
    read.problems.raise_if_any()
    return BusinessPlan(
        business_unit=unit, questionnaire=named, generated_on=generated_on, currency=currency,
        purpose=purpose, mandate=mandate,
        pmo_type=pmo_type, objectives=tuple(o for _, _, o in objectives), kpis=tuple(k for _, _, k in kpis),
        services=tuple(s for _, _, s in services), horizon_years=horizon, day_rate=day_rate,
        costs=tuple(costs), benefits=tuple(benefits),
        financials=compute_financials(costs, benefits, horizon, day_rate),
        value_propositions=tuple(v for _, _, v in propositions),
        change_management=tuple(c for _, _, c in changes), communication=tuple(c for _, _, c in communication),
        risks=tuple(r for _, _, r in risks), reassessment_date=reassessment_date,
        reassessment_scope=read.text(reassessment, "scope", "reassessment"), source=str(path))


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
    return PmoTypeChoice(recommended=recommended, reason=read.text(node, "reason", "pmo_type"), chosen=chosen)


def _money_line(read: _Reader, node: dict, path: str, horizon: int) -> MoneyLine:
    sources = [k for k in ("amount", "person_days", "roadmap_wave") if node.get(k) is not None]
    if len(sources) > 1:
        read.add(path, node, sources[1], f"give one of amount, person_days or roadmap_wave, not {' and '.join(sources)}")
    wave = node.get("roadmap_wave")
    if wave is not None and (not isinstance(wave, int) or isinstance(wave, bool) or wave < 1):
        read.add(f"{path}.roadmap_wave", node, "roadmap_wave", f"must be a wave number (1, 2, ...), got {wave!r}")
        wave = None
    return MoneyLine(item=read.text(node, "item", path, True), amount=read.number(node, "amount", path, 0),
                     recurrence=read.choice(node, "recurrence", path, RECURRENCES, "one-off"),
                     year=read.whole(node, "year", path, 1, horizon, 1),
                     person_days=read.number(node, "person_days", path, 0, strictly=True),
                     roadmap_wave=wave, note=read.text(node, "note", path))


def _financials(read: _Reader, data: dict) -> tuple[int, float | None, list, list]:
    """Horizon, day rate and the cost and benefit records (index, node, MoneyLine)."""
    node = data.get("financials")
    if node is None:
        return DEFAULT_HORIZON_YEARS, None, [], []
    if not isinstance(node, dict):
        read.add("financials", data, "financials", "must be a mapping with horizon_years, day_rate, costs, benefits")
        return DEFAULT_HORIZON_YEARS, None, [], []
    horizon = read.whole(node, "horizon_years", "financials", 1, MAX_HORIZON_YEARS, DEFAULT_HORIZON_YEARS)
    day_rate = read.number(node, "day_rate", "financials", 0)
    costs = read.records(node, "costs", lambda n, p: _money_line(read, n, p, horizon), "financials")
    benefits = read.records(node, "benefits", lambda n, p: _money_line(read, n, p, horizon), "financials")
    for i, n, line in benefits:
        if line.roadmap_wave is not None or line.person_days is not None:
            read.add(f"financials.benefits[{i}]", n, "amount", "a benefit is an amount, not person-days")
    return horizon, day_rate, costs, benefits


def _with_roadmap_effort(line: MoneyLine, roadmap: Roadmap | None) -> MoneyLine:
    """A ``roadmap_wave`` cost line with the person-days of that wave's (not dropped) roadmap items."""
    if line.roadmap_wave is None or roadmap is None:
        return line
    days = sum(item.effort or 0 for item in roadmap.waves().get(line.roadmap_wave, ()))
    return MoneyLine(item=line.item, amount=None, recurrence=line.recurrence, year=line.year,
                     person_days=float(days), roadmap_wave=line.roadmap_wave, note=line.note)


def _cross_check(read: _Reader, objectives: list, kpis: list, services: list, costs: list,
                 questionnaire: Questionnaire | None, roadmap: Roadmap | None) -> None:
    """Ids unique, references resolve: KPIs of objectives, capabilities, roadmap items and waves."""
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
    for i, node, service in services:
        if service.capability and capability_ids is not None and service.capability not in capability_ids:
            read.add(f"services[{i}].capability", node, "capability",
                     f"unknown capability id {service.capability!r} in questionnaire {questionnaire.id!r}")
    if roadmap is None:
        return
    item_ids = {item.id for item in roadmap.items}
    for i, node, kpi in kpis:
        for initiative in kpi.initiatives:
            if initiative not in item_ids:
                read.add(f"kpis[{i}].initiatives", node, "initiatives",
                         f"{initiative!r} is not an item of the roadmap")
    waves = {item.wave for item in roadmap.items if item.wave is not None}
    for i, node, line in costs:
        if line.roadmap_wave is not None and line.roadmap_wave not in waves:
            read.add(f"financials.costs[{i}].roadmap_wave", node, "roadmap_wave",
                     f"the roadmap has no wave {line.roadmap_wave} "
                     f"(waves: {', '.join(map(str, sorted(waves))) or 'none'})")
