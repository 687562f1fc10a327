"""What notebooks/trends.ipynb shows, prepared here so the notebook stays parameters, calls and charts."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pmo_assess.business_plan.kpi_tracking import KpiTracking
from pmo_assess.rounds.comparison import ORGANISATION, Comparison
from pmo_assess.rounds.export import round_scores
from pmo_assess.rounds.views import dimension_series, movements, unit_table


@dataclass(frozen=True)
class TrendsView:
    comparison: Comparison
    unit: str
    gained: pd.DataFrame | None
    tracking: KpiTracking | None


def _whole(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Levels and amounts shown as whole numbers (empty where there is none)."""
    return frame.assign(**{c: frame[c].astype(float).round().astype("Int64") for c in columns if c in frame})


def _paths(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) and value else [v for v in value or [] if v]


def load_trends(history: str | list[str], questionnaires: str | list[str] = (), unit: str = "", roadmaps: str = "",
                plan: str = "", kpis: str = "", actuals: str = "") -> TrendsView:
    """Read the history (and roadmaps, plan, KPI files when given) and compare; InputErrors for bad input."""
    from pmo_assess.business_plan.kpi_tracking import load_kpi_tracking
    from pmo_assess.business_plan.plan_file import load_plan
    from pmo_assess.errors import InputErrors, InputProblem
    from pmo_assess.io.questionnaire import load_questionnaire
    from pmo_assess.report.paths import resolve_input, resolve_inputs
    from pmo_assess.rounds.comparison import compare_history
    from pmo_assess.rounds.history import read_history
    from pmo_assess.rounds.roadmap_effect import initiatives_done, levels_gained, load_unit_roadmaps

    found = read_history(resolve_inputs(_paths(history)))
    banks = {}
    for path in resolve_inputs(_paths(questionnaires)):
        bank = load_questionnaire(path)
        banks[(bank.id, bank.version)] = bank
    if unit and unit not in found.units:
        raise InputErrors([InputProblem("unit", unit, "is in no round of this history")])
    comparison = compare_history(found, banks)
    gained = None
    if roadmaps:
        gained = levels_gained(initiatives_done(comparison, load_unit_roadmaps(resolve_input(roadmaps), found.units)))
    tracking = None
    if plan:
        tracking = load_kpi_tracking(load_plan(resolve_input(plan)), resolve_input(kpis) if kpis else None,
                                     resolve_input(actuals) if actuals else None)
    return TrendsView(comparison, unit or ORGANISATION, gained, tracking)


def rounds_table(view: TrendsView) -> pd.DataFrame:
    """The rounds compared: label, date, units, questionnaire and scoring method."""
    return pd.DataFrame([{"round": r.name, "assessed on": r.info.assessed_on.isoformat(), "units": len(r.units),
                          "questionnaire": " ".join(r.questionnaire), "method": r.method.get("method"),
                          "thresholds": "/".join(f"{t:g}" for t in r.method.get("thresholds") or [])}
                         for r in view.comparison.history.rounds])


def ranking_table(view: TrendsView) -> pd.DataFrame:
    """Units ranked by progress to target since their first round."""
    table = view.comparison.ranking.rename(columns={
        "business_unit": "unit", "overall_first": "overall (first round)", "overall_latest": "overall (latest)",
        "overall_change": "overall change", "levels_gained": "levels gained", "levels_needed": "levels needed"})
    table = round_scores(table, ["overall (first round)", "overall (latest)", "overall change"])
    return _whole(table, ["levels gained", "levels needed"])[[
        "rank", "unit", "rounds", "overall (first round)", "overall (latest)", "overall change", "levels gained",
        "levels needed", "progress"]]


