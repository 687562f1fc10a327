"""The widget-free workshop session: saving, merging, resume, consensus, live view, targets and votes."""
from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest

from conftest import BANK, DATA, EXAMPLES
from pmo_assess.cli import main
from pmo_assess.errors import InputErrors
from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.io.targets import load_targets
from pmo_assess.io.votes import load_votes
from pmo_assess.scoring import score_answers
from pmo_assess.workshop.errors import NotSaved, StaleSave, TargetExists, VotesExist
from pmo_assess.workshop.session import CONSENSUS, WorkshopRefusal, WorkshopSession, open_session

MINI = DATA / "mini.yaml"
HEADER = "business_unit,respondent,role,question,answer,comment"


def rows_of(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))[1:]


@pytest.fixture
def mini_session(tmp_path: Path) -> WorkshopSession:
    return open_session(MINI, "Unit A", tmp_path / "answers.csv", tmp_path / "targets.yaml")


def test_every_answer_is_saved_before_the_call_returns(mini_session: WorkshopSession, tmp_path: Path) -> None:
    mini_session.choose_respondent("Ana", "pm")
    mini_session.answer(3)
    path = tmp_path / "answers.csv"
    assert path.read_text().splitlines()[0] == HEADER
    assert rows_of(path) == [["Unit A", "Ana", "pm", "P-T-1", "3", ""]]
    mini_session.next()
    mini_session.answer("N/A", comment="we do not do this")
    mini_session.previous()
    mini_session.answer("4")  # changing an answer replaces its row, in place
    assert rows_of(path) == [["Unit A", "Ana", "pm", "P-T-1", "4", ""],
                             ["Unit A", "Ana", "pm", "P-T-2", "na", "we do not do this"]]
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]
    assert read_answers(path, mini_session.questionnaire)["answer"].tolist() == ["4", "na"]


