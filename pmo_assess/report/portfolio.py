"""The cross-unit view: per-unit ``scores@1`` objects rolled up across the organisation.

Units come from a folder of ``scores.json`` files (a batch's ``units/``) or, without one, straight
from answer files scored here. The organisation's score per dimension is the plain mean of its
units' scores (each unit counts once, whatever its size); its level is the level of that mean.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.export.scores import SCHEMA, scores_to_dict
from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.io.targets import load_targets
from pmo_assess.model import Questionnaire, Scoring
from pmo_assess.report.paths import resolve_input, resolve_inputs
from pmo_assess.scoring import compute_gaps, score_answers


@dataclass(frozen=True)
class Portfolio:
    """The units' scores@1 entries (sorted by name) and the questionnaire that names their ids."""

    questionnaire: Questionnaire
    units: list[dict]

    @property
    def names(self) -> list[str]:
        return [u["business_unit"] for u in self.units]


def read_scores_object(path: Path, questionnaire: Questionnaire) -> dict:
    """A scores@1 file's whole object, checked to be one and to be for ``questionnaire``; InputErrors if not."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputErrors([InputProblem(str(path), "", f"cannot be read as JSON: {exc}")]) from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise InputErrors([InputProblem(str(path), "schema", f"not a {SCHEMA} file")])
    named = (data.get("questionnaire") or {}).get("id")
    if named != questionnaire.id:
        raise InputErrors([InputProblem(str(path), "questionnaire.id",
                                        f"scores are for questionnaire {named!r}, not {questionnaire.id!r}")])
    return data


def _read_scores_file(path: Path, questionnaire: Questionnaire) -> list[dict]:
    return list(read_scores_object(path, questionnaire).get("units") or [])


def load_scores_folder(folder: str | Path, questionnaire: Questionnaire) -> list[dict]:
    """Every unit in the ``scores.json`` files under ``folder`` (recursively; hidden, unfinished folders skipped)."""
    root = resolve_input(folder)
    if not root.is_dir():
        raise InputErrors([InputProblem(str(folder), "", "scores folder not found")])
    files = sorted(p for p in root.rglob("scores.json")
                   if not any(part.startswith(".") for part in p.relative_to(root).parts))
    if not files:
        raise InputErrors([InputProblem(str(root), "", "no scores.json files in this folder")])
    units, problems, seen = [], [], {}
    for path in files:
        try:
            for unit in _read_scores_file(path, questionnaire):
                name = unit.get("business_unit")
                if name in seen:
                    problems.append(InputProblem(str(path), "business_unit",
                                                 f"unit {name!r} is also in {seen[name]}"))
                seen[name] = path
                units.append(unit)
        except InputErrors as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputErrors(problems)
    return units


def load_portfolio(scores_dir: str, answers: str | list[str], questionnaire: str, targets: str = "") -> Portfolio:
    """Units from ``scores_dir`` if given, else scored from ``answers`` (and ``targets``) directly."""
    bank = load_questionnaire(resolve_input(questionnaire))
    if scores_dir:
        units = load_scores_folder(scores_dir, bank)
    else:
        goals = load_targets(resolve_input(targets), bank) if targets else None
        scores = score_answers(read_answers(resolve_inputs(answers), bank), bank)
        units = scores_to_dict(scores, compute_gaps(scores, goals) if goals else None)["units"]
    return Portfolio(bank, sorted(units, key=lambda u: str(u["business_unit"]).casefold()))


def _value(entry: dict, key: str) -> float:
    value = entry.get(key)
    return np.nan if value is None else float(value)


def capability_matrix(portfolio: Portfolio) -> pd.DataFrame:
    """Units (rows) × capabilities (columns, questionnaire order) of capability scores."""
    q = portfolio.questionnaire
    rows = [[_value(c, "score") for c in unit["capabilities"]] for unit in portfolio.units]
    ids = [c["id"] for c in portfolio.units[0]["capabilities"]] if portfolio.units else []
    names = {c.id: c.name for c in q.capabilities}
    return pd.DataFrame(rows, index=portfolio.names, columns=[names.get(i, i) for i in ids])


def dimension_levels(portfolio: Portfolio) -> pd.DataFrame:
    """Units (rows) × dimensions: each unit's level per dimension, plus its overall level."""
    q = portfolio.questionnaire
    names = {d.id: d.name for d in q.dimensions}
    rows = []
    for unit in portfolio.units:
        row = {names.get(d["id"], d["id"]): _value(d, "level") for d in unit["dimensions"]}
        row["Overall"] = _value(unit["overall"], "level")
        rows.append(row)
    return pd.DataFrame(rows, index=portfolio.names)


def _capability_levels(unit: dict) -> dict[str, int | None]:
    return {c["id"]: c.get("level") for c in unit.get("capabilities") or []}


