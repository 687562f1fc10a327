"""KPIs over time against their targets, on the four levels of measures, and the benefit-cost ratio to date.

Measured values come from ``kpis.csv`` and actual costs and benefits from ``actuals.csv``, both beside
the unit's ``plan.yaml`` (see :mod:`pmo_assess.io.kpis`); baselines and targets stay in the plan.
Progress = (latest − baseline) / (target − baseline), so a KPI that should fall works the same way.
Periods a KPI's cadence expects between its first and latest value but that have no value are listed
as missing and left as gaps in the series (never filled in).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_assess.business_plan.plan_file import BusinessPlan, PlanKpi
from pmo_assess.business_plan.render import Money, Section, Table
from pmo_assess.io.kpis import Actual, KpiValue, Period, period_of, read_actuals, read_kpi_values

#: The four levels of measures, from what the PMO delivers to what the business gains over competitors.
MEASURE_LEVELS = {1: "delivery", 2: "benefit accountability", 3: "business outcomes", 4: "competitive advantage"}
CADENCE_MONTHS = {"monthly": 1, "quarterly": 3, "half-yearly": 6, "yearly": 12}
KPIS_FILE, ACTUALS_FILE = "kpis.csv", "actuals.csv"
TREND_COLUMNS = ["measure_level", "level", "kpi", "name", "unit", "direction", "baseline", "target", "values",
                 "first_period", "latest_period", "latest", "progress", "status", "missing_periods"]


@dataclass(frozen=True)
class BenefitCost:
    """Actual costs and benefits to date: totals, the ratio (None without costs) and the running totals."""

    total_cost: float
    total_benefit: float
    ratio: float | None
    running: pd.DataFrame  # period, cost, benefit, cumulative_cost, cumulative_benefit, ratio_to_date, note

    @property
    def net(self) -> float:
        return self.total_benefit - self.total_cost


@dataclass(frozen=True)
class KpiTracking:
    """What was measured for a plan: the values, each KPI's trend against target, and the money to date."""

    plan: BusinessPlan
    values: tuple[KpiValue, ...]
    trends: pd.DataFrame
    series: pd.DataFrame
    benefit_cost: BenefitCost | None
    sources: tuple[str, ...]


def _step_months(kpi: PlanKpi, periods: list[Period]) -> int:
    return CADENCE_MONTHS.get(kpi.cadence) or min(p.months for p in periods)


def expected_periods(kpi: PlanKpi, periods: list[Period]) -> list[Period]:
    """Every period of the KPI's cadence (or its shortest recorded period) from its first to its latest value."""
    if not periods:
        return []
    step = _step_months(kpi, periods)
    first, last = min(periods).start, max(periods).end
    month = (first.month - 1) // step * step + 1
    found, year = [], first.year
    while True:
        period = period_of(year, month, step)
        if period.start > last:
            return found
        found.append(period)
        month += step
        if month > 12:
            year, month = year + 1, 1


def _status(kpi: PlanKpi, recorded: list[float], progress: float) -> str:
    if not recorded:
        return "no values yet"
    if kpi.baseline is None or kpi.target is None or kpi.target == kpi.baseline:
        return "no target to measure against"
    if progress >= 1:
        return "target reached"
    before = recorded[-2] if len(recorded) > 1 else kpi.baseline
    move = (recorded[-1] - before) * np.sign(kpi.target - kpi.baseline)
    return "moving towards target" if move > 0 else "moving away from target" if move < 0 else "no change"


