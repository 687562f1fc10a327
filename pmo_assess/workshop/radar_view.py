"""A live radar that redraws in milliseconds: the foundation's radar, with only its polygons re-rendered.

Rendering a whole 18-spoke polar figure costs a few hundred milliseconds, mostly text and grid.
The grid, labels and legend are drawn once (per set of targets); each answer then restores that
background and draws just the current-level polygon over it (matplotlib blitting on Agg).

On a page (:class:`RadarWidget`) the background PNG is sent only when the targets change and the
current levels travel as a small SVG polygon laid over it, so a redraw costs no PNG encoding.

Made for a projector: the PNG is meant to be shown at its natural size (``width`` pixels), capability
names are wrapped (and abbreviated past three lines) at ``label_px`` pixels, each placed outward from
its spoke so that neighbours do not overlap.
"""
from __future__ import annotations

import io
import math
import textwrap
from typing import TYPE_CHECKING, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.image import imsave

from pmo_assess.charts.radar import radar_chart

if TYPE_CHECKING:
    import pandas as pd


def _closed(values: Sequence[float | None]) -> np.ndarray:
    filled = [0.0 if v is None or v != v else float(v) for v in values]
    return np.array(filled + filled[:1])


def wrap_label(name: str, width: int = 15, lines: int = 3) -> str:
    """A capability name on at most ``lines`` lines of ``width`` characters, the rest shown as an ellipsis."""
    wrapped = textwrap.wrap(name, width, break_long_words=True) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][:width - 1].rstrip() + "…"
    return "\n".join(wrapped)


