"""Paging for every list: one ``Page`` shape (what macros/pager.html reads) and one ``paginate``.

The page number comes from the query string and is never trusted. A list pages a SELECT with
``paginate(query)`` (one COUNT, one page of rows); a list that knows its total (a counter column)
passes ``total=`` and skips the COUNT; a list whose rows come another way (a search index, an
aggregate, a custom order) builds ``Page(items, page, per_page, total)`` itself or passes ``fetch=``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from math import ceil

from flask import current_app, request
from sqlalchemy import Select, func, select

from ..extensions import db

MAX_PAGE = 100_000


def page_number(arg: str = "page") -> int:
    """``?page=`` as a positive number; anything else (text, 0, huge numbers) means page 1."""
    page = request.args.get(arg, 1, type=int)
    return page if 1 <= page <= MAX_PAGE else 1


def page_size(setting: str = "PAGE_SIZE") -> int:
    return int(current_app.config[setting])


@dataclass
class Page:
    """One page of a list. A page past the end has no items (its links still lead back)."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return ceil(self.total / self.per_page) if self.total else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def iter_pages(
        self, left_edge: int = 1, left_current: int = 2, right_current: int = 2, right_edge: int = 1
    ) -> Iterator[int | None]:
        """Page numbers to link: the edges and those around the current page; None marks a gap."""
        last = 0
        for number in range(1, self.pages + 1):
            if (
                number <= left_edge
                or self.page - left_current <= number <= self.page + right_current
                or number > self.pages - right_edge
            ):
                if last + 1 != number:
                    yield None
                yield number
                last = number

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def count_of(query: Select) -> int:
    """The number of rows ``query`` returns, counted in the database."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def paginate(
    query: Select,
    *,
    page: int | None = None,
    per_page: int | None = None,
    total: int | None = None,
    fetch: Callable[[int, int], list] | None = None,
    clamp: bool = False,
) -> Page:
    """One page of ``query``'s ORM rows, in its order. ``total``: the number of rows when the caller
    knows it (no COUNT runs). ``fetch(offset, limit)``: load the page's rows another way (a custom
    order). ``clamp``: a page past the end shows the last page instead of an empty one."""
    page = page_number() if page is None else max(1, min(page, MAX_PAGE))
    per_page = per_page or page_size()
    if total is None:
        total = count_of(query)
    if clamp:
        page = max(1, min(page, ceil(total / per_page)))
    offset = (page - 1) * per_page
    if fetch is not None:
        items = fetch(offset, per_page)
    else:
        items = list(db.session.execute(query.limit(per_page).offset(offset)).unique().scalars())
    return Page(items=items, page=page, per_page=per_page, total=total)


def paginate_fetched(fetch: Callable[[int, int], tuple[list, int]], per_page: int | None = None) -> Page:
    """One page of what ``fetch(offset, limit) -> (items, total)`` returns, for lists that are not
    ORM selects (e.g. the job queue)."""
    page = page_number()
    per_page = per_page or page_size()
    items, total = fetch((page - 1) * per_page, per_page)
    return Page(items=list(items), page=page, per_page=per_page, total=total)
