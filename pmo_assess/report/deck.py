"""Readout decks (PPTX) for a unit and for the portfolio, written from ``scores@1`` unit objects.

A unit's deck: cover, headline level and what holds it, dimension radar against target, capability
heatmap, top gaps, disputed items for discussion, roadmap waves (when a roadmap exists) and next
steps. Titles, text and tables stay editable: heatmaps of a few columns (a unit's capabilities, the
portfolio's levels per dimension) are tables coloured on the level scale; the radar and the portfolio's
units × capabilities are pictures. No respondent is named anywhere, and the document properties carry
only the assessor (or "pmo-assess").
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.colors import to_hex
from pptx.dml.color import RGBColor
from pptx.util import Inches

from pmo_assess import __version__
from pmo_assess.charts.heatmap import DARK_TEXT, NO_VALUE, heatmap, level_colours
from pmo_assess.charts.radar import radar_chart
from pmo_assess.model import Questionnaire
from pmo_assess.report import deck_content as content
from pmo_assess.report.deck_pptx import (Box, add_figure, add_slide, add_table, add_text, add_title_slide,
                                         open_presentation, save_deck, set_properties)
from pmo_assess.report.settings import ReportSettings
from pmo_assess.rounds.round_info import RoundInfo

if TYPE_CHECKING:
    from pmo_assess.roadmap.roadmap_file import Roadmap

MAX_ROWS = content.MAX_ROWS
#: Units in the portfolio's levels table: as many as stay legible on the slide (text shrinks to 6 pt at most).
MAX_HEAT_ROWS = 40
#: Height of the colour key under a heat table.
KEY_HEIGHT = Inches(0.4)


def _more(box: Box, slide, shown: int, total: int) -> Box:
    """Room for the table, with a line under it naming how many rows are left out (if any)."""
    if total <= shown:
        return box
    note = Box(box.left, box.top + box.height - Inches(0.4), box.width, Inches(0.4))
    add_text(slide, note, [f"… and {total - shown} more in the report."], size=12)
    return Box(box.left, box.top, box.width, box.height - Inches(0.5))


def _table_slide(deck, title: str, template: bool, header: list[str], rows: list[list], empty: str,
                 widths: list[float] | None = None, intro: str = "", size: float = 12) -> None:
    """A slide holding one table (at most MAX_ROWS rows), or a sentence when there is nothing to list."""
    slide, box = add_slide(deck, title, template)
    if intro:
        add_text(slide, Box(box.left, box.top, box.width, Inches(0.6)), [intro], size=14)
        box = Box(box.left, box.top + Inches(0.7), box.width, box.height - Inches(0.7))
    if not rows:
        add_text(slide, box, [empty], size=18)
        return
    box = _more(box, slide, MAX_ROWS, len(rows))
    add_table(slide, box, header, rows[:MAX_ROWS], widths, size=size)


def _radar(unit: dict, questionnaire: Questionnaire):
    names = content.names_of(questionnaire)
    dims = unit["dimensions"]
    targets = [d.get("target") for d in dims]
    return radar_chart([names.get(d["id"], d["id"]) for d in dims], [d.get("level") for d in dims],
                       targets if any(t is not None for t in targets) else None,
                       level_names=[questionnaire.level_name(v) for v in (1, 2, 3, 4)])


def _level_fill(value: float | None) -> tuple[RGBColor, RGBColor]:
    """A cell's fill and text colour for a value on the 1-4 level scale, as the heatmaps colour it (grey: none)."""
    if value is None:
        return RGBColor.from_string(NO_VALUE[1:]), RGBColor.from_string(DARK_TEXT[1:])
    fill, text = level_colours(value)
    return RGBColor(*(round(255 * part) for part in fill)), RGBColor.from_string(to_hex(text)[1:])


