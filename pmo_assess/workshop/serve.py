"""Serve the capture form to respondents with Voilà: a browser form, no code shown.

A two-cell notebook (parameters, then :func:`~pmo_assess.workshop.widgets.capture_form`) is
written to a temporary directory and served by a Voilà child process; each browser tab gets its
own kernel and session, and all of them merge their saves into the same answers file.

By default the server listens on 127.0.0.1 only. Port 0 lets Voilà bind a port the operating system
chooses (free by construction, never probed then released); the address printed names the port it got. ``host`` (e.g. ``0.0.0.0``) opens it to the
room's network, and is allowed only with invitations: personal links are then the only way in.
A kernel no browser has been connected to for a while is culled (a phone gone to sleep, a
crashed browser; see :mod:`.kernels`), and a tab that is closed shuts its kernel down at once
(Voilà's page-unload call).
"""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.workshop.defaults import CULL_IDLE_SECONDS

if TYPE_CHECKING:  # nbformat costs ~1 s to import: only the commands that serve a page load it
    import nbformat

HOST = "127.0.0.1"
#: How often the server looks for idle kernels.
CULL_INTERVAL_SECONDS = 60
#: Environment variable naming the file where a Voilà child started on port 0 writes the port it bound.
PORT_FILE_VARIABLE = "PMO_ASSESS_PORT_FILE"
#: How often the parent looks for that file while Voilà starts.
PORT_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Culling:
    """When left kernels are shut down: after ``idle`` s without a browser, checked every ``interval`` s."""

    idle: int = CULL_IDLE_SECONDS
    interval: int = CULL_INTERVAL_SECONDS


def page_notebook(parameters: dict[str, str], call: str) -> nbformat.NotebookNode:
    """A two-cell notebook for Voilà: the parameters as plain values (tagged, as papermill expects), then one call."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell("\n".join(f"{name} = {value!r}" for name, value in parameters.items()),
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(call),
    ]
    return notebook


def capture_notebook(questionnaire_file: Path, business_unit: str, answers_file: Path,
                     invites_file: Path | None = None) -> nbformat.NotebookNode:
    """The notebook Voilà runs: plain parameter values, then the capture form."""
    return page_notebook(
        {"questionnaire_file": str(questionnaire_file), "business_unit": business_unit,
         "answers_file": str(answers_file), "invites_file": str(invites_file or "")},
        "from pmo_assess.workshop.widgets import capture_form\n"
        "capture_form(questionnaire_file, business_unit, answers_file, invites_file)")


def voila_command(notebook_path: Path, port: int, token: str, host: str = HOST,
                  culling: Culling = Culling()) -> list[str]:
    """The Voilà command line: the host, a token, sources stripped, no tracebacks, idle kernels culled.

    Voilà runs under :func:`run_voila` (:mod:`.voila_child`), which stops it when this process ends (see
    :func:`serve_notebook`).
    """
    return [sys.executable, "-c", "from pmo_assess.workshop.serve import run_voila; run_voila()", str(notebook_path),
            "--no-browser",
            f"--port={port}", f"--Voila.ip={host}", f"--token={token}", "--strip_sources=True",
            "--show_tracebacks=False", "--theme=light",
            # Voilà 0.5's page-unload beacon (which shuts the tab's kernel) carries an empty _xsrf field and
            # would be refused; the call still needs the server token's cookie and the kernel's random id.
            "--Voila.tornado_settings=disable_check_xsrf=True",
            "--VoilaConfiguration.multi_kernel_manager_class=pmo_assess.workshop.kernels.RoomKernelManager",
            f"--MappingKernelManager.cull_idle_timeout={culling.idle}",
            f"--MappingKernelManager.cull_interval={culling.interval}",
            # When a room opens its links at once, a busy laptop can take seconds to deliver a form's output;
            # nbclient's 4 s default would drop it and leave that respondent a blank page.
            "--VoilaExecutor.iopub_timeout=60", "--VoilaExecutor.timeout=180"]


def check_port_free(port: int, host: str = HOST) -> None:
    """Refuse a port that is out of range or already taken on the host, before starting Voilà (0: any free port)."""
    if not 0 <= port <= 65535:
        raise InputErrors([InputProblem("--port", "", f"{port} is not a TCP port (1-65535, or 0 for any free one)")])
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            problem = InputProblem("--port", "", f"port {port} on {host} is not available ({exc.strerror})")
            raise InputErrors([problem]) from None


def room_address(host: str) -> str:
    """The address people in the room type: the host itself, or this machine's LAN address for 0.0.0.0."""
    if host not in ("0.0.0.0", ""):
        return host
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.254.254.254", 1))  # picks the outgoing interface; a UDP connect sends nothing
            return probe.getsockname()[0]
        except OSError:
            return socket.gethostbyname(socket.gethostname())


