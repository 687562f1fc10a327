"""The comparison as text for a terminal: rounds and flags, regressions, units ranked, then each unit."""
from __future__ import annotations

import math
import textwrap

import pandas as pd

from pmo_assess.rounds.comparison import ORGANISATION, ORGANISATION_RULE, Comparison
from pmo_assess.rounds.roadmap_effect import stalled_capabilities
from pmo_assess.rounds.views import movements, units_table

NAME_WIDTH = 30


def _num(value: float, digits: int = 2) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def _level(value: float) -> str:
    return "-" if value is None or math.isnan(value) else f"L{int(value)}"


def _percent(value: float) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.0%}"


def _signed(value: float) -> str:
    return "" if value is None or math.isnan(value) else f"{value:+.2f}"


def _move_line(row: dict, with_unit: bool) -> str:
    name = "Organisation" if row["business_unit"] == ORGANISATION else row["business_unit"]
    unit = f"{name}: " if with_unit else ""
    what = f"{row['kind']} {row['id']}" if row["kind"] != "overall" else "overall"
    if row["status"] in ("rose", "fell"):
        flag = "  (scored differently)" if row["method_changed"] else ""
        return (f"{unit}{what} {_level(row['level_before'])} → {_level(row['level'])} "
                f"(score {_num(row['score_before'])} → {_num(row['score'])}){flag}")
    if row["status"] == "new":
        return f"{unit}{what}: new in {row['to']} ({_level(row['level'])})"
    if row["status"] == "no longer assessed":
        return f"{unit}{what}: last assessed in {row['from']} ({_level(row['level_before'])})"
    return f"{unit}{what}: not comparable — {row['reason']}"


def _header(comparison: Comparison) -> list[str]:
    parts = [f"{r.name} ({r.info.assessed_on}, {len(r.units)} unit{'s' if len(r.units) != 1 else ''})"
             for r in comparison.history.rounds]
    lines = ["Rounds compared: " + " → ".join(parts)]
    if comparison.flags:
        lines += ["Flags:"] + [f"  ! {flag}" for flag in comparison.flags]
    return lines


def _ranking(comparison: Comparison) -> list[str]:
    lines = ["", "Units ranked by progress to target since their first round (levels gained / levels needed, "
                 "capabilities)",
             f"  {'rank':>4}  {'unit':{NAME_WIDTH}} {'rounds':>6}  {'overall first → latest':>24}  "
             f"{'gained/needed':>13}  progress"]
    last = len(comparison.history.rounds) - 1
    latest_round = comparison.values.groupby("business_unit")["round"].max()
    gone = []
    for row in comparison.ranking.itertuples():
        overall = f"{_num(row.overall_first)} → {_num(row.overall_latest)} {_signed(row.overall_change):>5}"
        needed = "-" if math.isnan(row.levels_needed) else f"{row.levels_gained:.0f} / {row.levels_needed:.0f}"
        lines.append(f"  {row.rank:>4}  {row.business_unit[:NAME_WIDTH]:{NAME_WIDTH}} {row.rounds:>6}  "
                     f"{overall:>24}  {needed:>13}  {_percent(row.progress)}")
        latest = latest_round[row.business_unit]
        if latest != last:
            gone.append(f"{row.business_unit} (last in {comparison.round_names[latest]})")
    if gone:
        lines.append("  Not assessed in the latest round: " + ", ".join(gone))
    return lines


def _unit_block(unit: str, rows: list[dict], round_names: list[str], moved: list[dict]) -> list[str]:
    """One unit: what moved (regressions first), then every row across the rounds it was assessed in."""
    rounds = [r for r in round_names if any(row[f"{r} score"] == row[f"{r} score"] for row in rows)]
    title = "Organisation (mean of the units assessed in each round)" if unit == ORGANISATION else unit
    lines = ["", title]
    if unit == ORGANISATION:
        lines += textwrap.wrap(ORGANISATION_RULE, 112, initial_indent="  ", subsequent_indent="  ")
    for status, heading in (("fell", "Fell (regressions)"), ("rose", "Rose"), ("new", "New"),
                            ("no longer assessed", "No longer assessed"), ("not comparable", "Not comparable")):
        picked = [row for row in moved if row["status"] == status]
        if picked:
            lines.append(f"  {heading} since {picked[0]['from']}:")
            lines += [f"    {_move_line(row, False)}" for row in picked]
    cells = "".join(f" {name[:11]:>11}" for name in rounds)
    lines.append(f"  {'':{NAME_WIDTH}}{cells}  {'change':>6} {'target':>6} {'progress':>8}  status")
    for row in rows:
        name = (("  " if row["kind"] == "capability" else "") + str(row["id"]))[:NAME_WIDTH]
        cells = "".join(f" {_num(row[f'{r} score']):>6} {_level(row[f'{r} level']):>4}" for r in rounds)
        status = row["status"] if row["status"] != "not comparable" else f"not comparable: {row['reason']}"
        lines.append(f"  {name:{NAME_WIDTH}}{cells}  {_signed(row['score_change']):>6} "
                     f"{_level(row['target']):>6} {_percent(row['progress']):>8}  {status}".rstrip())
    return lines


def comparison_to_text(comparison: Comparison, units: list[str] | None = None, roadmap: pd.DataFrame | None = None
                       ) -> str:
    """The whole comparison as readable text (``units`` limits the per-unit blocks)."""
    lines = _header(comparison)
    moved = movements(comparison)
    regressions = moved[moved["status"] == "fell"].to_dict("records")
    lines += ["", f"Regressions in the latest round ({len(regressions)}):"]
    lines += [f"  {_move_line(row, True)}" for row in regressions] or ["  none"]
    lines += _ranking(comparison)
    shown = [ORGANISATION] + [u for u in comparison.history.units if units is None or u in units]
    tables: dict[str, list[dict]] = {}
    for row in units_table(comparison).to_dict("records"):
        tables.setdefault(row["business_unit"], []).append(row)
    by_unit: dict[str, list[dict]] = {}
    for row in moved.to_dict("records"):
        by_unit.setdefault(row["business_unit"], []).append(row)
    names = [n for n in comparison.round_names if f"{n} score" in next(iter(tables.values()))[0]]
    for unit in shown:
        lines += _unit_block(unit, tables[unit], names, by_unit.get(unit, []))
    if roadmap is not None:
        lines += _roadmap_block(roadmap)
    return "\n".join(lines) + "\n"


def _roadmap_block(gained: pd.DataFrame) -> list[str]:
    lines = ["", "Is the roadmap working? Initiatives done between rounds against the levels gained"]
    if gained.empty:
        return lines + ["  no roadmap item marked done between two rounds"]
    lines.append(f"  {'unit':24} {'capability':26} {'between':19} {'done':>4} {'projected':>9} {'level':>9}  verdict")
    for _, row in gained.iterrows():
        between = f"{row['from']} → {row['to']}"
        level = f"{_level(row['level_before'])} → {_level(row['level_after'])}"
        lines.append(f"  {row['business_unit'][:24]:24} {row['capability'][:26]:26} {between[:19]:19} "
                     f"{row['initiatives_done']:>4} {_level(row['projected_level']):>9} {level:>9}  {row['verdict']}")
    stalled = stalled_capabilities(gained)
    if not stalled.empty:
        lines.append("  Work done but the level did not move: " + ", ".join(
            f"{r.business_unit} {r.capability} ({r.items})" for r in stalled.itertuples()))
    return lines
