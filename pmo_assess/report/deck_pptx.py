"""Building blocks of a readout deck with python-pptx: open a (client) template, add slides, text, tables, figures.

Everything added is editable: titles are the layout's title placeholder, text is in text boxes and
tables are real PowerPoint tables (cells may be coloured); only charts are pictures, drawn at the
resolution they are shown at. A client template lends its layouts and theme; its own slides are dropped.
"""
from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.exc import PackageNotFoundError
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.files import atomic_write_bytes
from pmo_assess.io.outputs import refuse_inputs_as_outputs

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The neutral deck (no template): 16:9, dark grey text, one blue accent.
WIDE = (Inches(13.333), Inches(7.5))
TEXT_COLOUR = RGBColor(0x1D, 0x29, 0x39)
MUTED_COLOUR = RGBColor(0x47, 0x54, 0x67)
HEADER_FILL = RGBColor(0x1F, 0x4E, 0x79)
ROW_FILL = (RGBColor(0xFF, 0xFF, 0xFF), RGBColor(0xF2, 0xF4, 0xF7))
MARGIN = Inches(0.5)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
#: Space above and below a table cell's text, and the smallest text (pt) a crowded table shrinks to.
CELL_MARGIN, MIN_TABLE_TEXT = Inches(0.04), 6
#: Resolution of chart pictures as shown on the slide: crisp on a projector and in print.
FIGURE_DPI = 150
#: Blank margin (inches) kept around a chart's drawn extent, as matplotlib's tight bounding box keeps.
FIGURE_PAD = 0.1


@dataclass(frozen=True)
class Box:
    """A rectangle on a slide (EMU)."""

    left: int
    top: int
    width: int
    height: int

    def split(self, share: float, gap: int = Inches(0.3)) -> tuple["Box", "Box"]:
        """This box cut in two side by side, the left one taking ``share`` of the width."""
        first = int((self.width - gap) * share)
        return (Box(self.left, self.top, first, self.height),
                Box(self.left + first + gap, self.top, self.width - first - gap, self.height))


def open_presentation(template: Path | None) -> Presentation:
    """The neutral 16:9 presentation, or the client's template with its slides removed (bad file → InputErrors)."""
    if template is None:
        deck = Presentation()
        deck.slide_width, deck.slide_height = WIDE
        return deck
    template = Path(template)
    if not template.is_file():
        raise InputErrors([InputProblem(str(template), "pptx_template", "no such file")])
    try:
        deck = Presentation(str(template))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputErrors([InputProblem(str(template), "pptx_template", "is not a PowerPoint template or deck "
                                        f"(.pptx) that can be opened: {exc}")]) from None
    except Exception as exc:  # a damaged package can fail anywhere inside python-pptx's parser
        raise InputErrors([InputProblem(str(template), "pptx_template",
                                        f"cannot be used as a slide template: {type(exc).__name__}: {exc}")]) from None
    if not len(deck.slide_layouts):
        raise InputErrors([InputProblem(str(template), "pptx_template", "has no slide layouts to build slides from")])
    for slide_id in list(deck.slides._sldIdLst):
        deck.part.drop_rel(slide_id.rId)
        deck.slides._sldIdLst.remove(slide_id)
    return deck


def _placeholder_types(layout) -> list[str]:
    """The type of each placeholder of a layout ("obj" where none is named), read from its XML in one query."""
    return [ph.get("type", "obj") for ph in layout._element.xpath("./p:cSld/p:spTree/*/*/p:nvPr/p:ph")]


def _title_only_layout(deck: Presentation):
    """The layout with a title and the fewest other placeholders ("Title Only" in most templates)."""
    titled = [(lay, types) for lay in deck.slide_layouts
              for types in [_placeholder_types(lay)] if {"title", "ctrTitle"} & set(types)]
    if not titled:
        return deck.slide_layouts[-1]
    named = [lay for lay, _ in titled if lay.name.strip().lower() == "title only"]
    return named[0] if named else min(titled, key=lambda pair: len(pair[1]))[0]


def _clear_unused_placeholders(slide, keep: Sequence[int]) -> None:
    """Drop placeholders the deck does not fill (an empty "Click to add text" must not show)."""
    for shape in list(slide.placeholders):
        if shape.placeholder_format.idx not in keep:
            shape._element.getparent().remove(shape._element)


def _style_runs(paragraph, size: float, bold: bool = False, colour: RGBColor | None = TEXT_COLOUR) -> None:
    for run in paragraph.runs:
        run.font.size = Pt(size)
        run.font.bold = bold
        if colour is not None:
            run.font.color.rgb = colour


