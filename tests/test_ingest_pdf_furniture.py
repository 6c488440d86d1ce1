"""Page furniture that real police manuals carry: metadata boxes, running heads
that change with the chapter, bookmarks a binder made."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from kb.ingest import parse
from kb.passages import make_passages

POLICIES = ["Duty Requirements", "Unbiased Policing", "Use of Police Vehicles"]


def _text(parsed) -> str:
    return " ".join(b.text for s in parsed.sections for b in s.blocks)


def build_orders(path, bookmarks: bool = False) -> None:
    """Three policies of two pages each: every policy opens with a box of
    labels and values; each page carries the policy's own running head and a
    "Page N of M" foot."""
    pdf = canvas.Canvas(str(path), pagesize=letter)
    for n, title in enumerate(POLICIES, start=1):
        for page in (1, 2):
            pdf.setFont("Helvetica", 9)
            pdf.drawString(72, 760, f"G0{n}-02 {title}")
            pdf.drawString(72, 30, "© Metro Police Department")
            pdf.drawRightString(540, 30, f"Page {page} of 2")
            y = 720
            if page == 1:
                pdf.setFont("Helvetica", 9)
                pdf.drawString(72, y, "Policy and Procedure Title")
                pdf.drawString(320, y, "Effective Date")
                pdf.setFont("Helvetica", 10)
                pdf.drawString(72, y - 12, title)
                pdf.drawString(320, y - 12, f"{n}/5/2009")
                pdf.setFont("Helvetica", 9)
                pdf.drawString(72, y - 26, "Replaces Prior Policy:")
                pdf.drawString(320, y - 26, "Approved by:")
                pdf.setFont("Helvetica", 10)
                pdf.drawString(72, y - 38, "Current")
                pdf.drawString(320, y - 38, "Chief of Police")
                pdf.setFont("Helvetica-Bold", 14)
                pdf.drawString(72, y - 70, f"{n}.01.000 {title}")
                y -= 100
            pdf.setFont("Helvetica", 10)
            for k in range(10):
                pdf.drawString(72, y - 14 * k, f"Rule {k} of {title.lower()} binds every officer on duty.")
            pdf.showPage()
    pdf.save()
    if bookmarks:
        writer = PdfWriter(clone_from=PdfReader(path))
        binder = writer.add_outline_item(title="Binder1.pdf", page_number=0)
        writer.add_outline_item(title="G01-02_Orders_DRAFT_17MAY17", page_number=0, parent=binder)
        for n in range(3):
            writer.add_outline_item(title=str(n + 1), page_number=2 * n, parent=binder)
            writer.add_outline_item(title="Blank Page", page_number=2 * n + 1, parent=binder)
        with open(path, "wb") as f:
            writer.write(f)


def test_metadata_boxes_and_running_heads_of_each_policy_are_not_text(tmp_path):
    path = tmp_path / "orders.pdf"
    build_orders(path)
    text = _text(parse(path))
    for furniture in ("Effective Date", "Approved by", "Replaces Prior Policy", "Page 1 of 2", "© Metro", "G02-02"):
        assert furniture not in text
    assert "Rule 9 of unbiased policing binds every officer on duty." in text


def test_policy_headings_are_found_after_the_box(tmp_path):
    path = tmp_path / "orders.pdf"
    build_orders(path)
    parsed = parse(path)
    _, outline = make_passages("orders", parsed.sections, parsed.page_labels)
    assert [(s.heading, s.page_start) for s in outline] == [
        (f"{n}.01.000 {title}", 2 * n - 1) for n, title in enumerate(POLICIES, start=1)
    ]


def test_bookmarks_naming_files_numbers_and_blank_pages_are_dropped(tmp_path):
    path = tmp_path / "binder.pdf"
    build_orders(path, bookmarks=True)
    headings = [s.heading_path[-1] for s in parse(path).sections if s.heading_path]
    assert headings == [f"{n}.01.000 {title}" for n, title in enumerate(POLICIES, start=1)]


def test_lines_set_smaller_than_the_body_are_never_headings(tmp_path):
    path = tmp_path / "form.pdf"
    pdf = canvas.Canvas(str(path), pagesize=letter)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(72, 740, "INCIDENT REPORT")
    pdf.setFont("Helvetica", 10)
    for k in range(12):
        pdf.drawString(72, 710 - 14 * k, f"Officers complete section {k} of the report after every incident.")
    pdf.setFont("Helvetica-Bold", 6)
    for k, label in enumerate(["SUBJECT", "INFORMATION", "WITNESSES"]):
        pdf.drawString(72 + 120 * k, 500, label)
    pdf.showPage()
    pdf.save()
    headings = [s.heading_path[-1] for s in parse(path).sections if s.heading_path]
    assert "SUBJECT" not in headings and "WITNESSES" not in headings


TERMS = {
    "Active case management": "The actions undertaken from the first attendance through to the integrated response.",
    "Child or young person exposed to harm": "A person under 18 who sees or hears harm between the adults of the home.",
    "Frontline safety plan": "A plan made at the scene with the person at risk.",
}


def build_definitions_table(path, order: str) -> None:
    """A definitions table whose terms wrap in a narrow left column; the
    stream draws row by row of type, each term before its definition, or the
    definition's first line first with the term set a little lower beside it."""
    pdf = canvas.Canvas(str(path), pagesize=letter)
    for n, title in enumerate(["Overview", "Procedures"]):
        pdf.setFont("Helvetica-Bold", 16)
        pdf.drawString(30, 740, title)
        pdf.setFont("Helvetica", 10)
        for k in range(14):
            pdf.drawString(30, 710 - 14 * k, f"Line {k} of the {title.lower()} on family harm.")
        if n == 0:
            pdf.showPage()
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(30, 480, "Definitions")
    pdf.setFont("Helvetica", 10)
    y = 450
    for term, definition in TERMS.items():
        words = term.split()
        term_lines = [" ".join(words[i : i + 2]) for i in range(0, len(words), 2)]
        def_words = definition.split()
        def_lines = [" ".join(def_words[i : i + 7]) for i in range(0, len(def_words), 7)]
        rows = max(len(term_lines), len(def_lines))
        if order == "terms-first":
            for k, text in enumerate(term_lines):
                pdf.drawString(30, y - 12 * k, text)
            for k, text in enumerate(def_lines):
                pdf.drawString(110, y - 12 * k, text)
        elif order == "definition-first":
            for k in range(rows):
                if k < len(def_lines):
                    pdf.drawString(110, y - 12 * k, def_lines[k])
                if k < len(term_lines):
                    pdf.drawString(30, y - 12 * k - 4, term_lines[k])
        else:
            for k in range(rows):
                if k < len(term_lines):
                    pdf.drawString(30, y - 12 * k, term_lines[k])
                if k < len(def_lines):
                    pdf.drawString(110, y - 12 * k, def_lines[k])
        y -= 12 * rows + 16
    pdf.showPage()
    pdf.save()


