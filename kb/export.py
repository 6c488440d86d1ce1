"""A pack of picked passages as slides or data: Markdown, PowerPoint, CSV, JSON.

Each exporter takes the same ``Slide`` list, built once from the pack, so that
every format carries the same quote, heading and citation.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from kb.errors import KbError
from kb.inert import csv_text, markdown_text, xml_text
from kb.picks import DEFAULT_PACK, PickState
from kb.quote import sentences, trim

FORMATS = ("md", "pptx", "csv", "json")


QUOTE_SIZE = 24  # points: read from the back of a training room
CITATION_SIZE = 18
FITS = ("trim", "split")


@dataclass(frozen=True)
class Box:
    """Where a slide's quote goes, in inches."""

    width: float
    height: float

    def holds(self, text: str, size: float = QUOTE_SIZE) -> bool:
        """Whether ``text`` (in quotation marks) fits at ``size`` points. A line
        of Calibri (Carlito in LibreOffice) averages about half an em a
        character; the margins leave room for wider words and line spacing."""
        per_line = max(10, int(self.width * 72 / (size * 0.5) * 0.9))
        room = int(self.height * 72 / (size * 1.2) * 0.85)
        lines = sum(max(1, len(textwrap.wrap(p, per_line))) for p in f"“{text}”".split("\n"))
        return lines <= room


WIDE_QUOTE_BOX = Box(11.7, 4.7)  # the built-in 16:9 deck's


def fits(text: str, box: Box = WIDE_QUOTE_BOX) -> bool:
    return box.holds(text)


@dataclass(frozen=True)
class Slide:
    passage_id: str
    doc_id: str
    heading: str
    section: str
    quote: str
    citation: str
    state: str  # "ok", "changed" or "gone": a changed or gone pick shows the text it was picked with
    notes: str = ""  # for the speaker: the whole passage and its APA citation
    continued: bool = False  # the passage's second or later slide (split)

    @property
    def title(self) -> str:
        return f"{self.heading} (cont.)" if self.continued else self.heading


def slides_from(
    states: list[PickState],
    fit: str = "trim",
    max_words: int | None = None,
    analyze: Callable[[str], list[str]] | None = None,
    apa: Callable[[PickState], str] | None = None,
    box: Box = WIDE_QUOTE_BOX,
) -> list[Slide]:
    """A pack's picks as slides whose quotes fit at ``QUOTE_SIZE``: each
    passage trimmed at sentence boundaries (the query's sentences kept), or
    split over slides marked "(cont.)" (``fit="split"``). ``max_words``
    trims further; ``apa(state)`` gives the citation for the speaker notes;
    ``box`` is the quote's place on the deck's slides (``quote_box``)."""
    if fit not in FITS:
        raise ValueError(f"unknown fit {fit!r} (fits: {', '.join(FITS)})")
    slides = []
    for state in states:
        pick = state.pick
        heading = pick.section.split(" > ")[-1] if pick.section else pick.citation.split(",")[0]
        text = pick.quote or (trim(pick.text, max_words, pick.query, analyze) if max_words else pick.text)
        chunks = split_to_fit(text, box) if fit == "split" else [trim_to_fit(text, pick.query, analyze, box)]
        notes = "\n\n".join(p for p in (pick.text, apa(state) if apa else pick.citation) if p)
        for n, chunk in enumerate(chunks):
            slides.append(
                Slide(
                    pick.passage_id,
                    pick.doc_id,
                    heading,
                    pick.section,
                    chunk,
                    pick.citation,
                    state.state,
                    notes,
                    continued=n > 0,
                )
            )
    return slides


def deck_title(title: str | None, pack: str, states: list[PickState]) -> str:
    """``--title``, else the pack's name in words ("policing-by-consent" reads
    "Policing by consent"), else the first pick's query."""
    if title and title.strip():
        return title.strip()
    if pack != DEFAULT_PACK:
        words = re.sub(r"[-_.]+", " ", pack).strip()
        return words[:1].upper() + words[1:]
    query = next((s.pick.query for s in states if s.pick.query.strip()), "")
    query = query.replace('"', "").strip()
    return query[:1].upper() + query[1:] if query else "Selected passages"


def trim_to_fit(
    text: str, query: str = "", analyze: Callable[[str], list[str]] | None = None, box: Box = WIDE_QUOTE_BOX
) -> str:
    """The most of ``text`` that fits, whole sentences where possible."""
    if fits(text, box):
        return text
    low, high = 5, len(text.split())
    best = trim(text, low, query, analyze)
    while low <= high:  # the largest word budget whose trim still fits
        middle = (low + high) // 2
        candidate = trim(text, middle, query, analyze)
        if fits(candidate, box):
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best


