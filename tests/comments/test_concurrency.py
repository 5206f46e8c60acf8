"""Simultaneous votes: the counters always match the vote rows, and a person has at most one vote."""

import threading

from participation.core.comments.models import CommentVote
from participation.extensions import db
from tests.proposals.conftest import many_residents  # noqa: F401 (fixture)
from tests.proposals.test_concurrency import _logged_in_client

from .conftest import get_comment


def _rows(app, comment_id):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(CommentVote.id)).where(CommentVote.comment_id == comment_id))


def _vote_at_once(clients, url) -> list[int]:
    barrier = threading.Barrier(len(clients))
    results, lock = [], threading.Lock()

    def attempt(client):
        barrier.wait()
        status = client.post(url, data={"value": "up"}).status_code
        with lock:
            results.append(status)

    threads = [threading.Thread(target=attempt, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twenty_votes_at_once_count_twenty(app, proposal_id, comment_on, many_residents):  # noqa: F811
    residents = many_residents(21)
    comment_id = comment_on(proposal_id, residents[20])
    clients = [_logged_in_client(app, user) for user in residents[:20]]
    assert _vote_at_once(clients, f"/comments/{comment_id}/vote") == [302] * 20
    assert _rows(app, comment_id) == 20 == get_comment(app, comment_id).upvotes


def test_one_person_voting_twice_at_once_stays_consistent(app, proposal_id, comment_on, many_residents):  # noqa: F811
    author, voter = many_residents(2)
    comment_id = comment_on(proposal_id, author)
    client = _logged_in_client(app, voter)
    second = app.test_client()
    second.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    for _ in range(3):
        assert _vote_at_once([client, second], f"/comments/{comment_id}/vote") == [302, 302]
        rows = _rows(app, comment_id)
        assert rows <= 1
        assert get_comment(app, comment_id).upvotes == rows
