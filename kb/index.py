"""The Whoosh index: its schema, opening it safely, and every write.

All of kb's records live in the one index so that a single Whoosh commit
changes documents, their outlines and their passages together or not at all:

- one ``meta`` record (schema version, corpus fingerprint),
- one ``document`` record per document (metadata, outline),
- one ``passage`` record per passage (searchable heading and body).

Whoosh is imported here and in the read side only (``kb.search``,
``kb.postings``, ``kb.rank``).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import TypeVar

import whoosh.codec.whoosh3  # noqa: F401  (loaded by open_dir; imported here to keep Whoosh in one place)
from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.lang.porter2 import stem
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from kb.errors import IndexCorrupt, IndexLocked, IndexMissing, IndexVersionMismatch
from kb.expand import Vocabulary
from kb.model import Document, Metadata, Passage, Section

SCHEMA_VERSION = 2
INDEX_NAME = "MAIN"

# No stop list: the field's key phrases are made of small words ("policing by
# consent", "rule of law"), and a phrase must match every one of them in place.
# porter2 stems "running" to "run", where Whoosh's default stemmer gives "runn".
ANALYZER = StemmingAnalyzer(stoplist=None, minsize=1, stemfn=stem)
_WORD = re.compile(r"\w+(\.?\w+)*")  # ANALYZER's tokenizer pattern
_stem = functools.lru_cache(maxsize=100_000)(stem)


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """ANALYZER's tokens for ``text``, each with where it stands. The same
    tokens (``tests/test_search.py`` holds them equal) three times faster than
    ANALYZER's chain of generators: snippets and term counts tokenize whole
    passages, many at a time."""
    return [(stem_of(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


def stem_of(word: str) -> str:
    """The token ANALYZER makes of one word that its tokenizer found."""
    return _stem(word.lower())


SCHEMA = Schema(
    id=ID(stored=True, unique=True),
    kind=ID(stored=True),
    doc_id=ID(stored=True),
    heading=TEXT(analyzer=ANALYZER, multitoken_query="phrase"),
    # spelling=True keeps the unstemmed words too, for "did you mean" suggestions.
    body=TEXT(analyzer=ANALYZER, stored=True, multitoken_query="phrase", spelling=True),
    data=STORED,
)

_META_ID = "meta"
_WRITE_LOCK = f"{INDEX_NAME}_WRITELOCK"
_OPEN_ATTEMPTS = 6
_LOCK_WAIT_SECONDS = 1.0
_TOC_NAME = re.compile(rf"_{INDEX_NAME}_(\d+)\.toc")

T = TypeVar("T")


def document_key(doc_id: str) -> str:
    return f"doc/{doc_id}"


class Index:
    """One index folder. Cheap to make; opens the Whoosh index on each use.

    With ``keep_open`` (a server), one searcher is kept and used again until
    a commit makes a newer generation; reads then run one at a time.
    """

    def __init__(self, path: Path, keep_open: bool = False) -> None:
        self.path = Path(path)
        self._keep_open = keep_open
        self._kept: tuple[tuple[int, int, int] | None, Searcher, object] | None = None
        self._kept_lock = threading.Lock()

    def exists(self) -> bool:
        """Whether the folder holds an index (perhaps a damaged one, which ``read`` reports)."""
        if not self.path.is_dir():
            return False
        try:
            return whoosh_index.exists_in(str(self.path), indexname=INDEX_NAME)
        except Exception:
            return True

    # -- reading -----------------------------------------------------------

    def read(self, fn: Callable[[Searcher], T]) -> T:
        """Run ``fn`` with a searcher over the newest commit."""
        if self._keep_open:
            with self._kept_lock:
                return fn(self._kept_searcher())
        if not self.exists():
            raise IndexMissing(f"no index at {self.path}: add documents with `kb add FILE...`")
        ix, searcher = self._open_searcher()
        try:
            with searcher:
                self._check_version(searcher)
                return fn(searcher)
        finally:
            ix.close()

    def close(self) -> None:
        """Close the kept searcher, if any."""
        if self._kept is not None:
            _, searcher, ix = self._kept
            self._kept = None
            searcher.close()
            ix.close()

    def _kept_searcher(self) -> Searcher:
        """The kept searcher, opened again when the newest generation is another.

        A generation is known by its TOC file, down to the inode, so a folder
        replaced by ``kb rebuild`` is never taken for the old one. Files of
        older generations may be deleted while the kept searcher still has
        them open: it keeps reading them, and the next read opens the new one.
        """
        newest = self._newest_toc()
        for attempt in range(_OPEN_ATTEMPTS if self._kept is not None else 0):
            if newest is not None:
                break
            # `kb rebuild` swaps folders with two renames; wait out the moment between.
            time.sleep(0.05 * (attempt + 1))
            newest = self._newest_toc()
        if self._kept is not None and newest is not None and self._kept[0] == newest:
            return self._kept[1]
        self.close()
        if not self.exists():
            raise IndexMissing(f"no index at {self.path}: add documents with `kb add FILE...`")
        ix, searcher = self._open_searcher()
        try:
            self._check_version(searcher)
        except BaseException:
            searcher.close()
            ix.close()
            raise
        self._kept = (newest, searcher, ix)
        return searcher

    def _newest_toc(self) -> tuple[int, int, int] | None:
        """(generation, inode, modification time) of the newest TOC file."""
        try:
            names = os.listdir(self.path)
        except OSError:
            return None
        generations = [int(m.group(1)) for m in map(_TOC_NAME.fullmatch, names) if m]
        if not generations:
            return None
        newest = max(generations)
        try:
            status = os.stat(self.path / f"_{INDEX_NAME}_{newest}.toc")
        except OSError:
            return None
        return newest, status.st_ino, status.st_mtime_ns

    def _open_searcher(self):
        for attempt in range(_OPEN_ATTEMPTS):
            try:
                ix = whoosh_index.open_dir(str(self.path), indexname=INDEX_NAME)
                return ix, ix.searcher()
            except (FileNotFoundError, whoosh_index.EmptyIndexError):
                # A commit by another process deleted the generation being opened.
                if attempt == _OPEN_ATTEMPTS - 1:
                    message = f"the index at {self.path} cannot be opened: try `kb rebuild`"
                    raise IndexCorrupt(message) from None
                time.sleep(0.05 * (attempt + 1))
            except Exception as exc:  # a damaged TOC or segment: unpickling and struct errors
                raise IndexCorrupt(
                    f"the index at {self.path} is damaged ({type(exc).__name__}): "
                    "delete the folder and add the documents again"
                ) from exc
        raise AssertionError("unreachable")

    def meta(self) -> dict:
        return self.read(_meta)

    def documents(self) -> list[Document]:
        return self.read(read_documents)

    def outline(self, doc_id: str) -> list[Section]:
        def load(searcher: Searcher) -> list[Section]:
            record = searcher.document(id=document_key(doc_id))
            return [Section(**s) for s in record["data"]["outline"]] if record else []

        return self.read(load)

    def acronyms(self) -> list[tuple[str, str, str]]:
        """(acronym, expansion, doc id) for every pair a document defines."""

        def load(searcher: Searcher) -> list[tuple[str, str, str]]:
            return [
                (short, long, r["doc_id"])
                for r in searcher.documents(kind="document")
                for short, long in r["data"].get("acronyms", [])
            ]

        return self.read(load)

    def passage(self, passage_id: str) -> Passage | None:
        def load(searcher: Searcher) -> Passage | None:
            record = searcher.document(id=passage_id, kind="passage")
            return passage_from_record(record) if record else None

        return self.read(load)

    def passages(self, doc_id: str) -> list[Passage]:
        def load(searcher: Searcher) -> list[Passage]:
            found = [passage_from_record(r) for r in searcher.documents(doc_id=doc_id, kind="passage")]
            return sorted(found, key=lambda p: p.order)

        return self.read(load)

    def _check_version(self, searcher: Searcher) -> None:
        version = _meta(searcher).get("schema_version")
        if version != SCHEMA_VERSION:
            raise IndexVersionMismatch(
                f"the index at {self.path} was made by another version of kb "
                f"(schema {version}, this kb uses {SCHEMA_VERSION}): run `kb rebuild`"
            )

    # -- writing -----------------------------------------------------------

    @contextmanager
    def writer(self, create: bool = True) -> Iterator[IndexWriteSession]:
        """One write session: everything done in it lands in one commit, or not at all."""
        ix = self._open_or_create(create)
        try:
            try:
                writer = ix.writer(timeout=_LOCK_WAIT_SECONDS, delay=0.1)
            except whoosh_index.LockError:
                raise IndexLocked(
                    f"the index at {self.path} is being written by another kb process; try again when it has finished"
                ) from None
            session = IndexWriteSession(writer)
            try:
                with writer.searcher() as searcher:
                    self._check_version(searcher)
                yield session
            except BaseException:
                writer.cancel()
                raise
            if session.changed:
                writer.commit(merge=True)
            else:
                writer.cancel()
        finally:
            ix.close()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the write lock without opening the index, which may be from
        another version of kb or damaged (as when it is being rebuilt)."""
        lock = FileStorage(str(self.path)).lock(_WRITE_LOCK)
        if not lock.acquire(blocking=False):
            raise IndexLocked(
                f"the index at {self.path} is being written by another kb process; try again when it has finished"
            )
        try:
            yield
        finally:
            lock.release()

    def is_write_locked(self) -> bool:
        lock = FileStorage(str(self.path)).lock(_WRITE_LOCK)
        if lock.acquire(blocking=False):
            lock.release()
            return False
        return True

    def stored_records(self, kind: str) -> list[dict]:
        """The stored data of every record of one kind, read without checking the
        schema version, so that ``rebuild`` can recover an index made by another kb."""
        if not self.exists():
            raise IndexMissing(f"no index at {self.path}: add documents with `kb add FILE...`")
        ix = whoosh_index.open_dir(str(self.path), indexname=INDEX_NAME)
        try:
            with ix.reader() as reader:
                return [
                    dict(fields["data"])
                    for fields in reader.all_stored_fields()
                    if fields.get("kind") == kind and isinstance(fields.get("data"), dict)
                ]
        finally:
            ix.close()

    def replace_with(self, other: Index) -> None:
        """Put ``other``'s folder where this index is, and delete the old one."""
        retired = self.path.with_name(f"{self.path.name}.old-{os.getpid()}")
        os.replace(self.path, retired)
        os.replace(other.path, self.path)
        shutil.rmtree(retired, ignore_errors=True)

    def _open_or_create(self, create: bool):
        if self.exists():
            return whoosh_index.open_dir(str(self.path), indexname=INDEX_NAME)
        if not create:
            raise IndexMissing(f"no index at {self.path}: add documents with `kb add FILE...`")
        return create_empty(self.path)


