"""Regression checks on real documents nobody here wrote (../shared/realdocs/):
the fast ones; bench/bench_structure.py runs all of them."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from kb.ingest import parse
from kb.passages import make_passages

ROOT = Path(__file__).resolve().parent.parent
REALDOCS = ROOT.parent / "shared" / "realdocs"
sys.path.insert(0, str(ROOT / "bench"))

from bench_structure import TrueHeading, match_headings  # noqa: E402

# What the box opening each order says, and the "Page N of M" foot (a report form's
# own "APPROVED BY:" field is the form's content, not furniture).
BOX_LABELS = re.compile(r"\b(issue date|effective date|rescinds|index category)\b|\bpage \d+ ?of ?\d+\b", re.I)

pytestmark = pytest.mark.skipif(not REALDOCS.is_dir(), reason="../shared/realdocs/ is not beside this checkout")


@pytest.fixture(scope="module", params=["nz-police-victims-2022", "chicago-pd-use-of-force-g03-02"])
def real(request):
    name = request.param
    rows = json.loads((REALDOCS / "truth" / f"{name}.json").read_text())["headings"]
    truth = [TrueHeading(title, level, page) for title, level, _, page in rows]
    parsed = parse(REALDOCS / f"{name}.pdf")
    passages, outline = make_passages("doc", parsed.sections, parsed.page_labels)
    return name, truth, parsed, passages, outline


def test_headings_match_the_true_outline(real):
    _, truth, _, _, outline = real
    pairs = match_headings(truth, outline)
    assert len(pairs) / len(truth) >= 0.9
    assert len(pairs) / len(outline) >= 0.9
    assert sum(outline[f].page_start == truth[t].page for t, f in pairs) / len(pairs) >= 0.97


def test_no_contents_metadata_box_or_running_head_in_passages(real):
    name, _, _, passages, _ = real
    running = {
        "nz-police-victims-2022": ["Released under the Official Information Act", "This document was current"],
        # The report form attached to the orders keeps its title, not its field labels.
        "chicago-pd-use-of-force-g03-02": [
            "© Chicago Police Department",
            "Blank Page",
            "Binder1",
            "STAR NO.",
            "DATE OF INCIDENT",
        ],
    }[name]
    for passage in passages:
        assert not re.search(r"(?:\. ?){5,}\d", passage.text)
        assert not BOX_LABELS.search(passage.text), passage.text[:200]
        assert not any(line in passage.text for line in running), passage.text[:200]


def test_title_is_the_documents_own(real):
    name, _, parsed, _, _ = real
    assert (
        parsed.title
        == {
            "nz-police-victims-2022": "Victims (Police service to victims)",
            "chicago-pd-use-of-force-g03-02": "Chicago Police Department General Order G03-02 USE OF FORCE",
        }[name]
    )


def test_a_converted_statute_nests_by_its_numbering_not_its_tags():
    """The BNSS as a converter wrote it: chapters at h1-h4, labels apart from titles."""
    parsed = parse(REALDOCS / "india-bnss-2023-converted.html")
    headed = [s for s in parsed.sections if s.heading_path]
    bare = [s.heading for s in headed if re.fullmatch(r"CHAPTER [IVXLC]+", s.heading) and not s.blocks]
    assert not bare  # each label joined to its title
    listed = [s.heading for s in headed].count("CHAPTER II CONSTITUTION OF CRIMINAL COURTS AND OFFICES")
    assert listed == 1  # once with its text, not again in the arrangement of sections
    paths = {s.heading_path for s in headed}
    assert ("CHAPTER XVIII THE CHARGE", "A.—Form of charges") in paths
    assert ("CHAPTER XX TRIAL OF WARRANT-CASES BY MAGISTRATES", "C. — Conclusion of trial") in paths
    assert not any(s.heading in ("Illustrations.", "Illustration.") or s.heading.startswith("Provided") for s in headed)
