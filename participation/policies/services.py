"""Every change to policies, consents and the provision ledger: one transaction each, written to the
action log. Adopted versions never change; consents are answered per purpose and recipient and
follow the scope of the version in force."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_
from sqlalchemy.exc import IntegrityError

from ..core import signals
from ..core.action_log import PUBLIC, log_action
from ..core.db import transaction
from ..core.errors import Refused
from ..core.models import User
from ..core.notifications import notify
from ..core.resources import load_many, resource_type, type_name_of
from ..core.types import LocalizedText, local_today, utcnow
from ..extensions import db
from .models import (
    BASIS_LABELS,
    CONSENT_KIND_LABELS,
    SCOPE_LABELS,
    TRIGGER_LABELS,
    VERSION_FIELDS,
    Consent,
    ConsentEvent,
    ConsentItem,
    Policy,
    PolicyCoverage,
    PolicyVersion,
    Provision,
)

# Record types a policy can cover (resource type names declared by their capabilities).
COVERABLE = ("sensor", "process")
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,59}$")


class PolicyError(Refused):
    """A change refused for a reason the person can fix; ``message`` is in the reader's language."""


NOT_EDITABLE = _l("This version has been adopted and can no longer be changed. Write a new version instead.")
OPEN_VERSION_EXISTS = _l("This policy already has a version in preparation. Finish or adopt it first.")
TITLE_MISSING = _l("Enter the title in at least one language.")
UNKNOWN_SCOPE = _l("Choose the scope of the policy from the list.")
PURPOSES_MISSING = _l("State the purposes of use before the version is published.")
DEADLINE_PAST = _l("The consultation deadline must be a date after today.")
CONSULTATION_RUNNING = _l("The public consultation is open until %(date)s. Adopt the version after it closes.")
TRIGGER_MISSING = _l("Choose what triggered this revision.")
SUMMARY_MISSING = _l("Summarise what changed in this version: residents see it in the history.")
NEEDS_NO_CONSENT = _l("This purpose does not need your consent, so there is nothing to answer.")
UNKNOWN_KEY = _l("Use 2 to 60 lower-case letters, digits, dots, hyphens or underscores for the key.")
UNKNOWN_KIND = _l("Choose why consent is needed from the list.")
KEY_TAKEN = _l("This purpose is already listed in this version.")
KEY_OF_OTHER_POLICY = _l("This purpose key belongs to another policy. Choose another key.")
LABEL_MISSING = _l("Describe the purpose in at least one language.")
RECIPIENT_NAME_MISSING = _l("Name the recipient in at least one language.")
NOT_IN_FORCE = _l("This version is no longer in force. Answer for the version in force.")


# --- reading ----------------------------------------------------------------------------------


def current_version(policy: Policy) -> PolicyVersion | None:
    return db.session.scalar(
        db.select(PolicyVersion).where(PolicyVersion.policy_id == policy.id, PolicyVersion.status == "adopted")
    )


def open_version(policy: Policy) -> PolicyVersion | None:
    """The version in preparation (draft or consultation), if any."""
    return db.session.scalar(
        db.select(PolicyVersion).where(
            PolicyVersion.policy_id == policy.id, PolicyVersion.status.in_(("draft", "consultation"))
        )
    )


def covered_records(policy: Policy) -> list[tuple[object, str, str]]:
    """The public records a policy covers, as (type label, url, title), one query per type."""
    refs = [(c.resource_type, c.resource_id) for c in policy.coverage]
    found = load_many(refs)
    shown = []
    for ref in refs:
        record = found.get(ref)
        rtype = resource_type(ref[0])
        if record is None or rtype is None:
            continue
        if rtype.is_public is None or rtype.is_public(record):
            shown.append((rtype.label, rtype.url(record), rtype.title(record)))
    return shown


