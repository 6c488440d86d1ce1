"""Decks a trainer projects as they are: readable type, real titles, notes,
the organisation's template, and no text running out of its box."""

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from pptx import Presentation

from kb import cli as kb_cli
from kb.export import QUOTE_SIZE, fits, split_to_fit, trim_to_fit

SENTENCES = [
    "Neighbourhood officers meet the residents' forum every month and report what they did since the last meeting.",
    "They bring figures on burglary, noise and traffic, and they explain what the figures can and cannot show.",
    "Residents say which problems matter most to them, and the officers write those priorities down in the open.",
    "Each priority gets a named officer, a partner agency and a date by which the forum will hear how it went.",
    "Where a priority was not met, the officer says why, and the forum decides whether to keep it or drop it.",
]
LONG = (
    "# Forum Handbook\n\n## Working with the forum\n\n"
    + " ".join(SENTENCES)
    + "\n\nThree habits keep the forum useful:\n\n"
    "- Publish the minutes within a week.\n- Rotate the chair among residents.\n- Invite young people by name.\n\n"
    + " ".join(reversed(SENTENCES))
    + "\n"
)
SHORT = "# Patrol Notes\n\n## Foot patrol\n\nFoot patrols build trust when the same officers walk the same streets.\n"


@pytest.fixture
def kb(tmp_path, write):
    index = tmp_path / "index"

    def invoke(*args):
        result = CliRunner().invoke(kb_cli.cli, ["--index", str(index), *map(str, args)])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result

    invoke("add", write("forum.md", LONG), "--author", "Jane Roe", "--year", "2024")
    invoke("add", write("patrol.md", SHORT))
    invoke("search", "young people forum", "--pick", "1", "--pack", "forum-work")
    invoke("pick", "add", "patrol:1", "--pack", "forum-work")
    return invoke


def deck(kb, tmp_path, *options, pack="forum-work"):
    path = tmp_path / "deck.pptx"
    result = kb("pick", "export", "--format", "pptx", "-o", path, "--pack", pack, *options)
    assert result.exit_code == 0, result.stderr
    return result, Presentation(str(path))


def sizes(shape) -> set[float]:
    return {run.font.size.pt for p in shape.text_frame.paragraphs for run in p.runs if run.font.size}


def test_every_slide_has_a_real_title_and_readable_type(kb, tmp_path):
    result, presentation = deck(kb, tmp_path)
    slides = list(presentation.slides)
    assert result.stdout.strip() == f"Wrote {len(slides)} slides to {tmp_path / 'deck.pptx'}."
    assert len(slides) == 4  # title, two quotes, sources
    for slide in slides:
        assert slide.shapes.title is not None and slide.shapes.title.text_frame.text.strip()
        assert all(shape.text_frame.text.strip() for shape in slide.shapes if shape.has_text_frame)
    assert slides[0].shapes.title.text == "Forum work"  # the pack's name in words
    assert slides[1].shapes.title.text == "Working with the forum"
    for slide in slides[1:3]:
        quote, citation = [shape for shape in slide.shapes if not shape.is_placeholder]
        assert min(sizes(quote)) >= QUOTE_SIZE and sizes(citation) == {18.0}
    assert slides[-1].shapes.title.text == "Sources"


def test_a_long_passage_is_trimmed_to_fit_at_sentences_keeping_the_query_and_its_breaks(kb, tmp_path):
    _, presentation = deck(kb, tmp_path)
    quote = next(shape for shape in presentation.slides[1].shapes if not shape.is_placeholder)
    text = quote.text_frame.text.strip("“”")
    assert fits(text) and len(text.split()) < len(LONG.split()) - 20
    assert "- Invite young people by name." in text.splitlines()  # the query's sentence, on its own line
    pieces = [p.strip() for p in re.split(r"…|\n", text) if p.strip()]
    assert all(len(piece.split()) >= 3 or piece.startswith("- ") for piece in pieces), pieces  # no fragments
    assert all(piece.endswith((".", ":")) for piece in pieces), pieces  # whole sentences


def test_the_speaker_notes_hold_the_whole_passage_and_its_apa_citation(kb, tmp_path):
    _, presentation = deck(kb, tmp_path)
    notes = presentation.slides[1].notes_slide.notes_text_frame.text
    assert SENTENCES[0] in notes and "- Rotate the chair among residents." in notes
    assert "Jane Roe. (2024). Forum Handbook. " in notes


