"""Passages cut to a quotable length, for slides.

A passage is trimmed at sentence boundaries: the sentences that hold the
query's words are kept first, then their neighbours while the word budget
lasts; an ellipsis marks every place where text was left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'(\[-])")


_FRAGMENT_WORDS = 3  # a shorter sentence ("Then work.") goes with its neighbour, never alone


def sentences(line: str) -> list[str]:
    return [sentence.strip() for sentence in _SENTENCE.split(line) if sentence.strip()]


def trim(text: str, max_words: int, query: str = "", analyze: Callable[[str], list[str]] | None = None) -> str:
    """At most about ``max_words`` words of ``text``, whole sentences where possible.

    Line breaks (paragraphs, list items) stay where they were; a cut is an
    ellipsis. A sentence of one or two words is kept or dropped with its
    neighbour on the line, so no fragment ("… work. …") stands alone.
    """
    # Sentences, each with the line it stands on: list items keep their own lines.
    located: list[tuple[str, int]] = []
    for line, text_line in enumerate(text.splitlines()):
        units: list[str] = []
        for sentence in sentences(text_line):
            # A very short sentence goes with its neighbour on the line, so it never stands alone.
            if units and (len(sentence.split()) < _FRAGMENT_WORDS or len(units[-1].split()) < _FRAGMENT_WORDS):
                units[-1] = f"{units[-1]} {sentence}"
            else:
                units.append(sentence)
        located += [(unit, line) for unit in units]
    if len(text.split()) <= max_words or not located:
        return text
    sizes = [len(sentence.split()) for sentence, _ in located]
    wanted = set(analyze(query)) if analyze and query else set()
    scores = [len(wanted & set(analyze(s))) if wanted else 0 for s, _ in located]
    order = sorted(range(len(located)), key=lambda i: (-scores[i], i))
    chosen: set[int] = set()
    words = 0

    def take(i: int) -> None:
        nonlocal words
        chosen.add(i)
        words += sizes[i]

    for i in order:
        if not chosen or words + sizes[i] <= max_words:
            take(i)
    # Neighbours of what was chosen read more naturally than far-off sentences.
    for i in sorted(chosen):
        for j in (i + 1, i - 1):
            if 0 <= j < len(located) and j not in chosen and words + sizes[j] <= max_words:
                take(j)
    picked = sorted(chosen)
    if len(picked) == 1 and sizes[picked[0]] > max_words:
        return " ".join(located[picked[0]][0].split()[:max_words]) + " …"
    # An ellipsis marks text left out inside a line; a line left out whole
    # (a paragraph, a list item) leaves its break.
    out = ""
    for n, i in enumerate(picked):
        line = located[i][1]
        if n:
            out += "\n" if line != located[picked[n - 1]][1] else " "
        if i > 0 and located[i - 1][1] == line and i - 1 not in chosen:
            out += "… "
        out += located[i][0]
        if i + 1 < len(located) and located[i + 1][1] == line and i + 1 not in chosen:
            out += " …"
    return out