@pytest.mark.parametrize("order", ["row-by-row", "terms-first", "definition-first"])
def test_wrapped_terms_of_a_definitions_table_are_whole_headings(tmp_path, order):
    path = tmp_path / "definitions.pdf"
    build_definitions_table(path, order)
    sections = [s for s in parse(path).sections if len(s.heading_path) == 2]
    assert [(s.heading_path[-1], " ".join(b.text for b in s.blocks)) for s in sections] == list(TERMS.items())


def test_running_text_whose_rows_are_drawn_in_two_pieces_is_no_table(tmp_path):
    """A page of running text where a few scattered rows are drawn in two
    pieces (a link, or words set one by one): the second pieces start at one
    x on several rows, as a table's right cells do, but lines of text run
    across that x between them. No heading or sentence may be cut there."""
    path = tmp_path / "policy.pdf"
    pdf = canvas.Canvas(str(path), pagesize=letter)
    sentence = "Police should listen to the victim and note their view on whether or not to prosecute the case."

    def in_two(x, y, left, right, font, size):  # the second piece where a word space puts it: x 190 here
        pdf.setFont(font, size)
        pdf.drawString(x, y, left)
        pdf.drawString(190, y, right)

    pdf.setFont("Helvetica-Bold", 22)
    pdf.drawString(30, 740, "Family harm policy")
    pdf.setFont("Helvetica", 10)
    for k in range(20):
        pdf.drawString(30, 700 - 14 * k, f"Line {k} of the opening pages on safety planning with victims.")
    pdf.showPage()
    in_two(30, 740, "Prosecution or case", "disposition", "Helvetica-Bold", 16)
    pdf.setFont("Helvetica-Bold", 13)
    pdf.drawString(30, 716, "Prosecution")
    y = 696
    for k in range(12):
        if k in (1, 6):
            in_two(30, y, "offending, do not be influenced by", f"their view on prosecution, row {k}.", "Helvetica", 10)
        else:
            pdf.setFont("Helvetica", 10)
            pdf.drawString(30, y, f"{sentence} Row {k}.")
        y -= 14
    pdf.showPage()
    pdf.save()
    parsed = parse(path)
    assert [s.heading_path for s in parsed.sections][-1] == ("Prosecution or case disposition", "Prosecution")
    text = _text(parsed)
    assert "offending, do not be influenced by their view on prosecution, row 1." in text
    assert "offending, do not be influenced by their view on prosecution, row 6." in text


