"""The field's vocabulary as documents write it: acronyms, compounds, spellings.

Practitioners type "CoP", "multistakeholder" or "neighborhood"; documents say
"community-oriented policing (CoP)", "multi-stakeholder" and "neighbourhood".
This module finds what the documents define (acronyms, hyphenated compounds)
and knows the British/American spelling pairs (from the breame package's
list of about 1,700 pairs), so that search can match each form with the others.
"""

from __future__ import annotations

import re
from functools import cache

from breame.data.spelling_constants import AMERICAN_ENGLISH_SPELLINGS, BRITISH_ENGLISH_SPELLINGS

_SHORT_FORM = r"[A-Za-z][A-Za-z0-9&/\-]{1,9}"
# "community-oriented policing (CoP)"
_LONG_THEN_SHORT = re.compile(rf"((?:[\w’'\-]+,?[ ]+){{1,10}}?[\w’'\-]+)[ ]*\(({_SHORT_FORM})\)")
# "CoP (community-oriented policing)"
_SHORT_THEN_LONG = re.compile(rf"\b({_SHORT_FORM})[ ]+\(([A-Za-z][\w’'\- ]{{3,80}}?)\)")
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
    """(acronym, expansion) pairs defined inline, in either order."""
    pairs: list[tuple[str, str]] = []
    for match in _LONG_THEN_SHORT.finditer(text):
        before, short = match.group(1), match.group(2)
        if not is_short_form(short) or short.casefold() in before.casefold().split():
            continue
        words = before.split()
        # The expansion is the shortest run of words before the brackets that
        # the acronym's letters fit, no longer than twice the letters.
        letters = sum(c.isalnum() for c in short)
        for count in range(1, min(len(words), letters * 2) + 1):
            candidate = " ".join(words[-count:]).strip(",")
            if _initials_match(short, candidate) and count >= min(letters, 2) - 1:
                pairs.append((short, candidate))
                break
    for match in _SHORT_THEN_LONG.finditer(text):
        short, long = match.group(1), match.group(2).strip()
        if is_short_form(short) and not is_short_form(long) and _initials_match(short, long):
            pairs.append((short, long))
    return list(dict.fromkeys(pairs))


def find_compounds(text: str) -> set[str]:
    """Hyphenated words as the document writes them ("multi-stakeholder"), lower case."""
    return {word.casefold() for word in _HYPHENATED.findall(text)}


@cache
def spelling_variants(word: str) -> tuple[str, ...]:
    """The other national spellings of a word (neighbourhood → neighborhood)."""
    lower = word.casefold()
    found = {BRITISH_ENGLISH_SPELLINGS.get(lower), AMERICAN_ENGLISH_SPELLINGS.get(lower)}
    return tuple(sorted(v for v in found if v and v != lower))