def movement_table(view: TrendsView, unit: str | None = None, status: tuple[str, ...] = ()) -> pd.DataFrame:
    """What moved in the latest round (regressions first), optionally for one unit or some statuses only."""
    table = movements(view.comparison, unit)
    if status:
        table = table[table["status"].isin(status)]
    table = table.assign(business_unit=table["business_unit"].replace(ORGANISATION, "organisation"))
    table = round_scores(table, ["score_before", "score", "score_change"])
    return _whole(table, ["level_before", "level"]).rename(columns={
        "business_unit": "unit", "level_before": "level before", "score_before": "score before",
        "score_change": "score change"})[
        ["unit", "kind", "id", "status", "from", "to", "level before", "level", "score before", "score",
         "score change", "reason"]]


def levels_table(view: TrendsView, unit: str | None = None) -> pd.DataFrame:
    """One unit (default: the one followed) across rounds: level per round, latest change, target, progress."""
    table = unit_table(view.comparison, unit or view.unit)
    rounds = [c[:-6] for c in table.columns if c.endswith(" level")]
    shown = table[["kind", "id"]].copy()
    for name in rounds:
        shown[name] = [f"{s:.2f} (L{int(lv)})" if lv == lv else "–"
                       for s, lv in zip(table[f"{name} score"], table[f"{name} level"])]
    shown["change"] = round_scores(table, ["score_change"])["score_change"]
    shown["target"] = table["target"].round().astype("Int64")
    shown["progress"] = table["progress"]
    shown["status"] = [f"{s}: {r}" if r else s for s, r in zip(table["status"], table["reason"])]
    return shown


def small_multiples_series(view: TrendsView) -> dict[str, pd.DataFrame]:
    """Every unit's (and the organisation's) dimension and overall scores per round, for the small multiples."""
    units = [ORGANISATION, *view.comparison.history.units]
    return {u: dimension_series(view.comparison, u) for u in units}


def thresholds(view: TrendsView) -> tuple[float, ...]:
    """The latest round's level thresholds (the bands drawn behind the small multiples)."""
    return tuple(view.comparison.history.rounds[-1].method.get("thresholds") or (1.75, 2.5, 3.25))


def gained_table(view: TrendsView) -> pd.DataFrame:
    """Initiatives done between rounds against the levels their capabilities gained."""
    if view.gained is None:
        return pd.DataFrame()
    levels = ["projected_level", "level_before", "level_after", "levels_gained"]
    return _whole(view.gained, levels).rename(columns={"business_unit": "unit", "initiatives_done": "initiatives done",
                                       "projected_level": "projected level", "level_before": "level before",
                                       "level_after": "level after", "levels_gained": "levels gained"})


def kpi_table(view: TrendsView) -> pd.DataFrame:
    """Each KPI's trend against its target, grouped by level of measure."""
    if view.tracking is None:
        return pd.DataFrame()
    return view.tracking.trends.rename(columns={"measure_level": "#", "level": "level of measure",
                                                "latest_period": "latest period",
                                                "missing_periods": "missing periods"})[
        ["#", "level of measure", "name", "baseline", "target", "latest", "latest period", "progress", "status",
         "missing periods"]]


def benefit_cost_html(view: TrendsView) -> str:
    """The benefit-cost ratio to date and the running totals per period, as escaped HTML."""
    from pmo_assess.report.display import note_html, table_html
    from pmo_assess.sanitize import escape_html

    money = view.tracking.benefit_cost if view.tracking else None
    if money is None or money.running.empty:
        return note_html("No actual costs or benefits recorded (actuals.csv).")
    currency = escape_html(view.tracking.plan.currency)
    ratio = "not computable (no cost recorded)" if money.ratio is None else f"{money.ratio:.2f}"
    head = (f"<p><strong>Benefit-cost ratio to date: {ratio}</strong> — benefits {money.total_benefit:,.0f} "
            f"{currency}, costs {money.total_cost:,.0f} {currency}, net {money.net:,.0f} {currency}.</p>")
    running = _whole(money.running, ["cost", "benefit", "cumulative_cost", "cumulative_benefit"])
    return head + table_html(running.rename(columns={
        "cumulative_cost": "cost to date", "cumulative_benefit": "benefit to date", "ratio_to_date": "ratio to date"}))
