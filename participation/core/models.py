"""Core tables: users and their roles, the organisation and its districts, and the action log."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime
from enum import StrEnum

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .append_only import append_only
from .types import LocalizedText, LocalizedTextType, UTCDateTime, utcnow


class Role(StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"
    MODERATOR = "moderator"
    LAB_MEMBER = "lab_member"
    AUDITOR = "auditor"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.RESIDENT: _l("Resident"),
    Role.STAFF: _l("City staff"),
    Role.MODERATOR: _l("Moderator"),
    Role.LAB_MEMBER: _l("Living-lab member"),
    Role.AUDITOR: _l("Auditor"),
    Role.ADMIN: _l("Administrator"),
}

ROLE_DESCRIPTIONS = {
    Role.RESIDENT: _l("Takes part: proposes, supports, comments, answers surveys."),
    Role.STAFF: _l("Runs consultations, answers proposals, keeps the registers, handles requests."),
    Role.MODERATOR: _l("Reviews reported content, hides or restores it, blocks abusive accounts."),
    Role.LAB_MEMBER: _l("Logs living-lab sessions and experiments."),
    Role.AUDITOR: _l("Reads the restricted action log and ledgers; changes nothing."),
    Role.ADMIN: _l("Grants and removes roles and edits the site settings."),
}

AGE_GROUPS = {
    "under_18": _l("Under 18"),
    "18_29": _l("18–29"),
    "30_39": _l("30–39"),
    "40_49": _l("40–49"),
    "50_59": _l("50–59"),
    "60_69": _l("60–69"),
    "70_plus": _l("70 or over"),
}

# Version of the terms of use a person accepts at registration (templates/core/terms.html).
TERMS_VERSION = "2026-11"


class Organization(db.Model):
    """The city or consortium running this site (a single row)."""

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    description: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class District(db.Model):
    """An area of the city (地区) that processes, proposals and devices can belong to."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    position: Mapped[int] = mapped_column(default=0)


# How often a person gets their unread notifications by e-mail; none unless they ask (no flood).
DIGEST_FREQUENCIES = ("none", "daily", "weekly")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("email_digest IN ('none', 'daily', 'weekly')", name="email_digest_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Personal data: all of these are cleared when the account is deleted.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(50))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(10))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="SET NULL"))
    age_group: Mapped[str | None] = mapped_column(String(20))
    terms_version: Mapped[str | None] = mapped_column(String(20))
    terms_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of the login cookie; replaced on password change and deletion, which ends every session.
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the person's stop-of-use request is carried out: their data is then used only to run
    # their account, never for statistics or profiling (see core.users.in_statistics).
    use_stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by a moderator: the person can still read and sign in but cannot post (see permissions.not_blocked).
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_digest: Mapped[str] = mapped_column(String(10), default="none", server_default="none")
    # Notifications created up to this moment have been in a digest (or were older than the first one).
    digest_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    role_grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user",
        foreign_keys="RoleGrant.user_id",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    district: Mapped[District | None] = relationship()

    # --- identity -------------------------------------------------------------------------
    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def matches_session(self, token: str) -> bool:
        return self.deleted_at is None and hmac.compare_digest(self.session_token, token)

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None

    @property
    def is_blocked(self) -> bool:
        return self.blocked_at is not None

    @property
    def public_name(self) -> str:
        """The name shown next to public contributions (anonymous once the account is deleted)."""
        if self.deleted_at is not None or not self.display_name:
            return _("Former participant")
        return self.display_name

    # --- passwords ------------------------------------------------------------------------
    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        self.session_token = secrets.token_hex(16)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    # --- roles ----------------------------------------------------------------------------
    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(g.role) for g in self.role_grants)

    def has_role(self, *roles: Role) -> bool:
        mine = self.roles
        return any(role in mine for role in roles)


class RoleGrant(db.Model):
    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="role_grants", foreign_keys=[user_id])


@append_only("the action log")
class ActionLog(db.Model):
    """Append-only record of who did what, when, to which resource.

    ``visibility`` is "public" (shown in the public activity feed) or "restricted" (administrators and
    auditors only). ``data`` holds ids and codes, never personal data, so erasure leaves it clean.
    """

    __tablename__ = "action_log"
    __table_args__ = (
        Index("ix_action_log_resource", "resource_type", "resource_id"),
        Index("ix_action_log_visibility_created", "visibility", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    resource_type: Mapped[str | None] = mapped_column(String(40))
    resource_id: Mapped[int | None]
    visibility: Mapped[str] = mapped_column(String(10), default="restricted")
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


class SearchOutbox(db.Model):
    """Searchable records changed by a committed transaction and not yet applied to the search index.

    A row is written in the same transaction as the change (so it commits or rolls back with it) and
    deleted once the index reflects the record; `flask search sync` applies whatever is left."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
