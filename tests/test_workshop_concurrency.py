"""Several real processes writing one answers file at once: nothing lost, stale saves refused."""
from __future__ import annotations

import csv
import multiprocessing
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import BANK
from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.workshop.errors import StaleSave
from pmo_assess.workshop.session import open_session

UNIT = "Busy Unit"
ANSWERS_EACH = 200
COUNTER_INCREMENTS = 25


def run_in_processes(target, jobs: list[tuple], seconds: float = 100) -> list:
    """Run ``target(*job, start)`` in one forked process per job, all released at once; their return values."""
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()

    def child(index: int, job: tuple) -> None:
        results.put((index, target(*job, start)))

    processes = [context.Process(target=child, args=(i, job)) for i, job in enumerate(jobs)]
    for process in processes:
        process.start()
    time.sleep(0.5)
    start.set()
    collected = dict(results.get(timeout=seconds) for _ in processes)
    for process in processes:
        process.join(timeout=10)
        assert process.exitcode == 0
    return [collected[i] for i in range(len(jobs))]


def _writer(answers: str, name: str, start) -> tuple[int, int, int, float, float]:
    """Save 200 answers of our own and add 1 to a shared counter (a comment) 25 times; returns the counts.

    The counter is the lost-update probe ("7 by A": the writer's name keeps two equal counts apart,
    as saving exactly what the file holds is accepted). Like a page, each increment is saved with the count this
    process saw one round earlier, so an increment over another process's newer count must be refused;
    it is then retried on the newer count, which the refusal brought into the session.
    """
    session = open_session(BANK, UNIT, answers)
    session.writer = name
    questions = len(session.questionnaire.questions)
    every = ANSWERS_EACH // COUNTER_INCREMENTS
    start.wait()
    started = time.monotonic()
    refused = increments = 0
    seen = ("", "")
    for n in range(ANSWERS_EACH):
        session.choose_respondent(f"{name}-{n // questions}", "sponsor")
        session.go_to(n % questions)
        session.answer(n % 4 + 1)
        if n % every == every - 1:
            session.choose_respondent("Counter", "sponsor")
            session.go_to(0)
            while True:
                try:
                    count = int(seen[1].split()[0]) if seen[1] else 0
                    session.answer(1, comment=f"{count + 1} by {name}", seen=seen)
                    increments += 1
                    break
                except StaleSave as stale:
                    refused += 1
                    seen = (stale.answer, stale.comment)  # the page now shows the newer count
            seen = session.current
    return ANSWERS_EACH, increments, refused, started, time.monotonic()


@pytest.mark.timeout(120)
def test_two_processes_saving_200_answers_each_lose_none_and_stale_saves_are_refused(tmp_path: Path) -> None:
    answers = str(tmp_path / "answers.csv")
    results = run_in_processes(_writer, [(answers, "A"), (answers, "B")])
    saved = read_answers(answers, load_questionnaire(BANK))
    own = saved[saved["respondent"] != "Counter"]
    assert len(own) == 2 * ANSWERS_EACH
    assert own["respondent"].str[0].value_counts().to_dict() == {"A": ANSWERS_EACH, "B": ANSWERS_EACH}
    expected = [str(n % 4 + 1) for n in range(ANSWERS_EACH)]
    for name in ("A", "B"):
        assert own[own["respondent"].str[0] == name]["answer"].tolist() == expected
    counter = saved[saved["respondent"] == "Counter"]["comment"].tolist()
    assert [c.split()[0] for c in counter] == [str(2 * COUNTER_INCREMENTS)]  # no increment lost
    assert [r[1] for r in results] == [COUNTER_INCREMENTS, COUNTER_INCREMENTS]
    assert sum(r[2] for r in results) > 0  # the two really raced, and the stale increments were refused
    print(f"stale saves refused (and retried on the newer value): {[r[2] for r in results]}; "
          f"A ran {results[0][3]:.2f}-{results[0][4]:.2f}, B {results[1][3]:.2f}-{results[1][4]:.2f}")


HOLD_LOCK = """
import sys, time
from pmo_assess.io.locks import locked
from pmo_assess.workshop.answers_file import read_rows, render_csv
from pmo_assess.io.files import atomic_write_text
path = sys.argv[1]
with locked(path):
    print("holding", flush=True)
    sys.stdin.readline()  # hold the lock until the test says so
    rows = read_rows(path) + [["Unit A", "Importer", "sponsor", "PPL-CUS-1", "4", "written under the lock"]]
    atomic_write_text(path, render_csv(rows))
"""


@pytest.mark.timeout(60)
def test_a_workshop_save_waits_for_another_writer_holding_the_lock_and_keeps_its_rows(tmp_path: Path) -> None:
    answers = tmp_path / "answers.csv"
    session = open_session(BANK, "Unit A", answers)
    session.choose_respondent("Ana", "sponsor")
    session.answer(2)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(answers)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    saving = threading.Thread(target=lambda: (session.next(), session.answer(3)), name="workshop-save")
    try:
        assert holder.stdout.readline().strip() == "holding"  # a known state: the other writer holds the lock
        saving.start()
        saving.join(timeout=1)
        assert saving.is_alive()  # the save waits for the lock (held until released below), not writing over it
    finally:
        holder.stdin.close()  # the other writer adds its row and lets go of the lock
        holder.wait(timeout=30)
        saving.join(timeout=30)
    assert not saving.is_alive()
    with answers.open(newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    assert [r[1] for r in rows] == ["Ana", "Importer", "Ana"]


@pytest.mark.timeout(120)
def test_a_workshop_and_pmo_assess_import_into_the_same_csv_at_once_lose_nothing(tmp_path: Path) -> None:
    questionnaire = load_questionnaire(BANK)
    answers = tmp_path / "answers.csv"
    imports = []
    for k in range(4):
        path = tmp_path / f"pack-{k}.csv"
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["business_unit", "respondent", "role", "question", "answer", "comment"])
            writer.writerows([UNIT, f"Imported {k}", "sponsor", q.id, str(i % 4 + 1), ""]
                             for i, q in enumerate(questionnaire.questions))
        imports.append(path)
    assert run_in_processes(_import_and_answer, [(str(answers), None), (str(answers), imports)]) == \
        [len(questionnaire.questions), len(imports)]
    saved = read_answers(answers, questionnaire)
    counts = saved.groupby("respondent", observed=True).size().to_dict()
    assert counts == {"Workshop": 54, **{f"Imported {k}": 54 for k in range(4)}}


def _import_and_answer(answers: str, imports: list[Path] | None, start) -> int:
    """Either answer every question in a workshop session, or run ``pmo-assess import`` once per file."""
    if imports:
        start.wait()
        for path in imports:  # one import after another while the workshop keeps saving
            done = subprocess.run([sys.executable, "-m", "pmo_assess", "import", str(path), "-q", str(BANK),
                                   "-o", answers], capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stderr
        return len(imports)
    session = open_session(BANK, UNIT, answers)
    session.choose_respondent("Workshop", "sponsor")
    start.wait()
    for n in range(len(session.questionnaire.questions)):
        session.go_to(n)
        session.answer(n % 4 + 1)
        time.sleep(0.02)
    return n + 1
