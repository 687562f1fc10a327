"""A real browser answers two questions in the form served by ``pmo-assess workshop`` (Voilà)."""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

from browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, served_base, stop, wait_until_serving
from conftest import DATA

TOKEN = "workshop-test-token"

require_chromium()


def test_browser_answers_two_questions_into_the_answers_file(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    answers, log = tmp_path / "answers.csv", tmp_path / "voila.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "pmo_assess", "workshop", "--unit", "Browser Unit", "--port", "0",
             "--questionnaire", str(DATA / "mini.yaml"), "--answers", str(answers), "--token", TOKEN],
            cwd=tmp_path, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"{served_base(server, log)}/?token={TOKEN}"  # port 0: the server bound a free port
        wait_until_serving(url, server, log)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            try:
                page = browser.new_page(viewport={"width": 1100, "height": 800})
                page.set_default_timeout(60_000)
                page.goto(url)
                page.fill(".pmo-respondent-name input", "Ana Browser")
                page.select_option(".pmo-role select", label="Project manager")
                page.click("button.pmo-start")
                page.wait_for_selector(".pmo-question:has-text('P-T-1')")
                assert "capture_form(" not in page.content()  # Voilà strips the code from the page
                page.click(".pmo-answer-choices label:has-text('3 · operationalizing')")
                page.wait_for_selector(".pmo-message:has-text('saved P-T-1 = 3')")
                page.click("button.pmo-next")
                page.wait_for_selector(".pmo-question:has-text('P-T-2')")
                page.click(".pmo-answer-choices label:has-text('2 · evolving')")
                page.wait_for_selector(".pmo-message:has-text('saved P-T-2 = 2')")
                assert "2 / 7 answered" in page.inner_text(".pmo-progress")
                screenshot = tmp_path / "workshop-form.png"
                page.screenshot(path=str(screenshot), full_page=True)
            finally:
                browser.close()
    finally:
        stop(server)
    artifacts = os.environ.get("PMO_ASSESS_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, Path(artifacts) / "workshop-form.png")
    print(f"screenshot of the workshop form: {screenshot}" + (f" (copied to {artifacts})" if artifacts else ""))
    with answers.open(newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["business_unit", "respondent", "role", "question", "answer", "comment"],
            ["Browser Unit", "Ana Browser", "pm", "P-T-1", "3", ""],
            ["Browser Unit", "Ana Browser", "pm", "P-T-2", "2", ""]]
    assert screenshot.stat().st_size > 10_000
