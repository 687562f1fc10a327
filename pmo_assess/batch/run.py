"""Execute one notebook with papermill, bounded in time, and publish its outputs only if it succeeded.

Outputs are made in a hidden ``.NAME.partial-*`` folder beside their destination. On success they
replace the previous outputs by rename; on failure the partial folder is moved to ``failed/NAME``
(the executed notebook with the error, and ``error.txt``) and the previous good outputs stay as
they were. So nothing at the destination is ever half written.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from pmo_assess.batch.kernels import (
    START_TIMEOUT,
    STARTUP_RETRIES,
    KernelWatch,
    WarmKernel,
    is_startup_failure,
    kernel_manager_class,
    kernel_transport,
)
from pmo_assess.batch.summary import visible
from pmo_assess.io.files import atomic_write_text
from pmo_assess.io.outputs import publish_all
from pmo_assess.report.html import write_notebook_html


@dataclass(frozen=True)
class NotebookJob:
    """One notebook run: what to execute with which parameters, and where its outputs go.

    ``outputs`` maps a file made in the work folder to its published name. With ``publish_dir`` set
    the files are published as that folder (replaced whole); otherwise each file is moved alone.
    An ``output_dir`` parameter, if the job has one, is set to the run's work folder.
    """

    name: str
    notebook: Path
    parameters: dict
    executed_name: str
    html_name: str
    outputs: dict[str, Path]
    failed_dir: Path
    publish_dir: Path | None = None
    required: tuple[str, ...] = ()


@dataclass
class RunResult:
    """How a run ended: ``ok``, ``failed`` or ``timeout``; the error and the seconds it took."""

    status: str
    seconds: float
    error: str = ""
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _work_dir(job: NotebookJob) -> Path:
    parent = job.publish_dir.parent if job.publish_dir else next(iter(job.outputs.values())).parent
    parent.mkdir(parents=True, exist_ok=True)
    stem = job.publish_dir.name if job.publish_dir else job.name
    return Path(tempfile.mkdtemp(prefix=f".{stem}.partial-", dir=parent)).resolve()


def _execute(job: NotebookJob, work: Path, timeout: float, watch: KernelWatch,
             manager_class: type | None = None) -> None:
    """One papermill execution in ``work`` (the kernel's cwd), killed if it outlives ``timeout``.

    ``manager_class`` hands over an already running kernel (see :class:`WarmKernel`)."""
    import papermill

    parameters = dict(job.parameters)
    if "output_dir" in parameters:
        parameters["output_dir"] = str(work)
    timer = threading.Timer(timeout, watch.kill, kwargs={"for_timeout": True})
    timer.daemon = True
    timer.start()
    try:
        papermill.execute_notebook(
            str(job.notebook), str(work / job.executed_name), parameters=parameters,
            progress_bar=False, request_save_on_cell_execute=False, start_timeout=START_TIMEOUT,
            execution_timeout=timeout, kernel_manager_class=manager_class or kernel_manager_class(watch),
            shutdown_kernel="immediate", resources={"metadata": {"path": str(work)}})
    finally:
        timer.cancel()
        if watch.manager is not None:
            watch.manager.remove_private_dir()


def describe_error(error: BaseException, watch: KernelWatch, timeout: float) -> tuple[str, str]:
    """(status, one-paragraph message) for a failed run."""
    name = type(error).__name__
    if watch.killed_for_timeout or (name in ("CellTimeoutError", "TimeoutError") and not watch.startup_failed):
        return "timeout", f"timed out after {timeout:g} s"
    if name == "DeadKernelError":
        return "failed", "the kernel died while running the notebook (killed or out of memory)"
    if name == "PapermillExecutionError":
        lines = [f"{error.ename}: {error.evalue}"] if hasattr(error, "ename") else [str(error)]
        return "failed", f"cell {getattr(error, 'exec_count', '?')} raised " + lines[0]
    return "failed", f"{name}: {error}"


def _umask() -> int:
    """The process umask, read without changing it (Linux); 0o022 where it cannot be read."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def _make_shareable(work: Path) -> None:
    """Temp folders and atomic writes are private (0700/0600); reports get the modes of ordinary files."""
    mask = _umask()
    work.chmod(0o777 & ~mask)
    for path in work.iterdir():
        path.chmod((0o777 if path.is_dir() else 0o666) & ~mask)


def _publish(job: NotebookJob, work: Path) -> None:
    """Put the outputs in place by rename: the destination is either the old set or the new one.

    A unit's folder is swapped whole; loose files (the portfolio's) go through :func:`publish_all`.
    """
    _make_shareable(work)
    if job.publish_dir is not None:
        final = job.publish_dir
        old = None
        if final.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.parent))
            os.replace(final, old / final.name)
        os.replace(work, final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return
    publish_all({published: (work / made).read_bytes() for made, published in job.outputs.items()})
    shutil.rmtree(work, ignore_errors=True)


def _keep_failure(job: NotebookJob, work: Path, message: str, trace: str) -> None:
    """Move the partial outputs to ``failed/NAME`` with the error, away from any published report."""
    for made in job.outputs:
        if made != job.executed_name:
            (work / made).unlink(missing_ok=True)  # never keep anything that looks like a finished report
    atomic_write_text(work / "error.txt", f"{visible(job.name)}: {message}\n\n{trace}")
    if job.failed_dir.exists():
        shutil.rmtree(job.failed_dir, ignore_errors=True)
    job.failed_dir.parent.mkdir(parents=True, exist_ok=True)
    os.replace(work, job.failed_dir)


def run_notebook_job(job: NotebookJob, timeout: float, watches: set | None = None,
                     warm: WarmKernel | None = None) -> RunResult:
    """Run, convert to HTML and publish one job (on ``warm``'s kernel if given); failures are reported, never raised."""
    try:
        return _run(job, timeout, watches, warm)
    finally:
        if warm is not None:
            warm.discard()  # a no-op unless the run ended before papermill took the kernel


def _run(job: NotebookJob, timeout: float, watches: set | None, warm: WarmKernel | None) -> RunResult:
    started = time.monotonic()
    try:
        work = _work_dir(job)
    except OSError as error:
        return RunResult("failed", time.monotonic() - started, f"cannot create a work folder: {error}", 0)
    attempts = 0
    watch = KernelWatch()
    try:
        while True:
            attempts += 1
            handover = warm.handover() if warm is not None and attempts == 1 else None
            watch = warm.watch if handover else KernelWatch()
            if watches is not None:
                watches.add(watch)
            try:
                _execute(job, work, timeout, watch, handover)
                break
            except Exception as error:  # a unit's failure must never reach the other units
                if attempts <= STARTUP_RETRIES[kernel_transport()] and is_startup_failure(error, watch):
                    continue
                raise
            finally:
                if watches is not None:
                    watches.discard(watch)
        missing = [name for name in job.required if not (work / name).exists()]
        if missing:
            raise RuntimeError(f"the notebook ran but did not write {', '.join(missing)}")
        write_notebook_html(work / job.executed_name, work / job.html_name)
        _publish(job, work)
        if job.failed_dir.exists():
            shutil.rmtree(job.failed_dir, ignore_errors=True)
        return RunResult("ok", time.monotonic() - started, attempts=attempts)
    except Exception as error:
        status, message = describe_error(error, watch, timeout)
        _keep_failure(job, work, message, traceback.format_exc())
        return RunResult(status, time.monotonic() - started, message, attempts)
