"""Simultaneous supports: the database, not only Python, keeps one support per person."""

import threading

from .conftest import get_proposal, support_count

PASSWORD = "correct horse battery"


def _logged_in_client(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _at_once(clients, url):
    barrier = threading.Barrier(len(clients))
    results = []
    lock = threading.Lock()

    def attempt(client):
        barrier.wait()
        status = client.post(url).status_code
        with lock:
            results.append(status)

    threads = [threading.Thread(target=attempt, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_fifty_residents_supporting_at_once_give_fifty_supports(app, open_process, make_proposal, many_residents):
    residents = many_residents(51)
    process_id = open_process(threshold=50)
    proposal_id = make_proposal(process_id, residents[50].id)
    clients = [_logged_in_client(app, user) for user in residents[:50]]
    results = _at_once(clients, f"/proposals/{proposal_id}/support")
    assert results == [302] * 50
    assert support_count(app, proposal_id) == 50
    proposal = get_proposal(app, proposal_id)
    assert proposal.supports_count == 50 and proposal.threshold_reached


def test_one_resident_supporting_twice_at_once_gives_one_support(app, open_process, make_proposal, many_residents):
    author, fan = many_residents(2)
    proposal_id = make_proposal(open_process(), author.id)
    client = _logged_in_client(app, fan)
    second = app.test_client()
    second.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    page = second.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert f'action="/proposals/{proposal_id}/support"' in page  # the second client is signed in too
    for _ in range(3):  # a few rounds, since timing varies
        _at_once([client, second], f"/proposals/{proposal_id}/support")
        assert support_count(app, proposal_id) == 1
        assert get_proposal(app, proposal_id).supports_count == 1
