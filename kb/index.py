"""The Whoosh index: its schema, opening it safely, and every write.

All of kb's records live in the one index so that a single Whoosh commit
changes documents, their outlines and their passages together or not at all:

- one ``meta`` record (schema version, corpus fingerprint),
- one ``document`` record per document (metadata, outline),
- one ``passage`` record per passage (searchable heading and body),
- one ``words`` record per document (the words it is written in, for spelling
  suggestions: the index itself holds only stems).

Whoosh is imported here and in the read side only (``kb.search``,
``kb.search.postings``, ``kb.search.rank``).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import glob
import io
import json
import os
import re
import shutil
import tempfile
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
from whoosh.index import TOC, clean_files
from whoosh.lang.porter2 import stem
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher
from whoosh.util.filelock import try_for
from whoosh.writing import IndexWriter

from kb.errors import IndexCorrupt, IndexLocked, IndexMissing, IndexVersionMismatch, IndexWriteError
from kb.model import Document, Metadata, Passage, Section
from kb.spelling import WordList, Words
from kb.vocabulary import Vocabulary

SCHEMA_VERSION = 4
INDEX_NAME = "MAIN"

# No stop list: the field's key phrases are made of small words ("policing by
# consent", "rule of law"), and a phrase must match every one of them in place.
# porter2 stems "running" to "run", where Whoosh's default stemmer gives "runn".


def careful_stem(word: str) -> str:
    """Porter2's stem, unless it would leave under three letters of a longer
    word: "aed" (the acronym AED) is not "a", nor "ads" "ad". Stemming is
    for endings; a short word or acronym that merely ends like one is kept."""
    stemmed = stem(word)
    return stemmed if len(stemmed) >= 3 or len(stemmed) == len(word) else word


ANALYZER = StemmingAnalyzer(stoplist=None, minsize=1, stemfn=careful_stem)
_WORD = re.compile(r"\w+(\.?\w+)*")  # ANALYZER's tokenizer pattern
_stem = functools.lru_cache(maxsize=100_000)(careful_stem)


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
    body=TEXT(analyzer=ANALYZER, stored=True, multitoken_query="phrase"),
    data=STORED,
)

_META_ID = "meta"
_WRITE_LOCK = f"{INDEX_NAME}_WRITELOCK"
_OPEN_ATTEMPTS = 6
_LOCK_WAIT_SECONDS = 1.0
_TOC_NAME = re.compile(rf"_{INDEX_NAME}_(\d+)\.toc")
_TOC_TEMP = re.compile(rf"_{INDEX_NAME}_(\d+)\.toc\..+")  # a TOC Whoosh had not finished writing
DOCUMENT_LIST = "documents.json"
# _SEPARATE_FILES: segments are written as separate files, not one compound
# file. Whoosh reads a compound file's parts through BytesIO, which copies each
# part it opens whole into memory: at 100,000 passages a small add or a cold
# search copied hundreds of MB of stored text and postings.

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
                document_records(searcher, self.path)
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

        A generation is known by its TOC file, down to the inode. Files of
        older generations may be deleted while the kept searcher still has
        them open: it keeps reading them, and the next read opens the new one.
        """
        newest = self._newest_toc()
        if self._kept is not None and newest is not None and self._kept[0] == newest:
            return self._kept[1]
        self.close()
        if not self.exists():
            raise IndexMissing(f"no index at {self.path}: add documents with `kb add FILE...`")
        ix, searcher = self._open_searcher()
        try:
            self._check_version(searcher)
            document_records(searcher, self.path)
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
                    f"the index at {self.path} is damaged ({type(exc).__name__}): run `kb rebuild`"
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
                (short, long, data["document"]["id"])
                for data in document_records(searcher)
                for short, long in json.loads(data["vocabulary"])["acronyms"]
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
        if not create and not self.exists():
            raise IndexMissing(f"no index at {self.path}: add documents with `kb add FILE...`")
        committed = False
        try:
            with self.exclusive(wait=_LOCK_WAIT_SECONDS):
                ix = self._open_for_writing(create)
                try:
                    writer = ix.writer(
                        _lk=False, compound=False
                    )  # kb holds the lock (``exclusive``); see _SEPARATE_FILES
                    session = IndexWriteSession(writer, self.path)
                    try:
                        with writer.searcher() as searcher:
                            self._check_version(searcher)
                        yield session
                        if session.changed:
                            document_list = session.document_list()
                            writer.commit(merge=True)
                            committed = True
                            segments = TOC.read(FileStorage(str(self.path)), INDEX_NAME).segments
                            write_document_list(self.path, {**document_list, "state": segments_state(segments)})
                        else:
                            writer.cancel()
                    except BaseException as failure:
                        if not committed:
                            cancelled = True
                            try:
                                writer.cancel()
                            except Exception:  # a full disk fails the cancel too, leaving its files open
                                cancelled = False
                            if not cancelled or isinstance(failure, OSError):  # a failed merge leaves readers open
                                _close_files_of(writer, failure)
                        self._clean_leftovers()  # the failed writer's files: on a full disk, the space
                        raise
                finally:
                    ix.close()
        except OSError as exc:
            why = _write_failure(exc)
            if committed:
                raise IndexWriteError(
                    f"the index at {self.path} was updated, but the copy of its document list "
                    f"({DOCUMENT_LIST}) could not be written: {why}"
                ) from exc
            raise IndexWriteError(f"cannot write the index at {self.path}: {why}; nothing was changed") from exc

    @contextmanager
    def exclusive(self, wait: float = 0.0) -> Iterator[None]:
        """Hold the index's write lock, then clear what killed writers left.

        The lock is Whoosh's own lock file, taken by kb so that it can be kept
        from child processes: a forked PDF worker closes its copy of the
        lock's descriptor at once (``_close_locks_in_child``), so it never
        keeps the index locked after its parent has gone. The index itself is
        not opened: it may be damaged, or from another version of kb.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        lock = FileStorage(str(self.path)).lock(_WRITE_LOCK)
        if not try_for(lock.acquire, timeout=wait, delay=0.1):
            raise IndexLocked(
                f"the index at {self.path} is being written by another kb process; try again when it has finished"
            )
        _held_lock_fds.add(lock.fd)
        try:
            self._clean_leftovers()
            yield
        finally:
            _held_lock_fds.discard(lock.fd)
            lock.release()

    def is_write_locked(self) -> bool:
        lock = FileStorage(str(self.path)).lock(_WRITE_LOCK)
        if lock.acquire(blocking=False):
            lock.release()
            return False
        return True

    def _clean_leftovers(self) -> None:
        """What a killed writer leaves; only ever called with the write lock held,
        so nothing here belongs to a writer still at work: Whoosh's temporary
        posting folder, half-written TOC files, and the sibling folders of a
        rebuild."""
        shutil.rmtree(self.path / f"{INDEX_NAME}.tmp", ignore_errors=True)
        for name in os.listdir(self.path):
            if _TOC_TEMP.fullmatch(name) or name.startswith(f".{DOCUMENT_LIST}."):
                (self.path / name).unlink(missing_ok=True)
        for sibling in self.path.parent.glob(f"{glob.escape(self.path.name)}.rebuild-*"):
            shutil.rmtree(sibling, ignore_errors=True)
        # Segment files no generation names: a writer that failed or was killed before its commit.
        with contextlib.suppress(Exception):  # no TOC yet, or a damaged one: rebuild deals with it
            storage = FileStorage(str(self.path))
            generation = TOC._latest_generation(storage, INDEX_NAME)
            if generation >= 0:
                clean_files(storage, INDEX_NAME, generation, TOC.read(storage, INDEX_NAME, generation).segments)

    def recorded_documents(self) -> tuple[list[dict], dict]:
        """Each document's record as ``documents.json`` keeps it (see ``_listed``) and
        the meta record, read without checking the schema version, so that
        ``rebuild`` can recover an index made by another kb. Where Whoosh's
        files cannot be read, the copy of the document list kept beside them
        (``documents.json``) is used."""
        if not self.exists():
            raise IndexMissing(f"no index at {self.path}: add documents with `kb add FILE...`")
        try:
            ix = whoosh_index.open_dir(str(self.path), indexname=INDEX_NAME)
            try:
                with ix.reader() as reader:
                    stored = [f for f in reader.all_stored_fields() if isinstance(f.get("data"), dict)]
            finally:
                ix.close()
        except Exception as exc:
            listed = read_document_list(self.path)
            if listed is None:
                raise IndexCorrupt(
                    f"the index at {self.path} is damaged ({type(exc).__name__}) and keeps no readable list "
                    "of its documents: delete the folder and add the documents again"
                ) from exc
            return listed["documents"], listed.get("meta", {})
        documents = [_listed(f["data"]) for f in stored if f.get("kind") == "document"]
        metas = [f["data"] for f in stored if f.get("kind") == "meta"]
        return documents, dict(metas[0]) if metas else {}

    def take_over(self, fresh: Index) -> None:
        """Make ``fresh`` (a complete index in another folder) this index, in one
        atomic step: its segment files move in beside the old ones, then one
        new TOC naming only them is renamed into place. Killed at any moment,
        the folder holds the old index or the new one; what is left over is
        cleared by the next writer. Call with the write lock held."""
        fresh_storage = FileStorage(str(fresh.path))
        toc = TOC.read(fresh_storage, INDEX_NAME)
        segment_file = TOC._segment_pattern(INDEX_NAME)
        for name in os.listdir(fresh.path):
            if segment_file.match(name):
                os.replace(fresh.path / name, self.path / name)
        storage = FileStorage(str(self.path))
        generation = TOC._latest_generation(storage, INDEX_NAME) + 1
        TOC(toc.schema, toc.segments, generation).write(storage, INDEX_NAME)
        clean_files(storage, INDEX_NAME, generation, toc.segments)
        if (fresh.path / DOCUMENT_LIST).exists():
            os.replace(fresh.path / DOCUMENT_LIST, self.path / DOCUMENT_LIST)

    def _open_for_writing(self, create: bool):
        if not self.exists():
            if not create:
                raise IndexMissing(f"no index at {self.path}: add documents with `kb add FILE...`")
            return create_empty(self.path)
        try:
            return whoosh_index.open_dir(str(self.path), indexname=INDEX_NAME)
        except Exception as exc:  # a damaged TOC or segment: unpickling and struct errors
            raise IndexCorrupt(f"the index at {self.path} is damaged ({type(exc).__name__}): run `kb rebuild`") from exc


def _close_files_of(writer: IndexWriter, failure: BaseException) -> None:
    """Close every file a failed Whoosh writer holds, and the files held by
    Whoosh's frames in the failure's traceback (a merge's segment readers),
    following only Whoosh's own objects: what a full disk leaves open."""
    seen: set[int] = set()
    pending: list[object] = [writer]
    traceback = failure.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_globals.get("__name__", "").startswith("whoosh"):
            pending.extend(traceback.tb_frame.f_locals.values())
        traceback = traceback.tb_next
    while pending:
        thing = pending.pop()
        if id(thing) in seen:
            continue
        seen.add(id(thing))
        if isinstance(thing, io.IOBase):
            with contextlib.suppress(Exception):
                thing.close()
        elif isinstance(thing, (list, tuple, set)):
            pending.extend(thing)
        elif isinstance(thing, dict):
            pending.extend(thing.values())
        elif type(thing).__module__.startswith("whoosh") and hasattr(thing, "__dict__"):
            pending.extend(vars(thing).values())


def _write_failure(exc: OSError) -> str:
    """Why a write failed, as a person would say it."""
    reasons = {
        errno.ENOSPC: "no space left on the disk",
        errno.EDQUOT: "the disk quota is used up",
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
    }
    return reasons.get(exc.errno, exc.strerror or str(exc))


_held_lock_fds: set[int] = set()


def _close_locks_in_child() -> None:
    """In a forked child, drop its copies of the write locks' descriptors.
    Closing a copy leaves the parent's lock in place (``flock`` locks belong
    to the open file, which the parent still has), but a child that outlives
    its parent can then no longer keep the index locked."""
    for fd in _held_lock_fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    _held_lock_fds.clear()


os.register_at_fork(after_in_child=_close_locks_in_child)


def create_empty(path: Path):
    """A new index holding only its meta record. Never call on an existing index:
    Whoosh's ``create_in`` deletes what is there. The caller holds the write lock
    (or owns the folder alone)."""
    path.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(path), SCHEMA, indexname=INDEX_NAME)
    with ix.writer(_lk=False, compound=False) as writer:
        writer.add_document(id=_META_ID, kind="meta", data={"schema_version": SCHEMA_VERSION})
    return ix