def _heat_table(slide, box: Box, corner: str, columns: list[str], rows: list[tuple[str, list[tuple]]],
                questionnaire: Questionnaire, legend: str, widths: list[float]) -> None:
    """A heatmap as a table: ``rows`` of (name, [(value, text), ...]), each cell coloured by its value on the 1-4
    scale (grey: none), with the scale spelled out under it. Editable, legible at any size, and no picture to draw."""
    colours = {(r, c): _level_fill(value) for r, (_, cells) in enumerate(rows, start=1)
               for c, (value, _) in enumerate(cells, start=1)}
    gap = Inches(0.15)
    height = add_table(slide, Box(box.left, box.top, box.width, box.height - KEY_HEIGHT - gap), [corner, *columns],
                       [[name, *(text for _, text in cells)] for name, cells in rows], widths=widths, size=11,
                       colours=colours)
    missing = any(value is None for _, cells in rows for value, _ in cells)
    key = [f"Colour: {legend}", *(f"{v} {questionnaire.level_name(v)}" for v in (1, 2, 3, 4)),
           *(["no score"] if missing else [])]
    add_table(slide, Box(box.left, box.top + height + gap, box.width, KEY_HEIGHT), key, [],
              widths=[2.6] + [1.9] * (len(key) - 1), size=11,
              colours={(0, c): _level_fill(c if c <= 4 else None) for c in range(1, len(key))})


def _capability_heat_table(slide, box: Box, unit: dict, questionnaire: Questionnaire) -> None:
    """Capabilities × score, level and target, coloured on the 1-4 scale and written in words."""
    names = content.names_of(questionnaire)
    caps = unit["capabilities"]
    columns = [("Score", "score", lambda c: content.score_text(c["score"])), ("Level", "level", content.level_text)]
    if any(c.get("target") is not None for c in caps):
        columns.append(("Target", "target", lambda c: f"{c['target']} {questionnaire.level_name(c['target'])}"))
    rows = [(names.get(cap["id"], cap["id"]),
             [(cap.get(key), "" if cap.get(key) is None else said(cap)) for _, key, said in columns]) for cap in caps]
    _heat_table(slide, box, "Capability", [name for name, _, _ in columns], rows, questionnaire,
                "score / level (1-4)", [4.2, 1.3, 2.5, 2.5][:len(columns) + 1])


def _portfolio_levels(slide, box: Box, units: list[dict], questionnaire: Questionnaire) -> None:
    """Units × dimensions (and overall), each cell the unit's level, coloured on the 1-4 scale."""
    names = content.names_of(questionnaire)
    dims = list(dict.fromkeys(d["id"] for u in units for d in u["dimensions"]))
    rows = []
    for unit in units:
        levels = {d["id"]: d.get("level") for d in unit["dimensions"]}
        cells = [*(levels.get(d) for d in dims), unit["overall"].get("level")]
        rows.append((unit["business_unit"], [(level, "" if level is None else str(level)) for level in cells]))
    box = _more(box, slide, MAX_HEAT_ROWS, len(rows))
    _heat_table(slide, box, "Business unit", [*(names.get(d, d) for d in dims), "Overall"], rows[:MAX_HEAT_ROWS],
                questionnaire, "level (1-4)", [3.2] + [1.5] * (len(dims) + 1))


def warm_up() -> None:
    """Do once, in a process that will write decks (a batch kernel's warm-up), what its first deck would pay for:
    python-pptx's default template parsed, matplotlib's fonts, polar axes, level colours and PNG writer loaded."""
    slide, box = add_slide(open_presentation(None), "warm-up", template=False)
    add_figure(slide, box, radar_chart(["a", "b", "c"], [1, 2, 3], [2, 3, 4]))
    level_colours(1.0)


