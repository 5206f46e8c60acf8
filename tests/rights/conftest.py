from __future__ import annotations

from collections.abc import Callable

import pytest

from participation.extensions import db
from participation.rights import services
from participation.rights.models import Kind, RightsRequest

from ..policies.conftest import make_policy  # noqa: F401 (fixtures)
from ..processes.conftest import make_process, today  # noqa: F401 (fixtures)
from ..proposals.conftest import make_proposal, open_process  # noqa: F401 (fixtures)
from ..sensors.conftest import make_device  # noqa: F401 (fixtures)


@pytest.fixture
def file_request(app) -> Callable[..., int]:
    """A request filed through the service; returns its id."""

    def build(requester=None, kind: Kind = Kind.DISCLOSURE, about: str = "platform", **fields) -> int:
        with app.app_context():
            user = None
            if requester is not None:
                from participation.core.models import User

                user = db.session.get(User, requester.id)
            if user is None:
                fields.setdefault("contact_email", "visitor@example.jp")
            item = services.file_request(
                user, kind=kind, about=about, details=fields.pop("details", "詳細です。"), locale="ja", **fields
            )
            return item.id

    return build


def get_request(app, request_id: int) -> RightsRequest | None:
    with app.app_context():
        item = db.session.get(RightsRequest, request_id)
        if item is not None:
            db.session.expunge(item)
        return item
