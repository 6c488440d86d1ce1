"""Ranking passages for a planned query (``kb.search.plan``) from kept postings.

A passage's score, before the length prior:

- each substantive slot it matches adds its slot score: for each of the
  slot's alternatives, 2 × BM25 in the heading + BM25 in the body (a
  multi-word alternative counts only where its words stand as a phrase);
- holding a share s of the substantive slots adds 1.5 × s³ × the sum of all
  slot scores: all of them, 1.5 × the sum; five words of a six-word question,
  0.58 of that. A step from all to nothing made the last word of a long
  question, however common or chance its match, outweigh all the others;
- each way of writing the whole query whose words stand in order, each within
  6 words of the one before, adds 2 × their body BM25; word for word, 2 × again.

BM25 is Whoosh's BM25F (B 0.75, K1 1.2, idf log(N / (df + 1)) + 1), so plain
queries rank on the same scale as the operator queries Whoosh runs itself;
but N, df and the average lengths count only live records (``_Statistics``).
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from whoosh.query import And, AndMaybe, AndNot, Every, MultiTerm, Not, NullQuery, Or, Phrase, Query, Require, Term
from whoosh.searching import Searcher

from kb.search.plan import Plan, Tokens
from kb.search.postings import SegmentPostings, segment_postings

HEADING_BOOST = 2.0
ALL_WORDS_BOOST = 1.5
NEAR_BOOST = 2.0
NEAR_SLOP = 6
EXACT_BOOST = 2.0
B, K1 = 0.75, 1.2
MAX_EXPANSIONS = 1000  # terms a wildcard may stand for, in one segment
_EMPTY = np.zeros(0, dtype=np.int64)
UNITED_AT_MOST = 32  # an OR's postings are put together only when they hold under 1/32 of a segment
AMONG_AT_MOST = 8  # a query is worked out among its possible holders only when they are under 1/8 of a segment


class Ranked(NamedTuple):
    """A tuple, not a frozen dataclass: each search makes 30 or 60 of them,
    and a frozen dataclass's fields set one by one took a tenth of a field query."""

    docnum: int  # in the searcher's numbering
    score: float
    tokens: frozenset[str]  # the query's tokens the passage's body holds, to mark in a snippet


def length_prior(words: np.ndarray) -> np.ndarray:
    """A bare heading or one line of a list must not outrank the sections that
    explain a term: passages under about 18 words are scored down."""
    return np.minimum(1.0, 0.3 + words / 25)


def rank(
    searcher: Searcher, query_plan: Plan, limit: int, doc_ids: list[str] | None = None
) -> tuple[list[Ranked], int]:
    """The best ``limit`` passages for the plan, and how many passages match it."""
    if not query_plan.slots:
        return [], 0
    return _each_segment(searcher, limit, lambda scorer: scorer.rank(query_plan, limit, doc_ids))


def rank_query(
    searcher: Searcher, query: Query, limit: int, doc_ids: list[str] | None = None
) -> tuple[list[Ranked], int]:
    """The best ``limit`` passages for a parsed query with operators, fields or
    wildcards, and how many match it: the same BM25 figures, length prior and
    exact count as a plan's, from the same kept postings (see ``_Evaluation``)."""
    return _each_segment(searcher, limit, lambda scorer: scorer.rank_query(query, limit, doc_ids))


def _each_segment(searcher: Searcher, limit: int, rank_segment) -> tuple[list[Ranked], int]:
    best: list[Ranked] = []
    total = 0
    statistics = _Statistics(searcher)
    for reader, offset in searcher.reader().leaf_readers():
        kept = segment_postings(reader)
        if not kept.has_text(reader):  # as the segment with only kb's meta record
            continue
        ranked, matched = rank_segment(_SegmentScorer(statistics, reader, kept))
        total += matched
        best.extend(Ranked(r.docnum + offset, r.score, r.tokens) for r in ranked)
    return heapq.nsmallest(limit, best, key=lambda r: (-r.score, r.docnum)), total


class _Statistics:
    """The whole index's figures BM25 needs, looked up once per search.

    They count live records only. Whoosh's own figures keep deleted documents
    until their segment is merged away, so the same documents would rank
    differently after others had been added and removed.
    """

    def __init__(self, searcher: Searcher) -> None:
        self._segments = [(reader, segment_postings(reader)) for reader, _ in searcher.reader().leaf_readers()]
        self._documents = sum(kept.live_total(reader) for reader, kept in self._segments)
        self._idf: dict[tuple[str, str], float] = {}
        self._average: dict[str, float] = {}

    def idf(self, field: str, token: str) -> float:
        key = (field, token)
        if key not in self._idf:
            frequency = sum(kept.live_frequency(reader, field, token) for reader, kept in self._segments)
            self._idf[key] = math.log(self._documents / (frequency + 1)) + 1
        return self._idf[key]

    def average_length(self, field: str) -> float:
        if field not in self._average:
            total = sum(kept.live_total(reader, field) for reader, kept in self._segments)
            self._average[field] = total / self._documents if total else 1
        return self._average[field]


