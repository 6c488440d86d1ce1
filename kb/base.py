"""``KnowledgeBase``: every operation kb offers, on one index folder."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from kb import corpus, ingest
from kb.citation import cite, printed_pages
from kb.collocation import Collocation, Gram, collocates, word_list
from kb.diff import Change, diff_sections, sections_of
from kb.editions import latest_editions, matches_edition
from kb.errors import AmbiguousDocument, DocumentNotFound, IngestError, InvalidArguments, PassageNotFound
from kb.export import WIDE_QUOTE_BOX, Box, Slide, slides_from
from kb.index import Index, IndexWriteSession, StateCache, read_vocabulary, tokenize
from kb.ingest.limits import Limits, ReaderProcess, check_file
from kb.ingest.parsed import clean_text
from kb.model import AddReport, Document, Metadata, Passage, Section
from kb.passages import make_passages, section_starts
from kb.picks import DEFAULT_PACK, PackStore, PickState, new_pick, text_hash, within
from kb.research import (
    Concordance,
    Dispersion,
    TermCount,
    compare,
    concordance,
    count_terms,
    dispersion,
    edition_order,
    located_items,
    sort_concordance,
    surface_sequence,
)
from kb.search import STOP_WORDS, SearchResult, analyze, search
from kb.search.plan import plan
from kb.spelling import word_counts
from kb.vocabulary import find_acronyms, find_compounds


class Progress(Protocol):
    """Told how an add goes, so a front end can show it (the library prints nothing)."""

    def start(self, total: int) -> None: ...

    def advance(self, path: Path, status: str) -> None:
        """``status`` is "added", "replaced", "moved", "updated", "unchanged" or "failed"."""


class KnowledgeBase:
    def __init__(self, index_dir: Path | str, keep_open: bool = False) -> None:
        """``keep_open``: keep the index open between reads and keep search
        answers per index state (for a server; see ``Index``)."""
        self.index = Index(Path(index_dir), keep_open=keep_open)
        self._answers = StateCache(512) if keep_open else None

    @property
    def path(self) -> Path:
        return self.index.path

    # -- reading -----------------------------------------------------------

    def documents(self) -> list[Document]:
        return self.index.documents()

    def find_documents(self, ref: str) -> list[Document]:
        """Documents whose id is ``ref``; failing that, whose year or edition it
        names ("2022", "2nd"); failing that, whose id or title contains it."""
        docs = self.documents()
        exact = [d for d in docs if d.id == ref]
        if exact:
            return exact
        editions = [d for d in docs if matches_edition(d, ref)]
        if editions:
            return editions
        needle = ref.casefold()
        return [d for d in docs if needle in d.id.casefold() or needle in d.title.casefold()]

    def document(self, ref: str) -> Document:
        """The one document ``ref`` names."""
        found = self.find_documents(ref)
        if not found:
            raise DocumentNotFound(f"no document matches '{ref}' (documents: {known_ids(self.documents())})")
        if len(found) > 1:
            raise AmbiguousDocument(
                f"'{ref}' matches {len(found)} documents ({', '.join(d.id for d in found)}): give its id"
            )
        return found[0]

    def outline(self, ref: str) -> list[Section]:
        """The document's outline as the index keeps it: ``sections`` without
        where each section begins, which reads every passage of the document."""
        return self.index.outline(self.document(ref).id)

    def sections(self, ref: str) -> tuple[Document, list[Section]]:
        """The document's outline, each section with the passage where it begins."""
        document = self.document(ref)
        outline = self.index.outline(document.id)
        starts = section_starts(outline, self.index.passages(document.id))
        return document, [replace(s, first_passage=start) for s, start in zip(outline, starts, strict=True)]

    def passage(self, passage_id: str) -> tuple[Passage, Document]:
        """The passage with this id; its document part may be any unique
        beginning of a document id ("good:71" for "good-practices-2022:71")."""
        passage = self.index.passage(passage_id)
        if passage is None:
            prefix, _, number = passage_id.rpartition(":")
            starting = [d for d in self.documents() if prefix and d.id.startswith(prefix)]
            if len(starting) > 1:
                raise AmbiguousDocument(
                    f"'{prefix}' begins {len(starting)} document ids ({', '.join(d.id for d in starting)}): "
                    "give more of the id"
                )
            if starting:
                passage = self.index.passage(f"{starting[0].id}:{number}")
        if passage is None:
            raise PassageNotFound(f"no passage with id '{passage_id}' (ids look like 'doc-id:12')")
        return passage, self.document(passage.doc_id)

    def acronyms(self, doc: str | None = None) -> list[tuple[str, str, str]]:
        """(acronym, expansion, doc id) pairs the documents define, sorted by acronym."""
        pairs = self.index.acronyms()
        if doc is not None:
            doc_id = self.document(doc).id
            pairs = [p for p in pairs if p[2] == doc_id]
        return sorted(pairs, key=lambda p: (p[0].casefold(), p[2]))

    # -- research ----------------------------------------------------------------

    def _sequences(self, term: str, exact: bool) -> list[tuple[str, ...]]:
        """The token sequences that count as ``term``: as search matches it, or word for word."""
        if exact:
            return [surface_sequence(term)]
        vocabulary = self.index.read(read_vocabulary)
        return plan(term, vocabulary, analyze).phrase_combinations()

    def term_counts(
        self, terms: list[str], exact: bool = True, doc: str | None = None, top: int = 5
    ) -> list[TermCount]:
        """For each term and each document: occurrences, per 10,000 words, sections,
        the ``top`` sections and the forms counted. A term counts as typed, word
        for word (``exact``), or as search matches it: stemmed, in every form of
        a compound, acronyms with their expansions."""
        documents = self.find_documents(doc) if doc else self.documents()
        wanted = [(term, self._sequences(term, exact)) for term in terms]
        return count_terms(wanted, documents, self.index.passages, tokenize, exact, top)

    def same_forms(self, terms: list[str], exact: bool = True) -> list[tuple[str, str]]:
        """Pairs of terms that count exactly the same forms (an acronym and its expansion, expanded)."""
        sequences = {term: frozenset(self._sequences(term, exact)) for term in terms}
        return [(a, b) for n, a in enumerate(terms) for b in terms[n + 1 :] if sequences[a] == sequences[b]]

    def concordance(
        self,
        term: str,
        width: int = 40,
        sort: str = "doc",
        doc: str | None = None,
        exact: bool = True,
        position: int = 1,
    ) -> list[Concordance]:
        """Every occurrence of ``term`` (as typed, or as search matches it with
        ``exact=False``) with ``width`` characters either side, sorted."""
        documents = self.find_documents(doc) if doc else self.documents()
        cited = [
            (passage, cite(document, passage), printed_pages(passage))
            for document in edition_order(documents)
            for passage in self.index.passages(document.id)
        ]
        lines = concordance(self._sequences(term, exact), cited, tokenize, width, exact)
        return sort_concordance(lines, sort, position)

    def compare(self, ref_a: str, ref_b: str, top: int = 15, min_count: int = 3, min_g2: float = 0.0):
        """What each of two documents says markedly more than the other."""
        a, b = self.document(ref_a), self.document(ref_b)
        if a.id == b.id:
            raise InvalidArguments(f"'{ref_a}' and '{ref_b}' are the same document ({a.id}): name two")
        passages_a, passages_b = self.index.passages(a.id), self.index.passages(b.id)
        text_a = "\n".join(p.text for p in passages_a)
        text_b = "\n".join(p.text for p in passages_b)
        more_a, more_b, total_a, total_b = compare(
            text_a, text_b, STOP_WORDS, top=top, min_count=min_count, min_g2=min_g2
        )
        return a, b, located_items(more_a, passages_a), located_items(more_b, passages_b), total_a, total_b

    def dispersion(self, term: str, doc: str | None = None, exact: bool = True) -> list[Dispersion]:
        """Where in each document ``term`` stands (``kb.research.dispersion``)."""
        documents = self.find_documents(doc) if doc else self.documents()
        read = [(d.id, self.index.passages(d.id)) for d in edition_order(documents)]
        return dispersion(self._sequences(term, exact), read, tokenize, exact, printed_pages)

    def collocates(
        self,
        node: str,
        window: int = 4,
        measure: str = "logdice",
        min_count: int = 3,
        doc: str | None = None,
        top: int = 20,
        all_words: bool = False,
    ) -> Collocation:
        """The words that keep company with ``node`` (``kb.collocation``)."""
        documents = self.find_documents(doc) if doc else self.documents()
        passages = (p for d in edition_order(documents) for p in self.index.passages(d.id))
        stop_words = frozenset() if all_words else STOP_WORDS
        return collocates(node, passages, window, measure, min_count, stop_words, top)

    def word_list(
        self, n: int = 1, doc: str | None = None, min_count: int = 1, top: int = 50, all_words: bool = True
    ) -> tuple[list[Gram], int]:
        """Words (n = 1) or n-grams with frequency and range across documents."""
        documents = self.find_documents(doc) if doc else self.documents()
        read = ((d.id, self.index.passages(d.id)) for d in edition_order(documents))
        return word_list(read, n, frozenset() if all_words else STOP_WORDS, min_count, top)

    def diff(self, ref_old: str, ref_new: str) -> tuple[Document, Document, list[Change]]:
        """How the sections of ``ref_new`` (usually a newer edition) differ from ``ref_old``'s."""
        old, new = self.document(ref_old), self.document(ref_new)
        if old.id == new.id:
            raise InvalidArguments(f"'{ref_old}' and '{ref_new}' are the same document ({old.id}): name two")
        old_sections, new_sections = sections_of(self.index.passages(old.id)), sections_of(self.index.passages(new.id))
        changes = diff_sections(old_sections, new_sections, STOP_WORDS)
        return old, new, changes

    # -- picks -----------------------------------------------------------------

    @property
    def packs(self) -> PackStore:
        return PackStore(self.path)

    def pick(self, passage_ids: list[str], pack: str = DEFAULT_PACK, query: str = "") -> list[str]:
        """Add passages to a pack (each once); the ids newly added."""
        with self.packs.editing():
            picks = self.packs.load(pack)
            present = {p.passage_id for p in picks}
            added = []
            for passage_id in passage_ids:
                passage, document = self.passage(passage_id)
                if passage.id in present:
                    continue
                citation = cite(document, passage)
                picks.append(new_pick(passage.id, document.id, passage.text, citation, passage.section, query))
                present.add(passage.id)
                added.append(passage.id)
            self.packs.save(pack, picks)
        return added

    def unpick(self, passage_ids: list[str], pack: str = DEFAULT_PACK) -> list[str]:
        with self.packs.editing():
            picks = self.packs.load(pack)
            kept = [p for p in picks if p.passage_id not in passage_ids]
            self.packs.save(pack, kept)
        return [p.passage_id for p in picks if p.passage_id in passage_ids]

    def move_pick(self, passage_id: str, pack: str = DEFAULT_PACK, by: int = -1) -> list[str]:
        """Move a pick ``by`` places (-1: one up); the pack's ids in their new order."""
        with self.packs.editing():
            picks = self.packs.load(pack)
            at = next((n for n, p in enumerate(picks) if p.passage_id == passage_id), None)
            if at is None:
                raise PassageNotFound(f"'{passage_id}' is not in pack '{pack}'")
            to = min(max(at + by, 0), len(picks) - 1)
            picks.insert(to, picks.pop(at))
            self.packs.save(pack, picks)
        return [p.passage_id for p in picks]

    def set_quote(self, passage_id: str, quote: str, pack: str = DEFAULT_PACK) -> None:
        """The words of a pick to put on its slide: a cut of the passage (ellipses
        where text is left out), never other words; "" gives the slide back to kb."""
        with self.packs.editing():
            picks = self.packs.load(pack)
            at = next((n for n, p in enumerate(picks) if p.passage_id == passage_id), None)
            if at is None:
                raise PassageNotFound(f"'{passage_id}' is not in pack '{pack}'")
            quote = "\n".join(line.strip() for line in quote.strip().splitlines())
            if quote and not within(quote, picks[at].text):
                raise InvalidArguments(
                    "a slide's quote must be the passage's own words, cut with … where text is left out"
                )
            picks[at] = replace(picks[at], quote=quote)
            self.packs.save(pack, picks)

    def rename_pack(self, old: str, new: str) -> None:
        with self.packs.editing():
            self.packs.rename(old, new)

    def clear_pack(self, pack: str = DEFAULT_PACK) -> int:
        with self.packs.editing():
            count = len(self.packs.load(pack))
            self.packs.save(pack, [])
        return count

    def picked(self, pack: str = DEFAULT_PACK) -> list[PickState]:
        """The pack's picks, each checked against the index as it is now."""
        states = []
        for pick in self.packs.load(pack):
            passage = self.index.passage(pick.passage_id)
            if passage is None:
                states.append(PickState(pick, "gone", None))
            elif text_hash(passage.text) != pick.text_sha1:
                states.append(PickState(pick, "changed", passage.text))
            else:
                states.append(PickState(pick, "ok", passage.text))
        return states

    def slides(
        self, pack: str = DEFAULT_PACK, fit: str = "trim", max_words: int | None = None, box: Box = WIDE_QUOTE_BOX
    ) -> list[Slide]:
        """A pack's picks as slides (``kb.export.slides_from``), each with its
        APA citation in the speaker notes; ``box`` is the deck's quote box
        (``kb.export.quote_box``)."""

        def apa(state: PickState) -> str:
            if state.state == "gone":
                return state.pick.citation
            passage, document = self.passage(state.pick.passage_id)
            return cite(document, passage, "apa")

        return slides_from(self.picked(pack), fit, max_words, analyze, apa, box)

    def picked_passages(self, pack: str = DEFAULT_PACK) -> list[tuple[Passage, Document]]:
        """The pack's passages that are still in the index, in the pack's order."""
        return [self.passage(state.pick.passage_id) for state in self.picked(pack) if state.state != "gone"]

    def passages(self, ref: str) -> list[Passage]:
        return self.index.passages(self.document(ref).id)

    def search(
        self, query: str, limit: int = 10, doc: str | None = None, literal: bool = False, latest: bool = False
    ) -> SearchResult:
        """Ranked passages for ``query``; ``literal`` turns off acronym, compound
        and spelling expansion; ``latest`` searches only the newest edition of
        each work."""
        doc_ids = None
        if doc is not None:
            found = self.find_documents(doc)
            if not found:
                self.document(doc)  # raises with the list of known documents
            doc_ids = [d.id for d in found]
        if latest:
            newest = {d.id for d in latest_editions(self.documents())}
            doc_ids = [d for d in doc_ids if d in newest] if doc_ids is not None else sorted(newest)
        return search(self.index, query, limit=limit, doc_ids=doc_ids, literal=literal, kept=self._answers)

    # -- writing -----------------------------------------------------------

    def add(
        self,
        paths: Iterable[Path | str],
        metadata: Metadata | None = None,
        progress: Progress | None = None,
        password: str | None = None,
        limits: Limits | None = None,
        doc_id: str | None = None,
        exclude: Iterable[str] = (),
        dry_run: bool = False,
    ) -> AddReport:
        """Add files and folders in one commit: new files go in, changed ones are
        replaced, unchanged ones (same sha256) are skipped, broken ones are
        reported and the rest still go in. A file is known by its content
        and its path together: the same content at a new path, where the old
        path has gone, is a move (the path and any new metadata are recorded
        without reading the file again); while the old path still exists it
        is a copy, and skipped. ``password`` opens encrypted PDFs
        (it is not stored: a rebuild asks for it again). Each file is read
        under ``limits`` (size, time; see ``kb.ingest.limits``). ``doc_id``
        chooses the id of a single new file; ``exclude`` globs and kb's own
        rules (``kb.ingest.collect_files``) leave files out; ``dry_run``
        reports what an add would do, from sizes and checksums, and changes
        nothing."""
        collected = ingest.collect_files((Path(p) for p in paths), limits, exclude)
        files = collected.files
        report = AddReport(skipped=collected.skipped, failed=[(e.path, e.reason) for e in collected.errors])
        if dry_run:
            _plan_files(self.documents() if self.index.exists() else [], files, report, limits or Limits())
            return report
        chosen_ids = {}
        if doc_id is not None:
            if len(files) != 1:
                raise InvalidArguments("--id names one file only")
            chosen_ids[files[0].resolve()] = checked_id(doc_id)
        with self.index.writer() as session:
            jobs = [(f, metadata or Metadata()) for f in files]
            _add_files(session, jobs, report, progress, chosen_ids, password=password, limits=limits)
        return report

    def remove(self, doc_id: str) -> Document:
        """Remove the document with exactly this id."""
        return self.remove_documents([doc_id])[0]

    def remove_documents(self, doc_ids: list[str]) -> list[Document]:
        """Remove documents by exact id, all in one commit (or none, if one id is unknown)."""
        by_id = {d.id: d for d in self.documents()}
        unknown = [doc_id for doc_id in doc_ids if doc_id not in by_id]
        if unknown:
            raise DocumentNotFound(
                f"no document has the id '{unknown[0]}' (documents: {known_ids(list(by_id.values()))})"
            )
        chosen = [by_id[doc_id] for doc_id in dict.fromkeys(doc_ids)]
        with self.index.writer(create=False) as session:
            for document in chosen:
                session.delete_document(document.id)
        return chosen

    def documents_from(self, path: Path | str) -> list[Document]:
        """The documents read from this file, or from files anywhere under this folder."""
        where = Path(path).expanduser().resolve()
        return [d for d in self.documents() if Path(d.path) == where or Path(d.path).is_relative_to(where)]

    def edit(self, ref: str, changes: Metadata, new_id: str | None = None) -> Document:
        """Change a document's details (and its id) without reading its file
        again; they are kept, so ``kb rebuild`` applies them too. Picks of a
        renamed document follow it."""
        if changes.title is not None and not changes.title.strip():
            raise InvalidArguments("a document needs a title: give one, or leave --title out")
        document = self.document(ref)
        if new_id is not None and new_id != document.id:
            checked_id(new_id)
            if any(d.id == new_id for d in self.documents()):
                raise InvalidArguments(f"the id '{new_id}' is taken by another document")
        given = {k: clean_text(v) if isinstance(v, str) else v for k, v in changes.as_dict().items()}
        with self.index.writer(create=False) as session:
            metadata = {**session.metadata_overrides().get(document.id, {}), **given}
            if new_id is not None and new_id != document.id:
                edited = session.rename_document(document.id, new_id, metadata)
            else:
                edited = session.update_document(document.id, document.path, metadata)
        if edited.id != document.id:
            self._move_picks(document.id, edited.id)
        return edited

    def _move_picks(self, old_id: str, new_id: str) -> None:
        with self.packs.editing():
            for pack in self.packs.names():
                picks = self.packs.load(pack)
                if any(p.doc_id == old_id for p in picks):
                    moved = [
                        replace(p, doc_id=new_id, passage_id=f"{new_id}:{p.passage_id.rpartition(':')[2]}")
                        if p.doc_id == old_id
                        else p
                        for p in picks
                    ]
                    self.packs.save(pack, moved)

    def sync_corpus(self, corpus_dir: Path, progress: Progress | None = None) -> AddReport | None:
        """Bring the bundled corpus into the index if it is missing or the corpus
        has changed since; None when there was nothing to do. A bundled document
        that the user removed stays removed until the corpus itself changes."""
        current = corpus.fingerprint(corpus_dir)
        if self.index.exists() and self.index.meta().get("corpus_fingerprint") == current:
            return None
        report = AddReport()
        with self.index.writer() as session:
            entries = corpus.load_manifest(corpus_dir)
            ids = {path.resolve(): doc_id for path, _, doc_id in entries if doc_id}
            _add_files(session, [(path, metadata) for path, metadata, _ in entries], report, progress, ids)
            session.update_meta(corpus_fingerprint=current)
        return report

    def rebuild(self, progress: Progress | None = None) -> AddReport:
        """Re-read every document from its recorded source into a new index, then
        put it in the old one's place in one atomic step. Sources that have
        gone are reported as failed and dropped. Works on an index from
        another version of kb, and on one whose Whoosh files are damaged (from
        the document list kept beside them)."""
        report = AddReport()
        with self.index.exclusive():
            records, meta = self.index.recorded_documents()
            jobs: list[tuple[Path, Metadata]] = []
            doc_ids: dict[Path, str] = {}
            for record in records:
                doc = record["document"]
                path = Path(doc["path"])
                if path.exists():
                    jobs.append((path, Metadata(**record.get("metadata", {}))))
                    doc_ids[path] = doc["id"]
                else:
                    report.failed.append((str(path), f"source of '{doc['id']}' is gone"))
            fresh = Index(self.path.with_name(f"{self.path.name}.rebuild-{os.getpid()}"))
            try:
                with fresh.writer() as session:
                    _add_files(session, jobs, report, progress, doc_ids)
                    if "corpus_fingerprint" in meta:
                        session.update_meta(corpus_fingerprint=meta["corpus_fingerprint"])
                self.index.take_over(fresh)
            finally:
                shutil.rmtree(fresh.path, ignore_errors=True)
        return report


