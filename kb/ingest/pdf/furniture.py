"""Page furniture: what a typesetter repeats on every page and a reader skips.

Running headers and footers are lines near the top or bottom edge whose text
(numbers aside) recurs across pages; page numbers ("12", "xii", "Page 3 of 80")
are furniture wherever they stand in those bands. The box of labels a policy
or order opens with is furniture too, and so are the field labels of a blank
form printed in the document (its title stays). Two-column pages are put into reading
order here as well, since all these jobs are about where a line stands.
"""

from __future__ import annotations

import re
from collections import Counter

from kb.ingest.pdf.extract import Line, Page

EDGE_BAND = 0.1  # share of the page height at the top and at the bottom
# LaTeX's default margins set the head and the foot further in (12% of an A4
# page): the outermost line of a page, standing apart from the text, counts
# as in the band this far from the edge.
APART_BAND = 0.2
_PAGE_NUMBER = re.compile(
    r"^(page|p\.|seite|pág\.?)?\s*([0-9]{1,4}|[ivxlcdm]{1,7})(\s*(of|/|de|von)\s*[0-9]{1,4})?$", re.I
)


def _edge_lines(page: Page) -> set[int]:
    """The lines (by id) in the page's head and foot bands: within ``EDGE_BAND``
    of an edge, or the outermost row within ``APART_BAND``, set apart from
    the next row by nearly two lines."""
    edge = {id(line) for line in page.lines if not EDGE_BAND * page.height <= line.y <= (1 - EDGE_BAND) * page.height}
    rows = sorted({round(line.y, 1) for line in page.lines})
    if len(rows) >= 2:
        for outer, inner, near in ((rows[-1], rows[-2], rows[-1] > (1 - APART_BAND) * page.height),
                                   (rows[0], rows[1], rows[0] < APART_BAND * page.height)):  # fmt: skip
            row = [line for line in page.lines if abs(line.y - outer) <= 0.1]
            if near and abs(outer - inner) > 1.8 * max(line.size for line in row):
                edge.update(id(line) for line in row)
    return edge


# "Page 2" or "Page 2 of 4" closing a line: a foot that names its page ("CPD-11.377 (Rev. 1) Page 2").
_ENDS_WITH_PAGE = re.compile(r"(?:^|\s)(?:Page|PAGE)\s+[0-9]{1,4}(?:\s+(?:of|OF)\s+[0-9]{1,4})?$")


def _shape(text: str) -> str:
    """The text with its numbers blanked, so "Page 3" and "Page 4" look alike,
    and without a closing "Page N", which producers set now on the foot's own
    row, now as a line of its own."""
    text = _ENDS_WITH_PAGE.sub("", text) or text
    return " ".join(re.sub(r"\b([0-9]+|[ivxlcdm]+)\b", "#", text.casefold()).split())


