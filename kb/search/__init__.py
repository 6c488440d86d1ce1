"""The read side: parsing a query, ranking passages, marking matches.

Plain words and quoted phrases, nearly every query people type, are planned
in the field's vocabulary (``kb.search.plan``) and ranked by ``kb.search.rank``. Queries
with operators or fields (AND/OR/NOT, ``heading:``, wildcards) go to Whoosh's
parser and searcher; anything it cannot parse is searched as plain words
rather than refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from whoosh.analysis import STOP_WORDS
from whoosh.fields import Schema
from whoosh.qparser import (
    EveryPlugin,
    FieldAliasPlugin,
    MultifieldParser,
    OrGroup,
    RangePlugin,
)
from whoosh.query import And, AndNot, Every, Not, NullQuery, Or, Phrase, Query, Term
from whoosh.searching import Searcher

from kb.index import SCHEMA, Index, StateCache, documents_by_id, passage_from_record, read_vocabulary, tokenize
from kb.model import Hit
from kb.search.plan import Tokens, Vocabulary, plan
from kb.search.postings import segment_postings
from kb.search.rank import HEADING_BOOST, Ranked, length_prior, rank
from kb.search.snippet import snippet

KEPT_HITS = 100
_SEARCHABLE = Schema(heading=SCHEMA["heading"], body=SCHEMA["body"])
_OPERATORS = re.compile(r"[():*?~^\[\]{}]|\b(AND|OR|NOT|ANDNOT|ANDMAYBE)\b")


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    hits: list[Hit]
    expanded: list[str] = field(default_factory=list)  # e.g. "CoP → community-oriented policing"
    suggestion: str | None = None  # "did you mean", when a word is unknown to the index


def analyze(text: str) -> list[str]:
    """The index's tokens for ``text``: lower-cased, stemmed, every word kept."""
    return [token for token, _, _ in tokenize(text)]


def parse_query(text: str, vocabulary: Vocabulary | None = None) -> tuple[Query, list[str]]:
    """The Whoosh query for a query with operators or fields, and the expansions
    applied. Never raises: what Whoosh cannot parse becomes plain words."""
    parser = MultifieldParser(
        ["heading", "body"],
        _SEARCHABLE,
        fieldboosts={"heading": HEADING_BOOST},
        group=OrGroup.factory(0.9),
    )
    parser.remove_plugin_class(RangePlugin)
    parser.remove_plugin_class(EveryPlugin)
    parser.add_plugin(FieldAliasPlugin({"body": ["text"]}))
    try:
        query = _negations_exclude(parser.parse(text))
    except Exception:
        query = NullQuery
    if query is NullQuery:
        return _any_word(analyze(text)), []
    if vocabulary is None:
        return query, []
    return _expand_parsed(query, text, vocabulary)


def is_plain(text: str) -> bool:
    """Words and quoted phrases only: ranked by ``kb.search.rank``, not by Whoosh."""
    return not _OPERATORS.search(text) and text.count('"') % 2 == 0


def _expand_parsed(query: Query, text: str, vocabulary: Vocabulary) -> tuple[Query, list[str]]:
    """Give the words and quoted phrases of a parsed query their alternatives."""
    expanded: list[str] = []
    by_tokens: dict[Tokens, list[Tokens]] = {}
    for segment in [*re.findall(r'"([^"]+)"', text), *re.sub(r'"[^"]*"', " ", text).split()]:
        if segment in ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"):
            continue
        segment_plan = plan(segment.split(":")[-1], vocabulary, analyze)
        combinations = segment_plan.phrase_combinations()
        if len(combinations) > 1:
            by_tokens[combinations[0]] = combinations
            expanded.extend(segment_plan.expanded)

    def rewrite(node: Query) -> Query:
        if isinstance(node, Term) and node.fieldname in ("body", "heading"):
            alternatives = by_tokens.get((node.text,))
        elif isinstance(node, Phrase) and node.fieldname in ("body", "heading"):
            alternatives = by_tokens.get(tuple(node.words))
        else:
            return node.apply(rewrite)
        if not alternatives:
            return node
        return Or([_field_tokens(node.fieldname, a, node.boost) for a in alternatives])

    return rewrite(query), list(dict.fromkeys(expanded))


def _field_tokens(fieldname: str, tokens: Tokens, boost: float) -> Query:
    if len(tokens) == 1:
        return Term(fieldname, tokens[0], boost=boost)
    return Phrase(fieldname, list(tokens), boost=boost)


def _negations_exclude(query: Query) -> Query:
    """Make ``a NOT b`` mean "a without b" under the OR grouping.

    Whoosh's parser groups ``a NOT b`` as ``a OR (NOT b)`` when words are
    OR-ed, which matches nearly everything; a person means ``a ANDNOT b``.
    """
    if not isinstance(query, (And, Or)):
        return query
    query.subqueries = [_negations_exclude(q) for q in query.subqueries]
    if not isinstance(query, Or):
        return query
    excluded = [q.query for q in query.subqueries if isinstance(q, Not)]
    if not excluded:
        return query
    query.subqueries = [q for q in query.subqueries if not isinstance(q, Not)]
    kept = query if query.subqueries else Every()
    return AndNot(kept, Or(excluded))


