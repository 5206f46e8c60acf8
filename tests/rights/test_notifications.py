"""Each status change of a request reaches the requester with an account in the site as well as by
e-mail; a person without an account only by e-mail."""

from __future__ import annotations

from participation.core.models import Role, User
from participation.extensions import db
from participation.rights import services
from participation.rights.models import Kind, RightsRequest
from tests.notify_helpers import notices, notifications_page


def _as(app, staff, action, request_id, *args):
    with app.app_context():
        action(db.session.get(User, staff.id), db.session.get(RightsRequest, request_id), *args)


def test_each_status_change_notifies_the_requester_in_the_site(app, make_user, file_request):
    resident, staff = make_user(), make_user(Role.STAFF)
    request_id = file_request(resident, kind=Kind.CORRECTION)
    assert notices(app) == []  # filing it was their own doing
    _as(app, staff, services.start, request_id)
    _as(app, staff, services.decline, request_id, "対象のデータがありません。")
    reference = f"R-{request_id:05d}"
    assert notices(app) == [
        (resident.id, "rights.changed", {"reference": reference, "kind": "correction", "status": "in_progress"}),
        (resident.id, "rights.changed", {"reference": reference, "kind": "correction", "status": "declined"}),
    ]


def test_without_an_account_there_is_no_site_notice(app, make_user, file_request):
    request_id = file_request(None)
    _as(app, make_user(Role.STAFF), services.answer, request_id, "回答します。")
    assert notices(app) == []


def test_the_notice_reads_in_both_languages(app, client, login, make_user, file_request):
    ja_reader, en_reader, staff = make_user(locale="ja"), make_user(locale="en"), make_user(Role.STAFF)
    ja_request, en_request = file_request(ja_reader, kind=Kind.STOP_USE, about="platform"), file_request(en_reader)
    _as(app, staff, services.start, ja_request)
    _as(app, staff, services.answer, en_request, "Here is your data.")
    page = notifications_page(client, login, ja_reader)
    assert f"あなたの依頼 R-{ja_request:05d}（利用停止）の状況が「対応中」になりました。" in page
    client.post("/logout")
    page = notifications_page(client, login, en_reader)
    assert f"Your request R-{en_request:05d} (Disclosure) is now: Answered and closed." in page
