"""Word lists, n-grams and collocates, as corpus tools (AntConc, Sketch Engine) give them.

Words are read as a reader sees them: case folded, hyphenated compounds whole
("community-oriented"), numbers left out. Nothing crosses a passage boundary.
Every row keeps the passages it was found in, so that each figure can be
traced to the text.

Collocation measures, for a node word or phrase n and a collocate c, with
O = how often c stands within ``window`` words either side of n, f(n) and f(c)
their frequencies, N the words in all and span = 2 x window:

- MI (mutual information) = log2(O / E), where E = f(n) f(c) span / N, the
  co-occurrences expected by chance: high for rare, exclusive pairs;
- t (t-score) = (O - E) / sqrt(O): high for frequent, certain pairs;
- logDice = 14 + log2(2 O / (f(n) + f(c))): at most 14, independent of N, so
  comparable between corpora of any size.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from kb.model import Passage
from kb.research import compound_words

MEASURES = ("logdice", "mi", "t")
EXAMPLES = 3


@dataclass(frozen=True)
class Collocate:
    word: str
    together: int  # O
    frequency: int  # f(c)
    mi: float
    t: float
    logdice: float
    passage_ids: tuple[str, ...]  # where they stand together, first few


@dataclass(frozen=True)
class Gram:
    """A word or an n-gram of the word list: its count, the documents using it, where it stands first."""

    text: str
    count: int
    documents: int
    passage_ids: tuple[str, ...]


@dataclass
class Collocation:
    node: str
    node_count: int
    words: int
    window: int
    collocates: list[Collocate] = field(default_factory=list)


def mi(together: int, node: int, other: int, words: int, span: int) -> float:
    expected = node * other * span / words
    return math.log2(together / expected)


def t_score(together: int, node: int, other: int, words: int, span: int) -> float:
    expected = node * other * span / words
    return (together - expected) / math.sqrt(together)


def log_dice(together: int, node: int, other: int) -> float:
    return 14 + math.log2(2 * together / (node + other))


def collocates(
    node: str,
    passages: Iterable[Passage],
    window: int = 4,
    measure: str = "logdice",
    min_count: int = 3,
    stop_words: frozenset[str] = frozenset(),
    top: int = 20,
) -> Collocation:
    """The words standing within ``window`` words of ``node`` (a word or phrase,
    as typed) more often than chance, best by ``measure``; stop words are not
    collocates."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r} (measures: {', '.join(MEASURES)})")
    sequence = tuple(compound_words(node))
    frequency: Counter[str] = Counter()
    together: Counter[str] = Counter()
    where: dict[str, list[str]] = {}
    node_count = words = 0
    for passage in passages:
        tokens = [w for w in compound_words(passage.text) if not w.isdigit()]
        words += len(tokens)
        frequency.update(tokens)
        n = len(sequence)
        counted: set[int] = set()  # a word near two occurrences of the node is one co-occurrence, not two
        for i in range(len(tokens) - n + 1 if sequence else 0):
            if tuple(tokens[i : i + n]) != sequence:
                continue
            node_count += 1
            places = [*range(max(0, i - window), i), *range(i + n, min(len(tokens), i + n + window))]
            near = [tokens[k] for k in places if k not in counted]
            counted.update(places)
            together.update(near)
            for word in near:
                found = where.setdefault(word, [])
                if len(found) < EXAMPLES and passage.id not in found:
                    found.append(passage.id)
    result = Collocation(node, node_count, words, window)
    if not node_count:
        return result
    span = 2 * window
    for word, count in together.items():
        if count < min_count or word in stop_words or word in sequence:
            continue
        result.collocates.append(
            Collocate(
                word,
                count,
                frequency[word],
                round(mi(count, node_count, frequency[word], words, span), 3),
                round(t_score(count, node_count, frequency[word], words, span), 3),
                round(log_dice(count, node_count, frequency[word]), 3),
                tuple(where[word]),
            )
        )
    result.collocates.sort(key=lambda c: (-getattr(c, measure), -c.together, c.word))
    del result.collocates[top:]
    return result


def word_list(
    documents: Iterable[tuple[str, list[Passage]]],
    n: int = 1,
    stop_words: frozenset[str] = frozenset(),
    min_count: int = 1,
    top: int = 50,
) -> tuple[list[Gram], int]:
    """The words (n = 1) or n-grams of the documents, most frequent first, with
    range (how many documents use each). When ``stop_words`` are given, words
    that are stop words, n-grams that begin or end with one and n-grams holding
    a single letter are left out. Also returns the number of words read."""
    counts: Counter[str] = Counter()
    documents_using: dict[str, set[str]] = {}
    where: dict[str, list[str]] = {}
    words = 0
    for doc_id, passages in documents:
        for passage in passages:
            tokens = [w for w in compound_words(passage.text) if not w.isdigit()]
            words += len(tokens)
            for i in range(len(tokens) - n + 1):
                gram = tokens[i : i + n]
                if stop_words and (gram[0] in stop_words or gram[-1] in stop_words or min(map(len, gram)) == 1):
                    continue  # "of the", "e g" (from "e.g.")
                text = " ".join(gram)
                counts[text] += 1
                documents_using.setdefault(text, set()).add(doc_id)
                found = where.setdefault(text, [])
                if len(found) < EXAMPLES and passage.id not in found:
                    found.append(passage.id)
    ranked = sorted((item for item in counts.items() if item[1] >= min_count), key=lambda item: (-item[1], item[0]))[
        :top
    ]
    return [Gram(text, count, len(documents_using[text]), tuple(where[text])) for text, count in ranked], words
