"""Kill the kernel in the middle of a workshop: the answers file holds every answer given before.

The kernel answers a known number of questions, says so, and then waits to be killed: the kill comes at a
known point of the session (not racing the answering loop), so the file must hold exactly those answers.
(That a reader never sees a half-written file while saves happen is tests/test_atomic_writes.py's job.)
"""
from __future__ import annotations

import os
import signal
from pathlib import Path

from jupyter_client.manager import KernelManager

from conftest import BANK
from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.workshop.session import open_session

#: Answers given before the kill.
ANSWERED = 12
#: Runs in the kernel: answer ANSWERED questions through the widgets, announcing each, then wait to be killed.
ANSWERING = """
from pmo_assess.workshop.session import open_session
from pmo_assess.workshop.widgets import WorkshopForm
form = WorkshopForm(open_session({bank!r}, "Kill Unit", {answers!r}), live=False, cocreation=False)
form.name.value, form.role.value = "Ana", "sponsor"
form.on_start()
for number in range({answered}):
    form.choices.value = str(number % 4 + 1)
    print("saved", form.session.question.id, flush=True)
    form.on_next()
print("waiting to be killed", flush=True)
time.sleep(600)
"""


def test_killing_the_kernel_mid_session_loses_no_answer_given(tmp_path: Path) -> None:
    answers = tmp_path / "answers.csv"
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(tmp_path))
    client = manager.client()
    acknowledged: list[str] = []
    try:
        client.start_channels()
        client.wait_for_ready(timeout=60)
        client.execute(ANSWERING.format(bank=str(BANK), answers=str(answers), answered=ANSWERED))
        waiting = False
        while not waiting:  # each message within 60 s, or get_iopub_msg fails the test
            message = client.get_iopub_msg(timeout=60)
            if message["msg_type"] == "stream":
                lines = message["content"]["text"].splitlines()
                acknowledged += [line.split()[1] for line in lines if line.startswith("saved ")]
                waiting = "waiting to be killed" in lines
            assert message["msg_type"] != "error", message["content"]
        os.kill(manager.provisioner.process.pid, signal.SIGKILL)  # mid-session, at a known point
        manager.provisioner.process.wait(timeout=10)
    finally:
        client.stop_channels()
        if manager.has_kernel and manager.provisioner.process.poll() is None:
            os.kill(manager.provisioner.process.pid, signal.SIGKILL)
        manager.cleanup_resources()
    assert len(acknowledged) == ANSWERED
    questionnaire = load_questionnaire(BANK)
    saved = read_answers(answers, questionnaire)  # a whole, valid file: no half-written save
    saved_questions = saved["question"].tolist()
    order = [q.id for q in questionnaire.questions]
    assert saved_questions == acknowledged == order[:ANSWERED]  # every answer given, in order, nothing more
    assert len(order) > ANSWERED  # the kill really came mid-session
    assert saved["answer"].tolist() == [str(i % 4 + 1) for i in range(ANSWERED)]
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    reopened = open_session(BANK, "Kill Unit", answers)
    assert reopened.respondent is None  # after the restart the form asks who is answering
    reopened.choose_respondent("ana")
    assert reopened.respondent == "Ana" and reopened.position == len(saved_questions)
