"""A generator of guidebook-shaped PDFs whose true structure is known.

It lays out, with reportlab, what a typeset practitioners' guidebook has: a
title page, contents with dot leaders, a list of acronyms, a glossary, Roman
chapters with numbered subsections, bullets, a shaded good-practice box,
footnotes, a running header and footer, words hyphenated at line ends, one page
set in two columns, and roman page labels for the front matter. Everything it
draws it records, so tests and the bench compare what kb extracts with the
truth. All wording is the project's own.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

HEADER = "Partnership Policing Handbook - Test Edition"
PAGE_W, PAGE_H = A4
LEFT, RIGHT = 72, PAGE_W - 72
TOP, BOTTOM = PAGE_H - 80, 110
BODY_FONT, BOLD_FONT, BODY_SIZE, LEADING = "Helvetica", "Helvetica-Bold", 10, 14
HEADING_SIZES = {1: 15, 2: 12, 3: 10.5}

ACRONYMS = {
    "CoP": "community-oriented policing",
    "NGO": "non-governmental organization",
    "PPP": "police-public partnership",
    "SARA": "scanning, analysis, response and assessment",
}
GLOSSARY = {
    "Community": "People who share a place, an identity or a concern and who work with the police on it.",
    "Partnership": "A lasting arrangement in which police and others plan, act and review work together.",
    "Problem solving": "A way of working that looks at the causes behind repeated incidents.",
}
COMPOUNDS = ["multi-stakeholder", "community-oriented", "problem-solving", "well-being", "decision-making"]
# Long words that the layout may break at a line end with a typesetter's hyphen.
VOCABULARY = (
    "partnerships accountability neighbourhood legitimacy prevention cooperation transparency "
    "engagement organisations responsibility confidence institutions representatives participation "
    "information communities officers residents strategies consultation understanding vulnerability"
).split()
FILLER = (
    "police officers residents meet regularly to discuss local concerns and agree on shared priorities "
    "trust grows when promises are kept and results are reported back to the people who raised them "
    "schools youth groups and social services each bring knowledge that officers do not have "
    "regular feedback helps every partner see what works and what should change"
).split()


@dataclass
class TrueSection:
    title: str
    level: int
    page: int
    number: str | None
    is_glossary_term: bool = False
    is_box: bool = False  # contents and outlines do not list boxes


@dataclass
class Guidebook:
    path: Path
    sections: list[TrueSection] = field(default_factory=list)
    page_labels: list[str] = field(default_factory=list)
    line_end_hyphenations: list[str] = field(default_factory=list)
    broken_compounds: list[str] = field(default_factory=list)
    body_words: list[str] = field(default_factory=list)
    box_text: str = ""
    box_section: str = ""
    box_host: str = ""
    footnotes: list[str] = field(default_factory=list)
    two_column_page: int = 0
    two_column_paragraphs: tuple[str, str] = ("", "")
    furniture: list[str] = field(default_factory=list)
    pages: int = 0


def _chapters(rng: random.Random, repeat: int) -> list[tuple]:
    """The body as (kind, ...) items; ``repeat`` multiplies the chapters for long documents."""
    base = [
        ("chapter", "I. INTRODUCTION"),
        (
            "para",
            "This handbook gathers practice from many police services. It explains how community-oriented "
            "policing turns the consent of the public into daily work, and why multi-stakeholder "
            "partnerships matter for prevention.{fn:The handbook uses the British spelling throughout.}",
        ),
        ("para", None),
        ("section", "1.1 Purpose of the handbook"),
        (
            "para",
            "The purpose is practical: each chapter ends with steps a police manager can take. Readers "
            "should adapt every step to the legal framework and the resources of their own country.",
        ),
        ("para", None),
        ("chapter", "II. BASIC PRINCIPLES"),
        ("para", None),
        ("section", "2.1 Policing by consent"),
        (
            "para",
            "Policing by consent means that the police draw their authority from public approval rather "
            "than from force alone. Approval depends on fairness, courtesy and visible accountability.",
        ),
        (
            "bullets",
            [
                "Explain decisions to the people they affect.",
                "Record complaints and answer each of them in writing.",
                "Publish figures on stops and searches every quarter.",
            ],
        ),
        ("para", None),
        ("section", "2.2 Trust and legitimacy"),
        ("para", None),
        (
            "box",
            "Good practice: a neighbourhood council",
            "In one district the police meet a council of residents every month. The council sets three "
            "priorities, and officers report back on each of them at the next meeting.",
        ),
        ("para", None),
        ("subsection", "2.2.1 Measuring public confidence"),
        (
            "para",
            "Confidence surveys ask residents whether the police understand local problems and deal with "
            "them. Results are compared across years, not read as single scores.{fn:A survey every "
            "two years is usually enough to see a trend.}",
        ),
        ("para", None),
        ("chapter", "III. PARTNERSHIPS IN PRACTICE"),
        ("para", None),
        ("twocolumn",),
        ("section", "3.1 Working with schools"),
        ("para", None),
        ("subsection", "3.1.1 Youth councils"),
        ("para", "Youth councils give young people a direct line to the officers who patrol their streets."),
        ("para", None),
        ("section", "3.2 Civil society and the media"),
        ("para", None),
        ("para", None),
    ]
    items = []
    for copy in range(repeat):
        for item in base:
            if copy and item[0] in ("chapter", "section", "subsection"):
                number, _, title = item[1].partition(" ")
                item = (
                    item[0],
                    _renumber(number, copy, len([b for b in base if b[0] == "chapter"])) + " " + title,
                )
            if copy and item[0] == "twocolumn":
                continue
            if item[0] == "para" and item[1] is None:
                item = ("para", _filler(rng))
            items.append(item)
    return items


def _roman(n: int) -> str:
    out = ""
    pairs = (
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    )
    for value, numeral in pairs:
        while n >= value:
            out, n = out + numeral, n - value
    return out


_ROMAN = [_roman(n) for n in range(400)]


def _renumber(number: str, copy: int, chapters: int) -> str:
    if number.endswith("."):
        return _ROMAN[_ROMAN.index(number[:-1]) + copy * chapters] + "."
    first, _, rest = number.partition(".")
    return f"{int(first) + copy * chapters}.{rest}"


def _filler(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(3, 5)):
        words = [rng.choice(FILLER) for _ in range(rng.randint(9, 16))]
        words.insert(rng.randrange(len(words)), rng.choice(VOCABULARY))
        if rng.random() < 0.5:
            words.insert(rng.randrange(len(words)), rng.choice(COMPOUNDS))
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


class _Layout:
    def __init__(self, path: Path, truth: Guidebook, toc: list[tuple[str, int, str]]) -> None:
        self.c = canvas.Canvas(str(path), pagesize=A4)
        self.c.setTitle("")
        self.truth = truth
        self.toc = toc
        self.page = 0
        self.y = TOP
        self.footnotes: list[str] = []
        self.footnote_count = 0
        self.label = ""
        self.labels: list[str] = []

    # -- pages ---------------------------------------------------------------

    def new_page(self, label: str, furniture: bool = True) -> None:
        if self.page:
            self._finish_page()
        self.page += 1
        self.label = label
        self.labels.append(label)
        self.has_furniture = furniture
        self.y = TOP

    def next_label(self) -> str:
        if self.label.isdigit():
            return str(int(self.label) + 1)
        return _ROMAN[_ROMAN.index(self.label.upper()) + 1].lower()

    def _finish_page(self) -> None:
        y = BOTTOM - 20
        for text in self.footnotes:
            self.c.setFont(BODY_FONT, 7)
            self.c.drawString(LEFT, y, text)
            y -= 9
        self.footnotes = []
        if self.has_furniture:
            self.c.setFont(BODY_FONT, 8)
            self.c.drawString(LEFT, PAGE_H - 45, HEADER)
            footer = f"Page {self.label}"
            self.c.drawCentredString(PAGE_W / 2, 40, footer)
        self.c.showPage()

    def finish(self) -> None:
        self._finish_page()
        self.c.save()

    def ensure(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.new_page(self.next_label())

    # -- content -------------------------------------------------------------

    def heading(self, text: str, level: int, record: bool = True) -> None:
        size = HEADING_SIZES[level]
        self.ensure(size * 2 + LEADING * 3)
        self.y -= size * 0.8
        self.c.setFont(BOLD_FONT, size)
        self.c.drawString(LEFT, self.y, text)
        self.y -= size * 1.2
        if record:
            number = re.match(r"([IVX]+|[\d.]+)\.? ", text)
            self.truth.sections.append(TrueSection(text, level, self.page, number and number.group(1).rstrip(".")))

    def paragraph(self, text: str, x: float = LEFT, width: float = RIGHT - LEFT, record: bool = True) -> None:
        for line in self.wrap(text, width, record):
            self.ensure(LEADING)
            self.draw_line(line, x)
        self.y -= LEADING * 0.6

    def draw_line(self, line: str, x: float) -> None:
        """Draws a line; "{sup:N}" marks a footnote number set as a superscript."""
        parts = re.split(r"(\{sup:\d+\})", line)
        for part in parts:
            match = re.fullmatch(r"\{sup:(\d+)\}", part)
            if match:
                self.c.setFont(BODY_FONT, 6)
                self.c.drawString(x, self.y + 4, match.group(1))
                x += stringWidth(match.group(1), BODY_FONT, 6)
            elif part:
                self.c.setFont(BODY_FONT, BODY_SIZE)
                self.c.drawString(x, self.y, part)
                x += stringWidth(part, BODY_FONT, BODY_SIZE)
        self.y -= LEADING

    def wrap(self, text: str, width: float, record: bool = True) -> list[str]:
        text = self._footnote_marks(text)
        words = text.split()
        if record:
            self.truth.body_words.extend(re.sub(r"\{sup:\d+\}", "", w).strip(".,;:") for w in words)
        lines, current = [], ""
        for word in words:
            trial = f"{current} {word}".strip()
            if self._width(trial) <= width:
                current = trial
                continue
            broken = self._break(word, current, width)
            if broken:
                head, tail, kind = broken
                lines.append(f"{current} {head}".strip())
                (self.truth.line_end_hyphenations if kind == "typeset" else self.truth.broken_compounds).append(
                    word.strip(".,;:")
                )
                current = tail
            else:
                lines.append(current)
                current = word
        if current:
            lines.append(current)
        return lines

    def _footnote_marks(self, text: str) -> str:
        def mark(match: re.Match) -> str:
            self.footnote_count += 1
            note = f"{self.footnote_count} {match.group(1)}"
            self.footnotes.append(note)
            self.truth.footnotes.append(note)
            return f"{{sup:{self.footnote_count}}}"

        return re.sub(r"\{fn:([^}]*)\}", mark, text)

    def _width(self, line: str) -> float:
        return stringWidth(re.sub(r"\{sup:\d+\}", "", line), BODY_FONT, BODY_SIZE)

    def _break(self, word: str, current: str, width: float):
        """Where a word that does not fit can be split at the line end, if anywhere."""
        core = word.strip(".,;:")
        if "-" in core:
            head = word[: word.index("-") + 1]
            if self._width(f"{current} {head}".strip()) <= width:
                return head, word[len(head) :], "compound"
            return None
        if len(core) < 9 or not core.isalpha():
            return None
        for cut in range(len(core) - 4, 3, -1):
            head = word[:cut] + "-"
            if self._width(f"{current} {head}".strip()) <= width:
                return head, word[cut:], "typeset"
        return None

    def bullets(self, items: list[str]) -> None:
        for item in items:
            lines = self.wrap(item, RIGHT - LEFT - 18)
            for n, line in enumerate(lines):
                self.ensure(LEADING)
                if n == 0:
                    self.c.setFont(BODY_FONT, BODY_SIZE)
                    self.c.drawString(LEFT + 4, self.y, "\u2022")
                self.draw_line(line, LEFT + 18)
        self.y -= LEADING * 0.6

    def box(self, title: str, text: str) -> None:
        lines = self.wrap(text, RIGHT - LEFT - 24)
        height = LEADING * (len(lines) + 1) + 16
        self.ensure(height + 10)
        self.c.setFillGray(0.88)
        self.c.rect(LEFT, self.y - height + 10, RIGHT - LEFT, height, stroke=0, fill=1)
        self.c.setFillGray(0)
        self.y -= 4
        self.c.setFont(BOLD_FONT, BODY_SIZE)
        self.c.drawString(LEFT + 12, self.y, title)
        self.y -= LEADING
        for line in lines:
            self.draw_line(line, LEFT + 12)
        self.y -= 16
        host = self.truth.sections[-1]
        self.truth.sections.append(TrueSection(title, host.level + 1, self.page, None, is_box=True))
        self.truth.box_text = text
        self.truth.box_section = title
        self.truth.box_host = host.title

    def two_columns(self, rng: random.Random) -> None:
        """A page in two columns, drawn row by row (left line, right line) so that
        the content stream interleaves them."""
        self.new_page(self.next_label())
        self.truth.two_column_page = self.page
        column = (RIGHT - LEFT - 24) / 2
        left_text = "Left column. " + _filler(rng) + " " + _filler(rng)
        right_text = "Right column. " + _filler(rng) + " " + _filler(rng)
        left, right = self.wrap(left_text, column), self.wrap(right_text, column)
        self.truth.two_column_paragraphs = (left_text, right_text)
        for n in range(max(len(left), len(right))):
            y = self.y
            if n < len(left):
                self.draw_line(left[n], LEFT)
                self.y = y
            if n < len(right):
                self.draw_line(right[n], LEFT + column + 24)
            self.y = y - LEADING
        self.new_page(self.next_label())


def _render(path: Path, repeat: int, toc: list[tuple[str, int, str]], seed: int) -> Guidebook:
    rng = random.Random(seed)
    truth = Guidebook(path)
    layout = _Layout(path, truth, toc)
    layout.new_page("i", furniture=False)
    layout.c.setFont(BOLD_FONT, 24)
    layout.c.drawString(LEFT, 600, "Partnership Policing Handbook")
    layout.c.setFont(BODY_FONT, 14)
    layout.c.drawString(LEFT, 570, "Good practice for police and the public")
    layout.c.drawString(LEFT, 540, "Test Edition, published by the kb project")

    layout.new_page("ii")
    layout.heading("CONTENTS", 1, record=False)
    layout.c.setFont(BODY_FONT, BODY_SIZE)
    for title, level, label in toc:
        indent = LEFT + 14 * (level - 1)
        dots_from = indent + stringWidth(title, BODY_FONT, BODY_SIZE) + 4
        dots = "." * int((RIGHT - 20 - dots_from) / stringWidth(".", BODY_FONT, BODY_SIZE))
        layout.ensure(LEADING)
        layout.c.drawString(indent, layout.y, f"{title} {dots} {label}")
        layout.y -= LEADING

    layout.new_page(layout.next_label())
    layout.heading("LIST OF ACRONYMS", 1)
    for short, long in ACRONYMS.items():
        layout.c.setFont(BOLD_FONT, BODY_SIZE)
        layout.c.drawString(LEFT, layout.y, short)
        layout.c.setFont(BODY_FONT, BODY_SIZE)
        layout.c.drawString(LEFT + 60, layout.y, long[0].upper() + long[1:])
        layout.y -= LEADING
    layout.y -= LEADING
    layout.heading("GLOSSARY", 1)
    for term, definition in GLOSSARY.items():
        lines = layout.wrap(definition, RIGHT - LEFT - 110, record=False)
        truth.sections.append(TrueSection(term, 2, layout.page, None, is_glossary_term=True))
        layout.c.setFont(BOLD_FONT, BODY_SIZE)
        layout.c.drawString(LEFT, layout.y, term)
        for line in lines:
            layout.c.setFont(BODY_FONT, BODY_SIZE)
            layout.c.drawString(LEFT + 110, layout.y, line)
            layout.y -= LEADING
        layout.y -= LEADING * 0.5

    layout.new_page("1")
    levels = {"chapter": 1, "section": 2, "subsection": 3}
    for item in _chapters(rng, repeat):
        kind = item[0]
        if kind in levels:
            layout.heading(item[1], levels[kind])
        elif kind == "para":
            layout.paragraph(item[1])
        elif kind == "bullets":
            layout.bullets(item[1])
        elif kind == "box":
            layout.box(item[1], item[2])
        elif kind == "twocolumn":
            layout.two_columns(rng)
    layout.finish()
    truth.furniture = [HEADER]
    truth.pages = layout.page
    truth.page_labels = layout.labels
    return truth


def build_guidebook(path: Path, with_outline: bool = True, repeat: int = 1, seed: int = 11) -> Guidebook:
    """Write the PDF at ``path`` and return its true structure."""
    draft = _render(path, repeat, [], seed)
    toc = [
        (s.title, s.level, draft.page_labels[s.page - 1])
        for s in draft.sections
        if not (s.is_glossary_term or s.is_box)
    ]
    truth = _render(path, repeat, toc, seed)

    reader = PdfReader(path)
    writer = PdfWriter(clone_from=reader)
    front = sum(1 for label in truth.page_labels if not label.isdigit())
    writer.set_page_label(0, front - 1, style="/r", start=1)
    writer.set_page_label(front, len(reader.pages) - 1, style="/D", start=1)
    if with_outline:
        parents: dict[int, object] = {}
        for section in (s for s in truth.sections if not (s.is_glossary_term or s.is_box)):
            parent = parents.get(section.level - 1)
            item = writer.add_outline_item(title=section.title, page_number=section.page - 1, parent=parent)
            parents[section.level] = item
    with path.open("wb") as f:
        writer.write(f)
    return truth
