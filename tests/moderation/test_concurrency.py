"""Simultaneous reports: the database, not only Python, keeps one report per person and record, and
reports arriving together hide the record exactly once."""

import threading

import pytest
from sqlalchemy.exc import IntegrityError

from participation.core.moderation.models import Report
from participation.extensions import db

from ..conftest import PASSWORD
from .conftest import decisions, hidden, reports_of


def _logged_in_client(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _at_once(clients, url, data):
    barrier = threading.Barrier(len(clients))
    results = []
    lock = threading.Lock()

    def attempt(client):
        barrier.wait()
        status = client.post(url, data=data).status_code
        with lock:
            results.append(status)

    threads = [threading.Thread(target=attempt, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_the_database_refuses_a_second_report_by_the_same_person(app, make_user, proposal_id):
    reporter = make_user()
    with app.app_context():
        db.session.add(
            Report(resource_type="proposal", resource_id=proposal_id, reporter_id=reporter.id, reason="spam")
        )
        db.session.commit()
        db.session.add(
            Report(resource_type="proposal", resource_id=proposal_id, reporter_id=reporter.id, reason="offensive")
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
    assert len(reports_of(app, proposal_id)) == 1


def test_one_person_reporting_twice_at_once_gives_one_report(app, many_residents, proposal_id):
    [reporter] = many_residents(1)
    client = _logged_in_client(app, reporter)
    second = app.test_client()
    second.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    url = f"/report/proposal/{proposal_id}"
    assert 'name="reason"' in second.get(url).get_data(as_text=True)  # the second client is signed in too
    results = _at_once([client, second], url, {"reason": "spam"})
    assert results == [302, 302]
    assert len(reports_of(app, proposal_id)) == 1
    assert not hidden(app, proposal_id)


def test_many_reports_at_once_hide_the_record_exactly_once(app, many_residents, proposal_id):
    reporters = many_residents(12)
    clients = [_logged_in_client(app, user) for user in reporters]
    results = _at_once(clients, f"/report/proposal/{proposal_id}", {"reason": "offensive"})
    assert results == [302] * 12
    assert len(reports_of(app, proposal_id)) == 12
    assert hidden(app, proposal_id)
    assert [(d.action, d.report_count) for d in decisions(app)] == [("hide", 3)]
