"""The cover of a report document: who was assessed, when, against which questionnaire, by whom.

Names of respondents appear on a unit's cover only when the report is not anonymised; their roles
are always counted (small roles merged into "other" when it is).
"""
from __future__ import annotations

from dataclasses import dataclass

from pmo_assess.report.anonymise import respondent_label, role_counts
from pmo_assess.report.settings import ReportSettings
from pmo_assess.report.tables import LARGE_UNIT
from pmo_assess.report.unit import UnitReport
from pmo_assess.rounds.round_info import RoundInfo
from pmo_assess.sanitize import escape_html

#: The subtitle of a unit report (also the second half of its HTML title).
UNIT_SUBTITLE = "PMO maturity assessment"
#: The subtitle of the portfolio report.
PORTFOLIO_SUBTITLE = "PMO maturity across business units"


@dataclass(frozen=True)
class Cover:
    """What a cover shows; ``names`` is empty when respondents are anonymised."""

    heading: str
    subtitle: str
    settings: ReportSettings
    round_info: RoundInfo
    questionnaire: str
    respondents: str
    roles: dict[str, int]
    names: tuple[str, ...] = ()


def unit_title(business_unit: str) -> str:
    """The HTML and PDF title of a unit report."""
    return f"{business_unit} — {UNIT_SUBTITLE}"


def portfolio_title(settings: ReportSettings) -> str:
    """The HTML and PDF title of the portfolio report: the client's name (else the organisation, else 'Portfolio')."""
    return f"{settings.client or settings.organisation or 'Portfolio'} — {PORTFOLIO_SUBTITLE}"


def unit_cover(report: UnitReport, settings: ReportSettings, round_info: RoundInfo) -> Cover:
    """A unit's cover: its respondents counted per role, and named unless the report is anonymised."""
    q = report.questionnaire
    people = report.scores.respondent_table
    roles = role_counts(people["role"].astype(str).to_numpy(), report.role_shown)
    names = () if report.anonymised or len(people) > LARGE_UNIT else tuple(  # a crowd is counted, not listed
        respondent_label(r.respondent, r.role) for r in people.itertuples())
    count = len(people)
    return Cover(report.business_unit, UNIT_SUBTITLE, settings, round_info, f"{q.title} ({q.id} {q.version})",
                 f"{count:,} respondent{'s' if count != 1 else ''}", roles, names)


def portfolio_cover(units: list[dict], questionnaire, settings: ReportSettings, round_info: RoundInfo) -> Cover:
    """The portfolio's cover: how many units and respondents it covers."""
    people = sum(int(u.get("respondents") or 0) for u in units)
    heading = settings.client or settings.organisation or "Portfolio"
    return Cover(heading, PORTFOLIO_SUBTITLE, settings, round_info,
                 f"{questionnaire.title} ({questionnaire.id} {questionnaire.version})",
                 f"{len(units):,} business units, {people:,} respondents", {})


def _row(label: str, value: str) -> str:
    return f"<tr><th>{escape_html(label)}</th><td>{escape_html(value)}</td></tr>" if value else ""


def cover_html(cover: Cover) -> str:
    """The cover block (escaped); print CSS puts it on a page of its own."""
    s, r = cover.settings, cover.round_info
    roles = ", ".join(f"{role} {n:,}" for role, n in cover.roles.items())
    rows = "".join([
        _row("Client", s.client), _row("Assessment date", r.assessed_on.strftime("%-d %B %Y")),
        _row("Round", r.label or ""), _row("Questionnaire", cover.questionnaire),
        _row("Respondents", cover.respondents + (f" — {roles}" if roles else "")),
        _row("Who answered", ", ".join(cover.names)),
        _row("Assessor", s.assessor), _row("Organisation", s.organisation),
    ])
    return (f'<section class="cover"><p class="kicker">{escape_html(cover.subtitle)}</p>'
            f"<h1>{escape_html(cover.heading)}</h1>"
            f'<table class="cover-facts">{rows}</table></section>')
