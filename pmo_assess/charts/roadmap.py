"""Roadmap figures: a dated Gantt of the initiatives, capacity used per wave, projected maturity per wave."""
from __future__ import annotations

import datetime as dt
import functools
import math

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import ScaledTranslation

from pmo_assess.roadmap.roadmap_file import Roadmap
from pmo_assess.roadmap.scheduler import Schedule

#: One colour per dimension (in questionnaire order); items of no dimension (custom) are grey. Red is
#: kept for conflicts and the today line.
PALETTE = ("#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2")
CUSTOM_COLOUR = "#7f7f7f"
CONFLICT = "#d62728"
ARROW_COLOUR = "#666666"
GANTT_WIDTH = 12.0  # inches
HEAD = 5.0  # arrow head size in points
_MEASURE = RendererAgg(1, 1, 72)  # measures text in points (72 dpi), for margins


def _short(text: str, width: int = 46) -> str:
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def gantt_rows(roadmap: Roadmap, schedule: Schedule, dimension_of: dict[str, str]) -> pd.DataFrame:
    """One bar per item to draw: the scheduled ones where the schedule has them, done ones at their dates.

    Columns: id, label (the title), start, end (dates), wave, dimension, status, quick_win, conflict (the
    conflicts' text, '' when none), prerequisites. ``attrs`` carries the wave windows and dimension order.
    """
    conflicts: dict[str, list[str]] = {}
    for conflict in schedule.conflicts:
        conflicts.setdefault(conflict.item, []).append(conflict.message)
    rows = []
    for item in roadmap.items:
        slot = schedule.slots.get(item.id)
        if slot is not None and slot.start is not None:
            start, end, wave = slot.start, slot.end, slot.wave
        elif item.status == "done" and item.start and item.end:
            start, end, wave = item.start, item.end, item.wave
        else:
            continue
        rows.append({"id": item.id, "label": _short(item.title or item.id), "start": start, "end": end, "wave": wave,
                     "dimension": dimension_of.get(item.capability, ""), "status": item.status,
                     "quick_win": item.quick_win, "conflict": "; ".join(conflicts.get(item.id, [])),
                     "prerequisites": tuple(item.prerequisites)})
    frame = pd.DataFrame(rows, columns=["id", "label", "start", "end", "wave", "dimension", "status", "quick_win",
                                        "conflict", "prerequisites"])
    frame = frame.sort_values(["start", "end", "id"], kind="stable").reset_index(drop=True)
    calendar = roadmap.settings.calendar
    last = max(frame["end"], default=None)
    windows = []
    if calendar.starts_on is not None and last is not None:
        wave = 1
        while True:
            first, final = calendar.wave_window(wave)
            if calendar.week_start(first) > last:
                break
            windows.append((wave, calendar.week_start(first), calendar.week_end(final)))
            wave += 1
    frame.attrs["waves"] = windows
    frame.attrs["dimensions"] = list(dict.fromkeys(dimension_of.values()))
    return frame


def _bands(windows: list[tuple[int, dt.date, dt.date]]) -> tuple[list[np.ndarray], list[tuple[float, float, int]]]:
    """Every other wave as a grey band (x in days, y from 0 to 1 of the axes) and each wave's (left, right, number)."""
    spans = [(float(mdates.date2num(first)), float(mdates.date2num(last)) + 1, wave) for wave, first, last in windows]
    bands = [np.array([(left, 0.0), (left, 1.0), (right, 1.0), (right, 0.0)])
             for k, (left, right, _) in enumerate(spans) if k % 2]
    return bands, spans


@functools.lru_cache(maxsize=4096)
def text_points(text: str, size: float = 8) -> float:
    """Width of a label in points, to set a chart's margins without laying the chart out (no tight_layout);
    kept, as the same labels come back on every redraw."""
    return _MEASURE.get_text_width_height_descent(text, FontProperties(size=size), ismath=False)[0]


def _arrows(ax: Axes, starts: np.ndarray, ends: np.ndarray, y: np.ndarray, prerequisites: pd.Series,
            ids: pd.Series) -> None:
    """One line collection from each prerequisite's end down to the row of what needs it and along to its
    start, with the arrow heads drawn as markers (one artist per heading instead of one patch per arrow)."""
    where = {rid: i for i, rid in enumerate(ids)}
    segments, heads = [], {">": [], "<": [], "v": [], "^": []}
    for i, needs in enumerate(prerequisites):
        for need in needs:
            j = where.get(need)
            if j is None:
                continue
            corner = (ends[j], y[i])
            segments.append([(ends[j], y[j]), corner, (starts[i], y[i])])
            if abs(starts[i] - ends[j]) > 0.5:  # along the row, to the right (or back left when it overlaps)
                heads[">" if starts[i] > ends[j] else "<"].append((starts[i], y[i]))
            else:  # starts the day the prerequisite ends: straight down (rows run downwards) or up
                heads["v" if y[i] > y[j] else "^"].append((starts[i], y[i]))
    if not segments:
        return
    ax.add_collection(LineCollection(segments, colors=ARROW_COLOUR, linewidths=0.7, zorder=3, gid="needs"),
                      autolim=False)
    for marker, points in heads.items():
        if points:  # the head's tip (not its centre) on the start of what needs it
            dx, dy = {">": (-1, 0), "<": (1, 0), "v": (0, 1), "^": (0, -1)}[marker]
            tip = ScaledTranslation(dx * HEAD / 144, dy * HEAD / 144, ax.figure.dpi_scale_trans)
            xs, ys = zip(*points)
            ax.plot(xs, ys, linestyle="none", marker=marker, markersize=HEAD, color=ARROW_COLOUR, zorder=3,
                    transform=ax.transData + tip)


