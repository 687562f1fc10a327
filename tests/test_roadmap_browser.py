"""A real browser edits the roadmap: roadmap.ipynb in JupyterLab, and the code-free page of ``pmo-assess edit-roadmap``.

Each test changes an owner and a wave in the editor, saves, and checks the YAML diff on disk: only
those lines (and the dates that move with the wave) and one history line.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
import pytest

from browser import PHONE, PROJECTOR, chromium, require_chromium, save_screenshot, serving
from pmo_assess.commands.edit_roadmap import editor_notebook, editor_parameters
from pmo_assess.roadmap.editor_widgets import item_class
from roadmap_fixtures import ANSWERS, BANK, TARGETS, UNIT, changed_lines, roadmap_copy

require_chromium()
pytestmark = pytest.mark.timeout(180)
TOKEN = "roadmap-editor-test-token"
CHARTER = "MAN-1-pmo-charter"


def command_args(roadmap: Path) -> list[str]:
    """edit-roadmap's arguments; port 0: the server binds a free port and prints its address."""
    return [str(ANSWERS), "-q", str(BANK), "-t", str(TARGETS), "--unit", UNIT, "--roadmap", str(roadmap),
            "--port", "0", "--token", TOKEN]


def edit_owner_and_wave(page: object) -> None:
    """Change the charter's owner and wave, type a name and save; wait until the page says it is on disk."""
    row = f".{item_class(CHARTER)}"
    page.wait_for_selector(f"{row} .pmo-input-owner input", state="attached", timeout=90_000)
    page.locator(".pmo-editor").scroll_into_view_if_needed()  # JupyterLab renders only the cells in view
    page.fill(f"{row} .pmo-input-owner input", "Ana Browser")
    page.press(f"{row} .pmo-input-owner input", "Enter")
    page.wait_for_selector(".pmo-editor-status:has-text('1 unsaved')")
    page.fill(f"{row} .pmo-input-wave input", "2")
    page.press(f"{row} .pmo-input-wave input", "Enter")
    page.wait_for_selector(".pmo-editor-status:has-text('4 unsaved')")  # owner, wave and the dates moved with it
    page.fill(".pmo-editor-name input", "Ana Browser")
    page.click("button.pmo-editor-save")
    page.wait_for_selector(".pmo-editor-status:has-text('Saved version 2 of roadmap.yaml')")


def run_all_cells(page: object) -> None:
    """Run every cell once the kernel is idle, until the editor's rows are there. JupyterLab sometimes asks which
    kernel to start (even after starting one): accept Python 3 and run again; so too if the kernel sits idle."""
    deadline, clicked = time.monotonic() + 120, None
    while time.monotonic() < deadline:
        if page.locator(".jp-Dialog button.jp-mod-accept").count():
            page.click(".jp-Dialog button.jp-mod-accept")
            clicked = None
        idle = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count()
        if idle and (clicked is None or time.monotonic() - clicked > 30):
            page.click("li.lm-MenuBar-item:has-text('Run')")
            page.click(".lm-Menu-item:has-text('Run All Cells')")
            clicked = time.monotonic()
        if page.locator(f".{item_class(CHARTER)} .pmo-input-owner input").count():
            return
        time.sleep(0.5)
    pytest.fail("the notebook did not show the editor within 120 s")


def assert_saved(roadmap: Path, before: str) -> None:
    lines = changed_lines(before, roadmap.read_text())
    assert lines[:8] == [
        ("-", "    wave: 1"), ("+", "    wave: 2"),
        ("-", "    owner: ''   # to agree"), ("+", "    owner: 'Ana Browser' # to agree"),
        ("-", "    start: 2027-01-04"), ("+", "    start: 2027-03-29"),
        ("-", "    end: 2027-02-14"), ("+", "    end: 2027-05-09")]
    assert len(lines) == 9 and lines[8][0] == "+" and lines[8][1].startswith("  - {version: 2, on: ")
    assert lines[8][1].endswith("by: Ana Browser, edited: [MAN-1-pmo-charter.owner, MAN-1-pmo-charter.wave, "
                                "MAN-1-pmo-charter.start, MAN-1-pmo-charter.end]}")


def test_jupyterlab_runs_roadmap_notebook_and_saves_an_owner_and_a_wave(tmp_path: Path) -> None:
    roadmap = roadmap_copy(tmp_path)
    before = roadmap.read_text()
    parameters = editor_parameters(argparse.Namespace(**{
        "answers": [str(ANSWERS)], "questionnaire": str(BANK), "targets": str(TARGETS), "unit": UNIT,
        "roadmap": str(roadmap), "votes": None, "library": None, "baseline": []}))
    nbformat.write(editor_notebook(parameters), tmp_path / "roadmap.ipynb")
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--port=0", "--ServerApp.ip=127.0.0.1",
               f"--IdentityProvider.token={TOKEN}", "--allow-root", f"--ServerApp.root_dir={tmp_path}",
               "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    with serving(command, f"/api/status?token={TOKEN}", tmp_path, tmp_path / "lab.log") as (_, base):
        with chromium() as browser:
            page = browser.new_page(viewport=PROJECTOR)
            page.set_default_timeout(60_000)
            page.goto(f"{base}/lab/tree/roadmap.ipynb?reset&token={TOKEN}")
            page.wait_for_selector(".jp-Notebook .jp-Cell")
            try:
                run_all_cells(page)
                edit_owner_and_wave(page)
            except BaseException:  # pytest.fail too: keep a picture of what the page showed
                page.screenshot(path=str(tmp_path / "failed.png"))
                print(f"screenshot of the failure: {tmp_path / 'failed.png'}\n{(tmp_path / 'lab.log').read_text()[-3000:]}")
                raise
            page.wait_for_selector(".pmo-roadmap-changes:has-text('Ana Browser')")
            page.locator(".pmo-editor").scroll_into_view_if_needed()
            save_screenshot(page, "editor/jupyterlab-1920.png")
            page.keyboard.press("Control+b")  # a phone has no room for the file browser
            page.set_viewport_size(PHONE)
            page.locator(".pmo-editor").scroll_into_view_if_needed()
            save_screenshot(page, "editor/jupyterlab-phone.png")
    assert_saved(roadmap, before)


def test_voila_page_of_edit_roadmap_saves_an_owner_and_a_wave(tmp_path: Path) -> None:
    roadmap = roadmap_copy(tmp_path)
    before = roadmap.read_text()
    command = [sys.executable, "-m", "pmo_assess", "edit-roadmap", *command_args(roadmap)]
    with serving(command, f"/?token={TOKEN}", tmp_path, tmp_path / "voila.log", seconds=90) as (_, base):
        with chromium() as browser:
            page = browser.new_page(viewport=PROJECTOR)
            page.set_default_timeout(60_000)
            page.goto(f"{base}/?token={TOKEN}")
            edit_owner_and_wave(page)
            assert "RoadmapPage.open(" not in page.content()  # Voilà strips the code
            page.wait_for_selector(".pmo-roadmap-changes:has-text('Ana Browser')")
            page.locator(".pmo-editor").scroll_into_view_if_needed()
            save_screenshot(page, "editor/voila-1920.png")
            save_screenshot(page, "editor/voila-1920-full.png", full_page=True)
            page.set_viewport_size(PHONE)
            page.locator(".pmo-editor").scroll_into_view_if_needed()
            save_screenshot(page, "editor/voila-phone.png")
    assert_saved(roadmap, before)
