"""Moderation pages: residents report content; moderators work the queue, hide and restore with a
reason, dismiss reports and block accounts. The rules are in core.moderation."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup

from ..core.auth import can_sign_in
from ..core.capability import Capability, NavEntry
from ..core.models import Role
from ..core.moderation import personal, services
from ..core.moderation.models import ReportReason
from ..core.permissions import can, has_role, participant
from ..core.resources import type_name_of
from ..core.retention import RetentionCategory
from ..core.signals import account_deleting
from .views import bp

_signed_in_participant = participant()


def _may_report(user, obj) -> bool:
    # Anyone signed in and not blocked, on someone else's contribution (the service says why otherwise).
    if not _signed_in_participant(user, obj):
        return False
    return obj is None or services.author_id_of(obj) != user.id


def offers_report(obj) -> bool:
    """Whether to show the report link: to visitors (it leads to the login, if the site has one) and
    to those who may report."""
    if not current_user.is_authenticated:
        return can_sign_in()
    return can("moderation.report", obj)


def report_url(obj) -> str:
    return url_for("moderation.report", type_name=type_name_of(obj), resource_id=obj.id)


# The report link is on every comment of a page, so it is built here rather than by rendering a
# partial for each (20 links: 6.6 ms instead of 15 ms); Markup.format escapes every value.
REPORT_LINK = Markup(
    '<div class="report-box" id="report-{type_name}-{id}"><a class="report-link" href="{url}" hx-get="{url}" '
    'hx-target="closest .report-box" hx-swap="innerHTML" rel="nofollow">{label}</a></div>'
)


def _report_link(record=None, **_context):
    """The "record.actions" slot: the report link on a contribution others may report."""
    if record is None or not offers_report(record):
        return None
    return REPORT_LINK.format(type_name=type_name_of(record), id=record.id, url=report_url(record), label=_("Report"))


def _on_account_deleting(user, **_kwargs) -> None:
    personal.erase(user)


def _reason_label(entry) -> str:
    try:
        reason = ReportReason(entry.data.get("reason")).label
    except ValueError:
        return _("Reported content")
    return _("Reported content: %(reason)s", reason=reason)


# What the author's contribution is called in a notice about it.
_YOURS = {
    "proposal": _l("your proposal"),
    "comment": _l("your comment"),
    "thread": _l("your discussion"),
}


def _yours(values: dict) -> str:
    return str(_YOURS.get(values.get("type"), _l("your contribution")))


def _auto_hidden_notice(values: dict) -> str:
    return _(
        "After several reports, %(what)s is hidden until a moderator reviews it",
        what=_yours(values),
    )


def _hidden_notice(values: dict) -> str:
    return _("A moderator hid %(what)s. Reason: %(reason)s", what=_yours(values), reason=values["reason"])


def _restored_notice(values: dict) -> str:
    return _("A moderator made %(what)s public again. Reason: %(reason)s", what=_yours(values), reason=values["reason"])


capability = Capability(
    name="moderation",
    blueprints=(bp,),
    slots={"record.actions": _report_link},
    receivers={account_deleting: _on_account_deleting},
    permissions={
        "moderation.report": _may_report,
        "moderation.manage": has_role(Role.MODERATOR, Role.ADMIN),
    },
    admin_nav=(NavEntry(_l("Moderation"), "moderation.queue", "moderation.manage", order=30),),
    notification_kinds={
        "moderation.auto_hidden": _auto_hidden_notice,
        "moderation.hidden": _hidden_notice,
        "moderation.restored": _restored_notice,
    },
    action_labels={
        "moderation.reported": _reason_label,
        "moderation.auto_hidden": lambda e: ngettext(
            "Hidden automatically after %(num)s report, pending review",
            "Hidden automatically after %(num)s reports, pending review",
            e.data.get("reports", 0),
        ),
        "moderation.hide": lambda e: ngettext(
            "Hid content (%(num)s report closed)", "Hid content (%(num)s reports closed)", e.data.get("reports", 0)
        ),
        "moderation.restore": lambda e: ngettext(
            "Restored hidden content (%(num)s report closed)",
            "Restored hidden content (%(num)s reports closed)",
            e.data.get("reports", 0),
        ),
        "moderation.dismiss": lambda e: ngettext(
            "Dismissed %(num)s report", "Dismissed %(num)s reports", e.data.get("reports", 0)
        ),
        "moderation.user_blocked": lambda _e: _("Blocked the account"),
        "moderation.user_unblocked": lambda _e: _("Unblocked the account"),
    },
    personal_data=personal.personal_data,
    retention=(
        RetentionCategory(
            "moderation.report_details",
            _l("Details written in resolved reports"),
            365,
            personal.enforce_resolved_report_details,
            _l("The free text of the report is removed; the reason chosen, the dates and the decision stay."),
        ),
    ),
)
