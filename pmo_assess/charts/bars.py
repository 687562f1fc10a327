"""Horizontal bars for one number per unit (e.g. percent to target)."""
from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure


def percent_bars(values: pd.Series, title: str = "", xlabel: str = "percent to target") -> Figure:
    """One bar per label, 0-100 %, labelled with its value; missing values are drawn empty and marked n/a."""
    figure = Figure(figsize=(7, 1.1 + 0.4 * len(values)))
    ax = figure.add_subplot()
    labels = [str(i) for i in values.index]
    filled = values.astype(float).fillna(0.0) * 100
    bars = ax.barh(labels, filled, color="#2b8cbe")
    ax.bar_label(bars, labels=["n/a" if v != v else f"{v:.0%}" for v in values.astype(float)], padding=3)
    ax.set_xlim(0, 110)
    ax.set_xticks([0, 25, 50, 75, 100], labels=["0%", "25%", "50%", "75%", "100%"])
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    return figure
