"""The read side: parsing a query, ranking passages, marking matches.

Users type Whoosh query syntax (quoted phrases, AND/OR/NOT, ``heading:``);
anything it cannot parse is searched as plain words rather than refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from whoosh import highlight
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

from kb.index import ANALYZER, SCHEMA, Index, passage_from_record, read_documents
from kb.model import Hit

MARK_START, MARK_END = "[[", "]]"
HEADING_BOOST = 2.0
# Extra weight for a passage holding every word of a plain query, and more
# again when they stand within a few words of each other.
ALL_WORDS_BOOST = 1.5
NEAR_BOOST = 2.0
NEAR_SLOP = 6
# A snippet is at most two fragments of about this many characters: three to
# five lines in an 80-column terminal.
SNIPPET_CHARS = 160

_CLOSING_PUNCTUATION = ".,;:!?)]\"'’”"
_SEARCHABLE = Schema(heading=SCHEMA["heading"], body=SCHEMA["body"])
_SYNTAX = re.compile(r"[\"():*?~^\[\]{}]|\b(AND|OR|NOT|ANDNOT|ANDMAYBE)\b")


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    hits: list[Hit]


class _MarkFormatter(highlight.Formatter):
    """Marks matches as [[word]]; an ellipsis shows where the text was cut."""

    def format_token(self, text, token, replace=False):
        return MARK_START + highlight.get_text(text, token, replace) + MARK_END

    def format(self, fragments, replace=False):
        if not fragments:
            return ""
        text = fragments[0].text
        out = ["…" if text[: fragments[0].startchar].strip() else ""]
        for n, fragment in enumerate(fragments):
            if n:
                gap = text[fragments[n - 1].endchar : fragment.startchar]
                out.append(" … " if gap.strip() else " ")
            out.append(self.format_fragment(fragment, replace).strip())
        rest = text[fragments[-1].endchar :].strip()
        out.append("…" if rest.strip(_CLOSING_PUNCTUATION) else rest)
        return "".join(out)


def parse_query(text: str) -> Query:
    """The query for ``text``. Never raises: what Whoosh cannot parse becomes plain words.

    Plain words (no quotes, operators or fields) match a passage holding any
    word of substance; a passage with every word, and more so with the words
    close together, ranks higher. Small words ("by", "of") count only inside
    those two, so "policing by consent" does not match every passage with "by".
    """
    words = [token.text for token in ANALYZER(text)]
    if not words:
        return NullQuery
    if not _SYNTAX.search(text):
        substantive = [w for w in words if w not in STOP_WORDS] or words
        anywhere = _any_word(substantive)
        if len(words) == 1:
            return anywhere
        all_words = And([_word(w) for w in words], boost=ALL_WORDS_BOOST)
        near = Phrase("body", words, slop=NEAR_SLOP, boost=NEAR_BOOST)
        return Or([anywhere, all_words, near])
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
        return _any_word(words)
    return _any_word(words) if query is NullQuery else query


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


def search(index: Index, text: str, limit: int = 10, doc_ids: list[str] | None = None) -> SearchResult:
    query = parse_query(text)
    passages_only = Term("kind", "passage")
    if doc_ids is not None:
        passages_only = And([passages_only, Or([Term("doc_id", d) for d in doc_ids])])

    # optimize=False: Whoosh's block-quality skipping can loop forever on
    # OR queries (whoosh-community/whoosh#446, #461); kb's indexes are small
    # enough that scoring every match costs little.
    options = {"limit": limit, "filter": passages_only, "optimize": False}

    def run(searcher: Searcher) -> SearchResult:
        try:
            results = searcher.search(query, terms=True, **options)
        except Exception:
            # A parse Whoosh accepted but cannot run (say, a phrase on a field
            # without positions): fall back to the plain words.
            results = searcher.search(_any_word([t.text for t in ANALYZER(text)]), **options)
        results.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=50)
        results.formatter = _MarkFormatter()
        documents = {d.id: d for d in read_documents(searcher)}
        hits = []
        for rank, hit in enumerate(results, start=1):
            passage = passage_from_record(hit.fields())
            snippet = hit.highlights("body", top=2) or _opening(passage.text)
            hits.append(Hit(rank, round(hit.score, 4), passage, documents[passage.doc_id], snippet))
        return SearchResult(text, len(results), hits)

    return index.read(run)


def _opening(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= SNIPPET_CHARS:
        return flat
    return flat[:SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"