def _add_files(
    session: IndexWriteSession,
    files: list[tuple[Path, Metadata]],
    report: AddReport,
    progress: Progress | None,
    doc_ids: dict[Path, str] | None = None,
    password: str | None = None,
    limits: Limits | None = None,
) -> None:
    limits = limits or Limits()
    documents = session.documents()
    by_path = {d.path: d for d in documents}
    by_sha = {d.sha256: d for d in documents}
    taken_ids = {d.id for d in documents}
    stored_metadata = session.metadata_overrides()
    shas: dict[Path, str] = {}

    def sha_of(path: Path) -> str:
        if path not in shas:
            check_file(path, limits)
            shas[path] = ingest.sha256_of(path)
        return shas[path]

    def to_read(path: Path) -> bool:
        """Whether the file must be parsed: not the same content as a document kb holds at this path or elsewhere."""
        same, previous = by_sha.get(sha_of(path)), by_path.get(str(path))
        return same is None or (previous is not None and previous is not same)

    def read_next(after: int) -> None:
        """Hand the reader the next file that must be parsed, to parse while this one is indexed."""
        for path, _ in files[after + 1 :]:
            with contextlib.suppress(IngestError, OSError):
                if to_read(path.resolve()):
                    reader.read_ahead(path.resolve(), password)
                    return

    if progress:
        progress.start(len(files))
    with ReaderProcess(limits.timeout) as reader:
        for number, (path, given) in enumerate(files):
            path = path.resolve()
            status = "failed"
            try:
                sha = sha_of(path)
                previous = by_path.get(str(path))
                same = by_sha.get(sha)
                if same is not None and previous is None and Path(same.path).exists():
                    report.unchanged.append(str(path))  # a copy of a document kb has under its first path
                    status = "unchanged"
                    continue
                known = previous or same
                metadata = {**(stored_metadata.get(known.id, {}) if known else {}), **given.as_dict()}
                if same is not None and (previous is None or previous is same):
                    if same is previous and metadata == stored_metadata.get(same.id, {}):
                        report.unchanged.append(str(path))
                        status = "unchanged"
                        continue
                    status = "updated" if same is previous else "moved"
                    document = session.update_document(same.id, str(path), metadata)
                    by_path.pop(same.path, None)
                    by_path[str(path)] = by_sha[sha] = document
                    stored_metadata[same.id] = metadata
                    getattr(report, status).append(str(path))
                    continue
                parsed = reader.parse(path, password)
                read_next(number)
                wanted = (doc_ids or {}).get(path)
                if previous and wanted and wanted != previous.id:
                    raise IngestError(path, f"already in the index as '{previous.id}': rename it with kb edit")
                if not previous and wanted in taken_ids:
                    raise IngestError(path, f"the id '{wanted}' is taken by another document")
                document = _document("", path, sha, parsed, Metadata(**metadata))
                doc_id = (
                    previous.id if previous else wanted or new_id(path.stem, document.title, document.year, taken_ids)
                )
                document = replace(document, id=doc_id)
                passages, outline = make_passages(doc_id, parsed.sections, parsed.page_labels)
                document = replace(document, passages=len(passages))
                text = "\n".join(p.text for p in passages)
                acronyms = list(dict.fromkeys([*parsed.acronyms, *find_acronyms(text)]))
                session.put_document(
                    document, outline, passages, metadata, acronyms, find_compounds(text), word_counts(text)
                )
                report.warnings.extend((str(path), w) for w in parsed.warnings)
                (report.replaced if previous else report.added).append(str(path))
                status = "replaced" if previous else "added"
                by_path[str(path)] = by_sha[sha] = document
                stored_metadata[doc_id] = metadata
                taken_ids.add(doc_id)
            except IngestError as exc:
                report.failed.append((exc.path, exc.reason))
            except OSError as exc:
                report.failed.append((str(path), exc.strerror or str(exc)))
            finally:
                if progress:
                    progress.advance(path, status)


