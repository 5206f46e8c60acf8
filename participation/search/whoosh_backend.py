"""The Whoosh backend: an index on this machine's disk (whoosh_index), a cache derived from the
database. Whoosh allows one writer per index (a local file lock).

Each index keeps its own position in the change feed (``search_outbox``) in a file of its
generation: rows up to it are applied here. A request applies its own changes after commit; `sync`
applies everything after the position, whichever machine wrote it, so every machine's index sees
every change. On PostgreSQL a row's id is taken before its transaction commits, so a smaller id can
become visible after a larger one: the position only moves past rows older than
SEARCH_FEED_SETTLE_SECONDS (newer ones are applied, and applied again by the next sync). On SQLite
writers take turns, so ids are visible in order and the position follows at once.
"""

from __future__ import annotations

import logging
import socket
import uuid
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from whoosh import index as windex
from whoosh import query as wq
from whoosh.collectors import TopCollector
from whoosh.index import LockError
from whoosh.util.filelock import try_for

from ..core.models import SearchOutbox
from ..core.types import utcnow
from ..extensions import db
from . import rebuilding, vocabulary
from .backend import COORDINATION, DIRECT, Backend, Row
from .documents import IndexDocument, current_documents, parse_ref
from .models import SearchFeedPosition
from .query import Alt, Group, Plan
from .whoosh_index import (
    _new_generation,
    _point_to,
    _read_position,
    _remove_old_generations,
    _setup_lock,
    _write_position,
    fields_of,
    index_path,
    open_index,
    searcher_at,
)

log = logging.getLogger(__name__)
FIELDS = ("title_w", "body_w")


def _feed_head() -> int:
    with Session(db.engine) as session:
        return session.scalar(select(func.coalesce(func.max(SearchOutbox.id), 0)))


def _alt(alt: Alt) -> wq.Query:
    def each(make):
        return wq.Or([make(f) for f in FIELDS])

    if len(alt.terms) == 1:
        query = each(lambda f: wq.Term(f, alt.terms[0]))
    elif alt.adjacent:
        query = each(lambda f: wq.Phrase(f, list(alt.terms)))
    else:
        query = wq.And([each(lambda f, t=t: wq.Term(f, t)) for t in alt.terms])
    query.boost = alt.boost
    return query


def _any(group: Group) -> wq.Query:
    alts = [_alt(a) for a in group.alts]
    return alts[0] if len(alts) == 1 else wq.Or(alts)


def _scored(group: Group, counted: bool) -> wq.Query:
    """Matches what the group matches; scores DIRECT more where it matched as typed and, when
    ``counted`` (a sentence's words, of which most must match), COORDINATION more for matching at
    all. Required groups need no count: every match has them all, and the fewer matchers the faster."""
    found = _any(group)
    parts = [found]
    if counted:
        parts.append(wq.ConstantScoreQuery(found, COORDINATION))
    if len(group.alts) > 1:
        parts.append(wq.ConstantScoreQuery(_alt(group.alts[0]), DIRECT))
    return parts[0] if len(parts) == 1 else wq.Or(parts)


def compile_plan(plan: Plan) -> tuple[wq.Query, float]:
    """The Whoosh query of ``plan`` and the least score a match must have (most of a sentence's words)."""
    parts = [_scored(g, counted=False) for g in plan.required]
    if plan.soft:
        parts.append(wq.Or([_scored(g, counted=True) for g in plan.soft]))
    query = parts[0] if len(parts) == 1 else wq.And(parts)
    return query, (COORDINATION * plan.soft_min - 1.0) if plan.soft else float("-inf")


def exclusion(plan: Plan) -> wq.Query | None:
    """What a match must not have (-word). Left out by the collector rather than with AndNot, whose
    matcher fails on some exhausted term lists in this Whoosh version."""
    return wq.Or([_any(g) for g in plan.excluded]) if plan.excluded else None


