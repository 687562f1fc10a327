"""The ipywidgets layer, driven headless (set ``.value``, call handlers), and the workshop notebook."""
from __future__ import annotations

import csv
import html
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

import pytest

from conftest import BANK, DATA, EXAMPLES, ROOT
from pmo_assess.io.targets import load_targets
from pmo_assess.io.votes import load_votes
from pmo_assess.workshop.session import open_session
from pmo_assess.workshop.widgets import WorkshopForm, capture_form

MINI = DATA / "mini.yaml"
NOTEBOOK = ROOT / "notebooks" / "workshop.ipynb"


def rows_of(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))[1:]


@pytest.fixture
def form(tmp_path: Path) -> WorkshopForm:
    return WorkshopForm(open_session(MINI, "Unit A", tmp_path / "answers.csv", tmp_path / "targets.yaml"))


def start(form: WorkshopForm, name: str, role: str) -> None:
    form.name.value, form.role.value = name, role
    form.on_start()


def test_clicking_a_choice_saves_it_and_updates_progress_and_live_view(form: WorkshopForm, tmp_path: Path) -> None:
    start(form, "Ana", "pm")
    assert "Answering as:</b> Ana" in form.who.value and "(P-T-1)" in form.heading.value
    assert [value for _, value in form.choices.options] == ["1", "2", "3", "4", "na", "dk"]
    assert form.choices.options[2][0] == "3 · operationalizing: c"
    form.choices.value = "3"
    assert rows_of(tmp_path / "answers.csv") == [["Unit A", "Ana", "pm", "P-T-1", "3", ""]]
    assert "saved P-T-1 = 3" in form.message.value
    assert "1 / 7 answered" in form.progress.value and "People 1/3 · Governance 0/4" in form.progress.value
    assert "<b>3</b> <span class='pmo-level-name'>operationalizing" in form.levels.value
    assert bytes(form.radar_view.image.value).startswith(b"\x89PNG")
    assert "<polygon points=" in form.radar_view.overlay.value
    form.on_next()
    assert "(P-T-2)" in form.heading.value and form.choices.value is None
    form.choices.value = "na"
    form.on_previous()
    assert form.choices.value == "3"  # navigating back shows the saved answer, and does not re-save it
    assert len(rows_of(tmp_path / "answers.csv")) == 2


def test_comments_save_and_show_escaped(form: WorkshopForm, tmp_path: Path) -> None:
    start(form, "Ana", "pm")
    form.choices.value = "1"
    form.comment.value = "<script>alert(1)</script>"
    start(form, "Ben", "sponsor")
    form.choices.value = "4"
    assert rows_of(tmp_path / "answers.csv")[0][5] == "<script>alert(1)</script>"
    assert "<script>" not in form.discussion.value and "P-T-1" in form.discussion.value
    form.mode.value = "consensus"
    form.choices.value = "2"
    form.comment.value = "<b>Ana</b> disagrees"
    form.flush_comment()  # what the typing pause does
    assert rows_of(tmp_path / "answers.csv")[-1] == ["Unit A", "consensus", "", "P-T-1", "2", "<b>Ana</b> disagrees"]
    assert "&lt;b&gt;Ana&lt;/b&gt; disagrees" in form.discussion.value
    assert "saved the dissent note on P-T-1" in form.comment_message.value


def test_refusals_are_shown_in_the_form(form: WorkshopForm, tmp_path: Path) -> None:
    form.choices.value = "2"  # nobody chosen yet
    assert "choose who is answering first" in form.message.value and "pmo-error" in form.message.value
    assert not (tmp_path / "answers.csv").exists()
    start(form, "Ana", "pm")
    form.choices.value = "2"
    start(form, "Ana", "sponsor")
    refusal = form.respondent_message.value
    assert "Project manager" in refusal and "&#x27;pm&#x27;" not in refusal and "pmo-error" in refusal
    assert form.role.value == "pm"  # the refused role is not left in the field
    form.target_level.value = 7
    form.target_agreed_by.value = "Ana"
    form.on_record_target()
    assert "target level must be a whole number 1-4, got 7" in form.cocreation_message.value
    form.voter.value = "Ana"
    form.vote_inputs["talent"].value = 4
    form.vote_inputs["benefits"].value = 2
    form.on_save_votes()
    assert "Ana cast 6 votes, but each participant has 5" in form.cocreation_message.value
    assert not (tmp_path / "targets.yaml").exists() and not (tmp_path / "votes.yaml").exists()


