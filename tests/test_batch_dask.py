"""pmo-assess batch on a Dask cluster (a LocalCluster of 2 worker processes shared by this module): the same
scores and summary as a local run, a killed worker fails only its unit, resume after an interrupted run, and
the refusals before anything runs (unreachable scheduler, other pmo-assess version, dask missing)."""
from __future__ import annotations

import json
import logging
import os
import signal
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from batch_fixtures import MINI, run_light_batch, summary_rows, write_answers
from conftest import BANK, EXAMPLES
from pmo_assess.batch.pipeline import NOTEBOOK, PORTFOLIO_NOTEBOOK
from pmo_assess.errors import InputErrors

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def scheduler():
    """The address of a LocalCluster (processes, 2 workers of 1 thread), configured as ``--scheduler local:N`` is."""
    import dask
    from distributed import LocalCluster

    from pmo_assess.batch.engine_dask import LOCAL_CLUSTER_CONFIG

    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR)
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def wait_for_workers(address: str, count: int) -> None:
    from distributed import Client

    with Client(address, set_as_default=False) as client:
        client.wait_for_workers(count, timeout=60)


def test_the_bundled_units_on_the_cluster_give_the_same_scores_and_summary_as_a_local_run(tmp_path, scheduler):
    answers = sorted((EXAMPLES / "answers").glob("*.csv"))
    common = {"questionnaire": BANK, "targets": EXAMPLES / "targets.yaml", "assessed_on": "2025-11-03",
              "notebook": NOTEBOOK, "portfolio_notebook": PORTFOLIO_NOTEBOOK}  # the bundled notebooks
    local = run_light_batch(answers, tmp_path / "local", workers=2, **common)
    remote = run_light_batch(answers, tmp_path / "dask", scheduler=scheduler, **common)

    assert local[0] == remote[0] == 0, local[1] + remote[1]
    assert "worker thread(s) on the Dask cluster" in remote[2]
    units = sorted(p.name for p in (tmp_path / "local" / "units").iterdir())
    assert len(units) == len(answers) == 5
    for slug in units:
        made_here = (tmp_path / "local" / "units" / slug / "scores.json").read_bytes()
        assert (tmp_path / "dask" / "units" / slug / "scores.json").read_bytes() == made_here, slug
    statuses = [{unit: row["status"] for unit, row in summary_rows(tmp_path / run).items()} for run in ("local", "dask")]
    assert statuses[0] == statuses[1] == {**{u: "ok" for u in statuses[0] if u != "portfolio"}, "portfolio": "ok"}
    for run in ("local", "dask"):  # the profile says where each unit ran
        profile = json.loads((tmp_path / run / "manifest.json").read_text())["units"]["Retail Banking"]["profile"]
        assert profile["worker"].startswith("tcp://" if run == "dask" else "pmo-unit")
        assert profile["notebook"] > 0 and profile["kernel_peak_mb"] > 0 and profile["kernel_pid"] > 0


