"""Adding, replacing, removing and rebuilding documents."""

import pytest

from kb import (
    DocumentNotFound,
    IndexCorrupt,
    IndexLocked,
    IndexMissing,
    IndexVersionMismatch,
    KnowledgeBase,
    Metadata,
)
from kb.index import SCHEMA_VERSION


def test_add_indexes_new_files_and_skips_unchanged_ones(knowledge_base, write):
    a = write("a.md", "# Alpha\n\nFoot patrols in the old town.\n")
    b = write("b.txt", "Bravo notes\n\nSchool liaison visits every month.\n")
    report = knowledge_base.add([a, b])
    assert sorted(report.added) == sorted([str(a), str(b)])
    assert report.unchanged == [] and report.failed == []
    assert {d.id for d in knowledge_base.documents()} == {"a", "b"}

    again = knowledge_base.add([a, b])
    assert again.added == [] and sorted(again.unchanged) == sorted([str(a), str(b)])


def test_files_read_ahead_go_in_as_themselves_past_copies_and_failures(knowledge_base, write, tmp_path):
    """Each file is parsed while the one before it is indexed. A file read
    ahead for nothing (a copy of the file before it, known only once that
    one is in), or one that fails, must not hand its text to another."""
    import os

    files = [
        write("a.md", "# Alpha\n\nFoot patrols in the old town.\n"),
        write("copy.md", "# Alpha\n\nFoot patrols in the old town.\n"),
        write("c.md", "# Charlie\n\nCharlie writes about bicycles.\n"),
        tmp_path / "docs" / "pipe.md",
        write("d.md", "# Delta\n\nDelta writes about ferries.\n"),
        write("e.md", "# Echo\n\nEcho writes about lanterns.\n"),
    ]
    os.mkfifo(files[3])
    report = knowledge_base.add(files)
    assert sorted(report.added) == sorted(str(f) for f in (files[0], files[2], files[4], files[5]))
    assert report.unchanged == [str(files[1])] and [path for path, _ in report.failed] == [str(files[3])]
    for doc_id, word in (("a", "patrols"), ("c", "bicycles"), ("d", "ferries"), ("e", "lanterns")):
        (hit,) = knowledge_base.search(word).hits
        assert hit.document.id == doc_id and word in hit.passage.text
        assert [p.text for p in knowledge_base.passages(doc_id)] == [hit.passage.text]


def test_changed_file_has_its_passages_replaced_under_the_same_id(knowledge_base, write):
    path = write("c.md", "# Charlie\n\n## Old\n\nThe first version mentions bicycles.\n")
    knowledge_base.add([path])
    path.write_text("# Charlie\n\n## New\n\nThe second version mentions horses.\n", encoding="utf-8")
    report = knowledge_base.add([path])
    assert report.replaced == [str(path)]
    (doc,) = knowledge_base.documents()
    assert doc.id == "c"
    passages = knowledge_base.passages("c")
    assert [p.heading_path for p in passages] == [("New",)]
    assert knowledge_base.search("bicycles").total == 0
    assert knowledge_base.search("horses").total == 1


def test_folder_is_added_recursively_and_one_broken_file_spoils_nothing(knowledge_base, write, tmp_path):
    write("good.md", "# Good\n\nA readable note on youth outreach.\n")
    write("sub/deeper.txt", "Deeper\n\nAnother note about night patrols.\n")
    broken = write("sub/broken.pdf", b"%PDF-1.4 this is not really a pdf")
    write("sub/ignored.docx", b"binary")
    write(".hidden/secret.md", "# Hidden\n\nnot to be indexed\n")
    report = knowledge_base.add([tmp_path / "docs", tmp_path / "missing.md"])
    assert len(report.added) == 2
    failed = dict(report.failed)
    assert set(failed) == {str(broken), str(tmp_path / "missing.md")}
    assert failed[str(tmp_path / "missing.md")] == "no such file or folder"
    assert {d.id for d in knowledge_base.documents()} == {"good", "deeper"}


def test_unsupported_file_named_directly_is_reported(knowledge_base, write):
    path = write("slides.pptx", b"PK\x03\x04")
    report = knowledge_base.add([path])
    assert report.failed and "unsupported file type '.pptx'" in report.failed[0][1]


