"""What every workshop page carries besides its widgets: styles, the page guard script, a header, a pulse.

The guard script (``static/workshop.js``) is the only part that runs in the browser: it notices within
two seconds that the kernel stopped (the :class:`Pulse` heartbeat stops ticking), names the answers
that were not confirmed as saved (the :class:`Ack` echoes every save result), and maps the answer keys.
Kernel death is only visible in the browser, so the kernel's side here is deliberately tiny.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from importlib import resources
from typing import Callable

import ipywidgets as w

from pmo_assess.sanitize import escape_html
from pmo_assess.workshop.keyboard import KEY_HELP, key_indexes

#: The kernel ticks every HEARTBEAT seconds; the page calls it lost after LOST_AFTER of silence.
HEARTBEAT_SECONDS = 0.25
LOST_AFTER_MS = 1000
CHECK_MS = 100
#: The page pings the kernel every PING_MS; a kernel that has not heard a ping for LISTEN_SECONDS goes quiet.
PING_MS = 2000
LISTEN_SECONDS = 20
HIDDEN = w.Layout(display="none")


def _static(name: str) -> str:
    return resources.files("pmo_assess.workshop").joinpath("static", name).read_text(encoding="utf-8")


def style_html() -> str:
    """The pages' stylesheet as a <style> element (an HTML widget may carry it; scripts it may not)."""
    return f"<style>{_static('workshop.css')}</style>"


def assets_html(title: str, choices: list[str]) -> str:
    """The <style> and guard <script> of a workshop page, with its configuration as JSON."""
    config = {"title": title, "choices": choices, "keys": key_indexes(choices), "lost_after_ms": LOST_AFTER_MS,
              "check_ms": CHECK_MS, "ping_ms": PING_MS}
    config_json = json.dumps(config).replace("<", "\\u003c")
    return (f"{style_html()}"
            f'<script type="application/json" id="pmo-workshop-config">{config_json}</script>'
            f"<script>{_static('workshop.js')}</script>")


def show_assets(title: str, choices: list[str]) -> None:
    """Display the styles and guard script as cell output (Voilà and JupyterLab run the script; widgets cannot)."""
    from IPython.display import HTML, display

    display(HTML(assets_html(title, choices)))


def header_html(title: str, unit: str, instructions: str) -> str:
    """The page's title, the unit being assessed and short instructions (instructions may hold <kbd> markup)."""
    return (f"<h1>{escape_html(title)}</h1><div class='pmo-unit'>Business unit: {escape_html(unit)}</div>"
            f"<div class='pmo-instructions'>{instructions}</div>")


def capture_instructions() -> str:
    """How to answer, in a sentence or two, with the keys."""
    return ("Choose the description that fits what you see today. Every answer is saved the moment you choose "
            f"it; comments are saved as you type. Keys: {KEY_HELP}.")


def note(text: str, kind: str = "ok") -> str:
    """A message box shown next to its field: kind ``ok``, ``error`` (unmissable) or ``info``."""
    role = " role='alert'" if kind == "error" else ""
    return f"<div class='pmo-note pmo-{kind}'{role}>{escape_html(text)}</div>"


class Ack:
    """A hidden widget echoing each save result as JSON, so the page knows what reached the disk."""

    def __init__(self) -> None:
        self.widget = w.HTML(layout=HIDDEN).add_class("pmo-ack")
        self._seq = 0
        self._lock = threading.Lock()

    def send(self, kind: str, question: str, value: str, ok: bool, message: str = "") -> None:
        """Tell the page that this save of ``kind`` (answer, comment) for ``question`` did or did not happen."""
        with self._lock:
            self._seq += 1
            self.widget.value = escape_html(json.dumps({"seq": self._seq, "kind": kind, "question": question,
                                                        "value": value, "ok": ok, "message": message}))


class Pulse:
    """A daemon thread ticking a hidden heartbeat, and optionally a second one polling for changes.

    The page's guard script clicks the hidden ``ping`` button every PING_MS. Once a page has pinged,
    both threads go quiet when no ping came for LISTEN_SECONDS (the browser was closed, crashed or
    put to sleep without unloading the page): nothing is then sent that the server would have to
    hold for a page that is gone. They resume at the next ping. Both stop when the widget is closed;
    neither touches the session except through ``poll``.
    """

    def __init__(self, poll: Callable[[], None] | None = None, poll_seconds: float = 0.5):
        self.beat = w.HTML().add_class("pmo-beat")
        self.ping = w.Button().add_class("pmo-ping")
        self.ping.on_click(self._pinged)
        #: the widget to show: the heartbeat and the ping button, hidden
        self.widget = w.Box([self.beat, self.ping], layout=HIDDEN).add_class("pmo-heartbeat")
        self.poll, self.poll_seconds = poll, poll_seconds
        self.ticks = 0
        self._last_ping: float | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> "Pulse":
        """Start ticking (and polling); idempotent."""
        if self._threads:
            return self
        self._threads.append(threading.Thread(target=self._beat, name="pmo-heartbeat", daemon=True))
        if self.poll is not None:
            self._threads.append(threading.Thread(target=self._watch, name="pmo-watch", daemon=True))
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        """Stop both threads (they also stop by themselves when the heartbeat widget is closed)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def listened(self) -> bool:
        """True unless a page pinged once and then fell silent for LISTEN_SECONDS (no page is there to tell)."""
        return self._last_ping is None or time.monotonic() - self._last_ping < LISTEN_SECONDS

    def _pinged(self, _button: object = None) -> None:
        self._last_ping = time.monotonic()

    def _alive(self) -> bool:
        return not self._stop.is_set() and self.beat.comm is not None

    def _beat(self) -> None:
        while self._alive():
            if self.listened():
                self.ticks += 1
                self.beat.value = str(self.ticks)
            self._stop.wait(HEARTBEAT_SECONDS)

    def _watch(self) -> None:
        while self._alive():
            started = time.monotonic()
            if self.listened():  # a page that is gone is not redrawn; the next ping catches up at once
                try:
                    self.poll()
                except Exception:  # noqa: BLE001 - an unexpected failure is logged; live updates go on
                    logging.getLogger(__name__).exception("watching the workshop files failed")
            self._stop.wait(max(0.05, self.poll_seconds - (time.monotonic() - started)))
