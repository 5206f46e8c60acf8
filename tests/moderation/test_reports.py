"""Reporting: anyone signed in, once per record, never their own; enough reports hide the record."""

import pytest
from markupsafe import escape

from participation.core.models import Role
from participation.core.moderation.services import AUTO_HIDDEN
from participation.extensions import db
from participation.proposals.models import Proposal

from ..conftest import HX, PASSWORD, html_of
from ..core.test_markup import PAYLOADS
from .conftest import actions, decisions, get_proposal, hidden, reports_of


def signed_in(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_report_form_works_without_javascript(app, make_user, proposal_id):
    client = signed_in(app, make_user())
    url = f"/report/proposal/{proposal_id}"
    page = html_of(client.get(url))
    assert "この投稿を通報する" not in page  # the page is the form itself, not a link
    assert 'name="reason"' in page and "スパム・宣伝" in page
    response = client.post(url, data={"reason": "offensive", "details": "差別的な表現があります。"})
    assert response.status_code == 302 and response.location.endswith(f"/proposals/{proposal_id}")
    assert "通報を受け付けました" in html_of(client.get(response.location))
    [report] = reports_of(app, proposal_id)
    assert (report.reason, report.details, report.resolved_at) == ("offensive", "差別的な表現があります。", None)
    assert actions(app) == ["moderation.reported"]


def test_report_form_opens_and_answers_in_place_with_htmx(app, make_user, proposal_id):
    client = signed_in(app, make_user())
    url = f"/report/proposal/{proposal_id}"
    show = html_of(client.get(f"/proposals/{proposal_id}"))
    assert f'hx-get="{url}"' in show and f'href="{url}"' in show
    fragment = html_of(client.get(url, headers=HX))
    assert "<html" not in fragment and f'hx-post="{url}"' in fragment
    response = client.post(url, data={"reason": "spam"}, headers=HX)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in text and "通報を受け付けました" in text
    assert len(reports_of(app, proposal_id)) == 1


def test_a_second_report_by_the_same_person_is_refused_clearly(app, make_user, proposal_id):
    client = signed_in(app, make_user())
    url = f"/report/proposal/{proposal_id}"
    client.post(url, data={"reason": "spam"})
    again = client.post(url, data={"reason": "off_topic"}, headers=HX).get_data(as_text=True)
    assert "すでに通報済みです" in again
    page = html_of(client.get(url, follow_redirects=True))
    assert "すでに通報済みです" in page
    assert [r.reason for r in reports_of(app, proposal_id)] == ["spam"]


def test_own_content_cannot_be_reported(app, author, proposal_id):
    client = signed_in(app, author)
    assert f"/report/proposal/{proposal_id}" not in html_of(client.get(f"/proposals/{proposal_id}"))
    text = client.post(f"/report/proposal/{proposal_id}", data={"reason": "spam"}, headers=HX).get_data(as_text=True)
    assert "ご自身の投稿は通報できません" in text
    response = client.post(f"/report/proposal/{proposal_id}", data={"reason": "spam"})
    assert response.status_code == 302
    assert "ご自身の投稿は通報できません" in html_of(client.get(response.location))
    assert reports_of(app, proposal_id) == []


def test_visitors_are_sent_to_log_in(app, client, proposal_id):
    assert f"/report/proposal/{proposal_id}" in html_of(client.get(f"/proposals/{proposal_id}"))
    response = client.post(f"/report/proposal/{proposal_id}", data={"reason": "spam"})
    assert response.status_code == 302 and "/login" in response.location
    assert reports_of(app, proposal_id) == []


@pytest.mark.parametrize("path", ["/report/proposal/999999", "/report/user/1", "/report/process/1", "/report/x/1"])
def test_unknown_or_unmoderatable_records_are_not_found(app, make_user, proposal_id, path):
    client = signed_in(app, make_user())
    assert client.post(path, data={"reason": "spam"}).status_code == 404


def test_report_of_a_draft_consultations_proposal_is_not_found(app, make_user, make_process, make_proposal):
    draft = make_proposal(make_process(published=False), make_user().id)
    client = signed_in(app, make_user())
    assert client.get(f"/report/proposal/{draft}").status_code == 404


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "理由を一覧から選んでください。"),
        ({"reason": "nonsense"}, "理由を一覧から選んでください。"),
        ({"reason": "spam", "details": "あ" * 1001}, "詳細が長すぎます。"),
        ({"reason": "spam", "details": "見えない\u202e文字"}, "目に見えない特殊な文字を削除してください。"),
    ],
)
def test_bad_reports_are_refused_in_the_readers_language(app, make_user, proposal_id, data, message):
    client = signed_in(app, make_user())
    response = client.post(f"/report/proposal/{proposal_id}", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert reports_of(app, proposal_id) == []


def test_enough_reports_hide_the_record_pending_review(app, make_user, proposal_id):
    reporters = [make_user() for _ in range(3)]
    for n, reporter in enumerate(reporters):
        assert not hidden(app, proposal_id)
        signed_in(app, reporter).post(f"/report/proposal/{proposal_id}", data={"reason": "spam"})
        assert hidden(app, proposal_id) == (n == 2)
    proposal = get_proposal(app, proposal_id)
    assert proposal.hidden_reason == AUTO_HIDDEN
    [decision] = decisions(app)
    assert (decision.action, decision.moderator_id, decision.report_count) == ("hide", None, 3)
    assert actions(app) == ["moderation.reported"] * 3 + ["moderation.auto_hidden"]
    # a fourth report on hidden content is still taken, and hides nothing twice
    signed_in(app, make_user()).post(f"/report/proposal/{proposal_id}", data={"reason": "spam"})
    assert len(decisions(app)) == 1 and len(reports_of(app, proposal_id)) == 4


def test_the_threshold_is_a_setting(make_app, make_user, open_process, make_proposal):
    app = make_app(MODERATION_HIDE_AFTER_REPORTS=1)
    author = make_user()
    proposal_id = make_proposal(open_process(), author.id)
    signed_in(app, make_user()).post(f"/report/proposal/{proposal_id}", data={"reason": "spam"})
    with app.app_context():
        assert db.session.get(Proposal, proposal_id).hidden_at is not None


def test_report_details_render_inert_for_moderators(app, make_user, proposal_id):
    moderator = make_user(Role.MODERATOR)
    payloads = [p for p in PAYLOADS if "<" in p][:6]
    for payload in payloads:
        client = signed_in(app, make_user())
        client.post(f"/report/proposal/{proposal_id}", data={"reason": "spam", "details": payload})
    page = html_of(signed_in(app, moderator).get("/admin/moderation"))
    assert len(reports_of(app, proposal_id)) == len(payloads)
    for payload in payloads:
        assert payload not in page
        assert str(escape(payload)) in page
