"""Two writers of one answers file at once, as real processes: imports and the workshop's saves lose nothing.

``pmo-assess import --out o.csv`` re-reads and merges o.csv under the lock the workshop's answers file
takes for every save (``pmo_assess.io.locks.locked``). Without it, two imports started together lost a
whole import (3 of 33 trials) and an import during a workshop lost workshop answers (198 of 200 kept).
"""
from __future__ import annotations

import csv
import multiprocessing
import sys
from pathlib import Path

import pytest

import pmo_assess.survey_import  # noqa: F401  (imported once here, so forked writers start at once)
import pmo_assess.workshop.answers_file  # noqa: F401
from batch_fixtures import MINI, QUESTIONS

pytestmark = pytest.mark.timeout(90)

HEADER = ["business_unit", "respondent", "role", "question", "answer", "comment"]
CONTEXT = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")


def _respondent_file(path: Path, respondent: str) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i, question in enumerate(QUESTIONS):
            writer.writerow(["Ops", respondent, "pm", question, str(i % 4 + 1), ""])
    return path


def _import(files: list[str], out: str, start) -> None:
    """Child process: wait for the start signal, then import ``files`` one after the other into ``out``."""
    from pmo_assess.cli import main

    start.wait()
    status = 0
    for file in files:
        status = max(status, main(["import", file, "-q", str(MINI), "--out", out]))
    sys.exit(status)


def _workshop(out: str, edits: list[list[str]], start) -> None:
    """Child process: the workshop saving one answer at a time, as it does after every click."""
    from pmo_assess.workshop.answers_file import save_row

    start.wait()
    for row in edits:
        _, conflict = save_row(out, row, ("", ""), "workshop")
        assert conflict is None
    sys.exit(0)


def _rows(path: Path) -> set[tuple[str, ...]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        assert next(reader) == HEADER
        return {tuple(row) for row in reader}


def _run(*targets) -> None:
    start = CONTEXT.Event()
    processes = [CONTEXT.Process(target=target, args=(*args, start)) for target, args in targets]
    for process in processes:
        process.start()
    start.set()
    for process in processes:
        process.join(60)
    assert [p.exitcode for p in processes] == [0] * len(processes)


def test_concurrent_imports_into_one_file_keep_every_import(tmp_path):
    trials, writers = 5, 4
    for trial in range(trials):
        out = tmp_path / f"out-{trial}.csv"
        files = [_respondent_file(tmp_path / f"t{trial}-{w}.csv", f"R{trial}-{w}") for w in range(writers)]
        _run(*[(_import, ([str(f)], str(out))) for f in files])

        people = {row[1] for row in _rows(out)}
        assert people == {f"R{trial}-{w}" for w in range(writers)}, f"trial {trial} lost an import"
        assert len(_rows(out)) == writers * len(QUESTIONS)


def test_an_import_while_the_workshop_saves_keeps_every_workshop_answer(tmp_path):
    out = tmp_path / "answers.csv"
    edits = [["Ops", f"W{i // len(QUESTIONS)}", "sponsor", QUESTIONS[i % len(QUESTIONS)], str(i % 4 + 1), ""]
             for i in range(200)]
    imports = [str(_respondent_file(tmp_path / f"import-{k}.csv", f"I{k}")) for k in range(12)]

    _run((_workshop, (str(out), edits)), (_import, (imports, str(out))))

    rows = _rows(out)
    assert {tuple(e) for e in edits} <= rows, f"{len({tuple(e) for e in edits} - rows)} workshop answers lost"
    assert {row[1] for row in rows if row[1].startswith("I")} == {f"I{k}" for k in range(12)}
    assert len(rows) == 200 + 12 * len(QUESTIONS)
