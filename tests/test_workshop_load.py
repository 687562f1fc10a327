"""A room's worth of load: 25 invited respondents answer at once through one real ``pmo-assess workshop``.

How it is driven (no browser per respondent: 25 chromium pages would measure the test machine's
rendering, not the workshop). Each simulated respondent does what their browser does over the
wire: GET their personal link (Voilà starts their kernel and runs the form), open the kernel's
websocket, fetch the widgets' state from the page's root widget down (``request_state``), then answer by
sending the same widget messages a click sends (RadioButtons ``index`` update, Next button
``click``). "Saved" is the form's save acknowledgement (the ``pmo-ack`` widget, which the page
script uses to show what reached the disk), so click → saved is measured exactly as a page
would see it. Memory per respondent is the RSS and PSS of each kernel process.
"""
from __future__ import annotations

import asyncio
import csv
import html
import json
import random
import statistics
import struct
import time
import uuid
from pathlib import Path

import pytest
import yaml

from browser import served_base, start_server, stop, workshop_command
from conftest import BANK

RESPONDENTS = 25
ANSWERS_EACH = 5
UNIT = "Load Unit"


def message(session: str, msg_type: str, content: dict) -> dict:
    """A Jupyter message as a browser sends it over the kernel websocket (JSON protocol)."""
    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": session, "username": "load",
              "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "version": "5.3"}
    return {"header": header, "parent_header": {}, "metadata": {}, "content": content,
            "channel": "shell", "buffers": []}


class Respondent:
    """One invited respondent's page, driven over HTTP and the kernel websocket."""

    def __init__(self, base: str, server_token: str, token: str):
        self.url = f"{base}/?token={server_token}&invite={token}"
        self.base, self.server_token = base, server_token
        self.session = uuid.uuid4().hex
        self.states: dict[str, dict] = {}
        self.acks: asyncio.Queue = asyncio.Queue()
        self.latencies: list[float] = []
        self.burst: list[float] = []
        self.failures: list[str] = []

    async def open(self) -> None:
        """Load the page (Voilà runs the form in a new kernel) and fetch every widget's state."""
        from tornado.httpclient import AsyncHTTPClient
        from tornado.websocket import websocket_connect

        page = await AsyncHTTPClient(max_clients=RESPONDENTS).fetch(self.url, connect_timeout=120,
                                                                    request_timeout=120)
        text = page.body.decode()
        assert '"kernelId": "' in text, f"no form on the page: {text[:2000]}"
        kernel = text.split('"kernelId": "', 1)[1].split('"', 1)[0]
        ws_url = (self.base.replace("http", "ws", 1) + f"/api/kernels/{kernel}/channels"
                  f"?session_id={self.session}&token={self.server_token}")
        self.ws = await websocket_connect(ws_url)
        self.reader = asyncio.ensure_future(self._read())
        assert '"model_id": "' in text, "the page shows no form (did the form's cell fail or time out?)"
        root = text.split('"model_id": "', 1)[1].split('"', 1)[0]
        await self._walk([root])

    async def _walk(self, pending: list[str]) -> None:
        """Fetch widget states from the page's root down its children, as a page does, until the form's parts."""
        needed = ("pmo-ack", "pmo-next", "pmo-answer-choices")
        asked: set[str] = set()
        deadline = time.monotonic() + 90
        while not all(self.model(css) for css in needed):
            assert time.monotonic() < deadline, f"the form's widgets did not arrive ({len(self.states)} states)"
            for comm in [c for c in pending if c not in asked]:
                asked.add(comm)
                await self._send("comm_msg", {"comm_id": comm, "data": {"method": "request_state"}})
            await asyncio.sleep(0.05)
            pending = [child[len("IPY_MODEL_"):] for state in self.states.values()
                       for child in state.get("children", []) if isinstance(child, str)]

    def model(self, css_class: str) -> str | None:
        """The comm id of the widget carrying a CSS class."""
        return next((c for c, s in self.states.items() if css_class in s.get("_dom_classes", [])), None)

    async def _send(self, msg_type: str, content: dict) -> None:
        await self.ws.write_message(json.dumps(message(self.session, msg_type, content)))

    async def _read(self) -> None:
        while True:
            raw = await self.ws.read_message()
            if raw is None:
                return
            msg = json.loads(unpack_binary(raw) if isinstance(raw, bytes) else raw)
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "comm_msg" and content["data"].get("method") in ("update", "echo_update"):
                state = content["data"].get("state", {})
                self.states.setdefault(content["comm_id"], {}).update(state)
                if content["comm_id"] == getattr(self, "ack_id", None) and state.get("value"):
                    await self.acks.put((time.perf_counter(), json.loads(html.unescape(state["value"]))))

    async def answer(self, questions: int, index_of: dict[str, int], pause: random.Random) -> None:
        """Answer ``questions`` questions in turn: choose an answer, wait for 'saved', read a moment, press Next.

        The first answer is given by everyone at the same instant (the burst when the room starts); the
        others after 1-3 s of reading each, as people in a room do.
        """
        self.ack_id, choices, following = self.model("pmo-ack"), self.model("pmo-answer-choices"), self.model("pmo-next")
        for n in range(questions):
            value = str(n % 4 + 1)
            started = time.perf_counter()
            await self._send("comm_msg", {"comm_id": choices, "data": {
                "method": "update", "state": {"index": index_of[value]}, "buffer_paths": []}})
            while True:
                arrived, ack = await asyncio.wait_for(self.acks.get(), timeout=30)
                if ack.get("kind") == "answer":
                    break
            if not ack.get("ok") or ack.get("value") != value:
                self.failures.append(f"{ack}")
            (self.latencies if n else self.burst).append(arrived - started)
            await self._send("comm_msg", {"comm_id": following, "data": {
                "method": "custom", "content": {"event": "click"}}})
            await asyncio.sleep(pause.uniform(1.0, 3.0))

    async def close(self) -> None:
        self.ws.close()
        self.reader.cancel()


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of the sorted ``values`` fall (nearest rank)."""
    return values[min(len(values) - 1, int(share * len(values)))]


def unpack_binary(raw: bytes) -> bytes:
    """The JSON part of a binary websocket frame (a message with buffers: count, offsets, JSON, buffers)."""
    count = struct.unpack("!I", raw[:4])[0]
    offsets = struct.unpack(f"!{count}I", raw[4:4 + 4 * count])
    return raw[offsets[0]:offsets[1]]


def kernels_under(pid: int) -> set[int]:
    """PIDs of the ipykernel processes anywhere below ``pid`` (Voilà runs under the workshop command)."""
    parents, kernels = {}, set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if b"ipykernel_launcher" in (entry / "cmdline").read_bytes():
                kernels.add(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue

    def below(child: int) -> bool:
        while child in parents and child > 1:
            child = parents[child]
            if child == pid:
                return True
        return False

    return {k for k in kernels if below(k)}


def kernel_memory(server_pid: int) -> list[tuple[int, int]]:
    """(RSS, PSS) in KiB of every ipykernel below the server process."""
    sizes = []
    for pid in kernels_under(server_pid):
        rss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                   if line.startswith("VmRSS:"))
        pss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
                   if line.startswith("Pss:"))
        sizes.append((rss, pss))
    return sizes


def wait_for_voila(server, log: Path, seconds: float = 90) -> None:
    """Wait until Voilà says it is running (its log), failing with the log if the server exits first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}:\n{log.read_text()}")
        if "is running at" in log.read_text():
            return
        time.sleep(0.2)
    pytest.fail(f"Voilà did not start within {seconds} s:\n{log.read_text()}")


