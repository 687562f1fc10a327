"""The business plan as a Word document: A4 (or Letter), header and footer with the unit and page
numbers, the executive summary first, every section's tables, and the charts after their sections."""
from __future__ import annotations

import datetime as dt
import io
import re

from pmo_assess.business_plan.facts import PlanStatus
from pmo_assess.business_plan.plan_file import BusinessPlan
from typing import Sequence

from pmo_assess.business_plan.render import Cell, Money, Section, Table, cell_text, plan_document, title_of
from pmo_assess.roadmap.roadmap_file import Roadmap

#: Paper sizes in millimetres (width, height).
PAPER = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
MARGIN_MM = 20.0


def _field(paragraph, instruction: str) -> None:
    """Append a Word field (PAGE, NUMPAGES) that Word fills in when it lays out the page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    run = paragraph.add_run()
    run._r.append(char("begin"))
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    run = paragraph.add_run()
    run._r.append(code)
    run = paragraph.add_run()
    run._r.append(char("separate"))
    paragraph.add_run("1")
    run = paragraph.add_run()
    run._r.append(char("end"))


def _page_setup(document, plan: BusinessPlan, paper: str) -> float:
    """Paper, margins, header (plan title) and footer (unit, page X of Y); returns the text width in mm."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    width, height = PAPER[paper]
    section = document.sections[0]
    section.page_width, section.page_height = Mm(width), Mm(height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM))
    header = section.header.paragraphs[0]
    header.text = title_of(plan)
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(f"{plan.business_unit} · page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")
    for paragraph in (header, footer):
        for run in paragraph.runs:
            run.font.size = Pt(8)
    return width - 2 * MARGIN_MM


#: Width of one character at the table font size, and a cell's padding left and right (mm).
CHAR_MM, PADDING_MM = 2.0, 4.0
#: Words longer than this may break at their hyphens and slashes (long ids do); shorter ones never do.
BREAKABLE = 12


def _longest_unbreakable(value: Cell) -> int:
    """Characters that must stay on one line: a whole number or date, else the longest word (long ones break at '-')."""
    text = cell_text(value)
    if isinstance(value, (int, float, Money, dt.date)):
        return len(text)
    parts = [p for word in text.split() for p in (re.split(r"[-/]", word) if len(word) > BREAKABLE else [word])]
    return max(map(len, parts), default=1)


def column_widths(table: Table, text_width: float) -> list[float]:
    """Column widths (mm): each at least its longest word (words never break), the rest shared by text length."""
    floors, weights = [], []
    for c, header in enumerate(table.headers):
        texts = [cell_text(row[c]) for row in table.rows] + [header]
        word = max([_longest_unbreakable(row[c]) for row in table.rows] + [_longest_unbreakable(header)])
        floors.append(min(word * CHAR_MM + PADDING_MM, text_width / 3))
        weights.append(min(sum(len(t) for t in texts) / len(texts), 80))
    spare = max(text_width - sum(floors), 0)
    total = sum(weights) or 1
    widths = [floor + spare * weight / total for floor, weight in zip(floors, weights)]
    scale = text_width / sum(widths)
    return [w * scale for w in widths]


#: Sections printed on landscape pages (wide tables and the Gantt), between portrait ones.
LANDSCAPE = ("Roadmap",)


def _turn(document, landscape: bool) -> float:
    """Start a new page section in the other orientation (same header and footer); returns its text width in mm."""
    from docx.enum.section import WD_ORIENT, WD_SECTION

    previous = document.sections[-1]
    section = document.add_section(WD_SECTION.NEW_PAGE)
    short, long = sorted((previous.page_width, previous.page_height))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    return section.page_width.mm - 2 * MARGIN_MM


def _table(document, table: Table, text_width: float) -> None:
    """A grid with a bold header row, numbers right-aligned, columns sized to their content."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    grid = document.add_table(rows=1 + len(table.rows), cols=len(table.headers))
    grid.style = "Table Grid"
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page the table runs over
    repeat.set(qn("w:val"), "true")
    grid.rows[0]._tr.get_or_add_trPr().append(repeat)
    for c, header in enumerate(table.headers):
        grid.cell(0, c).text = header
        grid.cell(0, c).paragraphs[0].runs[0].bold = True
    for r, row in enumerate(table.rows, start=1):
        for c, value in enumerate(row):
            cell = grid.cell(r, c)
            cell.text = cell_text(value)
            if isinstance(value, (int, float, Money)):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    small = Pt(8) if len(table.headers) > 6 else Pt(9)
    widths = column_widths(table, text_width)
    grid.autofit = False
    for column, width in zip(grid.columns, widths):
        column.width = Mm(width)
    for row in grid.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = Mm(width)
            for run in cell.paragraphs[0].runs:
                run.font.size = small
    document.add_paragraph()


def _picture_width(document, png: bytes, text_width: float) -> float:
    """The text width, or less so that the picture fits on one page below a heading (mm)."""
    from PIL import Image

    width, height = Image.open(io.BytesIO(png)).size
    page = document.sections[-1]
    room = page.page_height.mm - 2 * MARGIN_MM - 30  # header, heading and a line of text
    return min(text_width, room * width / height)


def plan_to_docx(plan: BusinessPlan, roadmap: Roadmap | None = None, status: PlanStatus | None = None,
                 charts: dict[str, bytes] | None = None, paper: str = "a4", kpi_trends: Sequence[Section] = ()) -> bytes:
    """A Word document: one heading per section, its paragraphs, bullets, tables and charts (PNG bytes by name);
    ``kpi_trends`` sections follow the KPIs."""
    from docx import Document
    from docx.shared import Mm, Pt

    document = Document()
    document.styles["Normal"].font.size = Pt(10)
    text_width = _page_setup(document, plan, paper)
    document.add_heading(title_of(plan), level=0)
    landscape = False
    for section in plan_document(plan, roadmap, status, kpi_trends):
        if (section.title in LANDSCAPE) != landscape:
            landscape = not landscape
            text_width = _turn(document, landscape)
        document.add_heading(section.title, level=1)
        for text in section.paragraphs:
            document.add_paragraph(text)
        for text in section.bullets:
            document.add_paragraph(text, style="List Bullet")
        for table in section.tables:
            if table.rows:
                _table(document, table, text_width)
            else:
                document.add_paragraph("None yet.")
        for name in section.charts:
            if charts and name in charts:
                document.add_picture(io.BytesIO(charts[name]), width=Mm(_picture_width(document, charts[name],
                                                                                     text_width)))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
