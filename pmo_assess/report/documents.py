"""Report documents from an executed assessment or portfolio notebook: HTML, PDF and the PPTX readout deck.

The document is the notebook's prose and outputs without its code, parameters or cells tagged
``notebook-only`` (intro text meant for whoever runs the notebook), in a stylesheet made for reading
and for print. Everything is rendered in memory first and then published all or none, so a failed
format leaves no half-written set; the failure is a :class:`ReportFormatError` naming the format.
"""
from __future__ import annotations

import ast
import base64
import contextlib
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator, Sequence

from pmo_assess import __version__
from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.report.format_error import ReportFormatError
from pmo_assess.sanitize import escape_html

__all__ = ["FORMATS", "ReportFormatError", "begin_report_files", "parse_formats", "write_report_files"]

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
            try:
                body = ast.parse(cell.source).body
            except SyntaxError:
                continue
            for statement in body:
                if isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name):
                    try:
                        values[statement.targets[0].id] = ast.literal_eval(statement.value)
                    except ValueError:
                        continue
    values.update(notebook.metadata.get("papermill", {}).get("parameters", {}) or {})
    return values


def notebook_settings(parameters: dict, stand_in=None, notebook_path: str | Path = ""):
    """The settings the notebook's ``report_settings`` parameter names (as that file reads now).

    ``stand_in`` (``--settings``) replaces that file only when it no longer exists (a batch worker's scratch copy):
    anything else would change a cover that is already in the notebook's outputs, so it is refused.
    """
    from pmo_assess.report.paths import resolve_input
    from pmo_assess.report.settings import load_report_settings

    path = parameters.get("report_settings") or ""
    found = resolve_input(path) if path else None
    if stand_in is not None:
        if found is None or (found.exists() and load_report_settings(found) != stand_in):
            raise InputErrors([InputProblem("command line", "--settings", "with --executed it only stands in for a "
                                            "settings file the notebook ran with that no longer exists; this "
                                            "notebook's cover is in its outputs, so run the unit again with its "
                                            "answers and --settings to change it")])
        return stand_in
    if found is not None and not found.exists():
        raise InputErrors([InputProblem(str(notebook_path), "report_settings", f"the notebook ran with "
                                        f"{str(found)!r}, which no longer exists; pass the same settings with "
                                        "--settings")])
    return load_report_settings(found)


def ran_anonymised(notebook_path: Path, parameters: dict) -> bool:
    """Whether the notebook ran anonymised: its ``anonymise`` parameter, or the scores.json it wrote saying so.

    Never the settings file as it reads now: it may have changed since the run, and names are in the outputs.
    """
    import json

    from pmo_assess.report.paths import resolve_input
    from pmo_assess.report.unit import SCORES_FILE

    if parameters.get("anonymise") is True:
        return True
    places = [Path(notebook_path).parent / SCORES_FILE]
    if parameters.get("output_dir"):
        places.append(resolve_input(parameters["output_dir"]) / SCORES_FILE)
    for place in places:
        if place.is_file():
            try:
                return json.loads(place.read_text(encoding="utf-8")).get("anonymised") is True
            except (OSError, ValueError, AttributeError):
                return False
    return False


def _read_notebook(path: Path):
    """The notebook at ``path``; InputErrors naming the file when it is not one."""
    import nbformat
    from nbformat.reader import NotJSONError
    from nbformat.validator import ValidationError

    try:
        return nbformat.read(str(path), as_version=4)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "cannot be read as text"
        raise InputErrors([InputProblem(str(path), "", f"{reason}; give an executed notebook (.ipynb)")]) from None
    except (NotJSONError, ValidationError, ValueError, KeyError, AttributeError, TypeError):
        raise InputErrors([InputProblem(str(path), "", "is not a notebook (.ipynb); give an executed assessment or "
                                        "portfolio notebook, e.g. a batch's units/<unit>/assessment.ipynb")]) from None


def _check_ran_through(notebook, path: Path) -> None:
    """InputErrors when the notebook stopped with an error: its outputs, and so its report, are cut short."""
    failure = (notebook.metadata.get("papermill") or {}).get("exception")
    error = next((o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
                  if o.get("output_type") == "error"), None)
    if failure or error is not None:
        said = f" ({error.get('ename', '')}: {error.get('evalue', '')})" if error is not None else ""
        raise InputErrors([InputProblem(str(path), "", f"this notebook stopped with an error{said}, so its report "
                                        "would be cut short; fix the input and run the unit again")])


