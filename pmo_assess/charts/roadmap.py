"""Roadmap figures: initiatives as a Gantt chart by wave, capacity used per wave, projected maturity per wave."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Patch

#: One colour per dimension (in questionnaire order); items of no dimension (custom) are grey.
PALETTE = ("#1f77b4", "#2ca02c", "#9467bd", "#d62728", "#8c564b", "#e377c2")
CUSTOM_COLOUR = "#7f7f7f"


def gantt_chart(rows: pd.DataFrame, wave_weeks: float, dimensions: list[str], title: str = "") -> Figure:
    """Bars from ``start_week`` for ``weeks``, one per row (label, dimension, status), with wave boundaries."""
    height = max(2.5, 0.8 + 0.28 * len(rows))
    figure = Figure(figsize=(10, height))
    ax = figure.add_subplot()
    colours = {d: PALETTE[i % len(PALETTE)] for i, d in enumerate(dimensions)}
    y = np.arange(len(rows))
    done = rows["status"].eq("done").to_numpy()
    fills = [to_rgba(colours.get(d, CUSTOM_COLOUR), 0.4 if faded else 0.9) for d, faded in zip(rows["dimension"], done)]
    ax.barh(y, rows["weeks"], left=rows["start_week"], color=fills, edgecolor="black", linewidth=0.4)
    ax.set_yticks(y)
    ax.set_yticklabels(rows["label"], fontsize=7)
    ax.invert_yaxis()
    end = float((rows["start_week"] + rows["weeks"]).max()) if len(rows) else wave_weeks
    waves = int(np.ceil(end / wave_weeks))
    for w in range(waves + 1):
        ax.axvline(w * wave_weeks, color="#999999", linestyle=":", linewidth=0.8)
    ax.set_xticks([(w + 0.5) * wave_weeks for w in range(waves)])
    ax.set_xticklabels([f"wave {w + 1}" for w in range(waves)])
    ax.set_xlim(0, max(waves, 1) * wave_weeks)
    shown = set(rows["dimension"])
    handles = [Patch(color=colours[d], label=d) for d in dimensions if d in shown]
    if "" in shown:
        handles.append(Patch(color=CUSTOM_COLOUR, label="custom"))
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)
    ax.set_title(title or "Initiatives by wave (weeks from the start of the roadmap; faded = done)")
    figure.tight_layout()
    return figure


def capacity_chart(waves: list[int], used: list[float], capacity: float, title: str = "") -> Figure:
    """Person-days planned per wave against the capacity line; a wave over capacity is drawn red."""
    figure = Figure(figsize=(7, 3.2))
    ax = figure.add_subplot()
    colours = ["#d62728" if u > capacity + 1e-9 else "#2b8cbe" for u in used]
    bars = ax.bar([f"wave {w}" for w in waves], used, color=colours)
    ax.bar_label(bars, labels=[f"{u:g}" for u in used], padding=2, fontsize=8)
    ax.axhline(capacity, color="black", linestyle="--", linewidth=1, label=f"capacity {capacity:g} person-days")
    ax.set_ylabel("person-days")
    ax.set_ylim(0, max([capacity, *used]) * 1.15)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title or "Capacity used per wave")
    figure.tight_layout()
    return figure


def maturity_chart(frame: pd.DataFrame, title: str = "") -> Figure:
    """Projected level per wave for each dimension (solid), with its target (dashed); columns wave, dimension, level, target."""
    figure = Figure(figsize=(7, 3.6))
    ax = figure.add_subplot()
    for i, (dimension, rows) in enumerate(frame.groupby("dimension", sort=False)):
        colour = PALETTE[i % len(PALETTE)]
        offset = (i - 1.5) * 0.03  # keep overlapping lines apart
        ax.step(rows["wave"], rows["level"] + offset, where="post", color=colour, linewidth=2, label=dimension)
        target = rows["target"].iloc[0]
        if target == target:
            ax.axhline(target + offset, color=colour, linestyle="--", linewidth=1)
    ax.set_xticks(sorted(frame["wave"].unique()))
    ax.set_xticklabels(["now" if w == 0 else str(w) for w in sorted(frame["wave"].unique())], fontsize=8)
    ax.set_yticks([1, 2, 3, 4])
    ax.set_yticklabels(["1 ad hoc", "2 evolving", "3 operationalizing", "4 optimizing"], fontsize=8)
    ax.set_ylim(0.8, 4.3)
    ax.set_xlabel("after wave")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.set_title(title or "Projected level per wave (dashed: target)")
    figure.tight_layout()
    return figure
