"""Charts over time: a small multiple per dimension across rounds, and each KPI against its target."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

ORG_COLOUR, UNIT_COLOUR, HIGHLIGHT = "#08519c", "#bdbdbd", "#e6550d"
LEVEL_BANDS = ("#f7f7f7", "#ffffff")


def _grid(count: int, columns: int, width: float, height: float) -> tuple[Figure, list]:
    rows = max(1, math.ceil(count / columns))
    figure = Figure(figsize=(width, height * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False).ravel().tolist()
    for ax in axes[count:]:
        ax.set_visible(False)
    return figure, axes[:count]


def dimension_small_multiples(series: dict[str, pd.DataFrame], organisation: str, thresholds: tuple[float, ...],
                              names: dict[str, str] | None = None, highlight: str | None = None) -> Figure:
    """One panel per dimension (and overall): every unit's score across rounds in grey, the organisation in blue,
    ``highlight`` in orange; shaded bands are the levels (``thresholds`` between them).

    ``series``: unit -> rounds (rows, in order) × dimension ids (columns), as rounds.views.dimension_series gives.
    """
    org = series[organisation]
    columns = list(org.columns)
    figure, axes = _grid(len(columns), min(3, len(columns)), 11, 2.9)
    rounds = list(org.index)
    edges = [1.0, *thresholds, 4.0]
    for ax, dimension in zip(axes, columns):
        for level, (low, high) in enumerate(zip(edges, edges[1:]), start=1):
            ax.axhspan(low, high, color=LEVEL_BANDS[level % 2], zorder=0)
            ax.text(1.0, (low + high) / 2, f"L{level}", transform=ax.get_yaxis_transform(), fontsize=7,
                    color="#737373", va="center", ha="left")
        for unit, frame in series.items():
            if unit in (organisation, highlight) or dimension not in frame:
                continue
            values = frame[dimension].reindex(rounds)
            ax.plot(rounds, values.to_numpy(float), color=UNIT_COLOUR, linewidth=0.8, marker=".", zorder=1)
        if highlight and dimension in series.get(highlight, {}):
            values = series[highlight][dimension].reindex(rounds)
            ax.plot(rounds, values.to_numpy(float), color=HIGHLIGHT, linewidth=2, marker="o", label=highlight,
                    zorder=3)
        ax.plot(rounds, org[dimension].to_numpy(float), color=ORG_COLOUR, linewidth=2.4, marker="o",
                label="organisation (mean)", zorder=2)
        ax.set_title((names or {}).get(dimension, dimension))
        ax.set_ylim(1, 4)
        ax.set_yticks([1, 2, 3, 4])
        ax.tick_params(axis="x", labelrotation=30, labelsize=8)
        ax.grid(axis="y", color="#d9d9d9", linewidth=0.5)
    axes[0].set_ylabel("score (1–4)")
    axes[0].legend(loc="lower right", fontsize=7, frameon=False)
    return figure


def kpi_trend_chart(series: pd.DataFrame, level_names: dict[int, str]) -> Figure:
    """One panel per KPI (in level order): measured values (gaps where a period is missing), baseline dashed,
    target dotted. ``series`` is KpiTracking.series."""
    kpis = list(dict.fromkeys(series["kpi"]))
    figure, axes = _grid(max(1, len(kpis)), min(3, max(1, len(kpis))), 11, 2.7)
    if not kpis:
        axes[0].text(0.5, 0.5, "no KPI values recorded yet", ha="center", va="center")
        axes[0].set_axis_off()
        return figure
    for ax, kpi in zip(axes, kpis):
        rows = series[series["kpi"] == kpi]
        x = np.arange(len(rows))
        values = rows["value"].to_numpy(float)
        ax.plot(x, values, color=ORG_COLOUR, marker="o", linewidth=2)
        for position in x[np.isnan(values)]:
            ax.axvspan(position - 0.4, position + 0.4, color="#fee0d2", zorder=0)
            ax.text(position, 0.02, "missing", transform=ax.get_xaxis_transform(), fontsize=7, ha="center",
                    color="#a50f15")
        first = rows.iloc[0]
        if not pd.isna(first["baseline"]):
            ax.axhline(first["baseline"], color="#737373", linestyle="--", linewidth=1, label="baseline")
        if not pd.isna(first["target"]):
            ax.axhline(first["target"], color="#31a354", linestyle=":", linewidth=1.6, label="target")
        ax.set_xticks(x, rows["period"], rotation=30, fontsize=8)
        level = int(first["measure_level"])
        ax.set_title(f"{first['name']}\n{level}. {level_names.get(level, '')}", fontsize=9)
        ax.grid(axis="y", color="#d9d9d9", linewidth=0.5)
    axes[0].legend(loc="best", fontsize=7, frameon=False)
    return figure


def roadmap_effect_bars(gained: pd.DataFrame) -> Figure:
    """Per capability where work was done between rounds: levels gained against levels the planner projected."""
    rows = gained.dropna(subset=["level_before"])
    labels = [f"{u} · {c}\n{a} → {b}" for u, c, a, b in zip(rows["business_unit"], rows["capability"],
                                                             rows["from"], rows["to"])]
    figure = Figure(figsize=(9, 1 + 0.55 * max(1, len(rows))), layout="constrained")
    ax = figure.add_subplot()
    if rows.empty:
        ax.text(0.5, 0.5, "no roadmap item marked done between two rounds", ha="center", va="center")
        ax.set_axis_off()
        return figure
    y = np.arange(len(rows))
    projected = (rows["projected_level"] - rows["level_before"]).clip(lower=0).to_numpy(float)
    ax.barh(y + 0.2, projected, height=0.4, color="#c6dbef", label="levels projected")
    ax.barh(y - 0.2, rows["levels_gained"].to_numpy(float), height=0.4, color=ORG_COLOUR, label="levels gained")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("levels")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return figure
