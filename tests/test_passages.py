from kb.ingest.parsed import Block, ParsedSection
from kb.passages import MAX_WORDS, make_passages


def words(n: int, word: str = "word") -> str:
    return " ".join([word] * (n - 1)) + "."


def test_short_section_is_one_passage_keeping_heading_and_number():
    section = ParsedSection(("II. Principles", "2.1 Trust"), 2, 4, [Block("Trust grows slowly.", 4)])
    passages, outline = make_passages("doc", [section])
    assert len(passages) == 1
    passage = passages[0]
    assert passage.id == "doc:1"
    assert passage.heading_path == ("II. Principles", "2.1 Trust")
    assert passage.section_number == "2.1"
    assert (passage.page_start, passage.page_end) == (4, 4)
    assert outline[0].heading == "2.1 Trust" and outline[0].number == "2.1" and outline[0].level == 2


def test_long_section_is_split_at_paragraph_boundaries_and_keeps_pages():
    blocks = [Block(words(90, f"p{i}"), page=10 + i // 2) for i in range(6)]
    section = ParsedSection(("Long chapter",), 1, 10, blocks)
    passages, outline = make_passages("doc", [section])
    assert len(passages) > 1
    assert outline[0].passages == len(passages)
    rebuilt = "\n\n".join(p.text for p in passages)
    assert rebuilt == "\n\n".join(b.text for b in blocks)  # nothing lost, paragraphs whole
    for p in passages:
        assert len(p.text.split()) <= MAX_WORDS
        assert p.heading_path == ("Long chapter",)
    assert passages[0].page_start == 10
    assert passages[-1].page_end == 12
    assert [p.order for p in passages] == list(range(1, len(passages) + 1))


def test_huge_paragraph_is_split_at_sentences():
    sentence = "Officers meet residents every week to hear their concerns. "
    section = ParsedSection(("S",), 1, None, [Block((sentence * 60).strip())])
    passages, _ = make_passages("doc", [section])
    assert len(passages) >= 3
    assert all(p.text.endswith("concerns.") for p in passages)


def test_list_items_are_one_per_line():
    section = ParsedSection(
        ("Speakers",),
        1,
        None,
        [Block("Opening."), Block("first person", is_item=True), Block("second", is_item=True)],
    )
    passages, _ = make_passages("doc", [section])
    assert passages[0].text == "Opening.\n\n- first person\n- second"


def test_heading_without_text_is_in_outline_with_no_passages():
    passages, outline = make_passages(
        "doc", [ParsedSection(("Empty",), 1, 3), ParsedSection(("Full",), 1, 3, [Block("x", 3)])]
    )
    assert [(s.heading, s.passages, s.page_start) for s in outline] == [("Empty", 0, 3), ("Full", 1, 3)]
    assert len(passages) == 1
