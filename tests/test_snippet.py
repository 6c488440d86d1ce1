"""Snippets: where they cut, what they mark, which places they show."""

from __future__ import annotations

import random
import re
from pathlib import Path

from kb.index import stem_of
from kb.index import tokenize as tokenize_words
from kb.search import analyze
from kb.search.snippet import MARK_END, MARK_START, SNIPPET_CHARS, marked_words, snippet

FILLER = "Officers walk the beat and talk with shop owners about daily life in the town centre. "


def stems(query: str) -> frozenset[str]:
    return frozenset(analyze(query))


def pieces(shown: str) -> list[str]:
    """The runs of passage text a snippet shows, marks taken out."""
    plain = shown.replace(MARK_START, "").replace(MARK_END, "")
    return [p.strip("…").strip() for p in plain.split(" … ")]


def test_a_passage_without_the_words_shows_its_opening_cut_at_a_word():
    text = FILLER * 5
    shown = snippet(text, stems("lantern"))
    assert shown.endswith("…") and len(shown) <= SNIPPET_CHARS + 1
    assert text.startswith(shown[:-1]) and text[len(shown) - 1] == " "
    assert snippet("Short note.", stems("lantern")) == "Short note."


def test_every_shown_piece_starts_and_ends_on_whole_words_and_the_whole_stays_short():
    rng = random.Random(4)
    words = [*FILLER.split(), "policing", "consent", "partnership", "trust-building", "U.S.", "e-mail"]
    for _ in range(300):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(5, 200)))
        shown = snippet(text, stems(" ".join(rng.sample(["policing", "consent", "partnership", "trust"], 2))))
        for piece in pieces(shown):
            at = text.find(piece)
            assert at >= 0, (piece, text)
            assert at == 0 or not re.match(r"\w", text[at - 1]), piece
            after = at + len(piece)
            assert after == len(text) or not re.match(r"\w", text[after]), piece
        assert sum(len(p) for p in pieces(shown)) <= 2 * SNIPPET_CHARS + 1  # two fragments at most


def test_marks_every_word_with_a_wanted_stem_in_what_it_shows_and_nothing_else():
    text = f"{FILLER}Policing by consent. {FILLER}The police consented; policies differ. {FILLER}"
    shown = snippet(text, stems("police consent"))
    marked = re.findall(r"\[\[(.*?)\]\]", shown)
    assert marked and all(analyze(word)[0] in stems("police consent") for word in marked)
    unmarked = re.sub(r"\[\[.*?\]\]", " ", shown)
    assert not any(analyze(word) and analyze(word)[0] in stems("police consent") for word in unmarked.split())
    assert "[[policies]]" not in shown


def test_the_place_with_more_different_words_wins():
    text = f"Trust matters. {FILLER * 3}Youth and trust grow together. {FILLER * 3}"
    shown = snippet(text, stems("youth trust"))
    assert "[[Youth]] and [[trust]]" in shown
    assert shown.startswith("[[Trust]] matters.")  # the second best, still in text order
    assert " … " in shown and shown.endswith("…")


def test_a_stem_begins_with_its_words_first_letter_which_snippets_rely_on():
    judged = Path(__file__).parent / "judged" / "corpus"
    words = {w for f in judged.iterdir() for w, _, _ in tokenize_words(f.read_text(encoding="utf-8"))}
    words |= {"dying", "lying", "tying", "skies", "idly", "gently", "ugly", "early", "only", "singly", "news",
              "Yelling", "İstanbul", "Ænigma", "ies", "sses", "ed", "ing", "3.5", "U.S.", "généralement"}  # fmt: skip
    assert len(words) > 500
    for word in words:
        assert stem_of(word)[:1] == word.lower()[:1], word


def test_words_are_found_for_marking_exactly_as_the_tokenizer_finds_them():
    """Snippets look only at tokens that begin as a wanted stem does; they must
    be the tokenizer's own tokens, never a piece of one (as "b.c" in "a.b.c")."""
    rng = random.Random(8)
    pieces = ["Policing", "a.b.c", "x..b", "U.S.", "e-mail", "_under", "3.5", "İstanbul", "police.Consent", "ﬁeld"]
    pieces += ["consent", "Community", "b", "c", ".", " ", "-", "'", "é", "policies"]
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
        tokens = tokenize_words(text)
        wanted = frozenset(rng.sample([t for t, _, _ in tokens], min(3, len(tokens)))) if tokens else frozenset()
        expected = [(start, end) for token, start, end in tokens if token in wanted]
        marked = [(start, end) for start, end, _ in marked_words(text, wanted)]
        assert marked == expected, text
