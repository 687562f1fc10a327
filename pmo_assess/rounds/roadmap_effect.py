"""Is the roadmap working? Initiatives done between two rounds against the levels their capabilities gained.

An item of a unit's ``roadmap.yaml`` with ``status: done`` counts as done on its ``end`` date and is
placed between the two rounds of that unit whose dates enclose it (after the earlier, on or before
the later). The planner projected that its capability reaches ``to_level``; the later round says
whether it did: "as projected", "moved less than projected", "did not move", "fell", or "not
comparable" (the capability's questions changed, or it has no score in one of the two rounds).
A done item without an end date is counted in the unit's latest step, and says so.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pmo_assess.rounds.comparison import Comparison

if TYPE_CHECKING:  # reading roadmaps pulls in the planner: only when --roadmaps is given
    from pmo_assess.roadmap.roadmap_file import Roadmap

ITEM_COLUMNS = ["business_unit", "item", "title", "capability", "done_on", "from", "to", "projected_level",
                "level_before", "level_after", "levels_gained", "verdict", "note"]


def load_unit_roadmaps(folder: str | Path, units: list[str]) -> dict[str, Roadmap]:
    """Each unit's ``folder/<unit slug>/roadmap.yaml`` where there is one (as ``pmo-assess roadmap`` writes them)."""
    from pmo_assess.roadmap.roadmap_file import load_roadmap
    from pmo_assess.roadmap.workflow import unit_slug

    found = {}
    for unit in units:
        path = Path(folder) / unit_slug(unit) / "roadmap.yaml"
        if path.is_file():
            found[unit] = load_roadmap(path)
    return found


def _step_of(done_on: dt.date | None, dates: list[tuple[int, dt.date]]) -> tuple[int, int] | str:
    """(earlier round, later round) enclosing ``done_on``, or why there is none."""
    if len(dates) < 2:
        return "the unit has one round only"
    if done_on is None:
        return dates[-2][0], dates[-1][0]
    for (a, start), (b, end) in zip(dates, dates[1:]):
        if start < done_on <= end:
            return a, b
    return "done before the unit's first round" if done_on <= dates[0][1] else "done after the unit's latest round"


def _verdict(before: float, after: float, projected: float, status: str) -> str:
    if status not in ("rose", "fell", "same level"):
        return "not comparable"
    if after < before:
        return "fell"
    if after == before:
        return "did not move"
    if np.isnan(projected) or after >= projected:
        return "as projected"
    return "moved less than projected"


def initiatives_done(comparison: Comparison, roadmaps: dict[str, Roadmap]) -> pd.DataFrame:
    """One row per done roadmap item: the rounds it fell between, projected level, levels before and after."""
    changes = comparison.changes.set_index(["business_unit", "previous", "round", "kind", "id"])
    rounds, rows = comparison.history.rounds, []
    for unit, roadmap in roadmaps.items():
        assessed = sorted(comparison.values.loc[comparison.values["business_unit"] == unit, "round"].unique())
        dates = [(int(i), rounds[i].info.assessed_on) for i in assessed]
        for item in roadmap.items:
            if item.status != "done":
                continue
            step = _step_of(item.end, dates)
            row = {"business_unit": unit, "item": item.id, "title": item.title, "capability": item.capability,
                   "done_on": item.end, "projected_level": float(item.to_level) if item.to_level else np.nan,
                   "note": "" if item.end else "no end date: counted in the latest step"}
            if isinstance(step, str):
                rows.append({**row, "from": "", "to": "", "level_before": np.nan, "level_after": np.nan,
                             "levels_gained": np.nan, "verdict": "not measured", "note": step})
                continue
            key = (unit, step[0], step[1], "capability", item.capability)
            change = changes.loc[key] if key in changes.index else None
            before = float(change["level_before"]) if change is not None else np.nan
            after = float(change["level"]) if change is not None else np.nan
            status = str(change["status"]) if change is not None else "not comparable"
            reason = str(change["reason"]) if change is not None else "the capability is not in both rounds"
            rows.append({**row, "from": rounds[step[0]].name, "to": rounds[step[1]].name, "level_before": before,
                         "level_after": after, "levels_gained": after - before,
                         "verdict": _verdict(before, after, row["projected_level"], status),
                         "note": reason or row["note"]})
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


def levels_gained(items: pd.DataFrame) -> pd.DataFrame:
    """Per unit, capability and step: initiatives done, the level projected, the level before and after."""
    measured = items[items["verdict"] != "not measured"]
    if measured.empty:
        return pd.DataFrame(columns=["business_unit", "capability", "from", "to", "initiatives_done", "items",
                                     "projected_level", "level_before", "level_after", "levels_gained", "verdict"])
    grouped = measured.groupby(["business_unit", "capability", "from", "to"], sort=False)
    table = grouped.agg(initiatives_done=("item", "size"), items=("item", ", ".join),
                        projected_level=("projected_level", "max"), level_before=("level_before", "first"),
                        level_after=("level_after", "first"), levels_gained=("levels_gained", "first"),
                        verdict=("verdict", "first")).reset_index()
    projected = table["projected_level"].to_numpy(float)
    table["verdict"] = [v if v not in ("as projected", "moved less than projected") or np.isnan(p)
                        else ("as projected" if after >= p else "moved less than projected")
                        for v, p, after in zip(table["verdict"], projected, table["level_after"])]
    return table


def stalled_capabilities(gained: pd.DataFrame) -> pd.DataFrame:
    """The capabilities where work was done but the level did not move (or fell): the sponsor conversation."""
    return gained[gained["verdict"].isin(["did not move", "fell"])].reset_index(drop=True)
