"""Versioned data-use policies drafted with residents, consent residents control per purpose and
recipient, and the ledger of provisions of personal data to third parties."""

from datetime import date

from flask import Flask, g, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..core import consent, signals
from ..core.action_log import fixed
from ..core.capability import Capability, NavEntry
from ..core.comments import Commentable
from ..core.i18n import localize
from ..core.models import Role
from ..core.permissions import any_of, has_role
from ..core.resources import ResourceType
from ..core.slots import render
from ..extensions import db
from . import seeds, services
from .models import Policy, PolicyVersion
from .personal import personal_data
from .provider import PolicyConsent
from .views import bp

manage = has_role(Role.STAFF, Role.ADMIN)

COMMENTS_NOT_YET = _l("Comments open when this draft goes to public consultation.")
COMMENTS_NONE = _l("This version was not put to public consultation, so it takes no comments.")


def _version_public(version: PolicyVersion) -> bool:
    return version.is_public and version.policy.is_published


def _consultation_closed(version: PolicyVersion, user) -> object:
    if services.consultation_is_open(version):
        return None
    if version.consultation_opened_at is None:
        return COMMENTS_NOT_YET if version.status == "draft" else COMMENTS_NONE
    if version.status != "draft" and manage(user):
        return None  # the city answers after the deadline, as in any public-comment procedure
    return _(
        "The public consultation on this version closed on %(date)s. Comments are no longer accepted.",
        date=format_date(version.consultation_until),
    )


def _published(_user, policy) -> bool:
    return policy is not None and policy.is_published


def pending_reconsent() -> list[int]:
    """Policies the signed-in resident must answer again (one query per request, for the banner)."""
    if not current_user.is_authenticated:
        return []
    if "policies_pending" not in g:
        g.policies_pending = services.pending_reconsent_policy_ids(current_user.id)
    return g.policies_pending


def _reconsent_notice(**_context):
    """The "page.notices" slot: a banner while a widened use waits for the person's answer."""
    if not pending_reconsent():
        return None
    return render("policies/_reconsent_notice.html")


def _on_use_stopping(user, **_kwargs) -> None:
    services.withdraw_all(user, channel="stop_of_use")


def _on_account_deleting(user, **_kwargs) -> None:
    services.erase_consents(user)


def init_app(app: Flask) -> None:
    # The policies hold the consents: they answer core.consent for every capability.
    consent.provide(app, PolicyConsent())


def _version(entry) -> object:
    return entry.data.get("version", "?")


def _consultation_notice(values: dict) -> str:
    until = format_date(date.fromisoformat(values["until"]), "long")
    return _(
        "Version %(version)s of the data-use policy “%(title)s” is open for public comment until %(until)s",
        version=values["version"],
        title=values["title"],
        until=until,
    )


capability = Capability(
    name="policies",
    blueprints=(bp,),
    slots={"page.notices": _reconsent_notice},
    receivers={signals.use_stopping: _on_use_stopping, signals.account_deleting: _on_account_deleting},
    permissions={
        "policies.manage": manage,
        "policies.view": any_of(_published, manage),
        "policies.ledger_read": has_role(Role.STAFF, Role.ADMIN, Role.AUDITOR),
        "policies.ledger_record": manage,
    },
    nav=(
        NavEntry(
            _l("Data-use policies"),
            "policies.index",
            order=40,
            description=_l("Read how the city may use data and decide what you agree to."),
        ),
    ),
    admin_nav=(
        NavEntry(_l("Data-use policies"), "policies.manage", "policies.manage", order=55),
        NavEntry(_l("Provision ledger"), "policies.ledger", "policies.ledger_read", order=56),
    ),
    resources=(
        ResourceType(
            "policy",
            Policy,
            _l("Data-use policy"),
            url=lambda policy: url_for("policies.show", policy_id=policy.id),
            title=lambda policy: localize(policy.title).text,
            is_public=lambda policy: policy.is_published,
            followable=True,
            plural=_l("Data-use policies"),
            view_permission="policies.view",
        ),
        # Residents comment on a version under public consultation, until its deadline.
        ResourceType(
            "policy_version",
            PolicyVersion,
            _l("Version of a data-use policy"),
            url=lambda version: url_for("policies.show", policy_id=version.policy_id, number=version.number),
            title=lambda version: localize(version.title).text,
            is_public=_version_public,
            comments=Commentable(
                closed_reason=_consultation_closed,
                official_answers=True,
                heading=_l("Public consultation: comments"),
                intro=_l(
                    "Comment on this draft until the consultation closes. Comments are public; staff answer here, "
                    "and the city's official answers are marked as such."
                ),
            ),
            load_options=(db.joinedload(PolicyVersion.policy),),
        ),
    ),
    notification_kinds={
        "policy.adopted": _l(
            "Version %(version)s of the data-use policy “%(title)s” was adopted. Please check what changed"
        ),
        "policy.consultation_opened": _consultation_notice,
    },
    action_labels={
        "policy.created": fixed(_l("Drafted a data-use policy")),
        "policy.version_created": lambda e: _l("Drafted version %(number)s of a data-use policy", number=_version(e)),
        "policy.version_edited": lambda e: _l("Edited version %(number)s of a data-use policy", number=_version(e)),
        "policy.consultation_opened": lambda e: _l(
            "Opened version %(number)s of a data-use policy to public consultation", number=_version(e)
        ),
        "policy.adopted": lambda e: _l("Adopted version %(number)s of a data-use policy", number=_version(e)),
        "policy.coverage_set": fixed(_l("Changed the devices and consultations a policy covers")),
        "policy.consent_item_added": fixed(_l("Added a purpose needing consent to a policy version")),
        "policy.consent_item_removed": fixed(_l("Removed a purpose needing consent from a policy version")),
        "policy.consent_given": fixed(_l("Gave consent under a data-use policy")),
        "policy.consent_refused": fixed(_l("Refused consent under a data-use policy")),
        "policy.consent_withdrawn": fixed(_l("Withdrew consent under a data-use policy")),
        "policy.consents_stopped": fixed(_l("Withdrew every consent of a person who stopped the use of their data")),
        "policy.provision_recorded": fixed(_l("Recorded a provision of personal data to a third party")),
    },
    seed=seeds.seed,
    init_app=init_app,
    personal_data=personal_data,
)
