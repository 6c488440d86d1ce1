"""Two-column tables whose left cells wrap: a glossary's "term | definition",
a "reaction | signs" table.

A content stream draws such a table row by row of type, so a term set over
two lines in a narrow column comes out interleaved with its definition:
"Active case The actions undertaken…", "man agement assessment and…". Here the
left cell is read whole and set before the right one, as a reader reads them,
and the term is marked as the line's lead-in, as a bold term opening a
definition is.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

from kb.ingest.pdf.extract import Line, Page

_MARKER = re.compile(r"^(?:[A-Za-z]|\d{1,3}|[ivxlc]{1,5})[.)]$|^\W+$")
_MIN_GAP = 36.0  # points between a left cell and the column to its right
_NARROWEST_LETTER = 0.3  # of the type size: no font sets a run of text narrower on average


@dataclass
class _TableRow:
    terms: list[Line] = field(default_factory=list)
    definition: list[Line] = field(default_factory=list)


def read_table_cells(page: Page) -> None:
    """Put the cells of two-column tables in reading order, in place, on a
    page where some left cell takes more than one line."""
    column = _right_column(page)
    if column is None:
        return
    if not _rows_set_apart(page, column):
        return
    out: list[Line] = []
    row: _TableRow | None = None
    wrapped = False

    def close() -> None:
        nonlocal row, wrapped
        if row is not None:
            wrapped |= len(row.terms) > 1
            term = " ".join(line.text for line in row.terms)
            first = row.terms[0]
            out.append(Line(term, first.x, first.y, first.size, first.bold, first.page, first.in_box, lead=term))
            out.extend(row.definition)
        row = None

    lines = page.lines
    for line, split in zip(lines, _table_rows(lines, column), strict=True):
        if split is not None:
            left, right = split
            if row is None or not _wraps(row.terms[-1], left, column):
                carried = _first_line_of_next_row(row, left, out)
                close()
                row = _TableRow(definition=carried)
            row.terms.append(left)
            if right is not None:
                row.definition.append(right)
        elif row is not None and line.x >= column - 2:
            row.definition.append(line)
        elif row is not None and _wraps(row.terms[-1], line, column) and len(line.text.split()) <= 4:
            row.terms.append(line)
        else:
            close()
            out.append(line)
    close()
    if wrapped:
        page.lines = out


def _table_rows(lines: list[Line], column: float) -> list[tuple[Line, Line | None] | None]:
    """Each line's left and right cell, where it is a table's row. A table is
    a run of lines that no line of body text crosses, holding two rows or
    more: on a page of running text whose words come in pieces (or whose
    links are drawn apart), a word that happens to stand at the column on a
    few scattered rows makes no table."""
    rows = []
    for index, line in enumerate(lines):
        split = _split_at(line, column)
        if split is None and _opens_cell(lines, index, column):
            split = (line, None)
        rows.append(split)
    crossing = [n for n, line in enumerate(lines) if rows[n] is None and _crosses(line, column)]
    start = 0
    for end in [*crossing, len(lines)]:  # the runs between lines of body text
        if sum(row is not None for row in rows[start:end]) < 2:
            rows[start:end] = [None] * (end - start)
        start = end + 1
    return rows


def _crosses(line: Line, column: float) -> bool:
    """A line that begins where left cells do and is too long to end before
    the column, in any type: body text running across the page, not a cell."""
    return line.x <= column - _MIN_GAP and line.x + _NARROWEST_LETTER * line.size * len(line.text) > column


def _right_column(page: Page) -> float | None:
    """The x where right-hand cells begin: pieces set apart on their row, or
    lines standing level with a line further left, on two rows or more."""
    if not page.lines:
        return None
    left = min(line.x for line in page.lines)
    starts = Counter(round(x) for line in page.lines for x, _ in line.cells if x - line.x >= _MIN_GAP)
    for line in page.lines:
        if line.x - left >= _MIN_GAP and any(
            other.x < line.x - _MIN_GAP and abs(other.y - line.y) <= 0.6 * line.size for other in page.lines
        ):
            starts[round(line.x)] += 1
    x, count = max(((n, x) for x, n in starts.items()), default=(0, 0))[::-1]
    return float(x) if count >= 2 else None


def _split_at(line: Line, column: float) -> tuple[Line, Line | None] | None:
    """A row's left cell and right cell, when the line holds both."""
    for x, letters in line.cells:
        if abs(x - column) > 1.5 or x - line.x < _MIN_GAP:
            continue
        cut = _offset_after_letters(line.text, letters)
        left, right = line.text[:cut].strip(), line.text[cut:].strip()
        if _MARKER.match(left) or len(re.findall(r"[^\W\d_]", left)) < 3:
            return None  # a list item's number or bullet, not a cell
        term = Line(left, line.x, line.y, line.size, line.bold, line.page, line.in_box)
        rest = Line(right, x, line.y, line.size, line.bold, line.page, line.in_box, marks=line.marks)
        return term, rest
    return None


