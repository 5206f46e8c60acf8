"""Accounts: registration, log-in, password reset, profile, language, and deleting one's account."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from ..core.action_log import fixed
from ..core.auth import offer_views
from ..core.capability import Capability
from ..core.jobs import Job
from ..core.retention import RetentionCategory
from ..core.slots import Fill
from . import seeds
from .personal import enforce_deleted_actor_links, personal_data
from .services import send_password_reset
from .views import bp


def _init_app(app: Flask) -> None:
    offer_views(app, login="accounts.login", account="accounts.account")


capability = Capability(
    name="accounts",
    blueprints=(bp,),
    slots={
        "header.account": Fill("accounts/_header_items.html", order=30),
        "home.actions": "accounts/_home_actions.html",
        "mydata.links": "accounts/_mydata_links.html",
    },
    action_labels={
        "user.registered": fixed(_l("Registered an account")),
        "user.password_reset": fixed(_l("Set a new password through the e-mail link")),
        "user.password_changed": fixed(_l("Changed the password")),
        "user.email_changed": fixed(_l("Changed the e-mail address")),
        "user.deleted": fixed(_l("Deleted the account")),
    },
    seed=seeds.seed,
    init_app=_init_app,
    jobs=(Job("accounts.password_reset", send_password_reset, label=_l("Password-reset mail")),),
    personal_data=personal_data,
    retention=(
        RetentionCategory(
            "accounts.deleted_actor_links",
            _l("Activity of deleted accounts in the action log"),
            365,
            enforce_deleted_actor_links,
            _l("Entries lose their link to the deleted account; what happened and when stays."),
        ),
    ),
)