def test_targets_and_votes_from_the_form(form: WorkshopForm, tmp_path: Path) -> None:
    form.target_item.value = ("capabilities", "benefits")
    form.target_level.value = 3
    form.target_agreed_by.value = "Ana, Ben"
    form.on_record_target()
    assert "target recorded: Benefits at level 3" in form.cocreation_message.value
    target = load_targets(tmp_path / "targets.yaml").capability_target("Unit A", "benefits", "governance")
    assert (target.level, target.agreed_by) == (3, ("Ana", "Ben"))
    form.voter.value = "Ana"
    form.vote_inputs["benefits"].value = 3
    form.vote_inputs["measures"].value = 2
    form.on_save_votes()
    assert load_votes(tmp_path / "votes.yaml").participants("Unit A") == {"Ana": {"benefits": 3, "measures": 2}}
    assert "totals: Benefits 3, Measures 2" in form.votes_info.value
    assert form.vote_inputs["benefits"].value == 0  # ready for the next participant
    form.voter.value = " ana "  # the same participant again: their votes are not replaced without confirming
    form.vote_inputs["talent"].value = 5
    form.on_save_votes()
    assert "Ana has already voted (Benefits 3, Measures 2); confirm" in form.cocreation_message.value
    assert form.votes_replace.layout.display == "" and form.vote_inputs["talent"].value == 5
    assert load_votes(tmp_path / "votes.yaml").participants("Unit A") == {"Ana": {"benefits": 3, "measures": 2}}
    form.votes_replace.click()
    assert load_votes(tmp_path / "votes.yaml").participants("Unit A") == {"Ana": {"talent": 5}}
    assert form.votes_replace.layout.display == "none"
    assert "<td>Ana</td><td>Talent 5</td><td>5</td><td>0</td>" in form.votes_info.value
    form.target_level.value = 4
    form.target_agreed_by.value = "Cleo"
    form.on_record_target()
    assert "Benefits already has target level 3 agreed by Ana, Ben; confirm" in form.cocreation_message.value
    form.target_replace.click()
    assert load_targets(tmp_path / "targets.yaml").capability_target("Unit A", "benefits", "governance").level == 4


def test_refresh_shows_answers_saved_from_other_browsers(form: WorkshopForm, tmp_path: Path) -> None:
    start(form, "Ana", "pm")
    form.choices.value = "4"
    elsewhere = open_session(MINI, "Unit A", tmp_path / "answers.csv")  # a respondent's Voilà tab
    elsewhere.choose_respondent("Ben", "sponsor")
    elsewhere.answer(1)
    assert "(1 respondent(s))" in form.levels.value and "Ben" not in form.discussion.value
    form.on_reload()
    assert "(2 respondent(s))" in form.levels.value and "<b>1</b> Ben" in form.discussion.value
    assert "2 respondent(s)" in form.live_message.value
    (tmp_path / "answers.csv").write_text("business_unit,respondent,role,question,answer,comment\nUnit A,Ana\n")
    form.on_reload()
    assert "row 2: has 2 fields, the header has 6" in form.live_message.value
    assert str(tmp_path) not in form.live_message.value  # no server paths on a page


def test_reopened_form_asks_who_answers_then_resumes_where_they_stopped(tmp_path: Path) -> None:
    first = WorkshopForm(open_session(MINI, "Unit A", tmp_path / "answers.csv"))
    start(first, "Ana", "pm")
    for value in ("1", "2"):
        first.choices.value = value
        first.on_next()
    again = WorkshopForm(open_session(MINI, "Unit A", tmp_path / "answers.csv"))
    assert "Answering as:</b> nobody yet" in again.who.value  # never switches person by itself
    assert ("Ana (Project manager)", "Ana") in again.known.options or any(v == "Ana" for _, v in again.known.options)
    again.known.value = "Ana"
    assert "Answering as:</b> Ana" in again.who.value and "(P-L-1)" in again.heading.value
    assert "2 / 7 answered" in again.progress.value
    start(again, "Ben", "sponsor")
    again.choices.value = "4"
    again.known.value = "Ana"  # picking a returning respondent continues with them
    assert "Answering as:</b> Ana" in again.who.value and "(P-L-1)" in again.heading.value


