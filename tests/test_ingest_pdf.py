import pytest

from kb import IngestError
from kb.ingest import parse


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
    with pytest.raises(IngestError, match="password") as raised:
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
