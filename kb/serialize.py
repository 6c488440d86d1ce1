"""The JSON shapes of ``--json`` output: a stable, documented contract (see README).

Kept in the library so that every front end (CLI, web API) emits the same shapes.
"""

from __future__ import annotations

from dataclasses import asdict

from kb.citation import cite
from kb.collocation import Collocation, Gram
from kb.diff import DIFF_STATUSES, Change
from kb.editions import edition_tag
from kb.inert import csv_text
from kb.model import Document, Hit, Passage, Section
from kb.picks import PickState
from kb.research import Concordance, Dispersion, Keyness, TermCount
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
        "edition": edition_tag(hit.document) or None,
        "also_in": [
            {"doc_id": a.document.id, "id": a.passage.id, "edition": edition_tag(a.document) or None, "where": a.where}
            for a in hit.also_in
        ],
    }


def search_json(result: SearchResult) -> dict:
    return {
        "query": result.query,
        "total": result.total,
        "hits": [hit_json(h) for h in result.hits],
        "expanded": result.expanded,
        "suggestion": result.suggestion,
        "corrected": result.corrected,
    }


def terms_json(counts: list[TermCount]) -> dict:
    return {
        "terms": [
            {**{k: v for k, v in asdict(c).items() if k != "top_sections"}, "per_10k": round(c.per_10k, 3),
             "top_sections": [asdict(s) for s in c.top_sections]}
            for c in counts
        ]
    }  # fmt: skip


def terms_csv(counts: list[TermCount], by_section: bool) -> str:
    if by_section:
        header = ["term", "doc_id", "section", "page_start", "page_end", "occurrences"]
        rows = [[c.term, c.doc_id, s.section, s.page_start, s.page_end, s.occurrences]
                for c in counts for s in c.top_sections]  # fmt: skip
    else:
        header = ["term", "doc_id", "document", "edition", "year", "occurrences", "words", "per_10k", "sections"]
        rows = [[c.term, c.doc_id, c.document, c.edition, c.year, c.occurrences, c.words, f"{c.per_10k:.3f}",
                 c.sections] for c in counts]  # fmt: skip
    return csv_text(header, rows)


def kwic_json(term: str, lines: list[Concordance]) -> dict:
    return {"term": term, "count": len(lines), "lines": [asdict(line) for line in lines]}


def kwic_csv(lines: list[Concordance]) -> str:
    header = ["doc_id", "passage_id", "pages", "left", "match", "right", "citation"]
    rows = [[c.doc_id, c.passage_id, c.pages, c.left.strip(), c.match, c.right.strip(), c.citation] for c in lines]
    return csv_text(header, rows)


def compare_json(
    a: Document, b: Document, more_a: list[Keyness], more_b: list[Keyness], total_a: int, total_b: int
) -> dict:
    return {
        "a": {"doc_id": a.id, "title": a.title, "words": total_a, "more": [asdict(k) for k in more_a]},
        "b": {"doc_id": b.id, "title": b.title, "words": total_b, "more": [asdict(k) for k in more_b]},
    }


def compare_csv(a: Document, b: Document, more_a: list[Keyness], more_b: list[Keyness]) -> str:
    """One row per item: which document uses it more, both counts, G², log ratio (positive: more in A)."""
    header = ["more_in", "item", f"count_{a.id}", f"count_{b.id}", "g2", "log_ratio"]
    rows = [[document.id, k.item, k.count_a, k.count_b, f"{k.g2:.3f}", f"{k.log_ratio:.3f}"]
            for document, keys in ((a, more_a), (b, more_b)) for k in keys]  # fmt: skip
    return csv_text(header, rows)


def picks_json(pack: str, states: list[PickState]) -> dict:
    picks = [
        {"id": s.pick.passage_id, "state": s.state, "section": s.pick.section, "citation": s.pick.citation}
        for s in states
    ]
    return {"pack": pack, "picks": picks}


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


def _diff_side(section) -> dict | None:
    if section is None:
        return None
    return {"heading_path": list(section.heading_path), "pages": section.pages, "passage_ids": section.passage_ids}


def diff_summary(changes: list[Change]) -> dict:
    counts = {status: 0 for status in DIFF_STATUSES}
    for change in changes:
        counts[change.status] += 1
    counts["renamed"] = sum(1 for c in changes if c.renamed)
    counts["moved"] = sum(1 for c in changes if c.moved)
    return counts


def diff_json(old: Document, new: Document, changes: list[Change]) -> dict:
    rows = [
        {
            "n": n,
            "status": change.status,
            "renamed": change.renamed,
            "moved": change.moved,
            "similarity": change.similarity,
            "changed_share": change.changed_share,
            "old": _diff_side(change.old),
            "new": _diff_side(change.new),
            "gained": [[word, count] for word, count in change.gained],
            "lost": [[word, count] for word, count in change.lost],
        }
        for n, change in enumerate(changes, start=1)
    ]
    return {"old": document_json(old), "new": document_json(new), "summary": diff_summary(changes), "changes": rows}


def diff_csv(changes: list[Change]) -> str:
    header = ["n", "status", "renamed", "moved", "changed_share", "old_section", "old_pages", "new_section",
              "new_pages", "gained", "lost"]  # fmt: skip

    def side(section) -> list[str]:
        return [" > ".join(section.heading_path), section.pages] if section else ["", ""]

    rows = [
        [n, c.status, c.renamed, c.moved, c.changed_share, *side(c.old), *side(c.new),
         " ".join(w for w, _ in c.gained), " ".join(w for w, _ in c.lost)]
        for n, c in enumerate(changes, start=1)
    ]  # fmt: skip
    return csv_text(header, rows)


def collocates_json(result: Collocation, measure: str) -> dict:
    return {
        "node": result.node,
        "node_count": result.node_count,
        "words": result.words,
        "window": result.window,
        "measure": measure,
        "collocates": [{**asdict(c), "passage_ids": list(c.passage_ids)} for c in result.collocates],
    }


def collocates_csv(result: Collocation) -> str:
    header = ["word", "together", "frequency", "mi", "t", "logdice", "passage_ids"]
    rows = [[c.word, c.together, c.frequency, c.mi, c.t, c.logdice, " ".join(c.passage_ids)]
            for c in result.collocates]  # fmt: skip
    return csv_text(header, rows)


def grams_json(grams: list[Gram], words: int, n: int) -> dict:
    return {
        "n": n,
        "words": words,
        "items": [{**asdict(g), "per_10k": round(g.count * 10_000 / words, 3) if words else 0.0,
                   "passage_ids": list(g.passage_ids)} for g in grams],
    }  # fmt: skip


def grams_csv(grams: list[Gram], words: int) -> str:
    header = ["item", "count", "per_10k", "documents", "passage_ids"]
    rows = [[g.text, g.count, f"{g.count * 10_000 / words:.3f}" if words else "0", g.documents,
             " ".join(g.passage_ids)] for g in grams]  # fmt: skip
    return csv_text(header, rows)


def dispersion_json(term: str, rows: list[Dispersion]) -> dict:
    return {
        "term": term,
        "documents": [
            {"doc_id": r.doc_id, "words": r.words, "occurrences": len(r.places),
             "places": [{"at": at, "passage_id": pid, "pages": pages} for at, pid, pages in r.places]}
            for r in rows
        ],
    }  # fmt: skip
