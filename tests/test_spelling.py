"""Spelling suggestions from the words the documents use."""

from kb.spelling import WordList, Words, word_counts


def test_word_counts_keep_words_of_three_letters_or_more_lower_cased():
    assert word_counts("Legitimacy and LEGITIMACY; an 3rd x-ray") == {"legitimacy": 2, "and": 1, "ray": 1}


def test_nearest_known_word_within_two_edits_of_any_kind():
    words = WordList([Words([{"legitimacy": 5, "accountability": 3, "mentoring": 2, "harassment": 4}])])
    assert words.nearest("legitmacy") == "legitimacy"  # a letter left out
    assert words.nearest("harrassment") == "harassment"  # one too many
    assert words.nearest("mentoirng") == "mentoring"  # two swapped
    assert words.nearest("acountabillity") == "accountability"  # one left out, another doubled
    assert words.nearest("legitamacy") == "legitimacy"  # one wrong
    assert words.nearest("acountabilty") is None  # two left out: too far to guess safely
    assert words.nearest("Legitimacy") is None  # known
    assert words.nearest("bicycle") is None  # nothing near


def test_of_two_equally_near_words_the_more_frequent_wins_across_documents_and_segments():
    words = WordList([Words([{"patrol": 1, "petrol": 2}]), Words([{"patrol": 5}])])
    assert words.nearest("pxtrol") == "patrol"
