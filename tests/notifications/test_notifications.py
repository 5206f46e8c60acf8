"""Follows and notifications: who is notified of what, once, never the actor; the bell, the list,
reading them; the e-mail digest."""

from __future__ import annotations

from datetime import timedelta

import pytest

from participation.core.models import Role, User
from participation.core.notifications import follow, followers_of, notify, unread_count, users_with_role
from participation.core.notifications.digest import send_digests
from participation.core.notifications.models import Follow, Notification
from participation.core.types import LocalizedText, local_today, utcnow
from participation.extensions import db
from participation.processes.models import Process
from participation.proposals import services
from participation.proposals.models import Proposal
from tests.conftest import HX

from ..conftest import html_of


def _user(user_id) -> User:
    user = db.session.get(User, user_id)
    _ = list(user.role_grants)
    return user


def _proposal(proposal_id) -> Proposal:
    return db.session.get(Proposal, proposal_id)


def _notifications(app, user_id=None, kind=None) -> list[Notification]:
    with app.app_context():
        query = db.select(Notification).order_by(Notification.id)
        if user_id is not None:
            query = query.where(Notification.user_id == user_id)
        if kind is not None:
            query = query.where(Notification.kind == kind)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def _recipients(app, kind) -> list[int]:
    return sorted(n.user_id for n in _notifications(app, kind=kind))


@pytest.fixture
def setup(app, make_user, open_process):
    """A consultation with a proposal by ``author``, supported by two residents; a staff member."""
    process_id = open_process(threshold=2)
    author, fan1, fan2, bystander = (make_user() for _ in range(4))
    staff = make_user(Role.STAFF, locale="en")
    with app.app_context():
        proposal = services.create_proposal(
            _user(author.id),
            db.session.get(Process, process_id),
            title="公園に水飲み場を",
            body="夏は暑いので。",
            locale="ja",
        )
        proposal_id = proposal.id
    for fan in (fan1, fan2):
        with app.app_context():
            services.support(_user(fan.id), _proposal(proposal_id))
    return {
        "process_id": process_id,
        "proposal_id": proposal_id,
        "author": author,
        "fans": (fan1, fan2),
        "bystander": bystander,
        "staff": staff,
    }


def _answer(app, staff_id, proposal_id, state="accepted"):
    with app.app_context():
        services.answer_proposal(
            _user(staff_id), _proposal(proposal_id), state=state, text=LocalizedText({"ja": "実施します。"})
        )


# --- who is notified ---------------------------------------------------------------------------


def test_authors_and_supporters_follow_automatically(app, setup):
    with app.app_context():
        followers = set(db.session.scalars(followers_of(_proposal(setup["proposal_id"]))))
    assert followers == {setup["author"].id, *(f.id for f in setup["fans"])}


def test_answer_notifies_author_and_supporters_once_never_the_actor(app, setup):
    staff = setup["staff"]
    with app.app_context():  # the staff member also follows the proposal: still not notified of their own act
        follow(_user(staff.id), _proposal(setup["proposal_id"]))
    _answer(app, staff.id, setup["proposal_id"])
    expected = sorted([setup["author"].id, *(f.id for f in setup["fans"])])
    assert _recipients(app, "proposal.answered") == expected  # the author is listed and follows: one row
    _answer(app, staff.id, setup["proposal_id"], state="in_progress")
    changed = [n for n in _notifications(app, kind="proposal.answered") if n.params["changed"]]
    assert sorted(n.user_id for n in changed) == expected


def test_unfollowing_stops_a_supporter_but_not_the_author(app, setup):
    from participation.core.notifications import unfollow

    fan = setup["fans"][0]
    with app.app_context():
        unfollow(_user(fan.id), _proposal(setup["proposal_id"]))
        unfollow(_user(setup["author"].id), _proposal(setup["proposal_id"]))
    _answer(app, setup["staff"].id, setup["proposal_id"])
    assert _recipients(app, "proposal.answered") == sorted([setup["author"].id, setup["fans"][1].id])


def test_progress_update_notifies_followers(app, setup):
    _answer(app, setup["staff"].id, setup["proposal_id"])
    with app.app_context():
        services.add_progress_update(
            _user(setup["staff"].id),
            _proposal(setup["proposal_id"]),
            on=local_today(),
            text=LocalizedText({"ja": "設計を始めました。"}),
            progress=30,
        )
    assert _recipients(app, "proposal.progress_updated") == sorted([setup["author"].id, *(f.id for f in setup["fans"])])


