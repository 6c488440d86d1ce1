"""The web app in-process: every route, its status codes, escaping and the pick form's guard."""

import json
import re

import pytest
from pptx import Presentation
from starlette.testclient import TestClient

from kb import Metadata
from kb.web import create_app


@pytest.fixture
def client(knowledge_base, write, make_pdf):
    knowledge_base.add(
        [
            write(
                "guide.md",
                "# Guide\n\n## Consent\n\nPolicing by consent needs community-oriented policing (CoP). "
                "Trust grows slowly.\n\n## Trust\n\nTrust is earned in every encounter.\n",
            ),
            write(
                "hostile.html",
                "<html><head><title>Hostile</title></head><body><h1>Hostile</h1><h2>Payload &lt;b&gt;</h2>"
                "<p>Text with &lt;script&gt;alert('x')&lt;/script&gt; and a javascript:alert(1) link "
                "and &amp;amp; entity, about trust.</p></body></html>",
            ),
            make_pdf("report.pdf", [["Annual trust report", "Trust in the police rose this year."]]),
        ]
    )
    with TestClient(
        create_app(knowledge_base.path), base_url="http://localhost"
    ) as started:  # runs start-up and shut-down
        yield started


def token_of(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def test_search_page_shows_hits_expansions_and_suggestions(client):
    page = client.get("/", params={"q": "CoP"})
    assert page.status_code == 200
    assert "Also searched: CoP → community-oriented policing" in page.text
    assert '<a href="/passage/guide%3A1?q=CoP">Guide</a>' in page.text
    assert "<mark>" in page.text
    corrected = client.get("/", params={"q": "trsut"})
    assert "No passages for “trsut”; showing “trust”." in corrected.text and "<mark>" in corrected.text
    suggestion = client.get("/", params={"q": "trsut", "literal": "1"})
    assert "Did you mean" in suggestion.text and "trust" in suggestion.text
    assert client.get("/").status_code == 200


def test_document_text_is_escaped_everywhere(client):
    for url in ("/?q=alert", "/passage/hostile:1", "/documents/hostile", "/kwic?term=alert"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "<script>" not in page.text, url
    passage = client.get("/passage/hostile:1").text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in passage
    assert "javascript:alert(1)" in passage and 'href="javascript' not in passage
    assert "&amp;amp;" in passage
    assert "Payload &lt;b&gt;" in client.get("/documents/hostile").text


def test_paging_and_filters(client):
    first = client.get("/", params={"q": "trust"}).text
    assert "passages, 1–" in first
    assert client.get("/", params={"q": "trust", "doc": "report"}).text.count('class="hit"') == 1
    assert client.get("/", params={"q": "trust", "page": "2"}).status_code == 200
    assert client.get("/", params={"q": "trust", "page": "999"}).status_code == 400


def test_passage_page_has_citation_neighbours_and_pdf_link(client):
    page = client.get("/passage/report:1").text
    assert 'id="cite-1"' in page and "Annual trust report" in page
    assert 'href="/source/report#page=1"' in page
    hits = client.get("/", params={"q": "trust"}).text  # a PDF hit's page opens the PDF there
    assert '<a href="/source/report#page=1" aria-label="p. 1, open the PDF there">p. 1</a>' in hits
    assert [b for b in re.findall(r'<button type="button" class="copy"[^>]*>([^<]+)</button>', page)] == [
        "Copy Short",
        "Copy APA",
        "Copy BibTeX",
        "Copy RIS",
    ]
    assert '<script src="/copy.js" defer></script>' in page and client.get("/copy.js").status_code == 200
    read = client.get("/passage/guide:1", params={"q": "consent"}).text
    assert "<h1>Consent</h1>" in read and "<title>Consent · Guide" in read
    assert re.search(r"<mark>consent</mark>", read, re.I)  # the query's words, marked
    assert '<a href="/?q=consent">← Back to the results for “consent”</a>' in read
    assert 'rel="next"' in read and 'href="/source/guide"' in read and "Open the source file" in read
    pdf = client.get("/source/report")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = client.get("/source/guide")  # not a PDF: its text, in a sandbox
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    assert text.headers["content-security-policy"] == "sandbox" and text.text.startswith("# Guide")
    assert client.get("/passage/guide:9").status_code == 404


def test_picks_change_only_by_post_with_the_page_token(client):
    token = token_of(client.get("/", params={"q": "consent"}).text)
    added = client.post("/picks/add", data={"id": "guide:1", "token": token, "back": "/picks"}, follow_redirects=False)
    assert added.status_code == 303
    assert json.loads(client.get("/api/picks").text)["picks"][0]["id"] == "guide:1"
    assert client.post("/picks/add", data={"id": "guide:2", "token": "forged"}).status_code == 403
    foreign = client.post(
        "/picks/add", data={"id": "guide:2", "token": token}, headers={"Origin": "http://evil.example"}
    )
    assert foreign.status_code == 403
    assert client.get("/picks/add").status_code == 405
    assert [p["id"] for p in client.get("/api/picks").json()["picks"]] == ["guide:1"]
    offsite = client.post("/picks/add", data={"id": "guide:2", "token": token, "back": "//evil.example/"},
                          follow_redirects=False)  # fmt: skip
    assert offsite.headers["location"] == "/picks"
    removed = client.post("/picks/remove", data={"id": "guide:1", "token": token}, follow_redirects=False)
    assert removed.status_code == 303 and client.get("/api/picks").json()["picks"][0]["id"] == "guide:2"


def test_pick_exports_download(client, tmp_path):
    token = token_of(client.get("/", params={"q": "trust"}).text)
    client.post("/picks/add", data={"id": "guide:2", "token": token})
    deck = client.get("/picks/export.pptx")
    assert deck.status_code == 200 and "attachment" in deck.headers["content-disposition"]
    (tmp_path / "d.pptx").write_bytes(deck.content)
    assert len(Presentation(str(tmp_path / "d.pptx")).slides) == 3
    assert client.get("/picks/export.md").text.count("\n---\n") == 3  # front matter, then title | passage | sources
    assert client.get("/picks/export.csv").text.startswith("order,passage_id")
    assert client.get("/picks/export.exe").status_code == 404
    assert client.get("/picks/export.md", params={"pack": "empty"}).status_code == 400


def test_api_routes_have_the_cli_json_shapes(client):
    search = client.get("/api/search", params={"q": "trust", "limit": 2}).json()
    assert set(search) == {"query", "total", "hits", "expanded", "suggestion", "corrected"} and len(search["hits"]) == 2
    assert client.get("/api/passage/guide:1").json()["passage"]["id"] == "guide:1"
    assert [d["id"] for d in client.get("/api/documents").json()["documents"]] == ["guide", "hostile", "report"]
    assert client.get("/api/sections/guide").json()["sections"][0]["heading"] == "Consent"
    assert client.get("/api/acronyms").json()["acronyms"][0]["acronym"] == "CoP"
    assert client.get("/api/terms", params={"t": "trust, consent"}).json()["terms"][0]["term"] == "trust"
    assert client.get("/api/kwic", params={"term": "trust"}).json()["lines"]
    assert client.get("/api/compare", params={"a": "guide", "b": "report"}).json()["a"]["doc_id"] == "guide"


def test_bad_requests_get_a_400_with_a_message(client):
    long = client.get("/api/search", params={"q": "x" * 400})
    assert long.status_code == 400 and long.json()["error"] == "The search is longer than 300 characters; shorten it"
    assert client.get("/api/search", params={"q": "x", "limit": "5000"}).status_code == 400
    assert client.get("/api/search", params={"q": "x", "limit": "ten"}).status_code == 400
    assert client.get("/api/search").status_code == 400
    assert client.get("/api/terms", params={"t": ",".join(["w"] * 11)}).status_code == 400
    assert client.get("/api/kwic", params={"term": "x", "sort": "sideways"}).status_code == 400
    assert client.get("/api/passage/nope:1").status_code == 404
    assert client.get("/documents/nope").status_code == 404
    assert client.get("/no/such/page").status_code == 404


def test_research_and_document_pages(client):
    assert "█" in client.get("/terms", params={"t": "trust"}).text
    assert client.get("/terms.csv", params={"t": "trust"}).text.startswith("term,doc_id")
    assert client.get("/terms.png", params={"t": "trust"}).content[:4] == b"\x89PNG"
    assert "<mark>trust</mark>" in client.get("/kwic", params={"term": "trust"}).text.lower()
    assert "More in" in client.get("/compare", params={"a": "guide", "b": "report"}).text
    guide = client.get("/documents/guide").text
    assert "Consent" in guide and '<a href="/source/guide">Open guide.md, the file it was read from</a>' in guide
    assert client.get("/documents").text.count("<tr>") == 4


def test_research_views_take_the_cli_options_and_download_as_csv(client):
    by_section = client.get("/terms", params={"t": "trust", "by": "section", "top": "1"}).text
    group = r'<th colspan="2" scope="rowgroup" class="group">(.*?)</th></tr>(.*?)</tbody>'
    groups = re.findall(group, by_section, re.S)
    assert [g[0] for g in groups] == ["Annual trust report (2026)", "Guide", "Hostile"]
    assert all(g[1].count("<tr>") == 1 for g in groups)  # one section a document, as asked
    assert '<a href="/passage/report%3A1?q=trust">(start)</a> <span class="muted nowrap">p. 1</span>' in groups[0][1]
    two = client.get("/terms", params={"t": "trust", "by": "section", "top": "2"}).text
    assert ">Consent</a>" in two and ">Trust</a>" in two  # both of the guide's sections
    assert '<option value="section" selected>' in by_section
    assert "/terms.csv?t=trust&amp;by=section&amp;top=1" in by_section
    csv_rows = client.get("/terms.csv", params={"t": "trust", "by": "section", "top": "1"}).text.splitlines()
    assert csv_rows[0] == "term,doc_id,section,page_start,page_end,occurrences" and len(csv_rows) == 4
    compared = client.get("/compare", params={"a": "guide", "b": "report", "p": "none", "min_count": "1"}).text
    assert "/compare.csv?a=guide&amp;b=report&amp;p=none&amp;top=15&amp;min_count=1" in compared
    csv_text = client.get("/compare.csv", params={"a": "guide", "b": "report", "p": "none", "min_count": "1"}).text
    assert (
        csv_text.startswith("more_in,item,count_guide,count_report,g2,log_ratio")
        and "\r\nguide,policing,2,0," in csv_text
        and ",-1.678\r\n" in csv_text
    )
    changed = client.get("/diff", params={"old": "guide", "new": "report"}).text
    assert "/diff.csv?old=guide&amp;new=report" in changed
    assert client.get("/diff.csv", params={"old": "guide", "new": "report"}).text.startswith("n,status,")
    assert client.get("/compare.csv", params={"a": "guide"}).status_code == 400


def test_the_home_page_names_the_works_held_in_several_editions(knowledge_base, write):
    for name, edition, year in (("gp-2008.md", "1", 2008), ("gp-2022.md", "2", 2022)):
        knowledge_base.add([write(name, f"# Good Practices\n\n## Trust\n\nTrust grew by {year}.\n")],
                           metadata=Metadata(edition=edition, year=year))  # fmt: skip
    knowledge_base.add([write("note.md", "# A note\n\nTrust.\n")])
    with TestClient(create_app(knowledge_base.path), base_url="http://localhost") as client:
        home = client.get("/").text
    assert "3 documents (2 works, counting editions once)" in home
    assert "Good Practices: 2 editions, 1st ed. (2008) and 2nd ed. (2022)" in home
    assert '<a href="/diff?old=gp-2008&amp;new=gp-2022">what changed</a>' in home


def test_a_missing_index_is_a_503(tmp_path):
    with TestClient(
        create_app(tmp_path / "none"), base_url="http://localhost"
    ) as client:  # starting up without an index is fine
        page = client.get("/api/documents")
    assert page.status_code == 503 and "kb add" in page.json()["error"]


def test_an_edition_given_as_a_number_reads_as_an_ordinal_on_the_pages(knowledge_base, write):
    knowledge_base.add([write("second.md", "# Second\n\n## Trust\n\nTrust grows.\n")], metadata=Metadata(edition="2"))
    with TestClient(create_app(knowledge_base.path), base_url="http://localhost") as client:
        assert "(2nd ed.)" in client.get("/terms?t=trust").text
        assert "(2nd ed.)" in client.get("/?q=trust").text


def test_every_example_on_the_home_page_finds_passages_in_this_index(knowledge_base, write):
    """Examples are tried on the index: those that find nothing here give way
    to the documents' own headings."""
    import re
    import urllib.parse

    knowledge_base.add(
        [
            write(
                "fleet.md",
                "# Fleet\n\n## Vehicle Maintenance Schedule\n\nTyres are checked weekly.\n\n"
                "## Fuel Cards\n\nEach driver signs for a card.\n",
            )
        ]
    )
    with TestClient(create_app(knowledge_base.path), base_url="http://localhost") as client:
        home = client.get("/").text
        examples = [urllib.parse.unquote_plus(q) for q in re.findall(r'<li><a href="/\?q=([^"]+)">', home)]
        assert examples == ['"Vehicle Maintenance Schedule"', '"Fuel Cards"']
        for example in examples:
            assert knowledge_base.search(example).total >= 1, example


def test_a_slow_request_does_not_hold_up_cheap_ones(client, monkeypatch):
    """A compare that is still working must not stop the document list from being served."""
    import threading

    from kb import KnowledgeBase

    compare_started, cheap_done = threading.Event(), threading.Event()
    real_compare = KnowledgeBase.compare

    def slow_compare(self, *args, **kwargs):
        compare_started.set()
        assert cheap_done.wait(timeout=10), "the cheap request waited for the slow one"
        return real_compare(self, *args, **kwargs)

    monkeypatch.setattr(KnowledgeBase, "compare", slow_compare)
    answers = {}
    slow = threading.Thread(
        target=lambda: answers.update(compare=client.get("/api/compare", params={"a": "guide", "b": "report"}))
    )
    slow.start()
    assert compare_started.wait(timeout=10)
    assert client.get("/api/documents").status_code == 200
    cheap_done.set()
    slow.join(timeout=20)
    assert answers["compare"].status_code == 200


def test_the_home_page_says_what_is_indexed_and_how_to_ask(client):
    home = client.get("/").text
    assert "<h1>Search the knowledge base</h1>" in home
    assert re.search(r"\d+ documents.*\d+ passages", home) and "How to ask" in home
    assert home.count('<li><a href="/?q=') == 3


def test_zero_results_and_did_you_mean_keep_the_other_filters(client):
    nothing = client.get("/", params={"q": "zeppelin", "doc": "guide", "literal": "1"}).text
    assert "Nothing matched" in nothing
    assert 'href="/?q=zeppelin&amp;literal=1"' in nothing  # all documents, still literal
    assert 'href="/?q=zeppelin&amp;doc=guide"' in nothing  # expanded, still this document
    suggested = client.get("/", params={"q": "trsut", "literal": "1", "doc": "guide"}).text
    assert 'Did you mean <a href="/?q=trust&amp;doc=guide&amp;literal=1">' in suggested


def test_error_pages_say_what_happened_and_what_to_do(client):
    missing = client.get("/passage/guide:999")
    assert missing.status_code == 404 and "<h1>Not found</h1>" in missing.text
    assert "Search for it instead" in missing.text and 'role="search"' in missing.text
    bad = client.get("/", params={"q": "trust", "page": "999"})
    assert bad.status_code == 400 and "<h1>That can't be answered as asked</h1>" in bad.text.replace("&#39;", "'")
    assert client.get("/api/passage/guide:999").json()["error"].startswith("no passage")
    token = token_of(client.get("/", params={"q": "trust"}).text)
    client.post("/picks/add", data={"token": token, "id": "guide:1"}, headers={"Accept": "application/json"})
    assert 'id="pick-count" class="count">(1)<' in client.get("/no/such/page").text  # the nav as on every page


def test_the_passage_page_says_whether_its_passage_is_picked_and_unpicks_it(client):
    page = client.get("/passage/guide:1").text
    assert 'action="/picks/add"' in page and "Pick “Consent” for slides" in page
    client.post("/picks/add", data={"token": token_of(page), "id": "guide:1", "back": "/passage/guide:1"})
    picked = client.get("/passage/guide:1").text
    assert 'action="/picks/remove"' in picked and "Picked ✓: unpick “Consent”" in picked
    client.post("/picks/remove", data={"token": token_of(page), "id": "guide:1", "back": "/passage/guide:1"})
    assert 'action="/picks/add"' in client.get("/passage/guide:1").text


def test_a_section_whose_heading_is_a_paragraph_links_to_a_page_that_is_answered(knowledge_base, write):
    heading = " ".join(["Explanatory notes on the procedure in regard to"] * 8)  # 391 characters
    knowledge_base.add([write("code.md", f"# Code\n\n## {heading}\n\nThe text of the section.\n")])
    with TestClient(create_app(knowledge_base.path), base_url="http://localhost") as client:
        page = client.get("/documents/code").text
        link = next(h for h in re.findall(r'href="(/passage/[^"]+)">Explanatory', page))
        answer = client.get(link)
        assert answer.status_code == 200
        assert "Explanatory notes" in answer.text and "The text of the section." in answer.text


def test_the_concordance_page_takes_the_clis_options_and_links_each_line(client):
    page = client.get("/kwic", params={"term": "trust", "width": "20", "sort": "left", "position": "2"}).text
    assert re.search(r"\d+ occurrences? in \d+ documents?", page)
    assert 'class="match"><mark>' in page and re.search(r'<td class="where"><a href="/passage/[^"]+\?q=trust">', page)
    assert "<option selected>left</option>" in page and 'name="position" value="2"' in page
    only = client.get("/kwic", params={"term": "trust", "doc": "guide"}).text
    assert "report" not in re.findall(r'href="/passage/([a-z]+)', only)
    csv_text = client.get("/kwic.csv", params={"term": "trust"}).text
    assert csv_text.startswith("doc_id,passage_id,pages,left,match,right,citation")


def test_terms_and_compare_pages_take_the_clis_options(client):
    terms = client.get("/terms", params={"t": "trust", "doc": "guide"}).text
    assert terms.count("<td>trust</td>") == 1 and "<td>Guide" in terms
    assert '<abbr title="under 2,000 words: a small sample">*</abbr>' in terms
    start = client.get("/compare").text
    chosen = re.findall(r'<option value="([^"]+)" selected>', start)
    assert len(chosen) == 2 and chosen[0] != chosen[1]  # two different documents to begin with
    strict = client.get("/compare", params={"a": "guide", "b": "report", "p": "0.001", "min_count": "1"}).text
    assert "<option selected>0.001</option>" in strict
    headers = re.findall(r"<th>([^<]*)</th>", strict)  # the documents' columns name them as readers know them
    assert "Guide" in headers and any(h.startswith("Annual trust report") for h in headers) and "guide" not in headers


def test_picking_without_script_comes_back_to_the_hit_and_with_script_answers_json(client):
    token = token_of(client.get("/", params={"q": "consent"}).text)
    form = {"id": "guide:1", "token": token, "back": "/?q=consent&page=1", "anchor": "hit-1"}
    back = client.post("/picks/add", data=form, follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == "/?q=consent&page=1#hit-1"
    page = client.get("/", params={"q": "consent"}).text
    assert (
        "Picked ✓" in page
        and 'aria-label="Picked ✓, unpick Consent' in page
        and '<span id="pick-count" class="count">(1)</span>' in page
    )
    answer = client.post("/picks/remove", data=form, headers={"Accept": "application/json"})
    assert answer.json() == {"id": "guide:1", "picked": False, "pack": "default", "count": 0,
                             "message": "Removed Consent; 0 in pack 'default'"}  # fmt: skip
    evil = client.post("/picks/add", data={**form, "anchor": '"><script>'}, follow_redirects=False)
    assert evil.headers["location"] == "/?q=consent&page=1"


def test_the_picks_page_reorders_quotes_renames_and_creates_packs(client):
    token = token_of(client.get("/picks").text)
    for passage_id in ("guide:1", "report:1"):
        client.post("/picks/add", data={"id": passage_id, "token": token})
    moved = client.post("/picks/move", data={"id": "report:1", "by": "up", "token": token}, follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == "/picks?pack=default#pick-report:1"
    assert [p["id"] for p in client.get("/api/picks").json()["picks"]] == ["report:1", "guide:1"]
    page = client.get("/picks").text
    hidden = '<span class="visually-hidden"> “Consent”</span>'  # heard by a screen reader, not wrapping the button
    assert f"Move{hidden} up" in page and f"Move{hidden} down" not in page  # last: only up
    refused = client.post("/picks/quote", data={"id": "guide:1", "quote": "Other words.", "token": token})
    assert refused.status_code == 400
    client.post("/picks/rename", data={"pack": "default", "new": "trainers", "token": token})
    assert [p["id"] for p in client.get("/api/picks", params={"pack": "trainers"}).json()["picks"]] == [
        "report:1",
        "guide:1",
    ]
    made = client.post("/picks/new", data={"new": "next week", "token": token}, follow_redirects=False)
    assert made.headers["location"] == "/picks?pack=next+week" and "next week" in client.get("/picks").text
    missing = client.get("/picks", params={"pack": "last week"})  # a mistyped link shows no pack that is not there
    assert missing.status_code == 404
    assert "there is no pack &#39;last week&#39;; the packs are: next week, trainers" in missing.text
    assert "Download:" not in missing.text


def test_the_nav_chooses_the_pack_that_results_are_picked_into(client):
    page = client.get("/", params={"q": "trust"}).text
    assert "Picking into" not in page  # one pack: nothing to choose
    token = token_of(page)
    client.post("/picks/add", data={"id": "guide:1", "token": token})
    client.post("/picks/new", data={"new": "week two", "token": token})  # a new pack is the one picked into
    page = client.get("/", params={"q": "trust"}).text
    assert "<option selected>week two</option>" in page and '<span id="pick-count" class="count">(0)</span>' in page
    assert 'name="pack" value="week two"' in page  # each Pick button says where it goes
    client.post("/picks/add", data={"id": "report:1", "token": token})  # a form without a pack: the chosen one
    assert [p["id"] for p in client.get("/api/picks").json()["picks"]] == ["report:1"]
    assert [p["id"] for p in client.get("/api/picks", params={"pack": "default"}).json()["picks"]] == ["guide:1"]
    back = client.post("/picks/use", data={"pack": "default", "token": token, "back": "/?q=trust"},
                       follow_redirects=False)  # fmt: skip
    assert back.status_code == 303 and back.headers["location"] == "/?q=trust"
    assert "<option selected>default</option>" in client.get(back.headers["location"]).text
    shown = client.post("/picks/use", data={"pack": "week two", "token": token, "back": "/picks?pack=default"},
                        follow_redirects=False)  # fmt: skip
    assert shown.headers["location"] == "/picks?pack=week+two"
    client.post("/picks/rename", data={"pack": "week two", "new": "week 2", "token": token})
    assert "<option selected>week 2</option>" in client.get("/picks").text  # renaming keeps it chosen
    assert client.post("/picks/use", data={"pack": ".hidden", "token": token}).status_code == 400
    assert client.post("/picks/use", data={"pack": "default", "token": "forged"}).status_code == 403
    client.cookies.clear()
    client.cookies.set("kb_pack", "../../etc")
    assert "<option selected>default</option>" in client.get("/picks").text  # a bad cookie is no pack


def test_a_document_pages_sections_open_where_they_begin(knowledge_base, write):
    """An outline entry links to its section's first passage, so that its
    count of passages is what a reader reads on with "Next" (a search for the
    heading's words found other sections too). A chapter with no text of its
    own opens on its first subsection; the text before the first heading
    belongs to no entry."""
    import re

    long_text = " ".join(f"Sentence {n} on foot patrols and the trust they build." for n in range(120))
    knowledge_base.add(
        [
            write(
                "manual.md",
                "Opening words before any heading.\n\n# Manual\n\n## Chapter one\n\n### Patrols\n\n"
                f"{long_text}\n\n### Trust\n\nTrust grows slowly.\n\n## Chapter two\n\nTwo has text.\n",
            )
        ]
    )
    _, sections = knowledge_base.sections("manual")
    passages = knowledge_base.passages("manual")
    with TestClient(create_app(knowledge_base.path), base_url="http://localhost") as client:
        page = client.get("/documents/manual").text
    links = re.findall(r'<a href="/passage/([^"]+)">([^<]+)</a>', page)
    starts = {heading: passage_id.replace("%3A", ":") for passage_id, heading in links}
    assert set(starts) == {s.heading for s in sections}
    by_id = {p.id: p for p in passages}
    assert by_id[starts["Chapter one"]].heading_path[-1] == "Patrols"  # no text of its own
    for section in sections:
        first = by_id[starts[section.heading]]
        if section.passages:
            assert first.heading_path[-1] == section.heading
            following = passages[passages.index(first) : passages.index(first) + section.passages]
            assert all(p.heading_path == first.heading_path for p in following)
    assert next(s for s in sections if s.heading == "Patrols").passages > 1


def test_a_diff_row_opens_side_by_side_sentence_by_sentence(knowledge_base, write):
    old = "# Good Practices\n\n## Trust\n\nTrust is earned. Officers listen first. Patrols walk the beat.\n"
    new = "# Good Practices\n\n## Trust\n\nTrust is earned. Officers explain decisions. Patrols walk the beat.\n"
    for name, text, year in (("gp-2008.md", old, 2008), ("gp-2022.md", new, 2022)):
        knowledge_base.add([write(name, text)], metadata=Metadata(year=year))
    with TestClient(create_app(knowledge_base.path), base_url="http://localhost") as client:
        table = client.get("/diff", params={"old": "gp-2008", "new": "gp-2022"}).text
        link = re.search(r'<a href="(/diff\?[^"]*section=(\d+)#detail)" aria-label="Row \d+ side by side">', table)
        assert link
        row = client.get(link.group(1).replace("&amp;", "&")).text
        assert client.get("/diff", params={"old": "gp-2008", "new": "gp-2022", "section": "99"}).status_code == 400
    assert f'<h2 id="detail">Row {link.group(2)}: changed' in row
    assert (
        '<tr class="changed"><td>Officers listen first.</td><td class="mark">≠<span class="visually-hidden">changed'
        "</span></td><td>Officers explain decisions.</td></tr>" in row
    )
    assert '<tr class="kept"><td>Trust is earned.</td>' in row
