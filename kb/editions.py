"""Editions and copies of one work, told apart and grouped.

A knowledge base often holds a guidebook in two editions (2008, 2022) or the
same brief twice. A person must see which edition a hit comes from, pick one
by its year or edition ("2022", "2nd"), search only the newest, and not get
the same paragraph once per edition: the newest edition's passage leads and
says where else it stands.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from kb.citation import edition_label, printed_pages
from kb.model import Document, Passage

GROUPED_PLACES = 100
SAME_TEXT = 0.8  # share of word pairs two passages hold in common to count as one text
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6}
_EDITION_NUMBER = re.compile(r"^(\d+)(st|nd|rd|th)?$")
_EDITION_WORDS = re.compile(
    r"\b(\d+(st|nd|rd|th)|first|second|third|fourth|fifth|sixth|revised|new)\s+ed(ition)?\b\.?|\b(19|20)\d\d\b", re.I
)
_WORD = re.compile(r"\w+")
_PAIR_FACTOR = 1_000_003
_BUCKETS = 64  # of the pair hashes, for the bound on what two passages can share
_NO_PAIRS = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class AlsoIn:
    """Where else a grouped passage stands: another edition or copy."""

    document: Document
    passage: Passage

    @property
    def where(self) -> str:
        """ "1st ed. (2008), p. 12" """
        label = edition_tag(self.document) or self.document.title
        return ", ".join(p for p in (label, printed_pages(self.passage)) if p)


def edition_number(document: Document) -> int | None:
    """2 for "2nd", "2", "second edition"; None when the edition is not a number."""
    if not document.edition:
        return None
    first = document.edition.strip().split()[0].casefold().rstrip(".")
    if first in _ORDINALS:
        return _ORDINALS[first]
    match = _EDITION_NUMBER.match(first)
    return int(match.group(1)) if match else None


def edition_tag(document: Document) -> str:
    """ "2nd ed., 2022", "2022", or "" when neither is known."""
    return ", ".join(p for p in (edition_label(document.edition), str(document.year or "")) if p)


def document_label(document: Document, width: int) -> str:
    """The title cut to fit ``width`` with its edition and year kept whole:
    "Good Practices in Building… (2nd ed., 2022)"."""
    tag = edition_tag(document)
    suffix = f" ({tag})" if tag else ""
    return cut_title(document.title, max(8, width - len(suffix))) + suffix


def cut_title(title: str, room: int) -> str:
    """The title in ``room`` characters, cut after a whole word where that keeps
    at least half of the room ("Good Practices in…", not "Good Practices in Bu…")."""
    if len(title) <= room:
        return title
    cut = title[: room - 1]
    space = cut.rfind(" ")
    if title[room - 1] != " " and space >= room // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:–-") + "…"


def matches_edition(document: Document, ref: str) -> bool:
    """Whether ``ref`` names the document's year ("2022") or edition ("2nd", "2", "second")."""
    ref = ref.strip().casefold().rstrip(".")
    if ref.endswith((" ed", " edition")):
        ref = ref.rsplit(" ", 1)[0]
    if document.year is not None and ref == str(document.year):
        return True
    number = edition_number(document)
    if number is None:
        return bool(document.edition) and ref == document.edition.casefold()
    match = _EDITION_NUMBER.match(ref)
    return (match is not None and int(match.group(1)) == number) or _ORDINALS.get(ref) == number


def work_key(document: Document) -> str:
    """What editions of one work share: the title without edition or year words."""
    return " ".join(_WORD.findall(_EDITION_WORDS.sub(" ", document.title).casefold()))


def newness(document: Document) -> tuple[int, int, str]:
    return (document.year or 0, edition_number(document) or 0, document.added)


def latest_editions(documents: Iterable[Document]) -> list[Document]:
    """The newest edition of each work (by year, then edition, then when added)."""
    newest: dict[str, Document] = {}
    for document in documents:
        key = work_key(document)
        if key not in newest or newness(document) > newness(newest[key]):
            newest[key] = document
    return list(newest.values())


def works_in_editions(documents: Iterable[Document]) -> list[list[Document]]:
    """Each work the index holds more than once, its editions oldest first."""
    works: dict[str, list[Document]] = {}
    for document in documents:
        works.setdefault(work_key(document), []).append(document)
    # sorted stably: where nothing tells two editions apart, as listed
    return [sorted(editions, key=newness) for editions in works.values() if len(editions) > 1]


def edition_pair(documents: Iterable[Document]) -> tuple[Document, Document] | None:
    """The oldest and newest edition of the first work that has several: what
    a person comparing editions most likely wants to compare."""
    works = works_in_editions(documents)
    return (works[0][0], works[0][-1]) if works else None


