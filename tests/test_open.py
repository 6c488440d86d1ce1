"""kb open: a hit's PDF at its page in a viewer, or where it is when there is none."""

import json
import os
import stat
import time

import pytest
from click.testing import CliRunner
from guidebook import build_guidebook

from kb import cli as kb_cli


@pytest.fixture
def kb(tmp_path):
    index = tmp_path / "index"

    def invoke(*args, env=None):
        result = CliRunner().invoke(kb_cli.cli, ["--index", str(index), *map(str, args)], env=env)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result

    build_guidebook(tmp_path / "manual.pdf")
    invoke("add", tmp_path / "manual.pdf")
    return invoke


def fake_viewer(folder, name):
    """A viewer that records the arguments it was started with."""
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{folder}/{name}.args"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder / f"{name}.args"


def wait_for(path, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return path.read_text().splitlines()


def passage_on_a_later_page(kb) -> tuple[str, int]:
    hits = json.loads(kb("search", "trust", "--json", "-n", "50").stdout)["hits"]
    return next((hit["id"], hit["page_start"]) for hit in hits if hit["page_start"] > 1)


def test_a_pdf_opens_at_the_passages_page_in_a_known_viewer(kb, tmp_path):
    passage_id, page = passage_on_a_later_page(kb)
    args = fake_viewer(tmp_path / "bin", "zathura")
    result = kb("open", passage_id, env={"PATH": f"{tmp_path / 'bin'}{os.pathsep}/usr/bin:/bin"})
    assert result.exit_code == 0 and f"at page {page} (printed p" in result.stdout and "in zathura" in result.stdout
    assert wait_for(args) == ["--page", str(page), str(tmp_path / "manual.pdf")]


def test_without_a_viewer_it_prints_the_file_and_page(kb, tmp_path):
    passage_id, page = passage_on_a_later_page(kb)
    (tmp_path / "empty").mkdir()
    result = kb("open", passage_id, env={"PATH": str(tmp_path / "empty")})
    assert result.stdout.startswith(f"{tmp_path / 'manual.pdf'}, page {page} (printed p")
    assert kb("open", passage_id, "--print").stdout == result.stdout


def test_a_source_that_has_gone_is_a_clear_error(kb, tmp_path):
    passage_id, _ = passage_on_a_later_page(kb)
    (tmp_path / "manual.pdf").unlink()
    result = kb("open", passage_id, "--print")
    assert result.exit_code == 2 and "is not there any more" in result.stderr
