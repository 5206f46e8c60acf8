"""Questions and concerns on a device page (issue 4): residents ask, staff answer officially."""

from __future__ import annotations

import pytest

from participation.core.comments import services as comments
from participation.core.comments.models import Comment
from participation.core.models import Role, User
from participation.extensions import db
from participation.sensors.models import Device
from tests.conftest import HX

from ..conftest import html_of

JA = {"Accept-Language": "ja"}
EN = {"Accept-Language": "en"}


def _comments(app, device_id: int) -> list[Comment]:
    with app.app_context():
        found = db.session.scalars(
            db.select(Comment)
            .where(Comment.resource_type == "sensor", Comment.resource_id == device_id)
            .order_by(Comment.id)
        ).all()
        db.session.expunge_all()
        return found


def test_the_device_page_has_a_questions_section_in_both_languages(app, client, make_device):
    device_id = make_device()
    page = html_of(client.get(f"/sensors/{device_id}", headers=JA))
    assert "この機器についての質問・意見" in page
    assert f'id="comments-sensor-{device_id}"' in page
    page = html_of(client.get(f"/sensors/{device_id}", headers=EN))
    assert "Questions and concerns about this device" in page
    assert "Log in to comment" in page


def test_a_resident_asks_and_staff_answer_officially(app, client, login, make_user, make_device):
    device_id = make_device()
    login(make_user(name="住民A"))
    response = client.post(f"/comments/sensor/{device_id}", data={"body": "映像は誰が見られますか？"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/sensors/{device_id}#comment-")
    [question] = _comments(app, device_id)
    assert question.official is False
    # A resident cannot mark anything official.
    assert client.post(f"/comments/{question.id}/official", data={"value": "1"}).status_code == 403
    client.post("/logout")

    login(make_user(Role.STAFF, name="地域安全課"))
    response = client.post(
        f"/comments/sensor/{device_id}",
        data={"body": "指定された職員だけが閲覧できます。", "parent_id": str(question.id)},
        headers={**HX, **JA},
    )
    assert response.status_code == 200
    answer = _comments(app, device_id)[1]
    assert answer.parent_id == question.id
    response = client.post(f"/comments/{answer.id}/official", data={"value": "1"}, headers={**HX, **JA})
    assert response.status_code == 200
    assert "市の回答" in response.get_data(as_text=True)
    client.post("/logout")

    page = html_of(client.get(f"/sensors/{device_id}", headers=JA))
    assert "comment--official" in page and "指定された職員だけが閲覧できます。" in page


def test_blank_questions_are_refused_and_nothing_is_stored(app, client, login, make_user, make_device):
    device_id = make_device()
    login(make_user())
    response = client.post(f"/comments/sensor/{device_id}", data={"body": "   "}, headers={**HX, **JA})
    assert response.status_code == 422
    assert 'role="alert"' in response.get_data(as_text=True)
    assert _comments(app, device_id) == []


def test_drafts_take_no_questions(app, client, login, make_user, make_device):
    device_id = make_device(published=False)
    login(make_user())
    # Drafts do not exist for the public, their comment routes neither.
    assert client.post(f"/comments/sensor/{device_id}", data={"body": "質問"}).status_code == 404
    assert client.get(f"/comments/sensor/{device_id}", headers=HX).status_code == 404
    client.post("/logout")
    staff = make_user(Role.STAFF)
    login(staff)
    page = html_of(client.get(f"/sensors/{device_id}", headers=JA))
    assert "この機器が登録簿に公開されると、質問を受け付けます。" in page
    assert 'class="comment-form"' not in page
    assert client.post(f"/comments/sensor/{device_id}", data={"body": "質問"}).status_code == 404
    # The rule holds below the views too.
    with app.test_request_context(headers=EN):
        with pytest.raises(comments.CommentError) as refused:
            comments.add_comment(
                db.session.get(User, staff.id), db.session.get(Device, device_id), body="質問", locale="ja"
            )
        assert "published" in str(refused.value.message)
    assert _comments(app, device_id) == []


@pytest.mark.parametrize("n", [1, 8])
def test_the_device_page_runs_a_constant_number_of_queries(
    app, client, login, make_user, make_device, count_queries, n
):
    device_id = make_device()
    with app.test_request_context():
        for i in range(n):
            author = db.session.get(User, make_user().id)
            question = comments.add_comment(author, db.session.get(Device, device_id), body=f"質問{i}", locale="ja")
            comments.add_comment(
                author, db.session.get(Device, device_id), body=f"補足{i}", locale="ja", parent=question
            )
    client.get(f"/sensors/{device_id}")
    with count_queries() as counted:
        assert client.get(f"/sensors/{device_id}").status_code == 200
    assert counted.n == 7, counted.statements
