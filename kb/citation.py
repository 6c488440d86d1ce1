"""Citations built from a document's metadata, leaving out whatever is unknown."""

from __future__ import annotations

from kb.model import Document, Passage, Section


def page_range(start: int | str | None, end: int | str | None) -> str:
    """Pages as "p. 4", "pp. 4–5", or "" for documents without pages."""
    if start is None:
        return ""
    if end is None or end == start:
        return f"p. {start}"
    return f"pp. {start}–{end}"


def printed_pages(item: Passage | Section) -> str:
    """The pages as the printed document numbers them, falling back to the page index."""
    if item.page_label_start is not None:
        return page_range(item.page_label_start, item.page_label_end)
    return page_range(item.page_start, item.page_end)


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
    parts.append(printed_pages(passage))
    parts.append(document.url or "")
    return ", ".join(p for p in parts if p)
