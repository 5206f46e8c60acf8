"""Benchmark of the register of cameras and sensors.

    .venv/bin/python benchmarks/sensors_bench.py            # SQLite in a temporary directory
    DATABASE_URL=postgresql://... .venv/bin/python benchmarks/sensors_bench.py   # an EMPTY database

Measures, with 10 and with 5,000 published devices, the SQL statements and the median time of the
public list/map page (/sensors) and of the GeoJSON endpoint (/sensors.geojson); the statement
counts must be equal. Then times a CSV import of 2,000 devices (one transaction, search indexing
left to `flask search sync`). Exits non-zero if a count grows with the data.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from participation import create_app  # noqa: E402
from participation.core.types import LocalizedText, utcnow  # noqa: E402
from participation.extensions import db  # noqa: E402
from participation.sensors import opendata, services  # noqa: E402
from participation.sensors.models import Device  # noqa: E402

PATHS = ("/sensors", "/sensors.geojson")
REPEAT = 15


def _fields(i: int) -> dict:
    def t(ja: str, en: str) -> LocalizedText:
        return LocalizedText({"ja": ja, "en": en})

    return {
        "name": t(f"見守りカメラ {i}", f"Watch camera {i}"),
        "kind": ("camera", "ai_camera", "infrared_counter", "wifi_ble")[i % 4],
        "latitude": 34.70 + (i % 100) * 0.001,
        "longitude": 134.80 + (i // 100) * 0.001,
        "address": t(f"みどり川市駅前町{i}", f"Ekimae-cho {i}"),
        "organisation": t(f"みどり川市 課{i % 7}", f"Division {i % 7}"),
        "contact": t("地域安全課 0790-00-1234", "Community Safety 0790-00-1234"),
        "purposes": t("通学路での子どもの見守りと事故発生時の状況確認", "Watching children on school routes"),
        "legal_basis": t("条例第3条", "Ordinance Art. 3"),
        "captured": t("歩道の映像", "Video of the pavement"),
        "identifiability": "identifiable",
        "kept": t("映像を12日間保存", "Video kept 12 days"),
        "retention_days": 12,
        "access": t("指定職員のみ", "Designated staff"),
        "privacy_measures": t("窓のマスキング", "Windows masked"),
        "storage_location": t("SDカード", "SD card"),
        "active_since": __import__("datetime").date(2025, 4, 1),
        "dtpr": {"purpose": ["safety_security"], "tech": ["video_camera"]},
    }


def _add_devices(app, start: int, count: int) -> None:
    with app.app_context():
        now = utcnow()
        for i in range(start, start + count):
            device = Device()
            services._apply(device, services._clean(_fields(i)))
            device.published_at = now
            db.session.add(device)
        db.session.commit()


def _measure(app, client, path: str) -> tuple[int, float]:
    statements = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    client.get(path)  # warm caches
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        client.get(path)
        times.append(time.perf_counter() - start)
    return len(statements), statistics.median(times) * 1000


def _app(tmp: Path, url: str | None):
    config = {
        "APP_ENV": "testing",
        "SECRET_KEY": "bench",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "localhost",
        "PUBLIC_URL": "http://localhost",
        "DATABASE_URL": url or f"sqlite:///{tmp / 'bench.sqlite'}",
        "SEARCH_INDEX_DIR": str(tmp / "index"),
    }
    app = create_app(config, instance_path=str(tmp / "instance"))
    with app.app_context():
        upgrade()
    return app


def _csv(n: int) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=opendata.columns())
    writer.writeheader()
    for i in range(n):
        row = {}
        for name, value in _fields(i).items():
            if isinstance(value, LocalizedText):
                row.update({f"{name}_{loc}": text for loc, text in value.items()})
            elif name == "dtpr":
                row[name] = opendata.dtpr.format(value)
            else:
                row[name] = str(value)
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def main() -> int:
    url = os.environ.get("DATABASE_URL")
    results = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        app = _app(tmp / "a", url)
        client = app.test_client()
        done = 0
        for n in (10, 5000):
            _add_devices(app, done, n - done)
            done = n
            for path in PATHS:
                results[(path, n)] = _measure(app, client, path)
        print(f"{'path':<20}{'devices':>8}{'queries':>9}{'median ms':>11}")
        for (path, n), (queries, ms) in results.items():
            print(f"{path:<20}{n:>8}{queries:>9}{ms:>11.1f}")
        with app.app_context():
            db.session.execute(db.text("DELETE FROM sensors_devices"))
            db.session.commit()
            data = _csv(2000)
            start = time.perf_counter()
            imported = opendata.import_csv(None, data)
            elapsed = time.perf_counter() - start
            print(f"CSV import of {len(imported)} devices: {elapsed:.2f} s (one transaction)")
            db.session.remove()
            db.engine.dispose()
    grew = [path for path in PATHS if results[(path, 10)][0] != results[(path, 5000)][0]]
    if grew:
        print("query count grows with the data:", grew)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
