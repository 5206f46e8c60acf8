"""Paging for list pages: the page number comes from the query string and is never trusted."""

from __future__ import annotations

from flask import current_app, request

from ..extensions import db

MAX_PAGE = 100_000


def page_number() -> int:
    """``?page=`` as a positive number; anything else (text, 0, huge numbers) means page 1."""
    page = request.args.get("page", 1, type=int)
    return page if 1 <= page <= MAX_PAGE else 1


def paginate(query, per_page: int | None = None):
    """One page of ``query`` with a count query; an out-of-range page gives an empty page."""
    return db.paginate(query, page=page_number(), per_page=per_page or current_app.config["PAGE_SIZE"], error_out=False)
