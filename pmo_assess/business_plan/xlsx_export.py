"""The business plan as an Excel workbook: sheets plan (every section), roadmap (one row per item), owners,
and kpis (every measured value per period) when the plan has KPI values or actuals recorded beside it.

Amounts are numbers with a currency number format, counts and years numbers, dates dates; every
text cell goes through :func:`neutralize_formula` and is stored as text, so a note like
``=cmd|'/c calc'!A1`` stays inert.
"""
from __future__ import annotations

import datetime as dt
import io

from pmo_assess.business_plan.facts import PlanStatus
from pmo_assess.business_plan.kpi_tracking import KpiTracking, load_kpi_tracking, tracking_section, values_table
from pmo_assess.business_plan.plan_file import BusinessPlan
from pmo_assess.business_plan.render import (Cell, Money, Table, owners_table, plan_document, roadmap_table,
                                             title_of)
from pmo_assess.roadmap.roadmap_file import Roadmap
from pmo_assess.sanitize import neutralize_formula

SHEETS = ("plan", "roadmap", "owners")
TRACKING_SHEET = "kpis"
DATE_FORMAT = "yyyy-mm-dd"


def currency_format(currency: str) -> str:
    """An Excel number format showing whole amounts with the currency: ``#,##0 "EUR";-#,##0 "EUR"``."""
    label = f' "{currency}"' if currency else ""
    return f"#,##0{label};-#,##0{label}"


def _cell(sheet, row: int, column: int, value: Cell, currency: str, bold: bool = False):
    """Write one cell with its type: a number (amounts with the currency format), a date, or inert text."""
    from openpyxl.styles import Alignment, Font

    cell = sheet.cell(row=row, column=column)
    if isinstance(value, Money):
        cell.value = value.amount
        cell.number_format = currency_format(currency)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.value = value
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif value is not None:
        cell.value = neutralize_formula(str(value))
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    if bold:
        cell.font = Font(bold=True)
    return cell


def _write_table(sheet, start_row: int, table: Table, currency: str) -> int:
    """Header and rows from ``start_row``; returns the next free row."""
    for c, header in enumerate(table.headers, start=1):
        _cell(sheet, start_row, c, header, currency, bold=True)
    for r, row in enumerate(table.rows, start=start_row + 1):
        for c, value in enumerate(row, start=1):
            _cell(sheet, r, c, value, currency)
    return start_row + len(table.rows) + 2


def plan_to_xlsx(plan: BusinessPlan, roadmap: Roadmap | None = None, status: PlanStatus | None = None,
                 tracking: KpiTracking | None = None) -> bytes:
    """A workbook with sheets plan (every section), roadmap (one row per item) and owners, plus "KPIs over time"
    and a kpis sheet when ``tracking`` is given or kpis.csv / actuals.csv lie beside plan.yaml."""
    from openpyxl import Workbook

    tracking = tracking or load_kpi_tracking(plan)
    sections = plan_document(plan, roadmap, status, [tracking_section(tracking)] if tracking else [])

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "plan"
    row = 1
    _cell(sheet, row, 1, title_of(plan), plan.currency, bold=True)
    row += 2
    for section in sections:
        _cell(sheet, row, 1, section.title, plan.currency, bold=True)
        row += 1
        for text in section.paragraphs + section.bullets:
            _cell(sheet, row, 1, text, plan.currency)
            row += 1
        for table in section.tables:
            row = _write_table(sheet, row, table, plan.currency)
        row += 1
    sheet.column_dimensions["A"].width = 60
    for column in "BCDEFGHI":
        sheet.column_dimensions[column].width = 18
    items = workbook.create_sheet("roadmap")
    _write_table(items, 1, roadmap_table(roadmap, plan) if roadmap else Table(("wave", "id", "title"), ()),
                 plan.currency)
    items.freeze_panes = "A2"
    owners = workbook.create_sheet("owners")
    _write_table(owners, 1, owners_table(plan, roadmap), plan.currency)
    owners.freeze_panes = "A2"
    if tracking:
        kpis = workbook.create_sheet(TRACKING_SHEET)
        _write_table(kpis, 1, values_table(tracking), plan.currency)
        kpis.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
