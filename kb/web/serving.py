"""``kb serve`` with several worker processes that take turns at the door.

uvicorn's workers share one listening socket, and each accepts every
connection it can. A worker in the middle of a search still accepts (its
event loop runs between the search's slices of the interpreter) and queues
what it took behind that search, while the other worker may stand idle: under
20 clients on 2 workers the slowest answers took 2.6 times the median, against
1.5 times on one worker. Here each worker accepts a connection only while it
has fewer than ``IN_HAND`` requests in hand, and one connection at a time; the
others wait in the kernel's queue for whichever worker is free first, as the
workers of a pre-fork server share theirs.

A single worker is plain uvicorn: it takes every connection, and inside it a
cheap request passes slow ones (``kb.web.app``).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from kb.web.guard import HeaderTimeoutProtocol

IN_HAND = 2  # requests a worker holds before it leaves new connections to the others
ARRIVAL_SECONDS = 0.05  # how long a new connection counts as a request before its headers are in
WATCH_SECONDS = 0.5  # how often the supervisor looks for a worker that died
STEADY_SECONDS = 10.0  # a worker ending sooner after its start could not start: it is not started again

logger = logging.getLogger("uvicorn.error")


class Door:
    """One worker's turn at the shared listening socket."""

    def __init__(self, loop: asyncio.AbstractEventLoop, listener: socket.socket, create_protocol) -> None:
        self.loop = loop
        self.listener = listener
        self.create_protocol = create_protocol
        self.in_hand = 0
        self._listening = False
        self._welcoming = False  # a connection accepted and not yet handed to its protocol
        self._closed = True
        listener.setblocking(False)

    def open(self) -> None:
        self._closed = False
        self._update()

    def hold(self) -> None:
        self.in_hand += 1
        self._update()

    def release(self) -> None:
        self.in_hand -= 1
        self._update()

    def close(self) -> None:
        self._closed = True
        self._update()

    def _update(self) -> None:
        wanted = not self._closed and not self._welcoming and self.in_hand < IN_HAND
        if wanted and not self._listening:
            self.loop.add_reader(self.listener.fileno(), self._accept)
        elif self._listening and not wanted:
            self.loop.remove_reader(self.listener.fileno())
        self._listening = wanted

    def _accept(self) -> None:
        try:
            connection, _ = self.listener.accept()
        except (BlockingIOError, InterruptedError):
            return  # another worker took it
        except OSError as error:  # out of files, say: try again shortly rather than spin
            logger.warning("accept failed: %s", error)
            connection = None
        self._welcoming = True
        self._update()
        if connection is None:
            self.loop.call_later(0.1, self._welcomed)
        else:
            connection.setblocking(False)
            self.loop.create_task(self._welcome(connection))

    async def _welcome(self, connection: socket.socket) -> None:
        try:
            await self.loop.connect_accepted_socket(self.create_protocol, connection)
        except OSError:
            connection.close()
        finally:
            self._welcomed()

    def _welcomed(self) -> None:
        self._welcoming = False
        self._update()


_door: Door | None = None  # this worker process's, when it takes turns


class TurnTakingProtocol(HeaderTimeoutProtocol):
    """Tells the worker's door how many requests it has in hand: one from a
    connection's arrival (for at most ``ARRIVAL_SECONDS``, so idle connections
    cannot keep the door shut) or its headers, to its response."""

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._holding = False
        self._arrival = None
        if _door is not None:
            self._hold()
            self._arrival = self.loop.call_later(ARRIVAL_SECONDS, self._release)

    def on_headers_complete(self) -> None:
        self._hold()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        self._release()
        super().on_response_complete()

    def connection_lost(self, exc) -> None:
        self._release()
        super().connection_lost(exc)

    def _hold(self) -> None:
        self._arrived()
        if _door is not None and not self._holding:
            self._holding = True
            _door.hold()

    def _release(self) -> None:
        self._arrived()
        if _door is not None and self._holding:
            self._holding = False
            _door.release()

    def _arrived(self) -> None:
        if self._arrival is not None:
            self._arrival.cancel()
            self._arrival = None


class TurnTakingServer(uvicorn.Server):
    """A worker that accepts through a ``Door`` instead of uvicorn's listener,
    and ends when its supervisor has gone (killed, it could not stop it)."""

    def __init__(self, config: uvicorn.Config, supervisor: int) -> None:
        super().__init__(config)
        self.supervisor = supervisor

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        global _door
        await super().startup(sockets=[])  # the app's start-up, and no listener of uvicorn's
        if not self.started:
            return
        config = self.config

        def create_protocol() -> asyncio.Protocol:
            return config.http_protocol_class(
                config=config, server_state=self.server_state, app_state=self.lifespan.state
            )

        (listener,) = sockets  # the supervisor's, listening
        _door = Door(asyncio.get_running_loop(), listener, create_protocol)
        _door.open()

    async def on_tick(self, counter: int) -> bool:
        if os.getppid() != self.supervisor:
            self.should_exit = True
        return await super().on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if _door is not None:
            _door.close()
        await super().shutdown(sockets=sockets)


def _worker(config: uvicorn.Config, listener: socket.socket, supervisor: int) -> None:
    config.configure_logging()
    TurnTakingServer(config, supervisor).run(sockets=[listener])


def run(config: uvicorn.Config, workers: int) -> None:
    """Serve with ``workers`` processes (one: plain uvicorn) until interrupted.
    A worker that dies is replaced; one that cannot start stops them all.
    Windows' event loop cannot watch a socket for a door: there uvicorn's
    own workers serve."""
    if workers == 1:
        uvicorn.Server(config).run()
        return
    if sys.platform == "win32":
        Multiprocess(config, sockets=[config.bind_socket()]).run()
        return
    listener = config.bind_socket()
    listener.listen(config.backlog)  # uvicorn's own listener would call it
    spawning = multiprocessing.get_context("spawn")
    stop = threading.Event()
    started: dict[int, float] = {}

    def start() -> multiprocessing.Process:
        process = spawning.Process(target=_worker, args=(config, listener, os.getpid()))
        process.start()
        started[process.pid] = time.monotonic()
        return process

    def stopping(signum, frame) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stopping)
    processes = [start() for _ in range(workers)]
    try:
        while not stop.wait(WATCH_SECONDS):
            for n, process in enumerate(processes):
                if process.is_alive():
                    continue
                if process.exitcode == STARTUP_FAILURE or time.monotonic() - started[process.pid] < STEADY_SECONDS:
                    raise SystemExit(f"kb serve: a worker could not start (exit code {process.exitcode})")
                logger.warning("worker %s ended (exit code %s); starting another", process.pid, process.exitcode)
                processes[n] = start()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.kill()
        listener.close()