class RecordsCollector(TopCollector):
    """The top documents scoring at least ``min_score``, at most one per record (its best-scoring
    language) when ``collapse``, the number of such records, and their spaces, in one pass."""

    def __init__(self, limit: int, min_score: float, collapse: bool = True, excluded: frozenset = frozenset()):
        # every match must be seen to be counted: no block skipping, no matcher replacement
        super().__init__(limit=limit, usequality=False, replace=0)
        self.min_score, self.collapse, self.excluded = min_score, collapse, excluded

    def prepare(self, top_searcher, q, context):
        super().prepare(top_searcher, q, context)
        self.best: dict = {}  # ref -> (score, global docnum)
        self.found_spaces: set = set()

    def set_subsearcher(self, subsearcher, offset):
        super().set_subsearcher(subsearcher, offset)
        reader = subsearcher.reader()
        self.refs = reader.column_reader("ref") if reader.has_column("ref") else {}
        self.space_column = reader.column_reader("space") if reader.has_column("space") else {}

    def collect(self, sub_docnum):
        score = self.matcher.score()
        global_docnum = self.offset + sub_docnum
        if score < self.min_score or global_docnum in self.excluded:
            return
        self.found_spaces.add(self.space_column[sub_docnum])
        key = self.refs[sub_docnum] if self.collapse else global_docnum
        found = self.best.get(key)
        if found is not None:
            if score <= found[0]:
                return
            self.remove(found[1])
        self.best[key] = (score, global_docnum)
        self._collect(global_docnum, score)

    def count(self):
        return len(self.best)


def _filters(type=None, locale=None, space=None) -> wq.Query:
    filters = [wq.Term("public", True)]
    if type:
        filters.append(wq.Term("type", type))
    if locale:
        filters.append(wq.Term("locale", locale))
    if space:
        filters.append(wq.Term("space", space))
    # joined to the query with no effect on ranking, rather than as ``filter=``: Whoosh's filter
    # collector bypasses collapsing, which would list a record once per language
    return wq.ConstantScoreQuery(wq.And(filters), 0.0)


