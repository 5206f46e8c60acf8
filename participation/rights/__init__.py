"""The rights desk: residents and people without an account ask to see, correct, stop the use of or
erase their data, or complain; staff answer within a due date; public statistics per quarter.
Also "My data", retention of the desk's own records, and the staff queue."""

from flask import Flask, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ..core.capability import Capability, NavEntry
from ..core.jobs import Job, Periodic
from ..core.models import Role
from ..core.permissions import has_role
from ..core.resources import ResourceType, is_public, type_name_of
from ..core.retention import RetentionCategory
from ..core.signals import account_deleting
from ..core.slots import Fill
from . import seeds, services
from .cli import retention_cli, retention_job
from .models import KIND_SHORT, STATUS_LABELS, Kind, RightsRequest, Status
from .personal import personal_data
from .views import bp

# The records whose pages offer a request about them (the "resource.actions" slot), and how the
# button reads there; the desk takes requests about any public record (services.resolve_about).
ASK_ABOUT = {
    "sensor": _l("Make a request or complaint about this device"),
    "policy": _l("Make a request or complaint about this policy"),
}


def _ask_about(resource=None, **_context):
    name = type_name_of(resource) if resource is not None else None
    if name not in ASK_ABOUT or not is_public(name, resource):
        return None
    url = url_for("rights.new_request", about=f"{name}:{resource.id}")
    return Markup('<a class="button button--secondary button--small" href="{}">{}</a>').format(url, ASK_ABOUT[name])


def _init_app(app: Flask) -> None:
    app.config.setdefault("RIGHTS_DUE_DAYS", 14)
    app.config.setdefault("RATELIMIT_RIGHTS_REQUEST", "5 per hour;20 per day")
    app.config.setdefault("RETENTION_DAYS", {})


def _changed_notice(values: dict) -> str:
    # The request is private, so the notice carries its reference instead of a link.
    return _(
        "Your request %(reference)s (%(kind)s) is now: %(status)s. See “Your data rights” for the details",
        reference=values["reference"],
        kind=KIND_SHORT[Kind(values["kind"])],
        status=STATUS_LABELS[Status(values["status"])],
    )


def _kind_label(entry) -> str:
    kind = KIND_SHORT.get(Kind(entry.data["kind"]))
    return str(kind)


capability = Capability(
    name="rights",
    blueprints=(bp,),
    receivers={account_deleting: services.erase_requests_of},
    slots={
        "account.sections": Fill("rights/_account_section.html", order=20),
        "resource.actions": _ask_about,
    },
    permissions={"rights.manage": has_role(Role.STAFF, Role.ADMIN)},
    nav=(
        NavEntry(
            _l("Your data rights"),
            "rights.index",
            order=80,
            description=_l("Ask to see, correct or erase what the city holds about you, or make a complaint."),
        ),
    ),
    admin_nav=(NavEntry(_l("Rights requests"), "rights.queue", "rights.manage", order=60),),
    resources=(
        ResourceType(
            "rights_request",
            RightsRequest,
            _l("Rights request"),
            title=lambda item: item.reference,
            is_public=lambda _item: False,
        ),
    ),
    notification_kinds={"rights.changed": _changed_notice},
    action_labels={
        "rights.filed": lambda e: _("Filed a request: %(kind)s", kind=_kind_label(e)),
        "rights.started": lambda e: _("Started work on a request: %(kind)s", kind=_kind_label(e)),
        "rights.answered": lambda e: _("Answered a request: %(kind)s", kind=_kind_label(e)),
        "rights.declined": lambda e: _("Declined a request: %(kind)s", kind=_kind_label(e)),
        "retention.enforced": lambda e: _(
            "Applied the retention period “%(category)s” to %(count)s records",
            category=e.data["category"],
            count=e.data["count"],
        ),
    },
    cli=(retention_cli,),
    jobs=(Job("retention.enforce", retention_job, label=_l("Retention periods")),),
    periodic=(Periodic("retention.enforce", "30 18 * * *"),),  # 3:30 in Tokyo
    personal_data=personal_data,
    retention=(
        RetentionCategory(
            "rights.closed_requests",
            _l("Closed rights requests"),
            3 * 365,
            services.enforce_closed_requests,
            _l(
                "The requester, contact address, details and answer are removed; the type and dates stay for the statistics."
            ),
        ),
    ),
    seed=seeds.seed,
    init_app=_init_app,
)
