"""Paging for list pages: the page number comes from the query string and is never trusted."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination

from ..extensions import db

MAX_PAGE = 100_000


def page_number() -> int:
    """``?page=`` as a positive number; anything else (text, 0, huge numbers) means page 1."""
    page = request.args.get("page", 1, type=int)
    return page if 1 <= page <= MAX_PAGE else 1


def paginate(query, per_page: int | None = None):
    """One page of ``query`` with a count query; an out-of-range page gives an empty page."""
    return db.paginate(query, page=page_number(), per_page=per_page or current_app.config["PAGE_SIZE"], error_out=False)


class _FetchedPage(Pagination):
    """A page whose items and total come from a function rather than a SQLAlchemy select."""

    def _query_items(self):
        return self._query_args["items"]

    def _query_count(self):
        return self._query_args["total"]


def paginate_fetched(fetch: Callable[[int, int], tuple[list, int]], per_page: int | None = None):
    """One page of what ``fetch(offset, limit) -> (items, total)`` returns (e.g. the job queue)."""
    per_page = per_page or current_app.config["PAGE_SIZE"]
    page = page_number()
    items, total = fetch((page - 1) * per_page, per_page)
    return _FetchedPage(page=page, per_page=per_page, max_per_page=None, error_out=False, items=items, total=total)
