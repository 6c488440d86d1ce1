"""Times `kb terms` (5 terms), `kb compare`, `kb diff` and `kb collocates` over two 150-page documents.

Run: .venv/bin/python bench/bench_research.py
Floors: under 2 s each for terms and compare (issue 6), under 3 s for diff and 1 s for collocates (issue 16), on this
2-core machine (new processes, median of 3), beside a `kb list` in the same run for start-up.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from guidebook import build_guidebook  # noqa: E402

CLI = [sys.executable, str(ROOT / "cli.py")]


def timed(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([*CLI, *args], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        index = str(tmp / "index")
        for name, seed in (("edition-2008", 5), ("edition-2022", 9)):
            path = tmp / f"{name}.pdf"
            repeat = 1
            while build_guidebook(path, repeat=repeat, seed=seed).pages < 150:
                repeat += 1
            year = name.split("-")[1]
            subprocess.run([*CLI, "--index", index, "add", "-q", str(path), "--title", "Handbook", "--year", year],
                           check=True, capture_output=True)  # fmt: skip
        terms = ["policing by consent", "legitimacy", "multi-stakeholder", "CoP", "neighbourhood"]
        term_runs = [timed("--index", index, "terms", *terms) for _ in range(3)]
        compare_runs = [timed("--index", index, "compare", "edition-2008", "edition-2022") for _ in range(3)]
        diff_runs = [timed("--index", index, "diff", "edition-2008", "edition-2022") for _ in range(3)]
        collocate_runs = [timed("--index", index, "collocates", "trust") for _ in range(3)]
        list_runs = [timed("--index", index, "list") for _ in range(3)]  # the same process doing the least
    terms, compared, diffed, collocated = (
        statistics.median(runs) for runs in (term_runs, compare_runs, diff_runs, collocate_runs)
    )
    baseline = statistics.median(list_runs)
    print(f"kb list (start-up baseline):               median {baseline:.2f} s")
    print(f"kb terms, 5 terms, two 150-page documents: median {terms:.2f} s (floor < 2 s)")
    print(f"kb compare of two 150-page documents:      median {compared:.2f} s (floor < 2 s)")
    print(
        f"kb diff of two 150-page editions:          median {diffed:.2f} s, {diffed / baseline:.1f}x start-up "
        "(floor < 3 s)"
    )
    print(
        f"kb collocates over both documents:        median {collocated:.2f} s, {collocated / baseline:.1f}x start-up "
        "(floor < 1 s)"
    )
    sys.exit(0 if max(terms, compared) < 2 and diffed < 3 and collocated < 1 else 1)


if __name__ == "__main__":
    main()
