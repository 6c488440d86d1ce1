"""Reading files into ``ParsedDocument``s, whatever their format.

Format readers are imported when first needed, so that a search never pays for
loading pypdf or beautifulsoup4.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
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


def collect_files(paths: Iterable[Path], limits: Limits | None = None) -> tuple[list[Path], list[IngestError]]:
    """Expand folders (recursively, supported files only, hidden ones skipped).

    A path named directly is returned even if its type is unknown, so that the
    person who named it hears why it was not added. What cannot be read (a
    folder kb may not open, a FIFO, a file over its size cap) is an error under
    the name it was found by, and the rest goes on.
    """
    limits = limits or Limits()
    files: list[Path] = []
    errors: list[IngestError] = []

    def take(path: Path) -> None:
        try:
            check_file(path, limits)
        except IngestError as exc:
            errors.append(exc)
        else:
            files.append(path)

    def unreadable(exc: OSError) -> None:
        errors.append(IngestError(exc.filename, f"folder cannot be read ({exc.strerror or exc})"))

    for path in paths:
        if path.is_dir():
            for root, dirs, names in os.walk(path, onerror=unreadable):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    candidate = Path(root) / name
                    if not name.startswith(".") and is_supported(candidate):
                        take(candidate)
        elif path.exists():
            take(path)
        else:
            errors.append(IngestError(path, "no such file or folder"))
    unique = list(dict.fromkeys(f.resolve() for f in files))
    return unique, errors


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
