"""Demo consultations of みどり川市 from seeds/demo/processes.toml. Idempotent: a process is found
again by its Japanese title, and its stages and categories are replaced by those in the file."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ..core.components import clean_settings, clean_switches, component, stage_switch
from ..core.db import transaction
from ..core.seeds import district_ids, read_seed, seed_log, text
from ..extensions import db
from .models import Phase, Process, ProcessCategory


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def seed() -> None:
    data = read_seed("processes")["processes"]
    districts = district_ids()
    with transaction():
        existing = {p.title.get("ja"): p for p in db.session.scalars(db.select(Process))}
        for item in data:
            process = existing.get(item["title"]["ja"]) or Process()
            process.title = text(item["title"])
            process.summary = text(item["summary"])
            process.description = text(item.get("description"))
            process.district_id = districts.get(item.get("district", ""))
            # only the components this app has (a demo without proposals skips their settings)
            settings = {name: values for name, values in item.get("settings", {}).items() if component(name)}
            process.settings = clean_settings({}, settings)
            published = item.get("published_at")
            process.published_at = datetime.fromisoformat(str(published)).astimezone(UTC) if published else None
            process.phases.clear()
            process.categories.clear()
            db.session.add(process)
            db.session.flush()
            if process.published_at:
                seed_log(None, "process.published", process, process.published_at)
            for position, phase in enumerate(item.get("phases", [])):
                process.phases.append(
                    Phase(
                        position=position,
                        title=text(phase["title"]),
                        starts_on=_date(phase["starts_on"]),
                        ends_on=_date(phase["ends_on"]),
                        switches=clean_switches(
                            {}, {name: True for name in phase.get("switches", []) if stage_switch(name)}
                        ),
                    )
                )
            for position, name in enumerate(item.get("categories", [])):
                process.categories.append(ProcessCategory(position=position, name=text(name)))