def remove_furniture(pages: list[Page]) -> None:
    """Drop running headers, footers and page numbers from every page, in place.

    A running head stands at the same height on many pages, in type no larger
    than the body's. One that names the chapter changes with it, so three
    pages showing it are enough unless it is bold; a chapter heading that
    happens to open several pages is set larger or bold, and stays.
    """
    body = _body_size(pages)
    edges = {page.number: _edge_lines(page) for page in pages}

    def in_band(line: Line, page: Page) -> bool:
        return id(line) in edges[page.number]

    def key(line: Line, page: Page) -> tuple[str, int] | None:
        if not in_band(line, page) or line.size > body * (1.15 if line.bold else 1.3):
            return None
        return _shape(line.text), round(line.y / 3)

    seen_on = Counter()
    for page in pages:
        seen_on.update({k for k in (key(line, page) for line in page.lines) if k})
    often = max(2, round(len(pages) * 0.25)) if len(pages) > 2 else len(pages) + 1
    some = min(often, 2 if len(pages) <= 8 else 3)

    # A slot at the page's edge that most pages fill, in the same type, holds a
    # running head whatever it says (the chapter's name, a date, the file's address).
    # Such a line is set smaller than the body or stands apart from it.
    slots = Counter()
    for page in pages:
        slots.update({_slot(line) for line in page.lines if in_band(line, page) and _head_like(line, page, body)})
    filled = max(3, len(pages) // 2)

    titles = _heading_shapes(pages, body, edges)

    def running(line: Line, page: Page) -> bool:
        k = key(line, page)
        if k is None:
            return False
        if seen_on[k] >= (often if line.bold else some):
            return True
        if not line.bold and _apart(line, page) and _named_heading(k[0]) & titles:
            return True  # a chapter's name at the page's edge, though it heads only a page or two
        return slots[_slot(line)] >= filled and _head_like(line, page, body)

    for page in pages:
        furniture = [
            line
            for line in page.lines
            if in_band(line, page)
            and (
                (_PAGE_NUMBER.match(line.text.strip()) and _alone(line, page))
                or (_ENDS_WITH_PAGE.search(line.text) and _outermost(line, page, body))
                or running(line, page)
            )
        ]
        # A line of a running foot that only a few pages share (the order's own
        # number and name) goes with the furniture line it stands against.
        furniture += [
            line
            for line in page.lines
            if all(line is not other for other in furniture)
            and (k := key(line, page)) is not None
            and seen_on[k] >= 2
            and any(abs(line.y - other.y) <= 1.6 * other.size for other in furniture)
        ]
        gone = {id(line) for line in furniture}
        page.lines = [line for line in page.lines if id(line) not in gone]


def remove_metadata_boxes(pages: list[Page]) -> None:
    """The box of labels an order or a policy opens with ("Effective Date",
    "Replaces:", "Approved by:", "Page 1 of 6"): rows of short lines, no larger
    than the body, that recur on three pages or more and stand close together.
    The rows from the first such label to the last, with the values between
    and beside them, and the row of values under the last, are furniture.
    Run after the contents are taken out: their rows recur and stand close
    together too."""
    body = _body_size(pages)
    pages_with = Counter()
    for page in pages:
        pages_with.update({_shape(line.text) for line in page.lines if _label_like(line, body)})
    for page in pages:
        labels = sorted(
            {round(line.y, 1) for line in page.lines if _label_like(line, body) and pages_with[_shape(line.text)] >= 3},
            reverse=True,
        )
        drop: list[tuple[float, float]] = []
        run = labels[:1]
        for y in [*labels[1:], None]:
            if y is not None and run[-1] - y <= 2.5 * body:
                run.append(y)
                continue
            if len(run) >= 2:
                drop.append((run[0] + 0.5 * body, run[-1] - 1.6 * body))
            run = [y] if y is not None else []
        if drop:
            page.lines = [line for line in page.lines if not any(low <= line.y <= top for top, low in drop)]


FORM_LINES = 20  # a page shorter than this is a cover or a divider, not a form
_SENTENCE = re.compile(r"[^\W\d_]{3,}[.;:](\s|$)")


def reduce_blank_forms(pages: list[Page]) -> None:
    """Keep only the title of each blank form (a report form attached to an
    order): a page of many lines, nearly all in capitals and set smaller than
    the document's body, with no line that reads as a sentence. Its field
    labels ("DATE OF INCIDENT", "APPROVED BY: (Print)", "YES NO") are no
    text anyone reads, and as passages they matched any query sharing a word
    with a field name. The title is the line or lines of its largest type."""
    body = _body_size(pages)
    for page in pages:
        lines = [line for line in page.lines if re.search(r"[^\W\d_]", line.text)]
        if len(lines) < FORM_LINES:
            continue
        capitals = sum(1 for line in lines if line.text == line.text.upper())
        sentences = sum(1 for line in lines if _SENTENCE.search(line.text) and line.text != line.text.upper())
        small = sorted(line.size for line in lines)[len(lines) // 2] <= 0.8 * body
        if small and capitals >= 0.6 * len(lines) and sentences <= 0.05 * len(lines):
            largest = max(line.size for line in lines)
            page.lines = [line for line in lines if line.size >= 0.95 * largest]


def _body_size(pages: list[Page]) -> float:
    sizes = sorted(line.size for page in pages for line in page.lines)
    return sizes[len(sizes) // 2] if sizes else 0


def _label_like(line: Line, body: float) -> bool:
    return line.size <= body * 1.05 and len(line.text.split()) <= 8 and len(re.findall(r"[^\W\d_]", line.text)) >= 3


def _head_like(line: Line, page: Page, body: float) -> bool:
    if line.bold:
        return False
    return line.size < body * 0.95 or _apart(line, page)


def _apart(line: Line, page: Page) -> bool:
    """Whether the line's row stands nearly two lines from any other row (a
    contents entry at a page's foot does not)."""
    others = [abs(other.y - line.y) for other in page.lines if other is not line and abs(other.y - line.y) > 1]
    return len(others) >= 2 and min(others) > 1.8 * line.size


def _heading_shapes(pages: list[Page], body: float, edges: dict[int, set[int]]) -> set[str]:
    """The shapes of what the pages set as headings (larger or bold type, off
    the edges), a title wrapped onto two lines joined: a line at a page's edge
    that repeats one is a running head naming its chapter or section."""
    shapes: set[str] = set()
    for page in pages:
        edge = edges[page.number]
        heads = [line for line in page.lines if (line.size > body * 1.15 or line.bold) and id(line) not in edge]
        for line, following in zip(heads, [*heads[1:], None], strict=False):
            shapes.add(_shape(line.text))
            if following and abs(following.size - line.size) < 0.5 and 0 < line.y - following.y < 2 * line.size:
                shapes.add(_shape(f"{line.text} {following.text}"))
    return shapes


def _named_heading(shape: str) -> set[str]:
    """What a head may name, without its page's number ("#. basic principles #",
    "# #. basic principles"): the heading as it reads ("#. basic principles"),
    or without the label LaTeX puts before it ("chapter #. basic principles")."""
    named = re.sub(r"^# (?=\S)|(?<=\S) #$", "", shape)
    return {named, re.sub(r"^(?:chapter|part|section|appendix) #[.:]? ", "", named)}


def _slot(line: Line) -> tuple[int, float]:
    return round(line.y / 3), round(line.size, 1)


def _outermost(line: Line, page: Page, body: float) -> bool:
    """Whether no text stands beyond the line's row, towards the nearer edge of
    the page, in type of the body's size or larger: where a page's own number is set."""
    beyond = (lambda other: other.y < line.y - 2) if line.y < page.height / 2 else (lambda other: other.y > line.y + 2)
    return not any(beyond(other) and other.size >= 0.9 * body and other.text.strip() for other in page.lines)


def _alone(line: Line, page: Page) -> bool:
    """Whether nothing else stands on the line's row: a number that ends a row
    of text is a contents entry's page, not the page's own number."""
    return not any(other is not line and abs(other.y - line.y) < 2 for other in page.lines)


def put_columns_in_reading_order(page: Page) -> None:
    """On a page set in two columns, the left column is read before the right one,
    whatever order the content stream drew their lines in."""
    middle = page.width / 2
    right = [line for line in page.lines if line.x >= middle - 5]
    left = [line for line in page.lines if line.x < middle - 5]
    if len(right) < 5 or len(left) < 5:
        return
    overlap = min(max(r.y for r in right), max(left_.y for left_ in left)) - max(
        min(r.y for r in right), min(left_.y for left_ in left)
    )
    if overlap < 3 * max(line.size for line in right):
        return
    page.lines = sorted(left, key=lambda line: -line.y) + sorted(right, key=lambda line: -line.y)
