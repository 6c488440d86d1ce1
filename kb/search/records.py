"""Passages read from the index's stored records, kept with their wording.

A search reads the 30 or so passages it ranks first (the ten it shows, and
those that may fill places freed by grouping and spreading), and compares
their wording to group copies. Reading and unpickling a record, and hashing
its word pairs, took half of a search's time. A segment's records never
change (see ``kb.search.postings``), so what is read of them is kept, as a
search engine's document cache keeps them, under the segment's id and the
record's number in it: a server's later searches that rank the same passage
read nothing. Up to ``MAX_KEPT`` passages are kept, the least lately used
let go first.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict

from whoosh.searching import Searcher

from kb.editions import Wording, wording
from kb.index import passage_from_record
from kb.model import Passage

MAX_KEPT = 10_000  # about 2.3 KB each for passages of 100 words (2 KB measured, + buckets), 4.3 KB for 250

_kept: OrderedDict[tuple[str, int], tuple[Passage, Wording]] = OrderedDict()
_lock = threading.Lock()


def read_passages(searcher: Searcher, docnums: list[int]) -> list[tuple[Passage, Wording]]:
    """The passages with these numbers (in the searcher's numbering), each with its wording."""
    leaves = searcher.reader().leaf_readers()
    offsets = [offset for _, offset in leaves]
    found = []
    for docnum in docnums:
        reader, offset = leaves[bisect.bisect_right(offsets, docnum) - 1]
        key = (reader.segment().segment_id(), docnum - offset)
        with _lock:
            kept = _kept.get(key)
            if kept is not None:
                _kept.move_to_end(key)
        if kept is None:
            passage = passage_from_record(reader.stored_fields(docnum - offset))
            kept = (passage, wording(passage.text))
            with _lock:
                _kept[key] = kept
                while len(_kept) > MAX_KEPT:
                    _kept.popitem(last=False)
        found.append(kept)
    return found
