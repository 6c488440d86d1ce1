"""PDF files, read page by page with pypdf.

Each page is read on its own so that one damaged page costs that page, not the
document; pages without a text layer (scans) are reported by number.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from kb.errors import IngestError
from kb.ingest.parsed import ParsedDocument, SectionBuilder, clean_text

logging.getLogger("pypdf").setLevel(logging.ERROR)

# A producer's file name or a placeholder is not a title.
_JUNK_TITLE = re.compile(r"^(untitled|microsoft word\b|document\d*$)|\.(docx?|pdf|odt|tex)$", re.I)
_LINE_END_HYPHEN = re.compile(r"(\w)-\n(?=[a-z])")
_SENTENCE_END = tuple(".!?:")


def parse_pdf(path: Path) -> ParsedDocument:
    try:
        reader = _open(path)
        n_pages = len(reader.pages)
    except IngestError:
        raise
    except Exception as exc:  # pypdf raises far more than PyPdfError on damaged files
        raise IngestError(path, f"not a readable PDF ({_describe(exc)})") from exc

    builder = SectionBuilder()
    warnings: list[str] = []
    first_line = ""
    for index in range(n_pages):
        page_number = index + 1
        try:
            text = reader.pages[index].extract_text() or ""
        except Exception as exc:
            warnings.append(f"page {page_number}: text could not be read ({_describe(exc)})")
            continue
        if not text.strip():
            warnings.append(f"page {page_number}: no text layer (scanned image?)")
            continue
        first_line = first_line or next(line for line in text.splitlines() if line.strip())
        for paragraph in _paragraphs(text):
            builder.block(paragraph, page=page_number)
    _, sections = builder.finish()
    if not sections:
        raise IngestError(path, "no text in any page (a scanned PDF needs OCR first)")
    return ParsedDocument(
        "pdf",
        _metadata_title(reader) or clean_text(first_line) or None,
        n_pages,
        sections,
        warnings=warnings,
    )


def _open(path: Path) -> PdfReader:
    reader = PdfReader(path)
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except Exception as exc:
            raise IngestError(path, f"encrypted PDF that cannot be opened ({_describe(exc)})") from exc
        if not opened:
            raise IngestError(path, "encrypted PDF: it needs a password")
    return reader


def _metadata_title(reader: PdfReader) -> str | None:
    try:
        title = clean_text(str((reader.metadata or {}).get("/Title") or ""))
    except Exception:  # broken /Info dictionaries are common and harmless
        return None
    return title if title and not _JUNK_TITLE.search(title) else None


def _paragraphs(page_text: str) -> list[str]:
    """Rejoin a page's lines into paragraphs.

    pypdf returns one line per printed line with no blank lines between
    paragraphs; a line that ends a sentence well short of the page's usual line
    length is taken as the last line of its paragraph.
    """
    text = _LINE_END_HYPHEN.sub(r"\1", page_text.replace("\r", ""))
    lines = [line.strip() for line in text.split("\n")]
    widths = sorted(len(line) for line in lines if line)
    full_width = widths[int(len(widths) * 0.8)] if widths else 0
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if not line:
            paragraphs.append([])
            continue
        paragraphs[-1].append(line)
        if line.endswith(_SENTENCE_END) and len(line) < 0.85 * full_width:
            paragraphs.append([])
    return [" ".join(p) for p in paragraphs if p]


def _describe(exc: Exception) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    kind = "PDF error" if isinstance(exc, PyPdfError) else type(exc).__name__
    return f"{kind}: {message}" if message else kind
