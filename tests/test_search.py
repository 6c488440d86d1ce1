"""Ranking, phrases, query syntax and snippets."""

import random
import string

import pytest

from kb import DocumentNotFound, KnowledgeBase
from kb.index import ANALYZER, tokenize
from kb.search import analyze, parse_query


@pytest.fixture
def indexed(knowledge_base, write):
    knowledge_base.add(
        [
            write(
                "consent.md",
                "# Consent Guide\n\n## Consent\n\nPolicing by consent means the public accepts police.\n\n"
                "## Elsewhere\n\nPolicing for consent is a different phrase entirely.\n",
            ),
            write(
                "law.md",
                "# Law Notes\n\n## Rule\n\nThe rule of law binds every officer.\n\n"
                "## Reverse\n\nA law of rule would be something else.\n",
            ),
            write(
                "trust.md",
                "# Trust Paper\n\n## Youth\n\nOfficers build trust with youth through sport clubs.\n\n"
                "## Scattered\n\nTrust is discussed here at length, and much later, after many other "
                "topics such as traffic, burglary, parking and noise, the text mentions youth once.\n\n"
                "## Partnerships\n\nRunning partnerships with schools takes time.\n\n"
                "## Patrols\n\nFoot patrols earn trust on every street.\n",
            ),
        ]
    )
    return knowledge_base


def sections(result):
    return [h.passage.section for h in result.hits]


def test_phrase_matches_small_words_exactly(indexed):
    assert sections(indexed.search('"policing by consent"')) == ["Consent"]
    assert sections(indexed.search('"rule of law"')) == ["Rule"]
    assert sections(indexed.search('"law of rule"')) == ["Reverse"]


def test_plain_words_rank_passages_with_all_words_close_together_first(indexed):
    result = indexed.search("trust youth")
    assert sections(result)[:2] == ["Youth", "Scattered"]
    assert result.hits[0].score > result.hits[1].score


def test_small_words_alone_do_not_make_a_match(indexed):
    result = indexed.search("policing by consent")
    assert set(sections(result)) == {"Consent", "Elsewhere"}
    assert sections(result)[0] == "Consent"


def test_words_match_by_stem(indexed):
    assert "Partnerships" in sections(indexed.search("run partnership"))
    assert "Youth" in sections(indexed.search("officer built trusting"))


def test_heading_field_and_boolean_operators(indexed):
    assert sections(indexed.search("heading:rule")) == ["Rule"]
    assert sections(indexed.search("trust NOT youth")) == ["Patrols"]
    assert set(sections(indexed.search("trust AND NOT patrols"))) == {"Youth", "Scattered"}
    assert set(sections(indexed.search('"policing by consent" OR "rule of law"'))) == {"Consent", "Rule"}
    assert sections(indexed.search("polic* AND public")) == ["Consent"]


def test_heading_match_ranks_above_body_match(knowledge_base, write):
    knowledge_base.add(
        [
            write("a.md", "# A\n\n## Misc\n\nA side remark on mediation among other things.\n"),
            write("b.md", "# B\n\n## Mediation\n\nHow officers settle neighbour disputes.\n"),
        ]
    )
    assert sections(knowledge_base.search("mediation"))[0] == "Mediation"


def test_doc_filter_by_id_or_title_part(indexed):
    assert {h.document.id for h in indexed.search("officer", doc="law").hits} == {"law"}
    assert {h.document.id for h in indexed.search("officer", doc="Trust Paper").hits} == {"trust"}
    with pytest.raises(DocumentNotFound, match="documents: consent, law, trust"):
        indexed.search("officer", doc="nonexistent")


def test_limit_and_total(indexed):
    result = indexed.search("the", limit=2)
    assert len(result.hits) == 2
    assert result.total > 2
    assert [h.rank for h in result.hits] == [1, 2]


def test_snippet_marks_matches(indexed):
    hit = indexed.search('"rule of law"').hits[0]
    assert "[[rule]] [[of]] [[law]]" in hit.snippet
    assert hit.passage.text == "The rule of law binds every officer."
    assert hit.document.title == "Law Notes"


@pytest.mark.parametrize(
    "query",
    [
        '"unclosed phrase',
        "AND",
        "OR NOT",
        "(((",
        "heading:",
        "a:b:c",
        "*",
        "?",
        "~2",
        "^",
        "[a TO",
        "}{",
        "NOT",
    ],
)
def test_bad_syntax_never_raises(indexed, query):
    indexed.search(query)


def test_random_queries_never_raise(indexed):
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + ' "():*?~^[]{}-+!/\\' + "AND OR NOT "
    for _ in range(300):
        query = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        indexed.search(query)


def test_query_of_only_punctuation_finds_nothing(indexed):
    assert indexed.search("!!! ...").total == 0
    assert parse_query("   ") is not None


def test_snippet_of_a_long_passage_is_short_and_shows_where_it_was_cut(knowledge_base, write):
    filler = "Officers walk the beat and talk with shop owners about daily life. " * 8
    body = filler + "Everything rests on policing by consent in the end. " + filler
    knowledge_base.add([write("long.md", f"# Long\n\n## Section\n\n{body}\n")])
    snippet = knowledge_base.search('"policing by consent"').hits[0].snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "[[policing]] [[by]] [[consent]]" in snippet
    assert "… …" not in snippet
    assert len(snippet.replace("[[", "").replace("]]", "")) < len(body) / 2


