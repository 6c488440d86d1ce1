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


STYLES = ("short", "apa")


def cite(document: Document, passage: Passage, style: str = "short") -> str:
    """The passage's citation; parts the metadata lacks are left out.

    short: ``OSCE/UNODC (2022), Good Practices …, 2nd ed., §3.2 "Trust", p. 23``
    apa:   ``OSCE/UNODC. (2022). Good Practices … (2nd ed.). §3.2 "Trust", p. 23. https://…``

    A web page has no pages, so its address is what locates the passage.
    """
    if style not in STYLES:
        raise ValueError(f"unknown citation style {style!r} (styles: {', '.join(STYLES)})")
    edition = edition_label(document.edition)
    locator = ", ".join(p for p in (_section(passage), printed_pages(passage)) if p)
    if style == "apa":
        author = f"{document.publisher}." if document.publisher else ""
        year = f"({document.year or 'n.d.'})."
        title = f"{document.title} ({edition})." if edition else f"{document.title}."
        parts = [author, year, title, f"{locator}." if locator else "", document.url or ""]
        return " ".join(p for p in parts if p)
    author = document.publisher or ""
    if document.year:
        author = f"{author} ({document.year})".strip()
    url = document.url if document.url and passage.page_start is None else ""
    return ", ".join(p for p in (author, document.title, edition, locator, url) if p)


def edition_label(edition: str | None) -> str:
    """ "2" and "2nd" both read "2nd ed."; "Revised edition" stays as it is."""
    if not edition:
        return ""
    if edition.isdigit():
        edition = _ordinal(int(edition))
    return edition if edition.rstrip(".").endswith(("ed", "edition")) else f"{edition} ed."


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _section(passage: Passage) -> str:
    if not passage.heading_path:
        return ""
    heading = passage.heading_path[-1]
    number = passage.section_number
    if number and heading.startswith(number):
        heading = heading[len(number) :].lstrip(" .)")
    return f'§{number} "{heading}"' if number else f'"{heading}"'
