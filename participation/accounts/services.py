"""Every state change on a person's own account."""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.action_log import log_action
from ..core.db import transaction
from ..core.jobs import enqueue
from ..core.mail import send_mail
from ..core.models import TERMS_VERSION, Role, RoleGrant, User
from ..core.types import utcnow
from ..core.urls import external_url
from ..core.users import active_admin_count, erase_account
from ..extensions import db


class EmailTaken(Exception):
    pass


class WrongPassword(Exception):
    pass


class LastAdministrator(Exception):
    """The only administrator may not delete their account: nobody could grant roles after."""


@cache
def _dummy_hash(method: str) -> str:
    """Checked against when no account matches, so a login takes as long whether or not it exists."""
    return generate_password_hash(secrets.token_hex(16), method=method)


def find_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == email.strip().lower(), User.deleted_at.is_(None)))


def register(display_name: str, email: str, password: str, locale: str) -> User:
    """Create an account holding the resident role. Raises EmailTaken."""
    try:
        with transaction():
            if find_by_email(email) is not None:
                raise EmailTaken(email)
            user = User(
                display_name=display_name,
                email=email.strip().lower(),
                locale=locale,
                terms_version=TERMS_VERSION,
                terms_accepted_at=utcnow(),
            )
            user.set_password(password)
            user.role_grants.append(RoleGrant(role=Role.RESIDENT.value))
            db.session.add(user)
            db.session.flush()
            log_action(user, "user.registered", user)
    except IntegrityError as exc:  # the same address registered at the same moment
        raise EmailTaken(email) from exc
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    return user if user.check_password(password) else None


# --- password reset ---------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user: User) -> str:
    # Binds a token to the current password, so it stops working once it has been used.
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    return _serializer().dumps({"id": user.id, "pw": _password_fingerprint(user)})


def user_for_reset_token(token: str) -> User | None:
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None
    user = db.session.get(User, data["id"])
    if user is None or user.deleted_at is not None or _password_fingerprint(user) != data.get("pw"):
        return None
    return user


def request_password_reset(email: str) -> None:
    """Send a reset link if an account has this address. Says nothing either way (no enumeration):
    the request only queues a job, the same whether or not the address exists."""
    enqueue("accounts.password_reset", email=email)


def send_password_reset(email: str) -> None:
    """The "accounts.password_reset" job."""
    user = find_by_email(email)
    if user is None:
        return
    url = external_url("accounts.reset_password", token=make_reset_token(user))
    send_mail(
        user.email,
        "password_reset",
        locale=user.locale,
        user=user,
        url=url,
        minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )


def reset_password(user: User, password: str) -> None:
    with transaction():
        user.set_password(password)
        log_action(user, "user.password_reset", user)


# --- own account --------------------------------------------------------------------------------


def update_profile(
    user: User, *, display_name: str, locale: str, district_id: int | None, age_group: str | None
) -> None:
    with transaction():
        user.display_name = display_name
        user.locale = locale
        user.district_id = district_id
        user.age_group = age_group


def change_email(user: User, new_email: str, current_password: str) -> None:
    """Raises WrongPassword or EmailTaken."""
    if not user.check_password(current_password):
        raise WrongPassword
    new_email = new_email.strip().lower()
    try:
        with transaction():
            other = find_by_email(new_email)
            if other is not None and other.id != user.id:
                raise EmailTaken(new_email)
            user.email = new_email
            log_action(user, "user.email_changed", user)
    except IntegrityError as exc:
        raise EmailTaken(new_email) from exc


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Raises WrongPassword. Other sessions of this account end (the session token changes)."""
    if not user.check_password(current_password):
        raise WrongPassword
    with transaction():
        user.set_password(new_password)
        log_action(user, "user.password_changed", user)


def delete_account(user: User, current_password: str) -> None:
    """Remove the person's personal data; their public contributions stay, shown as a former
    participant. Raises WrongPassword."""
    if not user.check_password(current_password):
        raise WrongPassword
    with transaction():
        if Role.ADMIN in user.roles and active_admin_count() <= 1:
            raise LastAdministrator
        erase_account(user)
