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
    assert len(label) <= 40 and label.endswith("… (2nd ed., 2022)")
    title = label.removesuffix("… (2nd ed., 2022)")
    assert (TITLE * 2).startswith(title) and (TITLE * 2)[len(title)] == " "  # cut after a whole word
    assert document_label(document("Unbreakablewordsofalongtitle", 2022), 20) == "Unbreakablew… (2022)"
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


def test_copies_are_found_among_many_hits_as_comparing_every_pair_finds_them():
    """Word pairs compared by their hashes, and the checks that skip pairs
    which can't be copies, never change a grouping: random rankings with copies,
    near copies and strangers group exactly as comparing every pair's words does."""
    import itertools
    import random
    import re

    from kb.editions import SAME_TEXT, group_copies
    from kb.model import Passage

    def every_pair(found):
        words = [[w.casefold() for w in re.findall(r"\w+", p.text)] for p, _ in found]
        pairs = [frozenset(itertools.pairwise(w)) for w in words]
        lengths = [len(p.text.split()) for p, _ in found]

        def same(a, b):
            if min(lengths[a], lengths[b]) < SAME_TEXT * max(lengths[a], lengths[b]):
                return False
            most = max(len(pairs[a]), len(pairs[b]))
            return bool(pairs[a] and pairs[b]) and len(pairs[a] & pairs[b]) >= SAME_TEXT * most

        taken, groups = [False] * len(found), []
        for i in range(len(found)):
            if taken[i]:
                continue
            members = [i]
            for j in range(i + 1, len(found)):
                if not taken[j] and found[j][1].id not in {found[m][1].id for m in members} and same(i, j):
                    members.append(j)
                    taken[j] = True
            groups.append(sorted(members))
        return groups

    rng = random.Random(3)
    vocabulary = [f"w{n}" for n in range(60)] + ["the", "of", "police", "and"]
    documents = [Document(f"d{n}", "T", "", "md", "", f"2020-01-0{n + 1}", None, 1, year=2000 + n) for n in range(4)]
    for _ in range(40):
        texts = []
        for _ in range(rng.randint(2, 40)):
            if texts and rng.random() < 0.4:  # a copy with a few words changed, added or dropped
                words = rng.choice(texts).split()
                for _ in range(rng.randint(0, 4)):
                    words.insert(rng.randrange(len(words) + 1), rng.choice(vocabulary))
                    if rng.random() < 0.5 and len(words) > 1:
                        del words[rng.randrange(len(words))]
                texts.append(" ".join(words))
            else:
                texts.append(" ".join(rng.choices(vocabulary, k=rng.randint(1, 50))))
        found = [(Passage(f"p{n}", "", (), None, None, None, n, t), rng.choice(documents)) for n, t in enumerate(texts)]
        groups = group_copies(found)
        got = [sorted([lead, *(found.index(next(f for f in found if f[0] == a.passage)) for a in also)])
               for lead, also in groups]  # fmt: skip
        assert got == every_pair(found)
