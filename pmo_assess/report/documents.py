"""Report documents from an executed assessment or portfolio notebook: HTML, PDF and the PPTX readout deck.

The document is the notebook's prose and outputs without its code, parameters or cells tagged
``notebook-only`` (intro text meant for whoever runs the notebook), in a stylesheet made for reading
and for print. Everything is rendered in memory first and then published all or none, so a failed
format leaves no half-written set; the failure is a :class:`ReportFormatError` naming the format.
"""
from __future__ import annotations

import ast
import base64
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from pmo_assess import __version__
from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.report.format_error import ReportFormatError
from pmo_assess.sanitize import escape_html

__all__ = ["FORMATS", "ReportFormatError", "parse_formats", "write_report_files"]

FORMATS = ("html", "pdf", "pptx")
#: Cells carrying one of these tags are left out of the documents.
HIDDEN_TAGS = frozenset({"notebook-only", "parameters", "injected-parameters"})


@dataclass(frozen=True)
class Source:
    """An executed notebook and what its parameters say about the document."""

    notebook: object
    path: Path
    parameters: dict
    kind: str  # "unit" or "portfolio"
    settings: object

    @property
    def title(self) -> str:
        from pmo_assess.report.cover import portfolio_title, unit_title

        return unit_title(self.parameters["business_unit"]) if self.kind == "unit" else portfolio_title(self.settings)

    @property
    def header(self) -> str:
        """The running header of printed pages: unit (or portfolio) and client."""
        first = self.parameters.get("business_unit", "Portfolio") if self.kind == "unit" else "Portfolio"
        return " · ".join(x for x in (first, self.settings.client) if x)

    @property
    def author(self) -> str:
        return self.settings.assessor or "pmo-assess"


def parse_formats(text: str) -> tuple[str, ...]:
    """``html,pdf,pptx`` → ("html", "pdf", "pptx") in the order given, once each; InputErrors naming --formats."""
    names = [part.strip().lower() for part in str(text).split(",") if part.strip()]
    unknown = [n for n in names if n not in FORMATS]
    if not names or unknown:
        said = f"unknown format {unknown[0]!r}" if unknown else "no format given"
        raise InputErrors([InputProblem("command line", "--formats",
                                        f"{said}; give one or more of {', '.join(FORMATS)} separated by commas")])
    return tuple(dict.fromkeys(names))


def notebook_parameters(notebook) -> dict:
    """The parameters a notebook ran with: its parameters cell's defaults, overridden by what papermill injected."""
    values: dict = {}
    for cell in notebook.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            for statement in ast.parse(cell.source).body:
                if isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name):
                    try:
                        values[statement.targets[0].id] = ast.literal_eval(statement.value)
                    except ValueError:
                        continue
    values.update(notebook.metadata.get("papermill", {}).get("parameters", {}) or {})
    return values


def _settings(parameters: dict):
    from pmo_assess.report.paths import resolve_input
    from pmo_assess.report.settings import load_report_settings

    path = parameters.get("report_settings") or ""
    return load_report_settings(resolve_input(path) if path else None).with_anonymise(bool(parameters.get("anonymise")))


def read_source(notebook_path: str | Path) -> Source:
    """Read an executed notebook and the settings its parameters name."""
    import nbformat

    notebook = nbformat.read(str(notebook_path), as_version=4)
    parameters = notebook_parameters(notebook)
    kind = "unit" if "business_unit" in parameters else "portfolio"
    return Source(notebook, Path(notebook_path), parameters, kind, _settings(parameters))


def _image(mime: str, data: str) -> str:
    payload = data if mime == "image/png" else base64.b64encode(data.encode("utf-8")).decode("ascii")
    return f'<img class="chart" alt="chart" src="data:{mime};base64,{payload.strip()}">'


def _output_html(output) -> str:
    data = output.get("data", {})
    if output.get("output_type") not in ("display_data", "execute_result"):
        return ""  # streams (warnings, logs) and errors are for whoever runs the notebook
    if "text/html" in data:
        return "".join(data["text/html"]) if isinstance(data["text/html"], list) else data["text/html"]
    for mime in ("image/svg+xml", "image/png"):
        if mime in data:
            return _image(mime, "".join(data[mime]) if isinstance(data[mime], list) else data[mime])
    return ""


def body_html(notebook) -> str:
    """The document body: markdown prose and the outputs of code cells, hidden cells left out."""
    import mistune

    parts = []
    for cell in notebook.cells:
        if HIDDEN_TAGS & set(cell.metadata.get("tags", [])):
            continue
        if cell.cell_type == "markdown":
            parts.append(mistune.html(cell.source))
        elif cell.cell_type == "code":
            parts.extend(_output_html(o) for o in cell.get("outputs", []))
    return "\n".join(p for p in parts if p)


def document_html(source: Source) -> str:
    """The whole HTML page of a report (title, author, stylesheet, body)."""
    from pmo_assess.report.style import stylesheet

    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape_html(source.title)}</title>"
            f'<meta name="author" content="{escape_html(source.author)}">'
            f'<meta name="generator" content="pmo-assess {__version__}">'
            f"<style>{stylesheet(source.header)}</style></head>"
            f'<body><main class="report">{body_html(source.notebook)}</main></body></html>\n')


def _deck_bytes(source: Source) -> bytes:
    """The PPTX readout deck (written by pmo_assess.report.deck into a temp file, returned as bytes)."""
    from pmo_assess.report.readout_inputs import deck_arguments

    try:
        from pmo_assess.report import deck
    except ImportError as exc:
        raise ReportFormatError("pptx", f"the readout deck module cannot be loaded ({exc})") from None
    with tempfile.TemporaryDirectory(prefix="pmo-deck-") as tmp:
        path = Path(tmp) / "deck.pptx"
        if source.kind == "unit":
            deck.write_unit_deck(path=path, **deck_arguments(source))
        else:
            deck.write_portfolio_deck(path=path, **deck_arguments(source))
        return path.read_bytes()


def _render(source: Source, fmt: str, html: str) -> bytes:
    from pmo_assess.report.pdf import html_to_pdf

    if fmt == "html":
        return html.encode("utf-8")
    if fmt == "pdf":
        return html_to_pdf(html, source.title, source.author)
    return _deck_bytes(source)


def write_report_files(notebook_path: Path, folder: Path, stem: str, formats: Sequence[str]) -> list[Path]:
    """Render an executed notebook into ``folder/stem.<format>`` for each format (all or none); returns the paths.

    A format that fails raises ReportFormatError(format, message); nothing is written then.
    """
    from pmo_assess.io.outputs import publish_all

    current = formats[0] if formats else "html"
    try:
        source = read_source(notebook_path)
        html = document_html(source)
        files = {}
        for current in formats:
            files[Path(folder) / f"{stem}.{current}"] = _render(source, current, html)
        return publish_all(files)
    except ReportFormatError:
        raise
    except InputErrors as exc:
        raise ReportFormatError(current, exc.render()) from None
    except Exception as exc:  # a library's failure on one unit must fail that unit only, with its reason
        raise ReportFormatError(current, f"{type(exc).__name__}: {exc}") from exc