def split_to_fit(text: str, box: Box = WIDE_QUOTE_BOX) -> list[str]:
    """``text`` over as many slides as it needs, breaking between sentences."""
    if fits(text, box):
        return [text]
    pieces = [(sentence, k == 0) for line in text.split("\n") for k, sentence in enumerate(sentences(line))]
    chunks: list[str] = []
    current = ""
    for sentence, starts_line in pieces:
        candidate = current + ("" if not current else "\n" if starts_line else " ") + sentence
        if current and not fits(candidate, box):
            chunks.append(current)
            candidate = sentence
        while not fits(candidate, box):  # one sentence longer than a slide
            words = candidate.split()
            cut = len(words) - 1
            while cut > 1 and not fits(" ".join(words[:cut]) + " …", box):
                cut -= 1
            chunks.append(" ".join(words[:cut]) + " …")
            candidate = "… " + " ".join(words[cut:])
        current = candidate
    if current.strip():
        chunks.append(current)
    return chunks


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
        quote = "\n>\n".join(f"> {text(line)}" for line in slide.quote.splitlines() if line.strip())
        notes = text(slide.notes).replace("--", "- -")  # an HTML comment holds no "--"
        parts.append(f"## {text(slide.title)}\n\n{quote}\n\n— {text(slide.citation)}\n\n<!--\n{notes}\n-->\n")
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


def write_pptx(slides: list[Slide], title: str, path: Path, template: Path | None = None) -> int:
    """A deck to project as it is: a title slide, one slide per quote (the
    heading in the layout's title placeholder, the quote at ``QUOTE_SIZE`` in
    the place ``quote_box`` gives, the citation at ``CITATION_SIZE``, the whole
    passage and its APA citation in the speaker notes) and the sources.
    ``template`` is an organisation's own deck whose master and layouts are
    used (its slides are left out). Titles are set in the largest of a few
    sizes that keeps them inside their placeholder. Returns the number of
    slides written."""
    from pptx.util import Inches, Pt

    deck = _open_deck(template)
    width, height = deck.slide_width, deck.slide_height
    cover_layout, content_layout = _layouts(deck)
    title_area = _title_area(deck, content_layout, template is None)
    left, top, quote_width, quote_height = _quote_area(deck, title_area)

    def text_box(slide, box_left, box_top, box_width, box_height, text, size, italic=False):
        frame = slide.shapes.add_textbox(box_left, box_top, box_width, box_height).text_frame
        frame.word_wrap = True
        _fill(frame, text, Pt(size), italic=italic)

    def titled(heading: str):
        slide = deck.slides.add_slide(content_layout)
        title_shape = _keep_only_title(slide)
        title_shape.left, title_shape.top, title_shape.width, title_shape.height = title_area
        size = _title_size(heading, title_area[2] / _EMU_PER_INCH, title_area[3] / _EMU_PER_INCH, (32, 28, 24, 20))
        _fill(title_shape.text_frame, heading, Pt(size), bold=template is None)
        return slide

    cover = deck.slides.add_slide(cover_layout)
    for shape in list(cover.placeholders):
        kind = shape.placeholder_format.type
        if template is None and kind in (_TITLE, _CENTER_TITLE, _SUBTITLE):
            shape.left, shape.width = Inches(0.8), width - Inches(1.6)
            shape.top, shape.height = (Inches(2.2), Inches(1.8)) if kind != _SUBTITLE else (Inches(4.2), Inches(1.0))
        if kind in (_TITLE, _CENTER_TITLE):
            size = _title_size(title, shape.width / _EMU_PER_INCH, shape.height / _EMU_PER_INCH, (40, 36, 32, 28, 24))
            _fill(shape.text_frame, title, Pt(size))
        elif kind == _SUBTITLE:
            documents = len({s.doc_id for s in slides})
            passages = len({s.passage_id for s in slides})
            _fill(shape.text_frame, f"{_plural(passages, 'passage')} from {_plural(documents, 'document')}", None)
        else:
            shape._element.getparent().remove(shape._element)
    for slide in slides:
        page = titled(slide.title)
        text_box(page, left, top, quote_width, quote_height, f"“{slide.quote}”", QUOTE_SIZE)
        text_box(page, left, height - Inches(1.1), quote_width, Inches(0.9), slide.citation, CITATION_SIZE,
                 italic=True)  # fmt: skip
        page.notes_slide.notes_text_frame.text = xml_text(slide.notes)
    listed = sources(slides)
    for n in range(0, len(listed), _SOURCES_PER_SLIDE):
        page = titled("Sources" if n == 0 else "Sources (cont.)")
        text_box(page, left, top, quote_width, height - top - Inches(0.5),
                 "\n".join(listed[n : n + _SOURCES_PER_SLIDE]), CITATION_SIZE)  # fmt: skip
    deck.save(str(path))
    return len(deck.slides)


