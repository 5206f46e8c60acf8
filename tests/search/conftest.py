from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from participation.core.types import LocalizedText, utcnow
from participation.extensions import db
from participation.processes.models import Process

from ..processes.conftest import make_process, today  # noqa: F401 (fixtures)


@pytest.fixture
def add_process(app) -> Callable[..., int]:
    """A consultation written straight to the database (published unless told otherwise)."""

    def build(title: str, summary: str = "", *, en: tuple[str, str] | None = None, published: bool = True) -> int:
        with app.app_context():
            titles, summaries = {"ja": title}, {"ja": summary or title}
            if en:
                titles["en"], summaries["en"] = en
            process = Process(
                title=LocalizedText(titles, "ja"),
                summary=LocalizedText(summaries, "ja"),
                published_at=utcnow() if published else None,
            )
            db.session.add(process)
            db.session.commit()
            return process.id

    return build


def hits(client, q: str, **params) -> list[int]:
    """The ids of the consultations a search returns, in order."""
    return [
        int(n)
        for n in re.findall(r'<h2 class="search-hit__title"><a href="/processes/(\d+)"', found(client, q, **params))
    ]


def found(client, q: str, **params) -> str:
    response = client.get("/search", query_string={"q": q, **params})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def indexed_keys(app) -> set[str]:
    from participation.search.backend import backend

    with app.app_context():
        return backend().indexed_keys()
