"""Shared helpers for real-browser tests: Debian chromium via Playwright, servers started and stopped by PID.

Import from a test module (``from browser import ...``); the module skips itself when chromium is
missing outside CI. Every server started here runs in its own process group so that stopping it
also stops Voilà's or JupyterLab's kernels. Servers are started on port 0: they bind a port the
operating system chooses and print their address, which :func:`served_base` reads back (a port
probed free and then released could be taken by another process before the server binds it).
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
#: The projector and the phone every page is checked at.
PROJECTOR = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}


def require_chromium() -> None:
    """Skip the calling module when chromium is missing (fail in CI, which installs it)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium", pytrace=False)
        pytest.skip(f"{CHROMIUM} is not installed (CI installs it)", allow_module_level=True)


#: The address a server prints once it listens (``http://HOST:PORT/``).
ADDRESS = re.compile(r"http://([^/\s:]+):(\d+)/")


def start_server(command: list[str], cwd: Path, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start a server in its own process group, its output going to ``log``."""
    with log.open("w") as output:
        return subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, env=env)


def workshop_command(*arguments: str) -> list[str]:
    """``pmo-assess workshop ARGS`` run with this interpreter."""
    return [sys.executable, "-m", "pmo_assess", "workshop", *arguments]


def served_base(server: subprocess.Popen, log: Path, seconds: float = 60) -> str:
    """``http://127.0.0.1:PORT`` of a server started with port 0, from the first address it printed to ``log``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = ADDRESS.search(log.read_text(encoding="utf-8", errors="replace"))
        if found:
            return f"http://127.0.0.1:{found.group(2)}"
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}:\n{log.read_text()}")
        time.sleep(0.1)
    pytest.fail(f"the server printed no address within {seconds} s:\n{log.read_text()}")


def wait_until_serving(url: str, server: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    """Poll ``url`` until it answers 200; fail with the server's log if it exits or times out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    pytest.fail(f"the server did not answer within {seconds} s:\n{log.read_text()}")


def stop(server: subprocess.Popen) -> None:
    """SIGTERM the server's process group (Voilà and its kernels), SIGKILL if it lingers."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.wait(timeout=10)


@contextmanager
def serving(command: list[str], path: str, cwd: Path, log: Path, env: dict[str, str] | None = None,
            seconds: float = 60) -> Iterator[tuple[subprocess.Popen, str]]:
    """A server started on port 0 that answers at its address + ``path`` for the block, stopped (with its group)
    after; yields (the server process, its address ``http://127.0.0.1:PORT``)."""
    server = start_server(command, cwd, log, env)
    try:
        base = served_base(server, log, seconds)
        wait_until_serving(base + path, server, log, seconds)
        yield server, base
    finally:
        stop(server)


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Debian chromium driven by Playwright, closed after the block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def kernel_pids(server: subprocess.Popen) -> list[int]:
    """PIDs of the ipykernel processes started under a server (its descendants; kernels have their own session)."""
    parents, commands = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            commands[int(entry.name)] = (entry / "cmdline").read_bytes().split(b"\0")
            parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    family, grown = {server.pid}, True
    while grown:
        children = {pid for pid, parent in parents.items() if parent in family} - family
        family |= children
        grown = bool(children)
    return sorted(pid for pid in family - {server.pid}
                  if any(b"ipykernel_launcher" in part for part in commands.get(pid, [])))


#: The widest content of the page and of every scrolling box in it (Voilà scrolls inside #rendered_cells).
_WIDEST = """() => {
  const boxes = Array.from(document.querySelectorAll('*')).filter(e => {
    const style = getComputedStyle(e);
    return ['auto', 'scroll'].includes(style.overflowX) || ['auto', 'scroll'].includes(style.overflowY); });
  const over = boxes.map(e => e.scrollWidth - e.clientWidth);
  over.push(document.documentElement.scrollWidth - window.innerWidth, document.body.scrollWidth - window.innerWidth);
  return Math.max(...over);
}"""
_TALLEST = """() => Math.max(document.documentElement.scrollHeight,
  ...Array.from(document.querySelectorAll('*')).filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowY))
     .map(e => e.scrollHeight + e.getBoundingClientRect().top))"""


def horizontal_overflow(page: object) -> int:
    """How many CSS pixels the page, or any scrolling box in it, is wider than it shows (0: no sideways scroll)."""
    return page.evaluate(_WIDEST)


def font_px(page: object, selector: str) -> float:
    """The computed font size, in CSS pixels, of the first element matching ``selector``."""
    return page.eval_on_selector(selector, "e => parseFloat(getComputedStyle(e).fontSize)")


def save_screenshot(page: object, name: str, full_page: bool = False) -> Path | None:
    """Save a screenshot under $PMO_ASSESS_ARTIFACTS (when set) and return its path."""
    folder = os.environ.get("PMO_ASSESS_ARTIFACTS")
    if not folder:
        return None
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if not full_page:
        page.screenshot(path=str(path))
        return path
    viewport = page.viewport_size  # Voilà scrolls an inner box: grow the window to the content instead
    page.set_viewport_size({"width": viewport["width"], "height": min(16000, int(page.evaluate(_TALLEST)) + 20)})
    page.wait_for_timeout(200)
    page.screenshot(path=str(path))
    page.set_viewport_size(viewport)
    return path