def test_a_heading_repeated_at_the_top_of_the_next_page_is_not_a_new_section(tmp_path):
    path = tmp_path / "report.pdf"
    pdf = canvas.Canvas(str(path), pagesize=letter)
    for title in ("OVERVIEW", "INCIDENT REVIEW", "INCIDENT REVIEW"):
        pdf.setFont("Helvetica-Bold", 14)
        pdf.drawString(72, 700, title)
        pdf.setFont("Helvetica", 10)
        for k in range(16):
            pdf.drawString(72, 680 - 14 * k, f"Line {k} of the {title.lower()} for the supervisor.")
        pdf.showPage()
    pdf.save()
    assert [s.heading_path for s in parse(path).sections] == [("OVERVIEW",), ("INCIDENT REVIEW",)]


def test_a_running_head_naming_each_chapter_goes_even_when_no_two_pages_share_it(tmp_path):
    path = tmp_path / "handbook.pdf"
    pdf = canvas.Canvas(str(path), pagesize=letter)
    topics = ["Trust", "Youth", "Schools", "Media", "Victims", "Review"]
    for n, topic in enumerate(topics, start=1):
        pdf.setFont("Helvetica", 8)
        pdf.drawString(72, 760, f"Partnership Handbook | {topic} work {'and notes' * (n % 2)}")
        pdf.setFont("Helvetica-Bold", 16)
        pdf.drawString(72, 700, f"{n}. {topic}")
        pdf.setFont("Helvetica", 10)
        for k in range(12):
            pdf.drawString(72, 670 - 14 * k, f"Sentence {k} on {topic.lower()} for officers.")
        pdf.showPage()
    pdf.save()
    parsed = parse(path)
    assert "Partnership Handbook" not in _text(parsed)
    assert [s.heading_path for s in parsed.sections] == [(f"{n}. {t}",) for n, t in enumerate(topics, start=1)]


def test_a_foot_that_names_its_page_goes_whether_the_number_shares_its_row_or_not(tmp_path):
    """A two-page form inside a binder of orders: its foot carries the form's
    number and "Page N", on the foot's own row on one page and apart on the
    next, as producers do; pages too few to make it a running foot."""
    path = tmp_path / "binder.pdf"
    pdf = canvas.Canvas(str(path), pagesize=letter)
    for n in range(6):
        pdf.setFont("Helvetica-Bold", 14)
        pdf.drawString(72, 700, f"ORDER {n + 1}" if n < 4 else "REPORT FORM")
        pdf.setFont("Helvetica", 10)
        for k in range(16):
            pdf.drawString(72, 680 - 14 * k, f"Line {k} of the order for the supervisor on duty.")
        if n == 4:
            pdf.setFont("Helvetica", 8)
            pdf.drawString(72, 30, "FORM-11.377 (Rev. 3)")
            pdf.drawString(500, 27, "Page 1")
        if n == 5:
            pdf.setFont("Helvetica", 8)
            pdf.drawString(72, 30, "FORM-11.377 (Rev. 3) Page 2")
        pdf.showPage()
    pdf.save()
    text = _text(parse(path))
    assert "FORM-11.377" not in text
    assert "Page 1" not in text and "Page 2" not in text
    assert "Line 15 of the order" in text


