"""Where kb keeps its index and finds its bundled corpus."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_SOURCE_CORPUS = PROJECT_ROOT / "corpus"
# A source tree (the quick start's editable install) reads corpus/ itself; an
# installed kb reads the copy setup.cfg packs as kb.corpus_data.
RUNS_FROM_SOURCE = (PROJECT_ROOT / "setup.cfg").is_file() and (_SOURCE_CORPUS / "manifest.json").is_file()
CORPUS_DIR = _SOURCE_CORPUS if RUNS_FROM_SOURCE else Path(__file__).resolve().parent / "corpus_data"


def default_index_dir() -> Path:
    """``index/`` beside ``corpus/`` in a source tree; otherwise the user's data folder."""
    if RUNS_FROM_SOURCE:
        return PROJECT_ROOT / "index"
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "kb" / "index"