class _SegmentScorer:
    """Scores one segment; statistics (idf, average lengths) are the whole index's."""

    def __init__(self, statistics: _Statistics, reader, postings: SegmentPostings) -> None:
        self.statistics = statistics
        self.reader = reader
        self.postings = postings
        self.size = postings.doc_count
        self._weights: dict[tuple[str, str], np.ndarray] = {}

    def rank(self, query_plan: Plan, limit: int, doc_ids: list[str] | None) -> tuple[list[Ranked], int]:
        slots = query_plan.slots
        slot_scores = [sum(self._alternative(a) for a in slot.alternatives) for slot in slots]
        substantive = [s for s, slot in zip(slot_scores, slots, strict=True) if slot.substantive] or slot_scores
        score = np.sum(substantive, axis=0)
        matched = (score > 0) & self.postings.live(self.reader)
        if doc_ids is not None:
            matched &= self._in_documents(doc_ids)
        if not matched.any():
            return [], 0
        prior = length_prior(self.lengths)
        share = np.sum([s > 0 for s in substantive], axis=0) / len(substantive)
        has_all = (share == 1) & matched
        if len(slots) > 1:
            cubed = share * share * share  # s³; numpy's power takes 5 times as long
            score = score + ALL_WORDS_BOOST * np.sum(slot_scores, axis=0) * cubed * matched
            if has_all.any():
                self._add_phrase_bonus(score, query_plan, matched, has_all, prior, limit)
        candidates = np.flatnonzero(matched)
        return self._best(candidates, score[candidates], limit, lambda d: self._body_tokens(query_plan, d, has_all))

    def rank_query(self, query: Query, limit: int, doc_ids: list[str] | None) -> tuple[list[Ranked], int]:
        """Worked out among the documents that may match, where the query's terms
        tell them and they are few (``AMONG_AT_MOST``), else over the segment:
        a field or rare-word query then costs its postings, not the segment's size."""
        holders = _Evaluation(self).holders(query)
        among = holders if holders is not None and holders.size <= self.size // AMONG_AT_MOST else None
        evaluation = _Evaluation(self, among)
        matched, score = evaluation.evaluate(query)
        kept = self.postings.live_passages(self.reader)
        if doc_ids is not None:
            kept = kept & self._in_documents(doc_ids)
        if among is not None:
            matched = matched & kept[among]
            return self._best(among[matched], score[matched], limit, evaluation.body_tokens)
        matched &= kept
        candidates = np.flatnonzero(matched) if holders is None else holders[matched[holders]]
        return self._best(candidates, score[candidates], limit, evaluation.body_tokens)

    @property
    def lengths(self) -> np.ndarray:
        return self.postings.lengths(self.reader, "body")

    def _best(
        self, candidates: np.ndarray, scores: np.ndarray, limit: int, tokens_of: Callable[[int], frozenset[str]]
    ) -> tuple[list[Ranked], int]:
        """The ``limit`` best of the matched documents (``candidates``, ascending,
        with their ``scores``) by score times length prior, and how many matched."""
        total = int(candidates.size)
        if not total:
            return [], 0
        final = scores * length_prior(self.lengths[candidates])
        if total > limit:  # sort only what makes the top: ties at its edge go to the lowest docnums
            edge = np.partition(final, -limit)[-limit]
            above = np.flatnonzero(final > edge)
            at_edge = np.flatnonzero(final == edge)[: limit - above.size]  # candidates ascend: the first ones
            best = np.concatenate((above, at_edge))
            candidates, final = candidates[best], final[best]
        order = np.lexsort((candidates, -final))
        ranked = zip(candidates[order].tolist(), final[order].tolist(), strict=True)
        return [Ranked(docnum, score, tokens_of(docnum)) for docnum, score in ranked], total

    def sparse_weight(self, field: str, token: str) -> tuple[np.ndarray, np.ndarray]:
        """BM25 of ``token`` in ``field`` for the documents holding it only
        (docnums, weights): what a wildcard's many terms are summed from."""
        term = self.postings.term(self.reader, field, token)
        if not term.docnums.size:
            return term.docnums, np.zeros(0)
        idf = self.statistics.idf(field, token)
        average = self.statistics.average_length(field)
        lengths = self.postings.lengths(self.reader, field)[term.docnums]
        tf = term.frequencies
        return term.docnums, idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths / average))

    def _add_phrase_bonus(
        self,
        score: np.ndarray,
        query_plan: Plan,
        matched: np.ndarray,
        has_all: np.ndarray,
        prior: np.ndarray,
        limit: int,
    ) -> None:
        """Add the near and word-for-word bonuses where they can change the top
        ``limit``: a passage whose score with every bonus it could get stays
        below the ``limit``-th best score without bonuses is not looked at."""
        phrases = query_plan.phrase_combinations()
        in_body = {phrase: sum(self.weight("body", t) for t in phrase) for phrase in phrases}
        most = (NEAR_BOOST + EXACT_BOOST) * sum(in_body.values())
        without = (score * prior)[matched]
        threshold = np.partition(without, -limit)[-limit] if without.size >= limit else 0.0
        worth_checking = has_all & ((score + most) * prior >= threshold)
        for phrase in phrases:
            near, exact = self.postings.phrase_docs_among(self.reader, "body", phrase, (NEAR_SLOP, 1), worth_checking)
            score[near] += NEAR_BOOST * in_body[phrase][near]
            score[exact] += EXACT_BOOST * in_body[phrase][exact]

    def _alternative(self, tokens: Tokens) -> np.ndarray:
        if len(tokens) == 1:
            return HEADING_BOOST * self.weight("heading", tokens[0]) + self.weight("body", tokens[0])
        score = np.zeros(self.size)
        for field, boost in (("heading", HEADING_BOOST), ("body", 1.0)):
            docs = self.postings.phrase_docs(self.reader, field, tokens)
            if docs.size:
                score[docs] += boost * sum(self.weight(field, t)[docs] for t in tokens)
        return score

    def weight(self, field: str, token: str) -> np.ndarray:
        """BM25 of ``token`` in ``field`` for every document of the segment (0 where absent)."""
        key = (field, token)
        found = self._weights.get(key)
        if found is None:
            found = np.zeros(self.size)
            docnums, weights = self.sparse_weight(field, token)
            found[docnums] = weights
            self._weights[key] = found
        return found

    def _in_documents(self, doc_ids: list[str]) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        for doc_id in doc_ids:
            mask[self.postings.term(self.reader, "doc_id", doc_id).docnums] = True
        return mask

    def _body_tokens(self, query_plan: Plan, docnum: int, has_all: np.ndarray) -> frozenset[str]:
        """The tokens to mark: small words only where the passage holds every slot."""
        found: set[str] = set()
        for slot in query_plan.slots:
            if not (slot.substantive or has_all[docnum]):
                continue
            for tokens in slot.alternatives:
                if len(tokens) == 1 and self.weight("body", tokens[0])[docnum] > 0:
                    found.add(tokens[0])
                elif len(tokens) > 1 and docnum in self.postings.phrase_docs(self.reader, "body", tokens):
                    found.update(tokens)
        return frozenset(found)


