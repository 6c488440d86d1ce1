"""Citations built from a document's metadata, leaving out whatever is unknown."""

from __future__ import annotations

from kb.model import Document, Passage


def page_range(page_start: int | None, page_end: int | None) -> str:
    """ "p. 4", "pp. 4–5", or "" for documents without pages."""
    if page_start is None:
        return ""
    if page_end is None or page_end == page_start:
        return f"p. {page_start}"
    return f"pp. {page_start}–{page_end}"


def cite(document: Document, passage: Passage) -> str:
    """E.g. ``OSCE and UNODC (2025), Title, 2nd ed., §3.2 "Trust", p. 23, https://…``."""
    parts = []
    author = document.publisher or ""
    if author and document.year:
        author = f"{author} ({document.year})"
    elif document.year:
        author = f"({document.year})"
    parts.append(author)
    parts.append(document.title)
    if document.edition:
        parts.append(f"{document.edition} ed." if not document.edition.endswith("ed.") else document.edition)
    if passage.heading_path:
        heading = passage.heading_path[-1]
        number = passage.section_number
        if number and heading.startswith(number):
            heading = heading[len(number) :].lstrip(" .)")
        parts.append(f'§{number} "{heading}"' if number else f'"{heading}"')
    parts.append(page_range(passage.page_start, passage.page_end))
    parts.append(document.url or "")
    return ", ".join(p for p in parts if p)
