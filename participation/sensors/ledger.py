"""The footage-release ledger and the yearly operating report built from it. Entries are only
ever added: a mistake is corrected by a new entry naming the one it replaces, so the public record
shows both. Nothing about the people filmed or the case is recorded."""

from __future__ import annotations

from collections import Counter
from datetime import date

from flask_babel import lazy_gettext as _l

from ..core.action_log import PUBLIC, log_action
from ..core.db import transaction
from ..core.models import User
from ..core.types import LocalizedText, local_today
from ..extensions import db
from .models import GROUNDS, RECIPIENTS, Device, FootageRelease
from .models import release_devices as _link
from .services import SensorError

MAX_ITEMS = 100_000

NO_DEVICE = _l("Choose at least one published device.")
UNKNOWN_DEVICE = _l("One of the chosen devices is not in the public register.")
UNKNOWN_GROUND = _l("Choose the ground from the list.")
UNKNOWN_RECIPIENT = _l("Choose the type of recipient from the list.")
ITEMS_RANGE = _l("The number of items must be a whole number from 1 to 100,000.")
DATE_MISSING = _l("Enter the date of the release.")
DATE_FUTURE = _l("The date of the release cannot be in the future.")
ALREADY_CORRECTED = _l("This entry has already been corrected: correct the latest entry instead.")
NOTE_MISSING = _l("Say what the correction changes (without any personal information).")


def fiscal_year_of(day: date) -> int:
    """The Japanese fiscal year (April to March) a day belongs to, by the year it starts in."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(year: int) -> tuple[date, date]:
    return date(year, 4, 1), date(year + 1, 3, 31)


def _corrected():
    """Ids of entries some later entry corrects (they no longer count)."""
    return db.select(FootageRelease.corrects_id).where(FootageRelease.corrects_id.is_not(None))


def record_release(
    actor: User | None,
    *,
    released_on: date | None,
    device_ids: list[int],
    ground: str,
    recipient_type: str,
    items: int | None,
    corrects: FootageRelease | None = None,
    correction_note: LocalizedText | None = None,
) -> FootageRelease:
    """Add an entry to the ledger (a correction when ``corrects`` is given)."""
    with transaction():
        if released_on is None:
            raise SensorError(DATE_MISSING)
        if released_on > local_today():
            raise SensorError(DATE_FUTURE)
        ids = sorted({int(i) for i in device_ids or ()})
        if not ids:
            raise SensorError(NO_DEVICE)
        devices = db.session.scalars(
            db.select(Device).where(Device.id.in_(ids), Device.published_at.is_not(None)).order_by(Device.id)
        ).all()
        if len(devices) != len(ids):
            raise SensorError(UNKNOWN_DEVICE)
        if ground not in GROUNDS:
            raise SensorError(UNKNOWN_GROUND)
        if recipient_type not in RECIPIENTS:
            raise SensorError(UNKNOWN_RECIPIENT)
        if not isinstance(items, int) or isinstance(items, bool) or not 1 <= items <= MAX_ITEMS:
            raise SensorError(ITEMS_RANGE)
        if corrects is not None:
            taken = db.session.scalar(
                db.select(db.func.count(FootageRelease.id)).where(FootageRelease.corrects_id == corrects.id)
            )
            if taken:
                raise SensorError(ALREADY_CORRECTED)
            if not correction_note:
                raise SensorError(NOTE_MISSING)
        release = FootageRelease(
            released_on=released_on,
            ground=ground,
            recipient_type=recipient_type,
            items=items,
            corrects_id=corrects.id if corrects is not None else None,
            correction_note=correction_note if corrects is not None else None,
            actor_id=getattr(actor, "id", None),
        )
        release.devices = list(devices)
        db.session.add(release)
        db.session.flush()
        log_action(
            actor,
            "sensor.release_corrected" if corrects is not None else "sensor.release_recorded",
            None,
            visibility=PUBLIC,
            data={"release": release.id, **({"corrects": corrects.id} if corrects is not None else {})},
        )
    return release


def ledger_query(year: int | None = None):
    """Every entry, newest first, with its devices; optionally one fiscal year."""
    query = db.select(FootageRelease).options(
        db.selectinload(FootageRelease.devices), db.selectinload(FootageRelease.corrects)
    )
    if year is not None:
        start, end = fiscal_year_bounds(year)
        query = query.where(FootageRelease.released_on.between(start, end))
    return query.order_by(FootageRelease.released_on.desc(), FootageRelease.id.desc())


def corrected_ids(release_ids: list[int]) -> dict[int, int]:
    """For the given entries, {corrected entry id: id of the entry that corrects it}."""
    if not release_ids:
        return {}
    rows = db.session.execute(
        db.select(FootageRelease.corrects_id, FootageRelease.id).where(FootageRelease.corrects_id.in_(release_ids))
    ).all()
    return dict(rows)


def yearly_report(year: int) -> dict:
    """Figures for one fiscal year: devices in operation during it, by kind and by district; and
    releases that count (not since corrected), by ground and by recipient type. Four queries."""
    start, end = fiscal_year_bounds(year)
    operating = (
        Device.published_at.is_not(None),
        Device.active_since <= end,
        db.or_(Device.active_until.is_(None), Device.active_until >= start),
    )
    by_kind = dict(
        db.session.execute(
            db.select(Device.kind, db.func.count(Device.id)).where(*operating).group_by(Device.kind)
        ).all()
    )
    by_district = Counter(
        dict(
            db.session.execute(
                db.select(Device.district_id, db.func.count(Device.id)).where(*operating).group_by(Device.district_id)
            ).all()
        )
    )
    counting = (
        FootageRelease.released_on.between(start, end),
        FootageRelease.id.not_in(_corrected()),
    )
    releases = db.session.execute(
        db.select(
            FootageRelease.ground,
            FootageRelease.recipient_type,
            db.func.count(FootageRelease.id),
            db.func.sum(FootageRelease.items),
        )
        .where(*counting)
        .group_by(FootageRelease.ground, FootageRelease.recipient_type)
    ).all()
    by_ground: Counter = Counter()
    items_by_ground: Counter = Counter()
    by_recipient: Counter = Counter()
    for ground, recipient, count, items in releases:
        by_ground[ground] += count
        items_by_ground[ground] += items or 0
        by_recipient[recipient] += count
    released_devices = db.session.scalar(
        db.select(db.func.count(db.distinct(_link.c.device_id)))
        .select_from(_link)
        .join(FootageRelease, FootageRelease.id == _link.c.release_id)
        .where(*counting)
    )
    return {
        "year": year,
        "start": start,
        "end": end,
        "by_kind": by_kind,
        "by_district": by_district,
        "devices": sum(by_kind.values()),
        "by_ground": by_ground,
        "items_by_ground": items_by_ground,
        "by_recipient": by_recipient,
        "releases": sum(by_ground.values()),
        "recordings": sum(items_by_ground.values()),
        "released_devices": released_devices or 0,
    }
