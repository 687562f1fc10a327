"""The capture page in a real browser: projector sizes, keys, jump, stable buttons, a phone that fits."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from browser import (PHONE, PROJECTOR, chromium, font_px, horizontal_overflow, require_chromium,
                     save_screenshot, serving, workshop_command)
from conftest import BANK

require_chromium()
pytestmark = pytest.mark.timeout(120)
TOKEN = "presentation-test-token"


def answers_in(path: Path) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["question"]: row["answer"] for row in csv.DictReader(handle)}


def box(page: object, selector: str) -> dict[str, float]:
    return page.eval_on_selector(selector, "e => { const r = e.getBoundingClientRect(); "
                                           "return {x: r.x, y: r.y, right: r.right, bottom: r.bottom}; }")


def test_capture_page_on_a_projector_with_keys_and_on_a_phone(tmp_path: Path) -> None:
    answers = tmp_path / "answers.csv"
    command = workshop_command("--unit", "Projector Unit", "--port", "0", "--questionnaire", str(BANK),
                               "--answers", str(answers), "--token", TOKEN)
    with serving(command, f"/?token={TOKEN}", tmp_path, tmp_path / "workshop.log") as (_, base), \
            chromium() as browser:
        url = f"{base}/?token={TOKEN}"
        phone = browser.new_page(viewport=PHONE)
        phone.set_default_timeout(60_000)
        phone.goto(url)
        phone.wait_for_selector(".pmo-respondent-name input")
        assert horizontal_overflow(phone) <= 0
        for field in (".pmo-respondent-name input", ".pmo-role select", "button.pmo-start"):
            where = box(phone, field)
            assert 0 <= where["x"] and where["right"] <= PHONE["width"] and where["bottom"] <= PHONE["height"], field
        assert "Projector Unit" in phone.title() and "Projector Unit" in phone.inner_text(".pmo-header")
        save_screenshot(phone, "capture-390.png")
        phone.close()

        page = browser.new_page(viewport=PROJECTOR)
        page.set_default_timeout(60_000)
        page.goto(url)
        page.fill(".pmo-respondent-name input", "Kim Keys")
        page.select_option(".pmo-role select", label="PMO staff")
        page.click("button.pmo-start")
        page.wait_for_selector(".pmo-question:has-text('PPL-CUS-1')")
        page.wait_for_selector(".pmo-respondent-message:has-text('answering as Kim Keys')")

        page.keyboard.press("3")  # keys answer, like a click
        page.wait_for_selector(".pmo-message:has-text('saved PPL-CUS-1 = 3')")
        next_at = box(page, "button.pmo-next")
        page.focus(".pmo-answer-choices input >> nth=2")
        for _ in range(3):
            page.keyboard.press("ArrowDown")  # moves focus only: nothing saved on the way
        page.wait_for_timeout(600)
        assert answers_in(answers) == {"PPL-CUS-1": "3"}
        assert page.evaluate("document.activeElement.closest('label').textContent").startswith("don't know")
        assert page.is_checked(".pmo-answer-choices input >> nth=2")
        page.keyboard.press("n")
        page.wait_for_selector(".pmo-message:has-text('saved PPL-CUS-1 = na')")
        page.keyboard.press("d")
        page.wait_for_selector(".pmo-message:has-text('saved PPL-CUS-1 = dk')")
        assert answers_in(answers) == {"PPL-CUS-1": "dk"}
        save_screenshot(page, "capture-1920.png")

        page.select_option(".pmo-jump select", label="Governance › Benefits management")  # 13 Next clicks before
        page.wait_for_selector(".pmo-question:has-text('GOV-BEN-1')")
        assert box(page, "button.pmo-next") == next_at  # above the question: anchors never move it
        page.click("button.pmo-next")
        page.wait_for_selector(".pmo-question:has-text('GOV-BEN-2')")
        assert box(page, "button.pmo-next") == next_at

        page.click(".pmo-present-toggle")
        page.wait_for_selector(".pmo-capture.pmo-presenting")
        assert font_px(page, ".pmo-question-text") >= 28
        assert min(page.eval_on_selector_all(".pmo-answer-choices .widget-radio-box label",
                                             "ls => ls.map(l => parseFloat(getComputedStyle(l).fontSize))")) >= 20
        assert horizontal_overflow(page) <= 0
        save_screenshot(page, "presentation-1920.png")
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(300)
        assert horizontal_overflow(page) <= 0
        save_screenshot(page, "presentation-390.png")
        page.click(".pmo-present-toggle")  # back to the respondent's form
        page.wait_for_timeout(300)
        assert horizontal_overflow(page) <= 0
        save_screenshot(page, "capture-question-390.png", full_page=True)
