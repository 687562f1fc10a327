"""Kernel hygiene of the served form: idle kernels are culled, a closed tab frees its kernel at once."""
from __future__ import annotations

import re
import time
import urllib.request
from pathlib import Path

import pytest

from browser import chromium, require_chromium, serving, workshop_command
from conftest import DATA
from test_workshop_load import kernels_under

require_chromium()
TOKEN = "culling-test-token"


def wait_for(condition, seconds: float) -> float:
    """Seconds until ``condition()`` held; fails after ``seconds``."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(0.25)
    pytest.fail(f"still not true after {seconds} s")


@pytest.mark.timeout(150)
def test_an_idle_kernel_without_a_tab_is_culled_an_open_tab_keeps_its_own_and_closing_a_tab_frees_it(
        tmp_path: Path) -> None:
    command = workshop_command("--unit", "Cull Unit", "--port", "0", "-q", str(DATA / "mini.yaml"),
                               "--answers", str(tmp_path / "answers.csv"), "--token", TOKEN, "--cull-idle", "4")
    log = tmp_path / "voila.log"
    with serving(command, f"/?token={TOKEN}", tmp_path, log) as (server, base):
        url = f"{base}/?token={TOKEN}"
        # The readiness probe itself rendered the page once: a kernel with no tab left behind.
        wait_for(lambda: not kernels_under(server.pid), 40)  # culled: 4 s idle, checked every 4 s
        with chromium() as browser:
            kept = browser.new_page()
            kept.set_default_timeout(60_000)
            kept.goto(url)
            kept.wait_for_selector(".pmo-question")
            open_tab = kernels_under(server.pid)
            assert len(open_tab) == 1
            with urllib.request.urlopen(url, timeout=60) as response:  # a page fetched and left: no tab
                assert response.status == 200
            assert len(kernels_under(server.pid)) == 2
            wait_for(lambda: kernels_under(server.pid) == open_tab, 40)
            time.sleep(6)  # well past the idle timeout: a connected tab's kernel is never culled
            assert kernels_under(server.pid) == open_tab
            closing = browser.new_page()
            closing.goto(url)
            closing.wait_for_selector(".pmo-question")
            closing_kernel = re.search(r'"kernelId": "([0-9a-f-]+)"', closing.content()).group(1)
            assert len(kernels_under(server.pid)) == 2
            closing.goto("about:blank")  # leaving the page (closing or reloading it) fires Voilà's unload call
            freed = wait_for(lambda: kernels_under(server.pid) == open_tab, 20)
            # shut down by the page's unload, not by the idle culler (which names each kernel it culls)
            assert f"Culling kernel {closing_kernel}" not in log.read_text()
            assert "Culling kernel" in log.read_text()  # the culler did name the kernels it culled earlier
            kept.close()
    print(f"closed tab's kernel freed in {freed:.1f} s")