def write_document_list(folder: Path, document_list: dict) -> None:
    """Keep ``documents.json`` beside Whoosh's files: each document's record and
    the meta record, from which ``kb rebuild`` can rebuild an index whose own
    files are damaged. Written whole to a temporary file, then renamed."""
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{DOCUMENT_LIST}.")
    try:
        os.chmod(temporary, folder.stat().st_mode & 0o666)  # mkstemp makes it 0600; Whoosh's files follow the umask
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(json.dumps(document_list, ensure_ascii=False))  # whole: json.dump writes piece by piece, 4x slower
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, folder / DOCUMENT_LIST)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def segments_state(segments) -> list[list]:
    """A commit's segments, each with its count of deletions, as JSON keeps them
    (see ``index_state``): what ``documents.json`` was written for."""
    return [[segment.segment_id(), segment.deleted_count()] for segment in segments]


def read_document_list(folder: Path) -> dict | None:
    try:
        listed = json.loads((folder / DOCUMENT_LIST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(listed, dict) or not isinstance(listed.get("documents"), list):
        return None
    return listed


class IndexWriteSession:
    """The writes kb makes, on top of one open Whoosh writer."""

    def __init__(self, writer: IndexWriter, folder: Path) -> None:
        self._writer = writer
        self._folder = folder
        self.changed = False
        self._records: dict[str, dict] | None = None  # doc id -> {"document", "metadata"}, as changed here
        self._meta: dict | None = None  # as changed here (the writer's searcher sees the last commit)

    def document_list(self) -> dict:
        """What ``write_document_list`` keeps, as this session leaves the index."""
        return {"documents": list(self._document_records().values()), "meta": self.meta()}

    def _document_records(self) -> dict[str, dict]:
        if self._records is None:
            self._records = {data["document"]["id"]: _listed(data) for data in self._committed_records()}
        return self._records

    def documents(self) -> list[Document]:
        """The committed documents, oldest first."""
        return sorted((Document(**data["document"]) for data in self._committed_records()), key=lambda d: d.added)

    def _committed_records(self) -> list[dict]:
        with self._writer.searcher() as searcher:
            return document_records(searcher, self._folder)

    def meta(self) -> dict:
        if self._meta is None:
            with self._writer.searcher() as searcher:
                self._meta = _meta(searcher)
        return dict(self._meta)

    def metadata_overrides(self) -> dict[str, dict]:
        """doc id -> the metadata a person (or the manifest) gave for it."""
        return {data["document"]["id"]: data["metadata"] for data in self._committed_records()}

    def put_document(
        self,
        document: Document,
        outline: list[Section],
        passages: list[Passage],
        metadata: dict,
        acronyms: list[tuple[str, str]],
        compounds: set[str],
        words: dict[str, int],
    ) -> None:
        """Add a document, replacing every record of an earlier one with the same id."""
        self.delete_document(document.id)
        data = {
            "document": asdict(document),
            "outline": [asdict(s) for s in outline],
            "metadata": metadata,
            "acronyms": [list(pair) for pair in acronyms],
            "compounds": sorted(compounds),
        }
        self._document_records()[document.id] = _listed(data)
        self._writer.add_document(id=document_key(document.id), kind="document", doc_id=document.id, data=data)
        self._writer.add_document(id=f"words/{document.id}", kind="words", doc_id=document.id, data={"words": words})
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
        document = replace(Document(**record["document"]), path=path, **_document_fields(metadata))
        record.update(document=asdict(document), metadata=metadata)
        self._writer.update_document(id=document_key(doc_id), kind="document", doc_id=doc_id, data=record)
        self._document_records()[doc_id] = _listed(record)
        self.changed = True
        return document

    def rename_document(self, doc_id: str, new_id: str, metadata: dict) -> Document:
        """Give a document and its passages a new id (``doc:12`` becomes
        ``new:12``) and new metadata, from what the index holds, without
        reading the file again."""
        with self._writer.searcher() as searcher:
            stored = [dict(fields) for fields in searcher.documents(doc_id=doc_id)]
        record = next(f["data"] for f in stored if f["kind"] == "document")
        words = next((f["data"]["words"] for f in stored if f["kind"] == "words"), {})
        document = replace(Document(**record["document"]), id=new_id, **_document_fields(metadata))
        passages = sorted(
            (passage_from_record(f) for f in stored if f["kind"] == "passage"), key=lambda passage: passage.order
        )
        passages = [
            replace(passage, id=f"{new_id}:{passage.id.rpartition(':')[2]}", doc_id=new_id) for passage in passages
        ]
        outline = [Section(**section) for section in record["outline"]]
        acronyms = [tuple(pair) for pair in record["acronyms"]]
        self.delete_document(doc_id)
        self.put_document(document, outline, passages, metadata, acronyms, set(record["compounds"]), words)
        return document

    def delete_document(self, doc_id: str) -> int:
        self._document_records().pop(doc_id, None)
        deleted = self._writer.delete_by_term("doc_id", doc_id)
        self.changed = self.changed or deleted > 0
        return deleted

    def update_meta(self, **values) -> None:
        meta = self.meta()
        meta.update(values)
        self._meta = meta
        self._writer.update_document(id=_META_ID, kind="meta", data=meta)
        self.changed = True


def _document_fields(metadata: dict) -> dict:
    """The ``Document`` fields a metadata record sets; "" clears one."""
    return {k: (v if v != "" else None) for k, v in metadata.items() if k in Metadata.__dataclass_fields__}


def _meta(searcher: Searcher) -> dict:
    record = searcher.document(id=_META_ID)
    return dict(record["data"]) if record else {}


def read_documents(searcher: Searcher) -> list[Document]:
    """Every document, oldest first."""
    return list(documents_by_id(searcher).values())


def documents_by_id(searcher: Searcher) -> dict[str, Document]:
    """Every document by its id, oldest first; kept per index state, so not to be changed."""

    def load() -> dict[str, Document]:
        docs = [Document(**data["document"]) for data in document_records(searcher)]
        return {d.id: d for d in sorted(docs, key=lambda d: d.added)}

    return _documents.get(searcher, (), load)


def read_vocabulary(searcher: Searcher) -> Vocabulary:
    """The acronym pairs and hyphenated compounds all documents define."""

    def load() -> Vocabulary:
        acronyms: list[tuple[str, str]] = []
        compounds: set[str] = set()
        for data in document_records(searcher):
            defined = json.loads(data["vocabulary"])
            acronyms.extend((short, long) for short, long in defined["acronyms"])
            compounds.update(defined["compounds"])
        return Vocabulary.from_pairs(acronyms, compounds)

    return _vocabularies.get(searcher, (), load)


def document_records(searcher: Searcher, folder: Path | None = None) -> list[dict]:
    """Every document's ``document``, ``metadata`` and ``vocabulary`` (its
    acronyms and compounds, see ``_listed``), read once per index state: the document
    list, the vocabulary and a writer's bookkeeping come from it. Given the
    index's ``folder``, they come from ``documents.json`` when it was written
    for this state, a fraction of the cost of reading each record from the
    index (at 100,000 passages, half of a small add's time and memory; after
    each commit, a server's next search waited 30 ms for the vocabulary at
    10,000). Not to be changed."""

    def load() -> list[dict]:
        listed = read_document_list(folder) if folder is not None else None
        if (
            listed is not None
            and listed.get("state") == [list(part) for part in index_state(searcher)]
            and all(record.keys() >= _LISTED_KEYS for record in listed["documents"])  # not by an older kb
        ):
            return listed["documents"]
        return [_listed(data) for data in _stored_records(searcher)]

    return _records.get(searcher, (), load)


def _stored_records(searcher: Searcher) -> Iterator[dict]:
    """Each document record as the index stores it, with its outline and vocabulary."""
    return (record["data"] for record in searcher.documents(kind="document"))


_LISTED_KEYS = frozenset(("document", "metadata", "vocabulary"))


def _listed(data: dict) -> dict:
    """What ``documents.json`` keeps of a document record. The vocabulary is
    kept as one string (JSON), read only by ``read_vocabulary``: as lists,
    4,000 documents' acronyms and compounds made every small add read 22 MB
    of objects, where the rest of the list takes 5."""
    vocabulary = {"acronyms": data.get("acronyms", []), "compounds": data.get("compounds", [])}
    return {
        "document": data["document"],
        "metadata": data.get("metadata", {}),
        "vocabulary": json.dumps(vocabulary, ensure_ascii=False),
    }


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


def read_word_list(searcher: Searcher) -> WordList:
    """The words all documents are written in, for spelling suggestions."""

    def load() -> WordList:
        return WordList([_segment_words(reader) for reader, _ in searcher.reader().leaf_readers()])

    return _word_lists.get(searcher, (), load)


def _segment_words(reader) -> Words:
    """The words of one segment's live documents, kept until it changes
    (a document in it deleted) or goes."""
    key = (reader.segment().segment_id(), reader.segment().deleted_count())
    with _segment_words_lock:
        found = _segment_words_kept.get(key)
        if found is not None:
            _segment_words_kept.move_to_end(key)
    if found is None:
        try:
            docnums = list(reader.postings("kind", "words").all_ids())  # live ones: Whoosh leaves out the deleted
        except TermNotFound:  # a segment of other records only, as the meta record's
            docnums = []
        found = Words(reader.stored_fields(n)["data"]["words"] for n in docnums)
        with _segment_words_lock:
            _segment_words_kept[key] = found
            while len(_segment_words_kept) > _KEPT_SEGMENT_WORDS:
                _segment_words_kept.popitem(last=False)
    return found


_word_lists = StateCache(2)
_KEPT_SEGMENT_WORDS = 16
_segment_words_kept: OrderedDict[tuple[str, int], Words] = OrderedDict()
_segment_words_lock = threading.Lock()
_records = StateCache(4)
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