def test_threshold_notifies_staff_only_once(app, setup, make_user):
    assert _recipients(app, "proposal.threshold_reached") == [setup["staff"].id]
    with app.app_context():  # a third support: the threshold was already reached
        services.support(_user(make_user().id), _proposal(setup["proposal_id"]))
    assert _recipients(app, "proposal.threshold_reached") == [setup["staff"].id]


def test_new_proposal_notifies_consultation_followers_not_the_author(app, setup, make_user):
    watcher = make_user()
    with app.app_context():
        process = db.session.get(Process, setup["process_id"])
        follow(_user(watcher.id), process)
        follow(_user(setup["bystander"].id), process)
        services.create_proposal(_user(setup["bystander"].id), process, title="ベンチ", body="木陰に。", locale="ja")
    assert _recipients(app, "proposal.created") == [watcher.id]


def test_consultation_followers_are_not_flooded_with_each_proposals_events(app, setup, make_user):
    watcher = make_user()
    with app.app_context():
        follow(_user(watcher.id), db.session.get(Process, setup["process_id"]))
    _answer(app, setup["staff"].id, setup["proposal_id"])
    assert _notifications(app, user_id=watcher.id) == []


def test_notify_deduplicates_and_skips_actor_and_deleted_accounts(app, setup, make_user):
    gone = make_user()
    with app.app_context():
        db.session.get(User, gone.id).deleted_at = utcnow()
        db.session.commit()
        proposal = _proposal(setup["proposal_id"])
        author = _user(setup["author"].id)
        n = notify(
            "proposal.progress_updated",
            proposal,
            actor=author,
            params={"progress": 5},
            recipients=[
                setup["fans"][0].id,
                _user(setup["fans"][0].id),
                gone.id,
                author,
                users_with_role(Role.RESIDENT),
            ],
        )
        db.session.commit()
    residents = {setup["author"].id, *(f.id for f in setup["fans"]), setup["bystander"].id}
    expected = sorted(residents - {setup["author"].id})
    assert _recipients(app, "proposal.progress_updated") == expected, n
    assert n == len(expected)
    assert _recipients(app, "proposal.progress_updated") == expected


def test_notify_with_nobody_to_tell_runs_no_query(app, count_queries):
    with app.app_context(), count_queries() as counted:
        assert notify("proposal.created", None, recipients=()) == 0
    assert counted.n == 0


def test_notify_is_one_statement_however_many_followers(app, setup, make_user, count_queries):
    extra = [make_user() for _ in range(15)]
    with app.app_context():
        proposal = _proposal(setup["proposal_id"])
        for person in extra:
            follow(_user(person.id), proposal)
        proposal = _proposal(setup["proposal_id"])
        with count_queries() as counted:
            n = notify("proposal.progress_updated", proposal, params={"progress": 1})
        db.session.commit()
    assert n == 3 + len(extra)
    assert counted.n == 1, counted.statements


def test_follow_is_unique_in_the_database(app, setup):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        db.session.add(Follow(user_id=setup["author"].id, resource_type="proposal", resource_id=setup["proposal_id"]))
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_deleted_account_loses_follows_and_notifications(app, client, login, setup):
    from participation.accounts import services as accounts_services
    from tests.conftest import PASSWORD

    _answer(app, setup["staff"].id, setup["proposal_id"])
    author_id = setup["author"].id
    with app.app_context():
        accounts_services.delete_account(_user(author_id), PASSWORD)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Follow.id)).where(Follow.user_id == author_id)) == 0
        assert (
            db.session.scalar(db.select(db.func.count(Notification.id)).where(Notification.user_id == author_id)) == 0
        )


# --- pages -------------------------------------------------------------------------------------


def test_bell_shows_unread_count_and_list_reads_in_the_readers_language(app, client, login, setup):
    _answer(app, setup["staff"].id, setup["proposal_id"])
    login(setup["author"])
    html = html_of(client.get("/"))
    assert 'id="notification-bell"' in html and '<span class="badge" aria-hidden="true">1</span>' in html
    page = html_of(client.get("/notifications"))
    assert "市が提案「公園に水飲み場を」に回答しました：採用" in page
    client.post("/locale", data={"locale": "en"})
    page = html_of(client.get("/notifications"))
    assert "The city answered the proposal “公園に水飲み場を”: Accepted" in page


