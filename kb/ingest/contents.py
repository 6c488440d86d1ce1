"""A contents list in a web page or a Markdown file, taken out.

A document converted from print keeps its contents ("Contents", "Arrangement
of sections") as headings and lines of text: each chapter twice, once listed
and once with its text. The listed copy is no passage and no section; as one,
it outranked the chapter it lists. The contents run from their heading to where
the document starts again: its first heading (its title) repeated, else the
second coming of the first heading listed. A contents list of lines under
its heading, each naming a heading that follows, goes with its heading.
"""

from __future__ import annotations

import re

from kb.ingest.parsed import ParsedSection, heading_key

_CONTENTS = re.compile(r"^(?:table of )?contents|^arrangement of (?:sections|clauses|chapters)", re.I)


def without_contents(sections: list[ParsedSection]) -> list[ParsedSection]:
    """The sections without a contents list, where the document starts again after it."""
    headed = [n for n, s in enumerate(sections) if s.heading_path]
    opening = next((n for n in headed if _CONTENTS.match(_plain(sections[n].heading))), None)
    if opening is None:
        return sections
    after = [n for n in headed if n > opening]
    if not after:
        return sections
    title, listed_first = _key(sections[headed[0]]), _key(sections[after[0]])
    restart = next((n for n in after if _key(sections[n]) == title and n != headed[0]), None)
    if restart is None:
        restart = next((n for n in after[1:] if _key(sections[n]) == listed_first), None)
    if restart is not None:
        return sections[:opening] + sections[restart:]
    # A list of entries under the heading, each naming a heading that follows.
    later = {_key(sections[n]) for n in after}
    entries = [_key_of(block.text) for block in sections[opening].blocks]
    if entries and sum(e in later for e in entries) >= LISTED_AT_LEAST * len(entries):
        return sections[:opening] + sections[opening + 1 :]
    return sections


LISTED_AT_LEAST = 0.6  # of a contents section's lines, naming headings that follow


def _key_of(text: str) -> str:
    """An entry's heading: without its page number or leaders."""
    return heading_key(re.sub(r"[\s.·…_-]*\d+$", "", text.strip()))


def _key(section: ParsedSection) -> str:
    return heading_key(section.heading)


def _plain(heading: str) -> str:
    return re.sub(r"[\W_]+$", "", heading.strip())
