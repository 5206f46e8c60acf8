"""Site search: every public record the capabilities declare in their search.py, analysed for
Japanese (normalised spellings, readings, sentences), kept in Whoosh on this machine or in
PostgreSQL for several machines, updated after each commit through the change feed, rebuildable
from the database; plus the staff's table of synonyms."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from ..config import ConfigError
from ..core.action_log import fixed
from ..core.capability import Capability, NavEntry
from ..core.jobs import Job, Periodic
from ..core.resources import ResourceType
from ..core.searchable import MATCHER
from . import outbox
from .admin_views import admin_bp
from .cli import search_cli, sync_job
from .models import SearchSynonym
from .permissions import RULES
from .results import matching_ids
from .seeds import load_demo
from .views import bp


def _init_app(app: Flask) -> None:
    backend = app.config["SEARCH_BACKEND"]
    if backend not in {"whoosh", "postgresql"}:
        raise ConfigError(f"SEARCH_BACKEND must be whoosh or postgresql, not {backend!r}")
    if backend == "postgresql" and not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        raise ConfigError("SEARCH_BACKEND=postgresql needs DATABASE_URL on PostgreSQL")
    app.extensions[outbox.EXTENSION_KEY] = {}
    app.extensions[MATCHER] = matching_ids
    outbox.install()


capability = Capability(
    name="search",
    blueprints=(bp, admin_bp),
    slots={"header.search": "search/_header_box.html"},
    permissions=RULES,
    admin_nav=(NavEntry(_l("Search synonyms"), "search_admin.synonyms", "search.manage_synonyms", order=60),),
    resources=(ResourceType(name="search_synonym", model=SearchSynonym, label=_l("Search synonyms")),),
    action_labels={
        "search.synonym_added": fixed(_l("Added search synonyms")),
        "search.synonym_changed": fixed(_l("Changed search synonyms")),
        "search.synonym_deleted": fixed(_l("Deleted search synonyms")),
    },
    cli=(search_cli,),
    seed=load_demo,
    init_app=_init_app,
    jobs=(Job("search.sync", sync_job, label=_l("Search index")),),
    # Each machine keeps its own index on local disk, so every worker brings its own up to date.
    periodic=(Periodic("search.sync", "* * * * *", per_machine=True),),
)
