from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time

from participation.core.action_log import describe
from participation.core.models import ActionLog
from participation.core.types import local_today
from participation.extensions import db
from participation.processes import seeds, services
from participation.processes.models import OPEN, PAST, UPCOMING, Phase, Process, ProcessCategory

from .conftest import get_process, ja


def _actions(app):
    with app.app_context():
        return db.session.execute(db.select(ActionLog.action, ActionLog.visibility).order_by(ActionLog.id)).all()


def test_state_follows_the_first_and_last_days_inclusively(app, make_process, today):
    for phases, state in [
        (((1, 5),), UPCOMING),
        (((0, 5),), OPEN),
        (((-5, 0),), OPEN),
        (((-9, -5), (-4, 3)), OPEN),
        (((-5, -1),), PAST),
    ]:
        assert get_process(app, make_process(phases=phases)).state(today) == state, phases


def test_current_phase_contains_today_and_gaps_have_none(app, make_process, today):
    process_id = make_process(phases=((-10, -3), (-2, 2), (5, 9)))
    with app.app_context():
        process = db.session.get(Process, process_id)
        assert process.current_phase(today).title["ja"] == "段階2"
        assert process.current_phase(today + timedelta(days=3)) is None
        assert process.state(today + timedelta(days=3)) == OPEN
        assert [p.position for p in process.phases] == [0, 1, 2]


@pytest.mark.parametrize(("zone", "expected"), [("Asia/Tokyo", date(2026, 12, 1)), ("UTC", date(2026, 11, 30))])
def test_today_is_the_city_calendar_day(make_app, zone, expected):
    app = make_app(TIMEZONE=zone)
    with app.app_context(), freeze_time(datetime(2026, 11, 30, 15, 30, tzinfo=UTC)):
        assert local_today() == expected


def test_overlapping_phases_are_refused_and_nothing_changes(app, make_process, today):
    process_id = make_process(phases=((0, 10),))
    with app.app_context():
        process = db.session.get(Process, process_id)
        for start, end in [(10, 12), (-3, 0), (2, 4), (-5, 20)]:
            with pytest.raises(services.ProcessError) as refused:
                services.add_phase(
                    None,
                    process,
                    title=ja("重なる段階"),
                    starts_on=today + timedelta(days=start),
                    ends_on=today + timedelta(days=end),
                )
            assert "段階1" in str(refused.value.message)
        # The next day after the last one is fine.
        services.add_phase(
            None, process, title=ja("次"), starts_on=today + timedelta(days=11), ends_on=today + timedelta(days=11)
        )
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Phase.id))) == 2


def test_end_before_start_is_refused(app, make_process, today):
    process_id = make_process(phases=((0, 10), (11, 20)))
    with app.app_context():
        phase = db.session.get(Process, process_id).phases[0]
        with pytest.raises(services.ProcessError, match="終了日は開始日"):
            services.update_phase(None, phase, title=ja("改"), starts_on=today + timedelta(days=2), ends_on=today)
        services.update_phase(
            None, phase, title=ja("改"), starts_on=today + timedelta(days=1), ends_on=today + timedelta(days=10)
        )
    process = get_process(app, process_id)
    assert [(p.title["ja"], p.starts_on - today) for p in process.phases] == [
        ("改", timedelta(days=1)),
        ("段階2", timedelta(days=11)),
    ]


def test_titles_are_required(app):
    with app.app_context():
        with pytest.raises(services.ProcessError):
            services.create_process(None, title=ja(""), summary=ja("概要"))
        with pytest.raises(services.ProcessError):
            services.create_process(None, title=ja("題"), summary=ja("  "))
        with pytest.raises(services.ProcessError):
            services.create_process(None, title=ja("題"), summary=ja("概要"), district_id=999)
        assert db.session.scalar(db.select(db.func.count(Process.id))) == 0


def test_publishing_needs_a_phase_and_is_logged_publicly(app, make_process):
    draft = make_process(phases=(), published=False)
    with app.app_context():
        process = db.session.get(Process, draft)
        with pytest.raises(services.ProcessError):
            services.publish(None, process)
        assert process.published_at is None
    ready = make_process(published=False)
    with app.app_context():
        process = db.session.get(Process, ready)
        assert services.publish(None, process) is True
        assert services.publish(None, process) is False
        assert services.unpublish(None, process) is True
        assert services.unpublish(None, process) is False
    actions = [a for a in _actions(app) if a.action in ("process.published", "process.unpublished")]
    assert actions == [("process.published", "public"), ("process.unpublished", "restricted")]


def test_the_last_phase_of_a_published_process_stays(app, make_process):
    process_id = make_process(phases=((0, 3), (4, 6)))
    with app.app_context():
        process = db.session.get(Process, process_id)
        services.delete_phase(None, process.phases[0])
        with pytest.raises(services.ProcessError):
            services.delete_phase(None, process.phases[0])
    assert len(get_process(app, process_id).phases) == 1


def test_categories_and_every_change_is_logged_with_a_label(app, make_process):
    process_id = make_process()
    with app.app_context():
        process = db.session.get(Process, process_id)
        services.update_process(None, process, title=ja("新しい題"), summary=ja("概要"), district_id=None)
        first = services.add_category(None, process, name=ja("歩行者"))
        second = services.add_category(None, process, name=ja("緑化"))
        services.update_category(None, first, name=ja("歩行者の動線"))
        services.delete_category(None, second)
        services.update_phase(
            None, process.phases[0], title=ja("改"), starts_on=process.starts_on, ends_on=process.ends_on
        )
        assert [c.position for c in process.categories] == [0]
        assert db.session.scalar(db.select(db.func.count(ProcessCategory.id))) == 1
    actions = _actions(app)
    assert {a.action for a in actions} == {
        "process.created",
        "process.phase_added",
        "process.published",
        "process.updated",
        "process.category_added",
        "process.category_updated",
        "process.category_deleted",
        "process.phase_updated",
    }
    assert {a.visibility for a in actions if a.action != "process.published"} == {"restricted"}
    with app.test_request_context():
        for entry in db.session.scalars(db.select(ActionLog)):
            assert describe(entry) != entry.action


def test_demo_seed_is_idempotent_and_covers_every_state(app):
    from participation.core.seeds import seed_site

    with app.app_context():
        seed_site()
        seeds.seed()
        seeds.seed()
        processes = db.session.scalars(db.select(Process).order_by(Process.id)).all()
        assert len(processes) == 4
        assert db.session.scalar(db.select(db.func.count(Phase.id))) == sum(len(p.phases) for p in processes)
        day = date(2026, 11, 22)
        states = {p.title["ja"]: p.state(day) for p in processes if p.is_published}
        assert states == {
            "駅前広場の再整備": PAST,
            "さくら台公園の遊具更新": OPEN,
            "地域の防犯カメラ設置方針への意見募集": UPCOMING,
        }
        assert all("en" in p.title and "en" in p.summary for p in processes)
        for process in processes:
            phases = process.phases
            assert all(a.ends_on < b.starts_on for a, b in zip(phases, phases[1:], strict=False))
