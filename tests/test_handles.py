"""Handles a person can type, and changes that never surprise: ids, prefixes,
removal, what a folder add takes in, and editing a document's details."""

import json

import pytest
from click.testing import CliRunner

from kb import KnowledgeBase, Metadata
from kb import cli as kb_cli
from kb.base import new_id
from kb.errors import AmbiguousDocument, KbError


@pytest.fixture
def kb(tmp_path):
    index = tmp_path / "index"

    def invoke(*args, **kwargs):
        result = CliRunner().invoke(kb_cli.cli, ["--index", str(index), *map(str, args)], **kwargs)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result

    invoke.knowledge_base = KnowledgeBase(index)
    return invoke


# -- ids ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "title", "expected"),
    [
        ("nz-police-victims-2022", "Victims", "nz-police-victims-2022"),
        ("guide", "Field Guide", "guide"),
        ("Good_Practices_in_Building_Police-Public_Partnerships_2nd_edition_EN", "Good Practices in Building "
         "Police-Public Partnerships", "good-practices-building"),
        ("Binder1", "Community Policing Strategy", "community-policing-strategy"),
        ("000_a063f6a13df0938e", "Building Police-Public Partnerships", "building-police-public"),
        ("scan0001", "The Rule of Law", "rule-law"),
    ],
)  # fmt: skip
def test_a_default_id_is_a_short_name_or_the_titles_first_words(name, title, expected):
    assert new_id(name, title, None, set()) == expected


def test_a_second_edition_of_a_title_gets_its_year_then_a_number():
    taken = {"good-practices-building"}
    assert new_id("Binder1", "Good Practices in Building", 2022, taken) == "good-practices-building-2022"
    assert new_id("Binder2", "Good Practices in Building", None, taken) == "good-practices-building-2"


def test_add_takes_a_chosen_id_and_refuses_a_bad_or_taken_one(kb, write):
    path = write("Good-Practices-Police-Public-Partnerships-2022-final.md", "# Good Practices\n\nTrust.\n")
    assert kb("add", path, "--id", "gp-2022").exit_code == 0
    assert [d.id for d in kb.knowledge_base.documents()] == ["gp-2022"]
    other = write("other.md", "# Other\n\nMore trust.\n")
    taken = kb("add", other, "--id", "gp-2022")
    assert taken.exit_code == 2 and "the id 'gp-2022' is taken" in taken.stderr
    bad = kb("add", other, "--id", "Gp 2022:1")
    assert bad.exit_code == 2 and "is not a usable id" in bad.stderr
    assert [d.id for d in kb.knowledge_base.documents()] == ["gp-2022"]


def test_a_passage_id_takes_a_unique_beginning_of_the_document_id(kb, write):
    kb("add", write("good-practices-2022.md", "# Good\n\nTrust grows.\n"))
    kb("add", write("gone-astray.md", "# Gone\n\nKeys were lost.\n"))
    shown = kb("show", "goo:1")
    assert shown.exit_code == 0 and "Trust grows." in shown.stdout
    assert "good-practices-2022:1" in kb("cite", "good-p:1", "--json").stdout
    with pytest.raises(AmbiguousDocument, match="'go' begins 2 document ids"):
        kb.knowledge_base.passage("go:1")
    assert kb("pick", "add", "good:1").exit_code == 0
    assert json.loads(kb("pick", "list", "--json").stdout)["picks"][0]["id"] == "good-practices-2022:1"


# -- remove ----------------------------------------------------------------------


@pytest.fixture
def three(kb, write):
    for name in ("guide-2008", "guide-2022", "event"):
        kb("add", write(f"{name}.md", f"# {name}\n\nText of {name}.\n"))
    return kb


def ids(kb) -> list[str]:
    return sorted(d.id for d in kb.knowledge_base.documents())


def test_remove_by_exact_ids_removes_them_all_at_once(three):
    result = three("remove", "guide-2008", "event")
    assert result.exit_code == 0 and result.stdout.count("Removed ") == 2
    assert ids(three) == ["guide-2022"]


def test_a_pattern_asks_first_and_removes_nothing_unless_confirmed(three):
    refused = three("remove", "e", input="n\n")
    assert refused.exit_code == 2 and "nothing removed" in refused.stderr
    assert "guide-2008" in refused.stderr and "event" in refused.stderr  # it listed what would go
    no_answer = three("remove", "guide")  # no terminal to answer on
    assert no_answer.exit_code == 2 and ids(three) == ["event", "guide-2008", "guide-2022"]
    confirmed = three("remove", "guide", input="y\n")
    assert confirmed.exit_code == 0 and ids(three) == ["event"]


def test_yes_removes_what_a_pattern_matches_without_asking(three):
    assert three("remove", "guide", "--yes").exit_code == 0
    assert ids(three) == ["event"]


def test_an_unknown_id_removes_nothing(three):
    result = three("remove", "event", "nothing-like-this")
    assert result.exit_code == 2 and "no document has the id 'nothing-like-this'" in result.stderr
    assert ids(three) == ["event", "guide-2008", "guide-2022"]


