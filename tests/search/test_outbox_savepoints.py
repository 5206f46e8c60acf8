"""The search outbox applies after the outermost commit only, not when a SAVEPOINT is released."""

from __future__ import annotations

import pytest

from participation.core.db import transaction
from participation.core.models import SearchOutbox
from participation.core.types import LocalizedText
from participation.extensions import db
from participation.processes.models import Process


def _process(title: str) -> Process:
    return Process(title=LocalizedText({"ja": title}), summary=LocalizedText({"ja": title}))


def test_released_savepoint_does_not_apply_the_outbox(app, monkeypatch):
    from participation.search.backend import backend

    calls = []
    with app.app_context():
        monkeypatch.setattr(type(backend()), "apply_own", lambda _self, _own, timeout: calls.append(timeout))
        with transaction():
            with db.session.begin_nested():
                db.session.add(_process("公園"))
            assert calls == []  # the outer transaction still holds the write lock
            with pytest.raises(RuntimeError), db.session.begin_nested():
                db.session.add(_process("取り消し"))
                db.session.flush()
                raise RuntimeError("roll back the savepoint")
            assert calls == []
        # the savepoint's rollback did not forget the rows written before it
        assert len(calls) == 1
        assert db.session.scalar(db.select(db.func.count(SearchOutbox.id))) == 1


def test_support_inside_a_savepoint_indexes_after_commit(app, make_process, today):
    """proposals.support() adds the support in begin_nested(); with the search index active this
    used to apply the outbox from a second connection while the first held the lock."""
    from participation.core.models import Role, RoleGrant, User
    from participation.proposals import services
    from participation.proposals.models import Proposal
    from participation.search.backend import backend

    process_id = make_process("駅前", proposals_open=True, supports_open=True)
    with app.app_context():
        author = User(email="a@example.jp", display_name="a", role_grants=[RoleGrant(role=Role.RESIDENT.value)])
        fan = User(email="f@example.jp", display_name="f", role_grants=[RoleGrant(role=Role.RESIDENT.value)])
        db.session.add_all([author, fan])
        db.session.commit()
        proposal_id = services.create_proposal(
            author, db.session.get(Process, process_id), title="ベンチ", body="木陰に。", locale="ja"
        ).id
        assert services.support(fan, db.session.get(Proposal, proposal_id)) == services.SupportResult.SUPPORTED
        assert backend().pending() == 0
        assert f"proposal:{proposal_id}:ja" in backend().indexed_keys()
