"""Hostile document text, file names and metadata stay inert in every export,
on the terminal and on the web: no formula, no HTML, no broken XML, no escape
sequence, no script link."""

from __future__ import annotations

import csv
import io
import re

import pytest
from click.testing import CliRunner
from pptx import Presentation
from starlette.testclient import TestClient

from kb import InvalidPackName, KnowledgeBase
from kb import cli as kb_cli
from kb.export import Slide, to_csv, to_markdown, write_pptx
from kb.inert import csv_cell, terminal_text, web_url, xml_text
from kb.web import create_app

HOSTILE = (
    '<html><body><h1>Orders</h1><h2>Payload</h2><p>=HYPERLINK("http://evil.example","trust") '
    "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt; about trust.</p>"
    "<p>+SUM(A1) -2+3 @cmd about trust.</p></body></html>"
)


@pytest.fixture
def hostile_kb(knowledge_base, write) -> KnowledgeBase:
    knowledge_base.add([write("orders.html", HOSTILE)])
    knowledge_base.pick(["orders:1"])
    return knowledge_base


def test_every_csv_cell_that_a_spreadsheet_would_run_starts_with_a_quote(hostile_kb):
    slides = [Slide("orders:1", "orders", "=cmd|' /C calc'!A0", "@section", "-2+3", "+SUM(A1)", "ok")]
    rows = list(csv.reader(io.StringIO(to_csv(slides))))
    assert rows[1][2:] == ["orders", "ok", "'@section", "'-2+3", "'+SUM(A1)"]
    runner = CliRunner()
    index = str(hostile_kb.path)
    result = runner.invoke(kb_cli.cli, ["--index", index, "terms", "=HYPERLINK(1)", "--csv"])
    assert result.exit_code == 0, result.output
    cells = [cell for row in csv.reader(io.StringIO(result.output)) for cell in row]
    assert cells and not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    for value in ("\tx", "\rx"):
        assert csv_cell(value) == "'" + value
    assert csv_cell("plain") == "plain" and csv_cell(3) == 3
    # a negative figure (a log ratio) stays a number a spreadsheet sums, while text
    # that merely begins like one is still kept from being a formula
    assert csv_cell("-1.678") == "-1.678" and csv_cell("-3") == "-3"
    for value in ("-1.6+A1", "-1e3", "-", "-1.", "-1.5\n=A1"):
        assert csv_cell(value) == "'" + value


def test_the_terms_download_does_not_reflect_a_formula_from_a_link(hostile_kb):
    with TestClient(create_app(hostile_kb.path), base_url="http://localhost") as client:
        body = client.get("/terms.csv", params={"t": '=HYPERLINK("http://evil.example")'}).text
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert '\'=HYPERLINK("http://evil.example")' in cells
    assert not any(cell.startswith("=") for cell in cells)


def test_markdown_export_keeps_html_in_a_passage_as_characters(hostile_kb):
    states = hostile_kb.picked()
    slides = [Slide(s.pick.passage_id, s.pick.doc_id, "<b>Payload</b>", "", s.pick.text, s.pick.citation, s.state)
              for s in states]  # fmt: skip
    deck = to_markdown(slides, "Deck <script>x</script>")
    assert 'title: "Deck <script>x</script>"' in deck  # YAML data, which renderers escape
    deck = deck.split("---\n", 2)[2]  # what is rendered as Markdown
    assert "<script>" not in deck and "<img" not in deck and "<b>" not in deck
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in deck and "&lt;img src=x onerror=alert(2)&gt;" in deck


def test_pptx_export_drops_characters_xml_cannot_hold(tmp_path):
    slides = [Slide("a:1", "a", "Head\x01ing", "", "Quote with \x01 a control\x0b and \x1b escape.", "Cite\x02", "ok")]
    path = tmp_path / "deck.pptx"
    write_pptx(slides, "Title\x00", path)
    texts = [shape.text_frame.text for slide in Presentation(str(path)).slides for shape in slide.shapes]
    assert "Heading" in texts and any("Quote with  a control and  escape." in t for t in texts)
    assert xml_text("a\ud800b\ufffe") == "ab"


