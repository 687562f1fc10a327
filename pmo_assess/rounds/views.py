"""Tables people read from a comparison: one unit across rounds, and what moved (regressions first)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_assess.rounds.comparison import ORGANISATION, Comparison

#: Order of statuses when listing what moved: regressions first.
MOVEMENT_ORDER = {"fell": 0, "rose": 1, "new": 2, "no longer assessed": 3, "not comparable": 4}
KIND_ORDER = {"overall": 0, "dimension": 1, "capability": 2}


def latest_changes(comparison: Comparison) -> pd.DataFrame:
    """Each unit's changes against its previous round, for the unit's latest round only."""
    changes = comparison.changes
    latest = changes.groupby("business_unit")["round"].transform("max")
    return changes[changes["round"] == latest]


def movements(comparison: Comparison, unit: str | None = None) -> pd.DataFrame:
    """What moved in each unit's latest round: fell, rose, new, no longer assessed, not comparable; falls first."""
    changes = latest_changes(comparison)
    if unit is not None:
        changes = changes[changes["business_unit"] == unit]
    moved = changes[changes["status"].isin(MOVEMENT_ORDER)].copy()
    moved["_order"] = moved["status"].map(MOVEMENT_ORDER)
    moved["_kind"] = moved["kind"].map(KIND_ORDER)
    moved["_size"] = -moved["score_change"].abs().fillna(0)
    moved = moved.sort_values(["_order", "_kind", "_size", "business_unit", "id"], kind="stable")
    rounds = comparison.round_names
    moved["from"] = [rounds[i] for i in moved["previous"]]
    moved["to"] = [rounds[i] for i in moved["round"]]
    return moved[["business_unit", "kind", "id", "dimension", "status", "from", "to", "level_before", "level",
                  "score_before", "score", "score_change", "reason", "method_changed"]].reset_index(drop=True)


def _row_order(values: pd.DataFrame) -> pd.DataFrame:
    """(kind, id, dimension, position): overall, then each dimension followed by its capabilities."""
    rows = values[["kind", "id", "dimension"]].drop_duplicates(["kind", "id"])
    dims = list(dict.fromkeys(rows.loc[rows["kind"] == "dimension", "id"]))
    dims += [d for d in dict.fromkeys(rows.loc[rows["kind"] == "capability", "dimension"]) if d not in dims]
    rank = {d: i for i, d in enumerate(dims)}
    rows = rows.assign(_dim=rows["dimension"].map(rank).fillna(-1), _kind=rows["kind"].map(KIND_ORDER),
                       _seq=np.arange(len(rows)))
    rows.loc[rows["kind"] == "overall", "_dim"] = -1
    rows = rows.sort_values(["_dim", "_kind", "_seq"])
    return rows[["kind", "id", "dimension"]].assign(position=np.arange(len(rows)))


def units_table(comparison: Comparison) -> pd.DataFrame:
    """Every unit's rows (overall, dimensions, capabilities) with score and level per round, the latest change and
    its status, the target and progress from the unit's first round; units in the order first assessed."""
    values = comparison.values
    names = comparison.round_names
    wide = values.pivot(index=["business_unit", "kind", "id"], columns="round", values=["score", "level"])
    wide.columns = [f"{names[index]} {what}" for what, index in wide.columns]
    rounds = sorted(values["round"].unique())
    wide = wide[[f"{names[i]} {what}" for i in rounds for what in ("score", "level")]].reset_index()
    latest = latest_changes(comparison)[["business_unit", "kind", "id", "score_change", "level_change", "status",
                                         "reason"]]
    progress = comparison.progress[["business_unit", "kind", "id", "target", "progress"]]
    table = (wide.merge(_row_order(values), on=["kind", "id"])
             .merge(latest, on=["business_unit", "kind", "id"], how="left")
             .merge(progress, on=["business_unit", "kind", "id"], how="left"))
    units = {u: i for i, u in enumerate([ORGANISATION, *comparison.history.units])}
    table = table.assign(_unit=table["business_unit"].map(units)).sort_values(["_unit", "position"], kind="stable")
    table["status"] = table["status"].fillna("")
    table["reason"] = table["reason"].fillna("")
    columns = ["business_unit", "kind", "id", "dimension", *[c for c in wide.columns if c.endswith(("score", "level"))],
               "score_change", "level_change", "status", "reason", "target", "progress"]
    return table[columns].reset_index(drop=True)


def unit_table(comparison: Comparison, unit: str = ORGANISATION) -> pd.DataFrame:
    """One unit's rows of :func:`units_table`, with only the rounds the unit was assessed in."""
    table = units_table(comparison)
    table = table[table["business_unit"] == unit].drop(columns="business_unit")
    empty = [c for c in table.columns if c.endswith((" score", " level")) and table[c].isna().all()]
    return table.drop(columns=empty).reset_index(drop=True)


def dimension_series(comparison: Comparison, unit: str = ORGANISATION) -> pd.DataFrame:
    """Dimension and overall scores of one unit per round (rows: rounds in order; columns: dimension ids)."""
    values = comparison.values
    picked = values[(values["business_unit"] == unit) & (values["kind"] != "capability")]
    table = picked.pivot_table(index="round", columns="id", values="score", aggfunc="first", dropna=False)
    table.index = [comparison.round_names[i] for i in table.index]
    order = [i for i in dict.fromkeys(picked["id"]) if i in table.columns]
    return table[order]
