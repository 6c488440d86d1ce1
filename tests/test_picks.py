"""Packs of picked passages, and their exports."""

import csv
import io
import json
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner

from kb import KbError, KnowledgeBase, config
from kb import cli as kb_cli
from kb.ingest.text import parse_markdown


@pytest.fixture
def docs(write):
    return [
        write(
            "guide.md",
            "# Guide\n\n## Consent\n\nPolicing by consent rests on public approval. It is renewed daily. "
            "Officers explain what they do.\n\n## Trust\n\nTrust grows with every fair encounter.\n",
        ),
        write("notes.md", "# Notes\n\n## Youth\n\nYouth councils meet every month with the commander.\n"),
    ]


@pytest.fixture
def filled(knowledge_base, docs):
    knowledge_base.add(docs)
    return knowledge_base


def test_pick_list_remove_clear_in_named_packs(filled):
    assert filled.pick(["guide:1", "notes:1", "guide:1"]) == ["guide:1", "notes:1"]
    assert filled.pick(["guide:2"], pack="trust") == ["guide:2"]
    assert [s.pick.passage_id for s in filled.picked()] == ["guide:1", "notes:1"]
    assert [s.state for s in filled.picked()] == ["ok", "ok"]
    assert filled.packs.names() == ["default", "trust"]
    assert filled.unpick(["notes:1"]) == ["notes:1"]
    assert filled.clear_pack("trust") == 1
    assert filled.picked("trust") == []


def test_packs_survive_rebuild_and_report_changed_and_gone(filled, docs):
    filled.pick(["guide:1", "notes:1", "guide:2"])
    filled.rebuild()
    assert [s.state for s in filled.picked()] == ["ok", "ok", "ok"]
    docs[0].write_text("# Guide\n\n## Consent\n\nRewritten text about consent.\n", encoding="utf-8")
    filled.add([docs[0]])
    filled.remove("notes")
    states = {s.pick.passage_id: s.state for s in filled.picked()}
    assert states == {"guide:1": "changed", "notes:1": "gone", "guide:2": "gone"}
    assert filled.picked()[0].pick.text.startswith("Policing by consent")  # the text as picked


def test_pack_files_are_whole_json_with_no_leftovers(filled):
    filled.pick(["guide:1"])
    folder = filled.packs.folder
    assert folder.parent == filled.path.parent
    assert [p.name for p in folder.iterdir() if p.name != ".lock"] == ["default.json"]
    assert json.loads((folder / "default.json").read_text())["picks"][0]["passage_id"] == "guide:1"


def test_a_killed_picks_temporary_file_is_cleared_by_the_next_pick(filled):
    filled.pick(["guide:1"])
    leftover = filled.packs.folder / ".default.k1ll3d.tmp"
    leftover.write_text('{"pack": "default", "pi', encoding="utf-8")
    filled.pick(["notes:1"])
    assert not leftover.exists()
    assert [s.pick.passage_id for s in filled.picked()] == ["guide:1", "notes:1"]


