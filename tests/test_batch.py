"""pmo-assess batch: faults in one unit (bad rows, exception, killed kernel, timeout) never spoil the others,
and a rerun redoes only what failed or changed. Uses light notebooks (``--notebook``) to stay quick."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from batch_fixtures import LIGHT_PORTFOLIO, LIGHT_UNIT, MINI, write_answers
from pmo_assess.batch.pipeline import BatchConfig, run_batch


def batch(answers: list[Path], out: Path, **options) -> tuple[int, str, str]:
    """Run a batch in-process with the light notebooks; returns (exit status, summary, progress lines)."""
    config = BatchConfig(answers=answers, questionnaire=MINI, out=out, notebook=LIGHT_UNIT,
                         portfolio_notebook=LIGHT_PORTFOLIO, progress_bar=False, **options)
    summary, progress = io.StringIO(), io.StringIO()
    status = run_batch(config, stream=progress, out_stream=summary)
    return status, summary.getvalue(), progress.getvalue()


def summary_rows(out: Path) -> dict[str, dict]:
    with (out / "summary.csv").open(encoding="utf-8") as handle:
        return {row["unit"]: row for row in csv.DictReader(handle)}


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file in a folder with its modification time and content."""
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_invalid_rows_fail_their_unit_only_and_a_rerun_after_the_fix_redoes_only_that_unit(tmp_path):
    out = tmp_path / "out"
    answers = write_answers(tmp_path / "answers.csv", {"Alpha": {}, "Broken": {"bad_answer": True}, "Gamma": {}})

    status, summary, progress = batch([answers], out, workers=2)

    assert status == 1
    rows = summary_rows(out)
    assert rows["Alpha"]["status"] == rows["Gamma"]["status"] == "ok"
    assert rows["Broken"]["status"] == "invalid"
    assert "answers.csv: row 19:" in rows["Broken"]["error"] and "'7' is outside the levels 1-4" in rows["Broken"]["error"]
    assert "1 failed: Broken" in summary
    assert not (out / "units" / "broken").exists()
    for slug in ("alpha", "gamma"):
        assert sorted(p.name for p in (out / "units" / slug).iterdir()) == ["assessment.ipynb", "report.html",
                                                                            "scores.json"]
    umask = os.umask(0o022)
    os.umask(umask)
    assert (out / "units" / "alpha").stat().st_mode & 0o777 == 0o777 & ~umask  # shareable, not temp-private
    assert (out / "units" / "alpha" / "report.html").stat().st_mode & 0o777 == 0o666 & ~umask
    assert "[1/2] ok" in progress and "[2/2] ok" in progress  # plain lines, not a bar, off a terminal
    assert rows["portfolio"]["status"] == "ok"
    assert "units: ['Alpha', 'Gamma']" in (out / "portfolio.ipynb").read_text(encoding="utf-8")
    before = {slug: snapshot(out / "units" / slug) for slug in ("alpha", "gamma")}

    write_answers(answers, {"Alpha": {}, "Broken": {}, "Gamma": {}})
    status, summary, _ = batch([answers], out, workers=2)

    assert status == 0
    rows = summary_rows(out)
    assert rows["Alpha"]["status"] == rows["Gamma"]["status"] == "up to date"
    assert rows["Broken"]["status"] == "ok"
    assert rows["portfolio"]["status"] == "ok"  # a unit changed, so the cross-unit view is rebuilt
    assert {slug: snapshot(out / "units" / slug) for slug in ("alpha", "gamma")} == before
    scores = json.loads((out / "units" / "broken" / "scores.json").read_text(encoding="utf-8"))
    assert scores["schema"] == "pmo-assess/scores@1" and scores["units"][0]["business_unit"] == "Broken"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {u: e["status"] for u, e in manifest["units"].items()} == {"Alpha": "ok", "Broken": "ok", "Gamma": "ok"}

    status, _, progress = batch([answers], out, workers=2)
    assert status == 0 and "0 to run, 3 up to date" in progress
    assert {r["status"] for r in summary_rows(out).values()} == {"up to date"}


