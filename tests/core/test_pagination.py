"""One paging mechanism for every list (core.pagination)."""

from pathlib import Path

import pytest

from participation.core.models import User
from participation.core.pagination import Page, paginate
from participation.extensions import db

PACKAGE = Path(__file__).resolve().parents[2] / "participation"


def test_page_numbers_and_links():
    page = Page(items=[], page=5, per_page=10, total=95)
    assert (page.pages, page.has_prev, page.has_next, page.prev_num, page.next_num) == (10, True, True, 4, 6)
    assert list(page.iter_pages()) == [1, None, 3, 4, 5, 6, 7, None, 10]
    first = Page(items=[], page=1, per_page=10, total=10)
    assert (first.pages, first.has_prev, first.has_next, first.prev_num, first.next_num) == (
        1,
        False,
        False,
        None,
        None,
    )
    assert list(first.iter_pages()) == [1]
    assert Page(items=[], page=1, per_page=10, total=0).pages == 0


@pytest.fixture
def people(app):
    with app.app_context():
        db.session.add_all(User(email=f"p{n}@example.jp", display_name=f"人{n:02d}") for n in range(7))
        db.session.commit()


def _names(page: Page) -> list[str]:
    return [user.display_name for user in page.items]


QUERY = db.select(User).options(db.lazyload(User.role_grants)).order_by(User.display_name)


def test_paginate_counts_and_slices_in_order(app, people, count_queries):
    with app.test_request_context("/?page=2"), count_queries() as counted:
        page = paginate(QUERY, per_page=3)
    assert (page.page, page.total, page.pages) == (2, 7, 3)
    assert _names(page) == ["人03", "人04", "人05"]
    assert counted.n == 2  # COUNT, then the page


def test_a_known_total_skips_the_count(app, people, count_queries):
    with app.test_request_context("/"), count_queries() as counted:
        page = paginate(QUERY, per_page=3, total=7)
    assert counted.n == 1 and page.pages == 3 and _names(page) == ["人00", "人01", "人02"]


@pytest.mark.parametrize("given", ["0", "-1", "abc", "1.5", "100001", "9" * 30])
def test_untrusted_page_numbers_mean_page_one(app, people, given):
    with app.test_request_context(f"/?page={given}"):
        page = paginate(QUERY, per_page=3)
    assert page.page == 1 and _names(page) == ["人00", "人01", "人02"]


def test_past_the_end_is_empty_or_the_last_page(app, people):
    with app.test_request_context("/?page=9"):
        assert paginate(QUERY, per_page=3).items == []
        clamped = paginate(QUERY, per_page=3, clamp=True)
    assert clamped.page == 3 and _names(clamped) == ["人06"]


def test_a_custom_fetch_gets_the_offset_and_limit(app, people):
    calls = []

    def fetch(offset, limit):
        calls.append((offset, limit))
        return ["x"] * limit

    with app.test_request_context("/?page=3"):
        page = paginate(QUERY, per_page=2, fetch=fetch)
    assert calls == [(4, 2)] and page.total == 7 and page.items == ["x", "x"]


def test_no_list_pages_another_way():
    """Flask-SQLAlchemy's pagination (and its private hooks) and hand-written LIMIT/OFFSET paging
    stay out of the capabilities: they page through core.pagination."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "pagination.py":
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("flask_sqlalchemy.pagination", "db.paginate(", "_query_items", "_query_count", "def iter_pages"):
            if needle in text:
                offenders.append(f"{path.relative_to(PACKAGE)}: {needle}")
    assert offenders == []
