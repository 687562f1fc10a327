"""Kill the kernel in the middle of a workshop: the answers file holds every answer given before."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from jupyter_client.manager import KernelManager

from conftest import BANK
from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.workshop.session import open_session

#: Runs in the kernel: answer every question through the widgets, announcing each saved answer.
ANSWERING = """
import time
from pmo_assess.workshop.session import open_session
from pmo_assess.workshop.widgets import WorkshopForm
form = WorkshopForm(open_session({bank!r}, "Kill Unit", {answers!r}), live=False, cocreation=False)
form.name.value, form.role.value = "Ana", "sponsor"
form.on_start()
for number in range(len(form.session.questionnaire.questions)):
    form.choices.value = str(number % 4 + 1)
    print("saved", form.session.question.id, flush=True)
    form.on_next()
    time.sleep(0.1)
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
        client.execute(ANSWERING.format(bank=str(BANK), answers=str(answers)))
        deadline = time.monotonic() + 90
        while len(acknowledged) < 12 and time.monotonic() < deadline:
            message = client.get_iopub_msg(timeout=30)
            if message["msg_type"] == "stream":
                acknowledged += [line.split()[1] for line in message["content"]["text"].splitlines()
                                 if line.startswith("saved ")]
            assert message["msg_type"] != "error", message["content"]
        os.kill(manager.provisioner.process.pid, signal.SIGKILL)  # mid-loop: answers still coming
        manager.provisioner.process.wait(timeout=10)
    finally:
        client.stop_channels()
        if manager.has_kernel and manager.provisioner.process.poll() is None:
            os.kill(manager.provisioner.process.pid, signal.SIGKILL)
        manager.cleanup_resources()
    assert len(acknowledged) >= 12
    questionnaire = load_questionnaire(BANK)
    saved = read_answers(answers, questionnaire)  # a whole, valid file: no half-written save
    saved_questions = saved["question"].tolist()
    assert saved_questions[:len(acknowledged)] == acknowledged
    order = [q.id for q in questionnaire.questions]
    assert saved_questions == order[:len(saved_questions)]
    assert len(saved_questions) < len(order)  # the kill really came mid-session
    assert saved["answer"].tolist() == [str(i % 4 + 1) for i in range(len(saved_questions))]
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    reopened = open_session(BANK, "Kill Unit", answers)
    assert reopened.respondent is None  # after the restart the form asks who is answering
    reopened.choose_respondent("ana")
    assert reopened.respondent == "Ana" and reopened.position == len(saved_questions)
