"""Discussions can be followed: a new one is announced to the consultation's followers, its closing
with a conclusion to its own followers."""

from __future__ import annotations

from participation.core.models import Role, User
from participation.core.types import LocalizedText
from participation.deliberation import services
from participation.deliberation.models import Thread
from participation.extensions import db
from participation.processes.models import Process
from tests.notify_helpers import add_follow, follows, notifications_page, recipients
from tests.processes import conftest as processes_conftest

from ..conftest import html_of

make_process = processes_conftest.make_process
today = processes_conftest.today


def _open(app, staff, process_id) -> int:
    with app.app_context():
        thread = services.open_thread(
            db.session.get(User, staff.id),
            db.session.get(Process, process_id),
            title=LocalizedText({"ja": "愛称の決め方", "en": "Choosing a nickname"}),
            body=LocalizedText({"ja": "どう決めましょうか。"}),
        )
        return thread.id


def _close(app, staff, thread_id) -> None:
    with app.app_context():
        services.close_thread(
            db.session.get(User, staff.id),
            db.session.get(Thread, thread_id),
            conclusion=LocalizedText({"ja": "投票で決めます。"}),
        )


def test_opening_and_closing_notify_the_right_followers(app, make_process, make_user):
    process_id = make_process()
    staff, process_fan, thread_fan, bystander = (
        make_user(Role.STAFF, name="市職員"),
        make_user(),
        make_user(),
        make_user(),
    )
    add_follow(app, process_fan.id, (Process, process_id))
    thread_id = _open(app, staff, process_id)
    assert recipients(app, "thread.opened") == [process_fan.id]
    assert follows(app, staff.id, "thread", thread_id)
    add_follow(app, thread_fan.id, (Thread, thread_id))
    _close(app, staff, thread_id)
    # the consultation's followers are not told of each thread's events; the closing staff member is not told
    assert recipients(app, "thread.closed") == [thread_fan.id]
    assert bystander.id not in recipients(app, "thread.opened") + recipients(app, "thread.closed")


def test_follow_button_on_the_thread_page_and_notices_in_both_languages(app, client, login, make_process, make_user):
    process_id = make_process()
    staff = make_user(Role.STAFF, name="市職員")
    ja_reader, en_reader = make_user(locale="ja"), make_user(locale="en")
    add_follow(app, ja_reader.id, (Process, process_id))
    thread_id = _open(app, staff, process_id)
    login(en_reader)
    html = html_of(client.get(f"/threads/{thread_id}"))
    assert f'action="/follow/thread/{thread_id}"' in html
    assert client.post(f"/follow/thread/{thread_id}").status_code == 302
    assert follows(app, en_reader.id, "thread", thread_id)
    client.post("/logout")
    _close(app, staff, thread_id)
    assert "市職員 さんが、フォロー中の意見募集で話し合い「愛称の決め方」を始めました" in notifications_page(
        client, login, ja_reader
    )
    client.post("/logout")
    assert "The discussion “Choosing a nickname” was closed with a conclusion" in notifications_page(
        client, login, en_reader
    )
