"""Search in the field's vocabulary: acronyms, compounds, spellings, did-you-mean."""

import pytest


@pytest.fixture
def indexed(knowledge_base, write):
    knowledge_base.add(
        [
            write(
                "guide.md",
                "# Guide\n\n## Definitions\n\nThis guide explains community-oriented policing (CoP).\n\n"
                "## Councils\n\nNeighbourhood councils bring residents and officers together every month.\n\n"
                "## Approach\n\nA multi-stakeholder approach joins schools, clinics and the police.\n",
            ),
            write(
                "notes.md",
                "# Notes\n\n## Practice\n\nCommunity-oriented policing asks officers to walk beats.\n\n"
                "## Watch\n\nThe neighborhood watch scheme trains volunteers to report concerns.\n\n"
                "## Plans\n\nEvery multistakeholder plan names one lead agency.\n\n"
                "## Acronym only\n\nIn this city CoP started with foot patrols in 2019.\n",
            ),
        ]
    )
    return knowledge_base


def sections(result):
    return {h.passage.section for h in result.hits}


def test_acronym_finds_its_expansion_and_the_reverse(indexed):
    result = indexed.search("CoP")
    assert {"Definitions", "Practice", "Acronym only"} <= sections(result)
    assert "CoP → community-oriented policing" in result.expanded
    assert "Acronym only" in sections(indexed.search("community oriented policing"))


def test_the_vocabulary_comes_from_the_document_list_or_from_the_index_when_the_list_is_older(indexed):
    """The vocabulary is read from ``documents.json`` when it was written for
    the index as it stands; a list written by an older kb, without the
    documents' acronyms, must not leave a search without them."""
    import json

    from kb.index import DOCUMENT_LIST

    listed_file = indexed.path / DOCUMENT_LIST
    listed = json.loads(listed_file.read_text())
    assert any(
        ["CoP", "community-oriented policing"] in json.loads(record["vocabulary"])["acronyms"]
        for record in listed["documents"]
    )
    for record in listed["documents"]:
        del record["vocabulary"]
    listed_file.write_text(json.dumps(listed))
    from kb import KnowledgeBase

    result = KnowledgeBase(indexed.path).search("CoP")
    assert "CoP → community-oriented policing" in result.expanded
    assert "Definitions" in sections(result)


def test_an_expansion_typed_in_the_other_spelling_finds_the_acronym_and_the_defined_wording(knowledge_base, write):
    knowledge_base.add(
        [
            write(
                "body.md",
                "# Body\n\n## Founding\n\nThe International Police Organization (IPO) met in 1923.\n\n"
                "## Emblem\n\nThe emblem carries the letters IPO on a globe.\n",
            )
        ]
    )
    result = knowledge_base.search("International Police Organisation")
    assert sections(result) == {"Founding", "Emblem"}
    assert "International Police Organisation → IPO" in result.expanded


def test_british_and_american_spellings_match_each_other(indexed):
    assert sections(indexed.search("neighborhood")) == {"Councils", "Watch"}
    assert sections(indexed.search("neighbourhood")) == {"Councils", "Watch"}
    assert sections(indexed.search('"neighbourhood watch"')) == {"Watch"}


def test_compounds_match_joined_hyphenated_and_spaced(indexed):
    for query in ("multistakeholder", "multi-stakeholder", "multi stakeholder"):
        assert sections(indexed.search(query)) == {"Approach", "Plans"}, query
    assert sections(indexed.search('"multistakeholder approach"')) == {"Approach"}


def test_literal_turns_every_expansion_off(indexed):
    result = indexed.search("neighborhood", literal=True)
    assert sections(result) == {"Watch"} and result.expanded == []
    assert sections(indexed.search("multistakeholder", literal=True)) == {"Plans"}
    assert "Practice" not in sections(indexed.search("CoP", literal=True))


def test_a_misspelled_word_that_finds_nothing_is_searched_as_the_word_the_documents_use(indexed):
    result = indexed.search("volunteres")
    assert (result.query, result.corrected, result.suggestion) == ("volunteres", "volunteers", None)
    assert result.total == 1 and result.hits == indexed.search("volunteers").hits
    assert indexed.search("volunteers").corrected is None and indexed.search("volunteers").suggestion is None
    # --literal searches only what was typed, and suggests.
    literal = indexed.search("volunteres", literal=True)
    assert (literal.total, literal.corrected, literal.suggestion) == (0, None, "volunteers")


def test_a_query_with_enough_hits_gets_no_suggestion_and_field_names_are_not_words(indexed):
    assert indexed.search("heading:volunteers").suggestion is None
    assert indexed.search("volunt*").suggestion is None
    assert indexed.search("volunteers OR zzqx").suggestion is None  # zzqx is near nothing the documents use


def test_short_list_lines_do_not_crowd_out_the_explanation(knowledge_base, write):
    knowledge_base.add(
        [
            write("list.md", "# Topics\n\n## Index\n\n- mediation\n"),
            write(
                "explain.md",
                "# Handbook\n\n## Resolving disputes\n\nMediation lets neighbours settle a dispute with "
                "an officer "
                "present; mediation works best when both sides agree to meet, and it takes about an hour.\n",
            ),
        ]
    )
    assert knowledge_base.search("mediation").hits[0].passage.section == "Resolving disputes"


def test_a_misspelled_half_of_a_hyphenated_word_is_mended(knowledge_base, write):
    knowledge_base.add([write("force.md", "# Force\n\n## De-escalation\n\nOfficers use de-escalation first.\n")])
    result = knowledge_base.search("de-esclation")
    assert result.corrected == "de-escalation" and result.total == 1


def test_suggestions_follow_commits_each_segment_counted_once_and_removed_words_gone(knowledge_base, write):
    """Word lists are kept per segment across commits: a commit's new words
    are suggested, a removed document's are not, and a word in two segments
    counts in both (the more frequent of two equally near words wins)."""
    knowledge_base.add([write("a.md", "# A\n\nThe petrol station and the patrol.\n")])
    knowledge_base.add(
        [
            write("b.md", "# B\n\nA patrol at dawn, the volunteers and their lanterns.\n"),
            write("d.md", "# D\n\nDusk.\n"),
        ]
    )
    assert knowledge_base.search("volunteres").corrected == "volunteers"
    assert knowledge_base.search("pxtrol").corrected == "patrol"  # 2 against petrol's 1
    knowledge_base.remove("b")  # its segment stays, with d in it
    after = knowledge_base.search("volunteres")
    assert (after.corrected, after.suggestion) == (None, None)
    assert knowledge_base.search("lanterns").total == 0
    knowledge_base.add([write("c.md", "# C\n\nPetrol prices rose; petrol ran out.\n")])
    assert knowledge_base.search("pxtrol").corrected == "petrol"  # 3 against patrol's 1
