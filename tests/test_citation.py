import pytest

from kb.citation import cite
from kb.model import Document, Passage


def document(**metadata) -> Document:
    base = {
        "id": "guide",
        "title": "Good Practices in Police Partnerships",
        "path": "/docs/guide.pdf",
        "kind": "pdf",
        "sha256": "0" * 64,
        "added": "2026-01-01T00:00:00+00:00",
        "pages": 80,
        "passages": 10,
    }
    return Document(**{**base, **metadata})


def passage(**fields) -> Passage:
    base = {
        "id": "guide:4",
        "doc_id": "guide",
        "heading_path": ("III. Principles", "3.2 Trust"),
        "section_number": "3.2",
        "page_start": 25,
        "page_end": 25,
        "order": 4,
        "text": "Trust grows.",
        "page_label_start": "23",
        "page_label_end": "23",
    }
    return Passage(**{**base, **fields})


def test_short_citation_with_full_metadata_cites_the_printed_page():
    full = document(publisher="OSCE/UNODC", year=2022, edition="2nd")
    assert cite(full, passage()) == (
        'OSCE/UNODC (2022), Good Practices in Police Partnerships, 2nd ed., §3.2 "Trust", p. 23'
    )


@pytest.mark.parametrize(
    ("given", "cited"),
    [("2", "2nd ed."), ("1", "1st ed."), ("3", "3rd ed."), ("11", "11th ed."), ("22", "22nd ed."),
     ("2nd", "2nd ed."), ("Revised edition", "Revised edition")],
)  # fmt: skip
def test_an_edition_given_as_a_number_is_cited_as_an_ordinal(given, cited):
    assert f", {cited}, " in cite(document(year=2022, edition=given), passage())


def test_apa_citation_with_full_metadata():
    full = document(publisher="OSCE/UNODC", year=2022, edition="2nd", url="https://example.org/guide")
    assert cite(full, passage(page_end=26, page_label_end="24"), style="apa") == (
        'OSCE/UNODC. (2022). Good Practices in Police Partnerships (2nd ed.). §3.2 "Trust", pp. 23–24. '
        "https://example.org/guide"
    )


def test_partial_and_missing_metadata_are_left_out_cleanly():
    dated = cite(document(year=2008), passage(heading_path=("Trust",), section_number=None))
    assert dated == 'Good Practices in Police Partnerships (2008), "Trust", p. 23'
    bare = cite(
        document(),
        passage(
            heading_path=(),
            section_number=None,
            page_start=None,
            page_end=None,
            page_label_start=None,
            page_label_end=None,
        ),
    )
    assert bare == "Good Practices in Police Partnerships"
    assert "None" not in cite(document(), passage(), style="apa")
    assert cite(document(), passage(), style="apa").startswith("Good Practices in Police Partnerships. (n.d.). §3.2")


def test_an_author_leads_and_a_different_publisher_follows_the_title():
    both = document(author="Jane Roe", publisher="OSCE", year=2022)
    assert cite(both, passage()).startswith("Jane Roe (2022), Good Practices in Police Partnerships, §3.2")
    apa = cite(both, passage(), style="apa")
    assert apa.startswith("Jane Roe. (2022). Good Practices in Police Partnerships. OSCE. §")
    group = document(author="OSCE", publisher="OSCE", year=2022)
    assert cite(group, passage(), style="apa").startswith("OSCE. (2022). Good Practices in Police Partnerships. §")


def test_a_work_is_cited_without_a_passage():
    assert cite(document(publisher="OSCE", year=2008, edition="1"), None) == (
        "OSCE (2008), Good Practices in Police Partnerships, 1st ed."
    )


def test_web_page_is_located_by_its_address():
    page = document(kind="html", pages=None, url="https://example.org/event", publisher="OSCE", year=2025)
    untitled = passage(
        heading_path=("Background",),
        section_number=None,
        page_start=None,
        page_end=None,
        page_label_start=None,
        page_label_end=None,
    )
    assert cite(page, untitled) == (
        'OSCE (2025), Good Practices in Police Partnerships, "Background", https://example.org/event'
    )


def test_unknown_style_is_refused():
    with pytest.raises(ValueError, match="styles: short, apa"):
        cite(document(), passage(), style="mla")
