"""The law register and the demo projects of みどり川市 from seeds/demo/governance.toml. Idempotent:
a law is found again by its code and its texts replaced; a project is created once (found by its
Japanese title), through the services, so its history and gates are those staff would produce."""

from __future__ import annotations

from ..core.db import transaction
from ..core.seeds import read_seed, text
from ..extensions import db
from .models import Law


def seed_laws(data: dict) -> None:
    with transaction():
        existing = {law.code: law for law in db.session.scalars(db.select(Law))}
        for row in data.get("laws", []):
            law = existing.get(row["code"]) or Law(code=row["code"])
            law.kind = row["kind"]
            law.title = text(row["title"])
            law.summary = text(row.get("summary"))
            law.data_types = list(row.get("data_types", []))
            db.session.add(law)


def seed() -> None:
    data = read_seed("governance")
    seed_laws(data)
    from .demo import seed_projects

    seed_projects(data)