def test_split_puts_the_rest_on_slides_marked_cont(kb, tmp_path):
    _, presentation = deck(kb, tmp_path, "--fit", "split", "--title", "Forums that work")
    titles = [slide.shapes.title.text for slide in presentation.slides]
    assert titles[0] == "Forums that work"
    continued = [t for t in titles if t == "Working with the forum (cont.)"]
    assert titles[1] == "Working with the forum" and continued
    quotes = [
        next(s for s in slide.shapes if not s.is_placeholder).text_frame.text.strip("“”")
        for slide in presentation.slides
        if slide.shapes.title.text.startswith("Working with the forum")
    ]
    assert all(fits(q) for q in quotes)
    joined = " ".join(" ".join(q.split()) for q in quotes)
    assert all(sentence in joined for sentence in SENTENCES)  # nothing left out


def test_the_default_packs_deck_is_titled_by_its_query(kb, tmp_path):
    kb("search", "foot patrols", "--pick", "1")
    _, presentation = deck(kb, tmp_path, pack="default")
    assert presentation.slides[0].shapes.title.text == "Foot patrols"


def test_a_template_gives_its_master_layouts_and_size(kb, tmp_path):
    template = Presentation()  # 4:3, with layouts renamed as an organisation's would be
    for layout in template.slide_layouts:
        layout.name = f"Org {layout.name}"
    template.slides.add_slide(template.slide_layouts[1]).shapes.title.text = "Sample slide to be left out"
    template.save(str(tmp_path / "org.pptx"))
    _, presentation = deck(kb, tmp_path, "--template", tmp_path / "org.pptx")
    assert (presentation.slide_width, presentation.slide_height) == (template.slide_width, template.slide_height)
    assert all(slide.slide_layout.name.startswith("Org ") for slide in presentation.slides)
    assert "Sample slide to be left out" not in [s.shapes.title.text for s in presentation.slides]
    assert len(presentation.slides) == 4


def test_a_file_that_is_no_deck_is_refused_as_a_template(kb, tmp_path, write):
    path = tmp_path / "deck.pptx"
    not_a_deck = write("x.pptx", "no")
    bad = kb("pick", "export", "--format", "pptx", "-o", path, "--pack", "forum-work", "--template", not_a_deck)
    assert bad.exit_code == 2 and "not a PowerPoint deck" in bad.stderr and not path.exists()


def test_fitting_keeps_every_quote_inside_its_box():
    text = "\n".join([" ".join(SENTENCES)] * 3)
    assert not fits(text)
    assert fits(trim_to_fit(text)) and all(fits(chunk) for chunk in split_to_fit(text))
    assert fits("A short quote.")


@pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext") and shutil.which("pdftoppm")),
    reason="needs LibreOffice Impress and poppler-utils (.ci/run installs them)",
)
@pytest.mark.parametrize(
    "options",
    [(), ("--fit", "split"), ("--max-words", "40"), ("--template",), ("--template", "--fit", "split")],
    ids=["trim", "split", "words", "template-4:3", "template-4:3-split"],
)
def test_rendered_decks_have_no_text_running_out_of_its_box(kb, tmp_path, write, options):
    """LibreOffice draws text that overflows its box beyond it: over the
    citation below, or off the slide. So no two blocks of text on a rendered
    slide may overlap, and all must lie on the slide. A long heading and a
    narrower 4:3 template are among the cases."""
    long_heading = "3.05.030 Investigation of officer involved use of deadly force and in-custody deaths, and review"
    kb("add", write("policy.md", f"# Policy Manual\n\n## {long_heading}\n\n{' '.join(SENTENCES)}\n"))
    kb("pick", "add", "policy:1", "--pack", "forum-work")
    if "--template" in options:
        Presentation().save(str(tmp_path / "org.pptx"))  # python-pptx's own deck is 4:3, 44-pt titles
        at = options.index("--template") + 1
        options = (*options[:at], tmp_path / "org.pptx", *options[at:])
    _, presentation = deck(kb, tmp_path, *options)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "deck.pptx")],
        check=True,
        capture_output=True,
        timeout=240,
    )
    rendered = tmp_path / "deck.pdf"
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(rendered), str(tmp_path / "slide")], check=True)
    assert len(list(tmp_path.glob("slide-*.png"))) == len(presentation.slides)
    layout = subprocess.run(["pdftotext", "-bbox-layout", str(rendered), "-"], check=True, capture_output=True)
    namespace = {"x": "http://www.w3.org/1999/xhtml"}
    pages = ET.fromstring(layout.stdout).findall(".//x:page", namespace)
    assert len(pages) == len(presentation.slides)
    for number, page in enumerate(pages, start=1):
        width, height = float(page.get("width")), float(page.get("height"))
        blocks = [
            tuple(float(block.get(k)) for k in ("xMin", "yMin", "xMax", "yMax"))
            for block in page.findall(".//x:block", namespace)
        ]
        for x0, y0, x1, y1 in blocks:
            assert x0 >= 0 and x1 <= width and y0 >= 0 and y1 <= height, (number, blocks)
        for n, a in enumerate(blocks):
            for b in blocks[n + 1 :]:
                apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
                assert apart, (number, a, b)
