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
