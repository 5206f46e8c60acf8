from __future__ import annotations

import re
from datetime import timedelta

import pytest

from participation.core.models import ActionLog, Role, User
from participation.core.signals import use_stopping
from participation.core.types import local_today
from participation.core.users import in_statistics
from participation.extensions import db
from participation.rights import services
from participation.rights.models import Kind, RightsRequest

from ..conftest import html_of
from .conftest import get_request


def _log(app, action: str) -> list[ActionLog]:
    with app.app_context():
        return db.session.scalars(db.select(ActionLog).where(ActionLog.action == action)).all()


def test_a_resident_files_a_request_and_sees_it(app, client, make_user, login, outbox):
    resident = make_user()
    login(resident)
    response = client.post(
        "/rights/new", data={"kind": "disclosure", "about": "platform", "details": "保有データを見たい"}
    )
    assert response.status_code == 302
    with app.app_context():
        item = db.session.scalar(db.select(RightsRequest))
        assert item.requester_id == resident.id and item.status == "received"
        assert item.due_on == local_today() + timedelta(days=14)
        assert item.contact_email is None
    assert len(_log(app, "rights.filed")) == 1
    assert len(outbox) == 1 and outbox[0].to == [resident.email]
    page = html_of(client.get(response.headers["Location"]))
    assert "保有データを見たい" in page
    assert item.reference in html_of(client.get("/rights/"))


def test_the_due_date_follows_the_setting(make_app, make_user):
    app = make_app(RIGHTS_DUE_DAYS=30)
    user = make_user()
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    client.post("/rights/new", data={"kind": "erasure", "details": "x"})
    with app.app_context():
        assert db.session.scalar(db.select(RightsRequest.due_on)) == local_today() + timedelta(days=30)


def test_without_an_account_a_contact_address_is_required_and_gets_a_status_link(app, client, outbox):
    response = client.post("/rights/new", data={"kind": "disclosure", "details": "見せてください"})
    assert response.status_code == 422
    assert "メールアドレスを入力してください" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(RightsRequest.id))) == 0
    response = client.post(
        "/rights/new", data={"kind": "disclosure", "details": "見せてください", "contact_email": "Ｖisitor@Example.jp"}
    )
    assert response.status_code == 302
    assert outbox[0].to == ["visitor@example.jp"]
    link = re.search(r"http://localhost(/rights/status/\S+)", outbox[0].body).group(1)
    assert "見せてください" in html_of(client.get(link))
    assert client.get(link[:-3] + "abc").status_code == 404


def test_a_complaint_needs_a_topic(app, client):
    response = client.post(
        "/rights/new", data={"kind": "complaint", "details": "苦情", "contact_email": "a@example.jp"}
    )
    assert response.status_code == 422
    response = client.post(
        "/rights/new",
        data={"kind": "complaint", "topic": "nonsense", "details": "苦情", "contact_email": "a@example.jp"},
    )
    assert response.status_code == 422
    response = client.post(
        "/rights/new",
        data={"kind": "complaint", "topic": "devices", "details": "苦情", "contact_email": "a@example.jp"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(RightsRequest.topic)) == "devices"


def test_bad_input_is_refused_without_change(app, client):
    for data in (
        {"kind": "everything", "details": "x", "contact_email": "a@example.jp"},
        {"kind": "disclosure", "details": "", "contact_email": "a@example.jp"},
        {"kind": "disclosure", "details": "x" * 5001, "contact_email": "a@example.jp"},
        {"kind": "disclosure", "details": "x", "contact_email": "not-an-address"},
        {"kind": "disclosure", "details": "x", "contact_email": "a@example.jp", "about": "user:1"},
        {"kind": "disclosure", "details": "x", "contact_email": "a@example.jp", "about": "device:99999"},
        {"kind": "disclosure", "details": "x", "contact_email": "a@example.jp", "about": "device:abc"},
        {"kind": "disclosure", "details": "x", "contact_email": "a@example.jp", "about": "nothing:1"},
    ):
        assert client.post("/rights/new", data=data).status_code == 422, data
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(RightsRequest.id))) == 0


def test_a_request_about_a_registered_device(app, client, make_device):
    device_id = make_device()
    draft_id = make_device(published=False)
    page = html_of(client.get(f"/rights/new?about=device:{device_id}"))
    assert "見守りカメラ 駅北口" in page
    data = {"kind": "stop_use", "details": "映像の利用停止", "contact_email": "a@example.jp"}
    assert client.post("/rights/new", data={**data, "about": f"device:{draft_id}"}).status_code == 422
    assert client.post("/rights/new", data={**data, "about": f"device:{device_id}"}).status_code == 302
    with app.app_context():
        item = db.session.scalar(db.select(RightsRequest))
        assert (item.about_type, item.about_id) == ("sensor", device_id)


