"""A 10,000-passage corpus for the speed benches, in the field's own vocabulary.

Passages are drawn from the sentences of the judged corpus and the bundled
event page, so words are as frequent (and as rare) as in real CoP texts; a corpus
of a few repeated words would make every query match every passage.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [*sorted((ROOT / "tests" / "judged" / "corpus").iterdir()), ROOT / "corpus" / "ccpcj34-side-event.txt"]


def sentences() -> list[str]:
    text = " ".join(re.sub(r"<[^>]+>|^#+ .*$", " ", p.read_text(encoding="utf-8"), flags=re.M) for p in SOURCES)
    found = re.split(r"(?<=[.!?])\s+(?=[A-Z])", " ".join(text.split()))
    return [s for s in found if 6 <= len(s.split()) <= 60]


def write_corpus(folder: Path, documents: int = 400, sections: int = 25, seed: int = 1) -> None:
    """``documents`` Markdown files of ``sections`` sections, one passage each."""
    rng = random.Random(seed)
    pool = sentences()
    folder.mkdir(parents=True, exist_ok=True)
    for d in range(documents):
        parts = [f"# Report {seed}-{d}\n"]
        for s in range(sections):
            heading = " ".join(rng.choice(pool).split()[:4]).strip(".,;:")
            body = " ".join(rng.sample(pool, rng.randint(3, 7)))
            parts.append(f"## {s + 1}. {heading}\n\n{body}\n")
        (folder / f"report-{seed}-{d:03}.md").write_text("\n".join(parts), encoding="utf-8")
