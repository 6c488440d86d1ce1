"""Recovering from what goes wrong: damaged indexes, commands killed at any
moment (inside a rebuild's swap, while PDF workers run), and what they leave."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_pdf

from kb import IndexCorrupt, KnowledgeBase, Metadata, config
from kb import cli as kb_cli
from kb.index import DOCUMENT_LIST
from kb.ingest import parse
from kb.passages import make_passages

CLI = str(config.PROJECT_ROOT / "cli.py")


def damage(index: Path) -> None:
    for toc in index.glob("_MAIN_*.toc"):
        toc.write_bytes(b"\x00garbage" * 10)


# Whoosh leaves the file of a TOC it cannot read open; that leak is Whoosh's.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def test_every_writing_command_reports_a_damaged_index_in_one_line(knowledge_base, write):
    knowledge_base.add([write("a.md", "# A\n\nalpha text\n")])
    damage(knowledge_base.path)
    runner = CliRunner()
    for args in (["add", str(write("b.md", "# B\n\nbravo\n"))], ["remove", "a"], ["search", "alpha"]):
        result = runner.invoke(kb_cli.cli, ["--index", str(knowledge_base.path), *args])
        assert result.exit_code == 2, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
        message = result.output.strip()
        assert message.count("\n") == 0 and message.startswith("error: ") and "kb rebuild" in message, args


def test_rebuild_mends_a_damaged_index_from_the_document_list_kept_beside_it(knowledge_base, write):
    a = write("a.md", "# A\n\nalpha text\n")
    b = write("b.md", "# B\n\nbravo text\n")
    knowledge_base.add([a], Metadata(title="Alpha Guide", year=2008))
    knowledge_base.add([b])
    damage(knowledge_base.path)
    with pytest.raises(IndexCorrupt):
        knowledge_base.documents()

    report = knowledge_base.rebuild()
    assert sorted(report.added) == sorted([str(a), str(b)]) and not report.failed
    assert {d.id for d in knowledge_base.documents()} == {"a", "b"}
    assert (knowledge_base.document("a").title, knowledge_base.document("a").year) == ("Alpha Guide", 2008)
    assert knowledge_base.search("bravo").total == 1
    assert knowledge_base.add([write("c.md", "# C\n\ncharlie\n")]).added


def test_a_damaged_index_without_its_document_list_says_what_to_do(knowledge_base, write):
    knowledge_base.add([write("a.md", "# A\n\nalpha text\n")])
    damage(knowledge_base.path)
    (knowledge_base.path / DOCUMENT_LIST).unlink()
    with pytest.raises(IndexCorrupt, match="delete the folder and add the documents again"):
        knowledge_base.rebuild()


def test_the_document_list_follows_every_commit(knowledge_base, write):
    knowledge_base.add([write("a.md", "# A\n\nalpha\n"), write("b.md", "# B\n\nbravo\n")])
    knowledge_base.remove("a")
    knowledge_base.add([write("b.md", "# B\n\nbravo\n")], Metadata(edition="2nd"))
    listed = KnowledgeBase(knowledge_base.path).index.recorded_documents()
    damage(knowledge_base.path)
    from_list = knowledge_base.index.recorded_documents()
    assert from_list == listed
    (record,) = from_list[0]
    assert record["document"]["id"] == "b" and record["metadata"] == {"edition": "2nd"}


# A rebuild whose file operations are counted once the swap begins, and which
# kills itself with SIGKILL at the operation numbered on its command line.
SWAP_KILLER = """
import os, signal, sys
from kb import KnowledgeBase
from kb.index import Index

stop_at, calls = int(sys.argv[2]), 0
real = {name: getattr(os, name) for name in ("replace", "rename", "remove", "unlink", "rmdir")}

def counted(name):
    def call(*args, **kwargs):
        global calls
        calls += 1
        if calls == stop_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return real[name](*args, **kwargs)
    return call

take_over = Index.take_over

def take_over_counted(self, fresh):
    for name in real:
        setattr(os, name, counted(name))
    take_over(self, fresh)
    for name, function in real.items():
        setattr(os, name, function)
    print("swapped", calls)

