import pytest

from participation.core.action_log import PUBLIC
from participation.core.models import ActionLog, User
from participation.extensions import db
from participation.processes.models import Process
from participation.proposals import services
from participation.proposals.models import Proposal

from ..conftest import html_of
from .conftest import get_proposal, support_count


def _user(app, user_id):
    with app.app_context():
        user = db.session.get(User, user_id)
        _ = list(user.role_grants)
        db.session.expunge(user)
        return user


def _create(app, process_id, author, **fields):
    with app.app_context():
        process = db.session.get(Process, process_id)
        data = {"title": "ベンチを増やしてほしい", "body": "木陰にベンチを。", "locale": "ja", **fields}
        return services.create_proposal(author, process, **data).id


def _call(app, fn, user, proposal_id, *args, **kwargs):
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        return fn(user, proposal, *args, **kwargs)


def test_create_is_logged_publicly_and_keeps_the_language(app, make_user, open_process):
    process_id = open_process()
    author = make_user()
    proposal_id = _create(app, process_id, author, locale="en", title="  More benches  ", place=" 北口 ")
    proposal = get_proposal(app, proposal_id)
    assert (proposal.title, proposal.locale, proposal.place, proposal.supports_count) == (
        "More benches",
        "en",
        "北口",
        0,
    )
    with app.app_context():
        entry = db.session.scalar(db.select(ActionLog).where(ActionLog.action == "proposal.created"))
        assert entry.visibility == PUBLIC and entry.resource_id == proposal_id


@pytest.mark.parametrize(
    ("flags", "published", "message"),
    [
        ({"proposals_open": False}, True, services.PROPOSALS_CLOSED),
        ({}, False, services.NOT_PUBLISHED),
    ],
)
def test_create_is_refused_outside_the_proposals_stage_or_in_a_draft(
    app, make_user, make_process, flags, published, message
):
    process_id = make_process(published=published, **{"proposals_open": True, **flags})
    with pytest.raises(services.ProposalError) as refused:
        _create(app, process_id, make_user())
    assert refused.value.message == message
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Proposal.id))) == 0


def test_category_must_belong_to_the_process(app, make_user, open_process, make_process):
    process_id = open_process()
    other = make_process("ほかの募集")
    with app.app_context():
        from participation.processes import services as process_services
        from tests.processes.conftest import ja

        category = process_services.add_category(None, db.session.get(Process, other), name=ja("別の分類"))
        category_id = category.id
    with pytest.raises(services.ProposalError):
        _create(app, process_id, make_user(), category_id=category_id)


def test_supports_count_atomically_and_once(app, make_user, open_process, make_proposal):
    process_id = open_process()
    author, fan = make_user(), make_user()
    proposal_id = make_proposal(process_id, author.id)
    assert _call(app, services.support, fan, proposal_id) == services.SupportResult.SUPPORTED
    assert _call(app, services.support, fan, proposal_id) == services.SupportResult.ALREADY_SUPPORTED
    assert get_proposal(app, proposal_id).supports_count == 1 == support_count(app, proposal_id)
    assert _call(app, services.remove_support, fan, proposal_id) == services.SupportResult.REMOVED
    assert _call(app, services.remove_support, fan, proposal_id) == services.SupportResult.NOT_SUPPORTED
    assert get_proposal(app, proposal_id).supports_count == 0 == support_count(app, proposal_id)


def test_threshold_is_logged_once_and_publicly(app, make_user, open_process, make_proposal):
    process_id = open_process(threshold=2)
    proposal_id = make_proposal(process_id, make_user().id)
    first, second, third = make_user(), make_user(), make_user()
    _call(app, services.support, first, proposal_id)
    assert not get_proposal(app, proposal_id).threshold_reached
    _call(app, services.support, second, proposal_id)
    assert get_proposal(app, proposal_id).threshold_reached
    _call(app, services.support, third, proposal_id)
    with app.app_context():
        entries = db.session.scalars(db.select(ActionLog).where(ActionLog.action == "proposal.threshold_reached")).all()
        assert [(e.visibility, e.data) for e in entries] == [(PUBLIC, {"threshold": 2})]


