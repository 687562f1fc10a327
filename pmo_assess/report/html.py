"""Executed notebook → HTML report with no code (nbconvert ``--no-input``), written atomically."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from pmo_assess.io.files import atomic_write_text

if TYPE_CHECKING:
    from nbconvert import HTMLExporter

_local = threading.local()


def _exporter() -> "HTMLExporter":
    """One HTMLExporter per thread: building one costs more than converting a notebook."""
    exporter = getattr(_local, "exporter", None)
    if exporter is None:
        from nbconvert import HTMLExporter

        exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
        _local.exporter = exporter
    return exporter


def notebook_html(notebook: nbformat.NotebookNode) -> str:
    """The notebook's outputs and prose as a standalone HTML page, without code cells' input."""
    body, _ = _exporter().from_notebook_node(notebook)
    return body


def write_notebook_html(notebook_path: str | Path, html_path: str | Path) -> Path:
    """Convert an executed notebook file into an HTML report at ``html_path`` (atomic)."""
    notebook = nbformat.read(str(notebook_path), as_version=4)
    atomic_write_text(html_path, notebook_html(notebook))
    return Path(html_path)