def write_unit_deck(unit: dict, questionnaire: Questionnaire, path: Path, settings: ReportSettings,
                    roadmap: "Roadmap | None" = None, previous: dict | None = None, *,
                    round_info: RoundInfo | dict | None = None) -> Path:
    """Write one unit's readout deck to ``path`` (atomically) and return the path.

    ``unit`` is one element of scores.json's ``units``; ``previous`` the same unit in the previous round;
    ``round_info`` the scores file's top-level ``round`` (or a RoundInfo). A broken ``settings.pptx_template``
    raises InputErrors naming it.
    """
    deck = open_presentation(settings.pptx_template)
    template = settings.pptx_template is not None
    name = unit["business_unit"]
    stamp = content.as_round(round_info)
    add_title_slide(deck, name, content.cover_lines("PMO maturity assessment — readout", settings, questionnaire,
                                                   stamp), template)
    _headline_slide(deck, unit, questionnaire, previous, template)

    slide, box = add_slide(deck, "Dimensions: current level against target", template)
    add_figure(slide, box, _radar(unit, questionnaire))
    slide, box = add_slide(deck, "Capabilities: score, level and target", template)
    _capability_heat_table(slide, box, unit, questionnaire)

    has_targets = any(c.get("target") is not None for c in unit["capabilities"])
    _table_slide(deck, "Top gaps to target", template, ["Capability", "Dimension", "Score", "Level", "Target", "Gap"],
                 content.gap_rows(unit, questionnaire),
                 "Every capability is at or above its target." if has_targets else
                 "No targets were given, so there are no gaps to rank: agree target levels first.",
                 widths=[3.2, 1.6, 0.9, 2.0, 0.9, 0.7])
    _table_slide(deck, "Disputed items for discussion", template,
                 ["Capability", "Spread (max−min)", "Score", "Level", "Respondents"],
                 content.disputed_rows(unit, questionnaire),
                 f"No capability is disputed: respondents' scores are less than "
                 f"{questionnaire.scoring.dispute_range:g} apart everywhere.",
                 widths=[3.4, 1.6, 1.0, 2.0, 1.2],
                 intro=f"Respondents' capability scores differ by {questionnaire.scoring.dispute_range:g} or more: "
                       "agree what is true before acting on these levels.")
    if roadmap is not None:
        _table_slide(deck, "Roadmap waves", template, ["Wave", "Dates", "Initiatives (quick wins first)"],
                     content.wave_rows(roadmap, questionnaire, show_owner=not settings.anonymise),
                     "The roadmap has no scheduled initiatives yet.", widths=[1.0, 2.4, 7.0], size=11)
    slide, box = add_slide(deck, "Next steps", template)
    add_text(slide, box, content.next_steps(unit, questionnaire, roadmap), size=18, bullets=True)

    _properties(deck, settings, f"{name} — PMO maturity readout", questionnaire, stamp)
    return save_deck(deck, path, settings.pptx_template)


def _headline_slide(deck, unit: dict, questionnaire: Questionnaire, previous: dict | None, template: bool) -> None:
    overall = unit["overall"]
    heading = "Overall: no level" if overall.get("level") is None else f"Overall: level {content.level_text(overall)}"
    slide, box = add_slide(deck, heading, template)
    said = [f"Overall score {content.score_text(overall.get('score'))} from {unit.get('respondents', 0)} respondents.",
            content.what_holds(unit, questionnaire)]
    if previous is not None:
        before = previous.get("overall", {})
        said.append(f"Previous round: level {content.level_text(before)}, score "
                    f"{content.score_text(before.get('score'))}.")
    top = Box(box.left, box.top, box.width, Inches(2.3))
    add_text(slide, top, said, size=16, first_bold=True)
    header, rows = content.dimension_rows(unit, questionnaire, previous)
    add_table(slide, Box(box.left, box.top + Inches(2.4), box.width, box.height - Inches(2.4)), header, rows)


def _properties(deck, settings: ReportSettings, title: str, questionnaire: Questionnaire,
                stamp: RoundInfo | None) -> None:
    round_text = f"; round {stamp.name}" if stamp else ""
    set_properties(deck, author=settings.assessor or "pmo-assess", title=title,
                   subject="PMO maturity assessment",
                   keywords=f"PMO maturity; {questionnaire.id} {questionnaire.version}{round_text}",
                   comments=f"Written by pmo-assess {__version__} from scores@1")


