"""What stands between kb's pages and the network.

A page on another site can make a browser send requests to kb, and a name it
controls can point at 127.0.0.1 (DNS rebinding); a server on a LAN is open to
everyone on it. So kb answers only to the host names it serves under, asks for
a token when told to serve beyond this machine, caps request bodies, hides the
user's file paths once other machines can connect, and gives every server
worker the same form token, from a secret kept beside the index.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})
AUTH_COOKIE = "kb_auth"
LOGIN_PATH = "/login"
MAX_BODY_BYTES = 64 * 1024  # kb's forms carry an id and a token
HEADER_TIMEOUT_SECONDS = 10.0
_SPARE_FILES = 256  # open files kept for the index, templates and logs beside the connections


@dataclass(frozen=True)
class Exposure:
    """How far the server reaches: the host names it answers to, the token
    a client must show (None: no login), and whether other machines can
    connect (then file paths are not shown)."""

    hosts: frozenset[str] = LOOPBACK_HOSTS
    auth_token: str | None = None
    public: bool = False

    @classmethod
    def serving(cls, bind: str, allowed: Iterable[str] = (), auth_token: str | None = None) -> Exposure:
        """For a server bound to ``bind``: loopback names, the bound name, the
        names given, and for a wildcard bind this machine's own names."""
        hosts = set(LOOPBACK_HOSTS) | {h.casefold().strip("[]") for h in allowed}
        if bind in WILDCARD_HOSTS:
            hosts |= _own_names()
        else:
            hosts.add(bind.casefold().strip("[]"))
        return cls(frozenset(hosts), auth_token, public=bind.strip("[]") not in LOOPBACK_HOSTS)

    def login_cookie(self) -> str:
        """What the login cookie holds: a digest of the token, never the token."""
        return hmac.new((self.auth_token or "").encode(), b"kb-login", hashlib.sha256).hexdigest()


def _own_names() -> set[str]:
    names = {socket.gethostname(), socket.getfqdn()}
    with contextlib.suppress(OSError):
        names |= {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)}
    return {name.casefold() for name in names if name}


def form_token(index_dir: Path) -> str:
    """The token kb's forms carry, the same in every worker of one server: a
    digest of a secret file beside the index, made (mode 0600) on first use."""
    secret_file = index_dir.with_name(f"{index_dir.name}.secret")
    try:
        if not secret_file.exists():
            temporary = secret_file.with_name(f".{secret_file.name}.{os.getpid()}.tmp")
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as out:
                out.write(secrets.token_hex(32))
            try:
                os.link(temporary, secret_file)  # fails if another worker made it first: theirs stands
            except FileExistsError:
                pass
            finally:
                temporary.unlink(missing_ok=True)
        secret = secret_file.read_bytes()
    except OSError:  # a read-only folder: forms work with this worker's own token
        secret = secrets.token_bytes(32)
    return hmac.new(secret, b"kb-forms", hashlib.sha256).hexdigest()[:40]


class Guard:
    """ASGI middleware in front of the whole app: Host allowlist, login, body cap."""

    def __init__(self, app, exposure: Exposure) -> None:
        self.app = app
        self.exposure = exposure

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        host = _host_name(headers.get("host", ""))
        if host not in self.exposure.hosts:
            return await _plain(send, 400, f"kb does not answer to the host name '{host}'")
        path = scope["path"]
        if self.exposure.auth_token is not None and path != LOGIN_PATH and not self._signed_in(headers):
            if path.startswith("/api/"):
                body = json.dumps({"error": "sign in first: send Authorization: Bearer <token>"})
                return await _send(send, 401, body, "application/json", [("www-authenticate", "Bearer")])
            target = path + (f"?{scope['query_string'].decode('latin-1')}" if scope["query_string"] else "")
            return await _send(send, 303, "", "text/plain", [("location", f"{LOGIN_PATH}?next={quote(target)}")])
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return await _plain(send, 413, "the request is larger than kb accepts")
        await self.app(scope, _capped(receive), send)

    def _signed_in(self, headers: dict[str, str]) -> bool:
        token = self.exposure.auth_token or ""
        authorization = headers.get("authorization", "")
        if authorization.startswith("Bearer ") and hmac.compare_digest(authorization[7:].strip(), token):
            return True
        cookie = SimpleCookie()
        with contextlib.suppress(Exception):  # a malformed Cookie header is no login
            cookie.load(headers.get("cookie", ""))
        shown = cookie[AUTH_COOKIE].value if AUTH_COOKIE in cookie else ""
        return hmac.compare_digest(shown, self.exposure.login_cookie())


def _host_name(header: str) -> str:
    """The name in a Host header, without its port: 'kb.lan:8080' -> 'kb.lan', '[::1]:80' -> '::1'."""
    header = header.strip().casefold()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _capped(receive):
    """The request body, cut off with a 413 once it passes MAX_BODY_BYTES (a
    chunked body names no length)."""
    seen = 0

    async def capped():
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > MAX_BODY_BYTES:
                raise BodyTooLarge
        return message

    return capped


class BodyTooLarge(Exception):
    """A request body over MAX_BODY_BYTES."""


async def _plain(send, status: int, message: str) -> None:
    await _send(send, status, message + "\n", "text/plain; charset=utf-8")


async def _send(send, status: int, body: str, media: str, extra: list[tuple[str, str]] = ()) -> None:
    data = body.encode()
    headers = [("content-type", media), ("content-length", str(len(data))), *extra]
    await send(
        {"type": "http.response.start", "status": status, "headers": [(k.encode(), v.encode()) for k, v in headers]}
    )
    await send({"type": "http.response.body", "body": data})


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's HTTP protocol, closing a connection whose request headers have
    not all arrived within HEADER_TIMEOUT_SECONDS: idle or trickling
    connections (a slowloris) would otherwise hold sockets until none are left."""

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._header_timer = self.loop.call_later(HEADER_TIMEOUT_SECONDS, self._headers_late)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_timer.cancel()
        self._header_timer = self.loop.call_later(HEADER_TIMEOUT_SECONDS, self._headers_late)

    def on_headers_complete(self) -> None:
        self._header_timer.cancel()
        super().on_headers_complete()

    def connection_lost(self, exc) -> None:
        self._header_timer.cancel()
        super().connection_lost(exc)

    def _headers_late(self) -> None:
        self.transport.close()


def connection_limit(wanted: int = 4096) -> int:
    """How many connections the server may hold: ``wanted`` where the process
    may open that many files (its soft limit is raised towards the hard one),
    else what the limit allows with room for the index's own files. A flood of
    idle connections then fills neither the limit (real requests still get
    answers while the header timeout clears the flood) nor the file table
    (which would make accept() fail)."""
    try:
        import resource
    except ImportError:  # Windows has no resource module and no such limit to raise
        return 512
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    goal = wanted + _SPARE_FILES
    if soft < goal:
        raised = goal if hard == resource.RLIM_INFINITY else min(goal, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError):
            pass
    return max(64, min(wanted, soft - _SPARE_FILES))
