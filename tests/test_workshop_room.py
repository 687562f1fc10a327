"""The facilitator's room view: headless (redraw on file change, consensus capture) and in a real browser."""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from conftest import BANK, DATA, EXAMPLES
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.workshop.room import RoomView, room_notebook
from pmo_assess.workshop.session import open_session

MINI = DATA / "mini.yaml"
TWELVE = [f"{first} {last}" for first, last in zip(
    ["Helena", "Daniel", "Fatima", "Jonas", "Lucas", "Mei", "Priya", "Oluwaseun", "Marie-Claire", "Bartholomew",
     "Anastasia", "Giovanni"],
    ["Lindqvist", "Okafor", "Al-Sayed", "Becker", "Ferreira", "Tanaka", "Natarajan", "Adeyemi-Johnson",
     "Dubois-Lefèvre", "Featherstonehaugh", "Papadopoulou", "Montgomery-Smythe"])]


def write_twelve(path: Path, questionnaire_file: Path, unit: str) -> None:
    """Twelve respondents who disagree on every question (answers 1 to 4 spread over them)."""
    questionnaire = load_questionnaire(questionnaire_file)
    roles = [r.id for r in questionnaire.roles] or [""]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["business_unit", "respondent", "role", "question", "answer", "comment"])
        for i, name in enumerate(TWELVE):
            for j, question in enumerate(questionnaire.questions):
                writer.writerow([unit, name, roles[i % len(roles)], question.id, str((i + j) % 4 + 1), ""])


def test_room_redraws_when_another_session_saves_and_captures_consensus(tmp_path: Path) -> None:
    answers = tmp_path / "answers.csv"
    write_twelve(answers, MINI, "Unit A")
    room = RoomView(open_session(MINI, "Unit A", answers, tmp_path / "targets.yaml"))
    assert "12 respondent(s)" in room.stamp.value and "Talent one?" in room.discussion.value
    assert "Featherstonehaugh" in room.progress.value and "7/7" in room.progress.value
    assert "Sponsor" in room.progress.value  # role names, not ids
    assert room.poll() is False  # nothing changed: nothing redrawn
    redraws = room.redraws
    other = open_session(MINI, "Unit A", answers)  # a respondent's browser, elsewhere
    other.choose_respondent("Zed Newcomer", "pm")
    other.answer(4)
    assert room.poll() is True and room.redraws == redraws + 1
    assert "13 respondent(s)" in room.stamp.value and "Zed Newcomer" in room.progress.value
    assert "1/7" in room.progress.value

    room.question.value = "P-T-1"
    room.agreed.value = "3"
    room.note.value = "Zed disagrees: <b>too early</b>"
    room.on_save()
    assert "saved the room&#x27;s answer to P-T-1: 3" in room.consensus_message.value
    with answers.open(newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle))[-1] == ["Unit A", "consensus", "", "P-T-1", "3",
                                                "Zed disagrees: <b>too early</b>"]
    assert "&lt;b&gt;too early&lt;/b&gt;" in room.discussion.value and "<b>too early</b>" not in room.discussion.value


def test_room_refuses_a_consensus_changed_meanwhile_and_shows_the_newer_one(tmp_path: Path) -> None:
    answers = tmp_path / "answers.csv"
    write_twelve(answers, MINI, "Unit A")
    room = RoomView(open_session(MINI, "Unit A", answers))
    room.question.value = "G-B-1"
    notebook = open_session(MINI, "Unit A", answers)  # the facilitator's notebook, recording the same item
    notebook.set_mode("consensus")
    notebook.go_to("G-B-1")
    notebook.answer(2, comment="agreed in the notebook")
    room.agreed.value = "4"
    room.on_save()
    assert "pmo-error" in room.consensus_message.value and "G-B-1" in room.consensus_message.value
    assert room.agreed.value == "2" and room.note.value == "agreed in the notebook"  # the newer answer, shown
    with answers.open(newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle))[-1][3:5] == ["G-B-1", "2"]
    room.agreed.value = None
    room.on_save()
    assert "choose the answer the room agreed first" in room.consensus_message.value