def create_empty(path: Path):
    """A new index holding only its meta record. Never call on an existing index:
    Whoosh's ``create_in`` deletes what is there."""
    path.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(path), SCHEMA, indexname=INDEX_NAME)
    with ix.writer() as writer:
        writer.add_document(id=_META_ID, kind="meta", data={"schema_version": SCHEMA_VERSION})
    return ix


class IndexWriteSession:
    """The writes kb makes, on top of one open Whoosh writer."""

    def __init__(self, writer: IndexWriter) -> None:
        self._writer = writer
        self.changed = False

    def documents(self) -> list[Document]:
        with self._writer.searcher() as searcher:
            return read_documents(searcher)

    def meta(self) -> dict:
        with self._writer.searcher() as searcher:
            return _meta(searcher)

    def metadata_overrides(self) -> dict[str, dict]:
        """doc id -> the metadata a person (or the manifest) gave for it."""
        with self._writer.searcher() as searcher:
            return {r["doc_id"]: r["data"]["metadata"] for r in searcher.documents(kind="document")}

    def put_document(
        self,
        document: Document,
        outline: list[Section],
        passages: list[Passage],
        metadata: dict,
        acronyms: list[tuple[str, str]],
        compounds: set[str],
    ) -> None:
        """Add a document, replacing every record of an earlier one with the same id."""
        self.delete_document(document.id)
        self._writer.add_document(
            id=document_key(document.id),
            kind="document",
            doc_id=document.id,
            data={
                "document": asdict(document),
                "outline": [asdict(s) for s in outline],
                "metadata": metadata,
                "acronyms": [list(pair) for pair in acronyms],
                "compounds": sorted(compounds),
            },
        )
        for passage in passages:
            record = asdict(passage)
            record["heading_path"] = list(passage.heading_path)
            text = record.pop("text")
            self._writer.add_document(
                id=passage.id,
                kind="passage",
                doc_id=passage.doc_id,
                heading="\n".join(passage.heading_path),
                body=text,
                data=record,
            )
        self.changed = True

    def update_document(self, doc_id: str, path: str, metadata: dict) -> Document:
        """Record a new path and metadata for a document whose content has not
        changed (a moved file, a corrected title), without reading it again."""
        with self._writer.searcher() as searcher:
            record = dict(searcher.document(id=document_key(doc_id))["data"])
        fields = {k: v for k, v in metadata.items() if k in Metadata.__dataclass_fields__}
        document = replace(Document(**record["document"]), path=path, **fields)
        record.update(document=asdict(document), metadata=metadata)
        self._writer.update_document(id=document_key(doc_id), kind="document", doc_id=doc_id, data=record)
        self.changed = True
        return document

    def delete_document(self, doc_id: str) -> int:
        deleted = self._writer.delete_by_term("doc_id", doc_id)
        self.changed = self.changed or deleted > 0
        return deleted

    def update_meta(self, **values) -> None:
        meta = self.meta()
        meta.update(values)
        self._writer.update_document(id=_META_ID, kind="meta", data=meta)
        self.changed = True


