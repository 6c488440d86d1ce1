"""Real processes: a kill in the middle of a write, a second writer, readers racing a commit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kb import KnowledgeBase, config

CLI = str(config.PROJECT_ROOT / "cli.py")
WORDS = [
    "police",
    "community",
    "trust",
    "partnership",
    "youth",
    "school",
    "patrol",
    "consent",
    "crime",
    "prevention",
    "officer",
]


def make_notes(folder: Path, count: int, first: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(first, first + count):
        body = "\n\n".join(
            f"## Part {s}\n\n" + " ".join(WORDS[(i * 7 + s * 3 + k) % len(WORDS)] for k in range(120)) + "."
            for s in range(4)
        )
        (folder / f"note{i:04}.md").write_text(f"# Note {i}\n\n{body}\n", encoding="utf-8")
    return folder


def start_add(index: Path, *paths: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, CLI, "--index", str(index), "add", "--quiet", *map(str, paths)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_write_lock(knowledge_base: KnowledgeBase, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while not knowledge_base.index.is_write_locked():
        assert process.poll() is None, "the add finished before it was seen writing"
        assert time.monotonic() < deadline
        time.sleep(0.01)


@pytest.fixture(scope="module")
def many_notes(tmp_path_factory) -> Path:
    return make_notes(tmp_path_factory.mktemp("notes") / "many", 1200)


@pytest.fixture
def seeded(tmp_path, write) -> KnowledgeBase:
    knowledge_base = KnowledgeBase(tmp_path / "index")
    knowledge_base.add([write("earlier.md", "# Earlier\n\nA document that was here before.\n")])
    return knowledge_base


def wait_for_commit(index: Path, process: subprocess.Popen) -> None:
    """Until the add starts its commit: Whoosh then writes the segment's column files."""
    deadline = time.monotonic() + 60
    while not any(index.glob("*.col")):
        assert process.poll() is None, "the add finished before it was seen committing"
        assert time.monotonic() < deadline
        time.sleep(0.002)


@pytest.mark.parametrize(
    ("phase", "delay"),
    [
        ("reading files", 0.05),
        ("reading files", 0.5),
        ("committing", 0.0),
        ("committing", 0.03),
        ("committing", 0.1),
    ],
)
def test_sigkill_during_add_never_leaves_a_partial_index(seeded, many_notes, write, phase, delay):
    """Killed while it reads files, an add leaves exactly the earlier documents;
    killed while it commits, the index holds either those or all of the new
    ones, never a part."""
    process = start_add(seeded.path, many_notes)
    wait_for_write_lock(seeded, process)
    if phase == "committing":
        wait_for_commit(seeded.path, process)
    time.sleep(delay)
    assert process.poll() is None, f"the add finished within {delay}s of {phase}"
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()

    after = KnowledgeBase(seeded.path)
    ids = {d.id for d in after.documents()}
    everything = {"earlier"} | {p.stem for p in many_notes.iterdir()}
    if phase == "reading files":
        assert ids == {"earlier"}
    else:
        assert ids in ({"earlier"}, everything)
    assert after.search("before").total == 1
    assert after.search("partnership").total == (0 if ids == {"earlier"} else 4 * (len(everything) - 1))
    # The lock died with the process: the next add goes through.
    report = after.add([write("later.md", "# Later\n\nAdded after the kill.\n")])
    assert report.added and not report.failed


def test_second_concurrent_add_gets_a_one_line_message(seeded, many_notes, write):
    first = start_add(seeded.path, many_notes)
    wait_for_write_lock(seeded, first)
    second = start_add(seeded.path, write("other.md", "# Other\n\ntext\n"))
    _, stderr = second.communicate(timeout=60)
    first.communicate(timeout=120)
    assert second.returncode == 2
    assert stderr.strip().count("\n") == 0
    assert stderr.startswith("error: the index at ") and "another kb process" in stderr
    assert first.returncode == 0


def test_searches_during_a_long_add_all_succeed(seeded, many_notes, tmp_path):
    second_batch = make_notes(tmp_path / "second", 300, first=5000)
    process = start_add(seeded.path, many_notes)
    searches = failures = 0
    phase = 1
    while True:
        try:
            KnowledgeBase(seeded.path).search("trust partnership", limit=5)
        except Exception as exc:  # any failure at all is what this test looks for
            failures += 1
            print(f"search failed: {exc!r}")
        searches += 1
        if process.poll() is not None:
            _, stderr = process.communicate()
            assert process.returncode == 0, stderr
            if phase == 2:
                break
            phase = 2
            process = start_add(seeded.path, second_batch)  # a second commit to race
    assert failures == 0
    assert searches > 50
    assert len(KnowledgeBase(seeded.path).documents()) == 1 + 1200 + 300


def test_a_server_searching_through_adds_and_a_rebuild_never_fails(seeded, tmp_path):
    """A kept-open index (as kb serve holds it) while other processes commit
    twice, one after the other, and then swap in a rebuilt folder."""
    server = KnowledgeBase(seeded.path, keep_open=True)
    first, second = make_notes(tmp_path / "first", 150), make_notes(tmp_path / "second", 150, first=500)
    kb = [sys.executable, CLI, "--index", str(seeded.path)]
    commands = [[*kb, "add", "--quiet", str(first)], [*kb, "add", "--quiet", str(second)], [*kb, "rebuild", "--quiet"]]
    failures, searches = [], 0
    for command in commands:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        while process.poll() is None:
            try:
                server.search("trust partnership", limit=5)
            except Exception as exc:  # any failure at all is what this test looks for
                failures.append(repr(exc))
            searches += 1
        _, stderr = process.communicate()
        assert process.returncode == 0, stderr
    assert failures == [] and searches > 20
    assert server.search("trust").total == seeded.search("trust").total > 0
    assert len(server.documents()) == 1 + 300
    server.index.close()
