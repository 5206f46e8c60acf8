"""One search interface, two engines, chosen by the SEARCH_BACKEND setting:

- ``whoosh`` (the default): an index on this machine's disk. Each machine's index keeps its own
  position in the change feed, so with several machines none misses another's change;
- ``postgresql``: documents and their analysed terms in the database (a tsvector with a GIN index),
  one index every machine reads and writes, updated in the database's own transactions.

Both store what ``analysis`` makes of the text, run the same plans (``query``), rank with the same
features (every matched word or phrase first, then term weights with titles above bodies) and return
the same rows; highlighting, visibility and "did you mean" are shared code on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from .query import Plan, Vocabulary

COORDINATION = 1000.0  # each matched group adds this, so documents matching more groups rank first
DIRECT = 100.0  # and this when it matched as typed (not only a variant, synonym or reading of it)


@dataclass
class Row:
    ref: tuple[str, int]
    space: tuple[str, int] | None
    locale: str
    date: datetime | None
    title: str
    body: str


class Backend(Vocabulary):
    name = ""

    # writing
    def apply_own(self, own: dict, timeout: float) -> None:
        """Index the records a committed transaction changed (``own``: (type, id) → feed row ids)."""
        raise NotImplementedError

    def has_backlog(self, own: dict) -> bool:
        """Whether changes other than ``own`` wait to be applied here."""
        raise NotImplementedError

    def sync(self, timeout: float, batch_size: int = 500) -> int:
        """Apply whatever the feed holds that this index has not seen; returns how many rows."""
        raise NotImplementedError

    def pending(self) -> int:
        raise NotImplementedError

    def rebuild(self, progress=None, lock_timeout: float = 60.0, workers: int = 1) -> int:
        raise NotImplementedError

    # reading
    def find(
        self, plan: Plan, *, page: int, per_page: int, type=None, locale=None, space=None
    ) -> tuple[int, list[Row]]:
        """The number of matching records and the rows of one page, best first, each record once
        (in its best-matching language) unless ``locale`` is given."""
        raise NotImplementedError

    def find_with_spaces(self, plan: Plan, *, page: int, per_page: int, type=None, locale=None):
        """``find`` without a space filter, and the spaces of every match (one pass where it can)."""
        total, rows = self.find(plan, page=page, per_page=per_page, type=type, locale=locale)
        return total, rows, self.spaces(plan, type=type, locale=locale)

    def spaces(self, plan: Plan, *, type=None, locale=None, limit: int = 200) -> list[str]:
        """The spaces (e.g. "process:12") of documents matching ``plan``."""
        raise NotImplementedError

    def has_term(self, term: str) -> bool:
        raise NotImplementedError

    def frequency(self, term: str) -> int:
        """How many documents have ``term``."""
        raise NotImplementedError

    def vocabulary(self, prefix: str, limit: int = 50) -> list[tuple[str, int]]:
        """Vocabulary entries starting with ``prefix``, with how many documents have their word."""
        from . import vocabulary

        return [(t, self.frequency(t.rsplit(":", 1)[-1])) for t in vocabulary.with_prefix(prefix, limit)[:10]]

    def close_terms(self, term: str, maxdist: int = 2) -> list[tuple[str, int]]:
        from . import vocabulary

        return [(t, 1) for t in vocabulary.near(term, maxdist)]

    # statistics
    def index_counts(self) -> dict[str, dict[str, int]]:
        raise NotImplementedError

    def indexed_keys(self) -> set[str]:
        raise NotImplementedError

    def describe(self) -> str:
        return self.name


def backend() -> Backend:
    state = current_app.extensions["participation.search"]
    found = state.get("backend")
    if found is None:
        name = current_app.config["SEARCH_BACKEND"]
        if name == "postgresql":
            from .pg_backend import PostgresBackend

            found = PostgresBackend()
        else:
            from .whoosh_backend import WhooshBackend

            found = WhooshBackend()
        state["backend"] = found
    return found
