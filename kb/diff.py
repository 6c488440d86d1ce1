"""What changed between two editions (or versions) of a document, section by section.

Sections are aligned by what they say first and what they are called second,
so that a section that was renamed, moved to another chapter, split in two or
merged with a neighbour is still found. Each section of either edition ends up
as one of:

- kept: the same text (nearly word for word), under the same heading, in order;
- changed: the same section with its text rewritten in part;
- renamed / moved: as kept or changed, but under a new heading, or out of the
  old order (a section can be both);
- split: a new section made of part of an old one (beside the part that kept
  its place); merged: an old section whose text went into another one;
- new, dropped: no counterpart.

Texts are compared as word sets (for alignment) and word sequences (for how
much changed), which is what a reader means by "the same section".
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

from kb.citation import page_range
from kb.model import Passage

DIFF_STATUSES = ("kept", "changed", "split", "merged", "new", "dropped")
ALIGNED = 0.35  # similarity above which two sections are the same section
KEPT = 0.97  # share of the text unchanged above which a section counts as kept
PART_OF = 0.6  # share of a section's words found in another for a split or merge
HEADING_BONUS = 0.4  # a kept heading outweighs a larger share of words found elsewhere (a split-off part)
_NUMBER = re.compile(r"^(?:[IVXLC]+\.|\d+(?:\.\d+)*\.?|[A-Z]\.|chapter \w+:?|part \w+:?)\s+", re.I)
_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")


@dataclass
class Section:
    """A section of one edition: its heading path and its passages' text."""

    heading_path: tuple[str, ...]
    order: int
    text: str
    passage_ids: list[str]
    pages: str

    @property
    def heading(self) -> str:
        return self.heading_path[-1] if self.heading_path else "(untitled opening)"

    @property
    def words(self) -> list[str]:
        return [w.casefold() for w in _WORD.findall(self.text)]


@dataclass
class Change:
    """One line of a diff: a section of the old edition, of the new, or both."""

    status: str  # kept, changed, new, dropped, split, merged
    old: Section | None
    new: Section | None
    similarity: float = 1.0  # of the two texts' word sequences (1 = the same)
    renamed: bool = False
    moved: bool = False
    gained: list[tuple[str, int]] = field(default_factory=list)  # words the new text uses more, most first
    lost: list[tuple[str, int]] = field(default_factory=list)

    @property
    def changed_share(self) -> float:
        return round(1 - self.similarity, 3)

    @property
    def label(self) -> str:
        marks = [m for m, on in (("renamed", self.renamed), ("moved", self.moved)) if on]
        return self.status + (f" ({', '.join(marks)})" if marks else "")


def sections_of(passages: list[Passage]) -> list[Section]:
    """Passages grouped into their sections, in reading order."""
    sections: dict[tuple[str, ...], Section] = {}
    pages: dict[tuple[str, ...], list[Passage]] = {}
    for passage in sorted(passages, key=lambda p: p.order):
        section = sections.get(passage.heading_path)
        if section is None:
            section = sections[passage.heading_path] = Section(passage.heading_path, len(sections), "", [], "")
            pages[passage.heading_path] = []
        section.text = f"{section.text}\n{passage.text}" if section.text else passage.text
        section.passage_ids.append(passage.id)
        pages[passage.heading_path].append(passage)
    for path, section in sections.items():
        first, last = pages[path][0], pages[path][-1]
        start = first.page_label_start or first.page_start
        end = last.page_label_end or last.page_end
        section.pages = page_range(start, end)
    return list(sections.values())


def diff_sections(
    old: list[Section], new: list[Section], stop_words: frozenset[str] = frozenset(), top_words: int = 8
) -> list[Change]:
    """The changes from ``old`` to ``new``, in the new edition's order, dropped
    and merged sections after the section that followed them. Sections are
    aligned on the pairs of neighbouring words they share (two unrelated
    sections share single words, rarely pairs); ``stop_words`` are left out of
    the words gained and lost."""
    old_bags = [_pairs(s.words) for s in old]
    new_bags = [_pairs(s.words) for s in new]
    old_sizes = [sum(bag.values()) for bag in old_bags]
    new_sizes = [sum(bag.values()) for bag in new_bags]
    shared = _shared_pairs(old_bags, new_bags)
    old_names = [_plain(s.heading) for s in old]
    new_names = [_plain(s.heading) for s in new]
    scores = []
    for (i, j), common in shared.items():
        content = 2 * common / (old_sizes[i] + new_sizes[j])
        if content < ALIGNED - HEADING_BONUS:
            continue
        same_heading = bool(old_names[i]) and old_names[i] == new_names[j]
        score = min(1.0, content + HEADING_BONUS) if same_heading and content > 0.1 else content
        if score >= ALIGNED:
            scores.append((score, i, j))
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for _, i, j in sorted(scores, reverse=True):
        if i not in pairs and j not in taken:
            pairs[i] = j
            taken.add(j)
    # A section rewritten through and through under its old heading is still that section.
    headings = {}
    for j, name in enumerate(new_names):
        if j not in taken:
            headings.setdefault(name, j)
    for i, name in enumerate(old_names):
        j = headings.get(name)
        if i not in pairs and j is not None and j not in taken and name:
            pairs[i] = j
            taken.add(j)
    in_order = _longest_increasing([pairs[i] for i in sorted(pairs)])
    new_parents = {_plain(s.heading_path[-2]) for s in new if len(s.heading_path) > 1}
    by_new: dict[int, Change] = {}
    for i, j in pairs.items():
        ratio = _sequence_similarity(old[i].words, new[j].words)
        status = "kept" if ratio >= KEPT else "changed"
        change = Change(status, old[i], new[j], round(ratio, 3))
        change.renamed = old_names[i] != new_names[j]
        change.moved = j not in in_order or _changed_parent(old[i], new[j], new_parents)
        if status == "changed":
            change.gained, change.lost = _word_shifts(old[i], new[j], stop_words, top_words)
        by_new[j] = change
    for j, section in enumerate(new):
        if j in by_new:
            continue
        source = _containing(new_sizes[j], {i: shared.get((i, j), 0) for i in pairs})
        if source is not None:
            by_new[j] = Change("split", old[source], section, round(shared[source, j] / new_sizes[j], 3))
        else:
            by_new[j] = Change("new", None, section, 0.0)
    changes = [by_new[j] for j in range(len(new))]
    for i, section in enumerate(old):
        if i in pairs or any(c.status == "split" and c.old is section for c in changes):
            continue
        target = _containing(old_sizes[i], {j: shared.get((i, j), 0) for j in taken})
        if target is not None:  # just after the section it went into
            change = Change("merged", section, new[target], round(shared[i, target] / old_sizes[i], 3))
            at = next(n for n, c in enumerate(changes) if c.new is new[target] and c.status != "merged") + 1
        else:  # just after what became of the old section before it
            change = Change("dropped", section, None, 0.0)
            before = [(c.old.order, n) for n, c in enumerate(changes) if c.old and c.old.order < section.order]
            at = max(before)[1] + 1 if before else 0
        changes.insert(at, change)
    return changes


