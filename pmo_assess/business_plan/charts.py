"""Figures for the business plan notebook: costs against benefits per year, KPIs per measure level."""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from pmo_assess.business_plan.plan_file import BusinessPlan
from pmo_assess.business_plan.catalogue import MEASURE_LEVELS


def financials_chart(plan: BusinessPlan) -> Figure:
    """Bars of costs and benefits per year with the cumulative net as a line."""
    money = plan.financials
    years = np.arange(1, money.horizon_years + 1)
    figure = Figure(figsize=(7, 3.5))
    ax = figure.add_subplot()
    ax.bar(years - 0.2, money.yearly_costs, width=0.4, color="#d62728", label="costs")
    ax.bar(years + 0.2, money.yearly_benefits, width=0.4, color="#2ca02c", label="benefits")
    net = np.cumsum(np.array(money.yearly_benefits) - np.array(money.yearly_costs))
    ax.plot(years, net, color="#1f77b4", marker="o", label="cumulative net")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xticks(years, [f"year {y}" for y in years])
    ax.set_ylabel(plan.currency)
    title = "Costs and benefits"
    if money.missing:
        title += f" ({len(money.missing)} line(s) not estimated yet)"
    ax.set_title(title)
    ax.legend(loc="upper left")
    return figure


def kpi_levels_chart(plan: BusinessPlan) -> Figure:
    """How many KPIs the plan has on each of the four levels of measures."""
    counts = [sum(1 for k in plan.kpis if k.measure_level == level) for level in MEASURE_LEVELS]
    figure = Figure(figsize=(7, 2.8))
    ax = figure.add_subplot()
    ax.barh([f"{level} {name}" for level, name in MEASURE_LEVELS.items()], counts, color="#1f77b4")
    ax.invert_yaxis()
    ax.set_xlabel("KPIs")
    ax.set_title("KPIs on the four levels of measures")
    figure.tight_layout()
    return figure
