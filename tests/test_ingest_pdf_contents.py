"""Printed contents pages in the layouts real documents use, and what kb takes from them."""

from __future__ import annotations

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from kb.ingest import parse
from kb.passages import make_passages

# (title, level, page) of a small manual; its headings are set like body text.
SECTIONS = [
    ("Policy statement", 1, 2),
    ("What", 2, 2),
    ("Why", 2, 2),
    ("Working with victims", 1, 3),
    ("First contact", 2, 3),
    ("Recording the contact", 3, 3),
    ("Referrals", 2, 4),
]


def _body(pdf: canvas.Canvas, page: int) -> None:
    y = 760
    for title, _, on in SECTIONS:
        if on != page:
            continue
        pdf.setFont("Helvetica", 10)
        pdf.drawString(72, y, title)
        y -= 18
        for k in range(5):
            pdf.drawString(72, y, f"Sentence {k} about {title.lower()} explains what officers do here.")
            y -= 14
        y -= 10


def build_manual(path, layout: str) -> None:
    """A contents page in one of three layouts, then the body pages."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(72, 780, "Table of Contents")
    rows = [(title, level, page, 740 - 20 * n) for n, (title, level, page) in enumerate(SECTIONS)]
    if layout == "numbers drawn first":  # right-aligned numbers as runs of their own, before the titles
        pdf.setFont("Helvetica", 10)
        for _, _, page, y in rows:
            pdf.drawRightString(520, y, str(page))
    for title, level, page, y in rows:
        pdf.setFont("Helvetica", 10)
        x = 72 + 14 * (level - 1)
        if layout == "leaders as runs":
            pdf.drawString(x, y, title)
            pdf.drawString(300, y, ". " * 50)
            pdf.drawRightString(520, y, str(page))
        elif layout == "no leaders":
            pdf.drawString(x, y, f"{title}   {page}")
        else:
            pdf.drawString(x, y, title)
    pdf.showPage()
    for page in (2, 3, 4):
        _body(pdf, page)
        pdf.showPage()
    pdf.save()


@pytest.fixture(params=["numbers drawn first", "leaders as runs", "no leaders"])
def manual(request, tmp_path):
    path = tmp_path / "manual.pdf"
    build_manual(path, request.param)
    parsed = parse(path)
    return make_passages("manual", parsed.sections, parsed.page_labels)


def test_contents_entries_become_the_headings_with_their_levels_and_pages(manual):
    _, outline = manual
    assert [(s.heading, s.level, s.page_start) for s in outline] == SECTIONS


def test_contents_pages_are_never_passages(manual):
    passages, _ = manual
    assert all(p.page_start != 1 for p in passages)
    assert not any("Table of Contents" in p.text for p in passages)
    nested = next(p for p in passages if p.heading_path[-1] == "Recording the contact")
    assert nested.heading_path == ("Working with victims", "First contact", "Recording the contact")


def test_a_page_of_numbered_lines_in_no_order_is_not_contents(tmp_path):
    path = tmp_path / "table.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(72, 780, "Recorded incidents by district")
    for n, (district, count) in enumerate([("North", 40), ("South", 12), ("East", 33), ("West", 7), ("Centre", 21)]):
        pdf.drawString(72, 750 - 16 * n, district)
        pdf.drawRightString(300, 750 - 16 * n, str(count))
    pdf.showPage()
    pdf.save()
    text = " ".join(b.text for s in parse(path).sections for b in s.blocks)
    assert "North" in text and "Centre" in text


def test_contents_ending_on_the_page_where_the_body_begins_with_wrapped_entries(tmp_path):
    """Contents with dot leaders, an entry wrapped over two rows, a date line,
    and the first chapter starting on the contents' last page."""
    path = tmp_path / "manual.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(72, 780, "TABLE OF CONTENTS")
    pdf.drawString(72, 766, "May 24, 2013")
    rows = [
        (72, "PART 1 Regulations", "1"),
        (84, "Chapter 1", "1"),
        (96, "1.01.000 Definitions and Scope", "1"),
        (96, "1.01.005 Diplomatic Immunity and Consular Notification for Foreign", None),
        (96, "Nationals", "2"),
    ]
    y = 740
    for x, title, page in rows:
        pdf.drawString(x, y, title + (" " + "." * 40 + " " + page if page else ""))
        y -= 14
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(72, 600, "PART 1 Regulations")
    pdf.drawString(72, 580, "Chapter 1")
    pdf.drawString(72, 560, "1.01.000 Definitions and Scope")
    pdf.setFont("Helvetica", 10)
    for k in range(6):
        pdf.drawString(72, 540 - 14 * k, f"Definition sentence {k} of the manual.")
    pdf.showPage()
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(72, 760, "1.01.005 Diplomatic Immunity and Consular Notification for Foreign")
    pdf.drawString(72, 744, "Nationals")
    pdf.setFont("Helvetica", 10)
    pdf.drawString(72, 720, "Consular notification sentence.")
    pdf.showPage()
    pdf.save()
    parsed = parse(path)
    passages, outline = make_passages("manual", parsed.sections, parsed.page_labels)
    assert [(s.heading, s.level, s.page_start) for s in outline] == [
        ("PART 1 Regulations", 1, 1),
        ("Chapter 1", 2, 1),
        ("1.01.000 Definitions and Scope", 3, 1),
        ("1.01.005 Diplomatic Immunity and Consular Notification for Foreign Nationals", 3, 2),
    ]
    assert [p.text for p in passages if "...." in p.text or "2013" in p.text] == []