def _rows_set_apart(page: Page, column: float) -> bool:
    """Whether the table's rows are further apart than the lines of a cell:
    without that, a list of short entries (acronyms) would read as one
    wrapped cell."""
    lefts = [line.y for line in page.lines if line.x < column - _MIN_GAP]
    gaps = [a - b for a, b in itertools.pairwise(lefts) if 0 < a - b < 100]
    return len(gaps) >= 2 and max(gaps) >= 1.5 * min(gaps)


def _first_line_of_next_row(row: _TableRow | None, term: Line, out: list[Line]) -> list[Line]:
    """A definition's first line drawn before its term: it stands level with
    the term, a row's gap below the definition above (or it opens the table).
    It is taken (in place) for the term's own row."""
    if row is None:
        level = out and out[-1].x > term.x + _MIN_GAP and abs(out[-1].y - term.y) <= 0.6 * term.size
        return [out.pop()] if level else []
    if len(row.definition) < 2:
        return []
    last, before = row.definition[-1], row.definition[-2]
    if abs(last.y - term.y) <= 0.6 * term.size and before.y - last.y > 1.5 * last.size:
        return [row.definition.pop()]
    return []


def _opens_cell(lines: list[Line], index: int, column: float) -> bool:
    """A short line left of the column that stands level with the right
    cell's first line, drawn just before it or after the cell's own lines."""
    line = lines[index]
    if line.x > column - _MIN_GAP or len(line.text.split()) > 5 or _MARKER.match(line.text):
        return False
    before = lines[index - 1] if index else None
    if before is not None and abs(before.x - column) <= 2 and abs(before.y - line.y) <= 0.6 * line.size:
        return True
    previous = line
    for following in lines[index + 1 : index + 6]:
        if abs(following.x - column) <= 2:
            return abs(following.y - line.y) <= 0.6 * line.size
        if not _continues(previous, following) or len(following.text.split()) > 4:
            return False
        previous = following
    return False


def _wraps(previous: Line, line: Line, column: float) -> bool:
    """Whether a left-column line goes on with the cell above it: it stands
    right under it, and its first word would not have fitted on the line
    above (a list of short acronyms does not wrap)."""
    if not _continues(previous, line):
        return False
    first_word = line.text.split()[0] if line.text.split() else ""
    return (len(previous.text) + 1 + len(first_word)) * 0.5 * previous.size > 0.85 * (column - previous.x)


def _continues(previous: Line, line: Line) -> bool:
    """Whether a left-column line goes on with the cell above it."""
    return abs(line.x - previous.x) <= 2 and 0 < previous.y - line.y <= 1.6 * previous.size


def _offset_after_letters(text: str, letters: int) -> int:
    seen = 0
    for index, char in enumerate(text):
        if seen == letters:
            return index
        if not char.isspace():
            seen += 1
    return len(text)
