"""A pack of picked passages as slides or data: Markdown, PowerPoint, CSV, JSON.

Each exporter takes the same ``Slide`` list, built once from the pack, so that
every format carries the same quote, heading and citation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from kb.inert import csv_text, markdown_text, xml_text
from kb.picks import PickState

FORMATS = ("md", "pptx", "csv", "json")


@dataclass(frozen=True)
class Slide:
    passage_id: str
    doc_id: str
    heading: str
    section: str
    quote: str
    citation: str
    state: str  # "ok", "changed" or "gone": a changed or gone pick shows the text it was picked with


def slides_from(states: list[PickState], quote: Callable[[str, str], str]) -> list[Slide]:
    """``quote(text, query)`` shortens a passage's text for a slide."""
    slides = []
    for state in states:
        pick = state.pick
        heading = pick.section.split(" > ")[-1] if pick.section else pick.citation.split(",")[0]
        text = quote(pick.text, pick.query)
        slides.append(Slide(pick.passage_id, pick.doc_id, heading, pick.section, text, pick.citation, state.state))
    return slides


def sources(slides: list[Slide]) -> list[str]:
    """Each document once: its citation without the section and page part."""
    seen: dict[str, str] = {}
    for slide in slides:
        seen.setdefault(slide.doc_id, _work(slide.citation))
    return list(seen.values())


def _work(citation: str) -> str:
    parts = [p for p in citation.split(", ") if not p.startswith(("§", '"', "p. ", "pp. "))]
    return ", ".join(parts)


def to_markdown(slides: list[Slide], title: str) -> str:
    """One slide per passage, separated by ``---`` (Marp, reveal.js and pandoc read it).
    The front matter's title is a quoted string (JSON's quoting is YAML's too),
    so a colon, a quote or a '#' in it never breaks the YAML."""
    text = markdown_text
    parts = [f"---\nmarp: true\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n\n# {text(title)}\n"]
    for slide in slides:
        quote = "\n".join(f"> {text(line)}" if line else ">" for line in slide.quote.splitlines())
        parts.append(f"## {text(slide.heading)}\n\n{quote}\n\n— {text(slide.citation)}\n")
    parts.append("## Sources\n\n" + "\n".join(f"- {text(s)}" for s in sources(slides)) + "\n")
    return "\n---\n\n".join(parts)


def to_csv(slides: list[Slide]) -> str:
    header = ["order", "passage_id", "doc_id", "state", "section", "quote", "citation"]
    rows = [
        [order, slide.passage_id, slide.doc_id, slide.state, slide.section, slide.quote, slide.citation]
        for order, slide in enumerate(slides, start=1)
    ]
    return csv_text(header, rows)


def to_json(slides: list[Slide], pack: str) -> str:
    return json.dumps(
        {"pack": pack, "slides": [asdict(s) for s in slides], "sources": sources(slides)},
        ensure_ascii=False,
        indent=2,
    )


def write_pptx(slides: list[Slide], title: str, path: Path) -> None:
    """A real deck: a title slide, one slide per passage (heading as title, the
    quote in type sized to its length, the citation at the foot) and a closing
    slide of sources. Text boxes only, so no empty placeholder is left."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    blank = deck.slide_layouts[6]

    def box(slide, left, top, width, height, text, size, bold=False, italic=False):
        frame = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height)).text_frame
        frame.word_wrap = True
        for n, line in enumerate(text.split("\n")):
            paragraph = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
            run = paragraph.add_run()
            run.text = xml_text(line)
            run.font.size, run.font.bold, run.font.italic = Pt(size), bold, italic
        return frame

    cover = deck.slides.add_slide(blank)
    box(cover, 0.8, 2.6, 11.7, 1.6, title, 40, bold=True)
    box(cover, 0.8, 4.3, 11.7, 0.8, f"{len(slides)} passages", 20)
    for slide in slides:
        page = deck.slides.add_slide(blank)
        box(page, 0.6, 0.4, 12.1, 1.0, slide.heading, 30, bold=True)
        box(page, 0.8, 1.6, 11.7, 4.8, f"“{slide.quote}”", _quote_size(slide.quote))
        box(page, 0.6, 6.55, 12.1, 0.7, slide.citation, 12, italic=True)
    closing = deck.slides.add_slide(blank)
    box(closing, 0.6, 0.4, 12.1, 1.0, "Sources", 30, bold=True)
    box(closing, 0.8, 1.6, 11.7, 5.4, "\n".join(sources(slides)), 16)
    deck.save(str(path))


def _quote_size(quote: str) -> int:
    """Type that keeps the quote inside its box on a 16:9 slide."""
    words = len(quote.split())
    for limit, size in ((40, 28), (70, 24), (110, 20), (160, 16)):
        if words <= limit:
            return size
    return 13
