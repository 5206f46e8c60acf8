"""URL helpers shared by views."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, url_for
from werkzeug.routing import IntegerConverter


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` that only matches numbers a database id can hold, so a huge number in the
    address is a 404 rather than an overflow deep in the database driver."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def external_url(endpoint: str, **values) -> str:
    """An absolute link for mail, built from the configured PUBLIC_URL."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for(endpoint, **values)


def safe_next(target: str | None, default: str) -> str:
    """A redirect target from user input, accepted only if it stays on this site."""
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
