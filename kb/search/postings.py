"""Postings of each index segment, read once and kept as numpy arrays.

Whoosh scores a query by walking a tree of matcher objects in Python, posting
by posting: on 10,000 passages a seven-word question took 300–450 ms. kb reads
a term's postings once per segment instead and ranks plain queries with array
arithmetic (``kb.search.rank``). A Whoosh segment never changes once written, except
that documents in it get marked deleted. So what is read of a segment is kept
under its id, deleted documents included, and right across later commits; the
documents deleted by then are left out when a search scores them
(``SegmentPostings.live``). A server keeps it all for every search that follows.
"""

from __future__ import annotations

import functools
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.reading import IndexReader, TermNotFound
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

# Bounds on what one process keeps: segments (an index has a few; a rebuild
# makes new ones), postings per segment (about 30 bytes each, or 8 per
# position once decoded) and matched phrases per segment.
MAX_SEGMENTS = 16
MAX_POSTINGS_PER_SEGMENT = 8_000_000
MAX_PHRASES_PER_SEGMENT = 20_000

_EMPTY = np.zeros(0, dtype=np.int64)
_NO_BYTES = np.zeros(0, dtype=np.uint8)
_decoding = threading.Lock()


class TermPostings:
    """One term's postings in one segment. The places stay as Whoosh encodes
    them, all postings' bytes in one buffer, until a phrase needs them: a
    bytes object per posting took twice the memory, so that half as many
    postings could be kept."""

    def __init__(self, docnums: np.ndarray, frequencies: np.ndarray, encoded: Sequence[bytes]) -> None:
        self.docnums = docnums  # ascending, numbered within the segment
        self.frequencies = frequencies
        if len(encoded) and encoded[0] is None:  # a field that keeps no places, as an ID
            encoded = [b""] * len(encoded)
        sizes = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        self._bounds = np.concatenate(([0], np.cumsum(sizes)))  # posting n's bytes: bounds[n] to bounds[n + 1]
        self._encoded = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        self._occurrences: np.ndarray | None = None
        self._decoded_in_part = False

    def occurrences(self, within: np.ndarray | None = None) -> np.ndarray:
        """Every place the term stands, as ascending ``docnum << 32 | position``:
        one sorted array, so phrases are matched with array searches.

        With ``within`` (a mask of documents), only the places in those. The
        first time, only they are decoded (a common word has thousands of
        postings, and a first search should not wait for them all); from the
        second time the whole term is decoded once and kept."""
        with _decoding:  # one decoder at a time: the encoded form is let go after
            if self._occurrences is None and within is not None and not self._decoded_in_part:
                self._decoded_in_part = True
                return self._decode(np.flatnonzero(within[self.docnums]))
            if self._occurrences is None:
                self._occurrences = self._decode(np.arange(len(self.docnums)))
                self._encoded, self._bounds = _NO_BYTES, _EMPTY
        if within is None:
            return self._occurrences
        return self._occurrences[within[self._occurrences >> 32]]

    def _decode(self, postings: np.ndarray) -> np.ndarray:
        starts = self._bounds[postings]
        counts, flat = _position_gaps(self._encoded, starts, self._bounds[postings + 1] - starts)
        running = np.cumsum(flat)
        before = np.concatenate(([0], running))[np.cumsum(counts) - counts]  # the sum up to each posting's first
        positions = running - np.repeat(before, counts)
        return (np.repeat(self.docnums[postings], counts) << 32) | positions