class _Evaluation:
    """A parsed query (Whoosh's query objects, as its parser makes them) worked
    out over one segment's kept postings: each node gives a mask of the
    documents it matches and their score, over the whole segment or over
    ``among`` (documents, ascending, that hold every match).

    - a term or phrase: its BM25 in its field, times the node's boost;
    - a wildcard or prefix: for each document, the best BM25 among the
      segment's terms it expands to (at most ``MAX_EXPANSIONS``);
    - AND and OR: the masks' intersection or union, the scores' sum; NOT and
      AND NOT: the complement, scoring nothing; AND MAYBE: the first part's
      mask, both parts' scores.

    Words the body field matched are kept for the snippet; words under a
    negation are not.
    """

    def __init__(self, scorer: _SegmentScorer, among: np.ndarray | None = None) -> None:
        self.scorer = scorer
        self.among = among
        self.size = scorer.size if among is None else among.size
        self._marked: list[tuple[np.ndarray, str]] = []  # (docnums, token) of the body words matched

    def evaluate(self, node: Query, negated: bool = False) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(node, (And, Or)):
            parts = [self.evaluate(q, negated) for q in node.subqueries]
            if not parts:
                return self._nothing()
            masks = [m for m, _ in parts]
            mask = np.logical_and.reduce(masks) if isinstance(node, And) else np.logical_or.reduce(masks)
            return mask, np.sum([s for _, s in parts], axis=0) * mask * node.boost
        if isinstance(node, AndNot):
            kept, kept_score = self.evaluate(node.a, negated)
            dropped, _ = self.evaluate(node.b, not negated)
            mask = kept & ~dropped
            return mask, kept_score * mask
        if isinstance(node, AndMaybe):
            kept, kept_score = self.evaluate(node.a, negated)
            _, maybe_score = self.evaluate(node.b, negated)
            return kept, (kept_score + maybe_score) * kept
        if isinstance(node, Require):
            kept, kept_score = self.evaluate(node.a, negated)
            required, _ = self.evaluate(node.b, negated)
            return kept & required, kept_score * required
        if isinstance(node, Not):
            mask, _ = self.evaluate(node.query, not negated)
            return ~mask, np.zeros(self.size)
        if isinstance(node, Every):
            return np.ones(self.size, dtype=bool), np.zeros(self.size)
        if isinstance(node, Term) and not isinstance(node, MultiTerm):
            return self._tokens(node.fieldname, (node.text,), 1, node.boost, negated)
        if isinstance(node, Phrase):
            return self._tokens(node.fieldname, tuple(node.words), node.slop, node.boost, negated)
        if isinstance(node, MultiTerm):
            return self._expanding(node, negated)
        if isinstance(node, type(NullQuery)):
            return self._nothing()
        raise UnsupportedQuery(type(node).__name__)

    def holders(self, node: Query) -> np.ndarray | None:
        """The documents that may match ``node``, ascending, where its terms
        tell them without a pass over the segment (None where they don't, as
        under a NOT): a term's or a phrase's first word's postings, an AND's
        smallest part, an OR's parts together when they are few."""
        if isinstance(node, Term) and not isinstance(node, MultiTerm):
            return self._postings_of(node.fieldname, node.text)
        if isinstance(node, Phrase):
            return self._postings_of(node.fieldname, node.words[0]) if node.words else _EMPTY
        if isinstance(node, (AndNot, AndMaybe, Require)):
            return self.holders(node.a)
        if isinstance(node, (And, Or)) and node.subqueries:
            parts = [self.holders(q) for q in node.subqueries]
            known = [p for p in parts if p is not None]
            if isinstance(node, And):
                return min(known, key=len) if known else None
            if len(known) < len(parts) or sum(p.size for p in known) > self.size // UNITED_AT_MOST:
                return None  # sorting long lists together costs more than a pass over the segment
            return functools.reduce(np.union1d, known)
        return None

    def _postings_of(self, field: str, token: str) -> np.ndarray:
        if field not in ("heading", "body"):
            return _EMPTY
        return self.scorer.postings.term(self.scorer.reader, field, token).docnums

    def body_tokens(self, docnum: int) -> frozenset[str]:
        return frozenset(token for docnums, token in self._marked if _holds(docnums, docnum))

    def _tokens(
        self, field: str, tokens: Tokens, slop: int, boost: float, negated: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        if field not in ("heading", "body") or not tokens:
            return self._nothing()
        if len(tokens) == 1:
            docnums, weights = self.scorer.sparse_weight(field, tokens[0])
            score = self._placed(docnums, weights) * boost
            if field == "body" and not negated:
                self._marked.append((docnums, tokens[0]))
            return score > 0, score
        docs = self.scorer.postings.phrase_docs(self.scorer.reader, field, tokens, slop)
        score = self._placed(docs, boost * sum(self.scorer.weight(field, t)[docs] for t in tokens))
        if field == "body" and not negated:
            self._marked.extend((docs, t) for t in tokens)
        return self._placed(docs, np.ones(docs.size)) > 0, score

    def _expanding(self, node: MultiTerm, negated: bool) -> tuple[np.ndarray, np.ndarray]:
        field = node.fieldname
        if field not in ("heading", "body"):
            return self._nothing()
        score = np.zeros(self.size)
        mask = np.zeros(self.size, dtype=bool)
        expansions = itertools.islice(node._btexts(self.scorer.reader), MAX_EXPANSIONS)
        for text in expansions:
            token = text.decode("utf-8") if isinstance(text, bytes) else text
            docnums, weights = self.scorer.sparse_weight(field, token)
            if not docnums.size:
                continue
            if self.among is None:
                mask[docnums] = True
                score[docnums] = np.maximum(score[docnums], weights)
            else:
                placed = self._placed(docnums, weights)
                mask |= placed > 0
                np.maximum(score, placed, out=score)
            if field == "body" and not negated:
                self._marked.append((docnums, token))
        return mask, score * node.boost

    def _placed(self, docnums: np.ndarray, values: np.ndarray) -> np.ndarray:
        """``values`` of the documents ``docnums`` (ascending), in the places of
        this evaluation's documents: 0 where a document is not among them."""
        if docnums is self.among:  # a term's own postings, as for a query of one term
            return values.astype(float)
        placed = np.zeros(self.size)
        if self.among is None:
            placed[docnums] = values
        elif docnums.size and self.size:
            at = np.minimum(np.searchsorted(docnums, self.among), docnums.size - 1)
            held = docnums[at] == self.among
            placed[held] = values[at[held]]
        return placed

    def _nothing(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.size, dtype=bool), np.zeros(self.size)


class UnsupportedQuery(Exception):
    """A query node kb does not evaluate (none that kb's parser makes)."""


def _holds(docnums: np.ndarray, docnum: int) -> bool:
    at = int(np.searchsorted(docnums, docnum))
    return at < docnums.size and int(docnums[at]) == docnum
