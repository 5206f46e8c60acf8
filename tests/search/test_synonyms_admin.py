"""The synonym table in the admin area: only city staff and administrators, every change logged,
bad input refused with a message and nothing changed."""

import pytest

from participation.core.models import ActionLog, Role
from participation.extensions import db
from participation.search.models import SearchSynonym

from .conftest import hits

URL = "/admin/search/synonyms"


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(SearchSynonym.id)))


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(ActionLog.action).where(ActionLog.action.like("search.%"))))


@pytest.mark.parametrize("role", [None, Role.RESIDENT, Role.MODERATOR, Role.AUDITOR])
def test_only_staff_and_administrators_keep_the_table(app, client, make_user, login, role):
    if role is not None:
        login(make_user(role))
    assert client.get(URL).status_code in (302, 403)
    response = client.post(URL, data={"terms": "公園\npark"})
    assert response.status_code in (302, 403) and _count(app) == 0 and _actions(app) == []


def test_staff_add_edit_and_delete_a_set_and_searches_follow(app, client, make_user, login, add_process):
    park = add_process("みどり公園の再整備", "遊具を新しくします。")
    login(make_user(Role.STAFF))
    assert hits(client, "playground") == []
    response = client.post(URL, data={"terms": "遊具\nplayground\n遊具", "note": "英語の呼び方"})
    assert response.status_code == 302
    with app.app_context():
        synonym = db.session.scalars(db.select(SearchSynonym)).one()
        assert synonym.expressions == ["遊具", "playground"]  # the repeated line is kept once
        synonym_id = synonym.id
    assert hits(client, "playground") == [park]  # no rebuild needed
    assert "遊具、playground" in client.get(URL).get_data(as_text=True)

    response = client.post(f"{URL}/{synonym_id}", data={"terms": "遊具\nplay equipment", "note": ""})
    assert response.status_code == 302
    assert hits(client, "playground") == []
    client.post(f"{URL}/{synonym_id}/delete")
    assert _count(app) == 0
    assert _actions(app) == ["search.synonym_added", "search.synonym_changed", "search.synonym_deleted"]


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ("", "語を2つ以上入力してください。"),
        ("公園", "異なる語を1行に1つずつ、2つ以上入力してください。"),
        ("公園\n公園", "異なる語を1行に1つずつ、2つ以上入力してください。"),
        ("公園\n!!!", "文字または数字を含む語を2つ以上入力してください。"),
        ("公園\n" + "あ" * 101, "1つの語は100文字以内で入力してください。"),
        ("\n".join(f"語{n}" for n in range(21)), "語は20個以内で入力してください。"),
    ],
)
def test_bad_sets_are_refused_with_a_reason_and_nothing_changes(app, client, make_user, login, terms, message):
    login(make_user(Role.ADMIN))
    response = client.post(URL, data={"terms": terms})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _count(app) == 0 and _actions(app) == []


def test_an_unknown_set_is_not_found(app, client, make_user, login):
    login(make_user(Role.STAFF))
    assert client.get(f"{URL}/999999").status_code == 404
    assert client.post(f"{URL}/999999/delete").status_code == 404
    assert _actions(app) == []