def test_markup_in_a_request_renders_inert(app, client, make_user, login, file_request):
    resident = make_user()
    request_id = file_request(resident, details='<script>alert(1)</script><a hx-get="/x">x</a>')
    login(resident)
    page = html_of(client.get(f"/rights/{request_id}"))
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_someone_elses_request_is_not_found(app, client, make_user, login, file_request):
    owner, other = make_user(), make_user()
    request_id = file_request(owner)
    login(other)
    assert client.get(f"/rights/{request_id}").status_code == 404
    assert client.get("/rights/99999").status_code == 404
    assert "R-" not in html_of(client.get("/rights/"))


def test_residents_cannot_work_the_queue(app, client, make_user, login, file_request):
    resident = make_user()
    request_id = file_request(resident)
    assert client.get("/admin/rights").status_code == 302  # to the login page
    login(resident)
    assert client.get("/admin/rights").status_code == 403
    assert client.get(f"/admin/rights/{request_id}").status_code == 403
    assert client.post(f"/admin/rights/{request_id}", data={"action": "answer", "response": "x"}).status_code == 403
    assert get_request(app, request_id).status == "received"


def test_staff_work_a_request_and_the_requester_is_told(app, client, make_user, login, file_request, outbox):
    resident, staff = make_user(), make_user(Role.STAFF)
    request_id = file_request(resident)
    outbox.clear()
    login(staff)
    assert client.get(f"/admin/rights/{request_id}").status_code == 200
    assert client.post(f"/admin/rights/{request_id}", data={"action": "start"}).status_code == 302
    assert get_request(app, request_id).status == "in_progress"
    # An answer needs text; a decline needs a reason.
    assert client.post(f"/admin/rights/{request_id}", data={"action": "answer", "response": ""}).status_code == 422
    assert client.post(f"/admin/rights/{request_id}", data={"action": "decline", "response": ""}).status_code == 422
    assert client.post(f"/admin/rights/{request_id}", data={"action": "bogus", "response": "x"}).status_code == 422
    assert get_request(app, request_id).status == "in_progress"
    assert (
        client.post(
            f"/admin/rights/{request_id}", data={"action": "decline", "response": "本人確認ができません"}
        ).status_code
        == 302
    )
    item = get_request(app, request_id)
    assert (item.status, item.response, item.handled_by_id) == ("declined", "本人確認ができません", staff.id)
    assert item.closed_at is not None
    # Closed stays closed.
    assert client.post(f"/admin/rights/{request_id}", data={"action": "answer", "response": "x"}).status_code == 422
    assert [m.to for m in outbox] == [[resident.email], [resident.email]]
    assert len(_log(app, "rights.started")) == 1 and len(_log(app, "rights.declined")) == 1
    # Opening the request showed the requester's data to staff: the person sees that.
    views = _log(app, "user.personal_data_viewed")
    assert [(v.actor_id, v.resource_id) for v in views] == [(staff.id, resident.id)] * len(views)
    assert len(views) >= 1


def test_an_accepted_stop_of_use_request_is_carried_out_and_can_be_resumed(app, client, make_user, login, file_request):
    resident, staff = make_user(), make_user(Role.STAFF)
    request_id = file_request(resident, kind=Kind.STOP_USE)
    received = []

    def receiver(sender):
        received.append(sender.id)

    use_stopping.connect(receiver)
    try:
        login(staff)
        client.post(f"/admin/rights/{request_id}", data={"action": "answer", "response": "利用を停止しました"})
    finally:
        use_stopping.disconnect(receiver)
    assert received == [resident.id]
    with app.app_context():
        person = db.session.get(User, resident.id)
        assert person.use_stopped_at is not None
        counted = db.session.scalars(db.select(User.id).where(in_statistics())).all()
        assert resident.id not in counted and staff.id in counted
        assert not in_statistics(person) and in_statistics(db.session.get(User, staff.id))
        assert get_request(app, request_id).carried_out_at is not None
    client.post("/logout")
    login(resident)
    page = html_of(client.get("/account/data"))
    assert "利用を再開する" in page
    assert client.post("/account/data/resume").status_code == 302
    with app.app_context():
        assert db.session.get(User, resident.id).use_stopped_at is None
    assert len(_log(app, "user.use_stopped")) == 1 and len(_log(app, "user.use_resumed")) == 1


