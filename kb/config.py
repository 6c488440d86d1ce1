"""Where kb keeps its index and finds its bundled corpus."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = PROJECT_ROOT / "corpus"


def default_index_dir() -> Path:
    """``index/`` beside ``corpus/`` when kb runs from its source tree (the
    quick start's editable install); otherwise the user's data folder."""
    if CORPUS_DIR.is_dir():
        return PROJECT_ROOT / "index"
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "kb" / "index"
