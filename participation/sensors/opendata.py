"""The register as open data (CSV and GeoJSON), and CSV import for staff. An import checks every
row against the publication rules first and imports nothing unless every row is good; a good file
goes in as one transaction."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date

from flask_babel import lazy_gettext as _l

from ..core import csvfile
from ..core.action_log import log_action
from ..core.db import transaction
from ..core.models import District, User
from ..core.searchable import defer_indexing
from ..core.types import LocalizedText, utcnow
from ..extensions import db
from . import dtpr
from .models import DATE_FIELDS, DISCLOSURE_FIELDS, KIND_LABELS, LOCALIZED_FIELDS, Device, DeviceVersion
from .services import SensorError, _apply, _check, _clean, publication_problems

LOCALES = ("ja", "en")
BOOL_FIELDS = ("mobile", "face_recognition", "feature_extraction", "deleted_at_once", "third_party", "live_monitoring")
MAX_ROWS = 10_000
MAX_BYTES = 10 * 1024 * 1024
# Above this many rows the search index is updated in the background (`flask search sync`, or a
# background thread of the process), not inside the import request: indexing 2,000 devices takes far longer than importing them.
DEFER_INDEXING_ABOVE = 200


def columns() -> list[str]:
    """The CSV header: one column per field, two (``_ja``, ``_en``) per localised field; the
    district by its Japanese name."""
    names = []
    for name in DISCLOSURE_FIELDS:
        if name in LOCALIZED_FIELDS:
            names += [f"{name}_{locale}" for locale in LOCALES]
        elif name == "district_id":
            names.append("district")
        else:
            names.append(name)
    return names


def _cell(device: Device, name: str, districts: dict[int, str]) -> str:
    value = getattr(device, name)
    if name == "district_id":
        return districts.get(value, "")
    if name == "dtpr":
        return dtpr.format(value)
    if name in BOOL_FIELDS:
        return "1" if value else "0"
    if name in DATE_FIELDS:
        return value.isoformat() if value else ""
    if name in ("latitude", "longitude"):
        return "" if value is None else f"{value:.6f}"
    return "" if value is None else str(value)


def published_query():
    return db.select(Device).where(Device.published_at.is_not(None)).order_by(Device.id)


def csv_table(query) -> tuple[list[str], Iterator[list]]:
    """The devices ``query`` selects as a CSV header and rows (written by core.csvfile: UTF-8 with a
    BOM, formulas kept as text, so a device named ``=HYPERLINK(...)`` stays a name). The rows are read
    in batches when iterated (as the response streams)."""
    districts = {
        d.id: d.name.get("ja") or next(iter(d.name.values()), "") for d in db.session.scalars(db.select(District))
    }

    def rows() -> Iterator[list]:
        for device in db.session.scalars(query.execution_options(yield_per=500)):
            row = [device.id]
            for name in DISCLOSURE_FIELDS:
                if name in LOCALIZED_FIELDS:
                    value = getattr(device, name)
                    row += [(value.get(locale, "") if value else "") for locale in LOCALES]
                else:
                    row.append(_cell(device, name, districts))
            row.append(device.published_at.isoformat() if device.published_at else "")
            yield row

    return ["id", *columns(), "published_at"], rows()


GEOJSON_COLUMNS = (
    Device.id,
    Device.name,
    Device.kind,
    Device.latitude,
    Device.longitude,
    Device.organisation,
    Device.retention_days,
    Device.deleted_at_once,
    Device.active_until,
    Device.dtpr,
)


def geojson(devices, url_for_device) -> dict:
    """A FeatureCollection of fixed published devices (mobile ones have no point); ``devices`` are
    rows of GEOJSON_COLUMNS or Device objects."""
    features = []
    kind_labels = {kind: str(label) for kind, label in KIND_LABELS.items()}
    for device in devices:
        if device.latitude is None or device.longitude is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": device.id,
                "geometry": {"type": "Point", "coordinates": [round(device.longitude, 6), round(device.latitude, 6)]},
                "properties": {
                    "name": device.name.to_json()["text"] if device.name else {},
                    "kind": device.kind,
                    "kind_label": kind_labels.get(device.kind, device.kind),
                    "organisation": device.organisation.to_json()["text"] if device.organisation else {},
                    "retention_days": device.retention_days,
                    "deleted_at_once": device.deleted_at_once,
                    "active_until": device.active_until.isoformat() if device.active_until else None,
                    "dtpr": device.dtpr or {},
                    "url": url_for_device(device),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


# --- import --------------------------------------------------------------------------------------

BROKEN_ENCODING = _l("The file cannot be read: save it as CSV in UTF-8 or Shift_JIS.")
EMPTY_FILE = _l("The file has no devices in it.")
TOO_BIG = _l("The file is too large: import at most 10,000 devices (10 MB) at a time.")
MISSING_COLUMNS = _l("The header row lacks these columns: %(columns)s")
BAD_NUMBER = _l("“%(column)s” must be a number.")
BAD_DATE = _l("“%(column)s” must be a date like 2026-04-01.")
BAD_BOOL = _l("“%(column)s” must be 1 or 0.")
UNKNOWN_DISTRICT_NAME = _l("Unknown district “%(name)s”.")
ROW_PROBLEM = _l("%(field)s: %(message)s")


class ImportRefused(Exception):
    """The file was not imported; ``problems`` are (line number or None, message) pairs."""

    def __init__(self, problems: list[tuple[int | None, object]]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def decode(data: bytes) -> str:
    """UTF-8 (with or without a BOM) or Shift_JIS/CP932, as spreadsheets save them."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused([(None, BROKEN_ENCODING)])


