"""Roadmap cost for the business plan, read from the roadmap on every run: effort × day rate, by date.

The roadmap is the source of truth for effort. Each active initiative (not dropped, gap not closed)
costs ``effort × day_rate``, spread evenly over the days it runs (its ``start``/``end``, else its
wave's dates, else where the planner would place it), so a wave's cost falls in the plan years its
dates fall in. An initiative from the library also costs the library's non-labour cost (licences,
benchmark fees, training), counted in the month it starts. Plan year 1 starts on ``financials.starts_on`` of the plan, else on the roadmap's
first day. An initiative that cannot be placed at all leaves the plan without a ratio, named.
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.roadmap.library import Library
from pmo_assess.roadmap.roadmap_file import Roadmap, RoadmapItem

#: The plan never looks further ahead than this (the horizon is checked against it too).
MAX_HORIZON_YEARS = 10
#: One initiative costing more than this is a typo in its effort (or worse), never a plan.
MAX_ITEM_COST = 1e12


@dataclass(frozen=True)
class ItemCost:
    """One initiative's cost and when it is spent."""

    id: str
    title: str
    wave: int | None
    start: dt.date
    end: dt.date
    person_days: float
    amount: float | None
    non_labour: float = 0.0


@dataclass(frozen=True)
class WaveCost:
    """One roadmap wave (reporting window): its dates, initiatives, person-days, cost and the plan years it touches."""

    wave: int
    first: dt.date
    last: dt.date
    initiatives: int
    person_days: float
    amount: float | None
    years: tuple[int, ...]
    label: str = ""
    non_labour: float = 0.0


