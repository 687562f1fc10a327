"""The business plan out to Word (DOCX) and Excel (XLSX: sheets plan, roadmap, owners).

Both are built from :func:`pmo_assess.business_plan.render.plan_document`. In the workbook every text cell
goes through :func:`neutralize_formula` and is stored as text, so a note like ``=cmd|'/c calc'!A1``
stays inert.
"""
from __future__ import annotations

import io
from pathlib import Path

from pmo_assess.io.files import atomic_write_bytes
from pmo_assess.business_plan.plan_file import BusinessPlan
from pmo_assess.business_plan.render import ROADMAP_COLUMNS, Table, owners_table, plan_document
from pmo_assess.roadmap.roadmap_file import Roadmap
from pmo_assess.sanitize import neutralize_formula

SHEETS = ("plan", "roadmap", "owners")


def plan_to_docx(plan: BusinessPlan, roadmap: Roadmap | None = None) -> bytes:
    """A Word document: one heading per section, its paragraphs, bullets and tables."""
    from docx import Document

    document = Document()
    document.add_heading(f"PMO business plan — {plan.business_unit}", level=0)
    for section in plan_document(plan, roadmap):
        document.add_heading(section.title, level=1)
        for text in section.paragraphs:
            document.add_paragraph(text)
        for text in section.bullets:
            document.add_paragraph(text, style="List Bullet")
        for table in section.tables:
            if not table.rows:
                document.add_paragraph("None yet.")
                continue
            grid = document.add_table(rows=1 + len(table.rows), cols=len(table.headers))
            grid.style = "Table Grid"
            for c, header in enumerate(table.headers):
                grid.cell(0, c).text = header
                grid.cell(0, c).paragraphs[0].runs[0].bold = True
            for r, row in enumerate(table.rows, start=1):
                for c, value in enumerate(row):
                    grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet, row: int, column: int, value: str, bold: bool = False):
    """Write user text as an inert text cell (never a formula)."""
    from openpyxl.styles import Font

    cell = sheet.cell(row=row, column=column)
    cell.value = neutralize_formula(value)
    cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _write_table(sheet, start_row: int, table: Table) -> int:
    """Header and rows from ``start_row``; returns the next free row."""
    for c, header in enumerate(table.headers, start=1):
        _text_cell(sheet, start_row, c, header, bold=True)
    for r, row in enumerate(table.rows, start=start_row + 1):
        for c, value in enumerate(row, start=1):
            _text_cell(sheet, r, c, value)
    return start_row + len(table.rows) + 2


def _roadmap_sheet(sheet, roadmap: Roadmap | None) -> None:
    for c, header in enumerate(ROADMAP_COLUMNS, start=1):
        _text_cell(sheet, 1, c, header, bold=True)
    items = sorted(roadmap.items, key=lambda i: (i.wave is None, i.wave or 0)) if roadmap else []
    for r, item in enumerate(items, start=2):
        values = (item.wave, item.id, item.title, item.capability,
                  f"{item.from_level}→{item.to_level}" if item.from_level and item.to_level else "",
                  item.effort, item.owner, item.status, ", ".join(item.kpis), item.notes)
        for c, value in enumerate(values, start=1):
            if isinstance(value, (int, float)):
                sheet.cell(row=r, column=c, value=value)
            elif value is not None:
                _text_cell(sheet, r, c, value)
    sheet.freeze_panes = "A2"


def plan_to_xlsx(plan: BusinessPlan, roadmap: Roadmap | None = None) -> bytes:
    """A workbook with sheets plan (every section), roadmap (one row per item) and owners."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "plan"
    row = 1
    _text_cell(sheet, row, 1, f"PMO business plan — {plan.business_unit}", bold=True)
    row += 2
    for section in plan_document(plan, roadmap):
        _text_cell(sheet, row, 1, section.title, bold=True)
        row += 1
        for text in section.paragraphs + section.bullets:
            _text_cell(sheet, row, 1, text)
            row += 1
        for table in section.tables:
            row = _write_table(sheet, row, table)
        row += 1
    sheet.column_dimensions["A"].width = 60
    _roadmap_sheet(workbook.create_sheet("roadmap"), roadmap)
    owners = workbook.create_sheet("owners")
    _write_table(owners, 1, owners_table(plan, roadmap))
    owners.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_plan_outputs(plan: BusinessPlan, roadmap: Roadmap | None, out_dir: str | Path,
                       formats: tuple[str, ...]) -> list[Path]:
    """Write plan.html / plan.md / plan.docx / plan.xlsx (atomically) for the formats asked; returns the paths."""
    from pmo_assess.business_plan.render import to_html, to_markdown

    makers = {"html": lambda: to_html(plan, roadmap).encode("utf-8"),
              "md": lambda: to_markdown(plan, roadmap).encode("utf-8"),
              "docx": lambda: plan_to_docx(plan, roadmap), "xlsx": lambda: plan_to_xlsx(plan, roadmap)}
    written = []
    for fmt in formats:
        path = Path(out_dir) / f"plan.{fmt}"
        atomic_write_bytes(path, makers[fmt]())
        written.append(path)
    return written
