"""Kernel start-up that is safe when many kernels start at once.

Each kernel talks over IPC (Unix domain sockets) in its own private temp folder, so parallel
start-ups never race for TCP ports and no other local user can connect. Where IPC is unavailable
(Windows), or when ``PMO_ASSESS_KERNEL_TRANSPORT=tcp`` asks for it, kernels use TCP on 127.0.0.1
instead (connection file still in the private folder); two kernels can then pick the same port, so
a start-up that fails that way ("Address already in use", "Kernel died before replying") is retried
on fresh ports. The manager class is made per run (:func:`kernel_manager_class`) so the run can see
its kernel's process and kill it on timeout.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import tempfile
import threading
from dataclasses import dataclass, field
from typing import Any

from jupyter_client.manager import AsyncKernelManager

#: Seconds a kernel gets to start and answer before start-up counts as failed.
START_TIMEOUT = 60
#: Messages with which jupyter_client/nbclient report a kernel that never became ready (a TCP kernel
#: whose port another process took dies with "Address already in use" before replying).
STARTUP_FAILURES = ("Kernel died before replying to kernel_info", "Kernel didn't respond in", "Address already in use")
#: Environment variable forcing the kernels' transport: ``ipc`` or ``tcp`` (default: ipc, tcp on Windows).
TRANSPORT_VARIABLE = "PMO_ASSESS_KERNEL_TRANSPORT"
#: Start-ups retried after a start-up failure, per transport: TCP ports can collide more than once under load.
STARTUP_RETRIES = {"ipc": 1, "tcp": 3}
#: Signal that stops a kernel at once (Windows has no SIGKILL; os.kill with SIGTERM terminates the process there).
KILL_SIGNAL = getattr(signal, "SIGKILL", signal.SIGTERM)


def kernel_transport() -> str:
    """``ipc`` where Unix domain sockets exist; ``tcp`` on Windows, or when ``PMO_ASSESS_KERNEL_TRANSPORT`` says so."""
    forced = os.environ.get(TRANSPORT_VARIABLE, "").strip().lower()
    if forced in ("ipc", "tcp"):
        return "tcp" if os.name == "nt" else forced
    return "tcp" if os.name == "nt" or not hasattr(socket, "AF_UNIX") else "ipc"


@dataclass(eq=False)  # compared and hashed by identity: runs keep them in a set
class KernelWatch:
    """What a run knows about its kernel: its manager once created, whether start-up failed, if it was killed."""

    manager: AsyncKernelManager | None = None
    startup_failed: bool = False
    killed_for_timeout: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def kill(self, for_timeout: bool = False) -> bool:
        """Kill the kernel process now (SIGKILL); True if there was one to kill."""
        with self.lock:
            provisioner = getattr(self.manager, "provisioner", None)
            pid = getattr(provisioner, "pid", None)
            if pid is None:
                return False
            self.killed_for_timeout = self.killed_for_timeout or for_timeout
            try:
                os.kill(pid, KILL_SIGNAL)
            except ProcessLookupError:
                return False
            return True


class PrivateKernelManager(AsyncKernelManager):
    """An AsyncKernelManager with its connection file (and IPC sockets, or TCP on 127.0.0.1) in its own temp folder."""

    watch: KernelWatch | None = None

    def __init__(self, **kwargs: Any) -> None:
        self.private_dir = tempfile.mkdtemp(prefix="pmo-kernel-")
        transport = kernel_transport()
        kwargs.setdefault("transport", transport)
        kwargs.setdefault("ip", os.path.join(self.private_dir, "k") if transport == "ipc" else "127.0.0.1")
        kwargs.setdefault("connection_file", os.path.join(self.private_dir, "connection.json"))
        super().__init__(**kwargs)
        if self.watch is not None:
            self.watch.manager = self

    async def _async_start_kernel(self, **kwargs: Any) -> None:
        try:
            await super()._async_start_kernel(**kwargs)
        except BaseException:
            if self.watch is not None:
                self.watch.startup_failed = True
            raise

    def remove_private_dir(self) -> None:
        """Delete the sockets and connection file (after the kernel has stopped)."""
        shutil.rmtree(self.private_dir, ignore_errors=True)


def kernel_manager_class(watch: KernelWatch, base: type[PrivateKernelManager] = PrivateKernelManager
                         ) -> type[PrivateKernelManager]:
    """A manager class (``base`` or a subclass) bound to one run's :class:`KernelWatch` (nbclient instantiates it)."""
    return type("UnitKernelManager", (base,), {"watch": watch})


def is_startup_failure(error: BaseException, watch: KernelWatch) -> bool:
    """Did the kernel fail to start (worth one retry), rather than fail while running the notebook?"""
    return watch.startup_failed or any(text in str(error) for text in STARTUP_FAILURES)


class WarmKernel:
    """A kernel started ahead of its notebook, with the heavy imports done, then handed to papermill.

    Used for the portfolio, which must wait for every unit: started when the last units are running,
    its start-up overlaps them instead of adding to the batch's wall time. The warm-up imports modules
    without binding any name, silently and without history, so the notebook starts from a clean
    namespace at execution count 1. If it fails to start, the notebook simply gets a fresh kernel.
    """

    def __init__(self, modules: tuple[str, ...]) -> None:
        self.watch = KernelWatch()
        self.manager = kernel_manager_class(self.watch)(kernel_name="python3")
        self.failure: BaseException | None = None
        imports = "\n".join(f"__import__({module!r})" for module in modules)
        self._thread = threading.Thread(target=self._start, args=(imports,), name="pmo-warm-kernel", daemon=True)
        self._thread.start()

    def _start(self, imports: str) -> None:
        try:
            asyncio.run(self._warm(imports))
        except Exception as error:  # the notebook then starts its own kernel
            self.failure = error

    async def _warm(self, imports: str) -> None:
        await self.manager.start_kernel(cwd=self.manager.private_dir)
        client = self.manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=START_TIMEOUT)
            reply = await client.execute_interactive(imports, silent=True, store_history=False,
                                                     timeout=START_TIMEOUT)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"warm-up imports failed: {reply['content'].get('evalue')}")
        finally:
            client.stop_channels()

    def handover(self) -> type[PrivateKernelManager] | None:
        """A manager class whose every 'new' instance is this running kernel; None if it did not start."""
        self._thread.join()
        if self.failure is not None or not self.manager.has_kernel:
            self.discard()
            return None
        manager = self.manager
        return type("WarmKernelManager", (type(manager),), {"__new__": lambda cls, *args, **kwargs: manager})

    def discard(self) -> None:
        """Stop the kernel (if it is running) and delete its sockets: it will not be used."""
        self._thread.join()
        if self.manager.has_kernel:
            try:
                asyncio.run(self.manager.shutdown_kernel(now=True))
            except Exception:  # already gone: nothing left to stop
                self.watch.kill()
        self.manager.remove_private_dir()
