"""Show report pieces in a notebook: every text a user or respondent wrote is HTML-escaped here.

Tables go out as HTML built by :func:`table_html` (never raw markdown, which would let ``<script>``
through nbconvert); figures go out as SVG (vector: crisp on screen and in print, whatever Matplotlib backend is active).
"""
from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pmo_assess.sanitize import escape_html

#: Resolution of report figures: sharp on a projector, small enough for a 40-unit batch.
FIGURE_DPI = 90


def _cell(value: Any, percent: bool = False) -> str:
    """One escaped ``<td>``: numbers right-aligned, text left-aligned."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "<td>–</td>"
    if isinstance(value, (bool, np.bool_)):
        return f"<td>{'yes' if value else ''}</td>"
    if isinstance(value, float):
        return f"<td>{value:.0%}</td>" if percent else f"<td>{value:.2f}</td>"
    if isinstance(value, (int, np.integer)):
        return f"<td>{value}</td>"
    return f'<td style="text-align:left">{escape_html(value)}</td>'


def table_html(frame: pd.DataFrame, percent_columns: tuple[str, ...] = (), empty: str = "Nothing to show.") -> str:
    """An HTML table of ``frame`` with every header and cell escaped; ``empty`` (escaped) if it has no rows."""
    if frame.empty:
        return f"<p><em>{escape_html(empty)}</em></p>"
    head = "".join(f'<th style="text-align:left">{escape_html(c)}</th>' for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(_cell(v, c in percent_columns) for c, v in zip(frame.columns, row)) + "</tr>"
        for row in frame.itertuples(index=False))
    return (f'<div class="table-wrap"><table class="pmo-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def headline_html(headline: dict) -> str:
    """The unit's headline as an HTML block: overall level, what caps it, and why."""
    level = f"level {headline['level']} ({headline['level_name']})" if headline["level"] else "no level"
    score = "–" if headline["score"] is None else f"{headline['score']:.2f}"
    capped = (f"<p>Capped by <strong>{escape_html(headline['capped_by'])}</strong>.</p>"
              if headline["capped_by"] else "")
    return (f"<h2>{escape_html(headline['business_unit'])}: {escape_html(level)}</h2>"
            f"<p>Overall score {score} from {headline['respondents']:,} respondents.</p>{capped}"
            f"<p>{escape_html(headline['explanation'])}</p>")


def note_html(text: str) -> str:
    """A short escaped note in italics, or nothing for an empty text."""
    return f"<p><em>{escape_html(text)}</em></p>" if text else ""


def figure_png(figure: Figure) -> bytes:
    """Render a figure to PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
    return buffer.getvalue()


def figure_svg(figure: Figure) -> str:
    """Render a figure to SVG text (no creation date, so reruns give the same file)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    # shrink to the page on a phone instead of running off its right edge (the viewBox keeps it sharp)
    return buffer.getvalue().replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)


def show_html(html: str) -> None:
    """Display ready-made (already escaped) HTML."""
    from IPython.display import HTML, display

    display(HTML(html))


def show_table(frame: pd.DataFrame, percent_columns: tuple[str, ...] = (), empty: str = "Nothing to show.") -> None:
    """Display a DataFrame as an escaped HTML table."""
    show_html(table_html(frame, percent_columns, empty))


def show_figure(figure: Figure) -> None:
    """Display a figure as an SVG image."""
    from IPython.display import SVG, display

    display(SVG(data=figure_svg(figure)))
