"""What a capability puts in the search index, declared in its own ``search.py``.

The core only describes the declaration; the search capability reads every registered capability's
``searchable`` tuple, indexes the records after their transaction commits and rebuilds from ``query``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from .types import LocalizedText


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
