"""The read side: parsing a query, ranking passages, marking matches.

Users type Whoosh query syntax (quoted phrases, AND/OR/NOT, ``heading:``);
anything it cannot parse is searched as plain words rather than refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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

from kb.expand import Plan, Slot, Tokens, Vocabulary, plan
from kb.index import ANALYZER, SCHEMA, Index, passage_from_record, read_document, read_vocabulary
from kb.model import Document, Hit

MARK_START, MARK_END = "[[", "]]"
HEADING_BOOST = 2.0
# Extra weight for a passage holding every word of a plain query, and more
# again when they stand within a few words of each other.
ALL_WORDS_BOOST = 1.5
NEAR_BOOST = 2.0
NEAR_SLOP = 6
EXACT_BOOST = 2.0
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
    expanded: list[str] = field(default_factory=list)  # e.g. "CoP → community-oriented policing"
    suggestion: str | None = None  # "did you mean", when a word is unknown to the index


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


def analyze(text: str) -> list[str]:
    """The index's tokens for ``text``: lower-cased, stemmed, every word kept."""
    return [token.text for token in ANALYZER(text)]


def analyze_with_spans(text: str) -> list[tuple[str, int, int]]:
    """``analyze`` with where each token stands in ``text``."""
    return [(token.text, token.startchar, token.endchar) for token in ANALYZER(text, chars=True)]


def parse_query(text: str, vocabulary: Vocabulary | None = None) -> tuple[Query, list[str]]:
    """The query for ``text`` and the expansions applied. Never raises: what
    Whoosh cannot parse becomes plain words.

    Plain words (no quotes, operators or fields) match a passage holding any
    word of substance; a passage with every word ranks higher, more so with the
    words close together, and most with the words in order. Small words ("by",
    "of") count only inside those, so "policing by consent" does not match
    every passage with "by". With a vocabulary, each word also matches what
    the documents say means the same (see ``kb.expand``).
    """
    if not analyze(text):
        return NullQuery, []
    if not _SYNTAX.search(text):
        query_plan = plan(text, vocabulary, analyze, STOP_WORDS)
        return _plan_query(query_plan), query_plan.expanded
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


def _plan_query(query_plan: Plan) -> Query:
    slots = query_plan.slots
    if not slots:
        return NullQuery
    substantive = [s for s in slots if s.substantive] or slots
    anywhere = Or([_slot_query(s) for s in substantive])
    if len(slots) == 1:
        return anywhere
    all_words = And([_slot_query(s) for s in slots], boost=ALL_WORDS_BOOST)
    phrases = query_plan.phrase_combinations()
    near = Or([Phrase("body", list(p), slop=NEAR_SLOP) for p in phrases], boost=NEAR_BOOST)
    exact = Or([Phrase("body", list(p)) for p in phrases], boost=EXACT_BOOST)
    return Or([anywhere, all_words, near, exact])


def _slot_query(slot: Slot) -> Query:
    return Or([_tokens_query(tokens) for tokens in slot.alternatives])


def _tokens_query(tokens: Tokens) -> Query:
    if len(tokens) == 1:
        return _word(tokens[0])
    return Or([Phrase("heading", list(tokens), boost=HEADING_BOOST), Phrase("body", list(tokens))])


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
    index: Index, text: str, limit: int = 10, doc_ids: list[str] | None = None, literal: bool = False
) -> SearchResult:
    passages_only = Term("kind", "passage")
    if doc_ids is not None:
        passages_only = And([passages_only, Or([Term("doc_id", d) for d in doc_ids])])

    # optimize=False: Whoosh's block-quality skipping can loop forever on
    # OR queries (whoosh-community/whoosh#446, #461); kb's indexes are small
    # enough that scoring every match costs little. More than `limit` hits
    # are fetched so that the length prior can reorder them.
    options = {"limit": max(limit * 3, 30), "filter": passages_only, "optimize": False}

    def run(searcher: Searcher) -> SearchResult:
        vocabulary = None if literal else Vocabulary.from_pairs(*read_vocabulary(searcher))
        query, expanded = parse_query(text, vocabulary)
        try:
            results = searcher.search(query, terms=True, **options)
        except Exception:
            # A parse Whoosh accepted but cannot run (say, a phrase on a field
            # without positions): fall back to the plain words.
            results = searcher.search(_any_word(analyze(text)), **options)
        results.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=50)
        results.formatter = _MarkFormatter()
        documents: dict[str, Document] = {}  # only the documents the hits come from
        ranked = sorted(((hit.score * _length_prior(hit["body"]), hit) for hit in results), key=lambda pair: -pair[0])[
            :limit
        ]
        hits = []
        for rank, (score, hit) in enumerate(ranked, start=1):
            passage = passage_from_record(hit.fields())
            snippet = hit.highlights("body", top=2) or _opening(passage.text)
            if passage.doc_id not in documents:
                documents[passage.doc_id] = read_document(searcher, passage.doc_id)
            hits.append(Hit(rank, round(score, 4), passage, documents[passage.doc_id], snippet))
        suggestion = _suggestion(searcher, text, nothing_found=not hits)
        return SearchResult(text, len(results), hits, expanded, suggestion)

    return index.read(run)


def _length_prior(text: str) -> float:
    """A bare heading or one line of a list must not outrank the sections that
    explain a term: passages under about 18 words are scored down."""
    return min(1.0, 0.3 + len(text.split()) / 25)


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


def _opening(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= SNIPPET_CHARS:
        return flat
    return flat[:SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"