def test_a_cover_of_title_and_publisher_is_no_passage_but_a_first_page_with_sentences_is(tmp_path):
    def build(path, first_page: list[str]) -> None:
        pdf = canvas.Canvas(str(path), pagesize=letter)
        pdf.setFont("Helvetica-Bold", 24)
        for k, line in enumerate(first_page):
            pdf.drawString(72, 600 - 40 * k, line)
        pdf.showPage()
        pdf.setFont("Helvetica-Bold", 14)
        pdf.drawString(72, 700, "1. Purpose")
        pdf.setFont("Helvetica", 10)
        for k in range(12):
            pdf.drawString(72, 680 - 14 * k, f"Sentence {k} on family harm for officers.")
        pdf.showPage()
        pdf.save()

    build(tmp_path / "cover.pdf", ["Police Instructions", "Family harm policy", "Metro Police 2024"])
    passages, _ = make_passages("doc", parse(tmp_path / "cover.pdf").sections)
    assert [p.heading_path for p in passages] == [("1. Purpose",)]
    build(tmp_path / "note.pdf", ["Family harm policy", "This note explains what changed."])
    passages, _ = make_passages("doc", parse(tmp_path / "note.pdf").sections)
    assert "This note explains what changed." in passages[0].text


def test_a_scanned_page_inside_a_born_digital_document_is_named_in_a_warning(tmp_path):
    """A released document with some pages scanned: those pages carry the
    running head and foot as text, and the rest is an image. Their words are
    not searchable, and kb says which pages they are. A page with only a
    small logo besides its head and foot is not taken for a scan."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    picture = ImageReader(Image.new("L", (8, 8), 128))  # a tiny grey image, scaled up on the page as a scan is
    path = tmp_path / "released.pdf"
    pdf = canvas.Canvas(str(path), pagesize=letter)
    for n in range(1, 7):
        pdf.setFont("Helvetica", 8)
        pdf.drawString(250, 770, "Family harm policy and procedures")
        pdf.drawString(72, 30, "Proactively released by the police")
        if n == 3:
            pdf.drawImage(picture, 50, 60, width=510, height=690)
        elif n == 5:
            pdf.drawImage(picture, 72, 700, width=40, height=40)
        else:
            pdf.setFont("Helvetica", 10)
            for k in range(12):
                pdf.drawString(72, 700 - 14 * k, f"Line {k} of page {n} on safety planning with victims.")
        pdf.showPage()
    pdf.save()
    parsed = parse(path)
    scanned = [w for w in parsed.warnings if "not searchable" in w]
    assert scanned == [
        "page 3: an image with no text but its running head and foot (scanned?): the words on it are not searchable"
    ]
    assert "Line 11 of page 6" in _text(parsed) and "Proactively released" not in _text(parsed)


def test_a_blank_form_keeps_its_title_and_drops_its_field_labels(tmp_path):
    """An order with its report form attached: the form's field labels, small
    capitals in boxes, are no text to search, but its title stays a section.
    A page set in capitals at the body's size (a statute's shouted clause)
    is text, and stays whole."""
    labels = ["DATE OF INCIDENT", "TIME", "ADDRESS OF OCCURRENCE", "BEAT", "STAR NO.", "SIGNATURE", "YES  NO"]
    path = tmp_path / "order.pdf"
    pdf = canvas.Canvas(str(path), pagesize=letter)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(72, 720, "1. Reporting Force")
    pdf.setFont("Helvetica", 10)
    for k in range(20):
        pdf.drawString(72, 700 - 14 * k, f"Rule {k}: every member files the report before the end of the shift.")
    pdf.showPage()
    pdf.setFont("Helvetica", 10)
    for k in range(24):
        pdf.drawString(72, 720 - 14 * k, f"CLAUSE {k}. NO MEMBER SHALL WITHHOLD THE REPORT FROM A SUPERVISOR.")
    pdf.showPage()
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(40, 750, "INCIDENT REPORT FORM/Metro Police")
    pdf.setFont("Helvetica", 6)
    for row in range(12):
        for column in range(3):
            x, y = 40 + 180 * column, 720 - 50 * row
            pdf.rect(x, y - 30, 175, 40)
            pdf.drawString(x + 2, y + 2, labels[(row + column) % len(labels)])
    pdf.showPage()
    pdf.save()
    parsed = parse(path)
    passages, _ = make_passages("doc", parsed.sections)
    text = " ".join(p.text for p in passages)
    assert "INCIDENT REPORT FORM/Metro Police" in [s.heading_path[-1] for s in parsed.sections]
    assert "DATE OF INCIDENT" not in text and "STAR NO." not in text
    assert "Rule 19: every member files the report" in text
    assert "CLAUSE 23. NO MEMBER SHALL WITHHOLD THE REPORT" in text


def build_report(path, frame: str = "") -> None:
    """As LaTeX's report class sets a book on A4 with its default margins: each
    chapter opens a page under a large title, with its number in the foot; on
    the pages after, a slanted head names the chapter beside the page number,
    12% from the top edge, and the foot is empty. ``frame`` draws a box of good
    practice on each chapter's second page: "lines" as pdfTeX's \\fbox does
    (four stroked rules), "cells" as a table row of two bordered cells."""
    from reportlab.lib.pagesizes import A4

    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Times-Roman", 24)
    pdf.drawCentredString(297, 600, "Partnership Policing Handbook")
    pdf.showPage()
    chapters = ["I. TRUST", "II. YOUTH WORK", "III. SCHOOLS"]
    number = 1
    for chapter in chapters:
        for page in range(3):
            if page == 0:
                pdf.setFont("Times-Bold", 24)
                pdf.drawString(118, 624, chapter)
                pdf.setFont("Times-Roman", 11)
                pdf.drawCentredString(297, 92, str(number))
                top = 571
            else:
                pdf.setFont("Times-Italic", 11)
                pdf.drawString(118, 740, chapter)
                pdf.drawRightString(477, 740, str(number))
                top = 704
            pdf.setFont("Times-Roman", 11)
            y = top
            if page == 1 and frame:
                pdf.setFont("Times-Bold", 11)
                pdf.drawString(122, y, f"Good practice: {chapter.split('. ')[1].lower()} in one district")
                pdf.setFont("Times-Roman", 11)
                pdf.drawString(122, y - 14, "A council of residents meets the police every month.")
                if frame == "lines":
                    for x0, y0, x1, y1 in ((118, y + 12, 470, y + 12), (118, y - 20, 470, y - 20),
                                           (118, y - 20, 118, y + 12), (470, y - 20, 470, y + 12)):  # fmt: skip
                        pdf.line(x0, y0, x1, y1)
                else:
                    pdf.rect(118, y - 20, 176, 32)
                    pdf.rect(294, y - 20, 176, 32)
                y -= 44
            for k in range(20):
                pdf.drawString(
                    118, y - 13.6 * k, f"Line {k} of the {chapter.split('. ')[1].lower()} chapter, page {page}."
                )
            pdf.showPage()
            number += 1
    pdf.save()


def test_a_latex_running_head_and_foot_go_though_they_stand_inside_the_edge_bands(tmp_path):
    """The head at 12% from the top names its chapter on two pages only; the
    chapter's opening page has its number in the foot, 11% from the bottom."""
    path = tmp_path / "report.pdf"
    build_report(path)
    parsed = parse(path)
    passages, _ = make_passages("doc", parsed.sections, parsed.page_labels)
    text = " ".join(p.text for p in passages)
    assert [s.heading_path for s in parsed.sections if s.heading_path] == [("I. TRUST",), ("II. YOUTH WORK",),
                                                                          ("III. SCHOOLS",)]  # fmt: skip
    for chapter in ("I. TRUST", "II. YOUTH WORK", "III. SCHOOLS"):
        assert chapter not in text
    assert not re.search(r"\.\s+\d+\s+Line 0", text)  # no page number between a page's last line and the next


