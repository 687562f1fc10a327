"""Run unit jobs as tasks on a Dask distributed cluster; their outputs come back and are published here.

``--scheduler ADDRESS`` connects to a running scheduler (``dask scheduler``, with ``dask worker``
processes); ``--scheduler local:N`` starts a LocalCluster of N worker processes on this machine.
Before anything runs the connection, at least one worker, and every worker's pmo-assess version are
checked (bad ones are exit 2). Each unit is one task (:mod:`pmo_assess.batch.task`); a task whose
worker is lost fails that unit only. dask is imported only here, so the CLI starts fast without it.
"""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd

from pmo_assess import __version__
from pmo_assess.batch.publish import ERROR_FILE, publish_received
from pmo_assess.batch.run import NotebookJob, RunResult
from pmo_assess.batch.summary import visible
from pmo_assess.batch.task import (
    close_worker_pool,
    pack_shared,
    pack_unit,
    prepare_worker,
    run_unit_task,
    worker_version,
)
from pmo_assess.errors import InputErrors, InputProblem

#: What to install when dask is missing (named in the message).
INSTALL = 'pip install -e ".[dask]"'
#: The error of a unit whose worker died or disconnected while it held the unit.
LOST = "the Dask worker running this unit was lost (killed, out of memory or disconnected); the next run redoes it"
#: Scheduler settings of a LocalCluster started with local:N: a lost worker fails the unit it held (the next
#: run redoes it) instead of rerunning it elsewhere, and a worker holds no more units than it runs at once.
LOCAL_CLUSTER_CONFIG = {"distributed.scheduler.allowed-failures": 0, "distributed.scheduler.worker-saturation": 1.0}
#: Exception names (distributed's) that mean the worker holding the task went away.
LOST_ERRORS = ("KilledWorker", "CommClosedError", "FutureCancelledError", "CancelledError")


def _problem(message: str) -> InputErrors:
    return InputErrors([InputProblem("command line", "--scheduler", message)])


@dataclass
class DaskCluster:
    """A client connected to a scheduler (and the LocalCluster behind it when this batch started one)."""

    client: Any
    local: Any = None

    @property
    def threads(self) -> int:
        """Units the cluster runs at once (worker threads)."""
        return max(sum(self.client.nthreads().values()), 1)

    def close(self) -> None:
        """Stop the workers' pooled kernels, then disconnect (and stop a LocalCluster this batch started)."""
        try:
            self.client.run(close_worker_pool)
        except Exception:  # workers already gone: their kernels end with them
            pass
        self.client.close()
        if self.local is not None:
            self.local.close()


def _local_cluster(spec: str) -> DaskCluster:
    import dask
    from distributed import Client, LocalCluster

    count = spec.split(":", 1)[1]
    if not count.isdigit() or int(count) < 1:
        raise _problem(f"{spec!r}: write local:N with N, the number of worker processes, 1 or more")
    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        local = LocalCluster(n_workers=int(count), threads_per_worker=1, processes=True, dashboard_address=None,
                             silence_logs=logging.ERROR)
    return DaskCluster(Client(local), local)


def connect(scheduler: str, timeout: float) -> DaskCluster:
    """A client for ``scheduler`` with at least one worker of this pmo-assess version; InputErrors (exit 2) if not."""
    try:
        import distributed
    except ImportError:
        raise _problem(f"running on a Dask cluster needs dask and distributed: {INSTALL} "
                       "(or pip install \"pmo-assess[dask]\")") from None
    if scheduler.startswith("local:"):
        cluster = _local_cluster(scheduler)
    else:
        try:
            cluster = DaskCluster(distributed.Client(scheduler, timeout=timeout))
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise _problem(f"cannot reach the Dask scheduler at {scheduler!r} within {timeout:g} s ({exc}); "
                           "check the address and that `dask scheduler` is running there") from None
    try:
        cluster.client.wait_for_workers(1, timeout=timeout)
        check_versions(cluster.client)
    except (TimeoutError, InputErrors) as exc:
        cluster.close()
        if isinstance(exc, InputErrors):
            raise
        raise _problem(f"the scheduler at {scheduler!r} has no workers; start some with `dask worker "
                       f"{scheduler}`") from None
    return cluster


def check_versions(client: Any) -> None:
    """InputErrors naming every worker whose pmo-assess version differs from this machine's (or that has none)."""
    try:
        versions = client.run(worker_version)
    except Exception as exc:
        raise _problem(f"a worker cannot run pmo-assess ({type(exc).__name__}: {exc}); install pmo-assess "
                       f"{__version__} (with its [dask] extra) on every worker") from None
    problems = [InputProblem("--scheduler", f"worker {address}", f"runs pmo-assess {version}, but this machine runs "
                             f"pmo-assess {__version__}; install the same version on every worker")
                for address, version in sorted(versions.items()) if version != __version__]
    if problems:
        raise InputErrors(problems)


def _collect(job: NotebookJob, future: Any, submitted: float) -> RunResult:
    """The unit's result from its finished task, its outputs published here (or kept in failed/)."""
    try:
        outcome = future.result()
    except Exception as error:
        name = type(error).__name__
        message = LOST if name in LOST_ERRORS else f"the task failed on its worker: {name}: {error}"
        result = RunResult("failed", time.monotonic() - submitted, message, 1)
        publish_received(job, {ERROR_FILE: f"{visible(job.name)}: {message}\n".encode("utf-8")}, ok=False)
        return result
    result = outcome.result
    try:
        result.kept = publish_received(job, outcome.ok_files if result.ok else outcome.failed_files, ok=result.ok)
    except OSError as error:
        return RunResult("failed", result.seconds, f"the unit's outputs could not be written here: {error}",
                         result.attempts, result.profile)
    return result


def run_dask(cluster: DaskCluster, jobs: list[tuple[NotebookJob, pd.DataFrame]], timeout: float,
             reuse_kernels: bool, shared_inputs: bool, on_result: Callable[[NotebookJob, RunResult], None],
             when_last_started: Callable[[], None]) -> None:
    """Submit one task per unit; ``on_result`` is called in this thread as each ends (outputs already published).

    Inputs travel with the tasks (files every unit shares once per worker) unless ``shared_inputs``."""
    from distributed import as_completed

    if not jobs:
        return
    client = cluster.client
    first = jobs[0][0]
    client.run(prepare_worker, reuse_kernels, cluster.local is not None, first.formats)  # warms up meanwhile
    shared = client.scatter(pack_shared(first.notebook, first.parameters, shared_inputs), broadcast=True)
    futures = {client.submit(run_unit_task, pack_unit(job, rows, timeout, reuse_kernels, shared_inputs), shared,
                             key=f"pmo-assess-unit-{uuid.uuid4().hex}", pure=False, retries=0): job
               for job, rows in jobs}
    submitted, threads, finished = time.monotonic(), cluster.threads, 0
    if len(jobs) < threads:
        when_last_started()
    try:
        for future in as_completed(futures):
            finished += 1
            on_result(futures[future], _collect(futures[future], future, submitted))
            if len(jobs) - finished == threads - 1:
                when_last_started()
    except BaseException:
        client.cancel(list(futures))
        raise
