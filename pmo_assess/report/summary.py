"""The executive summary of a unit report: overall level and what holds it, strongest and weakest
capabilities, the disputed items, and how much of the questionnaire was answered."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pmo_assess.io.answers import COUNTED, NOT_APPLICABLE, answer_codes
from pmo_assess.report import tables
from pmo_assess.report.unit import UnitReport
from pmo_assess.sanitize import escape_html

#: How many capabilities the summary names as strongest and as weakest.
SHOWN = 3


@dataclass(frozen=True)
class Ranked:
    """A capability as the summary names it."""

    name: str
    score: float
    level: int


@dataclass(frozen=True)
class ExecutiveSummary:
    headline: dict
    strongest: list[Ranked]
    weakest: list[Ranked]
    disputed: list[tuple[str, float | None]]
    coverage: float | None
    least_covered: tuple[str, float] | None
    gaps: int | None


def _ranked(report: UnitReport) -> list[Ranked]:
    s, q = report.scores, report.questionnaire
    found = [Ranked(cap.name, round(float(s.capability_score[0, c]), 2), int(s.capability_level[0, c]))
             for c, cap in enumerate(q.capabilities) if not np.isnan(s.capability_score[0, c])]
    return sorted(found, key=lambda r: -r.score)


def unit_coverage(report: UnitReport) -> float | None:
    """Answered / (answered + don't know or missing) over the whole unit; n/a is left out of both (contract §1)."""
    q, s = report.questionnaire, report.scores
    status, _ = answer_codes(report.answers["answer"])
    column = report.answers["question"].astype("category")
    in_bank = np.array([str(c) in q.question_index for c in column.cat.categories] + [False], dtype=bool)
    known = in_bank[column.cat.codes.to_numpy()]  # code -1 (no question) picks the last entry: False
    counted = int(np.sum(status[known] == COUNTED))
    expected = len(s.respondent_table) * len(q.questions) - int(np.sum(status[known] == NOT_APPLICABLE))
    return counted / expected if expected > 0 else None


def executive_summary(report: UnitReport) -> ExecutiveSummary:
    """The numbers the summary states, computed from the unit's scores."""
    s, q = report.scores, report.questionnaire
    ranked = _ranked(report)
    disputed = [(cap.name, tables.capability_spread(report, c)) for c, cap in enumerate(q.capabilities)
                if s.disputed[0, c]]
    covered = [(cap.name, float(s.coverage[0, c])) for c, cap in enumerate(q.capabilities)
               if not np.isnan(s.coverage[0, c])]
    least = min(covered, key=lambda x: x[1]) if covered else None
    gaps = None if report.gaps is None else int(np.nansum(report.gaps.capability_gap[0] > 0))
    return ExecutiveSummary(tables.headline(report), ranked[:SHOWN], ranked[::-1][:SHOWN], disputed,
                            unit_coverage(report), least, gaps)


def _names(items: list[Ranked]) -> str:
    return "".join(f"<li>{escape_html(r.name)} — {r.score:.2f} (level {r.level})</li>" for r in items)


def summary_html(summary: ExecutiveSummary) -> str:
    """The summary as an escaped HTML block: key figures first, then the lists."""
    h = summary.headline
    level = f"Level {h['level']} — {h['level_name']}" if h["level"] else "No level"
    score = "–" if h["score"] is None else f"{h['score']:.2f}"
    coverage = "–" if summary.coverage is None else f"{summary.coverage:.0%}"
    gaps = "" if summary.gaps is None else (
        f'<div class="figure"><span class="value">{summary.gaps}</span><span class="label">capabilities '
        "below target</span></div>")
    figures = (f'<div class="key-figures"><div class="figure"><span class="value">{escape_html(level)}</span>'
               f'<span class="label">overall level (score {score})</span></div>{gaps}'
               f'<div class="figure"><span class="value">{len(summary.disputed)}</span>'
               f'<span class="label">disputed capabilities</span></div><div class="figure">'
               f'<span class="value">{coverage}</span><span class="label">coverage</span></div></div>')
    held = f"<p>{escape_html(h['explanation'])}</p>"
    disputed = ", ".join(f"{escape_html(n)} (spread {sp:.2f})" for n, sp in summary.disputed if sp is not None)
    least = summary.least_covered
    coverage_text = ("" if summary.coverage is None else
                     f"<p><strong>Coverage:</strong> {summary.coverage:.0%} of the questions that apply were "
                     f"answered (n/a left out)" + (f"; least answered: {escape_html(least[0])} ({least[1]:.0%})"
                                                   if least else "") + ".</p>")
    return (f'<section class="summary">{figures}{held}<div class="columns">'
            f"<div><h3>Strongest capabilities</h3><ol>{_names(summary.strongest)}</ol></div>"
            f"<div><h3>Weakest capabilities</h3><ol>{_names(summary.weakest)}</ol></div></div>"
            f"<p><strong>Disputed items:</strong> {disputed or 'none — respondents broadly agree'}.</p>"
            f"{coverage_text}</section>")
