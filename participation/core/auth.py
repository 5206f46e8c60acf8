"""Loading the signed-in user, and what happens when a page needs one.

Signing in is a capability's business (accounts): it names its pages with ``offer_views``, and the
rest of the site links to them through ``login_url()`` / ``account_url()``, which are None in an app
without such a capability (pages then leave the link out, and pages needing a signed-in person
answer 403).
"""

from __future__ import annotations

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_htmx import make_response as htmx_response

from ..extensions import db, htmx, login_manager
from .models import User


def load_user(session_id: str) -> User | None:
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.matches_session(token):
        return None
    return user


VIEWS_KEY = "participation.account_views"


def offer_views(app: Flask, *, login: str, account: str) -> None:
    """Called by the capability that signs people in: the endpoints of its login and account pages."""
    app.extensions[VIEWS_KEY] = {"login": login, "account": account}


def _view(name: str) -> str | None:
    return current_app.extensions.get(VIEWS_KEY, {}).get(name)


def can_sign_in() -> bool:
    """Whether this app has a login page."""
    return _view("login") is not None


def login_url(next: str | None = None) -> str | None:
    """The login page (returning to ``next`` afterwards), or None when this app has none."""
    endpoint = _view("login")
    if endpoint is None:
        return None
    return url_for(endpoint, next=next) if next else url_for(endpoint)


def account_url(_anchor: str | None = None) -> str | None:
    """The signed-in person's account page, or None when this app has none."""
    endpoint = _view("account")
    return url_for(endpoint, _anchor=_anchor) if endpoint else None


def unauthorized():
    target = login_url(next=request.full_path.rstrip("?"))
    if target is None:
        abort(403)  # nobody can sign in to this site
    if htmx:
        return htmx_response(redirect=target)
    return redirect(target)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.jinja_env.globals.update(login_url=login_url, account_url=account_url)
