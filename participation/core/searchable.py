"""What a capability puts in the search index, declared in its own ``search.py``.

The core only describes the declaration; the search capability reads every registered capability's
``searchable`` tuple, indexes the records after their transaction commits and rebuilds from ``query``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from .types import LocalizedText, utcnow

DEFERRED = "participation.search.deferred"  # session.info flag: leave this transaction's changes to the backlog
OWN = "participation.search.own"  # session.info: feed row ids this transaction wrote, by (type, id)


@dataclass(frozen=True)
class SearchDocument:
    """One record in one locale, as the index sees it."""

    locale: str
    title: str
    body: str
    date: datetime | None = None
    # the space the record belongs to, as (resource type, id), for showing and filtering results
    space: tuple[str, int] | None = None


@dataclass(frozen=True)
class Searchable:
    name: str  # a registered resource type name, e.g. "process"
    model: type
    documents: Callable[[object], Iterable[SearchDocument]]  # one per locale the record has
    query: Callable[[], object]  # a select() of every record, for `flask search rebuild`
    is_public: Callable[[object], bool] = lambda _record: True  # only public records are indexed
    # the records inside a space, as a select() given the space's (type, id), or None when records of
    # this kind cannot be inside that type: re-indexed when the space changes, since their visibility
    # follows it (a consultation's proposals leave the results when it is unpublished)
    members: Callable[[str, int], object | None] | None = None


def locales_of(*texts: LocalizedText | None) -> list[str]:
    """Every locale any of ``texts`` is written in, original languages first."""
    found: list[str] = []
    for text in texts:
        if text:
            for locale in (text.original, *text):
                if locale in text and locale not in found:
                    found.append(locale)
    return found


def queue_reindex(session, refs) -> list[int]:
    """Record in the change feed (the search outbox, in the caller's transaction) that these
    (resource type, id) records changed; returns the new rows' ids. The one place rows are written."""
    from .models import SearchOutbox

    refs = list(refs)
    rows = [{"resource_type": name, "resource_id": ident, "created_at": utcnow()} for name, ident in refs]
    if not rows:
        return []
    ids = list(
        session.connection()
        .execute(SearchOutbox.__table__.insert().returning(SearchOutbox.id, sort_by_parameter_order=True), rows)
        .scalars()
    )
    own = session.info.setdefault(OWN, {})
    for ref, ident in zip(refs, ids, strict=True):
        own.setdefault(tuple(ref), []).append(ident)
    return ids


def defer_indexing(session) -> None:
    """Leave the current transaction's changes to the background sync instead of indexing them right
    after its commit: for bulk changes (an import of thousands of records) that would hold the request."""
    session.info[DEFERRED] = True


MATCHER = "participation.search.matcher"  # app.extensions: the search capability's text matcher


def matching_ids(type_name: str, text: str, *, space: tuple[str, int] | None = None, limit: int = 1000,
                 loose: bool = False) -> list[int] | None:  # fmt: skip
    """Ids of the public records of ``type_name`` whose text matches ``text`` the way the site's
    search does (variants, readings, synonyms), best first, at most ``limit``; ``space`` keeps those
    inside one space, ``loose`` finds records having most of the words (for "similar" lists).
    [] when the text has nothing to look for; None when no search capability is registered. The one
    text matching of the site: lists filter by these ids instead of matching text themselves."""
    from flask import current_app

    matcher = current_app.extensions.get(MATCHER)
    return None if matcher is None else matcher(type_name, text, space=space, limit=limit, loose=loose)
