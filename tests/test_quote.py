from kb.quote import trim
from kb.search import analyze

TEXT = (
    "Officers walk the same beat every week. Residents come to know them by name. "
    "Policing by consent depends on that familiarity. It is earned slowly and lost quickly. "
    "Managers should keep officers on one beat for years."
)


def test_short_text_is_kept_whole():
    assert trim(TEXT, 200) == TEXT


def test_trimmed_quote_keeps_the_matching_sentence_and_marks_cuts():
    quote = trim(TEXT, 14, "policing by consent", analyze)
    assert "Policing by consent depends on that familiarity." in quote
    assert quote.startswith("… ") and quote.endswith(" …")
    assert len(quote.replace("…", "").split()) <= 14


def test_without_a_query_the_opening_is_kept():
    assert trim(TEXT, 9).startswith("Officers walk the same beat every week.")


def test_a_single_long_sentence_is_cut_at_a_word():
    long = "Partnership " * 40 + "ends."
    assert trim(long, 10) == " ".join(["Partnership"] * 10) + " …"


def test_list_items_keep_their_lines_in_a_quote():
    text = "Three steps follow. Each matters.\n- Explain decisions.\n- Record complaints.\n- Publish figures now."
    # A line left out whole leaves its break; a cut inside a line is an ellipsis.
    assert trim(text, 9) == "Three steps follow. Each matters.\n- Explain decisions."
    assert trim("One two three four five. Six seven eight nine ten.\n- Item here now.", 9) == (
        "One two three four five. …\n- Item here now."
    )


def test_a_very_short_sentence_never_stands_alone():
    text = (
        "Officers agreed on a plan for the estate with residents. Then work. "
        "The plan named a contact officer for every block of flats. It was reviewed each quarter by the forum."
    )
    quote = trim(text, 12, "work", analyze)
    assert "… work. …" not in quote and "Then work." in quote
    assert not quote.startswith("… Then work.")
