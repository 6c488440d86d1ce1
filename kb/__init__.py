"""kb: a knowledge base of community-oriented policing texts, searchable offline.

``KnowledgeBase`` is the whole public surface; ``cli.py`` is a thin layer over it.
"""

import warnings

# Whoosh 2.7.4 predates Python 3.12's stricter compiler: it has regexes with
# invalid escapes and an `is 0`, which warn when its modules are first
# compiled. They are harmless and must never reach a user.
for _category in (SyntaxWarning, DeprecationWarning):
    warnings.filterwarnings("ignore", category=_category, module=r".*[\\/]whoosh[\\/]")

from kb.base import KnowledgeBase  # noqa: E402
from kb.errors import (  # noqa: E402
    AmbiguousDocument,
    DocumentNotFound,
    IndexCorrupt,
    IndexLocked,
    IndexMissing,
    IndexVersionMismatch,
    IndexWriteError,
    IngestError,
    InvalidArguments,
    InvalidPackName,
    KbError,
    PassageNotFound,
    UnsupportedFormat,
)
from kb.model import AddReport, Document, Hit, Metadata, Passage, Section  # noqa: E402

__all__ = [
    "AddReport",
    "AmbiguousDocument",
    "Document",
    "DocumentNotFound",
    "Hit",
    "IndexCorrupt",
    "IndexLocked",
    "IndexMissing",
    "IndexVersionMismatch",
    "IndexWriteError",
    "IngestError",
    "InvalidArguments",
    "InvalidPackName",
    "KbError",
    "KnowledgeBase",
    "Metadata",
    "Passage",
    "PassageNotFound",
    "Section",
    "UnsupportedFormat",
]
