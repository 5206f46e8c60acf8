"""What the search index holds for deliberation threads: question, background and conclusion in
every language they are written in. Hidden threads and those of unpublished processes are not public."""

from __future__ import annotations

from collections.abc import Iterator

from ..core.markup import markdown_to_text
from ..core.searchable import Searchable, SearchDocument, locales_of
from ..extensions import db
from .models import Thread


def documents(thread: Thread) -> Iterator[SearchDocument]:
    for locale in locales_of(thread.title, thread.body, thread.conclusion):
        body = []
        if thread.body and locale in thread.body:
            body.append(markdown_to_text(thread.body[locale]))
        if thread.conclusion and locale in thread.conclusion:
            body.append(markdown_to_text(thread.conclusion[locale]))
        yield SearchDocument(
            locale=locale,
            title=thread.title.resolve(locale)[0] if thread.title else "",
            body="\n".join(body),
            date=thread.created_at,
            space=("process", thread.process_id),
        )


def is_public(thread: Thread) -> bool:
    return thread.hidden_at is None and thread.process.is_published


searchable = (
    Searchable(
        "thread",
        Thread,
        documents=documents,
        query=lambda: db.select(Thread).options(db.joinedload(Thread.process)).order_by(Thread.id),
        is_public=is_public,
        members=lambda name, ident: db.select(Thread).where(Thread.process_id == ident) if name == "process" else None,
    ),
)
