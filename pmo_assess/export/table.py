"""The readable text table of ``pmo-assess score``: names, marks for capped (▼) and borderline (±) levels, a legend.

Built from the scores@1 dicts so the table and the JSON never disagree; ``explain=True`` adds the
explanation sentences under each unit.
"""
from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from pmo_assess.explain import BORDERLINE_MARGIN, nearest_threshold
from pmo_assess.export.scores import ScoreColumns, unit_to_dict
from pmo_assess.scoring import Gaps, Scores

if TYPE_CHECKING:
    from pmo_assess.model import Questionnaire
    from pmo_assess.rounds.round_info import RoundInfo

#: Marks after a level in the table (the legend under the table says what they mean).
CAPPED_MARK = "▼"
BORDERLINE_MARK = "±"
#: Header of the max − min column: the same word and meaning as ``spread`` in scores@1.
SPREAD_HEADER = "spread (max−min)"
#: Widest name column (longer names are cut with '…'); explanations wrap at this width.
NAME_WIDTH_MAX = 44
WRAP_WIDTH = 100


def display_names(items: list[Any]) -> dict[str, str]:
    """Id → name for capabilities or dimensions; a name two of them share gets its id in brackets."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item.name] = counts.get(item.name, 0) + 1
    return {item.id: item.name if counts[item.name] == 1 else f"{item.name} [{item.id}]" for item in items}


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _cut(name: str, width: int) -> str:
    return name if len(name) <= width else name[:width - 1] + "…"


def level_marks(questionnaire: Questionnaire, score: float, capped_by: str | None) -> str:
    """'▼' when staged scoring capped the level, '±' when the (unrounded) score is borderline; both or neither."""
    marks = CAPPED_MARK if capped_by else ""
    if nearest_threshold(score, questionnaire.scoring.thresholds) is not None:
        marks += BORDERLINE_MARK
    return marks


def legend(questionnaire: Questionnaire) -> list[str]:
    """The lines under the table saying what the marks and the spread column mean."""
    thresholds = ", ".join(f"{t:.2f}" for t in questionnaire.scoring.thresholds)
    return [
        f"{CAPPED_MARK} capped: staged scoring holds the level one above its weakest part (named in notes),",
        "  below what the score alone gives.",
        f"{BORDERLINE_MARK} borderline: the score is within {BORDERLINE_MARGIN:.2f} of a level threshold "
        f"({thresholds});",
        "  --explain says what holds each such level.",
        f"{SPREAD_HEADER}: highest minus lowest respondent score in the capability; disputed when at least "
        f"{questionnaire.scoring.dispute_range:.2f}.",
        "Levels: " + ", ".join(f"{v} {questionnaire.level_name(v)}" for v in (1, 2, 3, 4)) + ".",
    ]


def _explanations(unit: dict) -> list[str]:
    """The unit's explanation sentences (overall, dimensions, capabilities), wrapped as a list."""
    found = [unit["overall"].get("explanation")]
    found += [d.get("explanation") for d in unit["dimensions"]]
    found += [c.get("explanation") for c in unit["capabilities"]]
    lines = ["  Why these levels (capped or borderline):"]
    for text in filter(None, found):
        lines += textwrap.wrap(text, WRAP_WIDTH, initial_indent="  - ", subsequent_indent="    ",
                               break_on_hyphens=False, break_long_words=False)
    return lines if len(lines) > 1 else lines + ["  - nothing is capped or borderline."]


def scores_to_table(scores: Scores, gaps: Gaps | None = None, *, explain: bool = False,
                    round_info: RoundInfo | None = None) -> str:
    """A readable block per unit (overall, then each dimension with its capabilities), then the legend."""
    q = scores.questionnaire
    caps, dims = display_names(list(q.capabilities)), display_names(list(q.dimensions))
    width = min(NAME_WIDTH_MAX, max([len(n) + 2 for n in caps.values()] + [len(n) for n in dims.values()] + [30]))
    header = (f"  {'':{width}} {'score':>5}  {'level':<21} {'target':>6} {'gap':>3} {SPREAD_HEADER:>16} "
              f"{'cover':>5}  notes")
    lines = []
    if round_info is not None:
        label = f"round {round_info.label}, " if round_info.label else ""
        lines += [f"Assessment {label}assessed on {round_info.assessed_on.isoformat()}", ""]
    columns = ScoreColumns(scores, gaps)
    for u in range(len(scores.units)):
        unit = unit_to_dict(scores, u, gaps, columns)
        o = unit["overall"]
        capped = f", capped by {dims.get(o['capped_by'], o['capped_by'])}" if o["capped_by"] else ""
        marks = level_marks(q, columns.overall_score[u], o["capped_by"])
        people = f"{unit['respondents']} respondent{'s' if unit['respondents'] != 1 else ''}"
        lines.append(f"{unit['business_unit']} — {people} — overall "
                     f"{_fmt(o['score'])} {o['level'] or '-'} {o['level_name'] or ''} {marks}".rstrip() + capped)
        lines.append(header)
        caps_by_dim: dict[str, list[tuple[int, dict]]] = {}
        for c, entry in enumerate(unit["capabilities"]):
            caps_by_dim.setdefault(entry["dimension"], []).append((c, entry))
        for d, (entry, dim) in enumerate(zip(unit["dimensions"], q.dimensions)):
            marks = level_marks(q, columns.dimension_score[u][d], entry["capped_by"])
            level = f"{entry['level'] or '-'} {entry['level_name'] or ''} {marks}".rstrip()
            notes = f"capped by {caps.get(entry['capped_by'])}" if entry["capped_by"] else ""
            lines.append(f"  {_cut(dims[dim.id], width):{width}} {_fmt(entry['score']):>5}  {level:<21} "
                         f"{_fmt(entry.get('target')):>6} {_fmt(entry.get('gap')):>3} {'':>16} {'':>5}  "
                         f"{notes}".rstrip())
            for c, cap in caps_by_dim.get(dim.id, []):
                marks = level_marks(q, columns.capability_score[u][c], None)
                level = f"{cap['level'] or '-'} {cap['level_name'] or ''} {marks}".rstrip()
                notes = "disputed" if cap["disputed"] else ""
                coverage = "-" if cap["coverage"] is None else f"{cap['coverage']:.0%}"
                lines.append(f"    {_cut(caps[cap['id']], width - 2):{width - 2}} {_fmt(cap['score']):>5}  "
                             f"{level:<21} {_fmt(cap.get('target')):>6} {_fmt(cap.get('gap')):>3} "
                             f"{_fmt(cap['spread']):>16} {coverage:>5}  {notes}".rstrip())
        if explain:
            lines += _explanations(unit)
        lines.append("")
    return "\n".join(lines + legend(q)) + "\n"