def test_metadata_given_by_a_person_wins_and_survives_a_plain_re_add(knowledge_base, write):
    path = write("guide.md", "# A Guide\n\nText.\n")
    knowledge_base.add([path], Metadata(title="Practitioner Guide", year=2022, edition="2nd", publisher="OSCE"))
    (doc,) = knowledge_base.documents()
    assert (doc.title, doc.year, doc.edition, doc.publisher) == ("Practitioner Guide", 2022, "2nd", "OSCE")
    assert knowledge_base.add([path]).unchanged == [str(path)]
    assert knowledge_base.document("guide").title == "Practitioner Guide"
    knowledge_base.add([path], Metadata(title="Renamed Guide"))
    doc = knowledge_base.document("guide")
    assert (doc.title, doc.year) == ("Renamed Guide", 2022)


def test_a_moved_file_keeps_its_id_and_passages_and_records_its_new_path(knowledge_base, write, tmp_path):
    old = write("old/guide.md", "# Guide\n\n## Patrols\n\nFoot patrols build trust.\n")
    knowledge_base.add([old])
    passages_before = knowledge_base.passages("guide")
    new = tmp_path / "docs" / "new" / "guide-2022.md"
    new.parent.mkdir()
    old.rename(new)

    report = knowledge_base.add([new], Metadata(title="Patrol Guide", year=2022))
    assert report.moved == [str(new)] and not report.added and not report.unchanged
    (doc,) = knowledge_base.documents()
    assert (doc.id, doc.path, doc.title, doc.year) == ("guide", str(new), "Patrol Guide", 2022)
    assert knowledge_base.passages("guide") == passages_before
    assert knowledge_base.search("patrols").hits[0].document.path == str(new)

    # The next rebuild reads it from where it now is, with the metadata given.
    rebuilt = knowledge_base.rebuild()
    assert rebuilt.added == [str(new)] and not rebuilt.failed
    assert knowledge_base.document("guide").title == "Patrol Guide"


def test_a_copy_of_a_file_kb_has_is_skipped_while_the_first_still_exists(knowledge_base, write):
    first = write("a/guide.md", "# Guide\n\nFoot patrols build trust.\n")
    copy = write("b/guide.md", "# Guide\n\nFoot patrols build trust.\n")
    knowledge_base.add([first])
    report = knowledge_base.add([copy])
    assert report.unchanged == [str(copy)] and not report.moved
    assert knowledge_base.document("guide").path == str(first)


def test_new_metadata_for_an_unchanged_file_is_recorded_without_reading_it_again(knowledge_base, write, monkeypatch):
    path = write("guide.md", "# Guide\n\nText.\n")
    knowledge_base.add([path])

    def no_parsing(*args, **kwargs):
        raise AssertionError("the file was read again")

    monkeypatch.setattr("kb.ingest.parse", no_parsing)
    report = knowledge_base.add([path], Metadata(edition="2nd"))
    assert report.updated == [str(path)]
    assert knowledge_base.document("guide").edition == "2nd"


def test_same_file_name_in_two_folders_gets_two_ids(knowledge_base, write):
    one = write("x/notes.md", "# One\n\nfirst\n")
    two = write("y/notes.md", "# Two\n\nsecond\n")
    knowledge_base.add([one, two])
    assert sorted(d.id for d in knowledge_base.documents()) == ["notes", "notes-2"]


def test_remove_deletes_document_and_passages(knowledge_base, write):
    knowledge_base.add([write("gone.md", "# Gone\n\nunique-word-zebra\n"), write("kept.md", "# Kept\n\nx\n")])
    removed = knowledge_base.remove("gone")
    assert removed.id == "gone"
    assert [d.id for d in knowledge_base.documents()] == ["kept"]
    assert knowledge_base.search("zebra").total == 0
    with pytest.raises(DocumentNotFound, match="no document has the id 'gone'"):
        knowledge_base.remove("gone")


def test_reading_a_missing_index_says_how_to_fill_it(tmp_path):
    with pytest.raises(IndexMissing, match="kb add"):
        KnowledgeBase(tmp_path / "nothing").documents()


def test_second_writer_is_refused_with_a_clear_error(knowledge_base, write):
    path = write("a.md", "# A\n\ntext\n")
    knowledge_base.add([path])
    other = KnowledgeBase(knowledge_base.path)
    with knowledge_base.index.writer(), pytest.raises(IndexLocked, match="another kb process"):
        other.add([write("b.md", "# B\n\ntext\n")])
    assert [d.id for d in knowledge_base.documents()] == ["a"]


def test_failure_inside_a_write_leaves_the_index_as_it_was(knowledge_base, write, monkeypatch):
    knowledge_base.add([write("a.md", "# A\n\nalpha text\n")])

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("kb.base.make_passages", explode)
    with pytest.raises(RuntimeError):
        knowledge_base.add([write("b.md", "# B\n\nbravo text\n")])
    assert [d.id for d in knowledge_base.documents()] == ["a"]


