"""Kernels where IPC sockets are unavailable (Windows): TCP on 127.0.0.1, forced here with
``PMO_ASSESS_KERNEL_TRANSPORT=tcp``, and the retry when a TCP kernel's port is taken (real kernels)."""
from __future__ import annotations

import io
import json
import socket
from pathlib import Path

import pytest

from batch_fixtures import LIGHT_PORTFOLIO, LIGHT_UNIT, MINI, write_answers
from pmo_assess.batch import kernels
from pmo_assess.batch import run as run_module
from pmo_assess.batch.kernels import TRANSPORT_VARIABLE, KernelWatch, PrivateKernelManager, kernel_transport
from pmo_assess.batch.pipeline import BatchConfig, run_batch
from pmo_assess.batch.run import NotebookJob, run_notebook_job

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def tcp(monkeypatch):
    """Force TCP kernels and record the transport of every kernel manager created."""
    monkeypatch.setenv(TRANSPORT_VARIABLE, "tcp")
    made: list[PrivateKernelManager] = []
    original = PrivateKernelManager.__init__

    def init(self, **kwargs):
        original(self, **kwargs)
        made.append(self)

    monkeypatch.setattr(PrivateKernelManager, "__init__", init)
    return made


def test_the_transport_is_ipc_by_default_and_tcp_when_forced_or_on_windows(monkeypatch):
    monkeypatch.delenv(TRANSPORT_VARIABLE, raising=False)
    assert kernel_transport() == "ipc"
    monkeypatch.setenv(TRANSPORT_VARIABLE, "TCP")
    assert kernel_transport() == "tcp"
    manager = PrivateKernelManager()
    try:
        assert (manager.transport, manager.ip) == ("tcp", "127.0.0.1")
        assert Path(manager.connection_file).parent == Path(manager.private_dir)
    finally:
        manager.remove_private_dir()
    monkeypatch.setenv(TRANSPORT_VARIABLE, "ipc")
    monkeypatch.setattr(kernels.os, "name", "nt")
    assert kernel_transport() == "tcp"  # Windows has no Unix domain sockets, whatever is asked


def test_a_batch_of_two_units_runs_over_tcp_kernels(tmp_path, tcp):
    answers = write_answers(tmp_path / "a.csv", {"Alpha": {}, "Beta": {}})
    config = BatchConfig(answers=[answers], questionnaire=MINI, out=tmp_path / "out", notebook=LIGHT_UNIT,
                         portfolio_notebook=LIGHT_PORTFOLIO, progress_bar=False, workers=2)
    summary = io.StringIO()

    assert run_batch(config, stream=io.StringIO(), out_stream=summary) == 0, summary.getvalue()

    assert "3 succeeded, 0 failed" in summary.getvalue()
    for slug, unit in (("alpha", "Alpha"), ("beta", "Beta")):
        scores = json.loads((tmp_path / "out" / "units" / slug / "scores.json").read_text())
        assert scores["units"][0]["business_unit"] == unit
    assert len(tcp) >= 3 and {m.transport for m in tcp} == {"tcp"}
    assert all(not Path(m.private_dir).exists() for m in tcp)  # connection files removed


def test_a_tcp_kernel_whose_port_is_taken_dies_and_the_unit_is_retried_on_fresh_ports(tmp_path, tcp, monkeypatch):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    taken = busy.getsockname()[1]
    errors: list[str] = []
    bound = run_module.kernel_manager_class
    attempts: list[int] = []

    def manager_class(watch: KernelWatch) -> type:
        base = bound(watch)
        attempts.append(1)
        if len(attempts) > 1:
            return base

        class Collides(base):  # the first kernel is told to use a port another process holds
            def __init__(self, **kwargs):
                super().__init__(shell_port=taken, cache_ports=False, **kwargs)
        return Collides

    original_is_startup_failure = run_module.is_startup_failure

    def startup_failure(error, watch):
        errors.append(str(error))
        return original_is_startup_failure(error, watch)

    monkeypatch.setattr(run_module, "kernel_manager_class", manager_class)
    monkeypatch.setattr(run_module, "is_startup_failure", startup_failure)
    answers = write_answers(tmp_path / "a.csv", {"Alpha": {}})
    folder = tmp_path / "out" / "alpha"
    job = NotebookJob(
        name="Alpha", notebook=LIGHT_UNIT,
        parameters={"answers": [str(answers)], "business_unit": "Alpha", "questionnaire": str(MINI),
                    "targets": "", "output_dir": ""},
        executed_name="assessment.ipynb", html_name="report.html",
        outputs={n: folder / n for n in ("assessment.ipynb", "report.html", "scores.json")},
        failed_dir=tmp_path / "out" / "failed" / "alpha", publish_dir=folder, required=("scores.json",))
    try:
        result = run_notebook_job(job, timeout=120)
    finally:
        busy.close()

    assert errors and "Kernel died before replying to kernel_info" in errors[0]  # what jupyter_client raises
    assert result.ok and result.attempts == 2, result.error
    assert json.loads((folder / "scores.json").read_text())["units"][0]["business_unit"] == "Alpha"
