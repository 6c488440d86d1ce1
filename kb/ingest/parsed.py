"""What every format reader produces: a document as a list of sections.

Readers only find headings and paragraphs; ``SectionBuilder`` keeps the heading
stack so each reader does not have to, and ``kb.passages`` later cuts the
sections into passages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from kb.model import Metadata

# "3.2 Trust", "III. Basic principles", "4) Scope": the number a document gives a section.
_SECTION_NUMBER = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*\.?|[IVXLC]{1,6}\.|[A-Z]\.)\s+\S")

_NUMBERED_PART = re.compile(rf"{_SECTION_NUMBER.pattern}|^(part|chapter|section)\s+[\dIVXLC]+\b", re.I)

# Characters that PDFs and web pages carry but a reader never sees.
# Marks a reader never sees, and control characters, which a terminal would act on.
_CONTROL = [*range(0x00, 0x09), *range(0x0E, 0x1C), 0x7F, *range(0x80, 0xA0)]
_INVISIBLE = dict.fromkeys([*map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), *_CONTROL], None)


def clean_text(text: str) -> str:
    """Normalise a run of text: ligatures and odd spaces folded, invisible marks gone,
    white space collapsed to single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return " ".join(text.split())


def heading_key(text: str) -> str:
    """A heading's letters and digits only, in one case: what a heading shares
    with itself listed in a contents, repeated or set with other punctuation."""
    return re.sub(r"[\W_]+", "", text.casefold())


def section_number(heading: str) -> str | None:
    match = _SECTION_NUMBER.match(heading)
    return match.group(1).rstrip(".") if match else None


_SENTENCE_END = tuple('.!?:;"”)]')


def runs_on(before: str, text: str) -> bool:
    """Whether ``text`` carries on the sentence ``before`` left open: that ends
    no sentence, and ``text`` opens in lower case."""
    return not before.endswith(_SENTENCE_END) and text.lstrip()[:1].islower()


# A list item's own number or letter: "1.", "2)", "(b)", "iv." before its text.
NUMBERED_ITEM = re.compile(r"^\(?(?P<mark>\d{1,3}|[a-zA-Z]|[ivxIVX]{1,5})[.)]\s+(?=\S)")


@dataclass
class Block:
    """A paragraph, or one item of a list (kept as its own line)."""

    text: str
    page: int | None = None
    is_item: bool = False


@dataclass
class ParsedSection:
    heading_path: tuple[str, ...]
    level: int
    page_start: int | None
    blocks: list[Block] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return self.heading_path[-1] if self.heading_path else ""

    @property
    def number(self) -> str | None:
        return section_number(self.heading) if self.heading_path else None


@dataclass
class ParsedDocument:
    kind: str
    title: str | None
    pages: int | None
    sections: list[ParsedSection]
    metadata: Metadata = field(default_factory=Metadata)
    warnings: list[str] = field(default_factory=list)
    acronyms: list[tuple[str, str]] = field(default_factory=list)
    # The printed label of each page ("iv", "12"), by 1-based page index; PDFs only.
    page_labels: list[str] | None = None


class SectionBuilder:
    """Turns a stream of headings and blocks into sections with full heading paths."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []
        self.sections: list[ParsedSection] = [ParsedSection((), 0, None)]
        self._resumed: dict[int, int] = {}  # a section that goes on after an aside → the section it goes on

    @property
    def level(self) -> int:
        """The level of the section being written, 0 before the first heading."""
        return self._stack[-1][0] if self._stack else 0

    def end_aside(self) -> None:
        """Close a box or sidebar opened with ``heading``: the text after it goes
        on in the section the box stands in, not under the box's title."""
        if not self._stack:
            return
        self._stack.pop()
        path = tuple(t for _, t in self._stack)
        host = max(i for i, s in enumerate(self.sections) if s.heading_path == path)
        self.sections.append(ParsedSection(path, self.sections[host].level, None))
        self._resumed[len(self.sections) - 1] = host

    def heading(self, text: str, level: int, page: int | None = None) -> None:
        text = clean_text(text)
        if not text:
            return
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, text))
        path = tuple(t for _, t in self._stack)
        self.sections.append(ParsedSection(path, level, page))

    def block(self, text: str, page: int | None = None, is_item: bool = False) -> None:
        text = clean_text(text)
        if not text:
            return
        section = self.sections[-1]
        if section.page_start is None:
            section.page_start = page
        section.blocks.append(Block(text, page, is_item))

    def runs_on(self, text: str) -> bool:
        """Whether ``text`` goes on with the last block of the section being
        written, as a paragraph does that a converter cut at a page break."""
        blocks = self.sections[-1].blocks
        return bool(blocks) and runs_on(blocks[-1].text, text)

    def extend(self, text: str) -> None:
        """Go on with the last block of the section being written."""
        block = self.sections[-1].blocks[-1]
        block.text = f"{block.text} {clean_text(text)}"

    def finish(
        self, relevel: Callable[[list[ParsedSection]], list[ParsedSection]] | None = None
    ) -> tuple[str | None, list[ParsedSection]]:
        """The sections, and the document's title if its first heading is one;
        ``relevel`` may first set their levels anew (``kb.ingest.numbering``).

        A single top-level heading that opens the document (a Markdown ``# Title``
        or a page's ``<h1>``) names the document, not a section: it is taken off
        every heading path so that sections read "Background", not
        "<long title> > Background".
        """
        for resumed, host in sorted(self._resumed.items(), reverse=True):
            self.sections[host].blocks.extend(self.sections.pop(resumed).blocks)
        if relevel is not None:
            self.sections = relevel(self.sections)
        sections = [s for s in self.sections if s.heading_path or s.blocks]
        headed = [s for s in sections if s.heading_path]
        if not headed:
            return None, sections
        top_level = min(s.level for s in headed)
        tops = [s for s in headed if s.level == top_level]
        if len(tops) != 1 or sections[0] is not tops[0] or _NUMBERED_PART.match(tops[0].heading):
            return None, sections  # "PART 1 Regulations" or "1. Scope" is a section, not a title
        title = tops[0].heading_path[0]
        for s in sections:
            if s.heading_path and s.heading_path[0] == title:
                s.heading_path = s.heading_path[1:]
        return title, [s for s in sections if s.heading_path or s.blocks]
