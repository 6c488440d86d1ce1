"""Search quality on the judged query set, and what expansion costs in speed.

Run: .venv/bin/python bench/bench_search.py
Floors (issue 5): MRR@10 >= 0.85 and nDCG@10 >= 0.75 with expansion; every
acronym/variant/compound query finds its target in the top 3; warm query p95 on
a 10,000-passage index within 1.5x of the same queries with --literal.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from corpus_10k import write_corpus  # noqa: E402
from judged.evaluate import CORPUS, TARGET_KINDS, build_index, load_queries, run, summary  # noqa: E402

from kb import KnowledgeBase  # noqa: E402


def quality() -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        knowledge_base = build_index(Path(tmp) / "index")
        results = {literal: run(knowledge_base, literal) for literal in (False, True)}
    print(f"{'':<10} {'MRR@10':>7} {'nDCG@10':>8} {'recall@10':>9} {'targets top 3':>14}")
    for literal, outcomes in results.items():
        s = summary(outcomes)
        name = "--literal" if literal else "expanded"
        figures = [
            f"{s[k]:>{w}.3f}" for k, w in (("mrr@10", 7), ("ndcg@10", 8), ("recall@10", 9), ("targets_top3", 14))
        ]
        print(f"{name:<10} " + " ".join(figures))
    print("\nMisses (target not first, or not in the top 3 for acronym/variant/compound queries):")
    print(f"{'mode':<9} {'kind':<11} {'query':<38} {'RR':>4}  top result")
    for literal, outcomes in results.items():
        for o in outcomes:
            if o.reciprocal_rank < 1 or (o.kind in TARGET_KINDS and not o.target_in_top3):
                top = o.ranked[0] if o.ranked else "(none)"
                mode = "literal" if literal else "expanded"
                print(f"{mode:<9} {o.kind:<11} {o.query[:38]:<38} {o.reciprocal_rank:>4.2f}  {top}")
    followed = [o for o in results[False] if o.via_suggestion]
    print(
        f"\nMisspelled queries scored on their suggestion: {len(followed)} "
        + ", ".join(f"{o.query} -> {o.via_suggestion}" for o in followed)
    )
    expanded = summary(results[False])
    return expanded["mrr@10"] >= 0.85 and expanded["ndcg@10"] >= 0.75 and expanded["targets_top3"] == 1.0


def latency() -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        docs = tmp / "docs"
        write_corpus(docs)
        knowledge_base = KnowledgeBase(tmp / "index")
        started = time.perf_counter()
        knowledge_base.add([docs, CORPUS])
        passages = sum(d.passages for d in knowledge_base.documents())
        print(f"\nIndexed {passages} passages in {time.perf_counter() - started:.1f} s")
        queries = [q["query"] for q in load_queries()]
        for query in queries:  # warm the file cache and the process
            knowledge_base.search(query)
        timings: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(5):
            for query in queries:
                for literal in (False, True):
                    started = time.perf_counter()
                    knowledge_base.search(query, literal=literal)
                    timings[literal].append(time.perf_counter() - started)
    p95 = {literal: statistics.quantiles(t, n=20)[18] for literal, t in timings.items()}
    p50 = {literal: statistics.median(t) for literal, t in timings.items()}
    ratio = p95[False] / p95[True]
    print(f"warm search over {passages} passages, {len(timings[False])} queries each:")
    print(f"  expanded:  p50 {p50[False] * 1000:.1f} ms, p95 {p95[False] * 1000:.1f} ms")
    print(f"  --literal: p50 {p50[True] * 1000:.1f} ms, p95 {p95[True] * 1000:.1f} ms")
    print(f"  p95 ratio expanded/literal: {ratio:.2f} (floor <= 1.5)")
    return ratio <= 1.5


if __name__ == "__main__":
    ok = quality()
    ok = latency() and ok
    sys.exit(0 if ok else 1)
