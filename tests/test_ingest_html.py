import pytest

from kb import IngestError
from kb.ingest import parse

PAGE = """<!DOCTYPE html>
<html><head><title>Safer Streets Initiative | City Portal</title>
<style>.x{color:red}</style><script>var tracking = "should not appear";</script></head>
<body>
<header><a href="/">City Portal home</a></header>
<nav><ul><li>Menu entry one</li><li>Menu entry two</li></ul></nav>
<div id="cookie-banner">We use cookies to improve the site.</div>
<main>
  <h1>Safer Streets Initiative</h1>
  <p>The initiative pairs <b>neigh</b>bourhood officers with local groups.</p>
  <h2>Goals</h2>
  <p>Build trust<br>one street at a time.</p>
  <ul><li>Fewer burglaries</li><li>More <em>reporting</em> of incidents</li></ul>
  <h3>Measuring progress</h3>
  <table><tr><th>Year</th><th>Meetings</th></tr><tr><td>2024</td><td>12</td></tr></table>
  <aside>Related: unrelated teaser text</aside>
  <form><label>Search the site</label><input name="q"></form>
  <!-- an HTML comment -->
</main>
<footer>Copyright notice of the portal</footer>
</body></html>
"""


def test_html_keeps_main_content_sections_and_list_items(write):
    parsed = parse(write("page.html", PAGE))
    assert parsed.kind == "html"
    assert parsed.title == "Safer Streets Initiative"
    assert [s.heading_path for s in parsed.sections] == [
        (),
        ("Goals",),
        ("Goals", "Measuring progress"),
    ]
    intro, goals, progress = parsed.sections
    assert intro.blocks[0].text == "The initiative pairs neighbourhood officers with local groups."
    assert [b.text for b in goals.blocks] == [
        "Build trust",
        "one street at a time.",
        "Fewer burglaries",
        "More reporting of incidents",
    ]
    assert [b.is_item for b in goals.blocks] == [False, False, True, True]
    assert progress.blocks[0].text == "Year | Meetings"


def test_html_drops_site_chrome_scripts_forms_and_cookie_banners(write):
    parsed = parse(write("page.html", PAGE))
    everything = " ".join(b.text for s in parsed.sections for b in s.blocks)
    for noise in ("Menu entry", "cookies", "tracking", "Copyright", "teaser", "Search the site", "comment"):
        assert noise not in everything


def test_html_title_falls_back_to_title_tag(write):
    page = "<html><head><title>Briefing</title></head><body><p>Only a paragraph.</p></body></html>"
    assert parse(write("b.html", page)).title == "Briefing"


def test_html_without_declared_charset_in_windows_1252_is_read_correctly(write):
    page = "<html><body><p>A na\u00efve approach to caf\u00e9 meetings \u2013 fine.</p></body></html>"
    parsed = parse(write("legacy.htm", page.encode("cp1252")))
    assert parsed.sections[0].blocks[0].text == "A na\u00efve approach to caf\u00e9 meetings \u2013 fine."


def test_html_with_no_text_in_main_content_is_an_error(write):
    with pytest.raises(IngestError, match="no text"):
        parse(write("empty.html", "<html><body><nav>only navigation</nav></body></html>"))


# As a PDF-to-HTML converter writes a statute: h1-h4 by type size, so that
# chapters stand at several levels, a chapter's label and its title are two
# headings, and bold run-in paragraphs are headings too.
CONVERTED = """<html><body>
<h1>CHAPTER I</h1><h3>PRELIMINARY</h3><p>1. Short title and extent.</p>
<h4>CHAPTER II</h4><h1>POWERS OF COURTS</h1>
<h3>A.—Summons</h3><p>Every summons shall be in writing.</p>
<h1>Illustrations.</h1><p>(a) A summons is served on A.</p>
<h2>Provided that—</h2><p>no summons is served on a Sunday.</p>
<h1>B. — Warrants of arrest</h1><p>Every warrant shall remain in force.</p>
<h4>12. Form of warrant</h4><p>A warrant names the person.</p>
<h2>ORDER REQUIRING PRODUCTION OF A PERSON FOR</h2><h2>ANSWERING A CHARGE</h2><p>To the officer.</p>
<h3>CHAPTER III</h3><h4>APPEALS</h4><p>No appeal lies except as provided.</p>
<h1>THE FIRST SCHEDULE</h1><h4>CLASSIFICATION OF OFFENCES</h4><p>Offences are classified below.</p>
</body></html>"""


