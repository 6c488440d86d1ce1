"""``kb serve`` with several workers: each takes a connection only while it has
room, so work waits in one shared queue rather than behind a busy worker."""

from __future__ import annotations

import asyncio
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ClassVar

import pytest

from kb.web.serving import IN_HAND, Door

ROOT = Path(__file__).resolve().parent.parent


class _Holding(asyncio.Protocol):
    """A request that stays in hand, as TurnTakingProtocol counts one."""

    door: ClassVar[Door]
    made: ClassVar[list[_Holding]] = []

    def connection_made(self, transport) -> None:
        _Holding.made.append(self)
        self.door.hold()


def test_a_worker_with_its_hands_full_leaves_new_connections_waiting_for_a_free_one():
    async def scenario() -> list[int]:
        _Holding.made = []
        listener = socket.create_server(("127.0.0.1", 0))
        door = _Holding.door = Door(asyncio.get_running_loop(), listener, _Holding)
        door.open()
        accepted = []

        async def settle() -> None:
            await asyncio.sleep(0.2)
            accepted.append(len(_Holding.made))

        for _ in range(IN_HAND):
            door.hold()
        clients = [socket.create_connection(listener.getsockname()) for _ in range(3)]
        await settle()  # full: the connections wait in the kernel's queue
        door.release()
        await settle()  # room for one: exactly one is taken
        door.release()
        door.release()
        await settle()  # room for two: the other two
        door.close()
        for client in clients:
            client.close()
        listener.close()
        return accepted

    assert asyncio.run(scenario()) == [0, 1, 3]


def _get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Connection": "close"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_until_ended(pids: list[int], message: str) -> None:
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids):
        assert time.monotonic() < deadline, message
        time.sleep(0.1)


def _kb(tmp_path: Path) -> list[str]:
    """The CLI over an index of one small guide."""
    guide = tmp_path / "guide.md"
    guide.write_text("# Guide\n\n## Consent\n\nPolicing by consent needs trust.\n", encoding="utf-8")
    cli = [sys.executable, str(ROOT / "cli.py"), "--index", str(tmp_path / "index")]
    subprocess.run([*cli, "add", "-q", str(guide)], check=True)
    return cli


@pytest.mark.skipif(sys.platform == "win32", reason="signals and pgrep")
def test_two_workers_answer_side_by_side_pass_idle_connections_and_stop_on_sigterm(tmp_path):
    cli = _kb(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([*cli, "serve", "--port", str(port), "--workers", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert _get(port, "/api/documents", timeout=2)[0] == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "kb serve --workers 2 did not start"
                time.sleep(0.2)
        assert len(_children(server.pid)) >= 2

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: _get(port, "/api/search?q=consent"), range(40)))
        assert all(status == 200 and b"Policing by consent" in body for status, body in answers)

        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(2 * IN_HAND + 2)]
        started = time.monotonic()
        assert _get(port, "/api/search?q=trust")[0] == 200
        assert time.monotonic() - started < 3  # idle connections count for a moment only
        for connection in idle:
            connection.close()

        workers = _children(server.pid)
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=20)
        assert server.returncode == 0 and b"Traceback" not in stderr, stderr.decode()
        _wait_until_ended(workers, "a worker outlived its server")
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()


@pytest.mark.skipif(sys.platform == "win32", reason="signals and pgrep")
def test_workers_end_when_their_supervisor_is_killed(tmp_path):
    cli = _kb(tmp_path)
    server = subprocess.Popen([*cli, "serve", "--port", "0", "--workers", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while len(workers := [p for p in _children(server.pid) if _is_worker(p)]) < 2:
            assert time.monotonic() < deadline, "kb serve --workers 2 started no workers"
            time.sleep(0.2)
        server.kill()
        server.wait()
        _wait_until_ended(workers, "a worker outlived a killed supervisor")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def _is_worker(pid: int) -> bool:
    return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
