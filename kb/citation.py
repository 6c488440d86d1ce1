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


def printed_pages(item: Passage | Section | None) -> str:
    """The pages as the printed document numbers them, falling back to the page index."""
    if item is None:
        return ""
    if item.page_label_start is not None:
        return page_range(item.page_label_start, item.page_label_end)
    return page_range(item.page_start, item.page_end)


STYLES = ("short", "apa")


def cite(document: Document, passage: Passage | None, style: str = "short") -> str:
    """The passage's citation (the work's, for ``passage=None``); parts the
    metadata lacks are left out, never shown as gaps.

    short: ``OSCE/UNODC (2022), Good Practices …, 2nd ed., §3.2 "Trust", p. 23``
    apa:   ``OSCE/UNODC. (2022). Good Practices … (2nd ed.). §3.2 "Trust", p. 23. https://…``

    The author is the person or body that wrote the work, else its publisher
    (a group author, as APA has it). With neither, the title leads:
    ``Good Practices … (2008), p. 23``. A web page has no pages, so its
    address is what locates the passage.
    """
    if style not in STYLES:
        raise ValueError(f"unknown citation style {style!r} (styles: {', '.join(STYLES)})")
    edition = edition_label(document.edition)
    locator = ", ".join(p for p in (_section(passage), printed_pages(passage)) if p) if passage else ""
    author = document.author or document.publisher or ""
    # A publisher other than the author is named after the title (APA) or not at all (short).
    publisher = document.publisher if document.author and document.publisher != document.author else ""
    if style == "apa":
        title = f"{document.title} ({edition})." if edition else f"{document.title}."
        year = f"({document.year or 'n.d.'})."
        lead = [f"{author.rstrip('.')}.", year, title] if author else [title, year]
        parts = [*lead, f"{publisher}." if publisher else "", f"{locator}." if locator else "", document.url or ""]
        return " ".join(p for p in parts if p)
    year = f"({document.year})" if document.year else ""
    lead = [f"{author} {year}".strip(), document.title] if author else [f"{document.title} {year}".strip()]
    url = document.url if document.url and (passage is None or passage.page_start is None) else ""
    return ", ".join(p for p in (*lead, edition, locator, url) if p)


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
