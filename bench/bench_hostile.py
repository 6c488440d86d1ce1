"""Hostile files: kb keeps working, loses nothing and never shows a traceback.

Run: .venv/bin/python bench/bench_hostile.py [--per-seed N] [--batch N] [--timeout S] [--keep DIR]

At least 500 files are made in a scratch folder from real and generated seeds:

- seeds: the first pages of each PDF in ../shared/realdocs/ (their own fonts
  and content streams), a whole real PDF or two, the real HTML and Markdown
  cut to a few hundred KB, a generated guidebook PDF, the bundled seed text;
- mutations of every seed: byte flips (1, 10, 1000 bytes), truncation,
  a deleted or repeated chunk, random bytes spliced in, another seed's
  bytes under this one's name;
- pathological inputs written here: the patterns of issue 18 (a heading of
  10,000 spaces, '*a ' x 100,000, <div> x 30,000, unclosed <p><i> x 10,000)
  and their cousins, PDFs with a page-tree loop, a huge /Count, a 1 GB
  compression bomb and garbage cross-references;
- special files: a FIFO, links to /dev/zero and to the FIFO, a folder named
  x.pdf, a dangling link, a sparse file bigger than --max-size.

They are added by the real CLI (`python cli.py add`, one process per batch) in
batches, each mixed with good Markdown files that hold a word of their own,
into one index. Every batch runs under a wall-clock bound. Then every good
file must be found by its word, and every file is parsed once more on its own
in kb's reader process to find the slowest.

Printed: tried, refused (an error: line), warned, ran over --timeout, hung
batches (over the bound: must be 0), tracebacks (must be 0), stderr lines that
are neither error: nor warning: (must be 0), good files missing (must be 0),
the slowest files. Exit 1 if a must-be-0 count is not.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

from pypdf import PdfReader, PdfWriter

ROOT = Path(__file__).resolve().parent.parent
REALDOCS = ROOT.parent / "shared" / "realdocs"
SEED_TEXT = ROOT / "corpus"
sys.path.insert(0, str(ROOT / "tests"))

from guidebook import build_guidebook  # noqa: E402

from kb.base import KnowledgeBase  # noqa: E402
from kb.errors import KbError  # noqa: E402
from kb.ingest.limits import ReaderProcess  # noqa: E402


def seeds(folder: Path) -> list[Path]:
    """Small real files (a few pages, a few hundred KB), so that hundreds of
    mutations parse in minutes, and two whole real PDFs."""
    made = []
    pdfs = sorted(REALDOCS.glob("*.pdf"))
    for pdf in pdfs:
        reader = PdfReader(pdf)
        writer = PdfWriter()
        for page in reader.pages[:4]:
            writer.add_page(page)
        target = folder / f"seed-{pdf.stem}.pdf"
        with target.open("wb") as out:
            writer.write(out)
        made.append(target)
    for whole in pdfs[1:3]:
        made.append(Path(shutil.copy(whole, folder / f"seed-whole-{whole.name}")))
    for other in sorted(REALDOCS.glob("*.htm*")) + sorted(REALDOCS.glob("*.md")):
        target = folder / f"seed-{other.name}"
        target.write_bytes(other.read_bytes()[:300_000])
        made.append(target)
    made.append(build_guidebook(folder / "seed-guidebook.pdf").path)
    for text in sorted(SEED_TEXT.glob("*.txt")):
        made.append(Path(shutil.copy(text, folder / f"seed-{text.name}")))
    return made


def mutations(seed: bytes, others: list[bytes], rng: random.Random, count: int) -> list[bytes]:
    def flip(data: bytes, n: int) -> bytes:
        out = bytearray(data)
        for _ in range(n):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)

    def cut(data: bytes) -> bytes:
        return data[: rng.randrange(len(data))]

    def delete_chunk(data: bytes) -> bytes:
        start = rng.randrange(len(data))
        return data[:start] + data[start + rng.randrange(1, 4096) :]

    def repeat_chunk(data: bytes) -> bytes:
        start = rng.randrange(len(data))
        chunk = data[start : start + rng.randrange(1, 4096)]
        return data[:start] + chunk * rng.randrange(2, 50) + data[start:]

    def splice(data: bytes) -> bytes:
        start = rng.randrange(len(data))
        return data[:start] + rng.randbytes(rng.randrange(1, 2048)) + data[start:]

    def foreign(data: bytes) -> bytes:
        return rng.choice(others)

    kinds = [
        lambda d: flip(d, 1),
        lambda d: flip(d, 10),
        lambda d: flip(d, 1000),
        cut,
        delete_chunk,
        repeat_chunk,
        splice,
        foreign,
    ]
    return [kinds[i % len(kinds)](seed) for i in range(count)]


def pathological() -> dict[str, bytes]:
    """Inputs made to be slow: each is one pattern repeated until a quadratic
    or worse parser would take minutes."""
    text = {
        "md-heading-spaces.md": "# a" + " " * 10_000 + "b",
        "md-emphasis.md": "*a " * 100_000,
        "md-brackets.md": "[" * 50_000 + "x",
        "md-links.md": "[a](" * 20_000,
        "md-images.md": "![" * 20_000,
        "md-backticks.md": "`" * 50_000,
        "md-quotes.md": "> " * 10_000 + "x",
        "md-list-indent.md": "".join("  " * i + "- x\n" for i in range(2_000)),
        "md-hashes.md": "#" * 10_000 + " x",
        "md-headings.md": "# h\n" * 50_000,
        "md-underscores.md": "_" * 100_000,
        "md-comments.md": "<!--" * 10_000,
        "md-table.md": "|" * 100_000 + "\n|-|\n",
        "md-long-line.md": "word " * 1_000_000,
        "md-carriage-returns.md": "\r" * 100_000 + "x",
        "md-setext.md": "x\n===\n" * 30_000,
        "html-divs.html": "<div>" * 30_000,
        "html-unclosed.html": "<p>para <i>x" * 10_000,
        "html-tables.html": "<table><tr><td>" * 5_000,
        "html-lists.html": "<ul><li>" * 10_000,
        "html-comments.html": "<!--" * 10_000,
        "html-attribute.html": '<a href="' + "x" * 1_000_000,
        "html-headings.html": "<h1>" * 10_000,
        "html-script.html": "<script>" + "x" * 1_000_000,
        "html-entities.html": "&amp;" * 200_000,
        "html-angles.html": "<" * 100_000,
        "html-breaks.html": "<br>" * 200_000,
        "html-attributes.html": "<p " + " ".join(f"a{i}=x" for i in range(50_000)) + ">x",
        "txt-long-line.txt": "a" * 1_000_000,
        "txt-blank-lines.txt": "\n" * 1_000_000,
        "txt-numbered.txt": "1. x\n" * 100_000,
        "txt-roman.txt": "I. Heading\n" * 50_000,
        "txt-chapters.txt": "CHAPTER 1\n" * 200_000,
        "txt-spaces.txt": " " * 1_000_000 + "x",
        "txt-dots.txt": "Contents " + ". " * 200_000 + "3",
    }
    made = {name: value.encode() for name, value in text.items()}
    made["txt-nul.txt"] = b"\x00" * 100_000
    made["txt-invalid-utf8.txt"] = bytes(range(128, 256)) * 2_000
    made["txt-utf16.txt"] = "Policing by consent\n".encode("utf-16")
    made["md-empty.md"] = b""
    made["html-empty.html"] = b""
    made["pdf-empty.pdf"] = b""
    made["pdf-zeros.pdf"] = b"\x00" * 100_000
    made["pdf-header-only.pdf"] = b"%PDF-1.7\n"
    made["pdf-loop.pdf"] = _pdf(
        {1: "<< /Type /Catalog /Pages 2 0 R >>", 2: "<< /Type /Pages /Kids [2 0 R] /Count 1 >>"}
    )
    made["pdf-count.pdf"] = _pdf(
        {
            1: "<< /Type /Catalog /Pages 2 0 R >>",
            2: "<< /Type /Pages /Kids [3 0 R] /Count 2000000000 >>",
            3: "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        }
    )
    made["pdf-bomb.pdf"] = _bomb()
    made["pdf-nested-arrays.pdf"] = _page_with_content(b"[" * 100_000)
    made["pdf-many-operators.pdf"] = _page_with_content(b"BT /F1 12 Tf (x) Tj ET\n" * 200_000)
    made["pdf-bad-xref.pdf"] = _pdf({1: "<< /Type /Catalog /Pages 2 0 R >>"}).replace(b"xref", b"xrff")
    return made


def _pdf(objects: dict[int, str], streams: dict[int, bytes] | None = None) -> bytes:
    """A PDF with a correct cross-reference table, so that pypdf reads what
    the objects say rather than stopping at a broken file."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = {}
    for number in sorted(set(objects) | set(streams or {})):
        offsets[number] = out.tell()
        out.write(f"{number} 0 obj\n{objects[number]}\n".encode())
        if streams and number in streams:
            out.write(b"stream\n" + streams[number] + b"\nendstream\n")
        out.write(b"endobj\n")
    start = out.tell()
    size = max(offsets) + 1
    out.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode())
    for number in range(1, size):
        out.write(f"{offsets.get(number, 0):010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{start}\n%%EOF\n".encode())
    return out.getvalue()


