"""Radar of current against target levels (per dimension or capability), legible in a printed document.

Spoke names are wrapped and aligned outward from their spoke so neighbours do not overlap; with many
spokes (``key=True``) the spokes are numbered and a key beside the chart names them. The rings are the
levels 1-4, and the legend spells the scale out (1 ad hoc … 4 optimizing).
"""
from __future__ import annotations

import math
import textwrap
from typing import Sequence

import numpy as np
from matplotlib.figure import Figure

from pmo_assess.model import LEVEL_NAMES

#: Width (characters) at which spoke names wrap, and the most lines a name may take.
LABEL_WRAP = 14
LABEL_LINES = 3
#: Key names longer than this are cut with '…'.
KEY_WIDTH = 38
CURRENT_COLOUR, TARGET_COLOUR = "#1f77b4", "#d62728"


def spoke_label(name: str, width: int = LABEL_WRAP, lines: int = LABEL_LINES) -> str:
    """A name on at most ``lines`` lines of ``width`` characters (the rest shown as '…')."""
    wrapped = textwrap.wrap(name, width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][:width - 1].rstrip() + "…"
    return "\n".join(wrapped)


def _closed(values: Sequence[float | None]) -> list[float]:
    filled = [0.0 if v is None or v != v else float(v) for v in values]
    return filled + filled[:1]


def _align_outward(ax, angles: list[float]) -> None:
    """Each spoke's tick label aligned away from the centre (left on the right side, right on the left side)."""
    offset, direction = ax.get_theta_offset(), ax.get_theta_direction()
    for label, angle in zip(ax.get_xticklabels(), angles):
        shown = offset + direction * angle
        cos, sin = math.cos(shown), math.sin(shown)
        label.set_horizontalalignment("left" if cos > 0.1 else "right" if cos < -0.1 else "center")
        label.set_verticalalignment("bottom" if sin > 0.9 else "top" if sin < -0.9 else "center")


def _lines_below(ax, angles: list[float], texts: list[str]) -> int:
    """How many text lines the labels of the lower spokes hang down (to keep the legend clear of them)."""
    offset, direction = ax.get_theta_offset(), ax.get_theta_direction()
    return max([t.count("\n") + 1 for a, t in zip(angles, texts) if math.sin(offset + direction * a) < -0.5],
               default=0)


def _key(figure: Figure, labels: Sequence[str], fontsize: float) -> None:
    """The numbered names of the spokes, in a column beside the chart."""
    ax = figure.add_axes((0.66, 0.12, 0.33, 0.78))
    ax.set_axis_off()
    lines = [f"{i:>2}  {name if len(name) <= KEY_WIDTH else name[:KEY_WIDTH - 1] + '…'}"
             for i, name in enumerate(labels, start=1)]
    ax.text(0.0, 1.0, "\n".join(lines), va="top", ha="left", fontsize=fontsize, family="DejaVu Sans",
            linespacing=1.5, transform=ax.transAxes)


def radar_chart(labels: Sequence[str], current: Sequence[float | None],
                target: Sequence[float | None] | None = None, title: str = "", *, key: bool = False,
                level_names: Sequence[str] | None = None) -> Figure:
    """A polar chart with one spoke per label, levels 0-4; missing values are drawn at 0.

    ``key=True`` numbers the spokes and lists the names beside the chart (use it past about 8 spokes).
    ``level_names`` (four names, level 1 first) label the rings; the default is the bundled scale.
    """
    names = list(level_names) if level_names else [LEVEL_NAMES[v] for v in (1, 2, 3, 4)]
    count = len(labels)
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False).tolist()
    figure = Figure(figsize=(10.0, 6.4) if key else (6.8, 6.4))
    ax = figure.add_subplot(projection="polar")
    figure.subplots_adjust(left=0.05 if key else 0.17, right=0.6 if key else 0.83, top=0.84, bottom=0.16)
    if key:  # numbered spokes read clockwise from the top, like the key
        ax.set_theta_offset(np.pi / 2)
        ax.set_theta_direction(-1)

    ring = angles + angles[:1]
    ax.plot(ring, _closed(current), color=CURRENT_COLOUR, linewidth=2, label="current level")
    ax.fill(ring, _closed(current), color=CURRENT_COLOUR, alpha=0.2)
    if target is not None:
        ax.plot(ring, _closed(target), color=TARGET_COLOUR, linewidth=1.5, linestyle="--", label="target level")
    texts = [str(i) for i in range(1, count + 1)] if key else [spoke_label(n) for n in labels]
    font = 10 if count <= 8 else 8.5
    ax.set_xticks(angles)
    ax.set_xticklabels(texts, fontsize=font + (1 if key else 0), fontweight="bold" if key else "normal")
    ax.tick_params(axis="x", pad=6 if key else 10)
    _align_outward(ax, angles)
    ax.set_ylim(0, 4)
    ax.set_yticks([1, 2, 3, 4])
    ax.set_yticklabels(["1", "2", "3", "4"], fontsize=8, color="#475467")
    ax.set_rlabel_position(180 / max(count, 1))
    scale = "Rings: level " + " · ".join(f"{v} {n}" for v, n in zip((1, 2, 3, 4), names))
    below = -0.08 - 0.042 * _lines_below(ax, angles, texts)  # a label line is ~0.04 of the axes high
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, below), ncol=2, frameon=False, fontsize=9,
              title=scale, title_fontsize=8.5)
    if key:
        _key(figure, labels, fontsize=9)
    if title:
        figure.suptitle(title, fontsize=12)
    return figure
