"""Heatmaps of scores or levels (seaborn): a unit's capabilities × respondents, or units × capabilities."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

#: Colours from level 1 (red) to level 4 (green), shared by every heatmap.
LEVEL_COLOURS = "RdYlGn"


def heatmap(matrix: pd.DataFrame, title: str = "", value_format: str = ".1f",
            colourbar_label: str = "score (1-4)") -> Figure:
    """A 1-4 heatmap of ``matrix`` with each cell annotated; missing cells stay blank (grey)."""
    import seaborn as sns

    rows, columns = matrix.shape
    width = min(18.0, 3.0 + 0.55 * columns + 0.06 * max((len(str(i)) for i in matrix.index), default=0))
    figure = Figure(figsize=(width, 1.2 + 0.34 * rows))
    ax = figure.add_subplot()
    ax.set_facecolor("#e0e0e0")
    values = matrix.astype(float)
    sns.heatmap(values, ax=ax, vmin=1, vmax=4, cmap=LEVEL_COLOURS, annot=True, fmt=value_format,
                linewidths=0.5, cbar_kws={"label": colourbar_label}, mask=np.isnan(values.to_numpy()))
    ax.set_xticks(np.arange(columns) + 0.5, labels=[str(c) for c in matrix.columns], rotation=40,
                  ha="right", fontsize=8)
    ax.set_yticks(np.arange(rows) + 0.5, labels=[str(i) for i in matrix.index], rotation=0, fontsize=8)
    ax.set_xlabel("")
    ax.set_ylabel("")
    if title:
        ax.set_title(title)
    return figure
