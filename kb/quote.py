"""Passages cut to a quotable length, for slides.

A passage is trimmed at sentence boundaries: the sentences that hold the
query's words are kept first, then their neighbours while the word budget
lasts; an ellipsis marks every place where text was left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'(\[-])")


def trim(text: str, max_words: int, query: str = "", analyze: Callable[[str], list[str]] | None = None) -> str:
    """At most about ``max_words`` words of ``text``, whole sentences where possible."""
    # Sentences, each with the line it stands on: list items keep their own lines.
    located = [
        (sentence.strip(), line)
        for line, text_line in enumerate(text.splitlines())
        for sentence in _SENTENCE.split(text_line)
        if sentence.strip()
    ]
    sentences = [sentence for sentence, _ in located]
    if len(text.split()) <= max_words or not sentences:
        return text
    wanted = set(analyze(query)) if analyze and query else set()
    scores = [len(wanted & set(analyze(s))) if wanted else 0 for s in sentences]
    order = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    chosen: set[int] = set()
    words = 0
    for i in order:
        size = len(sentences[i].split())
        if chosen and words + size > max_words:
            continue
        chosen.add(i)
        words += size
    # Neighbours of what was chosen read more naturally than far-off sentences.
    for i in sorted(chosen):
        for j in (i + 1, i - 1):
            if 0 <= j < len(sentences) and j not in chosen and words + len(sentences[j].split()) <= max_words:
                chosen.add(j)
                words += len(sentences[j].split())
    picked = sorted(chosen)
    if len(picked) == 1 and len(sentences[picked[0]].split()) > max_words:
        return " ".join(sentences[picked[0]].split()[:max_words]) + " …"
    out = "… " if picked[0] > 0 else ""
    for n, i in enumerate(picked):
        if n and i != picked[n - 1] + 1:
            out += " … "
        elif n:
            out += "\n" if located[i][1] != located[i - 1][1] else " "
        out += sentences[i]
    return out + (" …" if picked[-1] < len(sentences) - 1 else "")