def check_host(host: str, invited: bool) -> None:
    """Refuse opening the server beyond this machine without personal links, or an address not of this machine."""
    if host == HOST:
        return
    if not invited:
        raise InputErrors([InputProblem("--host", "", f"{host} opens the form to the room's network; personal "
                                        "links are then the only way in: add --invite people.csv")])
    try:
        socket.getaddrinfo(host, None, socket.AF_INET)
    except socket.gaierror:
        raise InputErrors([InputProblem("--host", "", f"{host!r} is not an address of this machine "
                                        "(use 0.0.0.0 for every network it is on)")]) from None


def say_now(text: str) -> None:
    """Print a line at once (a log file or pipe reading the address must not wait for a buffer to fill)."""
    print(text, flush=True)


def serve(questionnaire_file: str | Path, business_unit: str, answers_file: str | Path, port: int,
          token: str | None = None, say: Callable[[str], None] = say_now, host: str = HOST,
          people_file: str | Path | None = None, valid_days: int | None = None,
          culling: Culling = Culling()) -> int:
    """Serve the capture form until interrupted (Ctrl-C or SIGTERM); returns Voilà's exit status.

    With ``people_file`` every person gets a personal link (printed, and on an invitations sheet).
    """
    from pmo_assess.workshop import invites
    from pmo_assess.workshop.session import open_session

    questionnaire_file, answers_file = Path(questionnaire_file).resolve(), Path(answers_file).resolve()
    session = open_session(questionnaire_file, business_unit, answers_file)  # every input problem before serving
    people = invites.read_people(people_file, session.questionnaire) if people_file else None
    check_host(host, people is not None)
    check_port_free(port, host)
    invites_file = book = None
    if people is not None:
        book, notes = invites.issue_invitations(people, answers_file, session.business_unit,
                                                valid_days or invites.DEFAULT_VALID_DAYS)
        invites_file = invites.invites_path(answers_file)
        token = token or book.server_token
        for note in notes:
            say(note)
    token = token or secrets.token_urlsafe(16)

    def started(bound: int) -> None:
        """Once Voilà listens (on ``bound``, the port it got): the address, or everyone's personal link."""
        base = f"http://{room_address(host)}:{bound}"
        if book is None:
            say(f"Serving the {session.business_unit} capture form at http://{HOST}:{bound}/?token={token}")
        else:
            sheet = invites.sheet_path(answers_file)
            invites.write_sheet(sheet, invites.invitation_sheet(
                book, base, session.questionnaire, f"{session.business_unit} workshop: your personal link"))
            say("Personal links (each opens the form as that person only):")
            for person in book.active():
                say(f"  {person.name}: {invites.personal_link(base, book.server_token, person)}")
            say(f"invitations sheet with a QR code per person: {sheet}\n"
                f"tokens are kept in {invites_file} (private; reused next time)")
        if host != HOST:
            say(f"WARNING: the form is open to every device on this network at {base}; only the personal links "
                "above can answer. Press Ctrl-C when the workshop ends.")
        say(f"answers are saved to {answers_file}; press Ctrl-C to stop")

    notebook = capture_notebook(questionnaire_file, session.business_unit, answers_file, invites_file)
    return serve_notebook(notebook, "workshop-capture.ipynb", port, token, started, host, culling)


