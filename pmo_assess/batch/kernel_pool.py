"""Kernels reused across units: started and warmed once per worker, reset to a fresh namespace per unit.

Starting a kernel and importing pandas, matplotlib and the report modules costs more than most units'
own work. A :class:`KernelPool` keeps one running kernel per worker and hands it to each unit after
:data:`RESET_CODE` has run in it: the working folder becomes the unit's, open figures are closed, and
IPython's user namespace, input/output history and execution counter start afresh (imported
modules stay imported: that is the saving). A kernel whose unit failed in any way, that outlived its
time, whose reset did not answer, or that has served :data:`MAX_UNITS_PER_KERNEL` units is shut
down and replaced, never reused. Only notebooks known not to change process-wide state (the bundled
one) should run on pooled kernels; the pipeline decides.
"""
from __future__ import annotations

import ast
import asyncio
import threading
from pathlib import Path

from pmo_assess.batch.kernels import START_TIMEOUT, KernelWatch, PrivateKernelManager, kernel_manager_class

#: Units one kernel serves before it is replaced (bounds what a slow leak can accumulate).
MAX_UNITS_PER_KERNEL = 50
#: Seconds the reset before a unit may take before the kernel counts as stuck.
RESET_TIMEOUT = 30
#: What a pooled kernel imports once, when it starts (the bundled unit notebook's heavy imports).
UNIT_WARM_UP = ("pandas", "matplotlib.pyplot", "pmo_assess.report.unit", "pmo_assess.report.tables",
                "pmo_assess.report.display", "pmo_assess.charts.heatmap", "pmo_assess.charts.radar")
#: Imported too when a batch's reports include these formats (a pooled kernel makes the deck; the batch process
#: itself, which prints the PDFs and renders the portfolio's reports, loads them all).
REPORT_WARM_UP = {"pdf": ("pmo_assess.report.documents", "nbformat", "pmo_assess.report.pdf", "pypdf"),
                  "pptx": ("pmo_assess.report.documents", "nbformat", "pmo_assess.report.deck", "pptx")}
#: Run first when a batch's reports include PPTX (see pmo_assess.io.notebook_schema).
SKIP_IRI_GRAMMAR = '__import__("pmo_assess.io.notebook_schema", fromlist=["skip_iri_grammar"]).skip_iri_grammar()\n'
#: Run too when a batch's reports include PPTX: what the kernel's first deck would pay for (the default template
#: parsed, matplotlib's fonts and PNG writer loaded); a failure here is left for the deck itself to report.
DECK_WARM_UP = """\
try:
    __import__("pmo_assess.report.deck", fromlist=["warm_up"]).warm_up()
except Exception:
    pass
"""
#: Run once after the warm-up imports: what is loaded now is never garbage, so the collections that IPython's
#: reset (and Python) run later skip it (a full collection over pandas and matplotlib costs about 0.2 s).
FREEZE_CODE = '__import__("gc").collect()\n__import__("gc").freeze()\n'
#: Run silently in a pooled kernel after its unit's notebook: the unit's report files. A failure is caught in the
#: kernel (no traceback on the batch's terminal) and read back from ``_pmo_render_error`` (wiped by the next reset).
RENDER_CODE = """\
_pmo_render_error = None
try:
    __import__("pmo_assess.report.documents", fromlist=["write_report_files"]).write_report_files(
        __import__("pathlib").Path({notebook!r}), __import__("pathlib").Path({folder!r}), {stem!r}, {formats!r})
except Exception as error:
    _pmo_render_error = (type(error).__name__, getattr(error, "format", ""), getattr(error, "message", str(error)))
"""
#: Run silently in a pooled kernel before each unit: the unit's folder, no figures, an empty namespace.
RESET_CODE = """\
__import__("os").chdir({cwd!r})
if "matplotlib.pyplot" in __import__("sys").modules:
    __import__("sys").modules["matplotlib.pyplot"].close("all")
get_ipython().reset(new_session=True)
get_ipython().execution_count = 1
"""