def _row_fields(row: dict, districts: dict[str, int]) -> tuple[dict, list]:
    problems = []
    fields: dict = {}
    for name in DISCLOSURE_FIELDS:
        if name in LOCALIZED_FIELDS:
            texts = {loc: (row.get(f"{name}_{loc}") or "").strip() for loc in LOCALES}
            texts = {loc: text for loc, text in texts.items() if text}
            fields[name] = LocalizedText(texts) if texts else None
            continue
        raw = (row.get("district" if name == "district_id" else name) or "").strip()
        try:
            if name == "district_id":
                fields[name] = None
                if raw:
                    if raw not in districts:
                        problems.append(_l("Unknown district “%(name)s”.", name=raw))
                    fields[name] = districts.get(raw)
            elif name == "dtpr":
                fields[name] = dtpr.parse(raw)
            elif name in BOOL_FIELDS:
                if raw.lower() not in ("", "0", "1", "true", "false", "yes", "no"):
                    problems.append(_l("“%(column)s” must be 1 or 0.", column=name))
                fields[name] = raw.lower() in ("1", "true", "yes")
            elif name in DATE_FIELDS:
                fields[name] = date.fromisoformat(raw) if raw else None
            elif name in ("latitude", "longitude"):
                fields[name] = float(raw) if raw else None
            elif name == "retention_days":
                fields[name] = int(raw) if raw else None
            else:
                fields[name] = raw or None
        except ValueError:
            if name == "dtpr":
                problems.append(_l("Choose DTPR categories and values from the list."))
            elif name in DATE_FIELDS:
                problems.append(_l("“%(column)s” must be a date like 2026-04-01.", column=name))
            else:
                problems.append(_l("“%(column)s” must be a number.", column=name))
            fields[name] = None
    return fields, problems


def _validate(fields: dict) -> list:
    """Every reason the row cannot be published (not only the first)."""
    from .models import FIELD_LABELS

    problems = []
    try:
        _check(fields)
    except SensorError as error:
        problems.append(error.message)
    probe = Device()
    _apply(probe, fields)
    for name, message in publication_problems(probe):
        problems.append(_l("%(field)s: %(message)s", field=FIELD_LABELS[name], message=message))
    return problems


def import_csv(actor: User | None, data: bytes, *, publish: bool = True) -> list[Device]:
    """Import every row or none. Raises ImportRefused listing each bad row by its line number."""
    if len(data) > MAX_BYTES:
        raise ImportRefused([(None, TOO_BIG)])
    text = decode(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    needed = {"name_ja", "name_en", "kind"}
    if not header:
        raise ImportRefused([(None, EMPTY_FILE)])
    lacking = sorted(needed - set(header))
    if lacking:
        raise ImportRefused([(1, _l("The header row lacks these columns: %(columns)s", columns=", ".join(lacking)))])
    districts = {}
    for district in db.session.scalars(db.select(District)):
        for name in district.name.values():
            districts[name] = district.id
    problems: list[tuple[int | None, object]] = []
    rows: list[dict] = []
    for row in reader:
        line = reader.line_num
        row = {key: csvfile.uncell(value) if isinstance(value, str) else value for key, value in row.items()}
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportRefused([(None, TOO_BIG)])
        fields, row_problems = _row_fields(row, districts)
        if not row_problems:
            try:
                fields = _clean(fields)
            except TypeError:  # pragma: no cover - the header is built from DISCLOSURE_FIELDS
                raise
            row_problems = _validate(fields)
        problems += [(line, message) for message in row_problems]
        rows.append(fields)
    if problems:
        raise ImportRefused(problems)
    if not rows:
        raise ImportRefused([(None, EMPTY_FILE)])
    with transaction():
        if len(rows) > DEFER_INDEXING_ABOVE:
            defer_indexing(db.session())
        now = utcnow()
        devices = []
        for fields in rows:
            device = Device()
            _apply(device, fields)
            if publish:
                device.published_at = now
            db.session.add(device)
            devices.append(device)
        db.session.flush()
        if publish:
            db.session.add_all(
                DeviceVersion(device_id=d.id, number=1, snapshot=d.snapshot(), changed=[], created_at=now)
                for d in devices
            )
        log_action(actor, "sensor.imported", None, data={"count": len(devices), "published": publish})
    return devices
