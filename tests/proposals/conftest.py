from __future__ import annotations

from collections.abc import Callable

import pytest

from participation.core import counters
from participation.core.models import Role, RoleGrant, User
from participation.extensions import db
from participation.processes.models import Process
from participation.proposals.models import Proposal, Support
from tests.conftest import PASSWORD
from tests.processes import conftest as processes_conftest

# The processes fixtures, shared here.
make_process = processes_conftest.make_process
today = processes_conftest.today

# Fast password hashes for the many accounts the concurrency tests need.
FAST_HASH = "pbkdf2:sha256:1"


@pytest.fixture
def open_process(app, make_process) -> Callable[..., int]:
    """A published process whose current stage takes proposals and supports, with the given settings."""

    def build(*, limit: int | None = None, threshold: int | None = None, **flags) -> int:
        flags = {"proposals_open": True, "supports_open": True, **flags}
        process_id = make_process("さくら台公園の遊具更新", **flags)
        with app.app_context():
            process = db.session.get(Process, process_id)
            process.settings = {"proposals": {"supports_per_resident": limit, "support_threshold": threshold}}
            db.session.commit()
        return process_id

    return build


@pytest.fixture
def make_proposal(app) -> Callable[..., int]:
    """A proposal written straight into the database (creation itself is tested through the service)."""
    counter = iter(range(1, 10_000))

    def build(process_id: int, author_id: int, title: str | None = None, **fields) -> int:
        with app.app_context():
            proposal = Proposal(
                process_id=process_id,
                author_id=author_id,
                title=title or f"提案{next(counter)}",
                body=fields.pop("body", "本文です。"),
                locale=fields.pop("locale", "ja"),
                **fields,
            )
            db.session.add(proposal)
            counters.add(db.session.get(Process, process_id), "proposals")  # as services.create_proposal does
            db.session.commit()
            return proposal.id

    return build


@pytest.fixture
def many_residents(app) -> Callable[[int], list[User]]:
    def build(n: int, password: str = PASSWORD) -> list[User]:
        from werkzeug.security import generate_password_hash

        hashed = generate_password_hash(password, method=FAST_HASH)
        with app.app_context():
            users = []
            for i in range(n):
                user = User(email=f"crowd{i}@example.jp", display_name=f"住民{i}", password_hash=hashed)
                user.role_grants.append(RoleGrant(role=Role.RESIDENT.value))
                users.append(user)
            db.session.add_all(users)
            db.session.commit()
            for user in users:
                db.session.refresh(user)
                _ = list(user.role_grants)
            db.session.expunge_all()
        return users

    return build


def get_proposal(app, proposal_id: int) -> Proposal:
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        db.session.expunge_all()
        return proposal


def support_count(app, proposal_id: int) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Support.id)).where(Support.proposal_id == proposal_id))