def test_a_box_drawn_as_four_rules_is_its_own_section_and_a_table_row_is_not(tmp_path):
    framed, table = tmp_path / "framed.pdf", tmp_path / "table.pdf"
    build_report(framed, frame="lines")
    build_report(table, frame="cells")
    boxed = [s.heading_path for s in parse(framed).sections if s.heading_path]
    assert boxed[:2] == [("I. TRUST",), ("I. TRUST", "Good practice: trust in one district")]
    assert [s.heading_path for s in parse(table).sections if s.heading_path] == [("I. TRUST",), ("II. YOUTH WORK",),
                                                                                ("III. SCHOOLS",)]  # fmt: skip


def test_a_chapter_label_set_above_its_title_is_part_of_the_heading(tmp_path):
    """LaTeX opens a numbered chapter with "Chapter 2" in large type over the
    title; the two are one heading, and the label is never text closing the
    chapter before. A label over a numbered heading heads a division of its own."""
    from reportlab.lib.pagesizes import A4

    path = tmp_path / "numbered.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Times-Roman", 24)
    pdf.drawCentredString(297, 600, "Partnership Policing Handbook")
    pdf.showPage()
    for n, title in enumerate(["Trust", "Youth work"], start=1):
        pdf.setFont("Times-Bold", 20)
        pdf.drawString(118, 660, f"Chapter {n}")
        pdf.setFont("Times-Bold", 24)
        pdf.drawString(118, 615, title)
        pdf.setFont("Times-Roman", 11)
        for k in range(25):
            pdf.drawString(118, 570 - 13.6 * k, f"Line {k} about {title.lower()} for officers on patrol.")
        pdf.showPage()
    pdf.setFont("Times-Bold", 20)
    pdf.drawString(118, 660, "Chapter 3")
    pdf.setFont("Times-Bold", 14)
    pdf.drawString(118, 620, "3.01 Scope of the rules")
    pdf.setFont("Times-Roman", 11)
    for k in range(25):
        pdf.drawString(118, 590 - 13.6 * k, f"Rule line {k} applies to every officer.")
    pdf.showPage()
    pdf.save()
    parsed = parse(path)
    headings = [s.heading_path for s in parsed.sections if s.heading_path]
    assert headings[:2] == [("Chapter 1 Trust",), ("Chapter 2 Youth work",)]
    assert any(path[-1] == "Chapter 3" for path in headings)  # not joined to the numbered heading under it
    assert any(path[-1] == "3.01 Scope of the rules" for path in headings)
    assert "Chapter 2" not in " ".join(b.text for s in parsed.sections for b in s.blocks)