def test_tokenize_gives_the_analyzers_tokens_and_places():
    rng = random.Random(3)
    pieces = ["Policing", "CoP", "U.S.", "e-mail", "officers'", "naïve", "café", "3.5", "km²", "—", "‘quoted’"]
    pieces += ["snake_case", "...", "Résumé", "ÆON", "straße", "a.b.c", "2nd", "(", ")", ",", " ", "\n", "ﬁeld"]
    texts = ["".join(rng.choice(pieces) + rng.choice(["", " ", ". "]) for _ in range(30)) for _ in range(200)]
    for text in texts:
        assert tokenize(text) == [(t.text, t.startchar, t.endchar) for t in ANALYZER(text, chars=True)]


def test_snippet_of_equally_good_places_shows_the_first_two(knowledge_base, write):
    filler = "Officers walk the beat and talk with shop owners about daily life. " * 4
    body = f"Alpha lantern rounds. {filler}Beta lantern rounds. {filler}Gamma lantern rounds. {filler}"
    knowledge_base.add([write("places.md", f"# Places\n\n## Rounds\n\n{body}\n")])
    for _ in range(3):
        snippet = knowledge_base.search("lantern").hits[0].snippet
        assert "Alpha [[lantern]]" in snippet and "Beta [[lantern]]" in snippet and "Gamma" not in snippet


def test_the_same_documents_rank_the_same_whatever_the_index_has_been_through(tmp_path, write):
    """Scores come from the documents the index holds now, not from ones it once held."""
    kept = [
        write(f"kept{n}.md", f"# Kept {n}\n\n## Trust\n\n" + f"Community trust and patrols in area {n}. " * (n + 1))
        for n in range(5)
    ]
    others = [
        write(f"other{n}.md", f"# Other {n}\n\nTrust " * (n % 7 + 1) + "and unrelated words about budgets.\n")
        for n in range(44)
    ]

    def scores(knowledge_base: KnowledgeBase) -> list[tuple[str, float]]:
        hits = knowledge_base.search("community trust", limit=10).hits
        return [(hit.passage.id, round(hit.score, 9)) for hit in hits]

    fresh = KnowledgeBase(tmp_path / "fresh")
    fresh.add(kept)
    used = KnowledgeBase(tmp_path / "used")
    used.add(kept[:2])
    used.add(others[:20])
    used.add(kept[2:])
    used.add(others[20:])
    for n in range(44):
        used.remove(f"other{n}")
    assert scores(used) == scores(fresh)
    assert len(scores(fresh)) == 5


def test_question_words_never_decide_a_ranking_and_never_match_headings_alone(knowledge_base, write):
    knowledge_base.add(
        [
            write(
                "guide.md",
                "# Guide\n\n## How this guide is structured\n\nChapters follow one another in order of use.\n\n"
                "## Young people\n\nOfficers build trust with young people through school visits and sport.\n",
            )
        ]
    )
    result = knowledge_base.search("how do I build trust with young people")
    assert [h.passage.section for h in result.hits] == ["Young people"]


def test_a_question_mark_ending_a_word_is_punctuation_not_a_wildcard(indexed):
    asked = indexed.search("how do officers build trust with youth?")
    assert [h.passage.id for h in asked.hits] == [
        h.passage.id for h in indexed.search("officers build trust youth").hits
    ]
    assert sections(asked)[0] == "Youth"
    assert indexed.search("yo?th").total == indexed.search("youth").total  # inside a word it still stands for a letter


def test_one_long_section_does_not_crowd_out_the_other_sections_that_answer(knowledge_base, write):
    filler = "The parties met at the station, talked through what had happened and agreed on next steps. " * 5
    long_section = "\n\n".join(f"Mediation of dispute number {n} by mediation officers. {filler}" for n in range(10))
    knowledge_base.add(
        [
            write("long.md", f"# Long\n\n## Mediation log\n\n{long_section}\n"),
            write("other.md", "# Other\n\n## Neighbour disputes\n\nMediation settles neighbour disputes early.\n"),
        ]
    )
    passages = knowledge_base.passages("long")
    assert len(passages) >= 3, "the long section must make several passages for this test"
    result = knowledge_base.search("mediation", limit=10)
    sections = [h.passage.section for h in result.hits]
    assert sections[:3].count("Mediation log") == 2 and "Neighbour disputes" in sections[:3]
    assert len(result.hits) == min(10, result.total)  # the long section's other passages still follow


def test_an_acronym_that_ends_like_an_english_ending_is_not_stemmed_to_a_small_word(knowledge_base, write):
    knowledge_base.add(
        [
            write("aed.md", "# Kit\n\n## Defibrillators\n\nEvery car carries an AED and a first aid kit.\n"),
            write("other.md", "# Other\n\n## Notes\n\nA note about a van and a dog.\n"),
        ]
    )
    assert analyze("AED") == ["aed"] and analyze("used") == ["use"]
    assert [h.passage.doc_id for h in knowledge_base.search("AED").hits] == ["aed"]


def test_all_but_one_word_of_a_long_question_outranks_every_word_in_passing(knowledge_base, write):
    """Holding the last word of a long question must not be worth more than
    holding the others well: the section on reportable force incidents
    answers "who records ...", though it never says "officers"; the note that
    names every word once, in passing, comes second."""
    knowledge_base.add(
        [
            write(
                "force.md",
                "# Force\n\n## Reportable force incidents\n\nA reportable force incident is recorded on the "
                "form the same day, with the names of all present and the time.\n",
            ),
            write(
                "rota.md",
                "# Rota\n\n## Rota\n\nOfficers keep a record. Reportable matters go upward. "
                "Force and incidents are named here once.\n",
            ),
        ]
    )
    result = knowledge_base.search("who should officers record reportable force incidents with?")
    assert sections(result) == ["Reportable force incidents", "Rota"]
