"""The Whoosh index on this machine's disk: where it is, its generations (a new one per rebuild,
swapped in by moving a link) and the position in the change feed each generation has reached.

The configured SEARCH_INDEX_DIR is a symbolic link to the current generation (a sibling directory);
`rebuild` writes a new generation and swaps the link with one rename, so searches keep working.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from whoosh import index as windex
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import BOOLEAN, DATETIME, ID, STORED, TEXT, Schema

from .analysis import SKELETON
from .documents import IndexDocument
from .query import READING

POSITION_FILE = "feed-position"


class PositionedTokenizer(Tokenizer):
    """Reads the analyser's output as stored: terms separated by spaces, a reading ("~" first) at
    the position of the word before it. Whoosh pickles the schema with this class: keep it here."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __hash__(self):
        return hash(self.__class__.__name__)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):  # fmt: skip
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos - 1
        for term in value.split(" "):
            if not term:
                continue
            if not term.startswith((READING, SKELETON)) or pos < start_pos:
                pos += 1
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = pos
            yield token


def make_schema() -> Schema:
    words = PositionedTokenizer()
    return Schema(
        key=ID(stored=True, unique=True),  # "process:12:ja"
        ref=ID(stored=True, sortable=True),  # "process:12", every locale of one record
        type=ID(stored=True),
        resource_id=ID(stored=True),
        locale=ID(stored=True),
        title=STORED(),
        body=STORED(),
        title_w=TEXT(analyzer=words, phrase=True, field_boost=2.0),
        body_w=TEXT(analyzer=words, phrase=True),
        space=ID(stored=True, sortable=True),  # "process:12"
        date=DATETIME(stored=True),
        public=BOOLEAN(stored=True),
    )


def fields_of(doc: IndexDocument) -> dict:
    return {
        "key": doc.key,
        "ref": doc.ref,
        "type": doc.type,
        "resource_id": str(doc.resource_id),
        "locale": doc.locale,
        "title": doc.title,
        "body": doc.body,
        "title_w": " ".join(doc.title_terms),
        "body_w": " ".join(doc.body_terms),
        "space": doc.space,
        "date": doc.date,
        "public": True,
    }


# --- location and generations ----------------------------------------------------------------------


def index_path() -> Path:
    configured = current_app.config.get("SEARCH_INDEX_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "search-index"


@contextmanager
def _setup_lock(path: Path) -> Iterator[None]:
    """Serialises creating and swapping index generations between processes on this host."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _new_generation(path: Path, position: int = 0) -> Path:
    directory = path.parent / f"{path.name}.{uuid.uuid4().hex[:12]}"
    directory.mkdir()
    windex.create_in(str(directory), make_schema())
    _write_position(directory, position)
    return directory


def _point_to(path: Path, directory: Path) -> None:
    """Make ``path`` a link to ``directory`` in one atomic rename."""
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex[:8]}.tmp"
    os.symlink(directory.name, tmp)
    os.replace(tmp, path)


def _open_dir(path: Path, attempts: int = 10):
    """Open the index at ``path``. Opening reads the newest table of contents; a writer in another
    process may delete it (after writing a newer one) between the listing and the read, so try again
    a few times, as Whoosh itself does when opening a reader."""
    for attempt in range(attempts):
        try:
            return windex.open_dir(str(path))
        except FileNotFoundError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")


def _is_unset_directory(path: Path) -> bool:
    """A plain directory (made by hand, or an index from before generations) with no index in it."""
    return path.is_dir() and not path.is_symlink() and not windex.exists_in(str(path))


def open_index(create: bool = True):
    """The current index; made (empty, reading the feed from its start) when there is none yet. A link that
    exists always points to a complete generation, so it is never replaced here: replacing it after
    a failed read would swap in an empty index and lose every document indexed so far."""
    path = index_path()
    missing = not (path.is_symlink() or path.exists())
    if missing or _is_unset_directory(path):
        if not create:
            return None
        with _setup_lock(path):
            if not (path.is_symlink() or path.exists()):
                _point_to(path, _new_generation(path))
            elif _is_unset_directory(path):
                windex.create_in(str(path), make_schema())
    return _open_dir(path)


def _read_position(directory: Path) -> int:
    try:
        return int((directory / POSITION_FILE).read_text().strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def _write_position(directory: Path, position: int) -> None:
    tmp = directory / f".{POSITION_FILE}.{uuid.uuid4().hex[:8]}"
    tmp.write_text(str(position))
    os.replace(tmp, directory / POSITION_FILE)


# --- searching -------------------------------------------------------------------------------------

_searchers = threading.local()


def searcher_at(path: Path):
    """A searcher of the index at ``path``, kept per thread until the index changes: opening a large
    index's segment files took far longer than a query (~240 ms at 100,000 documents). A new commit
    (a new generation of the index) or a rebuild (the link moves) gets a new searcher."""
    cache = _searchers.__dict__.setdefault("by_path", {})
    real = path.resolve()
    found = cache.get(path)
    if found is not None and found[0] == real and found[1].latest_generation() == found[2]:
        return found[3]
    ix = _open_dir(real)
    generation = ix.latest_generation()
    searcher = ix.searcher()
    if found is not None:
        found[3].close()
    cache[path] = (real, ix, generation, searcher)
    return searcher


def _remove_old_generations(path: Path, keep: set) -> None:
    """Keep the current and the previous generation (a search may still be reading it)."""
    for candidate in path.parent.glob(f"{path.name}.*"):
        if candidate.is_dir() and candidate.resolve() not in {k.resolve() for k in keep if k}:
            shutil.rmtree(candidate, ignore_errors=True)
