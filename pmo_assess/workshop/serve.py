"""Serve the capture form to respondents with Voilà on 127.0.0.1: a browser form, no code shown.

A two-cell notebook (parameters, then :func:`~pmo_assess.workshop.widgets.capture_form`) is
written to a temporary directory and served by a Voilà child process; each browser tab gets its
own kernel and session, and all of them merge their saves into the same answers file.
"""
from __future__ import annotations

import secrets
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

import nbformat

from pmo_assess.errors import InputErrors, InputProblem

HOST = "127.0.0.1"


def capture_notebook(questionnaire_file: Path, business_unit: str, answers_file: Path) -> nbformat.NotebookNode:
    """The notebook Voilà runs: plain parameter values, then the capture form."""
    parameters = (f"questionnaire_file = {str(questionnaire_file)!r}\n"
                  f"business_unit = {business_unit!r}\n"
                  f"answers_file = {str(answers_file)!r}")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("from pmo_assess.workshop.widgets import capture_form\n"
                                  "capture_form(questionnaire_file, business_unit, answers_file)"),
    ]
    return notebook


def voila_command(notebook_path: Path, port: int, token: str) -> list[str]:
    """The Voilà command line: localhost only, a token, sources stripped, no tracebacks shown."""
    return [sys.executable, "-m", "voila", str(notebook_path), "--no-browser", f"--port={port}",
            f"--Voila.ip={HOST}", f"--token={token}", "--strip_sources=True", "--show_tracebacks=False",
            "--theme=light"]


def check_port_free(port: int) -> None:
    """Refuse a port that is out of range or already taken on 127.0.0.1, before starting Voilà."""
    if not 1 <= port <= 65535:
        raise InputErrors([InputProblem("--port", "", f"{port} is not a TCP port (1-65535)")])
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            problem = InputProblem("--port", "", f"port {port} on {HOST} is not available ({exc.strerror})")
            raise InputErrors([problem]) from None


def serve(questionnaire_file: str | Path, business_unit: str, answers_file: str | Path, port: int,
          token: str | None = None, say: Callable[[str], None] = print) -> int:
    """Serve the capture form until interrupted (Ctrl-C or SIGTERM); returns Voilà's exit status."""
    from pmo_assess.workshop.session import open_session

    questionnaire_file, answers_file = Path(questionnaire_file).resolve(), Path(answers_file).resolve()
    open_session(questionnaire_file, business_unit, answers_file)  # every input problem before serving
    check_port_free(port)
    token = token or secrets.token_urlsafe(16)

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    with tempfile.TemporaryDirectory(prefix="pmo-assess-workshop-") as folder:
        notebook_path = Path(folder) / "workshop-capture.ipynb"
        nbformat.write(capture_notebook(questionnaire_file, business_unit.strip(), answers_file), notebook_path)
        voila = subprocess.Popen(voila_command(notebook_path, port, token), stdin=subprocess.DEVNULL)
        say(f"Serving the {business_unit.strip()} capture form at http://{HOST}:{port}/?token={token}\n"
            f"answers are saved to {answers_file}; press Ctrl-C to stop")
        try:
            return voila.wait()
        except KeyboardInterrupt:
            voila.terminate()
            try:
                voila.wait(timeout=10)
            except subprocess.TimeoutExpired:
                voila.kill()
                voila.wait()
            return 0
        finally:
            signal.signal(signal.SIGTERM, previous)
