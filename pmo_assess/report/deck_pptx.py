"""Building blocks of a readout deck with python-pptx: open a (client) template, add slides, text, tables, figures.

Everything added is editable: titles are the layout's title placeholder, text is in text boxes and
tables are real PowerPoint tables; only charts are pictures. A client template lends its layouts
and theme; its own slides are dropped.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.exc import PackageNotFoundError
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
#: Resolution of chart pictures: crisp on a projector and in print.
FIGURE_DPI = 150


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


def _placeholder_types(layout) -> list[int]:
    return [int(p.placeholder_format.type) for p in layout.placeholders]


def _title_only_layout(deck: Presentation):
    """The layout with a title and the fewest other placeholders ("Title Only" in most templates)."""
    titled = [lay for lay in deck.slide_layouts
              if {int(PP_PLACEHOLDER.TITLE), int(PP_PLACEHOLDER.CENTER_TITLE)} & set(_placeholder_types(lay))]
    if not titled:
        return deck.slide_layouts[-1]
    named = [lay for lay in titled if lay.name.strip().lower() == "title only"]
    return named[0] if named else min(titled, key=lambda lay: len(lay.placeholders))


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
              widths: Sequence[float] | None = None, size: float = 12) -> None:
    """A real table: a header row, then ``rows`` (None shown as '–'); ``widths`` are shares of the box width."""
    row_height = Inches(0.26 + size / 72 * 0.9)
    height = min(box.height, row_height * (len(rows) + 1))
    table = slide.shapes.add_table(len(rows) + 1, len(header), box.left, box.top, box.width, height).table
    shares = widths or [1 / len(header)] * len(header)
    total = sum(shares)
    for column, share in zip(table.columns, shares):
        column.width = Emu(int(box.width * share / total))
    for r, values in enumerate([list(header), *rows]):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.text = "–" if value is None else str(value)
            cell.fill.solid()
            cell.fill.fore_color.rgb = HEADER_FILL if r == 0 else ROW_FILL[r % 2]
            cell.margin_top = cell.margin_bottom = Inches(0.04)
            for paragraph in cell.text_frame.paragraphs:
                _style_runs(paragraph, size, bold=r == 0, colour=RGBColor(0xFF, 0xFF, 0xFF) if r == 0 else TEXT_COLOUR)


def add_figure(slide, box: Box, figure: "Figure") -> None:
    """A chart as a picture, as large as fits ``box`` at its own aspect ratio, centred."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI, bbox_inches="tight", facecolor="white",
                   pil_kwargs={"compress_level": 1})
    buffer.seek(0)
    with Image.open(io.BytesIO(buffer.getvalue())) as image:
        ratio = image.width / image.height
    width, height = box.width, int(box.width / ratio)
    if height > box.height:
        width, height = int(box.height * ratio), box.height
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