class WhooshBackend(Backend):
    name = "whoosh"

    def searcher(self):
        path = index_path()
        if not path.exists():
            open_index()
        return searcher_at(path)

    # --- reading ---

    def _collect(self, plan: Plan, limit: int, type=None, locale=None, space=None) -> RecordsCollector:
        query, min_score = compile_plan(plan)
        searcher = self.searcher()
        excluded = exclusion(plan)
        left_out = frozenset(searcher.docs_for_query(excluded)) if excluded is not None else frozenset()
        collector = RecordsCollector(limit, min_score, collapse=not locale, excluded=left_out)
        searcher.search_with_collector(wq.And([query, _filters(type, locale, space)]), collector)
        return collector

    def find(self, plan, *, page, per_page, type=None, locale=None, space=None):
        return self._find(self._collect(plan, page * per_page, type, locale, space), page, per_page)

    def find_with_spaces(self, plan, *, page, per_page, type=None, locale=None):
        collector = self._collect(plan, page * per_page, type, locale)
        total, rows = self._find(collector, page, per_page)
        return total, rows, sorted(s for s in collector.found_spaces if s)[:200]

    def _find(self, collector, page, per_page):
        results = collector.results()
        rows = []
        for n in range((page - 1) * per_page, min(page * per_page, results.scored_length())):
            hit = results[n]
            ref = parse_ref(hit["ref"])
            if ref is not None:
                rows.append(
                    Row(ref, parse_ref(hit.get("space")), hit.get("locale"), hit.get("date"), hit["title"], hit["body"])
                )
        return collector.count(), rows

    def spaces(self, plan, *, type=None, locale=None, limit=200):
        return sorted(s for s in self._collect(plan, 1, type, locale).found_spaces if s)[:limit]

    def known(self, terms):
        reader = self.searcher().reader()
        return {t for t in terms if any((f, t) in reader for f in FIELDS)}

    def has_term(self, term: str) -> bool:
        return bool(self.known([term]))

    def frequency(self, term: str) -> int:
        reader = self.searcher().reader()
        return max(reader.doc_frequency(f, term) for f in FIELDS)

    # --- writing ---

    def apply_own(self, own, timeout):
        ix = open_index()
        try:
            writer = ix.writer(timeout=timeout, delay=0.05)
        except LockError:
            log.info("search index is locked; these changes wait for the next sync")
            return
        ids = {i for found in own.values() for i in found}
        try:
            with Session(db.engine) as session:
                drop, documents = current_documents(session, own)
                settled = self._settle() == 0
                position = _read_position(Path(ix.storage.folder))
                others = settled and session.scalar(
                    select(func.count(SearchOutbox.id)).where(SearchOutbox.id > position, SearchOutbox.id.not_in(ids))
                )
                session.rollback()
            for ref in drop:
                writer.delete_by_term("ref", ref)
            for doc in documents:
                writer.add_document(**fields_of(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        self._add_vocabulary(documents)
        if settled and not others:  # nothing else waits: the feed is applied up to these rows
            self._store_position(Path(ix.storage.folder), max(ids))

    def _add_vocabulary(self, documents: list[IndexDocument]) -> None:
        if documents:
            with Session(db.engine) as session, session.begin():
                vocabulary.add(session, {t for d in documents for t in vocabulary.of(d)})

    def _settle(self) -> float:
        return 0.0 if db.engine.dialect.name == "sqlite" else current_app.config["SEARCH_FEED_SETTLE_SECONDS"]

    def _store_position(self, directory: Path, position: int) -> None:
        if position <= _read_position(directory):
            return
        _write_position(directory, position)
        # one statement (no read first): on SQLite a read then a write in one transaction can
        # deadlock with another writer ("database is locked" at once instead of waiting)
        name = f"{socket.gethostname()}:{index_path().resolve().parent}"
        dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
        values = {"name": name, "position": position, "updated_at": utcnow()}
        statement = dialect.insert(SearchFeedPosition.__table__).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["name"], set_={"position": position, "updated_at": values["updated_at"]}
        )
        with Session(db.engine) as session, session.begin():
            session.execute(statement)

    def has_backlog(self, own):
        ix = open_index()
        position = _read_position(Path(ix.storage.folder))
        ids = [i for found in own.values() for i in found]
        query = select(SearchOutbox.id).where(SearchOutbox.id > position, SearchOutbox.id.not_in(ids))
        settle = self._settle()
        if settle:
            query = query.where(SearchOutbox.created_at < utcnow() - timedelta(seconds=settle))
        with Session(db.engine) as session:
            return session.scalar(query.limit(1)) is not None

    def sync(self, timeout, batch_size=500):
        ix = open_index()
        directory = Path(ix.storage.folder)
        applied = 0
        settle = self._settle()
        while True:
            try:
                writer = ix.writer(timeout=timeout, delay=0.05)
            except LockError:
                log.info("search index is locked; the feed waits for the next sync")
                return applied
            try:
                position = _read_position(directory)
                with Session(db.engine) as session:
                    rows = session.execute(
                        select(
                            SearchOutbox.id,
                            SearchOutbox.resource_type,
                            SearchOutbox.resource_id,
                            SearchOutbox.created_at,
                        )
                        .where(SearchOutbox.id > position)
                        .order_by(SearchOutbox.id)
                        .limit(batch_size)
                    ).all()
                    if not rows:
                        writer.cancel()
                        return applied
                    drop, documents = current_documents(
                        session, dict.fromkeys((r.resource_type, r.resource_id) for r in rows)
                    )
                    session.rollback()  # end the read snapshot before writing
                for ref in drop:
                    writer.delete_by_term("ref", ref)
                for doc in documents:
                    writer.add_document(**fields_of(doc))
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            self._add_vocabulary(documents)
            horizon = utcnow() - timedelta(seconds=settle)
            settled = rows if not settle else _settled_prefix(rows, horizon)
            applied += len(rows)
            if settled:
                self._store_position(directory, settled[-1].id)
            if len(settled) < len(rows) or len(rows) < batch_size:
                self._prune()
                return applied

    def _prune(self) -> None:
        """Drop feed rows every machine's index has read (machines heard from in the last week).
        The newest row stays: SQLite would reuse the ids of deleted last rows."""
        keep = current_app.config["SEARCH_FEED_KEEP_DAYS"]
        lowest = (
            select(func.min(SearchFeedPosition.position))
            .where(SearchFeedPosition.updated_at > utcnow() - timedelta(days=keep))
            .scalar_subquery()
        )
        with Session(db.engine) as session, session.begin():  # one statement, as above
            session.execute(delete(SearchOutbox).where(SearchOutbox.id < lowest))

    def pending(self):
        ix = open_index()
        position = _read_position(Path(ix.storage.folder))
        with Session(db.engine) as session:
            return session.scalar(select(func.count(SearchOutbox.id)).where(SearchOutbox.id > position))

    def rebuild(self, progress=None, lock_timeout=60.0, workers=1):
        """Build a new generation from the database and swap it in; returns the number of documents.

        The current index's write lock is held meanwhile, so changes committed during the rebuild are
        not applied to the index about to be replaced; the new one starts at the feed's end as it was
        before the records were read, and catches up afterwards."""
        path = index_path()
        open_index()
        old = windex.open_dir(str(path.resolve()))  # its real directory: the link moves during the swap
        lock = old.lock("WRITELOCK")
        if not try_for(lock.acquire, timeout=lock_timeout, delay=0.1):
            raise LockError("the search index is locked by another writer")
        try:
            head = _feed_head()
            directory = _new_generation(path, head)
            ix = windex.open_dir(str(directory))
            writer = ix.writer(limitmb=256)
            count, vocab = 0, set()
            for doc in rebuilding.all_documents(progress, workers):
                writer.add_document(**fields_of(doc))
                vocab.update(vocabulary.of(doc))
                count += 1
            writer.commit(optimize=True)
            with Session(db.engine) as session, session.begin():
                vocabulary.replace(session, vocab)
            previous = path.resolve() if path.is_symlink() else None
            with _setup_lock(path):
                if path.is_dir() and not path.is_symlink():  # an index made before generations existed
                    path.rename(path.parent / f"{path.name}.{uuid.uuid4().hex[:12]}")
                _point_to(path, directory)
        finally:
            lock.release()
        _remove_old_generations(path, keep={directory, previous})
        self._store_position(directory, head)
        self.sync(timeout=lock_timeout)
        return count

    # --- statistics ---

    def index_counts(self):
        counts: dict[str, dict[str, int]] = {}
        refs: dict[str, set] = {}
        with open_index().searcher() as searcher:
            for fields in searcher.all_stored_fields():
                entry = counts.setdefault(fields["type"], {"documents": 0, "records": 0})
                entry["documents"] += 1
                refs.setdefault(fields["type"], set()).add(fields["ref"])
        for name, found in refs.items():
            counts[name]["records"] = len(found)
        return counts

    def indexed_keys(self):
        with open_index().searcher() as searcher:
            return {fields["key"] for fields in searcher.all_stored_fields()}

    def describe(self):
        ix = open_index()
        return f"whoosh index {index_path()} at feed position {_read_position(Path(ix.storage.folder))}"


def _settled_prefix(rows, horizon) -> list:
    """The rows before the first one too recent to be sure no smaller id is still to come."""
    settled = []
    for row in rows:
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=horizon.tzinfo)
        if created >= horizon:
            break
        settled.append(row)
    return settled
