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


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[IngestError]]:
    """Expand folders (recursively, supported files only, hidden ones skipped).

    A path named directly is returned even if its type is unknown, so that the
    person who named it hears why it was not added.
    """
    files: list[Path] = []
    errors: list[IngestError] = []
    for path in paths:
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    candidate = Path(root) / name
                    if not name.startswith(".") and is_supported(candidate):
                        files.append(candidate)
        elif path.exists():
            files.append(path)
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
        parsed = reader(path)
    except IngestError:
        raise
    except OSError as exc:
        raise IngestError(path, exc.strerror or str(exc)) from exc
    except Exception as exc:
        raise IngestError(path, f"could not be read ({type(exc).__name__}: {exc})") from exc
    if not any(section.blocks for section in parsed.sections):
        raise IngestError(path, "no text found")
    return parsed
