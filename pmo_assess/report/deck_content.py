"""What a readout deck says, from ``scores@1`` unit objects: headline, gaps, disputes, waves, next steps.

Plain functions over the JSON dicts (the deck is written from scores.json, without rescoring); names
come from the questionnaire, ids only where the questionnaire does not know them.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from pmo_assess.model import Questionnaire
from pmo_assess.rounds.round_info import RoundInfo, round_info_from_json

if TYPE_CHECKING:
    from pmo_assess.roadmap.roadmap_file import Roadmap

#: Rows a table slide shows before saying how many more there are.
MAX_ROWS = 10
#: Initiatives listed per wave on the roadmap slide (the rest are counted).
ITEMS_PER_WAVE = 4


def names_of(questionnaire: Questionnaire) -> dict[str, str]:
    """Capability and dimension id → name."""
    return {**{d.id: d.name for d in questionnaire.dimensions}, **{c.id: c.name for c in questionnaire.capabilities}}


def as_round(round_info: RoundInfo | dict | None) -> RoundInfo | None:
    """A round given as RoundInfo or as the ``round`` object of a scores file."""
    return round_info if isinstance(round_info, RoundInfo) or round_info is None else round_info_from_json(round_info)


def score_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def level_text(entry: dict) -> str:
    """'2 evolving', or '–' for no level."""
    return "–" if entry.get("level") is None else f"{entry['level']} {entry.get('level_name') or ''}".strip()


def cover_lines(title_of: str, settings: Any, questionnaire: Questionnaire, round_info: RoundInfo | None) -> list[str]:
    """Under the cover title: what it is, for whom, when, which round, by whom, against which questionnaire."""
    when = round_info.assessed_on if round_info else dt.date.today()
    lines = [title_of]
    if settings.client:
        lines.append(settings.client)
    stamp = f"Assessed {when.day} {when:%B %Y}"
    if round_info and round_info.label:
        stamp += f" · round {round_info.label}"
    lines.append(stamp)
    by = ", ".join(x for x in (settings.assessor, settings.organisation) if x)
    if by:
        lines.append(f"Assessor: {by}")
    lines.append(f"Questionnaire: {questionnaire.id} {questionnaire.version}")
    return lines


def what_holds(unit: dict, questionnaire: Questionnaire) -> str:
    """Why the overall level is what it is: the explanation the scores carry, else one said from the levels."""
    overall = unit["overall"]
    if overall.get("explanation"):
        return overall["explanation"]
    if overall.get("level") is None:
        return "No counted answers, so there is no overall level."
    level, names = overall["level"], names_of(questionnaire)
    if level >= 4:
        return "The PMO is at the top level overall; keep it there by re-assessing regularly."
    dims = [d for d in unit["dimensions"] if d.get("level") is not None]
    lowest = min((d["level"] for d in dims), default=None)
    rules = questionnaire.scoring
    if rules.method == "staged" and lowest is not None and level >= lowest + 1:
        weakest = [names.get(d["id"], d["id"]) for d in dims if d["level"] == lowest]
        return (f"Overall level {level} ({overall['level_name']}) is as high as staged scoring allows while "
                f"{' and '.join(weakest)} {'is' if len(weakest) == 1 else 'are'} at level {lowest} "
                f"({questionnaire.level_name(lowest)}): {' and '.join(weakest)} must reach "
                f"{questionnaire.level_name(lowest + 1)} first.")
    threshold = rules.thresholds[level - 1]
    return (f"The overall score {overall['score']:.2f} is {threshold - overall['score']:.2f} below the "
            f"{threshold:.2f} needed for {questionnaire.level_name(level + 1)}.")


def dimension_rows(unit: dict, questionnaire: Questionnaire, previous: dict | None) -> tuple[list[str], list[list]]:
    """Header and rows of the dimension table (with the previous round's level when there is one)."""
    names = names_of(questionnaire)
    header = ["Dimension", "Score", "Level", "Target", "Gap", "Capped by"]
    before = {d["id"]: d for d in (previous or {}).get("dimensions", [])}
    if previous is not None:
        header.insert(3, "Previous level")
    rows = []
    for d in unit["dimensions"]:
        row = [names.get(d["id"], d["id"]), score_text(d.get("score")), level_text(d), d.get("target"),
               d.get("gap"), names.get(d["capped_by"], d["capped_by"]) if d.get("capped_by") else ""]
        if previous is not None:
            row.insert(3, level_text(before[d["id"]]) if d["id"] in before else "–")
        rows.append(row)
    return header, rows


def top_gaps(unit: dict) -> list[dict]:
    """Capabilities below target: largest gap first, then lowest level, then lowest score."""
    gaps = [c for c in unit["capabilities"] if (c.get("gap") or 0) > 0]
    return sorted(gaps, key=lambda c: (-c["gap"], c.get("level") or 0, c.get("score") or 0.0))


def gap_rows(unit: dict, questionnaire: Questionnaire) -> list[list]:
    names = names_of(questionnaire)
    return [[names.get(c["id"], c["id"]), names.get(c["dimension"], c["dimension"]), score_text(c.get("score")),
             level_text(c), c.get("target"), c["gap"]] for c in top_gaps(unit)]


def disputed_rows(unit: dict, questionnaire: Questionnaire) -> list[list]:
    """Disputed capabilities, widest spread first: name, spread (max − min), score, level, respondents."""
    names = names_of(questionnaire)
    found = [c for c in unit["capabilities"] if c.get("disputed")]
    found.sort(key=lambda c: -(c.get("spread") or 0.0))
    return [[names.get(c["id"], c["id"]), score_text(c.get("spread")), score_text(c.get("score")), level_text(c),
             c.get("respondents")] for c in found]


def wave_rows(roadmap: "Roadmap", questionnaire: Questionnaire, show_owner: bool) -> list[list]:
    """One row per wave: wave, dates, its initiatives (quick wins first) with the capability each serves."""
    names = names_of(questionnaire)
    rows = []
    for wave, items in roadmap.waves().items():
        dates = roadmap.wave_dates(wave)
        when = f"{dates[0]:%d %b %Y} – {dates[1]:%d %b %Y}" if dates else ""
        ordered = sorted(items, key=lambda i: (not i.quick_win, i.start or dt.date.max))
        listed = []
        for item in ordered:
            text = f"{item.title}{' (quick win)' if item.quick_win else ''}"
            if item.capability:
                text += f" — {names.get(item.capability, item.capability)}"
            if show_owner and item.owner:
                text += f"; owner {item.owner}"
            listed.append(text)
        if len(listed) > ITEMS_PER_WAVE:
            listed = listed[:ITEMS_PER_WAVE] + [f"… and {len(listed) - ITEMS_PER_WAVE} more in the roadmap"]
        rows.append([f"Wave {wave}", when, "\n".join(listed)])
    return rows


def next_steps(unit: dict, questionnaire: Questionnaire, roadmap: "Roadmap | None") -> list[str]:
    """A short list a sponsor can act on: what must move first, the largest gaps, disputes, the first wave."""
    names = names_of(questionnaire)
    steps = []
    overall = unit["overall"]
    dims = [d for d in unit["dimensions"] if d.get("level") is not None]
    if dims and overall.get("level") is not None and overall["level"] < 4 and questionnaire.scoring.method == "staged":
        lowest = min(d["level"] for d in dims)
        if overall["level"] >= lowest + 1:
            weakest = " and ".join(names.get(d["id"], d["id"]) for d in dims if d["level"] == lowest)
            steps.append(f"Lift {weakest} to {questionnaire.level_name(lowest + 1)} first: "
                         "it holds the overall level where it is.")
    for c in top_gaps(unit)[:3]:
        steps.append(f"Close the gap in {names.get(c['id'], c['id'])}: from {level_text(c)} to "
                     f"{c['target']} {questionnaire.level_name(c['target'])}.")
    disputed = [names.get(c["id"], c["id"]) for c in unit["capabilities"] if c.get("disputed")]
    if disputed:
        steps.append(f"Discuss the disputed capabilities with the respondents: {', '.join(disputed)}.")
    if roadmap is not None and roadmap.waves():
        first, items = next(iter(roadmap.waves().items()))
        quick = [i.title for i in items if i.quick_win][:3]
        steps.append(f"Start wave {first} of the roadmap ({len(items)} initiatives"
                     + (f"; quick wins first: {', '.join(quick)}" if quick else "") + ").")
    else:
        steps.append("Agree targets and priorities, then plan the roadmap (pmo-assess roadmap).")
    steps.append("Re-assess in the next round to measure progress against these levels.")
    return steps


def overview_rows(units: list[dict], questionnaire: Questionnaire) -> list[list]:
    """Portfolio: one row per unit — respondents, overall score and level, what caps it, its weakest dimension."""
    names = names_of(questionnaire)
    rows = []
    for unit in units:
        overall = unit["overall"]
        dims = [d for d in unit["dimensions"] if d.get("score") is not None]
        weakest = min(dims, key=lambda d: (d.get("level") or 0, d["score"]), default=None)
        rows.append([unit["business_unit"], unit.get("respondents"), score_text(overall.get("score")),
                     level_text(overall), names.get(overall.get("capped_by"), overall.get("capped_by") or ""),
                     names.get(weakest["id"], weakest["id"]) if weakest else "–"])
    return rows


def weakest_capability_rows(units: list[dict], questionnaire: Questionnaire, count: int = MAX_ROWS) -> list[list]:
    """Portfolio: the capabilities with the lowest mean score across units, with how many units sit at level 1."""
    names = names_of(questionnaire)
    collected: dict[str, list[dict]] = {}
    for unit in units:
        for c in unit["capabilities"]:
            collected.setdefault(c["id"], []).append(c)
    rows = []
    for cap_id, entries in collected.items():
        scored = [c["score"] for c in entries if c.get("score") is not None]
        if not scored:
            continue
        rows.append([names.get(cap_id, cap_id), sum(scored) / len(scored),
                     sum(1 for c in entries if c.get("level") == 1),
                     sum(1 for c in entries if (c.get("gap") or 0) > 0), len(scored)])
    rows.sort(key=lambda r: r[1])
    return [[r[0], f"{r[1]:.2f}", r[2], r[3], r[4]] for r in rows[:count]]


def portfolio_disputed_rows(units: list[dict], questionnaire: Questionnaire) -> list[list]:
    """Portfolio: every disputed capability of every unit, widest spread first."""
    names = names_of(questionnaire)
    found = [(u["business_unit"], c) for u in units for c in u["capabilities"] if c.get("disputed")]
    found.sort(key=lambda pair: -(pair[1].get("spread") or 0.0))
    return [[unit, names.get(c["id"], c["id"]), score_text(c.get("spread")), level_text(c)] for unit, c in found]