def add_title_slide(deck: Presentation, title: str, lines: Sequence[str], template: bool) -> None:
    """The cover: the title and a few lines (client, date, round, assessor) in the layout's placeholders.

    The neutral deck places them itself (its layouts are 4:3, the deck 16:9); a template's stay where it put them.
    """
    layout = deck.slide_layouts[0]
    slide = deck.slides.add_slide(layout)
    width, height = deck.slide_width, deck.slide_height
    title_shape = slide.shapes.title
    if title_shape is None:
        title_shape = slide.shapes.add_textbox(MARGIN, int(height * 0.3), width - 2 * MARGIN, Inches(1.2))
    title_shape.text_frame.text = title
    subtitle = next((p for p in slide.placeholders if p.placeholder_format.idx == 1), None)
    if subtitle is None:
        subtitle = slide.shapes.add_textbox(MARGIN, int(height * 0.55), width - 2 * MARGIN, Inches(1.8))
    frame = subtitle.text_frame
    frame.text = lines[0] if lines else ""
    for line in lines[1:]:
        frame.add_paragraph().text = line
    if not template:
        title_shape.left, title_shape.top = MARGIN, Inches(1.9)
        title_shape.width, title_shape.height = width - 2 * MARGIN, Inches(1.5)
        subtitle.left, subtitle.top = MARGIN, Inches(3.6)
        subtitle.width, subtitle.height = width - 2 * MARGIN, Inches(2.6)
        for paragraph in title_shape.text_frame.paragraphs:
            _style_runs(paragraph, 40, bold=True)
        for i, paragraph in enumerate(frame.paragraphs):
            _style_runs(paragraph, 22 if i == 0 else 18, colour=TEXT_COLOUR if i == 0 else MUTED_COLOUR)
    _clear_unused_placeholders(slide, keep=[title_shape.placeholder_format.idx if title_shape.is_placeholder else -1,
                                            subtitle.placeholder_format.idx if subtitle.is_placeholder else -1])


def add_slide(deck: Presentation, title: str, template: bool) -> tuple[object, Box]:
    """A slide with ``title`` and the free area under it; the neutral deck places the title itself."""
    slide = deck.slides.add_slide(_title_only_layout(deck))
    width, height = deck.slide_width, deck.slide_height
    heading = slide.shapes.title
    if heading is None:
        heading = slide.shapes.add_textbox(MARGIN, Inches(0.3), width - 2 * MARGIN, Inches(0.9))
    elif not template:
        heading.left, heading.top, heading.width, heading.height = MARGIN, Inches(0.3), width - 2 * MARGIN, Inches(0.9)
    heading.text_frame.text = title
    if not template:
        heading.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        for paragraph in heading.text_frame.paragraphs:
            paragraph.alignment = PP_ALIGN.LEFT
            _style_runs(paragraph, 28, bold=True)
    _clear_unused_placeholders(slide, keep=[heading.placeholder_format.idx] if heading.is_placeholder else [])
    top = max(int(heading.top + heading.height) + Inches(0.15), Inches(1.2))
    return slide, Box(MARGIN, top, width - 2 * MARGIN, height - top - Inches(0.4))


def add_text(slide, box: Box, paragraphs: Sequence[str], size: float = 16, bullets: bool = False,
             first_bold: bool = False) -> None:
    """A text box of paragraphs (as bullet points with ``bullets``), wrapped to the box."""
    shape = slide.shapes.add_textbox(box.left, box.top, box.width, box.height)
    frame = shape.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE  # PowerPoint shrinks a long text rather than overflow
    for i, text in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = f"• {text}" if bullets else text
        paragraph.space_after = Pt(8)
        _style_runs(paragraph, size, bold=first_bold and i == 0)


