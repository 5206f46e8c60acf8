"""Deliberation threads: who opens them, comments on them, closing with a conclusion, visibility."""

from __future__ import annotations

import pytest

from participation.core.comments.models import Comment
from participation.core.models import ActionLog, Role
from participation.core.types import LocalizedText, utcnow
from participation.deliberation import services
from participation.deliberation.models import Thread
from participation.deliberation.search import documents, is_public
from participation.extensions import db
from participation.processes.models import Process
from tests.conftest import HX
from tests.processes import conftest as processes_conftest

from ..conftest import html_of

make_process = processes_conftest.make_process
today = processes_conftest.today

JA = {"Accept-Language": "ja"}


def _form(**overrides):
    return {
        "title-ja": "工事中は公園を閉鎖するべきか",
        "title-en": "",
        "body-ja": "**工期**と安全のどちらを優先するか。",
        "body-en": "",
        "asks_stance": "y",
        **overrides,
    }


@pytest.fixture
def thread_id(app, make_process, make_user) -> int:
    staff = make_user(Role.STAFF)
    process_id = make_process()
    with app.app_context():
        thread = services.open_thread(
            db.session.get(type(staff), staff.id),
            db.session.get(Process, process_id),
            title=LocalizedText({"ja": "愛称の決め方"}),
            body=LocalizedText({"ja": "どのように決めるのがよいでしょうか。"}),
            asks_stance=True,
        )
        return thread.id


def _threads(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Thread.id)))


def test_form_field_names(app, client, login, make_user, make_process):
    process_id = make_process()
    login(make_user(Role.STAFF))
    html = html_of(client.get(f"/processes/{process_id}/threads/new"))
    for name in ("title-ja", "body-ja", "asks_stance"):
        assert f'name="{name}"' in html


def test_staff_open_a_thread_shown_on_the_process_page(app, client, login, make_user, make_process):
    process_id = make_process()
    login(make_user(Role.STAFF))
    response = client.post(f"/processes/{process_id}/threads/new", data=_form())
    assert response.status_code == 302
    with app.app_context():
        thread = db.session.scalar(db.select(Thread))
        assert thread.asks_stance and thread.title["ja"] == "工事中は公園を閉鎖するべきか"
        assert (
            db.session.scalar(db.select(ActionLog.action).where(ActionLog.resource_type == "thread")) == "thread.opened"
        )
    page = html_of(client.get(f"/processes/{process_id}", headers=JA))
    assert "工事中は公園を閉鎖するべきか" in page and "コメント受付中" in page
    shown = html_of(client.get(response.headers["Location"], headers=JA))
    assert "<strong>工期</strong>" in shown


def test_missing_question_is_refused(app, client, login, make_user, make_process):
    process_id = make_process()
    login(make_user(Role.STAFF))
    response = client.post(f"/processes/{process_id}/threads/new", data=_form(**{"title-ja": ""}), headers=JA)
    assert response.status_code == 422
    assert _threads(app) == 0


def test_residents_open_threads_only_where_the_process_allows(app, client, login, make_user, make_process):
    process_id = make_process()
    login(make_user())
    assert client.get(f"/processes/{process_id}/threads/new").status_code == 403
    assert client.post(f"/processes/{process_id}/threads/new", data=_form()).status_code == 403
    assert _threads(app) == 0
    with app.app_context():
        db.session.get(Process, process_id).settings = {"deliberation": {"residents_open": True}}
        db.session.commit()
    assert client.post(f"/processes/{process_id}/threads/new", data=_form()).status_code == 302
    assert _threads(app) == 1


def test_comments_on_a_thread_with_stance(app, client, login, make_user, thread_id):
    login(make_user())
    response = client.post(
        f"/comments/thread/{thread_id}", data={"body": "区画ごとがよいです", "stance": "for"}, headers={**HX, **JA}
    )
    assert response.status_code == 200
    assert "区画ごとがよいです" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Thread, thread_id).comments_count == 1


