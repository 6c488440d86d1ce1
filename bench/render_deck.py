"""Renders an exported deck as a person would see it: .pptx -> PDF -> PNG pages.

Run: .venv/bin/python bench/render_deck.py [OUT_DIR]
Needs LibreOffice Impress (Debian: libreoffice-impress) and pdftoppm (poppler-utils).
It builds a guidebook-shaped PDF, picks five passages (one of them long), exports
the pack with and without --max-words, renders both decks and prints where the
page images are, so that they can be looked at: no text may overflow its slide.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from guidebook import build_guidebook  # noqa: E402
from pypdf import PdfReader  # noqa: E402

CLI = [sys.executable, str(ROOT / "cli.py")]


def kb(index: Path, *args: str) -> str:
    return subprocess.run([*CLI, "--index", str(index), *args], check=True, capture_output=True, text=True).stdout


def main() -> None:
    if not (shutil.which("soffice") and shutil.which("pdftoppm")):
        sys.exit("needs soffice (libreoffice-impress) and pdftoppm (poppler-utils)")
    out = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="kb-deck-"))
    out.mkdir(parents=True, exist_ok=True)
    index = out / "index"
    pdf = out / "handbook.pdf"
    build_guidebook(pdf)
    kb(index, "add", "-q", str(pdf), "--publisher", "kb project", "--year", "2026", "--edition", "1st")
    kb(index, "search", '"policing by consent"', "--pick", "1", "-q")
    for query in ("partnership", "trust legitimacy", "purpose of the handbook", "partnerships in practice"):
        kb(index, "search", query, "--pick", "1", "-q")
    for name, extra in (("full", []), ("short", ["--max-words", "40"])):
        deck = out / f"{name}.pptx"
        kb(index, "pick", "export", "--format", "pptx", "-o", str(deck), "--title", "Policing by consent", *extra)
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out), str(deck)],
                       check=True, capture_output=True, timeout=300)  # fmt: skip
        rendered = out / f"{name}.pdf"
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(rendered), str(out / name)], check=True)
        print(f"{deck.name}: {len(PdfReader(rendered).pages)} slides rendered as {out / name}-*.png")


if __name__ == "__main__":
    main()