def _position_gaps(data: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How many places each posting has, and the gaps between them, all
    postings' in one array, for the postings whose encoded bytes stand in
    ``data`` from ``starts`` for ``sizes``. Whoosh stores a posting's places
    as their count, then the pickled list of their gaps (``Positions.encode``:
    protocol 2, its STOP opcode sometimes left off). Unpickling them one by one
    took most of a cold search's time. But nearly every list is a run of
    one-byte ints (gaps under 256), whose bytes stand at places that the count
    alone gives, and those are picked out of all postings at once; the rest (a
    long passage's far places, or over a thousand) are unpickled."""
    if not starts.size:
        return _EMPTY, _EMPTY
    counts = sum(data[starts + n].astype(np.int64) << (8 * (_INT_SIZE - 1 - n)) for n in range(_INT_SIZE))
    offsets = np.cumsum(counts) - counts  # where each posting's gaps begin
    # A run of one-byte ints: PROTO 2, EMPTY_LIST, BINPUT 0, then MARK, the
    # items (K and a byte each), APPENDS; or one item and APPEND. Exactly that
    # long only if it is one: any other int takes more bytes, and so does a
    # second batch (a thousand items each) or another protocol's framing.
    first = starts + _INT_SIZE + 5 + (counts >= 2)  # the first item's opcode
    unstopped = sizes - (data[starts + sizes - 1] == ord("."))
    simple = (counts >= 1) & (unstopped == first - starts + 2 * counts + 1)
    opcodes = np.repeat(first, counts) + 2 * (np.arange(int(counts.sum())) - np.repeat(offsets, counts))
    flat = np.empty(len(opcodes), dtype=np.int64)
    picked = np.repeat(simple, counts)
    flat[picked] = data[opcodes[picked] + 1]
    for n in np.flatnonzero(~simple).tolist():
        value = data[starts[n] + _INT_SIZE : starts[n] + sizes[n]].tobytes()
        gaps = pickle.loads(value if value.endswith(b".") else value + b".")
        flat[offsets[n] : offsets[n] + len(gaps)] = gaps
    return counts, flat


class SegmentPostings:
    """What has been read of one segment."""

    def __init__(self, doc_count: int) -> None:
        self.doc_count = doc_count
        self._terms: OrderedDict[tuple[str, str], TermPostings] = OrderedDict()
        self._terms_lock = threading.Lock()
        self._phrases: dict[tuple[str, tuple[str, ...], int], np.ndarray] = {}
        self._lengths: dict[str, np.ndarray] = {}
        self._live: tuple[int, np.ndarray] | None = None
        self._live_totals: dict[str, tuple[int, int]] = {}
        self._kinds: dict[str, np.ndarray] = {}
        self._has_text: bool | None = None
        self._live_passages: tuple[int, np.ndarray] | None = None
        self._cached_postings = 0

    def live(self, reader: IndexReader) -> np.ndarray:
        """Which documents are not deleted, as the reader sees the segment."""
        segment = reader.segment()
        if self._live is None or self._live[0] != segment.deleted_count():
            mask = np.ones(self.doc_count, dtype=bool)
            mask[list(segment.deleted_docs())] = False
            self._live = (segment.deleted_count(), mask)
        return self._live[1]

    def live_total(self, reader: IndexReader, field: str | None = None) -> int:
        """How many documents are live, or (with ``field``) their total length
        in it: what BM25's statistics sum, kept until the next deletion, since
        summing them over 100,000 documents took a tenth of a short search."""
        deleted = reader.segment().deleted_count()
        key = field or ""
        found = self._live_totals.get(key)
        if found is None or found[0] != deleted:
            live = self.live(reader)
            total = int(live.sum()) if field is None else int(self.lengths(reader, field)[live].sum())
            found = self._live_totals[key] = (deleted, total)
        return found[1]

    def live_frequency(self, reader: IndexReader, field: str, token: str) -> int:
        """How many live documents hold ``token`` in ``field``."""
        docnums = self.term(reader, field, token).docnums
        if not reader.segment().deleted_count():
            return int(docnums.size)
        return int(self.live(reader)[docnums].sum())

    def kind_mask(self, reader: IndexReader, kind: str) -> np.ndarray:
        """Which documents are records of one kind ("passage"); a segment's
        records never change kind, so the mask is kept."""
        found = self._kinds.get(kind)
        if found is None:
            found = np.zeros(self.doc_count, dtype=bool)
            found[_read_term(reader, "kind", kind).docnums] = True
            self._kinds[kind] = found
        return found

    def term(self, reader: IndexReader, field: str, token: str) -> TermPostings:
        """A term's postings, read once and kept; past ``MAX_POSTINGS_PER_SEGMENT``
        the terms least lately used are let go. Letting all go at once, at
        100,000 passages distinct queries read their common words again every
        few searches (31 ms a search, warm)."""
        key = (field, token)
        with self._terms_lock:
            found = self._terms.get(key)
            if found is not None:
                self._terms.move_to_end(key)
                return found
        found = _read_term(reader, field, token)
        with self._terms_lock:
            if key not in self._terms:
                self._terms[key] = found
                self._cached_postings += len(found.docnums)
            while self._cached_postings > MAX_POSTINGS_PER_SEGMENT and len(self._terms) > 1:
                _, dropped = self._terms.popitem(last=False)
                self._cached_postings -= len(dropped.docnums)
            return self._terms.get(key, found)

    def lengths(self, reader: IndexReader, field: str) -> np.ndarray:
        """Each document's length in tokens of ``field`` (0 for kb's non-passage records)."""
        found = self._lengths.get(field)
        if found is None:
            found = _read_lengths(reader, field, self.doc_count)
            self._lengths[field] = found
        return found

    def has_text(self, reader: IndexReader) -> bool:
        """Whether any document of the segment has a heading or body to search:
        asked by every search, and over 100,000 lengths a tenth of a field query."""
        if self._has_text is None:
            self._has_text = bool(self.lengths(reader, "body").any() or self.lengths(reader, "heading").any())
        return self._has_text

    def live_passages(self, reader: IndexReader) -> np.ndarray:
        """Which documents are passages and not deleted, kept until the next
        deletion (a mask over the whole segment, made by every operator query)."""
        deleted = reader.segment().deleted_count()
        if self._live_passages is None or self._live_passages[0] != deleted:
            mask = self.live(reader) & self.kind_mask(reader, "passage")
            mask.flags.writeable = False  # shared by every search: combined, never changed in place
            self._live_passages = (deleted, mask)
        return self._live_passages[1]

    def phrase_docs(
        self, reader: IndexReader, field: str, tokens: Sequence[str], slop: int = 1, within: np.ndarray | None = None
    ) -> np.ndarray:
        """The documents where ``tokens`` stand in order, each at most ``slop``
        positions after the one before (1: word for word), as Whoosh's Phrase
        query matches them. ``within`` (a mask of documents) limits the
        search to those, and the answer is then not kept."""
        if within is not None:
            return self.phrase_docs_among(reader, field, tokens, (slop,), within)[0]
        key = (field, tuple(tokens), slop)
        found = self._phrases.get(key)
        if found is None:
            found = _match_phrase(self._places(reader, field, tokens), len(tokens), slop)
            if len(self._phrases) >= MAX_PHRASES_PER_SEGMENT:
                self._phrases.clear()
            self._phrases[key] = found
        return found

    def phrase_docs_among(
        self, reader: IndexReader, field: str, tokens: Sequence[str], slops: Sequence[int], within: np.ndarray
    ) -> list[np.ndarray]:
        """``phrase_docs`` among the documents of ``within`` for each of
        ``slops``, each word's places in them picked out once for all."""
        places = self._places(reader, field, tokens, within)
        return [_match_phrase(places, len(tokens), slop) for slop in slops]

    def _places(
        self, reader: IndexReader, field: str, tokens: Sequence[str], within: np.ndarray | None = None
    ) -> Callable[[int], np.ndarray]:
        """The places of the n-th token, read when first asked for: a phrase
        whose first words never meet needs no places of the others."""

        @functools.cache
        def places(n: int) -> np.ndarray:
            return self.term(reader, field, tokens[n]).occurrences(within)

        return places


def _match_phrase(places: Callable[[int], np.ndarray], count: int, slop: int) -> np.ndarray:
    # Where the phrase can have got to after each word: a place of the next
    # word counts if the nearest reached place before it is at most `slop`
    # back (the document is in the high bits, so it is never a place in another).
    reached = places(0)
    for n in range(1, count):
        if not reached.size:
            break
        following = places(n)
        before = np.searchsorted(reached, following) - 1
        ok = before >= 0
        ok[ok] = following[ok] - reached[before[ok]] <= slop
        reached = following[ok]
    return np.unique(reached >> 32)


def _read_term(reader: IndexReader, field: str, token: str) -> TermPostings:
    """The term's postings, deleted documents included."""
    try:
        matcher = reader.postings(field, token)
    except TermNotFound:
        return TermPostings(_EMPTY, np.zeros(0), ())
    # Whoosh wraps the postings in a filter when the segment has deleted documents.
    postings = getattr(matcher, "child", matcher)
    postings.reset()
    if isinstance(postings, W3LeafMatcher):
        docnums, frequencies, encoded = _read_blocks(postings)
    else:  # a few postings kept inline with the term
        docnums, frequencies, encoded = [], [], []
        while postings.is_active():
            docnums.append(postings.id())
            frequencies.append(postings.weight())
            encoded.append(postings.value())
            postings.next()
    return TermPostings(np.array(docnums, dtype=np.int64), np.array(frequencies, dtype=np.float64), encoded)


def _read_blocks(postings: W3LeafMatcher) -> tuple[list[int], list[float], list[bytes]]:
    """All postings, a block (up to 128) at a time rather than one by one: five
    times faster. Uses the block reader of Whoosh 2.7.4's own codec (kb pins
    that version); ``tests/test_postings.py`` checks it against Whoosh's
    posting-by-posting reading."""
    docnums: list[int] = []
    frequencies: list[float] = []
    encoded: list[bytes] = []
    while postings.is_active():
        postings._read_ids()
        postings._read_weights()
        postings._read_values()
        docnums.extend(postings._ids)
        frequencies.extend(postings._weights)
        encoded.extend(postings._values)
        postings._next_block()
    return docnums, frequencies, encoded


# Whoosh stores each field's lengths as one byte per document, 0 for none.
_LENGTH_OF_BYTE = np.array([0.0] + [float(byte_to_length(b)) for b in range(1, 256)])


def _read_lengths(reader: IndexReader, field: str, doc_count: int) -> np.ndarray:
    """A field's lengths for every document of the segment, read as one block
    of Whoosh's length column (asking document by document took most of a
    cold search). ``tests/test_postings.py`` holds it equal to Whoosh's
    ``doc_field_length``."""
    column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    lengths = np.zeros(doc_count)
    if column is not None and column._count:
        count = min(column._count, doc_count)
        raw = np.frombuffer(column._dbfile.get(column._basepos, count), dtype=np.uint8)
        lengths[:count] = _LENGTH_OF_BYTE[raw]
    return lengths


_segments: OrderedDict[str, SegmentPostings] = OrderedDict()
_segments_lock = threading.Lock()


def segment_postings(reader: IndexReader) -> SegmentPostings:
    """The kept postings of the segment ``reader`` reads (one leaf reader)."""
    key = reader.segment().segment_id()
    with _segments_lock:
        found = _segments.get(key)
        if found is None:
            found = _segments[key] = SegmentPostings(reader.doc_count_all())
            while len(_segments) > MAX_SEGMENTS:
                _segments.popitem(last=False)
        else:
            _segments.move_to_end(key)
        return found
