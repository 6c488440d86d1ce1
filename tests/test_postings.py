"""kb reads Whoosh's postings itself (``kb.search.postings``) and ranks plain queries
from them (``kb.search.rank``); these tests hold that reading to what Whoosh answers,
on an index with several segments, postings of several blocks and deletions,
and check that kept postings and answers follow every commit."""

from __future__ import annotations

import random

import pytest
from whoosh.query import And, Or, Phrase, Term

from kb import KnowledgeBase
from kb.search import analyze
from kb.search.postings import SegmentPostings, segment_postings

COMMON = ["police", "trust", "youth", "the", "of", "patrol", "school", "consent"]
RARE = ["harbour", "lantern", "orchard"]


@pytest.fixture(scope="module")
def random_index(tmp_path_factory) -> KnowledgeBase:
    """300 one-passage documents in two commits (two segments), 40 removed:
    common words have several 128-posting blocks, and there are deletions."""
    folder = tmp_path_factory.mktemp("random")
    rng = random.Random(5)
    knowledge_base = KnowledgeBase(folder / "index")
    for batch in range(2):
        files = []
        for n in range(150):
            words = [rng.choice(COMMON) for _ in range(40)] + rng.sample(RARE, rng.randint(0, 2))
            rng.shuffle(words)
            path = folder / f"doc-{batch}-{n:03}.md"
            path.write_text(f"# Note {batch} {n}\n\n## Part\n\n{' '.join(words)}.\n", encoding="utf-8")
            files.append(path)
        knowledge_base.add(files)
    for n in range(0, 80, 2):
        knowledge_base.remove(f"doc-0-{n:03}")
    return knowledge_base


def leaf_readers(knowledge_base: KnowledgeBase):
    def collect(searcher):
        return [(reader, offset) for reader, offset in searcher.reader().leaf_readers()]

    return knowledge_base.index.read(collect)


def test_postings_read_by_block_are_whoosh_postings(random_index):
    def check(searcher):
        readers = searcher.reader().leaf_readers()
        assert len(readers) >= 2 and any(r.has_deletions() for r, _ in readers)
        for reader, _ in readers:
            kept = segment_postings(reader)
            live = kept.live(reader)
            for word in COMMON + RARE:
                token = analyze(word)[0]
                term = kept.term(reader, "body", token)
                expected = []
                if ("body", token) in reader:
                    expected = list(reader.postings("body", token).items_as("frequency"))
                pairs = zip(term.docnums.tolist(), term.frequencies.tolist(), strict=True)
                ours = [(d, f) for d, f in pairs if live[d]]
                assert ours == expected
        assert max(len(kept.term(r, "body", "polic").docnums) for r, _ in readers) > 128

    random_index.index.read(check)


def test_field_lengths_read_as_one_block_are_whoosh_lengths(random_index):
    def check(searcher):
        longest = 0
        for reader, _ in searcher.reader().leaf_readers():
            fresh = SegmentPostings(reader.doc_count_all())
            for field in ("body", "heading", "kind"):
                expected = [reader.doc_field_length(d, field) or 0 for d in range(reader.doc_count_all())]
                assert fresh.lengths(reader, field).tolist() == expected
            longest = max(longest, fresh.lengths(reader, "body").max())
        assert longest > 40

    random_index.index.read(check)


@pytest.mark.parametrize("slop", [1, 6])
def test_phrases_match_the_documents_whoosh_matches(random_index, slop):
    rng = random.Random(slop)
    phrases = [[rng.choice(COMMON + RARE) for _ in range(rng.randint(2, 4))] for _ in range(40)]

    def check(searcher):
        for words in phrases:
            tokens = [analyze(w)[0] for w in words]
            ours = set()
            for reader, offset in searcher.reader().leaf_readers():
                kept = segment_postings(reader)
                live = kept.live(reader)
                ours.update(int(d) + offset for d in kept.phrase_docs(reader, "body", tokens, slop) if live[d])
            assert ours == set(searcher.docs_for_query(Phrase("body", tokens, slop=slop))), words

    random_index.index.read(check)


def test_total_counts_every_passage_holding_a_word(random_index):
    def whoosh_count(searcher):
        words = Or([Term(field, t) for t in ("harbour", "lantern") for field in ("body", "heading")])
        return len(list(searcher.docs_for_query(And([Term("kind", "passage"), words]))))

    expected = random_index.index.read(whoosh_count)
    assert 0 < expected < 260
    assert random_index.search("harbour lantern").total == expected