def add_table(slide, box: Box, header: Sequence[str], rows: Sequence[Sequence[object]],
              widths: Sequence[float] | None = None, size: float = 12,
              colours: Mapping[tuple[int, int], tuple[RGBColor, RGBColor]] | None = None) -> int:
    """A real table: a header row, then ``rows`` (None shown as '–'); ``widths`` are shares of the box width.
    Returns the table's height (at most the box's).

    ``colours`` maps (row, column) — row 0 the header — to a cell's (fill, text colour) in place of the banding.
    When that many rows must share the box's height, the cells' margins and then their text shrink (down to
    MIN_TABLE_TEXT) so that the rows fit: PowerPoint would grow a row its text does not fit, off the slide.
    """
    count = len(rows) + 1
    height = min(box.height, Inches(0.26 + size / 72 * 0.9) * count)
    row = height / count
    margin = int(min(CELL_MARGIN, max(0, (row - Pt(MIN_TABLE_TEXT) * 1.25) / 2)))
    size = min(size, max(MIN_TABLE_TEXT, round((row - 2 * margin) / Pt(1) / 1.25, 1)))
    table = slide.shapes.add_table(count, len(header), box.left, box.top, box.width, height).table
    shares = widths or [1 / len(header)] * len(header)
    total = sum(shares)
    for column, share in zip(table.columns, shares):
        column.width = Emu(int(box.width * share / total))
    styles: dict = {}
    for r, values in enumerate([list(header), *rows]):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.text = "–" if value is None else str(value)
            fill, text = (colours or {}).get((r, c)) or ((HEADER_FILL, WHITE) if r == 0 else (ROW_FILL[r % 2],
                                                                                             TEXT_COLOUR))
            _style_cell(cell, styles, size, margin, r == 0, fill, text)
    return height


def _style_cell(cell, styles: dict, size: float, margin: int, bold: bool, fill: RGBColor, colour: RGBColor) -> None:
    """Fill, margins and font of one table cell. The first cell of each style is styled through python-pptx;
    the others get copies of its markup (``styles`` keeps them): the same XML in a tenth of the time."""
    tc = cell._tc
    runs = tc.findall(f".//{qn('a:r')}")
    style = styles.get((bold, str(fill), str(colour)))
    if style is None or (runs and style[1] is None):
        cell.fill.solid()
        cell.fill.fore_color.rgb = fill
        cell.margin_top = cell.margin_bottom = margin
        for paragraph in cell.text_frame.paragraphs:
            _style_runs(paragraph, size, bold=bold, colour=colour)
        styles[(bold, str(fill), str(colour))] = (tc.tcPr, runs[0].find(qn("a:rPr")) if runs else None)
        return
    tc.replace(tc.get_or_add_tcPr(), copy.deepcopy(style[0]))
    for run in runs:
        run.insert(0, copy.deepcopy(style[1]))


def add_figure(slide, box: Box, figure: "Figure") -> None:
    """A chart as a picture, as large as fits ``box`` at its own aspect ratio, centred, FIGURE_DPI as shown.

    The chart is laid out once (without drawing) to find its extent, as a tight bounding box would, and drawn
    once at the resolution that gives FIGURE_DPI on the slide: no more pixels than that, as each costs time.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure.set_dpi(FIGURE_DPI)
    renderer = FigureCanvasAgg(figure).get_renderer()
    with getattr(renderer, "_draw_disabled", contextlib.nullcontext)():  # what savefig's own layout pass uses
        figure.draw(renderer)
    extent = figure.get_tightbbox(renderer).padded(FIGURE_PAD)
    scale = min(box.width / Inches(extent.width), box.height / Inches(extent.height))
    buffer = io.BytesIO()  # one dot more per inch: still FIGURE_DPI after rounding to whole pixels
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI * scale + 1, bbox_inches=extent, facecolor="white",
                   pil_kwargs={"compress_level": 1})
    width, height = int(Inches(extent.width) * scale), int(Inches(extent.height) * scale)
    buffer.seek(0)
    slide.shapes.add_picture(buffer, box.left + (box.width - width) // 2, box.top, width, height)


def set_properties(deck: Presentation, author: str, title: str, subject: str, keywords: str, comments: str) -> None:
    """Document properties: only what the deck is about and who wrote it (never a respondent's name)."""
    props = deck.core_properties
    props.author = author
    props.last_modified_by = author
    props.title = title
    props.subject = subject
    props.keywords = keywords
    props.comments = comments
    props.category = "PMO maturity assessment"
    props.content_status = ""
    props.identifier = ""
    props.version = ""
    props.revision = 1
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    props.created = now
    props.modified = now
    _drop_manager(deck)


def _drop_manager(deck: Presentation) -> None:
    """A template's extended properties may name a person as Manager: leave that out of the deck."""
    for part in deck.part.package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            part._blob = re.sub(rb"<Manager>.*?</Manager>|<Manager/>", b"", part.blob, flags=re.S)


def save_deck(deck: Presentation, path: Path, template: Path | None = None) -> Path:
    """Write the deck atomically (a reader sees the old file or the whole new one); never over its template."""
    if template is not None:
        refuse_inputs_as_outputs([template], {"deck": path})
    buffer = io.BytesIO()
    deck.save(buffer)
    atomic_write_bytes(path, buffer.getvalue())
    return Path(path)
