"""Figures of the business plan: costs against benefits per year, KPIs per measure level, the roadmap Gantt.

The same figures go into the notebook, the HTML page and the Word document (:func:`plan_charts`).
"""
from __future__ import annotations

import base64
import datetime as dt
import io

import numpy as np
from matplotlib.figure import Figure

from pmo_assess.business_plan.catalogue import MEASURE_LEVELS
from pmo_assess.business_plan.plan_file import BusinessPlan
from pmo_assess.charts.roadmap import gantt_chart, gantt_rows
from pmo_assess.model import Questionnaire
from pmo_assess.roadmap.checks import roadmap_schedule
from pmo_assess.roadmap.roadmap_file import Roadmap


def financials_chart(plan: BusinessPlan) -> Figure:
    """Bars of costs (roadmap part stacked on the PMO's own) and benefits per year, with the cumulative net."""
    money = plan.financials
    years = np.arange(1, money.horizon_years + 1)
    roadmap = np.array(money.roadmap_yearly or (0.0,) * money.horizon_years)
    costs = np.array(money.yearly_costs)
    figure = Figure(figsize=(7, 3.5))
    ax = figure.add_subplot()
    ax.bar(years - 0.2, costs - roadmap, width=0.4, color="#d62728", label="PMO costs")
    ax.bar(years - 0.2, roadmap, width=0.4, bottom=costs - roadmap, color="#ff9896", label="roadmap costs")
    ax.bar(years + 0.2, money.yearly_benefits, width=0.4, color="#2ca02c", label="benefits")
    net = np.cumsum(np.array(money.yearly_benefits) - costs)
    ax.plot(years, net, color="#1f77b4", marker="o", label="cumulative net")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xticks(years, [f"year {y}" for y in years])
    ax.yaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
    ax.set_ylabel(plan.currency)
    title = "Costs and benefits per year"
    if money.missing:
        title += f" ({len(money.missing)} figure(s) not estimated yet)"
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4, fontsize=8, frameon=False)
    figure.tight_layout()
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


def roadmap_gantt(plan: BusinessPlan, roadmap: Roadmap, questionnaire: Questionnaire,
                  today: dt.date | None = None) -> Figure | None:
    """The roadmap's Gantt as the roadmap notebook draws it (dates, waves, arrows); None when nothing is scheduled."""
    if plan.roadmap_costs is None or not plan.roadmap_costs.items:
        return None
    rows = gantt_rows(roadmap, roadmap_schedule(roadmap), {c.id: c.dimension for c in questionnaire.capabilities})
    return gantt_chart(rows, roadmap.settings.starts_on, title="Roadmap", today=today)


def plan_charts(plan: BusinessPlan, roadmap: Roadmap | None, questionnaire: Questionnaire | None) -> dict[str, Figure]:
    """Every chart of the plan by the name its section uses: financials, kpis and (with a roadmap) gantt."""
    charts = {"financials": financials_chart(plan), "kpis": kpi_levels_chart(plan)}
    if roadmap is not None and questionnaire is not None:
        gantt = roadmap_gantt(plan, roadmap, questionnaire)
        if gantt is not None:
            charts["gantt"] = gantt
    return charts


def png(figure: Figure, dpi: int = 150) -> bytes:
    """A figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def png_base64(figure: Figure) -> str:
    return base64.b64encode(png(figure)).decode("ascii")
