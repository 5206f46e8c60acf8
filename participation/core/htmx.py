"""One URL, two renderings: a full page for browsers and boosted navigation, a fragment for htmx
swaps. Responses vary on HX-Request so caches keep them apart."""

from __future__ import annotations

from flask import Response, redirect, render_template
from flask_htmx import make_response as htmx_response

from ..extensions import htmx


def wants_fragment() -> bool:
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template: str, fragment: str | None = None, *, status: int = 200, **context) -> Response | tuple:
    """Render ``fragment`` for an htmx swap, otherwise the full page ``template`` (which includes
    the same fragment, so both stay in step)."""
    name = fragment if fragment and wants_fragment() else template
    return render_template(name, **context), status


def redirect_to(location: str) -> Response:
    """After a successful POST: a normal redirect, or HX-Location for htmx so the whole page
    follows instead of the redirected page being swapped into a fragment target."""
    if htmx:
        return htmx_response(location=location)
    return redirect(location)


def add_vary_header(response: Response) -> Response:
    response.vary.add("HX-Request")
    return response