def test_a_stop_of_use_request_about_a_device_is_not_carried_out_on_the_account(
    app, client, make_user, login, file_request, make_device
):
    resident, staff = make_user(), make_user(Role.STAFF)
    device_id = make_device()
    request_id = file_request(resident, kind=Kind.STOP_USE, about=f"device:{device_id}")
    login(staff)
    client.post(f"/admin/rights/{request_id}", data={"action": "answer", "response": "担当課に伝えました"})
    with app.app_context():
        assert db.session.get(User, resident.id).use_stopped_at is None
    assert get_request(app, request_id).carried_out_at is None


def test_an_accepted_erasure_request_erases_the_account(app, client, make_user, login, file_request, outbox):
    resident, staff = make_user(email="erase-me@example.jp"), make_user(Role.STAFF)
    request_id = file_request(resident, kind=Kind.ERASURE, details="全部消してください")
    outbox.clear()
    login(staff)
    assert (
        client.post(f"/admin/rights/{request_id}", data={"action": "answer", "response": "削除しました"}).status_code
        == 302
    )
    with app.app_context():
        person = db.session.get(User, resident.id)
        assert person.deleted_at is not None and person.email is None
    item = get_request(app, request_id)
    assert item.status == "answered" and item.carried_out_at is not None
    assert item.requester_id is None and item.details is None and item.anonymised_at is not None
    assert [m.to for m in outbox] == [["erase-me@example.jp"]]


def test_the_only_administrator_cannot_be_erased_through_a_request(app, client, make_user, login, file_request):
    admin, staff = make_user(Role.ADMIN), make_user(Role.STAFF)
    request_id = file_request(admin, kind=Kind.ERASURE)
    login(staff)
    response = client.post(f"/admin/rights/{request_id}", data={"action": "answer", "response": "x"})
    assert response.status_code == 422
    assert get_request(app, request_id).status == "received"
    with app.app_context():
        assert db.session.get(User, admin.id).deleted_at is None


def test_the_overdue_view(app, client, make_user, login, file_request):
    staff = make_user(Role.STAFF)
    late = file_request(details="遅れ")
    on_time = file_request(details="期限内")
    with app.app_context():
        db.session.get(RightsRequest, late).due_on = local_today() - timedelta(days=1)
        db.session.commit()
    login(staff)
    page = html_of(client.get("/admin/rights?view=overdue"))
    assert f"R-{late:05d}" in page and f"R-{on_time:05d}" not in page
    page = html_of(client.get("/admin/rights"))
    assert f"R-{late:05d}" in page and f"R-{on_time:05d}" in page
    assert client.get("/admin/rights?view=nonsense").status_code == 200


def test_the_queue_runs_a_fixed_number_of_queries(app, client, make_user, login, file_request, count_queries):
    staff = make_user(Role.STAFF)
    login(staff)
    for n in range(3):
        file_request(make_user(), details=f"{n}")
    client.get("/admin/rights")
    with count_queries() as few:
        client.get("/admin/rights")
    for n in range(5):
        file_request(make_user(), details=f"more {n}")
    with count_queries() as many:
        client.get("/admin/rights")
    assert few.n == many.n == 8  # + the re-consent banner and the bell


def test_filing_is_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_RIGHTS_REQUEST="2 per hour")
    client = app.test_client()
    data = {"kind": "disclosure", "details": "x", "contact_email": "a@example.jp"}
    assert [client.post("/rights/new", data=data).status_code for _ in range(3)] == [302, 302, 429]


def test_two_staff_closing_the_same_request_end_in_one_state(app, make_user, file_request):
    """Each staff member loaded the request while it was open; the second to act is refused."""
    first, second = make_user(Role.STAFF), make_user(Role.STAFF)
    request_id = file_request(make_user())
    with app.app_context():
        a = db.session.get(RightsRequest, request_id)
        db.session.expunge(a)
    with app.app_context():
        services.answer(db.session.get(User, first.id), db.session.get(RightsRequest, request_id), "回答")
    with app.app_context():
        stale = db.session.merge(a, load=False)
        with pytest.raises(services.RequestRefused):
            services.decline(db.session.get(User, second.id), stale, "理由")
    item = get_request(app, request_id)
    assert (item.status, item.response, item.handled_by_id) == ("answered", "回答", first.id)


def test_the_erasure_confirmation_is_in_the_persons_language(app, client, make_user, login, file_request, outbox):
    resident, staff = make_user(locale="en"), make_user(Role.STAFF)
    request_id = file_request(resident, kind=Kind.ERASURE)
    outbox.clear()
    login(staff)
    client.post(f"/admin/rights/{request_id}", data={"action": "answer", "response": "done"})
    assert outbox[0].subject.startswith("Your account has been erased")