def write_portfolio_deck(units: list[dict], questionnaire: Questionnaire, path: Path, settings: ReportSettings, *,
                         round_info: RoundInfo | dict | None = None) -> Path:
    """Write the cross-unit readout deck to ``path`` (atomically) and return the path."""
    deck = open_presentation(settings.pptx_template)
    template = settings.pptx_template is not None
    stamp = content.as_round(round_info)
    organisation = settings.client or "Portfolio"
    add_title_slide(deck, organisation, content.cover_lines("PMO maturity across business units — readout",
                                                            settings, questionnaire, stamp), template)
    _table_slide(deck, f"{len(units)} business units at a glance", template,
                 ["Business unit", "Respondents", "Score", "Level", "Capped by", "Weakest dimension"],
                 content.overview_rows(units, questionnaire), "No units were scored.",
                 widths=[2.8, 1.3, 0.9, 2.0, 1.8, 1.8])
    if units:
        slide, box = add_slide(deck, "Levels per dimension", template)
        _portfolio_levels(slide, box, units, questionnaire)
        slide, box = add_slide(deck, "Capability scores across units", template)
        add_figure(slide, box, _portfolio_scores(units, questionnaire))
    _table_slide(deck, "Weakest capabilities across units", template,
                 ["Capability", "Mean score", "Units at level 1", "Units below target", "Units scored"],
                 content.weakest_capability_rows(units, questionnaire), "No capability has a score.",
                 widths=[3.4, 1.3, 1.5, 1.6, 1.3])
    _table_slide(deck, "Disputed items for discussion", template,
                 ["Business unit", "Capability", "Spread (max−min)", "Level"],
                 content.portfolio_disputed_rows(units, questionnaire),
                 "No capability is disputed in any unit.", widths=[2.6, 3.2, 1.6, 2.0])
    slide, box = add_slide(deck, "Next steps", template)
    add_text(slide, box, _portfolio_steps(units, questionnaire), size=18, bullets=True)
    _properties(deck, settings, f"{organisation} — PMO maturity across business units", questionnaire, stamp)
    return save_deck(deck, path, settings.pptx_template)


def _portfolio_scores(units: list[dict], questionnaire: Questionnaire):
    names = content.names_of(questionnaire)
    rows = {u["business_unit"]: {names.get(c["id"], c["id"]): c.get("score") for c in u["capabilities"]}
            for u in units}
    return heatmap(pd.DataFrame.from_dict(rows, orient="index", dtype=float),
                   thresholds=questionnaire.scoring.thresholds, level_names=[questionnaire.level_name(v) for v in (1, 2, 3, 4)])


def _portfolio_steps(units: list[dict], questionnaire: Questionnaire) -> list[str]:
    """Where to start across the organisation: the lowest units, the commonest weak capabilities, disputes."""
    steps = []
    levelled = [u for u in units if u["overall"].get("level") is not None]
    if levelled:
        lowest = min(u["overall"]["level"] for u in levelled)
        names = [u["business_unit"] for u in levelled if u["overall"]["level"] == lowest]
        steps.append(f"Support first the units at level {lowest} ({questionnaire.level_name(lowest)}) overall: "
                     f"{', '.join(names)}.")
    weakest = content.weakest_capability_rows(units, questionnaire, count=3)
    if weakest:
        steps.append("Build shared practice where units are weakest: "
                     + ", ".join(f"{row[0]} (mean {row[1]})" for row in weakest) + ".")
    disputed = content.portfolio_disputed_rows(units, questionnaire)
    if disputed:
        steps.append(f"Resolve {len(disputed)} disputed capability score(s) with the units' respondents.")
    steps.append("Re-assess every unit in the next round and compare rounds (pmo-assess compare).")
    return steps
