"""Real browsers on personal links: each invited respondent answers as themselves only; bad links get no form."""
from __future__ import annotations

import csv
import json
import re
import time
from pathlib import Path

import pytest
import yaml

from browser import chromium, require_chromium, save_screenshot, start_server, stop, workshop_command
from conftest import BANK
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.workshop.answers_file import journal_path

require_chromium()


def wait_for_links(server, log: Path, count: int, seconds: float = 90) -> list[tuple[str, str]]:
    """The (name, link) lines the command prints once Voilà listens (the links name the port it bound)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = log.read_text()
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}:\n{text}")
        if "invitations sheet with a QR code per person" in text:  # printed after the last link
            links = re.findall(r"^  (.+?): (http://\S+)$", text, re.MULTILINE)
            assert len(links) == count, text
            return links
        time.sleep(0.2)
    pytest.fail(f"Voilà did not start within {seconds} s:\n{log.read_text()}")


@pytest.mark.timeout(180)
def test_two_invited_respondents_answer_everything_at_once_each_only_as_themselves(tmp_path: Path) -> None:
    questions = [q.id for q in load_questionnaire(BANK).questions]
    people = tmp_path / "people.csv"
    people.write_text("name,role,email\nAna Silva,Executive sponsor,ana@example.org\nBen Osei,pmo-staff,\n")
    answers, log = tmp_path / "unit.csv", tmp_path / "voila.log"
    server = start_server(workshop_command("--unit", "Invited Unit", "--port", "0", "-q", str(BANK),
                                           "--answers", str(answers), "--invite", str(people), "--host", "0.0.0.0"),
                          tmp_path, log)
    try:
        links = dict(wait_for_links(server, log, 2))
        assert "WARNING: the form is open to every device on this network" in log.read_text()
        host = links["Ana Silva"].split("/")[2]
        # the room's address, not localhost, with the port the server bound (it was started on port 0)
        assert not host.startswith("127.") and int(host.rsplit(":", 1)[1]) > 0
        book = yaml.safe_load((tmp_path / "unit.invites.yaml").read_text())
        with chromium() as browser:
            pages = {}
            for name, link in links.items():
                page = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
                page.set_default_timeout(60_000)
                page.goto(link)
                pages[name] = page
            for name, page in pages.items():
                page.wait_for_selector(".pmo-question")
                assert f"Answering as: {name}" in page.inner_text(".pmo-who")
                assert not page.is_visible(".pmo-respondent-name")  # no chooser: the link says who answers
            for number, question in enumerate(questions):
                value = str(number % 4 + 1) if number % 2 else str(4 - number % 4)
                for page in pages.values():
                    page.wait_for_selector(f".pmo-question:has-text('({question})')")
                    page.click(f".pmo-answer-choices label:has-text('{value} · ')")
                for page in pages.values():
                    page.wait_for_selector(f".pmo-answer-message:has-text('saved {question} = {value}')")
                    if number < len(questions) - 1:
                        page.click("button.pmo-next")
            for name, page in pages.items():
                assert f"{len(questions)} / {len(questions)} answered" in page.inner_text(".pmo-progress")
                other = "Ben Osei" if name == "Ana Silva" else "Ana Silva"
                assert other not in page.content()  # nothing of the other respondent reaches this page
            save_screenshot(pages["Ana Silva"], "workshop-invited-form.png")
            refused = browser.new_page()
            refused.set_default_timeout(60_000)
            for url, words in [
                    (links["Ana Silva"][:-4] + "AAAA", "This link is not valid for this workshop"),
                    (links["Ana Silva"].split("&invite=")[0], "This workshop is by invitation")]:
                refused.goto(url)
                refused.wait_for_selector(".pmo-invitation-refused")
                assert words in refused.inner_text(".pmo-invitation-refused")
                assert refused.query_selector(".pmo-answer-choices") is None  # no form at all
            book["people"][1]["valid_until"] = "2020-01-01"  # Ben's link expires while the server runs
            (tmp_path / "unit.invites.yaml").write_text(yaml.safe_dump(book))
            refused.goto(links["Ben Osei"])
            refused.wait_for_selector(".pmo-invitation-refused")
            assert "This personal link has expired" in refused.inner_text(".pmo-invitation-refused")
    finally:
        stop(server)
    with answers.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2 * len(questions)
    for name, role in (("Ana Silva", "sponsor"), ("Ben Osei", "pmo-staff")):
        own = [r for r in rows if r["respondent"] == name]
        assert [r["question"] for r in own] == questions and {r["role"] for r in own} == {role}
    writers = {json.loads(line)["by"] for line in journal_path(answers).read_text().splitlines()}
    assert writers == {"Ana Silva (personal link)", "Ben Osei (personal link)"}


@pytest.mark.timeout(150)
def test_a_stale_tab_of_the_same_person_is_refused_and_shows_the_newer_answer(tmp_path: Path) -> None:
    """Tab B changes P-T-1 1 → 3; tab A (still showing 1) adds a comment: refused, the file keeps 3."""
    from conftest import DATA

    people = tmp_path / "people.csv"
    people.write_text("name,role\nAna Silva,pm\n")
    answers, log = tmp_path / "unit.csv", tmp_path / "voila.log"
    server = start_server(workshop_command("--unit", "Tabs Unit", "--port", "0", "-q",
                                           str(DATA / "mini.yaml"), "--answers", str(answers), "--invite",
                                           str(people)), tmp_path, log)
    try:
        link = wait_for_links(server, log, 1)[0][1]
        with chromium() as browser:
            tab_a = browser.new_page()
            tab_a.set_default_timeout(60_000)
            tab_a.goto(link)
            tab_a.click(".pmo-answer-choices label:has-text('1 · ')")
            tab_a.wait_for_selector(".pmo-answer-message:has-text('saved P-T-1 = 1')")
            tab_b = browser.new_page()
            tab_b.set_default_timeout(60_000)
            tab_b.goto(link)
            tab_b.click("button.pmo-previous")  # B resumes at P-T-2, the first unanswered question
            tab_b.wait_for_selector(".pmo-question:has-text('(P-T-1)')")
            tab_b.click(".pmo-answer-choices label:has-text('3 · ')")
            tab_b.wait_for_selector(".pmo-answer-message:has-text('saved P-T-1 = 3')")
            tab_a.fill(".pmo-comment textarea", "only on big projects")
            tab_a.wait_for_selector(".pmo-comment-message:has-text('not saved: P-T-1 was changed to 3 by "
                                    "Ana Silva (personal link)')")
            assert tab_a.is_checked(".pmo-answer-choices label:has-text('3 · ') input")  # the newer answer shows
    finally:
        stop(server)
    with answers.open(newline="") as handle:
        assert [(r["question"], r["answer"], r["comment"]) for r in csv.DictReader(handle)] == [("P-T-1", "3", "")]
