import re

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import Fit
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from kb import IngestError
from kb.ingest import parse
from kb.ingest.pdf.extract import Line, Page, _respace_from_layout, mend_spacing, read_page
from kb.passages import make_passages


def all_blocks(parsed):
    return [b for s in parsed.sections for b in s.blocks]


def test_pdf_text_is_read_page_by_page_with_page_numbers(make_pdf):
    path = make_pdf(
        "report.pdf",
        [
            ["Annual Partnership Report", "Introduction to the yearly review."],
            ["Second page speaks about school liaison officers."],
            ["Third page covers victim support."],
        ],
        title="Annual Partnership Report 2024",
    )
    parsed = parse(path)
    assert parsed.kind == "pdf"
    assert parsed.pages == 3
    assert parsed.title == "Annual Partnership Report 2024"
    pages = {b.page for b in all_blocks(parsed)}
    assert pages == {1, 2, 3}
    second = [b.text for b in all_blocks(parsed) if b.page == 2]
    assert "Second page speaks about school liaison officers." in " ".join(second)


def test_pdf_title_comes_from_first_line_when_metadata_has_none(make_pdf):
    parsed = parse(make_pdf("untitled.pdf", [["Patrol Handbook", "Some body text here."]]))
    assert parsed.title == "Patrol Handbook"


def test_pdf_page_without_text_layer_is_a_warning_not_a_failure(make_pdf):
    parsed = parse(make_pdf("mixed.pdf", [["A page with words."], [], ["Another page with words."]]))
    assert parsed.warnings == ["page 2: no text layer (scanned image?)"]
    assert {b.page for b in all_blocks(parsed)} == {1, 3}


def test_pdf_without_any_text_is_an_error(make_pdf):
    with pytest.raises(IngestError, match="no text"):
        parse(make_pdf("scan.pdf", [[], []]))


def test_pdf_encrypted_with_empty_user_password_opens(make_pdf):
    parsed = parse(make_pdf("open.pdf", [["Readable although encrypted."]], encrypt=""))
    assert "Readable although encrypted." in all_blocks(parsed)[0].text


def test_pdf_with_a_user_password_says_so(make_pdf):
    path = make_pdf("locked.pdf", [["Secret."]], encrypt="s3cret")
    with pytest.raises(IngestError, match="--password") as raised:
        parse(path)
    assert raised.value.path == str(path)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a pdf at all",
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog",
        b"%PDF-1.7\n" + bytes(range(256)) * 40,
    ],
)
def test_broken_pdfs_become_one_ingest_error(write, content):
    path = write("broken.pdf", content)
    with pytest.raises(IngestError) as raised:
        parse(path)
    assert raised.value.path == str(path)
    assert "\n" not in str(raised.value)