def _meta(searcher: Searcher) -> dict:
    record = searcher.document(id=_META_ID)
    return dict(record["data"]) if record else {}


def read_documents(searcher: Searcher) -> list[Document]:
    """Every document, oldest first."""
    return list(documents_by_id(searcher).values())


def documents_by_id(searcher: Searcher) -> dict[str, Document]:
    """Every document by its id, oldest first; kept per index state, so not to be changed."""

    def load() -> dict[str, Document]:
        docs = [Document(**r["data"]["document"]) for r in searcher.documents(kind="document")]
        return {d.id: d for d in sorted(docs, key=lambda d: d.added)}

    return _documents.get(searcher, (), load)


def read_vocabulary(searcher: Searcher) -> Vocabulary:
    """The acronym pairs and hyphenated compounds all documents define."""

    def load() -> Vocabulary:
        acronyms: list[tuple[str, str]] = []
        compounds: set[str] = set()
        for record in searcher.documents(kind="document"):
            acronyms.extend((short, long) for short, long in record["data"].get("acronyms", []))
            compounds.update(record["data"].get("compounds", []))
        return Vocabulary.from_pairs(acronyms, compounds)

    return _vocabularies.get(searcher, (), load)


class StateCache:
    """Values worked out from what a searcher sees, kept per index state.

    Reading every document record costs more than a search on a large index,
    and a server would otherwise do it on every request; a value kept for one
    state is right for as long as the index stays in it (see ``index_state``).
    The newest ``size`` values are kept.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._values: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, searcher: Searcher, key: tuple, compute: Callable[[], T]) -> T:
        full_key = (index_state(searcher), *key)
        with self._lock:
            if full_key in self._values:
                self._values.move_to_end(full_key)
                return self._values[full_key]
        value = compute()
        with self._lock:
            self._values[full_key] = value
            while len(self._values) > self._size:
                self._values.popitem(last=False)
        return value


_vocabularies = StateCache(8)
_documents = StateCache(8)


def index_state(searcher: Searcher) -> tuple[tuple[str, int], ...]:
    """Names what the searcher sees: its segments, each with its count of deleted
    documents. Segments are never rewritten and deletions only grow, so two
    searchers with the same state see the same records."""
    return tuple(
        (reader.segment().segment_id(), reader.segment().deleted_count())
        for reader, _ in searcher.reader().leaf_readers()
    )


def passage_from_record(record: dict) -> Passage:
    data = dict(record["data"])
    data["heading_path"] = tuple(data["heading_path"])
    return Passage(text=record["body"], **data)
