"""Radar of current against target levels (per dimension or capability)."""
from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.figure import Figure


def radar_chart(labels: Sequence[str], current: Sequence[float | None],
                target: Sequence[float | None] | None = None, title: str = "") -> Figure:
    """A polar chart with one spoke per label, levels 0-4; missing values are drawn at 0."""
    angles = np.linspace(0, 2 * np.pi, len(labels), endpoint=False).tolist()
    figure = Figure(figsize=(5.5, 5.5))
    ax = figure.add_subplot(projection="polar")

    def closed(values: Sequence[float | None]) -> list[float]:
        filled = [0.0 if v is None or v != v else float(v) for v in values]
        return filled + filled[:1]

    ring = angles + angles[:1]
    ax.plot(ring, closed(current), color="#1f77b4", linewidth=2, label="current")
    ax.fill(ring, closed(current), color="#1f77b4", alpha=0.2)
    if target is not None:
        ax.plot(ring, closed(target), color="#d62728", linewidth=1.5, linestyle="--", label="target")
    ax.set_xticks(angles)
    ax.set_xticklabels(labels)
    ax.set_ylim(0, 4)
    ax.set_yticks([1, 2, 3, 4])
    ax.set_yticklabels(["ad hoc", "evolving", "operationalizing", "optimizing"], fontsize=7)
    ax.legend(loc="upper right", bbox_to_anchor=(1.25, 1.1))
    if title:
        ax.set_title(title)
    return figure
