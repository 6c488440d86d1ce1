"""Lines for a terminal: as wide as the window, and never without what locates a hit.

A search hit is only useful if the reader can find it again, so whatever has
to be cut to fit, the document label, the page and the passage id stay whole:
a heading path gives up its middle first ("I. Intro > … > 1.2 Trust").
"""

from __future__ import annotations

import os
import re
import shutil
import sys

import click

from kb.search.snippet import MARK_END, MARK_START

DEFAULT_WIDTH = 80
MIN_WIDTH = 40
ELLIPSIS = "…"
PATH_SEPARATOR = " > "


def terminal_width() -> int:
    """``COLUMNS`` when set, else the window's width on a terminal, else 80 (piped)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(MIN_WIDTH, int(columns))
    if not sys.stdout.isatty():
        return DEFAULT_WIDTH
    return max(MIN_WIDTH, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)


def shorten(text: str, width: int) -> str:
    """Cut from the right, marked with an ellipsis."""
    return text if len(text) <= width else text[: max(width - 1, 0)].rstrip() + ELLIPSIS


def shorten_left(text: str, width: int) -> str:
    """Cut from the left, for paths whose end (the file name) is what a reader needs."""
    return text if len(text) <= width else ELLIPSIS + text[len(text) - width + 1 :]


def shorten_path(parts: list[str] | tuple[str, ...], width: int) -> str:
    """A heading path in ``width``: the middle headings give way to "…" first,
    then the first heading, then the last one is cut."""
    parts = list(parts)
    joined = PATH_SEPARATOR.join(parts)
    if len(joined) <= width or len(parts) < 2:
        return shorten(joined, width)
    for start in range(2, len(parts)):  # leave out parts[1:start]
        candidate = PATH_SEPARATOR.join([parts[0], ELLIPSIS, *parts[start:]])
        if len(candidate) <= width:
            return candidate
    last = parts[-1]
    middle = [ELLIPSIS] if len(parts) > 2 else []
    head_room = width - len(PATH_SEPARATOR.join(["", *middle, last]))
    if head_room >= 8:
        return PATH_SEPARATOR.join([shorten(parts[0], head_room), *middle, last])
    return shorten(last, width)


def located(parts: tuple[str, ...], pages: str, width: int) -> str:
    """ "section path · pages" in ``width``, the pages never cut."""
    if not pages:
        return shorten_path(parts, width)
    if not parts:
        return pages
    room = width - len(pages) - 3
    if room < 8:
        return pages
    return f"{shorten_path(parts, room)} · {pages}"


def head_and_path(head: str, path: str, width: int) -> str:
    """ "doc:12 · /long/path/file.pdf": the head whole, the path cut from its left."""
    room = width - len(head) - 3
    return head if room < 8 else f"{head} · {shorten_left(path, room)}"


_MARKED = re.compile(re.escape(MARK_START) + r"(.*?)" + re.escape(MARK_END))


def wrap_marked(text: str, width: int) -> list[str]:
    """Wrap text holding [[match]] marks so that each line fits ``width`` once the
    marks are rendered (they take no room on screen)."""
    lines: list[str] = []
    current: list[str] = []
    length = 0
    for word in text.split():
        size = len(word.replace(MARK_START, "").replace(MARK_END, ""))
        if current and length + 1 + size > width:
            lines.append(" ".join(current))
            current, length = [], 0
        length += size + (1 if current else 0)
        current.append(word)
    if current:
        lines.append(" ".join(current))
    return lines


def render_marks(line: str) -> str:
    return _MARKED.sub(lambda m: click.style(m.group(1), fg="yellow", bold=True), line)
