"""The policies capability as the platform's consent provider (``core.consent``): other capabilities
ask whether consent holds, and record or withdraw it, through the core without importing policies."""

from __future__ import annotations

from ..core.consent import Purpose
from ..extensions import db
from . import services
from .models import Consent, ConsentItem, PolicyVersion


class PolicyConsent:
    def purposes(self) -> list[Purpose]:
        items = db.session.execute(
            db.select(ConsentItem, PolicyVersion)
            .join(PolicyVersion, PolicyVersion.id == ConsentItem.version_id)
            .where(PolicyVersion.status == "adopted")
            .order_by(PolicyVersion.policy_id, ConsentItem.id)
        ).all()
        return [
            Purpose(
                key=item.purpose_key,
                recipient=item.recipient,
                label=item.label,
                description=item.description,
                recipient_name=item.recipient_name,
                policy_id=version.policy_id,
                version_id=version.id,
                version_number=version.number,
            )
            for item, version in items
        ]

    def has_consent(self, user, key: str, recipient: str) -> bool:
        return services.has_consent(user, key, recipient)

    def grant(self, user, key: str, recipient: str, channel: str) -> None:
        found = next((p for p in self.purposes() if p.ref == (key, recipient)), None)
        if found is None:
            raise services.PolicyError(services.NEEDS_NO_CONSENT)
        policy = db.session.get(services.Policy, found.policy_id)
        services.answer(user, policy, key, recipient, True, version_id=found.version_id, channel=channel)

    def withdraw(self, user, key: str, recipient: str, channel: str) -> bool:
        consent_id = db.session.scalar(
            db.select(Consent.id).where(
                Consent.user_id == user.id, Consent.purpose_key == key, Consent.recipient == recipient
            )
        )
        return consent_id is not None and services.withdraw(user, consent_id, channel=channel)
