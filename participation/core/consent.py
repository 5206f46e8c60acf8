"""Consent other capabilities rely on before they process personal data on that basis.

The policies capability keeps consent (per purpose and recipient, tied to the policy version in
force) and registers itself here as the provider; a living lab, a survey or the provision ledger asks
through this module only, so no capability imports another. Without a provider (policies left out)
nothing can be consented to: every check says no and processing that needs consent is refused.

Purposes are named by ``key`` (a consent item's purpose key, stable across versions) and an optional
``recipient`` ("" means the purpose itself).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from flask import Flask, current_app
from flask_babel import gettext as _

from .errors import Refused
from .i18n import localize
from .types import LocalizedText

EXTENSION_KEY = "participation.consent"


@dataclass(frozen=True)
class Purpose:
    """A purpose (for one recipient or for itself) that a policy in force serves only with consent."""

    key: str
    recipient: str
    label: LocalizedText
    description: LocalizedText | None
    recipient_name: LocalizedText | None
    policy_id: int
    version_id: int
    version_number: int

    @property
    def ref(self) -> tuple[str, str]:
        return (self.key, self.recipient)


class ConsentRequired(Refused):
    """Processing refused because the person's consent is missing or was withdrawn."""


class Provider(Protocol):
    def purposes(self) -> list[Purpose]: ...

    def has_consent(self, user, key: str, recipient: str) -> bool: ...

    def grant(self, user, key: str, recipient: str, channel: str) -> None: ...

    def withdraw(self, user, key: str, recipient: str, channel: str) -> bool: ...


def provide(app: Flask, provider: Provider) -> None:
    """Called once by the capability that keeps consent."""
    if EXTENSION_KEY in app.extensions:
        raise RuntimeError("a consent provider is registered twice")
    app.extensions[EXTENSION_KEY] = provider


def _provider() -> Provider | None:
    return current_app.extensions.get(EXTENSION_KEY)


def available() -> bool:
    return _provider() is not None


def purposes() -> list[Purpose]:
    """Every purpose in force that needs consent (for forms where staff pick what an activity relies on)."""
    provider = _provider()
    return provider.purposes() if provider else []


def purpose(key: str, recipient: str | None = None) -> Purpose | None:
    return next((p for p in purposes() if p.ref == (key, recipient or "")), None)


def has_consent(user, key: str, recipient: str | None = None) -> bool:
    """Whether ``user``'s consent to ``key`` (for ``recipient``) holds at this moment."""
    provider = _provider()
    if provider is None or user is None or not getattr(user, "id", None):
        return False
    return provider.has_consent(user, key, recipient or "")


def require_consent(user, refs: Iterable[str | tuple[str, str]]) -> None:
    """Refuse (``ConsentRequired``, a message in the reader's language) unless every purpose holds.
    ``refs`` are purpose keys or (key, recipient) pairs. Call it in the service, at the moment of
    processing, inside the transaction that processes."""
    for ref in refs:
        key, recipient = (ref, "") if isinstance(ref, str) else ref
        if not has_consent(user, key, recipient):
            found = purpose(key, recipient)
            if found is None:
                raise _unknown(key)
            raise ConsentRequired(
                _(
                    "This needs your consent to “%(purpose)s”, which you have not given or have withdrawn.",
                    purpose=localize(found.label).text,
                )
            )


def grant(user, key: str, recipient: str | None = None, *, channel: str = "web") -> None:
    """Record the person's consent to a purpose of the version in force (raises Refused otherwise)."""
    provider = _provider()
    if provider is None:
        raise _unknown(key)
    provider.grant(user, key, recipient or "", channel)


def withdraw(user, key: str, recipient: str | None = None, *, channel: str = "web") -> bool:
    """Withdraw the person's consent to one purpose at once; False when none was given."""
    provider = _provider()
    return provider.withdraw(user, key, recipient or "", channel) if provider else False


def _unknown(key: str) -> ConsentRequired:
    return ConsentRequired(_("The purpose “%(purpose)s” is not stated in any data-use policy in force.", purpose=key))
