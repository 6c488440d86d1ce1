"""Heading levels from the numbers a document gives its headings, where its
markup's levels say little.

A converter from PDF to HTML or Markdown sets h1-h6 (or #, ##, ...) by type
size, so one document's chapters stand at h1, h3 and h4 alike, a chapter's
label ("CHAPTER XIV") and its title are two headings, and bold run-in
paragraphs ("Illustrations.", "Provided that—") become headings too. The
numbers are what the author gave: "CHAPTER XIV" outranks "A.—Summons", which
outranks "204. Place of trial". Where one kind of number stands at several
markup levels, the numbers decide; where the markup is consistent, it stays.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from kb.ingest.parsed import Block, ParsedSection, heading_key

_LABEL = re.compile(
    r"^(?P<kind>part|chapter|section|title|book|article|schedule|annex|appendix)\s+"
    r"(?P<number>\d+|(?-i:[IVXLC]+|[A-Z]))\b(?P<rest>.*)$",
    re.I,
)
# "THE FIRST SCHEDULE", "Second Part": the number written as an ordinal before the word.
_ORDINAL_LABEL = re.compile(
    r"^(?:the\s+)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th))\s+"
    r"(?P<kind>part|chapter|schedule|annex|appendix|book)\b(?P<rest>.*)$",
    re.I,
)
# Divisions named by a word rank by what the word means, whichever comes first:
# a book holds parts, a part chapters; schedules, annexes and appendices stand
# beside the chapters; sections and articles stand in them.
_LABEL_RANK = {"book": 0, "part": 1, "title": 1, "chapter": 2, "schedule": 2, "annex": 2, "appendix": 2,
               "section": 3, "article": 3}  # fmt: skip
_DECIMAL = re.compile(r"^(?P<number>\d{1,3}(?:\.\d{1,3}){0,3})\.?(?=\s|[—–-]|$)")
_ROMAN = re.compile(r"^(?P<number>[IVXLC]{1,7})\s*\.(?=\s*[—–-]|\s+\S)")
_LETTER = re.compile(r"^(?P<number>[A-Z])\s*\.(?=\s*[—–-]|\s+\S)")
# A bold run-in paragraph made a heading: it ends as a sentence or a lead-in
# does ("Illustrations.", "Provided that—") or is a parenthesis ("(See section 63)").
_RUN_IN = re.compile(r"[.,;:—–-]$|^[(\[]")
# A heading cut in two by the converter: the first part ends on a word that needs more.
_UNFINISHED = re.compile(r"\b(?:of|to|or|and|the|for|in|on|by|with|from)$", re.I)
SAME_LEVEL_AT_LEAST = 0.75  # of one kind's headings, at one markup level, for the markup to be believed
KIND_AT_LEAST = 3  # headings of one kind before its markup levels are judged


@dataclass
class _Heading:
    section: ParsedSection
    tag_level: int
    kind: str | None
    bare_label: bool  # "CHAPTER XIV" with no title of its own


def levels_from_numbering(sections: list[ParsedSection]) -> list[ParsedSection]:
    """The sections (the first without a heading, as ``SectionBuilder`` keeps
    them) with levels and heading paths from their numbering, where the
    markup's levels contradict it; a bare label and the title that follows
    it are one heading either way."""
    if any(not s.heading_path for s in sections[1:]):
        return sections  # a section resumed after a box: not one of the pages this is for
    headings = [_read(s) for s in sections if s.heading_path]
    _roman_letters(headings)
    erratic = _erratic(headings)
    kept: list[ParsedSection] = [s for s in sections if not s.heading_path][:1]
    merged: list[_Heading] = []
    for heading in headings:
        before = merged[-1] if merged else None
        text = heading.section.heading
        if erratic and heading.kind is None and _RUN_IN.search(text):
            host = before.section if before else _preamble(kept)
            host.blocks.append(Block(text, heading.section.page_start))
            host.blocks.extend(heading.section.blocks)
            continue
        if (
            before is not None
            and not before.section.blocks
            and heading.kind is None
            and (before.bare_label or _UNFINISHED.search(before.section.heading))
            and (erratic or heading.tag_level == before.tag_level)
        ):
            title = f"{before.section.heading} {text}"
            blocks = heading.section.blocks
            before.section = ParsedSection((title,), before.tag_level, before.section.page_start, blocks)
            before.bare_label = False
            continue
        merged.append(heading)
    levels = _numbered_levels(merged) if erratic else [h.tag_level for h in merged]
    return kept + _with_paths([h.section for h in merged], levels)


def _read(section: ParsedSection) -> _Heading:
    text = section.heading
    label = _LABEL.match(text) or _ORDINAL_LABEL.match(text)
    if label:
        bare = not label.group("rest").strip(" .:—–-")
        return _Heading(section, section.level, label.group("kind").casefold(), bare)
    decimal = _DECIMAL.match(text)
    if decimal:
        return _Heading(section, section.level, f"decimal{decimal.group('number').count('.') + 1}", False)
    roman = _ROMAN.match(text)
    if roman and len(roman.group("number")) > 1:
        return _Heading(section, section.level, "roman", False)
    if _LETTER.match(text):
        return _Heading(section, section.level, "letter", False)
    return _Heading(section, section.level, None, False)


def _roman_letters(headings: list[_Heading]) -> None:
    """ "I.—Offences" is the first of a Roman series where "II." follows, not a letter."""
    romans = {_ROMAN.match(h.section.heading).group("number") for h in headings if h.kind == "roman"}
    neighbours = {"I": ("II",), "V": ("IV", "VI"), "X": ("IX", "XI")}
    for heading in headings:
        if heading.kind == "letter":
            letter = heading.section.heading[0]
            if any(n in romans for n in neighbours.get(letter, ())):
                heading.kind = "roman"


def _erratic(headings: list[_Heading]) -> bool:
    """Whether some kind of number stands at several markup levels: its most
    common level holds under ``SAME_LEVEL_AT_LEAST`` of its headings."""
    by_kind: dict[str, Counter] = {}
    for heading in headings:
        if heading.kind is not None:
            by_kind.setdefault(heading.kind, Counter())[heading.tag_level] += 1
    for levels in by_kind.values():
        total = sum(levels.values())
        if total >= KIND_AT_LEAST and levels.most_common(1)[0][1] < SAME_LEVEL_AT_LEAST * total:
            return True
    return False


def _numbered_levels(headings: list[_Heading]) -> list[int]:
    """Each kind of number its own level: divisions named by a word by what the
    word means, the others (letters, Roman and decimal numbers) below them in
    the order they first appear, as a chapter comes before its first
    subdivision. A heading without a number stands one below the last
    numbered one, unless it repeats the document's first heading (its title,
    as the body begins again after a contents list): that starts afresh."""
    kinds = list(dict.fromkeys(h.kind for h in headings if h.kind is not None))
    labels = sorted({_LABEL_RANK[k] for k in kinds if k in _LABEL_RANK})
    rank = {k: labels.index(_LABEL_RANK[k]) + 1 for k in kinds if k in _LABEL_RANK}
    for kind in kinds:
        rank.setdefault(kind, len(labels) + 1 + sum(1 for k in kinds[: kinds.index(kind)] if k not in _LABEL_RANK))
    first = heading_key(headings[0].section.heading) if headings else ""
    levels: list[int] = []
    last_numbered = 0
    for heading in headings:
        if heading.kind is not None:
            last_numbered = rank[heading.kind]
            levels.append(last_numbered)
        elif heading_key(heading.section.heading) == first:
            last_numbered = 0
            levels.append(1)
        else:
            levels.append(last_numbered + 1)
    return levels


def _with_paths(sections: list[ParsedSection], levels: list[int]) -> list[ParsedSection]:
    stack: list[tuple[int, str]] = []
    placed = []
    for section, level in zip(sections, levels, strict=True):
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, section.heading))
        placed.append(ParsedSection(tuple(t for _, t in stack), level, section.page_start, section.blocks))
    return placed


def _preamble(kept: list[ParsedSection]) -> ParsedSection:
    if not kept:
        kept.append(ParsedSection((), 0, None))
    return kept[0]
