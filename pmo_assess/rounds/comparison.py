"""Rounds compared: every unit's (and the organisation's) levels and scores per round, what moved, progress.

``values``: one row per unit × round × (overall, dimension, capability). The organisation is a unit
named :data:`ORGANISATION`; its levels follow :data:`ORGANISATION_RULE`. ``changes``: each row against the same
unit's previous round: rose, fell, same level, new, no longer assessed, or not comparable (with why).
``progress``: per unit and row, from its first round to its latest, toward the target of the latest
round: (latest − first) / (target − first). ``ranking``: units by progress over their capabilities.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pmo_assess.model import Scoring
from pmo_assess.rounds.comparability import Banks, PairCheck, check_pair
from pmo_assess.rounds.history import History

ORGANISATION = "(organisation)"
#: How the organisation's scores and levels are defined (shown with every comparison).
ORGANISATION_RULE = (
    "The organisation's score per capability, dimension and overall is the plain mean of the scores of the units "
    "assessed in that round. Its capability level is the level of its mean capability score. When the round's "
    "method is staged, its dimension level = min(level of its mean dimension score, lowest organisation capability "
    "level in the dimension + 1) and its overall level = min(level of its mean overall score, lowest organisation "
    "dimension level + 1); with method mean, every level is the level of the mean score.")
VALUE_COLUMNS = ["business_unit", "round", "kind", "id", "dimension", "score", "level", "target"]


@dataclass(frozen=True)
class Comparison:
    history: History
    values: pd.DataFrame
    changes: pd.DataFrame
    progress: pd.DataFrame
    ranking: pd.DataFrame
    flags: tuple[str, ...]

    @property
    def round_names(self) -> list[str]:
        return [r.name for r in self.history.rounds]


def _number(value: object) -> float:
    return float(value) if type(value) in (int, float) else np.nan  # bools, text and null are no number


def _entries(unit: dict, key: str) -> list[dict]:
    return [e for e in unit.get(key) or [] if isinstance(e, dict) and isinstance(e.get("id"), str)]


def values_table(history: History) -> pd.DataFrame:
    """One row per unit, round and (overall | dimension | capability): score, level, target (NaN when none)."""
    columns: dict[str, list] = {c: [] for c in VALUE_COLUMNS}
    for index, rnd in enumerate(history.rounds):
        for name, unit in rnd.units.items():
            overall = unit.get("overall") if isinstance(unit.get("overall"), dict) else {}
            dimensions, capabilities = _entries(unit, "dimensions"), _entries(unit, "capabilities")
            entries = [overall, *dimensions, *capabilities]
            count = len(entries)
            columns["business_unit"] += [name] * count
            columns["round"] += [index] * count
            columns["kind"] += ["overall"] + ["dimension"] * len(dimensions) + ["capability"] * len(capabilities)
            columns["id"] += ["overall"] + [e["id"] for e in dimensions] + [e["id"] for e in capabilities]
            columns["dimension"] += [""] + [e["id"] for e in dimensions] + [str(e.get("dimension") or "")
                                                                            for e in capabilities]
            for key in ("score", "level", "target"):
                columns[key] += [_number(e.get(key)) for e in entries]
    units = pd.DataFrame(columns)
    return pd.concat([units, _organisation(history, units)], ignore_index=True)


def _staged(levels: pd.Series, kind: pd.Series, ident: pd.Series, dimension: pd.Series) -> np.ndarray:
    """Levels capped as contract rule 6 stages them: dimension ≤ lowest capability + 1, overall ≤ lowest dimension + 1."""
    levels = levels.to_numpy(float).copy()
    kinds, idents, dims = kind.to_numpy(), ident.to_numpy(), dimension.to_numpy()
    caps = kinds == "capability"
    for row in np.flatnonzero(kinds == "dimension"):
        below = levels[caps & (dims == idents[row])]
        below = below[~np.isnan(below)]
        if below.size:
            levels[row] = min(levels[row], below.min() + 1)
    below = levels[kinds == "dimension"]
    below = below[~np.isnan(below)]
    if below.size:
        overall = kinds == "overall"
        levels[overall] = np.minimum(levels[overall], below.min() + 1)
    return levels


def _organisation(history: History, units: pd.DataFrame) -> pd.DataFrame:
    """The organisation per round: mean unit score, and its level as :data:`ORGANISATION_RULE` says."""
    org = units.groupby(["round", "kind", "id", "dimension"], sort=False, as_index=False)["score"].mean()
    org.insert(0, "business_unit", ORGANISATION)
    org["level"] = np.nan
    for index, rnd in enumerate(history.rounds):
        scoring = Scoring(thresholds=tuple(rnd.method.get("thresholds") or ()) or Scoring().thresholds)
        mask = (org["round"] == index).to_numpy()
        picked = org.loc[mask]
        levels = pd.Series(scoring.levels_of(picked["score"].to_numpy(float)), index=picked.index)
        if (rnd.method.get("method") or scoring.method) == "staged":
            levels = _staged(levels, picked["kind"], picked["id"], picked["dimension"])
        org.loc[mask, "level"] = np.asarray(levels, float)
    org["target"] = np.nan
    return org[VALUE_COLUMNS]


def _previous_rounds(values: pd.DataFrame) -> pd.DataFrame:
    """(business_unit, round, previous): each unit's round and the unit's round before it (NaN for its first)."""
    pairs = values[["business_unit", "round"]].drop_duplicates().sort_values(["business_unit", "round"])
    pairs["previous"] = pairs.groupby("business_unit")["round"].shift()
    return pairs.dropna(subset=["previous"]).astype({"previous": int})


def _pair_checks(history: History, pairs: pd.DataFrame, banks: Banks) -> dict[tuple[int, int], PairCheck]:
    rounds = history.rounds
    wanted = set(zip(pairs["previous"], pairs["round"])) | {(i - 1, i) for i in range(1, len(rounds))}
    return {(a, b): check_pair(rounds[a], rounds[b], banks) for a, b in sorted(wanted)}


def _status(frame: pd.DataFrame) -> np.ndarray:
    before, after = frame["level_before"].to_numpy(float), frame["level"].to_numpy(float)
    status = np.select([frame["_only_before"].to_numpy(bool), frame["_only_after"].to_numpy(bool),
                        np.isnan(before) | np.isnan(after), after > before, after < before],
                       ["no longer assessed", "new", "not comparable", "rose", "fell"], "same level")
    return status.astype(object)


def changes_table(history: History, values: pd.DataFrame, checks: dict[tuple[int, int], PairCheck]) -> pd.DataFrame:
    """Each unit's rows against its own previous round: scores, levels, the change and its status (and why)."""
    pairs = _previous_rounds(values)
    keys = ["business_unit", "kind", "id"]
    after = values.merge(pairs, on=["business_unit", "round"])
    before = values.merge(pairs.rename(columns={"round": "later", "previous": "round"}), on=["business_unit", "round"])
    before = before.rename(columns={"round": "previous", "later": "round"})
    merged = after.merge(before[keys + ["previous", "round", "dimension", "score", "level"]],
                         on=keys + ["previous", "round"], how="outer", suffixes=("", "_before"), indicator=True)
    merged["dimension"] = merged["dimension"].fillna(merged.pop("dimension_before"))
    merged["_only_before"] = merged["_merge"] == "right_only"
    merged["_only_after"] = merged["_merge"] == "left_only"
    merged["status"] = _status(merged)
    reasons = []
    for previous, current, kind, ident, status in zip(merged["previous"], merged["round"], merged["kind"],
                                                      merged["id"], merged["status"]):
        check = checks[(int(previous), int(current))]
        why = check.all_reason or check.not_comparable.get((kind, ident), "")
        if not why and status == "not comparable":
            why = "no score in one of the two rounds"
        reasons.append(why)
    merged["reason"] = reasons
    merged.loc[merged["reason"] != "", "status"] = "not comparable"
    merged["method_changed"] = [checks[(int(p), int(c))].method_changed
                                for p, c in zip(merged["previous"], merged["round"])]
    merged["score_change"] = merged["score"] - merged["score_before"]
    merged["level_change"] = merged["level"] - merged["level_before"]
    comparable = merged["status"].isin(["rose", "fell", "same level"])
    merged.loc[~comparable, ["score_change", "level_change"]] = np.nan
    merged = merged.drop(columns=["_merge", "_only_before", "_only_after", "target"])
    return merged.astype({"previous": int, "round": int}).reset_index(drop=True)


