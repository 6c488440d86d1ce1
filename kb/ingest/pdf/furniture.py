"""Page furniture: what a typesetter repeats on every page and a reader skips.

Running headers and footers are lines near the top or bottom edge whose text
(numbers aside) recurs across pages; page numbers ("12", "xii", "Page 3 of 80")
are furniture wherever they stand in those bands. Two-column pages are put into
reading order here too, since both jobs are about where a line stands.
"""

from __future__ import annotations

import re
from collections import Counter

from kb.ingest.pdf.extract import Line, Page

EDGE_BAND = 0.1  # share of the page height at the top and at the bottom
_PAGE_NUMBER = re.compile(
    r"^(page|p\.|seite|pág\.?)?\s*([0-9]{1,4}|[ivxlcdm]{1,7})(\s*(of|/|de|von)\s*[0-9]{1,4})?$", re.I
)


def _in_band(line: Line, page: Page) -> bool:
    return line.y > page.height * (1 - EDGE_BAND) or line.y < page.height * EDGE_BAND


def _shape(text: str) -> str:
    """The text with its numbers blanked, so "Page 3" and "Page 4" look alike."""
    return re.sub(r"\b([0-9]+|[ivxlcdm]+)\b", "#", text.casefold()).strip()


def remove_furniture(pages: list[Page]) -> None:
    """Drop running headers, footers and page numbers from every page, in place.

    A running header stands at the same height on many pages, in type no larger
    than the body's; a chapter heading that happens to open several pages is
    set larger, and stays.
    """
    sizes = sorted(line.size for page in pages for line in page.lines)
    largest = sizes[len(sizes) // 2] * 1.15 if sizes else 0

    def key(line: Line, page: Page) -> tuple[str, int] | None:
        if not _in_band(line, page) or line.size > largest:
            return None
        return _shape(line.text), round(line.y / 3)

    seen_on = Counter()
    for page in pages:
        seen_on.update({k for k in (key(line, page) for line in page.lines) if k})
    repeats = max(2, round(len(pages) * 0.25)) if len(pages) > 2 else len(pages) + 1
    for page in pages:
        page.lines = [
            line
            for line in page.lines
            if not (
                _in_band(line, page)
                and (
                    (_PAGE_NUMBER.match(line.text.strip()) and _alone(line, page))
                    or seen_on[key(line, page)] >= repeats
                )
            )
        ]


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
