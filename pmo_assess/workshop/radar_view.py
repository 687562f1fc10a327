"""A live radar that redraws in milliseconds: the foundation's radar, with only its polygons re-rendered.

Rendering a whole 18-spoke polar figure costs a few hundred milliseconds, mostly text and grid.
The grid, labels and legend are drawn once (per set of targets); each answer then restores that
background and draws just the current-level polygon over it (matplotlib blitting on Agg).
"""
from __future__ import annotations

import io
import math
from typing import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.image import imsave

from pmo_assess.charts.radar import radar_chart


def _closed(values: Sequence[float | None]) -> np.ndarray:
    filled = [0.0 if v is None or v != v else float(v) for v in values]
    return np.array(filled + filled[:1])


class LiveRadar:
    """Current vs target levels as PNG bytes; the target ring is part of the cached background."""

    def __init__(self, labels: Sequence[str], title: str = "", dpi: int = 72):
        self.labels, self.title, self.dpi = list(labels), title, dpi
        self._targets: tuple | None = None
        self._background = None

    def _prepare(self, target: Sequence[float | None] | None) -> None:
        """Draw everything but the current polygon once, and keep the pixels."""
        figure = radar_chart(self.labels, [0.0] * len(self.labels), target, self.title)
        figure.set_dpi(self.dpi)
        figure.set_size_inches(9, 6.5)
        figure.tight_layout()  # room for long capability names; computed once per background
        self._canvas = FigureCanvasAgg(figure)
        axes = figure.axes[0]
        self._axes, self._line, self._fill = axes, axes.lines[0], axes.patches[-1]
        self._line.set_visible(False)
        self._fill.set_visible(False)
        self._canvas.draw()
        self._background = self._canvas.copy_from_bbox(figure.bbox)
        self._line.set_visible(True)
        self._fill.set_visible(True)
        self._angles = np.array([2 * math.pi * i / len(self.labels) for i in range(len(self.labels))] + [0.0])

    def png(self, current: Sequence[float | None], target: Sequence[float | None] | None = None) -> bytes:
        """The radar for these levels (NaN/None drawn at 0) as PNG bytes."""
        key = None if target is None else tuple(0.0 if v is None or v != v else float(v) for v in target)
        if self._background is None or key != self._targets:
            self._prepare(target)
            self._targets = key
        radius = _closed(current)
        self._canvas.restore_region(self._background)
        self._line.set_data(self._angles, radius)
        self._fill.set_xy(np.column_stack([self._angles, radius]))
        self._axes.draw_artist(self._fill)
        self._axes.draw_artist(self._line)
        buffer = io.BytesIO()
        imsave(buffer, np.asarray(self._canvas.buffer_rgba()), format="png", pil_kwargs={"compress_level": 1})
        return buffer.getvalue()
