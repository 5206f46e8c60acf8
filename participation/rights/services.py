"""Every state change on rights requests: filing, the staff queue, and carrying out accepted
stop-of-use and erasure requests on the platform's own data."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from ..core.action_log import log_action
from ..core.db import transaction
from ..core.mail import send_mail
from ..core.models import Role, User
from ..core.notifications import notify
from ..core.resources import resource_type
from ..core.types import local_today, utcnow
from ..core.urls import external_url
from ..core.users import active_admin_count, erase_account, stop_use
from ..extensions import db
from .models import PLATFORM, Kind, RightsRequest, Status

# Old names residents may meet in links: the register's devices are the "sensor" resource type.
ABOUT_ALIASES = {"device": "sensor"}


class RequestRefused(Exception):
    """A request or status change that the rules do not allow; ``args[0]`` is a reason code."""


def resolve_about(value: str | None) -> tuple[str, int | None, object | None]:
    """``platform`` or ``<type>:<id>`` of a public registered resource -> (type, id, record).
    Raises RequestRefused("about") for anything else."""
    value = (value or PLATFORM).strip()
    if value == PLATFORM:
        return PLATFORM, None, None
    name, _, ident = value.partition(":")
    name = ABOUT_ALIASES.get(name, name)
    rtype = resource_type(name)
    if rtype is None or name == "user" or not ident.isdigit() or len(ident) > 12:
        raise RequestRefused("about")
    record = db.session.get(rtype.model, int(ident))
    if record is None or (rtype.is_public is not None and not rtype.is_public(record)):
        raise RequestRefused("about")
    return name, record.id, record


def about_record(request: RightsRequest) -> object | None:
    if request.about_platform:
        return None
    rtype = resource_type(request.about_type)
    return db.session.get(rtype.model, request.about_id) if rtype else None


def file_request(
    requester: User | None,
    *,
    kind: Kind,
    about: str | None,
    details: str | None,
    topic: str | None = None,
    contact_email: str | None = None,
    locale: str | None = None,
) -> RightsRequest:
    """File a request. Without an account, a contact address is required and receives a status link."""
    about_type, about_id, _record = resolve_about(about)
    if kind == Kind.COMPLAINT and not topic:
        raise RequestRefused("topic")
    if requester is None and not contact_email:
        raise RequestRefused("contact")
    with transaction():
        request = RightsRequest(
            kind=kind.value,
            topic=topic if kind == Kind.COMPLAINT else None,
            about_type=about_type,
            about_id=about_id,
            requester_id=requester.id if requester is not None else None,
            contact_email=None if requester is not None else contact_email,
            locale=locale,
            details=details or None,
            due_on=local_today() + timedelta(days=current_app.config["RIGHTS_DUE_DAYS"]),
        )
        db.session.add(request)
        db.session.flush()
        log_action(requester, "rights.filed", request, data={"kind": kind.value})
        _notify(request, "rights_received")  # queued with the request: sent if and only if it is filed
    return request


# --- signed status links for people without an account ---------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="rights-status")


def status_token(request: RightsRequest) -> str:
    return _serializer().dumps({"id": request.id})


def request_for_token(token: str) -> RightsRequest | None:
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None
    request = db.session.get(RightsRequest, data["id"])
    # Requests with an account are followed after logging in; the link is for contact addresses only.
    if request is None or request.requester_id is not None or request.anonymised_at is not None:
        return None
    return request


def _notify(request: RightsRequest, template: str) -> None:
    """Tell the requester about a change, inside the transaction that makes it: by e-mail, and in the
    site when they have an account (not for the filing itself, which they just did)."""
    person = request.requester
    if template != "rights_received" and person is not None and person.deleted_at is None:
        with transaction():
            notify(
                "rights.changed",
                request,
                actor=request.handled_by_id,
                params={"reference": request.reference, "kind": request.kind, "status": request.status},
                recipients=[person],
                followers=False,
            )
    address = request.reply_address
    if not address:
        return
    if request.requester is not None:
        url = external_url("rights.show", request_id=request.id)
        locale = request.requester.locale or request.locale
    else:
        url = external_url("rights.status", token=status_token(request))
        locale = request.locale
    send_mail(address, template, locale=locale, request=request, url=url)


# --- the staff queue ------------------------------------------------------------------------------


def _locked(request: RightsRequest) -> RightsRequest:
    """The request re-read with a row lock (PostgreSQL; SQLite serialises writers already), so two
    staff acting at the same moment see each other's change: one succeeds, the other is refused."""
    return db.session.scalars(
        db.select(RightsRequest)
        .where(RightsRequest.id == request.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def start(actor: User, request: RightsRequest) -> None:
    with transaction():
        request = _locked(request)
        if request.status != Status.RECEIVED.value:
            raise RequestRefused("state")
        request.status = Status.IN_PROGRESS.value
        request.handled_by_id = actor.id
        log_action(actor, "rights.started", request, data={"kind": request.kind})
        _notify(request, "rights_changed")


def answer(actor: User, request: RightsRequest, response: str) -> None:
    """Answer (accept) a request. An accepted stop-of-use or erasure request about the platform's
    own data of an account holder is carried out here, in the same transaction."""
    if not response:
        raise RequestRefused("response")
    # Read before a possible erasure clears them: the confirmation still reaches the person.
    address = request.reply_address
    locale = (request.requester.locale if request.requester else None) or request.locale
    with transaction():
        request = _locked(request)
        _close(actor, request, Status.ANSWERED, response)
        person = request.requester
        if request.about_platform and person is not None and person.deleted_at is None:
            if request.kind == Kind.STOP_USE.value:
                stop_use(person, actor)
                request.carried_out_at = utcnow()
            elif request.kind == Kind.ERASURE.value:
                if Role.ADMIN in person.roles and active_admin_count() <= 1:
                    raise RequestRefused("last_admin")
                request.carried_out_at = utcnow()
                erase_account(person, actor)
        log_action(actor, "rights.answered", request, data={"kind": request.kind})
        if request.kind == Kind.ERASURE.value and request.carried_out_at and address:
            # The account is gone: the confirmation goes to the address it had, and nothing is kept.
            send_mail(address, "rights_erased", locale=locale, request=request)
        else:
            _notify(request, "rights_changed")


def decline(actor: User, request: RightsRequest, reason: str) -> None:
    if not reason:
        raise RequestRefused("response")
    with transaction():
        request = _locked(request)
        _close(actor, request, Status.DECLINED, reason)
        log_action(actor, "rights.declined", request, data={"kind": request.kind})
        _notify(request, "rights_changed")


def _close(actor: User, request: RightsRequest, status: Status, text: str) -> None:
    if request.is_closed or request.anonymised_at is not None:
        raise RequestRefused("state")
    request.status = status.value
    request.response = text
    request.closed_at = utcnow()
    request.handled_by_id = actor.id


# --- erasure and retention -------------------------------------------------------------------------


def anonymise(request: RightsRequest) -> None:
    """Keep only what the statistics need: kind, topic, what it was about, status and dates."""
    request.requester_id = None
    request.contact_email = None
    request.details = None
    request.response = None
    request.locale = None
    request.anonymised_at = utcnow()


def erase_requests_of(user: User) -> None:
    """account_deleting receiver: the person's requests lose every personal field."""
    for request in db.session.scalars(db.select(RightsRequest).where(RightsRequest.requester_id == user.id)):
        anonymise(request)


def enforce_closed_requests(cutoff, dry_run: bool) -> int:
    """Retention: requests closed before ``cutoff`` are anonymised."""
    query = db.select(RightsRequest).where(RightsRequest.closed_at < cutoff, RightsRequest.anonymised_at.is_(None))
    if dry_run:
        return db.session.scalar(db.select(db.func.count()).select_from(query.subquery())) or 0
    with transaction():
        requests = db.session.scalars(query).all()
        for request in requests:
            anonymise(request)
        if requests:
            log_action(None, "retention.enforced", data={"category": "rights.closed_requests", "count": len(requests)})
    return len(requests)
