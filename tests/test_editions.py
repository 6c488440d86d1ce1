"""Two editions of one guidebook: told apart, chosen by year or edition, grouped when they say the same."""

import json

import pytest
from click.testing import CliRunner

from kb import KnowledgeBase, Metadata
from kb import cli as kb_cli
from kb.editions import document_label, latest_editions, matches_edition
from kb.model import Document

SHARED = (
    "Policing by consent means that the public accepts police powers because officers act fairly, "
    "explain their decisions and answer for them before the communities they serve."
)
TITLE = "Good Practices in Building Police-Public Partnerships"


@pytest.fixture
def editions(knowledge_base, write) -> KnowledgeBase:
    first = write("gp-2008.md", f"# {TITLE}\n\n## Consent\n\n{SHARED}\n\n## Old topic\n\nFax machines in stations.\n")
    second = write(
        "gp-2022.md",
        f"# {TITLE}\n\n## Policing by consent\n\n{SHARED.replace('serve', 'serve every day')}\n\n"
        "## Online harms\n\nSocial media teams answer residents online.\n",
    )
    knowledge_base.add([first], Metadata(year=2008, edition="1st", publisher="OSCE"))
    knowledge_base.add([second], Metadata(year=2022, edition="2nd", publisher="OSCE"))
    return knowledge_base


def test_the_same_passage_in_two_editions_is_one_hit_led_by_the_newest(editions):
    result = editions.search("policing by consent")
    assert result.hits[0].document.id == "gp-2022"
    (also,) = result.hits[0].also_in
    assert also.document.id == "gp-2008" and also.where == "1st ed., 2008"
    assert all(hit.document.id != "gp-2008" or "Consent" not in hit.passage.section for hit in result.hits)


def test_a_year_or_an_edition_names_a_document_and_latest_keeps_the_newest(editions):
    assert {h.document.id for h in editions.search("fax machines", doc="2008").hits} == {"gp-2008"}
    assert editions.search("fax machines", doc="2nd").total == 0
    assert editions.search("fax machines", latest=True).total == 0
    assert {h.document.id for h in editions.search("social media", latest=True).hits} == {"gp-2022"}


def test_the_terminal_shows_each_hits_edition_and_where_else_it_stands(editions):
    result = CliRunner().invoke(kb_cli.cli, ["--index", str(editions.path), "search", "policing by consent"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.startswith(" 1. ") and line.endswith("(2nd ed., 2022)") for line in lines)
    assert "    also in 1st ed., 2008" in lines
    assert all(len(line) <= 80 for line in lines)
    data = json.loads(
        CliRunner()
        .invoke(kb_cli.cli, ["--index", str(editions.path), "search", "policing by consent", "--json"])
        .stdout
    )
    assert data["hits"][0]["edition"] == "2nd ed., 2022"
    assert data["hits"][0]["also_in"] == [
        {"doc_id": "gp-2008", "id": "gp-2008:1", "edition": "1st ed., 2008", "where": "1st ed., 2008"}
    ]
    latest = CliRunner().invoke(kb_cli.cli, ["--index", str(editions.path), "search", "fax", "--edition", "latest"])
    assert latest.exit_code == 1


def document(title: str, year: int | None = None, edition: str | None = None, added: str = "2026") -> Document:
    return Document(title.lower()[:8], title, "/x", "pdf", "0", added, None, 0, year=year, edition=edition)


def test_a_long_title_is_cut_but_its_edition_and_year_are_kept():
    label = document_label(document(TITLE * 2, 2022, "2"), 40)
    assert len(label) == 40 and label.endswith("… (2nd ed., 2022)")
    assert document_label(document("Notes"), 40) == "Notes"


@pytest.mark.parametrize("ref", ["2nd", "2", "second", "2nd ed.", "2nd edition", "2022"])
def test_an_edition_is_named_in_the_ways_people_write_it(ref):
    assert matches_edition(document(TITLE, 2022, "2nd"), ref)
    assert not matches_edition(document(TITLE, 2008, "1st"), ref)


def test_the_latest_edition_of_each_work_is_kept_whatever_the_titles_say_of_their_year():
    older = document(f"{TITLE} (2008)", 2008, "1st")
    newer = document(f"{TITLE}, 2nd edition 2022", 2022, "2nd")
    other = document("Community Safety Brief", 2019)
    assert {d.title for d in latest_editions([older, newer, other])} == {newer.title, other.title}


def test_the_web_page_shows_editions_and_where_else_a_passage_stands(editions):
    from starlette.testclient import TestClient

    from kb.web import create_app

    with TestClient(create_app(editions.path), base_url="http://localhost") as client:
        page = client.get("/", params={"q": "policing by consent"}).text
        assert '<span class="muted">(2nd ed., 2022)</span>' in page
        assert 'Also in <a href="/passage/gp-2008%3A1">1st ed., 2008</a>' in page
        assert "0 passages" in client.get("/", params={"q": "fax machines", "latest": "1"}).text