def test_index_from_another_schema_version_asks_for_rebuild_which_fixes_it(knowledge_base, write):
    knowledge_base.add([write("a.md", "# A\n\nalpha text\n")], Metadata(year=2001))
    with knowledge_base.index.writer() as session:
        session.update_meta(schema_version=SCHEMA_VERSION - 1)
    with pytest.raises(IndexVersionMismatch, match="kb rebuild"):
        knowledge_base.search("alpha")
    report = knowledge_base.rebuild()
    assert report.added and not report.failed
    assert knowledge_base.search("alpha").total == 1
    assert knowledge_base.document("a").year == 2001


def test_rebuild_reports_sources_that_have_gone(knowledge_base, write):
    keep = write("keep.md", "# Keep\n\nkept text\n")
    lose = write("lose.md", "# Lose\n\nlost text\n")
    knowledge_base.add([keep, lose])
    ids_before = {d.id for d in knowledge_base.documents()}
    lose.unlink()
    report = knowledge_base.rebuild()
    assert report.failed == [(str(lose), "source of 'lose' is gone")]
    assert {d.id for d in knowledge_base.documents()} == ids_before - {"lose"}
    assert not list(knowledge_base.path.parent.glob("index.*"))  # no leftover folders


def test_bundled_corpus_is_indexed_once_and_again_when_it_changes(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "event.txt").write_text("Event Title\n\nBackground\n\nPolicing by consent matters.\n")
    (corpus / "manifest.json").write_text(
        '{"documents": [{"file": "event.txt", "title": "Bundled Event", "year": 2025, "url": "https://example.org/e"}]}'
    )
    knowledge_base = KnowledgeBase(tmp_path / "index")
    first = knowledge_base.sync_corpus(corpus)
    assert first is not None and len(first.added) == 1
    assert knowledge_base.sync_corpus(corpus) is None
    (doc,) = knowledge_base.documents()
    assert (doc.title, doc.year, doc.source) == ("Bundled Event", 2025, "https://example.org/e")

    knowledge_base.remove(doc.id)
    assert knowledge_base.sync_corpus(corpus) is None  # a person's removal is respected
    (corpus / "event.txt").write_text("Event Title\n\nBackground\n\nPolicing by consent matters a lot.\n")
    assert knowledge_base.sync_corpus(corpus) is not None
    assert len(knowledge_base.documents()) == 1


# Whoosh leaves the file of a TOC it cannot read open; that leak is Whoosh's.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_damaged_index_is_reported_in_one_line(knowledge_base, write):
    knowledge_base.add([write("a.md", "# A\n\ntext\n")])
    for toc in knowledge_base.path.glob("_MAIN_*.toc"):
        toc.write_bytes(b"\x00garbage" * 10)
    with pytest.raises(IndexCorrupt, match="is damaged"):
        knowledge_base.documents()


def test_the_document_list_comes_from_documents_json_only_when_it_is_the_last_commits(
    knowledge_base, write, monkeypatch
):
    """A small add into a large index, or a server's start, must not read every
    document's record (outline and all) from the index: the document list
    written beside it at the last commit says the same. A list left from an
    earlier commit (a crash between the commit and its writing) is never trusted."""
    import json

    from whoosh.searching import Searcher

    import kb.index
    from kb.index import DOCUMENT_LIST, StateCache

    first, second, third = (write(f"{n}.md", f"# {n}\n\nText about {n}.\n") for n in ("one", "two", "three"))
    knowledge_base.add([first])
    stale = (knowledge_base.path / DOCUMENT_LIST).read_text(encoding="utf-8")
    knowledge_base.add([second])
    record_reads = []
    real = Searcher.documents
    monkeypatch.setattr(Searcher, "documents", lambda self, **terms: record_reads.append(terms) or real(self, **terms))
    monkeypatch.setattr(kb.index, "_records", StateCache(4))  # as in a new process
    assert knowledge_base.add([first]).unchanged == [str(first)]
    assert [d.id for d in knowledge_base.documents()] == ["one", "two"] and {"kind": "document"} not in record_reads
    monkeypatch.setattr(kb.index, "_records", StateCache(4))
    (knowledge_base.path / DOCUMENT_LIST).write_text(stale, encoding="utf-8")  # as if the last write was lost
    report = knowledge_base.add([second, third])
    assert report.unchanged == [str(second)] and report.added == [str(third)] and {"kind": "document"} in record_reads
    listed = json.loads((knowledge_base.path / DOCUMENT_LIST).read_text(encoding="utf-8"))
    assert sorted(d["document"]["id"] for d in listed["documents"]) == ["one", "three", "two"]