def test_room_notebook_is_two_plain_cells() -> None:
    notebook = room_notebook(MINI, "Unit A", "answers.csv", "targets.yaml")
    parameters, call = notebook.cells
    assert parameters.metadata["tags"] == ["parameters"] and "business_unit = 'Unit A'" in parameters.source
    assert "room_page(questionnaire_file, business_unit, answers_file, targets_file, votes_file)" in call.source
    nbformat.validate(notebook)


# ---------------------------------------------------------------------------------------------- real browser
@pytest.mark.timeout(120)
def test_room_page_updates_by_itself_and_fits_a_projector_and_a_phone(tmp_path: Path) -> None:
    from browser import (PHONE, PROJECTOR, chromium, horizontal_overflow, require_chromium,
                         save_screenshot, serving, workshop_command)

    require_chromium()
    answers = tmp_path / "answers.csv"
    write_twelve(answers, BANK, "Group Technology")
    shutil.copy(EXAMPLES / "targets.yaml", tmp_path / "targets.yaml")  # the default beside the answers
    token = "room-test-token"
    command = workshop_command("--unit", "Group Technology", "--room", "--port", "0", "--token", token,
                               "--questionnaire", str(BANK), "--answers", str(answers))
    with serving(command, f"/?token={token}", tmp_path, tmp_path / "voila.log") as (_, base), chromium() as browser:
        url = f"{base}/?token={token}"
        page = browser.new_page(viewport=PROJECTOR)
        page.set_default_timeout(60_000)
        page.goto(url)
        page.wait_for_selector(".pmo-room .pmo-discussion-table")
        page.wait_for_function("() => document.querySelector('.pmo-radar img, img.pmo-radar')"
                               " && document.querySelector('.pmo-radar img, img.pmo-radar').naturalWidth > 0")
        assert "Group Technology" in page.title() and "Group Technology" in page.inner_text(".pmo-header")
        table = page.eval_on_selector(".pmo-discussion-table", "t => t.getBoundingClientRect().right")
        assert table <= PROJECTOR["width"] and horizontal_overflow(page) <= 0
        assert "How well does the PMO know who its customers are" in page.inner_text(".pmo-discussion-table")
        radar = page.eval_on_selector(".pmo-radar img, img.pmo-radar", "i => i.clientWidth / i.naturalWidth")
        assert radar >= 0.99  # shown 1:1, so the capability names keep their 17 px
        assert page.eval_on_selector(".pmo-discussion-table td", "e => parseFloat(getComputedStyle(e).fontSize)") >= 18
        save_screenshot(page, "room-1920.png")
        save_screenshot(page, "room-1920-full.png", full_page=True)

        writer = (f"from pmo_assess.workshop.session import open_session\n"
                  f"s = open_session({str(BANK)!r}, 'Group Technology', {str(answers)!r})\n"
                  f"s.choose_respondent('Zed Newcomer', 'sponsor')\ns.answer(4)\n")
        subprocess.run([sys.executable, "-c", writer], check=True, timeout=60)
        written = time.monotonic()
        # the page updates by itself (no reload); how fast is measured in benchmarks/bench_workshop.py
        page.wait_for_selector(".pmo-room-progress:has-text('Zed Newcomer')", timeout=30_000)
        print(f"the room showed the new respondent {time.monotonic() - written:.2f} s after the save")
        assert "13 respondent(s)" in page.inner_text(".pmo-stamp")
        assert "target" in page.inner_text(".pmo-levels-table") and "3 operationalizing" in page.inner_text(
            ".pmo-levels-table").replace("\n", " ")

        page.set_viewport_size(PHONE)
        page.wait_for_timeout(300)
        assert horizontal_overflow(page) <= 0
        save_screenshot(page, "room-390.png")


def test_room_page_with_bad_parameters_shows_a_message_not_a_traceback(tmp_path: Path) -> None:
    from pmo_assess.workshop.room import room_page

    box = room_page(str(MINI), "Unit A", str(tmp_path / "answers.txt"))
    shown = " ".join(child.value for child in box.children)
    assert "pmo-error" in shown and "CSV" in shown and str(tmp_path) not in shown