def test_control_characters_in_a_document_never_reach_its_passages(knowledge_base, write):
    knowledge_base.add([write("note.md", "# Ti\x1b[31mtle\n\nTrust \x01grows\x07 in \x9bevery encounter.\n")])
    (passage,) = knowledge_base.passages("note")
    assert passage.text == "Trust grows in every encounter."
    assert knowledge_base.document("note").title == "Ti[31mtle"


def test_file_names_and_titles_reach_the_terminal_escaped(tmp_path, write):
    path = write("ev\x1b]0;owned\x07il.md", "# Evil\n\nTrust grows.\n")
    runner = CliRunner()
    index = str(tmp_path / "ix")
    added = runner.invoke(kb_cli.cli, ["--index", index, "add", str(path), "--title", "T\x1b[2Jitle"])
    assert added.exit_code == 0, added.output
    result = runner.invoke(kb_cli.cli, ["--index", index, "search", "trust"])
    assert "\x1b" not in result.output and "\x07" not in result.output
    empty = write("em\x1b[2Jpty.md", "")
    failed = runner.invoke(kb_cli.cli, ["--index", index, "add", str(empty)])
    assert failed.exit_code == 2 and "em\\x1b[2Jpty.md: no text found" in failed.output
    listed = runner.invoke(kb_cli.cli, ["--index", index, "list"])
    assert "\x1b" not in listed.output
    assert terminal_text("a\x1b[31mb\tc\nd\x9b") == "a\\x1b[31mb\tc\nd\\x9b"


def test_only_http_and_https_addresses_are_accepted_and_linked(tmp_path, write, knowledge_base):
    path = write("note.md", "# Note\n\nTrust grows.\n")
    runner = CliRunner()
    for url in ("javascript:alert(document.domain)", "data:text/html,<script>x</script>", " JavaScript:x"):
        result = runner.invoke(kb_cli.cli, ["--index", str(tmp_path / "ix"), "add", str(path), "--url", url])
        assert result.exit_code == 2 and "is not an http or https address" in result.output
    assert web_url("https://www.osce.org/policing") == "https://www.osce.org/policing"
    assert web_url("javascript:alert(1)") is None and web_url("file:///etc/passwd") is None
    # an index written before the check, or by hand, still gets no script link on the web
    knowledge_base.add([path])
    knowledge_base.index.writer  # noqa: B018 - the index exists
    with knowledge_base.index.writer() as session:
        session.update_document("note", str(path), {"url": "javascript:alert(document.domain)"})
    with TestClient(create_app(knowledge_base.path), base_url="http://localhost") as client:
        for page in ("/documents/note", "/passage/note:1", "/?q=trust"):
            html = client.get(page).text
            assert not re.search(r'href="\s*javascript:', html, re.I), page


@pytest.mark.parametrize("name", ["a\nb", ".hidden", "../up", "x" * 65, "", " lead", "a/b"])
def test_pack_names_that_could_break_a_file_or_a_header_are_refused(knowledge_base, write, name):
    knowledge_base.add([write("note.md", "# Note\n\nTrust grows.\n")])
    with pytest.raises(InvalidPackName):
        knowledge_base.pick(["note:1"], pack=name)


def test_a_pack_named_in_any_script_is_exported_on_the_web_and_in_the_cli(knowledge_base, write, tmp_path):
    knowledge_base.add([write("note.md", "# Note\n\nTrust grows.\n")])
    knowledge_base.pick(["note:1"], pack="名前 2024")
    with TestClient(create_app(knowledge_base.path), base_url="http://localhost") as client:
        for fmt in ("md", "csv", "json", "pptx"):
            response = client.get(f"/picks/export.{fmt}", params={"pack": "名前 2024"})
            assert response.status_code == 200, fmt
            assert "filename*=UTF-8''kb-%E5%90%8D%E5%89%8D%202024." in response.headers["content-disposition"]
        assert client.get("/picks", params={"pack": "a\nb"}).status_code == 400
    out = tmp_path / "deck.md"
    args = ["--index", str(knowledge_base.path), "pick", "export", "--pack", "名前 2024", "--format", "md", "-o", out]
    result = CliRunner().invoke(kb_cli.cli, [str(a) for a in args])
    assert result.exit_code == 0 and "Trust grows." in out.read_text()
    bad = CliRunner().invoke(
        kb_cli.cli, ["--index", str(knowledge_base.path), "pick", "add", "note:1", "--pack", "a\nb"]
    )
    assert bad.exit_code == 2 and bad.output.startswith("error: ")
