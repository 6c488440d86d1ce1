"""Queries with operators, fields or wildcards, parsed by Whoosh's parser into
its query objects, which ``kb.search.rank`` evaluates over kept postings.

Plain words and quoted phrases are not parsed here: ``kb.search.plan`` plans them.
"""

from __future__ import annotations

import re
import threading

from whoosh.fields import Schema
from whoosh.qparser import EveryPlugin, FieldAliasPlugin, MultifieldParser, OrGroup, RangePlugin
from whoosh.query import And, AndNot, Every, Not, NullQuery, Or, Phrase, Query, Term

from kb.index import SCHEMA, tokenize
from kb.search.plan import plan
from kb.search.rank import HEADING_BOOST
from kb.vocabulary import Tokens, Vocabulary

_SEARCHABLE = Schema(heading=SCHEMA["heading"], body=SCHEMA["body"])
_OPERATORS = re.compile(r"[():*?~^\[\]{}]|\b(AND|OR|NOT|ANDNOT|ANDMAYBE)\b")


def analyze(text: str) -> list[str]:
    """The index's tokens for ``text``: lower-cased, stemmed, every word kept."""
    return [token for token, _, _ in tokenize(text)]


def parse_query(text: str, vocabulary: Vocabulary | None = None) -> tuple[Query, list[str]]:
    """The Whoosh query for a query with operators or fields, and the expansions
    applied. Never raises: what Whoosh cannot parse becomes plain words."""
    try:
        query = _negations_exclude(_parser().parse(text))
    except Exception:
        query = NullQuery
    if query is NullQuery:
        return any_word(analyze(text)), []
    if vocabulary is None:
        return query, []
    return _expand_parsed(query, text, vocabulary)


def _parser() -> MultifieldParser:
    """This thread's parser: making one costs more than most searches."""
    parser = getattr(_made, "parser", None)
    if parser is None:
        parser = MultifieldParser(
            ["heading", "body"],
            _SEARCHABLE,
            fieldboosts={"heading": HEADING_BOOST},
            group=OrGroup.factory(0.9),
        )
        parser.remove_plugin_class(RangePlugin)
        parser.remove_plugin_class(EveryPlugin)
        parser.add_plugin(FieldAliasPlugin({"body": ["text"]}))
        _made.parser = parser
    return parser


_made = threading.local()


def without_question_marks(text: str) -> str:
    """The query with the question marks that end words taken out: they are a
    question's ("what is a VIS?"), not wildcards, which stand inside a word
    ("wom?n")."""
    return _QUESTION_MARK.sub("", text)


def is_plain(text: str) -> bool:
    """Words and quoted phrases only, planned by ``kb.search.plan`` (not parsed by Whoosh's parser)."""
    return not _OPERATORS.search(text) and text.count('"') % 2 == 0


_QUESTION_MARK = re.compile(r"(?<=\w)\?+(?=\s|$)")


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


def any_word(tokens: list[str]) -> Query:
    return Or([_word(t) for t in tokens]) if tokens else NullQuery
