"""Ranking quality of kb on the judged query set: MRR@10, nDCG@10, recall@10.

Each query lists the sections that answer it, graded 3 (the answer), 2 (closely
relevant) or 1 (mentions it), as "doc-id|section". A query with no hits and a
"did you mean" suggestion is scored on the suggestion's results, as a person
who follows the suggestion would see them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from kb import KnowledgeBase

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
TARGET_KINDS = {"acronym", "variant", "compound"}


@dataclass
class Outcome:
    kind: str
    query: str
    ranked: list[str]
    relevant: dict[str, int]
    via_suggestion: str | None

    @property
    def reciprocal_rank(self) -> float:
        for rank, key in enumerate(self.ranked[:10], start=1):
            if self.relevant.get(key, 0) >= 2:
                return 1 / rank
        return 0.0

    @property
    def ndcg(self) -> float:
        gains = [
            (2 ** self.relevant.get(key, 0) - 1) / math.log2(rank + 1) for rank, key in enumerate(self.ranked[:10], 1)
        ]
        ideal = sorted(self.relevant.values(), reverse=True)[:10]
        best = sum((2**g - 1) / math.log2(rank + 1) for rank, g in enumerate(ideal, 1))
        return sum(gains) / best

    @property
    def recall(self) -> float:
        return len(set(self.ranked[:10]) & set(self.relevant)) / len(self.relevant)

    @property
    def target_in_top3(self) -> bool:
        targets = {k for k, grade in self.relevant.items() if grade == 3}
        return bool(targets & set(self.ranked[:3]))


def load_queries() -> list[dict]:
    return json.loads((HERE / "queries.json").read_text(encoding="utf-8"))["queries"]


def build_index(path: Path) -> KnowledgeBase:
    knowledge_base = KnowledgeBase(path)
    report = knowledge_base.add([CORPUS])
    assert not report.failed, report.failed
    return knowledge_base


def run(knowledge_base: KnowledgeBase, literal: bool) -> list[Outcome]:
    outcomes = []
    for item in load_queries():
        result = knowledge_base.search(item["query"], limit=10, literal=literal)
        followed = None
        if not result.hits and result.suggestion:
            followed = result.suggestion
            result = knowledge_base.search(followed, limit=10, literal=literal)
        ranked = list(dict.fromkeys(f"{h.document.id}|{h.passage.section}" for h in result.hits))
        outcomes.append(Outcome(item["kind"], item["query"], ranked, item["relevant"], followed))
    return outcomes


def summary(outcomes: list[Outcome]) -> dict[str, float]:
    n = len(outcomes)
    return {
        "mrr@10": sum(o.reciprocal_rank for o in outcomes) / n,
        "ndcg@10": sum(o.ndcg for o in outcomes) / n,
        "recall@10": sum(o.recall for o in outcomes) / n,
        "targets_top3": sum(o.target_in_top3 for o in outcomes if o.kind in TARGET_KINDS)
        / sum(1 for o in outcomes if o.kind in TARGET_KINDS),
    }
