"""Files that would hang, sink or garble an add: special files, huge files,
pathological markup, a reader that hangs or dies, libraries that talk on stderr.
Each is one line naming the file, and the rest of the batch goes in."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_pdf

from kb import KnowledgeBase
from kb import cli as kb_cli
from kb.ingest import READERS, parse
from kb.ingest.limits import Limits, ReaderProcess, one_of_each_kind, parse_size


def add(tmp_path, *args) -> tuple[int, str]:
    result = CliRunner().invoke(kb_cli.cli, ["--index", str(tmp_path / "ix"), "add", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


def documents(tmp_path) -> set[str]:
    return {d.id for d in KnowledgeBase(tmp_path / "ix").documents()}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifos_and_links_to_devices_are_refused_by_the_name_given_and_the_rest_goes_in(tmp_path, write):
    good = write("good.md", "# Good\n\nCommunity policing builds trust.\n")
    fifo = tmp_path / "docs" / "pipe.txt"
    os.mkfifo(fifo)
    (tmp_path / "docs" / "zero.md").symlink_to("/dev/zero")
    code, stderr = add(tmp_path, fifo, good, tmp_path / "docs")
    assert code == 2
    assert f"error: {fifo}: is a FIFO, not a regular file" in stderr
    assert f"error: {tmp_path / 'docs' / 'zero.md'}: is a character device, not a regular file" in stderr
    assert documents(tmp_path) == {"good"}


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(tmp_path, write):
    big = write("big.txt", "Trust and patrols.\n" * 100_000)  # 1.9 MB
    small = write("small.txt", "Small note\n\nTrust and patrols.\n")
    code, stderr = add(tmp_path, big, small, "--max-size", "1MB")
    assert code == 2
    assert f"error: {big}: 1.9 MB is over the 1.0 MB limit (--max-size)" in stderr
    assert documents(tmp_path) == {"small"}
    code, _ = add(tmp_path, big)  # under the default cap for text
    assert code == 0 and documents(tmp_path) == {"small", "big"}


def test_sizes_read_as_people_write_them():
    assert parse_size("200MB") == 200_000_000
    assert parse_size("1.5G") == 1_500_000_000
    assert parse_size("800k") == 800_000
    assert parse_size("3") == 3_000_000
    for wrong in ("1X", "lots", "0", "-5MB"):
        with pytest.raises(ValueError):
            parse_size(wrong)
    assert (Limits().cap(Path("a.pdf")), Limits().cap(Path("a.html"))) == (500_000_000, 100_000_000)
    assert Limits(max_bytes=5).cap(Path("a.pdf")) == 5


def _slow_text(path):
    time.sleep(30)


def test_a_file_that_takes_too_long_is_skipped_and_the_rest_goes_in(tmp_path, write, monkeypatch):
    slow = write("slow.txt", "Slow note\n\nIt never ends.\n")
    good = write("good.md", "# Good\n\nCommunity policing builds trust.\n")
    monkeypatch.setitem(READERS, ".txt", _slow_text)  # the reader process is forked with it
    started = time.monotonic()
    code, stderr = add(tmp_path, slow, good, "--timeout", "1")
    assert time.monotonic() - started < 20
    assert code == 2
    assert f"error: {slow}: took longer than 1 s to read, so it was skipped (--timeout)" in stderr
    assert documents(tmp_path) == {"good"}


def _dying_text(path):
    os._exit(3)


def test_a_reader_that_dies_costs_its_file_only(tmp_path, write, monkeypatch):
    files = [write("a.txt", "A note\n\nOne.\n"), write("b.md", "# B\n\nTwo.\n"), write("c.md", "# C\n\nThree.\n")]
    monkeypatch.setitem(READERS, ".txt", _dying_text)
    code, stderr = add(tmp_path, *files)
    assert code == 2
    assert f"error: {files[0]}: the reader stopped while reading it (exit code 3)" in stderr
    assert documents(tmp_path) == {"b", "c"}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("heading.md", "# a" + " " * 10_000 + "b\n\ntext under it\n"),
        ("emphasis.md", "*a " * 100_000),
        ("brackets.md", "[" * 50_000 + "](x)"),
        ("nested.html", "<html><body>" + "<div>" * 30_000 + "deep text"),
        ("unclosed.html", "<html><body>" + "<p>para <i>x" * 10_000),
        ("comments.md", "text <!-- " * 20_000),
    ],
)
def test_pathological_markup_is_read_in_time(write, name, content):
    path = write(name, content)
    with ReaderProcess(timeout=20) as reader:
        parsed = reader.parse(path)  # raises if it is still reading after 20 s (it took minutes before)
    assert any(section.blocks for section in parsed.sections)


def test_a_pdf_line_drawn_as_thousands_of_runs_is_read_in_time(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "runs.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    text = pdf.beginText(72, 700)
    for n in range(20_000):  # the font changes at every glyph, so each is a piece of its own
        text.setFont(("Helvetica", "Helvetica-Bold")[n % 2], 2)
        text.textOut("abc"[n % 3])
    pdf.drawText(text)
    pdf.showPage()
    pdf.save()
    with ReaderProcess(timeout=15) as reader:
        parsed = reader.parse(path)  # took 30 s when each piece looked back along its line
    assert sum(len(b.text) for s in parsed.sections for b in s.blocks) >= 20_000


def test_an_html_fragment_without_body_is_read(write):
    parsed = parse(write("fragment.html", "<h2>Youth</h2><p>Trust with youth grows.</p>"))
    assert [b.text for s in parsed.sections for b in s.blocks] == ["Trust with youth grows."]


def test_what_pypdf_says_about_a_damaged_pdf_is_one_warning_line_for_the_file(tmp_path):
    path = write_pdf(tmp_path / "damaged.pdf", [["Community policing builds trust."]])
    data = path.read_bytes()
    start = data.rfind(b"startxref")
    path.write_bytes(data[:start] + b"startxref\n99999\n%%EOF\n")
    code, stderr = add(tmp_path, path)
    assert code == 0
    lines = stderr.splitlines()
    assert lines and all(line.startswith(f"warning: {path}: ") for line in lines), stderr
    assert any("startxref" in line for line in lines)


def test_what_bs4_logs_about_undecodable_html_is_one_warning_line_for_the_file(tmp_path, write, capfd):
    path = write("garbled.html", "")
    # Invalid as UTF-8 and holding bytes windows-1252 leaves undefined, so bs4 has to replace some.
    path.write_bytes(
        b"<html><body><p>Trust \x81\x8d\x8f\x90\x9d " + bytes(range(0x80, 0x100)) * 3 + b"</p></body></html>"
    )
    code, stderr = add(tmp_path, path)
    assert code == 0
    assert stderr.splitlines() == [f"warning: {path}: Some characters could not be decoded, and were replaced "
                                   "with REPLACEMENT CHARACTER."]  # fmt: skip
    assert capfd.readouterr().err == ""  # nothing raw from the logging module


def test_warnings_of_one_kind_are_one_line():
    messages = [
        "page 3: no text layer",
        "page 9: no text layer",
        "Multiple definitions at 0x1f",
        "Multiple definitions at 0x2e",
    ]
    assert one_of_each_kind(messages) == ["pages 3, 9: no text layer", "Multiple definitions at 0x1f"]


def test_an_unreadable_folder_is_an_error_line_and_the_rest_goes_in(tmp_path, write, monkeypatch):
    write("good.md", "# Good\n\nCommunity policing builds trust.\n")
    locked = tmp_path / "docs" / "locked"
    locked.mkdir()
    write("locked/secret.md", "# Secret\n\nhidden\n")
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)  # as root, chmod 000 would not stop kb
    code, stderr = add(tmp_path, tmp_path / "docs")
    assert code == 2
    assert f"error: {locked}: folder cannot be read (Permission denied)" in stderr
    assert documents(tmp_path) == {"good"}


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs, where this machine lets the tests mount one (root on Linux)."""
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here to fill: {made.stderr.strip() or made.returncode}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_one_line_leaves_the_index_as_it_was_and_frees_the_space(small_disk, write):
    index = small_disk / "ix"
    note = write("note.md", "# Note\n\nCommunity policing builds trust.\n")
    big = write(
        "big.txt", "Big file\n\n" + "\n".join(f"Line {n} of the patrol log, word{n} w{n * 7}." for n in range(60_000))
    )
    assert CliRunner().invoke(kb_cli.cli, ["--index", str(index), "add", str(note)]).exit_code == 0
    before = sorted(p.name for p in index.iterdir())
    result = CliRunner().invoke(kb_cli.cli, ["--index", str(index), "add", str(big)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: cannot write the index at {index}: no space left on the disk; nothing was changed"
    ]
    assert sorted(p.name for p in index.iterdir()) == before  # the failed writer's files are gone
    assert {d.id for d in KnowledgeBase(index).documents()} == {"note"}
    removed = CliRunner().invoke(kb_cli.cli, ["--index", str(index), "remove", "note"])
    assert removed.exit_code == 0, removed.output
