"""Ranking on the real documents: the judged set in tests/judged_realdocs/,
written by reading ../shared/realdocs/ before any tuning, against plain Whoosh
BM25F over the same passages, in the same run.

A hit counts for a judged section ("doc-id|Heading") when it is in that
document and the heading stands in its heading path (normalised: lower case,
letters and digits, a leading division label such as "CHAPTER XXIII" left
out; equal or at least 0.9 similar), so a hit in a sub-section counts for
its section. Each judged section is credited once, to
its first hit. MRR@10 takes the first hit of a section graded 2 or 3.

Run: .venv/bin/python bench/bench_realdocs_queries.py [--show]
Floors (issue 12): MRR@10 >= 0.90, nDCG@10 >= 0.80, questions nDCG >= 0.75,
and kb above plain Whoosh on every kind of query.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import tempfile
from collections import defaultdict
from difflib import SequenceMatcher
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.qparser import MultifieldParser, OrGroup

ROOT = Path(__file__).resolve().parent.parent
REALDOCS = ROOT.parent / "shared" / "realdocs"
QUERIES = ROOT / "tests" / "judged_realdocs" / "queries.json"

from kb import KnowledgeBase  # noqa: E402


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


# A division's label is not part of its title: "CHAPTER XXIII PLEA BARGAINING"
# is the "PLEA BARGAINING" a judgment names, whether or not the reader joined them.
DIVISION_LABEL = re.compile(r"^(?:part|chapter|section|schedule|annex|appendix|book|title|article)\s+"
                            r"(?:\d+|[IVXLC]+|[A-Z])\b[\s.:—–-]*(?=\S)", re.I)  # fmt: skip


def same_heading(a: str, b: str) -> bool:
    a, b = normalise(DIVISION_LABEL.sub("", a)), normalise(DIVISION_LABEL.sub("", b))
    return a == b or (bool(a) and SequenceMatcher(None, a, b).ratio() >= 0.9)


def credit(doc_id: str, heading_path: tuple[str, ...], relevant: dict[str, int], taken: set[str]) -> int:
    """The grade a hit earns: its best judged section not yet credited."""
    best, best_key = 0, None
    for key, grade in relevant.items():
        judged_doc, heading = key.split("|", 1)
        if key in taken or judged_doc != doc_id or grade <= best:
            continue
        if any(same_heading(part, heading) for part in heading_path):
            best, best_key = grade, key
    if best_key:
        taken.add(best_key)
    return best


def score(ranked: list[tuple[str, tuple[str, ...]]], relevant: dict[str, int]) -> tuple[float, float]:
    taken: set[str] = set()
    grades = [credit(doc_id, path, relevant, taken) for doc_id, path in ranked[:10]]
    rr = next((1 / rank for rank, g in enumerate(grades, 1) if g >= 2), 0.0)
    dcg = sum((2**g - 1) / math.log2(rank + 1) for rank, g in enumerate(grades, 1))
    ideal = sorted(relevant.values(), reverse=True)[:10]
    best = sum((2**g - 1) / math.log2(rank + 1) for rank, g in enumerate(ideal, 1))
    return rr, dcg / best


def plain_whoosh(knowledge_base: KnowledgeBase, folder: Path):
    """The same passages in a plain Whoosh index: default analyzer and BM25F,
    heading and body fields, words OR-ed as a search box would."""
    schema = Schema(doc=ID(stored=True), path=STORED, heading=TEXT(), body=TEXT())
    ix = whoosh_index.create_in(str(folder), schema)
    with ix.writer() as writer:
        for document in knowledge_base.documents():
            for passage in knowledge_base.passages(document.id):
                heading = " ".join(passage.heading_path)
                writer.add_document(doc=document.id, path=passage.heading_path, heading=heading, body=passage.text)
    parser = MultifieldParser(["heading", "body"], schema, group=OrGroup)

    def search(text: str) -> list[tuple[str, tuple[str, ...]]]:
        with ix.searcher() as searcher:
            return [(hit["doc"], tuple(hit["path"])) for hit in searcher.search(parser.parse(text), limit=10)]

    return search


def main() -> None:
    options = argparse.ArgumentParser()
    options.add_argument("--show", action="store_true", help="list each query's outcome")
    show = options.parse_args().show
    if not REALDOCS.is_dir():
        sys.exit(f"{REALDOCS} is not there")
    queries = json.loads(QUERIES.read_text(encoding="utf-8"))["queries"]
    with tempfile.TemporaryDirectory() as tmp:
        knowledge_base = KnowledgeBase(Path(tmp) / "index")
        report = knowledge_base.add([p for p in sorted(REALDOCS.iterdir()) if p.is_file() and p.name != "README.md"])
        assert not report.failed, report.failed
        (Path(tmp) / "whoosh").mkdir()
        whoosh_search = plain_whoosh(knowledge_base, Path(tmp) / "whoosh")
        by_kind: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        misses = []
        for item in queries:
            result = knowledge_base.search(item["query"], limit=10)
            kb_ranked = [(h.document.id, h.passage.heading_path) for h in result.hits]
            kb_rr, kb_ndcg = score(kb_ranked, item["relevant"])
            wh_rr, wh_ndcg = score(whoosh_search(item["query"]), item["relevant"])
            for kind in (item["kind"], "all"):
                for name, value in (("kb_rr", kb_rr), ("kb_ndcg", kb_ndcg), ("wh_rr", wh_rr), ("wh_ndcg", wh_ndcg)):
                    by_kind[kind][name].append(value)
            if kb_rr < 1 or show:
                top = f"{kb_ranked[0][0]}|{' > '.join(kb_ranked[0][1])}" if kb_ranked else "(none)"
                misses.append((item["kind"], item["query"], kb_rr, kb_ndcg, top[:70]))
    print(f"{'kind':12} {'n':>3}  {'kb MRR':>7} {'nDCG':>6}   {'Whoosh MRR':>10} {'nDCG':>6}   {'nDCG ratio':>10}")
    for kind in sorted(by_kind, key=lambda k: (k == "all", k)):
        v = by_kind[kind]
        mean = {name: statistics.fmean(values) for name, values in v.items()}
        ratio = mean["kb_ndcg"] / mean["wh_ndcg"] if mean["wh_ndcg"] else float("inf")
        print(f"{kind:12} {len(v['kb_rr']):3}  {mean['kb_rr']:7.3f} {mean['kb_ndcg']:6.3f}   "
              f"{mean['wh_rr']:10.3f} {mean['wh_ndcg']:6.3f}   {ratio:10.2f}")  # fmt: skip
    print("\nqueries where kb's first hit is not a grade 2-3 section:" if not show else "\nevery query:")
    for kind, query, rr, ndcg, top in misses:
        print(f"  {kind:11} {query[:44]:44} RR {rr:.2f} nDCG {ndcg:.2f}  top: {top}")


if __name__ == "__main__":
    main()
