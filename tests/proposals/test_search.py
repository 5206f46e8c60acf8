"""Proposals are found by search in the language they were written in; withdrawn ones are not."""

from participation.core.models import User
from participation.extensions import db
from participation.proposals import services
from participation.proposals.models import Proposal

from ..conftest import html_of


def test_proposals_are_searchable_until_withdrawn(app, client, make_user, make_process):
    author = make_user()
    process_id = make_process("さくら台公園の遊具更新", proposals_open=True)
    with app.app_context():
        from participation.processes.models import Process

        proposal = services.create_proposal(
            db.session.get(User, author.id),
            db.session.get(Process, process_id),
            title="ふわふわドームを設置してほしい",
            body="小さな子どもが安全に遊べる遊具です。",
            locale="ja",
        )
        proposal_id = proposal.id
    html = html_of(client.get("/search?q=ドーム"))
    assert f'href="/proposals/{proposal_id}"' in html
    with app.app_context():
        services.withdraw_proposal(db.session.get(User, author.id), db.session.get(Proposal, proposal_id))
    assert f'href="/proposals/{proposal_id}"' not in html_of(client.get("/search?q=ドーム"))


def test_proposals_follow_their_consultation_in_and_out_of_the_index(app, client, make_user, make_process):
    from participation.processes import services as process_services
    from participation.processes.models import Process
    from participation.search.backend import backend

    author = make_user()
    process_id = make_process("さくら台公園の遊具更新", proposals_open=True)
    with app.app_context():
        proposal_id = services.create_proposal(
            db.session.get(User, author.id),
            db.session.get(Process, process_id),
            title="ふわふわドームを設置してほしい",
            body="小さな子どもが安全に遊べる遊具です。",
            locale="ja",
        ).id
        process_services.unpublish(None, db.session.get(Process, process_id))
        assert "proposal" not in backend().index_counts()
    assert f'href="/proposals/{proposal_id}"' not in html_of(client.get("/search?q=ドーム"))
    with app.app_context():
        process_services.publish(None, db.session.get(Process, process_id))
        assert backend().index_counts()["proposal"]["records"] == 1
    assert f'href="/proposals/{proposal_id}"' in html_of(client.get("/search?q=ドーム"))
