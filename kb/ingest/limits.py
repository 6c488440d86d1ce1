"""Reading files under limits, so that no file a user (or anyone) hands kb can
hang or sink a whole add.

Only regular files are read: a FIFO, a device or a link to one would block
for ever or never end. A file over its size cap is refused before it is
opened. Parsing runs in a child process that kb kills when a file takes longer
than the time limit (a pathological input, a parser's bug): the file is
reported and the rest of the batch goes in. The child lives for the whole
batch, so a file costs one round trip, not a new process.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import re
import signal
import stat
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kb.errors import IngestError, UnsupportedFormat
from kb.ingest.parsed import ParsedDocument

MB = 1_000_000
TEXT_MAX_BYTES = 100 * MB  # text, Markdown and HTML
PDF_MAX_BYTES = 500 * MB
TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class Limits:
    """``max_bytes`` caps every file when given; else text and HTML are capped
    at 100 MB and PDF at 500 MB. ``timeout`` is seconds per file."""

    max_bytes: int | None = None
    timeout: float = TIMEOUT_SECONDS

    def cap(self, path: Path) -> int:
        if self.max_bytes is not None:
            return self.max_bytes
        return PDF_MAX_BYTES if path.suffix.lower() == ".pdf" else TEXT_MAX_BYTES


def parse_size(text: str) -> int:
    """'200MB', '1.5G', '800k' or a bare number of megabytes, in bytes."""
    units = {"": MB, "k": 1_000, "kb": 1_000, "m": MB, "mb": MB, "g": 1_000 * MB, "gb": 1_000 * MB}
    number = text.strip().casefold().rstrip("b") or "0"
    unit = ""
    while number and number[-1].isalpha():
        unit = number[-1] + unit
        number = number[:-1]
    if unit not in units:
        raise ValueError(f"unknown size unit in '{text}' (use k, M or G)")
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"'{text}' is not a size (say 200MB or 1G)") from None
    if value <= 0:
        raise ValueError(f"'{text}' is not a size above zero")
    return int(value * units[unit])


def check_file(path: Path, limits: Limits) -> None:
    """Refuse what is not a regular file, or is over its size cap, before anything opens it."""
    try:
        info = path.stat()  # follows links: a link to /dev/zero is a device
    except OSError as exc:
        raise IngestError(path, exc.strerror or str(exc)) from exc
    if not stat.S_ISREG(info.st_mode):
        raise UnsupportedFormat(path, f"is {_file_kind(info.st_mode)}, not a regular file")
    cap = limits.cap(path)
    if info.st_size > cap:
        raise IngestError(path, f"{_megabytes(info.st_size)} is over the {_megabytes(cap)} limit (--max-size)")


def _file_kind(mode: int) -> str:
    kinds = {stat.S_ISFIFO: "a FIFO", stat.S_ISCHR: "a character device", stat.S_ISBLK: "a block device"}
    kinds |= {stat.S_ISSOCK: "a socket", stat.S_ISDIR: "a folder"}
    return next((name for test, name in kinds.items() if test(mode)), "not a file")


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f} MB" if size < 10 * MB else f"{size // MB} MB"


class ReaderProcess:
    """A child process that parses files one at a time, killed and replaced
    when a file takes longer than ``timeout`` seconds.

    ``read_ahead`` hands it the next file before the caller indexes the one
    it has: on two cores the next file is parsed while this one is indexed,
    rather than each waiting for the other."""

    def __init__(self, timeout: float = TIMEOUT_SECONDS) -> None:
        self.timeout = timeout
        self._process = None
        self._connection = None
        self._ahead: tuple[Path, str | None, float] | None = None  # sent, not yet answered

    def __enter__(self) -> ReaderProcess:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def read_ahead(self, path: Path, password: str | None = None) -> None:
        """Start parsing ``path``; ``parse`` of the same path takes the answer."""
        if self._ahead is not None:
            return
        if self._process is None:
            self._start()
        self._connection.send((path, password))
        self._ahead = (path, password, time.monotonic())

    def parse(self, path: Path, password: str | None = None) -> ParsedDocument:
        """The parsed file; its time limit counts from when it was handed over."""
        if self._ahead is not None and self._ahead[:2] != (path, password):
            other, _, sent = self._ahead
            with contextlib.suppress(IngestError):  # read ahead for nothing: the answer is dropped
                self._answer(other, sent)
        self.read_ahead(path, password)
        return self._answer(path, self._ahead[2])

    def _answer(self, path: Path, sent: float) -> ParsedDocument:
        self._ahead = None
        if not self._connection.poll(max(0.0, self.timeout - (time.monotonic() - sent))):
            self._stop()
            raise IngestError(path, f"took longer than {self.timeout:g} s to read, so it was skipped (--timeout)")
        try:
            ok, result = self._connection.recv()
        except (EOFError, OSError):
            self._process.join(5)
            code = self._process.exitcode
            self._stop()
            how = f"signal {-code}" if code and code < 0 else f"exit code {code}"
            raise IngestError(path, f"the reader stopped while reading it ({how})") from None
        if not ok:
            kind, reason = result
            raise (UnsupportedFormat if kind == "unsupported" else IngestError)(path, reason)
        return result

    def close(self) -> None:
        if self._process is not None and self._ahead is not None:
            self._stop()  # still reading a file nobody wants: no need to wait for it
        if self._process is not None:
            with contextlib.suppress(OSError):
                self._connection.send(None)
            self._process.join(2)
            self._stop()

    def _start(self) -> None:
        # fork is cheapest; a process with threads (a server, a test harness)
        # must not fork, and then the child starts afresh.
        single_threaded = threading.active_count() == 1 and sys.platform.startswith("linux")
        context = multiprocessing.get_context("fork" if single_threaded else "spawn")
        ours, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(theirs, os.getpid()), name="kb-reader")
        self._process.start()
        theirs.close()
        self._connection = ours

    def _stop(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._connection.close()
        self._process = self._connection = None


def _serve(connection, parent: int) -> None:
    from kb import ingest

    exit_with_parent(parent)
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        path, password = request
        try:
            answer = (True, ingest.parse(path, password))
        except UnsupportedFormat as exc:
            answer = (False, ("unsupported", exc.reason))
        except IngestError as exc:
            answer = (False, ("error", exc.reason))
        except Exception as exc:  # parse() names every failure; this is the last guard
            answer = (False, ("error", f"could not be read ({type(exc).__name__}: {exc})"))
        connection.send(answer)


def exit_with_parent(parent: int) -> None:
    """Make this child process end when its parent does. Killed, a kb process
    cannot stop its children, and a child waiting for its next job would wait
    for ever: so the child ends itself when its parent is gone (at once on
    Linux, where the kernel sends it SIGKILL; elsewhere within half a second)."""
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)
        return  # no watching thread: the child may fork workers of its own
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


_LIBRARY_LOGS = ("pypdf", "bs4")  # bs4.dammit logs when it has to replace undecodable bytes


@contextlib.contextmanager
def library_warnings() -> Iterator[list[str]]:
    """What pypdf and bs4 log or warn about while a file is read, gathered as
    kb's own warnings for that file instead of printed raw on stderr."""
    found: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            found.append(record.getMessage())

    handler = Collect(logging.WARNING)
    logs = [logging.getLogger(name) for name in _LIBRARY_LOGS]
    propagates = [log.propagate for log in logs]
    for log in logs:
        log.addHandler(handler)
        log.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield found
            found.extend(str(warning.message) for warning in caught)
    finally:
        for log, propagate in zip(logs, propagates, strict=True):
            log.removeHandler(handler)
            log.propagate = propagate


def one_of_each_kind(messages: list[str]) -> list[str]:
    """The first message of each kind (the same words, numbers aside), each on
    one line; kb's own page warnings of one kind become one line naming the pages."""
    kinds: dict[str, str] = {}
    pages: dict[str, list[str]] = {}
    for message in messages:
        message = " ".join(message.split())
        on_page = re.match(r"page (\d+): (.*)", message)
        if on_page:
            reason = on_page.group(2)
            kinds.setdefault(f"page {reason}", reason)
            pages.setdefault(f"page {reason}", []).append(on_page.group(1))
        else:
            kinds.setdefault(re.sub(r"0x[0-9a-f]+|\d+", "#", message.casefold())[:60], message[:200])
    lines = []
    for kind, message in kinds.items():
        numbers = pages.get(kind)
        if numbers is None:
            lines.append(message)
        elif len(numbers) == 1:
            lines.append(f"page {numbers[0]}: {message}")
        else:
            shown = ", ".join(numbers[:10]) + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")
            lines.append(f"pages {shown}: {message}")
    return lines