def known_ids(documents: list[Document], shown: int = 8) -> str:
    """ "a, b, c and 12 more", for an error message."""
    ids = [d.id for d in documents]
    if not ids:
        return "none"
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more


def _plan_files(documents: list[Document], files: list[Path], report: AddReport, limits: Limits) -> None:
    """What ``_add_files`` would do with each file, without reading it as a document."""
    by_path = {d.path: d for d in documents}
    by_sha = {d.sha256: d for d in documents}
    for path in files:
        try:
            check_file(path, limits)
            sha = ingest.sha256_of(path)
        except IngestError as exc:
            report.failed.append((exc.path, exc.reason))
            continue
        except OSError as exc:
            report.failed.append((str(path), exc.strerror or str(exc)))
            continue
        previous, same = by_path.get(str(path)), by_sha.get(sha)
        if same is not None and (same is previous or Path(same.path).exists()):
            report.unchanged.append(str(path))
        elif same is not None:
            report.moved.append(str(path))
        else:
            (report.replaced if previous else report.added).append(str(path))


def _document(doc_id: str, path: Path, sha: str, parsed: ingest.ParsedDocument, given: Metadata) -> Document:
    found = parsed.metadata
    given = Metadata(**{k: clean_text(v) if isinstance(v, str) else v for k, v in given.as_dict().items()})

    def chosen(name: str):
        """What the person gave ("" clears the field), else what the file says."""
        value = getattr(given, name)
        return (value or None) if value is not None else getattr(found, name)

    return Document(
        id=doc_id,
        title=given.title or parsed.title or found.title or title_from_name(path.stem, parsed),
        path=str(path),
        kind=parsed.kind,
        sha256=sha,
        added=datetime.now(UTC).isoformat(timespec="seconds"),
        pages=parsed.pages,
        passages=0,
        publisher=chosen("publisher"),
        year=chosen("year"),
        edition=chosen("edition"),
        date=chosen("date"),
        url=chosen("url"),
        author=chosen("author"),
    )


