"""Slots: named places in a page that capabilities fill, so a page never names the capability that
adds something to it (and an app built without that capability simply shows nothing there).

A template names the slot and passes what the fillers may use::

    {{ slot("resource.related", resource=device) }}

and a capability fills it in its Capability object, with a partial (rendered with that context and
the usual template globals) or a function(**context) returning markup, text or None::

    slots={"resource.related": "meetings/_for_resource.html",
           "header.account": Fill(account_links, order=30)}

Fillers render in ``order`` (then registration order) and their output is joined. A page that must
know whether a slot has anything (to leave out a wrapping element) renders it into a variable first:
``{% set items = slot("header.account") %}{% if items %}...{% endif %}``.

Slots in use (context in brackets):
    header.search          the search box in the header
    header.account         <li> items of the account menu: administration, notifications, account
    page.notices           notices above every page's content (e.g. consent to give again)
    footer.links           <li> items of the footer's links
    home.actions           calls to action under the home page's introduction
    home.open_now          what residents can take part in now, on the home page
    resource.related       under a record's page [resource]: what other capabilities hold about it
    resource.actions       buttons at the top of a record's page [resource], e.g. a rights request
    record.actions         small actions on one contribution [record], e.g. the report link
    account.sections       sections of the account page [user]
    mydata.links           links at the top of "My data" [user]
    admin.dashboard        sections of the administration home page
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import Flask, current_app, g
from markupsafe import Markup, escape

from . import registry

EXTENSION_KEY = "participation.slots"


@dataclass(frozen=True)
class Fill:
    """What one capability puts into one slot: a partial's path or a function(**context)."""

    content: str | Callable[..., object]
    order: int = 100


def _fills(value) -> tuple[Fill, ...]:
    items = value if isinstance(value, tuple | list) else (value,)
    return tuple(item if isinstance(item, Fill) else Fill(item) for item in items)


def register(app: Flask, slots: Mapping[str, object]) -> None:
    table = app.extensions.setdefault(EXTENSION_KEY, {})
    for name, value in slots.items():
        fills = table.setdefault(name, [])
        fills.extend(_fills(value))
        fills.sort(key=lambda fill: fill.order)  # stable: equal orders keep registration order


def fillers(name: str) -> list[Fill]:
    return registry.get(EXTENSION_KEY).get(name, [])


def _page_context() -> dict:
    """What every template sees (current_user, request, csrf_token...), computed once per request:
    a slot can be rendered many times on a page (the report link of each comment)."""
    if "_slot_page_context" not in g:
        context = {}
        current_app.update_template_context(context)
        g._slot_page_context = context
    return g._slot_page_context


def render(template: str, **context) -> Markup:
    """A partial rendered for a slot: with ``context`` and what every template sees. For fillers
    that are functions deciding what to show."""
    page = current_app.jinja_env.get_template(template)
    # our own template, autoescaped: its output is markup
    return Markup(page.render({**_page_context(), **context}).strip())  # noqa: S704


def slot(name: str, **context) -> Markup:
    """Everything the registered capabilities put into slot ``name``, as markup ("" when none)."""
    parts = []
    for fill in fillers(name):
        if isinstance(fill.content, str):
            out = render(fill.content, **context)
        else:
            out = fill.content(**context)
            out = out if out is None or hasattr(out, "__html__") else escape(out)
        if out:
            parts.append(out)
    return Markup("").join(parts)
