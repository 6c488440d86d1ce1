"""Snippets: the one or two places in a passage where the query's words are.

A fragment opens at a match, with up to 50 characters of context before it,
takes in each further match that follows within 50 characters, and closes 50
characters after its last match or at 160 characters. Fragments are scored as
Whoosh's highlighter scores them (matches × different words matched), the two
best are shown in text order, ties going to the earlier one, with "…" wherever
text was left out. Matches are marked ``[[word]]``.

Only words whose stem is wanted are looked at closely: a search builds ten
snippets, and walking every token of every passage through Whoosh's
highlighter took as long as the ranking itself.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from kb.index import stem_of

MARK_START, MARK_END = "[[", "]]"
# At most two fragments of about this many characters: three to five lines in
# an 80-column terminal.
SNIPPET_CHARS = 160
SURROUND = 50
FRAGMENTS = 2

_WORD = re.compile(r"\w+(\.?\w+)*")  # the index analyzer's tokenizer pattern
_CLOSING_PUNCTUATION = ".,;:!?)]\"'’”"


@dataclass
class _Fragment:
    start: int
    end: int
    matches: list[tuple[int, int, str]]

    @property
    def score(self) -> int:
        return len(self.matches) * len({stem for _, _, stem in self.matches}) * 100


def snippet(text: str, stems: frozenset[str]) -> str:
    """The best places of ``text`` for a query whose tokens are ``stems``; the
    passage's opening when none of them is in it."""
    matches = marked_words(text, stems)
    if not matches:
        return _opening(text)
    fragments = _fragments(text, matches)
    best = sorted(fragments, key=lambda f: (-f.score, f.start))[:FRAGMENTS]
    return _format(text, sorted(best, key=lambda f: f.start))


def marked_words(text: str, stems: frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, stem) of every word of ``text`` whose stem is wanted."""
    if not stems:  # a query of headings only: nothing in the text to look for
        return []
    found = _candidates("".join(sorted({stem[0] for stem in stems if stem}))).finditer(text)
    return [(m.start(), m.end(), stem) for m in found if (stem := stem_of(m.group())) in stems]


@functools.lru_cache(maxsize=1024)
def _candidates(initials: str) -> re.Pattern[str]:
    """The tokens (as ``_WORD`` finds them) that begin with one of ``initials``,
    the first letters of the wanted stems: a stem keeps its word's first letter,
    so only these can match, and the regex engine skips the rest without Python
    seeing them. Keyed by the letters, not the stems, since compiling a pattern
    for each new query took a tenth of a search."""
    if not initials:
        return re.compile(r"(?!)")
    return re.compile(rf"(?<!\w)(?<!\w\.)[{re.escape(initials)}]\w*(\.?\w+)*", re.IGNORECASE)


def _opening(text: str) -> str:
    flat = " ".join(text[: SNIPPET_CHARS * 2].split())  # enough, unless the text opens with a run of blanks
    if len(flat) <= SNIPPET_CHARS:
        flat = " ".join(text.split())
    if len(flat) <= SNIPPET_CHARS:
        return flat
    return flat[:SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"


def _fragments(text: str, matches: list[tuple[int, int, str]]) -> list[_Fragment]:
    fragments: list[_Fragment] = []
    current: _Fragment | None = None
    for match in matches:
        start, end, _ = match
        if current and start - current.matches[-1][1] <= SURROUND and end - current.start <= SNIPPET_CHARS:
            current.matches.append(match)
            continue
        earliest = 0
        if current:
            fragments.append(_close(text, current))
            earliest = current.end  # fragments never overlap
        current = _Fragment(_word_start_from(text, max(earliest, start - SURROUND), start), end, [match])
    fragments.append(_close(text, current))
    return fragments


def _close(text: str, fragment: _Fragment) -> _Fragment:
    last_end = fragment.matches[-1][1]
    limit = min(len(text), last_end + SURROUND, max(last_end, fragment.start + SNIPPET_CHARS))
    fragment.end = _word_end_until(text, last_end, limit)
    return fragment


def _word_start_from(text: str, position: int, match_start: int) -> int:
    """The start of the first whole word at or after ``position`` (the match's own at the latest)."""
    while 0 < position < match_start and _is_word(text[position - 1]) and _is_word(text[position]):
        position += 1
    found = _WORD.search(text, position, match_start + 1)
    return found.start() if found else match_start


def _word_end_until(text: str, last_end: int, limit: int) -> int:
    """The end of the last whole word that ends by ``limit`` (the match's own at the earliest)."""
    end = last_end
    for found in _WORD.finditer(text, last_end, limit):
        if found.end() == limit < len(text) and _is_word(text[limit]):
            break
        end = found.end()
    return end


def _is_word(character: str) -> bool:
    return character.isalnum() or character == "_"


def _format(text: str, fragments: list[_Fragment]) -> str:
    out = ["…" if text[: fragments[0].start].strip() else ""]
    for n, fragment in enumerate(fragments):
        if n:
            out.append(" … " if text[fragments[n - 1].end : fragment.start].strip() else " ")
        marked, at = [], fragment.start
        for start, end, _ in fragment.matches:
            marked.append(text[at:start] + MARK_START + text[start:end] + MARK_END)
            at = end
        marked.append(text[at : fragment.end])
        out.append("".join(marked).strip())
    rest = text[fragments[-1].end :].strip()
    out.append("…" if rest.strip(_CLOSING_PUNCTUATION) else rest)
    return "".join(out)
