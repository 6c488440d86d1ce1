"""The read side: a query in, ranked passages with snippets out.

Plain words and quoted phrases, nearly every query people type, are planned
in the documents' vocabulary (``plan``); queries with operators, fields or
wildcards (AND/OR/NOT, ``heading:``, ``polic*``) are parsed by Whoosh's parser
(``query``); anything it cannot parse is searched as plain words rather than
refused. Both are ranked by ``rank`` from the postings ``postings`` keeps;
the passages ranked first are read through ``records``, which keeps them, and
``snippet`` marks what matched. Whoosh itself only stores and parses.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field, replace

from whoosh.analysis import STOP_WORDS as _WHOOSH_STOP_WORDS
from whoosh.searching import Searcher

from kb.editions import group_copies
from kb.index import Index, StateCache, documents_by_id, read_vocabulary, read_word_list
from kb.model import Hit, Passage
from kb.search.plan import plan
from kb.search.postings import segment_postings
from kb.search.query import analyze, any_word, is_plain, parse_query, without_question_marks
from kb.search.rank import Ranked, UnsupportedQuery, rank, rank_query
from kb.search.records import read_passages
from kb.search.snippet import snippet

KEPT_HITS = 100
SPREAD_TOP, PER_SECTION = 10, 2  # see _spread
SPREAD_POOL = 20  # passages ranked beyond the limit, to fill the places _spread frees
# Words that carry no topic: they count only with the words around them
# (in a phrase, or where a passage holds every word of the query), never alone.
# Whoosh's list lacks the words questions are made of.
QUESTION_WORDS = frozenset(
    "how what why who whom whose where which when should would could can do does did must shall "
    "i me my we our you your they them their there he she his her its about into than then so such get".split()
)
# As typed and as the analyzer stems them ("does" -> "doe"): plans hold stems.
STOP_WORDS = frozenset(form for word in _WHOOSH_STOP_WORDS | QUESTION_WORDS for form in (word, *analyze(word)))
FEW_HITS = 3  # below this, a query with a word the index does not know gets a suggestion
_OPERATOR_WORDS = re.compile(r"AND|OR|NOT|ANDNOT|ANDMAYBE")


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    hits: list[Hit]
    expanded: list[str] = field(default_factory=list)  # e.g. "CoP → community-oriented policing"
    suggestion: str | None = None  # "did you mean", when a word is unknown and hits are few
    corrected: str | None = None  # what was searched instead, when the query as typed found nothing


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


def prepare(index: Index) -> None:
    """Read what every search needs: the vocabulary, the document list and
    each segment's field lengths, so that a server's first searches need not.
    A few block reads, quick at any size (``warm`` does the slow part)."""

    def load(searcher: Searcher) -> None:
        read_vocabulary(searcher)
        documents_by_id(searcher)
        for reader, _ in searcher.reader().leaf_readers():
            kept = segment_postings(reader)
            for fieldname in ("body", "heading"):
                kept.lengths(reader, fieldname)

    index.read(load)


def warm(
    index: Index,
    common_words: int = 100,
    stop: threading.Event | None = None,
    quiet: threading.Event | None = None,
) -> None:
    """Read the postings of the index's most common words, one word per read,
    so that a server can do it after start-up without holding up a search
    for longer than one word takes. A server clears ``quiet`` while it
    answers: warming waits for it between words, since a thread that decodes
    postings takes the interpreter from a request for 5 ms at every turn
    (at 100,000 passages that doubled the time to a first answer). Places are
    decoded when a search needs them."""

    def common(searcher: Searcher) -> list[str]:
        return [t.decode() for _, t in searcher.reader().most_frequent_terms("body", number=common_words)]

    def stopped() -> bool:
        return stop is not None and stop.is_set()

    for token in index.read(common):
        while quiet is not None and not quiet.wait(0.05):
            if stopped():
                return
        if stopped():
            return

        def load(searcher: Searcher, token: str = token) -> None:
            for reader, _ in searcher.reader().leaf_readers():
                segment_postings(reader).term(reader, "body", token)

        index.read(load)


def _search(searcher: Searcher, text: str, limit: int, doc_ids: list[str] | None, literal: bool) -> SearchResult:
    result = _ranked(searcher, text, limit, doc_ids, literal)
    if result.total >= FEW_HITS:
        return result
    suggestion = _suggestion(searcher, text)
    if suggestion is None:
        return result
    if result.total == 0 and not literal:
        corrected = _ranked(searcher, suggestion, limit, doc_ids, literal)
        if corrected.total:
            return replace(corrected, query=text, corrected=suggestion)
    return replace(result, suggestion=suggestion)


def _ranked(searcher: Searcher, typed: str, limit: int, doc_ids: list[str] | None, literal: bool) -> SearchResult:
    vocabulary = None if literal else read_vocabulary(searcher)
    text = without_question_marks(typed)
    if not analyze(text):
        ranked, total, expanded = [], 0, []
    elif is_plain(text):
        query_plan = plan(text, vocabulary, analyze, STOP_WORDS)
        ranked, total = rank(searcher, query_plan, limit + SPREAD_POOL, doc_ids)
        expanded = query_plan.expanded
    else:
        query, expanded = parse_query(text, vocabulary)
        try:
            ranked, total = rank_query(searcher, query, limit + SPREAD_POOL, doc_ids)
        except UnsupportedQuery:
            ranked, total = rank_query(searcher, any_word(analyze(text)), limit + SPREAD_POOL, doc_ids)
    read = read_passages(searcher, [r.docnum for r in ranked])
    found = [(r, passage) for r, (passage, _) in zip(ranked, read, strict=True)]
    documents = documents_by_id(searcher)
    grouped = group_copies([(passage, documents[passage.doc_id]) for _, passage in found], [w for _, w in read])
    leading = [(found[lead], tuple(also)) for lead, also in grouped]
    hits = [
        Hit(number, round(r.score, 4), passage, documents[passage.doc_id], snippet(passage.text, r.tokens), also)
        for number, ((r, passage), also) in enumerate(_spread(leading)[:limit], start=1)
    ]
    return SearchResult(typed, total, hits, expanded)


def _spread(found: list[tuple[tuple[Ranked, Passage], tuple]]) -> list[tuple[tuple[Ranked, Passage], tuple]]:
    """The ranking with at most ``PER_SECTION`` passages of one section among
    the first ``SPREAD_TOP``: a long section's neighbouring passages must not
    crowd out the other sections that answer. The passages moved down keep
    their order, after the others of the first places."""
    shown: dict[tuple[str, tuple[str, ...]], int] = {}
    first, moved = [], []
    for item in found:
        passage = item[0][1]
        section = (passage.doc_id, passage.heading_path)
        if len(first) < SPREAD_TOP and shown.get(section, 0) >= PER_SECTION:
            moved.append(item)
            continue
        shown[section] = shown.get(section, 0) + 1
        first.append(item)
        if len(first) == SPREAD_TOP:
            first.extend(moved)
            moved = []
    return first + moved


def _suggestion(searcher: Searcher, text: str) -> str | None:
    """The query with each word the index does not know replaced by the
    nearest word the documents use, if that changes anything. Operators,
    field names, wildcards and acronyms are left as typed."""
    reader = searcher.reader()
    words = read_word_list(searcher)
    changed = False
    parts = []
    for part in re.split(r"([\s\"()/-]+)", text):
        word = part.split(":")[-1]
        replacement = None
        if word.isalpha() and not word.isupper() and not _OPERATOR_WORDS.fullmatch(word):
            tokens = analyze(word)
            if all(reader.doc_frequency("body", t) == 0 and reader.doc_frequency("heading", t) == 0 for t in tokens):
                replacement = words.nearest(word)
        if replacement is not None:
            part, changed = part[: len(part) - len(word)] + replacement, True
        parts.append(part)
    return "".join(parts) if changed else None


__all__ = ["STOP_WORDS", "SearchResult", "analyze", "parse_query", "prepare", "search", "warm"]
