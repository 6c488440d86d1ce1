"""The documents bundled with kb, described by ``corpus/manifest.json``.

The manifest gives each bundled file the metadata its text does not carry
(organisers, date, the web page it came from).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kb.errors import KbError
from kb.ingest import sha256_of
from kb.model import Metadata

MANIFEST = "manifest.json"
_METADATA_KEYS = {"title", "author", "publisher", "year", "edition", "date", "url"}


def load_manifest(corpus_dir: Path) -> list[tuple[Path, Metadata, str | None]]:
    """(file, metadata, chosen id or None) for each bundled document."""
    manifest = corpus_dir / MANIFEST
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))["documents"]
        return [
            (
                corpus_dir / entry["file"],
                Metadata(**{k: v for k, v in entry.items() if k in _METADATA_KEYS}),
                entry.get("id"),
            )
            for entry in entries
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KbError(f"{manifest}: not a valid corpus manifest ({exc})") from exc


def fingerprint(corpus_dir: Path) -> str:
    """Changes whenever the manifest or any bundled file does."""
    digest = hashlib.sha256((corpus_dir / MANIFEST).read_bytes())
    for path, _, _ in load_manifest(corpus_dir):
        digest.update(sha256_of(path).encode() if path.exists() else b"missing")
    return digest.hexdigest()
