"""Every error kb raises on purpose.

The CLI turns each of these into a one-line message and exit code 2; anything
else escaping the library is a bug.
"""

from __future__ import annotations

from pathlib import Path


class KbError(Exception):
    """Base of all kb errors."""


class IngestError(KbError):
    """A file could not be read into passages."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class UnsupportedFormat(IngestError):
    """The file's type is not one kb reads."""


class IndexMissing(KbError):
    """There is no index where one was expected."""


class IndexLocked(KbError):
    """Another process holds the index's write lock."""


class IndexVersionMismatch(KbError):
    """The index was made by a kb with another schema version."""


class IndexWriteError(KbError):
    """The index could not be written (a full disk, a read-only folder)."""


class IndexCorrupt(KbError):
    """The index's files cannot be opened."""


class DocumentNotFound(KbError, KeyError):
    """No document matches the reference given."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class AmbiguousDocument(KbError):
    """A reference matches several documents where one is needed."""


class PassageNotFound(KbError, KeyError):
    """No passage has the id given."""

    def __str__(self) -> str:
        return str(self.args[0])


class InvalidArguments(KbError, ValueError):
    """What was asked cannot be done as given: a document compared with itself,
    an id that is taken or unusable, an empty title."""


class InvalidPackName(KbError, ValueError):
    """A pack name kb will not store or export."""
