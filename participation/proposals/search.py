"""What the search index holds for proposals: title and body in the language the resident wrote
them in. Withdrawn proposals, those hidden by moderation and those of consultations that are not
published are not public."""

from __future__ import annotations

from collections.abc import Iterator

from ..core.markup import markdown_to_text
from ..core.searchable import Searchable, SearchDocument
from ..extensions import db
from .models import Proposal


def documents(proposal: Proposal) -> Iterator[SearchDocument]:
    yield SearchDocument(
        locale=proposal.locale,
        title=proposal.title,
        body="\n".join(part for part in (markdown_to_text(proposal.body), proposal.place or "") if part),
        date=proposal.created_at,
        space=("process", proposal.process_id),
    )


searchable = (
    Searchable(
        "proposal",
        Proposal,
        documents=documents,
        query=lambda: db.select(Proposal).options(db.joinedload(Proposal.process)).order_by(Proposal.id),
        is_public=lambda proposal: (
            not proposal.is_withdrawn and not proposal.is_hidden and proposal.process.is_published
        ),
        members=lambda name, ident: (
            db.select(Proposal).where(Proposal.process_id == ident) if name == "process" else None
        ),
    ),
)