def _page_with_content(content: bytes, filters: str = "") -> bytes:
    return _pdf(
        {
            1: "<< /Type /Catalog /Pages 2 0 R >>",
            2: "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
            4: f"<< /Length {len(content)} {filters} >>",
        },
        {4: content},
    )


def _bomb() -> bytes:
    """A page whose content stream inflates to 1 GB of spaces."""
    squeeze = zlib.compressobj(9)
    block = b" " * (1 << 20)
    compressed = b"".join(squeeze.compress(block) for _ in range(1024)) + squeeze.flush()
    return _page_with_content(compressed, "/Filter /FlateDecode")


def special_files(folder: Path, max_size: int) -> list[Path]:
    fifo = folder / "special-fifo.txt"
    os.mkfifo(fifo)
    (folder / "special-zero.txt").symlink_to("/dev/zero")
    (folder / "special-to-fifo.md").symlink_to(fifo)
    (folder / "special-dangling.md").symlink_to(folder / "nowhere.md")
    (folder / "special-folder.pdf").mkdir()
    with (folder / "special-sparse.txt").open("wb") as sparse:
        sparse.truncate(max_size + 1)
    return sorted(folder.glob("special-*"))


def good_file(folder: Path, number: int) -> tuple[Path, str]:
    word = f"goodword{number:04d}x"
    path = folder / f"good-{number:04d}.md"
    path.write_text(f"# Good file {number}\n\nCommunity policing works with {word} and partners.\n", encoding="utf-8")
    return path, word


