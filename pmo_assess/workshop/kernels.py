"""The kernel manager of the served form: a page's kernel ends once no browser has been on it for a while.

jupyter_server culls kernels by *activity*, but the form's heartbeat (see :mod:`.page`) keeps every
kernel active as long as it lives, so activity never stops. What tells a left page from a quiet one
is the browser's websocket: this manager culls a kernel that has had no connection (and is not
busy rendering) for ``cull_idle_timeout`` seconds, checked every ``cull_interval`` seconds. A tab
that is closed normally shuts its kernel down at once (Voilà's page-unload call); this catches the
rest: a phone gone to sleep, a crashed browser, a page fetched and never opened.
"""
from __future__ import annotations

import time
from collections import deque

from jupyter_core.utils import ensure_async
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager


#: At most this many messages are held for a page whose connection dropped (its return replays them).
BUFFER_MESSAGES = 2000


class RoomKernelManager(AsyncMappingKernelManager):
    """Culls kernels no browser has been connected to for ``cull_idle_timeout`` seconds."""

    def __init__(self, **kwargs: object):
        super().__init__(**kwargs)
        self._alone_since: dict[str, float] = {}

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """Shut the kernel down when it is dead, or has been without a browser for the idle timeout."""
        kernel = self._kernels[kernel_id]
        state = getattr(kernel, "execution_state", None)
        if state == "dead" or (self._kernel_connections.get(kernel_id, 0) == 0 and state != "busy"
                               and self._alone_for(kernel_id) >= self.cull_idle_timeout):
            self.log.warning("Culling kernel %s: no browser connected for %d s", kernel_id, self._alone_for(kernel_id))
            self._alone_since.pop(kernel_id, None)
            await ensure_async(self.shutdown_kernel(kernel_id))
        elif self._kernel_connections.get(kernel_id, 0) or state == "busy":
            self._alone_since.pop(kernel_id, None)
        else:
            self._alone_since.setdefault(kernel_id, time.monotonic())

    def start_buffering(self, kernel_id: str, session_key: str, channels: dict) -> None:
        """Hold a left page's messages for its return as jupyter_server does, but only the last BUFFER_MESSAGES.

        jupyter_server keeps them in a list without limit until the page comes back or the kernel ends; a
        kernel that keeps talking to a page that is gone would grow the server by that much forever.
        """
        super().start_buffering(kernel_id, session_key, channels)
        info = self._kernel_buffers.get(kernel_id, {})
        if isinstance(info.get("buffer"), list):
            info["buffer"] = deque(info["buffer"], maxlen=BUFFER_MESSAGES)

    def _alone_for(self, kernel_id: str) -> float:
        """Seconds since the kernel was first seen without a browser (0 the first time)."""
        return time.monotonic() - self._alone_since.get(kernel_id, time.monotonic())