def _check_parameters(parameters: dict, path: Path) -> None:
    if not parameters:
        raise InputErrors([InputProblem(str(path), "parameters", "this notebook has no parameters; give an executed "
                                        "assessment or portfolio notebook, e.g. a batch's units/<unit>/assessment.ipynb")])
    if not parameters.get("questionnaire"):
        raise InputErrors([InputProblem(str(path), "parameters", "the notebook has no 'questionnaire' parameter; "
                                        "give an executed assessment or portfolio notebook")])


def read_source(notebook_path: str | Path, settings=None, questionnaire: str | Path | None = None) -> Source:
    """Read an executed notebook (refused when it is not one, or stopped with an error) and its settings.

    Cover fields come from the settings file its parameters name, or from ``settings`` standing in for that file
    when it no longer exists (:func:`notebook_settings`); anonymity is always what the notebook ran with
    (:func:`ran_anonymised`). ``questionnaire`` likewise stands in for the notebook's questionnaire parameter
    when that file no longer exists (a batch worker's deleted scratch copy).
    """
    path = Path(notebook_path)
    notebook = _read_notebook(path)
    _check_ran_through(notebook, path)
    parameters = notebook_parameters(notebook)
    _check_parameters(parameters, path)
    if questionnaire:
        from pmo_assess.report.paths import resolve_input

        own = resolve_input(parameters["questionnaire"])
        if not own.is_file():
            parameters["questionnaire"] = str(Path(questionnaire).resolve())
        elif own.resolve() != Path(questionnaire).resolve():
            raise InputErrors([InputProblem("command line", "--questionnaire", f"the notebook ran with {str(own)!r}, "
                                            "which still exists; with --executed -q only stands in for a "
                                            "questionnaire that no longer exists")])
    kind = "unit" if "business_unit" in parameters else "portfolio"
    cover = notebook_settings(parameters, settings, path)
    return Source(notebook, path, parameters, kind, replace(cover, anonymise=ran_anonymised(path, parameters)))


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


@contextlib.contextmanager
def _as_format_error(current: list[str]) -> Iterator[None]:
    """Any failure inside as a ReportFormatError of the format ``current[0]`` (being rendered when it failed)."""
    try:
        yield
    except ReportFormatError:
        raise
    except InputErrors as exc:
        raise ReportFormatError(current[0], exc.render()) from None
    except Exception as exc:  # a library's failure on one unit must fail that unit only, with its reason
        raise ReportFormatError(current[0], f"{type(exc).__name__}: {exc}") from exc


def begin_report_files(notebook_path: Path, folder: Path, stem: str, formats: Sequence[str],
                       settings=None, questionnaire: str | Path | None = None) -> Callable[[], list[Path]]:
    """Start rendering an executed notebook's reports: the HTML and the deck now, the PDF handed to this process's
    browser. The call returned waits for the PDF and writes ``folder/stem.<format>`` for each format (all or none),
    returning the paths; what runs between the two calls overlaps the PDF's printing.

    ``settings`` and ``questionnaire`` stand in for the files the notebook's parameters name when those no longer
    exist (see :func:`read_source`). A notebook that stopped with an error, or a format that fails, raises
    ReportFormatError(format, message) from either call; nothing is written.
    """
    from pmo_assess.io.outputs import publish_all

    current = [formats[0] if formats else "html"]
    files: dict[Path, bytes] = {}
    pdf = None
    with _as_format_error(current):
        source = read_source(notebook_path, settings, questionnaire)
        html = document_html(source) if {"html", "pdf"} & set(formats) else ""  # a deck alone needs no page
        if "pdf" in formats:
            from pmo_assess.report.pdf import start_pdf

            current[0] = "pdf"
            pdf = start_pdf(html, source.title, source.author)
        for fmt in formats:
            current[0] = fmt
            if fmt == "html":
                files[Path(folder) / f"{stem}.html"] = html.encode("utf-8")
            elif fmt == "pptx":
                files[Path(folder) / f"{stem}.pptx"] = _deck_bytes(source)

    def finish() -> list[Path]:
        with _as_format_error(current):
            if pdf is not None:
                current[0] = "pdf"
                files[Path(folder) / f"{stem}.pdf"] = pdf()
            current[0] = formats[0]  # writing the files: not one format's failure
            return publish_all({Path(folder) / f"{stem}.{fmt}": files[Path(folder) / f"{stem}.{fmt}"]
                                for fmt in formats})  # in the order asked

    return finish


def write_report_files(notebook_path: Path, folder: Path, stem: str, formats: Sequence[str],
                       settings=None, questionnaire: str | Path | None = None) -> list[Path]:
    """Render an executed notebook into ``folder/stem.<format>`` for each format (all or none); returns the paths
    (see :func:`begin_report_files`)."""
    return begin_report_files(notebook_path, folder, stem, formats, settings, questionnaire)()
