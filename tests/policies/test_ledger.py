"""The provision ledger: staff record, auditors read, nobody edits; the public sees counts."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from participation.core.models import Role
from participation.extensions import db
from participation.policies import services
from participation.policies.models import Provision

from ..conftest import html_of


def _form(**overrides):
    data = {
        "recipient": "みどり川大学 交通研究室",
        "data_items": "参加者ID（仮名化）、移動経路",
        "provided_on": "2026-10-01",
        "basis": "consent",
        "basis_note": "",
        "subjects": "42",
        "policy_id": "0",
    }
    data.update(overrides)
    return data


def _record(app, recipient="みどり川大学", on=date(2026, 10, 1)):
    with app.app_context():
        return services.record_provision(
            None, recipient=recipient, data_items="移動経路", provided_on=on, basis="consent"
        ).id


def test_staff_record_a_provision_and_auditors_read_it(app, client, make_user, login):
    login(make_user(Role.STAFF))
    assert client.post("/admin/provisions/new", data=_form()).status_code == 302
    with app.app_context():
        entry = db.session.scalar(db.select(Provision))
        assert entry.subjects == 42 and entry.basis == "consent"
    client.post("/logout")
    auditor = make_user(Role.AUDITOR)
    login(auditor)
    page = client.get("/admin/provisions")
    assert page.status_code == 200 and "交通研究室" in page.get_data(as_text=True)
    assert client.get("/admin/provisions/new").status_code == 403
    assert client.post("/admin/provisions/new", data=_form()).status_code == 403


def test_residents_cannot_read_the_ledger(client, make_user, login):
    login(make_user())
    assert client.get("/admin/provisions").status_code == 403
    assert client.post("/admin/provisions/new", data=_form()).status_code == 403


@pytest.mark.parametrize(
    "overrides",
    [
        {"recipient": ""},
        {"data_items": ""},
        {"provided_on": "2999-01-01"},
        {"provided_on": "yesterday"},
        {"basis": "whim"},
        {"basis": "other", "basis_note": ""},
        {"subjects": "-3"},
        {"recipient": "a\u202eb"},
    ],
)
def test_bad_entries_are_refused(app, client, make_user, login, overrides):
    login(make_user(Role.STAFF))
    assert client.post("/admin/provisions/new", data=_form(**overrides)).status_code == 422
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Provision.id))) == 0


def test_there_is_no_edit_route(app, client, make_user, login):
    entry_id = _record(app)
    login(make_user(Role.ADMIN))
    for url in (
        f"/admin/provisions/{entry_id}",
        f"/admin/provisions/{entry_id}/edit",
        f"/admin/provisions/{entry_id}/delete",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, data=_form()).status_code in (404, 405)


def test_the_orm_refuses_to_change_an_entry(app):
    entry_id = _record(app)
    with app.app_context():
        entry = db.session.get(Provision, entry_id)
        entry.recipient = "別の相手"
        with pytest.raises(RuntimeError):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.get(Provision, entry_id))
        with pytest.raises(RuntimeError):
            db.session.commit()


def test_the_database_refuses_to_change_an_entry(app):
    entry_id = _record(app)
    with app.app_context():
        for statement in (
            "UPDATE policy_provisions SET recipient = 'x' WHERE id = :id",
            "DELETE FROM policy_provisions WHERE id = :id",
        ):
            with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
                conn.execute(text(statement), {"id": entry_id})
        assert db.session.get(Provision, entry_id).recipient == "みどり川大学"


def test_the_public_sees_counts_per_recipient_and_year(app, client):
    _record(app, "みどり川大学", date(2025, 5, 1))
    _record(app, "みどり川大学", date(2026, 5, 1))
    _record(app, "みどり川大学", date(2026, 6, 1))
    _record(app, "<b>交通事業者</b>", date(2026, 6, 1))
    with app.app_context():
        assert services.provision_counts() == [
            ("<b>交通事業者</b>", 2026, 1),
            ("みどり川大学", 2026, 2),
            ("みどり川大学", 2025, 1),
        ]
    page = html_of(client.get("/policies/provisions"))
    assert "&lt;b&gt;交通事業者" in page and "<b>交通事業者" not in page
    assert "移動経路" not in page  # items and dates stay in the ledger
