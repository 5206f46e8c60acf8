"""The index's vocabulary, one table for both backends (``search_terms``): the readings the index
holds ("~コウエン", to split a hiragana query), its nouns by reading ("s:コウエン:公園") and its Latin
words ("w:privacy"), for "did you mean". Terms are added as documents are written and replaced
whole by a rebuild; a suggestion is only offered when it finds public documents, so a word of a
record that is no longer public never shows through."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..extensions import db
from .documents import IndexDocument
from .models import SearchTerm
from .query import READING

MAX_TERM = 200
CHUNK = 5000


def of(doc: IndexDocument) -> set[str]:
    return doc.vocab | {t for t in doc.title_terms + doc.body_terms if t.startswith(READING)}


def add(session: Session, terms: Iterable[str]) -> None:
    """Insert the terms not there yet, in the caller's transaction."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    terms = sorted({t for t in terms if t and len(t) <= MAX_TERM})
    for start in range(0, len(terms), CHUNK):
        chunk = [{"term": t} for t in terms[start : start + CHUNK]]
        session.execute(dialect.insert(SearchTerm.__table__).on_conflict_do_nothing(), chunk)


def replace(session: Session, terms: Iterable[str]) -> None:
    session.execute(delete(SearchTerm))
    add(session, terms)


def with_prefix(prefix: str, limit: int) -> list[str]:
    return list(
        db.session.scalars(
            select(SearchTerm.term)
            .where(SearchTerm.term >= prefix, SearchTerm.term < prefix + "\U0010ffff")
            .order_by(SearchTerm.term)
            .limit(limit)
        )
    )


def near(term: str, maxdist: int = 2) -> list[str]:
    """Terms at most ``maxdist`` edits from ``term`` sharing its first three characters."""
    from .suggest import distance

    candidates = with_prefix(term[:3], 5000)
    return [c for c in candidates if c != term and abs(len(c) - len(term)) <= maxdist and distance(c, term) <= maxdist][
        :20
    ]
