from kb import config
from kb.ingest import parse
from kb.passages import make_passages


def headings(parsed):
    return [s.heading_path for s in parsed.sections]


def test_markdown_headings_build_paths_and_the_single_h1_is_the_title(write):
    path = write(
        "guide.md",
        "# Neighbourhood Patrol Handbook\n\n"
        "Opening words about the handbook.\n\n"
        "## Principles\n\nPatrols listen first.\n\n"
        "### Consent\n\nOfficers work with the consent of residents.\n\n"
        "Setext heading\n--------------\n\nBody under the setext heading.\n",
    )
    parsed = parse(path)
    assert parsed.title == "Neighbourhood Patrol Handbook"
    assert headings(parsed) == [(), ("Principles",), ("Principles", "Consent"), ("Setext heading",)]
    assert parsed.sections[2].blocks[0].text == "Officers work with the consent of residents."


def test_markdown_lists_stay_one_item_per_line_and_wrapped_paragraphs_are_joined(write):
    path = write(
        "notes.md",
        "## Steps\n\nA paragraph that is\nwrapped over two lines.\n\n"
        "- meet the [residents](http://example.org)\n- agree **shared** priorities\n"
        "  across agencies\n1. review\n",
    )
    blocks = parse(path).sections[0].blocks
    assert [b.text for b in blocks] == [
        "A paragraph that is wrapped over two lines.",
        "meet the residents",
        "agree shared priorities across agencies",
        "1. review",
    ]
    assert [b.is_item for b in blocks] == [False, True, True, True]


def test_markdown_with_several_top_headings_keeps_them_in_paths(write):
    path = write("two.md", "# One\n\ntext one\n\n# Two\n\ntext two\n")
    parsed = parse(path)
    assert parsed.title is None
    assert headings(parsed) == [("One",), ("Two",)]


def test_plain_text_finds_title_and_short_standalone_headings(write):
    path = write(
        "event.txt",
        "Community Safety Forum for Practitioners\n"
        "Date\n"
        "Hosted by\n"
        "The forum brings officers and residents together to talk about local concerns.\n"
        "Purpose\n"
        "Partnerships between police and the public reduce fear of crime.\n"
        "They also make problem solving more targeted.\n"
        "Who takes part\n"
        "- a community officer;\n"
        "- a youth worker.\n",
    )
    parsed = parse(path)
    assert parsed.kind == "text"
    assert parsed.title == "Community Safety Forum for Practitioners"
    # "Date" and "Hosted by" are labels without content, not headings.
    assert headings(parsed) == [(), ("Purpose",), ("Who takes part",)]
    assert [b.is_item for b in parsed.sections[2].blocks] == [True, True]
    assert len(parsed.sections[1].blocks) == 2


def test_plain_text_with_blank_lines_rejoins_wrapped_paragraphs(write):
    path = write(
        "memo.txt",
        "Briefing Memo\n\nThis memo explains how the patrol\nschedule changed this spring.\n\n"
        "Changes\n\nEvening patrols now start\nat six.\n",
    )
    parsed = parse(path)
    assert headings(parsed) == [(), ("Changes",)]
    memo = "This memo explains how the patrol schedule changed this spring."
    assert parsed.sections[0].blocks[0].text == memo
    assert parsed.sections[1].blocks[0].text == "Evening patrols now start at six."


def test_bundled_event_text_has_its_real_sections():
    path = config.CORPUS_DIR / "ccpcj34-side-event.txt"
    parsed = parse(path)
    assert parsed.title.startswith("Building Police-Public Partnerships")
    found = [s.heading_path for s in parsed.sections if s.heading_path]
    assert found == [("Registration",), ("Background",), ("Information on co-organizers",), ("Speakers",)]
    passages, outline = make_passages("event", parsed.sections)
    background = [p for p in passages if p.heading_path == ("Background",)]
    assert any("policing by consent" in p.text for p in background)
    assert {s.heading: s.passages for s in outline}["Speakers"] == 1


def test_plain_text_heading_directly_above_its_paragraph(write):
    path = write(
        "notes.txt",
        "Field Notes\n\nPatrols\nEvening patrols now start at six and finish after the last bus has left.\n\n"
        "Schools\nLiaison officers visit each school twice a term and meet the head teacher.\n",
    )
    parsed = parse(path)
    assert [s.heading_path for s in parsed.sections] == [("Patrols",), ("Schools",)]
    assert parsed.sections[1].blocks[0].text.startswith("Liaison officers visit")


def all_text(parsed) -> str:
    return " ".join(b.text for s in parsed.sections for b in s.blocks)


def test_markdown_front_matter_gives_title_date_and_author_and_is_never_a_passage(write):
    path = write(
        "notes.md",
        '---\ntitle: "Trainer notes on trust"\ndate: 2024-03-01\nauthor: Jane Trainer\ntags: [cop]\n---\n\n'
        "## Trust\n\nTrust grows from fair contact.\n",
    )
    parsed = parse(path)
    assert parsed.title == "Trainer notes on trust"
    assert (parsed.metadata.publisher, parsed.metadata.year, parsed.metadata.date) == (
        "Jane Trainer",
        2024,
        "2024-03-01",
    )
    assert "title:" not in all_text(parsed) and "---" not in all_text(parsed)


def test_inline_html_in_markdown_is_reduced_to_its_text(write):
    path = write(
        "notes.md",
        '## Trust\n\nSome <b>bold</b> words, <a href="https://x.org">a link</a>, &amp; a break<br/>.\n\n'
        '<div class="note">A boxed <em>note</em>.</div>\n<!-- a comment -->\n',
    )
    assert all_text(parse(path)) == "Some bold words, a link, & a break. A boxed note."


def test_text_file_setext_title_and_hard_wrapped_items(write):
    path = write(
        "brief.txt",
        "Neighbourhood Policing Brief\n============================\n\nBackground\n----------\n\n"
        "Officers meet residents weekly.\n- an item that is hard wrapped\n  onto a second line\n- another item\n",
    )
    parsed = parse(path)
    assert parsed.title == "Neighbourhood Policing Brief"
    assert headings(parsed) == [("Background",)]
    assert [b.text for b in parsed.sections[0].blocks] == [
        "Officers meet residents weekly.",
        "an item that is hard wrapped onto a second line",
        "another item",
    ]
    assert "===" not in all_text(parsed) and "---" not in all_text(parsed)


def test_converted_markdown_takes_its_heading_levels_from_the_numbering(write):
    """A converter's Markdown sets #-levels by type size; the numbers decide."""
    text = (
        "# CHAPTER I\n\n### GENERAL\n\nText one.\n\n## CHAPTER II\n\n# ARREST\n\nText two.\n\n"
        "#### A.—Warrants\n\nText three.\n\n# B.—Summons\n\nText four.\n\n### CHAPTER III\n\n## BAIL\n\nText five.\n"
    )
    parsed = parse(write("act.md", text))
    assert [s.heading_path for s in parsed.sections if s.heading_path] == [
        ("CHAPTER I GENERAL",),
        ("CHAPTER II ARREST",),
        ("CHAPTER II ARREST", "A.—Warrants"),
        ("CHAPTER II ARREST", "B.—Summons"),
        ("CHAPTER III BAIL",),
    ]
