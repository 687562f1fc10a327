"""Measured KPI values (``kpis.csv``) and the PMO's actual costs and benefits (``actuals.csv``), validated.

Both live beside the unit's ``plan.yaml`` (which holds each KPI's baseline and target) and may be
CSV or XLSX (first sheet, or a sheet named ``kpis`` / ``actuals``)::

    kpis.csv:     kpi, period, value, note          one measured value of a plan KPI in a period
    actuals.csv:  period, cost, benefit, note       what the PMO cost and returned in a period

A period is a year ``2026``, a half ``2026-H1``, a quarter ``2026-Q3`` or a month ``2026-07``.
An unknown KPI id, a period that is ill-formed or not yet begun, a value that is not a number, the
same KPI and period twice: every problem is listed with its file and row (exit 2); nothing is written.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from pathlib import Path

from pmo_assess.errors import InputErrors, ProblemCollector
from pmo_assess.io.tables import (csv_rows, duplicate_columns, formula_problem, guess_delimiter, open_xlsx,
                                  read_csv_text, uncached_formulas)

KPI_COLUMNS = ("kpi", "period", "value", "note")
ACTUAL_COLUMNS = ("period", "cost", "benefit", "note")
#: Beyond this a value is a typo (the same bound plan.yaml puts on baselines and targets).
MAX_VALUE = 1e12
PERIOD_HELP = "write a year (2026), a half (2026-H1), a quarter (2026-Q3) or a month (2026-07)"
_PERIOD = re.compile(r"^(\d{4})(?:-(H[12]|Q[1-4]|\d{2}))?$", re.IGNORECASE)
_ALIASES = {"kpi_id": "kpi", "kpi id": "kpi", "id": "kpi"}


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: its first and last day, and its label as written (normalised: ``2026-Q3``)."""

    start: dt.date
    end: dt.date
    label: str

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def period_of(year: int, first_month: int, months: int) -> Period:
    """The period of ``months`` months from ``first_month`` of ``year``, labelled as the reader writes it."""
    label = {12: f"{year}", 6: f"{year}-H{(first_month + 5) // 6}", 3: f"{year}-Q{(first_month + 2) // 3}"}.get(
        months, f"{year}-{first_month:02d}")
    return Period(dt.date(year, first_month, 1), _month_end(year, first_month + months - 1), label)


def parse_period(text: str) -> Period | None:
    """A period from its text, or None when it is not one (``2026-13``, ``Q3 2026``)."""
    found = _PERIOD.match(text.strip())
    if not found:
        return None
    year, part = int(found.group(1)), (found.group(2) or "").upper()
    if not 1900 <= year <= 2200:
        return None
    if not part:
        return period_of(year, 1, 12)
    if part[0] in "HQ":
        size = 6 if part[0] == "H" else 3
        return period_of(year, (int(part[1]) - 1) * size + 1, size)
    month = int(part)
    return period_of(year, month, 1) if 1 <= month <= 12 else None


def _normalise(title: str) -> str:
    key = title.strip().lower()
    return _ALIASES.get(key, key)


def read_records(path: str | Path, sheet_name: str) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) of each non-empty row of a CSV or XLSX table, columns normalised."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_records(path, sheet_name)
    text = read_csv_text(path)
    first_line = text.split("\n", 1)[0]
    rows = csv_rows(path, text.lstrip("\ufeff"), guess_delimiter(first_line))
    _, header = next(rows, (1, []))
    return _records(path, header, ((n, r) for n, r in rows), None)


def _xlsx_records(path: Path, sheet_name: str) -> list[tuple[int, dict[str, str]]]:
    workbook = open_xlsx(path)
    try:
        sheet = workbook[sheet_name] if sheet_name in workbook.sheetnames else workbook.worksheets[0]
        formulas = uncached_formulas(path, sheet)
        if formulas:
            raise InputErrors([formula_problem(path, sheet.title, formulas)])
        rows = sheet.iter_rows(values_only=True)
        header = ["" if h is None else str(h) for h in next(rows, ())]
        numbered = ((n, ["" if v is None else (f"{v:g}" if isinstance(v, float) else str(v)) for v in row])
                    for n, row in enumerate(rows, start=2))
        return _records(path, header, numbered, sheet.title)
    finally:
        workbook.close()


def _records(path: Path, header: list[str], rows, sheet: str | None) -> list[tuple[int, dict[str, str]]]:
    duplicates = duplicate_columns(path, header, _normalise, sheet)
    if duplicates:
        raise InputErrors(duplicates)
    names = [_normalise(h) for h in header]
    found = []
    for number, values in rows:
        if not any(v.strip() for v in values):
            continue
        found.append((number, {n: (values[i].strip() if i < len(values) else "") for i, n in enumerate(names) if n}))
    return found