def parent_of(pid: int) -> int:
    """The parent process id of ``pid`` (Linux /proc)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def test_an_interrupted_run_resumes_where_it_stopped(tmp_path, scheduler):
    class InterruptAfterFirstUnit:
        """A progress stream on which Ctrl-C arrives as the first unit is reported."""

        def __init__(self):
            self.text = ""

        def write(self, text):
            self.text += text
            if text.startswith("[1/"):
                raise KeyboardInterrupt

        def flush(self):
            pass

        def isatty(self):
            return False

        def getvalue(self):
            return self.text

    out = tmp_path / "out"
    answers = write_answers(tmp_path / "a.csv", {"Alpha": {}, "Beta": {}, "Gamma": {}})
    stream = InterruptAfterFirstUnit()
    with pytest.raises(KeyboardInterrupt):
        run_light_batch([answers], out, scheduler=scheduler, stream=stream)
    first = stream.text.split("[1/3] ok", 1)[1].split()[0]  # the unit published before the interruption
    manifest = json.loads((out / "manifest.json").read_text())["units"]
    assert list(manifest) == [first] and manifest[first]["status"] == "ok"

    status, summary, progress = run_light_batch([answers], out, scheduler=scheduler)

    assert status == 0 and "3 to run" not in progress and "2 to run, 1 up to date" in progress
    rows = summary_rows(out)
    assert rows[first]["status"] == "up to date"
    assert sorted(r["status"] for u, r in rows.items() if u not in (first, "portfolio")) == ["ok", "ok"]


def test_a_killed_worker_fails_only_its_unit_and_the_next_run_redoes_it(tmp_path, scheduler):
    wait_for_workers(scheduler, 2)
    out = tmp_path / "out"
    answers = write_answers(tmp_path / "a.csv", {"Alpha": {}, "Doomed": {"comment": "__await_kill__"},
                                                 "Gamma": {}})
    with ThreadPoolExecutor(max_workers=1) as pool:
        # shared inputs: the worker's notebook writes its kernel's pid beside the answers, here
        running = pool.submit(run_light_batch, [answers], out, scheduler=scheduler, shared_inputs=True)
        pid_file = tmp_path / "Doomed.pid"
        deadline = time.monotonic() + 120
        while not pid_file.exists() and time.monotonic() < deadline and not running.done():
            time.sleep(0.1)
        assert pid_file.exists(), "the Doomed unit's kernel never started"
        worker = parent_of(int(pid_file.read_text()))  # the Dask worker process that holds the unit
        os.kill(worker, signal.SIGKILL)
        status, summary, _ = running.result(timeout=240)

    assert status == 1 and "1 failed: Doomed" in summary
    rows = summary_rows(out)
    assert rows["Alpha"]["status"] == rows["Gamma"]["status"] == "ok"
    assert rows["Doomed"]["status"] == "failed" and "Dask worker running this unit was lost" in rows["Doomed"]["error"]
    assert sorted(p.name for p in (out / "units").iterdir()) == ["alpha", "gamma"]
    assert "was lost" in (out / "failed" / "doomed" / "error.txt").read_text()

    write_answers(answers, {"Alpha": {}, "Doomed": {}, "Gamma": {}})
    wait_for_workers(scheduler, 2)  # the cluster's nanny has restarted the killed worker
    status, summary, progress = run_light_batch([answers], out, scheduler=scheduler)

    assert status == 0 and "1 to run, 2 up to date" in progress
    assert summary_rows(out)["Doomed"]["status"] == "ok"
    assert not (out / "failed" / "doomed").exists()


def test_a_worker_with_another_pmo_assess_version_is_refused_before_anything_runs(tmp_path, scheduler, monkeypatch):
    from pmo_assess.batch import engine_dask

    monkeypatch.setattr(engine_dask, "__version__", "9.9.9")  # this machine "upgraded"; the workers did not
    answers = write_answers(tmp_path / "a.csv", {"Alpha": {}})

    with pytest.raises(InputErrors) as raised:
        run_light_batch([answers], tmp_path / "out", scheduler=scheduler)

    message = raised.value.render()
    assert "runs pmo-assess 0.1.0, but this machine runs pmo-assess 9.9.9" in message
    assert not (tmp_path / "out").exists()


def test_an_unreachable_scheduler_or_missing_dask_is_exit_2_before_anything_runs(tmp_path, monkeypatch, capsys):
    from pmo_assess.cli import main

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    answers = write_answers(tmp_path / "a.csv", {"Alpha": {}})

    with pytest.raises(InputErrors) as raised:
        run_light_batch([answers], tmp_path / "out", scheduler=f"tcp://127.0.0.1:{port}", connect_timeout=1)
    assert f"cannot reach the Dask scheduler at 'tcp://127.0.0.1:{port}' within 1 s" in raised.value.render()

    args = ["batch", str(answers), "-q", str(MINI), "-o", str(tmp_path / "out")]
    assert main([*args, "--scheduler", "local:0"]) == 2
    assert "local:N with N, the number of worker processes, 1 or more" in capsys.readouterr().err

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if dask were not installed
    assert main([*args, "--scheduler", "local:2"]) == 2
    err = capsys.readouterr().err
    assert 'needs dask and distributed: pip install -e ".[dask]"' in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_batch_without_targets_has_no_targets_on_the_cluster_as_here(tmp_path, scheduler):
    answers = [EXAMPLES / "answers" / "retail-banking.csv"]
    common = {"questionnaire": BANK, "assessed_on": "2025-11-03", "notebook": NOTEBOOK,
              "portfolio_notebook": PORTFOLIO_NOTEBOOK}  # the bundled notebook, whose own default targets differ
    local = run_light_batch(answers, tmp_path / "local", workers=1, **common)
    remote = run_light_batch(answers, tmp_path / "dask", scheduler=scheduler, **common)

    assert local[0] == remote[0] == 0, local[1] + remote[1]
    made_here = (tmp_path / "local" / "units" / "retail-banking" / "scores.json").read_text(encoding="utf-8")
    made_there = (tmp_path / "dask" / "units" / "retail-banking" / "scores.json").read_text(encoding="utf-8")
    assert made_there == made_here
    scores = json.loads(made_there)
    parts = [scores["units"][0]["overall"], *scores["units"][0]["dimensions"], *scores["units"][0]["capabilities"]]
    assert all(part.get("target") is None and part.get("gap") is None for part in parts)  # not the example's 3 / 1
    executed = json.loads((tmp_path / "dask" / "units" / "retail-banking" / "assessment.ipynb").read_text())
    assert executed["metadata"]["papermill"]["parameters"]["targets"] == ""


def test_an_anonymised_batch_on_the_cluster_names_no_respondent(tmp_path, scheduler):
    from batch_fixtures import QUESTIONS, ROUNDS_PORTFOLIO, ROUNDS_UNIT

    answers = []
    for name in ("Zenobia Quillfeather", "Bartholomew Okonkwo"):
        path = tmp_path / f"Alpha--{name}.csv"
        path.write_text("business_unit,respondent,role,question,answer,comment\n" + "".join(
            f"Alpha,{name},sponsor,{q},{i % 4 + 1},\n" for i, q in enumerate(QUESTIONS)), encoding="utf-8")
        answers.append(path)
    out = tmp_path / "out"

    status, summary, _ = run_light_batch(answers, out, scheduler=scheduler, anonymise=True, notebook=ROUNDS_UNIT,
                                         portfolio_notebook=ROUNDS_PORTFOLIO)

    assert status == 0, summary
    for path in (out / "manifest.json", out / "summary.csv", out / "units" / "alpha" / "assessment.ipynb"):
        text = path.read_text(encoding="utf-8")
        assert not any(n in text for n in ("Zenobia", "Quillfeather", "Bartholomew", "Okonkwo")), path.name
    executed = json.loads((out / "units" / "alpha" / "assessment.ipynb").read_text(encoding="utf-8"))
    assert [Path(p).name for p in executed["metadata"]["papermill"]["parameters"]["answers"]] == ["answers-alpha.csv"]