def test_capture_form_for_voila_shows_no_other_respondents(tmp_path: Path) -> None:
    answers = tmp_path / "answers.csv"
    shutil.copy(EXAMPLES / "answers" / "group-technology.csv", answers)
    box = capture_form(str(BANK), "Group Technology", str(answers))
    import ipywidgets

    def descendants(widget):
        for child in getattr(widget, "children", ()):
            yield child
            yield from descendants(child)

    shown = list(descendants(box))
    texts = " ".join(w.value for w in shown if isinstance(w, ipywidgets.HTML))
    assert "Helena" not in texts and "nobody yet" in texts
    assert not [w for w in shown if isinstance(w, (ipywidgets.Dropdown, ipywidgets.ToggleButtons))
                and w.description != "Role" and "pmo-jump" not in w._dom_classes]  # no returning list, no consensus
    assert "Group Technology" in texts and "<h1>" in texts  # the page says what it is and for which unit


def test_workshop_notebook_runs_with_papermill(tmp_path: Path) -> None:
    import papermill

    parameters = {"questionnaire_file": str(BANK), "business_unit": "Group Technology",
                  "answers_file": str(tmp_path / "gt.csv"), "targets_file": str(tmp_path / "targets.yaml"),
                  "votes_per_participant": 3}
    declared = papermill.inspect_notebook(str(NOTEBOOK))
    assert set(parameters) == set(declared)
    shutil.copy(EXAMPLES / "answers" / "group-technology.csv", tmp_path / "gt.csv")
    before = (tmp_path / "gt.csv").read_bytes()
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters=parameters, cwd=str(tmp_path),
                               kernel_name="python3", execution_timeout=120, progress_bar=False)
    executed = nbformat.read(out, as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "Group Technology: 7 respondent(s) so far" in printed
    assert "disputed capabilities: automation" in printed
    assert "resuming with" not in printed  # the notebook asks who is answering, it never picks someone
    views = [o for c in executed.cells for o in c.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(views) == 3  # capture, live view, co-creation
    assert (tmp_path / "gt.csv").read_bytes() == before  # opening the workshop writes nothing


def test_workshop_notebook_passes_nbval_lax(tmp_path: Path) -> None:
    """A copy whose parameters point at a copy of the example unit, run by nbval outside the repo."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    parameters = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    shutil.copy(EXAMPLES / "answers" / "group-technology.csv", tmp_path / "gt.csv")
    parameters.source = (f"questionnaire_file = {str(BANK)!r}\nbusiness_unit = 'Group Technology'\n"
                         f"answers_file = {str(tmp_path / 'gt.csv')!r}\n"
                         f"targets_file = {str(tmp_path / 'targets.yaml')!r}\nvotes_per_participant = 5")
    nbformat.write(notebook, tmp_path / "workshop.ipynb")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "workshop.ipynb", "-q", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), "-c", os.devnull],
        cwd=tmp_path, env=dict(os.environ, TMPDIR=str(tmp_path)), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "5 passed" in result.stdout


def test_committed_notebook_has_no_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in notebook.cells if c.cell_type == "code")


def test_live_radar_redraw_leaves_no_trace_of_the_previous_levels() -> None:
    from pmo_assess.workshop.radar_view import LiveRadar

    labels, target = ["People", "Process", "Technology", "Governance"], [3, 3, 3, 3]
    reused = LiveRadar(labels, "Unit A")
    first = reused.png([1, 2, 3, 4], target)
    second = reused.png([4, 3, None, 1], target)
    fresh = LiveRadar(labels, "Unit A").png([4, 3, None, 1], target)
    assert second == fresh and second != first and first.startswith(b"\x89PNG")
    assert reused.png([4, 3, None, 1], [2, 2, 2, 2]) != second  # a new target ring redraws the background


def test_answer_keys_map_to_the_offered_choices() -> None:
    from pmo_assess.workshop.keyboard import answer_for_key, key_indexes
    from pmo_assess.workshop.widgets import ANSWER_ORDER

    assert [answer_for_key(k) for k in "1234nd"] == ["1", "2", "3", "4", "na", "dk"]
    assert answer_for_key("N") == "na" and answer_for_key("x") is None and answer_for_key("ArrowDown") is None
    assert key_indexes(ANSWER_ORDER) == {"1": 0, "2": 1, "3": 2, "4": 3, "n": 4, "d": 5}
    assert key_indexes(["1", "2", "3", "4"]) == {"1": 0, "2": 1, "3": 2, "4": 3}  # no n/d when not offered


def test_page_assets_carry_the_guard_script_and_its_settings() -> None:
    import json
    import re

    from pmo_assess.workshop.page import LOST_AFTER_MS, assets_html
    from pmo_assess.workshop.widgets import ANSWER_ORDER

    html = assets_html("Unit </script> · workshop", ANSWER_ORDER)
    config = json.loads(re.search(r'id="pmo-workshop-config">(.*?)</script>', html, flags=re.S).group(1))
    assert config["keys"]["n"] == 4 and config["lost_after_ms"] == LOST_AFTER_MS <= 1500
    assert config["title"] == "Unit </script> · workshop" and html.count("</script>") == 2  # no early close
    assert "pmo-heartbeat" in html and "NOT SAVING" in html and ".pmo-presenting" in html


def test_comments_save_as_you_type_after_a_pause_only(form: WorkshopForm, tmp_path: Path) -> None:
    import time

    start(form, "Ana", "pm")
    form.choices.value = "2"
    form.comment_delay = 0.3
    for text in ("n", "ne", "nee", "needs a sponsor"):
        form.comment.value = text  # keystrokes, each sent by the browser as it is typed
    assert rows_of(tmp_path / "answers.csv")[0][5] == ""  # nothing yet: still typing
    assert "typing" in form.comment_message.value
    time.sleep(0.8)
    assert rows_of(tmp_path / "answers.csv") == [["Unit A", "Ana", "pm", "P-T-1", "2", "needs a sponsor"]]
    assert "saved the comment on P-T-1" in form.comment_message.value
    ack = json.loads(html.unescape(form.ack.widget.value))
    assert (ack["kind"], ack["value"], ack["ok"]) == ("comment", "needs a sponsor", True)
    form.comment_delay = 30
    form.comment.value = "needs a sponsor now"
    form.on_next()  # moving on saves what was typed, on the question it was typed for
    assert rows_of(tmp_path / "answers.csv")[0][5] == "needs a sponsor now" and "(P-T-2)" in form.heading.value


def test_a_save_over_a_newer_answer_is_refused_and_echoed_to_the_page(form: WorkshopForm, tmp_path: Path) -> None:
    start(form, "Ana", "pm")
    form.choices.value = "1"
    other_tab = open_session(MINI, "Unit A", tmp_path / "answers.csv")
    other_tab.choose_respondent("Ana")
    other_tab.go_to("P-T-1")
    other_tab.answer(3)
    form.poll_files()  # the live view reads the newer answer; the question on screen still shows 1
    form.choices.value = "4"
    assert rows_of(tmp_path / "answers.csv")[0][4] == "3"  # not overwritten
    assert "pmo-error" in form.message.value and form.choices.value == "3"  # the newer value, shown
    ack = json.loads(html.unescape(form.ack.widget.value))
    assert (ack["kind"], ack["question"], ack["value"], ack["ok"]) == ("answer", "P-T-1", "4", False)


def test_jump_goes_to_the_first_question_of_a_dimension_or_capability(form: WorkshopForm) -> None:
    start(form, "Ana", "pm")
    labels = [label for label, _ in form.jump.options]
    assert "Governance (all)" in labels and "Governance › Measures" in labels
    form.jump.value = "capability:measures"
    assert "(G-M-1)" in form.heading.value and form.jump.value == ""  # ready for the next jump
    form.jump.value = "dimension:people"
    assert "(P-T-1)" in form.heading.value and form.previous_button.disabled


def test_live_panel_updates_by_itself_when_another_browser_saves(tmp_path: Path) -> None:
    import time

    form = WorkshopForm(open_session(MINI, "Unit A", tmp_path / "answers.csv"), watch=True)
    try:
        start(form, "Ana", "pm")
        form.choices.value = "4"
        elsewhere = open_session(MINI, "Unit A", tmp_path / "answers.csv")
        elsewhere.choose_respondent("Ben", "sponsor")
        elsewhere.answer(1)
        deadline = time.monotonic() + 3
        while "(2 respondent(s))" not in form.levels.value and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "(2 respondent(s))" in form.levels.value and "<b>1</b> Ben" in form.discussion.value
        assert form.pulse.beat.value  # the heartbeat ticks
    finally:
        form.pulse.stop()


def test_a_failed_save_is_shown_beside_the_answer_and_not_as_saved(form: WorkshopForm, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from pmo_assess.workshop import answers_file

    start(form, "Ana", "pm")
    form.choices.value = "2"

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "answers.csv"))

    monkeypatch.setattr(answers_file, "atomic_write_text", disk_full)
    form.on_next()
    form.choices.value = "4"
    assert rows_of(tmp_path / "answers.csv") == [["Unit A", "Ana", "pm", "P-T-1", "2", ""]]
    assert "pmo-error" in form.message.value and "saved P-T-2" not in form.message.value
    assert str(tmp_path) not in form.message.value  # no server path on the page
    assert form.choices.value is None  # the radio shows what is on disk, not the click
    ack = json.loads(html.unescape(form.ack.widget.value))
    assert (ack["question"], ack["value"], ack["ok"]) == ("P-T-2", "4", False) and ack["message"]


def test_radar_names_are_large_and_never_overlap() -> None:
    from pmo_assess.io.questionnaire import load_questionnaire
    from pmo_assess.workshop.radar_view import LiveRadar

    for bank in (BANK, ROOT / "questionnaires" / "pmo-pulse.yaml"):
        names = [c.name for c in load_questionnaire(bank).capabilities]
        radar = LiveRadar(names)
        radar.png([2.0] * len(names), [3.0] * len(names))
        boxes = radar.label_boxes()
        overlapping = [(names[i], names[j]) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
                       if not (boxes[i][2] <= boxes[j][0] or boxes[j][2] <= boxes[i][0]
                               or boxes[i][3] <= boxes[j][1] or boxes[j][3] <= boxes[i][1])]
        assert not overlapping, (bank.name, overlapping)
        assert all(0 <= b[0] and b[2] <= radar.width for b in boxes)  # no name cut at the edge
        assert all(t.get_fontsize() * radar.dpi / 72 >= 16 for t in radar.label_texts)


def test_the_pulse_goes_quiet_when_the_page_stops_pinging_and_resumes_at_the_next_ping(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from pmo_assess.workshop import page

    monkeypatch.setattr(page, "LISTEN_SECONDS", 0.6)
    polls: list[float] = []
    pulse = page.Pulse(poll=lambda: polls.append(time.monotonic()), poll_seconds=0.05).start()
    try:
        time.sleep(0.6)
        assert pulse.ticks >= 2 and polls  # no page has pinged yet (a notebook, a test): it ticks and polls
        pulse.ping.click()  # what the page's guard script does every PING_MS
        time.sleep(1.2)  # no further ping: the page is gone
        ticks, polled = pulse.ticks, len(polls)
        time.sleep(1.0)
        assert (pulse.ticks, len(polls)) == (ticks, polled)  # nothing more is sent to a page that is gone
        pulse.ping.click()
        time.sleep(0.6)
        assert pulse.ticks > ticks and len(polls) > polled and pulse.beat.value == str(pulse.ticks)
    finally:
        pulse.stop()
