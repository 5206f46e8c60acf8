"""The participation platform: ``create_app`` builds the Flask app in one visible order:
configuration → extensions → core → capabilities → command line."""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import import_module

from flask import Flask

from .config import PROJECT_ROOT, load


def create_app(config: Mapping | None = None, *, instance_path: str | None = None) -> Flask:
    app = Flask(
        __name__,
        root_path=str(PROJECT_ROOT),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=instance_path or os.environ.get("PARTICIPATION_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
    )
    load(app, dict(config or {}))
    from .core.urls import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter
    if app.config["APP_ENV"] == "testing":
        app.testing = True

    from . import cli
    from .core.capability import register

    _init_extensions(app)
    _init_core(app)
    for dotted in app.config["CAPABILITIES"]:
        module_name, _, attribute = dotted.partition(":")
        register(app, getattr(import_module(module_name), attribute or "capability"))
    from .core import jobs

    jobs.init_app(app)  # once every capability has declared its jobs
    cli.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    from .core import auth, security
    from .core.db import configure_engine
    from .core.i18n import select_locale
    from .extensions import babel, csrf, db, htmx, limiter, mail, migrate

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    htmx.init_app(app)
    mail.init_app(app)
    security.init_app(app)
    auth.init_app(app)


def _init_core(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from .core import counters, errors, links, templating  # noqa: F401 (counters: its table)
    from .core.capability import Capability, register
    from .core.htmx import add_vary_header
    from .core.i18n import ensure_catalogs
    from .core.models import User
    from .core.notifications.capability import capability as notifications
    from .core.permissions import CORE_RULES
    from .core.resources import ResourceType
    from .core.slots import Fill
    from .core.users import ACTION_LABELS
    from .core.views import bp

    ensure_catalogs(app)
    register(
        app,
        Capability(
            name="core",
            blueprints=(bp,),
            permissions=CORE_RULES,
            resources=(ResourceType("user", User, _l("Account"), title=lambda user: user.public_name),),
            action_labels=ACTION_LABELS,
            slots={
                # every record page's related records (core/links.py), before what capabilities add
                "resource.related": Fill(links.related_section, order=10),
                "header.account": Fill("core/_admin_link.html", order=10),
            },
        ),
    )
    # Comments are a core mechanism other capabilities opt into (ResourceType.comments).
    from .core.comments import make_capability

    register(app, make_capability())
    register(app, notifications)
    from .core.jobs.capability import capability as jobs

    register(app, jobs)
    templating.init_app(app)
    errors.init_app(app)
    app.after_request(add_vary_header)
    from .core import pagecache

    pagecache.init_app(app)  # last: its lookup runs after the other before-request hooks