Index.take_over = take_over_counted
KnowledgeBase(sys.argv[1]).rebuild()
"""


def test_sigkill_at_every_step_of_a_rebuilds_swap_leaves_the_old_index_or_the_new(tmp_path, write):
    changing = write("changing.md", "# Changing\n\nThe old wording says alpha.\n")
    write("steady.md", "# Steady\n\nA steady note about patrols.\n")
    index = tmp_path / "index"
    step, outcomes = 0, []
    while True:
        step += 1
        changing.write_text("# Changing\n\nThe old wording says alpha.\n", encoding="utf-8")
        subprocess.run([sys.executable, CLI, "--index", str(index), "add", "-q", str(tmp_path / "docs")], check=True)
        changing.write_text("# Changing\n\nThe new wording says omega.\n", encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-c", SWAP_KILLER, str(index), str(step)], capture_output=True, text=True
        )
        assert done.returncode in (0, -signal.SIGKILL), done.stderr

        knowledge_base = KnowledgeBase(index)
        assert {d.id for d in knowledge_base.documents()} == {"changing", "steady"}
        old, new = knowledge_base.search("alpha").total, knowledge_base.search("omega").total
        assert (old, new) in ((1, 0), (0, 1)), f"killed at step {step}: alpha {old}, omega {new}"
        assert knowledge_base.search("patrols").total == 1
        outcomes.append("new" if new else "old")
        # The next write goes through and clears what the killed rebuild left.
        later = tmp_path / f"later{step}.md"
        later.write_text(f"# Later\n\nlater note {step}\n", encoding="utf-8")
        assert knowledge_base.add([later]).added
        assert not list(tmp_path.glob("index.rebuild-*"))
        knowledge_base.remove(f"later{step}")
        if done.returncode == 0:
            break
        assert step < 40, "the swap never finished"
    assert "old" in outcomes and outcomes[-1] == "new"


def live_processes_of_session(session: int) -> list[int]:
    """Processes of a session that are still running (zombies excluded)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_sigkill_of_an_add_while_pdf_workers_run_leaves_no_workers_and_no_lock(tmp_path, write):
    pages = [[f"Page {n} of the long manual on community patrols and trust."] * 45 for n in range(60)]
    long_pdf = write_pdf(tmp_path / "long.pdf", pages)
    index = tmp_path / "index"
    KnowledgeBase(index).add([write("seed.md", "# Seed\n\nseed text\n")])

    def start() -> subprocess.Popen:
        command = [sys.executable, CLI, "--index", str(index), "add", "-q", str(long_pdf)]
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    began = time.monotonic()
    full = start()
    assert full.wait(timeout=120) == 0
    duration = time.monotonic() - began
    KnowledgeBase(index).remove("long")

    killed_while_running = 0
    for moment in range(10):
        process = start()
        time.sleep(duration * (moment + 0.5) / 10)
        if process.poll() is None:
            killed_while_running += 1
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 3
        while live_processes_of_session(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert live_processes_of_session(process.pid) == [], f"workers outlived a kill at moment {moment}"
        knowledge_base = KnowledgeBase(index)
        note = write(f"after{moment}.md", f"# After\n\nnote {moment}\n")
        assert knowledge_base.add([note]).added, f"the next add was refused after a kill at moment {moment}"
        knowledge_base.remove(f"after{moment}")
        if "long" in {d.id for d in knowledge_base.documents()}:
            knowledge_base.remove("long")
    assert killed_while_running >= 5


def test_a_long_pdf_read_by_parallel_workers_equals_the_same_pdf_read_in_one_process(tmp_path, monkeypatch):
    import kb.ingest.pdf as pdf_reader

    count = pdf_reader.PARALLEL_FROM_PAGES + 5
    words = ["trust", "patrols", "youth", "schools", "consent", "neighbourhood", "partners", "crime", "victims"]
    pages = [
        [" ".join(words[(n * 5 + line * 3 + k) % len(words)] for k in range(12)) + "." for line in range(20)]
        for n in range(count)
    ]
    path = write_pdf(tmp_path / "long.pdf", pages)
    runs = []
    real = pdf_reader._read_in_parallel
    monkeypatch.setattr(pdf_reader, "_read_in_parallel", lambda *args: runs.append(args) or real(*args))
    in_parallel, _ = make_passages("long", parse(path).sections)
    if (os.cpu_count() or 1) > 1:
        assert len(runs) == 1
    monkeypatch.setattr("kb.ingest.pdf.PARALLEL_FROM_PAGES", 10_000)
    monkeypatch.setattr("kb.ingest.pdf._read_in_parallel", None)  # would fail if called
    single, _ = make_passages("long", parse(path).sections)
    assert [(p.text, p.page_start, p.heading_path) for p in in_parallel] == [
        (p.text, p.page_start, p.heading_path) for p in single
    ]
    assert {p.page_start for p in in_parallel} >= {1, count}


def test_files_kb_writes_itself_are_as_readable_as_the_index(knowledge_base, write):
    knowledge_base.add([write("a.md", "# A\n\nalpha text\n")])
    knowledge_base.pick(["a:1"])
    whoosh_mode = next(knowledge_base.path.glob("_MAIN_*.toc")).stat().st_mode & 0o777
    assert (knowledge_base.path / DOCUMENT_LIST).stat().st_mode & 0o777 == whoosh_mode
    assert (knowledge_base.packs.folder / "default.json").stat().st_mode & 0o777 == whoosh_mode
