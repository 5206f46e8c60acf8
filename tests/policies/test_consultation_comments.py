"""Public consultation on a draft policy version (issue 5): residents comment until the deadline,
staff answer officially, also after it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from participation.core.comments import services as comments
from participation.core.comments.models import Comment
from participation.core.models import Role, User
from participation.core.types import LocalizedText, local_today
from participation.extensions import db
from participation.policies import services
from participation.policies.models import Policy, PolicyVersion
from tests.conftest import HX

from ..conftest import html_of
from .conftest import future, version_of

JA = {"Accept-Language": "ja"}
EN = {"Accept-Language": "en"}


@pytest.fixture
def consultation(app, make_policy):
    """A policy in force (version 1) with version 2 under public consultation: (policy id, version id)."""
    policy_id = make_policy()
    with app.app_context():
        version = services.new_version(None, db.session.get(Policy, policy_id))
        services.open_consultation(None, version, future())
        return policy_id, version.id


def _comments(app, version_id: int) -> list[Comment]:
    with app.app_context():
        found = db.session.scalars(
            db.select(Comment)
            .where(Comment.resource_type == "policy_version", Comment.resource_id == version_id)
            .order_by(Comment.id)
        ).all()
        db.session.expunge_all()
        return found


def _close(app, version_id: int) -> None:
    with app.app_context():
        db.session.get(PolicyVersion, version_id).consultation_until = local_today() - timedelta(days=1)
        db.session.commit()


def test_residents_comment_while_the_consultation_is_open(app, client, login, make_user, consultation):
    policy_id, version_id = consultation
    page = html_of(client.get(f"/policies/{policy_id}/versions/2", headers=JA))
    assert "意見募集へのご意見" in page and "WIRE" not in page
    assert "Public consultation: comments" in client.get(f"/policies/{policy_id}/versions/2", headers=EN).get_data(
        as_text=True
    )
    login(make_user())
    response = client.post(f"/comments/policy_version/{version_id}", data={"body": "保存期間を短くしてください。"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/policies/{policy_id}/versions/2#comment-")
    page = html_of(client.get(f"/policies/{policy_id}/versions/2"))
    assert "保存期間を短くしてください。" in page
    # The version in force takes no comments: it was never put to consultation.
    assert "comments-policy_version-" not in html_of(client.get(f"/policies/{policy_id}/versions/1"))


def test_after_the_deadline_residents_are_refused_and_staff_answer(app, client, login, make_user, consultation):
    policy_id, version_id = consultation
    resident = make_user()
    login(resident)
    client.post(f"/comments/policy_version/{version_id}", data={"body": "第三者提供の範囲は？"})
    [question] = _comments(app, version_id)
    _close(app, version_id)
    page = html_of(client.get(f"/policies/{policy_id}/versions/2", headers=JA))
    assert "この版の意見募集は" in page and "締め切りました" in page
    assert 'class="comment-form"' not in page
    response = client.post(f"/comments/policy_version/{version_id}", data={"body": "遅れて投稿"}, headers={**HX, **JA})
    assert response.status_code == 422 and "締め切りました" in response.get_data(as_text=True)
    assert client.post(f"/comments/{question.id}/official", data={"value": "1"}).status_code == 403
    client.post("/logout")

    login(make_user(Role.STAFF))
    response = client.post(
        f"/comments/policy_version/{version_id}",
        data={"body": "提供先は大学に限ります。", "parent_id": str(question.id)},
        headers={**HX, **JA},
    )
    assert response.status_code == 200
    answer = _comments(app, version_id)[1]
    assert client.post(f"/comments/{answer.id}/official", data={"value": "1"}).status_code == 302
    client.post("/logout")
    page = html_of(client.get(f"/policies/{policy_id}/versions/2", headers=JA))
    assert "市の回答" in page and "comment--official" in page
    assert len(_comments(app, version_id)) == 2


def test_drafts_and_unconsulted_versions_take_no_comments(app, client, login, make_user, make_policy):
    policy_id = make_policy()
    with app.app_context():
        draft = services.new_version(None, db.session.get(Policy, policy_id))
        draft_id = draft.id
    login(make_user())
    # A draft is staff-only: its comment routes do not exist for residents.
    assert client.post(f"/comments/policy_version/{draft_id}", data={"body": "意見"}).status_code == 404
    first = version_of(app, policy_id, 1)
    with app.test_request_context(headers=EN):
        actor = db.session.get(User, make_user(Role.STAFF).id)
        for version_id, message in ((first.id, "not put to public consultation"), (draft_id, "goes to public")):
            with pytest.raises(comments.CommentError) as refused:
                comments.add_comment(actor, db.session.get(PolicyVersion, version_id), body="意見", locale="ja")
            assert message in str(refused.value.message)
    assert _comments(app, first.id) == [] and _comments(app, draft_id) == []


def test_comments_stay_readable_after_adoption(app, client, login, make_user, consultation):
    policy_id, version_id = consultation
    login(make_user())
    client.post(f"/comments/policy_version/{version_id}", data={"body": "賛成します。"})
    _close(app, version_id)
    with app.app_context():
        summary = LocalizedText({"ja": "意見を反映", "en": "Reflects the comments"})
        services.adopt(None, db.session.get(PolicyVersion, version_id), trigger="feedback", summary=summary)
    page = html_of(client.get(f"/policies/{policy_id}/versions/2", headers=JA))
    assert "賛成します。" in page and 'class="comment-form"' not in page


@pytest.mark.parametrize("n", [1, 6])
def test_the_consultation_page_runs_a_constant_number_of_queries(
    app, client, make_user, consultation, count_queries, n
):
    policy_id, version_id = consultation
    with app.test_request_context():
        for i in range(n):
            author = db.session.get(User, make_user().id)
            version = db.session.get(PolicyVersion, version_id)
            first = comments.add_comment(author, version, body=f"意見{i}", locale="ja")
            comments.add_comment(author, version, body=f"補足{i}", locale="ja", parent=first)
    url = f"/policies/{policy_id}/versions/2"
    client.get(url)
    with count_queries() as counted:
        assert client.get(url).status_code == 200
    assert counted.n == 9, counted.statements  # anonymous reader, whatever the number of comments


def test_a_new_policy_is_public_from_its_first_consultation(app, client, make_policy, make_user, login):
    policy_id = make_policy(adopted=False)
    assert client.get(f"/policies/{policy_id}", headers=JA).status_code == 404
    assert f"/policies/{policy_id}" not in html_of(client.get("/policies", headers=JA))
    with app.app_context():
        services.open_consultation(None, db.session.get(Policy, policy_id).versions[0], future())
    assert f"/policies/{policy_id}" in html_of(client.get("/policies", headers=JA))
    login(make_user(Role.RESIDENT))
    response = client.post(
        f"/comments/policy_version/{version_of(app, policy_id, 1).id}",
        data={"body": "保存期間をもっと短くしてください。"},
        headers=JA,
    )
    assert response.status_code in (302, 303)
    page = html_of(client.get(f"/policies/{policy_id}", headers=JA))
    assert "保存期間をもっと短くしてください。" in page
