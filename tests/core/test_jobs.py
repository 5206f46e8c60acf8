"""Background jobs: enqueued with the change that causes them, run once, retried with backoff, kept
with their error when they keep failing. The queue is PostgreSQL's on PostgreSQL (JOBS_BACKEND
database, what production runs) and the in-process one on SQLite (development); tests elsewhere use
the inline backend."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text

from participation.core import jobs
from participation.core.db import transaction
from participation.core.jobs.models import JobError
from participation.core.mail import send_mail
from participation.core.types import utcnow
from participation.extensions import db

from ..conftest import ON_POSTGRES

QUEUE = "database" if ON_POSTGRES else "memory"


@pytest.fixture
def queue_app(make_app):
    app = make_app(JOBS_BACKEND=QUEUE)
    yield app
    jobs.backend(app).reset()


def _mail(to: str = "someone@example.jp") -> None:
    send_mail(to, "rights_erased", locale="ja", request=None)


def _outbox(app) -> list:
    state = app.extensions["mailman"]
    state.outbox = []
    return state.outbox


def _rows(app) -> list[dict]:
    """Every job the queue holds, as (task, state, attempts, scheduled_at)."""
    with app.app_context():
        views, _total = jobs.backend(app).listing(None, 0, 1000)
        return [{"name": v.name, "state": v.state, "attempts": v.attempts, "at": v.scheduled_at} for v in views]


def _make_due(app) -> None:
    """What waiting for the backoff would do: every waiting job becomes due now."""
    queue = jobs.backend(app)
    with app.app_context():
        if queue.kind == "database":
            with transaction():
                db.session.execute(text("UPDATE procrastinate_jobs SET scheduled_at = now() - interval '1 second'"))
        else:
            for row in queue.connector.jobs.values():
                row["scheduled_at"] = utcnow() - timedelta(seconds=1)


def test_a_rolled_back_change_enqueues_nothing(queue_app):
    outbox = _outbox(queue_app)
    with queue_app.app_context(), pytest.raises(RuntimeError), transaction():
        _mail()
        raise RuntimeError("the change fails after asking for the mail")
    jobs.work(queue_app)
    assert _rows(queue_app) == []
    assert outbox == []


def test_a_rolled_back_change_runs_nothing_inline(app, outbox):
    with app.app_context(), pytest.raises(RuntimeError), transaction():
        _mail()
        raise RuntimeError("rolled back")
    assert outbox == []
    with app.app_context(), transaction():
        _mail()
    assert len(outbox) == 1  # inline: right after the commit


def test_a_committed_job_waits_in_the_queue_until_a_worker_runs_it(queue_app):
    outbox = _outbox(queue_app)
    with queue_app.app_context(), transaction():
        _mail("resident@example.jp")
    if QUEUE == "database":  # a CLI process on the in-process queue runs it at once instead
        assert [(r["name"], r["state"]) for r in _rows(queue_app)] == [("mail.send", "waiting")]
        assert outbox == []
    jobs.work(queue_app)
    assert [m.to for m in outbox] == [["resident@example.jp"]]
    assert outbox[0].extra_headers["Message-ID"].startswith("<")
    assert _rows(queue_app) == []  # a job that succeeded is deleted with its (personal) arguments


def test_a_failing_job_is_retried_with_growing_waits_then_kept_with_its_error(queue_app, monkeypatch):
    outbox = _outbox(queue_app)
    failures = {"left": 100}

    def flaky_send(message, *args, **kwargs):
        if failures["left"]:
            failures["left"] -= 1
            raise OSError("mail server unreachable")
        outbox.append(message)
        return 1

    monkeypatch.setattr("flask_mailman.EmailMessage.send", flaky_send)
    before = utcnow()
    with queue_app.app_context(), transaction():
        _mail()
    jobs.work(queue_app)
    after = utcnow()
    (row,) = _rows(queue_app)
    assert row["state"] == "retrying" and row["attempts"] == 1
    assert before + timedelta(seconds=4) <= row["at"] <= after + timedelta(seconds=4)  # 4 ** 1 after attempt 1
    _make_due(queue_app)
    before = utcnow()
    jobs.work(queue_app)
    (row,) = _rows(queue_app)
    assert row["attempts"] == 2 and row["at"] >= before + timedelta(seconds=16)  # then 4 ** 2: it grows
    retries = jobs.backend(queue_app).jobs["mail.send"].retries
    for _ in range(retries):
        _make_due(queue_app)
        jobs.work(queue_app)
    (row,) = _rows(queue_app)
    assert row["state"] == "failed" and row["attempts"] == retries + 1
    with queue_app.app_context():
        (failed,), _total = jobs.backend(queue_app).listing("failed", 0, 10)
    assert failed.error == "OSError: mail server unreachable"
    assert outbox == []
    # Once the server is back, an administrator's retry delivers it (see test_jobs_admin.py).
    failures["left"] = 0
    with queue_app.app_context(), transaction():
        assert jobs.backend(queue_app).retry(failed.id) is not None
    jobs.work(queue_app)
    assert len(outbox) == 1 and _rows(queue_app) == []


def test_a_job_with_a_key_is_queued_once_while_it_waits(queue_app, monkeypatch):
    queue = jobs.backend(queue_app)
    runs = []
    monkeypatch.setitem(queue.jobs, "search.sync", jobs.Job("search.sync", lambda: runs.append(1)))
    with queue_app.app_context():
        with transaction():
            jobs.enqueue("search.sync", key="search-backlog")
            jobs.enqueue("search.sync", key="search-backlog")
        jobs.enqueue("search.sync", key="search-backlog")
    if queue.kind == "database":
        assert [r["name"] for r in _rows(queue_app)] == ["search.sync"]  # the third found one waiting
        jobs.work(queue_app)
        assert runs == [1]
    else:
        assert runs == [1, 1]  # nothing waits here: once per transaction


def test_unknown_jobs_and_arguments_that_are_not_json_are_refused_at_once(queue_app):
    with queue_app.app_context():
        with pytest.raises(LookupError):
            jobs.enqueue("no.such.job")
        with pytest.raises(TypeError):
            jobs.enqueue("mail.send", to=object())
    assert _rows(queue_app) == []


@pytest.mark.skipif(not ON_POSTGRES, reason="several workers share a queue only in PostgreSQL")
def test_two_workers_at_once_run_every_job_exactly_once(queue_app):
    outbox = _outbox(queue_app)
    with queue_app.app_context(), transaction():
        for n in range(30):
            _mail(f"person{n}@example.jp")
    start = threading.Barrier(2)

    def worker():
        start.wait(10)
        jobs.work(queue_app)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(m.to[0] for m in outbox) == sorted(f"person{n}@example.jp" for n in range(30))
    assert _rows(queue_app) == []


@pytest.mark.skipif(not ON_POSTGRES, reason="worker heartbeats live in PostgreSQL")
def test_a_job_left_running_by_a_killed_worker_runs_again(queue_app):
    outbox = _outbox(queue_app)
    with queue_app.app_context(), transaction():
        _mail("waiting@example.jp")
        # The state a worker killed mid-job leaves: the job "doing", its heartbeat long stopped.
        worker_id = db.session.execute(
            text("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '1 hour') RETURNING id")
        ).scalar()
        db.session.execute(
            text("UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w WHERE task_name = 'mail.send'"),
            {"w": worker_id},
        )
    jobs.work(queue_app)
    assert outbox == []  # nobody picks up a running job...
    with queue_app.app_context(), transaction():
        jobs.backend(queue_app).papp.configure_task("jobs.retry_stalled").defer()
    jobs.work(queue_app)  # ...until the every-minute check sees its worker is gone
    assert [m.to for m in outbox] == [["waiting@example.jp"]]


def test_every_capability_declares_its_schedules(queue_app):
    queue = jobs.backend(queue_app)
    with queue_app.app_context():
        papp = (
            queue.worker_app(with_periodic=True)
            if queue.kind == "database"
            else queue.build(queue.connector, with_periodic=True)
        )
    scheduled = {(t.task.name, t.periodic_id, t.cron) for t in papp.periodic_registry.periodic_tasks.values()}
    assert scheduled == {
        ("jobs.retry_stalled", "", "* * * * *"),
        ("notifications.digest", "frequency=daily", "0 22 * * *"),
        ("notifications.digest", "frequency=weekly", "0 22 * * 0"),
        ("retention.enforce", "", "30 18 * * *"),
    }
    # The search index is on each machine's disk: every worker keeps its own, so it is not queued.
    assert [(s.job, s.per_machine) for s in queue.periodic if s.per_machine] == [("search.sync", True)]


def test_failed_jobs_are_forgotten_after_their_retention_period(queue_app, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("down")

    monkeypatch.setattr("flask_mailman.EmailMessage.send", broken)
    with queue_app.app_context(), transaction():
        _mail()
    for _ in range(jobs.backend(queue_app).jobs["mail.send"].retries + 1):
        _make_due(queue_app)
        jobs.work(queue_app)
    assert [r["state"] for r in _rows(queue_app)] == ["failed"]
    from participation.core.jobs.services import forget_failed

    with queue_app.app_context():
        assert forget_failed(utcnow() - timedelta(days=30), dry_run=False) == 0  # still recent
        assert forget_failed(utcnow() + timedelta(seconds=1), dry_run=True) == 1
        assert _rows(queue_app) != []
        assert forget_failed(utcnow() + timedelta(seconds=1), dry_run=False) == 1
        assert db.session.scalar(db.select(db.func.count(JobError.id))) == 0
    assert _rows(queue_app) == []