def test_truncated_pdf_is_an_ingest_error(make_pdf, write):
    good = make_pdf("good.pdf", [["Some words on a page."]] * 3).read_bytes()
    path = write("truncated.pdf", good[: len(good) // 2])
    with pytest.raises(IngestError):
        parse(path)


def aes_encrypted(source, target, user_password: str):
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-256")
    with open(target, "wb") as f:
        writer.write(f)
    return target


def test_aes_pdf_with_empty_user_password_opens(make_pdf, tmp_path):
    plain = make_pdf("plain.pdf", [["Readable behind AES."]])
    parsed = parse(aes_encrypted(plain, tmp_path / "aes.pdf", ""))
    assert "Readable behind AES." in all_blocks(parsed)[0].text


def test_password_opens_a_protected_pdf_and_a_wrong_one_says_so(make_pdf, tmp_path):
    locked = aes_encrypted(make_pdf("p.pdf", [["Behind a password."]]), tmp_path / "locked.pdf", "s3cret")
    with pytest.raises(IngestError, match="--password"):
        parse(locked)
    assert "Behind a password." in all_blocks(parse(locked, password="s3cret"))[0].text
    with pytest.raises(IngestError, match="password given is wrong"):
        parse(locked, password="nope")


def test_running_header_goes_but_chapter_headings_opening_pages_stay(tmp_path):
    path = tmp_path / "chapters.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for n in range(1, 5):
        pdf.setFont("Helvetica", 8)
        pdf.drawString(72, 820, "Annual Review of Community Safety")
        pdf.setFont("Helvetica-Bold", 18)
        pdf.drawString(72, 790, f"{n}. Chapter number {n}")
        pdf.setFont("Helvetica", 10)
        for k in range(12):
            pdf.drawString(72, 740 - 14 * k, f"Body line {k} of chapter {n} about neighbourhood patrols.")
        pdf.drawString(290, 30, str(n))
        pdf.showPage()
    pdf.save()
    parsed = parse(path)
    assert [s.heading_path for s in parsed.sections] == [(f"{n}. Chapter number {n}",) for n in range(1, 5)]
    text = " ".join(b.text for b in all_blocks(parsed))
    assert "Annual Review" not in text
    assert not re.search(r"patrols\. \d\b", text)


def test_headings_an_outline_leaves_out_are_restored_above_it(tmp_path):
    path = tmp_path / "partial-outline.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for n in (1, 2):
        pdf.setFont("Helvetica-Bold", 20)
        pdf.drawString(72, 760, f"{n}. Part {n} of the review")
        pdf.setFont("Helvetica-Bold", 14)
        pdf.drawString(72, 720, f"{n}.1 Findings for part {n}")
        pdf.setFont("Helvetica", 10)
        for k in range(8):
            pdf.drawString(72, 690 - 14 * k, f"Findings line {k} on trust in part {n}.")
        pdf.showPage()
    pdf.save()
    writer = PdfWriter(clone_from=PdfReader(path))
    for n in (1, 2):  # an outline naming only the second level
        writer.add_outline_item(title=f"{n}.1 Findings for part {n}", page_number=n - 1)
    with open(path, "wb") as f:
        writer.write(f)
    paths = [s.heading_path for s in parse(path).sections]
    assert paths == [
        ("1. Part 1 of the review",),
        ("1. Part 1 of the review", "1.1 Findings for part 1"),
        ("2. Part 2 of the review",),
        ("2. Part 2 of the review", "2.1 Findings for part 2"),
    ]


def test_spaces_put_inside_words_go_but_spaces_between_words_stay():
    lines = [
        Line("pre vention and or ganisations", 72, 700, 10, False, 1),
        Line("two words", 72, 686, 10, False, 1),
        Line("left column text", 72, 672, 10, False, 1),
        Line("the information is used in the region", 72, 658, 10, False, 1),
        Line("information and prevention is used in a region", 72, 644, 10, False, 1),
        Line("more information is used in each region", 72, 630, 10, False, 1),
    ]
    layout = (
        "  prevention   and organisations\n  two words\n  left column text      right column text\n"
        "  the informationis usedin the region\n"
    )
    _respace_from_layout(lines, layout)
    mend_spacing([Page(1, "1", 595, 842, lines)])
    assert [line.text for line in lines[:4]] == [
        "prevention and organisations",
        "two words",
        "left column text",
        "the information is used in the region",
    ]


def test_outline_titles_match_printed_numbered_headings_and_otherwise_their_position(tmp_path):
    path = tmp_path / "numbered.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(72, 760, "1 Basic principles")
    pdf.setFont("Helvetica", 10)
    for k in range(4):
        pdf.drawString(72, 730 - 14 * k, f"Principle line {k}.")
    for k in range(4):  # a section whose heading is drawn as an image: only the outline names it
        pdf.drawString(72, 600 - 14 * k, f"Unnamed line {k}.")
    pdf.showPage()
    pdf.save()
    writer = PdfWriter(clone_from=PdfReader(path))
    writer.add_outline_item(title="Basic principles", page_number=0, fit=Fit.xyz(left=72, top=775))
    writer.add_outline_item(title="Hidden section", page_number=0, fit=Fit.xyz(left=72, top=620))
    with open(path, "wb") as f:
        writer.write(f)
    sections = parse(path).sections
    assert [(s.heading_path, s.number) for s in sections] == [
        (("1 Basic principles",), "1"),
        (("Hidden section",), None),
    ]
    assert sections[1].blocks[0].text.startswith("Unnamed line 0.")


def test_title_is_never_a_scanner_id_or_the_contents_heading_and_author_and_date_fill_the_metadata(tmp_path):
    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle("C454e07488-20220520114215")
    pdf.setAuthor("New Zealand Police")
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawString(72, 780, "Victims (Police service to victims)")
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 740, "Police serve victims of crime in the ways this chapter sets out.")
    pdf.showPage()
    pdf.save()
    parsed = parse(path)
    assert parsed.title == "Victims (Police service to victims)"
    assert parsed.metadata.publisher == "New Zealand Police"
    assert parsed.metadata.year == PdfReader(path).metadata.creation_date.year


def test_a_first_page_headed_contents_does_not_title_the_document(make_pdf):
    path = make_pdf("manual.pdf", [["Table of Contents", "Scope of the manual"], ["Scope of the manual"]])
    assert parse(path).title != "Table of Contents"


def test_a_piece_that_goes_back_left_on_another_baseline_starts_a_new_line():
    from kb.ingest.pdf.extract import _lines

    pieces = [
        ("A person is in a family relationship if the person:", 95, 788.5, 9.6, False),
        (" Family", 30, 784.0, 9.6, True),
        ("\n", 0, 0, 9.6, False),
        ("relationship", 30, 772.3, 9.6, True),
    ]
    assert [line.text for line in _lines(pieces, 1, 595)] == [
        "A person is in a family relationship if the person:",
        "Family",
        "relationship",
    ]


def test_a_form_row_drawn_right_to_left_keeps_its_cells_apart():
    from kb.ingest.pdf.extract import _lines

    pieces = [
        ("RD NO.", 495, 751.4, 6, False),
        ("EVENT NO.", 393, 751.8, 6, False),
        (" ", 380, 751.8, 6, False),  # an invisible space going left is no cell
        ("DATE OF INCIDENT", 46, 751.5, 6, False),
    ]
    assert [line.text for line in _lines(pieces, 1, 595)] == ["RD NO.", "EVENT NO.", "DATE OF INCIDENT"]


def test_a_space_between_cells_set_far_apart_stays_when_layout_extraction_loses_it(tmp_path):
    """A form's labels stand in cells far apart; layout extraction may still run
    them together ("NO.SIGNATUREDATE/TIME"), and the words are rare enough that
    the count of words alone would glue them."""
    path = tmp_path / "form.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(72, 760, "The supervisor reviews the report and signs it.")
    pdf.setFont("Helvetica", 6)
    for x, label in ((21, "APPROVED BY:"), (120, "STAR NO."), (200, "SIGNATURE"), (270, "DATE/TIME")):
        pdf.drawString(x, 700, label)
    pdf.save()
    pages = [read_page(PdfReader(path), 0, "1", respace=True)]
    signature_row = next(line for line in pages[0].lines if "SIGNATURE" in line.text)
    signature_row.layout = "APPROVED BY:STAR NO.SIGNATUREDATE/TIME"
    mend_spacing(pages)
    assert signature_row.text == "APPROVED BY: STAR NO. SIGNATURE DATE/TIME"


def test_numbered_list_items_stay_one_per_line_and_a_wrapped_sentence_is_no_item(tmp_path):
    path = tmp_path / "order.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Helvetica", 11)
    rows = [
        (72, "The addenda of this order are:"),
        (90, "1. Force options"),
        (90, "2. Incidents requiring the completion of a tactical response report, which"),
        (104, "the supervisor reviews"),
        (90, "3. Taser use incidents"),
        (72, "Officers read them before the shift, as the order says in part"),
        (72, "2. The shift begins with the briefing."),
    ]
    for k, (x, text) in enumerate(rows):
        pdf.drawString(x, 800 - 16 * k, text)
    pdf.showPage()
    pdf.save()
    passages, _ = make_passages("doc", parse(path).sections)
    lines = passages[0].text.splitlines()
    assert lines[:4] == [
        "The addenda of this order are:",
        "",
        "1. Force options",
        "2. Incidents requiring the completion of a tactical response report, which the supervisor reviews",
    ]
    assert "3. Taser use incidents" in lines
    assert "Officers read them before the shift, as the order says in part 2. The shift begins" in passages[0].text


