"""The notifications mechanism as a capability the core always registers (pages, commands, labels)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..action_log import fixed
from ..capability import Capability
from ..jobs import Job, Periodic
from ..retention import RetentionCategory
from ..signals import account_deleting
from ..slots import Fill, render
from . import personal, services
from .digest import digest_job
from .views import bp, follow_state, unread_notifications


@click.group("notifications")
def notifications_cli():
    """Notifications: e-mail digests."""


@notifications_cli.command("digest")
@click.argument("frequency", type=click.Choice(["daily", "weekly"]))
@with_appcontext
def digest_command(frequency: str):
    """Mail each person who chose FREQUENCY their unread notifications since their last digest
    (`flask jobs worker` does it every day at 7:00 and on Mondays; running it twice sends nothing new)."""
    from .digest import send_digests

    click.echo(f"sent {send_digests(frequency)} {frequency} digest(s)")


def _on_account_deleting(user, **_kwargs) -> None:
    services.forget_user(user)


def _digest_label(entry) -> str:
    labels = {"none": _("none"), "daily": _("daily"), "weekly": _("weekly")}
    return _("Set e-mail notifications to %(frequency)s", frequency=labels.get(entry.data.get("frequency"), "?"))


def _init_app(app: Flask) -> None:
    app.jinja_env.globals.update(unread_notifications=unread_notifications, follow_state=follow_state)


def _bell(**_context):
    """The "header.account" slot: the notifications link with its unread count, for the signed-in."""
    if not current_user.is_authenticated:
        return None
    return render("notifications/_header_item.html")


capability = Capability(
    name="notifications",
    blueprints=(bp,),
    cli=(notifications_cli,),
    slots={
        "header.account": Fill(_bell, order=20),
        "account.sections": Fill("notifications/_account_section.html", order=10),
    },
    receivers={account_deleting: _on_account_deleting},
    action_labels={
        "follow.created": fixed(_l("Started following")),
        "follow.removed": fixed(_l("Stopped following")),
        "user.email_digest_set": _digest_label,
    },
    init_app=_init_app,
    jobs=(Job("notifications.digest", digest_job, label=_l("E-mail digests")),),
    # 7:00 in Tokyo (22:00 UTC the day before): every day, and on Mondays for the weekly digest.
    periodic=(
        Periodic("notifications.digest", "0 22 * * *", {"frequency": "daily"}),
        Periodic("notifications.digest", "0 22 * * 0", {"frequency": "weekly"}),
    ),
    personal_data=personal.personal_data,
    retention=(
        RetentionCategory(
            "notifications.read",
            _l("Notifications you have read"),
            180,
            personal.enforce_read,
            _l("Read notifications are deleted."),
        ),
        RetentionCategory(
            "notifications.unread",
            _l("Notifications never read"),
            730,
            personal.enforce_unread,
            _l("Notifications nobody opened are deleted."),
        ),
    ),
)