def test_words_set_bold_inside_a_sentence_of_a_terminology_section_are_no_term(tmp_path):
    """Under "Terminology" a bold lead-in opens an entry; bold words that carry
    on a sentence from the line before are emphasis, not a term."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    path = tmp_path / "terms.pdf"
    pdf = canvas.Canvas(str(path), pagesize=letter)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(72, 720, "Terminology")
    rows = [
        ("", "The roles people play are described by the part each has played in the"),
        ("wider context of harm", " in that family. These roles follow."),
        ("Primary victim", " the person most at risk from the harm."),
        ("Person at risk", " anyone else whose safety is in danger."),
    ]
    for n, (bold, rest) in enumerate(rows):
        y = 690 - 16 * n
        pdf.setFont("Helvetica-Bold", 10)
        pdf.drawString(72, y, bold)
        pdf.setFont("Helvetica", 10)
        pdf.drawString(72 + stringWidth(bold, "Helvetica-Bold", 10), y, rest)
    pdf.showPage()
    pdf.save()
    parsed = parse(path)
    headings = [s.heading_path[-1] for s in parsed.sections if s.heading_path]
    assert headings[-2:] == ["Primary victim", "Person at risk"] and "wider context of harm" not in headings
    assert "played in the wider context of harm in that family." in _text(parsed)