def run_batch(index: Path, files: list[Path], timeout: float, max_size: str, bound: float) -> dict:
    command = [sys.executable, str(ROOT / "cli.py"), "--index", str(index), "add"]
    command += ["--timeout", str(timeout), "--max-size", max_size, *map(str, files)]
    started = time.monotonic()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=bound, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {"hung": True, "seconds": time.monotonic() - started, "stderr": "", "code": None}
    return {"hung": False, "seconds": time.monotonic() - started, "stderr": done.stderr, "code": done.returncode}


def main() -> None:
    options = argparse.ArgumentParser()
    options.add_argument("--per-seed", type=int, default=55, help="mutations of each seed")
    options.add_argument("--batch", type=int, default=40, help="hostile files per kb add")
    options.add_argument("--timeout", type=float, default=60.0, help="kb add --timeout (kb's default)")
    options.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = options.parse_args()
    if not REALDOCS.is_dir():
        sys.exit(f"{REALDOCS} is not there")
    rng = random.Random(18)
    scratch = Path(tempfile.mkdtemp(prefix="kb-hostile-"))
    folder = args.keep or scratch / "files"
    folder.mkdir(parents=True, exist_ok=True)
    max_size = 50 << 20

    seed_paths = seeds(folder)
    seed_bytes = [p.read_bytes() for p in seed_paths]
    hostile: list[Path] = []
    for path, data in zip(seed_paths, seed_bytes, strict=True):
        others = [b for b in seed_bytes if b is not data]
        count = args.per_seed if "whole" not in path.name else 6  # whole PDFs are slow to parse
        for n, mutated in enumerate(mutations(data, others, rng, count)):
            target = folder / f"mut-{path.stem}-{n:03d}{path.suffix}"
            target.write_bytes(mutated)
            hostile.append(target)
    for name, data in pathological().items():
        (folder / f"patho-{name}").write_bytes(data)
        hostile.append(folder / f"patho-{name}")
    hostile += special_files(folder, max_size)
    rng.shuffle(hostile)

    index = scratch / "index"
    good: dict[Path, str] = {}
    first = run_batch(index, seed_paths, args.timeout, str(max_size), bound=600)
    results = [first]
    batches = [hostile[i : i + args.batch] for i in range(0, len(hostile), args.batch)]
    for number, batch in enumerate(batches, 1):
        goods = [good_file(folder, len(good) + k) for k in range(3)]
        good.update(goods)
        files = batch[:10] + [p for p, _ in goods] + batch[10:]
        bound = 60 + args.timeout * 3
        result = run_batch(index, files, args.timeout, str(max_size), bound)
        results.append(result)
        print(f"batch {number}/{len(batches)}: {len(batch)} hostile files, {result['seconds']:.1f} s", file=sys.stderr)

    stderr = "\n".join(r["stderr"] for r in results)
    refused = sum(1 for line in stderr.splitlines() if line.startswith("error: "))
    warned = sum(1 for line in stderr.splitlines() if line.startswith("warning: "))
    ran_over = stderr.count("took longer than")
    hung = sum(r["hung"] for r in results)
    raw = [line for line in stderr.splitlines() if line and not line.startswith(("error: ", "warning: "))]
    tracebacks = stderr.count("Traceback") + sum(1 for r in results if r["code"] not in (0, 2, None))

    knowledge_base = KnowledgeBase(index)
    missing = []
    for path, word in good.items():
        hits = knowledge_base.search(word, limit=3).hits
        if not any(h.document.path == str(path.resolve()) or h.document.path == str(path) for h in hits):
            missing.append(path.name)
    seeds_missing = [p.name for p in seed_paths if not any(d.path.endswith(p.name) for d in knowledge_base.documents())]

    timings = []
    with ReaderProcess(args.timeout) as reader:
        for path in hostile:
            started = time.monotonic()
            try:
                if path.is_file() and not path.is_symlink() and path.stat().st_size <= max_size:
                    reader.parse(path)
            except KbError:
                pass
            timings.append((time.monotonic() - started, path.name))
    timings.sort(reverse=True)

    print(f"tried:              {len(hostile)} hostile files in {len(batches)} batches, {len(good)} good files")
    print(f"refused (error:):   {refused}")
    print(f"warned (warning:):  {warned}")
    print(f"ran over --timeout: {ran_over} (limit {args.timeout:g} s)")
    print(f"hung batches:       {hung}")
    print(f"tracebacks:         {tracebacks}")
    print(f"raw stderr lines:   {len(raw)} {raw[:3]}")
    print(f"good files missing: {len(missing)} {missing[:5]}")
    print(f"seeds missing:      {len(seeds_missing)} {seeds_missing}")
    print(f"slowest batch:      {max(r['seconds'] for r in results[1:]):.1f} s")
    print("slowest files (parse on its own):")
    for seconds, name in timings[:5]:
        print(f"  {seconds:6.2f} s  {name}")
    if args.keep is None:
        shutil.rmtree(scratch, ignore_errors=True)
    if hung or tracebacks or raw or missing or seeds_missing:
        sys.exit(1)


if __name__ == "__main__":
    main()
