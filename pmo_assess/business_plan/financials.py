"""PMO cost and benefit lines → yearly totals, benefit-cost ratio and payback.

Model (stated in every rendered plan): a ``one-off`` line counts once, at the start of its
``year``; a ``yearly`` line counts every year from its ``year`` to the end of the horizon, spread
evenly over the months. Amounts are not discounted. A line given in ``person_days`` costs
``person_days × day_rate``. The roadmap's cost comes in month by month from
:mod:`pmo_assess.business_plan.roadmap_costs`; the horizon grows to hold all of it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from pmo_assess.business_plan.roadmap_costs import MAX_HORIZON_YEARS, RoadmapCosts

RECURRENCES = ("one-off", "yearly")


@dataclass(frozen=True)
class MoneyLine:
    """One cost or benefit line as the plan states it; ``amount`` None means not estimated yet."""

    item: str
    amount: float | None
    recurrence: str = "one-off"
    year: int = 1
    person_days: float | None = None
    note: str = ""


@dataclass(frozen=True)
class Financials:
    """Totals over the horizon; ratio and payback are None when they cannot be computed (see ``missing``)."""

    horizon_years: int
    yearly_costs: tuple[float, ...]
    yearly_benefits: tuple[float, ...]
    total_costs: float
    total_benefits: float
    benefit_cost_ratio: float | None
    payback_months: int | None
    missing: tuple[str, ...]
    roadmap_yearly: tuple[float, ...] = ()
    declared_horizon: int | None = None

    @property
    def net(self) -> float:
        return self.total_benefits - self.total_costs


def _monthly(line: MoneyLine, amount: float, horizon_years: int) -> list[float]:
    months = [0.0] * (12 * horizon_years)
    start = (line.year - 1) * 12
    if start >= len(months):
        return months
    if line.recurrence == "one-off":
        months[start] = amount
    else:
        for m in range(start, len(months)):
            months[m] = amount / 12
    return months


def compute_financials(costs: list[MoneyLine], benefits: list[MoneyLine], horizon_years: int,
                       day_rate: float | None, roadmap: RoadmapCosts | None = None) -> Financials:
    """Yearly totals, benefit-cost ratio (benefits ÷ costs) and payback month over the horizon.

    With ``roadmap``, its monthly cost is added and the horizon is lengthened (up to the maximum) to
    hold all of it; while any roadmap cost is unknown there is no ratio.
    """
    declared = horizon_years
    if roadmap is not None:
        horizon_years = min(max(horizon_years, roadmap.years_needed), MAX_HORIZON_YEARS)
    missing: list[str] = list(roadmap.missing) if roadmap is not None else []
    flows = {"cost": [0.0] * (12 * horizon_years), "benefit": [0.0] * (12 * horizon_years)}
    roadmap_flow = [0.0] * (12 * horizon_years)
    for m, value in enumerate(roadmap.monthly if roadmap is not None else ()):
        roadmap_flow[m] += value
        flows["cost"][m] += value
    for kind, lines in (("cost", costs), ("benefit", benefits)):
        for line in lines:
            amount = line.amount
            if amount is None and line.person_days is not None:
                if day_rate is None:
                    missing.append(f"{kind} {line.item!r}: {line.person_days:g} person-days but no day_rate")
                    continue
                amount = line.person_days * day_rate
            if amount is None:
                missing.append(f"{kind} {line.item!r}: no amount yet")
                continue
            for m, value in enumerate(_monthly(line, amount, horizon_years)):
                flows[kind][m] += value
    yearly = {k: tuple(round(sum(v[y * 12:(y + 1) * 12]), 2) for y in range(horizon_years))
              for k, v in flows.items()}
    total_costs, total_benefits = sum(flows["cost"]), sum(flows["benefit"])
    if not (math.isfinite(total_costs) and math.isfinite(total_benefits)):
        raise OverflowError("the plan's totals are too large to add up")
    ratio = payback = None
    if not missing and total_costs <= 0:
        missing.append("no costs: the benefit-cost ratio needs at least one cost line with an amount above 0")
    if not missing:
        ratio = round(total_benefits / total_costs, 2)
        cum_cost = cum_benefit = 0.0
        for m in range(12 * horizon_years):
            cum_cost += flows["cost"][m]
            cum_benefit += flows["benefit"][m]
            if cum_benefit > 0 and cum_benefit >= cum_cost - 1e-9:
                payback = m + 1
                break
    return Financials(horizon_years=horizon_years, yearly_costs=yearly["cost"],
                      yearly_benefits=yearly["benefit"], total_costs=round(total_costs, 2),
                      total_benefits=round(total_benefits, 2), benefit_cost_ratio=ratio,
                      payback_months=payback, missing=tuple(missing),
                      roadmap_yearly=tuple(round(sum(roadmap_flow[y * 12:(y + 1) * 12]), 2)
                                           for y in range(horizon_years)),
                      declared_horizon=declared if declared != horizon_years else None)