_OPENING_WORDS = 8


def title_from_name(stem: str, parsed: ingest.ParsedDocument) -> str:
    """For a file with no title of its own: its name in words ("Todo list").
    A name that only says what kind of note it is ("notes", "minutes") is
    followed by the text's opening words ("Notes: Met the youth council…"); a
    name that says nothing ("Untitled", "Binder1", a hash) gives way to them."""
    words = clean_text(re.sub(r"[-_]+", " ", stem)).strip()
    name = words[:1].upper() + words[1:]
    slug = "-".join(w for w in re.split(r"[^a-z0-9]+", stem.casefold()) if w)
    says_nothing = not slug or bool(_GENERIC_NAME.fullmatch(slug) or _HASH_LIKE.search(slug))
    if not says_nothing and slug not in _KINDS_OF_NOTE:
        return name
    opening = next((block.text for section in parsed.sections for block in section.blocks if block.text.strip()), "")
    opening_words = opening.split()
    if not opening_words:
        return name or "Document"
    cut = " ".join(opening_words[:_OPENING_WORDS]).rstrip(".,;:") + ("…" if len(opening_words) > _OPENING_WORDS else "")
    return cut[:1].upper() + cut[1:] if says_nothing else f"{name}: {cut}"


_KINDS_OF_NOTE = frozenset({"notes", "note", "readme", "text", "todo", "memo", "minutes", "jottings"})
_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_ID_WORDS = 3
_ID_LENGTH = 28
_ID_SKIPPED = frozenset("a an and at by for from in into of on or the to with de des du la le les et".split())


