"""A printed table of contents: found in any common layout, taken out of the
content, and read for what it says about the headings.

Contents pages are laid out in many ways: dot leaders in the line or drawn as
runs of their own, page numbers right-aligned as separate pieces (sometimes
drawn before the titles), no leaders at all. What they share is rows that end
in a page number, page numbers that never go back, and titles indented by
level. So a row is an entry when its last word is a page number, and a page is
a contents page when most of its rows are entries in page order.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from kb.ingest.pdf.extract import Line, Page

# A row ending in a page number (arabic or roman), after leaders or a space.
_LABEL_END = re.compile(
    r"(?:^|[\s.…])(?P<label>\d{1,4}|(?=[ivxlc])x{0,3}(?:ix|iv|v?i{0,3})|(?=[IVXLC])X{0,3}(?:IX|IV|V?I{0,3}))$"
)
_LEADERS = re.compile(r"(?:\s?\.){2,}\s*$|…+\s*$")
_CONTENTS_TITLE = re.compile(r"^(table of )?contents?$|^inhalt|^sommaire$|^índice$", re.I)
_NUMBERED = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+\S")
_RANKED_WORDS = ("part", "chapter", "section")
_NUMBERED_NAME = re.compile(
    r"^(part|chapter|section|article|annex|appendix|table|figure|schedule|step|phase)\s+\S+$", re.I
)
_RANKED = re.compile(rf"^(?P<word>{'|'.join(_RANKED_WORDS)})\s+[\dIVXLC]+\b", re.I)


@dataclass
class ContentsEntry:
    title: str
    label: str  # the printed page number
    level: int
    page: int  # the contents page the entry stands on


@dataclass
class Contents:
    entries: list[ContentsEntry] = field(default_factory=list)
    pages: set[int] = field(default_factory=set)

    def titles(self) -> set[str]:
        return {normal(e.title) for e in self.entries}


def normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip()


@dataclass
class _Row:
    lines: list[Line]

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines)

    @property
    def x(self) -> float:
        return self.lines[0].x


def rows(page: Page) -> list[_Row]:
    """The page's lines grouped by height, top to bottom, each row left to right."""
    ordered = sorted(page.lines, key=lambda line: (-line.y, line.x))
    grouped: list[_Row] = []
    for line in ordered:
        if grouped and abs(grouped[-1].lines[0].y - line.y) < max(2.0, 0.3 * line.size):
            grouped[-1].lines.append(line)
        else:
            grouped.append(_Row([line]))
    for row in grouped:
        row.lines.sort(key=lambda line: line.x)
    return grouped


def _entry(row: _Row) -> tuple[str, str] | None:
    text = " ".join(row.text.split())
    end = _LABEL_END.search(text)
    if not end:
        return None
    before = text[: end.start("label")].rstrip()
    title = _LEADERS.sub("", before).strip(" .…")
    if not title or not re.search(r"[^\W\d_]", title):
        return None
    separate = len(row.lines) > 1 and re.fullmatch(r"[\d.\s…]+|[ivxlcdm]+", row.lines[-1].text.strip(), re.I)
    leaders = len(title) < len(before.rstrip(" ")) - 1
    if not (separate or leaders or len(title.split()) <= 14):
        return None
    if not (separate or leaders) and _NUMBERED_NAME.match(text):
        return None  # "Chapter 3" names a chapter; its number is no page
    return title, end.group("label")


def _in_order(labels: list[str]) -> bool:
    numbers = [int(label) for label in labels if label.isdigit()]
    steps = list(itertools.pairwise(numbers))
    return not steps or sum(b >= a for a, b in steps) >= 0.8 * len(steps)


