"""Citations for reference managers: BibTeX and RIS, which Zotero, Mendeley,
EndNote and JabRef all import.

A reference manager holds works, not passages, so each document is one entry
and the passages cited from it are listed in its note (section and pages).
Values are escaped for each format; nothing a document holds can open a
command or a new field.
"""

from __future__ import annotations

import re

from kb.citation import edition_label, printed_pages
from kb.model import Document, Passage

BIB_FORMATS = ("bibtex", "ris")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bibliography(cited: list[tuple[Passage | None, Document]], fmt: str) -> str:
    """One entry per document, in the order first cited."""
    if fmt not in BIB_FORMATS:
        raise ValueError(f"unknown format {fmt!r} (formats: {', '.join(BIB_FORMATS)})")
    works: dict[str, tuple[Document, list[Passage]]] = {}
    for passage, document in cited:
        entry = works.setdefault(document.id, (document, []))
        if passage is not None and passage not in entry[1]:
            entry[1].append(passage)
    write = _bibtex_entry if fmt == "bibtex" else _ris_entry
    return "\n".join(write(document, passages) for document, passages in works.values())


def _locators(passages: list[Passage]) -> str:
    """'§3.2 "Trust", p. 23; "Partnerships", pp. 40–41'"""
    parts = []
    for passage in passages:
        section = passage.heading_path[-1] if passage.heading_path else ""
        parts.append(", ".join(p for p in (f'"{section}"' if section else "", printed_pages(passage)) if p))
    return "; ".join(p for p in parts if p)


def _clean(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())


def _bibtex_value(text: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(c, c) for c in _clean(text))


def _bibtex_entry(document: Document, passages: list[Passage]) -> str:
    kind = "book" if document.kind == "pdf" else "misc"
    fields: list[tuple[str, str]] = []
    if document.author:
        names = [n.strip() for n in re.split(r";| and ", document.author) if n.strip()]
        fields.append(("author", " and ".join(_bibtex_value(n) for n in names)))
    elif document.publisher:
        fields.append(("author", "{" + _bibtex_value(document.publisher) + "}"))  # a group author, kept whole
    fields.append(("title", "{" + _bibtex_value(document.title) + "}"))  # its capitals kept
    if document.year:
        fields.append(("year", str(document.year)))
    if document.edition:
        fields.append(("edition", _bibtex_value(edition_label(document.edition).removesuffix(" ed."))))
    if document.publisher:
        fields.append(("publisher", _bibtex_value(document.publisher)))
    if document.url:
        fields.append(("url", _bibtex_value(document.url)))
    if document.pages and kind == "book":
        fields.append(("pagetotal", str(document.pages)))
    if _locators(passages):
        fields.append(("note", "Cited: " + _bibtex_value(_locators(passages))))
    key = re.sub(r"[^A-Za-z0-9_:-]", "-", document.id)
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{key},\n{body}\n}}\n"


def _ris_entry(document: Document, passages: list[Passage]) -> str:
    kind = "BOOK" if document.kind == "pdf" else "ELEC" if document.url else "GEN"
    lines = [("TY", kind)]
    if document.author:
        lines += [("AU", n.strip()) for n in re.split(r";| and ", document.author) if n.strip()]
    elif document.publisher:
        lines.append(("AU", document.publisher))
    lines.append(("TI", document.title))
    if document.year:
        lines.append(("PY", str(document.year)))
    if document.edition:
        lines.append(("ET", edition_label(document.edition)))
    if document.publisher:
        lines.append(("PB", document.publisher))
    if document.url:
        lines.append(("UR", document.url))
    if len(passages) == 1 and passages[0].page_start is not None:
        first = passages[0]
        start, end = first.page_label_start or first.page_start, first.page_label_end or first.page_end
        lines.append(("SP", str(start)))
        if end is not None and end != start:
            lines.append(("EP", str(end)))
    if _locators(passages):
        lines.append(("N1", "Cited: " + _locators(passages)))
    lines.append(("ID", document.id))
    return "\n".join(f"{tag}  - {_clean(value)}" for tag, value in lines) + "\nER  - \n"