def policies_covering(resource) -> list[Policy]:
    """The published policies that cover ``resource`` (a device, a consultation), in one query."""
    try:
        name = type_name_of(resource)
    except LookupError:
        return []
    return list(
        db.session.scalars(
            db.select(Policy)
            .join(PolicyCoverage, PolicyCoverage.policy_id == Policy.id)
            .where(
                PolicyCoverage.resource_type == name,
                PolicyCoverage.resource_id == resource.id,
                Policy.published_at.is_not(None),
            )
            .order_by(Policy.scope, Policy.id)
        )
    )


def coverable_choices() -> list[tuple[str, str]]:
    """Every public record a policy can cover, as ("type:id", "Type: title")."""
    choices = []
    for name in COVERABLE:
        rtype = resource_type(name)
        if rtype is None:
            continue
        for record in db.session.scalars(db.select(rtype.model).order_by(rtype.model.id)):
            if rtype.is_public is None or rtype.is_public(record):
                title = rtype.title(record) if rtype.title else str(record.id)
                choices.append((f"{name}:{record.id}", f"{rtype.label}: {title}"))
    return choices


# --- policies and versions --------------------------------------------------------------------


def _check_fields(title: LocalizedText | None) -> None:
    if not title:
        raise PolicyError(TITLE_MISSING)


def create_policy(actor: User | None, *, scope: str, title: LocalizedText, **fields) -> Policy:
    if scope not in SCOPE_LABELS:
        raise PolicyError(UNKNOWN_SCOPE)
    _check_fields(title)
    with transaction():
        policy = Policy(scope=scope, title=title)
        version = PolicyVersion(number=1, status="draft", title=title)
        _apply(version, fields)
        policy.versions.append(version)
        db.session.add(policy)
        db.session.flush()
        log_action(actor, "policy.created", policy, data={"version": 1})
    return policy


def _apply(version: PolicyVersion, fields: dict) -> None:
    for name in VERSION_FIELDS:
        if name in fields:
            setattr(version, name, fields[name] or None)


def update_version(actor: User | None, version: PolicyVersion, *, title: LocalizedText, **fields) -> None:
    _check_fields(title)
    with transaction():
        version = _lock_version(version)
        if not version.is_editable:
            raise PolicyError(NOT_EDITABLE)
        version.title = title
        _apply(version, fields)
        if version.policy.published_at is None:
            version.policy.title = title
        log_action(actor, "policy.version_edited", version.policy, data={"version": version.number})