def find_contents(pages: list[Page]) -> Contents:
    """Take the contents pages out of the content; return their entries.

    A page is a contents page when at least three of its rows, and half of
    them, are entries whose page numbers run forward; a page that follows one
    needs only a third. Entries are levelled by numbering ("2.1.3"), by the
    words Part, Chapter and Section, and else by how far they are indented.
    """
    contents = Contents()
    previous_was_contents = False
    most = 3 * len(pages) + 10
    for page in pages:
        page_rows = [row for row in rows(page) if not _CONTENTS_TITLE.match(normal(row.text))]
        found = _without_trailing_backsteps(_entries(page_rows, most))
        share = 0.34 if previous_was_contents else 0.5
        # Rows below the last entry may be the body beginning on the same page.
        bottom = min(line.y for line in found[-1][0].lines) if found else 0
        above = [row for row in page_rows if row.lines[0].y >= bottom]
        is_contents = len(found) >= 3 and len(found) >= share * len(above) and _in_order([e[1] for _, e in found])
        previous_was_contents = is_contents
        if not is_contents:
            continue
        contents.pages.add(page.number)
        indents = _indent_ranks([row.x for row, _ in found])
        for row, (title, label) in found:
            contents.entries.append(ContentsEntry(" ".join(title.split()), label, indents[row.x], page.number))
        # The body may begin below the last entry, on the same page.
        page.lines = [line for line in page.lines if line.y < bottom - 0.5]
    _level(contents.entries)
    return contents


def _without_trailing_backsteps(found: list[tuple[_Row, tuple[str, str]]]) -> list[tuple[_Row, tuple[str, str]]]:
    """The entries without those at the end whose page goes back before the
    entries above: a contents' pages run forward, and a row ending in a
    smaller number below them is the body that begins on the page (a
    policy's box saying "Page 1 of 4"), which must not be cut away with them."""
    while len(found) >= 2:
        numbers = [int(label) for _, (_, label) in found[:-1] if label.isdigit()]
        label = found[-1][1][1]
        if not (numbers and label.isdigit() and int(label) < max(numbers)):
            break
        found = found[:-1]
    return found


def _entries(page_rows: list[_Row], most: int) -> list[tuple[_Row, tuple[str, str]]]:
    """The rows that are entries; a title too long for one row is prefixed
    to the entry on the next."""
    found: list[tuple[_Row, tuple[str, str]]] = []
    waiting: _Row | None = None
    for row in page_rows:
        entry = _entry(row)
        if entry and entry[1].isdigit() and int(entry[1]) > most:
            entry = None  # a year or an amount, not a page
        if entry is None:
            waiting = row if len(row.text.split()) <= 14 and not row.text[-1].isdigit() else None
            continue
        if (
            waiting is not None
            and row.lines[0].y > waiting.lines[0].y - 2 * waiting.lines[0].size
            and row.x >= waiting.x - 2
        ):
            entry = (f"{waiting.text} {entry[0]}", entry[1])
            row = _Row(waiting.lines + row.lines)
        found.append((row, entry))
        waiting = None
    return found


def _indent_ranks(xs: list[float]) -> dict[float, int]:
    """Each indentation's rank on its page, positions within 3 points counted as one."""
    ranks: dict[float, int] = {}
    rank, last = 0, None
    for x in sorted(set(xs)):
        if last is not None and x - last > 3:
            rank += 1
        ranks[x] = rank
        last = x
    return ranks


def _level(entries: list[ContentsEntry]) -> None:
    """Turn indentation ranks into levels, and let numbering and the words
    Part, Chapter, Section override them where the document uses them."""
    for entry in entries:
        entry.level += 1
    ranked = [e for e in entries if _RANKED.match(e.title)]
    numbered = [e for e in entries if _NUMBERED.match(e.title) and not _RANKED.match(e.title)]
    if len(numbered) >= max(3, len(entries) // 3):
        depths = {e.title: _NUMBERED.match(e.title).group("num").count(".") for e in numbered}
        if len(set(depths.values())) > 1:
            for e in numbered:
                e.level = depths[e.title] + 1
    if ranked:
        words = sorted({_RANKED.match(e.title).group("word").casefold() for e in ranked}, key=_RANKED_WORDS.index)
        for e in ranked:
            e.level = words.index(_RANKED.match(e.title).group("word").casefold()) + 1
        for e in entries:
            if e not in ranked and e.level <= len(words):
                e.level = len(words) + 1