def kpi_trends(plan: BusinessPlan, values: list[KpiValue]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(trends: one row per plan KPI, grouped by measure level; series: kpi × expected period, NaN where missing)."""
    by_kpi: dict[str, list[KpiValue]] = {}
    for value in sorted(values, key=lambda v: v.period):
        by_kpi.setdefault(value.kpi, []).append(value)
    rows, series = [], []
    for kpi in sorted(plan.kpis, key=lambda k: k.measure_level):
        measured = by_kpi.get(kpi.id, [])
        recorded = {v.period.label: v.value for v in measured}
        expected = expected_periods(kpi, [v.period for v in measured])
        labels = [p.label for p in expected]
        missing = [p.label for p in expected if p.label not in recorded and not any(
            v.period.start <= p.start and p.end <= v.period.end for v in measured)]
        for period in expected + [v.period for v in measured if v.period.label not in labels]:
            series.append({"kpi": kpi.id, "name": kpi.name, "measure_level": kpi.measure_level,
                           "period": period.label, "period_end": period.end,
                           "value": recorded.get(period.label, np.nan), "baseline": kpi.baseline,
                           "target": kpi.target})
        latest = measured[-1].value if measured else np.nan
        span = (kpi.target - kpi.baseline) if kpi.target is not None and kpi.baseline is not None else 0
        progress = (latest - kpi.baseline) / span if span and measured else np.nan
        rows.append({"measure_level": kpi.measure_level, "level": MEASURE_LEVELS[kpi.measure_level], "kpi": kpi.id,
                     "name": kpi.name, "unit": kpi.unit, "direction": kpi.direction, "baseline": kpi.baseline,
                     "target": kpi.target, "values": len(measured),
                     "first_period": measured[0].period.label if measured else "",
                     "latest_period": measured[-1].period.label if measured else "", "latest": latest,
                     "progress": progress, "status": _status(kpi, [v.value for v in measured], progress),
                     "missing_periods": ", ".join(missing)})
    series_frame = pd.DataFrame(series, columns=["kpi", "name", "measure_level", "period", "period_end", "value",
                                                 "baseline", "target"])
    return pd.DataFrame(rows, columns=TREND_COLUMNS), series_frame.sort_values(["measure_level", "kpi", "period_end"],
                                                                              kind="stable").reset_index(drop=True)


def benefit_cost_to_date(actuals: list[Actual]) -> BenefitCost:
    """Totals of recorded actuals and the ratio benefit / cost, to date and after each period."""
    ordered = sorted(actuals, key=lambda a: a.period)
    running = pd.DataFrame({"period": [a.period.label for a in ordered], "cost": [a.cost for a in ordered],
                            "benefit": [a.benefit for a in ordered], "note": [a.note for a in ordered]})
    running["cumulative_cost"] = running["cost"].cumsum()
    running["cumulative_benefit"] = running["benefit"].cumsum()
    with np.errstate(invalid="ignore", divide="ignore"):
        running["ratio_to_date"] = np.where(running["cumulative_cost"] > 0,
                                            running["cumulative_benefit"] / running["cumulative_cost"], np.nan)
    cost, benefit = float(running["cost"].sum()), float(running["benefit"].sum())
    return BenefitCost(cost, benefit, benefit / cost if cost > 0 else None,
                       running[["period", "cost", "benefit", "cumulative_cost", "cumulative_benefit",
                                "ratio_to_date", "note"]])


def load_kpi_tracking(plan: BusinessPlan, kpis: str | Path | None = None, actuals: str | Path | None = None,
                      today=None) -> KpiTracking | None:
    """The tracking of a plan from ``kpis`` and ``actuals`` (default: kpis.csv / actuals.csv beside plan.yaml,
    each used when present); None when neither exists. Bad files raise InputErrors naming file and row."""
    folder = Path(plan.source).parent if plan.source else Path(".")
    kpis_path = Path(kpis) if kpis else folder / KPIS_FILE
    actuals_path = Path(actuals) if actuals else folder / ACTUALS_FILE
    use_kpis, use_actuals = bool(kpis) or kpis_path.is_file(), bool(actuals) or actuals_path.is_file()
    if not (use_kpis or use_actuals):
        return None
    values = read_kpi_values(kpis_path, [k.id for k in plan.kpis], today) if use_kpis else []
    money = benefit_cost_to_date(read_actuals(actuals_path, today)) if use_actuals else None
    trends, series = kpi_trends(plan, values)
    sources = tuple(str(p) for p, used in ((kpis_path, use_kpis), (actuals_path, use_actuals)) if used)
    return KpiTracking(plan, tuple(values), trends, series, money, sources)


def _cell(value: object) -> object:
    """A table cell: NaN and None as empty, numpy numbers as Python numbers."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def tracking_section(tracking: KpiTracking) -> Section:
    """The business-plan section "KPIs over time": trends by level of measure and the benefit-cost ratio to date
    (for the DOCX and XLSX exports and the notebook)."""
    currency = tracking.plan.currency
    trends = tracking.trends
    table = Table(("level of measure", "KPI", "baseline", "target", "latest", "period", "progress", "trend",
                   "missing periods"), tuple(
        (f"{r.measure_level}. {r.level}", r.name, _cell(r.baseline), _cell(r.target), _cell(r.latest),
         r.latest_period, None if np.isnan(r.progress) else f"{r.progress:.0%}", r.status, r.missing_periods)
        for r in trends.itertuples()))
    tables, paragraphs = [table], []
    reached = int((trends["status"] == "target reached").sum())
    paragraphs.append(f"{int((trends['values'] > 0).sum())} of {len(trends)} KPIs have measured values; "
                      f"{reached} reached their target. Progress = (latest − baseline) / (target − baseline); "
                      "a period the KPI's cadence expects but without a value is listed as missing, never filled in.")
    money = tracking.benefit_cost
    if money is not None and not money.running.empty:
        ratio = "not computable (no cost recorded)" if money.ratio is None else f"{money.ratio:.2f}"
        paragraphs.append(f"Benefit-cost ratio to date, from recorded actuals: {ratio} (benefits "
                          f"{Money(money.total_benefit, currency)}, costs {Money(money.total_cost, currency)}, "
                          f"net {Money(money.net, currency)}).")
        tables.append(Table(("period", "cost", "benefit", "cost to date", "benefit to date", "ratio to date", "note"),
                            tuple((r.period, Money(r.cost, currency), Money(r.benefit, currency),
                                   Money(r.cumulative_cost, currency), Money(r.cumulative_benefit, currency),
                                   None if np.isnan(r.ratio_to_date) else round(float(r.ratio_to_date), 2), r.note)
                                  for r in money.running.itertuples())))
    return Section("KPIs over time", tuple(paragraphs), tuple(tables))


def values_table(tracking: KpiTracking) -> Table:
    """Every expected period of every KPI with its value (empty where missing): the XLSX "kpis" sheet."""
    return Table(("level of measure", "KPI id", "KPI", "period", "period end", "value", "baseline", "target"), tuple(
        (r.measure_level, r.kpi, r.name, r.period, r.period_end, _cell(r.value), _cell(r.baseline), _cell(r.target))
        for r in tracking.series.itertuples()))
