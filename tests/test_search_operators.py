"""Queries with operators, fields and wildcards, ranked by kb over its kept
postings: they match exactly what Whoosh's own searcher matches, and rank on
the same BM25 as plain queries."""

import random

import pytest
from whoosh.query import And, Term

from kb import KnowledgeBase
from kb.search import parse_query

WORDS = "trust youth patrol patrols patrolling policing police consent rule law officer school schools partners".split()
QUERIES = [
    "trust AND youth",
    "trust OR patrol*",
    "heading:rule",
    "polic* AND NOT youth",
    '"rule of law" OR consent',
    "tru*",
    "pa?rol",
    "(trust OR consent) AND NOT heading:youth",
    "trust ANDMAYBE youth",
    "text:officer",
    '"trust youth"~4',
    "NOT trust",
    "school* AND (law OR rule) AND NOT officer",
    "heading:(trust OR youth) AND body:schools",
    "trust^3 OR youth",
    "heading:trust OR body:youth OR consent",
    '"trust youth"~4 AND (police OR patrol)',
    "trust AND NOT youth AND (police OR consent)",
]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory) -> KnowledgeBase:
    rng = random.Random(4)
    folder = tmp_path_factory.mktemp("docs")
    for n in range(12):
        sections = []
        for _ in range(6):
            heading = " ".join(rng.sample(WORDS, 2)).title()
            body = " ".join(rng.choice([*WORDS, "of", "the", "and", "with"]) for _word in range(rng.randint(8, 60)))
            sections.append(f"## {heading}\n\n{body}.\n")
        (folder / f"doc{n}.md").write_text(f"# Doc {n}\n\n" + "\n".join(sections), encoding="utf-8")
    knowledge_base = KnowledgeBase(tmp_path_factory.mktemp("index") / "index")
    knowledge_base.add([folder])
    # One document removed, so that deleted records are in the segments.
    knowledge_base.remove("doc3")
    return knowledge_base


def whoosh_matches(knowledge_base: KnowledgeBase, text: str) -> set[str]:
    query, _ = parse_query(text)

    def run(searcher) -> set[str]:
        found = searcher.docs_for_query(And([Term("kind", "passage"), query]))
        return {searcher.stored_fields(docnum)["id"] for docnum in found}

    return knowledge_base.index.read(run)


@pytest.mark.parametrize("text", QUERIES)
def test_operator_queries_match_what_whoosh_matches(indexed, text):
    result = indexed.search(text, limit=1000, literal=True)
    expected = whoosh_matches(indexed, text)
    assert expected, f"{text!r} should match something in this corpus"
    assert {hit.passage.id for hit in result.hits} == expected
    assert result.total == len(expected)
    scores = [hit.score for hit in result.hits]
    assert scores == sorted(scores, reverse=True)


def test_a_term_scores_the_same_as_an_operator_query_and_as_a_plain_query(indexed):
    plain = indexed.search("consent", limit=50, literal=True)
    field = indexed.search("body:consent OR heading:consent^2", limit=50, literal=True)
    assert [(h.passage.id, h.score) for h in plain.hits] == [(h.passage.id, h.score) for h in field.hits]


def test_negated_words_are_not_marked_in_snippets(indexed):
    result = indexed.search("trust AND NOT youth", limit=5, literal=True)
    assert result.hits
    for hit in result.hits:
        assert "[[trust" in hit.snippet.lower() or "[[Trust" in hit.snippet
        assert "youth" not in hit.passage.text.lower()


def test_a_wildcard_marks_the_words_it_stood_for(indexed):
    result = indexed.search("patrol*", limit=3, literal=True)
    assert result.hits and all("[[patrol" in hit.snippet.lower() for hit in result.hits)


def test_a_question_mark_ending_a_word_is_punctuation_in_operator_queries_too(indexed):
    asked = indexed.search("trust AND youth?", limit=1000, literal=True)
    assert asked.query == "trust AND youth?"
    assert {h.passage.id for h in asked.hits} == whoosh_matches(indexed, "trust AND youth")


def test_a_query_worked_out_among_its_holders_ranks_as_over_the_whole_segment(indexed, monkeypatch):
    """Field and rare-word queries are worked out among the documents their
    terms name (kb.search.rank.AMONG_AT_MOST); the answer must be the same,
    scores and tie order included, as over every document of the segment."""
    import importlib

    rank = importlib.import_module("kb.search.rank")
    answers = {}
    for among_at_most in (1, 10**9):  # always where the terms tell the holders; never
        monkeypatch.setattr(rank, "AMONG_AT_MOST", among_at_most)
        answers[among_at_most] = [
            (result.total, [(hit.passage.id, hit.score) for hit in result.hits])
            for result in (indexed.search(text, limit=20, literal=True) for text in QUERIES)
        ]
    assert answers[1] == answers[10**9]


def test_ties_at_the_edge_of_the_top_go_to_the_earliest_passages(tmp_path):
    """Many passages of one score: the ten shown are the first ten indexed, as
    a full sort by score and then by order would give."""
    folder = tmp_path / "docs"
    folder.mkdir()
    body = "\n\n".join(f"## Patrol notes {n}\n\nRoutine entry." for n in range(40))
    (folder / "log.md").write_text(f"# Log\n\n{body}\n", encoding="utf-8")
    knowledge_base = KnowledgeBase(tmp_path / "index")
    knowledge_base.add([folder])
    result = knowledge_base.search("heading:patrol", limit=10, literal=True)
    assert result.total == 40 and len({hit.score for hit in result.hits}) == 1
    assert [hit.passage.heading_path[-1] for hit in result.hits] == [f"Patrol notes {n}" for n in range(10)]
