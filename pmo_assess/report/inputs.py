"""Everything a report notebook's parameters name, loaded and checked in one call (the notebooks stay thin)."""
from __future__ import annotations

from dataclasses import dataclass

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.report.paths import resolve_input
from pmo_assess.report.portfolio import Portfolio, load_portfolio, load_scores_folder
from pmo_assess.report.previous import load_previous_unit
from pmo_assess.report.settings import ReportSettings, load_report_settings
from pmo_assess.report.unit import UnitReport, load_unit_report
from pmo_assess.roadmap.roadmap_file import Roadmap, load_roadmap
from pmo_assess.rounds.round_info import RoundInfo, parse_round_info


@dataclass(frozen=True)
class UnitInputs:
    """A unit report's scored answers, dress (settings), round, and optional roadmap and previous round."""

    report: UnitReport
    settings: ReportSettings
    round_info: RoundInfo
    roadmap: Roadmap | None
    previous: dict | None


@dataclass(frozen=True)
class PortfolioInputs:
    portfolio: Portfolio
    settings: ReportSettings
    round_info: RoundInfo
    previous: list[dict] | None


def _settings(report_settings: str, anonymise: bool) -> ReportSettings:
    return load_report_settings(resolve_input(report_settings) if report_settings else None).with_anonymise(anonymise)


def _roadmap(path: str, report: UnitReport) -> Roadmap | None:
    if not path:
        return None
    roadmap = load_roadmap(resolve_input(path), report.questionnaire)
    if roadmap.business_unit and roadmap.business_unit != report.business_unit:
        raise InputErrors([InputProblem(str(path), "business_unit", f"this roadmap is for {roadmap.business_unit!r}, "
                                        f"not {report.business_unit!r}")])
    return roadmap


def load_unit_inputs(answers: str | list[str], business_unit: str, questionnaire: str, targets: str = "", *,
                     round_label: str = "", assessed_on: str = "", anonymise: bool = False,
                     report_settings: str = "", roadmap: str = "", previous_scores: str = "") -> UnitInputs:
    """Load a unit report's inputs from the assessment notebook's parameters; InputErrors names what is wrong.

    Anonymity is on when the parameter or the settings file asks for it.
    """
    settings = _settings(report_settings, anonymise)
    round_info = parse_round_info(round_label, assessed_on, where="notebook parameters")
    report = load_unit_report(answers, business_unit, questionnaire, targets, anonymise=settings.anonymise)
    previous = load_previous_unit(previous_scores, business_unit, report.questionnaire)
    return UnitInputs(report, settings, round_info, _roadmap(roadmap, report), previous)


def load_portfolio_inputs(scores_dir: str, answers: str | list[str], questionnaire: str, targets: str = "", *,
                          round_label: str = "", assessed_on: str = "", anonymise: bool = False,
                          report_settings: str = "", previous_scores_dir: str = "") -> PortfolioInputs:
    """Load the portfolio report's inputs from the portfolio notebook's parameters."""
    settings = _settings(report_settings, anonymise)
    round_info = parse_round_info(round_label, assessed_on, where="notebook parameters")
    portfolio = load_portfolio(scores_dir, answers, questionnaire, targets)
    previous = load_scores_folder(previous_scores_dir, portfolio.questionnaire) if previous_scores_dir else None
    return PortfolioInputs(portfolio, settings, round_info, previous)