def unit_warm_up(formats: tuple[str, ...] = ("html",)) -> str:
    """The code a pooled kernel runs once when it starts: the imports its units' notebook and deck need."""
    modules = dict.fromkeys(UNIT_WARM_UP)
    if "pptx" in formats:
        modules.update(dict.fromkeys(REPORT_WARM_UP["pptx"]))
    imports = "".join(f"__import__({module!r})\n" for module in modules)
    # the deck reads the executed notebook with nbformat: its validation without the ~2 s IRI grammar
    schema = SKIP_IRI_GRAMMAR if "pptx" in formats else ""
    return schema + imports + (DECK_WARM_UP if "pptx" in formats else "") + FREEZE_CODE


class ReusableKernelManager(PrivateKernelManager):
    """A private kernel manager whose kernel survives nbclient's end-of-notebook shutdown while ``keep_alive``."""

    keep_alive = True

    async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        if not self.keep_alive:
            await super().shutdown_kernel(now=now, restart=restart)

    async def cleanup_resources(self, restart: bool = False) -> None:
        if not self.keep_alive:
            await super().cleanup_resources(restart=restart)

    def remove_private_dir(self) -> None:
        if not self.keep_alive:
            super().remove_private_dir()


def peak_memory_mb(pid: int | None) -> float | None:
    """A process's peak resident memory (VmHWM) in MB, read from /proc; None where that cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, TypeError):
        pass
    return None


class PooledKernel:
    """One running kernel of a pool, with the count of units it has served."""

    def __init__(self, warm_up: str) -> None:
        self.manager = kernel_manager_class(KernelWatch(), ReusableKernelManager)(kernel_name="python3")
        self.units = 0
        self.client = None
        try:
            asyncio.run(self.manager.start_kernel(cwd=self.manager.private_dir))
            self.client = self.manager.blocking_client()
            self.client.start_channels()
            self.client.wait_for_ready(timeout=START_TIMEOUT)
            self._execute(warm_up, START_TIMEOUT)
        except BaseException:
            self.shut_down()
            raise

    def _execute(self, code: str, timeout: float) -> None:
        """Run ``code`` silently (no history, no execution count); raises if it fails or does not answer in time."""
        reply = self.client.execute_interactive(code, silent=True, store_history=False, timeout=timeout)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}")

    @property
    def pid(self) -> int | None:
        return getattr(self.manager.provisioner, "pid", None)

    def is_alive(self) -> bool:
        """Is the kernel process still running (a killed one is reaped here)?"""
        try:
            return self.manager.has_kernel and bool(asyncio.run(self.manager.is_alive()))
        except Exception:
            return False

    def reset(self, cwd: Path) -> None:
        """Give the kernel a fresh namespace and ``cwd`` for the next unit; raises if it does not answer in time."""
        self._execute(RESET_CODE.format(cwd=str(cwd)), RESET_TIMEOUT)

    def render(self, notebook: Path, folder: Path, stem: str, formats: tuple[str, ...], timeout: float) -> None:
        """Render a unit's reports (its deck) in this kernel: its own process, so units' decks are made in parallel.

        A format that fails raises :class:`~pmo_assess.report.format_error.ReportFormatError` here as in the kernel."""
        code = RENDER_CODE.format(notebook=str(notebook), folder=str(folder), stem=stem, formats=tuple(formats))
        reply = self.client.execute_interactive(code, silent=True, store_history=False, timeout=timeout,
                                                user_expressions={"error": "_pmo_render_error"})
        content = reply["content"]
        found = content.get("user_expressions", {}).get("error", {})
        if content["status"] != "ok" or found.get("status") != "ok":
            raise RuntimeError(f"the reports could not be rendered: {content.get('ename')}: {content.get('evalue')}")
        error = ast.literal_eval(found["data"]["text/plain"])
        if error is not None:
            name, what, message = error
            if name != "ReportFormatError":
                raise RuntimeError(f"{name}: {message}")
            from pmo_assess.report.format_error import ReportFormatError

            raise ReportFormatError(what, message)

    def handover(self) -> type:
        """A manager class whose every 'new' instance is this kernel's manager (nbclient creates it itself)."""
        manager = self.manager
        return type("PooledKernelManager", (type(manager),), {"__new__": lambda cls, *args, **kwargs: manager})

    def shut_down(self) -> None:
        """Stop the kernel now and delete its sockets."""
        self.manager.keep_alive = False
        if self.client is not None:
            self.client.stop_channels()
        try:
            if self.manager.has_kernel:
                _run_apart(lambda: asyncio.run(self.manager.shutdown_kernel(now=True)))
        except Exception:  # already gone: make sure nothing is left running
            KernelWatch(manager=self.manager).kill()
        self.manager.remove_private_dir()


