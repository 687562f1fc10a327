"""HTML report → PDF printed by headless Chromium (driven by Playwright), one browser kept per process.

A4, page numbers and the running header come from the print stylesheet's ``@page`` rules (see
pmo_assess.report.style; margin boxes need Chromium 131 or later). The browser is started on the first PDF
and kept for the next: a batch prints every unit's report with the same browser, in its own process (~0.2 s a
report instead of ~1.5 s with a layout engine written in Python). JavaScript is off and every request is refused: a report page is
self-contained (its charts are data URIs), so nothing it holds can run or call out.
"""
from __future__ import annotations

import atexit
import importlib.util
import io
import os
import queue
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pmo_assess.report.format_error import ReportFormatError

#: An environment variable naming the Chromium, Chrome or Edge executable to print with.
BROWSER_VARIABLE = "PMO_ASSESS_BROWSER"
#: Executables looked for on PATH, in this order, when the variable is not set.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "msedge",
                 "microsoft-edge")
#: Where Chrome and Edge install themselves on macOS and Windows (not on PATH there).
KNOWN_LOCATIONS = (
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
    r"C:\Program Files\Microsoft\Edge\Application\msedge.exe",
)
#: Headless, no GPU, no background traffic (updates, sync, first-run pages); no sandbox so it runs as root in CI.
LAUNCH_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync")
#: Seconds one PDF may take, browser start included, before the report fails with a message.
PRINT_TIMEOUT = 120.0
INSTALL_HINT = ("install Chromium (Debian/Ubuntu: apt-get install chromium), Google Chrome or Microsoft Edge, "
                f"or set {BROWSER_VARIABLE} to the path of one of them")


def find_browser() -> str:
    """The browser executable that prints PDFs: ``$PMO_ASSESS_BROWSER``, else the first one found on PATH or
    where Chrome and Edge install themselves; a ReportFormatError naming what to install when there is none."""
    named = os.environ.get(BROWSER_VARIABLE, "").strip()
    if named:
        if Path(named).is_file():
            return named
        raise ReportFormatError("pdf", f"{BROWSER_VARIABLE} names {named!r}, which is not a file; {INSTALL_HINT}")
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    for location in KNOWN_LOCATIONS:
        if Path(location).is_file():
            return location
    raise ReportFormatError("pdf", f"no Chromium, Chrome or Edge browser found to print the PDF; {INSTALL_HINT}")


@dataclass
class _Job:
    """One page to print, and where its PDF (or the reason it has none) goes."""

    html: str
    reply: queue.Queue = field(default_factory=lambda: queue.Queue(maxsize=1))
    taken: bool = False  # the browser has started on it (else another printer may take it over)


