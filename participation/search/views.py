"""/search: one page for every public record, ranked; the same URL answers htmx with the results."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from ..core import resources
from ..core.htmx import render
from ..core.i18n import LOCALE_NAMES, supported_locales
from ..core.pagination import page_number
from .documents import declarations
from .query import QueryError
from .results import did_you_mean, plan_for, search

bp = Blueprint("search", __name__)


def _types() -> list[tuple[str, object]]:
    found = []
    for name in declarations():
        rtype = resources.resource_type(name)
        found.append((name, rtype.label if rtype else name))
    return found


@bp.get("/search")
def index():
    text = request.args.get("q", "")
    types = _types()
    type_ = request.args.get("type") or None
    if type_ not in {name for name, _label in types}:
        type_ = None
    locale = request.args.get("locale") or None
    if locale not in supported_locales():
        locale = None
    space = request.args.get("space") or None
    error = pagination = plan = suggestion = None
    space_options = []
    if text.strip():
        try:
            plan = plan_for(text)
        except QueryError as exc:
            error = exc.message
        else:
            # the filter lists only the consultations with results for this search
            pagination, space_options, space = search(
                plan,
                page=page_number(),
                per_page=current_app.config["PAGE_SIZE"],
                type=type_,
                locale=locale,
                space=space,
            )
            if not pagination.total:
                suggestion = did_you_mean(plan, text.strip(), type=type_, locale=locale)
    return render(
        "search/index.html",
        "search/_results.html",
        q=text[:1000],
        type=type_,
        locale=locale,
        space=space,
        spaces=space_options,
        types=types,
        locales=[(code, LOCALE_NAMES.get(code, code)) for code in supported_locales()],
        plan=plan,
        pagination=pagination,
        error=error,
        suggestion=suggestion,
    )
