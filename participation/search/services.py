"""Changes to the synonym table, each in its own transaction and in the action log."""

from __future__ import annotations

from ..core.action_log import RESTRICTED, log_action
from ..core.db import transaction
from ..core.models import User
from ..core.types import utcnow
from .models import SearchSynonym


def add_synonym(actor: User, terms: str, note: str = "") -> SearchSynonym:
    with transaction() as session:
        synonym = SearchSynonym(terms=terms, note=note or "", updated_by=actor, updated_at=utcnow())
        session.add(synonym)
        session.flush()
        log_action(actor, "search.synonym_added", synonym, visibility=RESTRICTED)
    return synonym


def update_synonym(actor: User, synonym: SearchSynonym, terms: str, note: str = "") -> None:
    with transaction():
        synonym.terms, synonym.note, synonym.updated_by, synonym.updated_at = terms, note or "", actor, utcnow()
        log_action(actor, "search.synonym_changed", synonym, visibility=RESTRICTED)


def delete_synonym(actor: User, synonym: SearchSynonym) -> None:
    with transaction() as session:
        log_action(actor, "search.synonym_deleted", synonym, visibility=RESTRICTED, data={"id": synonym.id})
        session.delete(synonym)