class _Printer:
    """A headless browser owned by one thread of its own (Playwright's synchronous API refuses to run inside
    the event loop of a Jupyter kernel), printing one page at a time.

    The browser starts as soon as the printer is made, so a warm-up overlaps its start with other work. A page
    that fails fails its own report only: the next one gets a fresh page, or a fresh browser if this one died."""

    def __init__(self, executable: str) -> None:
        self.executable = executable
        self._jobs: queue.Queue = queue.Queue()
        self._failure: Exception | None = None
        self._stuck = False
        self._thread = threading.Thread(target=self._serve, name="pmo-assess-pdf", daemon=True)
        self._thread.start()

    @property
    def alive(self) -> bool:
        """Can this printer take a job (its browser neither failed to start nor got stuck)?"""
        return self._thread.is_alive() and not self._stuck

    def _serve(self) -> None:
        try:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                browser = self._launch(playwright)
                page = None
                while (job := self._jobs.get()) is not None:
                    job.taken = True
                    for attempt in (1, 2):
                        if not browser.is_connected():  # it crashed since the last page: a new one
                            browser, page = self._launch(playwright), None
                        try:
                            if page is None:
                                page = browser.new_context(java_script_enabled=False, offline=True).new_page()
                                page.route("**/*", lambda route: route.abort())
                            page.set_content(job.html, wait_until="load")
                            job.reply.put(page.pdf(prefer_css_page_size=True, print_background=True))
                            break
                        except Exception as exc:  # the page's state is unknown: the next report gets a new one
                            page = None
                            if attempt == 2 or browser.is_connected():  # this page's own failure
                                job.reply.put(exc)
                                break
                browser.close()
        except Exception as exc:  # the browser cannot start: kept for the callers still waiting
            self._failure = exc

    def _launch(self, playwright):
        return playwright.chromium.launch(executable_path=self.executable, args=list(LAUNCH_ARGS))

    def submit(self, html: str) -> _Job:
        """Hand one HTML page to the browser; :meth:`wait` for its PDF."""
        job = _Job(html)
        self._jobs.put(job)
        return job

    def wait(self, job: _Job) -> bytes:
        """The PDF of a submitted page, or a ReportFormatError with the browser's reason. A page this printer
        never started on, because its browser stopped or got stuck, is printed by a new one."""
        waited = 0.0
        while True:
            try:
                result = job.reply.get(timeout=0.5)
                break
            except queue.Empty:
                waited += 0.5
            if not job.reply.empty():
                continue
            ended = not self._thread.is_alive()
            if ended and self._failure is not None:  # the browser cannot start: that is every report's reason
                result = self._failure
                break
            if (ended or self._stuck) and not job.taken:  # never started on here: a new browser prints it
                successor = _current_printer()
                return successor.wait(successor.submit(job.html))
            if ended:
                result = RuntimeError("the browser stopped")
                break
            if waited >= PRINT_TIMEOUT:
                self._stuck = True  # the next report (and any waiting behind this one) gets a new browser
                self._jobs.put(None)  # and this one ends if its page ever finishes
                raise ReportFormatError("pdf", f"the browser ({self.executable}) did not print the PDF "
                                               f"within {PRINT_TIMEOUT:.0f} s") from None
        if isinstance(result, Exception):
            reason = str(result).strip().splitlines()[0] if str(result).strip() else type(result).__name__
            raise ReportFormatError("pdf", f"the browser ({self.executable}) could not print the PDF: {reason}")
        return result

    def close(self, wait: float = 10.0) -> None:
        """Close the browser (its thread ends after the job in hand)."""
        self._jobs.put(None)
        self._thread.join(wait)


_printer: _Printer | None = None
_printer_lock = threading.Lock()


def _current_printer() -> _Printer:
    """This process's printer, started (or replaced, if its browser failed or got stuck) when needed."""
    global _printer
    with _printer_lock:
        if _printer is None or not _printer.alive:
            if importlib.util.find_spec("playwright") is None:
                raise ReportFormatError("pdf", "Playwright, which drives the browser that prints PDFs, is not "
                                               "installed; install it with pip install playwright")
            _printer = _Printer(find_browser())
        return _printer


def start_printer() -> None:
    """Start this process's browser now (the batch warms it up while it checks inputs), if it is not running."""
    _current_printer()


def close_printer() -> None:
    """Close this process's browser, if one is running (at exit, so no browser outlives its process)."""
    global _printer
    with _printer_lock:
        printer, _printer = _printer, None
    if printer is not None and printer.alive:
        printer.close()


atexit.register(close_printer)


def _with_metadata(pdf: bytes, title: str, author: str) -> bytes:
    """``pdf`` whose document information holds only ``title``, ``author`` and pmo-assess as its maker."""
    from pypdf import PdfReader, PdfWriter

    from pmo_assess import __version__

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.metadata = {"/Title": title, "/Author": author, "/Creator": f"pmo-assess {__version__}",
                       "/Producer": f"pmo-assess {__version__}"}
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def start_pdf(html: str, title: str, author: str) -> Callable[[], bytes]:
    """Hand a report page to this process's browser now; the call returned waits for its PDF, whose metadata
    holds only ``title`` and ``author`` (no respondent, no path). Other formats can render meanwhile."""
    printer = _current_printer()
    job = printer.submit(html)
    return lambda: _with_metadata(printer.wait(job), title, author)


def html_to_pdf(html: str, title: str, author: str) -> bytes:
    """The PDF of a report page (see :func:`start_pdf`)."""
    return start_pdf(html, title, author)()
