"""Open data: a published consultation's proposals as CSV and JSON.

Only what the proposal pages already show the public: no e-mail address, account id or other personal
field of the author, just the public display name; proposals hidden by moderation are left out. One query loads the proposals with their author,
category and district. The CSV files are written by core.csvfile (UTF-8 with a BOM, formulas kept
as text) and streamed, reading the proposals in batches.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

from flask import current_app

from ..core.comments.models import Comment
from ..extensions import db
from ..processes.models import Process
from .models import Proposal

BATCH = 500  # rows read at a time while a CSV file streams


def _locales() -> list[str]:
    return list(current_app.config["LOCALES"])


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def _per_locale(text) -> dict[str, str]:
    return {locale: (text.get(locale, "") if text else "") for locale in _locales()}


def _proposals(process: Process, updates: bool, batch: int | None = None):
    query = (
        db.select(Proposal)
        .where(Proposal.process_id == process.id, Proposal.hidden_at.is_(None))
        .options(db.joinedload(Proposal.author), db.joinedload(Proposal.category), db.joinedload(Proposal.district))
        .order_by(Proposal.id)
    )
    if updates:
        query = query.options(db.selectinload(Proposal.updates))
    if batch:
        query = query.execution_options(yield_per=batch)
    return db.session.scalars(query)


def _updates(proposal: Proposal) -> list[dict]:
    """The implementation record, oldest first."""
    return [
        {"on": update.on.isoformat(), "progress_percent": update.progress, "text": _per_locale(update.text)}
        for update in reversed(proposal.updates)
    ]


def records(process: Process, *, updates: bool = False) -> list[dict]:
    """One dict per proposal, with only public fields; with ``updates``, also the dated entries of the
    implementation record (for JSON: a CSV row has no room for a list)."""
    return list(_iter_records(process, updates=updates))


def _iter_records(process: Process, *, updates: bool = False, batch: int | None = None) -> Iterator[dict]:
    for proposal in _proposals(process, updates, batch):
        record = {
            "id": proposal.id,
            "title": proposal.title,
            "body": proposal.body,
            "language": proposal.locale,
            "category": _per_locale(proposal.category.name) if proposal.category else None,
            "district": _per_locale(proposal.district.name) if proposal.district else None,
            "place": proposal.place,
            "state": "withdrawn" if proposal.is_withdrawn else "active",
            "withdrawn_at": _iso(proposal.withdrawn_at),
            "answer_state": proposal.answer_state,
            "answer_text": _per_locale(proposal.answer_text) if proposal.answer_text else None,
            "answer_cost_yen": proposal.answer_cost,
            "answered_at": _iso(proposal.answered_at),
            "progress_percent": proposal.progress if proposal.answer and proposal.answer.has_implementation else None,
            "supports_count": proposal.supports_count,
            "comments_count": proposal.comments_count,
            "created_at": _iso(proposal.created_at),
            "author": proposal.author.public_name if proposal.author else None,
        }
        if updates:
            record["progress_updates"] = _updates(proposal)
        yield record


def json_document(process: Process) -> str:
    document = {
        "process": {"id": process.id, "title": _per_locale(process.title)},
        "generated_at": _iso(datetime.now(UTC)),
        "proposals": records(process, updates=True),
        "comments": comment_records(process),
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def csv_table(process: Process) -> tuple[list[str], Iterator[list]]:
    """The header and the rows (read lazily, in batches) of the proposals CSV."""
    locales = _locales()
    header = [
        "id",
        "title",
        "body",
        "language",
        *(f"category_{loc}" for loc in locales),
        *(f"district_{loc}" for loc in locales),
        "place",
        "state",
        "withdrawn_at",
        "answer_state",
        *(f"answer_text_{loc}" for loc in locales),
        "answer_cost_yen",
        "answered_at",
        "progress_percent",
        "supports_count",
        "comments_count",
        "created_at",
        "author",
    ]

    def rows() -> Iterator[list]:
        for item in _iter_records(process, batch=BATCH):
            per = {name: item[name] or {} for name in ("category", "district", "answer_text")}
            yield [
                item["id"],
                item["title"],
                item["body"],
                item["language"],
                *(per["category"].get(loc) for loc in locales),
                *(per["district"].get(loc) for loc in locales),
                item["place"],
                item["state"],
                item["withdrawn_at"],
                item["answer_state"],
                *(per["answer_text"].get(loc) for loc in locales),
                item["answer_cost_yen"],
                item["answered_at"],
                item["progress_percent"],
                item["supports_count"],
                item["comments_count"],
                item["created_at"],
                item["author"],
            ]

    return header, rows()


def comment_records(process: Process) -> list[dict]:
    """The public comments on the process's proposals, oldest first. Deleted and hidden comments keep
    their row (so replies keep their parent) without their text, author or stance."""
    return list(_iter_comment_records(process))


def _iter_comment_records(process: Process, batch: int | None = None) -> Iterator[dict]:
    query = (
        db.select(Comment)
        .join(Proposal, db.and_(Comment.resource_type == "proposal", Comment.resource_id == Proposal.id))
        .where(Proposal.process_id == process.id)
        .options(db.joinedload(Comment.author))
        .order_by(Comment.id)
    )
    if batch:
        query = query.execution_options(yield_per=batch)
    for comment in db.session.scalars(query):
        visible = comment.is_visible
        yield {
            "id": comment.id,
            "proposal_id": comment.resource_id,
            "parent_id": comment.parent_id,
            "state": "published" if visible else ("hidden" if comment.is_hidden else "deleted"),
            "body": comment.body if visible else None,
            "language": comment.locale if visible else None,
            "stance": comment.stance if visible else None,
            "official_answer": bool(comment.official) if visible else False,
            "upvotes": comment.upvotes if visible else 0,
            "downvotes": comment.downvotes if visible else 0,
            "created_at": _iso(comment.created_at),
            "edited_at": _iso(comment.edited_at) if visible else None,
            "author": (comment.author.public_name if comment.author else None) if visible else None,
        }


COMMENT_COLUMNS = (
    "id",
    "proposal_id",
    "parent_id",
    "state",
    "body",
    "language",
    "stance",
    "official_answer",
    "upvotes",
    "downvotes",
    "created_at",
    "edited_at",
    "author",
)


def comments_csv_table(process: Process) -> tuple[tuple[str, ...], Iterator[list]]:
    rows = ([item[name] for name in COMMENT_COLUMNS] for item in _iter_comment_records(process, batch=BATCH))
    return COMMENT_COLUMNS, rows
