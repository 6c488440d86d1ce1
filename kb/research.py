"""How terms are used across documents, editions and sections.

Counts are taken from the passages' text with the index's own analyzer, so a
term is matched as search matches it (stemmed, across line breaks and
hyphenated compounds), or exactly, word for word, with ``exact``. Keyness
between two documents uses Dunning's log-likelihood (G²) for significance and
the log ratio (binary log of the ratio of relative frequencies) for effect size.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from itertools import pairwise

from kb.model import Document, Passage

SMALL_SAMPLE_WORDS = 2_000
EXAMPLE_PASSAGES = 5
Tokenize = Callable[[str], list[tuple[str, int, int]]]  # (token, start char, end char)


@dataclass(frozen=True)
class SectionCount:
    section: str
    page_start: int | None
    page_end: int | None
    page_label_start: str | None
    page_label_end: str | None
    occurrences: int
    passage_id: str = ""  # the section's first passage that holds the term


@dataclass
class TermCount:
    term: str
    doc_id: str
    document: str
    edition: str | None
    year: int | None
    occurrences: int
    words: int
    sections: int
    top_sections: list[SectionCount] = field(default_factory=list)
    forms: dict[str, int] = field(default_factory=dict)  # each form as it stands in the text (casefolded), counted
    passage_ids: list[str] = field(default_factory=list)  # the first passages holding the term

    @property
    def small_sample(self) -> bool:
        """Too few words for a rate per 10,000 to mean much."""
        return self.words < SMALL_SAMPLE_WORDS

    @property
    def per_10k(self) -> float:
        return self.occurrences * 10_000 / self.words if self.words else 0.0


@dataclass(frozen=True)
class Concordance:
    doc_id: str
    passage_id: str
    left: str
    match: str
    right: str
    citation: str
    pages: str = ""  # as printed, where the document has pages


@dataclass(frozen=True)
class Keyness:
    item: str
    count_a: int
    count_b: int
    g2: float
    log_ratio: float
    passage_ids: tuple[str, ...] = ()  # where the document that uses it more uses it, first few


def edition_order(documents: Iterable[Document]) -> list[Document]:
    """Editions of one work (same title) side by side, oldest first; works by title."""
    return sorted(documents, key=lambda d: (d.title.casefold(), d.year or 0, d.edition or "", d.id))


def find(text: str, sequences: list[tuple[str, ...]], tokenize: Tokenize, exact: bool) -> list[tuple[int, int]]:
    """Character spans in ``text`` where any of the token sequences stands."""
    return _spans(_surface_tokens(text) if exact else tokenize(text), sequences)


def _spans(tokens: list[tuple[str, int, int]], sequences: list[tuple[str, ...]]) -> list[tuple[int, int]]:
    firsts = {sequence[0] for sequence in sequences if sequence}
    words = [t for t, _, _ in tokens]
    spans = []
    for i, word in enumerate(words):
        if word not in firsts:
            continue
        for sequence in sequences:
            n = len(sequence)
            if tuple(words[i : i + n]) == sequence:
                spans.append((tokens[i][1], tokens[i + n - 1][2]))
                break
    return spans


def _surface_tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group().casefold(), m.start(), m.end()) for m in re.finditer(r"\w+", text)]


def surface_sequence(term: str) -> tuple[str, ...]:
    return tuple(t for t, _, _ in _surface_tokens(term))


def count_terms(
    terms: list[tuple[str, list[tuple[str, ...]]]],
    documents: list[Document],
    passages_of: Callable[[str], list[Passage]],
    tokenize: Tokenize,
    exact: bool = False,
    top: int = 5,
) -> list[TermCount]:
    """Counts for each (term, its token sequences) in each document, term by term.

    Each passage is read and tokenized once, whatever the number of terms.
    """
    counts: dict[tuple[str, str], TermCount] = {}
    for document in edition_order(documents):
        by_section: dict[str, Counter[tuple]] = {term: Counter() for term, _ in terms}
        forms: dict[str, Counter[str]] = {term: Counter() for term, _ in terms}
        held: dict[tuple[str, tuple], str] = {}  # (term, section) -> its first passage holding the term
        examples: dict[str, list[str]] = {term: [] for term, _ in terms}
        first_passage: dict[tuple, Passage] = {}
        totals = Counter()
        words = 0
        for passage in passages_of(document.id):
            surface = _surface_tokens(passage.text)
            tokens = surface if exact else tokenize(passage.text)
            words += len(surface)
            first_passage.setdefault(passage.heading_path, passage)
            for term, sequences in terms:
                spans = _spans(tokens, sequences)
                if spans:
                    held.setdefault((term, passage.heading_path), passage.id)
                    if len(examples[term]) < EXAMPLE_PASSAGES:
                        examples[term].append(passage.id)
                    totals[term] += len(spans)
                    by_section[term][passage.heading_path] += len(spans)
                    forms[term].update(" ".join(passage.text[a:b].split()).casefold() for a, b in spans)
        for term, _ in terms:
            top_sections = [
                SectionCount(
                    " > ".join(path) or "(start)",
                    first_passage[path].page_start,
                    first_passage[path].page_end,
                    first_passage[path].page_label_start,
                    first_passage[path].page_label_end,
                    n,
                    held[(term, path)],
                )
                for path, n in by_section[term].most_common(top)
            ]
            counts[(term, document.id)] = TermCount(
                term,
                document.id,
                document.title,
                document.edition,
                document.year,
                totals[term],
                words,
                len(by_section[term]),
                top_sections,
                dict(forms[term].most_common()),
                examples[term],
            )
    ordered = edition_order(documents)
    return [counts[(term, d.id)] for term, _ in terms for d in ordered]


def concordance(
    sequences: list[tuple[str, ...]],
    passages: list[tuple[Passage, str, str]],
    tokenize: Tokenize,
    width: int,
    exact: bool = False,
) -> list[Concordance]:
    """Every occurrence with ``width`` characters either side; ``passages`` are
    (passage, its citation, its printed pages)."""
    lines = []
    for passage, citation, pages in passages:
        flat = passage.text.replace("\n", " ")
        for start, end in find(flat, sequences, tokenize, exact):
            left = flat[max(0, start - width) : start].rjust(width)
            right = flat[end : end + width].ljust(width)
            lines.append(Concordance(passage.doc_id, passage.id, left, flat[start:end], right, citation, pages))
    return lines


def sort_concordance(lines: list[Concordance], key: str, position: int = 1) -> list[Concordance]:
    """Sort as corpus linguists do: by the word ``position`` places left or
    right of the match (1 = next to it), then the ones beyond it; "doc" keeps
    ``concordance``'s order, document by document in reading order."""

    def words(text: str) -> list[str]:
        return [w.casefold() for w in re.findall(r"\w+", text)]

    if key == "left":
        return sorted(lines, key=lambda c: words(c.left)[::-1][position - 1 :])
    if key == "right":
        return sorted(lines, key=lambda c: words(c.right)[position - 1 :])
    return list(lines)


