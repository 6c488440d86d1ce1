"""How well and how fast kb reads a guidebook-shaped PDF, against the generator's truth.

Run: .venv/bin/python bench/bench_pdf.py
Floors (issue 4): heading precision and recall >= 0.95 without an outline and 1.0
with one; page_start right for >= 98% of sections; no header or footer line in
any passage; no word broken by a line-end hyphen; a 150-page guidebook-sized PDF
ingested (kb add) in under 5 s, and in at most 2.5 times what pypdf's bare text
extraction of it takes (issue 13), in a time linear in pages.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, str(ROOT / "cli.py")]
sys.path.insert(0, str(ROOT / "tests"))

from guidebook import HEADER, build_guidebook  # noqa: E402
from test_ingest_pdf_structure import intact_share, structure_scores  # noqa: E402

from kb.ingest import parse  # noqa: E402
from kb.passages import make_passages  # noqa: E402


def quality(path: Path, with_outline: bool, repeat: int) -> dict:
    truth = build_guidebook(path, with_outline=with_outline, repeat=repeat)
    parsed = parse(path)
    passages, outline = make_passages("guide", parsed.sections, parsed.page_labels)
    text = " ".join(p.text for p in passages)
    scores = structure_scores(truth, outline)
    scores["words_intact"] = intact_share(truth, passages)
    scores["furniture_lines"] = text.count(HEADER) + len(re.findall(r"\bPage (\d+|[ivx]+)\b", text))
    scores["broken_words"] = sum(
        1 for w in truth.line_end_hyphenations + truth.broken_compounds if not re.search(rf"\b{w}\b", text)
    )
    scores["pages"] = truth.pages
    return scores


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        columns = ("pages", "prec", "recall", "page ok", "intact", "furn.", "broken")
        print(f"{'variant':<28} " + " ".join(f"{c:>7}" for c in columns))
        for with_outline in (True, False):
            for repeat in (1, 8):
                s = quality(tmp / "g.pdf", with_outline, repeat)
                name = f"{'outline' if with_outline else 'no outline'}, {repeat}x content"
                figures = [f"{s[k]:>7.3f}" for k in ("precision", "recall", "page_accuracy", "words_intact")]
                counts = [f"{s[k]:>7}" for k in ("furniture_lines", "broken_words")]
                print(f"{name:<28} {s['pages']:>7} " + " ".join(figures + counts))
                floor = 1.0 if with_outline else 0.95
                failed |= s["precision"] < floor or s["recall"] < floor or s["page_accuracy"] < 0.98
                failed |= s["furniture_lines"] > 0 or s["broken_words"] > 0

        big = tmp / "guidebook-150.pdf"
        repeat = 1
        while build_guidebook(big, repeat=repeat).pages < 150:
            repeat += 1
        half = tmp / "guidebook-75.pdf"
        build_guidebook(half, repeat=max(1, repeat // 2))
        extract = "import sys, pypdf; [p.extract_text() for p in pypdf.PdfReader(sys.argv[1]).pages]"
        bare = [sys.executable, "-c", extract]
        adds, baselines, halves = [], [], []
        for attempt in range(3):  # kb and bare pypdf alternate, new processes each
            adds.append(timed([*CLI, "--index", str(tmp / f"ix{attempt}"), "add", "-q", str(big)]))
            baselines.append(timed([*bare, str(big)]))
            halves.append(timed([*CLI, "--index", str(tmp / f"half{attempt}"), "add", "-q", str(half)]))
        pages = len(__import__("pypdf").PdfReader(big).pages)
        half_pages = len(__import__("pypdf").PdfReader(half).pages)
        add, baseline, add_half = (statistics.median(t) for t in (adds, baselines, halves))
        print(f"kb add of a {pages}-page guidebook: median {add:.2f} s of 3 (floor < 5 s); runs "
              + ", ".join(f"{t:.2f}" for t in adds))  # fmt: skip
        print(f"  pypdf's bare extraction of it: {baseline:.2f} s; ratio {add / baseline:.2f} (floor <= 2.5)")
        print(f"  a {half_pages}-page one: {add_half:.2f} s; per page {add_half / half_pages * 1000:.1f} ms "
              f"against {add / pages * 1000:.1f} ms at {pages} pages")  # fmt: skip
        failed |= add >= 5 or add / baseline > 2.5
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