def checked_id(doc_id: str) -> str:
    """A document id a person chose, if it is one kb can use in passage ids and URLs."""
    if not _ID.fullmatch(doc_id):
        raise InvalidArguments(
            f"'{doc_id}' is not a usable id: use lower-case letters, digits, '-', '_' or '.' (up to 64), "
            "starting with a letter or digit"
        )
    return doc_id


_ID_FROM_NAME = 32
_GENERIC_NAME = re.compile(
    r"(document|file|untitled|binder|scan|download|print|output|export|final|draft|copy|new|index|page)?"
    r"[-_]?\d*",
)
_HASH_LIKE = re.compile(r"(?=[a-z]*\d)[0-9a-f]{8,}")


def new_id(name: str, title: str, year: int | None, taken: set[str]) -> str:
    """A short handle a person can type: the file's name as a slug
    ("nz-police-victims-2022") when it is short and made of words; else the
    first words of the title ("good-practices-building"), since long, generic
    or hashed file names ("Binder1", "000_a063f6a1") say little. Where another
    document (another edition) has it, the year is added, then a number."""
    slug = "-".join(w for w in re.split(r"[^a-z0-9]+", name.casefold()) if w)
    if len(slug) > _ID_FROM_NAME or _GENERIC_NAME.fullmatch(slug) or _HASH_LIKE.search(slug):
        words = [w for w in re.split(r"[^a-z0-9]+", title.casefold()) if w]
        chosen = [w for w in words if w not in _ID_SKIPPED] or words or ["document"]
        slug = ""
        for word in chosen[:_ID_WORDS]:
            if slug and len(slug) + 1 + len(word) > _ID_LENGTH:
                break
            slug = f"{slug}-{word}" if slug else word[:_ID_LENGTH]
    candidates = [slug] + ([f"{slug}-{year}"] if year and not slug.endswith(str(year)) else [])
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    n = 2
    while f"{candidates[-1]}-{n}" in taken:
        n += 1
    return f"{candidates[-1]}-{n}"
