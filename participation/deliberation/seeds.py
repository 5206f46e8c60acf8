"""Demo discussions of みどり川市 from seeds/demo/deliberation.toml. Idempotent: a thread is found again
by its consultation and Japanese title; its comments are replaced by those in the file."""

from __future__ import annotations

from datetime import UTC, datetime

from ..core.comments.seeds import load_comments
from ..core.db import transaction
from ..core.models import User
from ..core.seeds import read_seed
from ..core.types import LocalizedText
from ..extensions import db
from ..processes.models import Process
from .models import Thread


def _moment(value) -> datetime:
    return datetime.fromisoformat(str(value)).astimezone(UTC)


def _text(values) -> LocalizedText | None:
    return LocalizedText({k: v.strip() for k, v in values.items()}, "ja") if values else None


def seed() -> None:
    data = read_seed("deliberation")["threads"]
    with transaction():
        processes = {p.title.get("ja"): p for p in db.session.scalars(db.select(Process))}
        users = {u.email: u for u in db.session.scalars(db.select(User).where(User.email.is_not(None)))}
        existing = {(t.process_id, t.title.get("ja")): t for t in db.session.scalars(db.select(Thread))}
        for item in data:
            process = processes.get(item["process"])
            if process is None:
                continue
            title = _text(item["title"])
            thread = existing.get((process.id, title["ja"])) or Thread(process_id=process.id)
            thread.title = title
            thread.body = _text(item["body"])
            thread.author_id = users[item["author"]].id
            thread.asks_stance = bool(item.get("asks_stance", False))
            thread.created_at = thread.updated_at = _moment(item["created_at"])
            thread.closed_at = _moment(item["closed_at"]) if item.get("closed_at") else None
            thread.closed_by_id = users[item["closed_by"]].id if item.get("closed_by") else None
            thread.conclusion = _text(item.get("conclusion"))
            db.session.add(thread)
            db.session.flush()
            load_comments(thread, item.get("comments", []), users)
