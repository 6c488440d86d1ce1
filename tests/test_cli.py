"""Every command through click's CliRunner, as a person or a script calls it."""

import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from kb import cli as kb_cli
from kb import config


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def docs(write):
    return [
        write("guide.md", "# Field Guide\n\n## Consent\n\nPolicing by consent needs public trust.\n"),
        write("page.html", "<html><body><h1>Page</h1><h2>Youth</h2><p>Trust with youth grows.</p></body></html>"),
    ]


def invoke(runner, *args, **kwargs):
    result = runner.invoke(kb_cli.cli, [str(a) for a in args], **kwargs)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_add_then_search_prints_document_section_and_snippet(runner, docs):
    added = invoke(runner, "add", *docs)
    assert added.exit_code == 0
    assert added.stdout.strip() == "2 added, 0 unchanged, 0 failed"
    result = invoke(runner, "search", "policing by consent")
    assert result.exit_code == 0
    assert "1. Field Guide" in result.stdout
    assert "Consent" in result.stdout
    assert "Policing by consent needs public trust." in result.stdout
    assert "guide:1" in result.stdout
    assert all(len(line) <= 80 for line in result.stdout.splitlines())


def test_search_json_has_the_documented_shape(runner, docs):
    invoke(runner, "add", *docs)
    result = invoke(runner, "search", "trust", "--json")
    data = json.loads(result.stdout)
    assert set(data) == {"query", "total", "hits", "expanded", "suggestion", "corrected"}
    assert data["query"] == "trust" and data["total"] == 2
    hit = data["hits"][0]
    assert set(hit) == {
        "rank", "score", "id", "doc_id", "document", "source", "section", "heading_path",
        "page_start", "page_end", "text", "snippet", "page_label_start", "page_label_end", "edition", "also_in",
    }  # fmt: skip
    assert hit["rank"] == 1 and isinstance(hit["score"], float)
    assert "[[" in hit["snippet"] and "]]" in hit["snippet"]
    assert hit["section"] == " > ".join(hit["heading_path"])
    assert hit["page_start"] is None