@dataclass(frozen=True)
class RoadmapCosts:
    """Every active initiative costed, per wave and per month of the plan (month 0 = the plan's first month)."""

    day_rate: float | None
    starts_on: dt.date
    items: tuple[ItemCost, ...]
    waves: tuple[WaveCost, ...]
    monthly: tuple[float, ...]
    years_needed: int
    unscheduled: tuple[str, ...]
    missing: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def person_days(self) -> float:
        return sum(i.person_days for i in self.items)

    @property
    def non_labour(self) -> float:
        return sum(i.non_labour for i in self.items)

    @property
    def amount(self) -> float | None:
        """Total cost, or None while something (the day rate, an effort) is missing."""
        return None if self.missing else round(sum(self.monthly), 2)

    def yearly(self, horizon_years: int) -> tuple[float, ...]:
        return tuple(round(sum(self.monthly[y * 12:(y + 1) * 12]), 2) for y in range(horizon_years))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` later (the month's last day when it has fewer days)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def month_index(starts_on: dt.date, day: dt.date) -> int:
    """Which plan month (0-based, from ``starts_on``) a day falls in."""
    months = (day.year - starts_on.year) * 12 + day.month - starts_on.month
    return months - 1 if add_months(starts_on, months) > day else months


def roadmap_start(roadmap: Roadmap) -> dt.date | None:
    """The roadmap's first day: its ``starts_on`` setting, else its earliest dated item."""
    if roadmap.settings.starts_on is not None:
        return roadmap.settings.starts_on
    return min((i.start for i in roadmap.active_items if i.start), default=None)


def _problem(roadmap: Roadmap, index: int, key: str, message: str) -> InputErrors:
    return InputErrors([InputProblem(roadmap.source or "roadmap", f"items[{index}].{key}", message)])


def item_dates(roadmap: Roadmap, item: RoadmapItem, index: int, starts_on: dt.date) -> tuple[dt.date, dt.date] | None:
    """When an item runs: its own dates, else its wave's window; None when it has neither (see _placed_by_planner)."""
    weeks = roadmap.settings.wave_weeks
    try:
        window = None
        if item.wave is not None:  # the roadmap's own wave window; counted from year 1 when it has no start date
            window = roadmap.wave_dates(item.wave) or (
                starts_on + dt.timedelta(weeks=weeks * (item.wave - 1)),
                starts_on + dt.timedelta(weeks=weeks * item.wave) - dt.timedelta(days=1))
        start = item.start or (window[0] if window else None)
        if start is None:
            return None
        end = item.end
        if end is None and item.duration:
            end = start + dt.timedelta(weeks=item.duration) - dt.timedelta(days=1)
        elif end is None:
            end = window[1] if window and item.start is None else start + dt.timedelta(weeks=1) - dt.timedelta(days=1)
    except OverflowError:
        raise _problem(roadmap, index, "wave" if item.start is None else "start",
                       f"item {item.id!r} would run past the year 9999 (wave {item.wave}, {weeks:g}-week waves)"
                       ) from None
    return start, max(end, start)


def _spread(amount: float, start: dt.date, end: dt.date, starts_on: dt.date, monthly: dict[int, float]) -> None:
    """Add ``amount`` to ``monthly`` in proportion to the days of [start, end] in each plan month."""
    days = (end - start).days + 1
    first, last = month_index(starts_on, start), month_index(starts_on, end)
    for month in range(first, last + 1):
        lo = max(start, add_months(starts_on, month))
        hi = min(end, add_months(starts_on, month + 1) - dt.timedelta(days=1))
        share = (hi - lo).days + 1
        if share > 0:
            monthly[month] = monthly.get(month, 0.0) + amount * share / days


def _placed_by_planner(roadmap: Roadmap) -> dict[str, tuple[dt.date, dt.date, int]]:
    """Dates and wave for active items with neither dates nor a wave (added by hand, not yet planned):
    where the planner would put them today. Empty when every item has its dates or wave."""
    if all(i.start is not None or i.wave is not None for i in roadmap.active_items):
        return {}
    from pmo_assess.roadmap.checks import roadmap_schedule

    return {slot.id: (slot.start, slot.end, slot.wave) for slot in roadmap_schedule(roadmap).slots.values()
            if slot.start is not None and slot.end is not None}


def non_labour_cost(item: RoadmapItem, library: Library | None) -> float:
    """The library's non-labour cost of a library initiative (0 for one of your own, or without a library)."""
    initiative = library.by_id.get(item.id) if library is not None and not item.custom else None
    value = getattr(initiative, "non_labour_cost", 0) or 0
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else 0.0


def cost_roadmap(roadmap: Roadmap, day_rate: float | None, starts_on: dt.date | None = None,
                 labels: dict[int, str] | None = None, library: Library | None = None) -> RoadmapCosts:
    """Cost every active initiative of the roadmap by date; see the module docstring for the model."""
    first_day = starts_on or roadmap_start(roadmap) or dt.date.today()
    items, monthly, missing, unscheduled, notes = [], {}, [], [], []
    no_effort = []
    placed = _placed_by_planner(roadmap)
    for index, item in enumerate(roadmap.items):
        if not item.active:
            continue
        wave = item.wave
        dates = item_dates(roadmap, item, index, first_day)
        if dates is None and item.id in placed:
            *dates, wave = placed[item.id]
        if dates is None:
            unscheduled.append(f"{item.id} ({item.effort or 0:g} person-days)")
            continue
        if item.effort is None:
            no_effort.append(item.id)
        days = item.effort or 0.0
        amount = None if day_rate is None else days * day_rate
        if amount is not None and not (math.isfinite(amount) and amount <= MAX_ITEM_COST):
            raise _problem(roadmap, index, "effort", f"item {item.id!r}: {days:g} person-days × day rate {day_rate:g} "
                                                     f"is more than {MAX_ITEM_COST:,.0f}: check the effort")
        extra = non_labour_cost(item, library)
        items.append(ItemCost(item.id, item.title, wave, dates[0], dates[1], days,
                              None if amount is None else amount + extra, extra))
        if amount:
            _spread(amount, *dates, first_day, monthly)
        if extra:
            start_month = month_index(first_day, dates[0])
            monthly[start_month] = monthly.get(start_month, 0.0) + extra
    if unscheduled:
        missing.append(f"roadmap initiative(s) the schedule cannot place, so their cost has no year: "
                       f"{', '.join(unscheduled)}; schedule them (pmo-assess roadmap) or drop them")
    if no_effort:
        missing.append(f"roadmap initiative(s) without an effort estimate: {', '.join(no_effort)}")
    if day_rate is None and items:
        missing.append(f"roadmap costs: {sum(i.person_days for i in items):g} person-days of {len(items)} "
                       "initiatives but no day_rate")
    early = sum(v for m, v in monthly.items() if m < 0)
    if early:
        notes.append(f"{early:,.0f} of roadmap cost falls before the plan's year 1 (from {first_day.isoformat()}); "
                     "it is counted in its first month")
        monthly[0] = monthly.get(0, 0.0) + early
    last_month = max((m for m in monthly if m >= 0), default=0)
    last_month = max([last_month] + [month_index(first_day, i.end) for i in items])
    years_needed = last_month // 12 + 1
    flows = [0.0] * (12 * min(years_needed, MAX_HORIZON_YEARS))
    for month, value in monthly.items():
        if 0 <= month < len(flows):
            flows[month] += value
    beyond = sum(v for m, v in monthly.items() if m >= len(flows))
    if years_needed > MAX_HORIZON_YEARS:
        missing.append(f"the roadmap runs to {max(i.end for i in items).isoformat()}, past the plan's "
                       f"{MAX_HORIZON_YEARS}-year limit: {beyond:,.0f} of its cost would be left out")
    return RoadmapCosts(day_rate=day_rate, starts_on=first_day, items=tuple(items),
                        waves=_waves(items, first_day, day_rate, labels or {}), monthly=tuple(flows),
                        years_needed=years_needed, unscheduled=tuple(unscheduled), missing=tuple(missing),
                        notes=tuple(notes))


def _waves(items: list[ItemCost], starts_on: dt.date, day_rate: float | None,
           labels: dict[int, str]) -> tuple[WaveCost, ...]:
    by_wave: dict[int, list[ItemCost]] = {}
    for item in items:
        by_wave.setdefault(item.wave if item.wave is not None else 0, []).append(item)
    waves = []
    for wave in sorted(by_wave):
        group = by_wave[wave]
        first, last = min(i.start for i in group), max(i.end for i in group)
        days = sum(i.person_days for i in group)
        extra = sum(i.non_labour for i in group)
        years = tuple(range(max(month_index(starts_on, first), 0) // 12 + 1,
                            max(month_index(starts_on, last), 0) // 12 + 2))
        waves.append(WaveCost(wave, first, last, len(group), days, None if day_rate is None else days * day_rate + extra,
                              years, labels.get(wave, f"Roadmap wave {wave} initiatives" if wave else
                                                "Dated initiatives outside any wave"), extra))
    return tuple(waves)
