from __future__ import annotations

from datetime import UTC, date, datetime

from participation.extensions import db
from participation.rights.models import Kind, RightsRequest
from participation.rights.statistics import fiscal_quarter

from ..conftest import html_of


def test_fiscal_quarters_start_in_april():
    assert fiscal_quarter(date(2026, 4, 1)) == (2026, 1)
    assert fiscal_quarter(date(2026, 6, 30)) == (2026, 1)
    assert fiscal_quarter(date(2026, 7, 1)) == (2026, 2)
    assert fiscal_quarter(date(2026, 12, 31)) == (2026, 3)
    assert fiscal_quarter(date(2027, 1, 1)) == (2026, 4)
    assert fiscal_quarter(date(2027, 3, 31)) == (2026, 4)


def test_public_statistics_per_quarter(app, client, file_request, count_queries):
    ids = [
        file_request(kind=Kind.DISCLOSURE),
        file_request(kind=Kind.DISCLOSURE),
        file_request(kind=Kind.ERASURE),
        file_request(kind=Kind.COMPLAINT, topic="devices"),
    ]
    with app.app_context():
        # 2026-03-31 23:30 JST is still fiscal 2025 Q4 (UTC 14:30); the others fall in fiscal 2026 Q1.
        moments = [
            (datetime(2026, 3, 31, 14, 30, tzinfo=UTC), None),
            (datetime(2026, 4, 1, 0, 0, tzinfo=UTC), datetime(2026, 4, 5, 0, 0, tzinfo=UTC)),
            (datetime(2026, 4, 2, 0, 0, tzinfo=UTC), datetime(2026, 4, 12, 0, 0, tzinfo=UTC)),
            (datetime(2026, 5, 1, 0, 0, tzinfo=UTC), datetime(2026, 5, 2, 0, 0, tzinfo=UTC)),
        ]
        for request_id, (created, closed) in zip(ids, moments, strict=True):
            item = db.session.get(RightsRequest, request_id)
            item.created_at, item.closed_at = created, closed
            if closed:
                item.status, item.response = "answered", "回答"
        db.session.commit()
    with count_queries() as counted:
        page = html_of(client.get("/rights/statistics"))
    assert "2026年度 第1四半期" in page and "2025年度 第4四半期" in page
    assert "回答までの日数の中央値：4" in page  # 4, 10 and 1 days
    assert "カメラやセンサー" in page
    assert "contact" not in page and "visitor@example.jp" not in page
    assert counted.n == 2  # the site settings and one query of the requests


def test_demo_seed_fills_the_desk_once(make_app):
    app = make_app(APP_ENV="development")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    with app.app_context():
        first = db.session.scalar(db.select(db.func.count(RightsRequest.id)))
        assert first == 9
        assert (
            db.session.scalar(db.select(db.func.count(RightsRequest.id)).where(RightsRequest.closed_at.is_(None))) == 2
        )
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(RightsRequest.id))) == first
    assert "四半期" in html_of(app.test_client().get("/rights/statistics"))
