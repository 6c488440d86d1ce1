"""Term counts, concordances and keyness, checked against counts made independently."""

import csv
import io
import json
import re
import struct
import sys

import pytest
from click.testing import CliRunner

from kb import Metadata
from kb import cli as kb_cli
from kb.research import g2, log_ratio

OLD = (
    "# Handbook\n\n## Basics\n\nPolicing by consent is old. Officers rely on policing\nby consent daily.\n\n"
    "## Partners\n\nA multi-stakeholder group met. Another multistakeholder forum followed.\n"
)
NEW = (
    "# Handbook\n\n## Basics\n\nPolicing by consent remains. Legitimacy matters; legitimacy grows.\n\n"
    "## Digital\n\nOnline reporting and online patrols extend policing by consent to online spaces.\n"
)


@pytest.fixture
def editions(knowledge_base, write):
    knowledge_base.add([write("handbook-2022.md", NEW)], Metadata(title="Handbook", year=2022, edition="2nd"))
    knowledge_base.add([write("handbook-2008.md", OLD)], Metadata(title="Handbook", year=2008, edition="1st"))
    return knowledge_base


def true_count(text: str, pattern: str) -> int:
    return len(re.findall(pattern, text, flags=re.IGNORECASE))


def test_counts_match_an_independent_count_across_line_breaks(editions):
    counts = {(c.term, c.doc_id): c for c in editions.term_counts(["policing by consent", "legitimacy"])}
    phrase = r"policing\s+by\s+consent"
    assert counts[("policing by consent", "handbook-2008")].occurrences == true_count(OLD, phrase) == 2
    assert counts[("policing by consent", "handbook-2022")].occurrences == true_count(NEW, phrase) == 2
    assert counts[("legitimacy", "handbook-2022")].occurrences == true_count(NEW, r"\blegitimacy\b") == 2
    old = counts[("policing by consent", "handbook-2008")]
    body_words = len(re.findall(r"\w+", OLD.split("## Basics")[1].replace("## Partners", "")))
    assert old.words == body_words
    assert old.per_10k == pytest.approx(2 * 10_000 / body_words)
    assert old.sections == 1 and old.top_sections[0].section == "Basics"


def test_a_term_counts_as_typed_and_expanded_in_every_form_with_the_forms_listed(editions):
    expanded = {c.doc_id: c for c in editions.term_counts(["multi-stakeholder"], exact=False)}
    assert expanded["handbook-2008"].occurrences == 2  # hyphenated and joined
    assert expanded["handbook-2008"].forms == {"multi-stakeholder": 1, "multistakeholder": 1}
    as_typed = {c.doc_id: c for c in editions.term_counts(["multi-stakeholder"])}
    assert as_typed["handbook-2008"].occurrences == 1 and as_typed["handbook-2008"].forms == {"multi-stakeholder": 1}
    assert as_typed["handbook-2008"].small_sample  # a few dozen words


def test_the_terms_table_scales_each_term_marks_small_samples_and_shows_forms(editions, monkeypatch):
    monkeypatch.setenv("KB_INDEX", str(editions.path))
    table = CliRunner().invoke(kb_cli.cli, ["terms", "multi-stakeholder", "online", "--expand"], env={"COLUMNS": "80"})
    lines = table.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    # Each term's largest rate gets a full bar, whatever the other term's rates.
    assert sum("█" * 12 in line for line in lines) == 2
    assert "    forms: multi-stakeholder 1 + multistakeholder 1" in lines
    assert lines[-1].startswith("* under 2,000 words: a small sample") and " *" in lines[1]
    by_section = CliRunner().invoke(kb_cli.cli, ["terms", "policing by consent", "--by", "section", "--top", "1"])
    assert by_section.stdout.count("Basics") == 2  # one section per document


def test_an_acronym_and_its_expansion_are_said_to_count_the_same_forms(knowledge_base, write, monkeypatch):
    knowledge_base.add([write("g.md", "# G\n\n## A\n\nCommunity-oriented policing (CoP) works. CoP grows.\n")])
    monkeypatch.setenv("KB_INDEX", str(knowledge_base.path))
    result = CliRunner().invoke(kb_cli.cli, ["terms", "CoP", "community-oriented policing", "--expand"])
    assert "note: 'CoP' and 'community-oriented policing' count the same forms" in result.stderr
    as_typed = CliRunner().invoke(kb_cli.cli, ["terms", "CoP", "community-oriented policing"])
    assert "note:" not in as_typed.stderr