def _lock_version(version: PolicyVersion) -> PolicyVersion:
    """The version reloaded under a row lock (PostgreSQL), so two staff members acting on it at once
    are serialised and the second sees the first one's change."""
    return db.session.scalars(
        db.select(PolicyVersion)
        .where(PolicyVersion.id == version.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def new_version(actor: User | None, policy: Policy) -> PolicyVersion:
    """A draft copied from the latest version, with its consent items."""
    with transaction():
        db.session.execute(db.select(Policy.id).where(Policy.id == policy.id).with_for_update())
        if open_version(policy) is not None:
            raise PolicyError(OPEN_VERSION_EXISTS)
        latest = db.session.scalar(
            db.select(PolicyVersion).where(PolicyVersion.policy_id == policy.id).order_by(PolicyVersion.number.desc())
        )
        version = PolicyVersion(policy_id=policy.id, number=latest.number + 1, status="draft", title=latest.title)
        _apply(version, {name: getattr(latest, name) for name in VERSION_FIELDS})
        for item in latest.consent_items:
            version.consent_items.append(
                ConsentItem(
                    purpose_key=item.purpose_key,
                    recipient=item.recipient,
                    kind=item.kind,
                    label=item.label,
                    description=item.description,
                    recipient_name=item.recipient_name,
                    widens=False,
                    since_version=item.since_version,
                )
            )
        db.session.add(version)
        db.session.flush()
        log_action(actor, "policy.version_created", policy, data={"version": version.number})
    return version


def open_consultation(actor: User | None, version: PolicyVersion, until: date | None) -> None:
    if until is None or until <= local_today():
        raise PolicyError(DEADLINE_PAST)
    with transaction():
        version = _lock_version(version)
        if version.status != "draft":
            raise PolicyError(NOT_EDITABLE)
        if not version.purposes:
            raise PolicyError(PURPOSES_MISSING)
        version.status = "consultation"
        version.consultation_until = until
        version.consultation_opened_at = utcnow()
        if version.policy.published_at is None:  # a new policy is drafted in public
            version.policy.published_at = version.consultation_opened_at
        log_action(
            actor,
            "policy.consultation_opened",
            version.policy,
            visibility=PUBLIC,
            data={"version": version.number, "until": until.isoformat()},
        )
        notify(
            "policy.consultation_opened",
            version.policy,
            actor=actor,
            params={"version": version.number, "until": until.isoformat()},
        )


def consultation_is_open(version: PolicyVersion) -> bool:
    return (
        version.status == "consultation"
        and version.consultation_until is not None
        and version.consultation_until >= local_today()
    )


def adopt(actor: User | None, version: PolicyVersion, *, trigger: str | None, summary: LocalizedText | None) -> None:
    """Put ``version`` in force; the version in force before it is superseded. Consent items keep
    their scope version unless this version widens them or adds them, which asks residents again."""
    with transaction():
        db.session.execute(db.select(Policy.id).where(Policy.id == version.policy_id).with_for_update())
        version = _lock_version(version)
        if not version.is_editable:
            raise PolicyError(NOT_EDITABLE)
        if not version.purposes:
            raise PolicyError(PURPOSES_MISSING)
        if consultation_is_open(version):
            raise PolicyError(CONSULTATION_RUNNING % {"date": version.consultation_until.isoformat()})
        previous = current_version(version.policy)
        if previous is not None:
            if trigger not in TRIGGER_LABELS:
                raise PolicyError(TRIGGER_MISSING)
            if not summary:
                raise PolicyError(SUMMARY_MISSING)
        elif trigger is not None and trigger not in TRIGGER_LABELS:
            raise PolicyError(TRIGGER_MISSING)
        earlier = {(i.purpose_key, i.recipient): i for i in previous.consent_items} if previous else {}
        for item in version.consent_items:
            before = earlier.get((item.purpose_key, item.recipient))
            item.since_version = version.number if before is None or item.widens else before.since_version
        now = utcnow()
        if previous is not None:
            previous.status = "superseded"
            previous.superseded_at = now
            db.session.flush()  # one version in force at a time, even mid-transaction
        version.status = "adopted"
        version.adopted_at = now
        version.revision_trigger = trigger
        version.summary = summary or None
        policy = version.policy
        policy.title = version.title
        if policy.published_at is None:
            policy.published_at = now
        log_action(
            actor,
            "policy.adopted",
            policy,
            visibility=PUBLIC,
            data={"version": version.number, "trigger": trigger},
        )
        # Followers and everyone whose consent rests on the policy: they may need to answer again.
        notify(
            "policy.adopted",
            policy,
            actor=actor,
            params={"version": version.number},
            recipients=consent_holder_ids(policy),
        )


def consent_holder_ids(policy: Policy):
    """The ids of the people whose present consent rests on ``policy``, as a query (for ``notify``,
    which sends to any number of them in one statement)."""
    return db.select(Consent.user_id).where(Consent.policy_id == policy.id, Consent.granted.is_(True))


def consent_holders(policy: Policy) -> list[User]:
    """The people whose present consent rests on ``policy`` (to tell them of a new version)."""
    return list(
        db.session.scalars(
            db.select(User)
            .where(
                User.id.in_(
                    db.select(Consent.user_id).where(Consent.policy_id == policy.id, Consent.granted.is_(True))
                ),
                User.deleted_at.is_(None),
            )
            .order_by(User.id)
        )
    )


def set_coverage(actor: User | None, policy: Policy, refs: list[str]) -> None:
    """Replace the records ``policy`` covers with ``refs`` ("sensor:3", "process:1")."""
    allowed = {value for value, _label in coverable_choices()}
    wanted = []
    for ref in refs:
        if ref not in allowed:
            raise PolicyError(_l("Choose the devices and consultations from the list."))
        name, ident = ref.split(":")
        wanted.append((name, int(ident)))
    with transaction():
        existing = {(c.resource_type, c.resource_id): c for c in policy.coverage}
        for key, row in existing.items():
            if key not in wanted:
                db.session.delete(row)
        for name, ident in wanted:
            if (name, ident) not in existing:
                policy.coverage.append(PolicyCoverage(resource_type=name, resource_id=ident))
        log_action(actor, "policy.coverage_set", policy, data={"count": len(wanted)})


def add_consent_item(
    actor: User | None,
    version: PolicyVersion,
    *,
    purpose_key: str,
    kind: str,
    label: LocalizedText,
    description: LocalizedText | None = None,
    recipient: str = "",
    recipient_name: LocalizedText | None = None,
    widens: bool = False,
) -> ConsentItem:
    purpose_key = (purpose_key or "").strip()
    recipient = (recipient or "").strip()
    if not KEY_PATTERN.match(purpose_key) or (recipient and not KEY_PATTERN.match(recipient)):
        raise PolicyError(UNKNOWN_KEY)
    if kind not in CONSENT_KIND_LABELS:
        raise PolicyError(UNKNOWN_KIND)
    if not label:
        raise PolicyError(LABEL_MISSING)
    if recipient and not recipient_name:
        raise PolicyError(RECIPIENT_NAME_MISSING)
    with transaction():
        version = _lock_version(version)
        if not version.is_editable:
            raise PolicyError(NOT_EDITABLE)
        other = db.session.scalar(
            db.select(ConsentItem.id)
            .join(PolicyVersion, PolicyVersion.id == ConsentItem.version_id)
            .where(ConsentItem.purpose_key == purpose_key, PolicyVersion.policy_id != version.policy_id)
            .limit(1)
        )
        if other is not None:
            raise PolicyError(KEY_OF_OTHER_POLICY)
        item = ConsentItem(
            version_id=version.id,
            purpose_key=purpose_key,
            recipient=recipient,
            kind=kind,
            label=label,
            description=description or None,
            recipient_name=recipient_name or None,
            widens=widens,
            since_version=version.number,
        )
        try:
            with db.session.begin_nested():
                db.session.add(item)
        except IntegrityError:
            raise PolicyError(KEY_TAKEN) from None
        log_action(
            actor, "policy.consent_item_added", version.policy, data={"version": version.number, "item": item.id}
        )
    return item


def remove_consent_item(actor: User | None, item: ConsentItem) -> None:
    with transaction():
        version = _lock_version(item.version)
        if not version.is_editable:
            raise PolicyError(NOT_EDITABLE)
        db.session.delete(item)
        log_action(actor, "policy.consent_item_removed", version.policy, data={"version": version.number})


# --- consent ----------------------------------------------------------------------------------


def _current_item(policy_id: int, purpose_key: str, recipient: str) -> ConsentItem | None:
    return db.session.scalar(
        db.select(ConsentItem)
        .join(PolicyVersion, PolicyVersion.id == ConsentItem.version_id)
        .where(
            PolicyVersion.policy_id == policy_id,
            PolicyVersion.status == "adopted",
            ConsentItem.purpose_key == purpose_key,
            ConsentItem.recipient == recipient,
        )
    )


def answer(
    user: User,
    policy: Policy,
    purpose_key: str,
    recipient: str,
    granted: bool,
    *,
    version_id: int | None = None,
    channel: str = "web",
) -> Consent:
    """Record ``user``'s answer for one purpose (and recipient) of the version in force.

    The person's row is locked first, so simultaneous answers are applied one after the other and
    the present state is always the latest answer; the unique constraint backs this up."""
    recipient = recipient or ""
    with transaction():
        db.session.execute(db.select(User.id).where(User.id == user.id).with_for_update())
        item = _current_item(policy.id, purpose_key, recipient)
        if item is None:
            raise PolicyError(NEEDS_NO_CONSENT)
        if version_id is not None and version_id != item.version_id:
            raise PolicyError(NOT_IN_FORCE)
        consent = _write_answer(user.id, item, granted, channel)
        log_action(
            user,
            "policy.consent_given" if granted else "policy.consent_refused",
            policy,
            data={"version": item.version.number},
        )
    return consent


def _write_answer(user_id: int, item: ConsentItem, granted: bool, channel: str) -> Consent:
    now = utcnow()
    values = {
        "policy_id": item.version.policy_id,
        "granted": granted,
        "version_id": item.version_id,
        "scope_version": item.since_version,
        "decided_at": now,
    }
    where = and_(
        Consent.user_id == user_id, Consent.purpose_key == item.purpose_key, Consent.recipient == item.recipient
    )
    consent = db.session.scalar(db.select(Consent).where(where).execution_options(populate_existing=True))
    if consent is None:
        try:
            with db.session.begin_nested():
                consent = Consent(user_id=user_id, purpose_key=item.purpose_key, recipient=item.recipient, **values)
                db.session.add(consent)
        except IntegrityError:
            # Created by a request that did not hold the person's lock (should not happen; safe anyway).
            consent = db.session.scalars(db.select(Consent).where(where)).one()
    for name, value in values.items():
        setattr(consent, name, value)
    db.session.add(
        ConsentEvent(
            user_id=user_id,
            policy_id=item.version.policy_id,
            version_id=item.version_id,
            purpose_key=item.purpose_key,
            recipient=item.recipient,
            granted=granted,
            channel=channel,
            created_at=now,
        )
    )
    db.session.flush()
    return consent


def withdraw(user: User, consent_id: int, *, channel: str = "web") -> bool:
    """Withdraw one of ``user``'s consents at once. False when it was not theirs or not given."""
    with transaction():
        db.session.execute(db.select(User.id).where(User.id == user.id).with_for_update())
        consent = db.session.scalar(
            db.select(Consent)
            .where(Consent.id == consent_id, Consent.user_id == user.id)
            .execution_options(populate_existing=True)
        )
        if consent is None or not consent.granted:
            return False
        _withdraw_row(consent, channel)
        log_action(user, "policy.consent_withdrawn", consent.version.policy, data={"version": consent.version.number})
    return True


def _withdraw_row(consent: Consent, channel: str) -> None:
    now = utcnow()
    consent.granted = False
    consent.decided_at = now
    user = db.session.get(User, consent.user_id)
    signals.consent_withdrawn.send(user, purpose_key=consent.purpose_key, recipient=consent.recipient, channel=channel)
    db.session.add(
        ConsentEvent(
            user_id=consent.user_id,
            policy_id=consent.policy_id,
            version_id=consent.version_id,
            purpose_key=consent.purpose_key,
            recipient=consent.recipient,
            granted=False,
            channel=channel,
            created_at=now,
        )
    )


def withdraw_all(user: User, *, channel: str = "stop_of_use") -> int:
    """Withdraw every consent ``user`` has given (a stop of use). Joins the caller's transaction."""
    with transaction():
        db.session.execute(db.select(User.id).where(User.id == user.id).with_for_update())
        given = db.session.scalars(
            db.select(Consent).where(Consent.user_id == user.id, Consent.granted.is_(True))
        ).all()
        for consent in given:
            _withdraw_row(consent, channel)
        if given:
            log_action(None, "policy.consents_stopped", user, data={"count": len(given)})
        db.session.flush()
    return len(given)


def erase_consents(user: User) -> None:
    """On account deletion: the person's consents and their history go with the account."""
    db.session.execute(db.delete(ConsentEvent).where(ConsentEvent.user_id == user.id))
    db.session.execute(db.delete(Consent).where(Consent.user_id == user.id))


def has_consent(user, purpose_key: str, recipient: str | None = None) -> bool:
    """Whether ``purpose_key`` (for ``recipient``) may be served to ``user`` now: consent given for
    the scope of the version in force. False after withdrawal and after a widening adoption until
    the person answers again."""
    if user is None or not getattr(user, "id", None):
        return False
    recipient = recipient or ""
    found = db.session.scalar(
        db.select(Consent.id)
        .join(
            ConsentItem,
            and_(ConsentItem.purpose_key == Consent.purpose_key, ConsentItem.recipient == Consent.recipient),
        )
        .join(PolicyVersion, PolicyVersion.id == ConsentItem.version_id)
        .where(
            Consent.user_id == user.id,
            Consent.purpose_key == purpose_key,
            Consent.recipient == recipient,
            Consent.granted.is_(True),
            PolicyVersion.status == "adopted",
            PolicyVersion.policy_id == Consent.policy_id,
            Consent.scope_version >= ConsentItem.since_version,
        )
        .limit(1)
    )
    return found is not None


def pending_reconsent(user) -> list[ConsentItem]:
    """Items in force that ``user`` had consented to under a narrower scope: asked again."""
    return list(db.session.scalars(_pending_query(user.id)))


def _pending_query(user_id: int):
    return (
        db.select(ConsentItem)
        .join(PolicyVersion, PolicyVersion.id == ConsentItem.version_id)
        .join(
            Consent,
            and_(
                Consent.purpose_key == ConsentItem.purpose_key,
                Consent.recipient == ConsentItem.recipient,
                Consent.policy_id == PolicyVersion.policy_id,
            ),
        )
        .where(
            Consent.user_id == user_id,
            Consent.granted.is_(True),
            PolicyVersion.status == "adopted",
            Consent.scope_version < ConsentItem.since_version,
        )
        .order_by(ConsentItem.id)
    )


def pending_reconsent_policy_ids(user_id: int) -> list[int]:
    """For the banner: one query, the policies with a purpose to answer again."""
    return list(
        db.session.scalars(
            db.select(PolicyVersion.policy_id)
            .where(PolicyVersion.id.in_(_pending_query(user_id).with_only_columns(ConsentItem.version_id)))
            .order_by(PolicyVersion.policy_id)
        )
    )


# --- provision ledger -------------------------------------------------------------------------

RECIPIENT_MISSING = _l("Enter the recipient of the data.")
ITEMS_MISSING = _l("List the data items provided.")
DATE_FUTURE = _l("The date of provision cannot be in the future.")
UNKNOWN_BASIS = _l("Choose the basis of the provision from the list.")
NOTE_MISSING = _l("Explain the basis in the note.")


def record_provision(
    actor: User | None,
    *,
    recipient: str,
    data_items: str,
    provided_on: date | None,
    basis: str,
    basis_note: str = "",
    subjects: int | None = None,
    policy: Policy | None = None,
) -> Provision:
    recipient = (recipient or "").strip()
    data_items = (data_items or "").strip()
    basis_note = (basis_note or "").strip()
    if not recipient:
        raise PolicyError(RECIPIENT_MISSING)
    if not data_items:
        raise PolicyError(ITEMS_MISSING)
    if provided_on is None or provided_on > local_today():
        raise PolicyError(DATE_FUTURE)
    if basis not in BASIS_LABELS:
        raise PolicyError(UNKNOWN_BASIS)
    if basis == "other" and not basis_note:
        raise PolicyError(NOTE_MISSING)
    with transaction():
        provision = Provision(
            recipient=recipient,
            data_items=data_items,
            provided_on=provided_on,
            basis=basis,
            basis_note=basis_note,
            subjects=subjects,
            policy_id=policy.id if policy else None,
            recorded_by_id=getattr(actor, "id", None),
        )
        db.session.add(provision)
        db.session.flush()
        log_action(actor, "policy.provision_recorded", provision.policy, data={"provision": provision.id})
    return provision


def provision_counts() -> list[tuple[str, int, int]]:
    """Public aggregate: (recipient, year, number of provisions), newest year first."""
    year = db.extract("year", Provision.provided_on)
    rows = db.session.execute(
        db.select(Provision.recipient, year.label("year"), db.func.count(Provision.id))
        .group_by(Provision.recipient, year)
        .order_by(year.desc(), Provision.recipient)
    ).all()
    return [(recipient, int(y), n) for recipient, y, n in rows]