def test_all_from_removes_every_document_read_from_a_folder(kb, write, tmp_path):
    kb("add", write("old/a.md", "# A\n\nalpha\n"), write("old/deep/b.md", "# B\n\nbravo\n"))
    kb("add", write("keep.md", "# Keep\n\ncharlie\n"))
    dry = kb("remove", "--all-from", tmp_path / "docs" / "old", "--dry-run")
    assert dry.exit_code == 0 and "would remove: a " in dry.stdout and "would remove: b " in dry.stdout
    assert ids(kb) == ["a", "b", "keep"]
    assert kb("remove", "--all-from", tmp_path / "docs" / "old", "--yes").exit_code == 0
    assert ids(kb) == ["keep"]


# -- what a folder add takes in ----------------------------------------------------


def test_a_folder_add_leaves_out_software_templates_exports_and_excluded_files(kb, write, tmp_path):
    write("report.md", "# Report\n\nThe patrol plan.\n")
    write("drafts/report-draft.md", "# Draft\n\nNot yet.\n")
    write(".venv/lib/README.md", "# Library\n\nInstall me.\n")
    write("env/pyvenv.cfg", "home = /usr/bin\n")
    write("env/lib/LICENSE.txt", "Permission is hereby granted.\n")
    write("web/node_modules/pkg/README.md", "# pkg\n\nA package.\n")
    write("web/templates/base.html", "<html><body><h1>{{ title }}</h1>{% block body %}{% endblock %}</body></html>")
    write("deck.md", '---\nmarp: true\ntitle: "Trust"\n---\n\n# Trust\n')
    folder = tmp_path / "docs"
    dry = kb("add", folder, "--exclude", "*draft*", "--dry-run")
    assert dry.exit_code == 0
    assert dry.stdout.splitlines() == [
        f"would add: {folder / 'report.md'}",
        "Dry run, nothing changed: 1 added, 0 unchanged, 5 skipped, 0 failed",
    ]
    assert not kb.knowledge_base.index.exists()
    for reason in ("excluded", "software, not documents", "a web template", "slides kb exported"):
        assert f": {reason}" in dry.stderr
    added = kb("add", folder, "--exclude", "*draft*")
    assert added.stdout.strip() == "1 added, 0 unchanged, 5 skipped, 0 failed"
    assert ids(kb) == ["report"]
    again = kb("add", folder, "--exclude", "*draft*", "--dry-run", "-q")
    assert again.stdout.splitlines()[0] == f"would keep: {folder / 'report.md'}" and again.stderr == ""


def test_a_file_named_directly_is_read_whatever_folder_it_is_in(kb, write):
    path = write("node_modules/notes.md", "# Notes\n\nStill mine.\n")
    assert kb("add", path).stdout.strip() == "1 added, 0 unchanged, 0 failed"


# -- edit -------------------------------------------------------------------------


def test_edit_changes_details_without_reading_again_and_rebuild_keeps_them(kb, write):
    path = write("gp.md", "# Good Practices\n\n## Trust\n\nTrust grows slowly.\n")
    kb("add", path)
    result = kb("edit", "gp", "--author", "OSCE/UNODC", "--year", "2022", "--edition", "2nd")
    assert result.exit_code == 0 and "OSCE/UNODC (2022), Good Practices, 2nd ed." in result.stdout
    path.write_text("# Good Practices\n\n## Trust\n\nTrust grows slowly.\n", encoding="utf-8")  # same content
    assert kb("rebuild").exit_code == 0
    cited = kb("cite", "gp:1").stdout
    assert cited.startswith("OSCE/UNODC (2022), Good Practices, 2nd ed.")


def test_edit_renames_a_document_its_passages_and_its_picks(kb, write):
    kb("add", write("long-file-name.md", "# Patrols\n\n## Foot\n\nFoot patrols build trust.\n"))
    kb("pick", "add", "long-file-name:1", "--pack", "session")
    assert kb("edit", "long-file-name", "--id", "patrols").exit_code == 0
    assert ids(kb) == ["patrols"]
    assert kb("search", "foot patrols", "--json").stdout.count('"patrols:1"') == 1
    picks = json.loads(kb("pick", "list", "--pack", "session", "--json").stdout)["picks"]
    assert [(p["id"], p["state"]) for p in picks] == [("patrols:1", "ok")]
    assert kb("rebuild").exit_code == 0 and ids(kb) == ["patrols"]


def test_edit_clears_a_field_with_an_empty_value_and_refuses_an_empty_title(kb, write):
    kb.knowledge_base.add([write("a.md", "# A\n\nalpha\n")], Metadata(publisher="Wrong Press", year=2001))
    kb.knowledge_base.edit("a", Metadata(publisher=""))
    document = kb.knowledge_base.document("a")
    assert (document.publisher, document.year) == (None, 2001)
    with pytest.raises(KbError, match="needs a title"):
        kb.knowledge_base.edit("a", Metadata(title=" "))
    assert kb("edit", "a").exit_code == 2


def test_a_file_without_a_title_is_named_in_words_and_a_bare_note_by_its_opening(kb, write):
    opening = "Met the youth council on Tuesday; they want officers at the bus station after school."
    kb("add", write("notes.txt", opening + "\n"), write("todo_list.txt", "- trust\n- patrols\n"))
    kb("add", write("untitled.txt", "Foot patrols in the market square start next week, every morning.\n"))
    titles = {d.id: d.title for d in kb.knowledge_base.documents()}
    assert titles["notes"] == "Notes: Met the youth council on Tuesday; they want…"
    assert titles["todo-list"] == "Todo list"
    assert titles["foot-patrols-market"] == "Foot patrols in the market square start next…"
    assert not any("Untitled" in title or "(n.d.). " in title for title in titles.values())