def g2(a: int, b: int, total_a: int, total_b: int) -> float:
    """Dunning's log-likelihood for a count ``a`` in a corpus of ``total_a`` words
    against ``b`` in ``total_b``."""
    expected_a = total_a * (a + b) / (total_a + total_b)
    expected_b = total_b * (a + b) / (total_a + total_b)
    value = 0.0
    if a:
        value += a * math.log(a / expected_a)
    if b:
        value += b * math.log(b / expected_b)
    return 2 * value


def log_ratio(a: int, b: int, total_a: int, total_b: int) -> float:
    """Binary log of the ratio of relative frequencies; a zero count counts as 0.5."""
    return math.log2(((a or 0.5) / total_a) / ((b or 0.5) / total_b))


_COMPOUND_WORD = re.compile(r"\w+(?:[-‐‑'’]\w+)*")
SIGNIFICANCE = {"0.05": 3.84, "0.01": 6.63, "0.001": 10.83, "none": 0.0}  # p -> the G² it takes (1 d.f.)


def compound_words(text: str) -> list[str]:
    """Words with hyphenated compounds whole ("community-oriented", "multi-stakeholder")."""
    return [m.group().casefold().replace("’", "'") for m in _COMPOUND_WORD.finditer(text)]


def items(text: str, stop_words: frozenset[str]) -> Counter:
    """Words (compounds whole) and two-word phrases, stop words out (a phrase
    may not start or end with one), nor a single letter: a list's marker, an
    initial, half of "O/C" ("o c" and "c case" led a real comparison)."""
    words = [w for w in compound_words(text) if not w.isdigit()]
    counts = Counter(w for w in words if w not in stop_words and len(w) > 2)
    counts.update(
        f"{a} {b}"
        for a, b in pairwise(words)
        if a not in stop_words and b not in stop_words and len(a) > 1 and len(b) > 1
    )
    return counts


