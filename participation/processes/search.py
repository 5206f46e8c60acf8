"""What the search index holds for consultations: title, summary and description in every language
they are written in. Only published consultations are public."""

from __future__ import annotations

from collections.abc import Iterator

from ..core.markup import markdown_to_text
from ..core.searchable import Searchable, SearchDocument, locales_of
from ..extensions import db
from .models import Process


def documents(process: Process) -> Iterator[SearchDocument]:
    for locale in locales_of(process.title, process.summary, process.description):
        body = [process.summary.get(locale, "") if process.summary else ""]
        if process.description and locale in process.description:
            body.append(markdown_to_text(process.description[locale]))
        yield SearchDocument(
            locale=locale,
            title=process.title.resolve(locale)[0] if process.title else "",
            body="\n".join(part for part in body if part),
            date=process.published_at or process.created_at,
            space=("process", process.id),
        )


searchable = (
    Searchable(
        "process",
        Process,
        documents=documents,
        query=lambda: db.select(Process).order_by(Process.id),
        is_public=lambda process: process.is_published,
    ),
)
