"""Load on `kb serve`: 20 concurrent clients, 2,000 searches over a 10,000-passage
index, while `kb add` commits twice. Only 127.0.0.1 is ever contacted.

Run: .venv/bin/python bench/bench_serve.py
Floors (issue 7): p95 < 100 ms, zero errors, zero failed requests during the commits.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from corpus_10k import write_corpus  # noqa: E402
from judged.evaluate import CORPUS, load_queries  # noqa: E402

CLI = [sys.executable, str(ROOT / "cli.py")]
CLIENTS, REQUESTS = 20, 2000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        index = tmp / "index"
        write_corpus(tmp / "base", seed=1)
        subprocess.run([*CLI, "--index", str(index), "add", "-q", str(tmp / "base"), str(CORPUS)], check=True)
        write_corpus(tmp / "extra1", documents=20, seed=2)
        write_corpus(tmp / "extra2", documents=20, seed=3)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen([*CLI, "--index", str(index), "serve", "--port", str(port), "--workers", "2"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/api/documents", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        queries = [q["query"] for q in load_queries()]
        latencies: list[float] = []
        errors: list[str] = []
        counter = iter(range(REQUESTS))
        lock = threading.Lock()

        def client() -> None:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                url = f"{base}/api/search?{urllib.parse.urlencode({'q': queries[n % len(queries)]})}"
                started = time.perf_counter()
                try:
                    with urllib.request.urlopen(url, timeout=30) as response:
                        response.read()
                    latencies.append(time.perf_counter() - started)
                except Exception as exc:  # every failure counts; the bench reports them all
                    errors.append(repr(exc))

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for extra in ("extra1", "extra2"):  # two commits while the load runs
            time.sleep(1)
            subprocess.run([*CLI, "--index", str(index), "add", "-q", str(tmp / extra)], check=True)
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        server.terminate()
        server.communicate(timeout=10)
    p50 = statistics.median(latencies) * 1000
    p95 = statistics.quantiles(latencies, n=20)[18] * 1000
    print(f"{len(latencies)} searches by {CLIENTS} clients in {elapsed:.1f} s ({len(latencies) / elapsed:.0f}/s), "
          f"two kb add commits during the run")  # fmt: skip
    print(f"p50 {p50:.0f} ms, p95 {p95:.0f} ms (floor < 100 ms), errors: {len(errors)}")
    for message in sorted(set(errors))[:5]:
        print("  ", message)
    sys.exit(0 if p95 < 100 and not errors else 1)


if __name__ == "__main__":
    main()
