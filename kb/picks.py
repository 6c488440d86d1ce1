"""Packs of picked passages, kept for a training session's slides.

A pack is a JSON file in a folder beside the index (``index.picks/``), so that
rebuilding the index never touches it. Each pick keeps a snapshot of the
passage and its citation: when the document changes or goes, the pick is
reported as changed or gone instead of silently disappearing.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from kb.errors import InvalidPackName, KbError

DEFAULT_PACK = "default"
# Letters of any script, digits, "-", "_", "." and spaces inside; no dot first (a hidden file).
_PACK_NAME = re.compile(r"[^\W_]|[^\W_][\w .-]{0,62}[\w.-]", re.UNICODE)
_LOCK_FILE = ".lock"
_LOCK_WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class Pick:
    passage_id: str
    doc_id: str
    text_sha1: str
    text: str
    citation: str
    section: str
    query: str
    added: str
    quote: str = ""  # the trainer's own cut of the passage for the slide; "" = kb trims it


@dataclass(frozen=True)
class PickState:
    """A pick as it stands against the index now: "ok", "changed" or "gone"."""

    pick: Pick
    state: str
    current_text: str | None


def is_pack_name(name: str) -> bool:
    return bool(_PACK_NAME.fullmatch(name))


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def new_pick(passage_id: str, doc_id: str, text: str, citation: str, section: str, query: str = "") -> Pick:
    added = datetime.now(UTC).isoformat(timespec="seconds")
    return Pick(passage_id, doc_id, text_hash(text), text, citation, section, query, added)


class PackStore:
    """The packs beside one index."""

    def __init__(self, index_dir: Path) -> None:
        self.folder = index_dir.with_name(f"{index_dir.name}.picks")

    @contextmanager
    def editing(self) -> Iterator[None]:
        """Hold the packs' lock while a pack is read, changed and written back,
        so that two kb processes picking at once never lose each other's
        picks. Holding it, any temporary file in the folder is a leftover of
        a killed writer, and is deleted."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            lock = open(self.folder / _LOCK_FILE, "a")  # noqa: SIM115 - closed by the with below
        except OSError as exc:
            raise KbError(f"cannot write the packs in {self.folder}: {exc.strerror or exc}") from exc
        with lock:
            deadline = time.monotonic() + _LOCK_WAIT_SECONDS
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise KbError(f"the packs in {self.folder} are being changed by another kb process") from None
                    time.sleep(0.02)
            try:
                for leftover in self.folder.glob(".*.tmp"):
                    leftover.unlink(missing_ok=True)
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def rename(self, old: str, new: str) -> None:
        """Give a pack a new name (call while ``editing``)."""
        source, target = self._path(old), self._path(new)
        if not source.exists():
            raise KbError(f"there is no pack '{old}'")
        if target.exists():
            raise InvalidPackName(f"a pack named '{new}' exists already")
        os.replace(source, target)

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.json")) if self.folder.is_dir() else []

    def load(self, pack: str) -> list[Pick]:
        path = self._path(pack)
        if not path.exists():
            return []
        try:
            return [Pick(**item) for item in json.loads(path.read_text(encoding="utf-8"))["picks"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise KbError(f"{path}: not a readable pack ({exc})") from exc

    def save(self, pack: str, picks: list[Pick]) -> None:
        """Write the whole pack to a temporary file and move it into place, so a
        crash leaves the old pack or the new one, never half of one."""
        path = self._path(pack)
        self.folder.mkdir(parents=True, exist_ok=True)
        data = {"pack": pack, "picks": [asdict(p) for p in picks]}
        payload = json.dumps(data, ensure_ascii=False, indent=1)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=f".{pack}.", suffix=".tmp")
        try:
            os.chmod(temporary, self.folder.stat().st_mode & 0o666)  # readable as the index is, not 0600
            with os.fdopen(handle, "w", encoding="utf-8") as f:
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, path)
        except BaseException as exc:
            Path(temporary).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise KbError(f"cannot write the pack {path}: {exc.strerror or exc}; the pack is as it was") from exc
            raise

    def _path(self, pack: str) -> Path:
        if not is_pack_name(pack):
            raise InvalidPackName(
                f"{pack!r} is not a pack name: up to 64 letters, digits, spaces, '.', '_' and '-', "
                "starting with a letter or digit"
            )
        return self.folder / f"{pack}.json"


_WORDS = re.compile(r"\w+")


def within(quote: str, text: str) -> bool:
    """Whether every piece of ``quote`` (the parts between ellipses) stands in
    ``text`` word for word, in order: a slide may cut a passage, never change it."""
    words = [w.casefold() for w in _WORDS.findall(text)]
    at = 0
    for piece in re.split(r"…|\.\.\.", quote):
        wanted = [w.casefold() for w in _WORDS.findall(piece)]
        if not wanted:
            continue
        found = next((i for i in range(at, len(words) - len(wanted) + 1) if words[i : i + len(wanted)] == wanted), None)
        if found is None:
            return False
        at = found + len(wanted)
    return True
