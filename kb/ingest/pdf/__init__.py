"""PDF files: sections, pages and clean text, as the document's reader sees them.

``extract`` turns each page into positioned lines, ``furniture`` removes
running headers, footers and page numbers and puts two-column pages in reading
order, and ``structure`` finds headings, front matter and paragraphs.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from kb.errors import IngestError
from kb.ingest.limits import exit_with_parent, library_warnings
from kb.ingest.parsed import ParsedDocument, SectionBuilder, clean_text
from kb.ingest.pdf.contents import find_contents
from kb.ingest.pdf.extract import Page, describe, mend_spacing, open_pdf, read_page
from kb.ingest.pdf.furniture import (
    put_columns_in_reading_order,
    reduce_blank_forms,
    remove_furniture,
    remove_metadata_boxes,
)
from kb.ingest.pdf.structure import assemble, outline_entries
from kb.ingest.pdf.tables import read_table_cells
from kb.model import Metadata

PARALLEL_FROM_PAGES = 40
RESPACING_SAMPLE = 8

# A producer's file name, a scanner's job id, a placeholder or a page's label is not a title.
_JUNK_TITLE = re.compile(
    r"^(untitled|microsoft word\b|document\d*$)|\.(docx?|pdf|odt|tex)$|^\S*\d\S*$"
    r"|^(table of )?contents$|^running head\b|^page \d+",
    re.I,
)


def parse_pdf(path: Path, password: str | None = None) -> ParsedDocument:
    reader = open_pdf(path, password)
    labels = _page_labels(reader)
    count = len(reader.pages)
    workers = min(os.cpu_count() or 1, 4)
    respace = _sets_words_in_pieces(reader, labels)
    if count >= PARALLEL_FROM_PAGES and workers > 1:
        pages, warnings = _read_in_parallel(path, password, labels, workers, respace)
    else:
        pages, warnings = _read_pages(reader, range(count), labels, respace)
    if not any(page.lines for page in pages):
        raise IngestError(path, "no text in any page (a scanned PDF needs OCR first)")

    mend_spacing(pages)
    title = _metadata_title(reader) or _first_page_title(pages) or _running_title(pages)
    with_text = {page.number for page in pages if page.lines}
    remove_furniture(pages)
    warnings.extend(
        f"page {page.number}: an image with no text but its running head and foot (scanned?): "
        "the words on it are not searchable"
        for page in pages
        if page.number in with_text and not page.lines and page.pictured
    )
    for page in pages:
        put_columns_in_reading_order(page)
    contents = find_contents(pages)
    remove_metadata_boxes(pages)
    reduce_blank_forms(pages)
    for page in pages:
        read_table_cells(page)
    builder = SectionBuilder()
    acronyms = assemble(pages, builder, outline_entries(reader), contents)
    _, sections = builder.finish()
    return ParsedDocument(
        "pdf",
        title,
        len(reader.pages),
        sections,
        metadata=_metadata(reader),
        warnings=warnings,
        acronyms=acronyms,
        page_labels=labels,
    )


def _sets_words_in_pieces(reader, labels: list[str]) -> bool:
    """Whether the producer sets words in kerned pieces, which plain extraction
    parts with spaces ("pre vention"). That is a habit of the producer, so up
    to ``RESPACING_SAMPLE`` pages spread over the document tell it."""
    count = len(labels)
    sample = sorted({round(n * (count - 1) / max(1, RESPACING_SAMPLE - 1)) for n in range(RESPACING_SAMPLE)})
    for index in sample:
        try:
            page = read_page(reader, index, labels[index], respace=True)
        except Exception:  # a damaged page is reported when it is read for good
            continue
        if any(line.layout for line in page.lines):
            return True
    return False


def _read_pages(reader, indexes, labels: list[str], respace: bool) -> tuple[list[Page], list[str]]:
    pages: list[Page] = []
    warnings: list[str] = []
    for index in indexes:
        try:
            page = read_page(reader, index, labels[index], respace)
        except Exception as exc:  # one damaged page costs that page only
            warnings.append(f"page {index + 1}: text could not be read ({describe(exc)})")
            continue
        if not page.lines:
            warnings.append(f"page {index + 1}: no text layer (scanned image?)")
        pages.append(page)
    return pages, warnings


def _read_range(path: Path, password: str | None, indexes: range, labels: list[str], respace: bool):
    with library_warnings() as noticed:
        pages, warnings = _read_pages(open_pdf(path, password), indexes, labels, respace)
    return pages, warnings + noticed


def _read_in_parallel(path: Path, password: str | None, labels: list[str], workers: int, respace: bool):
    """Text extraction is most of the time a long PDF takes: split the pages
    between processes, one contiguous run each."""
    count = len(labels)
    step = -(-count // workers)
    runs = [range(start, min(start + step, count)) for start in range(0, count, step)]
    pages: list[Page] = []
    warnings: list[str] = []
    with ProcessPoolExecutor(max_workers=workers, initializer=exit_with_parent, initargs=(os.getpid(),)) as pool:
        arguments = ([path] * len(runs), [password] * len(runs), runs, [labels] * len(runs), [respace] * len(runs))
        results = pool.map(_read_range, *arguments)
        for run_pages, run_warnings in results:
            pages.extend(run_pages)
            warnings.extend(run_warnings)
    return pages, warnings


def _page_labels(reader) -> list[str]:
    count = len(reader.pages)
    try:
        labels = [str(label) for label in reader.page_labels]
    except Exception:  # a broken /PageLabels tree: fall back to page numbers
        labels = []
    return labels if len(labels) == count else [str(n) for n in range(1, count + 1)]


def _metadata_title(reader) -> str | None:
    try:
        title = clean_text(str((reader.metadata or {}).get("/Title") or ""))
    except Exception:  # broken /Info dictionaries are common and harmless
        return None
    return title if title and not _JUNK_TITLE.search(title) else None


def _first_page_title(pages: list[Page]) -> str | None:
    """The largest text on the first page that has any (a title may take two
    lines); its first line when nothing stands out."""
    first = next(page for page in pages if page.lines)
    largest = max(line.size for line in first.lines)
    title_lines = [line.text for line in first.lines if line.size >= largest - 0.5]
    if len(title_lines) > 2 or len(title_lines) == len(first.lines):
        title_lines = title_lines[:1]
    title = clean_text(" ".join(title_lines))
    return title if title and not _JUNK_TITLE.search(title) else None


def _running_title(pages: list[Page]) -> str | None:
    """The words a running head repeats on most pages ("Regulations and
    Procedures Manual"), in reading order: the document's name when its first
    page names nothing."""
    with_text = [page for page in pages if page.lines]
    seen = Counter()
    for page in with_text:
        seen.update({line.text for line in page.lines if line.y > 0.85 * page.height})
    common = {text for text, n in seen.items() if n >= 0.5 * len(with_text) and len(text.split()) >= 2}
    common = {text for text in common if not re.search(r"\d", text)}
    for page in with_text:
        heads = [line.text for line in sorted(page.lines, key=lambda line: -line.y) if line.text in common]
        if heads:
            return clean_text(" ".join(dict.fromkeys(heads)))
    return None


def _metadata(reader) -> Metadata:
    """Author and date from the PDF's information dictionary, for citations
    where the person adding the file gives none."""
    try:
        info = reader.metadata or {}
        author = clean_text(str(info.get("/Author") or ""))
        created = str(info.get("/CreationDate") or "")
    except Exception:  # broken /Info dictionaries are common and harmless
        return Metadata()
    date = re.match(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?", created)
    year = int(date.group(1)) if date and 1900 < int(date.group(1)) < 2100 else None
    day = f"{date.group(1)}-{date.group(2)}-{date.group(3)}" if year and date.group(3) else None
    return Metadata(publisher=author if author and not _JUNK_TITLE.search(author) else None, year=year, date=day)
