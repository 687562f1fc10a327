"""Heatmaps of scores or levels: a unit's capabilities × respondents, or units × capabilities.

Rows and columns are labelled by name (``names`` maps ids to names where a matrix still holds ids), and
the colour bar spells out the level scale (1 ad hoc … 4 optimizing) with the level thresholds marked.
"""
from __future__ import annotations

import functools
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pmo_assess.model import LEVEL_NAMES

#: Colours from level 1 (red) to level 4 (green), shared by every heatmap.
LEVEL_COLOURS = "RdYlGn"
#: Axis labels longer than this are cut with '…' (the full names are in the tables beside the chart).
LABEL_WIDTH = 40
#: Text written on a light cell (on a dark one it is white), and the fill of a cell without a value.
DARK_TEXT, NO_VALUE = "#262626", "#e0e0e0"


@functools.cache
def _scale():
    """The level colour map and its 1-4 normalisation (looked up once: a lookup copies the map)."""
    import matplotlib

    return matplotlib.colormaps[LEVEL_COLOURS], matplotlib.colors.Normalize(vmin=1, vmax=4)


def level_colours(value: float) -> tuple[tuple[float, float, float], str]:
    """The fill of a 1-4 value on the level scale (RGB, 0-1) and the text colour that reads on it.

    Shared by the heatmap pictures and the readout deck's heat table, so both colour a score alike.
    """
    colours, norm = _scale()
    red, green, blue, _ = colours(norm(value))
    dark = 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.408  # light cell: dark text
    return (red, green, blue), DARK_TEXT if dark else "white"


def _label(value: object, names: Mapping[str, str]) -> str:
    text = names.get(str(value), str(value))
    return text if len(text) <= LABEL_WIDTH else text[:LABEL_WIDTH - 1] + "…"


def heatmap(matrix: pd.DataFrame, title: str = "", value_format: str = ".1f",
            colourbar_label: str = "score (1-4)", *, names: Mapping[str, str] | None = None,
            level_names: Sequence[str] | None = None,
            thresholds: Sequence[float] | None = None, cell_text: pd.DataFrame | None = None) -> Figure:
    """A 1-4 heatmap of ``matrix`` with each cell annotated; missing cells stay blank (grey).

    The colour bar is labelled "1 ad hoc" … "4 optimizing" (``level_names``, level 1 first) and marks
    ``thresholds`` when given (the scores at which levels 2-4 start: pass them for a heatmap of scores).
    ``cell_text`` (same shape, strings) replaces the numbers written in the cells, e.g. "3 operationalizing".
    Plain Matplotlib (no seaborn): a deck or report draws it without importing scipy.
    """
    import matplotlib

    names = names or {}
    scale = list(level_names) if level_names else [LEVEL_NAMES[v] for v in (1, 2, 3, 4)]
    rows, columns = matrix.shape
    row_labels = [_label(i, names) for i in matrix.index]
    column_labels = [_label(c, names) for c in matrix.columns]
    longest = 0 if cell_text is None else max((len(str(v)) for v in cell_text.to_numpy().ravel()), default=0)
    cell = max(0.55, 0.2 + 0.075 * longest)
    width = min(18.0, 4.2 + cell * columns + 0.065 * max((len(t) for t in row_labels), default=0))
    figure = Figure(figsize=(width, 1.6 + 0.34 * rows))
    ax = figure.add_subplot()
    values = matrix.astype(float).to_numpy()
    colours = matplotlib.colormaps[LEVEL_COLOURS].with_extremes(bad=NO_VALUE)
    norm = matplotlib.colors.Normalize(vmin=1, vmax=4)
    mesh = ax.pcolormesh(np.ma.masked_invalid(values), cmap=colours, norm=norm, edgecolors="white", linewidth=0.5)
    ax.set_xlim(0, columns)
    ax.set_ylim(rows, 0)
    colourbar = figure.colorbar(mesh, ax=ax)  # before the cell texts: setting it up re-transforms every artist
    texts = None if cell_text is None else cell_text.astype(str).to_numpy()
    for (r, c), value in np.ndenumerate(values):
        if value != value:
            continue
        ax.text(c + 0.5, r + 0.5, format(value, value_format) if texts is None else texts[r, c], ha="center",
                va="center", fontsize=10, color=level_colours(value)[1])
    for side in ax.spines.values():
        side.set_visible(False)
    upright = columns <= 8 and all(len(t) <= 12 for t in column_labels)  # few short labels read level
    ax.set_xticks(np.arange(columns) + 0.5, labels=column_labels, rotation=0 if upright else 40,
                  ha="center" if upright else "right", fontsize=8, rotation_mode="anchor")
    ax.set_yticks(np.arange(rows) + 0.5, labels=row_labels, rotation=0, fontsize=8)
    ax.set_xlabel("")
    ax.set_ylabel("")
    colourbar.set_ticks([1, 2, 3, 4], labels=[f"{v} {n}" for v, n in zip((1, 2, 3, 4), scale)], fontsize=8)
    for threshold in thresholds or ():
        colourbar.ax.axhline(threshold, color="#1d2939", linewidth=1.5)
    notes = [f"lines: thresholds {', '.join(f'{t:g}' for t in thresholds)}"] if thresholds else []
    notes += ["grey: no score"] if np.isnan(values).any() else []
    colourbar.set_label("\n".join([colourbar_label, " · ".join(notes)] if notes else [colourbar_label]), fontsize=8)
    if title:
        ax.set_title(title)
    return figure
