"""Two editions of a handbook whose differences are known by construction.

The second edition drops, adds, renames, moves, rewrites, splits and merges
sections of the first, and renumbers everything, as a real new edition does.
``EditionPair.truth`` records which old section became which new one, so that
tests and the bench can score ``kb diff``'s alignment. All wording is the
project's own, drawn at random from a small vocabulary.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

_WORDS = (
    "officer resident council school patrol trust partner forum youth street market housing estate shop "
    "bus station park library clinic church mosque temple meeting survey report plan priority problem "
    "response review complaint record contact visit phone letter notice leaflet map route night morning "
    "weekend season winter summer neighbour family elder student teacher nurse driver trader landlord tenant "
    "noise traffic theft burglary graffiti litter dog parking speeding lighting fence gate door window alley "
    "bridge river field garden square corner block flat house road lane path crossing signal camera radio "
    "sergeant inspector volunteer mediator agency charity office desk team shift rota budget grant training "
    "listen explain agree decide share publish invite follow measure compare repair prevent reduce improve "
    "quick slow early late open closed local regional safe fair clear honest public private shared regular"
).split()
CHAPTERS = ("Getting started", "Working with partners", "Solving problems", "Measuring progress")
SECTIONS_PER_CHAPTER = 6


@dataclass
class EditionPair:
    old: Path
    new: Path
    # (old heading, new heading) for every section that goes on, with how:
    # "kept", "renamed", "moved", "rewritten", "split" (old -> its new second part), "merged" (old -> the host)
    pairs: list[tuple[str, str, str]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)


def _sentence(rng: random.Random) -> str:
    words = rng.sample(_WORDS, rng.randint(9, 15))
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _text(rng: random.Random, paragraphs: int = 3) -> list[str]:
    return [" ".join(_sentence(rng) for _ in range(5)) for _ in range(paragraphs)]


def build_editions(folder: Path, seed: int = 5) -> EditionPair:
    rng = random.Random(seed)
    # chapters[c] = [(heading, paragraphs)]
    first = [
        [(f"{' '.join(rng.sample(_WORDS, 2)).capitalize()} {k}", _text(rng)) for k in range(SECTIONS_PER_CHAPTER)]
        for _ in CHAPTERS
    ]
    second = [list(chapter) for chapter in first]
    pair = EditionPair(folder / "handbook-2008.md", folder / "handbook-2022.md")
    fate: dict[str, tuple[str, str]] = {}  # old heading -> (new heading, how)

    def at(c: int, k: int) -> tuple[str, list[str]]:
        return first[c][k]

    # Chapter 0: section 1 dropped, section 2 renamed, a new section added at the end.
    dropped = at(0, 1)
    second[0].remove(dropped)
    pair.dropped.append(dropped[0])
    heading, text = at(0, 2)
    renamed = f"{' '.join(rng.sample(_WORDS, 3)).capitalize()} renamed"
    second[0][second[0].index((heading, text))] = (renamed, text)
    fate[heading] = (renamed, "renamed")
    added = (f"{' '.join(rng.sample(_WORDS, 2)).capitalize()} new", _text(rng))
    second[0].append(added)
    pair.added.append(added[0])
    # Chapter 1: section 3 moved to chapter 3, section 4 rewritten (two paragraphs of three replaced).
    moved = at(1, 3)
    second[1].remove(moved)
    second[3].insert(2, moved)
    fate[moved[0]] = (moved[0], "moved")
    heading, text = at(1, 4)
    rewritten = [text[0], *_text(rng, 2)]
    second[1][second[1].index((heading, text))] = (heading, rewritten)
    fate[heading] = (heading, "rewritten")
    # Chapter 2: section 0 split in two, sections 3 and 4 merged under 3's heading, section 5 dropped.
    heading, text = at(2, 0)
    second_part = (f"{' '.join(rng.sample(_WORDS, 2)).capitalize()} split off", text[1:])
    second[2][0:1] = [(heading, text[:1]), second_part]
    fate[heading] = (heading, "kept")  # its first part kept its place and heading
    pair.pairs.append((heading, second_part[0], "split"))
    host, guest = at(2, 3), at(2, 4)
    index = second[2].index(host)
    second[2][index : index + 2] = [(host[0], host[1] + guest[1])]
    fate[host[0]] = (host[0], "rewritten")
    pair.pairs.append((guest[0], host[0], "merged"))
    gone = at(2, 5)
    second[2].remove(gone)
    pair.dropped.append(gone[0])
    # Chapter 3: a new section first.
    fresh = (f"{' '.join(rng.sample(_WORDS, 2)).capitalize()} introduced", _text(rng))
    second[3].insert(0, fresh)
    pair.added.append(fresh[0])

    for chapter in first:
        for heading, _ in chapter:
            if heading in fate:
                new_heading, how = fate[heading]
                pair.pairs.append((heading, new_heading, how))
            elif heading not in pair.dropped and heading not in {p[0] for p in pair.pairs}:
                pair.pairs.append((heading, heading, "kept"))
    _write(pair.old, "Community Safety Handbook", first)
    _write(pair.new, "Community Safety Handbook", second)
    return pair


def _write(path: Path, title: str, chapters: list[list[tuple[str, list[str]]]]) -> None:
    """Numbered as printed: chapters 1-4, sections 1.1, 1.2 ... renumbered per edition."""
    lines = [f"# {title}", ""]
    for c, (name, sections) in enumerate(zip(CHAPTERS, chapters, strict=True), start=1):
        lines += [f"## {c} {name}", ""]
        for k, (heading, paragraphs) in enumerate(sections, start=1):
            lines += [f"### {c}.{k} {heading}", ""]
            for paragraph in paragraphs:
                lines += [paragraph, ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