def test_words_a_tight_line_set_without_spaces_are_parted_by_the_documents_own_words():
    """pdfTeX sets a tightly justified line's spaces as kerns narrower than
    pypdf takes for a space: "meetrepresentativesconcerns". The run is parted
    into words the document writes elsewhere; a long word it writes nowhere
    else, or one it writes elsewhere as it is, stays whole."""
    text = [
        "Residents meet representatives of the council.",
        "Their concerns are raised at every meeting, and they raise them again.",
        "Representatives discuss concerns with residents and meet again.",
        "Police officers raise the telecommunications plan.",
        "Residentsmeetrepresentativesandraiseconcerns at the meeting.",
        "We discuss everything with representativesconcerns alike, every dis-",
        "cussion in the open, with representativesconcerns noted.",
        "Telecommunications are discussed; nevertheless everything stays.",
        "The council hears its repre-",
        "sentativesraiseconcernsandmeet again.",
    ]
    page = Page(1, "1", 595, 842, [Line(t, 72, 700 - 14 * n, 11, False, 1) for n, t in enumerate(text)])
    mend_spacing([page])
    lines = [line.text for line in page.lines]
    assert lines[4] == "Residents meet representatives and raise concerns at the meeting."
    assert lines[5] == "We discuss everything with representativesconcerns alike, every dis-"  # written twice as it is
    assert lines[7] == text[7]
    assert lines[9] == "sentatives raise concerns and meet again."  # the end of a word cut at the line before