def test_search_with_no_hits_exits_1(runner, docs):
    invoke(runner, "add", *docs)
    result = invoke(runner, "search", "zeppelin")
    assert result.exit_code == 1
    assert "No passages match" in result.stderr
    as_json = invoke(runner, "search", "zeppelin", "--json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["hits"] == []


def test_search_limit_and_doc_filter(runner, docs):
    invoke(runner, "add", *docs)
    data = json.loads(invoke(runner, "search", "trust", "--json", "--limit", "1").stdout)
    assert len(data["hits"]) == 1 and data["total"] == 2
    data = json.loads(invoke(runner, "search", "trust", "--json", "--doc", "page").stdout)
    assert {h["doc_id"] for h in data["hits"]} == {"page"}
    unknown = invoke(runner, "search", "trust", "--doc", "nope")
    assert unknown.exit_code == 2
    assert unknown.stderr.startswith("error: no document matches 'nope'")


def test_colour_on_a_terminal_and_never_with_no_color(runner, docs, monkeypatch):
    invoke(runner, "add", *docs)
    coloured = invoke(runner, "search", "consent", color=True)
    assert "\x1b[" in coloured.stdout
    plain = invoke(runner, "search", "consent")
    assert "\x1b[" not in plain.stdout and "[[" not in plain.stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in invoke(runner, "search", "consent", color=True).stdout


def test_show_prints_whole_passage_with_citation(runner, docs):
    invoke(runner, "add", *docs)
    result = invoke(runner, "show", "guide:1")
    assert result.exit_code == 0
    assert "Policing by consent needs public trust." in result.stdout
    assert 'Cite: Field Guide, "Consent"' in result.stdout
    data = json.loads(invoke(runner, "show", "guide:1", "--json").stdout)
    assert data["passage"]["id"] == "guide:1"
    assert data["document"]["title"] == "Field Guide"
    assert data["citation"] == 'Field Guide, "Consent"'
    missing = invoke(runner, "show", "guide:99")
    assert missing.exit_code == 2 and "no passage with id 'guide:99'" in missing.stderr


def test_list_and_sections(runner, docs):
    invoke(runner, "add", *docs)
    listing = invoke(runner, "list")
    assert re.search(r"guide\s+markdown\s+-\s+1\s+\d{4}-\d\d-\d\d\s+Field Guide", listing.stdout)
    documents = json.loads(invoke(runner, "list", "--json").stdout)["documents"]
    assert [d["id"] for d in documents] == ["guide", "page"]
    assert documents[1]["kind"] == "html" and documents[1]["source"].endswith("page.html")
    outline = invoke(runner, "sections", "guide")
    assert "Consent" in outline.stdout and "1 passage" in outline.stdout
    data = json.loads(invoke(runner, "sections", "page", "--json").stdout)
    assert data["sections"] == [
        {
            "heading": "Youth",
            "number": None,
            "level": 1,
            "page_start": None,
            "page_end": None,
            "passages": 1,
            "page_label_start": None,
            "page_label_end": None,
            "first_passage": "page:1",
        }
    ]


def test_add_reports_failures_in_one_line_each_and_exits_2(runner, docs, write, tmp_path):
    broken = write("broken.pdf", b"garbage")
    result = invoke(runner, "add", *docs, broken, tmp_path / "absent.txt")
    assert result.exit_code == 2
    assert result.stdout.strip() == "2 added, 0 unchanged, 2 failed"
    errors = sorted(result.stderr.strip().splitlines())
    assert len(errors) == 2
    assert errors[0] == f"error: {tmp_path / 'absent.txt'}: no such file or folder"
    assert errors[1].startswith(f"error: {broken}: not a readable PDF")
    again = invoke(runner, "add", *docs)
    assert again.stdout.strip() == "0 added, 2 unchanged, 0 failed"


def test_add_changed_file_reports_replaced(runner, docs):
    invoke(runner, "add", *docs)
    docs[0].write_text("# Field Guide\n\n## Changed\n\nNew text.\n", encoding="utf-8")
    result = invoke(runner, "add", docs[0])
    assert result.stdout.strip() == "0 added, 1 replaced, 0 unchanged, 0 failed"


def test_metadata_options_apply_to_one_file_only(runner, docs):
    result = invoke(runner, "add", *docs, "--title", "X")
    assert result.exit_code == 2 and "one file only" in result.stderr
    invoke(runner, "add", docs[0], "--title", "Guidebook", "--year", "2022", "--publisher", "OSCE")
    data = json.loads(invoke(runner, "list", "--json").stdout)["documents"][0]
    assert (data["title"], data["year"], data["publisher"]) == ("Guidebook", 2022, "OSCE")


def test_remove(runner, docs):
    invoke(runner, "add", *docs)
    result = invoke(runner, "remove", "guide")
    assert result.exit_code == 0 and result.stdout.startswith("Removed guide (1 passage)")
    assert invoke(runner, "search", "consent").exit_code == 1
    assert invoke(runner, "remove", "guide").exit_code == 2


def test_rebuild(runner, docs):
    invoke(runner, "add", *docs)
    result = invoke(runner, "rebuild")
    assert result.exit_code == 0 and result.stdout.strip() == "2 added, 0 unchanged, 0 failed"
    assert invoke(runner, "search", "consent").exit_code == 0


def test_add_and_rebuild_yield_the_cpu_unless_asked_for_full_speed(runner, docs, monkeypatch):
    """A server on the same machine keeps answering while files are read and indexed."""
    lowered = []
    monkeypatch.setattr(kb_cli.os, "nice", lambda increment: lowered.append(increment) or increment)
    invoke(runner, "add", "--dry-run", *docs)
    assert lowered == []  # nothing is written, nothing to yield for
    invoke(runner, "add", docs[0])
    invoke(runner, "rebuild", "-q")
    assert lowered == [kb_cli.WRITER_NICENESS, kb_cli.WRITER_NICENESS]
    invoke(runner, "add", "--full-speed", docs[1])
    invoke(runner, "rebuild", "-q", "--full-speed")
    assert len(lowered) == 2
    assert invoke(runner, "search", "youth").exit_code == 0


def test_empty_or_missing_index_says_how_to_fill_it(runner, tmp_path):
    result = invoke(runner, "--index", tmp_path / "none", "search", "trust")
    assert result.exit_code == 2
    assert "no index at" in result.stderr and "kb add" in result.stderr


def test_index_option_wins_over_environment(runner, docs, tmp_path):
    invoke(runner, "--index", tmp_path / "chosen", "add", docs[0])
    assert (tmp_path / "chosen").is_dir()
    assert not (tmp_path / "env-index").exists()


def test_default_index_takes_in_the_bundled_corpus_on_first_search(runner, tmp_path, monkeypatch):
    monkeypatch.delenv("KB_INDEX")
    monkeypatch.setattr(config, "default_index_dir", lambda: tmp_path / "default-index")
    first = invoke(runner, "search", "policing by consent")
    assert first.exit_code == 0
    assert "Indexed the bundled corpus (1 document)" in first.stderr
    assert "Building Police-Public Partnerships" in first.stdout
    assert "Background" in first.stdout
    assert "https://www.osce.org/policing/590682" in first.stdout
    second = invoke(runner, "search", "policing by consent", "--quiet")
    assert second.stderr == ""


def test_every_command_has_help_with_an_example_and_is_in_the_readme():
    readme = (config.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in kb_cli.cli.commands.items():
        assert command.help and "Example:" in command.help, name
        assert f"`kb {name}" in readme, name


def test_whoosh_syntax_warnings_never_reach_a_user(tmp_path, write):
    """Whoosh's modules warn when compiled afresh; an empty pycache forces that."""
    fresh = ["-W", "always", "-X", f"pycache_prefix={tmp_path / 'pycache'}"]
    control = subprocess.run([sys.executable, *fresh, "-c", "import whoosh.analysis"], capture_output=True, text=True)
    assert "invalid escape sequence" in control.stderr  # the warnings exist ...
    cli_path = str(config.PROJECT_ROOT / "cli.py")
    index = str(tmp_path / "ix")
    run = subprocess.run(
        [
            sys.executable,
            *fresh,
            cli_path,
            "--index",
            index,
            "add",
            str(write("a.md", "# A\n\nrule of law\n")),
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    search = subprocess.run(
        [sys.executable, *fresh, cli_path, "--index", index, "search", '"rule of law"'],
        capture_output=True,
        text=True,
    )
    assert search.returncode == 0
    assert "Warning" not in run.stderr + search.stderr  # ... and kb never shows them


def test_search_reports_expansions_and_suggestions(runner, write):
    invoke(
        runner,
        "add",
        write("g.md", "# G\n\n## Terms\n\nWe practise community-oriented policing (CoP) with residents.\n"),
    )
    human = invoke(runner, "search", "CoP")
    assert "Also searched: CoP → community-oriented policing" in human.stdout
    data = json.loads(invoke(runner, "search", "CoP", "--json").stdout)
    assert data["expanded"] == ["CoP → community-oriented policing"] and data["suggestion"] is None
    literal = json.loads(invoke(runner, "search", "CoP", "--json", "--literal").stdout)
    assert literal["expanded"] == []
    corrected = invoke(runner, "search", "residnets")
    assert corrected.exit_code == 0
    assert corrected.stdout.splitlines()[0] == "No passages for 'residnets'; showing 'residents'"
    assert corrected.stdout.splitlines()[1].startswith("1 passage matches 'residents'")
    data = json.loads(invoke(runner, "search", "residnets", "--json").stdout)
    assert (data["query"], data["corrected"], data["suggestion"], data["total"]) == ("residnets", "residents", None, 1)
    literal = invoke(runner, "search", "residnets", "--literal")
    assert literal.exit_code == 1 and "Did you mean: kb search 'residents'" in literal.stderr


def test_acronyms_command(runner, write):
    invoke(
        runner,
        "add",
        write(
            "g.md",
            "# G\n\nUse community-oriented policing (CoP) and the NGO (non-governmental organization).\n",
        ),
    )
    human = invoke(runner, "acronyms")
    assert re.search(r"CoP\s+community-oriented policing\s+g", human.stdout)
    data = json.loads(invoke(runner, "acronyms", "--json", "--doc", "g").stdout)
    assert data == {
        "acronyms": [
            {"acronym": "CoP", "expansion": "community-oriented policing", "doc_id": "g"},
            {"acronym": "NGO", "expansion": "non-governmental organization", "doc_id": "g"},
        ]
    }


def test_cite_and_show_with_style_and_max_words(runner, write):
    text = "# G\n\n## Consent\n\nFirst sentence here. Policing by consent is central. Last words follow here.\n"
    invoke(runner, "add", write("g.md", text), "--publisher", "OSCE", "--year", "2022")
    assert invoke(runner, "cite", "g:1").stdout.strip() == 'OSCE (2022), G, "Consent"'
    apa = json.loads(invoke(runner, "cite", "g:1", "--style", "apa", "--json").stdout)
    assert apa == {"style": "apa", "citations": [{"id": "g:1", "citation": 'OSCE. (2022). G. "Consent".'}]}
    shown = invoke(runner, "show", "g:1", "--max-words", "6", "--query", "policing by consent").stdout
    assert "… Policing by consent is central. …" in shown


def test_a_pdf_password_can_come_from_a_file_or_the_environment_and_is_never_stored(runner, make_pdf, tmp_path):
    from test_ingest_pdf import aes_encrypted

    locked = aes_encrypted(make_pdf("p.pdf", [["Behind a password."]]), tmp_path / "locked.pdf", "s3cret")
    refused = invoke(runner, "add", locked)
    assert refused.exit_code == 2 and "--password" in refused.stderr

    secret = tmp_path / "secret.txt"
    secret.write_text("s3cret\n", encoding="utf-8")
    assert invoke(runner, "add", locked, "--password-file", secret).exit_code == 0
    assert invoke(runner, "search", "password").exit_code == 0
    invoke(runner, "remove", "locked")
    assert invoke(runner, "add", locked, env={"KB_PDF_PASSWORD": "s3cret"}).exit_code == 0

    unreadable = invoke(runner, "add", locked, "--password-file", tmp_path / "missing.txt")
    assert unreadable.exit_code == 2 and unreadable.stderr.startswith(f"error: {tmp_path / 'missing.txt'}")
    index = tmp_path / "env-index"
    assert not any(b"s3cret" in f.read_bytes() for f in index.rglob("*") if f.is_file())
