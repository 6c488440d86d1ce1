"""Word lists, n-grams and collocates, checked against counts and a worked example made by hand."""

import csv
import io
import json

import pytest
from click.testing import CliRunner

from kb import cli as kb_cli
from kb.collocation import collocates, log_dice, mi, t_score, word_list
from kb.model import Passage


def test_measures_against_a_worked_example():
    # N = 1,000 words, f(node) = 10, f(c) = 20, together O = 5, window 4 (span 8):
    # E = 10 * 20 * 8 / 1000 = 1.6; MI = log2(5 / 1.6) = 1.6439; t = (5 - 1.6) / sqrt(5) = 1.5205;
    # logDice = 14 + log2(2 * 5 / (10 + 20)) = 12.4150.
    assert mi(5, 10, 20, 1000, 8) == pytest.approx(1.6439, abs=1e-4)
    assert t_score(5, 10, 20, 1000, 8) == pytest.approx(1.5205, abs=1e-4)
    assert log_dice(5, 10, 20) == pytest.approx(12.4150, abs=1e-4)


def passage(n: int, text: str, doc: str = "d") -> Passage:
    return Passage(f"{doc}:{n}", doc, ("S",), None, None, None, n, text)


TEXTS = [
    "Public trust grows slowly. The forum builds public trust.",
    "Trust in the police fell. Community-oriented policing rebuilds public trust.",
    "Patrols and schools matter; public meetings help.",
]


def test_collocates_count_the_words_within_the_window_and_keep_their_passages():
    result = collocates("trust", [passage(n, t) for n, t in enumerate(TEXTS, 1)], window=2, min_count=1,
                        stop_words=frozenset({"the", "in"}))  # fmt: skip
    assert result.node_count == 4
    public = next(c for c in result.collocates if c.word == "public")
    assert (public.together, public.frequency) == (3, 4)  # "public trust" three times; "public" four times
    assert public.passage_ids == ("d:1", "d:2")
    assert public.logdice == pytest.approx(14 + __import__("math").log2(6 / 8), abs=1e-3)
    assert "the" not in {c.word for c in result.collocates}  # a stop word is no collocate
    assert result.collocates[0].word == "public"  # the best by logDice
    compound = collocates("community-oriented policing", [passage(1, TEXTS[1])], window=1, min_count=1)
    assert compound.node_count == 1 and {c.word for c in compound.collocates} == {"fell", "rebuilds"}  # across "."


def test_word_lists_and_ngrams_count_frequency_and_range():
    docs = [("a", [passage(1, TEXTS[0], "a")]), ("b", [passage(1, TEXTS[1], "b")])]
    grams, words = word_list(docs, n=2, stop_words=frozenset({"the", "in"}))
    assert words == 9 + 10
    top = grams[0]
    assert (top.text, top.count, top.documents, top.passage_ids) == ("public trust", 3, 2, ("a:1", "b:1"))
    assert not any(g.text.startswith(("the ", "in ")) or g.text.endswith((" the", " in")) for g in grams)
    single, _ = word_list(docs)
    assert {g.text: g.count for g in single}["trust"] == 4 and "community-oriented" in {g.text for g in single}


@pytest.fixture
def kb(tmp_path, write):
    index = tmp_path / "index"

    def invoke(*args, width=80):
        result = CliRunner().invoke(kb_cli.cli, ["--index", str(index), *map(str, args)], env={"COLUMNS": str(width)})
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result

    invoke("add", write("a.md", "# A\n\n## One\n\n" + " ".join(TEXTS) + "\n"))
    return invoke


def test_the_commands_print_tables_json_and_csv(kb):
    table = kb("collocates", "trust", "--min-count", "2")
    assert table.exit_code == 0 and table.stdout.splitlines()[0].startswith("'trust': 4 times in ")
    assert any(line.split()[:2] == ["public", "3"] for line in table.stdout.splitlines())
    data = json.loads(kb("collocates", "trust", "--min-count", "1", "--json").stdout)
    assert data["node_count"] == 4 and all(row["passage_ids"] for row in data["collocates"])
    rows = list(csv.DictReader(io.StringIO(kb("ngrams", "-n", "2", "--csv").stdout)))
    assert rows[0]["item"] == "public trust" and rows[0]["count"] == "3"
    listed = kb("words", "--content", "--top", "3", width=60).stdout.splitlines()
    assert all(len(line) <= 60 for line in listed) and [line.split()[1] for line in listed[2:4]] == ["public", "trust"]
    assert kb("collocates", "zeppelin").exit_code == 1