def test_kept_postings_leave_out_a_removed_document(tmp_path, write):
    server = KnowledgeBase(tmp_path / "index", keep_open=True)
    writer = KnowledgeBase(tmp_path / "index")
    writer.add(
        [
            write("a.md", "# A\n\n## Lamps\n\nLantern patrols at night.\n"),
            write("b.md", "# B\n\n## Lamps\n\nA lantern.\n"),
        ]
    )
    assert {h.document.id for h in server.search("lantern").hits} == {"a", "b"}
    writer.remove("a")
    after = server.search("lantern")
    assert [h.document.id for h in after.hits] == ["b"] and after.total == 1
    writer.add([write("b.md", "# B\n\n## Lamps\n\nA torch instead.\n")])
    assert server.search("lantern").total == 0
    assert server.search("torch").hits[0].document.id == "b"
    server.index.close()


def test_a_server_answers_a_repeated_search_from_its_kept_answers_until_a_commit(tmp_path, write):
    server = KnowledgeBase(tmp_path / "index", keep_open=True)
    writer = KnowledgeBase(tmp_path / "index")
    writer.add([write("a.md", "# A\n\n## Lamps\n\nLantern patrols at night.\n")])
    first = server.search("lantern")
    assert server.search("lantern") is first
    assert server.search("lantern", limit=5) is not first
    writer.add([write("c.md", "# C\n\n## Lamps\n\nThe lantern festival.\n")])
    again = server.search("lantern")
    assert again is not first and again.total == 2
    server.index.close()


def test_a_kept_index_reads_the_new_folder_after_a_rebuild(tmp_path, write):
    source = write("a.md", "# A\n\n## Lamps\n\nLantern patrols at night.\n")
    server = KnowledgeBase(tmp_path / "index", keep_open=True)
    writer = KnowledgeBase(tmp_path / "index")
    writer.add([source])
    assert server.search("lantern").total == 1
    source.write_text("# A\n\n## Lamps\n\nHarbour patrols at dawn.\n", encoding="utf-8")
    writer.rebuild()
    assert server.search("lantern").total == 0
    assert server.search("harbour").total == 1
    server.index.close()


def test_the_top_passages_are_the_same_whether_or_not_phrase_checks_are_pruned(random_index):
    """Near and word-for-word bonuses are worked out only where they can change
    the top: asking for every passage (nothing pruned) must rank the first ten alike."""
    rng = random.Random(9)
    queries = [" ".join(rng.choice(COMMON + RARE) for _ in range(rng.randint(2, 4))) for _ in range(30)]
    for query in queries:
        top = random_index.search(query, limit=10)
        everything = random_index.search(query, limit=1000)
        assert [(h.passage.id, h.score) for h in top.hits] == [(h.passage.id, h.score) for h in everything.hits[:10]]
        assert top.total == everything.total


def test_total_of_an_operator_query_counts_every_passage_it_matches(random_index):
    def whoosh_count(searcher):
        either = Or([Term(field, t) for t in ("harbour", "polic") for field in ("body", "heading")])
        return len(list(searcher.docs_for_query(And([Term("kind", "passage"), either]))))

    expected = random_index.index.read(whoosh_count)
    assert random_index.search("harbour OR police", limit=3).total == expected > 200


def test_a_server_keeps_answers_only_up_to_a_hundred_hits(tmp_path, write):
    server = KnowledgeBase(tmp_path / "index", keep_open=True)
    KnowledgeBase(tmp_path / "index").add([write("a.md", "# A\n\n## Lamps\n\nLantern patrols at night.\n")])
    assert server.search("lantern", limit=100) is server.search("lantern", limit=100)
    assert server.search("lantern", limit=101) is not server.search("lantern", limit=101)
    server.index.close()


def test_places_read_from_postings_are_whoosh_positions(random_index):
    def check(searcher):
        for reader, _ in searcher.reader().leaf_readers():
            kept = segment_postings(reader)
            live = kept.live(reader)
            for word in COMMON + RARE:
                token = analyze(word)[0]
                expected = []
                if ("body", token) in reader:
                    for docnum, positions in reader.postings("body", token).items_as("positions"):
                        expected.extend((docnum << 32) | p for p in positions)
                term = SegmentPostings(reader.doc_count_all()).term(reader, "body", token)  # nothing decoded yet
                mask = live.copy()
                mask[::3] = False  # some documents only: decoded for them alone
                part = [int(k) for k in term.occurrences(mask)]
                assert part == [k for k in expected if mask[k >> 32]]
                whole = [int(k) for k in term.occurrences() if live[int(k) >> 32]]
                assert whole == expected

    random_index.index.read(check)


