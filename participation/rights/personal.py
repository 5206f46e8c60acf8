"""What the rights desk holds about a person: their requests."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..extensions import db
from .models import KIND_SHORT, STATUS_LABELS, TOPIC_LABELS, Kind, RightsRequest, Status


def personal_data(user) -> dict:
    requests = db.session.scalars(
        db.select(RightsRequest).where(RightsRequest.requester_id == user.id).order_by(RightsRequest.id)
    ).all()
    rows = [
        {
            _l("Reference"): item.reference,
            _l("Type"): KIND_SHORT[Kind(item.kind)],
            _l("Topic"): TOPIC_LABELS.get(item.topic, "") if item.topic else None,
            _l("About"): item.about_type if item.about_platform else f"{item.about_type}:{item.about_id}",
            _l("Request text"): item.details,
            _l("Status"): STATUS_LABELS[Status(item.status)],
            _l("Answer or reason"): item.response,
            _l("Filed at"): item.created_at,
            _l("Due on"): item.due_on,
            _l("Closed at"): item.closed_at,
        }
        for item in requests
    ]
    return {_l("Your requests to the rights desk"): rows}