def serve_room(questionnaire_file: str | Path, business_unit: str, answers_file: str | Path, port: int,
               targets_file: str | Path | None = None, token: str | None = None, say: Callable[[str], None] = say_now,
               culling: Culling = Culling()) -> int:
    """Serve the facilitator's room view (everyone's answers, live) on 127.0.0.1 only, until interrupted."""
    from pmo_assess.workshop.room import room_notebook
    from pmo_assess.workshop.session import open_session

    questionnaire_file, answers_file = Path(questionnaire_file).resolve(), Path(answers_file).resolve()
    targets_file = Path(targets_file).resolve() if targets_file else answers_file.parent / "targets.yaml"
    session = open_session(questionnaire_file, business_unit, answers_file, targets_file)  # problems first
    check_port_free(port)
    token = token or secrets.token_urlsafe(16)

    def started(bound: int) -> None:
        say(f"Room view of {session.business_unit} (for the projector; it shows everyone's answers, so it is "
            f"served on this machine only) at http://{HOST}:{bound}/?token={token}\n"
            f"targets: {targets_file}; votes: {session.votes_path}; press Ctrl-C to stop")

    notebook = room_notebook(questionnaire_file, session.business_unit, answers_file, targets_file, session.votes_path)
    return serve_notebook(notebook, "workshop-room.ipynb", port, token, started, HOST, culling)


def serve_notebook(notebook: nbformat.NotebookNode, name: str, port: int, token: str,
                   started: Callable[[int], None], host: str = HOST, culling: Culling = Culling()) -> int:
    """Serve a notebook as a code-free Voilà page until Ctrl-C or SIGTERM; returns Voilà's exit status.

    The notebook is written to a temporary folder as ``name``; ``started(port)`` is called once Voilà runs,
    with the port it listens on (the one the operating system chose, for port 0). Used by the workshop's
    capture form and room view, and the roadmap editor (``pmo-assess edit-roadmap``).
    """
    import nbformat

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with tempfile.TemporaryDirectory(prefix="pmo-assess-voila-") as folder:
            notebook_path = Path(folder) / name
            nbformat.write(notebook, notebook_path)
            port_file = Path(folder) / "port"  # where Voilà on port 0 writes the port it got
            env = {**os.environ, PORT_FILE_VARIABLE: str(port_file)} if port == 0 else None
            # Voilà's stdin is a pipe only this process can write to (it never does): however this process ends,
            # even killed, the pipe closes and Voilà stops with its kernels instead of running on, orphaned.
            voila = subprocess.Popen(voila_command(notebook_path, port, token, host, culling), stdin=subprocess.PIPE,
                                     env=env)
            try:
                bound = port or _wait_for_port(port_file, voila)
                if bound is None:  # Voilà ended before it listened; it said why
                    return voila.wait()
                started(bound)
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


def _wait_for_port(port_file: Path, voila: subprocess.Popen) -> int | None:
    """The port a Voilà child started on port 0 bound (from its port file); None if it ended first."""
    while voila.poll() is None:
        try:
            return int(port_file.read_text(encoding="ascii"))
        except (FileNotFoundError, ValueError):
            time.sleep(PORT_POLL_SECONDS)
    return None


def _listen_on_any_port(voila_class: type, port_file: Path) -> None:
    """Make Voilà on port 0 bind a port the OS chooses, and write that port to ``port_file`` once it listens."""
    original = voila_class.listen

    def listen(self: object) -> None:
        if self.port == 0:
            import tornado.httpserver
            import tornado.netutil

            from pmo_assess.io.files import atomic_write_text

            sockets = tornado.netutil.bind_sockets(0, self.ip)
            self.port = sockets[0].getsockname()[1]
            application = self.app

            def listen_on_bound(_port: int, _address: str = "", **kwargs: object) -> object:
                server = tornado.httpserver.HTTPServer(application, **kwargs)
                server.add_sockets(sockets)
                return server

            application.listen = listen_on_bound
            atomic_write_text(port_file, str(self.port))  # already listening: connections wait for the loop
        original(self)

    voila_class.listen = listen


def run_voila() -> None:
    """Voilà as :mod:`.voila_child` runs it; on ``--port=0`` it reports the port it got to $PMO_ASSESS_PORT_FILE."""
    from voila.app import Voila

    from pmo_assess.workshop import voila_child

    port_file = os.environ.pop(PORT_FILE_VARIABLE, "")
    if port_file:
        _listen_on_any_port(Voila, Path(port_file))
    voila_child.main()