def _run_apart(call) -> None:
    """Run ``call`` here, or in a thread of its own when this thread already runs an event loop (a Dask worker's)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        call()
        return
    failure: list[BaseException] = []

    def target() -> None:
        try:
            call()
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=target, name="pmo-kernel-shutdown")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


class KernelPool:
    """Running kernels shared by one worker's threads: a unit leases one, and gives it back if it is still sound.

    With ``max_kernels`` no more kernels than that run at once: a lease waits for one to be given back, so a batch
    can keep one more unit in flight than it has kernels (that unit's kernel-free work overlaps the others')."""

    def __init__(self, warm_up: str | None = None, max_units: int = MAX_UNITS_PER_KERNEL,
                 max_kernels: int | None = None) -> None:
        self.warm_up, self.max_units, self.max_kernels = (unit_warm_up() if warm_up is None else warm_up,
                                                          max_units, max_kernels)
        self._idle: list[PooledKernel] = []
        self._starting: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._freed = threading.Condition(self._lock)
        self._kernels = 0  # started or starting, not yet shut down
        self._closed = False

    def _full(self) -> bool:
        return self.max_kernels is not None and self._kernels >= self.max_kernels

    def _retire(self, kernel: PooledKernel) -> None:
        """Shut a kernel down and free its place (freed even if the shutdown fails)."""
        try:
            kernel.shut_down()
        finally:
            with self._freed:
                self._kernels -= 1
                self._freed.notify_all()

    def start_ahead(self) -> None:
        """Start one kernel in the background, so that the next lease finds it warm."""
        def start() -> None:
            try:
                kernel = PooledKernel(self.warm_up)
            except Exception:  # the lease then starts its own, and reports a failure there
                with self._freed:
                    self._kernels -= 1
                    self._freed.notify_all()
                return
            with self._freed:
                closed = self._closed
                if not closed:
                    self._idle.append(kernel)
                    self._freed.notify_all()
            if closed:
                self._retire(kernel)

        with self._lock:
            if self._full():
                return
            self._kernels += 1
            thread = threading.Thread(target=start, name="pmo-kernel-ahead", daemon=True)
            self._starting.append(thread)
        thread.start()

    def lease(self, cwd: Path) -> PooledKernel:
        """A kernel reset for a unit working in ``cwd``: an idle one, or a new one (started and warmed here), once
        there is room for it."""
        with self._lock:
            starting, self._starting = self._starting, []
        for thread in starting:
            thread.join()
        while True:
            with self._freed:
                while not self._idle and self._full() and not self._closed:
                    self._freed.wait()
                if self._closed:  # the batch stopped (Ctrl-C): no unit starts after that
                    raise RuntimeError("the batch was stopped before this unit started")
                kernel = self._idle.pop() if self._idle else None
                if kernel is None:
                    self._kernels += 1
            if kernel is None:
                try:
                    kernel = PooledKernel(self.warm_up)
                except BaseException:
                    with self._freed:
                        self._kernels -= 1
                        self._freed.notify_all()
                    raise
            try:
                kernel.reset(cwd)
                return kernel
            except Exception:  # a kernel that cannot even reset is poisoned: replace it
                self._retire(kernel)
                if kernel.units == 0:
                    raise

    def give_back(self, kernel: PooledKernel, sound: bool) -> None:
        """Return a kernel after a unit: kept if the unit went well and it has served fewer than ``max_units``."""
        kernel.units += 1
        alive = kernel.is_alive()
        with self._freed:
            if sound and alive and kernel.units < self.max_units and not self._closed:
                self._idle.append(kernel)
                self._freed.notify_all()
                return
        self._retire(kernel)

    def close(self) -> None:
        """Shut down every idle kernel; kernels still leased are shut down when given back."""
        with self._freed:
            self._closed = True
            idle, self._idle = self._idle, []
            self._freed.notify_all()  # a lease waiting for room gives up
        for kernel in idle:
            self._retire(kernel)
