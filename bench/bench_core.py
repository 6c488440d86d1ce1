"""Times the two things a person waits for: a cold `kb search` and `kb add` of a 100-page PDF.

Run: .venv/bin/python bench/bench_core.py
Floors (issue 3): cold search < 0.5 s (median of new processes); 100-page add < 5 s.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, str(ROOT / "cli.py")]
VOCABULARY = (
    "police public partnership community trust consent legitimacy prevention crime youth school "
    "officer resident neighbourhood problem solving engagement accountability oversight civil "
    "society mediation victim support patrol strategy principle approach practice training"
).split()


def write_pdf(path: Path, pages: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle("Benchmark Guidebook")
    for page in range(1, pages + 1):
        y = 800
        if page % 4 == 1:
            pdf.setFont("Helvetica-Bold", 14)
            pdf.drawString(72, y, f"{page // 4 + 1}. Chapter on {rng.choice(VOCABULARY)}")
            y -= 28
        pdf.setFont("Helvetica", 10)
        while y > 80:
            words = [rng.choice(VOCABULARY) for _ in range(rng.randint(11, 14))]
            line = " ".join(words)
            if rng.random() < 0.15:
                line += "."
            pdf.drawString(72, y, line)
            y -= 14
        pdf.drawString(280, 40, str(page))
        pdf.showPage()
    pdf.save()


def run(*args: str, index: Path) -> float:
    started = time.perf_counter()
    subprocess.run([*CLI, "--index", str(index), *args], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pdf = tmp / "guidebook-100.pdf"
        write_pdf(pdf, 100)

        add_times = []
        for attempt in range(3):
            index = tmp / f"index-add-{attempt}"
            add_times.append(run("add", "--quiet", str(pdf), index=index))
        add_median = statistics.median(add_times)

        index = tmp / "index-add-0"
        run("add", "--quiet", str(ROOT / "corpus" / "ccpcj34-side-event.txt"), index=index)
        run("search", "policing", index=index)  # warms the file cache
        cold = [run("search", "policing by consent", index=index) for _ in range(9)]
        cold_median = statistics.median(cold)

    print(f"kb add, 100-page PDF:        median {add_median:.2f} s of 3  (floor < 5 s)")
    print(f"kb search, cold process:     median {cold_median:.3f} s of 9  (floor < 0.5 s)")
    print(f"  all add runs: {', '.join(f'{t:.2f}' for t in add_times)}")
    print(f"  all search runs: {', '.join(f'{t:.3f}' for t in cold)}")
    failed = add_median >= 5 or cold_median >= 0.5
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
