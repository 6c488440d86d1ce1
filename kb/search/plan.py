"""Planning a query in the field's vocabulary, before any search engine sees it.

A query is cut into slots, one per word or per multi-word unit, and each slot
lists the token sequences that count as the same thing: the words as typed,
an acronym's expansion (and the reverse), a compound written joined, hyphenated
or spaced, the other national spelling. ``kb.search`` turns the plan into a
Whoosh query; this module knows nothing of Whoosh.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from kb.vocabulary import Tokens, Vocabulary, is_short_form, one_spelling, spelling_variants

MAX_PHRASE_COMBINATIONS = 16
_WORD = re.compile(r"[\w][\w’'\-./&]*")
_QUOTED = re.compile(r'"([^"]*)"|([^"]+)')


@dataclass
class Slot:
    alternatives: list[Tokens]  # the first is the words as typed
    substantive: bool = True


@dataclass
class Plan:
    slots: list[Slot]
    expanded: list[str]

    def phrase_combinations(self) -> list[Tokens]:
        """Every way to write the whole query as one phrase, up to a limit."""
        every = itertools.product(*(s.alternatives for s in self.slots))
        combos = itertools.islice(every, MAX_PHRASE_COMBINATIONS)
        return [tuple(token for part in combo for token in part) for combo in combos]


def plan(
    text: str,
    vocabulary: Vocabulary | None,
    analyze: Callable[[str], list[str]],
    stop_words: frozenset[str] = frozenset(),
) -> Plan:
    """Slots for the words of ``text``; with no vocabulary, the words as typed only.

    A quoted phrase is one slot: its words in order, in every way of writing them.
    """
    slots: list[Slot] = []
    expanded: list[str] = []
    for quoted, words in _QUOTED.findall(text):
        if quoted:
            phrase = _plan_words(_WORD.findall(quoted), vocabulary, analyze, expanded)
            found = [Slot(phrase.phrase_combinations())] if phrase.slots else []
        else:
            found = _plan_words(_WORD.findall(words), vocabulary, analyze, expanded).slots
        for slot in found:
            slot.substantive = any(t not in stop_words for t in slot.alternatives[0])
            slots.append(slot)
    return Plan(slots, list(dict.fromkeys(expanded)))


def _plan_words(words: list[str], vocabulary: Vocabulary | None, analyze, expanded: list[str]) -> Plan:
    slots: list[Slot] = []
    i = 0
    while i < len(words):
        taken, slot = (1, None)
        if vocabulary is not None:
            taken, slot = _multiword(words, i, vocabulary, analyze, expanded)
        if slot is None:
            slot = _single(words[i], vocabulary, analyze, expanded)
        if slot is not None and slot.alternatives[0]:
            slots.append(slot)
        i += taken
    return Plan(slots, expanded)


def _multiword(words, i, vocabulary: Vocabulary, analyze, expanded) -> tuple[int, Slot | None]:
    # An acronym's expansion typed out: "community oriented policing" also finds "CoP".
    for count in range(min(8, len(words) - i), 1, -1):
        typed = " ".join(words[i : i + count])
        defined = vocabulary.expansions(analyze).get(tuple(analyze(one_spelling(typed))))
        if defined is not None:
            short, long = defined
            expanded.append(f"{typed} → {short}")
            forms = [tuple(analyze(typed)), tuple(analyze(long)), tuple(analyze(short))]
            return count, Slot(list(dict.fromkeys(forms)))
    # A compound typed as two words: "multi stakeholder".
    if i + 1 < len(words):
        joined = (words[i] + words[i + 1]).casefold()
        if joined in vocabulary.compounds:
            typed = f"{words[i]} {words[i + 1]}"
            expanded.append(f"{typed} → {vocabulary.compounds[joined]}, {joined}")
            return 2, Slot([tuple(analyze(typed)), tuple(analyze(joined))])
    return 1, None


def _single(word: str, vocabulary: Vocabulary | None, analyze, expanded) -> Slot | None:
    literal = tuple(analyze(word))
    if not literal:
        return None
    alternatives = [literal]
    if vocabulary is None:
        return Slot(alternatives)
    if is_short_form(word) or word.isupper():
        # "NGO" and "NGOs" are one acronym, singular and plural.
        forms = [word, word[:-1]] if word.endswith("s") else [word, word + "s"]
        for form in forms:
            alternatives.append(tuple(analyze(form)))
            for short, long in vocabulary.acronyms.get(form.casefold(), []):
                alternatives.append(tuple(analyze(long)))
                expanded.append(f"{short} → {long}")
    lower = word.casefold()
    if "-" in word:
        joined = lower.replace("-", "")
        alternatives.append(tuple(analyze(joined)))
        expanded.append(f"{word} → {joined}")
    elif lower in vocabulary.compounds:
        alternatives.append(tuple(analyze(vocabulary.compounds[lower])))
        expanded.append(f"{word} → {vocabulary.compounds[lower]}")
    for variant in spelling_variants(word):
        alternatives.append(tuple(analyze(variant)))
        expanded.append(f"{word} → {variant}")
    return Slot(list(dict.fromkeys(a for a in alternatives if a)))