def _wave_labels(ax: Axes, spans: list[tuple[float, float, int]], low: float, high: float, width: float) -> None:
    """'wave N' above each wave, thinned to every k-th wave when they would overlap (15+ waves)."""
    if not spans:
        return
    per_day = width * 72 / max(high - low, 1.0)  # points per day along the axis
    label = text_points(f"wave {spans[-1][2]}") + 6
    narrowest = min(right - left for left, right, _ in spans) * per_day
    step = max(1, math.ceil(label / max(narrowest, 1e-9)))
    for k, (left, right, wave) in enumerate(spans):
        if k % step == 0:
            ax.text((left + right) / 2, 1.0, f"wave {wave}", transform=ax.get_xaxis_transform(), ha="center",
                    va="bottom", fontsize=8, color="#444444")


def gantt_chart(rows: pd.DataFrame, starts_on: dt.date | None = None, title: str = "",
                today: dt.date | None = None) -> Figure:
    """A Gantt a PMO head can read: titles, dates on the axis, wave bands, a today line, arrows from each
    prerequisite to what needs it, done items faded and conflicts outlined in red (see :func:`gantt_rows`).

    Bars, bands and arrows are a few collections and the margins come from the label widths, so a redraw
    after each editor save stays quick."""
    height = max(3.0, 1.4 + 0.3 * len(rows))
    figure = Figure(figsize=(GANTT_WIDTH, height))
    if rows.empty:
        ax = figure.add_subplot()
        ax.text(0.5, 0.5, "Nothing scheduled", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return figure
    dimensions = rows.attrs.get("dimensions") or list(dict.fromkeys(rows["dimension"]))
    colours = {d: PALETTE[i % len(PALETTE)] for i, d in enumerate(d for d in dimensions if d)}
    starts = mdates.date2num(pd.to_datetime(rows["start"]))
    ends = mdates.date2num(pd.to_datetime(rows["end"])) + 1  # the end date is the bar's last day
    y = np.arange(len(rows), dtype=float)
    done = rows["status"].eq("done").to_numpy()
    conflict = rows["conflict"].ne("").to_numpy()
    labels = [label + (" (done)" if d else "") + (" ★" if q else "")
              for label, d, q in zip(rows["label"], done, rows["quick_win"])]
    windows = rows.attrs.get("waves") or []
    bands, spans = _bands(windows)
    low = min(starts.min(), spans[0][0] if spans else starts.min())
    high = max(ends.max(), spans[-1][1] if spans else ends.max())
    shown_today = today is not None and low - 60 <= mdates.date2num(today) <= high  # up to two months before
    if shown_today:
        low = min(low, mdates.date2num(today))

    handles = [Patch(color=colours[d], label=d) for d in colours if d in set(rows["dimension"])]
    if rows["dimension"].eq("").any():
        handles.append(Patch(color=CUSTOM_COLOUR, label="own items"))
    if done.any():
        handles.append(Patch(facecolor=to_rgba("#888888", 0.3), hatch="//", edgecolor="#333333", label="done"))
    if conflict.any():
        handles.append(Patch(facecolor="white", edgecolor=CONFLICT, linewidth=2, label="conflict (see the checks)"))
    if shown_today:
        handles.append(Line2D([], [], color=CONFLICT, linestyle="--", label=f"today ({today})"))
    handles.append(Line2D([], [], color="#555555", marker=">", markersize=4, label="needs (arrow)"))
    handles.append(Line2D([], [], color="none", marker="*", markerfacecolor="#333333", markersize=8,
                          label="★ quick win"))

    # margins in inches from the widest tick label and legend entry, instead of tight_layout (with 8 % to
    # spare: hinted text at 80-100 dpi and a browser's font in an SVG run a little wider)
    left = 1.08 * max(text_points(label) for label in labels) / 72 + 0.2
    right = 1.08 * max(text_points(h.get_label()) for h in handles) / 72 + 0.6
    top, bottom = 0.62, 0.42
    figure.subplots_adjust(left=left / GANTT_WIDTH, right=1 - right / GANTT_WIDTH, top=1 - top / height,
                           bottom=bottom / height)
    ax = figure.add_subplot()
    ax.set_xlim(low - 3, high + 3)
    ax.set_ylim(len(rows) - 0.4, -0.6)
    if bands:
        ax.add_collection(PolyCollection(bands, facecolors="#f0f0f0", edgecolors="none", zorder=0,
                                         transform=ax.get_xaxis_transform()), autolim=False)
    _wave_labels(ax, spans, low - 3, high + 3, GANTT_WIDTH - left - right)

    boxes = [np.array([(s, v - 0.31), (s, v + 0.31), (e, v + 0.31), (e, v - 0.31)]) for s, e, v in zip(starts, ends, y)]
    faces = [to_rgba(colours.get(d, CUSTOM_COLOUR), 0.3 if f else 0.9) for d, f in zip(rows["dimension"], done)]
    edges = [CONFLICT if c else "#333333" for c in conflict]
    widths = [2.2 if c else 0.5 for c in conflict]
    for hatched in (False, True):  # a collection has one hatch: one for open items, one for done ones
        keep = [k for k in range(len(rows)) if done[k] == hatched]
        if keep:
            ax.add_collection(PolyCollection([boxes[k] for k in keep], facecolors=[faces[k] for k in keep],
                                             edgecolors=[edges[k] for k in keep],
                                             linewidths=[widths[k] for k in keep], hatch="//" if hatched else None,
                                             zorder=2), autolim=False)
    if conflict.any():
        ax.plot(starts[conflict], y[conflict], linestyle="none", marker="X", color=CONFLICT, markersize=9, zorder=4)
    _arrows(ax, starts, ends, y, rows["prerequisites"], rows["id"])

    ax.set_yticks(y, labels, fontsize=8)
    ax.tick_params(axis="y", left=False)  # the titles sit by their bars: no tick marks to draw
    for tick, bad in zip(ax.get_yticklabels(), conflict):
        if bad:
            tick.set_color(CONFLICT)
    ax.xaxis_date()
    locator = mdates.AutoDateLocator(minticks=4, maxticks=12)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(axis="x", color="#dddddd", linewidth=0.6, zorder=1)
    if shown_today:
        ax.axvline(mdates.date2num(today), color=CONFLICT, linestyle="--", linewidth=1.2, zorder=5)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    start = starts_on or rows["start"].min()
    ax.set_title(title or f"Roadmap from {start}: planned start to end of each initiative", pad=18, y=1.0)
    return figure


def capacity_chart(waves: list[int], used: list[float], capacity: float, title: str = "") -> Figure:
    """Person-days planned per wave against the capacity line; a wave over capacity is drawn red."""
    width, height = 7.0, 3.2
    figure = Figure(figsize=(width, height))
    top_value = max([capacity, *used]) * 1.35  # room for the labels and the legend above the bars
    numbers = len(waves) > 8  # many waves: "wave N" would overlap, so the ticks say N and the axis says wave
    left = (text_points(f"{top_value:.0f}", 10) + 30) / 72
    figure.subplots_adjust(left=left / width, right=1 - 0.15 / width, top=1 - 0.36 / height,
                           bottom=(0.58 if numbers else 0.36) / height)
    ax = figure.add_subplot()
    colours = [CONFLICT if u > capacity + 1e-9 else "#2b8cbe" for u in used]
    bars = ax.bar([str(w) if numbers else f"wave {w}" for w in waves], used, color=colours)
    crowded = len(waves) > 20  # then only the waves over capacity get their number, and every k-th wave a tick
    ax.bar_label(bars, labels=[f"{round(u, 1):g}" if not crowded or c == CONFLICT else "" for u, c in zip(used, colours)],
                 padding=2, fontsize=8)
    if crowded:
        step = math.ceil(len(waves) / 20)
        ax.set_xticks(range(0, len(waves), step), [str(w) for w in waves[::step]])
    ax.axhline(capacity, color="black", linestyle="--", linewidth=1, label=f"capacity {capacity:g} person-days")
    ax.set_ylabel("person-days")
    if numbers:
        ax.set_xlabel("wave")
    ax.set_ylim(0, top_value)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title or "Capacity used per wave", y=1.0)  # y given: matplotlib need not look for room
    return figure


def maturity_chart(frame: pd.DataFrame, title: str = "") -> Figure:
    """Projected level per wave for each dimension (solid), with its target (dashed); columns wave, dimension, level, target."""
    width, height = 7.0, 3.6
    figure = Figure(figsize=(width, height))
    dimensions = [str(d) for d in frame["dimension"].unique()]
    right = (1.08 * max(map(text_points, dimensions), default=0) + 60) / 72  # the legend, framed, beside the axes
    figure.subplots_adjust(left=(1.08 * text_points("3 operationalizing") + 16) / 72 / width, right=1 - right / width,
                           top=1 - 0.36 / height, bottom=0.55 / height)
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
    ax.set_title(title or "Projected level per wave (dashed: target)", y=1.0)
    return figure
