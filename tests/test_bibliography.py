"""BibTeX and RIS that reference managers import: one entry per work, the
cited passages in its note, every value escaped."""

import json

import pytest
from click.testing import CliRunner
from test_citation import document, passage

from kb import cli as kb_cli
from kb.bibliography import bibliography


def test_bibtex_has_one_entry_per_work_with_its_cited_passages():
    guide = document(publisher="OSCE/UNODC", year=2022, edition="2nd", url="https://example.org/g")
    text = bibliography([(passage(), guide), (passage(id="guide:9", heading_path=("Youth",)), guide)], "bibtex")
    assert text.count("@book{guide,") == 1
    assert "  author = {{OSCE/UNODC}}," in text  # a group author kept whole
    assert "  title = {{Good Practices in Police Partnerships}}," in text
    assert "  edition = {2nd}," in text and "  year = {2022}," in text and "  url = {https://example.org/g}," in text
    assert 'note = {Cited: "3.2 Trust", p. 23; "Youth", p. 23}' in text


def test_bibtex_escapes_what_would_start_a_command_or_close_a_field():
    hostile = document(title="Trust} , note = {x} \\input{/etc/passwd} 100% & #1_a", author="Roe, Jane; Doe, John")
    text = bibliography([(passage(), hostile)], "bibtex")
    assert r"Trust\} , note = \{x\} \textbackslash{}input\{/etc/passwd\} 100\% \& \#1\_a" in text
    assert "  author = {Roe, Jane and Doe, John}," in text
    assert text.count("{") - text.count(r"\{") == text.count("}") - text.count(r"\}")


def test_ris_has_its_tags_pages_and_one_line_per_value():
    guide = document(author="Jane Roe", publisher="OSCE", year=2008, edition="1", title="A\nTitle")
    text = bibliography([(passage(page_end=26, page_label_end="24"), guide)], "ris")
    lines = text.splitlines()
    assert lines[0] == "TY  - BOOK" and lines[-1] == "ER  - "
    for line in (
        "AU  - Jane Roe",
        "TI  - A Title",
        "PY  - 2008",
        "ET  - 1st ed.",
        "PB  - OSCE",
        "SP  - 23",
        "EP  - 24",
    ):
        assert line in lines
    web = document(kind="html", pages=None, url="https://example.org/p")
    assert bibliography([(None, web)], "ris").startswith("TY  - ELEC\n")


@pytest.fixture
def kb(tmp_path, write):
    index = tmp_path / "index"

    def invoke(*args):
        result = CliRunner().invoke(kb_cli.cli, ["--index", str(index), *map(str, args)])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result

    invoke("add", write("guide.md", "# Guide\n\n## Consent\n\nPolicing by consent.\n\n## Trust\n\nTrust grows.\n"),
           "--publisher", "OSCE", "--year", "2022")  # fmt: skip
    invoke("add", write("notes.md", "# Notes\n\n## Youth\n\nYouth councils meet.\n"))
    return invoke


def test_cite_and_pick_export_write_references(kb, tmp_path):
    ris = kb("cite", "guide:1", "guide:2", "notes:1", "--format", "ris").stdout
    assert ris.count("TY  - ") == 2 and 'N1  - Cited: "Consent"; "Trust"' in ris
    kb("pick", "add", "guide:1", "notes:1")
    out = tmp_path / "picks.bib"
    result = kb("pick", "export", "--format", "bibtex", "-o", out)
    assert result.stdout.strip() == f"Wrote 2 references to {out}."
    assert out.read_text().count("@misc{") == 2
    assert json.loads(kb("cite", "guide:1", "--json").stdout)["citations"][0]["citation"].startswith("OSCE (2022)")
