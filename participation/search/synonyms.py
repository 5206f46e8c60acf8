"""The staff's table of variants and synonyms, read at each search (one small query), so an edit
applies at once on every machine and needs no rebuild."""

from __future__ import annotations

import functools

from sqlalchemy import select

from ..extensions import db
from .analysis import terms
from .models import SearchSynonym
from .query import SynonymSet

MAX_EXPRESSIONS = 20  # per set
MAX_LENGTH = 100  # characters per expression


@functools.lru_cache(maxsize=20_000)
def _terms(expression: str) -> tuple[str, ...]:
    return tuple(terms(expression))


def to_set(expressions: list[str]) -> SynonymSet | None:
    members = tuple(dict.fromkeys(t for e in expressions if (t := _terms(e))))
    return SynonymSet(members) if len(members) > 1 else None


def current() -> list[SynonymSet]:
    found = []
    for text_ in db.session.scalars(select(SearchSynonym.terms)):
        synonym = to_set([line.strip() for line in text_.splitlines() if line.strip()])
        if synonym:
            found.append(synonym)
    return found
