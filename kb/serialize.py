"""The JSON shapes of ``--json`` output: a stable, documented contract (see README).

Kept in the library so that every front end (CLI, web API) emits the same shapes.
"""

from __future__ import annotations

from dataclasses import asdict

from kb.citation import cite
from kb.model import Document, Hit, Passage, Section
from kb.search import SearchResult


def document_json(document: Document) -> dict:
    return {**asdict(document), "source": document.source}


def passage_json(passage: Passage) -> dict:
    return {
        "id": passage.id,
        "doc_id": passage.doc_id,
        "section": passage.section,
        "heading_path": list(passage.heading_path),
        "section_number": passage.section_number,
        "page_start": passage.page_start,
        "page_end": passage.page_end,
        "order": passage.order,
        "text": passage.text,
        "page_label_start": passage.page_label_start,
        "page_label_end": passage.page_label_end,
    }


def hit_json(hit: Hit) -> dict:
    return {
        "rank": hit.rank,
        "score": hit.score,
        "id": hit.passage.id,
        "doc_id": hit.document.id,
        "document": hit.document.title,
        "source": hit.document.source,
        "section": hit.passage.section,
        "heading_path": list(hit.passage.heading_path),
        "page_start": hit.passage.page_start,
        "page_end": hit.passage.page_end,
        "text": hit.passage.text,
        "snippet": hit.snippet,
        "page_label_start": hit.passage.page_label_start,
        "page_label_end": hit.passage.page_label_end,
    }


def search_json(result: SearchResult) -> dict:
    return {
        "query": result.query,
        "total": result.total,
        "hits": [hit_json(h) for h in result.hits],
        "expanded": result.expanded,
        "suggestion": result.suggestion,
    }


def acronyms_json(pairs: list[tuple[str, str, str]]) -> dict:
    return {"acronyms": [{"acronym": a, "expansion": e, "doc_id": d} for a, e, d in pairs]}


def show_json(passage: Passage, document: Document) -> dict:
    return {
        "passage": passage_json(passage),
        "document": document_json(document),
        "citation": cite(document, passage),
    }


def sections_json(document: Document, sections: list[Section]) -> dict:
    return {"document": document_json(document), "sections": [asdict(s) for s in sections]}


def documents_json(documents: list[Document]) -> dict:
    return {"documents": [document_json(d) for d in documents]}