def test_a_policy_box_below_the_last_entry_does_not_take_the_headings_above_it_for_contents(tmp_path):
    """The contents end on the page where the body begins, and the first
    policy's box below its headings ends in a number ("Page 1 of 4"), as an
    entry does: but its number goes back before the entries' pages, so it
    is body, and the part and chapter headings above it stay."""
    path = tmp_path / "manual.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(72, 780, "TABLE OF CONTENTS")
    y = 750
    for x, title, page in [(72, "PART 1 Regulations", "1"), (84, "Chapter 1", "1"),
                           (96, "3.10.070 Safe Haven for Infants", "9"), (96, "3.10.075 School Protocol", "11"),
                           (96, "3.10.080 Tire Deflation Devices", "12")]:  # fmt: skip
        pdf.drawString(x, y, f"{title} {'.' * 40} {page}")
        y -= 14
    pdf.setFont("Helvetica", 16)
    pdf.drawString(72, 660, "PART 1 Regulations")
    pdf.drawString(72, 640, "Chapter 1")
    pdf.setFont("Helvetica", 10)
    pdf.drawString(72, 620, "Definitions and Scope of Manual        8/5/2009        Page 1 of 4")
    for k in range(8):
        pdf.drawString(72, 600 - 14 * k, f"Definition sentence {k} of the manual for officers.")
    pdf.showPage()
    for n in range(4):
        pdf.setFont("Helvetica", 10)
        for k in range(20):
            pdf.drawString(72, 760 - 14 * k, f"Sentence {k} of page {n + 2} on patrol duties.")
        pdf.showPage()
    pdf.save()
    parsed = parse(path)
    headings = [s.heading_path for s in parsed.sections]
    assert ("PART 1 Regulations", "Chapter 1") in headings
    text = " ".join(b.text for s in parsed.sections for b in s.blocks)
    assert "Definition sentence 0" in text and "Tire Deflation" not in text


def test_roman_page_labels_are_pages_but_words_of_roman_letters_are_not():
    from kb.ingest.pdf.contents import _entry, _Row
    from kb.ingest.pdf.extract import Line

    def row(text: str) -> _Row:
        return _Row([Line(text, 72, 700, 10, False, 1)])

    assert _entry(row("Foreword . . . . . iv")) == ("Foreword", "iv")
    assert _entry(row("Acronyms xii")) == ("Acronyms", "xii")
    assert _entry(row("This policy does not enlarge an employee's civil")) is None
    assert _entry(row("Rules for the Chief of Police mix")) is None
