"""Spelling suggestions: the nearest word the documents use, for a word they don't.

The index stores stems ("legitimaci"), which are no use to suggest, so each
document keeps the words it is written in, with their counts (``word_counts``,
a "words" record beside its passages). A ``WordList`` counts them across
the index's segments, and finds near words through their one-letter deletions (as
SymSpell does, to depth one): a typed word is near a known word when one is
the other less a letter, or both less a letter are the same. That covers any
one edit, and two where each word loses one letter (two letters swapped, one
left out and another doubled); a word with two letters left out is not
guessed. No pass over the whole lexicon.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

MAX_DISTANCE = 2
MIN_LENGTH = 3  # shorter words have too many neighbours to guess between
_WORD = re.compile(r"[^\W\d_]{3,}")


def word_counts(text: str) -> dict[str, int]:
    """Each word of three letters or more, lower-cased, with how often it stands."""
    return dict(Counter(word.casefold() for word in _WORD.findall(text)))


class Words:
    """Some documents' words with their counts, and the words' one-letter
    deletions, worked out when first asked for. A server keeps one per index
    segment for as long as the segment stands (``kb.index.read_word_list``),
    so that a commit only adds the words of what it added: merging every
    document's words again took 110 ms at 10,000 passages."""

    def __init__(self, counts: Iterable[dict[str, int]]) -> None:
        self.counts: Counter[str] = Counter()
        for each in counts:
            self.counts.update(each)
        self._by_deletion: dict[str, list[str]] | None = None

    def by_deletion(self) -> dict[str, list[str]]:
        if self._by_deletion is None:
            index: dict[str, list[str]] = {}
            for known in self.counts:
                for variant in _deletions(known):
                    index.setdefault(variant, []).append(known)
            self._by_deletion = index
        return self._by_deletion


class WordList:
    """Words known to the index: those of each part, counted across all."""

    def __init__(self, parts: list[Words]) -> None:
        self.parts = parts

    def count(self, word: str) -> int:
        return sum(part.counts.get(word, 0) for part in self.parts)

    def nearest(self, word: str) -> str | None:
        """The known word closest to ``word`` (at most two edits; the more
        frequent on a tie), or None if there is none or ``word`` is known."""
        typed = word.casefold()
        if len(typed) < MIN_LENGTH or self.count(typed):
            return None
        variants = {typed, *_deletions(typed)}
        candidates: set[str] = set()
        for part in self.parts:
            by_deletion = part.by_deletion()
            for variant in variants:
                if variant in part.counts:
                    candidates.add(variant)
                candidates.update(by_deletion.get(variant, ()))
        scored = [(_distance(typed, c), -self.count(c), c) for c in candidates]
        scored = [s for s in scored if s[0] <= MAX_DISTANCE]
        return min(scored)[2] if scored else None


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from a to b."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]
