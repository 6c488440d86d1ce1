"""kb at 100,000 passages against bare Whoosh on the same passages, in one run:
indexing, a cold search, a small add, and `kb serve`'s start-up and memory.

- indexing: `kb add` of the corpus folder (a new process) against Whoosh's
  plain writer adding the same passage records with kb's schema, one commit;
- cold search: `kb search` in a new process against a bare Whoosh script in a
  new process (open, parse, search, print the top 10), alternating, median of 5;
- small add: one small Markdown file into the 100k index against the same add
  into an index holding one document: time and peak memory (new processes);
- serve: `kb serve --workers 1` until its first answer, and its memory then
  and once settled (a few searches answered, nothing more growing), against a
  bare Starlette app over the same Whoosh index.

Run: .venv/bin/python bench/bench_scale.py [--documents 4000]   (25 passages each)
Floors (issue 13): indexing <= 1.2x Whoosh; cold search <= 1.5x; small add
<= 1.5x in time and memory; serve ready < 1 s and memory <= 1.3x.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from corpus_10k import write_corpus  # noqa: E402

from kb import KnowledgeBase  # noqa: E402

CLI = [sys.executable, str(ROOT / "cli.py")]
QUERY = "community trust"

BARE_SEARCH = """
import sys
from whoosh import index
from whoosh.qparser import MultifieldParser, OrGroup
ix = index.open_dir(sys.argv[1], indexname="MAIN")
with ix.searcher() as searcher:
    query = MultifieldParser(["heading", "body"], ix.schema, group=OrGroup).parse(sys.argv[2])
    for hit in searcher.search(query, limit=10):
        print(hit["id"], hit["body"][:80])
"""

BARE_SERVER = """
import sys
import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from whoosh import index
from whoosh.qparser import MultifieldParser, OrGroup
ix = index.open_dir(sys.argv[1], indexname="MAIN")
searcher = ix.searcher()
parser = MultifieldParser(["heading", "body"], ix.schema, group=OrGroup)
def search(request):
    hits = searcher.search(parser.parse(request.query_params.get("q", "")), limit=10)
    return JSONResponse({"hits": [{"id": h["id"], "body": h["body"][:200]} for h in hits]})
