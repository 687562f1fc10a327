"""Kill the kernel behind a respondent's Voilà page: a banner within 2 s, nothing shown as saved that is not on disk.

A real browser answers from a personal link, types a comment, then the page's kernel is killed and
the respondent clicks another answer. The banner must appear within two seconds and name both the
answer and the comment that were not saved; the radio must not look saved; the file must hold only
what was confirmed. Reloading the link starts a new kernel that continues as the same person at
their first unanswered question.
"""
from __future__ import annotations

import csv
import os
import re
import signal
import time
from pathlib import Path

import pytest

from browser import (PHONE, PROJECTOR, chromium, kernel_pids, require_chromium, save_screenshot,
                     start_server, stop, wait_until_serving, workshop_command)
from conftest import DATA

require_chromium()
pytestmark = pytest.mark.timeout(120)


def rows_of(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))[1:]


def personal_link(log: Path, name: str, seconds: float = 30) -> str:
    """The personal link the workshop command printed for ``name``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = re.search(rf"^\s*{re.escape(name)}: (http://\S+)$", log.read_text(), flags=re.M)
        if found:
            return found.group(1)
        time.sleep(0.2)
    pytest.fail(f"no personal link for {name} in the workshop's output:\n{log.read_text()}")


def test_killed_kernel_shows_a_banner_naming_what_was_not_saved_and_reload_resumes(tmp_path: Path) -> None:
    answers, log, people = tmp_path / "answers.csv", tmp_path / "workshop.log", tmp_path / "people.csv"
    people.write_text("name,role\nAna Browser,sponsor\n", encoding="utf-8")
    command = workshop_command("--unit", "Death Unit", "--port", "0", "--questionnaire", str(DATA / "mini.yaml"),
                               "--answers", str(answers), "--invite", str(people))
    server = start_server(command, tmp_path, log)
    try:
        link = personal_link(log, "Ana Browser")
        wait_until_serving(link, server, log)
        with chromium() as browser:
            page = browser.new_page(viewport=PROJECTOR)
            page.set_default_timeout(60_000)
            page.goto(link)
            page.wait_for_selector(".pmo-question:has-text('P-T-1')")
            page.keyboard.press("2")
            page.wait_for_selector(".pmo-message:has-text('saved P-T-1 = 2')")
            page.click("button.pmo-next")
            page.wait_for_selector(".pmo-question:has-text('P-T-2')")
            page.click(".pmo-answer-choices label:has-text('3 · operationalizing')")
            page.wait_for_selector(".pmo-message:has-text('saved P-T-2 = 3')")
            page.wait_for_function("() => window.pmoWorkshopGuard && window.pmoWorkshopGuard.seenBeat")

            kernels = kernel_pids(server)
            assert kernels, "no kernel found under the workshop server"
            page.fill(".pmo-comment textarea", "typed just before the crash")  # the save waits for a pause
            for pid in kernels:
                os.kill(pid, signal.SIGKILL)
            killed = time.monotonic()
            page.click(".pmo-answer-choices label:has-text('4 · optimizing')")
            # the banner shows once the page's next save finds no kernel (its speed: benchmarks/bench_workshop.py)
            page.wait_for_selector("#pmo-banner.pmo-banner-shown", timeout=30_000)
            print(f"the banner showed {time.monotonic() - killed:.2f} s after the kill")
            banner = page.inner_text("#pmo-banner")
            save_screenshot(page, "kernel-death-1920.png")

            assert "NOT SAVING" in banner
            assert "“4 · optimizing” to “Talent two?” (P-T-2) was NOT saved" in banner
            assert "comment on “Talent two?” (P-T-2) was NOT saved" in banner
            assert page.is_visible("label.pmo-unsaved:has-text('4 · optimizing')")  # marked, not looking saved
            assert not page.is_visible(".pmo-message .pmo-ok")  # the old green "saved" is gone
            assert rows_of(answers) == [["Death Unit", "Ana Browser", "sponsor", "P-T-1", "2", ""],
                                        ["Death Unit", "Ana Browser", "sponsor", "P-T-2", "3", ""]]
            page.click(".pmo-answer-choices label:has-text('1 · ad hoc')")  # clicks are refused while offline
            assert not page.is_checked(".pmo-answer-choices label:has-text('1 · ad hoc') input")

            page.reload()  # a new kernel: the same person, at the first question they have not answered
            page.wait_for_selector(".pmo-question:has-text('P-L-1')")
            assert "Ana Browser" in page.inner_text(".pmo-who")
            assert not page.is_visible("#pmo-banner")
            page.set_viewport_size(PHONE)
            save_screenshot(page, "kernel-death-reloaded-390.png", full_page=True)
    finally:
        stop(server)
    assert rows_of(answers) == [["Death Unit", "Ana Browser", "sponsor", "P-T-1", "2", ""],
                                ["Death Unit", "Ana Browser", "sponsor", "P-T-2", "3", ""]]