async def drive(base: str, server_token: str, tokens: list[str], index_of: dict[str, int]) -> list[Respondent]:
    people = [Respondent(base, server_token, token) for token in tokens]
    await asyncio.gather(*(p.open() for p in people))
    pause = random.Random(25)
    await asyncio.gather(*(p.answer(ANSWERS_EACH, index_of, pause) for p in people))
    return people


@pytest.mark.timeout(240)
def test_25_respondents_answering_at_once_all_saved_p95_under_half_a_second(tmp_path: Path) -> None:
    people_csv = tmp_path / "people.csv"
    with people_csv.open("w", newline="") as handle:
        csv.writer(handle).writerows([["name", "role"], *([f"Respondent {i:02d}", "sponsor"]
                                                          for i in range(RESPONDENTS))])
    answers = tmp_path / "load.csv"
    command = workshop_command("--unit", UNIT, "--port", "0", "-q", str(BANK), "--answers", str(answers),
                               "--invite", str(people_csv))
    index_of = {v: i for i, v in enumerate(["1", "2", "3", "4", "na", "dk"])}
    started = time.monotonic()
    log = tmp_path / "voila.log"
    server = start_server(command, tmp_path, log)
    try:
        wait_for_voila(server, log)  # not by fetching a page: that would start a kernel of its own
        book = yaml.safe_load((tmp_path / "load.invites.yaml").read_text())
        tokens = [p["token"] for p in book["people"]]
        opened = time.monotonic()
        people = asyncio.run(drive(served_base(server, log), book["server_token"], tokens, index_of))
        answered = time.monotonic()
        memory = kernel_memory(server.pid)
    finally:
        stop(server)
    with answers.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    latencies = sorted(x for p in people for x in p.latencies)
    burst = sorted(x for p in people for x in p.burst)
    p95 = percentile(latencies, 0.95)
    rss = statistics.mean(m[0] for m in memory) / 1024
    pss = statistics.mean(m[1] for m in memory) / 1024
    print(f"\n{RESPONDENTS} respondents x {ANSWERS_EACH} answers: click->saved median "
          f"{statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms; "
          f"all {RESPONDENTS} clicking at the same instant: median {statistics.median(burst) * 1000:.0f} ms, "
          f"p95 {percentile(burst, 0.95) * 1000:.0f} ms; {RESPONDENTS} pages opened and answered in "
          f"{answered - opened:.1f} s; whole test {time.monotonic() - started:.1f} s; {len(memory)} kernels, "
          f"RSS {rss:.0f} MiB and PSS {pss:.0f} MiB each (mean)")
    assert [f for p in people for f in p.failures] == []
    assert len(rows) == RESPONDENTS * ANSWERS_EACH  # every answer on disk
    assert {r["respondent"] for r in rows} == {f"Respondent {i:02d}" for i in range(RESPONDENTS)}
    assert all(r["answer"] == str(i % 4 + 1) for person in {r["respondent"] for r in rows}
               for i, r in enumerate(x for x in rows if x["respondent"] == person))
    assert p95 < 0.5
    assert len(memory) == RESPONDENTS
