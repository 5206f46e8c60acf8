"""Named permissions, checked in one place and usable from views and templates.

A rule is ``rule(user, resource) -> bool``; capabilities declare theirs in their Capability object
under names such as "proposals.support". Views call ``authorize(name, obj)`` after loading and before
acting; templates call ``can(name, obj)``. No view or template compares roles itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import wraps

from flask import Flask, abort
from flask_login import current_user

from . import registry
from .models import Role

Rule = Callable[[object, object], bool]

EXTENSION_KEY = "participation.permissions"


def register_rules(app: Flask, rules: Mapping[str, Rule]) -> None:
    registry.add(app, EXTENSION_KEY, rules, "permission")


def can(name: str, resource: object = None, user: object = None) -> bool:
    """Whether ``user`` (default: the current user) may do ``name`` on ``resource``."""
    rule = registry.get(EXTENSION_KEY).get(name)
    if rule is None:
        raise LookupError(f"unknown permission {name!r}")
    user = current_user if user is None else user
    if not getattr(user, "is_authenticated", False):
        user = None
    return bool(rule(user, resource))


def authorize(name: str, resource: object = None) -> None:
    """Abort the request unless the current user may do ``name``: anonymous visitors are sent to
    log in, signed-in ones get 403."""
    if can(name, resource):
        return
    if not current_user.is_authenticated:
        from ..extensions import login_manager

        abort(login_manager.unauthorized())
    abort(403)


def require(name: str) -> Callable:
    """View decorator for permissions that need no loaded resource."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            authorize(name)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# --- building blocks for rules ------------------------------------------------------------------


def has_role(*roles: Role) -> Rule:
    """A rule granted to signed-in users holding any of ``roles``."""

    def rule(user, _resource=None) -> bool:
        return user is not None and user.has_role(*roles)

    return rule


def signed_in(user, _resource=None) -> bool:
    return user is not None


def anyone(_user, _resource=None) -> bool:
    return True


def not_blocked(user, _resource=None) -> bool:
    """Signed in and not blocked by a moderator: the condition for writing anything public."""
    return user is not None and user.blocked_at is None


def participant(*roles: Role) -> Rule:
    """A rule for creating content (proposals, supports, comments, reports): signed in, not blocked
    and, if ``roles`` are given, holding one of them."""
    if not roles:
        return not_blocked
    holds = has_role(*roles)

    def rule(user, resource=None) -> bool:
        return not_blocked(user, resource) and holds(user, resource)

    return rule


def all_of(*rules: Rule) -> Rule:
    def rule(user, resource=None) -> bool:
        return all(r(user, resource) for r in rules)

    return rule


def any_of(*rules: Rule) -> Rule:
    def rule(user, resource=None) -> bool:
        return any(r(user, resource) for r in rules)

    return rule


CORE_RULES: dict[str, Rule] = {
    # The administration area: anyone with a management role; each page has its own permission.
    "admin.access": has_role(Role.ADMIN, Role.AUDITOR, Role.STAFF, Role.MODERATOR),
    "roles.manage": has_role(Role.ADMIN),
    "site.edit": has_role(Role.ADMIN),
    "log.read_restricted": has_role(Role.ADMIN, Role.AUDITOR),
    # Content hidden by moderation stays readable, marked, for those who review or answer it.
    "moderation.see_hidden": has_role(Role.MODERATOR, Role.STAFF, Role.ADMIN),
}


def names(app: Flask) -> Iterable[str]:
    return registry.get(EXTENSION_KEY, app).keys()
