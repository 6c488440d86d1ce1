from kb.search import analyze
from kb.search.plan import plan
from kb.vocabulary import Vocabulary, find_acronyms, find_compounds, spelling_variants


def test_inline_acronyms_in_both_orders():
    text = (
        "Officers practise community-oriented policing (CoP) daily. The NGO (non-governmental organization) "
        "helped, and so did Scanning, Analysis, Response and Assessment (SARA). Nothing here (really)."
    )
    assert find_acronyms(text) == [
        ("CoP", "community-oriented policing"),
        ("NGO", "non-governmental organization"),
        ("SARA", "Scanning, Analysis, Response and Assessment"),
    ]


def test_brackets_that_are_not_acronyms_are_ignored():
    assert find_acronyms("The team met (BIG) and a group (see annex) and the unit (PSNI) of the city.") == []


def test_compounds_are_the_hyphenated_words_a_document_writes():
    assert find_compounds("A multi-stakeholder, Community-Oriented and well-being plan; not - this.") == {
        "multi-stakeholder",
        "community-oriented",
        "well-being",
    }


def test_spelling_variants_go_both_ways():
    assert spelling_variants("neighbourhood") == ("neighborhood",)
    assert spelling_variants("Organization") == ("organisation",)
    assert spelling_variants("police") == ()


def test_plan_expands_acronyms_compounds_and_spellings():
    vocabulary = Vocabulary.from_pairs([("CoP", "community-oriented policing")], {"multi-stakeholder"})
    query_plan = plan("CoP multistakeholder neighborhood", vocabulary, analyze)
    assert [s.alternatives for s in query_plan.slots] == [
        [("cop",), ("communiti", "orient", "polic")],
        [("multistakehold",), ("multi", "stakehold")],
        [("neighborhood",), ("neighbourhood",)],
    ]
    assert query_plan.expanded == [
        "CoP → community-oriented policing",
        "multistakeholder → multi-stakeholder",
        "neighborhood → neighbourhood",
    ]


def test_plan_finds_an_expansion_typed_out_and_spaced_compounds():
    vocabulary = Vocabulary.from_pairs([("CoP", "community-oriented policing")], {"multi-stakeholder"})
    query_plan = plan("community oriented policing multi stakeholder", vocabulary, analyze)
    assert [s.alternatives for s in query_plan.slots] == [
        [("communiti", "orient", "polic"), ("cop",)],
        [("multi", "stakehold"), ("multistakehold",)],
    ]


def test_lower_case_word_is_not_taken_for_an_acronym():
    vocabulary = Vocabulary.from_pairs([("CoP", "community-oriented policing")], set())
    assert plan("cop", vocabulary, analyze).slots[0].alternatives == [("cop",)]


def test_without_vocabulary_the_plan_is_the_words_as_typed():
    assert [s.alternatives for s in plan("CoP multi-stakeholder", None, analyze).slots] == [
        [("cop",)],
        [("multi", "stakehold")],
    ]