def compare(
    text_a: str, text_b: str, stop_words: frozenset[str], top: int = 15, min_count: int = 3, min_g2: float = 0.0
):
    """Items each side uses markedly more than the other, by G² (at least
    ``min_g2``), with log ratios; items seen fewer than ``min_count`` times in
    both together are left out."""
    a, b = items(text_a, stop_words), items(text_b, stop_words)
    total_a = len(compound_words(text_a)) or 1
    total_b = len(compound_words(text_b)) or 1
    scored = [
        Keyness(
            item,
            a[item],
            b[item],
            g2(a[item], b[item], total_a, total_b),
            log_ratio(a[item], b[item], total_a, total_b),
        )
        for item in set(a) | set(b)
        if a[item] + b[item] >= min_count
    ]
    scored = [k for k in scored if k.g2 >= min_g2]
    # Ties (common among rare items) go by count, then alphabet, so a table never depends on hash order.
    more_a = sorted((k for k in scored if k.log_ratio > 0), key=lambda k: (-k.g2, -k.count_a, k.item))[:top]
    more_b = sorted((k for k in scored if k.log_ratio < 0), key=lambda k: (-k.g2, -k.count_b, k.item))[:top]
    return more_a, more_b, total_a, total_b


def located_items(keys: list[Keyness], passages: list[Passage]) -> list[Keyness]:
    """Each item with the first passages that use it, so that a figure can be checked in the text."""
    wanted = {k.item: [] for k in keys}
    for passage in passages:
        words = [w for w in compound_words(passage.text) if not w.isdigit()]
        present = set(words) | {f"{x} {y}" for x, y in pairwise(words)}
        for item, found in wanted.items():
            if item in present and len(found) < EXAMPLE_PASSAGES:
                found.append(passage.id)
    return [replace(k, passage_ids=tuple(wanted[k.item])) for k in keys]


@dataclass(frozen=True)
class Dispersion:
    """Where in one document a term stands: each occurrence's place as a share
    of the way through the text (0 = its first word, 1 = its last), and its passage."""

    doc_id: str
    words: int
    places: list[tuple[float, str, str]]  # (share of the way through, passage id, printed pages)


def dispersion(
    sequences: list[tuple[str, ...]],
    documents: list[tuple[str, list[Passage]]],
    tokenize: Tokenize,
    exact: bool,
    pages_of: Callable[[Passage], str],
) -> list[Dispersion]:
    """For a dispersion plot: every occurrence's place in each document, by words read."""
    result = []
    for doc_id, passages in documents:
        found: list[tuple[int, str, str]] = []
        words = 0
        for passage in passages:
            tokens = _surface_tokens(passage.text) if exact else tokenize(passage.text)
            for start, _ in _spans(tokens, sequences):
                before = len(_surface_tokens(passage.text[:start]))
                found.append((words + before, passage.id, pages_of(passage)))
            words += len(_surface_tokens(passage.text))
        places = [(round(offset / max(words - 1, 1), 4), pid, pages) for offset, pid, pages in found]
        result.append(Dispersion(doc_id, words, places))
    return result