def quote_box(template: Path | None = None) -> Box:
    """The quote's place on the slides of the built-in deck or of ``template``."""
    if template is None:
        return WIDE_QUOTE_BOX
    deck = _open_deck(template)
    _, _, width, height = _quote_area(deck, _title_area(deck, _layouts(deck)[1], False))
    return Box(width / _EMU_PER_INCH, height / _EMU_PER_INCH)


_EMU_PER_INCH = 914_400


def _title_area(deck, content_layout, built_in: bool) -> tuple[int, int, int, int]:
    """left, top, width, height of a content slide's title, in EMU."""
    if built_in:  # the built-in layouts are drawn for 4:3; the title goes across the 16:9 slide
        return 548_640, 320_040, deck.slide_width - 1_097_280, 1_005_840  # 0.6, 0.35, width - 1.2, 1.1 in
    title = next(s for s in content_layout.placeholders if s.placeholder_format.type in (_TITLE, _CENTER_TITLE))
    return title.left, title.top, title.width, title.height


def _quote_area(deck, title_area: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """Below the title, above the citation's 1.1 inches at the foot."""
    margin = 731_520  # 0.8 in
    top = title_area[1] + title_area[3] + 137_160  # 0.15 in below the title
    return margin, top, deck.slide_width - 2 * margin, deck.slide_height - top - 1_097_280


def _title_size(text: str, width: float, height: float, sizes: tuple[int, ...]) -> int:
    """The largest size at which ``text`` fits a title placeholder (inches)."""
    for size in sizes:
        per_line = max(8, int(width * 72 / (size * 0.55) * 0.9))
        room = max(1, int(height * 72 / (size * 1.15)))
        if len(textwrap.wrap(text, per_line)) <= room:
            return size
    return sizes[-1]


_TITLE, _CENTER_TITLE, _SUBTITLE = 1, 3, 4  # pptx.enum.shapes.PP_PLACEHOLDER values
_SOURCES_PER_SLIDE = 8


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _open_deck(template: Path | None):
    from pptx import Presentation
    from pptx.util import Inches

    if template is None:
        deck = Presentation()
        deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
        return deck
    try:
        deck = Presentation(str(template))
    except Exception as exc:  # python-pptx raises several kinds for a file that is not a deck
        raise KbError(f"{template}: not a PowerPoint deck to use as a template ({type(exc).__name__})") from exc
    for slide_id in list(deck.slides._sldIdLst):  # the template's own slides are examples, not content
        deck.part.drop_rel(slide_id.rId)
        deck.slides._sldIdLst.remove(slide_id)
    return deck


def _layouts(deck):
    """The title-slide layout and a layout with a title (the fewest other placeholders)."""

    def kinds(layout) -> list[int]:
        return [shape.placeholder_format.type for shape in layout.placeholders]

    layouts = list(deck.slide_layouts)
    with_title = [layout for layout in layouts if {_TITLE, _CENTER_TITLE} & set(kinds(layout))]
    if not with_title:
        raise KbError("the template has no layout with a title placeholder")
    cover = next((layout for layout in with_title if _SUBTITLE in kinds(layout)), with_title[0])
    plain = [layout for layout in with_title if _SUBTITLE not in kinds(layout)] or with_title
    content = min(plain, key=lambda layout: len(kinds(layout)))
    return cover, content


def _keep_only_title(slide):
    """The slide's title placeholder; the layout's other placeholders are taken
    off, so that none is left empty."""
    title = None
    for shape in list(slide.placeholders):
        if title is None and shape.placeholder_format.type in (_TITLE, _CENTER_TITLE):
            title = shape
        else:
            shape._element.getparent().remove(shape._element)
    return title


def _fill(frame, text: str, size, bold: bool = False, italic: bool = False) -> None:
    """One paragraph per line of ``text``: paragraph and list breaks stay."""
    frame.clear()
    for n, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = xml_text(line)
        if size is not None:
            run.font.size = size
        if bold:
            run.font.bold = True
        if italic:
            run.font.italic = True