@dataclass(frozen=True)
class Wording:
    """What ``group_copies`` compares of a passage: its length in words, its
    distinct word pairs, hashed, ascending, and how many of those fall in each
    of ``_BUCKETS`` buckets by hash. A server keeps it with the passage
    (``kb.search.records``): working it out was most of a search's time."""

    words: int
    pairs: np.ndarray
    buckets: np.ndarray


def wording(text: str) -> Wording:
    words = _WORD.findall(text.casefold())
    hashed = np.fromiter(map(hash, words), dtype=np.int64, count=len(words))
    # One hash per pair from its words' hashes (int64 arithmetic wraps around).
    pairs = np.unique(hashed[:-1] * _PAIR_FACTOR + hashed[1:]) if len(words) > 1 else _NO_PAIRS
    return Wording(len(text.split()), pairs, np.bincount(pairs & (_BUCKETS - 1), minlength=_BUCKETS).astype(np.int32))


def group_copies(
    found: list[tuple[Passage, Document]], wordings: list[Wording] | None = None
) -> list[tuple[int, list[AlsoIn]]]:
    """For a ranking, which places lead and which passages stand almost word
    for word in another document's leading place: (index of the leading
    place, where else it stands), in ranking order. Of a group, the newest
    document's passage leads, at the group's best place. Only the first
    ``GROUPED_PLACES`` are compared, so a deep ranking stays cheap, and only
    pairs that ``_may_be_copies`` finds: comparing every pair was most of a
    search's time. ``wordings``, one per place, are the passages' own where
    the caller keeps them."""
    compared = min(len(found), GROUPED_PLACES)
    if wordings is None:
        wordings = [wording(passage.text) for passage, _ in found[:compared]]
    wordings = wordings[:compared]
    taken = [False] * compared
    groups: list[tuple[int, list[AlsoIn]]] = []
    may_be_copies = _may_be_copies(wordings, [document.id for _, document in found[:compared]])
    for i in range(compared):
        if taken[i]:
            continue
        members, documents = [i], {found[i][1].id}
        for j in may_be_copies.get(i, ()):
            if not taken[j] and found[j][1].id not in documents and _same_text(wordings[i], wordings[j]):
                members.append(j)
                documents.add(found[j][1].id)
                taken[j] = True
        if len(members) == 1:
            groups.append((i, []))
            continue
        lead = max(members, key=lambda m: newness(found[m][1]))
        others = [AlsoIn(found[m][1], found[m][0]) for m in members if m != lead]
        groups.append((lead, sorted(others, key=lambda a: newness(a.document), reverse=True)))
    return groups + [(i, []) for i in range(compared, len(found))]


def _same_text(one: Wording, other: Wording) -> bool:
    most = max(one.pairs.size, other.pairs.size)
    return np.intersect1d(one.pairs, other.pairs, assume_unique=True).size >= SAME_TEXT * most


def _may_be_copies(wordings: list[Wording], doc_ids: list[str]) -> dict[int, list[int]]:
    """For each place, the later ones, ascending, in other documents, that may
    share ``SAME_TEXT`` of its word pairs, by bounds that never leave out a
    pair that does: alike in length, in words and in pairs, and sharing enough
    pairs by bucket (two passages share at most, in each bucket, the fewer
    pairs either holds there). Worked out for all places at once: looking for
    shared pairs one by one was a fifth of a search wherever passages are
    made from the same sentences, and most of what it found had too few."""
    numbered: dict[str, int] = {}
    documents = np.array([numbered.setdefault(doc_id, len(numbered)) for doc_id in doc_ids])
    if len(numbered) < 2:
        return {}
    words = np.array([w.words for w in wordings])
    sizes = np.array([w.pairs.size for w in wordings])
    first, second = _later_pairs(len(wordings))
    most = np.maximum(sizes[first], sizes[second])
    alike = (np.minimum(words[first], words[second]) >= SAME_TEXT * np.maximum(words[first], words[second])) & (
        np.minimum(sizes[first], sizes[second]) >= SAME_TEXT * most
    )
    alike &= (most > 0) & (documents[first] != documents[second])
    first, second, most = first[alike], second[alike], most[alike]
    buckets = np.stack([w.buckets for w in wordings])
    enough = np.minimum(buckets[first], buckets[second]).sum(axis=1) >= SAME_TEXT * most
    later: dict[int, list[int]] = {}
    for i, j in zip(first[enough].tolist(), second[enough].tolist(), strict=True):
        later.setdefault(i, []).append(j)
    return later


@functools.lru_cache(maxsize=8)
def _later_pairs(places: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of places (i, j) with i < j, for a ranking this long."""
    return np.triu_indices(places, 1)
