"""kb diff: two editions aligned section by section, scored on editions whose
differences are known by construction."""

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner
from editions import build_editions

from kb import KnowledgeBase
from kb import cli as kb_cli
from kb.diff import Section, _plain, diff_sections


def alignment(changes, pair) -> tuple[float, float]:
    found = {(_plain(c.old.heading), _plain(c.new.heading)) for c in changes if c.old and c.new}
    true = {(old.casefold(), new.casefold()) for old, new, _ in pair.pairs}
    right = len(found & true)
    return right / len(found), right / len(true)


@pytest.fixture(scope="module", params=[1, 2, 3])
def editions(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"editions-{request.param}")
    pair = build_editions(folder / "docs", seed=request.param)
    knowledge_base = KnowledgeBase(folder / "index")
    knowledge_base.add([pair.old, pair.new])
    return knowledge_base, pair


def test_sections_are_aligned_through_renames_moves_splits_and_merges(editions):
    knowledge_base, pair = editions
    _, _, changes = knowledge_base.diff("handbook-2008", "handbook-2022")
    precision, recall = alignment(changes, pair)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)
    by_status = {}
    for change in changes:
        by_status.setdefault(change.status, []).append(change)
    assert {_plain(c.new.heading) for c in by_status["new"]} == {a.casefold() for a in pair.added}
    assert {_plain(c.old.heading) for c in by_status["dropped"]} == {d.casefold() for d in pair.dropped}
    how = {(old.casefold(), new.casefold()): kind for old, new, kind in pair.pairs}
    for change in changes:
        kind = how.get((_plain(change.old.heading), _plain(change.new.heading))) if change.old and change.new else None
        if kind == "renamed":
            assert change.renamed and change.status == "kept"
        elif kind == "moved":
            assert change.moved and not change.renamed and change.status == "kept"
        elif kind == "rewritten":
            assert change.status == "changed" and 0.1 < change.changed_share < 0.9 and change.gained
        elif kind in ("split", "merged"):
            assert change.status == kind
        elif kind == "kept" and change.status == "kept":
            assert not change.renamed and not change.moved


def test_unrelated_sections_are_never_aligned():
    old = [Section(("1 Patrols",), 0, "Foot patrols on the market square at night.", ["a:1"], "p. 1")]
    new = [Section(("1 Budgets",), 0, "Grant funding for the youth club was cut this year.", ["b:1"], "p. 1")]
    assert sorted(c.status for c in diff_sections(old, new)) == ["dropped", "new"]


def run(knowledge_base, *args, width=80):
    result = CliRunner().invoke(
        kb_cli.cli, ["--index", str(knowledge_base.path), *args], env={"COLUMNS": str(width)}, color=False
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_the_terminal_report_lists_what_changed_with_numbers_for_section(editions):
    knowledge_base, pair = editions
    result = run(knowledge_base, "diff", "handbook-2008", "handbook-2022")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("old: handbook-2008 · ") and lines[1].startswith("new: handbook-2022 · ")
    assert all(len(line) <= 80 for line in lines)
    assert any(" dropped " in line and pair.dropped[0] in line for line in lines)
    assert "% of the text changed" in result.stdout and "--all lists them" in result.stdout
    changed = next(line for line in lines if "  changed  " in line)
    number = changed.split()[0]
    side_by_side = run(knowledge_base, "diff", "handbook-2008", "handbook-2022", "--section", number, width=120)
    assert side_by_side.exit_code == 0 and side_by_side.stdout.startswith("changed")
    assert any(" ~ " in line or " + " in line or " - " in line for line in side_by_side.stdout.splitlines())
    assert all(len(line) <= 120 for line in side_by_side.stdout.splitlines())


def test_json_and_csv_carry_every_row_with_its_passages(editions):
    knowledge_base, _ = editions
    data = json.loads(run(knowledge_base, "diff", "handbook-2008", "handbook-2022", "--json").stdout)
    assert data["old"]["id"] == "handbook-2008" and data["new"]["id"] == "handbook-2022"
    assert sum(data["summary"][s] for s in ("kept", "changed", "split", "merged", "new", "dropped")) == len(
        data["changes"]
    )
    for row in data["changes"]:
        for side in ("old", "new"):
            assert row[side] is None or row[side]["passage_ids"]
    rows = list(
        csv.DictReader(io.StringIO(run(knowledge_base, "diff", "handbook-2008", "handbook-2022", "--csv").stdout))
    )
    assert len(rows) == len(data["changes"]) and rows[0].keys() >= {"status", "old_section", "new_pages"}


def test_a_document_compared_with_itself_is_an_error(editions):
    knowledge_base, _ = editions
    result = run(knowledge_base, "diff", "handbook-2008", "handbook-2008")
    assert result.exit_code == 2 and "are the same document" in result.stderr


def test_the_web_page_and_api_show_the_diff(editions):
    from starlette.testclient import TestClient

    from kb.web import create_app

    knowledge_base, pair = editions
    with TestClient(create_app(knowledge_base.path), base_url="http://localhost") as client:
        form = client.get("/diff")
        assert form.status_code == 200 and "<h1>What changed between two editions</h1>" in form.text
        chosen = re.findall(r'<select name="(old|new)">.*?<option value="([^"]+)" selected', form.text)
        assert chosen == [("old", "handbook-2008"), ("new", "handbook-2022")]  # the two editions, oldest first
        shown = client.get("/diff", params={"old": "handbook-2008", "new": "handbook-2022"})
        assert shown.status_code == 200 and pair.dropped[0] in shown.text and "dropped" in shown.text
        assert re.search(r'<a href="/passage/handbook-2022%3A\d+">', shown.text)
        data = client.get("/api/diff", params={"old": "handbook-2008", "new": "handbook-2022"}).json()
        assert data["summary"]["dropped"] == len(pair.dropped)
        same = client.get("/api/diff", params={"old": "handbook-2008", "new": "handbook-2008"})
        assert same.status_code == 400