def test_warming_reads_no_postings_while_the_server_answers_and_goes_on_after(tmp_path, write, monkeypatch):
    """A server warms its common words in a thread that would take the
    interpreter from a request at every turn: it waits while ``quiet`` is clear."""
    import threading

    from kb.search import warm

    knowledge_base = KnowledgeBase(tmp_path / "index")
    knowledge_base.add([write("a.md", "# A\n\nPolice patrol the harbour with the youth of the town.\n")])
    reads = []
    real = SegmentPostings.term
    monkeypatch.setattr(SegmentPostings, "term", lambda self, *args: reads.append(args) or real(self, *args))
    quiet, stop = threading.Event(), threading.Event()
    warming = threading.Thread(target=warm, args=(knowledge_base.index, 5, stop, quiet))
    warming.start()
    warming.join(timeout=0.3)
    assert warming.is_alive() and reads == []
    quiet.set()
    warming.join(timeout=10)
    assert not warming.is_alive() and len({word for *_, word in reads}) == 5
    stopped = threading.Thread(target=warm, args=(knowledge_base.index, 5, stop, threading.Event()))
    stop.set()
    stopped.start()
    stopped.join(timeout=10)
    assert not stopped.is_alive()


def test_places_are_read_as_whoosh_encodes_them_near_and_far(tmp_path):
    """Whoosh pickles a posting's place gaps as one-, two- or four-byte ints,
    in batches of a thousand, and its codec may leave the pickle's STOP off:
    kb picks the common one-byte runs out of the bytes and must read every
    other form as Whoosh's own decoder does."""
    import numpy as np
    from whoosh.formats import Positions

    from kb.search.postings import TermPostings

    rng = random.Random(11)
    encoder = Positions()
    for _ in range(30):
        places = []
        for _ in range(rng.randint(1, 60)):
            count = rng.choice([1, 2, 3, 10, 999, 1000, 1001, 2500])
            reach = rng.choice([200, 255, 256, 5000, 70_000, 3_000_000])
            places.append(sorted(rng.sample(range(reach), min(count, reach))))
        encoded = [encoder.encode(p) for p in places]
        encoded = [e[:-1] if rng.random() < 0.5 else e for e in encoded]  # STOP left off, as blocks keep them
        docnums = np.arange(len(places), dtype=np.int64) * 3
        term = TermPostings(docnums, np.ones(len(places)), tuple(encoded))
        expected = [
            (int(d) << 32) | p for d, e in zip(docnums, encoded, strict=True) for p in encoder.decode_positions(e)
        ]
        mask = np.zeros(int(docnums[-1]) + 1, dtype=bool)
        mask[docnums[::2]] = True
        assert [int(k) for k in term.occurrences(mask)] == [k for k in expected if mask[k >> 32]]
        assert [int(k) for k in term.occurrences()] == expected


def test_past_its_bound_a_segment_lets_go_of_the_terms_least_lately_used(random_index, monkeypatch):
    from kb.search import postings

    def check(searcher):
        reader = max((r for r, _ in searcher.reader().leaf_readers()), key=lambda r: r.doc_count_all())
        tokens = [analyze(word)[0] for word in COMMON[:3]]
        counted = SegmentPostings(reader.doc_count_all())
        sizes = [counted.term(reader, "body", t).docnums.size for t in tokens]
        # room for the first with either other, not for all three
        monkeypatch.setattr(postings, "MAX_POSTINGS_PER_SEGMENT", sizes[0] + max(sizes[1], sizes[2]))
        kept = SegmentPostings(reader.doc_count_all())
        kept.term(reader, "body", tokens[0])
        kept.term(reader, "body", tokens[1])
        first = kept.term(reader, "body", tokens[0])  # used again: the second is now the least lately used
        kept.term(reader, "body", tokens[2])
        assert kept.term(reader, "body", tokens[0]) is first  # still kept, not read again
        assert ("body", tokens[1]) not in kept._terms
        assert kept._cached_postings <= postings.MAX_POSTINGS_PER_SEGMENT

    random_index.index.read(check)