def _comparable_since_first(changes: pd.DataFrame) -> pd.DataFrame:
    """(business_unit, kind, id) whose every step since the unit's first round was comparable."""
    broken = changes[changes["status"].isin(["not comparable", "new", "no longer assessed"])]
    return broken[["business_unit", "kind", "id"]].drop_duplicates().assign(_broken=True)


def progress_table(values: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Per unit and row of its latest round: first and latest level, target, progress from the first round."""
    bounds = values.groupby("business_unit")["round"].agg(first="min", latest="max").reset_index()
    latest = values.merge(bounds, left_on=["business_unit", "round"], right_on=["business_unit", "latest"])
    first = values.merge(bounds, left_on=["business_unit", "round"], right_on=["business_unit", "first"])
    table = latest.merge(first[["business_unit", "kind", "id", "score", "level"]], how="left",
                         on=["business_unit", "kind", "id"], suffixes=("", "_first"))
    table = table.merge(_comparable_since_first(changes), how="left", on=["business_unit", "kind", "id"])
    broken = table.pop("_broken").fillna(False).astype(bool) | (table["first"] == table["latest"])
    table.loc[broken, ["score_first", "level_first"]] = np.nan
    span = table["target"] - table["level_first"]
    with np.errstate(invalid="ignore", divide="ignore"):
        table["progress"] = np.where(span > 0, (table["level"] - table["level_first"]) / span, np.nan)
    table["gained"] = np.where(span > 0, np.minimum(table["level"], table["target"]) - table["level_first"], np.nan)
    table["needed"] = np.where(span > 0, span, np.nan)
    return table[["business_unit", "kind", "id", "dimension", "first", "latest", "score_first", "score",
                  "level_first", "level", "target", "progress", "gained", "needed"]]


def ranking_table(progress: pd.DataFrame) -> pd.DataFrame:
    """Units ranked by progress to target over their capabilities (levels gained / levels needed since round 1)."""
    caps = progress[(progress["kind"] == "capability") & (progress["business_unit"] != ORGANISATION)]
    sums = caps.groupby("business_unit")[["gained", "needed"]].sum(min_count=1)
    overall = progress[(progress["kind"] == "overall") & (progress["business_unit"] != ORGANISATION)]
    overall = overall.set_index("business_unit")
    table = pd.DataFrame({
        "rounds": overall["latest"] - overall["first"] + 1,
        "overall_first": overall["score_first"], "overall_latest": overall["score"],
        "levels_gained": sums["gained"], "levels_needed": sums["needed"],
    })
    with np.errstate(invalid="ignore", divide="ignore"):
        table["progress"] = table["levels_gained"] / table["levels_needed"]
    table["overall_change"] = table["overall_latest"] - table["overall_first"]
    table = table.sort_values(["progress", "overall_change"], ascending=False, na_position="last", kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table.reset_index(names="business_unit")


def _named(units: list[str], most: int = 5) -> str:
    return ", ".join(units[:most]) + (f" and {len(units) - most} more" if len(units) > most else "")


def _unit_mix_flags(history: History) -> list[str]:
    """Consecutive rounds assessing different units: the organisation's change mixes in who was assessed."""
    flags = []
    for earlier, later in zip(history.rounds, history.rounds[1:]):
        gone, new = sorted(set(earlier.units) - set(later.units)), sorted(set(later.units) - set(earlier.units))
        if gone or new:
            parts = ([f"not assessed in {later.name}: {_named(gone)}"] if gone else []) + (
                [f"new in {later.name}: {_named(new)}"] if new else [])
            flags.append(f"{earlier.name} → {later.name}: the organisation's figures cover different units "
                         f"({'; '.join(parts)})")
    return flags


def compare_history(history: History, banks: Banks | None = None) -> Comparison:
    """Everything ``pmo-assess compare`` and the trends notebook show, from a history already read."""
    values = values_table(history)
    checks = _pair_checks(history, _previous_rounds(values), banks or {})
    changes = changes_table(history, values, checks)
    progress = progress_table(values, changes)
    flags = tuple(dict.fromkeys([f for check in checks.values() for f in check.flags] + _unit_mix_flags(history)))
    return Comparison(history, values, changes, progress, ranking_table(progress), flags)
