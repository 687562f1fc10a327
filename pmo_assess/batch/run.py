"""Execute one notebook with papermill, bounded in time, render its reports, and publish them only if all succeeded.

The kernel is a fresh one, a warm one handed over (the portfolio's), or one leased from a
:class:`~pmo_assess.batch.kernel_pool.KernelPool` and given back only if the unit went well. Where
the outputs are made and how they are published is :mod:`pmo_assess.batch.publish`. Each run
records how long its stages took (``profile``): the benchmark and the manifest show where time goes.
"""
from __future__ import annotations

import importlib
import resource
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pmo_assess.batch.kernels import (
    START_TIMEOUT,
    STARTUP_RETRIES,
    KernelWatch,
    WarmKernel,
    is_startup_failure,
    kernel_manager_class,
    kernel_transport,
)
from pmo_assess.batch.kernel_pool import REPORT_WARM_UP, KernelPool, PooledKernel, peak_memory_mb
from pmo_assess.batch.publish import keep_failure, make_work_dir, publish_outputs


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
    formats: tuple[str, ...] = ("html",)

    @property
    def report_stem(self) -> str:
        """The reports' file name without extension (``report`` → report.html, report.pdf, report.pptx)."""
        return Path(self.html_name).stem


@dataclass
class RunResult:
    """How a run ended: ``ok``, ``failed`` or ``timeout``; the error and the seconds it took."""

    status: str
    seconds: float
    error: str = ""
    attempts: int = 1
    profile: dict = field(default_factory=dict)
    kept: list = field(default_factory=list)  # a person's files carried over in the unit's folder

    @property
    def ok(self) -> bool:
        return self.status == "ok"


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
    if name == "ReportFormatError":
        return "failed", (f"the {getattr(error, 'format', '?')} report could not be made: "
                          f"{getattr(error, 'message', error)}")
    if watch.killed_for_timeout or (name in ("CellTimeoutError", "TimeoutError") and not watch.startup_failed):
        return "timeout", f"timed out after {timeout:g} s"
    if name == "DeadKernelError":
        return "failed", "the kernel died while running the notebook (killed or out of memory)"
    if name == "PapermillExecutionError":
        lines = [f"{error.ename}: {error.evalue}"] if hasattr(error, "ename") else [str(error)]
        return "failed", f"cell {getattr(error, 'exec_count', '?')} raised " + lines[0]
    return "failed", f"{name}: {error}"


#: Report formats rendered in a pooled unit's own kernel (CPU-heavy Python: in the batch process they would share
#: one GIL). The PDF is printed by this process's browser (one for the whole batch), while the kernel makes the deck.
IN_KERNEL_FORMATS = frozenset({"pptx"})


def warm_up_reports(formats: tuple[str, ...]) -> None:
    """In the background, load what this process needs to render ``formats`` and start its PDF browser (the
    portfolio's reports and every unit's PDF render here); a failure is left for the rendering to report."""
    def load() -> None:
        try:
            for module in dict.fromkeys(m for fmt in formats for m in REPORT_WARM_UP.get(fmt, ())):
                importlib.import_module(module)
            if "pdf" in formats:
                importlib.import_module("pmo_assess.report.pdf").start_printer()
            if "pptx" in formats:
                importlib.import_module("pmo_assess.report.deck").warm_up()
        except Exception:
            pass

    if {"pdf", "pptx"} & set(formats):
        threading.Thread(target=load, name="pmo-report-warm-up", daemon=True).start()


def begin_reports(job: NotebookJob, work: Path, formats: tuple[str, ...]) -> Callable[[], list[Path]]:
    """Start the job's report files in ``formats`` from the executed notebook in ``work`` (the PDF printing in the
    background); the call returned finishes them. ReportFormatError if one fails."""
    from pmo_assess.report.documents import begin_report_files

    return begin_report_files(work / job.executed_name, work, job.report_stem, formats)


