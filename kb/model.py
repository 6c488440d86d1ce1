"""The records kb stores and returns.

All are frozen dataclasses of plain values so that they round-trip through the
index (as dicts) and through ``--json`` (via ``dataclasses.asdict``) unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Metadata:
    """What a person (``--title`` ...) or the corpus manifest says about a file.

    Each field that is set wins over what kb reads from the file itself, and is
    kept so that ``kb rebuild`` applies it again. An empty string clears what
    kb read from the file (a wrong publisher in a PDF's properties).
    """

    title: str | None = None
    author: str | None = None
    publisher: str | None = None
    year: int | None = None
    edition: str | None = None
    date: str | None = None
    url: str | None = None

    def as_dict(self) -> dict:
        """Only the fields that are set."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    path: str
    kind: str
    sha256: str
    added: str
    pages: int | None
    passages: int
    publisher: str | None = None
    year: int | None = None
    edition: str | None = None
    date: str | None = None
    url: str | None = None
    author: str | None = None

    @property
    def source(self) -> str:
        """Where a reader can find the original: its web address if known, else the file."""
        return self.url or self.path


@dataclass(frozen=True)
class Section:
    """One entry of a document's outline, as ``kb sections`` shows it."""

    heading: str
    number: str | None
    level: int
    page_start: int | None
    page_end: int | None
    passages: int
    page_label_start: str | None = None
    page_label_end: str | None = None
    first_passage: str | None = None  # where to begin reading it (see ``KnowledgeBase.sections``)


@dataclass(frozen=True)
class Passage:
    id: str
    doc_id: str
    heading_path: tuple[str, ...]
    section_number: str | None
    page_start: int | None
    page_end: int | None
    order: int
    text: str
    # The page numbers printed on the pages ("iv", "12"), where the PDF has them.
    page_label_start: str | None = None
    page_label_end: str | None = None

    @property
    def section(self) -> str:
        return " > ".join(self.heading_path)


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float
    passage: Passage
    document: Document
    snippet: str
    # The same passage, almost word for word, in other editions or copies
    # (``kb.editions.AlsoIn``), newest first.
    also_in: tuple = ()


@dataclass
class AddReport:
    """What one ``add`` did, file by file."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)  # same content found at a new path
    updated: list[str] = field(default_factory=list)  # same file, new metadata
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # left out while walking folders, and why
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
