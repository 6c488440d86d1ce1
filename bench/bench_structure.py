"""How well kb reads the structure of real PDFs that nobody here wrote.

Run: .venv/bin/python bench/bench_structure.py [NAME ...] [--show]

For every PDF in ../shared/realdocs/ with a truth file, and for the generated
guidebooks, it prints heading precision and recall, page accuracy (matched
headings whose section starts on the page where the title is printed), level
accuracy (matched headings that go deeper, stay level or climb from the heading
before, as in the truth: the truth's levels come from the contents' indentation,
which drifts between pages of a copied document) and level rank (matched headings
whose level has the same rank among the document's levels as the truth's), and
the share of passages holding page furniture, contents entries or metadata-box
labels, with glued and split words. ``--show`` lists the misses.

A heading matches when its normalised text (lower case, letters and digits
only) is equal or at least 0.9 similar to the truth's, as the realdocs README
says; repeated titles ("Purpose") are matched in reading order.

Floors (issue 11), on each real PDF: precision and recall >= 0.90, page
accuracy >= 0.97, levels >= 0.80, furniture in passages 0 %.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
REALDOCS = ROOT.parent / "shared" / "realdocs"
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from guidebook import build_guidebook  # noqa: E402

from kb.ingest import parse  # noqa: E402
from kb.passages import make_passages  # noqa: E402

# Labels that metadata boxes of orders and policies carry; none belongs in a passage.
# Labels that metadata boxes of orders and policies carry, written as labels
# (prose says "approved by the Chief"); none belongs in a passage.
METADATA_LABELS = re.compile(
    r"\b(Effective Date|EFFECTIVE DATE|Issue Date|ISSUE DATE|Replaces Prior Policy|RESCINDS:|Rescinds:"
    r"|INDEX CATEGORY|Index Category|Approved by:|APPROVED BY:)"
    r"|\b[Pp]age \d+ ?of ?\d+\b",
)
DOT_LEADER = re.compile(r"(?:\. ?){5,}\s*\d")


@dataclass
class TrueHeading:
    title: str
    level: int
    page: int


def normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.casefold())


def similar(a: str, b: str) -> bool:
    return a == b or (bool(a) and bool(b) and SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.9)


def match_headings(truth: list[TrueHeading], found: list) -> list[tuple[int, int]]:
    """Pairs (truth index, found index): each truth heading takes the first
    unused similar heading at or after the previous match, else any unused one
    on the nearest page."""
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    keys = [normal(s.heading) for s in found]
    cursor = 0
    for t_index, heading in enumerate(truth):
        key = normal(heading.title)
        candidates = [i for i, k in enumerate(keys) if i not in used and similar(key, k)]
        if not candidates:
            continue
        after = [i for i in candidates if i >= cursor]
        if after and (found[after[0]].page_start or 0) <= heading.page + 2:
            choice = after[0]
        else:
            choice = min(candidates, key=lambda i: abs((found[i].page_start or 0) - heading.page))
        used.add(choice)
        pairs.append((t_index, choice))
        cursor = max(cursor, choice + 1)
    return pairs


def level_ranks(levels: list[int]) -> dict[int, int]:
    return {level: rank for rank, level in enumerate(sorted(set(levels)))}


def page_lines(path: Path) -> list[list[str]]:
    """Each page's lines in pypdf's plain text, spaces collapsed, numbers blanked."""
    pages = []
    for page in PdfReader(path).pages:
        lines = [" ".join(line.split()) for line in (page.extract_text() or "").splitlines() if line.strip()]
        pages.append([re.sub(r"\d+", "#", line) for line in lines])
    return pages


def running_lines(pages: list[list[str]]) -> set[str]:
    """Lines at a page's top or bottom (three each, in pypdf's plain text) that
    recur on at least three pages and a tenth of them, and that the body text
    seldom says: running heads and feet, fixed or varying by chapter."""
    edge_seen: Counter = Counter()
    body: list[str] = []
    for lines in pages:
        edge_seen.update({line for line in lines[:3] + lines[-3:] if len(line.split()) >= 3})
        body.extend(lines[3:-3])
    need = max(3, len(pages) // 10)
    running = {line for line, n in edge_seen.items() if n >= need}
    in_body = Counter(line for line in running for text in body if line in text)
    return {line for line in running if in_body[line] <= 0.2 * edge_seen[line]}


def furniture_in(passages, pages: list[list[str]], truth: list[TrueHeading]) -> dict[str, float]:
    texts = [re.sub(r"\d+", "#", " ".join(p.text.split())) for p in passages]
    running_keys = [" ".join(line.split()) for line in running_lines(pages)]
    # The middle of each page, as one text: where the document's own sentences
    # name what its running head says ("... of this Regulations and Procedures Manual").
    body = " ".join(" ".join(lines[3:-3]) for lines in pages)
    contents_keys = {tuple(re.findall(r"[a-z0-9]+", h.title.casefold())) for h in truth if len(normal(h.title)) > 6}
    contents_patterns = [re.compile(r"[\s.]*".join(words) + r"[\s.]*\d{1,3}(?![\d.])") for words in contents_keys]

    def running_in(text: str) -> bool:
        """A running line in a passage, unless the words before it (or after it,
        at the passage's start) stand with it in the middle of a page."""
        for key in running_keys:
            for found in re.finditer(re.escape(key), text):
                before = text[max(0, found.start() - 24) : found.start()].partition(" ")[2]
                after = text[found.end() : found.end() + 24].rpartition(" ")[0]
                context = before + key if before.strip() else key + after
                if context not in body:
                    return True
        return False

    def contents_like(raw: str) -> bool:
        if DOT_LEADER.search(raw):
            return True
        # several distinct headings, each followed by a page number (not a list's "2."), in one passage
        spaced = re.sub(r"[^a-z0-9.]+", " ", raw.casefold())
        return sum(1 for pattern in contents_patterns if pattern.search(spaced)) >= 3

    share = lambda flags: sum(flags) / len(passages) if passages else 0.0  # noqa: E731
    return {
        "running": share([running_in(t) for t in texts]),
        "contents": share([contents_like(p.text) for p in passages]),
        "metadata": share([bool(METADATA_LABELS.search(p.text)) for p in passages]),
    }


def word_damage(path: Path, passages) -> tuple[int, int]:
    """Words glued together or split apart, against the words pypdf's plain
    extraction writes on the same pages (which has such faults of its own).
    Glued: a kb word of 8+ letters that the document more often writes as two
    ("police will" against "policewill"). Split: two kb words that the
    document writes as one at least twice as often as it writes the rarer half
    ("un der" against "under")."""
    reader = PdfReader(path)
    raw_words = [w for page in reader.pages for w in re.findall(r"[a-z]+", (page.extract_text() or "").casefold())]
    raw = Counter(raw_words)
    pairs = Counter(itertools.pairwise(raw_words))
    joined = Counter(a + b for a, b in pairs.elements())
    words = [w for p in passages for w in re.findall(r"[a-z]+", p.text.casefold())]
    glued = 0
    for word in set(words):
        if len(word) >= 8 and joined[word] > 2 * raw[word]:
            halves = [(word[:i], word[i:]) for i in range(2, len(word) - 1)]
            glued += any(pairs[half] > 2 * raw[word] for half in halves)
    split = sum(1 for a, b in itertools.pairwise(words) if raw[a + b] >= 2 and 2 * min(raw[a], raw[b]) < raw[a + b])
    return glued, split


def heading_scores(truth: list[TrueHeading], outline, show: bool = False) -> dict[str, float]:
    """Precision, recall, page, level and level-rank accuracy of kb's outline
    against the truth; with ``show``, the misses."""
    pairs = match_headings(truth, outline)
    t_ranks = level_ranks([h.level for h in truth])
    f_ranks = level_ranks([s.level for s in outline]) if outline else {}
    right_page = [(t, f) for t, f in pairs if outline[f].page_start == truth[t].page]
    right_level = [(t, f) for t, f in pairs if t_ranks[truth[t].level] == f_ranks[outline[f].level]]
    # whether each matched heading goes deeper, stays or climbs from the one before, as in the truth
    step = lambda a, b: (a > b) - (a < b)  # noqa: E731
    right_step = [
        (t, f)
        for (pt, pf), (t, f) in itertools.pairwise(pairs)
        if step(truth[t].level, truth[pt].level) == step(outline[f].level, outline[pf].level)
    ]
    if show:
        matched_t = {t for t, _ in pairs}
        matched_f = {f for _, f in pairs}
        for i, h in enumerate(truth):
            if i not in matched_t:
                print(f"  missed   p{h.page:<4} L{h.level} {h.title}")
        for i, s in enumerate(outline):
            if i not in matched_f:
                print(f"  extra    p{s.page_start or 0:<4} L{s.level} {s.heading}")
        for t, f in pairs:
            if (t, f) not in right_page:
                print(f"  page     {truth[t].title!r}: truth p{truth[t].page}, kb p{outline[f].page_start}")
        for t, f in pairs[1:]:
            if (t, f) not in right_step:
                print(f"  level    {truth[t].title!r}: truth L{truth[t].level}, kb L{outline[f].level}")
    return {
        "precision": len(pairs) / len(outline) if outline else 0.0,
        "recall": len(pairs) / len(truth) if truth else 0.0,
        "page": len(right_page) / len(pairs) if pairs else 0.0,
        "level": len(right_step) / (len(pairs) - 1) if len(pairs) > 1 else 0.0,
        "rank": len(right_level) / len(pairs) if pairs else 0.0,
    }


def score(name: str, path: Path, truth: list[TrueHeading], show: bool, real: bool) -> dict:
    started = time.perf_counter()
    parsed = parse(path)
    seconds = time.perf_counter() - started
    passages, outline = make_passages("doc", parsed.sections, parsed.page_labels)
    if show:
        print(f"\n## {name}: title {parsed.title!r}")
    result = {"name": name, "title": parsed.title, "seconds": seconds, **heading_scores(truth, outline, show)}
    if real:
        result.update(furniture_in(passages, page_lines(path), truth))
        result["glued"], result["split"] = word_damage(path, passages)
    return result


def real_documents(names: list[str]):
    for truth_file in sorted((REALDOCS / "truth").glob("*.json")):
        name = truth_file.stem
        if names and not any(n in name for n in names):
            continue
        rows = json.loads(truth_file.read_text())["headings"]
        yield name, REALDOCS / f"{name}.pdf", [TrueHeading(t, level, page) for t, level, _, page in rows]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    show = "--show" in sys.argv
    results = []
    for name, path, truth in real_documents(args):
        results.append(score(name, path, truth, show, real=True))
    if not args:
        with tempfile.TemporaryDirectory() as tmp:
            for with_outline in (True, False):
                path = Path(tmp) / "guidebook.pdf"
                book = build_guidebook(path, with_outline=with_outline)
                truth = [TrueHeading(s.title, s.level, s.page) for s in book.sections]
                name = f"generated guidebook, {'outline' if with_outline else 'no outline'}"
                results.append(score(name, path, truth, show, real=False))
    columns = ("prec", "recall", "page", "level", "rank", "running", "contents", "meta", "glued", "split", "s")
    print(f"\n{'document':<40} " + " ".join(f"{c:>8}" for c in columns))
    failed = False
    for r in results:
        cells = [f"{r[k]:>8.3f}" for k in ("precision", "recall", "page", "level", "rank")]
        if "running" in r:
            cells += [f"{100 * r[k]:>7.1f}%" for k in ("running", "contents", "metadata")]
            cells += [f"{r['glued']:>8}", f"{r['split']:>8}"]
            failed |= min(r["precision"], r["recall"]) < 0.9 or r["page"] < 0.97 or r["level"] < 0.8
            failed |= r["running"] + r["contents"] + r["metadata"] > 0
        else:
            cells += [f"{'':>8}"] * 5
            failed |= min(r["precision"], r["recall"], r["page"]) < 1.0
        cells.append(f"{r['seconds']:>8.1f}")
        print(f"{r['name'][:40]:<40} " + " ".join(cells))
    print("\nfloors: " + ("MISSED" if failed else "met"))


if __name__ == "__main__":
    main()
