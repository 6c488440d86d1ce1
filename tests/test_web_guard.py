"""The web app against the network: foreign host names, sign-in, other
machines, oversized bodies, idle connections, and one form token for all
workers."""

from __future__ import annotations

import re
import socket
import sys
import threading
import time

import pytest
import uvicorn
from click.testing import CliRunner
from starlette.testclient import TestClient

from kb import cli as kb_cli
from kb.web import create_app
from kb.web import guard as web_guard
from kb.web.guard import Exposure, HeaderTimeoutProtocol, connection_limit


@pytest.fixture
def indexed(knowledge_base, write):
    knowledge_base.add([write("guide.md", "# Guide\n\n## Consent\n\nPolicing by consent needs trust.\n")])
    return knowledge_base


def token_of(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def test_a_foreign_host_name_is_refused_as_a_dns_rebinding_page_would_send_it(indexed):
    with TestClient(create_app(indexed.path), base_url="http://rebind.evil.example:8000") as client:
        for path in ("/", "/api/documents", "/passage/guide:1"):
            refused = client.get(path)
            assert refused.status_code == 400 and "rebind.evil.example" in refused.text
    for base in ("http://localhost:8080", "http://127.0.0.1", "http://[::1]:8000"):
        with TestClient(create_app(indexed.path), base_url=base) as client:
            assert client.get("/api/documents").status_code == 200, base


def test_a_server_for_the_lan_answers_to_its_names_and_shows_no_paths(indexed):
    exposure = Exposure.serving("192.168.1.20", allowed=["kb.office.lan"], auth_token=None)
    assert exposure.public and {"192.168.1.20", "kb.office.lan", "localhost"} <= exposure.hosts
    with TestClient(create_app(indexed.path, exposure), base_url="http://kb.office.lan") as client:
        documents = client.get("/api/documents").json()["documents"]
        assert documents[0]["path"] == "guide.md" and documents[0]["source"] == "guide.md"
        hit = client.get("/api/search", params={"q": "consent"}).json()["hits"][0]
        assert "/" not in hit["source"]
        assert str(indexed.path.parent) not in client.get("/passage/guide:1").text
    with TestClient(create_app(indexed.path), base_url="http://localhost") as client:  # this machine only
        assert client.get("/api/documents").json()["documents"][0]["path"].startswith("/")


def test_with_a_token_browsers_sign_in_and_scripts_send_it(indexed):
    exposure = Exposure.serving("0.0.0.0", auth_token="s3cret-token")
    with TestClient(create_app(indexed.path, exposure), base_url="http://localhost") as client:
        first = client.get("/?q=consent", follow_redirects=False)
        assert first.status_code == 303 and first.headers["location"] == "/login?next=/%3Fq%3Dconsent"
        assert client.get("/api/documents").status_code == 401
        bearer = client.get("/api/documents", headers={"Authorization": "Bearer s3cret-token"})
        assert bearer.status_code == 200
        assert client.get("/api/documents", headers={"Authorization": "Bearer wrong"}).status_code == 401
        login = client.get("/login")
        assert login.status_code == 200 and "<h1>Sign in</h1>" in login.text
        wrong = client.post("/login", data={"token": "guess", "next": "/"})
        assert wrong.status_code == 401 and "not the one" in wrong.text
        assert "kb_auth" not in client.cookies
        signed = client.post(
            "/login", data={"token": "s3cret-token", "next": "//evil.example/"}, follow_redirects=False
        )
        assert signed.status_code == 303 and signed.headers["location"] == "/"
        assert "httponly" in signed.headers["set-cookie"].lower() and "s3cret" not in signed.headers["set-cookie"]
        assert client.get("/?q=consent").status_code == 200
        assert client.get("/api/documents").status_code == 200


def test_serving_beyond_this_machine_needs_a_token_or_saying_so(indexed):
    runner = CliRunner()
    for host in ("0.0.0.0", "192.168.1.20", "::"):
        result = runner.invoke(kb_cli.cli, ["--index", str(indexed.path), "serve", "--host", host])
        assert result.exit_code == 2 and "--auth TOKEN, or --insecure-no-auth" in result.output


def test_a_body_over_the_cap_gets_413(indexed):
    with TestClient(create_app(indexed.path), base_url="http://localhost") as client:
        token = token_of(client.get("/?q=consent").text)
        big = client.post("/picks/add", data={"id": "guide:1", "token": token, "pad": "x" * 100_000})
        assert big.status_code == 413

        def chunks():
            for _ in range(100):
                yield b"x" * 1000

        chunked = client.post(
            "/picks/add", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"}
        )
        assert chunked.status_code == 413
        assert client.post("/picks/add", data={"id": "guide:1", "token": token}).status_code == 200


def test_every_worker_of_one_server_gives_the_same_form_token(indexed):
    tokens = set()
    for _ in range(2):  # two workers build their own app
        with TestClient(create_app(indexed.path), base_url="http://localhost") as client:
            tokens.add(token_of(client.get("/?q=consent").text))
    assert len(tokens) == 1
    secret = indexed.path.with_name(f"{indexed.path.name}.secret")
    assert secret.stat().st_mode & 0o777 == 0o600


def test_a_connection_that_sends_no_headers_is_closed(indexed, monkeypatch):
    monkeypatch.setattr(web_guard, "HEADER_TIMEOUT_SECONDS", 0.5)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(indexed.path), host="127.0.0.1", port=port, http=HeaderTimeoutProtocol,
                            log_level="warning", lifespan="on")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as idle:
            started = time.monotonic()
            assert idle.recv(1) == b""  # closed by the server, not by our timeout
            assert time.monotonic() - started < 3
        with socket.create_connection(("127.0.0.1", port), timeout=5) as slow:
            slow.sendall(b"GET /api/documents HTTP/1.1\r\nHost: localhost\r\n")  # never finishes its headers
            assert slow.recv(1) == b""
        with socket.create_connection(("127.0.0.1", port), timeout=5) as normal:
            normal.sendall(b"GET /api/documents HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            assert normal.recv(12) == b"HTTP/1.1 200"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.mark.skipif(sys.platform == "win32", reason="no file limits to raise on Windows")
def test_the_server_raises_its_file_limit_so_an_idle_flood_leaves_room_for_real_requests(monkeypatch):
    import resource

    limits = {"now": (1024, 20_000)}
    monkeypatch.setattr(resource, "getrlimit", lambda kind: limits["now"])
    monkeypatch.setattr(resource, "setrlimit", lambda kind, value: limits.update(now=value))
    assert connection_limit() == 4096  # 1,050 idle connections no longer fill it
    assert limits["now"] == (4096 + 256, 20_000)

    limits["now"] = (1024, 1024)  # the hard limit cannot be passed: keep room for the index's files
    assert connection_limit() == 1024 - 256