def test_compare_keeps_compounds_whole_names_its_columns_and_refuses_one_document_twice(editions, monkeypatch):
    monkeypatch.setenv("KB_INDEX", str(editions.path))
    runner = CliRunner()
    shown = runner.invoke(
        kb_cli.cli, ["compare", "handbook-2008", "handbook-2022", "--p", "none", "--min-count", "1", "--top", "100"]
    )
    assert "handbook-2008 handbook-2022" in shown.stdout and "multi-stakeholder" in shown.stdout
    assert not any(line.split()[:1] == ["stakeholder"] for line in shown.stdout.splitlines())
    assert all(float(line.split()[-1]) >= 0 for line in shown.stdout.splitlines() if re.search(r"\d\.\d\d$", line))
    rows = runner.invoke(kb_cli.cli, ["compare", "handbook-2008", "handbook-2022", "--csv", "--p", "none"]).stdout
    assert rows.splitlines()[0] == "more_in,item,count_handbook-2008,count_handbook-2022,g2,log_ratio"
    same = runner.invoke(kb_cli.cli, ["compare", "handbook-2008", "2008"])
    assert same.exit_code == 2 and "are the same document" in same.stderr


def test_editions_stand_side_by_side_oldest_first(editions):
    assert [c.doc_id for c in editions.term_counts(["online"])] == ["handbook-2008", "handbook-2022"]


def test_g2_and_log_ratio_against_a_worked_example():
    # a=10 of 1,000 words, b=2 of 1,000: expected 6 each;
    # G2 = 2 * (10 ln(10/6) + 2 ln(2/6)) = 5.8221; log ratio = log2(5) = 2.3219.
    assert g2(10, 2, 1000, 1000) == pytest.approx(5.8221, abs=1e-4)
    assert log_ratio(10, 2, 1000, 1000) == pytest.approx(2.3219, abs=1e-4)
    # a zero count counts as 0.5: log2((4/1000) / (0.5/2000)) = 4; G2 = 8 ln 3 = 8.7889.
    assert log_ratio(4, 0, 1000, 2000) == pytest.approx(4.0)
    assert g2(4, 0, 1000, 2000) == pytest.approx(8.7889, abs=1e-4)


def test_compare_finds_what_each_edition_says_more(editions):
    old, new, more_old, more_new, _, _ = editions.compare("handbook-2008", "handbook-2022", top=5)
    assert (old.id, new.id) == ("handbook-2008", "handbook-2022")
    assert more_new[0].item == "online" and more_new[0].count_a == 0 and more_new[0].count_b == 3
    assert more_new[0].log_ratio < 0 and more_new[0].g2 > 0
    assert all(k.log_ratio > 0 for k in more_old)


def test_compare_counts_no_phrase_of_a_single_letter():
    """ "O/C case" (officer in charge) splits into o, c and case; list
    markers and initials are single letters too. None of them makes a phrase."""
    from kb.research import items

    counted = items("The O/C case file; the O/C case notes. a) Victim support, b) Victim support.", frozenset({"the"}))
    assert not [item for item in counted if any(len(word) == 1 for word in item.split())]
    assert counted["case file"] == 1 and counted["victim support"] == 2


def test_concordance_aligns_on_the_term_and_sorts(editions):
    lines = editions.concordance("policing by consent", width=12)
    assert len(lines) == 4
    assert all(len(line.left) == 12 and len(line.right) == 12 for line in lines)
    assert lines[1].match == "policing by consent"  # the phrase across a line break, flattened
    by_right = editions.concordance("policing by consent", width=12, sort="right")
    assert [line.right.strip()[:2] for line in by_right] == sorted(line.right.strip()[:2] for line in by_right)
    assert {line.doc_id for line in editions.concordance("legitimacy", doc="2022")} == {"handbook-2022"}


def test_research_commands(editions, monkeypatch):
    monkeypatch.setenv("KB_INDEX", str(editions.path))
    runner = CliRunner()
    table = runner.invoke(kb_cli.cli, ["terms", "policing by consent", "online"])
    assert "handbook-2008 (1st ed., 2008)" in table.stdout and "█" in table.stdout
    data = json.loads(runner.invoke(kb_cli.cli, ["terms", "online", "--json"]).stdout)
    assert [t["occurrences"] for t in data["terms"]] == [0, 3]
    csv_out = runner.invoke(kb_cli.cli, ["terms", "online", "--csv"]).stdout.splitlines()
    assert csv_out[0].startswith("term,doc_id,document") and len(csv_out) == 3
    kwic = runner.invoke(kb_cli.cli, ["kwic", "legitimacy", "--json"])
    assert len(json.loads(kwic.stdout)["lines"]) == 2
    compare = runner.invoke(kb_cli.cli, ["compare", "handbook-2008", "handbook-2022", "--json"])
    assert json.loads(compare.stdout)["b"]["more"][0]["item"] == "online"
    assert runner.invoke(kb_cli.cli, ["kwic", "zeppelin"]).exit_code == 1