def test_saves_merge_with_rows_other_sessions_wrote(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    others = [["Unit A", "Ben", "sponsor", "P-T-1", "2", 'He said "no", twice'],
              ["Unit B", "Ana", "pm", "P-T-1", "1", "=1+1 kept as it was"],
              ["Unit A", "Ana", "pm", "P-T-1", "1", "earlier session"]]
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([HEADER.split(","), *others])
    first = open_session(MINI, "Unit A", path)
    second = open_session(MINI, "Unit A", path)
    first.choose_respondent("Ana")
    assert first.role == "pm" and first.question.id == "P-T-2"  # resumes after the answered question
    second.choose_respondent("Cleo", "sponsor")
    first.go_to("P-T-1")
    first.answer(3)
    second.answer(4)  # second session re-reads: keeps first's edit
    first.next()
    first.answer(2)  # first session re-reads: keeps second's row
    assert rows_of(path) == [others[0], others[1],
                             ["Unit A", "Ana", "pm", "P-T-1", "3", "earlier session"],
                             ["Unit A", "Cleo", "sponsor", "P-T-1", "4", ""],
                             ["Unit A", "Ana", "pm", "P-T-2", "2", ""]]


def test_a_later_correction_from_another_kernel_is_not_undone_by_an_older_session(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    old_tab = open_session(MINI, "Unit A", path)
    old_tab.choose_respondent("Ana", "pm")
    old_tab.answer(3)  # P-T-1 = 3
    new_tab = open_session(MINI, "Unit A", path)  # Ana reopens the form in a new tab (new kernel)
    new_tab.choose_respondent("Ana")
    new_tab.go_to("P-T-1")
    new_tab.answer(2, comment="corrected")
    old_tab.next()
    old_tab.answer(4)  # the old tab is still open: its earlier P-T-1 must not come back
    assert rows_of(path) == [["Unit A", "Ana", "pm", "P-T-1", "2", "corrected"],
                             ["Unit A", "Ana", "pm", "P-T-2", "4", ""]]


def test_reopening_asks_who_answers_then_resumes_at_their_first_unanswered_question(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    session = open_session(MINI, "Unit A", path)
    session.choose_respondent("Ana", "pm")
    for value in (1, 2, 3):
        session.answer(value)
        session.next()
    session.choose_respondent("Ben", "sponsor")
    session.answer(2)  # Ben's row is now the last in the file
    reopened = open_session(MINI, "Unit A", path)
    assert reopened.respondent is None  # never continues as the file's last respondent by itself
    with pytest.raises(WorkshopRefusal, match="choose who is answering first"):
        reopened.answer(4)
    assert reopened.respondents() == [("Ana", "pm"), ("Ben", "sponsor")]
    reopened.choose_respondent("  ana ")  # matched ignoring case and spaces, keeps the file's spelling and role
    assert (reopened.respondent, reopened.role) == ("Ana", "pm")
    assert reopened.question.id == "G-B-1" and reopened.position == 3
    assert reopened.progress().answered == 3
    assert [(d.id, d.answered, d.total) for d in reopened.progress().dimensions] == \
        [("people", 3, 3), ("governance", 0, 4)]


def test_consensus_rows_are_recorded_apart_and_not_mixed_into_live_scores(mini_session: WorkshopSession) -> None:
    mini_session.choose_respondent("Ana", "pm")
    mini_session.answer(4)
    mini_session.choose_respondent("Ben", "sponsor")
    mini_session.answer(1)
    mini_session.set_mode("consensus")
    mini_session.answer(2, comment="Ana still thinks 4")
    assert mini_session.current == ("2", "Ana still thinks 4")
    assert rows_of(mini_session.answers_path)[-1] == ["Unit A", CONSENSUS, "", "P-T-1", "2", "Ana still thinks 4"]
    view = mini_session.live_view()
    talent = view.capabilities.set_index("capability").loc["talent"]
    assert talent["score"] == pytest.approx((4 * 1 + 1 * 2) / 3)  # sponsor weighs 2; consensus left out
    assert talent["disputed"] and talent["consensus_level"] == 2
    assert view.respondents == ["Ana", "Ben"]
    item = view.discussion.iloc[0]
    assert (item["question"], item["Ana"], item["Ben"], item["consensus"], item["dissent_note"]) == \
        ("P-T-1", "4", "1", "2", "Ana still thinks 4")
    mini_session.set_mode("individual")
    assert mini_session.respondent == "Ben"


def test_live_view_matches_the_scoring_contract_on_the_example_unit(tmp_path: Path) -> None:
    answers = tmp_path / "gt.csv"
    shutil.copy(EXAMPLES / "answers" / "group-technology.csv", answers)
    shutil.copy(EXAMPLES / "targets.yaml", tmp_path / "targets.yaml")
    session = open_session(BANK, "Group Technology", answers, tmp_path / "targets.yaml")
    view = session.live_view()
    expected = score_answers(read_answers(answers, session.questionnaire), session.questionnaire)
    assert view.capabilities["score"].tolist() == pytest.approx(expected.capability_score[0].tolist())
    assert view.disputed_capabilities() == ["automation"]
    assert view.discussion["question"].tolist()[:3] == ["TEC-AUT-1", "TEC-AUT-2", "TEC-AUT-3"]
    assert view.discussion.iloc[0]["Helena Lindqvist"] == "4"
    automation = view.capabilities.set_index("capability").loc["automation"]
    assert (automation["level"], automation["target"], automation["gap"]) == (2, 3, 1)
    assert "disputed capabilities: automation" in session.summary()


@pytest.mark.parametrize("value", [5, 0, "2.5", "maybe", "", True])
def test_answers_outside_the_choices_are_refused_and_nothing_is_written(mini_session: WorkshopSession,
                                                                        value: object) -> None:
    mini_session.choose_respondent("Ana", "pm")
    with pytest.raises(WorkshopRefusal, match="not one of 1, 2, 3, 4"):
        mini_session.answer(value)
    assert not mini_session.answers_path.exists()


def test_respondent_rules(mini_session: WorkshopSession) -> None:
    with pytest.raises(WorkshopRefusal, match="choose who is answering first"):
        mini_session.answer(2)
    with pytest.raises(WorkshopRefusal, match="unknown role 'cfo'; choose one of Sponsor, Project manager"):
        mini_session.choose_respondent("Ana", "cfo")
    with pytest.raises(WorkshopRefusal, match="reserved"):
        mini_session.choose_respondent("Consensus", "")
    with pytest.raises(WorkshopRefusal, match="type the respondent's name"):
        mini_session.choose_respondent("  ", "pm")
    mini_session.choose_respondent("Ana", "pm")
    mini_session.answer(2)
    with pytest.raises(WorkshopRefusal, match="^Ana already answered as Project manager; one respondent keeps"):
        mini_session.choose_respondent("ANA", "sponsor")  # role names, never ids, in what the user reads


def test_comments_are_kept_as_typed_but_formula_starts_are_neutralised(mini_session: WorkshopSession) -> None:
    mini_session.choose_respondent("Ana", "pm")
    mini_session.set_comment('=HYPERLINK("http://evil")')
    mini_session.answer(3)  # keeps the comment
    mini_session.next()
    mini_session.set_comment("line one,\nline <two>")
    assert rows_of(mini_session.answers_path) == [
        ["Unit A", "Ana", "pm", "P-T-1", "3", "'=HYPERLINK(\"http://evil\")"],
        ["Unit A", "Ana", "pm", "P-T-2", "", "line one,\nline <two>"]]
    assert mini_session.progress().answered == 1  # a comment alone is not an answer


def test_a_bad_answers_file_is_refused_with_every_problem_named(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text(HEADER + "\nUnit A,Ana,pm,P-T-1,7,\nUnit A,Ana,pm,NOPE,2,\n")
    with pytest.raises(InputErrors) as caught:
        open_session(MINI, "Unit A", path)
    text = caught.value.render()
    assert f"{path}: row 2: answer '7' is outside the levels 1-4" in text
    assert "row 3: unknown question id 'NOPE'" in text
    other = tmp_path / "wide.csv"
    other.write_text("business_unit,respondent,role,question,answer,comment,questionnaire\n")
    with pytest.raises(InputErrors, match="give the workshop its own answers file"):
        open_session(MINI, "Unit A", other)


def test_bad_parameters_are_listed_together(tmp_path: Path) -> None:
    with pytest.raises(InputErrors) as caught:
        open_session(MINI, " ", tmp_path / "answers.xlsx", votes_per_participant=0)
    assert [p.place for p in caught.value.problems] == ["business_unit", "answers_file", "votes_per_participant"]


def test_targets_are_written_into_the_targets_file_keeping_its_comments(tmp_path: Path) -> None:
    targets = tmp_path / "targets.yaml"
    shutil.copy(EXAMPLES / "targets.yaml", targets)
    before = targets.read_text()
    session = open_session(BANK, "Retail Banking", tmp_path / "answers.csv", targets)
    session.set_target("capabilities", "benefits-management", 3, "Ana Silva, Ben Osei",
                       agreed_on=date(2026, 11, 20), note="first step")
    with pytest.raises(TargetExists, match="^Governance already has target level 3 agreed by someone; confirm"):
        session.set_target("dimensions", "governance", "2", ["Ana Silva"], agreed_on=date(2026, 11, 20))
    session.set_target("dimensions", "governance", "2", ["Ana Silva"], agreed_on=date(2026, 11, 20), replace=True)
    text = targets.read_text()
    for line in before.splitlines():
        if line.strip().startswith("#") or "# " in line:
            assert line in text  # every comment survives
    assert "dimensions: {governance: {level: 2, agreed_by: [Ana Silva], agreed_on: 2026-11-20}, process: 4}" in text
    loaded = load_targets(targets, session.questionnaire)
    target = loaded.capability_target("Retail Banking", "benefits-management", "governance")
    assert (target.level, target.agreed_by, target.agreed_on, target.note) == \
        (3, ("Ana Silva", "Ben Osei"), "2026-11-20", "first step")
    assert loaded.dimension_target("Group Technology", "governance").level == 3  # others untouched
    assert session.live_view().dimensions.set_index("dimension").loc["governance", "target"] == 2


def test_targets_file_is_created_and_bad_targets_are_refused(mini_session: WorkshopSession, tmp_path: Path) -> None:
    targets = tmp_path / "targets.yaml"
    for kind, ident, level, names, message in [
            ("capabilities", "talent", 5, "Ana", "target level must be a whole number 1-4, got 5"),
            ("capabilities", "talent", 2.5, "Ana", "whole number 1-4, got 2.5"),
            ("capabilities", "nope", 3, "Ana", "unknown capability 'nope'"),
            ("dimensions", "people", 3, " , ", "say who agreed")]:
        with pytest.raises(WorkshopRefusal, match=message):
            mini_session.set_target(kind, ident, level, names)
    assert not targets.exists()
    mini_session.set_target("dimensions", "people", 3, "Ana")
    assert load_targets(targets).dimension_target("Unit A", "people").agreed_by == ("Ana",)
    assert targets.read_text().startswith("questionnaire: mini\nunits:\n  Unit A:\n    dimensions:\n")


def test_dot_votes_are_saved_beside_the_targets_and_over_budget_is_refused(mini_session: WorkshopSession,
                                                                            tmp_path: Path) -> None:
    mini_session.cast_votes("Ana", {"talent": 3, "benefits": 2, "measures": 0})
    mini_session.cast_votes("Ben", {"benefits": 1})
    with pytest.raises(WorkshopRefusal, match="Ben cast 6 votes, but each participant has 5"):
        mini_session.cast_votes("Ben", {"benefits": 6})
    with pytest.raises(WorkshopRefusal, match="must be a whole number of 0 or more, got -1"):
        mini_session.cast_votes("Ben", {"benefits": -1})
    with pytest.raises(WorkshopRefusal, match="unknown capability 'nope'"):
        mini_session.cast_votes("Ben", {"nope": 1})
    mini_session.cast_votes("Ana", {"measures": 4}, replace=True)  # confirmed: new votes replace the old
    votes = load_votes(tmp_path / "votes.yaml", mini_session.questionnaire)
    assert votes.participants("Unit A") == {"Ana": {"measures": 4}, "Ben": {"benefits": 1}}
    assert mini_session.vote_totals() == {"measures": 4, "benefits": 1}


def test_workshop_command_reports_bad_input_with_exit_status_2(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "answers.csv"
    bad.write_text(HEADER + "\nUnit A,Ana,pm,P-T-1,9,\n")
    status = main(["workshop", "--unit", "Unit A", "--port", "0", "-q", str(MINI), "--answers", str(bad)])
    assert status == 2
    assert f"{bad}: row 2: answer '9' is outside the levels 1-4" in capsys.readouterr().err
    assert main(["workshop", "--unit", "Unit A", "-q", str(tmp_path / "missing.yaml")]) == 2
    assert "missing.yaml: file not found" in capsys.readouterr().err
    assert main(["workshop", "--unit", "Unit A", "--port", "70000", "-q", str(MINI),
                 "--answers", str(tmp_path / "new.csv")]) == 2
    assert "--port: 70000 is not a TCP port" in capsys.readouterr().err


def _answer_everything(answers: str, respondent: str, role: str) -> int:
    session = open_session(BANK, "Busy Unit", answers)
    session.choose_respondent(respondent, role)
    for number in range(len(session.questionnaire.questions)):
        session.go_to(number)
        session.answer(number % 4 + 1)
    return number + 1


def test_respondents_saving_at_the_same_time_lose_nothing(tmp_path: Path) -> None:
    """Two kernels (as with two Voilà tabs) saving into one file at once: the lock keeps every answer."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    answers = str(tmp_path / "answers.csv")
    people = [("Ana", "sponsor"), ("Ben", "pmo-staff"), ("Cleo", "team-member")]
    with ProcessPoolExecutor(len(people), mp_context=multiprocessing.get_context("fork")) as pool:
        counts = list(pool.map(_answer_everything, [answers] * len(people), *zip(*people)))
    saved = read_answers(answers, load_questionnaire(BANK))
    assert counts == [54, 54, 54] and len(saved) == 162
    assert saved.groupby("respondent", observed=True).size().to_dict() == {"Ana": 54, "Ben": 54, "Cleo": 54}


# ---------------------------------------------------------------------- no lost update
def test_a_stale_comment_is_refused_and_the_page_gets_the_newer_answer_and_its_writer(tmp_path: Path) -> None:
    """Tab B changes P-T-1 1 → 3; tab A (still showing 1) adds a comment: refused, the file keeps 3."""
    path = tmp_path / "answers.csv"
    tab_a = open_session(MINI, "Unit A", path)
    tab_a.choose_respondent("Ana", "pm")
    tab_a.answer(1)
    tab_b = open_session(MINI, "Unit A", path)
    tab_b.writer = "Ana (personal link)"
    tab_b.choose_respondent("Ana")
    tab_b.go_to("P-T-1")
    tab_b.answer(3)
    with pytest.raises(StaleSave) as refused:
        tab_a.set_comment("we only do this on big projects")
    assert (refused.value.answer, refused.value.comment, refused.value.written_by) == ("3", "", "Ana (personal link)")
    assert refused.value.question_id == "P-T-1" and len(refused.value.written_at) == 8
    assert str(refused.value).startswith("not saved: P-T-1 was changed to 3 by Ana (personal link) at ")
    assert rows_of(path) == [["Unit A", "Ana", "pm", "P-T-1", "3", ""]]
    assert tab_a.current == ("3", "")  # the form redraws from the session: it now shows the newer value
    tab_a.set_comment("we only do this on big projects")  # on the newer value, the same save goes through
    assert rows_of(path) == [["Unit A", "Ana", "pm", "P-T-1", "3", "we only do this on big projects"]]


def test_a_stale_answer_is_refused_but_the_same_value_or_an_explicit_seen_value_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    tab_a, tab_b = open_session(MINI, "Unit A", path), open_session(MINI, "Unit A", path)
    for tab in (tab_a, tab_b):
        tab.choose_respondent("Ana", "pm")
    tab_b.answer(2, comment="from tab B")
    with pytest.raises(StaleSave, match="changed to 2 by another workshop window"):
        tab_a.answer(4)  # tab A saw no answer at all
    tab_b.answer(2, comment="from tab B")  # saving what the file already holds is no conflict
    tab_b.answer(3, seen=("2", "from tab B"))
    with pytest.raises(StaleSave):
        tab_b.answer(1, seen=("2", "from tab B"))  # the page says it still shows 2, but the file has 3 now
    assert rows_of(path) == [["Unit A", "Ana", "pm", "P-T-1", "3", "from tab B"]]


def test_a_value_changed_outside_the_workshop_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    session = open_session(MINI, "Unit A", path)
    session.choose_respondent("Ana", "pm")
    session.answer(1)
    path.write_text(HEADER + "\nUnit A,Ana,pm,P-T-1,4,imported\n")  # e.g. a pmo-assess import
    with pytest.raises(StaleSave, match="changed to 4 by someone outside the workshop"):
        session.answer(2)
    assert rows_of(path) == [["Unit A", "Ana", "pm", "P-T-1", "4", "imported"]]


def test_every_text_field_is_neutralised_and_control_characters_in_names_refused(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    session = open_session(MINI, '=HYPERLINK("http://evil","x")', path)
    session.choose_respondent("+Ana", "")
    session.answer(2, comment="@SUM(A1)")
    assert rows_of(path) == [["'=HYPERLINK(\"http://evil\",\"x\")", "'+Ana", "", "P-T-1", "2", "'@SUM(A1)"]]
    again = open_session(MINI, '=HYPERLINK("http://evil","x")', path)
    assert again.respondents() == [("'+Ana", "")]  # the unit's rows are found again
    for name in ("Ana\tB", "Ana\nB", "Ana\x1b[31m"):
        with pytest.raises(WorkshopRefusal, match="contains control character"):
            session.choose_respondent(name, "")
    with pytest.raises(InputErrors, match="business_unit 'A\\\\x07B' contains control character U\\+0007"):
        open_session(MINI, "A\x07B", tmp_path / "other.csv")


# ---------------------------------------------------------------------- faults
#: Runs in a mount namespace on a 256 KiB tmpfs: save, then fill the disk (or make it read-only), save again.
FAULT_SCRIPT = """
import json, subprocess, sys
from pathlib import Path
from pmo_assess.workshop.errors import NotSaved
from pmo_assess.workshop.session import open_session
folder, fault = Path(sys.argv[1]), sys.argv[2]
path = folder / "answers.csv"
session = open_session(sys.argv[3], "Unit A", path)
session.choose_respondent("Ana", "pm")
session.answer(3, comment="kept")
before = path.read_text()
if fault == "full":
    import os
    filler = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(filler, b"x" * 4096)
    except OSError:
        os.close(filler)
else:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
session.next()
try:
    session.answer(2)
    result = {"refused": None}
except NotSaved as exc:
    result = {"refused": str(exc), "detail": exc.detail, "question": exc.question_id}
result.update(before=before, after=path.read_text(), current=list(session.current))
print(json.dumps(result))
"""


@pytest.mark.timeout(120)
@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_a_full_or_read_only_disk_refuses_the_save_in_user_words_and_keeps_what_was_saved(
        tmp_path: Path, fault: str) -> None:
    """A real full (or read-only) file system: a tmpfs of 256 KiB mounted in a user namespace (unshare)."""
    import json
    import shlex
    import subprocess
    import sys

    if not shutil.which("unshare") or subprocess.run(["unshare", "-rm", "true"]).returncode != 0:
        pytest.skip("needs unshare with user namespaces to mount a small file system")
    folder = tmp_path / "disk"
    folder.mkdir()
    script = tmp_path / "fault.py"
    script.write_text(FAULT_SCRIPT)
    command = (f"mount -t tmpfs -o size=256k tmpfs {shlex.quote(str(folder))} && "
               f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {shlex.quote(str(folder))} {fault} "
               f"{shlex.quote(str(MINI))}")
    done = subprocess.run(["unshare", "-rm", "sh", "-c", command], capture_output=True, text=True, timeout=100)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    message = result["refused"]
    assert message and message.startswith("NOT SAVED: your answer to P-T-2 was not saved because the answers "
                                          "file cannot be written (the disk may be full or the file read-only)")
    assert str(folder) not in message and "Answers saved before are safe; tell the facilitator." in message
    assert str(folder) in result["detail"] and result["question"] == "P-T-2"
    assert result["after"] == result["before"] == HEADER + "\nUnit A,Ana,pm,P-T-1,3,kept\n"
    assert result["current"] == ["", ""]  # nothing is shown as saved


def test_an_answers_file_corrupted_during_the_workshop_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    session = open_session(MINI, "Unit A", path)
    session.choose_respondent("Ana", "pm")
    session.answer(3)
    broken = HEADER + "\nUnit A,Ana,pm,P-T-1,3\n"
    path.write_text(broken)
    with pytest.raises(NotSaved, match="changed outside the workshop and cannot be read \\(row 2: has 5 fields"):
        session.answer(4)
    assert path.read_text() == broken
    assert str(tmp_path) not in str(NotSaved)


def test_reload_if_changed_rereads_only_after_a_save_elsewhere(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    room = open_session(MINI, "Unit A", path, tmp_path / "targets.yaml")
    assert room.reload_if_changed() is False
    other = open_session(MINI, "Unit A", path, tmp_path / "targets.yaml")
    other.choose_respondent("Ben", "sponsor")
    other.answer(4)
    assert room.reload_if_changed() is True and room.respondents() == [("Ben", "sponsor")]
    assert room.reload_if_changed() is False
    other.cast_votes("Ben", {"talent": 2})
    assert room.reload_if_changed() is True and room.vote_totals() == {"talent": 2}


# ---------------------------------------------------------------------- votes and targets
def test_votes_over_someone_elses_need_confirmation_and_the_panel_lists_votes_left(tmp_path: Path) -> None:
    session = open_session(MINI, "Unit A", tmp_path / "answers.csv", tmp_path / "targets.yaml")
    for name in ("Ana", "Ben", "Cleo"):
        session.choose_respondent(name, "pm")
        session.answer(2)
    session.cast_votes("Ana", {"talent": 3, "benefits": 1})
    votes_file = tmp_path / "votes.yaml"
    before = votes_file.read_text()
    with pytest.raises(VotesExist) as refused:
        session.cast_votes("  ana ", {"measures": 5})
    assert refused.value.participant == "Ana" and refused.value.votes == {"talent": 3, "benefits": 1}
    assert str(refused.value) == ("Ana has already voted (Talent 3, Benefits 1); "
                                  "confirm to replace their votes")
    assert votes_file.read_text() == before
    session.cast_votes("Ben", {"measures": 2})
    assert [(v.name, v.cast, v.left, v.voted) for v in session.voters()] == [
        ("Ana", 4, 1, True), ("Ben", 2, 3, True), ("Cleo", 0, 5, False)]
    session.cast_votes("ANA", {"measures": 5}, replace=True)
    assert load_votes(votes_file).participants("Unit A") == {"Ana": {"measures": 5}, "Ben": {"measures": 2}}


def test_a_different_target_needs_confirmation_to_replace(mini_session: WorkshopSession, tmp_path: Path) -> None:
    mini_session.set_target("capabilities", "talent", 3, "Ana, Ben")
    mini_session.set_target("capabilities", "talent", 3, "Ana, Ben", note="same agreement again")
    before = (tmp_path / "targets.yaml").read_text()
    with pytest.raises(TargetExists, match="^Talent already has target level 3 agreed by Ana, Ben; confirm"):
        mini_session.set_target("capabilities", "talent", 4, "Cleo")
    assert (tmp_path / "targets.yaml").read_text() == before
    mini_session.set_target("capabilities", "talent", 4, "Cleo", replace=True)
    assert load_targets(tmp_path / "targets.yaml").units["Unit A"].capabilities["talent"].level == 4
