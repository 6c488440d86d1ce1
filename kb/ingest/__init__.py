"""Reading files into ``ParsedDocument``s, whatever their format.

Format readers are imported when first needed, so that a search never pays for
loading pypdf or beautifulsoup4.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from kb.errors import IngestError, UnsupportedFormat
from kb.ingest.limits import Limits, check_file, library_warnings, one_of_each_kind
from kb.ingest.parsed import ParsedDocument


def _pdf(path: Path, password: str | None = None) -> ParsedDocument:
    from kb.ingest.pdf import parse_pdf

    return parse_pdf(path, password)


def _html(path: Path) -> ParsedDocument:
    from kb.ingest.html import parse_html

    return parse_html(path)


def _markdown(path: Path) -> ParsedDocument:
    from kb.ingest.text import parse_markdown

    return parse_markdown(path)


def _text(path: Path) -> ParsedDocument:
    from kb.ingest.text import parse_plain_text

    return parse_plain_text(path)


READERS: dict[str, Callable[[Path], ParsedDocument]] = {
    ".pdf": _pdf,
    ".html": _html,
    ".htm": _html,
    ".xhtml": _html,
    ".md": _markdown,
    ".markdown": _markdown,
    ".txt": _text,
    ".text": _text,
}


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


# Folders that hold software, caches or kb's own files, never a person's documents.
_SKIPPED_FOLDERS = {"node_modules", "__pycache__", "site-packages", "dist-packages", "venv", "virtualenv"}
_TEMPLATE_MARKS = re.compile(rb"{%|{{[^}]{0,80}}}")
_SNIFF_BYTES = 65_536


def skipped_folder(folder: Path) -> str | None:
    """Why a folder met while walking is left out, or None."""
    if folder.name.startswith("."):
        return "a hidden folder"
    if folder.name in _SKIPPED_FOLDERS or (folder / "pyvenv.cfg").exists():
        return "software, not documents"
    if folder.name.endswith(".picks") or ((folder / "documents.json").exists() and any(folder.glob("*.toc"))):
        return "a kb index"
    return None


def skipped_file(path: Path) -> str | None:
    """Why a file met while walking is left out: a web template or a deck kb
    exported is no document of its own (a file named directly is read anyway)."""
    if path.suffix.lower() not in (".html", ".htm", ".xhtml", ".md", ".markdown"):
        return None
    try:
        with path.open("rb") as f:
            head = f.read(_SNIFF_BYTES)
    except OSError:
        return None  # reading reports it
    if path.suffix.lower().startswith(".htm") or path.suffix.lower() == ".xhtml":
        return "a web template" if _TEMPLATE_MARKS.search(head) else None
    return "slides kb exported" if head.startswith(b"---\nmarp: true\n") else None


@dataclass
class Collected:
    """What a list of paths amounts to: files to read, files and folders left out
    (with why), and what cannot be read at all."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)


def collect_files(paths: Iterable[Path], limits: Limits | None = None, exclude: Iterable[str] = ()) -> Collected:
    """Expand folders (recursively, supported files only), leaving out hidden
    files and folders, software folders (virtualenvs, node_modules), kb's own
    index and exports, web templates, and whatever matches an ``exclude`` glob
    (matched against the file name and the path below the folder named).

    A path named directly is returned even if its type is unknown, so that the
    person who named it hears why it was not added. What cannot be read (a
    folder kb may not open, a FIFO, a file over its size cap) is an error under
    the name it was found by, and the rest goes on.
    """
    limits = limits or Limits()
    exclude = list(exclude)
    collected = Collected()

    def excluded(path: Path, top: Path) -> bool:
        relative = path.relative_to(top).as_posix() if path != top else path.name
        return any(fnmatch.fnmatch(path.name, g) or fnmatch.fnmatch(relative, g) for g in exclude)

    def take(path: Path) -> None:
        try:
            check_file(path, limits)
        except IngestError as exc:
            collected.errors.append(exc)
        else:
            collected.files.append(path)

    def unreadable(exc: OSError) -> None:
        collected.errors.append(IngestError(exc.filename, f"folder cannot be read ({exc.strerror or exc})"))

    for path in paths:
        if path.is_dir():
            for root, dirs, names in os.walk(path, onerror=unreadable):
                kept = []
                for name in sorted(dirs):
                    folder = Path(root) / name
                    reason = skipped_folder(folder) or ("excluded" if excluded(folder, path) else None)
                    if reason and not name.startswith("."):
                        collected.skipped.append((str(folder), reason))
                    elif not reason:
                        kept.append(name)
                dirs[:] = kept
                for name in sorted(names):
                    candidate = Path(root) / name
                    if name.startswith(".") or not is_supported(candidate):
                        continue
                    reason = "excluded" if excluded(candidate, path) else skipped_file(candidate)
                    if reason:
                        collected.skipped.append((str(candidate), reason))
                    else:
                        take(candidate)
        elif path.exists():
            if exclude and excluded(path, path):
                collected.skipped.append((str(path), "excluded"))
            else:
                take(path)
        else:
            collected.errors.append(IngestError(path, "no such file or folder"))
    collected.files = list(dict.fromkeys(f.resolve() for f in collected.files))
    return collected


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def parse(path: Path, password: str | None = None) -> ParsedDocument:
    """Read one file. Every failure, whatever raised it, is an ``IngestError`` naming the file.

    ``password`` opens encrypted PDFs; other formats have none.
    """
    reader = READERS.get(path.suffix.lower())
    if reader is _pdf and password is not None:
        reader = partial(_pdf, password=password)
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise UnsupportedFormat(path, f"unsupported file type '{path.suffix or '(none)'}' (kb reads {known})")
    try:
        with library_warnings() as noticed:
            parsed = reader(path)
    except IngestError:
        raise
    except OSError as exc:
        raise IngestError(path, exc.strerror or str(exc)) from exc
    except Exception as exc:
        raise IngestError(path, f"could not be read ({type(exc).__name__}: {exc})") from exc
    if not any(section.blocks for section in parsed.sections):
        raise IngestError(path, "no text found")
    parsed.warnings[:] = one_of_each_kind([*parsed.warnings, *noticed])
    return parsed