def test_converted_html_takes_its_heading_levels_from_the_numbering(write):
    parsed = parse(write("statute.html", CONVERTED))
    chapter_two = "CHAPTER II POWERS OF COURTS"
    warrants = (chapter_two, "B. — Warrants of arrest")
    assert [s.heading_path for s in parsed.sections if s.heading_path] == [
        ("CHAPTER I PRELIMINARY",),
        (chapter_two,),
        (chapter_two, "A.—Summons"),
        warrants,
        (*warrants, "12. Form of warrant"),
        (*warrants, "12. Form of warrant", "ORDER REQUIRING PRODUCTION OF A PERSON FOR ANSWERING A CHARGE"),
        ("CHAPTER III APPEALS",),
        ("THE FIRST SCHEDULE CLASSIFICATION OF OFFENCES",),
    ]
    summons = next(s for s in parsed.sections if s.heading_path[-1:] == ("A.—Summons",))
    assert [b.text for b in summons.blocks] == [
        "Every summons shall be in writing.",
        "Illustrations.",
        "(a) A summons is served on A.",
        "Provided that—",
        "no summons is served on a Sunday.",
    ]


def test_consistent_markup_keeps_its_levels_even_with_numbered_headings(write):
    page = (
        "<html><body><h1>Chapter 1</h1><h2>Trust</h2><p>Trust grows.</p><h2>Consent</h2><p>Consent matters.</p>"
        "<h1>Chapter 2</h1><h2>Patrols</h2><p>Patrols walk.</p><h1>Chapter 3</h1><h2>Schools</h2><p>Visits.</p>"
        "<h2>3.1 Rules</h2><p>Rules apply.</p><h2>Illustrations.</h2><p>An example.</p></body></html>"
    )
    parsed = parse(write("manual.html", page))
    assert [s.heading_path for s in parsed.sections if s.heading_path] == [
        ("Chapter 1",),
        ("Chapter 1", "Trust"),
        ("Chapter 1", "Consent"),
        ("Chapter 2",),
        ("Chapter 2", "Patrols"),
        ("Chapter 3",),
        ("Chapter 3", "Schools"),
        ("Chapter 3", "3.1 Rules"),
        ("Chapter 3", "Illustrations."),
    ]
    same_level = parse(write("labels.html", "<h2>PART 2</h2><h2>Operations</h2><p>Text.</p>"))
    assert [s.heading_path for s in same_level.sections if s.heading_path] == [("PART 2 Operations",)]


def test_a_contents_list_is_neither_a_section_nor_a_passage(write):
    """A converted statute lists its chapters under "ARRANGEMENT OF SECTIONS",
    then starts again with its title; a page's own "Contents" lists links."""
    statute = parse(
        write(
            "act.html",
            "<h1>THE POLICE ACT, 2023</h1><h2>ARRANGEMENT OF SECTIONS</h2><h3>CHAPTER I</h3><h3>PRELIMINARY</h3>"
            "<p>1. Short title.</p><h1>CHAPTER II</h1><h3>DUTIES</h3><p>2. Duties of officers.</p>"
            "<h1>THE POLICE ACT, 2023</h1><p>An Act to consolidate the law.</p><h2>CHAPTER I</h2><h4>PRELIMINARY</h4>"
            "<p>1. Short title.—This Act may be called the Police Act.</p><h4>CHAPTER II</h4><h1>DUTIES</h1>"
            "<p>2. Duties of officers.—Every officer shall keep the peace.</p>",
        )
    )
    assert [s.heading_path for s in statute.sections if s.blocks] == [
        ("THE POLICE ACT, 2023",),
        ("CHAPTER I PRELIMINARY",),
        ("CHAPTER II DUTIES",),
    ]
    page = parse(
        write(
            "guide.html",
            "<h1>Guide</h1><h2>Contents</h2><ul><li>Trust</li><li>Youth work</li></ul>"
            "<h2>Trust</h2><p>Trust grows.</p><h2>Youth work</h2><p>Youth matter.</p>",
        )
    )
    assert [s.heading_path for s in page.sections] == [("Trust",), ("Youth work",)]


def test_a_paragraph_a_converter_cut_at_a_page_break_is_one_paragraph(write):
    page = (
        '<h1>Act</h1><h2>Arrest</h2><p block-type="Text" class="has-continuation">The officer in charge of the'
        '</p><p block-type="Text">station may arrest any person.</p><p>Bail is set by the court.</p>'
        "<ul><li>1. A person arrested for an offence</li></ul><p>is told the grounds.</p>"
        "<p>The grounds are:</p><ul><li>named in writing.</li></ul>"
    )
    section = parse(write("act.html", page)).sections[-1]
    assert [b.text for b in section.blocks] == [
        "The officer in charge of the station may arrest any person.",
        "Bail is set by the court.",
        "1. A person arrested for an offence is told the grounds.",
        "The grounds are:",
        "named in writing.",
    ]


def test_a_page_without_a_title_is_named_by_the_heading_it_opens_with(write):
    """A converter writes no <title>: the opening heading, over sections of its own, names the page."""
    article = parse(write("chapter-100.html", "<h1>Exchange Smiles</h1><h2>Regularities</h2><p>Text.</p>"
                          "<h1>Models</h1><p>More text.</p>"))  # fmt: skip
    assert article.title == "Exchange Smiles"
    plain = parse(write("notes.html", "<h1>Background</h1><p>Text.</p><h1>Methods</h1><p>More.</p>"))
    assert plain.title is None  # a first section with text of its own names no page