def progress_to_target(portfolio: Portfolio, previous: list[dict] | None = None) -> pd.DataFrame:
    """Per unit: how far its capabilities have climbed from the baseline towards their targets.

    The baseline of a capability is level 1 (where every capability starts), or its level in the previous
    round when ``previous`` holds the unit and the capability. Per capability with a target t, baseline b
    and level now l: to climb = max(0, t − b), climbed = min(max(0, l − b), to climb); an unassessed
    capability (no level now) counts as still at its baseline, so it stays in the denominator and is
    counted in "unassessed". Progress = Σ climbed / Σ to climb (100 % when nothing was left to climb).
    """
    before = {u["business_unit"]: _capability_levels(u) for u in previous or []}
    rows = []
    for unit in portfolio.units:
        base = before.get(unit["business_unit"], {})
        to_climb = climbed = with_target = unassessed = at_target = 0
        for cap in unit["capabilities"]:
            target = cap.get("target")
            if target is None:
                continue
            with_target += 1
            start = base.get(cap["id"]) or 1
            level = cap.get("level")
            unassessed += level is None
            at_target += level is not None and level >= target
            need = max(0, target - start)
            to_climb += need
            climbed += min(max(0, (level if level is not None else start) - start), need)
        rows.append({"business unit": unit["business_unit"], "capabilities with a target": with_target,
                     "at target": at_target, "unassessed": unassessed, "levels to climb": to_climb,
                     "levels climbed": climbed,
                     "progress to target": (climbed / to_climb if to_climb else 1.0) if with_target else None,
                     "measured from": "previous round" if unit["business_unit"] in before else "level 1"})
    return pd.DataFrame(rows)


def previous_overall(portfolio: Portfolio, previous: list[dict]) -> pd.DataFrame:
    """Per unit: the previous round's overall level and score beside this round's, and the change in score."""
    before = {u["business_unit"]: u.get("overall") or {} for u in previous}
    rows = []
    for unit in portfolio.units:
        old, new = before.get(unit["business_unit"]), unit.get("overall") or {}
        change = None
        if old and old.get("score") is not None and new.get("score") is not None:
            change = round(new["score"] - old["score"], 2)
        rows.append({"business unit": unit["business_unit"],
                     "previous level": old.get("level") if old else None,
                     "previous score": old.get("score") if old else None,
                     "level": new.get("level"), "score": new.get("score"), "change in score": change})
    return pd.DataFrame(rows)


def weakest_capabilities(portfolio: Portfolio, count: int = 5) -> pd.DataFrame:
    """The capabilities with the lowest mean score across units, with how many units sit at level 1 or below target."""
    q = portfolio.questionnaire
    frame = pd.DataFrame([{"id": c["id"], "score": _value(c, "score"), "level": _value(c, "level"),
                           "gap": _value(c, "gap")} for u in portfolio.units for c in u["capabilities"]])
    if frame.empty:
        return pd.DataFrame(columns=["capability", "dimension", "mean score", "lowest level",
                                     "units at level 1", "units below target"])
    grouped = frame.groupby("id", sort=False)
    table = pd.DataFrame({
        "mean score": grouped["score"].mean(),
        "lowest level": grouped["level"].min().astype("Int64"),
        "units at level 1": grouped["level"].apply(lambda s: int((s == 1).sum())),
        "units below target": grouped["gap"].apply(lambda s: int((s > 0).sum())),
    })
    table = table.dropna(subset=["mean score"]).sort_values("mean score", kind="stable").head(count)
    caps = {c.id: c for c in q.capabilities}
    table.insert(0, "dimension", [q.dimension(caps[i].dimension).name if i in caps else "" for i in table.index])
    table.insert(0, "capability", [caps[i].name if i in caps else i for i in table.index])
    table["mean score"] = table["mean score"].round(2)
    return table.reset_index(drop=True)


def organisation_rollup(portfolio: Portfolio, previous: list[dict] | None = None) -> pd.DataFrame:
    """Per dimension and overall: mean unit score, the level of that mean, the lowest and highest unit levels
    and their spread (max − min); with ``previous``, the previous round's mean score and level beside them."""
    rows = _rollup_rows(portfolio.questionnaire, portfolio.units)
    if previous:
        earlier = {r["area"]: r for r in _rollup_rows(portfolio.questionnaire, previous)}
        for row in rows:
            row["previous mean score"] = earlier[row["area"]]["mean score"]
            row["previous level"] = earlier[row["area"]]["level"]
    return pd.DataFrame(rows)


def _rollup_rows(q: Questionnaire, units: list[dict]) -> list[dict]:
    scoring: Scoring = q.scoring
    parts = [(d.name, [next((x for x in u["dimensions"] if x["id"] == d.id), {}) for u in units])
             for d in q.dimensions]
    parts.append(("Overall", [u["overall"] for u in units]))
    rows = []
    for name, entries in parts:
        scores = np.array([_value(e, "score") for e in entries], dtype=float)
        levels = np.array([_value(e, "level") for e in entries], dtype=float)
        mean = float(np.nanmean(scores)) if np.isfinite(scores).any() else None
        level = scoring.level_of(mean)
        low = int(np.nanmin(levels)) if np.isfinite(levels).any() else None
        high = int(np.nanmax(levels)) if np.isfinite(levels).any() else None
        rows.append({
            "area": name, "units": int(np.isfinite(scores).sum()),
            "mean score": None if mean is None else round(mean, 2),
            "level": level, "level name": q.level_name(level),
            "lowest unit level": low, "highest unit level": high,
            "level spread (max − min)": None if low is None else high - low,
        })
    return rows
