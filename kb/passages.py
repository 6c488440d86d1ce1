"""Cutting a parsed document's sections into passages.

A passage is what search returns and a trainer quotes, so it follows the
document's own sections; only a section too long to read at a glance is cut,
and then at paragraph (or, for a huge paragraph, sentence) boundaries.
"""

from __future__ import annotations

import re

from kb.ingest.parsed import NUMBERED_ITEM, Block, ParsedSection
from kb.model import Passage, Section

MAX_WORDS = 220
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'(])")


def make_passages(
    doc_id: str, sections: list[ParsedSection], page_labels: list[str] | None = None
) -> tuple[list[Passage], list[Section]]:
    """The passages of a document and its outline (one entry per section)."""

    def label(page: int | None) -> str | None:
        return page_labels[page - 1] if page_labels and page is not None else None

    passages: list[Passage] = []
    outline: list[Section] = []
    for section in sections:
        chunks = list(_chunks(_split_long_blocks(section.blocks)))
        for chunk in chunks:
            pages = [b.page for b in chunk if b.page is not None]
            page_start = min(pages) if pages else section.page_start
            page_end = max(pages) if pages else section.page_start
            passages.append(
                Passage(
                    id=f"{doc_id}:{len(passages) + 1}",
                    doc_id=doc_id,
                    heading_path=section.heading_path,
                    section_number=section.number,
                    page_start=page_start,
                    page_end=page_end,
                    order=len(passages) + 1,
                    text=_join(chunk),
                    page_label_start=label(page_start),
                    page_label_end=label(page_end),
                )
            )
        if section.heading_path:
            pages = [b.page for b in section.blocks if b.page is not None]
            page_start = section.page_start if section.page_start is not None else min(pages, default=None)
            page_end = max(pages, default=page_start)
            outline.append(
                Section(
                    heading=section.heading,
                    number=section.number,
                    level=len(section.heading_path),
                    page_start=page_start,
                    page_end=page_end,
                    passages=len(chunks),
                    page_label_start=label(page_start),
                    page_label_end=label(page_end),
                )
            )
    return passages, outline


def section_starts(outline: list[Section], passages: list[Passage]) -> list[str | None]:
    """Each outline entry's first passage, in reading order (``passages`` as
    ``make_passages`` numbered them): its own first, or for a heading with no
    text of its own (a chapter that opens on its first subsection) the first
    of what follows it. None past the document's last passage."""
    headed = [p for p in passages if p.heading_path]  # the text before a first heading has no entry
    starts, at = [], 0
    for section in outline:
        starts.append(headed[at].id if at < len(headed) else None)
        at += section.passages
    return starts


def _split_long_blocks(blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        if len(block.text.split()) <= MAX_WORDS:
            out.append(block)
            continue
        sentences = _SENTENCE_BREAK.split(block.text)
        current: list[str] = []
        for sentence in sentences:
            if current and len(" ".join([*current, sentence]).split()) > MAX_WORDS:
                out.append(Block(" ".join(current), block.page, block.is_item))
                current = []
            current.append(sentence)
        out.append(Block(" ".join(current), block.page, block.is_item))
    return out


def _chunks(blocks: list[Block]):
    chunk: list[Block] = []
    words = 0
    for block in blocks:
        size = len(block.text.split())
        if chunk and words + size > MAX_WORDS:
            yield chunk
            chunk, words = [], 0
        chunk.append(block)
        words += size
    if chunk:
        yield chunk


def _join(blocks: list[Block]) -> str:
    """Paragraphs apart by a blank line; list items one per line, as "- item"
    unless the item keeps its own number ("2. item")."""
    parts = []
    for n, block in enumerate(blocks):
        if n:
            parts.append("\n" if blocks[n - 1].is_item and block.is_item else "\n\n")
        bullet = block.is_item and not NUMBERED_ITEM.match(block.text)
        parts.append(f"- {block.text}" if bullet else block.text)
    return "".join(parts)
