"""The Whoosh index: a cache derived from the database, never the source of truth.

The configured SEARCH_INDEX_DIR is a symbolic link to the current generation (a sibling directory);
`rebuild` writes a new generation and swaps the link with one rename, so searches keep working.
Whoosh allows one writer per index (a local file lock): inline updates after a commit wait a moment
for it and otherwise leave their outbox rows for the next commit or `flask search sync`.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from whoosh import index as windex
from whoosh.fields import BOOLEAN, DATETIME, ID, TEXT, Schema
from whoosh.index import LockError
from whoosh.util.filelock import try_for

from ..core.capability import capabilities
from ..core.models import SearchOutbox
from ..core.searchable import Searchable
from ..extensions import db
from .analysis import JapaneseAnalyzer, normalize

log = logging.getLogger(__name__)


def make_schema() -> Schema:
    analyzer = JapaneseAnalyzer()
    return Schema(
        key=ID(stored=True, unique=True),  # "process:12:ja"
        ref=ID(stored=True, sortable=True),  # "process:12", every locale of one record
        type=ID(stored=True),
        resource_id=ID(stored=True),
        locale=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
        body=TEXT(analyzer=analyzer, stored=True),
        space=ID(stored=True),  # "process:12"
        date=DATETIME(stored=True),
        public=BOOLEAN(stored=True),
    )


# --- declarations --------------------------------------------------------------------------------


def declarations() -> dict[str, Searchable]:
    return {s.name: s for cap in capabilities() for s in cap.searchable}


def declared_models() -> dict[type, str]:
    return {s.model: s.name for s in declarations().values()}


def ref_of(name: str, ident: int) -> str:
    return f"{name}:{ident}"


def documents_for(declaration: Searchable, record) -> Iterator[dict]:
    """The index documents of a public record, one per locale."""
    if not declaration.is_public(record):
        return
    ref = ref_of(declaration.name, record.id)
    for doc in declaration.documents(record):
        yield {
            "key": f"{ref}:{doc.locale}",
            "ref": ref,
            "type": declaration.name,
            "resource_id": str(record.id),
            "locale": doc.locale,
            "title": normalize(doc.title),
            "body": normalize(doc.body),
            "space": ref_of(*doc.space) if doc.space else "",
            "date": doc.date.replace(tzinfo=None) if doc.date else None,
            "public": True,
        }


# --- location ------------------------------------------------------------------------------------


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


def _new_generation(path: Path) -> Path:
    directory = path.parent / f"{path.name}.{uuid.uuid4().hex[:12]}"
    directory.mkdir()
    windex.create_in(str(directory), make_schema())
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
    """The current index; made (empty) when there is none yet. A link that exists always points to a
    complete generation (made before the link), so it is never replaced here: replacing it after a
    failed read would swap in an empty index and lose every document indexed so far."""
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


# --- searching --------------------------------------------------------------------------------------

_searchers = threading.local()


def searcher_at(path: Path):
    """A searcher of the index at ``path``, kept per thread until the index changes: opening a large
    index's segment files took far longer than a query (~240 ms at 100,000 documents). A new commit
    (a new generation of the index) or a rebuild (the link moves) gets a new searcher; not Whoosh's
    ``refresh()``, which reuses segment readers with their old deletions."""
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


def shared_searcher():
    path = index_path()
    if not path.exists():
        open_index()  # creates it
    return searcher_at(path)


# --- applying the outbox -------------------------------------------------------------------------


def _with_members(session: Session, refs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], None]:
    """``refs`` and the records inside any of them (see ``Searchable.members``)."""
    found = declarations()
    expanded = dict.fromkeys(refs)
    for name, ident in list(expanded):
        for declaration in found.values():
            select_members = declaration.members(name, ident) if declaration.members else None
            if select_members is not None:
                for record in session.scalars(select_members):
                    expanded.setdefault((declaration.name, record.id), None)
    return expanded


def _apply_batch(writer, session: Session, refs: Iterable[tuple[str, int]]) -> None:
    found = declarations()
    for name, ident in _with_members(session, refs):
        writer.delete_by_term("ref", ref_of(name, ident))
        declaration = found.get(name)
        if declaration is None:
            continue
        record = session.get(declaration.model, ident)
        if record is not None:
            for fields in documents_for(declaration, record):
                writer.add_document(**fields)


def apply_pending(timeout: float, batch_size: int = 500) -> int:
    """Apply pending outbox rows to the index; returns how many rows were applied. Takes the index's
    write lock first (waiting at most ``timeout`` seconds; if it cannot, nothing is applied), then
    reads the rows and the records, so any change committed later leaves a newer row behind."""
    ix = open_index()
    applied = 0
    while True:
        try:
            writer = ix.writer(timeout=timeout, delay=0.05)
        except LockError:
            log.info("search index is locked; outbox rows stay for the next sync")
            return applied
        try:
            with Session(db.engine) as session:
                rows = session.execute(
                    select(SearchOutbox.id, SearchOutbox.resource_type, SearchOutbox.resource_id)
                    .order_by(SearchOutbox.id)
                    .limit(batch_size)
                ).all()
                if not rows:
                    writer.cancel()
                    return applied
                refs = dict.fromkeys((row.resource_type, row.resource_id) for row in rows)
                _apply_batch(writer, session, refs)
                session.rollback()  # end the read snapshot before writing
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        with Session(db.engine) as session, session.begin():
            session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([row.id for row in rows])))
        applied += len(rows)


def pending_count() -> int:
    with Session(db.engine) as session:
        return session.scalar(select(func.count(SearchOutbox.id)))


# --- rebuilding ----------------------------------------------------------------------------------


def record_counts() -> dict[str, int]:
    with Session(db.engine) as session:
        return {
            name: session.scalar(select(func.count()).select_from(d.query().subquery()))
            for name, d in declarations().items()
        }


def rebuild(progress: Callable[[int, Iterable, str], Iterable] | None = None, lock_timeout: float = 60.0) -> int:
    """Build a new generation from the database and swap it in; returns the number of documents.

    The current index's write lock is held meanwhile, so changes committed during the rebuild stay in
    the outbox (instead of going to the index about to be replaced) and are applied afterwards."""
    path = index_path()
    open_index()  # make sure there is a current generation whose lock we can hold
    old = windex.open_dir(str(path.resolve()))  # its real directory: the link moves during the swap
    lock = old.lock("WRITELOCK")
    if not try_for(lock.acquire, timeout=lock_timeout, delay=0.1):
        raise LockError("the search index is locked by another writer")
    try:
        directory = _new_generation(path)
        ix = windex.open_dir(str(directory))
        writer = ix.writer()
        count = 0
        with Session(db.engine) as session:
            for name, declaration in declarations().items():
                total = session.scalar(select(func.count()).select_from(declaration.query().subquery()))
                records = session.scalars(declaration.query().execution_options(yield_per=200))
                iterable = progress(total, records, name) if progress else records
                for record in iterable:
                    for fields in documents_for(declaration, record):
                        writer.add_document(**fields)
                        count += 1
        writer.commit(optimize=True)
        previous = path.resolve() if path.is_symlink() else None
        with _setup_lock(path):
            if path.is_dir() and not path.is_symlink():  # an index made before generations existed
                path.rename(path.parent / f"{path.name}.{uuid.uuid4().hex[:12]}")
            _point_to(path, directory)
    finally:
        lock.release()
    _remove_old_generations(path, keep={directory, previous})
    apply_pending(timeout=lock_timeout)
    return count


def _remove_old_generations(path: Path, keep: set) -> None:
    """Keep the current and the previous generation (a search may still be reading it)."""
    for candidate in path.parent.glob(f"{path.name}.*"):
        if candidate.is_dir() and candidate.resolve() not in {k.resolve() for k in keep if k}:
            shutil.rmtree(candidate, ignore_errors=True)


# --- statistics ----------------------------------------------------------------------------------


def index_counts() -> dict[str, dict[str, int]]:
    """Per type: documents and distinct records in the index."""
    ix = open_index()
    counts: dict[str, dict[str, int]] = {}
    refs: dict[str, set] = {}
    with ix.searcher() as searcher:
        for fields in searcher.all_stored_fields():
            entry = counts.setdefault(fields["type"], {"documents": 0, "records": 0})
            entry["documents"] += 1
            refs.setdefault(fields["type"], set()).add(fields["ref"])
    for name, found in refs.items():
        counts[name]["records"] = len(found)
    return counts


def public_counts() -> dict[str, int]:
    found = {}
    with Session(db.engine) as session:
        for name, declaration in declarations().items():
            records = session.scalars(declaration.query().execution_options(yield_per=500))
            found[name] = sum(1 for record in records if declaration.is_public(record))
    return found
