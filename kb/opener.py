"""Opening a hit where it stands: the PDF at its page, in the desktop's viewer.

Viewers take the page differently (evince ``--page-index``, okular ``--page``,
zathura ``--page``, mupdf a trailing number), and the desktop's generic opener
(``xdg-open``, macOS ``open``) takes none, so a known viewer is used first.
The file is passed as one argument, never through a shell; where nothing can
open it, kb says where it is and at which page.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from kb.errors import KbError
from kb.model import Document, Passage

# Viewer name -> its arguments for (file, page index counted from 1).
PDF_VIEWERS = {
    "evince": lambda path, page: ["--page-index", str(page), path],
    "okular": lambda path, page: ["--page", str(page), path],
    "zathura": lambda path, page: ["--page", str(page), path],
    "atril": lambda path, page: ["--page-index", str(page), path],
    "xreader": lambda path, page: ["--page-index", str(page), path],
    "qpdfview": lambda path, page: [f"{path}#{page}"],
    "mupdf": lambda path, page: [path, str(page)],
}
# The viewer's standard streams go to /dev/null: it must not write into kb's output.
_QUIET = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)]
_OPENERS = ("open",) if sys.platform == "darwin" else ("xdg-open",)


@dataclass(frozen=True)
class Opened:
    path: str
    page: int | None  # the page index (1 = the file's first page) opened at, or to turn to
    command: list[str] | None  # None: nothing could open it


def open_passage(document: Document, passage: Passage, launch: bool = True) -> Opened:
    """Start a viewer on the passage's file at its first page (without waiting
    for it), or only say where it is when ``launch`` is false or no viewer is
    found."""
    path = Path(document.path)
    if not path.is_file():
        raise KbError(f"{path}: the source of '{document.id}' is not there any more")
    page = passage.page_start if document.kind == "pdf" else None
    command = _command(str(path), page) if launch else None
    if command is not None:
        try:
            pid = os.posix_spawn(command[0], command, os.environ, file_actions=_QUIET, setsid=True)
        except OSError:
            command = None
        else:  # reaped when it exits, so it never lingers as a zombie of a long-lived caller
            threading.Thread(target=os.waitpid, args=(pid, 0), daemon=True).start()
    return Opened(str(path), page, command)


def _command(path: str, page: int | None) -> list[str] | None:
    if page is not None:
        for name, arguments in PDF_VIEWERS.items():
            found = shutil.which(name)
            if found:
                return [found, *arguments(path, page)]
    for name in _OPENERS:
        found = shutil.which(name)
        if found:
            return [found, path]
    return None
