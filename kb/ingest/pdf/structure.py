"""From positioned lines to sections: headings, front matter, paragraphs.

Headings come from the PDF's outline when it has one; otherwise from the text:
numbered headings ("III. BASIC PRINCIPLES", "3.2", "3.2.1"), capital-letter
title lines and lines set larger or bold than the body. A table of contents is
recognised, left out of the content, and used to confirm headings. Acronym
lists yield (acronym, expansion) pairs; each glossary entry becomes a section
of its own. Lines are rejoined into paragraphs, words hyphenated at line ends
are joined using the document's own vocabulary, and footnotes wait until the
sentence they interrupt has ended.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

from kb.ingest.parsed import NUMBERED_ITEM, SectionBuilder, clean_text, runs_on
from kb.ingest.pdf.contents import Contents
from kb.ingest.pdf.extract import Line, Page

_ROMAN_HEADING = re.compile(r"^(?P<num>[IVXLC]{1,8})\.\s+\S")
_DECIMAL_HEADING = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+[A-Z]")
# A list item starts with a bullet: any one symbol that is not a letter, digit,
# quote or bracket (fonts map bullets to "•", "", "\x7f" and worse), then a space.
_BULLET_START = re.compile(r"^(?:[•◦▪■➢✓·\uf0a7\uf0b7]\s*|[^\w\s\"'“‘(\[{.,;:!?%$€£#@/\\]\s+)")
_SENTENCE_END = tuple('.!?:;"”)')
_ACRONYM_LINE = re.compile(r"^(?P<short>[A-Za-z0-9&/.\-]{2,12})\s+(?:[-–—:=]\s*)?(?P<long>[A-Za-z(].{2,})$")
_INLINE_TERM = re.compile(r"^(?P<term>[A-Z][\w’'\- ]{1,50}?)\s*[:–—]\s+(?P<definition>\S.*)$")
_FRONT_ACRONYMS = re.compile(r"\b(acronyms|abbreviations)\b", re.I)
_FRONT_GLOSSARY = re.compile(r"\b(glossary|clarification of terms|definitions|terminology|key terms)\b", re.I)
_LEADING_NUMBERS = re.compile(r"^(?:(?:\d+|[ivxlc]+|chapter|part|section) )+")
# Bookmarks a binder or a converter made, not a reader: a file name, a draft id,
# a bare number, a blank page.
_JUNK_BOOKMARK = re.compile(
    r"\.(pdf|docx?|odt|rtf|txt|xlsx?)$|\w_\w|^\W*\d+\W*$|^blank page$|^untitled$|^page \d+$", re.I
)
_HYPHEN_END = re.compile(r"(\w+)-$")
_WORD_START = re.compile(r"^([a-z]\w*)")
# Prefixes that make real compounds ("multi-stakeholder"); used only when the
# document itself does not say whether a word is written with a hyphen.
_COMPOUND_PREFIXES = {
    "multi", "non", "self", "cross", "anti", "co", "well", "inter", "intra", "sub", "pre", "post",
    "semi", "socio", "long", "short", "high", "low", "full", "part", "gender", "community", "problem",
    "evidence", "decision", "law", "rights", "child", "youth", "age", "police",
}  # fmt: skip


@dataclass
class OutlineEntry:
    title: str
    level: int
    page: int  # 1-based
    top: float | None = None  # where on the page the destination points


def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip()


def _squashed(text: str) -> str:
    """Letters and digits only: contents lines often lose or gain spaces."""
    return re.sub(r"[^a-z0-9]+", "", text.casefold())


def _unnumbered(text: str) -> str:
    return _squashed(_LEADING_NUMBERS.sub("", _normal(text)))


def _similar(a: str, b: str) -> bool:
    if a == b:
        return bool(a)
    if not a or not b or abs(len(a) - len(b)) > 0.2 * max(len(a), len(b)):
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.9


_SKIP = (0, "", False)  # a line that continues the heading above it


def contents_plan(pages: list[Page], contents: Contents) -> dict[int, tuple[int, str, bool]] | None:
    """The body lines the contents name, with the level the contents give them.

    Entries are looked for in order, each on the pages around the one it
    names (printed numbers and page indexes seldom agree exactly), a heading
    wrapped over two lines included. Each planned line maps to its level, its
    text and whether the contents list sections under it. Where fewer than two
    in five entries are found, the contents do not describe this text and None
    says so.
    """
    entries = contents.entries
    if len(entries) < 3:
        return None
    by_label: dict[str, list[int]] = {}
    for index, page in enumerate(pages):
        by_label.setdefault(page.label, []).append(index)
    plan: dict[int, tuple[int, str, bool]] = {}
    last: int | None = None
    cursor = (0, -1)  # (page index, line index) of the last heading found
    found = 0
    for entry in entries:
        near = set(by_label.get(entry.label, []))
        if entry.label.isdigit():
            near.add(int(entry.label) - 1)
        window = sorted({i + d for i in near for d in (-2, -1, 0, 1, 2)} | {cursor[0]})
        spot = _find_entry(pages, entry, [i for i in window if cursor[0] <= i < len(pages)], cursor, plan)
        if spot is None:
            continue
        page_index, line_index, lines_used = spot
        lines = pages[page_index].lines
        text = " ".join(line.text for line in lines[line_index : line_index + lines_used])
        if last is not None and plan[last][0] < entry.level:
            plan[last] = (*plan[last][:2], True)
        last = id(lines[line_index])
        plan[last] = (entry.level, text, False)
        for extra in lines[line_index + 1 : line_index + lines_used]:
            plan[id(extra)] = _SKIP
        cursor = (page_index, line_index + lines_used - 1)
        found += 1
    return plan if found >= 0.4 * len(entries) else None


def _find_entry(pages, entry, window, cursor, plan) -> tuple[int, int, int] | None:
    """Where an entry's title stands as a line: numbered as in the contents
    first, then without its number (a policy's metadata box may repeat the
    bare title above the numbered heading)."""
    exact, bare = _squashed(entry.title), _unnumbered(entry.title)
    for key_of in (_squashed, _unnumbered):
        wanted = exact if key_of is _squashed else bare
        for page_index in window:
            lines = pages[page_index].lines
            start = cursor[1] + 1 if page_index == cursor[0] else 0
            for line_index in range(start, len(lines)):
                line = lines[line_index]
                if id(line) in plan or len(line.text) > 3 * len(entry.title) + 20:
                    continue
                key = key_of(line.text)
                close = _similar(key, wanted)
                if key == wanted:
                    return page_index, line_index, 1
                # A heading wrapped over lines, as a term in a narrow table column is.
                used = 1
                while key and wanted.startswith(key) and used < 5 and line_index + used < len(lines):
                    key += key_of(lines[line_index + used].text)
                    used += 1
                    if key == wanted or (not close and _similar(key, wanted)):
                        return page_index, line_index, used
                if close:
                    return page_index, line_index, 1
    return None


def body_size(pages: list[Page]) -> float:
    sizes = Counter()
    for page in pages:
        for line in page.lines:
            sizes[round(line.size, 1)] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def document_vocabulary(pages: list[Page]) -> Counter:
    """Every word the document writes whole, hyphenated compounds included."""
    vocabulary = Counter()
    for page in pages:
        for line in page.lines:
            words = re.findall(r"\w+(?:-\w+)*", line.text.casefold())
            if line.text.endswith("-") and words:
                words = words[:-1]  # a word cut at the line end is not a word
            vocabulary.update(words)
    return vocabulary


class _Assembler:
    """Feeds headings and paragraphs to a SectionBuilder, page after page."""

    def __init__(self, builder: SectionBuilder, size: float, vocabulary: Counter) -> None:
        self.builder = builder
        self.body_size = size
        self.vocabulary = vocabulary
        self.paragraph: list[str] = []
        self.paragraph_page: int | None = None
        self.paragraph_is_item = False
        self.paragraph_marks: list[str] = []
        self.footnotes: dict[str, tuple[str, int]] = {}  # by number, until their paragraph ends
        self.last_line: Line | None = None
        self.list_mark: tuple[str, float] | None = None  # the last numbered item's mark, and where it stands

    def heading(self, text: str, level: int, page: int) -> None:
        self.close_paragraph()
        self.builder.heading(text, level, page)
        self.last_line = None
        self.list_mark = None

    def line(self, line: Line, starts_item: bool = False) -> None:
        text = _BULLET_START.sub("", line.text) if starts_item else line.text
        numbered = self._numbered_item(line)
        if starts_item or numbered or self._starts_paragraph(line):
            self.close_paragraph()
            self.paragraph_is_item = starts_item or numbered
            if not numbered:
                self.list_mark = None
        if not self.paragraph:
            self.paragraph_page = line.page
            self.paragraph.append(text)
        else:
            self.paragraph[-1] = self._join(self.paragraph[-1], text)
        self.paragraph_marks.extend(line.marks)
        self.last_line = line

    def runs_on(self, line: Line) -> bool:
        """Whether the line goes on with the sentence of the paragraph open."""
        return bool(self.paragraph) and runs_on(self.paragraph[-1], line.text)

    def end_aside(self) -> None:
        self.close_paragraph()
        self.builder.end_aside()
        self.last_line = None

    def block(self, text: str, page: int, is_item: bool = False) -> None:
        self.close_paragraph()
        self.builder.block(text, page, is_item)
        self.last_line = None

    def footnote(self, number: str, text: str, page: int) -> None:
        self.footnotes[number] = (text, page)

    def end_page(self) -> None:
        """A paragraph that ends with its sentence ends with the page; one that
        does not runs on. Footnotes nobody marked follow the page's last
        paragraph, or wait for it to end."""
        if not self.paragraph or self.paragraph[-1].endswith(_SENTENCE_END):
            self.close_paragraph()
            self._emit_footnotes(list(self.footnotes))
        self.last_line = None

    def close_paragraph(self) -> None:
        """End the paragraph; the footnotes it marks follow it."""
        if self.paragraph:
            self.builder.block(self.paragraph[0], self.paragraph_page, self.paragraph_is_item)
            self.paragraph = []
            self.paragraph_is_item = False
        self._emit_footnotes(self.paragraph_marks)
        self.paragraph_marks = []

    def _emit_footnotes(self, numbers: list[str]) -> None:
        for number in numbers:
            if number in self.footnotes:
                text, page = self.footnotes.pop(number)
                self.builder.block(f"[{number}] {text}", page)

    def _numbered_item(self, line: Line) -> bool:
        """Whether the line opens an item of a numbered list: a first mark ("1.",
        "a)") where a paragraph starts or after a colon, or the mark that follows
        the last item's, standing where it stood. A wrapped sentence that happens
        to begin "2. " is neither."""
        found = NUMBERED_ITEM.match(line.text)
        if not found:
            return False
        mark = found.group("mark")
        if self.list_mark is not None:
            last_mark, last_x = self.list_mark
            if mark in _next_marks(last_mark) and abs(line.x - last_x) <= 3:
                self.list_mark = (mark, line.x)
                return True
        opens = not self.paragraph or self.paragraph[-1].endswith(":") or self._starts_paragraph(line)
        if mark.casefold() in ("1", "a", "i") and opens:
            self.list_mark = (mark, line.x)
            return True
        return False

    def _starts_paragraph(self, line: Line) -> bool:
        previous = self.last_line
        if previous is None:
            return not self.paragraph or self.paragraph[-1].endswith(_SENTENCE_END)
        gap = previous.y - line.y
        if gap > previous.size * 1.9 or gap < 0:
            return True
        if line.in_box != previous.in_box or abs(line.size - previous.size) > 0.5:
            return True
        if self.paragraph_is_item:
            return line.x < previous.x - 2  # an item's wrapped lines are indented like its text
        return line.x > previous.x + 8 and previous.text.endswith(_SENTENCE_END)

    def _join(self, before: str, after: str) -> str:
        hyphen = _HYPHEN_END.search(before[-64:]) if before.endswith("-") else None
        start = _WORD_START.match(after)
        if hyphen and start:
            head, tail = hyphen.group(1), start.group(1)
            whole, compound = (head + tail).casefold(), f"{head}-{tail}".casefold()
            keep = self.vocabulary[compound] > 0 and self.vocabulary[whole] == 0
            if not keep and self.vocabulary[whole] == 0 and self.vocabulary[compound] == 0:
                keep = head.casefold() in _COMPOUND_PREFIXES
            return before + after if keep else before[:-1] + after
        return f"{before} {after}"


_ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv"]


def _next_marks(mark: str) -> set[str]:
    """The marks that may follow this one in its own style: 9 → 10, b → c,
    iv → v, and "i" → "j" or "ii", since a letter may be a Roman numeral."""
    if mark.isdigit():
        return {str(int(mark) + 1)}
    following = {chr(ord(mark) + 1)} if len(mark) == 1 else set()
    lower = mark.casefold()
    if lower in _ROMAN[:-1]:
        roman = _ROMAN[_ROMAN.index(lower) + 1]
        following.add(roman if mark.islower() else roman.upper())
    return following


def assemble(
    pages: list[Page],
    builder: SectionBuilder,
    outline: list[OutlineEntry],
    contents: Contents,
) -> list[tuple[str, str]]:
    """Walk every page's lines into the builder; return the acronym pairs found.

    Headings come from the printed contents where they describe the text,
    else from the outline, else from how lines are set.
    """
    size = body_size(pages)
    toc_titles = contents.titles()
    _join_division_labels(pages, size, toc_titles)
    assembler = _Assembler(builder, size, document_vocabulary(pages))
    acronyms: list[tuple[str, str]] = []
    front_matter = ""  # "acronyms", "glossary" or ""
    front_level = 0
    by_page: dict[int, list[OutlineEntry]] = {}
    for entry in outline:
        by_page.setdefault(entry.page, []).append(entry)

    plan = contents_plan(pages, contents)
    last_heading: tuple[str, int, int] = ("", 0, 0)
    in_box = box_open = False
    bold_repeats = Counter(line.text for page in pages for line in page.lines if line.bold)
    if plan is not None:
        outline, by_page = [], {}
    else:
        _merge_wrapped_headings(pages, size)
    parent_size = _parent_heading_size(pages, by_page, size, toc_titles) if outline else None
    styled = _levels_by_style(pages, size, toc_titles) if plan is None and not outline else {}
    shift = 1 if parent_size is not None else 0
    title_page = _title_page(pages)
    # A title page without a sentence is a cover: it names the document (title,
    # publisher, date), which the document's record holds, and is no passage.
    cover = title_page is not None and not any(re.search(r"[.!?:;]$", line.text.strip()) for line in title_page.lines)
    for page in pages:
        entries = list(by_page.get(page.number, []))
        lines = _split_footnotes(page, size, assembler)
        for line in lines:
            if line.in_box != in_box:
                in_box = line.in_box
                if box_open:
                    assembler.end_aside()
                    box_open = False
                if in_box and _box_title(line, size):
                    # A box of good practice is a section of its own under the one it stands in.
                    assembler.heading(line.text, assembler.builder.level + 1, page.number)
                    box_open = True
                    continue
            level = None
            listed_children = False
            if plan is not None and id(line) in plan:
                level, text, listed_children = plan[id(line)]
                if level == 0:
                    continue  # the second line of a wrapped heading
            elif page is title_page and not entries:
                if not cover:
                    assembler.block(line.text, page.number)
                continue
            elif plan is not None:
                pass  # the contents name every heading: other lines are text
            elif outline:
                match = next((e for e in entries if _same_heading(e.title, line.text)), None)
                if match is None:
                    # Entries whose destination lies above this line, and whose
                    # heading text was not found, start here.
                    while entries and entries[0].top is not None and line.y < entries[0].top - 1.5 * line.size:
                        passed = entries.pop(0)
                        assembler.heading(passed.title, passed.level + shift, page.number)
                if match:
                    for earlier in entries[: entries.index(match)]:
                        assembler.heading(earlier.title, earlier.level + shift, page.number)
                    entries = entries[entries.index(match) + 1 :]
                    level = match.level + shift
                    # The printed line keeps the section's number, which outlines often drop.
                    text = line.text if len(line.text) < 2 * len(match.title) + 12 else match.title
                elif parent_size is not None and line.size >= parent_size:
                    level = 1 if _heading_level(line, size, toc_titles) is not None else None
                    text = line.text
            else:
                level = styled.get(id(line))
                text = line.text
            if level is not None:
                if (text, level) == last_heading[:2] and page.number > last_heading[2]:
                    continue  # the heading repeated at the top of its next page (a form's, a table's)
                last_heading = (text, level, page.number)
                assembler.heading(text, level, page.number)
                # Where the contents list a glossary's terms, they are its headings already.
                front_matter = "" if listed_children else _front_matter_kind(text)
                front_level = level
                continue
            if front_matter == "acronyms":
                pair = _acronym(line)
                if pair:
                    acronyms.append(pair)
                    assembler.block(f"{pair[0]}: {pair[1]}", page.number, is_item=True)
                    continue
            if front_matter == "glossary":
                if line.bold and bold_repeats[line.text] > 1:
                    continue  # a definitions table's header row ("Term Meaning"), repeated on each page
                # Where printed contents give the structure, only terms set apart in bold are entries;
                # words set bold inside a sentence that runs on from the line before are none.
                term = None if assembler.runs_on(line) else _glossary_term(line, marked_only=plan is not None)
                if term:
                    assembler.heading(term[0], front_level + 1, page.number)
                    if term[1]:
                        assembler.line(_with_text(line, term[1]))
                    continue
            assembler.line(line, starts_item=bool(_BULLET_START.match(line.text)))
        for entry in entries:  # outline entries whose heading text was not found on the page
            assembler.heading(entry.title, entry.level + shift, page.number)
        assembler.end_page()
    assembler.close_paragraph()
    return _pair_acronym_lines(acronyms)


# "Chapter 2", "PART II", "Appendix A" standing alone above the title it numbers.
_DIVISION_LABEL = re.compile(
    r"^(?:chapter|part|section|book|appendix|annex)\s+(?:\d+|[IVXLC]+|[A-Z]|one|two|three|four|five|six|seven|eight|nine|ten)\.?$",
    re.I,
)


def _join_division_labels(pages: list[Page], size: float, toc_titles: set[str]) -> None:
    """A division's label set large on a line of its own ("Chapter 2", as LaTeX
    opens a chapter) and the title under it are one heading: "Chapter 2 Basic
    principles". Left apart, the label was a line of text closing the section
    before. A label the contents list on its own, or one above a numbered
    heading ("Chapter 1" over "1.01.000 Definitions"), heads a division of its own."""
    for page in pages:
        for n, line in enumerate(page.lines[:-1]):
            title = page.lines[n + 1]
            if (
                _DIVISION_LABEL.match(line.text.strip())
                and _normal(line.text) not in toc_titles
                and not re.match(r"\d", title.text.strip())
                and (line.size >= size * 1.12 or line.bold)
                and title.size >= line.size * 0.95
                and 0 < line.y - title.y < 4 * title.size
            ):
                title.text = f"{line.text.strip()} {title.text}"
                line.text = ""
        page.lines = [line for line in page.lines if line.text]


def _merge_wrapped_headings(pages: list[Page], size: float) -> None:
    """A heading too long for one line continues on the next in the same type."""
    for page in pages:
        merged: list[Line] = []
        for line in page.lines:
            previous = merged[-1] if merged else None
            if (
                previous is not None
                and previous.size >= size * 1.12
                and abs(previous.size - line.size) < 0.5
                and previous.bold == line.bold
                and 0 < previous.y - line.y < 1.6 * previous.size
                and not previous.in_box
                and not previous.text.endswith((".", ":", ";"))
            ):
                previous.text = f"{previous.text} {line.text}"
                previous.y = line.y
                continue
            merged.append(line)
        page.lines = merged


def _parent_heading_size(
    pages: list[Page], by_page: dict[int, list[OutlineEntry]], size: float, toc_titles: set[str]
) -> float | None:
    """Some producers leave the top headings out of the outline (LibreOffice's
    web export bookmarks only the second level). Headings set larger than any
    the outline names are taken as the level above it; their smallest size."""
    outline_sizes = [
        line.size
        for page in pages
        for line in page.lines
        if any(_same_heading(e.title, line.text) for e in by_page.get(page.number, []))
    ]
    if not outline_sizes:
        return None
    parents = [
        line.size
        for page in pages
        for line in page.lines
        if line.size > max(outline_sizes) + 0.5 and _heading_level(line, size, toc_titles) is not None
    ]
    return min(parents) if parents else None


def _title_page(pages: list[Page]) -> Page | None:
    """A first page of a few short lines (title, subtitle, publisher) names the
    document; its large type is not a run of headings. A one-page document has no cover."""
    with_text = [page for page in pages if page.lines]
    first = with_text[0] if len(with_text) > 1 else None
    if first is None or len(first.lines) > 12 or any(len(line.text.split()) > 14 for line in first.lines):
        return None
    return first


def _box_title(line: Line, size: float) -> bool:
    """A box opens with its title: a short line that ends no sentence, set no
    smaller than the body (a form's shaded fields are)."""
    text = line.text.strip()
    return (
        bool(text)
        and line.size >= size * 0.95
        and not text.endswith("?")
        and len(text.split()) <= 12
        and (text[0].isupper() or text[0].isdigit())
        and (line.bold or not text.endswith((".", ",", ";")))
        and not _BULLET_START.match(text)
    )


def _front_matter_kind(heading: str) -> str:
    if _FRONT_ACRONYMS.search(heading):
        return "acronyms"
    return "glossary" if _FRONT_GLOSSARY.search(heading) else ""


def _with_text(line: Line, text: str) -> Line:
    return Line(text, line.x, line.y, line.size, False, line.page, line.in_box)


def _same_heading(title: str, text: str) -> bool:
    """Whether a printed line is the heading an outline entry names, numbering aside."""
    a, b = _normal(title), _normal(text)
    if not a:
        return False
    unnumbered_a, unnumbered_b = _LEADING_NUMBERS.sub("", a), _LEADING_NUMBERS.sub("", b)
    return a == b or (bool(unnumbered_a) and unnumbered_a == unnumbered_b) or (len(b) > 8 and a.startswith(b))


def _levels_by_style(pages: list[Page], size: float, toc_titles: set[str]) -> dict[int, int]:
    """The heading lines of a document without contents or outline, levelled
    by how they are set: larger type first, then Roman before decimal
    numbering and shallow numbers before deep ones, capitals before mixed
    case, bold before regular."""
    styles: dict[int, tuple] = {}
    for page in pages:
        for line in page.lines:
            if _heading_level(line, size, toc_titles) is None:
                continue
            text = line.text.strip()
            decimal = _DECIMAL_HEADING.match(text)
            numbering = 0 if _ROMAN_HEADING.match(text) else decimal.group("num").count(".") + 1 if decimal else 9
            letters = [c for c in text if c.isalpha()]
            capitals = bool(letters) and all(c.isupper() for c in letters)
            styles[id(line)] = (-round(line.size * 2) / 2, numbering, not capitals, not line.bold)
    ranks = {style: rank for rank, style in enumerate(sorted(set(styles.values())))}
    return {key: ranks[style] + 1 for key, style in styles.items()}


def _heading_level(line: Line, size: float, toc_titles: set[str]) -> int | None:
    text = line.text.strip()
    words = text.split()
    if (
        line.in_box
        or line.size < size * 0.95  # a heading is never set smaller than the body: form labels are
        or not words
        or len(words) > 14
        or text.endswith((".", ",", ";", ":"))
        or not (text[0].isupper() or text[0].isdigit())
        or _BULLET_START.match(text)
    ):
        return None
    larger = line.size >= size * 1.12
    emphasis = line.bold or larger
    in_toc = _normal(text) in toc_titles
    roman = _ROMAN_HEADING.match(text)
    if roman and (emphasis or in_toc):
        return 1
    decimal = _DECIMAL_HEADING.match(text)
    if decimal and (emphasis or in_toc):
        return decimal.group("num").count(".") + 1
    letters = [c for c in text if c.isalpha()]
    capitals = len(letters) >= 4 and all(c.isupper() for c in letters)
    if capitals and (emphasis or in_toc) and any(len(w) >= 4 for w in words):
        return 1
    if line.size >= size * 1.3 or (in_toc and emphasis):
        return 1
    if toc_titles:
        return None
    if larger and line.bold:
        return 2
    return None


def _acronym(line: Line) -> tuple[str, str] | None:
    if line.lead and len(line.lead.split()) == 1:
        short, long = line.lead, line.text[len(line.lead) :].strip(" -–—:=")
    else:
        match = _ACRONYM_LINE.match(line.text.strip())
        if not match:
            return None
        short, long = match.group("short"), match.group("long").strip()
    if sum(c.isupper() for c in short) < 2 or len(long.split()) < 1:
        return None
    return short, long


def _pair_acronym_lines(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(dict.fromkeys((short, clean_text(long)) for short, long in pairs))


def _glossary_term(line: Line, marked_only: bool = False) -> tuple[str, str] | None:
    """A glossary entry starts with its term: a short bold line, or "Term: definition"."""
    text = line.text.strip()
    if line.lead and (len(line.lead.split()) <= 6 or line.lead == text):  # a table's term cell is whole
        return line.lead.rstrip(":–— "), text[len(line.lead) :].strip(" :–—")
    if line.bold and len(text.split()) <= 6 and not text.endswith("."):
        return text.rstrip(":–— "), ""
    if marked_only:
        return None
    match = _INLINE_TERM.match(text)
    if match and len(match.group("term").split()) <= 6:
        return match.group("term").strip(), match.group("definition")
    return None


def _split_footnotes(page: Page, size: float, assembler: _Assembler) -> list[Line]:
    """Footnotes are small lines below the body text that start with their number."""
    lines = page.lines
    cut = len(lines)
    while cut > 0 and lines[cut - 1].size < size * 0.85 and not lines[cut - 1].in_box:
        cut -= 1
    tail = lines[cut:]
    if not tail or not re.match(r"^(\d{1,3}|[*†‡])\s", tail[0].text) or len(tail) == len(lines):
        return lines
    notes: list[str] = []
    for line in tail:
        if re.match(r"^(\d{1,3}|[*†‡])\s", line.text) or not notes:
            notes.append(line.text)
        else:
            notes[-1] = f"{notes[-1]} {line.text}"
    for note in notes:
        number, _, text = note.partition(" ")
        assembler.footnote(number, text, page.number)
    return lines[:cut]


def outline_entries(reader) -> list[OutlineEntry]:
    """The outline (bookmarks) flattened, each entry with its level and page."""
    entries: list[OutlineEntry] = []

    def walk(items, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            try:
                page = reader.get_destination_page_number(item)
                title = clean_text(str(item.title))
            except Exception:  # a broken destination costs that entry only
                continue
            if page is not None and page >= 0 and title and not _JUNK_BOOKMARK.search(title):
                top = getattr(item, "top", None)
                entries.append(OutlineEntry(title, level, page + 1, float(top) if top is not None else None))

    try:
        walk(reader.outline, 1)
    except Exception:
        return []
    return entries
