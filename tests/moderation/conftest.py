from __future__ import annotations

from collections.abc import Callable

import pytest

from participation.core.models import ActionLog, User
from participation.core.moderation.models import ModerationDecision, Report
from participation.extensions import db
from participation.proposals.models import Proposal
from tests.proposals import conftest as proposals_conftest

# The proposals fixtures, shared here: proposals are the first moderatable type.
make_process = proposals_conftest.make_process
today = proposals_conftest.today
open_process = proposals_conftest.open_process
make_proposal = proposals_conftest.make_proposal
many_residents = proposals_conftest.many_residents
get_proposal = proposals_conftest.get_proposal


@pytest.fixture
def author(make_user) -> User:
    return make_user(name="投稿者")


@pytest.fixture
def proposal_id(open_process, make_proposal, author) -> int:
    return make_proposal(open_process(), author.id, title="駅前に屋根付きの駐輪場を")


@pytest.fixture
def add_reports(app) -> Callable[..., None]:
    """Reports written straight into the database (reporting itself is tested through the views)."""

    def build(proposal_id: int, reporters, reason: str = "spam") -> None:
        with app.app_context():
            for user in reporters:
                db.session.add(
                    Report(resource_type="proposal", resource_id=proposal_id, reporter_id=user.id, reason=reason)
                )
            db.session.commit()

    return build


def reports_of(app, proposal_id: int) -> list[Report]:
    with app.app_context():
        reports = db.session.scalars(
            db.select(Report).where(Report.resource_type == "proposal", Report.resource_id == proposal_id)
        ).all()
        db.session.expunge_all()
        return reports


def decisions(app) -> list[ModerationDecision]:
    with app.app_context():
        found = db.session.scalars(db.select(ModerationDecision).order_by(ModerationDecision.id)).all()
        db.session.expunge_all()
        return found


def actions(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(
            db.select(ActionLog.action).where(ActionLog.action.like("moderation.%")).order_by(ActionLog.id)
        ).all()


def hidden(app, proposal_id: int) -> bool:
    with app.app_context():
        return db.session.get(Proposal, proposal_id).hidden_at is not None
