"""Site search: a Whoosh index of every public record the capabilities declare in their search.py,
Japanese-aware, updated after each commit through the search outbox, rebuildable from the database."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from ..core.capability import Capability
from ..core.jobs import Job, Periodic
from . import outbox
from .cli import search_cli, sync_job
from .views import bp


def _init_app(app: Flask) -> None:
    app.extensions[outbox.EXTENSION_KEY] = {}
    outbox.install()


capability = Capability(
    name="search",
    blueprints=(bp,),
    slots={"header.search": "search/_header_box.html"},
    cli=(search_cli,),
    init_app=_init_app,
    jobs=(Job("search.sync", sync_job, label=_l("Search index")),),
    # Each machine keeps its own index on local disk, so every worker brings its own up to date.
    periodic=(Periodic("search.sync", "* * * * *", per_machine=True),),
)
