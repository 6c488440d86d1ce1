"""What a person reads in a terminal: as wide as the window, and the page, the
document label and the passage id always whole."""

import re

import pytest
from click.testing import CliRunner
from guidebook import build_guidebook

from kb import KnowledgeBase, Metadata
from kb import cli as kb_cli
from kb.terminal import located, shorten_path

WIDTHS = (60, 80, 120)
LONG_TITLE = "Good Practices in Building Police-Public Partnerships in Every Neighbourhood"


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    folder = tmp_path_factory.mktemp("terminal")
    knowledge_base = KnowledgeBase(folder / "index")
    for year, edition, seed in ((2008, "1st", 11), (2022, "2nd", 12)):
        path = folder / f"gp-{year}.pdf"
        build_guidebook(path, seed=seed)
        knowledge_base.add([path], Metadata(title=LONG_TITLE, year=year, edition=edition, publisher="OSCE"))
    return knowledge_base


def run(knowledge_base, width, *args):
    result = CliRunner().invoke(
        kb_cli.cli, ["--index", str(knowledge_base.path), *args], env={"COLUMNS": str(width)}, color=False
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def hits(stdout: str) -> list[list[str]]:
    """Each hit's lines, from its numbered first line to the next blank."""
    blocks = stdout.split("\n\n")[1:]
    return [block.splitlines() for block in blocks if re.match(r"\s*\d+\. ", block)]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("query", ["youth councils", "trust legitimacy", "problem solving partners", "schools"])
def test_every_pdf_hit_shows_its_page_label_and_id_at_any_width(editions, width, query):
    result = run(editions, width, "search", query)
    assert result.exit_code == 0
    found = hits(result.stdout)
    assert found
    for lines in found:
        assert all(len(line) <= width for line in lines), lines
        assert re.search(r"\((1st|2nd) ed\., (2008|2022)\)$", lines[0]), lines[0]
        assert re.search(r" · pp?\. [\divxlc–]+$", lines[1]) or re.fullmatch(r"\s*pp?\. [\divxlc–]+", lines[1]), lines
        assert re.match(r"\s+gp-(2008|2022):\d+ · ", lines[-1]), lines[-1]


def test_a_wider_terminal_shows_more_of_the_heading_path(editions):
    narrow = hits(run(editions, 60, "search", "youth councils").stdout)[0][1]
    wide = hits(run(editions, 120, "search", "youth councils").stdout)[0][1]
    assert "…" in narrow and "…" not in wide and len(wide) > len(narrow)


def test_a_heading_path_gives_up_its_middle_first():
    path = ("III. Partnerships in practice", "3.1 Working with schools", "3.1.1 Youth councils and forums")
    assert shorten_path(path, 200) == " > ".join(path)
    assert shorten_path(path, 70) == "III. Partnerships in practice > … > 3.1.1 Youth councils and forums"
    assert shorten_path(path, 55).endswith("… > 3.1.1 Youth councils and forums")
    assert located(path, "pp. 12–13", 30).endswith(" · pp. 12–13") and len(located(path, "pp. 12–13", 30)) <= 30


@pytest.mark.parametrize("width", WIDTHS)
def test_show_wraps_its_header_and_text_to_the_window(editions, width):
    passage_id = hits(run(editions, 80, "search", "youth councils").stdout)[0][-1].split()[0]
    result = run(editions, width, "show", passage_id)
    assert result.exit_code == 0
    assert all(len(line) <= width for line in result.stdout.splitlines())
    assert "(1st ed., 2008)" in result.stdout.replace("\n", " ") or "(2nd ed., 2022)" in result.stdout.replace(
        "\n", " "
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_list_shows_whole_ids_and_the_edition(editions, width):
    result = run(editions, width, "list")
    lines = result.stdout.splitlines()
    assert all(len(line) <= width for line in lines)
    assert any(line.startswith("gp-2008 ") for line in lines) and any(line.startswith("gp-2022 ") for line in lines)
    assert "(2nd ed., 2022)" in result.stdout


def test_output_is_80_columns_when_piped_and_no_width_is_known(editions, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    result = CliRunner().invoke(kb_cli.cli, ["--index", str(editions.path), "search", "youth councils"])
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert max(len(line) for line in lines) > 70  # the window is used, not a narrower one
