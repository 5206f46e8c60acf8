"""Every optional capability can be left out: the app builds, and crawling it from the home page and
every menu entry, as a visitor and as staff, finds no error and no link to a page that is not there.

The demo city is loaded once with every capability; then, for each optional capability, an app
without it (and without the capabilities that require it) is built on the same database and
crawled. The crawl visits one URL per page shape (ids and query values ignored), so it stays
bounded whatever the data."""

from __future__ import annotations

import re
from collections import deque
from importlib import import_module
from urllib.parse import urlsplit

import pytest
from flask import url_for
from jinja2 import BytecodeCache

from participation.config import DEFAULTS
from participation.core.capability import CapabilityError, capabilities
from participation.core.models import Role, RoleGrant, User
from participation.extensions import db

ALL = list(DEFAULTS["CAPABILITIES"])
HREF = re.compile(r'href="(/[^"#]*)')
SKIP = ("/static/",)
PAGES_PER_CRAWL = 120  # distinct page shapes; the full app has about 70 per reader


def _capability(dotted: str):
    module, _, attribute = dotted.partition(":")
    return getattr(import_module(module), attribute or "capability")


def _without(name: str) -> tuple[list[str], set[str]]:
    """CAPABILITIES without ``name`` and without every capability that (in turn) requires it."""
    removed = {name}
    for dotted in ALL:  # CAPABILITIES lists requirements first, so one pass is enough
        capability = _capability(dotted)
        if any(required in removed for required in capability.requires):
            removed.add(capability.name)
    return [d for d in ALL if _capability(d).name not in removed], removed


OPTIONAL = [_capability(d).name for d in ALL]


def _shape(url: str) -> str:
    """/proposals/12?page=2 -> /proposals/N: one visit per page, whatever the record or the filters."""
    return re.sub(r"\d+", "N", urlsplit(url).path)


def _crawl(client, starts: list[str]) -> list[str]:
    """Visit pages breadth-first from ``starts``; returns the problems found."""
    problems, seen, queue, visited = [], set(), deque((url, "start") for url in starts), 0
    while queue and visited < PAGES_PER_CRAWL:
        url, origin = queue.popleft()
        shape = _shape(url)
        if shape in seen or url.startswith(SKIP):
            continue
        seen.add(shape)
        visited += 1
        response = client.get(url)  # an exception (BuildError, 500) fails the test with its traceback
        if response.status_code >= 400:
            problems.append(f"{url} (linked from {origin}): {response.status_code}")
            continue
        if response.status_code in (301, 302, 303):
            location = response.headers["Location"]
            if location.startswith("/"):
                queue.append((location, url))
            continue
        if response.mimetype == "text/html":
            queue.extend((href.replace("&amp;", "&"), url) for href in HREF.findall(response.get_data(as_text=True)))
    return problems


def _starts(app, *, staff: bool) -> list[str]:
    with app.test_request_context():
        entries = [e for c in capabilities(app) for e in c.nav]
        if staff:
            entries += [e for c in capabilities(app) for e in c.admin_nav]
        return ["/", *(url_for(e.endpoint) for e in entries)]


def _sign_in(app, client, user_id: int) -> None:
    """Signed in as a single sign-on would do it: the session holds the user (the app may have no
    login page when accounts are left out)."""
    with app.app_context():
        session_id = db.session.get(User, user_id).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True


class _SharedBytecode(BytecodeCache):
    """Compiled templates shared by the apps of this test: each app compiles them once otherwise,
    which is most of the time a first visit takes."""

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture
def demo_city(make_app) -> int:
    """The demo data, loaded with every capability; returns the id of a staff, moderator and admin account."""
    app = make_app(DEMO=True)
    assert app.test_cli_runner().invoke(args=["seed", "demo"]).exit_code == 0
    with app.app_context():
        staff = User(email="crawler@example.jp", display_name="巡回する職員")
        for role in (Role.STAFF, Role.MODERATOR, Role.ADMIN):
            staff.role_grants.append(RoleGrant(role=role.value))
        db.session.add(staff)
        db.session.commit()
        return staff.id


def test_the_site_works_with_any_optional_capability_left_out(make_app, demo_city):
    problems, compiled = {}, _SharedBytecode()
    for name in OPTIONAL:
        kept, removed = _without(name)
        app = make_app(CAPABILITIES=kept)
        app.jinja_env.bytecode_cache = compiled
        assert {c.name for c in capabilities(app)}.isdisjoint(removed)
        visitor, staff = app.test_client(), app.test_client()
        _sign_in(app, staff, demo_city)
        found = _crawl(visitor, _starts(app, staff=False)) + _crawl(staff, _starts(app, staff=True))
        if found:
            problems[", ".join(sorted(removed))] = found
    assert not problems, problems


def test_a_capability_without_what_it_requires_is_refused(make_app):
    kept = [d for d in ALL if _capability(d).name != "processes"]
    with pytest.raises(CapabilityError, match="'proposals' requires 'processes'"):
        make_app(CAPABILITIES=kept)
