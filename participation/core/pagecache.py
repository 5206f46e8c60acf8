"""Whole pages for anonymous readers, kept in a cache (Flask-Caching) and answered without running
the view: a consultation on the evening news is read by thousands who are not signed in.

What is stored: the HTML of a GET answered 200 to a reader who is not signed in, not through htmx,
with no flash message waiting, under a key made of the path, the query string, the reader's locale
and the data *generation*. A page is never stored when rendering it asked for a CSRF token (the
token is bound to one browser's session), touched the session or set a cookie, when the view set its
own Cache-Control, or when the view is marked ``@personal`` (pages reached through a secret link).
The layout asks for a token only for signed-in readers: the search box is a GET form and the language
switch refuses a cross-site request only for them (for anyone else its sole effect is the cookie that
picks the display language, which any link could set as well).

The generation changes after every commit that wrote to the database (any INSERT, UPDATE or DELETE,
whoever made it: a view, a job, a command), so a change is visible on the next request; entries of
older generations are simply never asked for again and expire. With the in-memory cache
(CACHE_TYPE "SimpleCache", the default: one per process) the generation is a file in the instance
folder, shared by the workers of one machine; with a shared cache (CACHE_TYPE "RedisCache" and
CACHE_REDIS_URL, for several machines) it lives in the cache itself.

Stored and fresh pages carry an ETag and Last-Modified (answered 304 when unchanged) and
``Cache-Control: public, max-age=PAGE_CACHE_MAX_AGE`` with ``Vary: Cookie, Accept-Language`` so a
reverse proxy keeps one copy per language and never gives a signed-in reader's cookie-bearing
request the anonymous page; every other HTML page says ``private, no-cache``.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import uuid
from functools import wraps
from pathlib import Path

from flask import Flask, Response, current_app, g, has_app_context, request, session
from flask_caching import Cache
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from .i18n import current_locale

EXTENSION_KEY = "participation.page_cache"
GENERATION_KEY = "page-generation"
MAX_QUERY = 512  # longer query strings are answered but not stored: bounded keys
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_CTE_WRITE = re.compile(r"\b(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
_WROTE = "participation.page_cache.wrote"
_CONNECTIONS = "participation.page_cache.connections"


def personal(view):
    """Mark a view whose page is about one person (e.g. reached through a secret link): never stored."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.page_cache_personal = True
        return view(*args, **kwargs)

    return wrapper


class PageCache:
    def __init__(self, app: Flask):
        self.cache = Cache(app, config={k: v for k, v in app.config.items() if k.startswith("CACHE_")})
        self.shared = app.config["CACHE_TYPE"] not in ("SimpleCache", "simple", "NullCache", "null")
        self.generation_file = Path(app.instance_path) / "page-cache-generation"
        self.timeout = app.config["PAGE_CACHE_TIMEOUT"]
        self.max_age = app.config["PAGE_CACHE_MAX_AGE"]

    def generation(self) -> str:
        if self.shared:
            return self.cache.get(GENERATION_KEY) or "0"
        try:
            return self.generation_file.read_text() or "0"
        except FileNotFoundError:
            return "0"

    def bump(self) -> None:
        token = uuid.uuid4().hex[:16]
        if self.shared:
            self.cache.set(GENERATION_KEY, token, timeout=0)
            return
        # Written aside and renamed: a reader sees the old or the new token, never half of one.
        partial = self.generation_file.with_name(f".{self.generation_file.name}.{os.getpid()}")
        partial.write_text(token)
        partial.replace(self.generation_file)


def page_cache(app: Flask | None = None) -> PageCache | None:
    return (app or current_app).extensions.get(EXTENSION_KEY)


def _key(cache: PageCache) -> str | None:
    if len(request.query_string) > MAX_QUERY:
        return None
    raw = f"{cache.generation()}\n{current_locale()}\n{request.path}\n{request.query_string.decode('latin-1')}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _conditional(body: bytes, etag: str, modified: float, mimetype: str, cache: PageCache) -> Response:
    response = Response(body, mimetype=mimetype)
    response.set_etag(etag)
    response.last_modified = modified
    response.cache_control.public = True
    response.cache_control.max_age = cache.max_age
    response.vary.update(("Cookie", "Accept-Language"))
    return response.make_conditional(request)


def _lookup():
    cache = page_cache()
    if (
        cache is None
        or request.method not in ("GET", "HEAD")
        or request.headers.get("HX-Request")
        or current_user.is_authenticated
        or session.get("_flashes")
    ):
        return None
    key = _key(cache)  # the generation is read before the view loads anything
    if key is None:
        return None
    entry = cache.cache.get(key)
    if entry is None:
        g.page_cache_key = key
        return None
    g.page_cache_hit = True
    response = _conditional(*entry, cache)
    response.headers["X-Page-Cache"] = "hit"
    return response


def _storable(response: Response) -> bool:
    return (
        request.method == "GET"
        and response.status_code == 200
        and response.mimetype == "text/html"
        and not response.is_streamed
        and "Cache-Control" not in response.headers
        and "Set-Cookie" not in response.headers
        and "csrf_token" not in g  # the page holds a token bound to this browser's session
        and not session.modified
        and not g.get("page_cache_personal")
        and not current_user.is_authenticated
    )


def _store(response: Response) -> Response:
    if g.get("page_cache_hit"):
        return response
    cache = page_cache()
    key = g.get("page_cache_key")
    if cache is None or key is None or not _storable(response):
        if response.mimetype == "text/html" and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "private, no-cache"
        return response
    body = response.get_data()
    modified = float(int(time.time()))
    entry = (body, hashlib.sha256(body).hexdigest()[:32], modified, response.mimetype)
    cache.cache.set(key, entry, timeout=cache.timeout)
    fresh = _conditional(*entry, cache)
    fresh.headers["X-Page-Cache"] = "miss"
    for name, value in response.headers.items():
        if name.lower() not in ("content-length", "content-type", "etag", "last-modified", "cache-control", "vary"):
            fresh.headers.add(name, value)
    return fresh


# --- the generation: bumped after every commit that wrote --------------------------------------


def _note_write(conn, _cursor, statement: str, _parameters, _context, _executemany) -> None:
    if _WRITE.match(statement) or (statement.lstrip()[:4].upper() == "WITH" and _CTE_WRITE.search(statement)):
        conn.info[_WROTE] = True


@event.listens_for(Session, "after_begin")
def _after_begin(session, _transaction, connection) -> None:
    connection.info.pop(_WROTE, None)  # left by an earlier user of this pooled connection
    session.info.setdefault(_CONNECTIONS, []).append(connection)


@event.listens_for(Session, "before_commit")
def _before_commit(session) -> None:
    for conn in session.info.pop(_CONNECTIONS, ()):
        if not conn.closed and conn.info.pop(_WROTE, False):
            session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    # After the commit, so a reader who sees the new generation also sees the new data.
    if session.info.pop(_WROTE, False) and has_app_context() and (cache := page_cache()) is not None:
        cache.bump()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session) -> None:
    session.info.pop(_WROTE, None)
    session.info.pop(_CONNECTIONS, None)


def init_app(app: Flask) -> None:
    if not app.config["PAGE_CACHE"]:
        return
    app.extensions[EXTENSION_KEY] = PageCache(app)
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", _note_write)
    app.before_request(_lookup)
    app.after_request(_store)