def test_a_timeout_and_a_killed_kernel_fail_their_units_while_the_others_succeed(tmp_path):
    out = tmp_path / "out"
    answers = write_answers(tmp_path / "answers.csv", {
        "Alpha": {}, "Sleepy": {"comment": "__sleep__"}, "Doomed": {"comment": "__await_kill__"},
        "Faulty": {"comment": "__raise__"}})
    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(batch, [answers], out, workers=2, timeout=12)
        pid_file = tmp_path / "Doomed.pid"
        deadline = time.monotonic() + 60
        while not pid_file.exists() and time.monotonic() < deadline and not running.done():
            time.sleep(0.1)
        assert pid_file.exists(), "the Doomed unit's kernel never started"
        os.kill(int(pid_file.read_text()), signal.SIGKILL)  # as the OOM killer would, mid-run
        status, summary, _ = running.result(timeout=120)

    assert status == 1
    rows = summary_rows(out)
    assert rows["Alpha"]["status"] == "ok"
    assert rows["Sleepy"]["status"] == "timeout" and "timed out after 12 s" in rows["Sleepy"]["error"]
    assert rows["Doomed"]["status"] == "failed" and "kernel died" in rows["Doomed"]["error"]
    assert rows["Faulty"]["status"] == "failed" and "ValueError: this unit was told to fail" in rows["Faulty"]["error"]
    assert float(rows["Sleepy"]["seconds"]) < 40
    assert "3 failed: Sleepy, Doomed, Faulty" in summary
    assert sorted(p.name for p in (out / "units").iterdir()) == ["alpha"]  # no partial folder left behind
    for slug in ("sleepy", "doomed"):  # the kernel never finished: only the error is kept
        assert sorted(p.name for p in (out / "failed" / slug).iterdir()) == ["error.txt"]
    # the executed notebook, error cell included, is kept for diagnosis; never a report or scores
    assert sorted(p.name for p in (out / "failed" / "faulty").iterdir()) == ["assessment.ipynb", "error.txt"]
    assert "this unit was told to fail" in (out / "failed" / "faulty" / "assessment.ipynb").read_text(encoding="utf-8")
    assert "timed out" in (out / "failed" / "sleepy" / "error.txt").read_text(encoding="utf-8")


def test_a_failed_rerun_keeps_the_previous_good_report_and_names_the_failure(tmp_path):
    out = tmp_path / "out"
    answers = write_answers(tmp_path / "answers.csv", {"Alpha": {}})
    assert batch([answers], out, workers=1)[0] == 0
    good = snapshot(out / "units" / "alpha")

    write_answers(answers, {"Alpha": {"comment": "__raise__"}})
    status, summary, _ = batch([answers], out, workers=1)

    assert status == 1 and "1 failed: Alpha" in summary
    assert "this unit was told to fail (the previous report is kept)" in summary_rows(out)["Alpha"]["error"]
    assert snapshot(out / "units" / "alpha") == good
    assert (out / "failed" / "alpha" / "error.txt").exists()

    write_answers(answers, {"Alpha": {"comment": "fixed"}})
    assert batch([answers], out, workers=1)[0] == 0
    assert not (out / "failed" / "alpha").exists()
    assert snapshot(out / "units" / "alpha") != good


def test_rerun_all_redoes_units_that_are_up_to_date_and_leftovers_are_cleared(tmp_path):
    out = tmp_path / "out"
    answers = write_answers(tmp_path / "answers.csv", {"Alpha": {}})
    assert batch([answers], out, workers=1)[0] == 0
    first = (out / "units" / "alpha" / "scores.json").stat().st_mtime_ns
    leftover = out / "units" / ".beta.partial-x1y2"  # as left by a batch that was killed outright
    leftover.mkdir()
    (leftover / "report.html").write_text("half", encoding="utf-8")

    status, _, progress = batch([answers], out, workers=1, rerun_all=True)

    assert status == 0 and "1 to run, 0 up to date" in progress
    assert (out / "units" / "alpha" / "scores.json").stat().st_mtime_ns != first
    assert not leftover.exists()


