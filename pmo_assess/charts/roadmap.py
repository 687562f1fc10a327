"""Roadmap figures: a dated Gantt of the initiatives, capacity used per wave, projected maturity per wave."""
from __future__ import annotations

import datetime as dt

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from pmo_assess.roadmap.roadmap_file import Roadmap
from pmo_assess.roadmap.scheduler import Schedule

#: One colour per dimension (in questionnaire order); items of no dimension (custom) are grey. Red is
#: kept for conflicts and the today line.
PALETTE = ("#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2")
CUSTOM_COLOUR = "#7f7f7f"


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


def gantt_chart(rows: pd.DataFrame, starts_on: dt.date | None = None, title: str = "",
                today: dt.date | None = None) -> Figure:
    """A Gantt a PMO head can read: titles, dates on the axis, wave bands, a today line, arrows from each
    prerequisite to what needs it, done items faded and conflicts outlined in red (see :func:`gantt_rows`)."""
    height = max(3.0, 1.4 + 0.3 * len(rows))
    figure = Figure(figsize=(12, height))
    ax = figure.add_subplot()
    dimensions = rows.attrs.get("dimensions") or list(dict.fromkeys(rows["dimension"]))
    colours = {d: PALETTE[i % len(PALETTE)] for i, d in enumerate(d for d in dimensions if d)}
    if rows.empty:
        ax.text(0.5, 0.5, "Nothing scheduled", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return figure
    starts = mdates.date2num(pd.to_datetime(rows["start"]))
    ends = mdates.date2num(pd.to_datetime(rows["end"])) + 1  # the end date is the bar's last day
    y = np.arange(len(rows))
    done = rows["status"].eq("done").to_numpy()
    conflict = rows["conflict"].ne("").to_numpy()
    for i in range(len(rows)):
        colour = colours.get(rows["dimension"].iat[i], CUSTOM_COLOUR)
        ax.barh(y[i], ends[i] - starts[i], left=starts[i], height=0.62, color=to_rgba(colour, 0.3 if done[i] else 0.9),
                edgecolor="#d62728" if conflict[i] else "#333333", linewidth=2.2 if conflict[i] else 0.5,
                hatch="//" if done[i] else None, zorder=2)
        if conflict[i]:
            ax.plot(starts[i], y[i], marker="X", color="#d62728", markersize=9, zorder=4)
    where = {rid: i for i, rid in enumerate(rows["id"])}
    for i, needs in enumerate(rows["prerequisites"]):
        for need in needs:
            if need not in where:
                continue
            j = where[need]
            # down from the end of what is needed to the row of what needs it, then along to its start
            style = "angle,angleA=90,angleB=0,rad=0" if starts[i] > ends[j] + 0.5 else "arc3"
            ax.annotate("", xy=(starts[i], y[i]), xytext=(ends[j], y[j]), zorder=3,
                        arrowprops={"arrowstyle": "-|>", "color": "#666666", "lw": 0.7, "mutation_scale": 7,
                                    "connectionstyle": style, "shrinkA": 0, "shrinkB": 0})
    windows = rows.attrs.get("waves") or []
    for k, (wave, first, last) in enumerate(windows):
        left, right = mdates.date2num(first), mdates.date2num(last) + 1
        if k % 2:
            ax.axvspan(left, right, color="#f0f0f0", zorder=0)
        ax.text((left + right) / 2, 1.0, f"wave {wave}", transform=ax.get_xaxis_transform(), ha="center",
                va="bottom", fontsize=8, color="#444444")
    labels = [label + (" (done)" if d else "") + (" ★" if q else "")
              for label, d, q in zip(rows["label"], done, rows["quick_win"])]
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    for tick, bad in zip(ax.get_yticklabels(), conflict):
        if bad:
            tick.set_color("#d62728")
    ax.set_ylim(len(rows) - 0.4, -0.6)
    low = min(starts.min(), mdates.date2num(windows[0][1]) if windows else starts.min())
    high = max(ends.max(), mdates.date2num(windows[-1][2]) + 1 if windows else ends.max())
    shown_today = today is not None and low - 60 <= mdates.date2num(today) <= high  # up to two months before
    if shown_today:
        low = min(low, mdates.date2num(today))
    ax.set_xlim(low - 3, high + 3)
    ax.xaxis_date()
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=12))
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.grid(axis="x", color="#dddddd", linewidth=0.6, zorder=1)
    handles = [Patch(color=colours[d], label=d) for d in colours if d in set(rows["dimension"])]
    if rows["dimension"].eq("").any():
        handles.append(Patch(color=CUSTOM_COLOUR, label="own items"))
    if done.any():
        handles.append(Patch(facecolor=to_rgba("#888888", 0.3), hatch="//", edgecolor="#333333", label="done"))
    if conflict.any():
        handles.append(Patch(facecolor="white", edgecolor="#d62728", linewidth=2, label="conflict (see the checks)"))
    if shown_today:
        ax.axvline(mdates.date2num(today), color="#d62728", linestyle="--", linewidth=1.2, zorder=5)
        handles.append(Line2D([], [], color="#d62728", linestyle="--", label=f"today ({today})"))
    handles.append(Line2D([], [], color="#555555", marker=">", markersize=4, label="needs (arrow)"))
    handles.append(Line2D([], [], color="none", marker="*", markerfacecolor="#333333", markersize=8,
                          label="★ quick win"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    start = starts_on or rows["start"].min()
    ax.set_title(title or f"Roadmap from {start}: planned start to end of each initiative", pad=18)
    figure.tight_layout()
    return figure


def capacity_chart(waves: list[int], used: list[float], capacity: float, title: str = "") -> Figure:
    """Person-days planned per wave against the capacity line; a wave over capacity is drawn red."""
    figure = Figure(figsize=(7, 3.2))
    ax = figure.add_subplot()
    colours = ["#d62728" if u > capacity + 1e-9 else "#2b8cbe" for u in used]
    bars = ax.bar([f"wave {w}" for w in waves], used, color=colours)
    ax.bar_label(bars, labels=[f"{round(u, 1):g}" for u in used], padding=2, fontsize=8)
    ax.axhline(capacity, color="black", linestyle="--", linewidth=1, label=f"capacity {capacity:g} person-days")
    ax.set_ylabel("person-days")
    ax.set_ylim(0, max([capacity, *used]) * 1.35)  # room for the labels and the legend above the bars
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
