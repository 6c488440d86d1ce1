"""kb's reading of a guidebook-shaped PDF, compared with the truth its generator recorded."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from guidebook import ACRONYMS, GLOSSARY, HEADER, build_guidebook

from kb.ingest import parse
from kb.passages import make_passages


def normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip()


def structure_scores(truth, sections) -> dict[str, float]:
    """Heading precision and recall, and the share of true headings found on their page."""
    found = {normal(s.heading): s for s in sections}
    true = {normal(t.title): t for t in truth.sections}
    matched = set(found) & set(true)
    right_page = [k for k in matched if found[k].page_start == true[k].page]
    return {
        "precision": len(matched) / len(found) if found else 0.0,
        "recall": len(matched) / len(true),
        "page_accuracy": len(right_page) / len(true),
    }


def intact_share(truth, passages) -> float:
    words = Counter(w.casefold() for w in truth.body_words if w)
    extracted = Counter(re.findall(r"\w+(?:-\w+)*", " ".join(p.text for p in passages).casefold()))
    return sum(min(n, extracted[w]) for w, n in words.items()) / sum(words.values())


@pytest.fixture(scope="module", params=[True, False], ids=["with-outline", "without-outline"])
def guidebook(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "guidebook.pdf"
    truth = build_guidebook(path, with_outline=request.param)
    parsed = parse(path)
    passages, outline = make_passages("guide", parsed.sections, parsed.page_labels)
    return request.param, truth, parsed, passages, outline


def test_headings_and_their_pages_match_the_truth(guidebook):
    with_outline, truth, _, _, outline = guidebook
    scores = structure_scores(truth, outline)
    floor = 1.0 if with_outline else 0.95
    assert scores["precision"] >= floor, scores
    assert scores["recall"] >= floor, scores
    assert scores["page_accuracy"] >= 0.98, scores


def test_heading_paths_and_levels_follow_the_numbering(guidebook):
    passages = guidebook[3]
    paths = {p.heading_path for p in passages}
    assert ("II. BASIC PRINCIPLES", "2.2 Trust and legitimacy", "2.2.1 Measuring public confidence") in paths
    assert ("GLOSSARY", "Partnership") in paths
    subsection = next(p for p in passages if p.heading_path[-1:] == ("2.2.1 Measuring public confidence",))
    assert subsection.section_number == "2.2.1"


def test_table_of_contents_is_not_content(guidebook):
    _, _, _, passages, outline = guidebook
    assert not any(re.search(r"\.{5,}", p.text) for p in passages)
    assert "CONTENTS" not in {s.heading for s in outline}


def test_no_running_header_or_footer_in_any_passage(guidebook):
    _, _, _, passages, _ = guidebook
    for passage in passages:
        assert HEADER not in passage.text
        assert not re.search(r"\bPage (\d+|[ivx]+)\b", passage.text)


def test_no_word_is_left_broken_by_a_line_end_hyphen(guidebook):
    _, truth, _, passages, _ = guidebook
    text = " ".join(p.text for p in passages)
    assert truth.line_end_hyphenations, "the generator should hyphenate some words"
    for word in truth.line_end_hyphenations:
        assert re.search(rf"\b{word}\b", text), word
    for compound in truth.broken_compounds:
        assert re.search(rf"\b{compound}\b", text), compound
    assert intact_share(truth, passages) >= 0.99


def test_acronyms_and_glossary_entries(guidebook):
    _, _, parsed, passages, _ = guidebook
    assert dict(parsed.acronyms) == {k: v[0].upper() + v[1:] for k, v in ACRONYMS.items()}
    for term, definition in GLOSSARY.items():
        entry = [p for p in passages if p.heading_path == ("GLOSSARY", term)]
        assert len(entry) == 1 and entry[0].text == definition


def test_printed_page_labels_sit_beside_page_indexes(guidebook):
    _, truth, _, passages, _ = guidebook
    glossary = next(p for p in passages if p.heading_path[:1] == ("GLOSSARY",))
    assert (glossary.page_start, glossary.page_label_start) == (3, "iii")
    body = next(p for p in passages if p.heading_path[:1] == ("I. INTRODUCTION",))
    assert (body.page_start, body.page_label_start) == (4, "1")
    assert [truth.page_labels[p.page_start - 1] for p in passages] == [p.page_label_start for p in passages]


def test_two_column_page_reads_left_column_then_right(guidebook):
    _, truth, _, passages, _ = guidebook
    text = " ".join(p.text for p in passages)
    left, right = truth.two_column_paragraphs
    assert " ".join(left.split()) in text
    assert " ".join(right.split()) in text
    assert text.index(left[:40]) < text.index(right[:40])


def test_box_is_a_section_of_its_own_under_its_host_and_the_host_goes_on_after_it(guidebook):
    _, truth, _, passages, _ = guidebook
    holding = [p for p in passages if "a council of residents every month" in p.text]
    assert len(holding) == 1
    assert holding[0].heading_path[-2:] == (truth.box_host, truth.box_section)
    assert " ".join(truth.box_text.split()) in " ".join(holding[0].text.split())
    after = [p for p in passages if p.heading_path[-1:] == (truth.box_host,)]
    assert after and all("council of residents" not in p.text for p in after)


def test_footnotes_are_kept_after_their_paragraph(guidebook):
    _, truth, _, passages, _ = guidebook
    text = "\n\n".join(p.text for p in passages)
    for note in truth.footnotes:
        number, _, body = note.partition(" ")
        assert f"[{number}] {body}" in text
    assert "multi-stakeholder partnerships matter for prevention.\n\n[1] The handbook" in text


def test_bullets_stay_one_item_per_line(guidebook):
    _, _, _, passages, _ = guidebook
    consent = next(p for p in passages if p.heading_path[-1:] == ("2.1 Policing by consent",))
    assert "\n- Explain decisions to the people they affect.\n- Record complaints" in consent.text


def test_acronyms_are_stored_with_their_document_and_go_with_it(knowledge_base, tmp_path):
    path = tmp_path / "handbook.pdf"
    build_guidebook(path)
    knowledge_base.add([path])
    pairs = knowledge_base.acronyms()
    assert ("CoP", "Community-oriented policing", "handbook") in pairs
    assert [p[0] for p in pairs] == sorted((p[0] for p in pairs), key=str.casefold)
    knowledge_base.remove("handbook")
    assert knowledge_base.acronyms() == []


def test_glossary_entry_ranks_first_for_its_term(knowledge_base, tmp_path):
    path = tmp_path / "handbook.pdf"
    build_guidebook(path)
    knowledge_base.add([path])
    for term in GLOSSARY:
        assert knowledge_base.search(term).hits[0].passage.heading_path == ("GLOSSARY", term), term