def test_every_proposal_notice_reads_in_japanese_and_english(app, client, login, setup, make_user):
    """New proposal, answer, progress and threshold: each kind has its sentence in both languages."""
    watcher = make_user(locale="ja", name="見守る人")
    with app.app_context():
        follow(_user(watcher.id), db.session.get(Process, setup["process_id"]))
        follow(_user(watcher.id), _proposal(setup["proposal_id"]))
        db.session.execute(db.update(User).where(User.id == setup["bystander"].id).values(display_name="提案する人"))
        db.session.commit()
        services.create_proposal(
            _user(setup["bystander"].id),
            db.session.get(Process, setup["process_id"]),
            title="ベンチ",
            body="木陰に。",
            locale="ja",
        )
    _answer(app, setup["staff"].id, setup["proposal_id"])
    with app.app_context():
        services.add_progress_update(
            _user(setup["staff"].id),
            _proposal(setup["proposal_id"]),
            on=local_today(),
            text=LocalizedText({"ja": "設計を始めました。"}),
            progress=30,
        )
        staff = _user(setup["staff"].id)
        staff.locale = "ja"
        db.session.commit()
    expected = {
        "ja": [
            "提案する人 さんが、フォロー中の意見募集に新しい提案「ベンチ」を投稿しました",
            "市が提案「公園に水飲み場を」に回答しました：採用",
            "提案「公園に水飲み場を」の進捗が報告されました：30% 完了",
        ],
        "en": [
            "提案する人 submitted a new proposal “ベンチ” in a consultation you follow",
            "The city answered the proposal “公園に水飲み場を”: Accepted",
            "Progress was reported on the proposal “公園に水飲み場を”: 30% done",
        ],
    }
    login(watcher)
    for locale in ("ja", "en"):
        client.post("/locale", data={"locale": locale})
        page = html_of(client.get("/notifications"))
        for text in expected[locale]:
            assert text in page, (locale, text)
    client.post("/logout")
    login(setup["staff"])
    assert "提案「公園に水飲み場を」が必要な賛同数（2件）に達しました" in client.get("/notifications").get_data(
        as_text=True
    )


def test_threshold_notice_for_staff_in_english(app, client, login, setup):
    login(setup["staff"])
    page = html_of(client.get("/notifications"))
    assert "The proposal “公園に水飲み場を” reached the threshold of 2 supports" in page


def test_anonymous_pages_run_no_bell_query(app, client, count_queries):
    client.get("/")
    with count_queries() as counted:
        client.get("/")
    assert not any("notifications" in s for s in counted.statements)


def test_unread_count_is_one_query(app, setup, count_queries):
    with app.app_context():
        user = _user(setup["staff"].id)
        with count_queries() as counted:
            assert unread_count(user) == 1
    assert counted.n == 1


def test_signed_in_page_adds_exactly_one_bell_query(app, client, login, setup, count_queries):
    login(setup["author"])
    client.get("/")
    with count_queries() as counted:
        client.get("/")
    bell = [s for s in counted.statements if "notifications" in s]
    assert len(bell) == 1 and "count(" in bell[0].lower()


