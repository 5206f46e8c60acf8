"""Erasure really erases: after deletion no personal field of the person remains in any table, the
search index, or the exports."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import inspect, select, text

from participation.core.action_log import log_action
from participation.core.models import Role, User
from participation.core.users import record_personal_data_view
from participation.extensions import db
from participation.proposals.models import Proposal, Support
from participation.rights.models import Kind
from tests.conftest import PASSWORD

EMAIL = "unique-marker-7f3a@example.jp"
NAME = "削除太郎XQ"
DETAILS = "依頼本文マーカー9QZ"
CONTACT = "contact-marker-5k@example.jp"


def _hits_in_database(values: list[str]) -> list[str]:
    """Every table.column (by the live schema, not the models) whose text holds one of ``values``."""
    hits = []
    inspector = inspect(db.engine)
    with db.engine.connect() as conn:
        for table in inspector.get_table_names():
            for column in inspector.get_columns(table):
                name = column["name"]
                for value in values:
                    query = f'SELECT count(*) FROM "{table}" WHERE CAST("{name}" AS TEXT) LIKE :v'  # noqa: S608
                    found = conn.execute(text(query), {"v": f"%{value}%"}).scalar()
                    if found:
                        hits.append(f"{table}.{name}:{value}")
    return hits


def _hits_in_files(directory: Path, values: list[str]) -> list[str]:
    hits = []
    for path in directory.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits += [f"{path.name}:{v}" for v in values if v.encode() in data]
    return hits


def test_deleting_an_account_leaves_nothing_of_the_person(
    app, client, make_user, login, open_process, make_proposal, file_request, tmp_path
):
    person = make_user(email=EMAIL, name=NAME, locale="ja", age_group="30_39")
    staff = make_user(Role.STAFF)
    process_id = open_process()
    other = make_user()
    others_proposal = make_proposal(process_id, other.id, title="他の人の提案")
    # A proposal through the service (indexed after commit) and a support.
    login(person)
    response = client.post(
        f"/processes/{process_id}/proposals/new", data={"title": "公園にベンチを", "body": "本文", "place": "北口"}
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    client.post(f"/proposals/{others_proposal}/support")
    # Requests to the rights desk, with and without the account.
    file_request(person, kind=Kind.DISCLOSURE, details=DETAILS)
    file_request(None, kind=Kind.COMPLAINT, topic="other", details="別人の苦情", contact_email=CONTACT)
    with app.app_context():
        user = db.session.get(User, person.id)
        record_personal_data_view(db.session.get(User, staff.id), user)
        log_action(user, "user.registered", user)
        db.session.commit()
        assert db.session.scalar(select(db.func.count(Support.id)).where(Support.user_id == person.id)) == 1
        assert db.session.scalar(select(db.func.count(Proposal.id)).where(Proposal.author_id == person.id)) == 1
        markers = [EMAIL, NAME, DETAILS, user.password_hash, user.session_token]
        assert _hits_in_database(markers)  # the scan finds them before deletion
    # My data carries the markers before deletion.
    assert NAME in client.get("/account/data.json").get_data(as_text=True)

    assert client.post("/account/delete", data={"current_password": PASSWORD, "confirm": "y"}).status_code == 302

    with app.app_context():
        assert _hits_in_database(markers) == []
        # The request of the person without an account is untouched.
        assert _hits_in_database([CONTACT]) != []
        from participation.search.index import apply_pending, index_path

        apply_pending(timeout=5)
        index_dir = index_path().resolve().parent
    assert _hits_in_files(index_dir, markers) == []
    for url in (f"/processes/{process_id}/proposals.csv", f"/processes/{process_id}/proposals.json"):
        body = client.get(url).get_data(as_text=True)
        assert EMAIL not in body and NAME not in body
        assert "公園にベンチを" in body  # the contribution stays, anonymous
    data = json.loads(client.get(f"/processes/{process_id}/proposals.json").get_data(as_text=True))
    assert {p["author"] for p in data["proposals"] if p["title"] == "公園にベンチを"} == {"退会した利用者"}