def run_notebook_job(job: NotebookJob, timeout: float, watches: set | None = None,
                     warm: WarmKernel | None = None, pool: KernelPool | None = None) -> RunResult:
    """Run, render and publish one job (on ``warm``'s kernel, or one of ``pool``'s); failures are reported, never raised."""
    try:
        return _run(job, timeout, watches, warm, pool)
    finally:
        if warm is not None:
            warm.discard()  # a no-op unless the run ended before papermill took the kernel


def _lease(pool: KernelPool, work: Path, profile: dict) -> PooledKernel:
    started = time.monotonic()
    kernel = pool.lease(work)
    profile["kernel"] = round(time.monotonic() - started, 3)
    profile["reused"] = kernel.units > 0
    return kernel


def _run(job: NotebookJob, timeout: float, watches: set | None, warm: WarmKernel | None,
         pool: KernelPool | None) -> RunResult:
    started = time.monotonic()
    profile: dict = {}
    try:
        work = make_work_dir(job)
    except OSError as error:
        return RunResult("failed", time.monotonic() - started, f"cannot create a work folder: {error}", 0)
    attempts = 0
    watch = KernelWatch()
    leased: PooledKernel | None = None
    try:
        while True:
            attempts += 1
            handover = None
            if attempts == 1 and warm is not None:
                handover = warm.handover()
                watch = warm.watch if handover else KernelWatch()
            elif attempts == 1 and pool is not None:
                leased = _lease(pool, work, profile)
                handover, watch = leased.handover(), KernelWatch(manager=leased.manager)
            else:
                watch = KernelWatch()
            if watches is not None:
                watches.add(watch)
            try:
                began = time.monotonic()
                _execute(job, work, timeout, watch, handover)
                profile["notebook"] = round(time.monotonic() - began, 3)
                break
            except Exception as error:  # a unit's failure must never reach the other units
                if leased is not None:
                    pool.give_back(leased, sound=False)  # poisoned or killed: replaced, never reused
                    leased = None
                if attempts <= STARTUP_RETRIES[kernel_transport()] and is_startup_failure(error, watch):
                    continue
                raise
            finally:
                if watches is not None:
                    watches.discard(watch)
        missing = [name for name in job.required if not (work / name).exists()]
        if missing:
            raise RuntimeError(f"the notebook ran but did not write {', '.join(missing)}")
        began = time.monotonic()
        in_kernel = tuple(f for f in job.formats if f in IN_KERNEL_FORMATS) if leased is not None else ()
        finish = begin_reports(job, work, tuple(f for f in job.formats if f not in in_kernel))
        if in_kernel:  # the deck is made in the unit's own kernel process while the browser prints the PDF
            leased.render(work / job.executed_name, work, job.report_stem, in_kernel, timeout)
        if leased is not None:
            profile["kernel_peak_mb"], profile["kernel_pid"] = peak_memory_mb(leased.pid), leased.pid
            pool.give_back(leased, sound=True)
            leased = None
        finish()
        profile["report"] = round(time.monotonic() - began, 3)
        began = time.monotonic()
        kept = publish_outputs(job, work)
        profile["publish"] = round(time.monotonic() - began, 3)
        return RunResult("ok", time.monotonic() - started, attempts=attempts, profile=_with_memory(profile),
                         kept=kept)
    except Exception as error:
        if leased is not None:  # a report format failing (the deck's error caught in the kernel) leaves it sound
            pool.give_back(leased, sound=type(error).__name__ == "ReportFormatError")
        status, message = describe_error(error, watch, timeout)
        keep_failure(job, work, message, traceback.format_exc())
        return RunResult(status, time.monotonic() - started, message, attempts, _with_memory(profile))


def _with_memory(profile: dict) -> dict:
    """``profile`` plus this process's peak resident memory in MB (ru_maxrss is in KB on Linux)."""
    return {**profile, "process_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "worker": threading.current_thread().name}