def test_mark_read_and_mark_all_read(app, client, login, setup):
    _answer(app, setup["staff"].id, setup["proposal_id"])
    _answer(app, setup["staff"].id, setup["proposal_id"], state="in_progress")
    login(setup["author"])
    first, second = _notifications(app, user_id=setup["author"].id)
    response = client.post(f"/notifications/{first.id}/read", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f'id="notification-{first.id}"' in html
    assert 'hx-swap-oob="true"' in html and '<span class="badge" aria-hidden="true">1</span>' in html
    assert client.post("/notifications/read-all").status_code == 302
    with app.app_context():
        assert unread_count(_user(setup["author"].id)) == 0
    assert "badge" not in html_of(client.get("/notifications")).split("</header>")[0]


def test_other_peoples_notifications_cannot_be_marked(app, client, login, setup):
    _answer(app, setup["staff"].id, setup["proposal_id"])
    theirs = _notifications(app, user_id=setup["author"].id)[0]
    login(setup["bystander"])
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    assert client.post("/notifications/999999/read").status_code == 404
    client.post("/notifications/read-all")
    assert _notifications(app, user_id=setup["author"].id)[0].read_at is None
    assert "公園に水飲み場を" not in html_of(client.get("/notifications"))


def test_notification_pages_need_an_account(client):
    assert client.get("/notifications").status_code == 302
    assert client.post("/notifications/read-all").status_code == 302
    assert client.post("/follow/proposal/1").status_code == 302


def test_notifications_list_is_paged_with_constant_queries(
    app, client, login, setup, count_queries, make_process, make_proposal
):
    author_id = setup["author"].id
    other_process = make_process("別の意見募集")
    other = [make_proposal(other_process, setup["bystander"].id) for _ in range(3)]
    with app.app_context():
        for proposal_id in other:  # records in several consultations: still one query per type
            notify("proposal.progress_updated", _proposal(proposal_id), params={"progress": 1}, recipients=[author_id])
        proposal = _proposal(setup["proposal_id"])
        for i in range(45):
            notify(
                "proposal.progress_updated", proposal, params={"progress": i}, recipients=[author_id], followers=False
            )
        db.session.commit()
    login(setup["author"])
    client.get("/notifications")
    with count_queries() as counted:
        html = html_of(client.get("/notifications"))
    assert html.count('class="notification ') == 20 and "page=2" in html
    # user, roles, count (pager), page, proposals with their consultations, bell, re-consent banner,
    # organisation (footer)
    assert counted.n == 8, counted.statements
    with count_queries() as last_page:  # the proposals of the other consultation are on page 3
        assert "提案" in html_of(client.get("/notifications?page=3"))
    assert last_page.n == 8, last_page.statements
    fragment = html_of(client.get("/notifications?page=3", headers=HX))
    assert fragment.lstrip().startswith('<div id="notification-list"') and fragment.count('class="notification ') == 8


def test_follow_button_with_and_without_javascript(app, client, login, setup):
    proposal_id = setup["proposal_id"]
    bystander = setup["bystander"]
    assert "Log in to follow" in client.get(f"/proposals/{proposal_id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    ) or "ログインするとフォロー" in html_of(client.get(f"/proposals/{proposal_id}"))
    login(bystander)
    html = html_of(client.get(f"/proposals/{proposal_id}"))
    assert f'action="/follow/proposal/{proposal_id}"' in html
    fragment = client.post(f"/follow/proposal/{proposal_id}", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith(f'<div id="follow-proposal-{proposal_id}"')
    assert f'action="/unfollow/proposal/{proposal_id}"' in fragment
    assert client.post(f"/follow/proposal/{proposal_id}").status_code == 302  # twice: still one follow
    with app.app_context():
        count = db.session.scalar(
            db.select(db.func.count(Follow.id)).where(Follow.user_id == bystander.id, Follow.resource_id == proposal_id)
        )
        assert count == 1
    response = client.post(f"/unfollow/proposal/{proposal_id}", data={"next": f"/proposals/{proposal_id}"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/proposals/{proposal_id}")
    with app.app_context():
        assert not db.session.scalar(
            db.select(Follow.id).where(Follow.user_id == bystander.id, Follow.resource_id == proposal_id)
        )
    process_html = html_of(client.get(f"/processes/{setup['process_id']}"))
    assert f'action="/follow/process/{setup["process_id"]}"' in process_html


def test_follow_refuses_unknown_unfollowable_and_draft_records(app, client, login, setup, make_process, make_user):
    login(setup["bystander"])
    draft = make_process(published=False)
    assert client.post(f"/follow/process/{draft}").status_code == 404
    assert client.post("/follow/proposal/999999").status_code == 404
    assert client.post(f"/follow/user/{setup['author'].id}").status_code == 404
    assert client.post("/follow/nonsense/1").status_code == 404
    with app.app_context():
        assert (
            db.session.scalar(db.select(db.func.count(Follow.id)).where(Follow.user_id == setup["bystander"].id)) == 0
        )


# --- e-mail digest -----------------------------------------------------------------------------


def test_digest_setting_on_the_account_page(app, client, login, setup):
    login(setup["author"])
    html = html_of(client.get("/account"))
    assert 'name="email_digest" value="none" checked' in html
    assert client.post("/account/notifications", data={"email_digest": "weekly"}).status_code == 302
    assert client.post("/account/notifications", data={"email_digest": "hourly<script>"}).status_code == 302
    page = html_of(client.get("/account"))
    assert 'value="weekly" checked' in page and "<script>" not in page.split("</header>")[1]
    with app.app_context():
        assert _user(setup["author"].id).email_digest == "weekly"


def test_unknown_digest_value_is_refused_by_the_database(app, setup):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        _user(setup["author"].id).email_digest = "hourly"
        with pytest.raises(IntegrityError):
            db.session.commit()


def _subscribe(app, user_id, frequency, since=None):
    with app.app_context():
        user = _user(user_id)
        user.email_digest = frequency
        user.digest_sent_at = since or (utcnow() - timedelta(days=1))
        db.session.commit()


def test_digest_once_per_person_in_their_language_and_never_twice(app, setup, outbox, runner):
    author, (fan1, fan2) = setup["author"], setup["fans"]
    _subscribe(app, author.id, "daily")
    _subscribe(app, fan1.id, "weekly")
    with app.app_context():
        _user(fan2.id).locale = "en"
        db.session.commit()
    _subscribe(app, fan2.id, "daily")
    _answer(app, setup["staff"].id, setup["proposal_id"])
    _answer(app, setup["staff"].id, setup["proposal_id"], state="in_progress")
    result = runner.invoke(args=["notifications", "digest", "daily"])
    assert result.exit_code == 0, result.output
    assert sorted(m.to[0] for m in outbox) == sorted([author.email, fan2.email])
    ja_mail = next(m for m in outbox if m.to[0] == author.email)
    en_mail = next(m for m in outbox if m.to[0] == fan2.email)
    assert "新しい通知が 2 件あります" in ja_mail.body and "■ 公園に水飲み場を" in ja_mail.body
    assert f"http://localhost/proposals/{setup['proposal_id']}" in ja_mail.body
    assert ja_mail.body.index("変更") < ja_mail.body.index("回答しました")  # most recent first
    assert en_mail.subject.startswith("Your daily notifications") and "You have 2 new notifications" in en_mail.body
    assert runner.invoke(args=["notifications", "digest", "daily"]).exit_code == 0
    assert len(outbox) == 2  # nothing new: nothing sent
    assert "sent 1 weekly" in runner.invoke(args=["notifications", "digest", "weekly"]).output


def test_two_digest_runs_at_the_same_moment_send_each_digest_once(app, setup, outbox, monkeypatch):
    """Both runs read who is due before either marks anyone (two workers, or cron and a person):
    only one of them may send each person's digest."""
    import threading

    from participation.core.notifications import digest

    author, (fan1, _fan2) = setup["author"], setup["fans"]
    _subscribe(app, author.id, "daily")
    _subscribe(app, fan1.id, "daily")
    _answer(app, setup["staff"].id, setup["proposal_id"])
    both_read = threading.Barrier(2)
    claim = digest._claim

    def claim_after_both_have_read(*args):
        both_read.wait(10)
        return claim(*args)

    monkeypatch.setattr(digest, "_claim", claim_after_both_have_read)
    sent = []

    def run():
        with app.app_context():
            sent.append(send_digests("daily"))

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(30)
    assert sorted(sent) == [0, 2] or sorted(sent) == [1, 1]
    assert sorted(m.to[0] for m in outbox) == sorted([author.email, fan1.email])


def test_digest_skips_read_notifications_and_people_without_digest(app, setup, outbox):
    _subscribe(app, setup["author"].id, "daily")
    _answer(app, setup["staff"].id, setup["proposal_id"])
    with app.app_context():
        db.session.execute(
            db.update(Notification).where(Notification.user_id == setup["author"].id).values(read_at=utcnow())
        )
        db.session.commit()
        assert send_digests("daily") == 0
    assert outbox == []


def test_digest_never_includes_notifications_from_before_choosing_it(app, client, login, setup, outbox):
    _answer(app, setup["staff"].id, setup["proposal_id"])
    login(setup["author"])
    client.post("/account/notifications", data={"email_digest": "daily"})
    with app.app_context():
        assert send_digests("daily") == 0


def test_following_twice_is_logged_once(app, setup):
    from participation.core.models import ActionLog

    with app.app_context():
        process = db.session.get(Process, setup["process_id"])
        assert follow(_user(setup["bystander"].id), process) is True
        assert follow(_user(setup["bystander"].id), process) is False
        actions = db.session.scalars(db.select(ActionLog.action).where(ActionLog.action.like("follow.%"))).all()
    assert actions == ["follow.created"]


@pytest.mark.parametrize(
    "payload", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<a href='javascript:alert(1)'>x</a>"]
)
def test_titles_in_notifications_render_inert(app, client, login, setup, make_proposal, payload):
    proposal_id = make_proposal(setup["process_id"], setup["bystander"].id, title=payload)
    with app.app_context():
        notify(
            "proposal.threshold_reached",
            _proposal(proposal_id),
            params={"threshold": 2},
            recipients=[setup["author"].id],
        )
        db.session.commit()
    login(setup["author"])
    html = html_of(client.get("/notifications"))
    assert payload not in html and "&lt;" in html