def _word(token: str) -> Query:
    return Or([Term("heading", token, boost=HEADING_BOOST), Term("body", token)])


def _any_word(tokens: list[str]) -> Query:
    return Or([_word(t) for t in tokens]) if tokens else NullQuery


def search(
    index: Index,
    text: str,
    limit: int = 10,
    doc_ids: list[str] | None = None,
    literal: bool = False,
    kept: StateCache | None = None,
) -> SearchResult:
    """Ranked passages for ``text``. With ``kept`` (a server's), answers of up to
    ``KEPT_HITS`` hits are kept per index state and a repeated search is
    answered from there; deep pages, rarely asked for, would cost the most memory."""

    def run(searcher: Searcher) -> SearchResult:
        if kept is None or limit > KEPT_HITS:
            return _search(searcher, text, limit, doc_ids, literal)
        key = (text, limit, tuple(doc_ids) if doc_ids is not None else None, literal)
        return kept.get(searcher, key, lambda: _search(searcher, text, limit, doc_ids, literal))

    return index.read(run)


def prepare(index: Index, common_words: int = 100) -> None:
    """Read what every search needs (the vocabulary, the document list, each
    segment's field lengths) and the postings and places of its most common
    words, so that a server's first searches need not."""

    def load(searcher: Searcher) -> None:
        read_vocabulary(searcher)
        documents_by_id(searcher)
        for reader, _ in searcher.reader().leaf_readers():
            kept = segment_postings(reader)
            for fieldname in ("body", "heading"):
                kept.lengths(reader, fieldname)
            for _, token in reader.most_frequent_terms("body", number=common_words):
                kept.term(reader, "body", token.decode()).occurrences()

    index.read(load)


def _search(searcher: Searcher, text: str, limit: int, doc_ids: list[str] | None, literal: bool) -> SearchResult:
    vocabulary = None if literal else read_vocabulary(searcher)
    if not analyze(text):
        ranked, total, expanded = [], 0, []
    elif is_plain(text):
        query_plan = plan(text, vocabulary, analyze, STOP_WORDS)
        ranked, total = rank(searcher, query_plan, limit, doc_ids)
        expanded = query_plan.expanded
    else:
        query, expanded = parse_query(text, vocabulary)
        ranked, total = _whoosh_rank(searcher, query, text, limit, doc_ids)
    documents = documents_by_id(searcher)
    hits = []
    for number, found in enumerate(ranked, start=1):
        passage = passage_from_record(searcher.stored_fields(found.docnum))
        hits.append(
            Hit(number, round(found.score, 4), passage, documents[passage.doc_id], snippet(passage.text, found.tokens))
        )
    suggestion = _suggestion(searcher, text, nothing_found=not hits)
    return SearchResult(text, total, hits, expanded, suggestion)


def _whoosh_rank(
    searcher: Searcher, query: Query, text: str, limit: int, doc_ids: list[str] | None
) -> tuple[list[Ranked], int]:
    passages_only = Term("kind", "passage")
    if doc_ids is not None:
        passages_only = And([passages_only, Or([Term("doc_id", d) for d in doc_ids])])
    # optimize=False: Whoosh's block-quality skipping can loop forever on
    # OR queries (whoosh-community/whoosh#446, #461). More than `limit` hits
    # are fetched so that the length prior can reorder them.
    options = {"limit": max(limit * 3, 30), "filter": passages_only, "optimize": False, "terms": True}
    try:
        results = searcher.search(query, **options)
    except Exception:
        # A parse Whoosh accepted but cannot run (say, a phrase on a field
        # without positions): fall back to the plain words.
        results = searcher.search(_any_word(analyze(text)), **options)
    hits = list(results)
    priors = length_prior(np.array([len(hit["body"].split()) for hit in hits], dtype=np.float64))
    ranked = [
        Ranked(
            hit.docnum,
            hit.score * float(prior),
            frozenset(token.decode() for fieldname, token in hit.matched_terms() if fieldname == "body"),
        )
        for hit, prior in zip(hits, priors, strict=True)
    ]
    # Counted apart: with optimize=False, Whoosh's len(results) counts only
    # part of the matches while saying the count is exact.
    total = sum(1 for _ in searcher.docs_for_query(And([passages_only, results.q])))
    return sorted(ranked, key=lambda r: (-r.score, r.docnum))[:limit], total


def _suggestion(searcher: Searcher, text: str, nothing_found: bool) -> str | None:
    """The query with each word the index does not know replaced by the
    nearest word it does know, if that changes anything."""
    reader = searcher.reader()
    corrector = searcher.corrector("body")
    changed = False
    words = []
    for word in re.split(r"(\W+)", text):
        tokens = analyze(word) if word.isalpha() else []
        unknown = tokens and all(reader.doc_frequency("body", t) == 0 for t in tokens)
        if unknown and (nothing_found or len(word) > 3) and not word.isupper():
            found = corrector.suggest(word.casefold(), limit=1, maxdist=2)
            if found and found[0] != word.casefold():
                word, changed = found[0], True
        words.append(word)
    return "".join(words) if changed else None