app = Starlette(routes=[Route("/api/search", search)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""

PEAK_MEMORY = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def timed_with_memory(command: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK_MEMORY, *command], check=True, capture_output=True, text=True)
    return time.perf_counter() - started, int(done.stdout.strip())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ready(command: list[str], url: str) -> tuple[float, int, subprocess.Popen]:
    """Seconds until ``url`` answers, and the server's memory then (kB)."""
    started = time.perf_counter()
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            break
        except OSError:
            if time.perf_counter() - started > 120:
                raise SystemExit(f"{command} did not start") from None
            time.sleep(0.02)
    seconds = time.perf_counter() - started
    rss = _rss_of_tree(server.pid)
    return seconds, rss, server


def settled_rss(server: subprocess.Popen, port: int) -> int:
    """kB resident once the server has answered a few searches and done
    whatever it does after start-up (kb warms its common words between
    requests): what it holds while it serves, not just when it first answers."""
    for words in ("trust", "community policing", "police AND youth", "heading:patrol", "pre*"):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q={urllib.parse.quote(words)}", timeout=30).read()
    rss, unchanged_since = _rss_of_tree(server.pid), time.perf_counter()
    while time.perf_counter() - unchanged_since < 2:
        time.sleep(0.2)
        now = _rss_of_tree(server.pid)
        if now > rss:
            rss, unchanged_since = now, time.perf_counter()
    return rss


def _rss_of_tree(pid: int) -> int:
    """kB resident in the process and its children (uvicorn may run the app in one)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(entry.name) == pid or int(fields.get("PPid", "0").strip()) == pid:
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total


def main() -> None:
    options = argparse.ArgumentParser()
    options.add_argument("--documents", type=int, default=4000, help="25 passages each")
    documents = options.parse_args().documents
    floors: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_corpus(tmp / "corpus", documents=documents)
        note = tmp / "note.md"
        note.write_text("# Note\n\n## Patrols\n\nA short note on foot patrols and trust.\n", encoding="utf-8")

        kb_index = tmp / "kb-index"
        kb_seconds = timed([*CLI, "--index", str(kb_index), "add", "-q", str(tmp / "corpus")])
        from kb.index import passage_from_record

        def every_passage(searcher):
            return [passage_from_record(r) for r in searcher.documents(kind="passage")]

        passages = KnowledgeBase(kb_index).index.read(every_passage)

        from dataclasses import asdict

        from kb.index import create_empty

        whoosh_index = tmp / "whoosh-index"
        started = time.perf_counter()
        ix = create_empty(whoosh_index)
        with ix.writer() as writer:
            for passage in passages:
                record = asdict(passage)
                record["heading_path"] = list(passage.heading_path)
                text = record.pop("text")
                writer.add_document(id=passage.id, kind="passage", doc_id=passage.doc_id,
                                    heading="\n".join(passage.heading_path), body=text, data=record)  # fmt: skip
        whoosh_seconds = time.perf_counter() - started
        print(f"indexing {len(passages)} passages: kb add {kb_seconds:.1f} s, Whoosh's writer {whoosh_seconds:.1f} s",
              flush=True)  # fmt: skip
        floors.append(("indexing", kb_seconds / whoosh_seconds, 1.2))

        cold_kb, cold_whoosh = [], []
        for _ in range(5):
            cold_kb.append(timed([*CLI, "--index", str(kb_index), "search", QUERY]))
            cold_whoosh.append(timed([sys.executable, "-c", BARE_SEARCH, str(whoosh_index), QUERY]))
        kb_cold, whoosh_cold = statistics.median(cold_kb), statistics.median(cold_whoosh)
        print(f"cold search: kb {kb_cold:.2f} s, bare Whoosh script {whoosh_cold:.2f} s (medians of 5)")
        floors.append(("cold search", kb_cold / whoosh_cold, 1.5))

        small = tmp / "small-index"
        KnowledgeBase(small).add([ROOT / "corpus" / "ccpcj34-side-event.txt"])
        big_add = timed_with_memory([*CLI, "--index", str(kb_index), "add", "-q", str(note)])
        small_add = timed_with_memory([*CLI, "--index", str(small), "add", "-q", str(note)])
        print(f"small add: into {len(passages)} passages {big_add[0]:.2f} s, {big_add[1] / 1024:.0f} MB; "
              f"into one document {small_add[0]:.2f} s, {small_add[1] / 1024:.0f} MB")  # fmt: skip
        floors.append(("small add, time", big_add[0] / small_add[0], 1.5))
        floors.append(("small add, memory", big_add[1] / small_add[1], 1.5))

        port = free_port()
        command = [*CLI, "--index", str(kb_index), "serve", "--port", str(port), "--workers", "1"]
        seconds, kb_rss, server = ready(command, f"http://127.0.0.1:{port}/api/search?q=trust")
        kb_settled = settled_rss(server, port)
        server.terminate()
        server.wait()
        port = free_port()
        bare = [sys.executable, "-c", BARE_SERVER, str(whoosh_index), str(port)]
        bare_seconds, bare_rss, server = ready(bare, f"http://127.0.0.1:{port}/api/search?q=trust")
        bare_settled = settled_rss(server, port)
        server.terminate()
        server.wait()
        print(f"serve: kb ready in {seconds:.2f} s holding {kb_rss / 1024:.0f} MB, "
              f"{kb_settled / 1024:.0f} MB once settled; bare Whoosh app {bare_seconds:.2f} s, "
              f"{bare_rss / 1024:.0f} MB, {bare_settled / 1024:.0f} MB once settled")  # fmt: skip
        floors.append(("serve ready (s)", seconds, 1.0))
        floors.append(("serve memory, ready", kb_rss / bare_rss, 1.3))
        floors.append(("serve memory, settled", kb_settled / bare_settled, 1.3))

    print()
    passed = True
    for name, value, floor in floors:
        print(f"  {name:20} {value:6.2f}  (floor <= {floor})  {'met' if value <= floor else 'NOT met'}")
        passed = passed and value <= floor
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