def _require_columns(check: ProblemCollector, first: dict, needed: tuple[str, ...]) -> None:
    missing = [c for c in needed if c not in first]
    if missing:
        check.add("header", f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} (the columns "
                            f"are {', '.join(needed)}, note)")
        check.raise_if_any()


def _period(check: ProblemCollector, place: str, text: str, today: dt.date) -> Period | None:
    period = parse_period(text)
    if not text:
        check.add(place, "period is empty; " + PERIOD_HELP)
    elif period is None:
        check.add(place, f"period {text!r} is not a period; {PERIOD_HELP}")
    elif period.start > today:
        check.add(place, f"period {period.label} has not begun yet (today is {today.isoformat()})")
        return None
    return period


def _number(check: ProblemCollector, place: str, column: str, text: str, required: bool = True) -> float | None:
    if not text:
        if required:
            check.add(place, f"{column} is empty")
        return None
    try:
        value = float(text)
    except ValueError:
        check.add(place, f"{column} {text!r} is not a number (write it without units or thousands separators, "
                         "e.g. 1250.5)")
        return None
    if not math.isfinite(value) or abs(value) > MAX_VALUE:
        check.add(place, f"{column} {text!r} is not a usable number (at most {MAX_VALUE:,.0f} either way)")
        return None
    return value


@dataclass(frozen=True)
class KpiValue:
    kpi: str
    period: Period
    value: float
    note: str
    row: int


@dataclass(frozen=True)
class Actual:
    period: Period
    cost: float
    benefit: float
    note: str
    row: int


def read_kpi_values(path: str | Path, kpi_ids: list[str], today: dt.date | None = None) -> list[KpiValue]:
    """Every measured value in ``path``, checked against the plan's KPI ids; InputErrors names file and row."""
    today = today or dt.date.today()
    records = read_records(path, "kpis")
    check = ProblemCollector(path)
    if records:
        _require_columns(check, records[0][1], KPI_COLUMNS[:3])
    known, values = set(kpi_ids), []
    seen: dict[str, list[tuple[Period, int]]] = {}
    for number, record in records:
        place = f"row {number}"
        kpi = record.get("kpi", "")
        if kpi not in known:
            listed = ", ".join(kpi_ids[:8]) + (" ..." if len(kpi_ids) > 8 else "")
            check.add(place, f"unknown KPI id {kpi!r}: the plan's KPIs are {listed or '(none)'}" if kpi
                      else "kpi is empty")
        period = _period(check, place, record.get("period", ""), today)
        value = _number(check, place, "value", record.get("value", ""))
        if period is not None and kpi in known:
            for other, row in seen.get(kpi, []):
                if other.start <= period.end and period.start <= other.end:
                    check.add(place, f"{kpi} already has a value for {other.label} (row {row}), which "
                                     f"{'is' if other == period else 'overlaps'} {period.label}")
            seen.setdefault(kpi, []).append((period, number))
        if kpi in known and period is not None and value is not None:
            values.append(KpiValue(kpi, period, value, record.get("note", ""), number))
    check.raise_if_any()
    return values


def read_actuals(path: str | Path, today: dt.date | None = None) -> list[Actual]:
    """The PMO's actual cost and benefit per period (empty cost or benefit = 0); InputErrors names file and row."""
    today = today or dt.date.today()
    records = read_records(path, "actuals")
    check = ProblemCollector(path)
    if records:
        _require_columns(check, records[0][1], ACTUAL_COLUMNS[:3])
    seen: dict[str, int] = {}
    actuals = []
    for number, record in records:
        place = f"row {number}"
        period = _period(check, place, record.get("period", ""), today)
        cost = _number(check, place, "cost", record.get("cost", ""), required=False)
        benefit = _number(check, place, "benefit", record.get("benefit", ""), required=False)
        if (cost or 0) < 0 or (benefit or 0) < 0:
            check.add(place, "cost and benefit are amounts of at least 0 (a saving is a benefit, not a negative cost)")
        if period is not None:
            if period.label in seen:
                check.add(place, f"{period.label} is already recorded (row {seen[period.label]})")
            seen.setdefault(period.label, number)
            actuals.append(Actual(period, cost or 0.0, benefit or 0.0, record.get("note", ""), number))
    check.raise_if_any()
    return actuals
