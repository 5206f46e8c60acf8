"""Erasure really erases: after deletion no personal field of the person remains in any table, the
search index, or the exports."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import inspect, select, text

from participation.core.action_log import log_action
from participation.core.comments import services as comments
from participation.core.comments.models import Comment, CommentVote
from participation.core.models import Role, User
from participation.core.moderation import services as moderation
from participation.core.moderation.models import Report
from participation.core.notifications import services as notifications
from participation.core.notifications.models import Follow, Notification
from participation.core.users import record_personal_data_view
from participation.deliberation import services as deliberation
from participation.deliberation.models import Thread
from participation.extensions import db
from participation.policies import services as policies
from participation.policies.models import Consent, ConsentEvent, Policy
from participation.processes.models import Process
from participation.proposals.models import Proposal, Support
from participation.rights.models import Kind, RightsRequest
from tests.conftest import PASSWORD
from tests.policies import conftest as policies_conftest

from ..conftest import html_of

LAB_ITEM = policies_conftest.LAB_ITEM

EMAIL = "unique-marker-7f3a@example.jp"
NAME = "削除太郎XQ"
DETAILS = "依頼本文マーカー9QZ"
CONTACT = "contact-marker-5k@example.jp"
REPORT = "通報詳細マーカー4RW"


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


def _rows_of(user_id: int) -> dict[str, int]:
    """How many rows of each personal table still point at the person."""
    count = db.func.count
    return {
        "proposals": db.session.scalar(db.select(count(Proposal.id)).where(Proposal.author_id == user_id)),
        "supports": db.session.scalar(db.select(count(Support.id)).where(Support.user_id == user_id)),
        "comments": db.session.scalar(db.select(count(Comment.id)).where(Comment.author_id == user_id)),
        "votes": db.session.scalar(db.select(count(CommentVote.id)).where(CommentVote.user_id == user_id)),
        "threads": db.session.scalar(db.select(count(Thread.id)).where(Thread.author_id == user_id)),
        "reports": db.session.scalar(db.select(count(Report.id)).where(Report.reporter_id == user_id)),
        "follows": db.session.scalar(db.select(count(Follow.id)).where(Follow.user_id == user_id)),
        "notifications": db.session.scalar(db.select(count(Notification.id)).where(Notification.user_id == user_id)),
        "consents": db.session.scalar(db.select(count(Consent.id)).where(Consent.user_id == user_id)),
        "consent_events": db.session.scalar(db.select(count(ConsentEvent.id)).where(ConsentEvent.user_id == user_id)),
        "requests": db.session.scalar(db.select(count(RightsRequest.id)).where(RightsRequest.requester_id == user_id)),
    }


def _give_the_person_data_everywhere(
    app, person_id: int, other_id: int, process_id: int, proposal_id: int, policy_id: int
):
    """A comment, a reply, a vote, a report (open, with details), a follow, a notification, a
    consent (and its event) and a discussion, through the services."""
    with app.test_request_context():
        person, other = db.session.get(User, person_id), db.session.get(User, other_id)
        proposal = db.session.get(Proposal, proposal_id)
        theirs = comments.add_comment(other, proposal, body="他の人のコメント", locale="ja", stance="for")
        mine = comments.add_comment(person, proposal, body="私のコメント", locale="ja", stance="against")
        comments.add_comment(person, proposal, body="私の返信", locale="ja", parent=theirs)
        comments.vote(person, theirs, 1)
        moderation.report(person, db.session.get(Comment, theirs.id), reason="off_topic", details=REPORT)
        comments.vote(other, db.session.get(Comment, mine.id), -1)
        notifications.follow(person, proposal)
        notifications.notify(
            "proposal.progress_updated", proposal, actor=other, params={"progress": 50}, recipients=[person]
        )
        policy = db.session.get(Policy, policy_id)
        policies.answer(person, policy, LAB_ITEM["purpose_key"], "", True)
        deliberation.open_thread(
            person, db.session.get(Process, process_id), title={"ja": "私の議題"}, body={"ja": "議題の本文"}
        )
        db.session.commit()
        return theirs.id


def test_deleting_an_account_leaves_nothing_of_the_person(
    app, client, make_user, login, open_process, make_proposal, file_request, make_policy, tmp_path
):
    person = make_user(email=EMAIL, name=NAME, locale="ja", age_group="30_39")
    staff = make_user(Role.STAFF)
    process_id = open_process(comments_open=True)
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
    policy_id = make_policy(items=(LAB_ITEM,))
    voted_comment = _give_the_person_data_everywhere(app, person.id, other.id, process_id, others_proposal, policy_id)
    with app.app_context():
        user = db.session.get(User, person.id)
        user.email_digest = "daily"
        record_personal_data_view(db.session.get(User, staff.id), user)
        log_action(user, "user.registered", user)
        db.session.commit()
        assert db.session.scalar(select(db.func.count(Support.id)).where(Support.user_id == person.id)) == 1
        before = _rows_of(person.id)
        assert all(before.values()), before  # the person has something in every table
        markers = [EMAIL, NAME, DETAILS, REPORT, user.password_hash, user.session_token]
        assert _hits_in_database(markers)  # the scan finds them before deletion
    # My data carries every section before deletion, in the page and both downloads.
    document = json.loads(html_of(client.get("/account/data.json")))
    assert NAME in json.dumps(document, ensure_ascii=False)
    for section in (
        "あなたのコメント",
        "コメントへのあなたの投票",
        "あなたが立てた議題",
        "あなたが通報した投稿",
        "フォローしているもの",
        "あなたへのお知らせ",
        "あなたの同意",
        "あなたの同意の履歴",
    ):
        assert document["sections"][section], section
    assert REPORT in html_of(client.get("/account/data"))

    assert client.post("/account/delete", data={"current_password": PASSWORD, "confirm": "y"}).status_code == 302

    with app.app_context():
        assert _hits_in_database(markers) == []
        after = _rows_of(person.id)
        # Contributions (and supports, so counts hold) stay under the emptied account ("Former
        # participant"); everything else goes, except the open report, kept for the moderators
        # without its text.
        assert after == {
            **dict.fromkeys(after, 0),
            "proposals": 1,
            "supports": 1,
            "comments": 2,
            "threads": 1,
            "reports": 1,
        }, after
        assert db.session.scalar(select(Report.details).where(Report.reporter_id == person.id)) is None
        assert db.session.get(Comment, voted_comment).upvotes == 0  # the vote no longer counts
        gone = db.session.get(User, person.id)
        assert (gone.email_digest, gone.digest_sent_at, gone.public_name) == ("none", None, "退会した利用者")
        # The request of the person without an account is untouched.
        assert _hits_in_database([CONTACT]) != []
        from participation.search.backend import backend

        backend().sync(timeout=5)
        assert backend().pending() == 0
        index_dir = None
        if backend().name == "whoosh":  # on PostgreSQL the index is tables, scanned above
            from participation.search.whoosh_index import index_path

            index_dir = index_path().resolve().parent
    assert index_dir is None or _hits_in_files(index_dir, markers) == []
    section = html_of(client.get(f"/proposals/{others_proposal}"))
    assert "私の返信" in section and "退会した利用者" in section and NAME not in section
    for url in (f"/processes/{process_id}/proposals.csv", f"/processes/{process_id}/proposals.json"):
        body = html_of(client.get(url))
        assert EMAIL not in body and NAME not in body
        assert "公園にベンチを" in body  # the contribution stays, anonymous
    data = json.loads(html_of(client.get(f"/processes/{process_id}/proposals.json")))
    assert {p["author"] for p in data["proposals"] if p["title"] == "公園にベンチを"} == {"退会した利用者"}
