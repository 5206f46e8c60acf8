"""The demo city's starter table of search synonyms (seeds/demo/search.toml). Idempotent: a set
whose expressions are all in the table already is not added again."""

from __future__ import annotations

from ..core.db import transaction
from ..core.seeds import read_seed
from ..extensions import db
from .models import SearchSynonym


def starter_sets() -> list[list[str]]:
    return [item["terms"] for item in read_seed("search").get("synonyms", [])]


def load_demo() -> None:
    with transaction():
        present = {line.strip() for s in db.session.scalars(db.select(SearchSynonym.terms)) for line in s.splitlines()}
        for terms in starter_sets():
            if not set(terms) <= present:
                db.session.add(SearchSynonym(terms="\n".join(terms), note=""))