def test_picks_made_at_once_are_all_kept(knowledge_base, write):
    sections = "".join(f"## Part {n}\n\nPart {n} of the guide talks about patrols.\n\n" for n in range(30))
    knowledge_base.add([write("long.md", f"# Long\n\n{sections}")])
    ids = [p.id for p in knowledge_base.passages("long")]
    assert len(ids) == 30

    def pick_each(share: list[str]) -> None:
        for passage_id in share:
            KnowledgeBase(knowledge_base.path).pick([passage_id])

    threads = [threading.Thread(target=pick_each, args=(ids[n::3],)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(s.pick.passage_id for s in knowledge_base.picked()) == sorted(ids)

    # And from separate kb processes.
    knowledge_base.clear_pack()
    cli = [sys.executable, str(config.PROJECT_ROOT / "cli.py"), "--index", str(knowledge_base.path), "pick", "add"]
    processes = [subprocess.Popen([*cli, *ids[n::3]], stdout=subprocess.PIPE, stderr=subprocess.PIPE) for n in range(3)]
    for process in processes:
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 0, stderr
    assert sorted(s.pick.passage_id for s in knowledge_base.picked()) == sorted(ids)


def test_pack_names_are_checked(filled):
    with pytest.raises(KbError, match="not a pack name"):
        filled.pick(["guide:1"], pack="../escape")


def invoke(*args):
    result = CliRunner().invoke(kb_cli.cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_search_pick_then_export_every_format(docs, tmp_path):
    invoke("add", *docs)
    picked = invoke("search", "policing by consent", "--pick", "1", "--pack", "session")
    assert "Picked pack 'session': guide:1" in picked.stderr
    invoke("pick", "add", "notes:1", "guide:2", "--pack", "session")
    listing = invoke("pick", "list", "--pack", "session")
    assert listing.stdout.count("\n") == 6 and "guide:1" in listing.stdout

    md = tmp_path / "deck.md"
    title = 'Consent: a "session" #1'
    invoke("pick", "export", "--format", "md", "-o", md, "--pack", "session", "--title", title)
    front_matter, body = md.read_text().split("\n---\n", 1)
    assert front_matter == '---\nmarp: true\ntitle: "Consent: a \\"session\\" #1"'
    assert parse_markdown(md).title == title  # kb's own front-matter reader agrees
    slides = body.split("\n---\n")
    assert len(slides) == 1 + 3 + 1  # title, three passages, sources
    assert "> Policing by consent rests on public approval." in slides[1]
    assert '— Guide, "Consent"' in slides[1]
    assert slides[-1].count("\n- ") == 2  # each document once

    out_csv = tmp_path / "deck.csv"
    invoke("pick", "export", "--format", "csv", "-o", out_csv, "--pack", "session")
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text())))
    assert [r["passage_id"] for r in rows] == ["guide:1", "notes:1", "guide:2"]
    assert rows[1]["citation"] == 'Notes, "Youth"' and rows[1]["state"] == "ok"

    out_json = tmp_path / "deck.json"
    invoke("pick", "export", "--format", "json", "-o", out_json, "--pack", "session")
    data = json.loads(out_json.read_text())
    assert data["pack"] == "session" and len(data["slides"]) == 3 and len(data["sources"]) == 2

    trimmed = tmp_path / "short.json"
    invoke("pick", "export", "--format", "json", "-o", trimmed, "--pack", "session", "--max-words", "8")
    quote = json.loads(trimmed.read_text())["slides"][0]["quote"]
    assert quote.startswith("Policing by consent rests on public approval.") and quote.endswith("…")


def test_export_of_an_empty_pack_is_an_error(docs, tmp_path):
    invoke("add", *docs)
    result = invoke("pick", "export", "--format", "md", "-o", tmp_path / "x.md")
    assert result.exit_code == 2 and "pack 'default' is empty" in result.stderr


def test_picks_are_reordered_quoted_within_the_passage_and_packs_renamed(filled, tmp_path):
    filled.pick(["guide:1", "notes:1", "guide:2"], pack="session")
    assert filled.move_pick("guide:2", "session", -1) == ["guide:1", "guide:2", "notes:1"]
    assert filled.move_pick("guide:1", "session", -1) == ["guide:1", "guide:2", "notes:1"]  # already first
    filled.set_quote(
        "guide:1", "Policing by consent rests on public approval. … Officers explain what they do.", "session"
    )
    slides = filled.slides("session")
    assert slides[0].quote == "Policing by consent rests on public approval. … Officers explain what they do."
    with pytest.raises(KbError, match="the passage's own words"):
        filled.set_quote("guide:1", "Policing by force rests on fear.", "session")
    filled.set_quote("guide:1", "", "session")
    assert filled.slides("session")[0].quote.startswith("Policing by consent rests on public approval. It is")
    filled.rename_pack("session", "consent talk")
    assert "consent talk" in filled.packs.names() and "session" not in filled.packs.names()
    with pytest.raises(KbError, match="exists already"):
        filled.pick(["guide:1"], pack="other")
        filled.rename_pack("other", "consent talk")


def test_the_cli_moves_quotes_and_renames(filled, monkeypatch):
    monkeypatch.setenv("KB_INDEX", str(filled.path))
    filled.pick(["guide:1", "notes:1"])
    runner = CliRunner()
    moved = runner.invoke(kb_cli.cli, ["pick", "move", "notes:1", "--up"])
    assert moved.exit_code == 0 and moved.stdout.splitlines()[0] == " 1. notes:1"
    down = runner.invoke(kb_cli.cli, ["pick", "move", "notes:1", "--down"])
    assert down.stdout.splitlines()[1] == " 2. notes:1"
    bad = runner.invoke(kb_cli.cli, ["pick", "quote", "guide:1", "Words the passage never said."])
    assert bad.exit_code == 2 and "the passage's own words" in bad.stderr
    good = runner.invoke(kb_cli.cli, ["pick", "quote", "guide:1", "Policing by consent rests on public approval."])
    assert good.exit_code == 0 and filled.slides()[0].quote == "Policing by consent rests on public approval."
    assert runner.invoke(kb_cli.cli, ["pick", "rename", "default", "consent"]).exit_code == 0
    assert [s.pick.passage_id for s in filled.picked("consent")] == ["guide:1", "notes:1"]
