"""The home page's "open now" section: consultations running today, their deadline and what
residents can do in each, in two queries whatever their number."""

from __future__ import annotations

from ..core.components import stage_switches
from ..core.slots import render
from ..core.types import local_today
from ..extensions import db
from .models import OPEN, Process
from .views import _listing

HOME_LIMIT = 6


def open_now(district=None, **_context):
    today = local_today()
    query = _listing(OPEN, today)
    if district is not None:  # the district's own consultations and those for the whole city
        query = query.where(db.or_(Process.district_id == district.id, Process.district_id.is_(None)))
    processes = db.session.scalars(query.limit(HOME_LIMIT + 1)).all()
    switches = stage_switches()
    items = []
    for process in processes[:HOME_LIMIT]:
        phase = process.current_phase(today)
        items.append(
            {
                "process": process,
                "phase": phase,
                "deadline": phase.ends_on if phase else process.ends_on,
                "days_left": ((phase.ends_on if phase else process.ends_on) - today).days,
                "doings": [s.short or s.label for s in switches if phase is not None and phase.allows(s.name)],
            }
        )
    return render("processes/_home_open.html", items=items, more=len(processes) > HOME_LIMIT, district=district)
