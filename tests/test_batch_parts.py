"""The batch's parts on their own: private IPC kernels, the start-up retry, slugs, manifest keys, summary."""
from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest
import zmq

from batch_fixtures import MINI, write_answers
from pmo_assess.batch import run as run_module
from pmo_assess.batch.discover import assign_slugs, slugify
from pmo_assess.batch.kernels import KernelWatch, PrivateKernelManager, is_startup_failure
from pmo_assess.batch.manifest import rows_hash
from pmo_assess.batch.run import NotebookJob, run_notebook_job
from pmo_assess.batch.summary import Outcome, summary_text, write_summary_csv
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.report.answers import split_units


def test_each_kernel_manager_uses_ipc_sockets_in_its_own_private_folder():
    first, second = PrivateKernelManager(), PrivateKernelManager()
    try:
        assert first.transport == second.transport == "ipc"
        assert Path(first.ip).parent == Path(first.private_dir)
        assert Path(first.connection_file).parent == Path(first.private_dir)
        assert first.private_dir != second.private_dir
        assert oct(Path(first.private_dir).stat().st_mode & 0o777) == "0o700"
    finally:
        first.remove_private_dir()
        second.remove_private_dir()
    assert not Path(first.private_dir).exists()


def test_a_kernel_that_dies_at_start_up_is_retried_once(tmp_path, monkeypatch):
    calls = []

    def execute(job, work, timeout, watch, manager_class=None):
        calls.append(work)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        (work / "out.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')

    def begin(job, work, formats):  # rendering is not what this test is about (it refuses a notebook without parameters)
        (work / "out.html").write_text("<html></html>")
        return lambda: [work / "out.html"]

    monkeypatch.setattr(run_module, "_execute", execute)
    monkeypatch.setattr(run_module, "begin_reports", begin)
    job = NotebookJob(name="Alpha", notebook=tmp_path / "nb.ipynb", parameters={}, executed_name="out.ipynb",
                      html_name="out.html", outputs={"out.ipynb": tmp_path / "pub" / "out.ipynb",
                                                     "out.html": tmp_path / "pub" / "out.html"},
                      failed_dir=tmp_path / "failed" / "alpha", publish_dir=tmp_path / "pub")

    result = run_notebook_job(job, timeout=5)

    assert result.ok and result.attempts == 2
    assert sorted(p.name for p in (tmp_path / "pub").iterdir()) == ["out.html", "out.ipynb"]


def test_a_notebook_error_is_not_retried_as_a_start_up_failure():
    watch = KernelWatch()
    assert not is_startup_failure(ValueError("bad data"), watch)
    assert is_startup_failure(RuntimeError("Kernel didn't respond in 60 seconds"), watch)
    assert is_startup_failure(zmq.ZMQError(errno.EADDRINUSE), watch)  # a TCP port taken meanwhile
    watch.startup_failed = True
    assert is_startup_failure(OSError("socket in use"), watch)


def test_slugs_are_unique_stable_and_plain():
    assert slugify("Zürich Ops & Co.") == "zurich-ops-co"
    assert slugify("???") == "unit"
    slugs = assign_slugs(["A b", "a-b", "Portfolio", "New"], known={"New": "kept-name", "Gone": "a-b-2"})
    assert slugs == {"A b": "a-b", "a-b": "a-b-3", "Portfolio": "portfolio-2", "New": "kept-name"}


def test_a_units_key_changes_with_its_own_rows_only(tmp_path):
    bank = load_questionnaire(MINI)
    path = write_answers(tmp_path / "a.csv", {"Alpha": {}, "Beta": {}})
    before = split_units([path], bank)
    write_answers(path, {"Alpha": {}, "Beta": {"comment": "changed"}})
    after = split_units([path], bank)

    assert rows_hash(before.frames["Alpha"]) == rows_hash(after.frames["Alpha"])
    assert rows_hash(before.frames["Beta"]) != rows_hash(after.frames["Beta"])


def test_summary_names_failures_and_neutralises_spreadsheet_formulas(tmp_path):
    outcomes = [Outcome("Alpha", "ok", 3.2, "out/units/alpha/report.html"),
                Outcome("=cmd|' /C calc'!A0", "failed", 1.0, error="ValueError: boom\ndetails")]

    text = summary_text(outcomes)
    write_summary_csv(tmp_path / "summary.csv", outcomes)

    assert "1 succeeded, 1 failed: =cmd" in text and "ValueError: boom" in text and "details" not in text
    assert "'=cmd|' /C calc'!A0" in (tmp_path / "summary.csv").read_text(encoding="utf-8")


def test_an_unreadable_manifest_means_everything_is_redone(tmp_path):
    from pmo_assess.batch.manifest import Manifest

    (tmp_path / "manifest.json").write_text("{ not json", encoding="utf-8")
    manifest = Manifest.load(tmp_path)
    assert manifest.units == {}
    manifest.record_unit("Alpha", {"slug": "alpha", "key": "k", "status": "ok"})
    assert json.loads((tmp_path / "manifest.json").read_text())["units"]["Alpha"]["slug"] == "alpha"


def test_progress_is_a_bar_on_a_terminal_and_plain_lines_otherwise():
    import io

    from pmo_assess.batch.progress import Progress

    lines, bar = io.StringIO(), io.StringIO()
    plain, fancy = Progress(2, lines, bar=False), Progress(2, bar, bar=True)
    for progress in (plain, fancy):
        progress.finished(Outcome("Alpha", "ok", 1.25))
        progress.finished(Outcome("Beta", "timeout", 9.0))
        progress.close()

    assert lines.getvalue() == "[1/2] ok       Alpha (1.2 s)\n[2/2] timeout  Beta (9.0 s)\n"
    assert "2/2" in bar.getvalue() and "\r" in bar.getvalue() and "Beta: timeout" in bar.getvalue()


def test_a_warm_kernel_that_fails_its_warm_up_is_not_handed_over_and_leaves_nothing_behind():
    from pmo_assess.batch.kernels import WarmKernel

    warm = WarmKernel(("no_such_module_for_pmo_assess",))

    assert warm.handover() is None
    assert "no_such_module_for_pmo_assess" in str(warm.failure)
    assert not warm.manager.has_kernel and not Path(warm.manager.private_dir).exists()


def test_a_warm_kernel_is_handed_over_as_the_instance_nbclient_creates():
    from pmo_assess.batch.kernels import WarmKernel

    warm = WarmKernel(("json",))
    try:
        handover = warm.handover()
        assert handover is not None and handover(kernel_name="python3") is warm.manager
        assert warm.manager.has_kernel and warm.manager.transport == "ipc"
    finally:
        warm.discard()
    assert not warm.manager.has_kernel and not Path(warm.manager.private_dir).exists()


def test_a_report_moved_aside_by_a_batch_killed_mid_publish_is_put_back(tmp_path):
    from pmo_assess.batch.pipeline import _remove_leftovers

    units = tmp_path / "units"
    aside = units / ".alpha.old-k1" / "alpha"  # killed after moving the old report aside, before the new one
    aside.mkdir(parents=True)
    (aside / "report.html").write_text("previous good report", encoding="utf-8")
    (units / "beta").mkdir()
    (units / "beta" / "report.html").write_text("new report", encoding="utf-8")
    (units / ".beta.old-k2" / "beta").mkdir(parents=True)  # killed after publishing: the old one is stale
    (units / ".gamma.partial-k3").mkdir()

    _remove_leftovers(tmp_path)

    assert sorted(p.name for p in units.iterdir()) == ["alpha", "beta"]
    assert (units / "alpha" / "report.html").read_text(encoding="utf-8") == "previous good report"
    assert (units / "beta" / "report.html").read_text(encoding="utf-8") == "new report"


def test_progress_of_a_long_batch_reports_done_failed_rate_and_time_left():
    import io

    from pmo_assess.batch.progress import Progress, duration_text

    now = [0.0]
    lines = io.StringIO()
    progress = Progress(40, lines, bar=False, clock=lambda: now[0])
    for i in range(10):
        now[0] += 6.0  # one unit every 6 s: 10 units a minute
        progress.finished(Outcome(f"Unit {i}", "failed" if i == 3 else "ok", 6.0))

    # 10 of 40 done in 60 s: 10 units/min, so the 30 left take 3 minutes
    assert lines.getvalue().splitlines()[-1] == "10/40 done, 1 failed, 10.0 units/min, about 3 min left"
    assert lines.getvalue().count("done,") == 1  # a status line every 10 units (5 % of 40, at least 10)
    assert (duration_text(42), duration_text(3 * 3600 + 5 * 60)) == ("42 s", "3 h 05 min")

    bar = io.StringIO()
    fancy = Progress(5000, bar, bar=True)
    fancy.finished(Outcome("Unit 1", "timeout", 9.0))
    fancy.close()
    assert "1/5000 units" in bar.getvalue() and "1 failed" in bar.getvalue() and "left" in bar.getvalue()


def test_a_report_format_failing_in_a_pooled_kernel_comes_back_as_that_formats_error(tmp_path):
    from pmo_assess.batch.kernel_pool import PooledKernel
    from pmo_assess.report.documents import ReportFormatError

    kernel = PooledKernel("import json\n")
    try:
        try:
            kernel.render(tmp_path / "missing.ipynb", tmp_path, "report", ("html", "pdf"), timeout=60)
        except ReportFormatError as error:
            assert error.format == "html" and "missing.ipynb" in error.message
        else:
            raise AssertionError("a missing notebook rendered")
        kernel.reset(tmp_path)  # the kernel is still usable, and its namespace is wiped again
    finally:
        kernel.shut_down()
    assert not kernel.is_alive() and list(tmp_path.iterdir()) == []


def test_a_bounded_kernel_pool_never_runs_more_kernels_than_its_bound_and_stops_waiting_when_closed(monkeypatch):
    import threading

    from pmo_assess.batch import kernel_pool

    started = []

    class FakeKernel:  # the pool's bookkeeping is what is tested here, not real kernels
        def __init__(self, warm_up):
            self.units, self.fail_shutdown = 0, False
            started.append(self)

        def reset(self, cwd):
            pass

        def is_alive(self):
            return True

        def shut_down(self):
            if self.fail_shutdown:
                raise RuntimeError("already gone")

    monkeypatch.setattr(kernel_pool, "PooledKernel", FakeKernel)
    pool = kernel_pool.KernelPool("", max_kernels=1)
    first = pool.lease(Path("."))
    got: list = []
    waiter = threading.Thread(target=lambda: got.append(pool.lease(Path("."))))
    waiter.start()
    waiter.join(0.3)
    assert waiter.is_alive() and len(started) == 1  # at the bound: the second unit waits for a kernel
    pool.give_back(first, sound=True)
    waiter.join(5)
    assert got == [first] and len(started) == 1  # and gets the one given back

    first.fail_shutdown = True
    with pytest.raises(RuntimeError, match="already gone"):
        pool.give_back(first, sound=False)  # a failed unit's kernel is retired, even if its shutdown fails ...
    second = pool.lease(Path("."))
    assert second is not first and len(started) == 2  # ... so its place is free for a new one

    def wait_then_record():
        try:
            pool.lease(Path("."))
        except RuntimeError as error:
            got.append(str(error))

    waiter = threading.Thread(target=wait_then_record)
    waiter.start()
    waiter.join(0.3)
    pool.close()  # Ctrl-C: a unit waiting for a kernel never starts
    waiter.join(5)
    assert not waiter.is_alive() and got[-1] == "the batch was stopped before this unit started"


def test_a_pdf_batch_without_a_browser_is_bad_input_before_any_kernel_starts(tmp_path, monkeypatch):
    from batch_fixtures import run_light_batch

    from pmo_assess.errors import InputErrors
    from pmo_assess.report.pdf import BROWSER_VARIABLE

    monkeypatch.setenv(BROWSER_VARIABLE, str(tmp_path / "no-such-browser"))
    answers = write_answers(tmp_path / "a.csv", {"Alpha": {}})
    with pytest.raises(InputErrors) as caught:
        run_light_batch([answers], tmp_path / "out", formats=("html", "pdf"))
    assert f"--formats: pdf: {BROWSER_VARIABLE} names" in caught.value.render()
    assert not (tmp_path / "out").exists()  # nothing ran, nothing written
