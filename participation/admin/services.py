from __future__ import annotations

from ..core.action_log import log_action
from ..core.db import transaction
from ..core.models import Organization, User
from ..extensions import db


def update_organization(actor: User, **fields) -> Organization:
    with transaction():
        organization = db.session.scalar(db.select(Organization).limit(1))
        if organization is None:
            organization = Organization()
            db.session.add(organization)
        for name, value in fields.items():
            setattr(organization, name, value)
        log_action(actor, "site.updated", None, data={"fields": sorted(fields)})
    return organization