def test_plot_is_drawn_as_a_png(editions, tmp_path, monkeypatch):
    monkeypatch.setenv("KB_INDEX", str(editions.path))
    target = tmp_path / "terms.png"
    result = CliRunner().invoke(kb_cli.cli, ["terms", "online", "legitimacy", "--plot", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", target.read_bytes()[16:24])
    assert (width, height) == (1200, 700)
    unwritable = CliRunner().invoke(kb_cli.cli, ["terms", "online", "--plot", str(tmp_path / "no" / "such" / "t.png")])
    assert (
        unwritable.exit_code == 2
        and unwritable.stderr.startswith("error: ")
        and "cannot be written" in unwritable.stderr
    )
    assert len(unwritable.stderr.strip().splitlines()) == 1


def test_the_plot_legend_names_documents_as_readers_know_them(editions):
    from kb.plot import document_legend

    legends = [document_legend(c) for c in editions.term_counts(["online"])]
    assert legends == ["Handbook (1st ed., 2008)", "Handbook (2nd ed., 2022)"]


def test_plot_without_matplotlib_says_how_to_get_it(editions, tmp_path, monkeypatch):
    monkeypatch.setenv("KB_INDEX", str(editions.path))
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    result = CliRunner().invoke(kb_cli.cli, ["terms", "online", "--plot", str(tmp_path / "t.png")])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: kb terms --plot needs matplotlib: pip install -e '.[plot]' in kb's project folder"
    )


def test_concordance_by_document_reads_each_document_in_order(knowledge_base, write):
    sections = "\n\n".join(f"## Part {n}\n\nThe lantern of part {n} is lit." for n in range(1, 13))
    knowledge_base.add([write("lamps.md", f"# Lamps\n\n{sections}\n")])
    lines = knowledge_base.concordance("lantern", width=10)
    assert [line.passage_id for line in lines] == [f"lamps:{n}" for n in range(1, 13)]


def test_kwic_fits_the_window_with_document_page_and_count(editions, monkeypatch):
    monkeypatch.setenv("KB_INDEX", str(editions.path))
    for width in (60, 80, 120):
        result = CliRunner().invoke(kb_cli.cli, ["kwic", "policing by consent"], env={"COLUMNS": str(width)})
        lines = result.stdout.splitlines()
        assert lines[0] == "4 occurrences of 'policing by consent' in 2 documents"
        assert all(len(line) <= width for line in lines), width
        assert all(line.rstrip().endswith(("handbook-2008", "handbook-2022")) for line in lines[1:])
    rows = list(csv.DictReader(io.StringIO(CliRunner().invoke(kb_cli.cli, ["kwic", "legitimacy", "--csv"]).stdout)))
    assert [r["match"].casefold() for r in rows] == ["legitimacy", "legitimacy"] and rows[0]["passage_id"]


def test_kwic_sorts_on_the_word_at_a_chosen_place(knowledge_base, write):
    knowledge_base.add([write("k.md", "# K\n\n## A\n\nzeta alpha trust. beta gamma trust. alpha zeta trust.\n")])
    by_first = [c.left.split()[-2:] for c in knowledge_base.concordance("trust", width=12, sort="left")]
    assert [words[-1] for words in by_first] == ["alpha", "gamma", "zeta"]
    by_second = knowledge_base.concordance("trust", width=12, sort="left", position=2)
    assert [c.left.split()[-2] for c in by_second] == ["alpha", "beta", "zeta"]


def test_dispersion_places_each_occurrence_through_its_document(knowledge_base, write, monkeypatch):
    sections = "\n\n".join(f"## Part {n}\n\n" + ("filler words here. " * 20) + ("lantern " if n in (1, 10) else "")
                           for n in range(1, 11))  # fmt: skip
    knowledge_base.add([write("lamps.md", f"# Lamps\n\n{sections}\n")])
    (row,) = knowledge_base.dispersion("lantern")
    assert len(row.places) == 2 and row.places[0][0] < 0.15 and row.places[1][0] > 0.95
    assert row.places[0][1] == "lamps:1"
    monkeypatch.setenv("KB_INDEX", str(knowledge_base.path))
    shown = CliRunner().invoke(kb_cli.cli, ["dispersion", "lantern"], env={"COLUMNS": "60"})
    strip = shown.stdout.splitlines()[1]
    assert len(strip) <= 60 and strip.count("|") == 2 and strip.index("|") < strip.rindex("|") - 30
    data = json.loads(CliRunner().invoke(kb_cli.cli, ["dispersion", "lantern", "--json"]).stdout)
    assert data["documents"][0]["occurrences"] == 2 and data["documents"][0]["places"][1]["passage_id"]


def test_every_figure_carries_the_passages_it_came_from(editions):
    (old,) = [c for c in editions.term_counts(["policing by consent"]) if c.doc_id == "handbook-2008"]
    assert old.passage_ids and all(s.passage_id.startswith("handbook-2008:") for s in old.top_sections)
    _, _, _, more_new, _, _ = editions.compare("handbook-2008", "handbook-2022", top=3)
    assert more_new[0].item == "online" and more_new[0].passage_ids == ("handbook-2022:2",)
