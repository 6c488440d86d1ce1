"""The field's vocabulary as documents write it: acronyms, compounds, spellings.

Practitioners type "CoP", "multistakeholder" or "neighborhood"; documents say
"community-oriented policing (CoP)", "multi-stakeholder" and "neighbourhood".
This module finds what the documents define (acronyms, hyphenated compounds)
and knows the British/American spelling pairs (from the breame package's
list of about 1,700 pairs), so that search can match each form with the others.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from breame.data.spelling_constants import AMERICAN_ENGLISH_SPELLINGS, BRITISH_ENGLISH_SPELLINGS

Tokens = tuple[str, ...]  # a word or phrase as the index's analyzer turns it into tokens
_SHORT_FORM = r"[A-Za-z][A-Za-z0-9&/\-]{1,9}"
_BRACKETED = re.compile(r"\(([^()]{2,80})\)")
_WORD_BEFORE = re.compile(rf"({_SHORT_FORM})[ ]*$")
_HYPHENATED = re.compile(r"\b[A-Za-z]{2,}(?:-[A-Za-z]{2,})+\b")


def is_short_form(word: str) -> bool:
    """An acronym: two or more capitals, and not a whole word in capitals of over six letters."""
    capitals = sum(c.isupper() for c in word)
    return capitals >= 2 and len(word) <= 10 and any(c.isalpha() for c in word)


def _initials_match(short: str, long: str) -> bool:
    """Whether the short form's letters can be read, in order, from the long form,
    its first letter starting the first word (Schwartz and Hearst's test)."""
    letters = [c.casefold() for c in short if c.isalnum()]
    text = long.casefold()
    words = re.findall(r"[\w’']+", text)
    if not letters or not words or words[0][0] != letters[0]:
        return False
    position = len(text) - 1
    for letter in reversed(letters):
        position = text.rfind(letter, 0, position + 1)
        if position < 0:
            return False
        position -= 1
    return True


def find_acronyms(text: str) -> list[tuple[str, str]]:
    """(acronym, expansion) pairs defined inline, in either order:
    "community-oriented policing (CoP)" and "CoP (community-oriented policing)"."""
    pairs: list[tuple[str, str]] = []
    for match in _BRACKETED.finditer(text):
        inside = match.group(1).strip()
        before = text[max(0, match.start() - 200) : match.start()]
        if re.fullmatch(_SHORT_FORM, inside) and is_short_form(inside):
            long = _expansion_before(inside, before)
            if long:
                pairs.append((inside, long))
            continue
        short = _WORD_BEFORE.search(before)
        if (
            short
            and is_short_form(short.group(1))
            and not is_short_form(inside)
            and _initials_match(short.group(1), inside)
        ):
            pairs.append((short.group(1), inside))
    return list(dict.fromkeys(pairs))


def _expansion_before(short: str, before: str) -> str | None:
    """The shortest run of words ending just before the brackets that the
    acronym's letters fit, no longer than twice its letters."""
    words = before.split()
    if short.casefold() in (w.casefold().strip(",.;:") for w in words[-3:]):
        return None
    letters = sum(c.isalnum() for c in short)
    for count in range(max(1, letters - 1), min(len(words), letters * 2) + 1):
        run = words[-count:]
        if any(w.endswith((".", ";", ":", "!", "?")) for w in run[:-1]):
            return None  # an expansion does not cross a sentence end
        candidate = " ".join(run).strip(",;:")
        if _initials_match(short, candidate):
            return candidate
    return None


def find_compounds(text: str) -> set[str]:
    """Hyphenated words as the document writes them ("multi-stakeholder"), lower case."""
    return {word.casefold() for word in _HYPHENATED.findall(text)}


@cache
def spelling_variants(word: str) -> tuple[str, ...]:
    """The other national spellings of a word (neighbourhood → neighborhood)."""
    lower = word.casefold()
    found = {BRITISH_ENGLISH_SPELLINGS.get(lower), AMERICAN_ENGLISH_SPELLINGS.get(lower)}
    return tuple(sorted(v for v in found if v and v != lower))


def one_spelling(text: str) -> str:
    """The text with each word in one of its national spellings, the same one
    whichever was typed: "Organisation" and "Organization" read alike."""
    return re.sub(r"[A-Za-z]+", lambda m: min((m.group().casefold(), *spelling_variants(m.group()))), text)


@dataclass
class Vocabulary:
    """What the indexed documents define, as search uses it (kept per index state: see ``kb.index``)."""

    acronyms: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # by lower-case short form
    compounds: dict[str, str] = field(default_factory=dict)  # "multistakeholder" -> "multi-stakeholder"
    _expansions: dict[Tokens, tuple[str, str]] | None = field(default=None, repr=False, compare=False)

    def expansions(self, analyze: Callable[[str], list[str]]) -> dict[Tokens, tuple[str, str]]:
        """Each expansion's tokens, in one national spelling (``one_spelling``) ->
        its (acronym, expansion as defined), the first that defines it; worked
        out once: kb has one analyzer."""
        if self._expansions is None:
            found: dict[Tokens, tuple[str, str]] = {}
            for pairs in self.acronyms.values():
                for short, long in pairs:
                    found.setdefault(tuple(analyze(one_spelling(long))), (short, long))
            self._expansions = found
        return self._expansions

    @classmethod
    def from_pairs(cls, acronyms: list[tuple[str, str]], compounds: set[str]) -> Vocabulary:
        vocabulary = cls()
        for short, long in acronyms:
            known = vocabulary.acronyms.setdefault(short.casefold(), [])
            if all(long.casefold() != other.casefold() for _, other in known):
                known.append((short, long))
        vocabulary.compounds = {c.replace("-", ""): c for c in compounds}
        return vocabulary
