"""The served workshop page does not grow its server, and the server does not outlive ``pmo-assess workshop``.

A page closed without unloading (a crashed browser, a phone gone to sleep) keeps its kernel until the
culler ends it; that kernel must stop sending to the page that is gone (which the server would hold
for it) and the server's memory must stay flat. Killing the workshop command, even with SIGKILL, must
take its Voilà server and kernels with it.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import time
import uuid
from pathlib import Path

import pytest

from browser import PROJECTOR, chromium, kernel_pids, require_chromium, served_base, start_server, stop, \
    wait_until_serving, workshop_command
from conftest import DATA
from pmo_assess.workshop.page import LISTEN_SECONDS

require_chromium()
pytestmark = pytest.mark.timeout(120)
TOKEN = "lifetime-test-token"


def voila_pid(server: object) -> int:
    """The Voilà process started by the workshop command."""
    for entry in Path("/proc").iterdir():
        try:
            if (entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == server.pid
                    and b"voila" in (entry / "cmdline").read_bytes()):
                return int(entry.name)
        except (OSError, ValueError, IndexError):
            continue
    pytest.fail("no Voilà process under the workshop command")


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+)", status, flags=re.M).group(1)) / 1024


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def widget_updates(port: int, kernel_id: str, seconds: float) -> int:
    """How many widget updates the kernel sends to a client listening on its channels for ``seconds``."""
    from tornado.websocket import websocket_connect

    async def listen() -> int:
        url = f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}&token={TOKEN}"
        connection = await websocket_connect(url)
        updates, deadline = 0, time.monotonic() + seconds
        try:
            while (left := deadline - time.monotonic()) > 0:
                try:
                    raw = await asyncio.wait_for(connection.read_message(), left)
                except asyncio.TimeoutError:
                    break
                if isinstance(raw, str):
                    message = json.loads(raw)
                    updates += (message["header"]["msg_type"] == "comm_msg"
                                and message["content"]["data"].get("method") in ("update", "echo_update"))
        finally:
            connection.close()
        return updates

    return asyncio.run(listen())


def test_a_page_closed_without_unloading_leaves_the_server_flat_and_its_kernel_quiet(tmp_path: Path) -> None:
    log = tmp_path / "workshop.log"
    server = start_server(workshop_command("--unit", "Memory Unit", "--port", "0", "--questionnaire",
                                           str(DATA / "mini.yaml"), "--answers", str(tmp_path / "answers.csv"),
                                           "--token", TOKEN), tmp_path, log)
    try:
        base = served_base(server, log)  # the port the server bound (it was started on port 0)
        port, url = int(base.rsplit(":", 1)[1]), f"{base}/?token={TOKEN}"
        wait_until_serving(url, server, log)
        voila = voila_pid(server)
        with chromium() as browser:
            page = browser.new_page(viewport=PROJECTOR)
            page.set_default_timeout(60_000)
            page.goto(url)
            page.wait_for_selector(".pmo-question")
            kernel_id = re.search(r'"kernelId": "([0-9a-f-]+)"', page.content()).group(1)
            first = page.inner_text(".pmo-heartbeat .pmo-beat")
            page.wait_for_timeout(3000)  # long enough for the page to ping its kernel
            assert int(page.inner_text(".pmo-heartbeat .pmo-beat")) > int(first or 0)  # it ticks while the page is on
            # the browser goes away without unloading the page: its kernel stays until culled
        before = rss_mb(voila)
        samples = []
        for _ in range(int(LISTEN_SECONDS) + 4):
            time.sleep(1)
            samples.append(rss_mb(voila))
        assert max(samples) - before < 50, f"the server grew from {before:.0f} MB: {samples}"
        assert widget_updates(port, kernel_id, 3) == 0  # the page is gone: nothing more is sent for it
        assert alive(voila)
    finally:
        stop(server)
    assert "Discarding" not in log.read_text() or int(re.search(r"Discarding (\d+) buffered",
                                                               log.read_text()).group(1)) <= 4 * (LISTEN_SECONDS + 4)


def test_killing_the_workshop_command_stops_its_voila_server_and_kernels(tmp_path: Path) -> None:
    log = tmp_path / "workshop.log"
    server = start_server(workshop_command("--unit", "Orphan Unit", "--port", "0", "--questionnaire",
                                           str(DATA / "mini.yaml"), "--answers", str(tmp_path / "answers.csv"),
                                           "--token", TOKEN), tmp_path, log)
    try:
        wait_until_serving(f"{served_base(server, log)}/?token={TOKEN}", server, log)  # rendering started a kernel
        voila, kernels = voila_pid(server), kernel_pids(server)
        assert kernels
        os.kill(server.pid, signal.SIGKILL)  # no handler runs: only the operating system cleans up
        server.wait(timeout=10)
        deadline = time.monotonic() + 15
        while any(alive(pid) for pid in (voila, *kernels)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not alive(voila), f"Voilà outlived the killed workshop command:\n{log.read_text()}"
        assert not any(alive(pid) for pid in kernels), "a kernel outlived the killed workshop command"
    finally:
        stop(server)
    assert "the workshop command ended: stopping this server" in log.read_text()
