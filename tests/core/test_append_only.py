"""Append-only records are declared once (core.append_only) and refused every way of changing them."""

import pytest
from sqlalchemy import text

from participation.core.action_log import log_action
from participation.core.append_only import DECLARED, AppendOnlyError, trigger_names
from participation.core.models import ActionLog
from participation.extensions import db
from participation.policies.models import ConsentEvent


def test_every_history_and_ledger_is_declared():
    assert {rule.table: (rule.deletes, rule.triggers) for rule in DECLARED.values()} == {
        "action_log": (False, False),
        "policy_consent_events": (True, False),  # erased with the account
        "policy_provisions": (False, True),
        "sensors_footage_releases": (False, False),
        "sensors_device_versions": (True, False),  # deleted with a draft device
        "proposals_answers": (True, False),  # deleted with the proposal
        "governance_transitions": (True, False),  # a project's public history, deleted with it
        "governance_board_reviews": (True, False),
    }


def _entry(app) -> int:
    with app.app_context():
        entry = log_action(None, "user.registered")
        db.session.commit()
        return entry.id


def test_bulk_orm_statements_are_refused_too(app):
    entry_id = _entry(app)
    with app.app_context():
        with pytest.raises(AppendOnlyError, match="the action log is append-only"):
            db.session.execute(db.update(ActionLog).where(ActionLog.id == entry_id).values(action="x"))
        db.session.rollback()
        with pytest.raises(AppendOnlyError, match="never deleted"):
            db.session.execute(db.delete(ActionLog).where(ActionLog.id == entry_id))
        db.session.rollback()
        with pytest.raises(AppendOnlyError, match="the consent history"):
            db.session.execute(db.update(ConsentEvent).values(granted=True))
        db.session.rollback()
        db.session.execute(db.delete(ConsentEvent))  # allowed: a history erased with its account
        db.session.rollback()
        assert db.session.get(ActionLog, entry_id).action == "user.registered"


def test_a_table_level_statement_is_the_deliberate_way_through(app):
    """Retention cuts an old entry's link to a deleted account with a reviewed table-level UPDATE."""
    entry_id = _entry(app)
    with app.app_context():
        db.session.execute(db.update(ActionLog.__table__).where(ActionLog.id == entry_id).values(data={"x": 1}))
        db.session.commit()
        assert db.session.get(ActionLog, entry_id).data == {"x": 1}


def test_the_database_keeps_the_triggers_the_models_declare(app):
    with app.app_context():
        dialect = db.engine.dialect.name
        if dialect == "postgresql":
            found = set(db.session.scalars(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")))
        else:
            found = set(db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
    wanted = set().union(*(trigger_names(r.table, dialect) for r in DECLARED.values() if r.triggers))
    assert wanted and wanted <= found