def test_close_with_conclusion_then_no_new_comments(app, client, login, make_user, thread_id):
    resident = make_user()
    login(resident)
    client.post(f"/comments/thread/{thread_id}", data={"body": "意見です", "stance": "neutral"})
    # Residents cannot close.
    assert client.post(f"/threads/{thread_id}/close", data={"conclusion-ja": "結論"}).status_code == 403
    client.post("/logout")
    login(make_user(Role.STAFF))
    response = client.post(f"/threads/{thread_id}/close", data={"conclusion-ja": "", "conclusion-en": ""}, headers=JA)
    assert response.status_code == 422
    response = client.post(
        f"/threads/{thread_id}/close", data={"conclusion-ja": "**小学生が候補を出し**、投票で決めます。"}
    )
    assert response.status_code == 302
    page = html_of(client.get(f"/threads/{thread_id}", headers=JA))
    assert "<strong>小学生が候補を出し</strong>" in page
    assert page.index("結論") < page.index("意見です")
    assert "この話し合いは終了したため、新しいコメントは受け付けていません。" in page
    # Closing twice is refused with a message, and the close form is gone.
    assert client.post(f"/threads/{thread_id}/close", data={"conclusion-ja": "別の結論"}).status_code == 403
    client.post("/logout")
    login(resident)
    response = client.post(f"/comments/thread/{thread_id}", data={"body": "遅れて", "stance": "for"}, headers=HX)
    assert response.status_code == 422
    response = client.post(f"/comments/thread/{thread_id}", data={"body": "遅れて", "stance": "for"}, headers=JA)
    assert response.status_code == 302
    followed = html_of(client.get(response.headers["Location"], headers=JA))
    assert "新しいコメントは受け付けていません" in followed
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Comment.id))) == 1


def test_close_service_refuses_twice(app, make_user, thread_id):
    staff = make_user(Role.STAFF)
    with app.app_context():
        actor = db.session.get(type(staff), staff.id)
        services.close_thread(actor, db.session.get(Thread, thread_id), conclusion=LocalizedText({"ja": "結論"}))
        with pytest.raises(services.ThreadError):
            services.close_thread(actor, db.session.get(Thread, thread_id), conclusion=LocalizedText({"ja": "再"}))


def test_hidden_threads_are_for_moderators_only(app, client, login, make_user, thread_id):
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        thread.hidden_at, thread.hidden_reason = utcnow(), "spam"
        process_id = thread.process_id
        db.session.commit()
    assert client.get(f"/threads/{thread_id}").status_code == 404
    assert "愛称の決め方" not in html_of(client.get(f"/processes/{process_id}/threads"))
    login(make_user(Role.MODERATOR))
    assert client.get(f"/threads/{thread_id}").status_code == 200
    assert client.post(f"/comments/thread/{thread_id}", data={"body": "x", "stance": "for"}).status_code == 404


def test_threads_of_draft_processes_are_not_public(app, client, make_user, make_process):
    staff = make_user(Role.STAFF)
    process_id = make_process(published=False)
    with app.app_context(), pytest.raises(services.ThreadError):
        services.open_thread(
            db.session.get(type(staff), staff.id),
            db.session.get(Process, process_id),
            title=LocalizedText({"ja": "問い"}),
            body=LocalizedText({"ja": "説明"}),
        )
    assert client.get(f"/processes/{process_id}/threads").status_code == 404


def test_search_documents(app, thread_id):
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        docs = list(documents(thread))
        assert [d.locale for d in docs] == ["ja"]
        assert docs[0].title == "愛称の決め方" and docs[0].space == ("process", thread.process_id)
        assert is_public(thread)
        thread.hidden_at = utcnow()
        assert not is_public(thread)


def test_payloads_render_inert(app, client, make_user, make_process):
    from tests.core.test_markup import PAYLOADS
    from tests.proposals.test_views import _assert_inert

    staff = make_user(Role.STAFF)
    process_id = make_process()
    with app.app_context():
        for payload in PAYLOADS:
            services.open_thread(
                db.session.get(type(staff), staff.id),
                db.session.get(Process, process_id),
                title=LocalizedText({"ja": payload[:150]}),
                body=LocalizedText({"ja": payload}),
            )
        ids = db.session.scalars(db.select(Thread.id)).all()
    _assert_inert(html_of(client.get(f"/processes/{process_id}/threads")))
    _assert_inert(html_of(client.get(f"/processes/{process_id}")))
    for thread_id in ids:
        _assert_inert(html_of(client.get(f"/threads/{thread_id}")))


def test_threads_and_their_comments_leave_search_with_their_consultation(app, client, make_user, thread_id):
    from participation.core.comments.services import add_comment
    from participation.processes import services as process_services
    from participation.search.backend import backend

    resident = make_user(Role.RESIDENT)
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        add_comment(
            db.session.get(type(resident), resident.id), thread, body="投票で決めたいです。", locale="ja", stance="for"
        )
        counts = backend().index_counts()
        assert counts["thread"]["records"] == 1 and counts["comment"]["records"] == 1
        process_services.unpublish(None, db.session.get(Process, thread.process_id))
        counts = backend().index_counts()
        assert "thread" not in counts and "comment" not in counts
    assert "投票で決め" not in html_of(client.get("/search?q=投票"))
    with app.app_context():
        process_services.publish(None, db.session.get(Process, db.session.get(Thread, thread_id).process_id))
        counts = backend().index_counts()
        assert counts["thread"]["records"] == 1 and counts["comment"]["records"] == 1
