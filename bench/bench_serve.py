"""Load on `kb serve`: 20 concurrent clients, 2,000 searches over a 10,000-passage
index, while `kb add` commits twice. Only 127.0.0.1 is ever contacted.

Two runs, each on a server started for it (`--workers 2`, caches empty):
- judged: the 46 judged queries over and over, as people in one office repeat
  the same searches; the server answers a repeat from its per-commit cache;
- distinct: 2,000 different queries (runs of 1-4 words cut from the corpus's
  sentences, every tenth an operator, field or wildcard query), so nearly
  every search is worked out afresh.
Each run keeps its clients going until both commits have finished, so every
commit falls inside the load; the per-second lines show what the commits do.
A run lasts as long as its commits, and a longer run is more of it warm, so
the p95 of its first EARLY_SECONDS is printed too, to compare runs of
different lengths.

A third run, beside: one worker serves a cheap request (the document list)
over and over, first alone and then while two clients keep it busy with
compare and term-count requests, each of which takes hundreds of ms.

Run: .venv/bin/python bench/bench_serve.py
Floors: p95 < 100 ms, zero errors, zero failed requests during the commits
(issue 7); the cheap request's p95 beside the slow ones < 50 ms (issue 14).
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from corpus_10k import sentences, write_corpus  # noqa: E402
from judged.evaluate import CORPUS, load_queries  # noqa: E402

CLI = [sys.executable, str(ROOT / "cli.py")]
CLIENTS, REQUESTS = 20, 2000
EARLY_SECONDS = 8


@dataclass
class Load:
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (started, seconds)
    errors: list[tuple[float, str]] = field(default_factory=list)
    commits: list[tuple[float, float]] = field(default_factory=list)
    elapsed: float = 0.0


def distinct_queries(count: int, seed: int = 7) -> list[str]:
    """Runs of 1-4 words cut from the corpus's sentences; every tenth is an
    operator, field or wildcard query made of such words."""
    rng = random.Random(seed)
    pool = [s.replace('"', "").split() for s in sentences()]
    found: dict[str, None] = {}
    while len(found) < count:
        words = rng.choice(pool)
        n = rng.randint(1, 4)
        start = rng.randrange(max(1, len(words) - n))
        cut = [w.strip(".,;:()?!*") for w in words[start : start + n]]
        cut = [w for w in cut if w.isalpha()] or ["police"]
        if len(found) % 10 == 9:
            a, b = cut[0], cut[-1]
            cut = [
                rng.choice([f"{a} AND {b}", f"{a[:4]}*", f"heading:{a}", f"{a} OR {b} NOT trust", f'"{a} {b}" OR {a}'])
            ]
        found[" ".join(cut)] = None
    return list(found)


def start_server(index: Path, workers: int = 2) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([*CLI, "--index", str(index), "serve", "--port", str(port), "--workers", str(workers)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/api/documents", timeout=2)
            return server, base
        except OSError:
            time.sleep(0.2)
    raise SystemExit("kb serve did not start")


def run_load(base: str, queries: list[str], index: Path, extras: list[Path]) -> Load:
    load = Load()
    host, port = urllib.parse.urlsplit(base).hostname, urllib.parse.urlsplit(base).port
    lock = threading.Lock()
    sent = 0
    commits_done = threading.Event()

    def client() -> None:
        nonlocal sent
        while True:
            with lock:
                if sent >= REQUESTS and commits_done.is_set():
                    return
                n = sent
                sent += 1
            path = f"/api/search?{urllib.parse.urlencode({'q': queries[n % len(queries)]})}"
            started = time.perf_counter()
            try:
                # A new connection each time, as urllib makes them, so the server's
                # workers share the load; http.client itself keeps the
                # generator's own CPU use small on a two-core machine.
                connection = http.client.HTTPConnection(host, port, timeout=30)
                connection.request("GET", path, headers={"Connection": "close"})
                response = connection.getresponse()
                body = response.read()
                connection.close()
                if response.status != 200:
                    raise RuntimeError(f"status {response.status}: {body[:200]!r}")
                load.latencies.append((started, time.perf_counter() - started))
            except Exception as exc:  # every failure counts; the bench reports them all
                load.errors.append((started, repr(exc)))

    def committer() -> None:
        for extra in extras:
            time.sleep(0.5)
            began = time.perf_counter()
            subprocess.run([*CLI, "--index", str(index), "add", "-q", str(extra)], check=True)
            load.commits.append((began, time.perf_counter()))
        commits_done.set()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in [*threads, threading.Thread(target=committer)]:
        thread.start()
    for thread in threads:
        thread.join()
    load.elapsed = time.perf_counter() - started
    return load


def report(name: str, load: Load) -> bool:
    seconds = [d for _, d in load.latencies]
    p50 = statistics.median(seconds) * 1000
    p95 = statistics.quantiles(seconds, n=20)[18] * 1000
    during = [d for t, d in load.latencies if any(a <= t <= b for a, b in load.commits)]
    failed_during = [e for t, e in load.errors if any(a <= t <= b for a, b in load.commits)]
    print(f"\n{name}: {len(seconds)} searches by {CLIENTS} clients in {load.elapsed:.1f} s "
          f"({len(seconds) / load.elapsed:.0f}/s)")  # fmt: skip
    print(f"  p50 {p50:.0f} ms, p95 {p95:.0f} ms (floor < 100 ms), max {max(seconds) * 1000:.0f} ms, "
          f"errors: {len(load.errors)}")  # fmt: skip
    t0 = min(t for t, _ in load.latencies)
    early = [d for t, d in load.latencies if t - t0 < EARLY_SECONDS]
    # The run lasts as long as the commits take, and a longer run is more of it
    # warm: its first seconds compare runs of different lengths.
    early_p95 = statistics.quantiles(early, n=20)[18] * 1000
    print(f"  first {EARLY_SECONDS} s: {len(early)} searches, p95 {early_p95:.0f} ms")
    print(f"  during the two commits: {len(during)} searches, p95 "
          f"{statistics.quantiles(during, n=20)[18] * 1000:.0f} ms, failed: {len(failed_during)}")  # fmt: skip
    for second in range(int(load.elapsed) + 1):
        window = sorted(d for t, d in load.latencies if second <= t - t0 < second + 1)
        busy = any(a - t0 < second + 1 and b - t0 >= second for a, b in load.commits)
        if window:
            print(f"  {second:3} s {len(window):5} searches  p95 {window[int(len(window) * 0.95)] * 1000:5.0f} ms"
                  f"  max {window[-1] * 1000:5.0f} ms  {'kb add committing' if busy else ''}")  # fmt: skip
    for message in sorted({e for _, e in load.errors})[:5]:
        print("   ", message)
    return p95 < 100 and not load.errors


def get(base: str, path: str) -> float:
    """Seconds one request takes; a failure stops the bench."""
    started = time.perf_counter()
    with urllib.request.urlopen(base + path, timeout=60) as response:
        response.read()
        if response.status != 200:
            raise SystemExit(f"{path}: status {response.status}")
    return time.perf_counter() - started


def cheap_beside_slow(index: Path) -> bool:
    server, base = start_server(index, workers=1)
    try:
        with urllib.request.urlopen(base + "/api/documents") as response:
            ids = [d["id"] for d in json.load(response)["documents"]]
        slow_paths = [
            f"/api/compare?{urllib.parse.urlencode({'a': ids[0], 'b': ids[1]})}",
            f"/api/terms?{urllib.parse.urlencode({'t': 'community policing,trust,partnership'})}",
        ]
        alone = [get(base, "/api/documents") for _ in range(200)]
        stop = threading.Event()
        slow: list[float] = []

        def keep_busy(path: str) -> None:
            while not stop.is_set():
                slow.append(get(base, path))

        busy = [threading.Thread(target=keep_busy, args=(path,)) for path in slow_paths]
        for thread in busy:
            thread.start()
        time.sleep(1.0)
        beside = []
        for _ in range(200):
            beside.append(get(base, "/api/documents"))
            time.sleep(0.01)
        stop.set()
        for thread in busy:
            thread.join()
    finally:
        server.terminate()
        server.communicate(timeout=10)

    def p95(values: list[float]) -> float:
        return statistics.quantiles(values, n=20)[18] * 1000

    print(f"\nbeside: /api/documents on one worker, alone p50 {statistics.median(alone) * 1000:.1f} ms, "
          f"p95 {p95(alone):.1f} ms")  # fmt: skip
    print(f"  beside compare and terms ({len(slow)} done, median {statistics.median(slow) * 1000:.0f} ms): "
          f"p50 {statistics.median(beside) * 1000:.1f} ms, p95 {p95(beside):.1f} ms (floor < 50 ms), "
          f"ratio {p95(beside) / p95(alone):.1f}x")  # fmt: skip
    return p95(beside) < 50


def main() -> None:
    runs = {"judged": [q["query"] for q in load_queries()], "distinct": distinct_queries(REQUESTS)}
    passed = True
    for number, (name, queries) in enumerate(runs.items()):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            index = tmp / "index"
            write_corpus(tmp / "base", seed=1)
            subprocess.run([*CLI, "--index", str(index), "add", "-q", str(tmp / "base"), str(CORPUS)], check=True)
            extras = []
            for n in (1, 2):
                extras.append(tmp / f"extra{n}")
                write_corpus(extras[-1], documents=20, seed=10 * number + n + 1)
            server, base = start_server(index)
            try:
                load = run_load(base, queries, index, extras)
            finally:
                server.terminate()
                server.communicate(timeout=10)
            passed = report(name, load) and passed
            if number == 0:
                passed = cheap_beside_slow(index) and passed
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