@pytest.mark.parametrize("args, message", [
    (["--questionnaire", "missing.yaml"], "missing.yaml: file not found"),
    (["--notebook", "MISSING_PARAMETERS"], "parameters cell: does not define questionnaire, targets, output_dir"),
    (["--workers", "0"], "--workers: must be 1 or more, got 0"),
    (["--timeout", "-1"], "--timeout: must be more than 0 and at most 604800 seconds"),
])
def test_bad_input_exits_2_with_the_problem_before_any_kernel_starts(tmp_path, capsys, args, message):
    from batch_fixtures import MISSING_PARAMETERS
    from pmo_assess.cli import main

    answers = write_answers(tmp_path / "answers.csv", {"Alpha": {}})
    args = [str(MISSING_PARAMETERS) if a == "MISSING_PARAMETERS" else a for a in args]
    if "--questionnaire" not in args:
        args += ["--questionnaire", str(MINI)]
    status = main(["batch", str(answers), "--out", str(tmp_path / "out"), *args])

    assert status == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_answers_that_cannot_be_split_by_unit_are_bad_input(tmp_path, capsys):
    from pmo_assess.cli import main

    answers = tmp_path / "answers.csv"
    answers.write_text("business_unit,respondent,role,question,answer\n"
                       "Alpha,Ann,sponsor,P-T-1,3\n,Bob,pm,P-T-1,2\n,Bob,pm,P-T-2,2\n", encoding="utf-8")
    headless = tmp_path / "headless.csv"
    headless.write_text("unit,respondent,question,answer\nAlpha,Ann,P-T-1,3\n", encoding="utf-8")

    status = main(["batch", str(answers), str(headless), "--questionnaire", str(MINI), "--out", str(tmp_path / "o")])

    err = capsys.readouterr().err
    assert status == 2
    assert f"{answers}: row 3: business_unit is empty" in err and f"{answers}: row 4:" in err
    assert f"{headless}: header: missing column(s) business_unit" in err


def test_a_second_batch_on_the_same_folder_is_refused_while_one_runs(tmp_path, capsys):
    from filelock import FileLock

    from pmo_assess.cli import main

    answers = write_answers(tmp_path / "answers.csv", {"Alpha": {}})
    out = tmp_path / "out"
    out.mkdir()
    with FileLock(out / ".batch.lock"):  # as a running batch holds it, from another process or this one
        status = main(["batch", str(answers), "--questionnaire", str(MINI), "--out", str(out)])

    assert status == 2
    assert "another pmo-assess batch (or a report written into it) is writing to this folder" in capsys.readouterr().err
    assert not any((out / "units").iterdir())


def test_a_rerun_keeps_the_files_a_person_put_in_a_units_folder_and_says_so(tmp_path):
    out = tmp_path / "out"
    answers = write_answers(tmp_path / "answers.csv", {"Alpha": {}})
    assert batch([answers], out, workers=1)[0] == 0
    folder = out / "units" / "alpha"
    (folder / "notes.txt").write_text("ask the sponsor about gate 2", encoding="utf-8")
    (folder / "Alpha.pdf").write_bytes(b"%PDF-1.4 written by pmo-assess report --out units/alpha")
    (folder / "drafts").mkdir()
    (folder / "drafts" / "v1.txt").write_text("first draft", encoding="utf-8")
    first = (folder / "scores.json").stat().st_mtime_ns

    status, _, progress = batch([answers], out, workers=1, rerun_all=True)

    assert status == 0 and (folder / "scores.json").stat().st_mtime_ns != first  # the unit was redone
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "ask the sponsor about gate 2"
    assert (folder / "Alpha.pdf").read_bytes().startswith(b"%PDF-1.4 written by pmo-assess report")
    assert (folder / "drafts" / "v1.txt").read_text(encoding="utf-8") == "first draft"
    assert "Alpha: kept Alpha.pdf, drafts, notes.txt (not written by the batch)" in progress
    assert sorted(p.name for p in (out / "units").iterdir()) == ["alpha"]  # nothing left beside it

    write_answers(answers, {"Alpha": {"comment": "changed"}})  # a plain rerun of a changed unit keeps them too
    status, _, progress = batch([answers], out, workers=1)
    assert status == 0 and "Alpha: kept Alpha.pdf, drafts, notes.txt" in progress
    assert (folder / "notes.txt").exists() and (folder / "drafts" / "v1.txt").exists()