def test_per_resident_limit(app, make_user, open_process, make_proposal):
    process_id = open_process(limit=2)
    author, fan = make_user(), make_user()
    ids = [make_proposal(process_id, author.id) for _ in range(3)]
    _call(app, services.support, fan, ids[0])
    _call(app, services.support, fan, ids[1])
    with pytest.raises(services.ProposalError) as refused:
        _call(app, services.support, fan, ids[2])
    assert "2件" in str(refused.value.message)
    assert support_count(app, ids[2]) == 0
    _call(app, services.remove_support, fan, ids[0])  # freeing one lets them support another
    assert _call(app, services.support, fan, ids[2]) == services.SupportResult.SUPPORTED


def test_withdrawn_proposals_and_closed_stages_take_no_supports(
    app, make_user, open_process, make_process, make_proposal
):
    author, fan = make_user(), make_user()
    process_id = open_process()
    proposal_id = make_proposal(process_id, author.id)
    _call(app, services.withdraw_proposal, author, proposal_id)
    with pytest.raises(services.ProposalError) as refused:
        _call(app, services.support, fan, proposal_id)
    assert refused.value.message == services.WITHDRAWN
    closed = make_proposal(make_process("賛同期間外", proposals_open=True), author.id)
    with pytest.raises(services.ProposalError) as refused:
        _call(app, services.support, fan, closed)
    assert refused.value.message == services.SUPPORTS_CLOSED
    assert support_count(app, proposal_id) == support_count(app, closed) == 0


def test_edits_stop_at_the_first_support(app, make_user, open_process, make_proposal):
    process_id = open_process()
    author, fan = make_user(), make_user()
    proposal_id = make_proposal(process_id, author.id, title="元の題名")
    fields = {"title": "新しい題名", "body": "新しい本文"}
    _call(app, services.update_proposal, author, proposal_id, **fields)
    assert get_proposal(app, proposal_id).title == "新しい題名"
    _call(app, services.support, fan, proposal_id)
    with pytest.raises(services.ProposalError) as refused:
        _call(app, services.update_proposal, author, proposal_id, title="三つ目", body="x")
    assert refused.value.message == services.EDIT_AFTER_SUPPORT
    assert get_proposal(app, proposal_id).title == "新しい題名"
    _call(app, services.withdraw_proposal, author, proposal_id)
    with pytest.raises(services.ProposalError):
        _call(app, services.withdraw_proposal, author, proposal_id)


def test_demo_seed_is_idempotent_and_consistent(app, client):
    from participation.accounts import seeds as account_seeds
    from participation.core.seeds import seed_site
    from participation.processes import seeds as process_seeds
    from participation.proposals import seeds as proposal_seeds
    from participation.proposals.models import Support

    with app.app_context():
        seed_site()
        account_seeds.seed()
        process_seeds.seed()
        proposal_seeds.seed()
        proposal_seeds.seed()
        proposals = db.session.scalars(db.select(Proposal).options(db.joinedload(Proposal.process))).all()
        by_process = {}
        for proposal in proposals:
            by_process.setdefault(proposal.process.title["ja"], []).append(proposal)
            rows = db.session.scalar(db.select(db.func.count(Support.id)).where(Support.proposal_id == proposal.id))
            assert proposal.supports_count == rows
            threshold = proposal.threshold
            assert proposal.threshold_reached == (threshold is not None and rows >= threshold)
        park = by_process["さくら台公園の遊具更新"]
        assert len(park) >= 30 and len(by_process["駅前広場の再整備"]) >= 3
        assert any(p.is_withdrawn for p in park) and any(p.locale == "en" for p in park)
        assert any(p.threshold_reached for p in park)
        for items in by_process.values():
            assert services.proposals_count(items[0].process) == len(items)
        assert len({p.answer_state for p in proposals if p.answer_state}) >= 4
        assert any(p.answer_state == "implemented" and p.progress == 100 and p.updates for p in proposals)
        assert any(p.answer_state == "in_progress" and 0 < p.progress < 100 and p.updates for p in proposals)
        park_id = park[0].process_id
    html = html_of(client.get(f"/processes/{park_id}/proposals?sort=supported"))
    assert "幼児向けの砂場を屋根付きで残してほしい" in html and "必要な賛同数に達しました" in html
