"""Run unit jobs on this machine: one thread per worker, each unit in its own kernel process.

Given a :class:`~pmo_assess.batch.kernel_pool.KernelPool` (the caller's: the portfolio runs on it after the
units) the workers share it (one warmed kernel per worker, reset between units); otherwise every unit starts
a fresh kernel.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Callable

from pmo_assess.batch.kernel_pool import KernelPool
from pmo_assess.batch.run import NotebookJob, RunResult, run_notebook_job


def run_local(jobs: list[NotebookJob], workers: int, timeout: float, pool: KernelPool | None,
              on_result: Callable[[NotebookJob, RunResult], None], when_last_started: Callable[[], None]) -> None:
    """Run ``jobs`` ``workers`` at a time; ``on_result`` is called in this thread as each ends.

    ``when_last_started`` is called when every remaining job has a worker, i.e. when a core is about to
    fall idle (possibly more than once: it must be idempotent). Ctrl-C kills every running kernel."""
    watches: set = set()
    # on a pool of ``workers`` kernels, one more unit than kernels is in flight: while a unit's PDF prints and its
    # files are published, its kernel already runs the next unit
    threads = workers + 1 if pool is not None and pool.max_kernels == workers else workers
    executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="pmo-unit")
    try:
        futures = {executor.submit(run_notebook_job, job, timeout, watches, None, pool): job for job in jobs}
        if 0 < len(jobs) < workers:
            when_last_started()
        finished = 0
        for future in as_completed(futures):
            finished += 1
            on_result(futures[future], future.result())
            if len(jobs) - finished == workers - 1:
                when_last_started()
    except BaseException:
        if pool is not None:
            pool.close()  # no unit starts after this, not even one waiting for a kernel
        for watch in list(watches):
            watch.kill()
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown()