class LiveRadar:
    """Current vs target levels as PNG bytes; the target ring is part of the cached background."""

    def __init__(self, labels: Sequence[str], title: str = "", dpi: int = 72, size: tuple[float, float] = (12, 10.5),
                 label_px: float = 17):
        self.labels, self.title, self.dpi = list(labels), title, dpi
        self.size, self.label_px = size, label_px
        self._targets: tuple | None = None
        self._background = None
        self._background_png: bytes | None = None
        self.label_texts: list = []

    @property
    def width(self) -> int:
        """Width of the PNG in pixels (show it at this size: ``label_px`` holds at 1:1)."""
        return int(round(self.size[0] * self.dpi))

    def _label(self, axes: object) -> None:
        """Replace the tick labels by wrapped names placed outward from each spoke, at ``label_px``."""
        points = self.label_px * 72 / self.dpi
        axes.set_xticklabels([])
        axes.set_yticklabels(["1", "2", "3", "4"])  # level numbers, between two spokes
        axes.set_rlabel_position(180 / len(self.labels))
        axes.tick_params(axis="y", labelsize=points * 0.8, labelcolor="#475467")
        self.label_texts = []
        for i, name in enumerate(self.labels):
            angle = 2 * math.pi * i / len(self.labels)
            cos, sin = math.cos(angle), math.sin(angle)
            ha = "left" if cos > 0.05 else "right" if cos < -0.05 else "center"
            va = "bottom" if sin > 0.9 else "top" if sin < -0.9 else "center"
            self.label_texts.append(axes.text(angle, 4.35, wrap_label(name), ha=ha, va=va, fontsize=points,
                                              linespacing=1.0, clip_on=False))
        legend = axes.get_legend()
        if legend is not None:
            legend.remove()
        figure = axes.figure
        figure.legend(*axes.get_legend_handles_labels(), loc="lower left", bbox_to_anchor=(0.01, 0.01),
                      fontsize=points, frameon=False)
        axes.set_title("")
        if self.title:
            figure.suptitle(self.title, y=0.985, fontsize=points * 1.15)

    def _prepare(self, target: Sequence[float | None] | None) -> None:
        """Draw everything but the current polygon once, and keep the pixels."""
        figure = radar_chart(self.labels, [0.0] * len(self.labels), target, self.title)
        figure.set_dpi(self.dpi)
        figure.set_size_inches(*self.size)
        axes = figure.axes[0]
        self._label(axes)
        figure.subplots_adjust(left=0.2, right=0.8, top=0.83 if self.title else 0.86, bottom=0.13)
        self._canvas = FigureCanvasAgg(figure)
        self._figure = figure
        self._axes, self._line, self._fill = axes, axes.lines[0], axes.patches[-1]
        self._line.set_visible(False)
        self._fill.set_visible(False)
        self._canvas.draw()
        self._background = self._canvas.copy_from_bbox(figure.bbox)
        self._line.set_visible(True)
        self._fill.set_visible(True)
        self._angles = np.array([2 * math.pi * i / len(self.labels) for i in range(len(self.labels))] + [0.0])

    def label_boxes(self) -> list[tuple[float, float, float, float]]:
        """Pixel boxes (x0, y0, x1, y1) of the capability labels as last drawn (to check nothing overlaps)."""
        renderer = self._canvas.get_renderer()
        return [tuple(t.get_window_extent(renderer).extents) for t in self.label_texts]

    def _ensure(self, target: Sequence[float | None] | None) -> bool:
        """Draw the background for these targets unless it is the one cached; True if it was redrawn."""
        key = None if target is None else tuple(0.0 if v is None or v != v else float(v) for v in target)
        if self._background is not None and key == self._targets:
            return False
        self._prepare(target)
        self._targets = key
        self._background_png = None
        return True

    def background_png(self, target: Sequence[float | None] | None = None) -> bytes:
        """Grid, names, legend and target ring without the current levels, as PNG (encoded once per target)."""
        self._ensure(target)
        if self._background_png is None:
            self._canvas.restore_region(self._background)
            buffer = io.BytesIO()
            imsave(buffer, np.asarray(self._canvas.buffer_rgba()), format="png", pil_kwargs={"compress_level": 1})
            self._background_png = buffer.getvalue()
        return self._background_png

    def overlay_svg(self, current: Sequence[float | None], target: Sequence[float | None] | None = None) -> str:
        """The current-level polygon as an SVG the size of the PNG, to lay over :meth:`background_png`.

        Redrawing the levels then costs a few hundred bytes instead of encoding a new PNG.
        """
        self._ensure(target)
        radius = _closed(current)
        height = self._figure.bbox.height
        points = self._axes.transData.transform(np.column_stack([self._angles, radius]))
        path = " ".join(f"{x:.1f},{height - y:.1f}" for x, y in points)
        width = self._figure.bbox.width
        return (f"<svg class='pmo-radar-overlay' viewBox='0 0 {width:.0f} {height:.0f}' "
                f"xmlns='http://www.w3.org/2000/svg' aria-label='current levels'>"
                f"<polygon points='{path}' fill='#1f77b4' fill-opacity='0.2' stroke='#1f77b4' stroke-width='2.5'/>"
                f"</svg>")

    def png(self, current: Sequence[float | None], target: Sequence[float | None] | None = None) -> bytes:
        """The radar for these levels (NaN/None drawn at 0) as PNG bytes."""
        self._ensure(target)
        radius = _closed(current)
        self._canvas.restore_region(self._background)
        self._line.set_data(self._angles, radius)
        self._fill.set_xy(np.column_stack([self._angles, radius]))
        self._axes.draw_artist(self._fill)
        self._axes.draw_artist(self._line)
        buffer = io.BytesIO()
        imsave(buffer, np.asarray(self._canvas.buffer_rgba()), format="png", pil_kwargs={"compress_level": 1})
        return buffer.getvalue()


class RadarWidget:
    """The live radar as widgets: the PNG background (re-sent only when targets change) under an SVG polygon.

    ``box`` is the widget to show; :meth:`show` redraws from a live view's capability table.
    """

    def __init__(self) -> None:
        import ipywidgets as w

        self.image = w.Image(format="png", layout=w.Layout(width="864px")).add_class("pmo-radar")
        self.overlay = w.HTML().add_class("pmo-radar-overlay-box")
        self.box = w.Box([self.image, self.overlay]).add_class("pmo-radar-stack")
        self.radar: LiveRadar | None = None
        self.redraws = 0
        self._key: tuple | None = None

    def show(self, capabilities: "pd.DataFrame") -> bool:
        """Redraw if a level or target changed (columns ``name``, ``level``, ``target``); True if it did."""
        key = (tuple(capabilities["level"].fillna(0)), tuple(capabilities["target"].fillna(0)))
        if key == self._key:
            return False
        if self.radar is None:
            self.radar = LiveRadar(capabilities["name"].tolist())
            self.image.layout.width = f"{self.radar.width}px"  # shown 1:1, the names keep their pixel size
        targets = capabilities["target"].tolist() if capabilities["target"].notna().any() else None
        levels = capabilities["level"].tolist()
        self.image.value = self.radar.background_png(targets)
        self.overlay.value = self.radar.overlay_svg(levels, targets)
        self._key = key
        self.redraws += 1
        return True