def section_diff(change: Change, width: int = 38) -> list[tuple[str, str, str]]:
    """A side-by-side diff of one aligned pair: (mark, old line, new line),
    mark " " for the same, "-" removed, "+" added, "~" replaced."""
    old = _sentences(change.old.text) if change.old else []
    new = _sentences(change.new.text) if change.new else []
    rows: list[tuple[str, str, str]] = []
    for op, a0, a1, b0, b1 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        left, right = old[a0:a1], new[b0:b1]
        mark = {"equal": " ", "delete": "-", "insert": "+", "replace": "~"}[op]
        for n in range(max(len(left), len(right))):
            rows.append((mark, left[n] if n < len(left) else "", right[n] if n < len(right) else ""))
    return rows


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?:;])\s+|\n+", text) if s.strip()]


def _plain(heading: str) -> str:
    """A heading without its numbering and case: "3.2 Trust" and "4.1 trust" are one name."""
    return " ".join(_WORD.findall(_NUMBER.sub("", heading.strip()).casefold()))


def _changed_parent(old: Section, new: Section, new_parents: set[str]) -> bool:
    """Whether the section went to another chapter, not just a renamed one: its
    old chapter's name is still a chapter of the new edition."""
    before = _plain(old.heading_path[-2]) if len(old.heading_path) > 1 else ""
    after = _plain(new.heading_path[-2]) if len(new.heading_path) > 1 else ""
    return before != after and before in new_parents


def _shared_pairs(old_bags: list[Counter], new_bags: list[Counter]) -> dict[tuple[int, int], int]:
    """For each (old, new) pair of sections with any word pair in common, how
    many they share; found through an inverted list, so that unrelated
    sections cost nothing."""
    postings: dict[tuple, list[tuple[int, int]]] = {}
    for i, bag in enumerate(old_bags):
        for item, count in bag.items():
            postings.setdefault(item, []).append((i, count))
    shared: dict[tuple[int, int], int] = {}
    for j, bag in enumerate(new_bags):
        for item, count in bag.items():
            for i, old_count in postings.get(item, ()):
                shared[i, j] = shared.get((i, j), 0) + min(count, old_count)
    return shared


def _containing(size: int, common: dict[int, int]) -> int | None:
    """The matched section that holds most of this one's word pairs, if one holds enough."""
    if not size:
        return None
    best = max(common, key=lambda other: common[other], default=None)
    return best if best is not None and common[best] / size >= PART_OF else None


def _sequence_similarity(a: list[str], b: list[str]) -> float:
    return difflib.SequenceMatcher(a=a, b=b, autojunk=False).ratio() if a or b else 1.0


def _pairs(words: list[str]) -> Counter:
    return Counter(itertools.pairwise(words)) if len(words) > 1 else Counter(words)


def _word_shifts(
    old: Section, new: Section, stop_words: frozenset[str], top: int
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    a = Counter(w for w in old.words if w not in stop_words and len(w) > 2)
    b = Counter(w for w in new.words if w not in stop_words and len(w) > 2)
    return (b - a).most_common(top), (a - b).most_common(top)


def _longest_increasing(values: list[int]) -> set[int]:
    """The values of a longest increasing subsequence: the sections that kept their order."""
    tails: list[int] = []
    tail_at: list[int] = []
    previous = [-1] * len(values)
    for n, value in enumerate(values):
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_at.append(n)
        else:
            tails[k] = value
            tail_at[k] = n
        previous[n] = tail_at[k - 1] if k else -1
    kept: set[int] = set()
    n = tail_at[-1] if tail_at else -1
    while n >= 0:
        kept.add(values[n])
        n = previous[n]
    return kept
